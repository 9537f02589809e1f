package goodyhooks

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// storeClock is a replaceable clock for a MemoryStore.
type storeClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *storeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *storeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

// newClockedStore returns a MemoryStore that reads the time from a
// clock the test moves.
func newClockedStore(t *testing.T, ttl time.Duration, maxEntries int) (*MemoryStore, *storeClock) {
	t.Helper()
	store, err := NewMemoryStore(ttl, maxEntries)
	require.NoError(t, err)
	clock := &storeClock{at: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	store.now = clock.now
	return store, clock
}

// claim calls Claim and requires it to succeed.
func claim(t *testing.T, store *MemoryStore, id string) ClaimStatus {
	t.Helper()
	status, _ := claimWithToken(t, store, id)
	return status
}

// claimWithToken calls Claim, requires it to succeed and returns the
// token too.
func claimWithToken(t *testing.T, store *MemoryStore, id string) (ClaimStatus, string) {
	t.Helper()
	status, token, err := store.Claim(context.Background(), id)
	require.NoError(t, err, "Claim(%q)", id)
	return status, token
}

func TestNewMemoryStoreInvalid(t *testing.T) {
	tests := []struct {
		name       string
		ttl        time.Duration
		maxEntries int
	}{
		{name: "zero ttl", ttl: 0, maxEntries: 10},
		{name: "negative ttl", ttl: -time.Second, maxEntries: 10},
		{name: "zero size", ttl: time.Hour, maxEntries: 0},
		{name: "negative size", ttl: time.Hour, maxEntries: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, err := NewMemoryStore(tt.ttl, tt.maxEntries)
			require.Error(t, err)
			assert.Nil(t, store)
			assert.Contains(t, err.Error(), "goodyhooks: invalid idempotency")
		})
	}
}

func TestMemoryStoreLifecycle(t *testing.T) {
	ctx := context.Background()
	store, _ := newClockedStore(t, time.Hour, 10)

	status, token := claimWithToken(t, store, "msg_a")
	assert.Equal(t, ClaimAcquired, status, "first claim")
	assert.NotEmpty(t, token)
	assert.Equal(t, ClaimInProgress, claim(t, store, "msg_a"), "claim while in progress")
	require.NoError(t, store.Release(ctx, "msg_a", "not-the-token"))
	assert.Equal(t, ClaimInProgress, claim(t, store, "msg_a"), "claim after a release with another token")
	require.NoError(t, store.Release(ctx, "msg_a", token))
	status, second := claimWithToken(t, store, "msg_a")
	assert.Equal(t, ClaimAcquired, status, "claim after release")
	assert.NotEqual(t, token, second, "each claim has its own token")
	require.NoError(t, store.Complete(ctx, "msg_a", second))
	assert.Equal(t, ClaimDone, claim(t, store, "msg_a"), "claim after complete")

	// Release drops only a claim in progress, never a done message.
	require.NoError(t, store.Release(ctx, "msg_a", second))
	assert.Equal(t, ClaimDone, claim(t, store, "msg_a"), "claim after releasing a done message")
	require.NoError(t, store.Release(ctx, "msg_unknown", ""))
	assert.Equal(t, 1, store.Len())
}

func TestMemoryStoreCompleteUnclaimed(t *testing.T) {
	store, _ := newClockedStore(t, time.Hour, 10)
	require.NoError(t, store.Complete(context.Background(), "msg_a", ""))
	assert.Equal(t, ClaimDone, claim(t, store, "msg_a"))
}

func TestMemoryStoreExpiry(t *testing.T) {
	const ttl = time.Hour
	tests := []struct {
		name    string
		done    bool
		elapsed time.Duration
		want    ClaimStatus
	}{
		{name: "in progress before ttl", elapsed: ttl - time.Nanosecond, want: ClaimInProgress},
		{name: "in progress at ttl", elapsed: ttl, want: ClaimAcquired},
		{name: "in progress after ttl", elapsed: 2 * ttl, want: ClaimAcquired},
		{name: "done before ttl", done: true, elapsed: ttl - time.Nanosecond, want: ClaimDone},
		{name: "done at ttl", done: true, elapsed: ttl, want: ClaimAcquired},
		{name: "done after ttl", done: true, elapsed: 2 * ttl, want: ClaimAcquired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, clock := newClockedStore(t, ttl, 10)
			require.Equal(t, ClaimAcquired, claim(t, store, "msg_a"))
			if tt.done {
				require.NoError(t, store.Complete(context.Background(), "msg_a", ""))
			}
			clock.advance(tt.elapsed)
			assert.Equal(t, tt.want, claim(t, store, "msg_a"))
			assert.Equal(t, 1, store.Len(), "an expired entry is replaced, not added to")
		})
	}
}

func TestMemoryStoreCompleteRestartsTTL(t *testing.T) {
	const ttl = time.Hour
	store, clock := newClockedStore(t, ttl, 10)
	require.Equal(t, ClaimAcquired, claim(t, store, "msg_a"))
	clock.advance(ttl / 2)
	require.NoError(t, store.Complete(context.Background(), "msg_a", ""))

	// The done entry lives ttl from Complete, not from Claim.
	clock.advance(ttl - time.Nanosecond)
	assert.Equal(t, ClaimDone, claim(t, store, "msg_a"))
	clock.advance(time.Nanosecond)
	assert.Equal(t, ClaimAcquired, claim(t, store, "msg_a"))
}

func TestMemoryStoreEvictsOldestDone(t *testing.T) {
	ctx := context.Background()
	store, clock := newClockedStore(t, time.Hour, 3)

	// msg_p stays in progress in front of two done entries.
	require.Equal(t, ClaimAcquired, claim(t, store, "msg_p"))
	for _, id := range []string{"msg_a", "msg_b"} {
		clock.advance(time.Second)
		require.Equal(t, ClaimAcquired, claim(t, store, id))
		require.NoError(t, store.Complete(ctx, id, ""))
	}
	require.Equal(t, 3, store.Len())

	clock.advance(time.Second)
	assert.Equal(t, ClaimAcquired, claim(t, store, "msg_c"), "claim into a full store")
	assert.Equal(t, 3, store.Len(), "size after eviction")
	assert.Equal(t, ClaimInProgress, claim(t, store, "msg_p"), "the claim in progress is kept")
	assert.Equal(t, ClaimDone, claim(t, store, "msg_b"), "the newer done entry is kept")

	// msg_a was the oldest done entry, so it is gone, and claiming it
	// again evicts msg_b, the last done entry. Only claims in progress
	// are left, so msg_b finds the store full.
	assert.Equal(t, ClaimAcquired, claim(t, store, "msg_a"), "the oldest done entry was evicted")
	_, _, err := store.Claim(ctx, "msg_b")
	require.ErrorIs(t, err, ErrStoreFull, "msg_b was evicted next")
}

func TestMemoryStoreCompleteMovesToBack(t *testing.T) {
	ctx := context.Background()
	store, clock := newClockedStore(t, time.Hour, 2)
	require.Equal(t, ClaimAcquired, claim(t, store, "msg_a"))
	clock.advance(time.Second)
	require.Equal(t, ClaimAcquired, claim(t, store, "msg_b"))
	require.NoError(t, store.Complete(ctx, "msg_b", ""))
	clock.advance(time.Second)
	require.NoError(t, store.Complete(ctx, "msg_a", ""))

	// msg_a was claimed first but completed last, so msg_b is older.
	require.Equal(t, ClaimAcquired, claim(t, store, "msg_c"))
	assert.Equal(t, ClaimDone, claim(t, store, "msg_a"))
	assert.Equal(t, 2, store.Len())
}

func TestMemoryStoreDropsExpiredFirst(t *testing.T) {
	ctx := context.Background()
	const ttl = time.Hour
	store, clock := newClockedStore(t, ttl, 4)
	for _, id := range []string{"msg_a", "msg_b", "msg_c"} {
		require.Equal(t, ClaimAcquired, claim(t, store, id))
		require.NoError(t, store.Complete(ctx, id, ""))
	}
	clock.advance(ttl)
	require.Equal(t, ClaimAcquired, claim(t, store, "msg_d"))
	require.Equal(t, 4, store.Len())

	// A claim into the full store drops all three expired entries.
	require.Equal(t, ClaimAcquired, claim(t, store, "msg_e"))
	assert.Equal(t, 2, store.Len())
	assert.Equal(t, ClaimInProgress, claim(t, store, "msg_d"))
}

func TestMemoryStoreFull(t *testing.T) {
	ctx := context.Background()
	const ttl = time.Hour
	store, clock := newClockedStore(t, ttl, 2)
	statusA, tokenA := claimWithToken(t, store, "msg_a")
	require.Equal(t, ClaimAcquired, statusA)
	require.Equal(t, ClaimAcquired, claim(t, store, "msg_b"))

	status, _, err := store.Claim(ctx, "msg_c")
	require.ErrorIs(t, err, ErrStoreFull)
	assert.Zero(t, status)
	assert.Equal(t, 2, store.Len())
	assert.Equal(t, ClaimInProgress, claim(t, store, "msg_a"), "a full store still reports its claims")
	require.ErrorIs(t, store.Complete(ctx, "msg_c", ""), ErrStoreFull, "Complete of an unclaimed id")

	require.NoError(t, store.Release(ctx, "msg_a", tokenA))
	assert.Equal(t, ClaimAcquired, claim(t, store, "msg_c"), "claim after a release makes room")

	// Claims in progress expire too, so a full store does not stay
	// full past the ttl.
	_, _, err = store.Claim(ctx, "msg_d")
	require.ErrorIs(t, err, ErrStoreFull)
	clock.advance(ttl)
	assert.Equal(t, ClaimAcquired, claim(t, store, "msg_d"), "claim after the claims expired")
}

func TestMemoryStoreSizeBound(t *testing.T) {
	ctx := context.Background()
	const maxEntries = 50
	store, clock := newClockedStore(t, time.Hour, maxEntries)
	for i := 0; i < 10*maxEntries; i++ {
		id := fmt.Sprintf("msg_%d", i)
		clock.advance(time.Millisecond)
		require.Equal(t, ClaimAcquired, claim(t, store, id))
		require.NoError(t, store.Complete(ctx, id, ""))
		require.LessOrEqual(t, store.Len(), maxEntries, "after %d messages", i+1)
	}
	assert.Equal(t, maxEntries, store.Len())
	assert.Equal(t, ClaimDone, claim(t, store, fmt.Sprintf("msg_%d", 10*maxEntries-1)), "newest kept")
	assert.Equal(t, ClaimAcquired, claim(t, store, "msg_0"), "oldest evicted")
}

func TestMemoryStoreConcurrentClaim(t *testing.T) {
	const (
		messages   = 50
		goroutines = 16
	)
	store, err := NewMemoryStore(time.Hour, messages)
	require.NoError(t, err)

	for m := 0; m < messages; m++ {
		id := fmt.Sprintf("msg_%d", m)
		statuses := make(chan ClaimStatus, goroutines)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for g := 0; g < goroutines; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				status, _, err := store.Claim(context.Background(), id)
				assert.NoError(t, err)
				statuses <- status
			}()
		}
		close(start)
		wg.Wait()
		close(statuses)

		counts := map[ClaimStatus]int{}
		for status := range statuses {
			counts[status]++
		}
		assert.Equal(t, 1, counts[ClaimAcquired], "%s: claims acquired", id)
		assert.Equal(t, goroutines-1, counts[ClaimInProgress], "%s: claims in progress", id)
	}
}

func TestMemoryStoreConcurrentUse(t *testing.T) {
	const (
		maxEntries = 32
		goroutines = 8
		rounds     = 500
	)
	store, err := NewMemoryStore(time.Hour, maxEntries)
	require.NoError(t, err)

	// Each goroutine claims, then completes or releases, ids that the
	// others claim too. A message acquired by one goroutine must not be
	// acquired by another until it is released.
	var mu sync.Mutex
	holders := map[string]int{}
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			ctx := context.Background()
			for i := 0; i < rounds; i++ {
				id := fmt.Sprintf("msg_%d", (i*7+g)%(2*maxEntries))
				status, token, err := store.Claim(ctx, id)
				if err != nil {
					assert.ErrorIs(t, err, ErrStoreFull)
					continue
				}
				if status != ClaimAcquired {
					continue
				}
				mu.Lock()
				holders[id]++
				held := holders[id]
				mu.Unlock()
				assert.Equal(t, 1, held, "%s acquired twice at once", id)

				mu.Lock()
				holders[id]--
				mu.Unlock()
				if i%3 == 0 {
					assert.NoError(t, store.Release(ctx, id, token))
				} else {
					assert.NoError(t, store.Complete(ctx, id, token))
				}
			}
		}(g)
	}
	wg.Wait()
	assert.LessOrEqual(t, store.Len(), maxEntries)
}

func TestClaimStatusString(t *testing.T) {
	tests := []struct {
		status ClaimStatus
		want   string
	}{
		{ClaimAcquired, "acquired"},
		{ClaimDone, "done"},
		{ClaimInProgress, "in progress"},
		{ClaimStatus(0), "ClaimStatus(0)"},
		{ClaimStatus(9), "ClaimStatus(9)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.status.String())
		})
	}
}

// TestMemoryStoreStaleRelease covers a callback that outlives its claim:
// its Release must not drop the claim that a later delivery took since,
// or a third delivery would run the callback alongside the second.
func TestMemoryStoreStaleRelease(t *testing.T) {
	ctx := context.Background()
	const ttl = time.Minute
	store, clock := newClockedStore(t, ttl, 10)

	_, stale := claimWithToken(t, store, "msg_slow")
	clock.advance(ttl)
	status, live := claimWithToken(t, store, "msg_slow")
	require.Equal(t, ClaimAcquired, status, "claim after the first expired")

	require.NoError(t, store.Release(ctx, "msg_slow", stale))
	assert.Equal(t, ClaimInProgress, claim(t, store, "msg_slow"), "the live claim survives a stale release")
	require.NoError(t, store.Complete(ctx, "msg_slow", live))
	assert.Equal(t, ClaimDone, claim(t, store, "msg_slow"))
}
