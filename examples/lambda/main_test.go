package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newFunction returns a function that verifies with goodyhookstest's
// secret and records every event it dispatches.
func newFunction(t *testing.T, logs io.Writer) (*function, *[]goodyhooks.Event) {
	t.Helper()
	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret)
	require.NoError(t, err)
	if logs == nil {
		logs = io.Discard
	}
	var got []goodyhooks.Event
	f := &function{
		verifier: verifier,
		dispatch: func(ctx context.Context, event goodyhooks.Event) error {
			got = append(got, event)
			return nil
		},
		logger: slog.New(slog.NewTextHandler(logs, nil)),
	}
	return f, &got
}

// newInvocation returns a function URL request carrying body, signed as
// the options set, with the header names in lower case as Lambda passes
// them.
func newInvocation(t *testing.T, body []byte, options ...goodyhookstest.Option) events.LambdaFunctionURLRequest {
	t.Helper()
	headers := map[string]string{
		"content-type": "application/json",
		"user-agent":   "Svix-Webhooks/1.0",
	}
	for name, values := range goodyhookstest.SignedHeader(body, options...) {
		headers[strings.ToLower(name)] = values[0]
	}
	request := events.LambdaFunctionURLRequest{
		Version: "2.0",
		RawPath: "/",
		Headers: headers,
		Body:    string(body),
	}
	request.RequestContext.HTTP.Method = http.MethodPost
	return request
}

func samplePayload(t *testing.T, typ goodyhooks.EventType) []byte {
	t.Helper()
	body, err := goodyhookstest.Marshal(goodyhookstest.Sample(typ))
	require.NoError(t, err)
	return body
}

func TestHandleDeliversEvents(t *testing.T) {
	for _, sample := range goodyhookstest.Samples() {
		t.Run(string(sample.Meta().Type), func(t *testing.T) {
			f, got := newFunction(t, nil)
			body, err := goodyhookstest.Marshal(sample)
			require.NoError(t, err)
			messageID := goodyhookstest.NewMessageID()

			response, err := f.handle(context.Background(),
				newInvocation(t, body, goodyhookstest.WithMessageID(messageID)))

			require.NoError(t, err)
			assert.Equal(t, http.StatusNoContent, response.StatusCode, "response body: %s", response.Body)
			require.Len(t, *got, 1)
			event := (*got)[0]
			assert.Equal(t, sample.Meta().Type, event.Meta().Type)
			assert.Equal(t, sample.Meta().ID, event.Meta().ID)
			assert.Equal(t, messageID, event.Meta().MessageID)
			assert.IsType(t, sample, event)
		})
	}
}

func TestHandleBase64Body(t *testing.T) {
	f, got := newFunction(t, nil)
	body := samplePayload(t, goodyhooks.EventOrderShipped)
	request := newInvocation(t, body)
	request.Body = base64.StdEncoding.EncodeToString(body)
	request.IsBase64Encoded = true

	response, err := f.handle(context.Background(), request)

	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, response.StatusCode, "response body: %s", response.Body)
	require.Len(t, *got, 1)
	assert.IsType(t, &goodyhooks.OrderShipped{}, (*got)[0])
}

func TestHandleHeaderCase(t *testing.T) {
	tests := []struct {
		name    string
		rename  func(string) string
		options []goodyhookstest.Option
	}{
		{name: "lower case", rename: strings.ToLower},
		{name: "upper case", rename: strings.ToUpper},
		{name: "canonical", rename: http.CanonicalHeaderKey},
		{name: "mixed case", rename: func(name string) string { return strings.Replace(strings.ToLower(name), "s", "S", 1) }},
		{name: "webhook headers", rename: strings.ToLower, options: []goodyhookstest.Option{goodyhookstest.WithWebhookHeaders()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, got := newFunction(t, nil)
			body := samplePayload(t, goodyhooks.EventOrderCreated)
			request := newInvocation(t, body, tt.options...)
			renamed := make(map[string]string, len(request.Headers))
			for name, value := range request.Headers {
				renamed[tt.rename(name)] = value
			}
			request.Headers = renamed

			response, err := f.handle(context.Background(), request)

			require.NoError(t, err)
			assert.Equal(t, http.StatusNoContent, response.StatusCode, "response body: %s", response.Body)
			assert.Len(t, *got, 1)
		})
	}
}

func TestHandleRejects(t *testing.T) {
	body := samplePayload(t, goodyhooks.EventOrderCreated)
	tooLarge := bytes.Repeat([]byte(" "), goodyhooks.DefaultMaxBodyBytes+1)

	tests := []struct {
		name     string
		request  func() events.LambdaFunctionURLRequest
		want     int
		wantText string
	}{
		{
			name: "wrong secret",
			request: func() events.LambdaFunctionURLRequest {
				return newInvocation(t, body, goodyhookstest.WithSecret(goodyhookstest.NewSecret()))
			},
			want:     http.StatusBadRequest,
			wantText: "webhook verification failed",
		},
		{
			name: "missing signature",
			request: func() events.LambdaFunctionURLRequest {
				request := newInvocation(t, body)
				delete(request.Headers, "svix-signature")
				return request
			},
			want:     http.StatusBadRequest,
			wantText: "webhook verification failed",
		},
		{
			name: "old timestamp",
			request: func() events.LambdaFunctionURLRequest {
				return newInvocation(t, body, goodyhookstest.WithTimestamp(time.Now().Add(-time.Hour)))
			},
			want:     http.StatusBadRequest,
			wantText: "webhook verification failed",
		},
		{
			name: "base64 body not decoded",
			request: func() events.LambdaFunctionURLRequest {
				request := newInvocation(t, body)
				request.Body = base64.StdEncoding.EncodeToString(body)
				return request
			},
			want:     http.StatusBadRequest,
			wantText: "webhook verification failed",
		},
		{
			name: "invalid base64",
			request: func() events.LambdaFunctionURLRequest {
				request := newInvocation(t, body)
				request.IsBase64Encoded = true
				return request
			},
			want:     http.StatusBadRequest,
			wantText: "cannot read request body",
		},
		{
			name: "not an envelope",
			request: func() events.LambdaFunctionURLRequest {
				return newInvocation(t, []byte(`{"hello":"world"}`))
			},
			want:     http.StatusBadRequest,
			wantText: "invalid webhook payload",
		},
		{
			name: "body too large",
			request: func() events.LambdaFunctionURLRequest {
				return newInvocation(t, tooLarge)
			},
			want:     http.StatusRequestEntityTooLarge,
			wantText: "request body too large",
		},
		{
			name: "base64 body too large",
			request: func() events.LambdaFunctionURLRequest {
				request := newInvocation(t, tooLarge)
				request.Body = base64.StdEncoding.EncodeToString(tooLarge)
				request.IsBase64Encoded = true
				return request
			},
			want:     http.StatusRequestEntityTooLarge,
			wantText: "request body too large",
		},
		{
			name: "GET",
			request: func() events.LambdaFunctionURLRequest {
				request := newInvocation(t, body)
				request.RequestContext.HTTP.Method = http.MethodGet
				return request
			},
			want:     http.StatusMethodNotAllowed,
			wantText: "method not allowed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			f, got := newFunction(t, &logs)
			request := tt.request()

			response, err := f.handle(context.Background(), request)

			require.NoError(t, err)
			assert.Equal(t, tt.want, response.StatusCode)
			assert.Contains(t, response.Body, tt.wantText)
			assert.Empty(t, *got, "no event may be dispatched")
			assert.Contains(t, logs.String(), "request rejected")
			if signature := request.Headers["svix-signature"]; signature != "" {
				assert.NotContains(t, logs.String(), strings.TrimPrefix(signature, "v1,"),
					"logs must not contain the signature")
			}
		})
	}
}

func TestHandleAllowHeader(t *testing.T) {
	f, _ := newFunction(t, nil)
	request := newInvocation(t, samplePayload(t, goodyhooks.EventOrderCreated))
	request.RequestContext.HTTP.Method = http.MethodPut

	response, err := f.handle(context.Background(), request)

	require.NoError(t, err)
	assert.Equal(t, http.StatusMethodNotAllowed, response.StatusCode)
	assert.Equal(t, http.MethodPost, response.Headers["Allow"])
}

func TestHandleDispatchError(t *testing.T) {
	f, _ := newFunction(t, nil)
	f.dispatch = func(ctx context.Context, event goodyhooks.Event) error {
		return errors.New("order database unavailable")
	}

	response, err := f.handle(context.Background(), newInvocation(t, samplePayload(t, goodyhooks.EventOrderRefunded)))

	require.NoError(t, err)
	assert.Equal(t, http.StatusInternalServerError, response.StatusCode)
	assert.NotContains(t, response.Body, "order database", "the response must not give internal errors away")
}

func TestHandleWithStore(t *testing.T) {
	store, err := goodyhooks.NewMemoryStore(time.Hour, 100)
	require.NoError(t, err)
	f, got := newFunction(t, nil)
	f.store = store
	fail := true
	recordingDispatch := f.dispatch
	f.dispatch = func(ctx context.Context, event goodyhooks.Event) error {
		if fail {
			return errors.New("order database unavailable")
		}
		return recordingDispatch(ctx, event)
	}
	body := samplePayload(t, goodyhooks.EventOrderCanceled)
	messageID := goodyhookstest.NewMessageID()
	deliver := func() int {
		t.Helper()
		response, err := f.handle(context.Background(), newInvocation(t, body, goodyhookstest.WithMessageID(messageID)))
		require.NoError(t, err)
		return response.StatusCode
	}

	assert.Equal(t, http.StatusInternalServerError, deliver(), "failing dispatch")
	fail = false
	assert.Equal(t, http.StatusNoContent, deliver(), "retry after the failure")
	assert.Len(t, *got, 1, "dispatches after the retry")
	assert.Equal(t, http.StatusNoContent, deliver(), "retry after success")
	assert.Len(t, *got, 1, "dispatches after a retry of a handled message")

	status, _, err := store.Claim(context.Background(), "msg_held")
	require.NoError(t, err)
	require.Equal(t, goodyhooks.ClaimAcquired, status)
	response, err := f.handle(context.Background(), newInvocation(t, body, goodyhookstest.WithMessageID("msg_held")))
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, response.StatusCode, "message claimed by another instance")
}

func TestHandleStoreFailure(t *testing.T) {
	f, got := newFunction(t, nil)
	f.store = failingStore{}

	response, err := f.handle(context.Background(), newInvocation(t, samplePayload(t, goodyhooks.EventOrderCreated)))

	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, response.StatusCode)
	assert.Empty(t, *got)
}

// failingStore is an idempotency store whose backend is unreachable.
type failingStore struct{}

var errStoreDown = errors.New("connection refused")

func (failingStore) Claim(context.Context, string) (goodyhooks.ClaimStatus, string, error) {
	return 0, "", errStoreDown
}
func (failingStore) Complete(context.Context, string, string) error { return errStoreDown }
func (failingStore) Release(context.Context, string, string) error  { return errStoreDown }

func TestHandleEventLogs(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	shipped := goodyhookstest.Sample(goodyhooks.EventOrderShipped).(*goodyhooks.OrderShipped)
	require.NotEmpty(t, shipped.Data.Shipments, "the sample needs a shipment")
	unknown := &goodyhooks.UnknownEvent{EventMeta: goodyhooks.EventMeta{ID: "evt_1", Type: "order.teleported"}}
	created := goodyhookstest.Sample(goodyhooks.EventOrderCreated)

	for _, event := range []goodyhooks.Event{shipped, unknown, created} {
		require.NoError(t, handleEvent(context.Background(), logger, event), "event %s", event.Meta().Type)
	}

	logged := logs.String()
	assert.Contains(t, logged, `msg="order shipped" order_id=`+shipped.Data.ID)
	assert.Contains(t, logged, `level=WARN msg="unknown event type" type=order.teleported event_id=evt_1`)
	assert.Contains(t, logged, `msg="event received" type=order.created event_id=`+created.Meta().ID)
}

func TestHandleDispatchPanicReleasesClaim(t *testing.T) {
	store, err := goodyhooks.NewMemoryStore(time.Hour, 100)
	require.NoError(t, err)
	f, _ := newFunction(t, nil)
	f.store = store
	panics := true
	f.dispatch = func(context.Context, goodyhooks.Event) error {
		if panics {
			panic("callback bug")
		}
		return nil
	}
	body := samplePayload(t, goodyhooks.EventOrderShipped)
	messageID := goodyhookstest.NewMessageID()

	response, err := f.handle(context.Background(), newInvocation(t, body, goodyhookstest.WithMessageID(messageID)))
	require.NoError(t, err)
	assert.Equal(t, http.StatusInternalServerError, response.StatusCode)

	panics = false
	response, err = f.handle(context.Background(), newInvocation(t, body, goodyhookstest.WithMessageID(messageID)))
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, response.StatusCode, "the retry after a panic runs again")
}
