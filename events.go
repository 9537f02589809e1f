package goodyhooks

import "time"

// EventType is the name of a Goody webhook event, as sent in the
// envelope's event_type key. Goody may add event types at any time, so a
// value outside the constants below is valid and is delivered as an
// [*UnknownEvent].
type EventType string

// The ten event types that Goody documents.
const (
	EventOrderBatchCreated      EventType = "order_batch.created"
	EventOrderBatchCompleted    EventType = "order_batch.completed"
	EventOrderCreated           EventType = "order.created"
	EventOrderGiftOpened        EventType = "order.gift_opened"
	EventOrderGiftAccepted      EventType = "order.gift_accepted"
	EventOrderThankYouNoteAdded EventType = "order.thank_you_note_added"
	EventOrderShipped           EventType = "order.shipped"
	EventOrderDelivered         EventType = "order.delivered"
	EventOrderCanceled          EventType = "order.canceled"
	EventOrderRefunded          EventType = "order.refunded"
)

// EventTypes returns the ten documented event types, batch events first,
// then order events in lifecycle order. The caller owns the returned
// slice.
func EventTypes() []EventType {
	return []EventType{
		EventOrderBatchCreated,
		EventOrderBatchCompleted,
		EventOrderCreated,
		EventOrderGiftOpened,
		EventOrderGiftAccepted,
		EventOrderThankYouNoteAdded,
		EventOrderShipped,
		EventOrderDelivered,
		EventOrderCanceled,
		EventOrderRefunded,
	}
}

// Known reports whether t is one of the ten documented event types.
// The older names gift_batch.created and gift_batch.completed are not
// known: [Parse] maps them to their current names before this matters.
func (t EventType) Known() bool {
	switch t {
	case EventOrderBatchCreated, EventOrderBatchCompleted,
		EventOrderCreated, EventOrderGiftOpened, EventOrderGiftAccepted,
		EventOrderThankYouNoteAdded, EventOrderShipped, EventOrderDelivered,
		EventOrderCanceled, EventOrderRefunded:
		return true
	}
	return false
}

// OrderStatus is the state of an [Order]. The set is open: a value that
// Goody adds later decodes unchanged. The event type, not the status,
// names what happened: Goody's examples show status "failed" on
// order.canceled and "shipped" on order.delivered and order.refunded.
type OrderStatus string

// Order statuses that Goody documents.
const (
	OrderStatusCreated        OrderStatus = "created"
	OrderStatusNotified       OrderStatus = "notified"
	OrderStatusOpened         OrderStatus = "opened"
	OrderStatusAccepted       OrderStatus = "accepted"
	OrderStatusPendingPayment OrderStatus = "pending_payment"
	OrderStatusPaid           OrderStatus = "paid"
	OrderStatusOrdered        OrderStatus = "ordered"
	OrderStatusShipped        OrderStatus = "shipped"
	OrderStatusDelivered      OrderStatus = "delivered"
	OrderStatusFailed         OrderStatus = "failed"
	OrderStatusCanceled       OrderStatus = "canceled"
)

// ShipmentStatus is the state of a [Shipment]. The set is open: a value
// that Goody adds later decodes unchanged.
type ShipmentStatus string

// Shipment statuses that Goody documents.
const (
	ShipmentStatusPending             ShipmentStatus = "pending"
	ShipmentStatusTracking            ShipmentStatus = "tracking"
	ShipmentStatusShipped             ShipmentStatus = "shipped"
	ShipmentStatusDelivered           ShipmentStatus = "delivered"
	ShipmentStatusDeliveredOverride   ShipmentStatus = "delivered_override"
	ShipmentStatusFailed              ShipmentStatus = "failed"
	ShipmentStatusFailedUnsetTracking ShipmentStatus = "failed_unset_tracking"
	ShipmentStatusFailedWithReship    ShipmentStatus = "failed_with_reship"
)

// OrderBatchSendStatus is the sending state of an [OrderBatch]. The set is
// open: a value that Goody adds later decodes unchanged.
type OrderBatchSendStatus string

// Order batch send statuses that Goody documents.
const (
	OrderBatchSendStatusPending  OrderBatchSendStatus = "pending"
	OrderBatchSendStatusComplete OrderBatchSendStatus = "complete"
	OrderBatchSendStatusFailed   OrderBatchSendStatus = "failed"
	OrderBatchSendStatusCanceled OrderBatchSendStatus = "canceled"
)

// OrderBatchSendMethod is the way the gifts of an [OrderBatch] reach
// their recipients. The set is open: a value that Goody adds later decodes
// unchanged.
type OrderBatchSendMethod string

// Order batch send methods that Goody documents.
const (
	SendMethodEmailAndLink           OrderBatchSendMethod = "email_and_link"
	SendMethodLinkMultipleCustomList OrderBatchSendMethod = "link_multiple_custom_list"
	SendMethodDirectSend             OrderBatchSendMethod = "direct_send"
)

// Order is one gift to one recipient: the data of every order.* event
// and each entry of [OrderBatch.OrdersPreview].
//
// Money is in integer US cents. Times are in UTC. A pointer field is nil
// when Goody sent JSON null or left the key out.
type Order struct {
	ID     string      `json:"id"`
	Status OrderStatus `json:"status"`

	// IndividualGiftLink is the gift link to share with the recipient.
	// Older batch payloads name it individual_gift_link_shared.
	IndividualGiftLink string `json:"individual_gift_link"`

	RecipientFirstName string  `json:"recipient_first_name"`
	RecipientLastName  *string `json:"recipient_last_name"`
	RecipientEmail     *string `json:"recipient_email"`

	// CardID is the id of the digital greeting card, if any.
	CardID *string `json:"card_id"`
	// Message is the sender's message.
	Message *string `json:"message"`
	// ThankYouNote is the recipient's note, set by the time of an
	// order.thank_you_note_added event.
	ThankYouNote *string `json:"thank_you_note"`

	ViewCountRecipient int64 `json:"view_count_recipient"`

	// IsSwapped reports whether the recipient swapped the gift. If so,
	// Cart holds the new products and OriginalCart and OriginalAmounts
	// what was sent.
	IsSwapped bool `json:"is_swapped"`

	// OrderBatchID is the batch the order belongs to. Older batch
	// payloads name it gift_batch_id.
	OrderBatchID string `json:"order_batch_id"`

	ExpiresAt *time.Time `json:"expires_at"`

	Cart Cart `json:"cart"`
	// CartSelections lists the variants chosen per unit. Only orders
	// placed through a commerce app have it.
	CartSelections []CartSelection `json:"cart_selections"`
	// Shipments may be empty, and on order.shipped it may lack shipments
	// that left after the first.
	Shipments []Shipment `json:"shipments"`
	Amounts   Amounts    `json:"amounts"`
	Sender    Sender     `json:"sender"`

	WorkspaceID   *string `json:"workspace_id"`
	WorkspaceName *string `json:"workspace_name"`

	OriginalCart    *Cart            `json:"original_cart"`
	OriginalAmounts *OriginalAmounts `json:"original_amounts"`

	// PaymentLink is the hosted payment page, set after acceptance when
	// the order is paid that way.
	PaymentLink *string `json:"payment_link"`

	// ReferenceID is the id shown on receipts, such as
	// "PCI7GLZ3KFIEN8MWWSD5LDCF".
	ReferenceID string `json:"reference_id"`

	// EventTimes is documented for the REST API only and is nil when a
	// webhook leaves it out.
	EventTimes *EventTimes `json:"event_times"`
}

// Cart is the list of products in an order or batch.
type Cart struct {
	ID    string     `json:"id"`
	Items []CartItem `json:"items"`
}

// CartItem is one product line of a [Cart].
type CartItem struct {
	ID       string  `json:"id"`
	Quantity int64   `json:"quantity"`
	Product  Product `json:"product"`
}

// Product is a product in a [CartItem].
type Product struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Brand Brand  `json:"brand"`
}

// Brand is the maker of a [Product].
type Brand struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// CartSelection is the variant choice for one unit of a [CartItem].
type CartSelection struct {
	ID         string `json:"id"`
	CartItemID string `json:"cart_item_id"`
	// QuantityIndex numbers the units of the item from 0.
	QuantityIndex int64    `json:"quantity_index"`
	Variants      []string `json:"variants"`
}

// Shipment is one parcel of an order.
type Shipment struct {
	ID        string         `json:"id"`
	Status    ShipmentStatus `json:"status"`
	BrandName string         `json:"brand_name"`

	// The tracking fields are nil when unknown. Goody sets the number
	// and URL for approved partners only.
	TrackingCarrier *string `json:"tracking_carrier"`
	TrackingNumber  *string `json:"tracking_number"`
	TrackingURL     *string `json:"tracking_url"`

	ShippedAt   *time.Time `json:"shipped_at"`
	DeliveredAt *time.Time `json:"delivered_at"`
	DeliveryETA *time.Time `json:"delivery_eta"`
}

// Amounts are the costs of an order in integer US cents. Tax and total
// are nil until the recipient accepts the gift.
type Amounts struct {
	AmountProduct         int64  `json:"amount_product"`
	AmountShipping        int64  `json:"amount_shipping"`
	AmountPreTaxTotal     int64  `json:"amount_pre_tax_total"`
	AmountProcessingFee   *int64 `json:"amount_processing_fee"`
	AmountCreditApplied   *int64 `json:"amount_credit_applied"`
	AmountTax             *int64 `json:"amount_tax"`
	AmountTotal           *int64 `json:"amount_total"`
	AmountGlobalRelayCost *int64 `json:"amount_global_relay_cost"`
}

// OriginalAmounts are the costs, in integer US cents, of the gift that
// was sent before the recipient swapped it.
type OriginalAmounts struct {
	OriginalAmountProduct       *int64 `json:"original_amount_product"`
	OriginalAmountShipping      *int64 `json:"original_amount_shipping"`
	OriginalAmountCreditApplied *int64 `json:"original_amount_credit_applied"`
	OriginalAmountPreTaxTotal   *int64 `json:"original_amount_pre_tax_total"`
}

// Sender is the person who sent a gift.
type Sender struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
}

// EventTimes are the times, in UTC, at which an order reached each
// state. A field is nil until the order reaches that state.
type EventTimes struct {
	CreatedAt        time.Time  `json:"created_at"`
	NotifiedAt       *time.Time `json:"notified_at"`
	OpenedAt         *time.Time `json:"opened_at"`
	AcceptedAt       *time.Time `json:"accepted_at"`
	PendingPaymentAt *time.Time `json:"pending_payment_at"`
	PaidAt           *time.Time `json:"paid_at"`
	ShippedAt        *time.Time `json:"shipped_at"`
	DeliveredAt      *time.Time `json:"delivered_at"`
	// ThankYouAddedAt appears in Goody's REST examples but not in its
	// schema.
	ThankYouAddedAt *time.Time `json:"thank_you_added_at"`
}

// OrderBatch is a send of one gift to one or more recipients: the data
// of the order_batch.* events.
//
// A pointer field is nil when Goody sent JSON null or left the key out.
type OrderBatch struct {
	ID         string               `json:"id"`
	SendStatus OrderBatchSendStatus `json:"send_status"`
	// FromName is the sender name shown to recipients.
	FromName string  `json:"from_name"`
	Message  *string `json:"message"`

	// OrdersCount may be 0 while a batch is sending or before a
	// scheduled send. Older payloads name it gifts_count.
	OrdersCount int64 `json:"orders_count"`
	// OrdersPreview holds the first 10 orders. It is empty while a large
	// batch is still being created. Older payloads name it
	// gifts_preview.
	OrdersPreview []Order `json:"orders_preview"`

	RecipientsCount int64 `json:"recipients_count"`
	// RecipientsPreview holds the first 10 recipients.
	RecipientsPreview []Recipient `json:"recipients_preview"`

	// Cart is the cart as sent, before any recipient swapped a gift.
	Cart Cart `json:"cart"`

	IsScheduledSend bool       `json:"is_scheduled_send"`
	ScheduledSendOn *time.Time `json:"scheduled_send_on"`
	ExpiresAt       *time.Time `json:"expires_at"`

	SendMethod *OrderBatchSendMethod `json:"send_method"`
	BatchName  *string               `json:"batch_name"`
	CardID     *string               `json:"card_id"`
	Sender     Sender                `json:"sender"`

	WorkspaceID   *string `json:"workspace_id"`
	WorkspaceName *string `json:"workspace_name"`

	ReferenceID string `json:"reference_id"`
	// CustomerReferenceID is the idempotency reference the API caller
	// gave when creating the batch, if any.
	CustomerReferenceID *string `json:"customer_reference_id"`
}

// Recipient is one entry of [OrderBatch.RecipientsPreview].
type Recipient struct {
	FirstName string  `json:"first_name"`
	LastName  *string `json:"last_name"`
	Email     *string `json:"email"`
}
