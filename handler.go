package goodyhooks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"
)

// storeTimeout bounds each call to the idempotency store made after a
// callback, when the request's own context may already be canceled.
const storeTimeout = 5 * time.Second

// Handler is an [http.Handler] that receives Goody webhooks. For each
// request it reads the body, verifies the Svix signature, decodes the
// event and calls the callback registered for its type. It is safe for
// concurrent use, and callbacks may be registered while it serves.
//
// Svix counts a 2xx response given within 15 seconds as delivered and
// retries the message later after any other response, so ServeHTTP
// responds as follows:
//
//   - 405 Method Not Allowed, with an Allow header, for a method other
//     than POST.
//   - 413 Request Entity Too Large for a body over the limit (see
//     [WithMaxBodyBytes]). The body is not read past the limit.
//   - 400 Bad Request when a signature header is missing or invalid, no
//     signature matches, or the timestamp is outside the tolerance. The
//     text is the same for all of these, so that a caller learns nothing
//     about which check failed; the logger records the reason.
//   - 400 Bad Request for a body that cannot be read to its end, or
//     that verifies but is not a valid envelope (see [Parse]). Svix
//     retries such a message and then shows it as failed in the Goody
//     dashboard, from where it can be re-sent once the cause is fixed,
//     so it is not lost.
//   - 204 No Content for a known event with no callback, and for an
//     event type this version does not know when no [Handler.OnDefault]
//     callback is set, so that Svix stops retrying.
//   - 500 Internal Server Error when the callback returns an error or
//     panics, so that Svix retries. A panic is recovered, and the server
//     goes on serving. A panic with [http.ErrAbortHandler] is raised
//     again after the claim, if any, is released, so that net/http
//     aborts the response and sends no status.
//   - 204 No Content when the callback returns nil.
//   - With an [IdempotencyStore], 204 without a callback for a message
//     already handled, 409 Conflict for a message whose earlier delivery
//     is still running, and 503 Service Unavailable when the store fails.
//
// Verification runs on the raw body before any JSON is decoded, and the
// body is read once. Callbacks run on the request's goroutine with the
// request's context.
type Handler struct {
	verifier     *Verifier
	maxBodyBytes int64
	logger       *slog.Logger
	store        IdempotencyStore

	mu        sync.RWMutex
	callbacks map[EventType]func(context.Context, Event) error
	fallback  func(context.Context, Event) error
}

// NewHandler returns a Handler that verifies deliveries with secret, the
// endpoint's signing secret (whsec_...), and the given options. It
// returns an error matching [ErrInvalidSecret] for an empty or malformed
// secret, and an error naming the option for an invalid option.
func NewHandler(secret string, options ...Option) (*Handler, error) {
	c, err := newConfig(options)
	if err != nil {
		return nil, err
	}
	verifier, err := newVerifier(secret, c)
	if err != nil {
		return nil, err
	}
	logger := c.logger
	if logger == nil {
		logger = slog.New(discardHandler{})
	}
	return &Handler{
		verifier:     verifier,
		maxBodyBytes: c.maxBodyBytes,
		logger:       logger,
		store:        c.store,
		callbacks:    make(map[EventType]func(context.Context, Event) error),
	}, nil
}

// register sets, or with a nil fn removes, the callback for one type.
func register[E Event](h *Handler, typ EventType, fn func(context.Context, E) error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if fn == nil {
		delete(h.callbacks, typ)
		return
	}
	h.callbacks[typ] = func(ctx context.Context, e Event) error {
		return fn(ctx, e.(E))
	}
}

// OnOrderBatchCreated sets the callback for order_batch.created events,
// replacing any earlier one. A nil fn removes it.
func (h *Handler) OnOrderBatchCreated(fn func(ctx context.Context, e *OrderBatchCreated) error) {
	register(h, EventOrderBatchCreated, fn)
}

// OnOrderBatchCompleted sets the callback for order_batch.completed
// events, replacing any earlier one. A nil fn removes it.
func (h *Handler) OnOrderBatchCompleted(
	fn func(ctx context.Context, e *OrderBatchCompleted) error,
) {
	register(h, EventOrderBatchCompleted, fn)
}

// OnOrderCreated sets the callback for order.created events, replacing
// any earlier one. A nil fn removes it.
func (h *Handler) OnOrderCreated(fn func(ctx context.Context, e *OrderCreated) error) {
	register(h, EventOrderCreated, fn)
}

// OnOrderGiftOpened sets the callback for order.gift_opened events,
// replacing any earlier one. A nil fn removes it.
func (h *Handler) OnOrderGiftOpened(fn func(ctx context.Context, e *OrderGiftOpened) error) {
	register(h, EventOrderGiftOpened, fn)
}

// OnOrderGiftAccepted sets the callback for order.gift_accepted events,
// replacing any earlier one. A nil fn removes it.
func (h *Handler) OnOrderGiftAccepted(fn func(ctx context.Context, e *OrderGiftAccepted) error) {
	register(h, EventOrderGiftAccepted, fn)
}

// OnOrderThankYouNoteAdded sets the callback for
// order.thank_you_note_added events, replacing any earlier one. A nil fn
// removes it.
func (h *Handler) OnOrderThankYouNoteAdded(
	fn func(ctx context.Context, e *OrderThankYouNoteAdded) error,
) {
	register(h, EventOrderThankYouNoteAdded, fn)
}

// OnOrderShipped sets the callback for order.shipped events, replacing
// any earlier one. A nil fn removes it.
func (h *Handler) OnOrderShipped(fn func(ctx context.Context, e *OrderShipped) error) {
	register(h, EventOrderShipped, fn)
}

// OnOrderDelivered sets the callback for order.delivered events,
// replacing any earlier one. A nil fn removes it.
func (h *Handler) OnOrderDelivered(fn func(ctx context.Context, e *OrderDelivered) error) {
	register(h, EventOrderDelivered, fn)
}

// OnOrderCanceled sets the callback for order.canceled events, replacing
// any earlier one. A nil fn removes it.
func (h *Handler) OnOrderCanceled(fn func(ctx context.Context, e *OrderCanceled) error) {
	register(h, EventOrderCanceled, fn)
}

// OnOrderRefunded sets the callback for order.refunded events, replacing
// any earlier one. A nil fn removes it.
func (h *Handler) OnOrderRefunded(fn func(ctx context.Context, e *OrderRefunded) error) {
	register(h, EventOrderRefunded, fn)
}

// OnDefault sets the callback for every event that has no callback of
// its own: a known event type with no On method set, and an
// [*UnknownEvent]. It replaces any earlier one, and a nil fn removes it.
func (h *Handler) OnDefault(fn func(ctx context.Context, e Event) error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fallback = fn
}

func (h *Handler) callbackFor(typ EventType) func(context.Context, Event) error {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if fn, ok := h.callbacks[typ]; ok {
		return fn
	}
	return h.fallback
}

// ServeHTTP verifies, decodes and dispatches one delivery and responds
// with the status codes listed on [Handler].
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.reject(
			ctx,
			w,
			r,
			http.StatusMethodNotAllowed,
			"method not allowed; Goody webhooks use POST",
			fmt.Errorf("goodyhooks: method %s is not POST", quoteShort(r.Method)),
		)
		return
	}

	body, err := readBody(r.Body, r.ContentLength, h.maxBodyBytes)
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			// Without this, net/http would read on into the body, up to
			// 256 KiB, before it sent the 413.
			w.Header().Set("Connection", "close")
			h.reject(ctx, w, r, http.StatusRequestEntityTooLarge, "request body too large", err)
			return
		}
		h.reject(ctx, w, r, http.StatusBadRequest, "cannot read request body", err)
		return
	}

	messageID, timestamp, err := h.verifier.verify(body, r.Header)
	if err != nil {
		h.reject(ctx, w, r, http.StatusBadRequest, "webhook verification failed", err)
		return
	}

	event, err := parse(body, messageID, timestamp)
	if err != nil {
		h.reject(ctx, w, r, http.StatusBadRequest, "invalid webhook payload", err)
		return
	}

	callback := h.callbackFor(event.Meta().Type)
	if callback == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if h.store == nil {
		h.runAndRespond(ctx, w, callback, event)
		return
	}
	h.runOnce(ctx, w, callback, event)
}

// runOnce runs the callback only if the idempotency store lets this
// delivery claim the message.
func (h *Handler) runOnce(ctx context.Context, w http.ResponseWriter,
	callback func(context.Context, Event) error, event Event) {
	meta := event.Meta()
	status, token, err := h.store.Claim(ctx, meta.MessageID)
	if err != nil {
		h.logEvent(ctx, slog.LevelError, "goodyhooks: idempotency store failed", meta, err)
		http.Error(w, "temporarily unavailable; retry later", http.StatusServiceUnavailable)
		return
	}
	switch status {
	case ClaimDone:
		w.WriteHeader(http.StatusNoContent)
		return
	case ClaimInProgress:
		h.logEvent(
			ctx,
			slog.LevelInfo,
			"goodyhooks: duplicate delivery while the first is running",
			meta,
			nil,
		)
		http.Error(w, "this message is being handled; retry later", http.StatusConflict)
		return
	case ClaimAcquired:
	default:
		h.logEvent(ctx, slog.LevelError, "goodyhooks: idempotency store failed", meta,
			fmt.Errorf("goodyhooks: Claim returned unknown status %v", status))
		http.Error(w, "temporarily unavailable; retry later", http.StatusServiceUnavailable)
		return
	}

	// A callback that panics with http.ErrAbortHandler leaves run by
	// panicking again, and its claim is released on the way out too.
	// Otherwise every retry would get 409 until the claim expired.
	finished := false
	defer func() {
		if !finished {
			h.releaseClaim(ctx, meta, token)
		}
	}()
	err = h.run(ctx, callback, event)
	finished = true

	if err != nil {
		h.releaseClaim(ctx, meta, token)
		h.respondCallbackError(ctx, w, event, err)
		return
	}
	// The request may be canceled by now, as Svix stops waiting after 15
	// seconds, but the outcome must still be recorded.
	storeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if completeErr := h.store.Complete(storeCtx, meta.MessageID, token); completeErr != nil {
		h.logEvent(ctx, slog.LevelError, "goodyhooks: recording a handled message failed; "+
			"a manual re-send may run it again", meta, completeErr)
	}
	w.WriteHeader(http.StatusNoContent)
}

// releaseClaim drops the claim on a message whose callback did not
// succeed, so that the next delivery runs the callback again. It uses a
// context of its own, since the request's may already be canceled.
func (h *Handler) releaseClaim(ctx context.Context, meta *EventMeta, token string) {
	storeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := h.store.Release(storeCtx, meta.MessageID, token); err != nil {
		h.logEvent(ctx, slog.LevelError, "goodyhooks: releasing a claim failed; "+
			"retries get 409 until it expires", meta, err)
	}
}

func (h *Handler) runAndRespond(ctx context.Context, w http.ResponseWriter,
	callback func(context.Context, Event) error, event Event) {
	if err := h.run(ctx, callback, event); err != nil {
		h.respondCallbackError(ctx, w, event, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) respondCallbackError(
	ctx context.Context,
	w http.ResponseWriter,
	event Event,
	err error,
) {
	var panicErr *callbackPanic
	if errors.As(err, &panicErr) {
		h.logger.LogAttrs(ctx, slog.LevelError, "goodyhooks: callback panicked",
			slog.String("svix_id", event.Meta().MessageID),
			slog.String("event_type", string(event.Meta().Type)),
			slog.String("event_id", event.Meta().ID),
			slog.Any("panic", panicErr.value),
			slog.String("stack", string(panicErr.stack)))
	} else {
		h.logEvent(ctx, slog.LevelError, "goodyhooks: callback failed", event.Meta(), err)
	}
	http.Error(w, "webhook callback failed", http.StatusInternalServerError)
}

// callbackPanic carries a panic recovered from a callback.
type callbackPanic struct {
	value any
	stack []byte
}

func (p *callbackPanic) Error() string {
	return fmt.Sprintf("goodyhooks: callback panicked: %v", p.value)
}

// run calls the callback and turns a panic into an error. A panic with
// http.ErrAbortHandler is raised again, because net/http reads it
// as a request to abort the response.
func (h *Handler) run(
	ctx context.Context,
	callback func(context.Context, Event) error,
	event Event,
) (err error) {
	defer func() {
		if value := recover(); value != nil {
			if value == http.ErrAbortHandler {
				panic(value)
			}
			err = &callbackPanic{value: value, stack: debug.Stack()}
		}
	}()
	return callback(ctx, event)
}

// reject responds to a request that fails before any callback runs and
// logs the reason, which the response itself does not give.
func (h *Handler) reject(ctx context.Context, w http.ResponseWriter, r *http.Request,
	status int, text string, err error) {
	h.logger.LogAttrs(ctx, slog.LevelWarn, "goodyhooks: request rejected",
		slog.Int("status", status),
		slog.String("svix_id", requestMessageID(r)),
		slog.String("remote_addr", r.RemoteAddr),
		slog.Any("error", err))
	http.Error(w, text, status)
}

func (h *Handler) logEvent(
	ctx context.Context,
	level slog.Level,
	message string,
	meta *EventMeta,
	err error,
) {
	attrs := []slog.Attr{
		slog.String("svix_id", meta.MessageID),
		slog.String("event_type", string(meta.Type)),
		slog.String("event_id", meta.ID),
	}
	if err != nil {
		attrs = append(attrs, slog.Any("error", err))
	}
	h.logger.LogAttrs(ctx, level, message, attrs...)
}

// requestMessageID returns the Svix message id header of an unverified
// request, cut short, for logging.
func requestMessageID(r *http.Request) string {
	id := firstValue(r.Header, svixHeaders.id)
	if id == "" {
		id = firstValue(r.Header, webhookHeaders.id)
	}
	const limit = 64
	if len(id) > limit {
		id = id[:limit] + "..."
	}
	return id
}

// discardHandler is a slog.Handler that records nothing, in place of
// slog.DiscardHandler, which needs Go 1.24.
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }
