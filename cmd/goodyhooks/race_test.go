//go:build race

package main

// The binary under test is built with the race detector when the tests
// run with it, so that races in listen's handler are found too.
func init() { buildFlags = append(buildFlags, "-race") }
