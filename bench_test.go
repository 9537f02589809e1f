package goodyhooks_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	svix "github.com/svix/svix-webhooks/go"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

// The benchmarks come in groups whose names differ only in the impl key,
// so that `benchstat -col /impl` puts each implementation in a column:
//
//   - BenchmarkVerify: goodyhooks, the Svix library's Verify, and the
//     floor, an HMAC-SHA256 over the signed content alone.
//   - BenchmarkParse: goodyhooks.Parse and one json.Unmarshal of the
//     same body into the same public structs.
//   - BenchmarkServeHTTP: goodyhooks.Handler and two hand-written
//     handlers that read, verify with the Svix library, decode and
//     dispatch.
//   - BenchmarkOversizedBody: an 8 MiB body against the 1 MiB limit.
//
// scripts/bench.sh runs them and prints the ratios.

// Documentation payloads. The order is about 2 KiB and the batches about
// 5 KiB. Goody's batch example uses the older names (gift_batch.created,
// gifts_count, gifts_preview...), the variant the current names.
const (
	orderPath        = "testdata/events/order.shipped.json"
	batchOlderPath   = "testdata/events/order_batch.created.json"
	batchCurrentPath = "testdata/variants/order_batch.created.current_names.json"
)

func readPayload(tb testing.TB, path string) []byte {
	tb.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("reading payload: %v", err)
	}
	return body
}

// paddedPayload returns a valid order body of exactly size bytes: the
// order example with a "padding" string member added to the envelope.
// Verification does not parse, so only the size matters to it.
func paddedPayload(tb testing.TB, size int) []byte {
	tb.Helper()
	order := readPayload(tb, orderPath)
	order = bytes.TrimSpace(order)
	const head = `{"padding":"`
	const tail = `",`
	fill := size - len(head) - len(tail) - (len(order) - 1)
	if fill < 0 {
		tb.Fatalf("size %d is smaller than the order example", size)
	}
	body := make([]byte, 0, size)
	body = append(body, head...)
	body = append(body, strings.Repeat("a", fill)...)
	body = append(body, tail...)
	body = append(body, order[1:]...)
	if !json.Valid(body) || len(body) != size {
		tb.Fatalf("padded payload is invalid or has %d bytes, want %d", len(body), size)
	}
	return body
}

type benchBody struct {
	name string
	data []byte
}

func verifyBodies(b *testing.B) []benchBody {
	return []benchBody{
		{"order-2KiB", readPayload(b, orderPath)},
		{"batch-5KiB", readPayload(b, batchOlderPath)},
		{"64KiB", paddedPayload(b, 64<<10)},
		{"1MiB", paddedPayload(b, 1<<20)},
	}
}

// BenchmarkVerify compares Verifier.Verify with the Svix library's
// Verify and with the HMAC alone. Each sub-benchmark signs its request
// when it starts, so the timestamp stays within the 5-minute tolerance
// that both verifiers check against the real clock.
func BenchmarkVerify(b *testing.B) {
	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret)
	if err != nil {
		b.Fatal(err)
	}
	webhook, err := svix.NewWebhook(goodyhookstest.Secret)
	if err != nil {
		b.Fatal(err)
	}
	key, err := goodyhooks.DecodeSecret(goodyhookstest.Secret)
	if err != nil {
		b.Fatal(err)
	}

	for _, body := range verifyBodies(b) {
		payload := body.data
		b.Run("impl=goodyhooks/body="+body.name, func(b *testing.B) {
			header := goodyhookstest.SignedHeader(payload)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := verifier.Verify(payload, header); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("impl=svix/body="+body.name, func(b *testing.B) {
			header := goodyhookstest.SignedHeader(payload)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := webhook.Verify(payload, header); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("impl=hmac-floor/body="+body.name, func(b *testing.B) {
			header := goodyhookstest.SignedHeader(payload)
			prefix := []byte(header.Get("Svix-Id") + "." + header.Get("Svix-Timestamp") + ".")
			mac := hmac.New(sha256.New, key)
			sum := make([]byte, 0, sha256.Size)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				mac.Reset()
				mac.Write(prefix)
				mac.Write(payload)
				sum = mac.Sum(sum[:0])
			}
		})
	}
}

// orderEnvelope and batchEnvelope are what one json.Unmarshal decodes
// when the caller expects one kind of event.
type orderEnvelope struct {
	EventType string           `json:"event_type"`
	ID        string           `json:"id"`
	Data      goodyhooks.Order `json:"data"`
}

type batchEnvelope struct {
	EventType string                `json:"event_type"`
	ID        string                `json:"id"`
	Data      goodyhooks.OrderBatch `json:"data"`
}

// sink keeps results alive so that the compiler cannot drop the work.
var sink string

// BenchmarkParse compares Parse with one json.Unmarshal into the public
// structs. On batch-older, Goody's example, the single decode skips
// gifts_preview, which OrderBatch does not name, so it does less work
// than Parse. batch-current, with the current names, compares the same
// work.
func BenchmarkParse(b *testing.B) {
	bodies := []struct {
		name  string
		path  string
		batch bool
	}{
		{"order", orderPath, false},
		{"batch-older", batchOlderPath, true},
		{"batch-current", batchCurrentPath, true},
	}
	for _, body := range bodies {
		payload := readPayload(b, body.path)
		b.Run("impl=goodyhooks/body="+body.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				event, err := goodyhooks.Parse(payload)
				if err != nil {
					b.Fatal(err)
				}
				sink = event.Meta().ID
			}
		})
		b.Run("impl=json-decode/body="+body.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if body.batch {
					var env batchEnvelope
					if err := json.Unmarshal(payload, &env); err != nil {
						b.Fatal(err)
					}
					sink = env.Data.ID
					continue
				}
				var env orderEnvelope
				if err := json.Unmarshal(payload, &env); err != nil {
					b.Fatal(err)
				}
				sink = env.Data.ID
			}
		})
	}
}

// baselineHandler is the handler a careful user writes by hand with the
// Svix library. It reads the body under a limit, verifies it, decodes
// the envelope with the data kept raw, then decodes the data into the
// struct that the event type calls for. Like goodyhooks.Handler, it
// responds 204 when the callback succeeds.
type baselineHandler struct {
	webhook *svix.Webhook
	onOrder func(ctx context.Context, eventType string, order *goodyhooks.Order) error
	onBatch func(ctx context.Context, eventType string, batch *goodyhooks.OrderBatch) error
}

func (h *baselineHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, goodyhooks.DefaultMaxBodyBytes))
	if err != nil {
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}
	if err := h.webhook.Verify(body, r.Header); err != nil {
		http.Error(w, "webhook verification failed", http.StatusBadRequest)
		return
	}

	var envelope struct {
		EventType string          `json:"event_type"`
		ID        string          `json:"id"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil {
		http.Error(w, "invalid webhook payload", http.StatusBadRequest)
		return
	}
	switch envelope.EventType {
	case "order_batch.created", "order_batch.completed", "gift_batch.created", "gift_batch.completed":
		var batch goodyhooks.OrderBatch
		if err := json.Unmarshal(envelope.Data, &batch); err != nil {
			http.Error(w, "invalid webhook payload", http.StatusBadRequest)
			return
		}
		err = h.onBatch(r.Context(), envelope.EventType, &batch)
	case "order.created", "order.gift_opened", "order.gift_accepted", "order.thank_you_note_added",
		"order.shipped", "order.delivered", "order.canceled", "order.refunded":
		var order goodyhooks.Order
		if err := json.Unmarshal(envelope.Data, &order); err != nil {
			http.Error(w, "invalid webhook payload", http.StatusBadRequest)
			return
		}
		err = h.onOrder(r.Context(), envelope.EventType, &order)
	}
	if err != nil {
		http.Error(w, "webhook callback failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// typedBaselineHandler is the stricter hand-written baseline: it is
// mounted for one kind of event, so it decodes the body once, straight
// into the struct.
type typedBaselineHandler struct {
	webhook *svix.Webhook
	batch   bool
	onOrder func(ctx context.Context, eventType string, order *goodyhooks.Order) error
	onBatch func(ctx context.Context, eventType string, batch *goodyhooks.OrderBatch) error
}

func (h *typedBaselineHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, goodyhooks.DefaultMaxBodyBytes))
	if err != nil {
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}
	if err := h.webhook.Verify(body, r.Header); err != nil {
		http.Error(w, "webhook verification failed", http.StatusBadRequest)
		return
	}
	if h.batch {
		var envelope batchEnvelope
		if err := json.Unmarshal(body, &envelope); err != nil {
			http.Error(w, "invalid webhook payload", http.StatusBadRequest)
			return
		}
		err = h.onBatch(r.Context(), envelope.EventType, &envelope.Data)
	} else {
		var envelope orderEnvelope
		if err := json.Unmarshal(body, &envelope); err != nil {
			http.Error(w, "invalid webhook payload", http.StatusBadRequest)
			return
		}
		err = h.onOrder(r.Context(), envelope.EventType, &envelope.Data)
	}
	if err != nil {
		http.Error(w, "webhook callback failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// replayBody is a request body that a benchmark rewinds before each
// request, so that the request is built once and the loop allocates
// only what the handler does.
type replayBody struct {
	bytes.Reader
}

func (*replayBody) Close() error { return nil }

// serveBench sends payload through handler b.N times with a new
// httptest.ResponseRecorder each time, and fails unless every response
// has wantStatus.
func serveBench(b *testing.B, handler http.Handler, payload []byte, wantStatus int) {
	b.Helper()
	body := &replayBody{}
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(payload))
	for key, values := range goodyhookstest.SignedHeader(payload) {
		r.Header[key] = values
	}
	r.Header.Set("Content-Type", "application/json")
	r.Body = body
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body.Reset(payload)
		recorder := httptest.NewRecorder()
		handler.ServeHTTP(recorder, r)
		if recorder.Code != wantStatus {
			b.Fatalf("status %d, want %d: %s", recorder.Code, wantStatus, recorder.Body)
		}
	}
}

// BenchmarkServeHTTP compares goodyhooks.Handler with the hand-written
// handlers, each calling a callback that reads the data. The targets
// apply to impl=baseline, the handler a user writes. impl=baseline-typed
// expects one kind of event and decodes once.
func BenchmarkServeHTTP(b *testing.B) {
	onOrder := func(_ context.Context, _ string, order *goodyhooks.Order) error {
		sink = order.ID
		return nil
	}
	onBatch := func(_ context.Context, _ string, batch *goodyhooks.OrderBatch) error {
		sink = batch.ID
		return nil
	}
	handler, err := goodyhooks.NewHandler(goodyhookstest.Secret)
	if err != nil {
		b.Fatal(err)
	}
	handler.OnOrderShipped(func(ctx context.Context, e *goodyhooks.OrderShipped) error {
		return onOrder(ctx, string(e.Type), &e.Data)
	})
	handler.OnOrderBatchCreated(func(ctx context.Context, e *goodyhooks.OrderBatchCreated) error {
		return onBatch(ctx, string(e.Type), &e.Data)
	})
	webhook, err := svix.NewWebhook(goodyhookstest.Secret)
	if err != nil {
		b.Fatal(err)
	}

	bodies := []struct {
		name  string
		path  string
		batch bool
	}{
		{"order", orderPath, false},
		{"batch-older", batchOlderPath, true},
		{"batch-current", batchCurrentPath, true},
	}
	for _, body := range bodies {
		payload := readPayload(b, body.path)
		b.Run("impl=goodyhooks/body="+body.name, func(b *testing.B) {
			serveBench(b, handler, payload, http.StatusNoContent)
		})
		b.Run("impl=baseline/body="+body.name, func(b *testing.B) {
			baseline := &baselineHandler{webhook: webhook, onOrder: onOrder, onBatch: onBatch}
			serveBench(b, baseline, payload, http.StatusNoContent)
		})
		b.Run("impl=baseline-typed/body="+body.name, func(b *testing.B) {
			typed := &typedBaselineHandler{webhook: webhook, batch: body.batch, onOrder: onOrder, onBatch: onBatch}
			serveBench(b, typed, payload, http.StatusNoContent)
		})
	}
}

// patternReader yields size bytes of 'a' without holding them, so that
// an oversized body costs the benchmark nothing to produce.
type patternReader struct {
	remaining int64
}

func (p *patternReader) Read(buf []byte) (int, error) {
	if p.remaining <= 0 {
		return 0, io.EOF
	}
	if int64(len(buf)) > p.remaining {
		buf = buf[:p.remaining]
	}
	for i := range buf {
		buf[i] = 'a'
	}
	p.remaining -= int64(len(buf))
	return len(buf), nil
}

func (*patternReader) Close() error { return nil }

// oversizedBodyBytes is the size of the body sent against the default
// limit of 1 MiB.
const oversizedBodyBytes = 8 << 20

// BenchmarkOversizedBody sends an 8 MiB body to a handler with the
// default 1 MiB limit, with a declared Content-Length and without one
// (as a chunked request arrives). Its B/op is the memory that such a
// request costs.
func BenchmarkOversizedBody(b *testing.B) {
	handler, err := goodyhooks.NewHandler(goodyhookstest.Secret)
	if err != nil {
		b.Fatal(err)
	}
	webhook, err := svix.NewWebhook(goodyhookstest.Secret)
	if err != nil {
		b.Fatal(err)
	}
	baseline := &baselineHandler{webhook: webhook}
	handlers := []struct {
		name    string
		handler http.Handler
	}{
		{"goodyhooks", handler},
		{"baseline", baseline},
	}
	lengths := []struct {
		name     string
		declared int64
	}{
		{"declared", oversizedBodyBytes},
		{"unknown", -1},
	}
	for _, length := range lengths {
		for _, h := range handlers {
			b.Run("impl="+h.name+"/length="+length.name, func(b *testing.B) {
				body := &patternReader{}
				r := httptest.NewRequest(http.MethodPost, "/", nil)
				r.Header = goodyhookstest.SignedHeader([]byte("unused"))
				r.Body = body
				r.ContentLength = length.declared
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					body.remaining = oversizedBodyBytes
					recorder := httptest.NewRecorder()
					h.handler.ServeHTTP(recorder, r)
					if recorder.Code != http.StatusRequestEntityTooLarge {
						b.Fatalf("status %d, want %d", recorder.Code, http.StatusRequestEntityTooLarge)
					}
				}
			})
		}
	}
}
