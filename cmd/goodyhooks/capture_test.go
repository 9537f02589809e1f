package main

import (
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCapture(t *testing.T) {
	tests := []struct {
		name      string
		capture   string
		wantID    string
		wantBody  string
		wantNotes int
	}{
		{
			name:     "CRLF with request line",
			capture:  "POST /hooks HTTP/1.1\r\nSvix-Id: msg_1\r\nContent-Length: 2\r\n\r\n{}",
			wantID:   "msg_1",
			wantBody: "{}",
		},
		{
			name:     "LF without request line",
			capture:  "svix-id: msg_2\ncontent-type: application/json\n\n{}\n",
			wantID:   "msg_2",
			wantBody: "{}\n",
		},
		{
			name:     "continuation line",
			capture:  "Svix-Id: msg_\n 3\n\n{}",
			wantID:   "msg_ 3",
			wantBody: "{}",
		},
		{
			name:     "HTTP/2 pseudo-headers",
			capture:  ":method: POST\n:path: /hooks\nsvix-id: msg_4\n\n{}",
			wantID:   "msg_4",
			wantBody: "{}",
		},
		{
			name:     "chunked",
			capture:  "Svix-Id: msg_5\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
			wantID:   "msg_5",
			wantBody: "{}",
		},
		{
			name:      "bytes after Content-Length",
			capture:   "Svix-Id: msg_6\nContent-Length: 2\n\n{}\n",
			wantID:    "msg_6",
			wantBody:  "{}",
			wantNotes: 1,
		},
		{
			name:      "body shorter than Content-Length",
			capture:   "Svix-Id: msg_7\nContent-Length: 9\n\n{}",
			wantID:    "msg_7",
			wantBody:  "{}",
			wantNotes: 1,
		},
		{
			name:     "byte order mark",
			capture:  "\xef\xbb\xbfSvix-Id: msg_8\n\n{}",
			wantID:   "msg_8",
			wantBody: "{}",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseCapture([]byte(tt.capture))

			require.NoError(t, err)
			assert.Equal(t, tt.wantID, c.header.Get("svix-id"))
			assert.Equal(t, tt.wantBody, string(c.body))
			assert.Len(t, c.notes, tt.wantNotes)
		})
	}
}

func TestCaptureNotesCountBytes(t *testing.T) {
	tests := []struct {
		name    string
		capture string
		want    string
	}{
		{"one byte after", "Content-Length: 2\n\n{}\n", "the capture has 1 byte after the 2 of"},
		{"two bytes after", "Content-Length: 2\n\n{}\r\n", "the capture has 2 bytes after the 2 of"},
		{"one byte of body", "Content-Length: 9\n\n{", "the capture has only 1 byte of body"},
		{"no body", "Content-Length: 9\n\n", "the capture has only 0 bytes of body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseCapture([]byte(tt.capture))

			require.NoError(t, err)
			require.Len(t, c.notes, 1)
			assert.Contains(t, c.notes[0], tt.want)
		})
	}
}

func TestParseCaptureErrors(t *testing.T) {
	tests := []struct {
		name    string
		capture string
		want    string
	}{
		{"empty", " \n", "the capture is empty"},
		{"no blank line", "Svix-Id: msg_1\n", "no blank line after the headers"},
		{"not a header", "Svix-Id: msg_1\nhello world\n\n{}", "line 2 is not a header"},
		{
			"leading continuation",
			" folded\n\n{}",
			"line 1: a continuation line comes before any header",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseCapture([]byte(tt.capture))

			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name           string
		args           []string
		wantPositional []string
		wantURL        string
	}{
		{"flags first", []string{"--url", "u", "a", "b"}, []string{"a", "b"}, "u"},
		{"flags last", []string{"a", "--url", "u"}, []string{"a"}, "u"},
		{"flags between", []string{"a", "--url=u", "b"}, []string{"a", "b"}, "u"},
		{"double dash", []string{"a", "--", "--url", "u"}, []string{"a", "--url", "u"}, ""},
		{"dash alone", []string{"-", "--url", "u"}, []string{"-"}, "u"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			target := fs.String("url", "", "")
			e := &env{stdout: io.Discard, stderr: io.Discard}

			positional, err := parseArgs(e, fs, commandHelp{}, tt.args)

			require.NoError(t, err)
			assert.Equal(t, tt.wantPositional, positional)
			assert.Equal(t, tt.wantURL, *target)
		})
	}
}

func TestRepairSecret(t *testing.T) {
	const fullPrefix = "its whsec_ prefix written in full and in lower case"
	tests := []struct {
		name      string
		given     string
		want      string
		wantFixes []string
	}{
		{"as given", "whsec_AAAA", "whsec_AAAA", nil},
		{"white space", " whsec_AAAA\n", "whsec_AAAA",
			[]string{"the white space around it removed"}},
		{"double quotes", `"whsec_AAAA"`, "whsec_AAAA",
			[]string{"the quotes around it removed"}},
		{"single quotes and space", ` 'whsec_AAAA' `, "whsec_AAAA",
			[]string{"the white space around it removed", "the quotes around it removed"}},
		{"doubled prefix", "whsec_whsec_AAAA", "whsec_AAAA",
			[]string{"the doubled whsec_ prefix reduced to one"}},
		{"space inside", "whsec_AA AA", "whsec_AAAA",
			[]string{"the white space inside it removed"}},
		{"cut-off prefix", "sec_AAAA", "whsec_AAAA", []string{fullPrefix}},
		{"prefix without its letters", "_AAAA", "whsec_AAAA", []string{fullPrefix}},
		{"upper-case prefix", "WHSEC_AAAA", "whsec_AAAA", []string{fullPrefix}},
		{"no prefix", "AAAA", "AAAA", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fixes := repairSecret(tt.given)

			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantFixes, fixes)
		})
	}
}
