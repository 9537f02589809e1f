package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

// signedAt is the signing time of the captures; --now sets the
// verifier's clock from it, so that no test reads the wall clock.
var signedAt = time.Unix(1764862800, 0)

// rawRequest formats a capture as nc -l records one: the request line,
// the headers, an empty line and the body.
func rawRequest(t *testing.T, header http.Header, body []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("POST /webhooks/goody HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n")
	require.NoError(t, header.Write(&b))
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.Write(body)
	return b.Bytes()
}

// signed returns the headers Svix sends with body, signed with secret
// at the given time.
func signed(body []byte, secret string, at time.Time,
	options ...goodyhookstest.Option) http.Header {
	options = append(options, goodyhookstest.WithSecret(secret),
		goodyhookstest.WithTimestamp(at))
	header := goodyhookstest.SignedHeader(body, options...)
	header.Set("Content-Type", "application/json")
	return header
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

func compactJSON(t *testing.T, body []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, body))
	return b.Bytes()
}

func TestVerifyDiagnoses(t *testing.T) {
	secret := goodyhookstest.NewSecret()
	other := goodyhookstest.NewSecret()
	indented := goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped)
	compact := compactJSON(t, indented)
	header := signed(compact, secret, signedAt)
	now := strconv.FormatInt(signedAt.Unix(), 10)
	later := strconv.FormatInt(signedAt.Add(10*time.Minute).Unix(), 10)
	earlier := strconv.FormatInt(signedAt.Add(-10*time.Minute).Unix(), 10)
	fingerprint := secretFingerprint(t, secret)
	otherFingerprint := secretFingerprint(t, other)

	noSignature := header.Clone()
	noSignature.Del("Svix-Signature")
	badTimestamp := header.Clone()
	badTimestamp.Set("Svix-Timestamp", "yesterday")
	rawKey := "whsec_" + base64.StdEncoding.EncodeToString([]byte(secret))
	crlfBody := bytes.ReplaceAll(indented, []byte("\n"), []byte("\r\n"))
	const day = 24 * 60 * 60
	inMilliseconds := time.Unix(signedAt.UnixMilli(), 0)
	millisecondsAhead := inMilliseconds.Unix() - signedAt.Unix()
	centuryAhead := signedAt.AddDate(100, 0, 0)
	pastLastDate := time.Unix(math.MaxInt64-3600, 0)

	tests := []struct {
		name     string
		capture  []byte
		args     []string
		env      []string
		wantCode int
		want     []string
		wantNot  []string
	}{
		{
			name:     "good capture",
			capture:  rawRequest(t, header, compact),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 0,
			want: []string{
				"verified: the signature matches secret 1 (sha256 " + fingerprint + ")",
				"order.shipped, event id ad097c47-bf12-45c9-8feb-0536a0012c09",
			},
		},
		{
			name: "tampered body",
			capture: rawRequest(t, header,
				bytes.Replace(compact, []byte("UPS"), []byte("DHL"), 1)),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want: []string{
				"not verified: no signature matches",
				"secret 1    sha256 " + fingerprint + ", no match",
				"An HMAC cannot tell the two remaining causes apart",
			},
		},
		{
			name:     "re-encoded as indented",
			capture:  rawRequest(t, header, indented),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want: []string{
				"not verified: no signature matches",
				"verifies the body re-encoded as compact JSON",
				"decoded and re-encoded after Svix signed it",
			},
		},
		{
			name:     "re-encoded as compact",
			capture:  rawRequest(t, signed(indented, secret, signedAt), compact),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want:     []string{"verifies the body re-encoded as JSON indented by 2 spaces"},
		},
		{
			name:     "re-encoded as Python writes it",
			capture:  rawRequest(t, header, spaceJSON(compact)),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want:     []string{"verifies the body re-encoded as compact JSON"},
		},
		{
			name:     "trailing line break added",
			capture:  rawRequest(t, header, append(bytes.Clone(compact), '\n')),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want:     []string{"verifies the body with one trailing line break removed"},
		},
		{
			name: "second trailing line break added",
			capture: rawRequest(t, signed(indented, secret, signedAt),
				append(bytes.Clone(indented), '\n')),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want: []string{
				"verifies the body with one trailing line break removed",
				"A trailing line break was added to the body after it was signed",
			},
			wantNot: []string{"re-encoded", "JSON middleware"},
		},
		{
			name: "second CRLF line break added",
			capture: rawRequest(t, signed(crlfBody, secret, signedAt),
				append(bytes.Clone(crlfBody), "\r\n"...)),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want:     []string{"verifies the body with one trailing line break removed"},
			wantNot:  []string{"re-encoded"},
		},
		{
			name:     "trailing line break removed",
			capture:  rawRequest(t, signed(indented, secret, signedAt), compactEnd(indented)),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want:     []string{"verifies the body with a line break added at its end"},
		},
		{
			name:     "line endings converted",
			capture:  rawRequest(t, signed(indented, secret, signedAt), crlfBody),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want:     []string{"verifies the body with its CRLF line endings changed to LF"},
		},
		{
			name:     "whole capture converted to CRLF",
			capture:  toCRLF(rawRequest(t, signed(indented, secret, signedAt), indented)),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want: []string{
				"verifies the body taken as everything after the headers, whatever " +
					"Content-Length says, with its CRLF line endings changed to LF",
				"the conversion changed the body's length",
			},
		},
		{
			name:     "stale timestamp",
			capture:  rawRequest(t, header, compact),
			args:     []string{"--secret", secret, "--now", later},
			wantCode: 1,
			want: []string{
				"not verified: the timestamp is too old",
				"signed 10m0s before now, 5m0s more than the 5m0s tolerance",
				"The signature matches secret 1 (sha256 " + fingerprint + ")",
				"add --ignore-time",
			},
		},
		{
			name:     "stale timestamp ignored",
			capture:  rawRequest(t, header, compact),
			args:     []string{"--secret", secret, "--now", later, "--ignore-time"},
			wantCode: 0,
			want: []string{
				"verified: the signature matches secret 1",
				"; the time was not checked",
			},
		},
		{
			name:     "future timestamp",
			capture:  rawRequest(t, header, compact),
			args:     []string{"--secret", secret, "--now", earlier},
			wantCode: 1,
			want: []string{
				"not verified: the timestamp is too new",
				"dated 10m0s after now, 5m0s more than the 5m0s tolerance",
			},
		},
		{
			name:     "timestamp in milliseconds",
			capture:  rawRequest(t, signed(compact, secret, inMilliseconds), compact),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want: []string{
				"not verified: the timestamp is too new",
				fmt.Sprintf("%d days in the future", millisecondsAhead/day),
				"Its timestamp has 13 digits, as a Unix time in milliseconds has",
				"read as milliseconds, it is 2025-12-04T15:40:00Z, 0s ago",
				"The signature matches secret 1",
				"fix the sender to send Unix seconds",
			},
			wantNot: []string{"106751 days", "NTP", "--ignore-time"},
		},
		{
			name:     "timestamp a century ahead",
			capture:  rawRequest(t, signed(compact, secret, centuryAhead), compact),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want: []string{
				"not verified: the timestamp is too new",
				"A wrong clock does not put a time that far ahead",
				"fix the sender to send Unix seconds",
			},
			wantNot: []string{"NTP"},
		},
		{
			name:     "timestamp at the int64 maximum",
			capture:  rawRequest(t, signed(compact, secret, time.Unix(math.MaxInt64, 0)), compact),
			args:     []string{"--secret", secret, "--now", strconv.FormatInt(math.MinInt64, 10)},
			wantCode: 1,
			want: []string{
				"not verified: the timestamp is too new",
				"213503982334601 days in the future",
				"dated 213503982334601 days after now, 213503982334601 days more",
			},
			wantNot: []string{"106751 days"},
		},
		{
			name:     "timestamp past the last date",
			capture:  rawRequest(t, signed(compact, secret, pastLastDate), compact),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want: []string{
				"not verified: the timestamp is too new",
				"9223372036854772207, past the last date that can be shown",
				"dated 106751991146873 days after now",
				"The signature matches secret 1",
			},
			wantNot: []string{"too old"},
		},
		{
			name:     "timestamp at the int64 minimum",
			capture:  rawRequest(t, signed(compact, secret, time.Unix(math.MinInt64, 0)), compact),
			args:     []string{"--secret", secret, "--now", strconv.FormatInt(maxDateUnix, 10)},
			wantCode: 1,
			want: []string{
				"not verified: the timestamp is too old",
				"213503981615439 days ago",
				"signed 213503981615439 days before now, 213503981615439 days more",
			},
		},
		{
			name:     "wider tolerance",
			capture:  rawRequest(t, header, compact),
			args:     []string{"--secret", secret, "--now", later, "--tolerance", "15m"},
			wantCode: 0,
			want:     []string{"verified"},
		},
		{
			name:     "wrong secret",
			capture:  rawRequest(t, header, compact),
			args:     []string{"--secret", other, "--now", now},
			wantCode: 1,
			want: []string{
				"not verified: no signature matches",
				"No signature matches secret 1 (sha256 " + otherFingerprint + ")",
				"sandbox and production endpoints have different secrets",
			},
		},
		{
			name:     "secret in quotes",
			capture:  rawRequest(t, header, compact),
			args:     []string{"--secret", `"` + secret + `"`, "--now", now},
			wantCode: 1,
			want: []string{
				"not verified: secret 1 is malformed",
				"With the quotes around it removed, it decodes (sha256 " + fingerprint + ")",
				"secret 1    sha256 " + fingerprint + ", matches with the quotes around it removed",
			},
		},
		{
			name:     "secret with white space",
			capture:  rawRequest(t, header, compact),
			args:     []string{"--secret", " " + secret + " ", "--now", now},
			wantCode: 1,
			want:     []string{"secret 1 is malformed", "the white space around it removed"},
		},
		{
			name:     "secret with doubled prefix",
			capture:  rawRequest(t, header, compact),
			args:     []string{"--secret", "whsec_" + secret, "--now", now},
			wantCode: 1,
			want: []string{
				"secret 1 is malformed",
				"the doubled whsec_ prefix reduced to one",
			},
		},
		{
			name:     "secret with cut-off prefix",
			capture:  rawRequest(t, header, compact),
			args:     []string{"--secret", strings.TrimPrefix(secret, "wh"), "--now", now},
			wantCode: 1,
			want:     []string{"secret 1 is malformed", "its whsec_ prefix written in full"},
		},
		{
			name:     "secret without prefix",
			capture:  rawRequest(t, header, compact),
			args:     []string{"--secret", strings.TrimPrefix(secret, "whsec_"), "--now", now},
			wantCode: 0,
			want:     []string{"verified", "it has no whsec_ prefix"},
		},
		{
			name:     "invalid secret",
			capture:  rawRequest(t, header, compact),
			args:     []string{"--secret", "whsec_!!!", "--now", now},
			wantCode: 1,
			want:     []string{"not verified: no secret decodes", "not standard base64"},
		},
		{
			name:     "several secrets",
			capture:  rawRequest(t, header, compact),
			args:     []string{"--secret", other, "--secret", secret, "--now", now},
			wantCode: 0,
			want: []string{
				"verified: the signature matches secret 2 (sha256 " + fingerprint + ")",
				"secret 1    sha256 " + otherFingerprint + ", no match",
				"secret 2    sha256 " + fingerprint + ", matches",
			},
		},
		{
			name:     "several secrets from the environment",
			capture:  rawRequest(t, header, compact),
			args:     []string{"--now", now},
			env:      []string{secretEnv + "=" + other + ", " + secret},
			wantCode: 0,
			want: []string{
				"verified: the signature matches secret 2 (sha256 " + fingerprint + ")",
			},
		},
		{
			name:     "missing header",
			capture:  rawRequest(t, noSignature, compact),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want: []string{
				"not verified: missing header svix-signature",
				"the delivery has svix-id, svix-timestamp",
			},
		},
		{
			name:     "invalid timestamp header",
			capture:  rawRequest(t, badTimestamp, compact),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want:     []string{"not verified: invalid header svix-timestamp", `"yesterday"`},
		},
		{
			name: "webhook headers",
			capture: rawRequest(t,
				signed(compact, secret, signedAt, goodyhookstest.WithWebhookHeaders()),
				compact),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 0,
			want: []string{
				"verified",
				"webhook-id, webhook-timestamp and webhook-signature",
			},
		},
		{
			name:     "secret text used as key",
			capture:  rawRequest(t, signed(compact, rawKey, signedAt), compact),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want:     []string{"The sender signed with the text of secret 1 as the HMAC key"},
		},
		{
			name: "bytes after content length",
			capture: append(rawRequest(t, header, compact),
				"\nPOST /next HTTP/1.1\n"...),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 0,
			want: []string{
				"verified",
				fmt.Sprintf("the capture has 21 bytes after the %d of Content-Length, "+
					"which the body does not include", len(compact)),
			},
		},
		{
			name: "LF line endings",
			capture: bytes.ReplaceAll(rawRequest(t, header, compact), []byte("\r\n"),
				[]byte("\n")),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 0,
			want:     []string{"verified"},
		},
		{
			name:     "not a request",
			capture:  []byte("just some text\n"),
			args:     []string{"--secret", secret, "--now", now},
			wantCode: 1,
			want:     []string{"not verified: the capture cannot be read as a request"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "capture.http", tt.capture)
			args := append([]string{"verify", "--request", path}, tt.args...)

			r := runCommand(t, tt.env, "", args...)

			assert.Equal(t, tt.wantCode, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			for _, want := range tt.want {
				assert.Contains(t, unwrap(r.stdout), want)
			}
			for _, unwanted := range tt.wantNot {
				assert.NotContains(t, unwrap(r.stdout), unwanted)
			}
			assertNoSecret(t, r.stdout+r.stderr, secret, other)
		})
	}
}

// toCRLF converts every line ending of a capture to CRLF, as unix2dos
// does.
func toCRLF(capture []byte) []byte {
	lf := bytes.ReplaceAll(capture, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
}

// compactEnd returns body without its trailing line breaks.
func compactEnd(body []byte) []byte {
	return bytes.TrimRight(body, "\r\n")
}

// unwrap joins the wrapped lines of the command's rows, so that a
// phrase can be found whatever the line width.
func unwrap(output string) string {
	var b strings.Builder
	for i, line := range strings.Split(output, "\n") {
		if strings.HasPrefix(line, "     ") {
			b.WriteString(" " + strings.TrimSpace(line))
			continue
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(line)
	}
	return b.String()
}

func TestVerifyInputs(t *testing.T) {
	secret := goodyhookstest.NewSecret()
	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderCreated)
	header := signed(body, secret, signedAt)
	capture := rawRequest(t, header, body)
	bodyPath := writeFile(t, "body.json", body)
	now := strconv.FormatInt(signedAt.Unix(), 10)

	t.Run("standard input", func(t *testing.T) {
		r := runCommand(t, nil, string(capture), "verify", "--secret", secret, "--now", now)

		assert.Equal(t, 0, r.code, r.stdout+r.stderr)
		assert.Contains(t, r.stdout, "verified")
	})
	t.Run("headers and body", func(t *testing.T) {
		r := runCommand(t, []string{secretEnv + "=" + secret}, "", "verify", "--now", now,
			"--header", "svix-id: "+header.Get("Svix-Id"),
			"--header", "svix-timestamp: "+header.Get("Svix-Timestamp"),
			"--header", "svix-signature: "+header.Get("Svix-Signature"),
			"--body", bodyPath)

		assert.Equal(t, 0, r.code, r.stdout+r.stderr)
		assert.Contains(t, r.stdout, "verified: the signature matches secret 1")
	})
	t.Run("body on standard input", func(t *testing.T) {
		r := runCommand(t, nil, string(body), "verify", "--secret", secret, "--now", now,
			"--header", "svix-id: "+header.Get("Svix-Id"),
			"--header", "svix-timestamp: "+header.Get("Svix-Timestamp"),
			"--header", "svix-signature: "+header.Get("Svix-Signature"),
			"--body", "-")

		assert.Equal(t, 0, r.code, r.stdout+r.stderr)
		assert.Contains(t, r.stdout, "verified")
	})
}
