package goodyhooks_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

// recorder collects the events that the callbacks of a Handler receive.
type recorder struct {
	mu       sync.Mutex
	events   []goodyhooks.Event
	contexts []context.Context
}

func (r *recorder) add(ctx context.Context, e goodyhooks.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	r.contexts = append(r.contexts, ctx)
	return nil
}

func (r *recorder) received() []goodyhooks.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]goodyhooks.Event(nil), r.events...)
}

// recordAll registers a callback for each of the ten events that
// records what it receives.
func recordAll(h *goodyhooks.Handler, r *recorder) {
	h.OnOrderBatchCreated(
		func(ctx context.Context, e *goodyhooks.OrderBatchCreated) error { return r.add(ctx, e) },
	)
	h.OnOrderBatchCompleted(
		func(ctx context.Context, e *goodyhooks.OrderBatchCompleted) error { return r.add(ctx, e) },
	)
	h.OnOrderCreated(
		func(ctx context.Context, e *goodyhooks.OrderCreated) error { return r.add(ctx, e) },
	)
	h.OnOrderGiftOpened(
		func(ctx context.Context, e *goodyhooks.OrderGiftOpened) error { return r.add(ctx, e) },
	)
	h.OnOrderGiftAccepted(
		func(ctx context.Context, e *goodyhooks.OrderGiftAccepted) error { return r.add(ctx, e) },
	)
	h.OnOrderThankYouNoteAdded(
		func(ctx context.Context, e *goodyhooks.OrderThankYouNoteAdded) error { return r.add(ctx, e) },
	)
	h.OnOrderShipped(
		func(ctx context.Context, e *goodyhooks.OrderShipped) error { return r.add(ctx, e) },
	)
	h.OnOrderDelivered(
		func(ctx context.Context, e *goodyhooks.OrderDelivered) error { return r.add(ctx, e) },
	)
	h.OnOrderCanceled(
		func(ctx context.Context, e *goodyhooks.OrderCanceled) error { return r.add(ctx, e) },
	)
	h.OnOrderRefunded(
		func(ctx context.Context, e *goodyhooks.OrderRefunded) error { return r.add(ctx, e) },
	)
}

func newHandler(t *testing.T, options ...goodyhooks.Option) *goodyhooks.Handler {
	t.Helper()
	h, err := goodyhooks.NewHandler(goodyhookstest.Secret, options...)
	require.NoError(t, err)
	return h
}

func TestHandlerDispatchesEachEvent(t *testing.T) {
	h := newHandler(t)
	var got recorder
	recordAll(h, &got)
	h.OnDefault(func(ctx context.Context, e goodyhooks.Event) error {
		t.Errorf("OnDefault called for %s, which has a callback of its own", e.Meta().Type)
		return nil
	})
	signedAt := time.Now().Truncate(time.Second)

	for i, typ := range goodyhooks.EventTypes() {
		t.Run(string(typ), func(t *testing.T) {
			body := goodyhookstest.SamplePayload(typ)
			messageID := fmt.Sprintf("msg_dispatch_%d", i)
			status, _ := goodyhookstest.Serve(h, goodyhookstest.NewRequest(body,
				goodyhookstest.WithMessageID(messageID), goodyhookstest.WithTimestamp(signedAt)))
			require.Equal(t, http.StatusNoContent, status)

			events := got.received()
			require.Len(t, events, i+1, "exactly one callback per delivery")
			event := events[i]
			meta := event.Meta()
			assert.Equal(t, typ, meta.Type)
			assert.Equal(t, messageID, meta.MessageID)
			assert.True(
				t,
				signedAt.Equal(meta.Timestamp),
				"timestamp %v, want %v",
				meta.Timestamp,
				signedAt,
			)
			assert.Equal(t, "ad097c47-bf12-45c9-8feb-0536a0012c09", meta.ID)
			assert.Equal(t, body, meta.Raw)
			assertSampleValues(t, event)
		})
	}
}

// assertSampleValues checks the values that matter for each event type
// in Goody's documentation payloads.
func assertSampleValues(t *testing.T, event goodyhooks.Event) {
	t.Helper()
	switch e := event.(type) {
	case *goodyhooks.OrderBatchCreated:
		assert.Equal(t, "bd1fd5b5-6339-4331-a404-66200143ff0f", e.Data.ID)
		assert.Equal(t, int64(2), e.Data.OrdersCount)
		require.Len(t, e.Data.OrdersPreview, 2)
		assert.Equal(t, "https://gifts.ongoody.com/gift/Anc0HT0ZhyKAJguP75jt2Rar", e.Data.OrdersPreview[0].IndividualGiftLink)
		assert.Equal(t, e.Data.ID, e.Data.OrdersPreview[1].OrderBatchID)
		assert.Equal(t, int64(2), e.Data.RecipientsCount)
		assert.Equal(t, int64(2100), e.Data.OrdersPreview[0].Amounts.AmountPreTaxTotal)
	case *goodyhooks.OrderBatchCompleted:
		assert.Equal(t, goodyhooks.OrderBatchSendStatusComplete, e.Data.SendStatus)
		assert.Equal(t, int64(2), e.Data.OrdersCount)
		assert.Len(t, e.Data.OrdersPreview, 2)
		assert.Equal(t, "61Q2FSAHYYISJRZDHQXGYTBU", e.Data.ReferenceID)
	case *goodyhooks.OrderCreated:
		assert.Equal(t, goodyhooks.OrderStatusCreated, e.Data.Status)
		assert.Equal(t, "https://gifts.ongoody.com/gift/vWtUe8lQRJuoyYzKlYeHMkbV", e.Data.IndividualGiftLink)
		assert.Nil(t, e.Data.Amounts.AmountTotal, "the total is unknown until acceptance")
	case *goodyhooks.OrderGiftOpened:
		assert.Equal(t, goodyhooks.OrderStatusOpened, e.Data.Status)
	case *goodyhooks.OrderGiftAccepted:
		assert.Equal(t, goodyhooks.OrderStatusAccepted, e.Data.Status)
		assert.Equal(t, ptr(int64(2250)), e.Data.Amounts.AmountTotal)
		assert.Equal(t, ptr(int64(150)), e.Data.Amounts.AmountTax)
		assert.False(t, e.Data.IsSwapped)
		assert.Equal(t, ptr("https://checkout.ongoody.com/checkout?key=1on1dhtA3LekJgvxNZu83XqN"), e.Data.PaymentLink)
	case *goodyhooks.OrderThankYouNoteAdded:
		assert.Equal(t, ptr("Thanks for the gift!"), e.Data.ThankYouNote)
	case *goodyhooks.OrderShipped:
		require.Len(t, e.Data.Shipments, 1)
		assert.Equal(t, goodyhooks.ShipmentStatusShipped, e.Data.Shipments[0].Status)
		assert.Equal(t, ptr("UPS"), e.Data.Shipments[0].TrackingCarrier)
		assert.Equal(t, ptr(time.Date(2023, 1, 23, 0, 0, 0, 0, time.UTC)), e.Data.Shipments[0].ShippedAt)
	case *goodyhooks.OrderDelivered:
		assert.Equal(t, goodyhooks.OrderStatusShipped, e.Data.Status, "the example keeps the order status shipped")
		require.Len(t, e.Data.Shipments, 1)
		assert.Equal(t, goodyhooks.ShipmentStatusDelivered, e.Data.Shipments[0].Status)
		assert.Equal(t, ptr(time.Date(2023, 1, 26, 0, 0, 0, 0, time.UTC)), e.Data.Shipments[0].DeliveredAt)
	case *goodyhooks.OrderCanceled:
		assert.Equal(t, goodyhooks.OrderStatusFailed, e.Data.Status, "a canceled order carries status failed")
		assert.Equal(t, "8999f804-d731-440d-a67d-35444c12c493", e.Data.ID)
	case *goodyhooks.OrderRefunded:
		assert.Equal(t, goodyhooks.OrderStatusShipped, e.Data.Status)
		assert.Equal(t, ptr(int64(2250)), e.Data.Amounts.AmountTotal)
	default:
		t.Errorf("unexpected event type %T", event)
	}
}

var errCallback = errors.New("database unavailable")

func TestHandlerStatus(t *testing.T) {
	now := time.Now()
	shipped := goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped)
	unknown := []byte(`{"event_type":"order.regifted","id":"e1","data":{"id":"o1"}}`)
	signed := func(body []byte, options ...goodyhookstest.Option) *http.Request {
		return goodyhookstest.NewRequest(body, options...)
	}
	withHeader := func(r *http.Request, name, value string) *http.Request {
		r.Header.Set(name, value)
		return r
	}
	withoutHeader := func(r *http.Request, name string) *http.Request {
		r.Header.Del(name)
		return r
	}
	chunked := func(r *http.Request) *http.Request {
		r.ContentLength = -1
		r.Body = io.NopCloser(io.MultiReader(r.Body))
		return r
	}
	large := bytes.Repeat([]byte("x"), 2000)
	oldSecret := goodyhookstest.NewSecret()

	tests := []struct {
		name        string
		request     *http.Request
		options     []goodyhooks.Option
		callbackErr error
		panics      bool
		withDefault bool
		wantStatus  int
		wantBody    string
		wantCalls   int
	}{
		{name: "success", request: signed(shipped), wantStatus: http.StatusNoContent, wantCalls: 1},
		{
			name:       "webhook headers",
			request:    signed(shipped, goodyhookstest.WithWebhookHeaders()),
			wantStatus: http.StatusNoContent,
			wantCalls:  1,
		},
		{
			name:       "GET",
			request:    httptest.NewRequest(http.MethodGet, "/", nil),
			wantStatus: http.StatusMethodNotAllowed,
			wantBody:   "method not allowed",
		},
		{
			name:       "PUT signed",
			request:    func() *http.Request { r := signed(shipped); r.Method = http.MethodPut; return r }(),
			wantStatus: http.StatusMethodNotAllowed,
		},
		{
			name:       "over limit with length",
			request:    signed(large),
			options:    []goodyhooks.Option{goodyhooks.WithMaxBodyBytes(1000)},
			wantStatus: http.StatusRequestEntityTooLarge,
			wantBody:   "request body too large",
		},
		{
			name:       "over limit chunked",
			request:    chunked(signed(large)),
			options:    []goodyhooks.Option{goodyhooks.WithMaxBodyBytes(1000)},
			wantStatus: http.StatusRequestEntityTooLarge,
		},
		{
			name:       "at limit",
			request:    signed(shipped),
			options:    []goodyhooks.Option{goodyhooks.WithMaxBodyBytes(int64(len(shipped)))},
			wantStatus: http.StatusNoContent,
			wantCalls:  1,
		},
		{
			name:       "missing signature",
			request:    withoutHeader(signed(shipped), "svix-signature"),
			wantStatus: http.StatusBadRequest,
			wantBody:   "webhook verification failed",
		},
		{
			name:       "missing id",
			request:    withoutHeader(signed(shipped), "svix-id"),
			wantStatus: http.StatusBadRequest,
			wantBody:   "webhook verification failed",
		},
		{
			name:       "invalid timestamp",
			request:    withHeader(signed(shipped), "svix-timestamp", "soon"),
			wantStatus: http.StatusBadRequest,
			wantBody:   "webhook verification failed",
		},
		{
			name:       "bad signature",
			request:    withHeader(signed(shipped), "svix-signature", "v1,AAAA"),
			wantStatus: http.StatusBadRequest,
			wantBody:   "webhook verification failed",
		},
		{
			name:       "wrong secret",
			request:    signed(shipped, goodyhookstest.WithSecret(oldSecret)),
			wantStatus: http.StatusBadRequest,
			wantBody:   "webhook verification failed",
		},
		{name: "rotated secret", request: signed(shipped, goodyhookstest.WithSecret(oldSecret)),
			options: []goodyhooks.Option{
				goodyhooks.WithAdditionalSecrets(oldSecret),
			}, wantStatus: http.StatusNoContent, wantCalls: 1},
		{name: "tampered body", request: func() *http.Request {
			r := signed(shipped)
			tampered := bytes.Replace(shipped, []byte(`"UPS"`), []byte(`"DHL"`), 1)
			r.Body = io.NopCloser(bytes.NewReader(tampered))
			return r
		}(), wantStatus: http.StatusBadRequest, wantBody: "webhook verification failed"},
		{
			name:       "too old",
			request:    signed(shipped, goodyhookstest.WithTimestamp(now.Add(-6*time.Minute))),
			wantStatus: http.StatusBadRequest,
			wantBody:   "webhook verification failed",
		},
		{
			name:       "too new",
			request:    signed(shipped, goodyhookstest.WithTimestamp(now.Add(6*time.Minute))),
			wantStatus: http.StatusBadRequest,
			wantBody:   "webhook verification failed",
		},
		{
			name:    "old with replaced clock",
			request: signed(shipped, goodyhookstest.WithTimestamp(now.Add(-time.Hour))),
			options: []goodyhooks.Option{
				fixedClock(now.Add(-time.Hour + time.Minute)),
			},
			wantStatus: http.StatusNoContent,
			wantCalls:  1,
		},
		{
			name:       "malformed JSON",
			request:    signed([]byte(`{"event_type":`)),
			wantStatus: http.StatusBadRequest,
			wantBody:   "invalid webhook payload",
		},
		{
			name:       "empty body",
			request:    signed([]byte{}),
			wantStatus: http.StatusBadRequest,
			wantBody:   "invalid webhook payload",
		},
		{
			name:       "data null",
			request:    signed([]byte(`{"event_type":"order.shipped","id":"1","data":null}`)),
			wantStatus: http.StatusBadRequest,
			wantBody:   "invalid webhook payload",
		},
		{
			name:       "no callback",
			request:    signed(goodyhookstest.SamplePayload(goodyhooks.EventOrderCreated)),
			wantStatus: http.StatusNoContent,
		},
		{name: "unknown type", request: signed(unknown), wantStatus: http.StatusNoContent},
		{
			name:        "unknown type with default",
			request:     signed(unknown),
			withDefault: true,
			wantStatus:  http.StatusNoContent,
			wantCalls:   1,
		},
		{
			name:        "no callback with default",
			request:     signed(goodyhookstest.SamplePayload(goodyhooks.EventOrderCreated)),
			withDefault: true,
			wantStatus:  http.StatusNoContent,
			wantCalls:   1,
		},
		{
			name:        "callback error",
			request:     signed(shipped),
			callbackErr: errCallback,
			wantStatus:  http.StatusInternalServerError,
			wantBody:    "webhook callback failed",
			wantCalls:   1,
		},
		{
			name:       "callback panic",
			request:    signed(shipped),
			panics:     true,
			wantStatus: http.StatusInternalServerError,
			wantCalls:  1,
		},
		{
			name:        "default error",
			request:     signed(unknown),
			withDefault: true,
			callbackErr: errCallback,
			wantStatus:  http.StatusInternalServerError,
			wantCalls:   1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(t, tt.options...)
			calls := 0
			callback := func(context.Context, goodyhooks.Event) error {
				calls++
				if tt.panics {
					panic("callback bug")
				}
				return tt.callbackErr
			}
			h.OnOrderShipped(
				func(ctx context.Context, e *goodyhooks.OrderShipped) error { return callback(ctx, e) },
			)
			if tt.withDefault {
				h.OnDefault(callback)
			}

			status, body := goodyhookstest.Serve(h, tt.request)
			assert.Equal(t, tt.wantStatus, status)
			assert.Equal(t, tt.wantCalls, calls, "callback calls")
			if tt.wantBody != "" {
				assert.Contains(t, body, tt.wantBody)
			}
			if status == http.StatusMethodNotAllowed {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, tt.request)
				assert.Equal(t, http.MethodPost, rec.Header().Get("Allow"))
			}
		})
	}
}

func TestHandlerVerificationFailuresLookAlike(t *testing.T) {
	h := newHandler(t)
	shipped := goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped)
	requests := map[string]*http.Request{
		"missing header": httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(shipped)),
		"bad signature": goodyhookstest.NewRequest(
			shipped,
			goodyhookstest.WithSecret(goodyhookstest.NewSecret()),
		),
		"too old": goodyhookstest.NewRequest(
			shipped,
			goodyhookstest.WithTimestamp(time.Now().Add(-time.Hour)),
		),
		"too new": goodyhookstest.NewRequest(
			shipped,
			goodyhookstest.WithTimestamp(time.Now().Add(time.Hour)),
		),
	}
	bodies := map[string]bool{}
	for name, r := range requests {
		status, body := goodyhookstest.Serve(h, r)
		assert.Equal(t, http.StatusBadRequest, status, name)
		bodies[body] = true
	}
	assert.Len(t, bodies, 1, "every verification failure must get the same answer")
}

func TestHandlerPanicKeepsServing(t *testing.T) {
	h := newHandler(t)
	var calls int
	var mu sync.Mutex
	h.OnOrderShipped(func(ctx context.Context, e *goodyhooks.OrderShipped) error {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			var m map[string]int
			m["boom"] = 1 // a nil map write: a runtime panic
		}
		return nil
	})
	server := httptest.NewServer(h)
	defer server.Close()

	send := func() int {
		r, err := goodyhookstest.NewClientRequest(
			server.URL,
			goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped),
		)
		require.NoError(t, err)
		resp, err := server.Client().Do(r)
		require.NoError(t, err)
		defer resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusInternalServerError, send())
	assert.Equal(t, http.StatusNoContent, send(), "the server must keep serving after a panic")
}

func TestHandlerAbortHandlerPanicPropagates(t *testing.T) {
	h := newHandler(t)
	h.OnOrderShipped(func(context.Context, *goodyhooks.OrderShipped) error {
		panic(http.ErrAbortHandler)
	})
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() {
		goodyhookstest.Serve(
			h,
			goodyhookstest.NewRequest(goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped)),
		)
	})
}

type contextKey struct{}

func TestHandlerPassesRequestContext(t *testing.T) {
	h := newHandler(t)
	var got recorder
	recordAll(h, &got)
	r := goodyhookstest.NewRequest(goodyhookstest.SamplePayload(goodyhooks.EventOrderGiftOpened))
	r = r.WithContext(context.WithValue(r.Context(), contextKey{}, "request-scoped"))

	status, _ := goodyhookstest.Serve(h, r)
	require.Equal(t, http.StatusNoContent, status)
	require.Len(t, got.contexts, 1)
	assert.Equal(t, "request-scoped", got.contexts[0].Value(contextKey{}))
}

func TestHandlerRemoveCallback(t *testing.T) {
	h := newHandler(t)
	calls := 0
	h.OnOrderShipped(
		func(context.Context, *goodyhooks.OrderShipped) error { calls++; return errCallback },
	)
	h.OnOrderShipped(nil)

	status, _ := goodyhookstest.Deliver(h, goodyhookstest.Sample(goodyhooks.EventOrderShipped))
	assert.Equal(t, http.StatusNoContent, status)
	assert.Zero(t, calls)
}

func TestHandlerReplaceCallback(t *testing.T) {
	h := newHandler(t)
	first, second := 0, 0
	h.OnOrderShipped(func(context.Context, *goodyhooks.OrderShipped) error { first++; return nil })
	h.OnOrderShipped(func(context.Context, *goodyhooks.OrderShipped) error { second++; return nil })

	goodyhookstest.Deliver(h, goodyhookstest.Sample(goodyhooks.EventOrderShipped))
	assert.Zero(t, first)
	assert.Equal(t, 1, second)
}

// logRecords is a slog.Handler that keeps every record as text.
type logRecords struct {
	mu    sync.Mutex
	lines []string
	attrs []map[string]string
}

func (l *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecords) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecords) WithGroup(string) slog.Handler            { return l }
func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	attrs := map[string]string{}
	line := r.Level.String() + " " + r.Message
	r.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.String()
		line += " " + a.Key + "=" + a.Value.String()
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	l.attrs = append(l.attrs, attrs)
	return nil
}

func TestHandlerLogs(t *testing.T) {
	logs := &logRecords{}
	h := newHandler(t, goodyhooks.WithLogger(slog.New(logs)))
	h.OnOrderShipped(func(context.Context, *goodyhooks.OrderShipped) error { return errCallback })
	h.OnOrderDelivered(
		func(context.Context, *goodyhooks.OrderDelivered) error { panic("callback bug") },
	)
	shipped := goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped)
	forged := goodyhookstest.NewRequest(shipped, goodyhookstest.WithMessageID("msg_forged"),
		goodyhookstest.WithSecret(goodyhookstest.NewSecret()))
	forgedSignature := forged.Header.Get("svix-signature")

	goodyhookstest.Serve(h, forged)
	goodyhookstest.Serve(
		h,
		goodyhookstest.NewRequest(shipped, goodyhookstest.WithMessageID("msg_failing")),
	)
	goodyhookstest.Serve(
		h,
		goodyhookstest.NewRequest(goodyhookstest.SamplePayload(goodyhooks.EventOrderDelivered),
			goodyhookstest.WithMessageID("msg_panicking")),
	)
	goodyhookstest.Serve(
		h,
		goodyhookstest.NewRequest(goodyhookstest.SamplePayload(goodyhooks.EventOrderCreated)),
	)

	require.Len(
		t,
		logs.lines,
		3,
		"one record per rejected request or failed callback, none for success",
	)
	assert.Equal(t, "msg_forged", logs.attrs[0]["svix_id"])
	assert.Equal(t, "400", logs.attrs[0]["status"])
	assert.Contains(t, logs.attrs[0]["error"], "no matching signature")

	assert.Equal(t, "msg_failing", logs.attrs[1]["svix_id"])
	assert.Equal(t, "order.shipped", logs.attrs[1]["event_type"])
	assert.Equal(t, "database unavailable", logs.attrs[1]["error"])

	assert.Equal(t, "msg_panicking", logs.attrs[2]["svix_id"])
	assert.Equal(t, "order.delivered", logs.attrs[2]["event_type"])
	assert.Equal(t, "callback bug", logs.attrs[2]["panic"])
	assert.Contains(t, logs.attrs[2]["stack"], "goroutine")

	for _, line := range logs.lines {
		assert.NotContains(t, line, goodyhookstest.Secret)
		assert.NotContains(t, line, strings.TrimPrefix(forgedSignature, "v1,"))
		assert.NotContains(t, line, "Lovelace", "no body text in a log line")
	}
}

func TestNewHandlerErrors(t *testing.T) {
	_, err := goodyhooks.NewHandler("")
	require.ErrorIs(t, err, goodyhooks.ErrInvalidSecret)

	_, err = goodyhooks.NewHandler(goodyhookstest.Secret, goodyhooks.WithTolerance(-1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid tolerance")
}

// fakeStore is an IdempotencyStore whose results a test sets.
type fakeStore struct {
	status   goodyhooks.ClaimStatus
	err      error
	mu       sync.Mutex
	complete []string
	release  []string
}

func (s *fakeStore) Claim(context.Context, string) (goodyhooks.ClaimStatus, string, error) {
	return s.status, "token", s.err
}

func (s *fakeStore) Complete(_ context.Context, id, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.complete = append(s.complete, id)
	return nil
}

func (s *fakeStore) Release(_ context.Context, id, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.release = append(s.release, id)
	return nil
}

func TestHandlerIdempotencyStatus(t *testing.T) {
	tests := []struct {
		name         string
		status       goodyhooks.ClaimStatus
		storeErr     error
		callbackErr  error
		wantStatus   int
		wantCalls    int
		wantComplete int
		wantRelease  int
	}{
		{
			name:         "first delivery",
			status:       goodyhooks.ClaimAcquired,
			wantStatus:   http.StatusNoContent,
			wantCalls:    1,
			wantComplete: 1,
		},
		{name: "first delivery fails", status: goodyhooks.ClaimAcquired, callbackErr: errCallback,
			wantStatus: http.StatusInternalServerError, wantCalls: 1, wantRelease: 1},
		{name: "already done", status: goodyhooks.ClaimDone, wantStatus: http.StatusNoContent},
		{name: "in progress", status: goodyhooks.ClaimInProgress, wantStatus: http.StatusConflict},
		{
			name:       "store down",
			storeErr:   errors.New("connection refused"),
			wantStatus: http.StatusServiceUnavailable,
		},
		{
			name:       "unknown status",
			status:     goodyhooks.ClaimStatus(99),
			wantStatus: http.StatusServiceUnavailable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &fakeStore{status: tt.status, err: tt.storeErr}
			h := newHandler(t, goodyhooks.WithIdempotencyStore(store))
			calls := 0
			h.OnOrderShipped(
				func(context.Context, *goodyhooks.OrderShipped) error { calls++; return tt.callbackErr },
			)

			status, _ := goodyhookstest.Deliver(
				h,
				goodyhookstest.Sample(goodyhooks.EventOrderShipped),
				goodyhookstest.WithMessageID("msg_once"),
			)
			assert.Equal(t, tt.wantStatus, status)
			assert.Equal(t, tt.wantCalls, calls)
			assert.Len(t, store.complete, tt.wantComplete)
			assert.Len(t, store.release, tt.wantRelease)
		})
	}
}

func TestHandlerMemoryStoreRunsOnce(t *testing.T) {
	store, err := goodyhooks.NewMemoryStore(time.Hour, 100)
	require.NoError(t, err)
	h := newHandler(t, goodyhooks.WithIdempotencyStore(store))
	calls := 0
	fail := true
	h.OnOrderShipped(func(context.Context, *goodyhooks.OrderShipped) error {
		calls++
		if fail {
			return errCallback
		}
		return nil
	})
	sample := goodyhookstest.Sample(goodyhooks.EventOrderShipped)
	deliver := func() int {
		status, _ := goodyhookstest.Deliver(h, sample, goodyhookstest.WithMessageID("msg_retried"))
		return status
	}

	assert.Equal(t, http.StatusInternalServerError, deliver())
	fail = false
	assert.Equal(t, http.StatusNoContent, deliver(), "the retry after a failure runs the callback")
	assert.Equal(
		t,
		http.StatusNoContent,
		deliver(),
		"a duplicate of a handled message is acknowledged",
	)
	assert.Equal(t, 2, calls)
}

func TestHandlerUnlimitedBody(t *testing.T) {
	h := newHandler(t, goodyhooks.WithMaxBodyBytes(math.MaxInt64))
	calls := 0
	h.OnOrderShipped(func(context.Context, *goodyhooks.OrderShipped) error { calls++; return nil })
	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped)

	chunked := goodyhookstest.NewRequest(body)
	chunked.ContentLength = -1
	chunked.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body)))
	status, _ := goodyhookstest.Serve(h, chunked)
	assert.Equal(t, http.StatusNoContent, status)

	large := append(bytes.Repeat([]byte(" "), 100<<10), body...)
	status, _ = goodyhookstest.Serve(h, goodyhookstest.NewRequest(large))
	assert.Equal(t, http.StatusNoContent, status)
	assert.Equal(t, 2, calls)
}

// TestHandlerOverLimitRespondsAtOnce sends a chunked body over the limit
// and then stalls. The 413 must come without the rest of the body, so
// the handler closes the connection instead of letting net/http read on.
func TestHandlerOverLimitRespondsAtOnce(t *testing.T) {
	h := newHandler(t, goodyhooks.WithMaxBodyBytes(1000))
	server := httptest.NewServer(h)
	defer server.Close()

	conn, err := net.Dial("tcp", server.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	chunk := strings.Repeat("x", 2000)
	_, err = fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n",
		len(chunk), chunk)
	require.NoError(t, err)

	// The deadline bounds the test; the body never ends, so only a
	// response sent without reading on arrives before it.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.True(t, resp.Close, "the connection must close after a 413")
}
