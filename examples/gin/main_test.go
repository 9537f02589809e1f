package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"
	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

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
			router := newRouter(hooks, discardLogger())
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
	var got *goodyhooks.OrderGiftAccepted
	hooks.OnOrderGiftAccepted(func(ctx context.Context, e *goodyhooks.OrderGiftAccepted) error {
		got = e
		return nil
	})

	sample := goodyhookstest.Sample(goodyhooks.EventOrderGiftAccepted).(*goodyhooks.OrderGiftAccepted)
	status, _ := goodyhookstest.Deliver(newRouter(hooks, discardLogger()), sample,
		goodyhookstest.WithTarget(webhookPath))

	assert.Equal(t, http.StatusNoContent, status)
	require.NotNil(t, got, "OnOrderGiftAccepted callback did not run")
	assert.Equal(t, sample.Data.ID, got.Data.ID)
	assert.Equal(t, sample.Data.Amounts, got.Data.Amounts)
}

func TestRouterRejectsWrongSecret(t *testing.T) {
	hooks, received := recordingHooks(t)
	router := newRouter(hooks, discardLogger())

	status, _ := goodyhookstest.Deliver(router, goodyhookstest.Sample(goodyhooks.EventOrderCreated),
		goodyhookstest.WithTarget(webhookPath), goodyhookstest.WithSecret(goodyhookstest.NewSecret()))

	assert.Equal(t, http.StatusBadRequest, status)
	assert.Empty(t, received(), "no callback may run for a rejected request")
}

func TestAccessLogOmitsBody(t *testing.T) {
	hooks, _ := recordingHooks(t)
	var logs bytes.Buffer
	router := newRouter(hooks, slog.New(slog.NewTextHandler(&logs, nil)))

	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderCreated)
	require.Contains(t, string(body), "recipient_first_name", "the sample needs a field to look for")
	status, _ := goodyhookstest.Serve(router, goodyhookstest.NewRequest(body, goodyhookstest.WithTarget(webhookPath)))

	assert.Equal(t, http.StatusNoContent, status)
	assert.Contains(t, logs.String(), "path="+webhookPath+" status=204")
	assert.NotContains(t, logs.String(), "recipient_first_name", "the log must not contain the body")
}

func TestAPIBindsJSON(t *testing.T) {
	hooks, _ := recordingHooks(t)
	router := newRouter(hooks, discardLogger())

	tests := []struct {
		name string
		body string
		want int
	}{
		{name: "valid note", body: `{"text":"thank Ada"}`, want: http.StatusCreated},
		{name: "missing text", body: `{}`, want: http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			request := httptest.NewRequest(http.MethodPost, "/api/notes", strings.NewReader(tt.body))
			request.Header.Set("Content-Type", "application/json")
			status, _ := goodyhookstest.Serve(router, request)
			assert.Equal(t, tt.want, status)
		})
	}
}

// TestWebhookAfterBinding shows why the webhook route binds nothing:
// once gin has read the body, goodyhooks gets an empty one, the
// signature does not match, and no callback runs.
func TestWebhookAfterBinding(t *testing.T) {
	tests := []struct {
		name    string
		consume gin.HandlerFunc
	}{
		{
			name: "ShouldBindJSON",
			consume: func(c *gin.Context) {
				var envelope map[string]any
				_ = c.ShouldBindJSON(&envelope)
			},
		},
		{
			name: "ShouldBindBodyWith",
			consume: func(c *gin.Context) {
				var envelope map[string]any
				_ = c.ShouldBindBodyWith(&envelope, binding.JSON)
			},
		},
		{
			name: "GetRawData",
			consume: func(c *gin.Context) {
				_, _ = c.GetRawData()
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hooks, received := recordingHooks(t)
			router := gin.New()
			router.POST(webhookPath, tt.consume, gin.WrapH(hooks))

			status, _ := goodyhookstest.Deliver(router, goodyhookstest.Sample(goodyhooks.EventOrderCreated),
				goodyhookstest.WithTarget(webhookPath))

			assert.Equal(t, http.StatusBadRequest, status)
			assert.Empty(t, received())
		})
	}
}

func TestNewHooksLogsEvents(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	hooks, err := newHooks(goodyhookstest.Secret, logger)
	require.NoError(t, err)
	router := newRouter(hooks, discardLogger())

	accepted := goodyhookstest.Sample(goodyhooks.EventOrderGiftAccepted).(*goodyhooks.OrderGiftAccepted)
	status, _ := goodyhookstest.Deliver(router, accepted, goodyhookstest.WithTarget(webhookPath))
	assert.Equal(t, http.StatusNoContent, status, "order.gift_accepted")

	created := goodyhookstest.Sample(goodyhooks.EventOrderCreated)
	status, _ = goodyhookstest.Deliver(router, created, goodyhookstest.WithTarget(webhookPath))
	assert.Equal(t, http.StatusNoContent, status, "order.created")

	logged := logs.String()
	assert.Contains(t, logged, `msg="gift accepted" order_id=`+accepted.Data.ID)
	assert.Contains(t, logged, `msg="event received" type=order.created event_id=`+created.Meta().ID)
}

func TestNewHooksInvalidSecret(t *testing.T) {
	_, err := newHooks("whsec_not base64", discardLogger())
	require.Error(t, err)
	assert.ErrorIs(t, err, goodyhooks.ErrInvalidSecret)
}
