package goodyhooks_test

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

// lockedBuffer is a bytes.Buffer that several goroutines may write.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.buf.String()), "\n")
}

// hygieneForbidden returns the texts that must appear in no log line,
// error message or response: the secret in each form, every signature
// sent, every body longer than 16 bytes, and the body markers.
func hygieneForbidden(t *testing.T, cases []hostileCase) []string {
	t.Helper()
	key, err := goodyhooks.DecodeSecret(goodyhookstest.Secret)
	require.NoError(t, err)
	forbidden := []string{
		goodyhookstest.Secret,
		strings.TrimPrefix(goodyhookstest.Secret, "whsec_"),
		string(key),
		base64.RawStdEncoding.EncodeToString(key),
		hostileBodyMarker,
		strings.TrimSpace(hostileStreamMarker),
	}
	for _, c := range cases {
		if len(c.body) > 16 {
			forbidden = append(forbidden, string(c.body))
		}
		for _, name := range []string{"Svix-Signature", "Webhook-Signature"} {
			for _, value := range c.header[name] {
				if len(value) > 16 {
					forbidden = append(forbidden, value)
				}
				for _, entry := range strings.Fields(value) {
					_, signature, _ := strings.Cut(entry, ",")
					if len(signature) > 16 {
						forbidden = append(forbidden, signature)
					}
				}
			}
		}
	}
	return forbidden
}

// hygieneErrors returns the error messages of the Verifier methods and
// Parse for each case that has a body in memory.
func hygieneErrors(t *testing.T, cases []hostileCase) []string {
	t.Helper()
	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret)
	require.NoError(t, err)
	var messages []string
	add := func(err error) {
		if err != nil {
			messages = append(messages, err.Error())
		}
	}
	for _, c := range cases {
		if c.streamSize > 0 {
			continue
		}
		add(verifier.Verify(c.body, c.header))
		_, err := verifier.Parse(c.body, c.header)
		add(err)
		_, err = goodyhooks.Parse(c.body)
		add(err)

		request := goodyhookstest.NewRequest(c.body)
		request.Header = c.header.Clone()
		_, err = verifier.ParseRequest(request)
		add(err)
	}

	// The secret checks name the mistake without repeating the secret.
	secret := goodyhookstest.Secret
	for _, bad := range []string{" " + secret, `"` + secret + `"`, "whsec_" + secret, secret + "!", secret[:20]} {
		_, err := goodyhooks.NewVerifier(bad)
		require.Error(t, err, "secret %q", bad)
		messages = append(messages, err.Error())
		_, err = goodyhooks.NewHandler(goodyhookstest.Secret, goodyhooks.WithAdditionalSecrets(bad))
		require.Error(t, err)
		messages = append(messages, err.Error())
	}
	return messages
}

func TestHygieneNoSecretsInOutput(t *testing.T) {
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	server := newHostileServer(t, goodyhooks.WithLogger(logger))
	client := &http.Client{Timeout: 30 * time.Second}
	cases := hostileCases(t)

	var responses []string
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			result := runHostileCase(t, server, client, c)
			responses = append(responses, result.body)
		})
	}
	outputs := map[string][]string{
		"log line": logs.lines(),
		"response": responses,
		"error":    hygieneErrors(t, cases),
	}
	require.NotEmpty(t, outputs["log line"], "the logger recorded nothing")
	require.NotEmpty(t, outputs["error"], "no error was collected")

	forbidden := hygieneForbidden(t, cases)
	for kind, texts := range outputs {
		for _, text := range texts {
			for _, secret := range forbidden {
				if strings.Contains(text, secret) {
					assert.Failf(t, "output repeats a secret, signature or body",
						"%s %q contains %q", kind, shorten(text), shorten(secret))
				}
			}
		}
	}
	t.Logf("checked %d log lines, %d responses and %d errors against %d texts",
		len(outputs["log line"]), len(responses), len(outputs["error"]), len(forbidden))
}

// shorten cuts s for a failure message.
func shorten(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// TestHygieneCheckFails makes sure the check above can fail: a logger
// line that quotes the body is caught.
func TestHygieneCheckFails(t *testing.T) {
	body := hostileEnvelope("order.shipped", "evt", "{}")
	forbidden := hygieneForbidden(t, []hostileCase{{body: body, header: hostileSigned(body)}})
	line := "level=WARN msg=rejected body=" + string(body)
	caught := 0
	for _, secret := range forbidden {
		if strings.Contains(line, secret) {
			caught++
		}
	}
	assert.Positive(t, caught)
}
