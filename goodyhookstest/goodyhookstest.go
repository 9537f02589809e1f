// Package goodyhookstest builds signed Goody webhook requests and sample
// events for tests, in the way net/http/httptest builds requests for
// handlers.
//
// A test of a callback registered on a [goodyhooks.Handler] takes a
// sample event, changes what matters to it, and delivers it:
//
//	e := goodyhookstest.Sample(goodyhooks.EventOrderShipped).(*goodyhooks.OrderShipped)
//	e.Data.Shipments[0].TrackingNumber = &number
//	status, _ := goodyhookstest.Deliver(handler, e)
//
// The handler under test must use [Secret], or the secret passed with
// [WithSecret].
package goodyhookstest

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	svix "github.com/svix/svix-webhooks/go"

	"github.com/goodyhooks/goodyhooks"
)

// Secret is the signing secret that requests are signed with unless
// [WithSecret] gives another. It is public, so use it in tests only.
const Secret = "whsec_Z29vZHlob29rc3Rlc3Qgc2lnbmluZyBrZXkgMDEyMw=="

// Option changes how [NewRequest] and the functions built on it sign a
// request.
type Option func(*settings)

type settings struct {
	secret         string
	extraSecrets   []string
	messageID      string
	timestamp      time.Time
	target         string
	webhookHeaders bool
}

// WithSecret signs with secret instead of [Secret].
func WithSecret(secret string) Option {
	return func(s *settings) { s.secret = secret }
}

// WithAdditionalSecrets adds one signature per secret to the
// svix-signature header, after the one made with the main secret, as
// Svix signs while an endpoint's secret is being rotated.
func WithAdditionalSecrets(secrets ...string) Option {
	return func(s *settings) { s.extraSecrets = append(s.extraSecrets, secrets...) }
}

// WithMessageID sets the Svix message id. By default each request gets
// a new random id, as each Svix message does, so that an idempotency
// store does not take two samples for one message.
func WithMessageID(id string) Option {
	return func(s *settings) { s.messageID = id }
}

// WithTimestamp sets the signing time. The default is the current time.
func WithTimestamp(t time.Time) Option {
	return func(s *settings) { s.timestamp = t }
}

// WithTarget sets the request target, a path or an absolute URL. The
// default is "/".
func WithTarget(target string) Option {
	return func(s *settings) { s.target = target }
}

// WithWebhookHeaders sends the signature as webhook-id,
// webhook-timestamp and webhook-signature, as Svix does for accounts
// with white-labelled headers, instead of the svix-* headers.
func WithWebhookHeaders() Option {
	return func(s *settings) { s.webhookHeaders = true }
}

func newSettings(options []Option) settings {
	s := settings{secret: Secret, target: "/"}
	for _, option := range options {
		option(&s)
	}
	if s.messageID == "" {
		s.messageID = NewMessageID()
	}
	if s.timestamp.IsZero() {
		s.timestamp = time.Now()
	}
	return s
}

// Sign returns the Svix signature of body for the given message id and
// time, in the form "v1,<base64>" that the svix-signature header lists.
// It returns an error if secret is not a valid signing secret.
func Sign(secret, messageID string, timestamp time.Time, body []byte) (string, error) {
	key, err := goodyhooks.DecodeSecret(secret)
	if err != nil {
		return "", err
	}
	// The Svix library's own Sign, so that requests are signed exactly as
	// Svix signs Goody's deliveries.
	webhook, err := svix.NewWebhookRaw(key)
	if err != nil {
		return "", fmt.Errorf("goodyhookstest: %w", err)
	}
	return webhook.Sign(messageID, timestamp, body)
}

// SignedHeader returns the three headers that Svix sends with body,
// signed as the options set. It panics if the secret is invalid, since
// that is a mistake in the test.
func SignedHeader(body []byte, options ...Option) http.Header {
	header, err := signedHeader(body, newSettings(options))
	if err != nil {
		panic("goodyhookstest: " + err.Error())
	}
	return header
}

func signedHeader(body []byte, s settings) (http.Header, error) {
	signatures := make([]string, 0, 1+len(s.extraSecrets))
	for _, secret := range append([]string{s.secret}, s.extraSecrets...) {
		signature, err := Sign(secret, s.messageID, s.timestamp, body)
		if err != nil {
			return nil, err
		}
		signatures = append(signatures, signature)
	}
	prefix := "Svix-"
	if s.webhookHeaders {
		prefix = "Webhook-"
	}
	header := make(http.Header, 4)
	header.Set(prefix+"Id", s.messageID)
	header.Set(prefix+"Timestamp", strconv.FormatInt(s.timestamp.Unix(), 10))
	header.Set(prefix+"Signature", strings.Join(signatures, " "))
	return header, nil
}

// NewRequest returns a POST request carrying body with the headers that
// Svix sends: Content-Type application/json and the three signature
// headers, signed as the options set. Like httptest.NewRequest, it is
// for passing to a handler directly, and it panics if the secret or the
// target is invalid, since that is a mistake in the test.
func NewRequest(body []byte, options ...Option) *http.Request {
	s := newSettings(options)
	header, err := signedHeader(body, s)
	if err != nil {
		panic("goodyhookstest: " + err.Error())
	}
	r := httptest.NewRequest(http.MethodPost, s.target, bytes.NewReader(body))
	addHeaders(r, header)
	return r
}

// NewClientRequest is [NewRequest] for sending with an [http.Client]:
// url must be absolute, and the request has no RequestURI.
func NewClientRequest(url string, body []byte, options ...Option) (*http.Request, error) {
	s := newSettings(options)
	r, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("goodyhookstest: invalid URL: %w", err)
	}
	header, err := signedHeader(body, s)
	if err != nil {
		return nil, err
	}
	addHeaders(r, header)
	return r, nil
}

// addHeaders sets the signature headers and the other headers that
// Svix sends.
func addHeaders(r *http.Request, signature http.Header) {
	for key, values := range signature {
		r.Header[key] = values
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "Svix-Webhooks/1.0 (goodyhookstest)")
}

// NewEventRequest is [NewRequest] with the body encoded from event by
// [Marshal], so that changes made to a sample's fields are sent. It
// panics if the event cannot be encoded.
func NewEventRequest(event goodyhooks.Event, options ...Option) *http.Request {
	body, err := Marshal(event)
	if err != nil {
		panic(err.Error())
	}
	return NewRequest(body, options...)
}

// Serve sends r through handler and returns the status code and body of
// the response.
func Serve(handler http.Handler, r *http.Request) (status int, body string) {
	recorder := httptest.NewRecorder()
	handler.ServeHTTP(recorder, r)
	return recorder.Code, recorder.Body.String()
}

// Deliver signs event as the options set, sends it through handler and
// returns the status code and body of the response.
func Deliver(
	handler http.Handler,
	event goodyhooks.Event,
	options ...Option,
) (status int, body string) {
	return Serve(handler, NewEventRequest(event, options...))
}

// Marshal encodes event as the JSON body Goody sends: an object with
// event_type, id and data, with the current key names. An
// [*goodyhooks.UnknownEvent] keeps its raw data.
func Marshal(event goodyhooks.Event) ([]byte, error) {
	if event == nil {
		return nil, fmt.Errorf("goodyhookstest: cannot marshal a nil event")
	}
	meta := event.Meta()
	envelope := struct {
		EventType goodyhooks.EventType `json:"event_type"`
		ID        string               `json:"id"`
		Data      any                  `json:"data,omitempty"`
	}{EventType: meta.Type, ID: meta.ID}
	switch e := event.(type) {
	case *goodyhooks.OrderBatchCreated:
		envelope.Data = &e.Data
	case *goodyhooks.OrderBatchCompleted:
		envelope.Data = &e.Data
	case *goodyhooks.OrderCreated:
		envelope.Data = &e.Data
	case *goodyhooks.OrderGiftOpened:
		envelope.Data = &e.Data
	case *goodyhooks.OrderGiftAccepted:
		envelope.Data = &e.Data
	case *goodyhooks.OrderThankYouNoteAdded:
		envelope.Data = &e.Data
	case *goodyhooks.OrderShipped:
		envelope.Data = &e.Data
	case *goodyhooks.OrderDelivered:
		envelope.Data = &e.Data
	case *goodyhooks.OrderCanceled:
		envelope.Data = &e.Data
	case *goodyhooks.OrderRefunded:
		envelope.Data = &e.Data
	case *goodyhooks.UnknownEvent:
		// A nil Data leaves the data key out, so that Parse gives nil
		// back.
		if e.Data != nil {
			envelope.Data = e.Data
		}
	default:
		return nil, fmt.Errorf("goodyhookstest: cannot marshal event of type %T", event)
	}
	return json.Marshal(envelope)
}

// NewMessageID returns a random Svix-style message id, "msg_" and 27
// letters and digits.
func NewMessageID() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var random [27]byte
	if _, err := rand.Read(random[:]); err != nil {
		panic("goodyhookstest: crypto/rand failed: " + err.Error())
	}
	id := make([]byte, 0, 31)
	id = append(id, "msg_"...)
	for _, b := range random {
		id = append(id, alphabet[int(b)%len(alphabet)])
	}
	return string(id)
}

// NewSecret returns a new random signing secret: "whsec_" and the base64
// of 24 random bytes, the form of the secrets in the Goody dashboard.
func NewSecret() string {
	var key [24]byte
	if _, err := rand.Read(key[:]); err != nil {
		panic("goodyhookstest: crypto/rand failed: " + err.Error())
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(key[:])
}

//go:embed samples/*.json
var samples embed.FS

// olderEventTypes maps the older names of the batch events, which
// Goody's documentation still uses, to the current ones.
var olderEventTypes = map[goodyhooks.EventType]goodyhooks.EventType{
	"gift_batch.created":   goodyhooks.EventOrderBatchCreated,
	"gift_batch.completed": goodyhooks.EventOrderBatchCompleted,
}

// SamplePayload returns the example body from Goody's documentation
// for an event type, with personal details replaced, or nil for a type
// Goody does not document. The older names gift_batch.created and
// gift_batch.completed are taken for their current ones. The two batch
// examples use the older gift_batch names, as Goody's documentation
// does. The caller owns the returned slice.
func SamplePayload(typ goodyhooks.EventType) []byte {
	if current, ok := olderEventTypes[typ]; ok {
		typ = current
	}
	if !typ.Known() {
		return nil
	}
	body, err := samples.ReadFile("samples/" + string(typ) + ".json")
	if err != nil {
		return nil
	}
	return body
}

// Sample returns a new event decoded from [SamplePayload], or nil for a
// type Goody does not document. Its Raw field holds the documentation
// payload, but [Marshal] and the request builders encode the event's
// fields, so changes to them are sent.
func Sample(typ goodyhooks.EventType) goodyhooks.Event {
	body := SamplePayload(typ)
	if body == nil {
		return nil
	}
	event, err := goodyhooks.Parse(body)
	if err != nil {
		panic("goodyhookstest: bundled sample " + string(typ) + " does not parse: " + err.Error())
	}
	return event
}

// Samples returns a new sample of each documented event type, in the
// order of [goodyhooks.EventTypes].
func Samples() []goodyhooks.Event {
	types := goodyhooks.EventTypes()
	events := make([]goodyhooks.Event, len(types))
	for i, typ := range types {
		events[i] = Sample(typ)
	}
	return events
}
