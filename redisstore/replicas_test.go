package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
	"github.com/goodyhooks/goodyhooks/redisstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const webhookPath = "/webhooks/goody"

// replica is one instance of a service behind a load balancer: its own
// Redis client, Store, Handler and HTTP server, sharing only the Redis
// server with the other replicas.
type replica struct {
	store   *redisstore.Store
	handler *goodyhooks.Handler
	server  *httptest.Server
}

// newReplica starts a replica whose Handler uses a Store on server, and
// stops it when the test ends.
func newReplica(t *testing.T, server *redisServer, logger *slog.Logger, options ...redisstore.Option) *replica {
	t.Helper()
	store, err := redisstore.New(server.newClient(), options...)
	require.NoError(t, err)

	handlerOptions := []goodyhooks.Option{goodyhooks.WithIdempotencyStore(store)}
	if logger != nil {
		handlerOptions = append(handlerOptions, goodyhooks.WithLogger(logger))
	}
	handler, err := goodyhooks.NewHandler(goodyhookstest.Secret, handlerOptions...)
	require.NoError(t, err)

	mux := http.NewServeMux()
	mux.Handle(webhookPath, handler)
	httpServer := httptest.NewServer(mux)
	t.Cleanup(httpServer.Close)
	return &replica{store: store, handler: handler, server: httpServer}
}

// delivery is one Svix message: the same body, id and timestamp on
// every attempt.
type delivery struct {
	body      []byte
	messageID string
	timestamp time.Time
}

func newDelivery(t *testing.T, typ goodyhooks.EventType) delivery {
	t.Helper()
	body, err := goodyhookstest.Marshal(goodyhookstest.Sample(typ))
	require.NoError(t, err)
	return delivery{body: body, messageID: goodyhookstest.NewMessageID(), timestamp: time.Now()}
}

// send posts the delivery to the replica and returns the status code.
// It may run on any goroutine, so it reports errors instead of failing
// the test.
func (d delivery) send(r *replica) (int, error) {
	request, err := goodyhookstest.NewClientRequest(r.server.URL+webhookPath, d.body,
		goodyhookstest.WithMessageID(d.messageID), goodyhookstest.WithTimestamp(d.timestamp))
	if err != nil {
		return 0, err
	}
	response, err := r.server.Client().Do(request)
	if err != nil {
		return 0, err
	}
	defer response.Body.Close()
	return response.StatusCode, nil
}

func (d delivery) sendTo(t *testing.T, r *replica) int {
	t.Helper()
	status, err := d.send(r)
	require.NoError(t, err, "delivering message %s", d.messageID)
	return status
}

func TestReplicasRunCallbackOnce(t *testing.T) {
	server := startRedis(t)
	replicas := []*replica{newReplica(t, server, nil), newReplica(t, server, nil)}
	message := newDelivery(t, goodyhooks.EventOrderShipped)
	wantOrderID := goodyhookstest.Sample(goodyhooks.EventOrderShipped).(*goodyhooks.OrderShipped).Data.ID

	// The first callback blocks until every other delivery has its
	// response, so each of them meets a claim in progress.
	var calls atomic.Int32
	release := make(chan struct{})
	var releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(unblock)
	var gotOrderIDs sync.Map
	for _, r := range replicas {
		r.handler.OnOrderShipped(func(ctx context.Context, e *goodyhooks.OrderShipped) error {
			gotOrderIDs.Store(e.Data.ID, e.MessageID)
			if calls.Add(1) > 1 {
				return nil
			}
			select {
			case <-release:
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
			}
			return nil
		})
	}

	const deliveries = 12
	type result struct {
		status int
		err    error
	}
	results := make(chan result, deliveries)
	for i := 0; i < deliveries; i++ {
		r := replicas[i%len(replicas)]
		go func() {
			status, err := message.send(r)
			results <- result{status: status, err: err}
		}()
	}

	receive := func() result {
		t.Helper()
		select {
		case res := <-results:
			return res
		case <-time.After(10 * time.Second):
			t.Fatal("no response to a delivery within 10s")
			return result{}
		}
	}
	for i := 0; i < deliveries-1; i++ {
		res := receive()
		require.NoError(t, res.err)
		assert.Equal(t, http.StatusConflict, res.status, "delivery while the first callback runs")
	}
	unblock()
	res := receive()
	require.NoError(t, res.err)
	assert.Equal(t, http.StatusNoContent, res.status, "delivery whose callback ran")
	assert.Equal(t, int32(1), calls.Load(), "callback runs")

	for i, r := range replicas {
		assert.Equal(t, http.StatusNoContent, message.sendTo(t, r), "retry to replica %d", i)
	}
	assert.Equal(t, int32(1), calls.Load(), "callback runs after the retries")

	messageID, ok := gotOrderIDs.Load(wantOrderID)
	require.True(t, ok, "callback did not get order %s", wantOrderID)
	assert.Equal(t, message.messageID, messageID)
}

func TestReplicasRetryFailedCallback(t *testing.T) {
	server := startRedis(t)
	first, second := newReplica(t, server, nil), newReplica(t, server, nil)
	message := newDelivery(t, goodyhooks.EventOrderDelivered)

	var calls atomic.Int32
	for _, r := range []*replica{first, second} {
		r.handler.OnOrderDelivered(func(ctx context.Context, e *goodyhooks.OrderDelivered) error {
			if calls.Add(1) == 1 {
				return errors.New("warehouse system unavailable")
			}
			return nil
		})
	}

	assert.Equal(t, http.StatusInternalServerError, message.sendTo(t, first), "failing callback")
	assert.Equal(t, http.StatusNoContent, message.sendTo(t, second), "retry on the other replica")
	assert.Equal(t, int32(2), calls.Load(), "callback runs after the retry")

	assert.Equal(t, http.StatusNoContent, message.sendTo(t, first), "retry after success")
	assert.Equal(t, int32(2), calls.Load(), "callback runs after a retry of a done message")
}

func TestReplicasCrashedClaimExpires(t *testing.T) {
	server := startRedis(t)
	const claimTTL = 200 * time.Millisecond
	crashed := newReplica(t, server, nil, redisstore.WithClaimTTL(claimTTL))
	survivor := newReplica(t, server, nil, redisstore.WithClaimTTL(claimTTL))
	message := newDelivery(t, goodyhooks.EventOrderCreated)

	var calls atomic.Int32
	survivor.handler.OnOrderCreated(func(ctx context.Context, e *goodyhooks.OrderCreated) error {
		calls.Add(1)
		return nil
	})

	// The crashed replica claimed the message and never finished it.
	status, _, err := crashed.store.Claim(context.Background(), message.messageID)
	require.NoError(t, err)
	require.Equal(t, goodyhooks.ClaimAcquired, status)

	assert.Equal(t, http.StatusConflict, message.sendTo(t, survivor), "retry while the claim holds")
	assert.Equal(t, int32(0), calls.Load(), "callback runs while the claim holds")

	waitForExpiry(t, server.newClient(), crashed.store.Key(message.messageID))

	assert.Equal(t, http.StatusNoContent, message.sendTo(t, survivor), "retry after the claim expired")
	assert.Equal(t, int32(1), calls.Load(), "callback runs after the claim expired")
}

func TestRedisDownReturns503(t *testing.T) {
	server := startRedis(t)
	var logs bytes.Buffer
	var logsMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{mu: &logsMu, w: &logs}, nil))
	r := newReplica(t, server, logger)

	var calls atomic.Int32
	r.handler.OnOrderRefunded(func(ctx context.Context, e *goodyhooks.OrderRefunded) error {
		calls.Add(1)
		return nil
	})

	before := newDelivery(t, goodyhooks.EventOrderRefunded)
	require.Equal(t, http.StatusNoContent, before.sendTo(t, r), "delivery while Redis runs")
	require.Equal(t, int32(1), calls.Load())

	server.Stop()
	message := newDelivery(t, goodyhooks.EventOrderRefunded)
	assert.Equal(t, http.StatusServiceUnavailable, message.sendTo(t, r), "delivery while Redis is down")
	assert.Equal(t, int32(1), calls.Load(), "callback runs while Redis is down")

	logsMu.Lock()
	logged := logs.String()
	logsMu.Unlock()
	assert.Contains(t, logged, "idempotency store failed")
	assert.Contains(t, logged, "svix_id="+message.messageID)
	assert.NotContains(t, logged, string(message.body), "logs must not contain the body")

	server.Start()
	assert.Equal(t, http.StatusNoContent, message.sendTo(t, r), "retry after Redis is back")
	assert.Equal(t, int32(2), calls.Load(), "callback runs after Redis is back")
}

// lockedWriter serializes writes from the handlers' goroutines.
type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
