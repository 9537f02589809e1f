package main

import (
	"bytes"
	"flag"
	"fmt"
	"time"

	"github.com/goodyhooks/goodyhooks"
)

var verifyHelpText = commandHelp{
	synopsis: `goodyhooks verify [--secret SECRET]... [--request FILE]
goodyhooks verify [--secret SECRET]... < FILE
goodyhooks verify [--secret SECRET]... --header 'Name: value'... --body FILE`,
	description: `
Verify checks a captured delivery as the goodyhooks handler checks it,
and reports whether it verifies and, if not, why:

  - which signature header is missing or invalid;
  - how far the timestamp lies outside the tolerance, in which
    direction, and whether the signature matches apart from the time;
  - that no signature matches, and the change that makes one match if
    it finds one: a trailing line break or white space added or
    removed, line endings converted, the JSON re-encoded (compacted,
    indented, spaced as Python writes it, escaped differently), a
    Content-Length that does not fit the body, or a sender that used
    the secret's text as the key;
  - a secret pasted with white space or quotes around it, or with its
    whsec_ prefix doubled, cut off or in upper case, and whether it
    matches once fixed.

With several secrets, such as the sandbox and the production secret,
it reports which one matches. Secrets are named by position and the first
8 hexadecimal digits of the SHA-256 of their key, never by their text.

The capture is a raw HTTP/1.1 request as nc -l or a request bin records
it: the request line (optional), the headers, an empty line, then the
body, with CRLF or LF line endings. The body is Content-Length bytes
long when that header is given, and otherwise runs to the end of the
input. Alternatively, give the headers with --header and the body,
byte for byte, with --body.
`,
	environment: secretHelp,
	exitStatus: "0  the delivery verifies\n" +
		"1  it does not verify, or the capture cannot be read as a request\n",
	valueForms: map[string]string{"now": "Unix seconds, a whole number such as 1764862800"},
}

func runVerify(e *env, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	var secretValues, headerValues listFlag
	fs.Var(&secretValues, "secret",
		"signing `SECRET` (whsec_...); repeat it to find which of several matches")
	requestPath := fs.String("request", "",
		"read the raw request from `FILE`; - reads standard input (default: standard input)")
	fs.Var(&headerValues, "header",
		"a request header as `'Name: value'`, repeatable; use with --body")
	bodyPath := fs.String("body", "",
		"read the body from `FILE`, byte for byte, for use with --header; - reads standard input")
	now := fs.Int64("now", 0,
		"check the timestamp against this `TIME` in Unix seconds instead of the clock")
	ignoreTime := fs.Bool("ignore-time", false,
		"check the signature only, as of the delivery's own timestamp")
	tolerance := fs.Duration("tolerance", goodyhooks.DefaultTolerance,
		"how far the svix-timestamp may lie from now, a `DURATION` such as 5m")

	positional, err := parseArgs(e, fs, verifyHelpText, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageErrorf("unexpected argument %q; name the capture with --request FILE",
			positional[0])
	}
	if *tolerance <= 0 {
		return usageErrorf("--tolerance %v: want a positive duration such as 5m", *tolerance)
	}
	secrets, err := secretsFrom(e, secretValues)
	if err != nil {
		return err
	}
	c, err := readCapture(e, *requestPath, headerValues, *bodyPath)
	if err != nil {
		return err
	}

	settings := checkSettings{
		now:        e.now(),
		tolerance:  *tolerance,
		ignoreTime: *ignoreTime,
		staleHint:  "To check the signature of an old capture alone, add --ignore-time.",
	}
	if *now != 0 {
		settings.now = time.Unix(*now, 0)
	}
	d := diagnose(c, newSecretChecks(secrets), settings)
	printDiagnosis(e, d)
	if !d.verified {
		return errFailed
	}
	return nil
}

// readCapture reads the delivery from --header and --body, or from
// --request or standard input. A capture that cannot be read as a
// request is printed as not verified.
func readCapture(e *env, requestPath string, headerValues []string,
	bodyPath string) (*capture, error) {
	separate := len(headerValues) > 0 || bodyPath != ""
	switch {
	case separate && requestPath != "":
		return nil, usageErrorf("give the capture either with --request or with " +
			"--header and --body, not both")
	case separate && bodyPath == "":
		return nil, usageErrorf("--header needs --body FILE with the body, byte for byte")
	case separate && len(headerValues) == 0:
		return nil, usageErrorf("--body needs the signature headers: --header 'svix-id: ...' " +
			"--header 'svix-timestamp: ...' --header 'svix-signature: ...'")
	case separate:
		header, err := parseHeaderFlags(headerValues)
		if err != nil {
			return nil, err
		}
		body, err := readInput(e, "body", bodyPath)
		if err != nil {
			return nil, err
		}
		return &capture{header: header, body: body}, nil
	}

	if requestPath == "" {
		if isTerminal(e.stdin) {
			return nil, usageErrorf(
				"no capture: pass --request FILE, pipe a raw request on standard input, " +
					"or give --header and --body",
			)
		}
		requestPath = "-"
	}
	data, err := readInput(e, "request", requestPath)
	if err != nil {
		return nil, err
	}
	c, err := parseCapture(data)
	if err != nil {
		fmt.Fprintf(e.stdout, "not verified: the capture cannot be read as a request: %v\n",
			err)
		return nil, errFailed
	}
	return c, nil
}

func printDiagnosis(e *env, d *diagnosis) {
	var b bytes.Buffer
	b.WriteString(d.headline + "\n")
	rows := d.facts
	for _, cause := range d.causes {
		rows = append(rows, fact{"cause", cause})
	}
	writeRows(&b, rows)
	_, _ = e.stdout.Write(b.Bytes())
}
