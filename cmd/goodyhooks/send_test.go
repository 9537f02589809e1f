package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

// received is a request that a test server got.
type received struct {
	header http.Header
	body   []byte
}

// recordingServer responds to every request with status and text, and
// keeps the request.
func recordingServer(t *testing.T, status int, text string) (*httptest.Server, func() []received) {
	t.Helper()
	var mu sync.Mutex
	var requests []received
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		assert.NoError(t, err)
		mu.Lock()
		requests = append(requests, received{header: r.Header.Clone(), body: body})
		mu.Unlock()
		if status == http.StatusPermanentRedirect {
			w.Header().Set("Location", "https://example.com/hooks")
		}
		w.WriteHeader(status)
		io.WriteString(w, text)
	}))
	t.Cleanup(server.Close)
	return server, func() []received {
		mu.Lock()
		defer mu.Unlock()
		return append([]received(nil), requests...)
	}
}

func TestSendSignsAsSvix(t *testing.T) {
	server, requests := recordingServer(t, http.StatusNoContent, "")
	first, second := goodyhookstest.NewSecret(), goodyhookstest.NewSecret()

	r := runCommand(t, nil, "", "send", "--url", server.URL, "gift_batch.created",
		"--secret", first, "--secret", second, "--message-id", "msg_replay",
		"--timestamp", "1764862800")

	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Regexp(t, `^order_batch\.created\s+204 No Content\s+\S+ms\s+msg_replay\n$`, r.stdout)
	got := requests()
	require.Len(t, got, 1)
	header := got[0].header
	assert.Equal(t, "application/json", header.Get("Content-Type"))
	assert.Equal(t, "msg_replay", header.Get("Svix-Id"))
	assert.Equal(t, "1764862800", header.Get("Svix-Timestamp"))
	assert.Len(t, strings.Fields(header.Get("Svix-Signature")), 2)
	assert.Equal(t, goodyhookstest.SamplePayload(goodyhooks.EventOrderBatchCreated),
		got[0].body)
	for i, secret := range []string{first, second} {
		verifier, err := goodyhooks.NewVerifier(secret,
			goodyhooks.WithClock(func() time.Time { return time.Unix(1764862800, 0) }))
		require.NoError(t, err)
		assert.NoError(t, verifier.Verify(got[0].body, header), "signature of secret %d", i+1)
	}
}

func TestSendWebhookHeaders(t *testing.T) {
	server, requests := recordingServer(t, http.StatusOK, "")

	r := runCommand(t, []string{secretEnv + "=" + goodyhookstest.Secret}, "",
		"send", "order.created", "--webhook-headers", "--url", server.URL)

	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	got := requests()
	require.Len(t, got, 1)
	assert.Empty(t, got[0].header.Get("Svix-Id"))
	assert.NotEmpty(t, got[0].header.Get("Webhook-Id"))
	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret)
	require.NoError(t, err)
	assert.NoError(t, verifier.Verify(got[0].body, got[0].header))
}

func TestSendData(t *testing.T) {
	body := []byte(`{"event_type":"order.shipped","id":"evt_1",` +
		`"data":{"id":"o1","status":"shipped"}}`)
	path := writeFile(t, "body.json", body)
	env := []string{secretEnv + "=" + goodyhookstest.Secret}

	tests := []struct {
		name      string
		args      []string
		stdin     string
		wantLabel string
	}{
		{"file", []string{"--data", path}, "", "order.shipped"},
		{"standard input", []string{"--data", "-"}, string(body), "order.shipped"},
		{"event named", []string{"order.canceled", "--data", path}, "", "order.canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, requests := recordingServer(t, http.StatusNoContent, "")

			r := runCommand(t, env, tt.stdin,
				append([]string{"send", "--url", server.URL}, tt.args...)...)
			require.Equal(t, 0, r.code, r.stdout+r.stderr)
			assert.True(t, strings.HasPrefix(r.stdout, tt.wantLabel+" "), "stdout: %s",
				r.stdout)
			got := requests()
			require.Len(t, got, 1)
			assert.Equal(t, body, got[0].body)
		})
	}
}

func TestSendFailures(t *testing.T) {
	failing, _ := recordingServer(t, http.StatusInternalServerError,
		"callback failed: database is down\n")
	redirecting, _ := recordingServer(t, http.StatusPermanentRedirect, "")
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedURL := "http://" + closed.Addr().String() + "/"
	require.NoError(t, closed.Close())

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{
			name: "server error",
			args: []string{"order.shipped", "--url", failing.URL},
			want: []string{
				"500 Internal Server Error",
				"response: callback failed: database is down",
			},
		},
		{
			name: "redirect",
			args: []string{"order.shipped", "--url", redirecting.URL},
			want: []string{
				"308 Permanent Redirect",
				"redirect to https://example.com/hooks, not followed",
			},
		},
		{
			name: "timeout",
			args: []string{"order.shipped", "--url", slow.URL, "--timeout", "200ms"},
			want: []string{"no response", "no response within 200ms"},
		},
		{
			name: "connection refused",
			args: []string{"order.shipped", "--url", closedURL},
			want: []string{"connection refused: nothing listens at " + closedURL},
		},
		{
			name: "one of several",
			args: []string{"order.shipped", "order.created", "--url", failing.URL},
			want: []string{"2 sent, 0 got 2xx, 2 failed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCommand(t, []string{secretEnv + "=" + goodyhookstest.Secret}, "",
				append([]string{"send"}, tt.args...)...)
			assert.Equal(t, 1, r.code, r.stdout+r.stderr)
			for _, want := range tt.want {
				assert.Contains(t, r.stdout, want)
			}
		})
	}
}

func TestSendTimestampOffset(t *testing.T) {
	server, requests := recordingServer(t, http.StatusNoContent, "")
	before := time.Now()

	r := runCommand(t, []string{secretEnv + "=" + goodyhookstest.Secret}, "",
		"send", "order.refunded", "--url", server.URL, "--timestamp", "-10m")

	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	got := requests()
	require.Len(t, got, 1)
	seconds, err := strconv.ParseInt(got[0].header.Get("Svix-Timestamp"), 10, 64)
	require.NoError(t, err)
	age := before.Sub(time.Unix(seconds, 0))
	assert.True(t, age > 9*time.Minute && age < 11*time.Minute, "signed %v before the run", age)
}
