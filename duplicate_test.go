package goodyhooks_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

// dupCallbacks is the callback of a duplicate-delivery test. It counts
// the attempts and successes per Svix message id, and can fail, panic
// or block on the first attempts of chosen messages.
type dupCallbacks struct {
	mu        sync.Mutex
	attempts  map[string]int
	successes map[string]int
	// failures maps a message id to how many of its first attempts
	// fail, and panics to the value its first attempt panics with.
	failures map[string]int
	panics   map[string]any
	// gate, if not nil, blocks every attempt until it is closed, after
	// sending on entered.
	gate    chan struct{}
	entered chan string
	// delay is how long each attempt takes.
	delay time.Duration
}

func newDupCallbacks() *dupCallbacks {
	return &dupCallbacks{
		attempts:  map[string]int{},
		successes: map[string]int{},
		failures:  map[string]int{},
		panics:    map[string]any{},
	}
}

func (c *dupCallbacks) run(_ context.Context, e goodyhooks.Event) error {
	id := e.Meta().MessageID
	c.mu.Lock()
	c.attempts[id]++
	attempt := c.attempts[id]
	fail := attempt <= c.failures[id]
	panicValue, panics := c.panics[id]
	if panics {
		delete(c.panics, id)
	}
	c.mu.Unlock()

	if c.gate != nil {
		c.entered <- id
		<-c.gate
	}
	time.Sleep(c.delay)
	if panics {
		panic(panicValue)
	}
	if fail {
		return fmt.Errorf("attempt %d fails on purpose", attempt)
	}
	c.mu.Lock()
	c.successes[id]++
	c.mu.Unlock()
	return nil
}

func (c *dupCallbacks) counts(id string) (attempts, successes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attempts[id], c.successes[id]
}

// newDupServer starts a loopback server whose handler uses store and
// calls callbacks for every event.
func newDupServer(t *testing.T, store goodyhooks.IdempotencyStore, callbacks *dupCallbacks) *httptest.Server {
	t.Helper()
	handler, err := goodyhooks.NewHandler(goodyhookstest.Secret, goodyhooks.WithIdempotencyStore(store))
	require.NoError(t, err)
	handler.OnDefault(callbacks.run)
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	return server
}

func newDupStore(t *testing.T) *goodyhooks.MemoryStore {
	t.Helper()
	store, err := goodyhooks.NewMemoryStore(48*time.Hour, 10000)
	require.NoError(t, err)
	return store
}

// deliver sends body as Svix message id and returns the status, or 0
// and the error if no response came.
func deliver(t *testing.T, client *http.Client, url, id string, body []byte) (int, error) {
	t.Helper()
	request, err := goodyhookstest.NewClientRequest(url, body, goodyhookstest.WithMessageID(id))
	require.NoError(t, err)
	response, err := client.Do(request)
	if err != nil {
		return 0, err
	}
	defer response.Body.Close()
	_, err = io.Copy(io.Discard, response.Body)
	return response.StatusCode, err
}

func dupBody(t *testing.T) []byte {
	t.Helper()
	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped)
	require.NotNil(t, body)
	return body
}

func TestDuplicateSequential(t *testing.T) {
	callbacks := newDupCallbacks()
	server := newDupServer(t, newDupStore(t), callbacks)
	id := goodyhookstest.NewMessageID()
	body := dupBody(t)

	for i := 0; i < 20; i++ {
		status, err := deliver(t, server.Client(), server.URL, id, body)
		require.NoError(t, err)
		assert.Equal(t, http.StatusNoContent, status, "delivery %d", i+1)
	}
	attempts, successes := callbacks.counts(id)
	assert.Equal(t, 1, attempts, "callback attempts")
	assert.Equal(t, 1, successes, "callback successes")
}

func TestDuplicateWhileRunning(t *testing.T) {
	callbacks := newDupCallbacks()
	callbacks.gate = make(chan struct{})
	callbacks.entered = make(chan string, 1)
	server := newDupServer(t, newDupStore(t), callbacks)
	id := goodyhookstest.NewMessageID()
	body := dupBody(t)

	first := make(chan int, 1)
	go func() {
		status, err := deliver(t, server.Client(), server.URL, id, body)
		assert.NoError(t, err)
		first <- status
	}()
	select {
	case <-callbacks.entered:
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the first delivery did not reach the callback")
	}

	// Duplicates that arrive while the first delivery runs get 409, so
	// that Svix retries them later.
	const duplicates = 16
	statuses := make(chan int, duplicates)
	var wg sync.WaitGroup
	for i := 0; i < duplicates; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, err := deliver(t, server.Client(), server.URL, id, body)
			assert.NoError(t, err)
			statuses <- status
		}()
	}
	wg.Wait()
	close(statuses)
	for status := range statuses {
		assert.Equal(t, http.StatusConflict, status, "duplicate while the first runs")
	}

	close(callbacks.gate)
	assert.Equal(t, http.StatusNoContent, <-first, "first delivery")
	status, err := deliver(t, server.Client(), server.URL, id, body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, status, "retry after the first succeeded")

	attempts, successes := callbacks.counts(id)
	assert.Equal(t, 1, attempts, "callback attempts")
	assert.Equal(t, 1, successes, "callback successes")
}

func TestDuplicateAfterFailure(t *testing.T) {
	tests := []struct {
		name       string
		fail       bool
		panicValue any
		wantFirst  int
	}{
		{name: "callback error", fail: true, wantFirst: http.StatusInternalServerError},
		{name: "callback panic", panicValue: "panic on purpose", wantFirst: http.StatusInternalServerError},
		{name: "abort handler", panicValue: http.ErrAbortHandler},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			callbacks := newDupCallbacks()
			server := newDupServer(t, newDupStore(t), callbacks)
			id := goodyhookstest.NewMessageID()
			if tt.fail {
				callbacks.failures[id] = 1
			}
			if tt.panicValue != nil {
				callbacks.panics[id] = tt.panicValue
			}
			body := dupBody(t)

			// An aborted handler closes the connection with no response.
			status, err := deliver(t, server.Client(), server.URL, id, body)
			if tt.wantFirst == 0 {
				require.Error(t, err, "first delivery")
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.wantFirst, status, "first delivery")
			}

			// The failed attempt is not recorded, so the retry runs
			// the callback again, and the one after it does not.
			for _, want := range []int{http.StatusNoContent, http.StatusNoContent} {
				status, err := deliver(t, server.Client(), server.URL, id, body)
				require.NoError(t, err)
				assert.Equal(t, want, status, "retry")
			}
			attempts, successes := callbacks.counts(id)
			assert.Equal(t, 2, attempts, "callback attempts")
			assert.Equal(t, 1, successes, "callback successes")
		})
	}
}

func TestDuplicateDeliveriesRunOnce(t *testing.T) {
	messages, copies := 60, 8
	if testing.Short() {
		messages, copies = 20, 4
	}
	callbacks := newDupCallbacks()
	callbacks.delay = 2 * time.Millisecond
	server := newDupServer(t, newDupStore(t), callbacks)
	client := server.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 16
	body := dupBody(t)

	// The copies of a message are queued next to each other, so that
	// the 16 workers send them at about the same time, as Svix may
	// send a message again after a timeout. Each copy is retried after
	// a non-2xx status, as Svix retries it. A third of the messages
	// fail on their first attempt.
	type delivery struct{ id string }
	var deliveries []delivery
	ids := make([]string, messages)
	for m := range ids {
		ids[m] = goodyhookstest.NewMessageID()
		if m%3 == 0 {
			callbacks.failures[ids[m]] = 1
		}
		for c := 0; c < copies; c++ {
			deliveries = append(deliveries, delivery{id: ids[m]})
		}
	}
	var conflicts, failures atomic.Int64
	work := make(chan delivery)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				delivered := false
				for attempt := 0; attempt < 500 && !delivered; attempt++ {
					status, err := deliver(t, client, server.URL, d.id, body)
					switch {
					case err != nil:
						assert.NoError(t, err)
						return
					case status == http.StatusNoContent:
						delivered = true
					case status == http.StatusConflict:
						conflicts.Add(1)
						time.Sleep(time.Millisecond)
					case status == http.StatusInternalServerError:
						failures.Add(1)
					default:
						assert.Failf(t, "unexpected status", "%d for %s", status, d.id)
						return
					}
				}
				assert.True(t, delivered, "%s never got a 2xx", d.id)
			}
		}()
	}
	for _, d := range deliveries {
		work <- d
	}
	close(work)
	wg.Wait()

	for m, id := range ids {
		_, successes := callbacks.counts(id)
		assert.Equal(t, 1, successes, "message %d: callback successes", m)
	}
	assert.Positive(t, conflicts.Load(), "no copy arrived while another ran, so concurrent duplicates went untested")
	t.Logf("%d deliveries of %d messages: %d conflicts, %d callback failures",
		len(deliveries), messages, conflicts.Load(), failures.Load())
}

// flakyStore is a MemoryStore whose Claim fails while down is set.
type flakyStore struct {
	*goodyhooks.MemoryStore
	down atomic.Bool
}

var errStoreDown = errors.New("store unreachable")

func (s *flakyStore) Claim(ctx context.Context, id string) (goodyhooks.ClaimStatus, string, error) {
	if s.down.Load() {
		return 0, "", errStoreDown
	}
	return s.MemoryStore.Claim(ctx, id)
}

func TestDuplicateStoreDown(t *testing.T) {
	callbacks := newDupCallbacks()
	store := &flakyStore{MemoryStore: newDupStore(t)}
	server := newDupServer(t, store, callbacks)
	id := goodyhookstest.NewMessageID()
	body := dupBody(t)

	store.down.Store(true)
	status, err := deliver(t, server.Client(), server.URL, id, body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, status, "while the store is down")
	attempts, _ := callbacks.counts(id)
	assert.Zero(t, attempts, "callback ran without a claim")

	store.down.Store(false)
	status, err = deliver(t, server.Client(), server.URL, id, body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, status, "after the store is back")
	_, successes := callbacks.counts(id)
	assert.Equal(t, 1, successes)
}

func TestDuplicateStoreFull(t *testing.T) {
	callbacks := newDupCallbacks()
	callbacks.gate = make(chan struct{})
	callbacks.entered = make(chan string, 1)
	store, err := goodyhooks.NewMemoryStore(time.Hour, 1)
	require.NoError(t, err)
	server := newDupServer(t, store, callbacks)
	body := dupBody(t)

	first := make(chan int, 1)
	go func() {
		status, err := deliver(t, server.Client(), server.URL, goodyhookstest.NewMessageID(), body)
		assert.NoError(t, err)
		first <- status
	}()
	<-callbacks.entered

	// The only entry is a claim in progress, so another message cannot
	// be recorded and gets 503 rather than running unrecorded.
	status, err := deliver(t, server.Client(), server.URL, goodyhookstest.NewMessageID(), body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, status)

	close(callbacks.gate)
	assert.Equal(t, http.StatusNoContent, <-first)
}
