package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

func TestServerDeliversEvents(t *testing.T) {
	for _, sample := range goodyhookstest.Samples() {
		t.Run(string(sample.Meta().Type), func(t *testing.T) {
			hooks, received := recordingHooks(t)
			server := newServer(hooks, discardLogger())
			messageID := goodyhookstest.NewMessageID()

			status, body := goodyhookstest.Deliver(server, sample,
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

func TestServerTypedCallback(t *testing.T) {
	hooks, err := goodyhooks.NewHandler(goodyhookstest.Secret)
	require.NoError(t, err)
	var got *goodyhooks.OrderDelivered
	hooks.OnOrderDelivered(func(ctx context.Context, e *goodyhooks.OrderDelivered) error {
		got = e
		return nil
	})

	sample := goodyhookstest.Sample(goodyhooks.EventOrderDelivered).(*goodyhooks.OrderDelivered)
	status, _ := goodyhookstest.Deliver(newServer(hooks, discardLogger()), sample,
		goodyhookstest.WithTarget(webhookPath))

	assert.Equal(t, http.StatusNoContent, status)
	require.NotNil(t, got, "OnOrderDelivered callback did not run")
	assert.Equal(t, sample.Data.ID, got.Data.ID)
	assert.Equal(t, len(sample.Data.Shipments), len(got.Data.Shipments))
}

func TestServerRejectsWrongSecret(t *testing.T) {
	hooks, received := recordingHooks(t)
	server := newServer(hooks, discardLogger())

	status, _ := goodyhookstest.Deliver(server, goodyhookstest.Sample(goodyhooks.EventOrderCreated),
		goodyhookstest.WithTarget(webhookPath), goodyhookstest.WithSecret(goodyhookstest.NewSecret()))

	assert.Equal(t, http.StatusBadRequest, status)
	assert.Empty(t, received(), "no callback may run for a rejected request")
}

func TestCSRFGuardsOtherRoutes(t *testing.T) {
	hooks, _ := recordingHooks(t)
	server := newServer(hooks, discardLogger())

	withoutToken := httptest.NewRequest(http.MethodPost, "/account/settings", nil)
	status, _ := goodyhookstest.Serve(server, withoutToken)
	assert.Equal(t, http.StatusBadRequest, status, "form post without a CSRF token")

	page := httptest.NewRecorder()
	server.ServeHTTP(page, httptest.NewRequest(http.MethodGet, "/account/settings", nil))
	require.Equal(t, http.StatusOK, page.Code)
	token := page.Body.String()
	require.NotEmpty(t, token)
	cookies := page.Result().Cookies()
	require.NotEmpty(t, cookies, "the CSRF middleware sets a cookie")

	withToken := httptest.NewRequest(http.MethodPost, "/account/settings", nil)
	withToken.Header.Set(echo.HeaderXCSRFToken, token)
	for _, cookie := range cookies {
		withToken.AddCookie(cookie)
	}
	status, _ = goodyhookstest.Serve(server, withToken)
	assert.Equal(t, http.StatusNoContent, status, "form post with the CSRF token")
}

func TestBodyDumpSkipsWebhook(t *testing.T) {
	hooks, received := recordingHooks(t)
	var logs bytes.Buffer
	server := newServer(hooks, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))

	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderCreated)
	require.Contains(t, string(body), "recipient_first_name", "the sample needs a field to look for")
	status, _ := goodyhookstest.Serve(server, goodyhookstest.NewRequest(body, goodyhookstest.WithTarget(webhookPath)))
	require.Equal(t, http.StatusNoContent, status, "webhook")
	require.Len(t, received(), 1)

	server.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/account/settings", nil))

	logged := logs.String()
	assert.Contains(t, logged, `msg="body dump" path=/account/settings`, "the dump must run on other routes")
	assert.NotContains(t, logged, "path="+webhookPath+" request=", "the dump must skip the webhook")
	assert.NotContains(t, logged, "recipient_first_name", "the log must not contain a Goody payload")
	assert.Contains(t, logged, `msg=request method=POST path=`+webhookPath+` status=204`)
}

// TestWebhookBehindCSRF shows why the CSRF middleware skips the webhook
// route: without the Skipper, every delivery gets 400 and no callback
// runs.
func TestWebhookBehindCSRF(t *testing.T) {
	hooks, received := recordingHooks(t)
	server := echo.New()
	server.Use(middleware.CSRF())
	server.POST(webhookPath, echo.WrapHandler(hooks))

	status, body := goodyhookstest.Deliver(server, goodyhookstest.Sample(goodyhooks.EventOrderCreated),
		goodyhookstest.WithTarget(webhookPath))

	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "missing csrf token")
	assert.Empty(t, received())
}

func TestWebhookAfterBind(t *testing.T) {
	hooks, received := recordingHooks(t)
	server := echo.New()
	server.POST(webhookPath, func(c echo.Context) error {
		var envelope map[string]any
		_ = c.Bind(&envelope)
		hooks.ServeHTTP(c.Response(), c.Request())
		return nil
	})

	status, _ := goodyhookstest.Deliver(server, goodyhookstest.Sample(goodyhooks.EventOrderCreated),
		goodyhookstest.WithTarget(webhookPath))

	assert.Equal(t, http.StatusBadRequest, status)
	assert.Empty(t, received())
}

func TestNewHooksLogsEvents(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	hooks, err := newHooks(goodyhookstest.Secret, logger)
	require.NoError(t, err)
	server := newServer(hooks, discardLogger())

	delivered := goodyhookstest.Sample(goodyhooks.EventOrderDelivered).(*goodyhooks.OrderDelivered)
	status, _ := goodyhookstest.Deliver(server, delivered, goodyhookstest.WithTarget(webhookPath))
	assert.Equal(t, http.StatusNoContent, status, "order.delivered")

	created := goodyhookstest.Sample(goodyhooks.EventOrderCreated)
	status, _ = goodyhookstest.Deliver(server, created, goodyhookstest.WithTarget(webhookPath))
	assert.Equal(t, http.StatusNoContent, status, "order.created")

	logged := logs.String()
	assert.Contains(t, logged, `msg="order delivered" order_id=`+delivered.Data.ID)
	assert.Contains(t, logged, `msg="event received" type=order.created event_id=`+created.Meta().ID)
}

func TestNewHooksInvalidSecret(t *testing.T) {
	_, err := newHooks("whsec_not base64", discardLogger())
	require.Error(t, err)
	assert.ErrorIs(t, err, goodyhooks.ErrInvalidSecret)
}
