package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"regexp"
	"strconv"
	"strings"
)

// capture is a webhook request as it was recorded: its headers and its
// body exactly as received.
type capture struct {
	header http.Header
	body   []byte
	// wholeRest is everything after the blank line when the body was cut
	// to the Content-Length header, or nil. A capture edited by hand may
	// have lost or gained bytes, so the diagnosis also tries it.
	wholeRest []byte
	// notes describe what looked wrong in the capture's framing.
	notes []string
}

// requestLine matches an HTTP/1.x request line such as
// "POST /webhooks HTTP/1.1".
var requestLine = regexp.MustCompile(`^[A-Z]+ \S+ HTTP/\d(\.\d)?$`)

// parseCapture reads a raw HTTP/1.1 request as nc -l or a request bin
// records it: an optional request line, header lines, a blank line and
// the body. Lines may end in CRLF or LF. The body is Content-Length
// bytes long when that header is present and the capture has enough
// bytes, is decoded for Transfer-Encoding: chunked, and otherwise runs
// to the end of the input.
func parseCapture(data []byte) (*capture, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("the capture is empty; save the whole request, headers and body")
	}
	c := &capture{header: make(http.Header)}
	rest := data
	lastName := ""
	for lineNumber := 1; ; lineNumber++ {
		if len(rest) == 0 {
			return nil, fmt.Errorf(
				"no blank line after the headers; a raw request has the request line, " +
					"the headers, an empty line, then the body",
			)
		}
		line, after, _ := bytes.Cut(rest, []byte("\n"))
		rest = after
		text := strings.TrimSuffix(string(line), "\r")
		switch {
		case text == "":
			return c, c.setBody(rest)
		case lineNumber == 1 && requestLine.MatchString(text):
			continue
		case text[0] == ' ' || text[0] == '\t':
			if lastName == "" {
				return nil, fmt.Errorf("line %d: a continuation line comes before any header",
					lineNumber)
			}
			values := c.header[lastName]
			values[len(values)-1] += " " + strings.TrimSpace(text)
			continue
		case text[0] == ':':
			// An HTTP/2 pseudo-header such as ":method: POST", as browser
			// tools show them.
			continue
		}
		name, value, ok := strings.Cut(text, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("line %d is not a header of the form 'Name: value'; "+
				"a raw request has the request line, the headers, an empty line, "+
				"then the body", lineNumber)
		}
		lastName = http.CanonicalHeaderKey(name)
		c.header.Add(lastName, strings.TrimSpace(value))
	}
}

// setBody takes the body from what follows the blank line.
func (c *capture) setBody(rest []byte) error {
	if strings.EqualFold(c.header.Get("Transfer-Encoding"), "chunked") {
		body, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(rest)))
		if err != nil {
			c.notes = append(c.notes,
				fmt.Sprintf("the chunked body does not decode (%v), so it is taken as is", err))
			c.body = rest
			return nil
		}
		c.body = body
		return nil
	}
	lengthText := c.header.Get("Content-Length")
	if lengthText == "" {
		c.body = rest
		return nil
	}
	length, err := strconv.Atoi(lengthText)
	switch {
	case err != nil || length < 0:
		c.notes = append(c.notes, fmt.Sprintf("Content-Length %q is not a number of bytes, "+
			"so the body runs to the end of the capture", lengthText))
		c.body = rest
	case length < len(rest):
		c.body = rest[:length]
		c.wholeRest = rest
		c.notes = append(
			c.notes,
			fmt.Sprintf("the capture has %s after the %d of Content-Length, which the "+
				"body does not include", countBytes(len(rest)-length), length),
		)
	case length > len(rest):
		c.body = rest
		c.notes = append(
			c.notes,
			fmt.Sprintf("Content-Length is %d but the capture has only %s of body; "+
				"it may be cut short", length, countBytes(len(rest))),
		)
	default:
		c.body = rest
	}
	return nil
}

// countBytes writes n with its unit, such as "1 byte" or "2 bytes".
func countBytes(n int) string {
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// parseHeaderFlags builds the headers given with --header 'Name: value'.
func parseHeaderFlags(values []string) (http.Header, error) {
	header := make(http.Header, len(values))
	for _, value := range values {
		name, text, ok := strings.Cut(value, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, usageErrorf("--header %q: want 'Name: value', such as 'svix-id: msg_...'",
				value)
		}
		header.Add(name, strings.TrimSpace(text))
	}
	return header, nil
}
