// Goodyhooks sends, receives and checks Goody webhook deliveries by
// hand, for testing a receiving endpoint and debugging signatures.
//
// Install it with
//
//	go install github.com/goodyhooks/goodyhooks/cmd/goodyhooks@latest
//
// Usage:
//
//	goodyhooks send EVENT... [--url URL] [--secret SECRET] [flags]
//	goodyhooks send --all [--url URL] [--secret SECRET] [flags]
//	goodyhooks listen [--addr ADDR] [--path PATH] [--secret SECRET]... [--json] [--save DIR]
//	                  [--tolerance DURATION]
//	goodyhooks verify [--secret SECRET]... [--request FILE]
//	goodyhooks verify [--secret SECRET]... --header 'Name: value'... --body FILE
//	goodyhooks secret
//
// Send posts a signed sample of each event to an endpoint with the
// headers Svix sends, and prints the status code and the time taken.
// Listen serves the goodyhooks handler and prints each verified event,
// and the reason for each rejected request, which the HTTP response does
// not give. Verify checks a captured delivery and explains why it does not
// verify: a missing header, a timestamp outside the tolerance, or a
// signature that matches none of the secrets, with the usual causes
// that it can detect, such as a re-encoded body or a secret pasted with
// quotes. Secret prints a new random signing secret for tests.
//
// The signing secret comes from --secret or, so that it stays out of
// the shell history, from the GOODYHOOKS_SECRET environment variable,
// which may hold several secrets separated by commas or white space.
// Each --secret flag takes one secret, so several need several flags.
// No output ever contains a secret: a secret is named by its position
// and the first 8 hexadecimal digits of the SHA-256 of its key.
//
// Every subcommand prints its usage with --help and exits with status 0
// on success, 1 when the thing checked fails (a delivery gets no
// 2xx response, a capture does not verify, the listener cannot
// start), and 2 for a usage error.
package main
