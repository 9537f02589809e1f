package goodyhooks_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

// concurrentDelivery is one delivery of the concurrency test: a sample
// of one event type whose event id is unique, sent under a unique Svix
// message id.
type concurrentDelivery struct {
	messageID string
	eventID   string
	eventType goodyhooks.EventType
	body      []byte
}

// concurrentReceipts records what each callback received, keyed by
// Svix message id.
type concurrentReceipts struct {
	mu     sync.Mutex
	events map[string][]goodyhooks.Event
}

func (r *concurrentReceipts) add(e goodyhooks.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := e.Meta().MessageID
	r.events[id] = append(r.events[id], e)
}

// registerConcurrent sets a callback for each of the ten event types
// through its own On method, so that a mix-up between methods shows.
func registerConcurrent(h *goodyhooks.Handler, r *concurrentReceipts) {
	h.OnOrderBatchCreated(func(_ context.Context, e *goodyhooks.OrderBatchCreated) error { r.add(e); return nil })
	h.OnOrderBatchCompleted(func(_ context.Context, e *goodyhooks.OrderBatchCompleted) error { r.add(e); return nil })
	h.OnOrderCreated(func(_ context.Context, e *goodyhooks.OrderCreated) error { r.add(e); return nil })
	h.OnOrderGiftOpened(func(_ context.Context, e *goodyhooks.OrderGiftOpened) error { r.add(e); return nil })
	h.OnOrderGiftAccepted(func(_ context.Context, e *goodyhooks.OrderGiftAccepted) error { r.add(e); return nil })
	h.OnOrderThankYouNoteAdded(func(_ context.Context, e *goodyhooks.OrderThankYouNoteAdded) error {
		r.add(e)
		return nil
	})
	h.OnOrderShipped(func(_ context.Context, e *goodyhooks.OrderShipped) error { r.add(e); return nil })
	h.OnOrderDelivered(func(_ context.Context, e *goodyhooks.OrderDelivered) error { r.add(e); return nil })
	h.OnOrderCanceled(func(_ context.Context, e *goodyhooks.OrderCanceled) error { r.add(e); return nil })
	h.OnOrderRefunded(func(_ context.Context, e *goodyhooks.OrderRefunded) error { r.add(e); return nil })
	h.OnDefault(func(_ context.Context, e goodyhooks.Event) error {
		r.add(e)
		return fmt.Errorf("no callback of its own for %s", e.Meta().Type)
	})
}

// concurrentDeliveries returns n deliveries cycling through the ten
// event types.
func concurrentDeliveries(t *testing.T, n int) []concurrentDelivery {
	t.Helper()
	deliveries := make([]concurrentDelivery, n)
	types := goodyhooks.EventTypes()
	for i := range deliveries {
		typ := types[i%len(types)]
		event := goodyhookstest.Sample(typ)
		require.NotNil(t, event, "no sample for %s", typ)
		eventID := fmt.Sprintf("evt_%05d", i)
		event.Meta().ID = eventID
		body, err := goodyhookstest.Marshal(event)
		require.NoError(t, err)
		deliveries[i] = concurrentDelivery{
			messageID: fmt.Sprintf("msg_concurrent_%05d", i),
			eventID:   eventID,
			eventType: typ,
			body:      body,
		}
	}
	return deliveries
}

func TestConcurrentDeliveries(t *testing.T) {
	total, workers := 3000, 32
	if testing.Short() {
		total = 500
	}
	receipts := &concurrentReceipts{events: map[string][]goodyhooks.Event{}}
	handler, err := goodyhooks.NewHandler(goodyhookstest.Secret)
	require.NoError(t, err)
	registerConcurrent(handler, receipts)
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	client := server.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = workers

	deliveries := concurrentDeliveries(t, total)
	work := make(chan concurrentDelivery)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				request, err := goodyhookstest.NewClientRequest(server.URL, d.body,
					goodyhookstest.WithMessageID(d.messageID))
				if !assert.NoError(t, err) {
					continue
				}
				response, err := client.Do(request)
				if !assert.NoError(t, err, d.messageID) {
					continue
				}
				_, err = io.Copy(io.Discard, response.Body)
				assert.NoError(t, err)
				response.Body.Close()
				assert.Equal(t, http.StatusNoContent, response.StatusCode, d.messageID)
			}
		}()
	}
	for _, d := range deliveries {
		work <- d
	}
	close(work)
	wg.Wait()

	receipts.mu.Lock()
	defer receipts.mu.Unlock()
	assert.Len(t, receipts.events, total, "messages received")
	for _, d := range deliveries {
		events := receipts.events[d.messageID]
		if !assert.Len(t, events, 1, "%s: callbacks run", d.messageID) {
			continue
		}
		meta := events[0].Meta()
		assert.Equal(t, d.eventType, meta.Type, "%s: event type", d.messageID)
		assert.Equal(t, d.eventID, meta.ID, "%s: event id", d.messageID)
		assert.Equal(t, d.body, meta.Raw, "%s: raw body", d.messageID)
		assert.Equal(t, string(d.eventType), concurrentTypeOf(events[0]), "%s: Go type", d.messageID)
	}
}

// concurrentTypeOf returns the event type that matches the concrete Go
// type of e.
func concurrentTypeOf(e goodyhooks.Event) string {
	switch e.(type) {
	case *goodyhooks.OrderBatchCreated:
		return string(goodyhooks.EventOrderBatchCreated)
	case *goodyhooks.OrderBatchCompleted:
		return string(goodyhooks.EventOrderBatchCompleted)
	case *goodyhooks.OrderCreated:
		return string(goodyhooks.EventOrderCreated)
	case *goodyhooks.OrderGiftOpened:
		return string(goodyhooks.EventOrderGiftOpened)
	case *goodyhooks.OrderGiftAccepted:
		return string(goodyhooks.EventOrderGiftAccepted)
	case *goodyhooks.OrderThankYouNoteAdded:
		return string(goodyhooks.EventOrderThankYouNoteAdded)
	case *goodyhooks.OrderShipped:
		return string(goodyhooks.EventOrderShipped)
	case *goodyhooks.OrderDelivered:
		return string(goodyhooks.EventOrderDelivered)
	case *goodyhooks.OrderCanceled:
		return string(goodyhooks.EventOrderCanceled)
	case *goodyhooks.OrderRefunded:
		return string(goodyhooks.EventOrderRefunded)
	}
	return fmt.Sprintf("%T", e)
}
