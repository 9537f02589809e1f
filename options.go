package goodyhooks

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// DefaultTolerance is how far the svix-timestamp of a delivery may lie
// in the past or in the future before [Verifier.Verify] rejects it. It
// is the tolerance of the Svix libraries.
const DefaultTolerance = 5 * time.Minute

// DefaultMaxBodyBytes is the largest request body, in bytes, that
// [Handler] and [Verifier.VerifyRequest] read unless [WithMaxBodyBytes]
// sets another limit. Goody's largest documented payload, an order
// batch that previews 10 orders, is about 25 KiB.
const DefaultMaxBodyBytes = 1 << 20

// Option configures [NewVerifier] and [NewHandler]. Options that only a
// Handler uses ([WithLogger], [WithIdempotencyStore]) make NewVerifier
// return an error.
type Option func(*config) error

type config struct {
	tolerance      time.Duration
	now            func() time.Time
	extraSecrets   []string
	maxBodyBytes   int64
	logger         *slog.Logger
	store          IdempotencyStore
	handlerOptions []string
}

func newConfig(options []Option) (*config, error) {
	c := &config{
		tolerance:    DefaultTolerance,
		now:          time.Now,
		maxBodyBytes: DefaultMaxBodyBytes,
	}
	for _, option := range options {
		if option == nil {
			return nil, errors.New(
				"goodyhooks: nil Option; pass only values returned by the With functions",
			)
		}
		if err := option(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// WithTolerance sets how far, in either direction, the svix-timestamp
// of a delivery may lie from the current time. It must be positive. The
// default is [DefaultTolerance].
func WithTolerance(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf(
				"goodyhooks: invalid tolerance %v; want a positive duration such as 5*time.Minute",
				d,
			)
		}
		c.tolerance = d
		return nil
	}
}

// WithClock sets the function that returns the current time when a
// timestamp is checked. Tests use it to check old and future deliveries.
// The default is [time.Now].
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("goodyhooks: nil clock; pass a function such as time.Now")
		}
		c.now = now
		return nil
	}
}

// WithAdditionalSecrets adds signing secrets that verify a delivery as
// well as the main one. Accepting the old and the new secret while a
// secret is rotated means no delivery is rejected in between. Each
// secret is checked as NewVerifier checks the main one.
func WithAdditionalSecrets(secrets ...string) Option {
	return func(c *config) error {
		c.extraSecrets = append(c.extraSecrets, secrets...)
		return nil
	}
}

// WithMaxBodyBytes sets the largest request body, in bytes, that is
// read. A larger body is rejected without being read past the limit. It
// must be positive. The default is [DefaultMaxBodyBytes].
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf(
				"goodyhooks: invalid body limit %d; want a positive number of bytes",
				n,
			)
		}
		c.maxBodyBytes = n
		return nil
	}
}

// WithLogger sets the logger that a [Handler] uses to record each
// rejected request and each failed or panicking callback, with the Svix
// message id and, once it is decoded, the event type and id.
// goodyhooks puts no secret, signature or payload body in a record, but
// a callback's own error or panic value is recorded as it is. A nil logger, the default,
// records nothing.
//
// A rejected request is logged at [slog.LevelWarn] with the message
// "goodyhooks: request rejected" and the attributes status (the HTTP
// status code), svix_id, remote_addr and error, whose value is the
// error itself, so that a [slog.Handler] can test it with [errors.Is].
// A failed callback is logged at [slog.LevelError] with svix_id,
// event_type, event_id and error, or panic and stack for a panic.
func WithLogger(logger *slog.Logger) Option {
	return func(c *config) error {
		c.logger = logger
		c.handlerOptions = append(c.handlerOptions, "WithLogger")
		return nil
	}
}

// WithIdempotencyStore makes a [Handler] record in store, by Svix
// message id, each message whose callback succeeded, and skip the
// callback when the message arrives again while the record lasts. See
// [IdempotencyStore] for the statuses a duplicate delivery gets. A nil store, the default, runs the callback
// on every delivery.
func WithIdempotencyStore(store IdempotencyStore) Option {
	return func(c *config) error {
		c.store = store
		c.handlerOptions = append(c.handlerOptions, "WithIdempotencyStore")
		return nil
	}
}
