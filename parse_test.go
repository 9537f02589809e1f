package goodyhooks_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return body
}

func mustParse(t *testing.T, body []byte) goodyhooks.Event {
	t.Helper()
	event, err := goodyhooks.Parse(body)
	require.NoError(t, err)
	return event
}

func ptr[T any](v T) *T { return &v }

func TestParseDocumentationPayloads(t *testing.T) {
	tests := []struct {
		file     string
		wantType goodyhooks.EventType
		wantGo   string
	}{
		{
			"events/order_batch.created.json",
			goodyhooks.EventOrderBatchCreated,
			"*goodyhooks.OrderBatchCreated",
		},
		{
			"events/order_batch.completed.json",
			goodyhooks.EventOrderBatchCompleted,
			"*goodyhooks.OrderBatchCompleted",
		},
		{"events/order.created.json", goodyhooks.EventOrderCreated, "*goodyhooks.OrderCreated"},
		{
			"events/order.gift_opened.json",
			goodyhooks.EventOrderGiftOpened,
			"*goodyhooks.OrderGiftOpened",
		},
		{
			"events/order.gift_accepted.json",
			goodyhooks.EventOrderGiftAccepted,
			"*goodyhooks.OrderGiftAccepted",
		},
		{
			"variants/order.gift_accepted.2023.json",
			goodyhooks.EventOrderGiftAccepted,
			"*goodyhooks.OrderGiftAccepted",
		},
		{
			"events/order.thank_you_note_added.json",
			goodyhooks.EventOrderThankYouNoteAdded,
			"*goodyhooks.OrderThankYouNoteAdded",
		},
		{"events/order.shipped.json", goodyhooks.EventOrderShipped, "*goodyhooks.OrderShipped"},
		{
			"events/order.delivered.json",
			goodyhooks.EventOrderDelivered,
			"*goodyhooks.OrderDelivered",
		},
		{"events/order.canceled.json", goodyhooks.EventOrderCanceled, "*goodyhooks.OrderCanceled"},
		{"events/order.refunded.json", goodyhooks.EventOrderRefunded, "*goodyhooks.OrderRefunded"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := readTestdata(t, tt.file)
			event := mustParse(t, body)

			assert.Equal(t, tt.wantGo, typeName(event))
			meta := event.Meta()
			assert.Equal(t, tt.wantType, meta.Type)
			assert.Equal(t, "ad097c47-bf12-45c9-8feb-0536a0012c09", meta.ID)
			assert.Equal(t, body, meta.Raw)
			assert.Empty(t, meta.MessageID)
			assert.True(t, meta.Timestamp.IsZero())
		})
	}
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }

// TestParseGolden compares every decoded field of each documentation
// payload with testdata/golden. Run with -update to rewrite the files
// after a deliberate change, and review the diff.
func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/events/*.json")
	require.NoError(t, err)
	variants, err := filepath.Glob("testdata/variants/*.json")
	require.NoError(t, err)
	files = append(files, variants...)
	require.Len(t, files, 16)

	for _, file := range files {
		name := filepath.Base(filepath.Dir(file)) + "/" + filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			event := mustParse(t, readTestdata(t, strings.TrimPrefix(file, "testdata/")))
			event.Meta().Raw = nil
			got, err := json.MarshalIndent(event, "", "  ")
			require.NoError(t, err)
			got = append(got, '\n')

			golden := filepath.Join("testdata", "golden", strings.ReplaceAll(name, "/", "_"))
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -run TestParseGolden -update to create it")
			assert.JSONEq(t, string(want), string(got))
		})
	}
}

func TestParseOrderShipped(t *testing.T) {
	event := mustParse(t, readTestdata(t, "events/order.shipped.json"))
	shipped, ok := event.(*goodyhooks.OrderShipped)
	require.True(t, ok)
	order := shipped.Data

	assert.Equal(t, "10c588dd-d566-45bf-86e9-c23bd1f1587b", order.ID)
	assert.Equal(t, goodyhooks.OrderStatusShipped, order.Status)
	assert.Equal(
		t,
		"https://gifts.ongoody.com/gift/vWtUe8lQRJuoyYzKlYeHMkbV",
		order.IndividualGiftLink,
	)
	assert.Equal(t, "Ada", order.RecipientFirstName)
	assert.Equal(t, ptr("Lovelace"), order.RecipientLastName)
	assert.Nil(t, order.ThankYouNote)
	assert.Nil(t, order.ExpiresAt)
	assert.Equal(t, "4133078a-c35f-441e-8e92-57645342b299", order.OrderBatchID)
	assert.Equal(t, "PCI7GLZ3KFIEN8MWWSD5LDCF", order.ReferenceID)

	assert.Equal(t, int64(1000), order.Amounts.AmountProduct)
	assert.Equal(t, int64(1000), order.Amounts.AmountShipping)
	assert.Equal(t, int64(2100), order.Amounts.AmountPreTaxTotal)
	assert.Equal(t, ptr(int64(100)), order.Amounts.AmountProcessingFee)
	assert.Equal(t, ptr(int64(150)), order.Amounts.AmountTax)
	assert.Equal(t, ptr(int64(2250)), order.Amounts.AmountTotal)
	assert.Nil(t, order.Amounts.AmountGlobalRelayCost)
	assert.Nil(t, order.Amounts.AmountCreditApplied)

	require.Len(t, order.Cart.Items, 1)
	assert.Equal(t, int64(1), order.Cart.Items[0].Quantity)
	assert.Equal(t, "Cookies", order.Cart.Items[0].Product.Name)
	assert.Equal(t, "Cookie Company", order.Cart.Items[0].Product.Brand.Name)

	require.Len(t, order.Shipments, 1)
	shipment := order.Shipments[0]
	assert.Equal(t, goodyhooks.ShipmentStatusShipped, shipment.Status)
	assert.Equal(t, ptr("UPS"), shipment.TrackingCarrier)
	assert.Nil(t, shipment.TrackingNumber, "the example has no tracking_number key")
	assert.Nil(t, shipment.TrackingURL)
	assert.Equal(t, ptr(time.Date(2023, 1, 23, 0, 0, 0, 0, time.UTC)), shipment.ShippedAt)
	assert.Nil(t, shipment.DeliveredAt)
	assert.Equal(t, ptr(time.Date(2023, 1, 26, 0, 0, 0, 0, time.UTC)), shipment.DeliveryETA)

	assert.Equal(t, "sender2@example.com", order.Sender.Email)
	assert.Nil(t, order.OriginalCart)
	assert.Nil(t, order.OriginalAmounts)
	assert.Nil(t, order.PaymentLink)
	assert.Nil(t, order.EventTimes)
	assert.Nil(t, order.CartSelections)
}

func TestParseBatchOlderNames(t *testing.T) {
	event := mustParse(t, readTestdata(t, "events/order_batch.created.json"))
	created, ok := event.(*goodyhooks.OrderBatchCreated)
	require.True(t, ok)
	batch := created.Data

	assert.Equal(
		t,
		goodyhooks.EventOrderBatchCreated,
		created.Type,
		"gift_batch.created maps to its current name",
	)
	assert.Equal(t, "bd1fd5b5-6339-4331-a404-66200143ff0f", batch.ID)
	assert.Equal(t, goodyhooks.OrderBatchSendStatusComplete, batch.SendStatus)
	assert.Equal(t, int64(2), batch.OrdersCount, "gifts_count")
	assert.Equal(t, int64(2), batch.RecipientsCount)
	require.Len(t, batch.OrdersPreview, 2, "gifts_preview")
	require.Len(t, batch.RecipientsPreview, 2)
	assert.Equal(t, ptr(goodyhooks.SendMethodLinkMultipleCustomList), batch.SendMethod)
	assert.Equal(t, ptr("Ada Lovelace and Grace Hopper"), batch.BatchName)
	assert.False(t, batch.IsScheduledSend)
	assert.Nil(t, batch.ScheduledSendOn)
	assert.Nil(t, batch.CustomerReferenceID)

	first := batch.OrdersPreview[0]
	assert.Equal(
		t,
		"https://gifts.ongoody.com/gift/Anc0HT0ZhyKAJguP75jt2Rar",
		first.IndividualGiftLink,
		"individual_gift_link_shared",
	)
	assert.Equal(t, batch.ID, first.OrderBatchID, "gift_batch_id")
	assert.Equal(t, goodyhooks.OrderStatusCreated, first.Status)
	assert.Nil(t, first.Amounts.AmountTax)
	assert.Nil(t, first.Amounts.AmountTotal)
	assert.Equal(t, "Grace", batch.OrdersPreview[1].RecipientFirstName)
	assert.Equal(
		t,
		"https://gifts.ongoody.com/gift/6p5k63B9ym4ksusHG6hr6xtA",
		batch.OrdersPreview[1].IndividualGiftLink,
	)
}

func TestParseBatchNamingsAgree(t *testing.T) {
	older := mustParse(t, readTestdata(t, "events/order_batch.created.json")).(*goodyhooks.OrderBatchCreated)
	current := mustParse(t, readTestdata(t, "variants/order_batch.created.current_names.json")).(*goodyhooks.OrderBatchCreated)

	assert.Equal(t, ptr("crm-4471"), current.Data.CustomerReferenceID)
	current.Data.CustomerReferenceID = nil
	assert.Equal(t, older.Data, current.Data)
	assert.Equal(t, older.Type, current.Type)
}

func TestParseCurrentNameWins(t *testing.T) {
	body := []byte(`{"event_type":"order_batch.completed","id":"e1","data":{"send_status":"pending",
		"orders_count":5,"gifts_count":4,
		"orders_preview":[{"id":"o1","individual_gift_link":"https://new","individual_gift_link_shared":"https://old",
			"order_batch_id":"b-new","gift_batch_id":"b-old"}],
		"gifts_preview":[{"id":"o2"},{"id":"o3"}]}}`)
	batch := mustParse(t, body).(*goodyhooks.OrderBatchCompleted).Data

	assert.Equal(t, int64(5), batch.OrdersCount)
	require.Len(t, batch.OrdersPreview, 1)
	assert.Equal(t, "https://new", batch.OrdersPreview[0].IndividualGiftLink)
	assert.Equal(t, "b-new", batch.OrdersPreview[0].OrderBatchID)
}

func TestParseEventIDKey(t *testing.T) {
	event := mustParse(t, readTestdata(t, "variants/order.shipped.event_id.json"))
	assert.Equal(t, "ad097c47-bf12-45c9-8feb-0536a0012c09", event.Meta().ID)

	both := mustParse(
		t,
		[]byte(
			`{"event_type":"order.created","id":"from-id","event_id":"from-event-id","data":{"status":"created"}}`,
		),
	)
	assert.Equal(t, "from-id", both.Meta().ID)
}

func TestParseUnknownEvent(t *testing.T) {
	body := readTestdata(t, "variants/unknown_event.json")
	event := mustParse(t, body)

	unknown, ok := event.(*goodyhooks.UnknownEvent)
	require.True(t, ok, "got %T", event)
	assert.Equal(t, goodyhooks.EventType("order.gift_regifted"), unknown.Type)
	assert.False(t, unknown.Type.Known())
	assert.Equal(t, "3f1d0c2e-8a61-4f6b-9c55-0d2f7b1e9a10", unknown.ID)
	assert.JSONEq(
		t,
		`{"id":"10c588dd-d566-45bf-86e9-c23bd1f1587b","regifted_to":"someone"}`,
		string(unknown.Data),
	)
	assert.Equal(t, body, unknown.Raw)
}

func TestParseUnknownEventAnyData(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantData string
	}{
		{
			name:     "data with other types",
			body:     `{"event_type":"x.y","id":"1","data":{"status":42,"shipments":"none"}}`,
			wantData: `{"status":42,"shipments":"none"}`,
		},
		{name: "data array", body: `{"event_type":"x.y","data":[1,2]}`, wantData: `[1,2]`},
		{name: "data null", body: `{"event_type":"x.y","data":null}`, wantData: `null`},
		{name: "no data", body: `{"event_type":"x.y"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			event := mustParse(t, []byte(tt.body))
			unknown, ok := event.(*goodyhooks.UnknownEvent)
			require.True(t, ok, "got %T", event)
			assert.Equal(t, goodyhooks.EventType("x.y"), unknown.Type)
			if tt.wantData == "" {
				assert.Nil(t, unknown.Data)
				return
			}
			assert.JSONEq(t, tt.wantData, string(unknown.Data))
		})
	}
}

func TestParseOpenEnumsAndRESTFields(t *testing.T) {
	event := mustParse(t, readTestdata(t, "variants/order.created.rest_fields.json"))
	order := event.(*goodyhooks.OrderCreated).Data

	assert.Equal(t, goodyhooks.OrderStatus("awaiting_review"), order.Status)
	require.NotNil(t, order.EventTimes)
	assert.Equal(t, time.Date(2023, 1, 20, 10, 0, 0, 0, time.UTC), order.EventTimes.CreatedAt)
	assert.Equal(
		t,
		ptr(time.Date(2023, 1, 20, 10, 0, 5, 123_000_000, time.UTC)),
		order.EventTimes.NotifiedAt,
	)
	assert.Nil(t, order.EventTimes.OpenedAt)
	assert.Nil(t, order.EventTimes.ThankYouAddedAt)
	require.Len(t, order.CartSelections, 1)
	assert.Equal(t, int64(0), order.CartSelections[0].QuantityIndex)
	assert.Equal(t, []string{"Size: M", "Color: Blue"}, order.CartSelections[0].Variants)
	assert.True(t, order.IsSwapped)
	require.NotNil(t, order.OriginalCart)
	assert.Equal(t, order.Cart, *order.OriginalCart)
	require.NotNil(t, order.OriginalAmounts)
	assert.Equal(t, ptr(int64(1500)), order.OriginalAmounts.OriginalAmountProduct)
	assert.Nil(t, order.OriginalAmounts.OriginalAmountCreditApplied)
	assert.Equal(t, ptr(int64(0)), order.Amounts.AmountCreditApplied)
}

func TestParseTimeForms(t *testing.T) {
	event := mustParse(t, readTestdata(t, "variants/order.shipped.time_forms.json"))
	order := event.(*goodyhooks.OrderShipped).Data
	shipment := order.Shipments[0]

	assert.Equal(t, goodyhooks.ShipmentStatus("out_for_delivery"), shipment.Status)
	assert.Equal(t, ptr(time.Date(2023, 1, 23, 0, 0, 0, 0, time.UTC)), shipment.ShippedAt)
	assert.Equal(
		t,
		ptr(time.Date(2023, 1, 26, 0, 0, 0, 0, time.UTC)),
		shipment.DeliveryETA,
		"date only",
	)
	assert.Nil(t, shipment.DeliveredAt, "empty string")
	assert.Equal(t, ptr("1Z999AA10123456784"), shipment.TrackingNumber)
	assert.Equal(
		t,
		ptr(time.Date(2023, 2, 23, 0, 0, 0, 0, time.UTC)),
		order.ExpiresAt,
		"offset converted to UTC",
	)
}

func TestParseTimeLayouts(t *testing.T) {
	want := time.Date(2023, 1, 23, 14, 5, 6, 0, time.UTC)
	tests := []struct {
		name string
		text string
		want time.Time
	}{
		{name: "RFC 3339", text: "2023-01-23T14:05:06Z", want: want},
		{
			name: "milliseconds",
			text: "2023-01-23T14:05:06.250Z",
			want: want.Add(250 * time.Millisecond),
		},
		{name: "offset", text: "2023-01-23T09:05:06-05:00", want: want},
		{name: "offset without colon", text: "2023-01-23T15:05:06+0100", want: want},
		{name: "no zone", text: "2023-01-23T14:05:06", want: want},
		{name: "space separator", text: "2023-01-23 14:05:06Z", want: want},
		{name: "Ruby default", text: "2023-01-23 14:05:06 UTC", want: want},
		{name: "Ruby offset", text: "2023-01-23 16:05:06 +0200", want: want},
		{name: "date only", text: "2023-01-23", want: time.Date(2023, 1, 23, 0, 0, 0, 0, time.UTC)},
		{name: "escaped", text: `2023-01-23T14:05:06\u005A`, want: want},
		{name: "lower-case separators", text: "2023-01-23t14:05:06z", want: want},
		{name: "no seconds", text: "2023-01-23T14:05Z", want: want.Add(-6 * time.Second)},
		{name: "hour-only offset", text: "2023-01-23T16:05:06+02", want: want},
		{name: "PostgreSQL text", text: "2023-01-23 16:05:06.000+02", want: want},
		{name: "basic format", text: "20230123T140506Z", want: want},
		{name: "GMT name", text: "2023-01-23 14:05:06 GMT", want: want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"event_type":"order.created","id":"1","data":{"status":"created","expires_at":"` + tt.text + `"}}`
			order := mustParse(t, []byte(body)).(*goodyhooks.OrderCreated).Data
			require.NotNil(t, order.ExpiresAt)
			assert.True(
				t,
				tt.want.Equal(*order.ExpiresAt),
				"got %v, want %v",
				*order.ExpiresAt,
				tt.want,
			)
			assert.Equal(t, time.UTC, order.ExpiresAt.Location())
		})
	}
}

func TestParseDuplicateKeysLastWins(t *testing.T) {
	body := []byte(
		`{"event_type":"order.created","event_type":"order.shipped","id":"1","data":{"status":"created","status":"shipped"}}`,
	)
	event := mustParse(t, body)
	shipped, ok := event.(*goodyhooks.OrderShipped)
	require.True(t, ok, "got %T", event)
	assert.Equal(t, goodyhooks.OrderStatusShipped, shipped.Data.Status)
}

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 10001) + `1` + strings.Repeat(`}`, 10001)
	tests := []struct {
		name       string
		body       string
		wantField  string
		wantReason string
	}{
		{name: "empty", body: ``, wantReason: "body is empty"},
		{name: "white space", body: " \n\t", wantReason: "body is empty"},
		{
			name:       "not JSON",
			body:       `secret-looking text`,
			wantReason: "malformed JSON at byte offset",
		},
		{
			name:       "truncated",
			body:       `{"event_type":"order.created","data":{"status":`,
			wantReason: "malformed JSON",
		},
		{name: "array", body: `[1,2,3]`, wantReason: "got JSON array, want an object"},
		{name: "string", body: `"order.created"`, wantReason: "got JSON string, want an object"},
		{
			name:       "missing event type",
			body:       `{"id":"1","data":{}}`,
			wantField:  "event_type",
			wantReason: "missing or empty",
		},
		{
			name:       "event type number",
			body:       `{"event_type":7,"data":{}}`,
			wantField:  "event_type",
			wantReason: "got JSON number, want string",
		},
		{
			name:       "data null",
			body:       `{"event_type":"order.created","id":"1","data":null}`,
			wantField:  "data",
			wantReason: "missing or null",
		},
		{
			name:       "data missing",
			body:       `{"event_type":"order.created","id":"1"}`,
			wantField:  "data",
			wantReason: "missing or null",
		},
		{
			name:       "data string",
			body:       `{"event_type":"order.created","id":"1","data":"x"}`,
			wantField:  "data",
			wantReason: "got JSON string",
		},
		{
			name:       "batch under order event",
			body:       `{"event_type":"order.shipped","id":"1","data":{"id":"b","send_status":"complete","orders_count":1}}`,
			wantField:  "data",
			wantReason: "is an order batch, but order.shipped events carry an order",
		},
		{
			name:       "order under batch event",
			body:       `{"event_type":"order_batch.created","id":"1","data":{"id":"o","status":"created"}}`,
			wantField:  "data",
			wantReason: "is an order, but order_batch.created events carry an order batch",
		},
		{
			name:       "string for cents",
			body:       `{"event_type":"order.created","data":{"amounts":{"amount_total":"2250"}}}`,
			wantField:  "data.amounts.amount_total",
			wantReason: "got JSON string, want int64",
		},
		{
			name:       "fraction for cents",
			body:       `{"event_type":"order.created","data":{"amounts":{"amount_product":10.5}}}`,
			wantField:  "data.amounts.amount_product",
			wantReason: "got JSON number, want int64",
		},
		{
			name:       "number for string",
			body:       `{"event_type":"order.created","data":{"recipient_first_name":12345678901}}`,
			wantField:  "data.recipient_first_name",
			wantReason: "got JSON number, want string",
		},
		{name: "bool for list", body: `{"event_type":"order.created","data":{"shipments":true}}`,
			wantField: "data.shipments", wantReason: "got JSON bool"},
		{
			name:       "bad time",
			body:       `{"event_type":"order.created","data":{"expires_at":"next tuesday at noon"}}`,
			wantField:  "data.expires_at",
			wantReason: "want an ISO 8601 time",
		},
		{
			name:       "time with zone name",
			body:       `{"event_type":"order.created","data":{"expires_at":"2023-01-23 10:00:00 EST"}}`,
			wantField:  "data.expires_at",
			wantReason: "want an ISO 8601 time",
		},
		{
			name:       "number for time",
			body:       `{"event_type":"order.created","data":{"expires_at":1674432000}}`,
			wantField:  "data.expires_at",
			wantReason: "got JSON number, want an ISO 8601 time string",
		},
		{
			name:       "bad nested time",
			body:       `{"event_type":"order.shipped","data":{"shipments":[{"shipped_at":"soon-ish value"}]}}`,
			wantField:  "data.shipments.shipped_at",
			wantReason: "want an ISO 8601 time",
		},
		{
			name:       "bad preview",
			body:       `{"event_type":"gift_batch.created","data":{"send_status":"pending","gifts_preview":[{"view_count_recipient":"many"}]}}`,
			wantField:  "data.gifts_preview.view_count_recipient",
			wantReason: "got JSON string, want int64",
		},
		{
			name:       "nested too deep",
			body:       `{"event_type":"order.created","data":` + deep + `}`,
			wantReason: "nested too deeply",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := goodyhooks.Parse([]byte(tt.body))
			require.ErrorIs(t, err, goodyhooks.ErrInvalidPayload)
			var payloadErr *goodyhooks.PayloadError
			require.ErrorAs(t, err, &payloadErr)
			assert.Equal(t, tt.wantField, payloadErr.Field)
			assert.Contains(t, err.Error(), tt.wantReason)
			for _, fragment := range []string{"secret-looking", "2250", "10.5", "12345678901", "next tuesday", "soon-ish", "many", "1674432000"} {
				assert.NotContains(t, err.Error(), fragment, "the message must not quote the body")
			}
		})
	}
}

func TestParseSamplesRoundTrip(t *testing.T) {
	for _, sample := range goodyhookstest.Samples() {
		t.Run(string(sample.Meta().Type), func(t *testing.T) {
			body, err := goodyhookstest.Marshal(sample)
			require.NoError(t, err)
			again := mustParse(t, body)

			sample.Meta().Raw = nil
			again.Meta().Raw = nil
			assert.Equal(t, sample, again)
		})
	}
}

func TestSamplesMatchTestdata(t *testing.T) {
	for _, typ := range goodyhooks.EventTypes() {
		t.Run(string(typ), func(t *testing.T) {
			assert.Equal(t, string(readTestdata(t, "events/"+string(typ)+".json")),
				string(goodyhookstest.SamplePayload(typ)),
				"goodyhookstest/samples and testdata/events must hold the same payloads")
		})
	}
}

func TestEventTypes(t *testing.T) {
	types := goodyhooks.EventTypes()
	require.Len(t, types, 10)
	seen := map[goodyhooks.EventType]bool{}
	for _, typ := range types {
		assert.True(t, typ.Known(), typ)
		assert.False(t, seen[typ], "duplicate %s", typ)
		seen[typ] = true
	}
	assert.False(t, goodyhooks.EventType("gift_batch.created").Known())
	assert.False(t, goodyhooks.EventType("").Known())

	types[0] = "changed"
	assert.Equal(
		t,
		goodyhooks.EventOrderBatchCreated,
		goodyhooks.EventTypes()[0],
		"the caller owns the slice",
	)
}

func TestEventJSONOmitsRaw(t *testing.T) {
	event := mustParse(t, readTestdata(t, "events/order.shipped.json"))
	event.Meta().MessageID = "msg_json"

	encoded, err := json.Marshal(event)
	require.NoError(t, err)
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(encoded, &fields))
	assert.NotContains(t, fields, "Raw")
	assert.JSONEq(t, `"order.shipped"`, string(fields["event_type"]))
	assert.JSONEq(t, `"msg_json"`, string(fields["message_id"]))
	assert.Contains(t, fields, "data")
}

func TestParseIgnoresOtherKindKeys(t *testing.T) {
	tests := []struct {
		name string
		body string
		want goodyhooks.EventType
	}{
		{name: "batch count in order", want: goodyhooks.EventOrderShipped,
			body: `{"event_type":"order.shipped","id":"e","data":{"id":"o","status":"shipped","recipients_count":"2"}}`},
		{name: "batch preview object in order", want: goodyhooks.EventOrderShipped,
			body: `{"event_type":"order.shipped","id":"e","data":{"id":"o","status":"shipped","orders_preview":{}}}`},
		{name: "batch flag string in order", want: goodyhooks.EventOrderCreated,
			body: `{"event_type":"order.created","id":"e","data":{"id":"o","status":"created","is_scheduled_send":"no"}}`},
		{name: "shipments object in batch", want: goodyhooks.EventOrderBatchCreated,
			body: `{"event_type":"order_batch.created","id":"e","data":{"id":"b","send_status":"pending","shipments":{"a":1}}}`},
		{name: "amounts array in batch", want: goodyhooks.EventOrderBatchCompleted,
			body: `{"event_type":"gift_batch.completed","id":"e","data":{"id":"b","send_status":"complete","gifts_count":3,"amounts":[]}}`},
		{name: "event times in batch", want: goodyhooks.EventOrderBatchCreated,
			body: `{"event_type":"order_batch.created","id":"e","data":{"id":"b","send_status":"pending","event_times":{"created_at":"soon"}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			event := mustParse(t, []byte(tt.body))
			assert.Equal(t, tt.want, event.Meta().Type)
			assert.Equal(t, "e", event.Meta().ID)
			switch e := event.(type) {
			case *goodyhooks.OrderBatchCompleted:
				assert.Equal(t, int64(3), e.Data.OrdersCount)
				assert.Equal(t, "b", e.Data.ID)
			case *goodyhooks.OrderBatchCreated:
				assert.Equal(t, "b", e.Data.ID)
			case *goodyhooks.OrderShipped:
				assert.Equal(t, "o", e.Data.ID)
			case *goodyhooks.OrderCreated:
				assert.Equal(t, goodyhooks.OrderStatusCreated, e.Data.Status)
			}
		})
	}
}

func TestParseOwnKindErrorsKeepField(t *testing.T) {
	_, err := goodyhooks.Parse([]byte(`{"event_type":"order_batch.created","data":{"send_status":"pending","orders_count":"x","shipments":{}}}`))
	var payloadErr *goodyhooks.PayloadError
	require.ErrorAs(t, err, &payloadErr)
	assert.Equal(t, "data.orders_count", payloadErr.Field)
}
