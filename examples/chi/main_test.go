package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingHooks returns a Handler whose default callback records every
// event it gets.
func recordingHooks(t *testing.T) (*goodyhooks.Handler, func() []goodyhooks.Event) {
	t.Helper()
	hooks, err := goodyhooks.NewHandler(goodyhookstest.Secret)
	require.NoError(t, err)

	var mu sync.Mutex
	var got []goodyhooks.Event
	hooks.OnDefault(func(ctx context.Context, e goodyhooks.Event) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e)
		return nil
	})
	return hooks, func() []goodyhooks.Event {
		mu.Lock()
		defer mu.Unlock()
		return append([]goodyhooks.Event(nil), got...)
	}
}

func TestRouterDeliversEvents(t *testing.T) {
	for _, sample := range goodyhookstest.Samples() {
		t.Run(string(sample.Meta().Type), func(t *testing.T) {
			hooks, received := recordingHooks(t)
			router := newRouter(hooks)
			messageID := goodyhookstest.NewMessageID()

			status, body := goodyhookstest.Deliver(router, sample,
				goodyhookstest.WithTarget(webhookPath), goodyhookstest.WithMessageID(messageID))

			assert.Equal(t, http.StatusNoContent, status, "response body: %s", body)
			events := received()
			require.Len(t, events, 1)
			assert.Equal(t, sample.Meta().Type, events[0].Meta().Type)
			assert.Equal(t, sample.Meta().ID, events[0].Meta().ID)
			assert.Equal(t, messageID, events[0].Meta().MessageID)
		})
	}
}

func TestRouterTypedCallback(t *testing.T) {
	hooks, err := goodyhooks.NewHandler(goodyhookstest.Secret)
	require.NoError(t, err)
	var got *goodyhooks.OrderShipped
	hooks.OnOrderShipped(func(ctx context.Context, e *goodyhooks.OrderShipped) error {
		got = e
		assert.NotEmpty(t, middleware.GetReqID(ctx), "the router's middleware must run first")
		return nil
	})

	sample := goodyhookstest.Sample(goodyhooks.EventOrderShipped).(*goodyhooks.OrderShipped)
	status, _ := goodyhookstest.Deliver(newRouter(hooks), sample, goodyhookstest.WithTarget(webhookPath))

	assert.Equal(t, http.StatusNoContent, status)
	require.NotNil(t, got, "OnOrderShipped callback did not run")
	assert.Equal(t, sample.Data.ID, got.Data.ID)
	assert.Equal(t, len(sample.Data.Shipments), len(got.Data.Shipments))
}

func TestRouterRejects(t *testing.T) {
	hooks, received := recordingHooks(t)
	router := newRouter(hooks)
	sample := goodyhookstest.Sample(goodyhooks.EventOrderCreated)

	tests := []struct {
		name    string
		request *http.Request
		want    int
	}{
		{
			name: "wrong secret",
			request: goodyhookstest.NewEventRequest(sample, goodyhookstest.WithTarget(webhookPath),
				goodyhookstest.WithSecret(goodyhookstest.NewSecret())),
			want: http.StatusBadRequest,
		},
		{
			name:    "GET",
			request: httptest.NewRequest(http.MethodGet, webhookPath, nil),
			want:    http.StatusMethodNotAllowed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _ := goodyhookstest.Serve(router, tt.request)
			assert.Equal(t, tt.want, status)
		})
	}
	assert.Empty(t, received(), "no callback may run for a rejected request")
}

func TestFormGroupMiddleware(t *testing.T) {
	hooks, _ := recordingHooks(t)
	router := newRouter(hooks)

	form := httptest.NewRequest(http.MethodPost, "/account/settings", strings.NewReader("name=Ada"))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, _ := goodyhookstest.Serve(router, form)
	assert.Equal(t, http.StatusNoContent, status, "form post")

	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderCreated)
	jsonPost := goodyhookstest.NewRequest(body, goodyhookstest.WithTarget("/account/settings"))
	status, _ = goodyhookstest.Serve(router, jsonPost)
	assert.Equal(t, http.StatusUnsupportedMediaType, status, "JSON post to the form group")
}

// TestWebhookBehindBodyMiddleware shows why the webhook route sits
// outside the form group: behind middleware that rejects or consumes
// the body, every delivery fails and no callback runs.
func TestWebhookBehindBodyMiddleware(t *testing.T) {
	tests := []struct {
		name       string
		middleware func(http.Handler) http.Handler
		want       int
	}{
		{
			name:       "form content types only",
			middleware: middleware.AllowContentType("application/x-www-form-urlencoded"),
			want:       http.StatusUnsupportedMediaType,
		},
		{
			name:       "small body limit",
			middleware: middleware.RequestSize(256),
			want:       http.StatusRequestEntityTooLarge,
		},
		{
			name:       "body read and not restored",
			middleware: readBodyForLog,
			want:       http.StatusBadRequest,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hooks, received := recordingHooks(t)
			router := chi.NewRouter()
			router.Use(tt.middleware)
			router.Method(http.MethodPost, webhookPath, hooks)

			status, _ := goodyhookstest.Deliver(router, goodyhookstest.Sample(goodyhooks.EventOrderCreated),
				goodyhookstest.WithTarget(webhookPath))

			assert.Equal(t, tt.want, status)
			assert.Empty(t, received())
		})
	}
}

// readBodyForLog reads the whole body, as a request logger might, and
// passes the drained body on.
func readBodyForLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		next.ServeHTTP(w, r)
	})
}

func TestNewHooksLogsEvents(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	hooks, err := newHooks(goodyhookstest.Secret, logger)
	require.NoError(t, err)
	router := newRouter(hooks)

	shipped := goodyhookstest.Sample(goodyhooks.EventOrderShipped).(*goodyhooks.OrderShipped)
	require.NotEmpty(t, shipped.Data.Shipments, "the sample needs a shipment")
	status, _ := goodyhookstest.Deliver(router, shipped, goodyhookstest.WithTarget(webhookPath))
	assert.Equal(t, http.StatusNoContent, status, "order.shipped")

	created := goodyhookstest.Sample(goodyhooks.EventOrderCreated)
	status, _ = goodyhookstest.Deliver(router, created, goodyhookstest.WithTarget(webhookPath))
	assert.Equal(t, http.StatusNoContent, status, "order.created")

	logged := logs.String()
	assert.Contains(t, logged, `msg="order shipped" order_id=`+shipped.Data.ID)
	assert.Contains(t, logged, `msg="event received" type=order.created event_id=`+created.Meta().ID)
}

func TestNewHooksInvalidSecret(t *testing.T) {
	_, err := newHooks("whsec_not base64", slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
	require.Error(t, err)
	assert.ErrorIs(t, err, goodyhooks.ErrInvalidSecret)
}
