package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goodyhooks/goodyhooks"
)

// field is one value printed for a delivery. The key is its JSON key,
// shown with spaces for underscores in text output.
type field struct {
	key   string
	value any
}

// cents is an amount in US cents, printed in dollars in text output
// and as an integer number of cents in JSON.
type cents int64

func (c cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s$%d.%02d", sign, c/100, c%100)
}

// shipments are listed one per line in text output.
type shipments []goodyhooks.Shipment

// orderPreview is an order listed in a batch.
type orderPreview struct {
	ID        string                 `json:"id"`
	Status    goodyhooks.OrderStatus `json:"status"`
	Recipient string                 `json:"recipient"`
}

type orderPreviews []orderPreview

// eventFields returns what matters in an event, the common parts first:
// type, event id, message id and signing time, then the order or batch
// id and status, then the fields of that event type.
func eventFields(event goodyhooks.Event) []field {
	meta := event.Meta()
	fields := []field{
		{"type", string(meta.Type)},
		{"event_id", meta.ID},
	}
	if meta.MessageID != "" {
		fields = append(fields, field{"message_id", meta.MessageID})
	}
	if !meta.Timestamp.IsZero() {
		fields = append(fields, field{"signed_at", meta.Timestamp})
	}
	switch e := event.(type) {
	case *goodyhooks.OrderBatchCreated:
		fields = append(fields, batchFields(&e.Data)...)
	case *goodyhooks.OrderBatchCompleted:
		fields = append(fields, batchFields(&e.Data)...)
	case *goodyhooks.OrderCreated:
		fields = orderFields(fields, &e.Data)
		fields = append(fields, field{"gift_link", e.Data.IndividualGiftLink})
	case *goodyhooks.OrderGiftOpened:
		fields = orderFields(fields, &e.Data)
		fields = append(fields, field{"view_count_recipient", e.Data.ViewCountRecipient})
	case *goodyhooks.OrderGiftAccepted:
		fields = orderFields(fields, &e.Data)
		fields = appendAmount(fields, e.Data.Amounts.AmountTotal)
		fields = append(fields,
			field{"is_swapped", e.Data.IsSwapped},
			field{"products", productNames(e.Data.Cart)})
		fields = appendString(fields, "payment_link", e.Data.PaymentLink)
	case *goodyhooks.OrderThankYouNoteAdded:
		fields = appendString(orderFields(fields, &e.Data), "thank_you_note", e.Data.ThankYouNote)
	case *goodyhooks.OrderShipped:
		fields = orderFields(fields, &e.Data)
		fields = append(fields, field{"shipments", shipments(e.Data.Shipments)})
	case *goodyhooks.OrderDelivered:
		fields = orderFields(fields, &e.Data)
		fields = append(fields, field{"shipments", shipments(e.Data.Shipments)})
	case *goodyhooks.OrderCanceled:
		fields = orderFields(fields, &e.Data)
	case *goodyhooks.OrderRefunded:
		fields = appendAmount(orderFields(fields, &e.Data), e.Data.Amounts.AmountTotal)
	case *goodyhooks.UnknownEvent:
		fields = append(fields, field{"data_bytes", len(e.Data)})
	}
	return fields
}

func orderFields(fields []field, o *goodyhooks.Order) []field {
	return append(fields,
		field{"order_id", o.ID},
		field{"status", string(o.Status)},
		field{"recipient", fullName(o.RecipientFirstName, o.RecipientLastName)},
		field{"reference_id", o.ReferenceID},
	)
}

func batchFields(b *goodyhooks.OrderBatch) []field {
	fields := []field{
		{"batch_id", b.ID},
		{"status", string(b.SendStatus)},
	}
	fields = appendString(fields, "batch_name", b.BatchName)
	fields = append(fields,
		field{"from_name", b.FromName},
		field{"orders_count", b.OrdersCount},
		field{"recipients_count", b.RecipientsCount},
	)
	if b.IsScheduledSend && b.ScheduledSendOn != nil {
		fields = append(fields, field{"scheduled_send_on", *b.ScheduledSendOn})
	}
	previews := make(orderPreviews, len(b.OrdersPreview))
	for i, o := range b.OrdersPreview {
		previews[i] = orderPreview{
			ID:        o.ID,
			Status:    o.Status,
			Recipient: fullName(o.RecipientFirstName, o.RecipientLastName),
		}
	}
	return append(fields, field{"orders", previews})
}

func appendString(fields []field, key string, value *string) []field {
	if value == nil {
		return fields
	}
	return append(fields, field{key, *value})
}

func appendAmount(fields []field, amount *int64) []field {
	if amount == nil {
		return fields
	}
	return append(fields, field{"amount_total", cents(*amount)})
}

func fullName(first string, last *string) string {
	if last == nil || *last == "" {
		return first
	}
	return first + " " + *last
}

func productNames(cart goodyhooks.Cart) string {
	var names []string
	for _, item := range cart.Items {
		name := item.Product.Name
		if item.Product.Brand.Name != "" {
			name = item.Product.Brand.Name + " " + name
		}
		if item.Quantity != 1 {
			name = fmt.Sprintf("%d x %s", item.Quantity, name)
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}

// textRows returns the rows that show a field in text output: one for
// most fields, one per item for a list.
func textRows(f field) []fact {
	label := strings.ReplaceAll(f.key, "_", " ")
	switch v := f.value.(type) {
	case shipments:
		rows := make([]fact, len(v))
		for i, s := range v {
			rows[i] = fact{fmt.Sprintf("shipment %d", i+1), describeShipment(s)}
		}
		return rows
	case orderPreviews:
		rows := make([]fact, len(v))
		for i, o := range v {
			label := fmt.Sprintf("order %d", i+1)
			rows[i] = fact{label, fmt.Sprintf("%s %s, %s", o.ID, o.Status, o.Recipient)}
		}
		return rows
	case time.Time:
		return []fact{{label, v.UTC().Format(time.RFC3339)}}
	case cents:
		unit := "cents"
		if v == 1 || v == -1 {
			unit = "cent"
		}
		return []fact{{label, fmt.Sprintf("%s (%d %s)", v, int64(v), unit)}}
	case int64:
		return []fact{{label, strconv.FormatInt(v, 10)}}
	}
	return []fact{{label, fmt.Sprint(f.value)}}
}

func describeShipment(s goodyhooks.Shipment) string {
	parts := []string{string(s.Status)}
	if s.TrackingCarrier != nil {
		parts = append(parts, "carrier "+*s.TrackingCarrier)
	}
	if s.TrackingNumber != nil {
		parts = append(parts, "tracking number "+*s.TrackingNumber)
	}
	if s.TrackingURL != nil {
		parts = append(parts, *s.TrackingURL)
	}
	if s.ShippedAt != nil {
		parts = append(parts, "shipped "+s.ShippedAt.UTC().Format(time.RFC3339))
	}
	if s.DeliveredAt != nil {
		parts = append(parts, "delivered "+s.DeliveredAt.UTC().Format(time.RFC3339))
	} else if s.DeliveryETA != nil {
		parts = append(parts, "eta "+s.DeliveryETA.UTC().Format(time.RFC3339))
	}
	return strings.Join(parts, ", ")
}

// lineWidth is the column at which writeRows wraps long values.
const lineWidth = 88

// writeRows writes label and value rows indented under a heading, with
// long values wrapped at word boundaries under their first line.
func writeRows(b *bytes.Buffer, rows []fact) {
	width := 0
	for _, r := range rows {
		width = max(width, len(r.label))
	}
	margin := strings.Repeat(" ", width+4)
	for _, r := range rows {
		fmt.Fprintf(b, "  %-*s  ", width, r.label)
		column := len(margin)
		for i, word := range strings.Fields(r.value) {
			switch {
			case i == 0:
			case column+1+len(word) > lineWidth:
				b.WriteString("\n" + margin)
				column = len(margin)
			default:
				b.WriteByte(' ')
				column++
			}
			b.WriteString(word)
			column += len(word)
		}
		b.WriteByte('\n')
	}
}

// appendJSONObject writes fields as one JSON object, keys in order,
// without escaping <, > and &.
func appendJSONObject(b *bytes.Buffer, fields []field) error {
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := appendJSONValue(b, f.key); err != nil {
			return err
		}
		b.WriteByte(':')
		if err := appendJSONValue(b, f.value); err != nil {
			return err
		}
	}
	b.WriteString("}\n")
	return nil
}

func appendJSONValue(b *bytes.Buffer, value any) error {
	var encoded bytes.Buffer
	encoder := json.NewEncoder(&encoded)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(value); err != nil {
		return err
	}
	b.Write(bytes.TrimSuffix(encoded.Bytes(), []byte("\n")))
	return nil
}
