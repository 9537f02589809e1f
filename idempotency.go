package goodyhooks

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// ClaimStatus is the outcome of [IdempotencyStore.Claim].
type ClaimStatus int

const (
	// ClaimAcquired means the caller now holds the message and must run
	// its callback, then call Complete or Release.
	ClaimAcquired ClaimStatus = iota + 1
	// ClaimDone means a callback for the message already succeeded.
	ClaimDone
	// ClaimInProgress means another delivery of the message holds the
	// claim and may still be running its callback.
	ClaimInProgress
)

func (s ClaimStatus) String() string {
	switch s {
	case ClaimAcquired:
		return "acquired"
	case ClaimDone:
		return "done"
	case ClaimInProgress:
		return "in progress"
	}
	return fmt.Sprintf("ClaimStatus(%d)", int(s))
}

// IdempotencyStore records which Svix messages a [Handler] has handled,
// keyed by the Svix message id, so that a message delivered twice runs
// its callback once. Svix delivers at least once: it retries a message
// after any non-2xx response or timeout, and a person can re-send it from
// the dashboard, always with the same message id.
//
// With a store, a Handler responds to a delivery as follows:
//   - Claim returns ClaimAcquired: the callback runs. On success the
//     Handler calls Complete and responds 204; on error or panic it calls
//     Release and responds 500, so that the next retry runs the callback.
//   - Claim returns ClaimDone: 204 without running the callback.
//   - Claim returns ClaimInProgress: 409, so that Svix retries later.
//   - Claim returns an error: 503, so that Svix retries later and no
//     message is lost while the store is unreachable.
//
// Implementations must be safe for concurrent use, and Claim must be
// atomic: of several concurrent Claims of one id, at most one returns
// ClaimAcquired. [NewMemoryStore] returns one for a single process; the
// module github.com/goodyhooks/goodyhooks/redisstore has one that
// several replicas can share.
type IdempotencyStore interface {
	// Claim marks messageID as in progress unless it is already in
	// progress or done, and returns which of the three it found. With
	// ClaimAcquired it also returns a token that identifies this claim
	// among all claims of the message, past and future.
	Claim(ctx context.Context, messageID string) (status ClaimStatus, token string, err error)
	// Complete marks messageID as done, so that later Claims return
	// ClaimDone until the record expires. It does so even if the claim
	// of token has expired meanwhile, since the callback succeeded.
	Complete(ctx context.Context, messageID, token string) error
	// Release drops the claim on messageID if token still holds it, so
	// that the next Claim returns ClaimAcquired. A claim that expired
	// and was taken by another delivery since is left alone.
	Release(ctx context.Context, messageID, token string) error
}

// ErrStoreFull is returned by [MemoryStore.Claim] when every entry is a
// claim still in progress, so none can be evicted to make room.
var ErrStoreFull = errors.New("goodyhooks: idempotency store full of claims in progress")

// MemoryStore is an [IdempotencyStore] held in the memory of one
// process. It suits a service that runs as a single replica. It is safe
// for concurrent use.
//
// An entry, in progress or done, expires ttl after it was last written.
// When the store holds maxEntries entries, a new claim first drops the
// expired ones, then the oldest done entry. A later delivery of a
// message whose entry was dropped runs its callback again, so size the
// store for the messages that arrive within ttl.
type MemoryStore struct {
	ttl        time.Duration
	maxEntries int
	now        func() time.Time

	mu      sync.Mutex
	entries map[string]*list.Element
	order   *list.List // of *memoryEntry, oldest write first
	claims  uint64     // claims made so far, the source of tokens
}

type memoryEntry struct {
	messageID string
	token     string
	done      bool
	expires   time.Time
}

// NewMemoryStore returns a MemoryStore whose entries expire after ttl
// and that holds at most maxEntries of them. Svix retries a message for
// about a day, so a ttl of 48 hours covers every automatic retry. It
// returns an error if ttl or maxEntries is not positive.
func NewMemoryStore(ttl time.Duration, maxEntries int) (*MemoryStore, error) {
	if ttl <= 0 {
		return nil, fmt.Errorf(
			"goodyhooks: invalid idempotency ttl %v; want a positive duration such as 48*time.Hour",
			ttl,
		)
	}
	if maxEntries <= 0 {
		return nil, fmt.Errorf(
			"goodyhooks: invalid idempotency store size %d; want a positive number of entries",
			maxEntries,
		)
	}
	return &MemoryStore{
		ttl:        ttl,
		maxEntries: maxEntries,
		now:        time.Now,
		entries:    make(map[string]*list.Element),
		order:      list.New(),
	}, nil
}

// Claim implements [IdempotencyStore]. It returns [ErrStoreFull] when the
// store is full of claims in progress.
func (s *MemoryStore) Claim(_ context.Context, messageID string) (ClaimStatus, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	now := s.now()
	if element, ok := s.entries[messageID]; ok {
		entry := element.Value.(*memoryEntry)
		if now.Before(entry.expires) {
			if entry.done {
				return ClaimDone, "", nil
			}
			return ClaimInProgress, "", nil
		}
		s.remove(element)
	}
	if len(s.entries) >= s.maxEntries && !s.evict(now) {
		return 0, "", ErrStoreFull
	}
	s.claims++
	token := strconv.FormatUint(s.claims, 10)
	entry := &memoryEntry{messageID: messageID, token: token, expires: now.Add(s.ttl)}
	s.entries[messageID] = s.order.PushBack(entry)
	return ClaimAcquired, token, nil
}

// Complete implements [IdempotencyStore].
func (s *MemoryStore) Complete(_ context.Context, messageID, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	entry := &memoryEntry{messageID: messageID, done: true, expires: s.now().Add(s.ttl)}
	if element, ok := s.entries[messageID]; ok {
		s.remove(element)
	} else if len(s.entries) >= s.maxEntries && !s.evict(s.now()) {
		return ErrStoreFull
	}
	s.entries[messageID] = s.order.PushBack(entry)
	return nil
}

// Release implements [IdempotencyStore]. Releasing an id that is not
// claimed, or whose claim another token holds, does nothing.
func (s *MemoryStore) Release(_ context.Context, messageID, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	element, ok := s.entries[messageID]
	if !ok {
		return nil
	}
	entry := element.Value.(*memoryEntry)
	if !entry.done && entry.token == token {
		s.remove(element)
	}
	return nil
}

// Len returns the number of entries, including expired ones not yet
// dropped.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

func (s *MemoryStore) remove(element *list.Element) {
	s.order.Remove(element)
	delete(s.entries, element.Value.(*memoryEntry).messageID)
}

// evict makes room for one entry: it drops the expired entries, and if
// none was expired, the oldest done entry. It reports whether there is
// room. Every write moves its entry to the back with the same ttl, so
// the list is in expiry order and the expired entries are at the front.
// The caller holds s.mu.
func (s *MemoryStore) evict(now time.Time) bool {
	for element := s.order.Front(); element != nil; element = s.order.Front() {
		if now.Before(element.Value.(*memoryEntry).expires) {
			break
		}
		s.remove(element)
	}
	if len(s.entries) < s.maxEntries {
		return true
	}
	for element := s.order.Front(); element != nil; element = element.Next() {
		if element.Value.(*memoryEntry).done {
			s.remove(element)
			return true
		}
	}
	return false
}
