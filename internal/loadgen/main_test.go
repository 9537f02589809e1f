package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

func TestPercentile(t *testing.T) {
	latencies := make([]time.Duration, 100)
	for i := range latencies {
		latencies[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name string
		p    float64
		want time.Duration
	}{
		{name: "p50", p: 0.50, want: 50 * time.Millisecond},
		{name: "p99", p: 0.99, want: 99 * time.Millisecond},
		{name: "p100", p: 1, want: 100 * time.Millisecond},
		{name: "p0", p: 0, want: time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, percentile(latencies, tt.p))
		})
	}
	assert.Zero(t, percentile(nil, 0.5), "no latencies")
}

func TestRunCountsRequests(t *testing.T) {
	handler, err := goodyhooks.NewHandler(goodyhookstest.Secret)
	require.NoError(t, err)
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	t.Setenv("GOODYHOOKS_SECRET", "")

	var out bytes.Buffer
	args := []string{"-url", server.URL, "-c", "4", "-n", "50", "-d", "30s", "-pid", strconv.Itoa(os.Getpid())}
	require.NoError(t, run(args, &out))
	text := out.String()
	assert.Contains(t, text, "requests     50\n")
	assert.Contains(t, text, "errors       0\n")
	assert.Contains(t, text, "statuses     204×50\n")
	assert.Contains(t, text, "server VmHWM")
}

func TestRunCountsErrors(t *testing.T) {
	handler, err := goodyhooks.NewHandler(goodyhookstest.NewSecret())
	require.NoError(t, err)
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	t.Setenv("GOODYHOOKS_SECRET", "")

	var out bytes.Buffer
	require.NoError(t, run([]string{"-url", server.URL, "-c", "2", "-n", "10"}, &out))
	assert.Contains(t, out.String(), "errors       10\n", "a wrong secret gives 400 for every request")
	assert.Contains(t, out.String(), "statuses     400×10\n")
}

func TestParseFlagsInvalid(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{name: "zero concurrency", args: []string{"-c", "0"}},
		{name: "zero duration", args: []string{"-d", "0s"}},
		{name: "negative count", args: []string{"-n", "-1"}},
		{name: "unknown flag", args: []string{"-x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseFlags(tt.args)
			assert.Error(t, err)
		})
	}
}

func TestRunPadsBodies(t *testing.T) {
	handler, err := goodyhooks.NewHandler(goodyhookstest.Secret, goodyhooks.WithMaxBodyBytes(64<<10))
	require.NoError(t, err)
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	t.Setenv("GOODYHOOKS_SECRET", "")

	tests := []struct {
		name      string
		bodyBytes string
		want      string
	}{
		{name: "within limit", bodyBytes: "60000", want: "statuses     204×10\n"},
		{name: "over limit", bodyBytes: "70000", want: "statuses     413×10\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			args := []string{"-url", server.URL, "-c", "2", "-n", "10", "-body-bytes", tt.bodyBytes}
			require.NoError(t, run(args, &out))
			assert.Contains(t, out.String(), tt.want)
		})
	}
}
