package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// bodyVariant is a changed copy of a captured body that the diagnosis
// verifies, to find what changed the body after it was signed.
type bodyVariant struct {
	// change describes the change, completing the sentence "secret 1
	// verifies the body ...".
	change string
	// explanation is the likely cause and its fix.
	explanation string
	body        []byte
}

const (
	explainAddedBreak = "A trailing line break was added to the body after it was signed. An " +
		"editor, echo or a copy from a terminal adds one: save the body byte for byte " +
		"(printf '%s', curl --data-binary @file) or capture it with 'goodyhooks listen' or nc -l."
	explainAddedBreaks = "Trailing line breaks were added to the body after it was signed, as " +
		"an editor, echo or a copy from a terminal adds them. Save the body byte for byte " +
		"(printf '%s', curl --data-binary @file) or capture it with 'goodyhooks listen' or nc -l."
	explainMissingBreak = "The signed body ended with a line break that the capture lacks. " +
		"Something trimmed the body after it arrived: pass the raw body to the verifier " +
		"untrimmed."
	explainOuterSpace = "Something added or removed white space around the signed body. Pass " +
		"the raw body to the verifier exactly as it arrived."
	explainLineEndings = "The capture's line endings were converted after signing, as a " +
		"Windows editor or a text-mode transfer does. Capture the bytes with 'goodyhooks " +
		"listen' or nc -l."
	explainWholeRest = "The capture's Content-Length header does not match its body, so the " +
		"capture was edited or joined after it was recorded."
	explainConvertedCapture = "The capture's line endings were converted after it was " +
		"recorded, as unix2dos, a Windows editor or a text-mode transfer does, and the " +
		"conversion changed the body's length, so its Content-Length header no longer fits " +
		"it. Capture the bytes with 'goodyhooks listen' or nc -l, and copy the file unchanged."
	explainReencoded = "The signed body holds the same JSON written differently: the body " +
		"was decoded and re-encoded after Svix signed it, by JSON middleware that parses the " +
		"request before the verifier runs, a framework that hands over a parsed object, or a " +
		"viewer that pretty-prints. Verify the raw bytes as received, before any JSON " +
		"parsing, and capture them raw."
)

// bodyVariants returns the changes to try on a body that matches no
// signature, without duplicates. wholeRest, if not nil, is the
// capture's body without the Content-Length cut. The changes run from
// the smallest to the largest, so that the first one that verifies is
// the likeliest explanation. One line break at the end comes first,
// then all the white space at the ends, line endings, the
// Content-Length cut, and last the JSON re-encodings.
func bodyVariants(body, wholeRest []byte) []bodyVariant {
	seen := map[string]bool{string(body): true}
	var variants []bodyVariant
	add := func(change, explanation string, b []byte) {
		if seen[string(b)] {
			return
		}
		seen[string(b)] = true
		variants = append(variants,
			bodyVariant{change: change, explanation: explanation, body: b})
	}

	if trimmed, ok := trimOneLineBreak(body); ok {
		add("with one trailing line break removed", explainAddedBreak, trimmed)
	}
	add("with a line break added at its end", explainMissingBreak, join(body, "\n"))
	add("with a CRLF line break added at its end", explainMissingBreak, join(body, "\r\n"))
	add("with all its trailing line breaks removed", explainAddedBreaks,
		bytes.TrimRight(body, "\r\n"))
	add("with the white space at its start and end removed", explainOuterSpace,
		bytes.TrimSpace(body))
	if converted, change, ok := convertLineEndings(body); ok {
		add("with its "+change, explainLineEndings, converted)
	}
	if wholeRest != nil {
		add("taken as everything after the headers, whatever Content-Length says",
			explainWholeRest, wholeRest)
		// A conversion of the whole capture changes the body's length,
		// so Content-Length no longer cuts it at its end.
		if converted, change, ok := convertLineEndings(wholeRest); ok {
			add("taken as everything after the headers, whatever Content-Length says, "+
				"with its "+change, explainConvertedCapture, converted)
		}
	}
	for _, v := range jsonVariants(body) {
		add(v.change, explainReencoded, v.body)
	}
	return variants
}

// trimOneLineBreak removes one "\r\n" or "\n" from the end of body. It
// reports false when body ends in neither.
func trimOneLineBreak(body []byte) ([]byte, bool) {
	if trimmed, ok := bytes.CutSuffix(body, []byte("\r\n")); ok {
		return trimmed, true
	}
	return bytes.CutSuffix(body, []byte("\n"))
}

// convertLineEndings changes CRLF line endings to LF, or, in a body
// without CRLF, LF line endings to CRLF. It returns the result and a
// description of the change, and reports false for a body without line
// breaks.
func convertLineEndings(body []byte) ([]byte, string, bool) {
	switch {
	case bytes.Contains(body, []byte("\r\n")):
		return bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n")),
			"CRLF line endings changed to LF", true
	case bytes.Contains(body, []byte("\n")):
		return bytes.ReplaceAll(body, []byte("\n"), []byte("\r\n")),
			"LF line endings changed to CRLF", true
	}
	return nil, "", false
}

func join(body []byte, suffix string) []byte {
	return append(append([]byte(nil), body...), suffix...)
}

// jsonVariants returns the body re-encoded in the ways JSON encoders
// commonly write it: each layout, each way of escaping strings, with
// and without a final line break. It returns nil for a body that is not
// valid JSON.
func jsonVariants(body []byte) []bodyVariant {
	if !json.Valid(body) {
		return nil
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		return nil
	}

	type layout struct {
		name  string
		apply func([]byte) []byte
	}
	layouts := []layout{
		{"", nil},
		{"compact JSON", func(b []byte) []byte { return b }},
		{
			"JSON with a space after each comma and colon, as Python's json.dumps writes it",
			spaceJSON,
		},
		{"JSON indented by 2 spaces", indentJSON("  ")},
		{"JSON indented by 4 spaces", indentJSON("    ")},
		{"JSON indented by tabs", indentJSON("\t")},
	}
	type escaping struct {
		name  string
		apply func([]byte) []byte
	}
	escapings := []escaping{
		{"", func(b []byte) []byte { return b }},
		{`\uXXXX and \/ escapes written as plain characters`, unescapeJSON},
		{`<, > and & escaped as \u003c, \u003e and \u0026`, htmlEscapeJSON},
		{`non-ASCII characters escaped as \uXXXX`, asciiEscapeJSON},
		{`/ escaped as \/`, escapeSlashes},
	}

	var variants []bodyVariant
	for _, l := range layouts {
		for _, e := range escapings {
			if l.apply == nil && e.name == "" {
				continue
			}
			var b []byte
			if l.apply == nil {
				b = e.apply(body)
			} else {
				b = l.apply(e.apply(compact.Bytes()))
			}
			change := describeEncoding(l.name, e.name)
			variants = append(variants,
				bodyVariant{change: change, body: b},
				bodyVariant{change: change + ", ending in a line break", body: join(b, "\n")})
		}
	}
	return variants
}

func describeEncoding(layout, escaping string) string {
	switch {
	case layout == "":
		return "re-encoded with " + escaping
	case escaping == "":
		return "re-encoded as " + layout
	}
	return fmt.Sprintf("re-encoded as %s, with %s", layout, escaping)
}

func indentJSON(indent string) func([]byte) []byte {
	return func(compact []byte) []byte {
		var b bytes.Buffer
		if err := json.Indent(&b, compact, "", indent); err != nil {
			return compact
		}
		return b.Bytes()
	}
}

// spaceJSON puts a space after each comma and colon outside strings
// of compact JSON.
func spaceJSON(compact []byte) []byte {
	out := make([]byte, 0, len(compact)+len(compact)/8)
	inString, escaped := false, false
	for _, c := range compact {
		out = append(out, c)
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == ',' || c == ':'):
			out = append(out, ' ')
		}
	}
	return out
}

func htmlEscapeJSON(b []byte) []byte {
	var out bytes.Buffer
	json.HTMLEscape(&out, b)
	return out.Bytes()
}

// asciiEscapeJSON writes each non-ASCII character as \uXXXX, with a
// surrogate pair above U+FFFF. In valid JSON such characters occur only
// inside strings.
func asciiEscapeJSON(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r < utf8.RuneSelf:
			out = append(out, b[0])
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			out = appendUnicodeEscape(appendUnicodeEscape(out, r1), r2)
		default:
			out = appendUnicodeEscape(out, r)
		}
		b = b[size:]
	}
	return out
}

func appendUnicodeEscape(out []byte, r rune) []byte {
	return fmt.Appendf(out, `\u%04x`, r)
}

// escapeSlashes writes each / as \/. In valid JSON, / and \ occur only
// inside strings, so a / is part of an escape only right after a \.
func escapeSlashes(b []byte) []byte {
	out := make([]byte, 0, len(b))
	escaped := false
	for _, c := range b {
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '/':
			out = append(out, '\\')
		}
		out = append(out, c)
	}
	return out
}

// unescapeJSON writes \/ and each \uXXXX escape of a printable
// character as the character itself, as encoders that escape only what
// JSON requires write them.
func unescapeJSON(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 == len(b) {
			out = append(out, b[i])
			continue
		}
		switch b[i+1] {
		case '/':
			out = append(out, '/')
			i++
		case 'u':
			r, n := readUnicodeEscape(b[i:])
			if n == 0 || r < 0x20 || r == '"' || r == '\\' || r == 0x7f {
				out = append(out, b[i])
				continue
			}
			out = utf8.AppendRune(out, r)
			i += n - 1
		default:
			out = append(out, b[i], b[i+1])
			i++
		}
	}
	return out
}

// readUnicodeEscape decodes the \uXXXX escape, or surrogate pair of
// escapes, at the start of b. It returns the number of bytes read, or 0
// if b does not start with a valid escape.
func readUnicodeEscape(b []byte) (rune, int) {
	r, ok := hexRune(b)
	if !ok {
		return 0, 0
	}
	if !utf16.IsSurrogate(r) {
		return r, 6
	}
	if low, ok := hexRune(b[6:]); ok {
		if combined := utf16.DecodeRune(r, low); combined != utf8.RuneError {
			return combined, 12
		}
	}
	return 0, 0
}

func hexRune(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[2:6]), 16, 32)
	return rune(n), err == nil
}
