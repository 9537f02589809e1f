package goodyhooks_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
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

// The known-answer vector that Svix publishes with its libraries' tests.
const (
	fuzzVectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	fuzzVectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	fuzzVectorTimestamp = "1614265330"
	fuzzVectorBody      = `{"test": 2432232314}`
	fuzzVectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

// Bits of the mode byte that the header-building fuzz targets take.
const (
	modeWebhookNames      = 1 << iota // webhook-* names instead of svix-*
	modeEmptyFirst                    // an empty value before each real one
	modeBothSets                      // the other set too, with an empty id
	modeLowerCaseKeys                 // extra non-canonical lower-case keys
	modeSignCorrectly                 // put the correct signature in the list
	modeMutateSignature               // change one byte of the correct one
	modeKeepFuzzSignature             // keep the fuzzed list beside it
	modeOtherSecret                   // verify under goodyhookstest.Secret
)

// fuzzPayloads returns the documentation payloads under testdata.
func fuzzPayloads(f *testing.F) [][]byte {
	f.Helper()
	var payloads [][]byte
	for _, pattern := range []string{"testdata/events/*.json", "testdata/variants/*.json"} {
		paths, err := filepath.Glob(pattern)
		require.NoError(f, err)
		for _, path := range paths {
			payload, err := os.ReadFile(path)
			require.NoError(f, err)
			payloads = append(payloads, payload)
		}
	}
	require.NotEmpty(f, payloads, "no seed payloads under testdata/events")
	return payloads
}

// fuzzHeader builds the signature headers as the mode bits select.
func fuzzHeader(mode uint8, id, timestamp, signatures string) http.Header {
	set := [3]string{"Svix-Id", "Svix-Timestamp", "Svix-Signature"}
	other := [3]string{"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"}
	if mode&modeWebhookNames != 0 {
		set, other = other, set
	}
	header := http.Header{}
	for i, value := range [3]string{id, timestamp, signatures} {
		if mode&modeEmptyFirst != 0 {
			header[set[i]] = []string{"", value}
		} else {
			header[set[i]] = []string{value}
		}
		if mode&modeBothSets != 0 {
			header[other[i]] = []string{value}
		}
		if mode&modeLowerCaseKeys != 0 {
			header[strings.ToLower(other[i])] = []string{value}
		}
	}
	if mode&modeBothSets != 0 {
		header[other[0]] = []string{""}
	}
	return header
}

// fuzzSignatures returns the signature list to send: the fuzzed one,
// the correct one, or both, as the mode bits select.
func fuzzSignatures(t *testing.T, mode uint8, secret, id, timestamp string, body []byte,
	fuzzed string, flipAt uint16, flipMask byte) string {
	t.Helper()
	if mode&modeSignCorrectly == 0 {
		return fuzzed
	}
	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fuzzed
	}
	correct, err := goodyhookstest.Sign(secret, id, time.Unix(seconds, 0), body)
	require.NoError(t, err)
	if mode&modeMutateSignature != 0 {
		mutated := []byte(correct)
		mutated[int(flipAt)%len(mutated)] ^= flipMask
		correct = string(mutated)
	}
	if mode&modeKeepFuzzSignature != 0 {
		return fuzzed + " " + correct
	}
	return correct
}

var verifySentinels = []error{
	goodyhooks.ErrMissingHeader,
	goodyhooks.ErrInvalidHeader,
	goodyhooks.ErrTimestampTooOld,
	goodyhooks.ErrTimestampTooNew,
	goodyhooks.ErrNoMatchingSignature,
}

// verifyOutcome returns the sentinel that err matches, or err itself if
// it matches none.
func verifyOutcome(err error) error {
	for _, sentinel := range verifySentinels {
		if errors.Is(err, sentinel) {
			return sentinel
		}
	}
	return err
}

// FuzzVerify checks that Verify and its map and value forms never
// panic, return only the documented errors, keep the signature out of
// the message, and accept only a list that contains the correct
// signature.
func FuzzVerify(f *testing.F) {
	f.Add(fuzzVectorID, fuzzVectorTimestamp, fuzzVectorSignature, []byte(fuzzVectorBody), uint8(0))
	f.Add(fuzzVectorID, fuzzVectorTimestamp, "v1,bad v2,x "+fuzzVectorSignature, []byte(fuzzVectorBody), uint8(0))
	f.Add(fuzzVectorID, "+0"+fuzzVectorTimestamp, fuzzVectorSignature, []byte(fuzzVectorBody), uint8(1))
	f.Add(fuzzVectorID, fuzzVectorTimestamp+".0", fuzzVectorSignature, []byte(fuzzVectorBody), uint8(2))
	f.Add("", "", "", []byte{}, uint8(3))
	f.Add("msg_1", "99999999999999999999", "v1,,,, ,", []byte("{}"), uint8(4))
	for i, payload := range fuzzPayloads(f) {
		f.Add("msg_"+strconv.Itoa(i), fuzzVectorTimestamp, "v1,"+strings.Repeat("A", 44), payload, uint8(i))
	}

	at, err := strconv.ParseInt(fuzzVectorTimestamp, 10, 64)
	require.NoError(f, err)
	clock := goodyhooks.WithClock(func() time.Time { return time.Unix(at, 0) })
	verifier, err := goodyhooks.NewVerifier(fuzzVectorSecret, clock)
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, id, timestamp, fuzzed string, body []byte, mode uint8) {
		flipAt := uint16(mode) * 7
		signatures := fuzzSignatures(t, mode, fuzzVectorSecret, id, timestamp, body, fuzzed, flipAt, mode|1)
		header := fuzzHeader(mode, id, timestamp, signatures)
		lowerCase := map[string]string{
			"svix-id":        id,
			"svix-timestamp": timestamp,
			"svix-signature": signatures,
		}
		results := map[string]error{
			"Verify":       verifier.Verify(body, header),
			"VerifyMap":    verifier.VerifyMap(body, lowerCase),
			"VerifyValues": verifier.VerifyValues(body, id, timestamp, signatures),
		}
		for name, err := range results {
			if err == nil {
				continue
			}
			assert.Contains(t, verifySentinels, verifyOutcome(err), "%s: unexpected error %v", name, err)
			message := err.Error()
			assert.True(t, strings.HasPrefix(message, "goodyhooks: "), "%s: message %q lacks the prefix", name, message)
			assert.NotContains(t, message, fuzzVectorSecret, name)
			if len(signatures) >= 24 {
				assert.NotContains(t, message, signatures, "%s: message repeats the signature header", name)
			}
			var headerErr *goodyhooks.HeaderError
			if errors.As(err, &headerErr) {
				assert.Contains(t, []string{"svix-id", "svix-timestamp", "svix-signature",
					"webhook-id", "webhook-timestamp", "webhook-signature"}, headerErr.Name, name)
			}
		}

		// The map and value forms see the same three values as the
		// svix-* headers, so they agree with each other.
		assert.Equal(t, verifyOutcome(results["VerifyValues"]), verifyOutcome(results["VerifyMap"]))

		// A verified delivery carries the correct signature somewhere in
		// its list.
		for name, err := range results {
			if err != nil {
				continue
			}
			seconds, err := strconv.ParseInt(timestamp, 10, 64)
			require.NoError(t, err, "%s: accepted timestamp %q does not parse", name, timestamp)
			correct, err := goodyhookstest.Sign(fuzzVectorSecret, id, time.Unix(seconds, 0), body)
			require.NoError(t, err)
			assert.Contains(t, signatures, correct[len("v1,"):], "%s: accepted a list without the correct signature", name)
		}
	})
}

// FuzzVerifyMatchesSvix checks that, with default options, Verify
// accepts and rejects exactly what the Svix library's Verify does, and
// for the same reason. Timestamps are either near the current time, so
// that the tolerance does not decide, or text chosen by the fuzzer,
// which covers differences in parsing.
func FuzzVerifyMatchesSvix(f *testing.F) {
	vectorBody := []byte(fuzzVectorBody)
	all := uint8(modeSignCorrectly)
	f.Add(fuzzVectorID, fuzzVectorTimestamp, int64(0), true, fuzzVectorSignature, vectorBody, uint8(0), uint16(0), byte(0))
	f.Add(fuzzVectorID, "", int64(0), false, "", vectorBody, all, uint16(0), byte(0))
	f.Add(fuzzVectorID, "", int64(-200), false, "v1,x v2,y", vectorBody, all|modeKeepFuzzSignature, uint16(0), byte(0))
	f.Add(fuzzVectorID, "", int64(100), false, "", vectorBody, all|modeMutateSignature, uint16(10), byte(1))
	f.Add(fuzzVectorID, "", int64(0), false, "", vectorBody, all|modeMutateSignature, uint16(0), byte('v'^'V'))
	f.Add(fuzzVectorID, "", int64(0), false, "", vectorBody, all|modeWebhookNames|modeEmptyFirst, uint16(0), byte(0))
	f.Add(fuzzVectorID, "", int64(0), false, "", vectorBody, all|modeBothSets|modeLowerCaseKeys, uint16(0), byte(0))
	f.Add("msg_a", "+00", int64(0), true, "v1", []byte{}, uint8(modeOtherSecret), uint16(0), byte(0))
	f.Add("", "-1", int64(0), true, ",", []byte("{}"), uint8(0), uint16(0), byte(0))
	for i, payload := range fuzzPayloads(f) {
		f.Add("msg_"+strconv.Itoa(i), "", int64(i*37-150), false, "v1,,", payload, all|uint8(i&3), uint16(i), byte(i))
	}

	f.Fuzz(func(t *testing.T, id, timestampText string, offset int64, useText bool, signatures string,
		body []byte, mode uint8, flipAt uint16, flipMask byte) {
		secret := fuzzVectorSecret
		if mode&modeOtherSecret != 0 {
			secret = goodyhookstest.Secret
		}
		ours, err := goodyhooks.NewVerifier(secret)
		require.NoError(t, err)
		theirs, err := svix.NewWebhook(secret)
		require.NoError(t, err)

		now := time.Now()
		timestamp := timestampText
		if !useText {
			// Offsets stay inside the tolerance with a margin, so that
			// the two verifiers, which read the clock at different
			// moments, see the same side of it.
			offset %= int64(goodyhooks.DefaultTolerance/time.Second) - 10
			timestamp = strconv.FormatInt(now.Unix()+offset, 10)
		} else if seconds, err := strconv.ParseInt(timestamp, 10, 64); err == nil {
			distance := time.Duration(now.Unix()-seconds) * time.Second
			if distance < 0 {
				distance = -distance
			}
			if distance > goodyhooks.DefaultTolerance-10*time.Second && distance < goodyhooks.DefaultTolerance+10*time.Second {
				t.Skip("timestamp too near the tolerance for two clock reads to agree")
			}
		}

		list := fuzzSignatures(t, mode, secret, id, timestamp, body, signatures, flipAt, flipMask)
		header := fuzzHeader(mode, id, timestamp, list)
		got := verifyOutcome(ours.Verify(body, header))
		want := svixOutcomeOf(theirs.Verify(body, header))
		assert.Equal(t, want, got, "id %q, timestamp %q, signatures %q", id, timestamp, list)
	})
}

// svixOutcomeOf maps an error of the Svix library, which exports none of
// its errors, to the goodyhooks sentinel for the same outcome.
func svixOutcomeOf(err error) error {
	if err == nil {
		return nil
	}
	switch err.Error() {
	case "missing required headers":
		return goodyhooks.ErrMissingHeader
	case "invalid signature headers":
		return goodyhooks.ErrInvalidHeader
	case "message timestamp too old":
		return goodyhooks.ErrTimestampTooOld
	case "message timestamp too new":
		return goodyhooks.ErrTimestampTooNew
	case "no matching signature found":
		return goodyhooks.ErrNoMatchingSignature
	}
	return err
}

// payloadErrorTokens returns the text that a Parse error message may
// hold without leaking the body: its fixed phrases, the JSON names of
// the envelope and of every field of the event types, and the event
// type names. Longer tokens come first, so that a token inside another
// is not removed first.
func payloadErrorTokens() []string {
	tokens := []string{
		"goodyhooks: invalid payload: ",
		"body is empty; want a JSON object",
		"missing or null; ", " events need an object",
		"is an order batch, but ", "is an order, but ",
		" events carry an order batch", " events carry an order",
		"malformed JSON", "JSON nested too deeply", " at byte offset ",
		"; the body must be one complete JSON object",
		"cannot decode the body as JSON",
		"got JSON ", "got a string that is not one", ", want ",
		"an ISO 8601 time such as 2023-01-23T00:00:00Z", "an ISO 8601 time string",
		"string", "number", "bool", "array", "object", "value",
		"a string", "an integer", "a number", "a boolean", "an array", "an object", "a JSON value",
		"missing or empty; want an event name such as order.shipped",
		"event_type", "event_id", "data",
		"gifts_count", "gifts_preview", "individual_gift_link_shared", "gift_batch_id",
	}
	for _, typ := range goodyhooks.EventTypes() {
		tokens = append(tokens, string(typ))
	}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for i := 0; i < typ.NumField(); i++ {
			field := typ.Field(i)
			if name, _, _ := strings.Cut(field.Tag.Get("json"), ","); name != "" {
				tokens = append(tokens, name)
			}
			walk(field.Type)
		}
	}
	walk(reflect.TypeOf(goodyhooks.Order{}))
	walk(reflect.TypeOf(goodyhooks.OrderBatch{}))
	sort.Slice(tokens, func(i, j int) bool { return len(tokens[i]) > len(tokens[j]) })
	return tokens
}

// leakedText returns the first run of windowSize bytes of message that
// also occurs in input once the allowed tokens are taken out of message,
// or "" if there is none.
func leakedText(message string, input []byte, tokens []string, windowSize int) string {
	for _, token := range tokens {
		message = strings.ReplaceAll(message, token, "\x00")
	}
	for _, segment := range strings.Split(message, "\x00") {
		for i := 0; i+windowSize <= len(segment); i++ {
			if bytes.Contains(input, []byte(segment[i:i+windowSize])) {
				return segment[i : i+windowSize]
			}
		}
	}
	return ""
}

func TestLeakedText(t *testing.T) {
	tokens := payloadErrorTokens()
	tests := []struct {
		name    string
		message string
		input   string
		want    string
	}{
		{name: "field path", message: "goodyhooks: invalid payload: data.amounts.amount_total: got JSON string, want int64",
			input: `{"data":{"amounts":{"amount_total":"x"}}}`, want: ""},
		{name: "quoted value", message: "goodyhooks: invalid payload: data.id: got JSON number LEAKED-VALUE",
			input: `{"data":{"id":"LEAKED-VALUE"}}`, want: "LEAKED-V"},
		{name: "byte offset", message: "goodyhooks: invalid payload: malformed JSON at byte offset 1234567; " +
			"the body must be one complete JSON object", input: `1234567`, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, leakedText(tt.message, []byte(tt.input), tokens, 8))
		})
	}
}

// FuzzParse checks that Parse never panics, returns either an event or
// a *PayloadError, keeps the input as Raw, and never copies 8 bytes of
// the input into an error message beyond field names and fixed text.
func FuzzParse(f *testing.F) {
	for _, payload := range fuzzPayloads(f) {
		f.Add(payload)
	}
	f.Add([]byte(fuzzVectorBody))
	f.Add([]byte(`{"event_type":"order.shipped","data":{"amounts":{"amount_total":"LEAKMARK"}}}`))
	f.Add([]byte(`{"event_type":"order.shipped","data":{"expires_at":"LEAKMARKER"}}`))
	f.Add([]byte(`{"event_type":"order_batch.created","data":{"status":"shipped"}}`))
	f.Add([]byte(`{"event_type":"order.created","data":null}`))
	f.Add([]byte(`{"event_type":"order.created","data":[1,2]}`))
	f.Add([]byte(`{"event_type":"some.future_event","id":"x","data":{"any":[1]}}`))
	f.Add([]byte(`{"event_type":"order.shipped","event_type":"order.created","data":{"id":1e999}}`))
	f.Add([]byte("{\"event_type\":\"order.shipped\",\"data\":{\"id\":\"\xff\xfe\"}}"))
	f.Add([]byte(strings.Repeat("[", 10001)))
	f.Add([]byte{})

	tokens := payloadErrorTokens()
	f.Fuzz(func(t *testing.T, payload []byte) {
		event, err := goodyhooks.Parse(payload)
		if err != nil {
			assert.Nil(t, event, "Parse returned an event and an error")
			require.ErrorIs(t, err, goodyhooks.ErrInvalidPayload)
			var payloadErr *goodyhooks.PayloadError
			require.ErrorAs(t, err, &payloadErr)
			leak := leakedText(err.Error(), payload, tokens, 8)
			assert.Empty(t, leak, "message %q repeats input text", err.Error())
			assert.NotContains(t, err.Error(), "goodyhooks.wire", "message names an unexported type")
			_, again := goodyhooks.Parse(payload)
			assert.Equal(t, err.Error(), again.Error(), "Parse is not deterministic")
			return
		}

		require.NotNil(t, event, "Parse returned neither an event nor an error")
		meta := event.Meta()
		require.Len(t, meta.Raw, len(payload))
		if len(payload) > 0 {
			assert.Same(t, &payload[0], &meta.Raw[0], "Raw is a copy of the input")
		}
		assert.Empty(t, meta.MessageID)
		assert.True(t, meta.Timestamp.IsZero())
		if _, unknown := event.(*goodyhooks.UnknownEvent); unknown {
			assert.False(t, meta.Type.Known(), "known type %q decoded as UnknownEvent", meta.Type)
			assert.NotEmpty(t, meta.Type)
		} else {
			assert.True(t, meta.Type.Known(), "unknown type %q decoded as %T", meta.Type, event)
		}
	})
}

// fuzzStatuses are the status codes that the Handler documents.
var fuzzStatuses = []int{
	http.StatusNoContent,
	http.StatusBadRequest,
	http.StatusMethodNotAllowed,
	http.StatusConflict,
	http.StatusRequestEntityTooLarge,
	http.StatusInternalServerError,
	http.StatusServiceUnavailable,
}

// FuzzServeHTTP checks that the Handler never panics and responds to
// every request with one of its documented status codes. Event ids "fail" and
// "panic" make the callback fail or panic.
func FuzzServeHTTP(f *testing.F) {
	for i, payload := range fuzzPayloads(f) {
		f.Add(http.MethodPost, payload, "msg_"+strconv.Itoa(i), "", true)
	}
	f.Add(http.MethodPost, []byte(`{"event_type":"order.shipped","id":"fail","data":{}}`), "msg_f", "", true)
	f.Add(http.MethodPost, []byte(`{"event_type":"order.shipped","id":"panic","data":{}}`), "msg_p", "", true)
	f.Add(http.MethodPost, []byte(`{"event_type":"x.y","id":"fail"}`), "msg_u", "", true)
	f.Add(http.MethodPost, []byte(fuzzVectorBody), fuzzVectorID, fuzzVectorSignature, false)
	f.Add(http.MethodGet, []byte{}, "", "", false)
	f.Add(http.MethodPost, bytes.Repeat([]byte("x"), 5000), "msg_big", "", true)

	const bodyLimit = 4096
	store, err := goodyhooks.NewMemoryStore(time.Hour, 64)
	require.NoError(f, err)
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
	handler, err := goodyhooks.NewHandler(goodyhookstest.Secret, goodyhooks.WithMaxBodyBytes(bodyLimit),
		goodyhooks.WithIdempotencyStore(store), goodyhooks.WithLogger(logger))
	require.NoError(f, err)
	handler.OnDefault(func(_ context.Context, e goodyhooks.Event) error {
		switch e.Meta().ID {
		case "fail":
			return errors.New("callback failed on purpose")
		case "panic":
			panic("callback panicked on purpose")
		}
		return nil
	})

	f.Fuzz(func(t *testing.T, method string, body []byte, id, signatures string, sign bool) {
		var options []goodyhookstest.Option
		if id != "" {
			options = append(options, goodyhookstest.WithMessageID(id))
		}
		request := goodyhookstest.NewRequest(body, options...)
		if validMethod(method) {
			request.Method = method
		}
		if !sign {
			request.Header.Set("Svix-Signature", signatures)
		}
		status, _ := goodyhookstest.Serve(handler, request)
		assert.Contains(t, fuzzStatuses, status, "undocumented status")
		if request.Method == http.MethodPost && len(body) > bodyLimit {
			assert.Equal(t, http.StatusRequestEntityTooLarge, status)
		}
	})
}

// validMethod reports whether method is an HTTP token, as
// http.NewRequest requires.
func validMethod(method string) bool {
	if method == "" {
		return false
	}
	for i := 0; i < len(method); i++ {
		c := method[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
