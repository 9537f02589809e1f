package redisstore_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/redisstore"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var _ goodyhooks.IdempotencyStore = (*redisstore.Store)(nil)

func TestNewInvalid(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = client.Close() })

	tests := []struct {
		name    string
		client  redis.UniversalClient
		options []redisstore.Option
		want    string
	}{
		{name: "nil client", client: nil, want: "nil Redis client"},
		{name: "nil option", client: client, options: []redisstore.Option{nil}, want: "nil Option"},
		{name: "empty prefix", client: client, options: []redisstore.Option{redisstore.WithPrefix("")},
			want: "empty key prefix"},
		{name: "zero claim TTL", client: client, options: []redisstore.Option{redisstore.WithClaimTTL(0)},
			want: "invalid claim TTL 0s"},
		{name: "claim TTL under 1ms", client: client,
			options: []redisstore.Option{redisstore.WithClaimTTL(time.Microsecond)},
			want:    "invalid claim TTL 1µs"},
		{name: "negative done TTL", client: client, options: []redisstore.Option{redisstore.WithDoneTTL(-time.Hour)},
			want: "invalid done TTL -1h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, err := redisstore.New(tt.client, tt.options...)
			require.Error(t, err)
			assert.Nil(t, store)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestKey(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = client.Close() })

	store, err := redisstore.New(client)
	require.NoError(t, err)
	assert.Equal(t, "goodyhooks:idempotency:msg_1", store.Key("msg_1"))

	store, err = redisstore.New(client, redisstore.WithPrefix("shop:hooks"))
	require.NoError(t, err)
	assert.Equal(t, "shop:hooks:msg_1", store.Key("msg_1"))
}

func TestClaimLifecycle(t *testing.T) {
	server := startRedis(t)
	client := server.newClient()
	ctx := context.Background()

	store, err := redisstore.New(client, redisstore.WithDoneTTL(time.Hour))
	require.NoError(t, err)
	key := store.Key("msg_lifecycle")

	status, token, err := store.Claim(ctx, "msg_lifecycle")
	require.NoError(t, err)
	assert.Equal(t, goodyhooks.ClaimAcquired, status)
	assert.Len(t, token, 32)

	claimTTL, err := client.PTTL(ctx, key).Result()
	require.NoError(t, err)
	assert.Greater(t, claimTTL, time.Duration(0), "a claim must expire")
	assert.LessOrEqual(t, claimTTL, redisstore.DefaultClaimTTL)

	status, _, err = store.Claim(ctx, "msg_lifecycle")
	require.NoError(t, err)
	assert.Equal(t, goodyhooks.ClaimInProgress, status, "second claim of the same Store")

	require.NoError(t, store.Complete(ctx, "msg_lifecycle", token))
	value, err := client.Get(ctx, key).Result()
	require.NoError(t, err)
	assert.Equal(t, "done", value)

	doneTTL, err := client.PTTL(ctx, key).Result()
	require.NoError(t, err)
	assert.Greater(t, doneTTL, redisstore.DefaultClaimTTL, "the done TTL replaces the claim TTL")
	assert.LessOrEqual(t, doneTTL, time.Hour)

	status, _, err = store.Claim(ctx, "msg_lifecycle")
	require.NoError(t, err)
	assert.Equal(t, goodyhooks.ClaimDone, status)

	require.NoError(t, store.Release(ctx, "msg_lifecycle", token))
	value, err = client.Get(ctx, key).Result()
	require.NoError(t, err)
	assert.Equal(t, "done", value, "Release after Complete must keep the done record")
}

func TestReleaseThenClaim(t *testing.T) {
	server := startRedis(t)
	client := server.newClient()
	ctx := context.Background()

	first, err := redisstore.New(client)
	require.NoError(t, err)
	second, err := redisstore.New(client)
	require.NoError(t, err)

	status, token, err := first.Claim(ctx, "msg_release")
	require.NoError(t, err)
	require.Equal(t, goodyhooks.ClaimAcquired, status)

	status, other, err := second.Claim(ctx, "msg_release")
	require.NoError(t, err)
	assert.Equal(t, goodyhooks.ClaimInProgress, status, "claim held by another Store")
	assert.Empty(t, other)

	require.NoError(t, second.Release(ctx, "msg_release", other), "releasing without a token")
	require.NoError(t, second.Release(ctx, "msg_release", "0123456789abcdef0123456789abcdef"),
		"releasing with a token that does not hold the claim")
	exists, err := client.Exists(ctx, first.Key("msg_release")).Result()
	require.NoError(t, err)
	assert.Equal(t, int64(1), exists, "another Store's Release must not drop the claim")

	require.NoError(t, first.Release(ctx, "msg_release", token))
	exists, err = client.Exists(ctx, first.Key("msg_release")).Result()
	require.NoError(t, err)
	assert.Equal(t, int64(0), exists, "Release by the holder deletes the key")

	status, _, err = second.Claim(ctx, "msg_release")
	require.NoError(t, err)
	assert.Equal(t, goodyhooks.ClaimAcquired, status, "claim after Release")
}

func TestClaimExpires(t *testing.T) {
	server := startRedis(t)
	client := server.newClient()
	ctx := context.Background()

	crashed, err := redisstore.New(client, redisstore.WithClaimTTL(100*time.Millisecond))
	require.NoError(t, err)
	survivor, err := redisstore.New(client, redisstore.WithClaimTTL(time.Minute))
	require.NoError(t, err)

	status, staleToken, err := crashed.Claim(ctx, "msg_expiry")
	require.NoError(t, err)
	require.Equal(t, goodyhooks.ClaimAcquired, status)

	status, _, err = survivor.Claim(ctx, "msg_expiry")
	require.NoError(t, err)
	assert.Equal(t, goodyhooks.ClaimInProgress, status, "claim before expiry")

	waitForExpiry(t, client, crashed.Key("msg_expiry"))

	status, liveToken, err := survivor.Claim(ctx, "msg_expiry")
	require.NoError(t, err)
	assert.Equal(t, goodyhooks.ClaimAcquired, status, "claim after the first claim expired")

	// The Store whose claim expired must not drop the new claim.
	require.NoError(t, crashed.Release(ctx, "msg_expiry", staleToken))
	status, _, err = survivor.Claim(ctx, "msg_expiry")
	require.NoError(t, err)
	assert.Equal(t, goodyhooks.ClaimInProgress, status, "claim after a stale Release")

	// A callback that succeeded after its claim expired is still
	// recorded, and the later holder's Release keeps that record.
	require.NoError(t, crashed.Complete(ctx, "msg_expiry", staleToken))
	require.NoError(t, survivor.Release(ctx, "msg_expiry", liveToken))
	status, _, err = survivor.Claim(ctx, "msg_expiry")
	require.NoError(t, err)
	assert.Equal(t, goodyhooks.ClaimDone, status, "claim after a late Complete")
}

// waitForExpiry waits until Redis no longer has key, for at most 5
// seconds.
func waitForExpiry(t *testing.T, client *redis.Client, key string) {
	t.Helper()
	require.Eventually(t, func() bool {
		exists, err := client.Exists(context.Background(), key).Result()
		return err == nil && exists == 0
	}, 5*time.Second, 10*time.Millisecond, "key %s did not expire", key)
}

func TestStorePrefixesSeparate(t *testing.T) {
	server := startRedis(t)
	client := server.newClient()
	ctx := context.Background()

	shop, err := redisstore.New(client, redisstore.WithPrefix("shop"))
	require.NoError(t, err)
	billing, err := redisstore.New(client, redisstore.WithPrefix("billing"))
	require.NoError(t, err)

	for _, store := range []*redisstore.Store{shop, billing} {
		status, _, err := store.Claim(ctx, "msg_prefix")
		require.NoError(t, err)
		assert.Equal(t, goodyhooks.ClaimAcquired, status, "claim under prefix %s", store.Key(""))
	}
}

func TestEmptyMessageID(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = client.Close() })
	store, err := redisstore.New(client)
	require.NoError(t, err)

	_, _, err = store.Claim(context.Background(), "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "empty message id")
}

func TestStoreUnreachable(t *testing.T) {
	// A port that was free a moment ago has no server on it.
	client := redis.NewClient(&redis.Options{
		Addr:        net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t))),
		DialTimeout: time.Second,
		MaxRetries:  -1,
	})
	t.Cleanup(func() { _ = client.Close() })
	store, err := redisstore.New(client)
	require.NoError(t, err)
	ctx := context.Background()

	_, _, err = store.Claim(ctx, "msg_unreachable")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `claiming message "msg_unreachable" failed`)
	var opErr *net.OpError
	assert.True(t, errors.As(err, &opErr), "error %v must wrap the dial error", err)

	err = store.Complete(ctx, "msg_unreachable", "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `recording message "msg_unreachable" as done failed`)
}

func TestReleaseUnreachable(t *testing.T) {
	server := startRedis(t)
	client := server.newClient()
	ctx := context.Background()
	store, err := redisstore.New(client)
	require.NoError(t, err)

	status, token, err := store.Claim(ctx, "msg_release_down")
	require.NoError(t, err)
	require.Equal(t, goodyhooks.ClaimAcquired, status)

	server.Stop()
	err = store.Release(ctx, "msg_release_down", token)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `releasing the claim on message "msg_release_down" failed`)
	assert.Contains(t, err.Error(), "after the claim TTL of 1m0s")
}

func TestClaimCanceledContext(t *testing.T) {
	server := startRedis(t)
	store, err := redisstore.New(server.newClient())
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = store.Claim(ctx, "msg_canceled")
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
}

// TestStaleReleaseSameStore covers one process whose callback outlives
// its claim while a retry to the same process claims the message
// again: the late Release carries the expired token and must keep the
// retry's claim.
func TestStaleReleaseSameStore(t *testing.T) {
	server := startRedis(t)
	client := server.newClient()
	ctx := context.Background()
	store, err := redisstore.New(client, redisstore.WithClaimTTL(100*time.Millisecond))
	require.NoError(t, err)

	_, stale, err := store.Claim(ctx, "msg_same_store")
	require.NoError(t, err)
	waitForExpiry(t, client, store.Key("msg_same_store"))
	status, live, err := store.Claim(ctx, "msg_same_store")
	require.NoError(t, err)
	require.Equal(t, goodyhooks.ClaimAcquired, status)
	require.NotEqual(t, stale, live)

	require.NoError(t, store.Release(ctx, "msg_same_store", stale))
	value, err := client.Get(ctx, store.Key("msg_same_store")).Result()
	require.NoError(t, err)
	assert.Equal(t, live, value, "the retry's claim must survive the stale release")
}
