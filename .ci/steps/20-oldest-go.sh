#!/usr/bin/env bash
# Build and test the core module with the oldest Go that go.mod
# declares, fetched as a toolchain module through the Go module proxy,
# so that a use of a newer API or language feature fails here.
set -euo pipefail

oldest="go$(go mod edit -json | sed -n 's/^[[:space:]]*"Go": "\(.*\)",*$/\1/p')"
case "$oldest" in
  go1.22) toolchain=go1.22.12 ;;
  *) toolchain="$oldest" ;;
esac
GOTOOLCHAIN="$toolchain" go version
GOTOOLCHAIN="$toolchain" go vet ./...
GOTOOLCHAIN="$toolchain" go test ./...
