package goodyhooks_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

// serverlessHeaders returns the headers of a signed delivery of body as
// a map with lower-case keys, the form that AWS Lambda function URLs
// and API Gateway HTTP APIs pass, with the other headers Svix sends.
func serverlessHeaders(body []byte, options ...goodyhookstest.Option) map[string]string {
	headers := map[string]string{
		"content-type": "application/json",
		"user-agent":   "Svix-Webhooks/1.0",
	}
	for name, values := range goodyhookstest.SignedHeader(body, options...) {
		headers[strings.ToLower(name)] = values[0]
	}
	return headers
}

// renameKeys returns headers with each key passed through rename.
func renameKeys(headers map[string]string, rename func(string) string) map[string]string {
	renamed := make(map[string]string, len(headers))
	for name, value := range headers {
		renamed[rename(name)] = value
	}
	return renamed
}

// alternateCase returns name with its bytes in upper and lower case in
// turn, such as "SvIx-Id" for "svix-id".
func alternateCase(name string) string {
	letters := []byte(strings.ToLower(name))
	for i := 0; i < len(letters); i += 2 {
		letters[i] = strings.ToUpper(string(letters[i]))[0]
	}
	return string(letters)
}

func serverlessVerifier(t *testing.T) *goodyhooks.Verifier {
	t.Helper()
	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret)
	require.NoError(t, err)
	return verifier
}

var mapHeaderCases = []struct {
	name    string
	rename  func(string) string
	options []goodyhookstest.Option
	want    []string // canonical names HeaderFromMap must return
}{
	{name: "lower case", rename: strings.ToLower,
		want: []string{"Svix-Id", "Svix-Timestamp", "Svix-Signature"}},
	{name: "upper case", rename: strings.ToUpper,
		want: []string{"Svix-Id", "Svix-Timestamp", "Svix-Signature"}},
	{name: "canonical", rename: http.CanonicalHeaderKey,
		want: []string{"Svix-Id", "Svix-Timestamp", "Svix-Signature"}},
	{name: "mixed case", rename: alternateCase,
		want: []string{"Svix-Id", "Svix-Timestamp", "Svix-Signature"}},
	{name: "webhook headers", rename: strings.ToLower,
		options: []goodyhookstest.Option{goodyhookstest.WithWebhookHeaders()},
		want:    []string{"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"}},
	{name: "webhook headers upper case", rename: strings.ToUpper,
		options: []goodyhookstest.Option{goodyhookstest.WithWebhookHeaders()},
		want:    []string{"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"}},
}

func TestHeaderFromMapCase(t *testing.T) {
	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderCreated)
	for _, tt := range mapHeaderCases {
		t.Run(tt.name, func(t *testing.T) {
			lower := serverlessHeaders(body, tt.options...)
			headers := renameKeys(lower, tt.rename)

			header := goodyhooks.HeaderFromMap(headers)

			assert.Len(t, header, len(tt.want), "HeaderFromMap copies the signature headers only")
			for _, name := range tt.want {
				require.Contains(t, header, name)
				assert.Equal(t, []string{lower[strings.ToLower(name)]}, header[name], name)
			}
			assert.NotContains(t, header, "Content-Type")
		})
	}
}

func TestHeaderFromMapEmpty(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
	}{
		{name: "nil map", headers: nil},
		{name: "no signature headers", headers: map[string]string{"content-type": "application/json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := goodyhooks.HeaderFromMap(tt.headers)
			require.NotNil(t, header)
			assert.Empty(t, header)
		})
	}
}

func TestVerifyMapCase(t *testing.T) {
	verifier := serverlessVerifier(t)
	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped)
	for _, tt := range mapHeaderCases {
		t.Run(tt.name, func(t *testing.T) {
			headers := renameKeys(serverlessHeaders(body, tt.options...), tt.rename)
			assert.NoError(t, verifier.VerifyMap(body, headers))
		})
	}
}

func TestVerifyMapMissingHeader(t *testing.T) {
	verifier := serverlessVerifier(t)
	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped)
	for _, missing := range []string{"svix-id", "svix-timestamp", "svix-signature"} {
		t.Run(missing, func(t *testing.T) {
			headers := serverlessHeaders(body)
			delete(headers, missing)

			err := verifier.VerifyMap(body, headers)

			require.ErrorIs(t, err, goodyhooks.ErrMissingHeader)
			var headerErr *goodyhooks.HeaderError
			require.ErrorAs(t, err, &headerErr)
			assert.Equal(t, missing, headerErr.Name)
		})
	}
}

func TestVerifyMapRejects(t *testing.T) {
	verifier := serverlessVerifier(t)
	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped)

	tests := []struct {
		name    string
		body    []byte
		headers map[string]string
		want    error
	}{
		{
			name:    "wrong secret",
			body:    body,
			headers: serverlessHeaders(body, goodyhookstest.WithSecret(goodyhookstest.NewSecret())),
			want:    goodyhooks.ErrNoMatchingSignature,
		},
		{
			name:    "changed body",
			body:    append([]byte(" "), body...),
			headers: serverlessHeaders(body),
			want:    goodyhooks.ErrNoMatchingSignature,
		},
		{
			name:    "old timestamp",
			body:    body,
			headers: serverlessHeaders(body, goodyhookstest.WithTimestamp(time.Now().Add(-time.Hour))),
			want:    goodyhooks.ErrTimestampTooOld,
		},
		{
			name:    "empty map",
			body:    body,
			headers: map[string]string{},
			want:    goodyhooks.ErrMissingHeader,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verifier.VerifyMap(tt.body, tt.headers)
			require.ErrorIs(t, err, tt.want)
			if signature := tt.headers["svix-signature"]; signature != "" {
				assert.NotContains(t, err.Error(), strings.TrimPrefix(signature, "v1,"),
					"the error must not contain the signature")
			}
		})
	}
}

func TestVerifyValuesSvixVector(t *testing.T) {
	vector := loadSvixVector(t)
	verifier, err := goodyhooks.NewVerifier(vector.Secret, fixedClock(vector.time(t)))
	require.NoError(t, err)

	err = verifier.VerifyValues([]byte(vector.Body), vector.ID, vector.Timestamp, vector.Signature)
	assert.NoError(t, err)
}

func TestVerifyValues(t *testing.T) {
	verifier := serverlessVerifier(t)
	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderDelivered)
	messageID := goodyhookstest.NewMessageID()
	now := time.Now()
	timestamp := strconv.FormatInt(now.Unix(), 10)
	signature, err := goodyhookstest.Sign(goodyhookstest.Secret, messageID, now, body)
	require.NoError(t, err)
	otherSignature, err := goodyhookstest.Sign(goodyhookstest.NewSecret(), messageID, now, body)
	require.NoError(t, err)
	old := now.Add(-time.Hour)
	oldSignature, err := goodyhookstest.Sign(goodyhookstest.Secret, messageID, old, body)
	require.NoError(t, err)

	tests := []struct {
		name      string
		messageID string
		timestamp string
		signature string
		want      error // nil for a delivery that verifies
	}{
		{name: "valid", messageID: messageID, timestamp: timestamp, signature: signature},
		{name: "several signatures", messageID: messageID, timestamp: timestamp,
			signature: otherSignature + " " + signature},
		{name: "empty id", messageID: "", timestamp: timestamp, signature: signature,
			want: goodyhooks.ErrMissingHeader},
		{name: "empty timestamp", messageID: messageID, timestamp: "", signature: signature,
			want: goodyhooks.ErrMissingHeader},
		{name: "empty signature", messageID: messageID, timestamp: timestamp, signature: "",
			want: goodyhooks.ErrMissingHeader},
		{name: "timestamp not a number", messageID: messageID, timestamp: "yesterday", signature: signature,
			want: goodyhooks.ErrInvalidHeader},
		{name: "old timestamp", messageID: messageID, timestamp: strconv.FormatInt(old.Unix(), 10),
			signature: oldSignature, want: goodyhooks.ErrTimestampTooOld},
		{name: "other message id", messageID: goodyhookstest.NewMessageID(), timestamp: timestamp,
			signature: signature, want: goodyhooks.ErrNoMatchingSignature},
		{name: "wrong secret", messageID: messageID, timestamp: timestamp, signature: otherSignature,
			want: goodyhooks.ErrNoMatchingSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verifier.VerifyValues(body, tt.messageID, tt.timestamp, tt.signature)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestVerifyValuesMatchesVerifyMap(t *testing.T) {
	verifier := serverlessVerifier(t)
	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderCanceled)
	headers := serverlessHeaders(body)

	tests := []struct {
		name string
		body []byte
	}{
		{name: "signed body", body: body},
		{name: "other body", body: []byte(`{}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fromMap := verifier.VerifyMap(tt.body, headers)
			fromValues := verifier.VerifyValues(tt.body,
				headers["svix-id"], headers["svix-timestamp"], headers["svix-signature"])
			assert.Equal(t, fromMap == nil, fromValues == nil, "map: %v, values: %v", fromMap, fromValues)
		})
	}
}

// TestParseMap covers the way a Lambda function verifies and decodes in
// one call.
func TestParseMap(t *testing.T) {
	signedAt := time.Unix(1735689600, 0)
	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret, fixedClock(signedAt.Add(time.Minute)))
	require.NoError(t, err)
	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderGiftAccepted)
	messageID := goodyhookstest.NewMessageID()
	headers := serverlessHeaders(body, goodyhookstest.WithMessageID(messageID),
		goodyhookstest.WithTimestamp(signedAt))

	event, err := verifier.ParseMap(body, headers)

	require.NoError(t, err)
	accepted, ok := event.(*goodyhooks.OrderGiftAccepted)
	require.True(t, ok, "event is %T", event)
	assert.Equal(t, messageID, accepted.MessageID)
	assert.True(t, signedAt.Equal(accepted.Timestamp), "timestamp %v, want %v", accepted.Timestamp, signedAt)
	assert.Equal(t, body, accepted.Raw)
}
