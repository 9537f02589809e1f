package goodyhookstest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	svix "github.com/svix/svix-webhooks/go"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

func TestSignMatchesSvix(t *testing.T) {
	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped)
	at := time.Unix(1700000000, 0)
	reference, err := svix.NewWebhook(goodyhookstest.Secret)
	require.NoError(t, err)
	want, err := reference.Sign("msg_sign", at, body)
	require.NoError(t, err)

	got, err := goodyhookstest.Sign(goodyhookstest.Secret, "msg_sign", at, body)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestSignInvalidSecret(t *testing.T) {
	_, err := goodyhookstest.Sign("whsec_***", "msg", time.Now(), nil)
	assert.ErrorIs(t, err, goodyhooks.ErrInvalidSecret)
}

func TestNewRequestHeaders(t *testing.T) {
	at := time.Unix(1700000000, 0)
	body := []byte(`{}`)
	r := goodyhookstest.NewRequest(body, goodyhookstest.WithMessageID("msg_headers"),
		goodyhookstest.WithTimestamp(at), goodyhookstest.WithTarget("/hooks?x=1"))

	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/hooks?x=1", r.URL.RequestURI())
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.Equal(t, "msg_headers", r.Header.Get("svix-id"))
	assert.Equal(t, "1700000000", r.Header.Get("svix-timestamp"))
	assert.Regexp(t, `^v1,[A-Za-z0-9+/]{43}=$`, r.Header.Get("svix-signature"))
	assert.Empty(t, r.Header.Get("webhook-id"))
	assert.Equal(t, int64(len(body)), r.ContentLength)

	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret,
		goodyhooks.WithClock(func() time.Time { return at }))
	require.NoError(t, err)
	_, err = verifier.VerifyRequest(r)
	assert.NoError(t, err)
}

func TestSignedHeaderAdditionalSecrets(t *testing.T) {
	body := []byte(`{}`)
	oldSecret, newSecret := goodyhookstest.NewSecret(), goodyhookstest.NewSecret()
	header := goodyhookstest.SignedHeader(body, goodyhookstest.WithSecret(oldSecret),
		goodyhookstest.WithAdditionalSecrets(newSecret))

	signatures := strings.Fields(header.Get("svix-signature"))
	require.Len(t, signatures, 2)
	for _, secret := range []string{oldSecret, newSecret} {
		verifier, err := goodyhooks.NewVerifier(secret)
		require.NoError(t, err)
		assert.NoError(t, verifier.Verify(body, header))
	}
}

func TestNewRequestWebhookHeaders(t *testing.T) {
	r := goodyhookstest.NewRequest([]byte(`{}`), goodyhookstest.WithWebhookHeaders())
	assert.NotEmpty(t, r.Header.Get("webhook-id"))
	assert.NotEmpty(t, r.Header.Get("webhook-timestamp"))
	assert.NotEmpty(t, r.Header.Get("webhook-signature"))
	assert.Empty(t, r.Header.Get("svix-id"))
}

func TestNewRequestDefaults(t *testing.T) {
	before := time.Now().Unix()
	first := goodyhookstest.NewRequest([]byte(`{}`))
	second := goodyhookstest.NewRequest([]byte(`{}`))

	assert.Regexp(t, `^msg_[0-9A-Za-z]{27}$`, first.Header.Get("svix-id"))
	assert.NotEqual(
		t,
		first.Header.Get("svix-id"),
		second.Header.Get("svix-id"),
		"each request is a new message",
	)
	seconds, err := strconv.ParseInt(first.Header.Get("svix-timestamp"), 10, 64)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, seconds, before)
}

func TestNewRequestPanicsOnBadSecret(t *testing.T) {
	assert.Panics(t, func() { goodyhookstest.NewRequest(nil, goodyhookstest.WithSecret("")) })
}

func TestNewClientRequest(t *testing.T) {
	_, err := goodyhookstest.NewClientRequest(
		"http://127.0.0.1/",
		nil,
		goodyhookstest.WithSecret("not a secret"),
	)
	assert.ErrorIs(t, err, goodyhooks.ErrInvalidSecret)

	_, err = goodyhookstest.NewClientRequest("://missing-scheme", nil)
	assert.Error(t, err)

	var got goodyhooks.Event
	hooks, err := goodyhooks.NewHandler(goodyhookstest.Secret)
	require.NoError(t, err)
	hooks.OnDefault(func(_ context.Context, e goodyhooks.Event) error { got = e; return nil })
	server := httptest.NewServer(hooks)
	defer server.Close()

	r, err := goodyhookstest.NewClientRequest(
		server.URL,
		goodyhookstest.SamplePayload(goodyhooks.EventOrderCreated),
	)
	require.NoError(t, err)
	resp, err := server.Client().Do(r)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.NotNil(t, got)
	assert.Equal(t, goodyhooks.EventOrderCreated, got.Meta().Type)
}

func TestSamples(t *testing.T) {
	samples := goodyhookstest.Samples()
	require.Len(t, samples, 10)
	for i, typ := range goodyhooks.EventTypes() {
		assert.Equal(t, typ, samples[i].Meta().Type)
		assert.True(t, json.Valid(goodyhookstest.SamplePayload(typ)))
	}
	assert.Nil(t, goodyhookstest.Sample("order.regifted"))
	assert.Nil(t, goodyhookstest.SamplePayload("order.regifted"))
	assert.Nil(t, goodyhookstest.Sample("../order.shipped"))
}

func TestSampleIsFresh(t *testing.T) {
	first := goodyhookstest.Sample(goodyhooks.EventOrderShipped).(*goodyhooks.OrderShipped)
	first.Data.Status = "changed"
	first.Data.Shipments[0].BrandName = "changed"

	second := goodyhookstest.Sample(goodyhooks.EventOrderShipped).(*goodyhooks.OrderShipped)
	assert.Equal(t, goodyhooks.OrderStatusShipped, second.Data.Status)
	assert.Equal(t, "Cookie Company", second.Data.Shipments[0].BrandName)
}

func TestDeliverSendsChangedFields(t *testing.T) {
	hooks, err := goodyhooks.NewHandler(goodyhookstest.Secret)
	require.NoError(t, err)
	var got *goodyhooks.OrderShipped
	hooks.OnOrderShipped(
		func(_ context.Context, e *goodyhooks.OrderShipped) error { got = e; return nil },
	)

	sample := goodyhookstest.Sample(goodyhooks.EventOrderShipped).(*goodyhooks.OrderShipped)
	number := "1Z999AA10123456784"
	sample.Data.Shipments[0].TrackingNumber = &number
	status, body := goodyhookstest.Deliver(hooks, sample)

	assert.Equal(t, http.StatusNoContent, status)
	assert.Empty(t, body)
	require.NotNil(t, got)
	assert.Equal(t, &number, got.Data.Shipments[0].TrackingNumber)
}

func TestMarshal(t *testing.T) {
	unknown, err := goodyhooks.Parse([]byte(`{"event_type":"x.y","id":"e1","data":{"a":1}}`))
	require.NoError(t, err)
	body, err := goodyhookstest.Marshal(unknown)
	require.NoError(t, err)
	assert.JSONEq(t, `{"event_type":"x.y","id":"e1","data":{"a":1}}`, string(body))

	_, err = goodyhookstest.Marshal(nil)
	assert.Error(t, err)

	noData := &goodyhooks.UnknownEvent{EventMeta: goodyhooks.EventMeta{ID: "e2", Type: "x.y"}}
	body, err = goodyhookstest.Marshal(noData)
	require.NoError(t, err)
	assert.JSONEq(t, `{"event_type":"x.y","id":"e2"}`, string(body))
	again, err := goodyhooks.Parse(body)
	require.NoError(t, err)
	assert.Nil(t, again.(*goodyhooks.UnknownEvent).Data)
}

func TestSampleOlderNames(t *testing.T) {
	older := goodyhookstest.Sample("gift_batch.created")
	require.NotNil(t, older)
	assert.Equal(t, goodyhooks.EventOrderBatchCreated, older.Meta().Type)
	assert.Equal(t, goodyhookstest.SamplePayload(goodyhooks.EventOrderBatchCompleted),
		goodyhookstest.SamplePayload("gift_batch.completed"))
}

func TestNewSecret(t *testing.T) {
	secret := goodyhookstest.NewSecret()
	assert.Regexp(t, regexp.MustCompile(`^whsec_[A-Za-z0-9+/]{32}$`), secret)
	assert.NotEqual(t, secret, goodyhookstest.NewSecret())
	_, err := goodyhooks.DecodeSecret(secret)
	assert.NoError(t, err)
}

// This example tests a callback of one's own: it changes a sample event
// and delivers it through the handler under test.
func Example() {
	hooks, err := goodyhooks.NewHandler(goodyhookstest.Secret)
	if err != nil {
		log.Fatal(err)
	}
	hooks.OnOrderThankYouNoteAdded(
		func(ctx context.Context, e *goodyhooks.OrderThankYouNoteAdded) error {
			if e.Data.ThankYouNote == nil {
				return fmt.Errorf("order %s has no note", e.Data.ID)
			}
			fmt.Println("note:", *e.Data.ThankYouNote)
			return nil
		},
	)

	sample := goodyhookstest.Sample(goodyhooks.EventOrderThankYouNoteAdded).(*goodyhooks.OrderThankYouNoteAdded)
	status, _ := goodyhookstest.Deliver(hooks, sample)
	fmt.Println(status)

	sample.Data.ThankYouNote = nil
	status, _ = goodyhookstest.Deliver(hooks, sample)
	fmt.Println(status)
	// Output:
	// note: Thanks for the gift!
	// 204
	// 500
}

// This example signs a body for a test of code that calls
// goodyhooks.Verifier.Verify itself.
func ExampleSignedHeader() {
	body := []byte(`{"event_type":"order.created","id":"e1","data":{"status":"created"}}`)
	header := goodyhookstest.SignedHeader(body, goodyhookstest.WithMessageID("msg_example"))

	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(header.Get("svix-id"), verifier.Verify(body, header))
	// Output: msg_example <nil>
}

// This example checks that a handler rejects a delivery signed with
// another secret.
func ExampleWithSecret() {
	hooks, err := goodyhooks.NewHandler(goodyhookstest.Secret)
	if err != nil {
		log.Fatal(err)
	}
	r := goodyhookstest.NewRequest(goodyhookstest.SamplePayload(goodyhooks.EventOrderCreated),
		goodyhookstest.WithSecret(goodyhookstest.NewSecret()))
	status, body := goodyhookstest.Serve(hooks, r)
	fmt.Print(status, " ", body)
	// Output: 400 webhook verification failed
}
