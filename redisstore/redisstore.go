// Package redisstore is a [goodyhooks.IdempotencyStore] kept in Redis,
// so that several replicas of a service behind a load balancer run the
// callback of each Svix message once between them.
//
// Give every replica a [Store] on the same Redis, with the same key
// prefix, and pass it to [goodyhooks.WithIdempotencyStore]:
//
//	client := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	store, err := redisstore.New(client)
//	if err != nil {
//		return err
//	}
//	handler, err := goodyhooks.NewHandler(secret, goodyhooks.WithIdempotencyStore(store))
//
// Each message is one Redis key, "<prefix>:<svix message id>". A claim
// sets the key to a random token with SET NX and an expiry of the claim
// TTL. Of several replicas that receive the same message at the same
// time, only one sets the key and runs the callback. The expiry ends a
// claim held by a replica that crashed. A successful callback sets the
// key to "done" for the done TTL. A failed callback deletes the key if it still holds
// the claim's token, so that Svix's next retry runs the callback again.
//
// When Redis cannot be reached, Claim returns an error and the
// [goodyhooks.Handler] responds with 503 Service Unavailable without
// running the callback. Svix then retries the message later, so nothing is lost
// while Redis is down, as long as it is back before Svix stops retrying
// after about a day.
package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/goodyhooks/goodyhooks"
	"github.com/redis/go-redis/v9"
)

const (
	// DefaultPrefix is the start of every key the Store writes, unless
	// [WithPrefix] sets another.
	DefaultPrefix = "goodyhooks:idempotency"

	// DefaultClaimTTL is how long a claim lasts unless [WithClaimTTL]
	// sets another. Svix stops waiting for a response after 15 seconds,
	// so callbacks are expected to finish well within it.
	DefaultClaimTTL = time.Minute

	// DefaultDoneTTL is how long a message stays recorded as done
	// unless [WithDoneTTL] sets another. Svix retries a message over
	// about a day, so 48 hours covers every automatic retry.
	DefaultDoneTTL = 48 * time.Hour
)

// doneValue is the value of the key of a message whose callback
// succeeded. Claim tokens are 32 hexadecimal digits, so none equals it.
const doneValue = "done"

// claimScript sets the key to this claim's token unless it exists, and
// otherwise reads it, in one atomic step. With SET NX and GET sent one
// after the other, a claim that expired in between would read as
// missing. It returns 1 for acquired, 2 for done and 3 for in progress.
//
// KEYS[1] is the message's key, ARGV[1] the token and ARGV[2] the claim
// TTL in milliseconds.
var claimScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
	return 1
end
if redis.call('GET', KEYS[1]) == 'done' then
	return 2
end
return 3
`)

// releaseScript deletes the key only if it still holds the token, so
// that a replica whose claim expired cannot drop the claim that another
// replica took since. It returns the number of keys deleted.
//
// KEYS[1] is the message's key and ARGV[1] the token.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)

// Store is a [goodyhooks.IdempotencyStore] kept in Redis. It is safe for
// concurrent use.
//
// Stores on the same Redis with the same prefix share their records,
// whether they run in one process or in many.
type Store struct {
	client   redis.UniversalClient
	prefix   string
	claimTTL time.Duration
	doneTTL  time.Duration
}

// Option configures [New].
type Option func(*Store) error

// WithPrefix sets the start of every key, which is followed by a colon
// and the Svix message id. It must not be empty. Replicas that share
// records must use the same prefix, and services that must not share
// them, such as two Goody endpoints, different ones. The default is
// [DefaultPrefix].
func WithPrefix(prefix string) Option {
	return func(s *Store) error {
		if prefix == "" {
			return errors.New("redisstore: empty key prefix; pass a name such as " +
				`"goodyhooks:idempotency", or leave WithPrefix out`)
		}
		s.prefix = prefix
		return nil
	}
}

// WithClaimTTL sets how long a claim lasts before it expires, so that a
// message claimed by a replica that crashed runs on the next retry. Set
// it longer than the slowest callback: when a claim expires while its
// callback still runs, a retry can run the callback a second time. It
// must be at least a millisecond, the unit Redis counts in. The default
// is [DefaultClaimTTL].
func WithClaimTTL(d time.Duration) Option {
	return func(s *Store) error {
		if d < time.Millisecond {
			return fmt.Errorf("redisstore: invalid claim TTL %v; want at least 1ms, "+
				"and longer than the slowest callback, such as time.Minute", d)
		}
		s.claimTTL = d
		return nil
	}
}

// WithDoneTTL sets how long a message stays recorded as done. After it,
// a delivery of the same message runs the callback again. It must be at
// least a millisecond. The default is [DefaultDoneTTL].
func WithDoneTTL(d time.Duration) Option {
	return func(s *Store) error {
		if d < time.Millisecond {
			return fmt.Errorf("redisstore: invalid done TTL %v; want at least 1ms, "+
				"and longer than Svix retries a message, such as 48*time.Hour", d)
		}
		s.doneTTL = d
		return nil
	}
}

// New returns a Store that keeps its records in the Redis that client
// reaches: a *redis.Client, a *redis.ClusterClient or a
// *redis.Ring. New sends nothing to Redis. It returns an error if client
// is nil or an option is invalid.
func New(client redis.UniversalClient, options ...Option) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: nil Redis client; pass one from redis.NewClient or redis.NewUniversalClient")
	}
	s := &Store{
		client:   client,
		prefix:   DefaultPrefix,
		claimTTL: DefaultClaimTTL,
		doneTTL:  DefaultDoneTTL,
	}
	for _, option := range options {
		if option == nil {
			return nil, errors.New("redisstore: nil Option; pass only values returned by the With functions")
		}
		if err := option(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Key returns the Redis key that holds the record of messageID.
func (s *Store) Key(messageID string) string {
	return s.prefix + ":" + messageID
}

// Claim implements [goodyhooks.IdempotencyStore]. It returns
// [goodyhooks.ClaimAcquired] if it set the message's key to a new claim,
// [goodyhooks.ClaimDone] if the key records the message as done, and
// [goodyhooks.ClaimInProgress] if the key holds a claim of this or of
// another Store. With ClaimAcquired it returns the claim's token, a
// random value of 32 hexadecimal digits. It returns an error wrapping
// the Redis client's error if Redis cannot be reached or ctx ends
// first, and an error for an empty messageID.
func (s *Store) Claim(ctx context.Context, messageID string) (goodyhooks.ClaimStatus, string, error) {
	if messageID == "" {
		return 0, "", errors.New("redisstore: empty message id; Claim takes the svix-id of a verified delivery")
	}
	token, err := newToken()
	if err != nil {
		return 0, "", err
	}

	result, err := claimScript.Run(ctx, s.client, []string{s.Key(messageID)},
		token, s.claimTTL.Milliseconds()).Int()
	if err != nil {
		return 0, "", fmt.Errorf("redisstore: claiming message %q failed: %w; check that Redis is reachable", messageID, err)
	}
	switch result {
	case 1:
		return goodyhooks.ClaimAcquired, token, nil
	case 2:
		return goodyhooks.ClaimDone, "", nil
	case 3:
		return goodyhooks.ClaimInProgress, "", nil
	}
	return 0, "", fmt.Errorf("redisstore: claiming message %q returned unknown result %d; "+
		"check that no other program writes keys under the prefix %q", messageID, result, s.prefix)
}

// Complete implements [goodyhooks.IdempotencyStore]. It records the
// message as done for the done TTL, whether or not this Store's claim
// on it is still in Redis. Once a callback has succeeded, later
// deliveries must not run it again, even if its claim expired and
// another replica claimed the message meanwhile. It returns an error wrapping the Redis
// client's error if Redis cannot be reached or ctx ends first.
func (s *Store) Complete(ctx context.Context, messageID, _ string) error {
	if err := s.client.Set(ctx, s.Key(messageID), doneValue, s.doneTTL).Err(); err != nil {
		return fmt.Errorf("redisstore: recording message %q as done failed: %w; "+
			"check that Redis is reachable", messageID, err)
	}
	return nil
}

// Release implements [goodyhooks.IdempotencyStore]. It deletes the
// message's key only if it still holds token, so that it never drops a
// claim that another delivery took after this one expired, in this
// process or another, nor a record of the message as done. It does
// nothing for an empty token. It returns an error wrapping the Redis
// client's error if Redis cannot be reached or ctx ends first. The
// claim then stays until the claim TTL ends it.
func (s *Store) Release(ctx context.Context, messageID, token string) error {
	if token == "" {
		return nil
	}
	if err := releaseScript.Run(ctx, s.client, []string{s.Key(messageID)}, token).Err(); err != nil {
		return fmt.Errorf("redisstore: releasing the claim on message %q failed: %w; "+
			"it expires by itself after the claim TTL of %v", messageID, err, s.claimTTL)
	}
	return nil
}

// newToken returns a random claim token of 32 hexadecimal digits.
func newToken() (string, error) {
	var random [16]byte
	if _, err := rand.Read(random[:]); err != nil {
		return "", fmt.Errorf("redisstore: generating a claim token failed: %w", err)
	}
	return hex.EncodeToString(random[:]), nil
}
