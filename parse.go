package goodyhooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// ErrInvalidPayload is matched, through [errors.Is], by every error that
// [Parse] returns. The concrete error is a [*PayloadError].
var ErrInvalidPayload = errors.New("goodyhooks: invalid payload")

// PayloadError reports a body that is not a valid Goody envelope. Its
// message names the JSON field or byte offset at fault and never
// contains text from the body.
type PayloadError struct {
	// Field is the JSON path of the value at fault, such as
	// "data.amounts.amount_total", or empty when the fault is not in one
	// field.
	Field string
	// Offset is the byte offset of a JSON syntax error, or 0.
	Offset int64
	// Reason describes the fault without quoting the body.
	Reason string
	// Err is the underlying encoding/json error, if any. Its own message
	// may quote a character or a number from the body.
	Err error
}

func (e *PayloadError) Error() string {
	var b strings.Builder
	b.WriteString("goodyhooks: invalid payload: ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Is reports whether target is [ErrInvalidPayload].
func (e *PayloadError) Is(target error) bool { return target == ErrInvalidPayload }

// Unwrap returns the underlying encoding/json error, or nil.
func (e *PayloadError) Unwrap() error { return e.Err }

// olderEventTypes maps the event names of Goody's older batch examples
// to their current names.
var olderEventTypes = map[string]EventType{
	"gift_batch.created":   EventOrderBatchCreated,
	"gift_batch.completed": EventOrderBatchCompleted,
}

// Parse decodes a Goody webhook body into an [Event]. It does not verify
// a signature, so use it only on a body that was verified before, such
// as one read back from a queue or from storage. The returned event has
// an empty MessageID and a zero Timestamp, and its Raw field is payload
// itself, not a copy.
//
// Parse accepts the envelope's id under the key id or event_id. It
// accepts the older batch names (gift_batch.* event types, gifts_count,
// gifts_preview, individual_gift_link_shared, gift_batch_id) as well as
// the current ones, and when both are present the current name wins.
// Unknown keys are ignored. An event type that Parse does not know yields an
// [*UnknownEvent], not an error.
//
// Every error Parse returns is a [*PayloadError] that matches
// [ErrInvalidPayload]. It reports malformed JSON, a value of the wrong
// JSON type, a time that is not ISO 8601 and a missing event_type. It
// also reports missing or null data for a known event, and data of the
// wrong kind, such as an order batch under an order event.
func Parse(payload []byte) (Event, error) {
	return parse(payload, "", time.Time{})
}

// parse decodes payload and records the Svix delivery details in the
// returned event.
func parse(payload []byte, messageID string, timestamp time.Time) (Event, error) {
	if len(bytes.TrimSpace(payload)) == 0 {
		return nil, &PayloadError{Reason: "body is empty; want a JSON object"}
	}

	var env wireEnvelope
	err := json.Unmarshal(payload, &env)
	typ := normalizeEventType(env.EventType)
	if err != nil || !typ.Known() {
		return parseUnknown(payload, messageID, timestamp, err)
	}

	meta := EventMeta{
		ID:        env.id(),
		Type:      typ,
		MessageID: messageID,
		Timestamp: timestamp,
		Raw:       payload,
	}
	if env.Data == nil {
		return nil, &PayloadError{
			Field:  "data",
			Reason: fmt.Sprintf("missing or null; %s events need an object", typ),
		}
	}
	if typ == EventOrderBatchCreated || typ == EventOrderBatchCompleted {
		if env.Data.SendStatus == "" && env.Data.Status != "" {
			return nil, wrongKind(typ, "an order", "an order batch")
		}
		return newBatchEvent(meta, env.Data.batch()), nil
	}
	if env.Data.Status == "" && env.Data.SendStatus != "" {
		return nil, wrongKind(typ, "an order batch", "an order")
	}
	return newOrderEvent(meta, env.Data.order()), nil
}

// parseUnknown decodes the envelope with its data kept as raw JSON. It
// runs when the typed decode failed or found an unknown event type, so
// that an event of a type added after this version is delivered even if
// its data does not fit the known structs. typedErr is the error of the
// typed decode, returned when the event type turns out to be known.
func parseUnknown(
	payload []byte,
	messageID string,
	timestamp time.Time,
	typedErr error,
) (Event, error) {
	var env rawEnvelope
	if err := json.Unmarshal(payload, &env); err != nil {
		return nil, payloadError(err)
	}
	typ := normalizeEventType(env.EventType)
	if typ == "" {
		return nil, &PayloadError{
			Field:  "event_type",
			Reason: "missing or empty; want an event name such as order.shipped",
		}
	}
	id := env.ID
	if id == "" {
		id = env.EventID
	}
	if typ.Known() {
		// Only a typed decode that failed leads here with a known type.
		meta := EventMeta{ID: id, Type: typ, MessageID: messageID, Timestamp: timestamp, Raw: payload}
		return parseOneKind(payload, meta)
	}
	return &UnknownEvent{
		EventMeta: EventMeta{
			ID:        id,
			Type:      typ,
			MessageID: messageID,
			Timestamp: timestamp,
			Raw:       payload,
		},
		Data: env.Data,
	}, nil
}

// parseOneKind decodes the data of a known event with only the keys of
// its own kind, an order or an order batch. It runs after the decode
// into the union of both kinds failed, which happens when the data holds
// a key of the other kind with a value of another type. Such a key is
// unknown to this kind and is ignored, as every unknown key is.
func parseOneKind(payload []byte, meta EventMeta) (Event, error) {
	missing := &PayloadError{
		Field:  "data",
		Reason: fmt.Sprintf("missing or null; %s events need an object", meta.Type),
	}
	if meta.Type == EventOrderBatchCreated || meta.Type == EventOrderBatchCompleted {
		var env struct {
			Data *wireBatchData `json:"data"`
		}
		if err := json.Unmarshal(payload, &env); err != nil {
			return nil, payloadError(err)
		}
		if env.Data == nil {
			return nil, missing
		}
		return newBatchEvent(meta, env.Data.union().batch()), nil
	}
	var env struct {
		Data *wireOrder `json:"data"`
	}
	if err := json.Unmarshal(payload, &env); err != nil {
		return nil, payloadError(err)
	}
	if env.Data == nil {
		return nil, missing
	}
	return newOrderEvent(meta, env.Data.order()), nil
}

// wireBatchData holds the keys of the data of an order batch and none
// of the keys that only an order has.
type wireBatchData struct {
	ID            string   `json:"id"`
	Message       *string  `json:"message"`
	Cart          Cart     `json:"cart"`
	CardID        *string  `json:"card_id"`
	Sender        Sender   `json:"sender"`
	WorkspaceID   *string  `json:"workspace_id"`
	WorkspaceName *string  `json:"workspace_name"`
	ReferenceID   string   `json:"reference_id"`
	ExpiresAt     wireTime `json:"expires_at"`

	wireBatch
}

func (b *wireBatchData) union() *wireData {
	return &wireData{
		ID:            b.ID,
		Message:       b.Message,
		Cart:          b.Cart,
		CardID:        b.CardID,
		Sender:        b.Sender,
		WorkspaceID:   b.WorkspaceID,
		WorkspaceName: b.WorkspaceName,
		ReferenceID:   b.ReferenceID,
		ExpiresAt:     b.ExpiresAt,
		wireBatch:     b.wireBatch,
	}
}

func normalizeEventType(s string) EventType {
	if t, ok := olderEventTypes[s]; ok {
		return t
	}
	return EventType(s)
}

func wrongKind(typ EventType, got, want string) *PayloadError {
	return &PayloadError{
		Field:  "data",
		Reason: fmt.Sprintf("is %s, but %s events carry %s", got, typ, want),
	}
}

func newBatchEvent(meta EventMeta, data OrderBatch) Event {
	if meta.Type == EventOrderBatchCreated {
		return &OrderBatchCreated{EventMeta: meta, Data: data}
	}
	return &OrderBatchCompleted{EventMeta: meta, Data: data}
}

func newOrderEvent(meta EventMeta, data Order) Event {
	switch meta.Type {
	case EventOrderCreated:
		return &OrderCreated{EventMeta: meta, Data: data}
	case EventOrderGiftOpened:
		return &OrderGiftOpened{EventMeta: meta, Data: data}
	case EventOrderGiftAccepted:
		return &OrderGiftAccepted{EventMeta: meta, Data: data}
	case EventOrderThankYouNoteAdded:
		return &OrderThankYouNoteAdded{EventMeta: meta, Data: data}
	case EventOrderShipped:
		return &OrderShipped{EventMeta: meta, Data: data}
	case EventOrderDelivered:
		return &OrderDelivered{EventMeta: meta, Data: data}
	case EventOrderCanceled:
		return &OrderCanceled{EventMeta: meta, Data: data}
	default:
		return &OrderRefunded{EventMeta: meta, Data: data}
	}
}

// payloadError turns an encoding/json error into a *PayloadError whose
// message holds no text from the body.
func payloadError(err error) *PayloadError {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		reason := "malformed JSON"
		if strings.Contains(syntaxErr.Error(), "max depth") {
			reason = "JSON nested too deeply"
		}
		return &PayloadError{
			Offset: syntaxErr.Offset,
			Reason: fmt.Sprintf(
				"%s at byte offset %d; the body must be one complete JSON object",
				reason,
				syntaxErr.Offset,
			),
			Err: err,
		}
	case errors.As(err, &typeErr):
		return typeError(typeErr)
	default:
		return &PayloadError{Reason: "cannot decode the body as JSON", Err: err}
	}
}

var timeType = reflect.TypeOf(time.Time{})

func typeError(err *json.UnmarshalTypeError) *PayloadError {
	// Value is "string", "number", "number 1.5", "bool", "array" or
	// "object"; only its first word is kept, so no number from the body
	// reaches the message.
	got, _, _ := strings.Cut(err.Value, " ")
	want := err.Type.String()
	switch {
	case err.Type == timeType && got == "string":
		want = "an ISO 8601 time such as 2023-01-23T00:00:00Z"
		got = "a string that is not one"
	case err.Type == timeType:
		want = "an ISO 8601 time string"
	// Struct and slice types are named by their JSON kind, since their
	// Go names, such as goodyhooks.wireData, mean nothing to a caller.
	case err.Type.Kind() == reflect.Struct:
		want = "an object"
	case err.Type.Kind() == reflect.Slice:
		want = "an array"
	case err.Type.Kind() == reflect.String:
		// Named string types such as OrderStatus read as JSON strings.
		want = "string"
	}
	if got != "a string that is not one" {
		got = "JSON " + got
	}
	return &PayloadError{
		// The path names embedded Go structs too; only JSON keys stay.
		Field:  strings.ReplaceAll(err.Field, "wireBatch.", ""),
		Reason: fmt.Sprintf("got %s, want %s", got, want),
		Err:    err,
	}
}

// wireEnvelope is the body as sent. Data is a union of the order and
// order batch fields, so that one decode handles either kind whatever
// the order of the keys.
type wireEnvelope struct {
	EventType string    `json:"event_type"`
	ID        string    `json:"id"`
	EventID   string    `json:"event_id"`
	Data      *wireData `json:"data"`
}

func (e *wireEnvelope) id() string {
	if e.ID != "" {
		return e.ID
	}
	return e.EventID
}

// rawEnvelope is the body of an event of unknown type.
type rawEnvelope struct {
	EventType string          `json:"event_type"`
	ID        string          `json:"id"`
	EventID   string          `json:"event_id"`
	Data      json.RawMessage `json:"data"`
}

// wireData holds every key that the data of an order or an order batch
// may have, under current and older names. It repeats the fields of
// wireOrder instead of embedding it. For every key decoded into an
// embedded struct, encoding/json looks up the struct's name with
// reflect.Type.Field, which cost Parse of an order 3 % more
// instructions (Go 1.26, BenchmarkParse). The conversion in order makes
// the compiler check that both types list the same fields.
type wireData struct {
	ID                 string           `json:"id"`
	Status             OrderStatus      `json:"status"`
	IndividualGiftLink *string          `json:"individual_gift_link"`
	RecipientFirstName string           `json:"recipient_first_name"`
	RecipientLastName  *string          `json:"recipient_last_name"`
	RecipientEmail     *string          `json:"recipient_email"`
	CardID             *string          `json:"card_id"`
	Message            *string          `json:"message"`
	ThankYouNote       *string          `json:"thank_you_note"`
	ViewCountRecipient int64            `json:"view_count_recipient"`
	IsSwapped          bool             `json:"is_swapped"`
	OrderBatchID       *string          `json:"order_batch_id"`
	ExpiresAt          wireTime         `json:"expires_at"`
	Cart               Cart             `json:"cart"`
	CartSelections     []CartSelection  `json:"cart_selections"`
	Shipments          []wireShipment   `json:"shipments"`
	Amounts            Amounts          `json:"amounts"`
	Sender             Sender           `json:"sender"`
	WorkspaceID        *string          `json:"workspace_id"`
	WorkspaceName      *string          `json:"workspace_name"`
	OriginalCart       *Cart            `json:"original_cart"`
	OriginalAmounts    *OriginalAmounts `json:"original_amounts"`
	PaymentLink        *string          `json:"payment_link"`
	ReferenceID        string           `json:"reference_id"`
	EventTimes         *wireEventTimes  `json:"event_times"`

	IndividualGiftLinkShared *string `json:"individual_gift_link_shared"`
	GiftBatchID              *string `json:"gift_batch_id"`

	wireBatch
}

// wireBatch holds the keys that only the data of an order batch has.
type wireBatch struct {
	SendStatus          OrderBatchSendStatus  `json:"send_status"`
	FromName            string                `json:"from_name"`
	OrdersCount         *int64                `json:"orders_count"`
	GiftsCount          *int64                `json:"gifts_count"`
	OrdersPreview       []wireOrder           `json:"orders_preview"`
	GiftsPreview        []wireOrder           `json:"gifts_preview"`
	RecipientsCount     int64                 `json:"recipients_count"`
	RecipientsPreview   []Recipient           `json:"recipients_preview"`
	IsScheduledSend     bool                  `json:"is_scheduled_send"`
	ScheduledSendOn     wireTime              `json:"scheduled_send_on"`
	SendMethod          *OrderBatchSendMethod `json:"send_method"`
	BatchName           *string               `json:"batch_name"`
	CustomerReferenceID *string               `json:"customer_reference_id"`
}

// order converts the order keys of d. A *wireData converts to a
// *wireOrder because the two types differ only in their tags.
func (d *wireData) order() Order {
	return (*wireOrder)(d).order()
}

func (d *wireData) batch() OrderBatch {
	b := OrderBatch{
		ID:                  d.ID,
		SendStatus:          d.SendStatus,
		FromName:            d.FromName,
		Message:             d.Message,
		RecipientsCount:     d.RecipientsCount,
		RecipientsPreview:   d.RecipientsPreview,
		Cart:                d.Cart,
		IsScheduledSend:     d.IsScheduledSend,
		ScheduledSendOn:     d.ScheduledSendOn.pointer(),
		ExpiresAt:           d.ExpiresAt.pointer(),
		SendMethod:          d.SendMethod,
		BatchName:           d.BatchName,
		CardID:              d.CardID,
		Sender:              d.Sender,
		WorkspaceID:         d.WorkspaceID,
		WorkspaceName:       d.WorkspaceName,
		ReferenceID:         d.ReferenceID,
		CustomerReferenceID: d.CustomerReferenceID,
	}
	switch {
	case d.OrdersCount != nil:
		b.OrdersCount = *d.OrdersCount
	case d.GiftsCount != nil:
		b.OrdersCount = *d.GiftsCount
	}
	preview := d.OrdersPreview
	if preview == nil {
		preview = d.GiftsPreview
	}
	if preview != nil {
		b.OrdersPreview = make([]Order, len(preview))
		for i := range preview {
			b.OrdersPreview[i] = preview[i].order()
		}
	}
	return b
}

// wireOrder holds the keys of an order under current and older names.
type wireOrder struct {
	ID                 string           `json:"id"`
	Status             OrderStatus      `json:"status"`
	IndividualGiftLink *string          `json:"individual_gift_link"`
	RecipientFirstName string           `json:"recipient_first_name"`
	RecipientLastName  *string          `json:"recipient_last_name"`
	RecipientEmail     *string          `json:"recipient_email"`
	CardID             *string          `json:"card_id"`
	Message            *string          `json:"message"`
	ThankYouNote       *string          `json:"thank_you_note"`
	ViewCountRecipient int64            `json:"view_count_recipient"`
	IsSwapped          bool             `json:"is_swapped"`
	OrderBatchID       *string          `json:"order_batch_id"`
	ExpiresAt          wireTime         `json:"expires_at"`
	Cart               Cart             `json:"cart"`
	CartSelections     []CartSelection  `json:"cart_selections"`
	Shipments          []wireShipment   `json:"shipments"`
	Amounts            Amounts          `json:"amounts"`
	Sender             Sender           `json:"sender"`
	WorkspaceID        *string          `json:"workspace_id"`
	WorkspaceName      *string          `json:"workspace_name"`
	OriginalCart       *Cart            `json:"original_cart"`
	OriginalAmounts    *OriginalAmounts `json:"original_amounts"`
	PaymentLink        *string          `json:"payment_link"`
	ReferenceID        string           `json:"reference_id"`
	EventTimes         *wireEventTimes  `json:"event_times"`

	IndividualGiftLinkShared *string `json:"individual_gift_link_shared"`
	GiftBatchID              *string `json:"gift_batch_id"`

	// The batch keys are not decoded in an order, so an entry of a
	// batch preview skips them. The field makes wireOrder convertible
	// from wireData.
	wireBatch `json:"-"`
}

func (w *wireOrder) order() Order {
	o := Order{
		ID:                 w.ID,
		Status:             w.Status,
		IndividualGiftLink: firstString(w.IndividualGiftLink, w.IndividualGiftLinkShared),
		RecipientFirstName: w.RecipientFirstName,
		RecipientLastName:  w.RecipientLastName,
		RecipientEmail:     w.RecipientEmail,
		CardID:             w.CardID,
		Message:            w.Message,
		ThankYouNote:       w.ThankYouNote,
		ViewCountRecipient: w.ViewCountRecipient,
		IsSwapped:          w.IsSwapped,
		OrderBatchID:       firstString(w.OrderBatchID, w.GiftBatchID),
		ExpiresAt:          w.ExpiresAt.pointer(),
		Cart:               w.Cart,
		CartSelections:     w.CartSelections,
		Amounts:            w.Amounts,
		Sender:             w.Sender,
		WorkspaceID:        w.WorkspaceID,
		WorkspaceName:      w.WorkspaceName,
		OriginalCart:       w.OriginalCart,
		OriginalAmounts:    w.OriginalAmounts,
		PaymentLink:        w.PaymentLink,
		ReferenceID:        w.ReferenceID,
	}
	if w.Shipments != nil {
		o.Shipments = make([]Shipment, len(w.Shipments))
		for i := range w.Shipments {
			o.Shipments[i] = w.Shipments[i].shipment()
		}
	}
	if w.EventTimes != nil {
		o.EventTimes = w.EventTimes.eventTimes()
	}
	return o
}

// firstString returns the first non-nil value, or "" if both are nil.
func firstString(current, older *string) string {
	if current != nil {
		return *current
	}
	if older != nil {
		return *older
	}
	return ""
}

type wireShipment struct {
	ID              string         `json:"id"`
	Status          ShipmentStatus `json:"status"`
	BrandName       string         `json:"brand_name"`
	TrackingCarrier *string        `json:"tracking_carrier"`
	TrackingNumber  *string        `json:"tracking_number"`
	TrackingURL     *string        `json:"tracking_url"`
	ShippedAt       wireTime       `json:"shipped_at"`
	DeliveredAt     wireTime       `json:"delivered_at"`
	DeliveryETA     wireTime       `json:"delivery_eta"`
}

func (w *wireShipment) shipment() Shipment {
	return Shipment{
		ID:              w.ID,
		Status:          w.Status,
		BrandName:       w.BrandName,
		TrackingCarrier: w.TrackingCarrier,
		TrackingNumber:  w.TrackingNumber,
		TrackingURL:     w.TrackingURL,
		ShippedAt:       w.ShippedAt.pointer(),
		DeliveredAt:     w.DeliveredAt.pointer(),
		DeliveryETA:     w.DeliveryETA.pointer(),
	}
}

type wireEventTimes struct {
	CreatedAt        wireTime `json:"created_at"`
	NotifiedAt       wireTime `json:"notified_at"`
	OpenedAt         wireTime `json:"opened_at"`
	AcceptedAt       wireTime `json:"accepted_at"`
	PendingPaymentAt wireTime `json:"pending_payment_at"`
	PaidAt           wireTime `json:"paid_at"`
	ShippedAt        wireTime `json:"shipped_at"`
	DeliveredAt      wireTime `json:"delivered_at"`
	ThankYouAddedAt  wireTime `json:"thank_you_added_at"`
}

func (w *wireEventTimes) eventTimes() *EventTimes {
	return &EventTimes{
		CreatedAt:        w.CreatedAt.t,
		NotifiedAt:       w.NotifiedAt.pointer(),
		OpenedAt:         w.OpenedAt.pointer(),
		AcceptedAt:       w.AcceptedAt.pointer(),
		PendingPaymentAt: w.PendingPaymentAt.pointer(),
		PaidAt:           w.PaidAt.pointer(),
		ShippedAt:        w.ShippedAt.pointer(),
		DeliveredAt:      w.DeliveredAt.pointer(),
		ThankYouAddedAt:  w.ThankYouAddedAt.pointer(),
	}
}
