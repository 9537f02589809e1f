// Package goodyhooks receives Goody Commerce API webhooks: it verifies
// their Svix signatures, decodes the ten Goody events into typed structs
// and calls the callback registered for each.
//
// Goody delivers each event as one HTTPS POST through Svix, at least
// once, signed with the endpoint's signing secret (whsec_...).
//
// # Which entry point
//
//   - To receive webhooks on a mux, use [Handler]. Register a callback
//     per event with [Handler.OnOrderShipped] and the other On methods,
//     and it verifies, decodes, dispatches and responds to Svix with
//     the status code that makes Svix retry or stop.
//   - To check a signature in a handler of your own, use [Verifier].
//     [Verifier.ParseRequest] reads, verifies and decodes a request in
//     one call, and [Verifier.Verify] takes the raw body and headers. For
//     AWS Lambda, whose headers are a map with lower-case keys, use
//     [Verifier.ParseMap] or [Verifier.VerifyMap].
//   - To decode a body that was verified earlier, such as one read back
//     from a queue, use [Parse].
//   - To run each Svix message once although Svix may deliver it more
//     than once, give the Handler an [IdempotencyStore] with
//     [WithIdempotencyStore]: [MemoryStore] for one process, or the
//     store in github.com/goodyhooks/goodyhooks/redisstore for several
//     replicas.
//   - To test your callbacks, use
//     [github.com/goodyhooks/goodyhooks/goodyhookstest], which signs
//     requests as Svix does and provides a sample of each event.
//   - To send, receive and diagnose deliveries by hand, use the
//     goodyhooks command in cmd/goodyhooks.
//
// # Events
//
// Every decoded event implements [Event]. Its concrete type is one of
// [*OrderBatchCreated], [*OrderBatchCompleted], [*OrderCreated],
// [*OrderGiftOpened], [*OrderGiftAccepted], [*OrderThankYouNoteAdded],
// [*OrderShipped], [*OrderDelivered], [*OrderCanceled],
// [*OrderRefunded], or [*UnknownEvent] for an event type that this
// version does not know. Each embeds [EventMeta] and holds an [Order] or
// an [OrderBatch] in its Data field. Money is in integer US cents and
// times are in UTC.
//
// # Errors
//
// Verification errors wrap [ErrMissingHeader], [ErrInvalidHeader],
// [ErrTimestampTooOld], [ErrTimestampTooNew] or
// [ErrNoMatchingSignature], and decoding errors wrap
// [ErrInvalidPayload]. goodyhooks puts no secret, signature or payload
// body in its error messages and log records, which name an event only
// by its type and id. The error or panic value of a callback is logged
// as the callback produced it.
package goodyhooks

import (
	"encoding/json"
	"time"
)

// Event is a decoded Goody webhook. Use a type switch on the concrete
// types listed in the package documentation to reach the data.
type Event interface {
	// Meta returns the parts that every event has: its id and type, the
	// Svix delivery details and the raw body.
	Meta() *EventMeta
}

// EventMeta is the part of every event that does not depend on its
// type. Each event struct embeds it, so its fields read as e.ID, e.Type
// and so on. Raw is left out of JSON encodings of an event, since the
// body holds the recipients' names and e-mail addresses.
type EventMeta struct {
	// ID is the event id from the envelope, sent as id or event_id.
	ID string `json:"id"`
	// Type is the event type. The older names gift_batch.created and
	// gift_batch.completed are replaced by their current names.
	Type EventType `json:"event_type"`
	// MessageID is the Svix message id from the svix-id (or webhook-id)
	// header. Svix sends the same id on every retry of a message, so it
	// is the key for spotting duplicate deliveries. It is empty for an
	// event from [Parse].
	MessageID string `json:"message_id,omitempty"`
	// Timestamp is the time Svix signed the delivery, from the
	// svix-timestamp header, in UTC. It is zero for an event from
	// [Parse].
	Timestamp time.Time `json:"timestamp"`
	// Raw is the body exactly as received. It is not shared with any
	// other event, and callbacks may keep it.
	Raw []byte `json:"-"`
}

// Meta returns m, so that every event struct implements [Event].
func (m *EventMeta) Meta() *EventMeta { return m }

// OrderBatchCreated is the order_batch.created event: a batch was
// created. It may still be sending or be scheduled for later. For an
// unscheduled batch of 10 or fewer recipients, Data.OrdersPreview
// already lists every order.
type OrderBatchCreated struct {
	EventMeta
	Data OrderBatch `json:"data"`
}

// OrderBatchCompleted is the order_batch.completed event: every order
// of the batch has been created.
type OrderBatchCompleted struct {
	EventMeta
	Data OrderBatch `json:"data"`
}

// OrderCreated is the order.created event: the order exists and its
// gift can be opened through Data.IndividualGiftLink.
type OrderCreated struct {
	EventMeta
	Data Order `json:"data"`
}

// OrderGiftOpened is the order.gift_opened event: the recipient opened
// the gift for the first time. Opening one's own link also fires it.
type OrderGiftOpened struct {
	EventMeta
	Data Order `json:"data"`
}

// OrderGiftAccepted is the order.gift_accepted event: the recipient
// accepted the gift. The final amounts are known, Data.IsSwapped and
// Data.Cart show any swap, and Data.PaymentLink is set for hosted
// payment.
type OrderGiftAccepted struct {
	EventMeta
	Data Order `json:"data"`
}

// OrderThankYouNoteAdded is the order.thank_you_note_added event: the
// recipient wrote the note in Data.ThankYouNote.
type OrderThankYouNoteAdded struct {
	EventMeta
	Data Order `json:"data"`
}

// OrderShipped is the order.shipped event: the first shipment is in
// transit. Later shipments may be missing from Data.Shipments.
type OrderShipped struct {
	EventMeta
	Data Order `json:"data"`
}

// OrderDelivered is the order.delivered event: every shipment was
// delivered. Data.Status may still read "shipped".
type OrderDelivered struct {
	EventMeta
	Data Order `json:"data"`
}

// OrderCanceled is the order.canceled event. Data.Status reads "failed"
// in Goody's own example.
type OrderCanceled struct {
	EventMeta
	Data Order `json:"data"`
}

// OrderRefunded is the order.refunded event. Data.Status keeps the
// order's last status, such as "shipped".
type OrderRefunded struct {
	EventMeta
	Data Order `json:"data"`
}

// UnknownEvent is an event whose type this version of goodyhooks does
// not know. Goody may add event types at any time, so it is not an
// error: Type keeps the name as sent and Data the data member as raw
// JSON. Data is nil if the envelope has no data key, and the four bytes
// null if its value is JSON null.
type UnknownEvent struct {
	EventMeta
	Data json.RawMessage `json:"data"`
}
