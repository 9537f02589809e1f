package goodyhooks_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
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

// svixVector is the known-answer vector from testdata/svix-vector.json.
type svixVector struct {
	Secret    string `json:"secret"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Body      string `json:"body"`
	Signature string `json:"signature"`
}

func loadSvixVector(t *testing.T) svixVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/svix-vector.json")
	require.NoError(t, err)
	var v svixVector
	require.NoError(t, json.Unmarshal(raw, &v))
	return v
}

func (v svixVector) header() http.Header {
	h := http.Header{}
	h.Set("svix-id", v.ID)
	h.Set("svix-timestamp", v.Timestamp)
	h.Set("svix-signature", v.Signature)
	return h
}

func (v svixVector) time(t *testing.T) time.Time {
	t.Helper()
	seconds, err := strconv.ParseInt(v.Timestamp, 10, 64)
	require.NoError(t, err)
	return time.Unix(seconds, 0)
}

func fixedClock(at time.Time) goodyhooks.Option {
	return goodyhooks.WithClock(func() time.Time { return at })
}

func TestVerifySvixVector(t *testing.T) {
	v := loadSvixVector(t)
	verifier, err := goodyhooks.NewVerifier(v.Secret, fixedClock(v.time(t)))
	require.NoError(t, err)

	assert.NoError(t, verifier.Verify([]byte(v.Body), v.header()))
	assert.ErrorIs(
		t,
		verifier.Verify([]byte(v.Body+" "), v.header()),
		goodyhooks.ErrNoMatchingSignature,
	)
}

func TestVerifySvixVectorSign(t *testing.T) {
	v := loadSvixVector(t)
	signature, err := goodyhookstest.Sign(v.Secret, v.ID, v.time(t), []byte(v.Body))
	require.NoError(t, err)
	assert.Equal(t, v.Signature, signature)
}

func TestNewVerifierSecret(t *testing.T) {
	const good = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	tests := []struct {
		name    string
		secret  string
		wantErr string
	}{
		{name: "with prefix", secret: good},
		{name: "without prefix", secret: strings.TrimPrefix(good, "whsec_")},
		{name: "trailing newline", secret: good + "\n"},
		{name: "empty", secret: "", wantErr: "empty"},
		{name: "prefix only", secret: "whsec_", wantErr: "nothing follows"},
		{name: "surrounding spaces", secret: " " + good + " ", wantErr: "white space"},
		{name: "double quotes", secret: `"` + good + `"`, wantErr: "quotes"},
		{name: "single quotes", secret: `'` + good + `'`, wantErr: "quotes"},
		{name: "doubled prefix", secret: "whsec_" + good, wantErr: "twice"},
		{name: "not base64", secret: "whsec_not*base64!", wantErr: "not standard base64"},
		{name: "missing padding", secret: "whsec_YWJjZA", wantErr: "not standard base64"},
		{name: "upper-case prefix", secret: "WHSEC_" + strings.TrimPrefix(good, "whsec_"), wantErr: "not in lower case"},
		{name: "prefix without underscore", secret: "whsec" + strings.TrimPrefix(good, "whsec_") + "_", wantErr: "lacks the underscore"},
		{name: "not base64 without prefix", secret: "nope*nope*nope", wantErr: "no whsec_ prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := goodyhooks.NewVerifier(tt.secret)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, goodyhooks.ErrInvalidSecret)
			assert.Contains(t, err.Error(), tt.wantErr)
			if len(tt.secret) > len("whsec_") {
				assert.NotContains(t, err.Error(), strings.Trim(tt.secret, ` "'`)[len("whsec_"):])
			}
		})
	}
}

func TestNewVerifierOptions(t *testing.T) {
	tests := []struct {
		name    string
		option  goodyhooks.Option
		wantErr string
	}{
		{name: "zero tolerance", option: goodyhooks.WithTolerance(0), wantErr: "invalid tolerance"},
		{
			name:    "negative tolerance",
			option:  goodyhooks.WithTolerance(-time.Second),
			wantErr: "invalid tolerance",
		},
		{name: "nil clock", option: goodyhooks.WithClock(nil), wantErr: "nil clock"},
		{
			name:    "zero body limit",
			option:  goodyhooks.WithMaxBodyBytes(0),
			wantErr: "invalid body limit",
		},
		{name: "nil option", option: nil, wantErr: "nil Option"},
		{
			name:    "handler option",
			option:  goodyhooks.WithLogger(nil),
			wantErr: "WithLogger applies to NewHandler only",
		},
		{
			name:    "bad additional secret",
			option:  goodyhooks.WithAdditionalSecrets("whsec_!"),
			wantErr: "additional secret 1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := goodyhooks.NewVerifier(goodyhookstest.Secret, tt.option)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestVerifyOutcomes(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped)
	otherSecret := goodyhookstest.NewSecret()

	signed := func(options ...goodyhookstest.Option) http.Header {
		return goodyhookstest.SignedHeader(body, append([]goodyhookstest.Option{
			goodyhookstest.WithTimestamp(now), goodyhookstest.WithMessageID("msg_outcomes"),
		}, options...)...)
	}
	without := func(name string) http.Header {
		h := signed()
		h.Del(name)
		return h
	}
	with := func(name, value string) http.Header {
		h := signed()
		h.Set(name, value)
		return h
	}
	goodSignature := signed().Get("svix-signature")

	tests := []struct {
		name       string
		header     http.Header
		body       []byte
		options    []goodyhooks.Option
		wantErr    error
		wantHeader string
	}{
		{name: "valid", header: signed()},
		{name: "webhook headers", header: signed(goodyhookstest.WithWebhookHeaders())},
		{
			name:       "missing id",
			header:     without("svix-id"),
			wantErr:    goodyhooks.ErrMissingHeader,
			wantHeader: "svix-id",
		},
		{
			name:       "missing timestamp",
			header:     without("svix-timestamp"),
			wantErr:    goodyhooks.ErrMissingHeader,
			wantHeader: "svix-timestamp",
		},
		{
			name:       "missing signature",
			header:     without("svix-signature"),
			wantErr:    goodyhooks.ErrMissingHeader,
			wantHeader: "svix-signature",
		},
		{
			name:       "no headers",
			header:     http.Header{},
			wantErr:    goodyhooks.ErrMissingHeader,
			wantHeader: "svix-id",
		},
		{
			name: "partial webhook set", wantErr: goodyhooks.ErrMissingHeader, wantHeader: "webhook-signature",
			header: func() http.Header {
				h := signed(goodyhookstest.WithWebhookHeaders())
				h.Del("webhook-signature")
				return h
			}(),
		},
		{
			name:       "empty signature",
			header:     with("svix-signature", ""),
			wantErr:    goodyhooks.ErrMissingHeader,
			wantHeader: "svix-signature",
		},
		{
			name:       "timestamp with fraction",
			header:     with("svix-timestamp", "1772366400.5"),
			wantErr:    goodyhooks.ErrInvalidHeader,
			wantHeader: "svix-timestamp",
		},
		{
			name:       "timestamp in words",
			header:     with("svix-timestamp", "yesterday"),
			wantErr:    goodyhooks.ErrInvalidHeader,
			wantHeader: "svix-timestamp",
		},
		{
			name:       "timestamp beyond int64",
			header:     with("svix-timestamp", "99999999999999999999"),
			wantErr:    goodyhooks.ErrInvalidHeader,
			wantHeader: "svix-timestamp",
		},
		{
			name:   "timestamp with plus sign",
			header: with("svix-timestamp", "+"+strconv.FormatInt(now.Unix(), 10)),
		},
		{
			name:   "timestamp with leading zeros",
			header: with("svix-timestamp", "000"+strconv.FormatInt(now.Unix(), 10)),
		},
		{
			name:    "tampered body",
			header:  signed(),
			body:    append([]byte(" "), body...),
			wantErr: goodyhooks.ErrNoMatchingSignature,
		},
		{
			name:    "wrong secret",
			header:  signed(goodyhookstest.WithSecret(otherSecret)),
			wantErr: goodyhooks.ErrNoMatchingSignature,
		},
		{
			name:    "other id",
			header:  with("svix-id", "msg_other"),
			wantErr: goodyhooks.ErrNoMatchingSignature,
		},
		{
			name:    "signature not base64",
			header:  with("svix-signature", "v1,***"),
			wantErr: goodyhooks.ErrNoMatchingSignature,
		},
		{
			name:    "v2 entry skipped",
			header:  with("svix-signature", strings.Replace(goodSignature, "v1,", "v2,", 1)),
			wantErr: goodyhooks.ErrNoMatchingSignature,
		},
		{
			name:   "second of two signatures",
			header: with("svix-signature", "v1,bm90IGl0 "+goodSignature),
		},
		{name: "after unknown version", header: with("svix-signature", "v1a,abc "+goodSignature)},
		{
			name:   "extra comma part ignored",
			header: with("svix-signature", goodSignature+",trailing"),
		},
		{name: "double space", header: with("svix-signature", "v1,bm90  "+goodSignature)},
		{
			name: "rotated secret, old signature", header: signed(goodyhookstest.WithSecret(otherSecret)),
			options: []goodyhooks.Option{goodyhooks.WithAdditionalSecrets(otherSecret)},
		},
		{
			name: "rotated secret, both signatures", header: with(
				"svix-signature",
				signed(
					goodyhookstest.WithSecret(otherSecret),
				).Get("svix-signature")+
					" "+goodSignature,
			),
			options: []goodyhooks.Option{goodyhooks.WithAdditionalSecrets(otherSecret)},
		},
		{
			name:    "too old",
			header:  signed(goodyhookstest.WithTimestamp(now.Add(-5*time.Minute - time.Second))),
			wantErr: goodyhooks.ErrTimestampTooOld,
		},
		{
			name:   "old within tolerance",
			header: signed(goodyhookstest.WithTimestamp(now.Add(-5 * time.Minute))),
		},
		{
			name:    "too new",
			header:  signed(goodyhookstest.WithTimestamp(now.Add(5*time.Minute + time.Second))),
			wantErr: goodyhooks.ErrTimestampTooNew,
		},
		{
			name:   "new within tolerance",
			header: signed(goodyhookstest.WithTimestamp(now.Add(5 * time.Minute))),
		},
		{
			name: "wider tolerance", header: signed(goodyhookstest.WithTimestamp(now.Add(-time.Hour))),
			options: []goodyhooks.Option{goodyhooks.WithTolerance(2 * time.Hour)},
		},
		{
			name: "narrower tolerance", header: signed(goodyhookstest.WithTimestamp(now.Add(2 * time.Minute))),
			options: []goodyhooks.Option{
				goodyhooks.WithTolerance(time.Minute),
			}, wantErr: goodyhooks.ErrTimestampTooNew,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verifier, err := goodyhooks.NewVerifier(
				goodyhookstest.Secret,
				append(tt.options, fixedClock(now))...)
			require.NoError(t, err)
			payload := body
			if tt.body != nil {
				payload = tt.body
			}

			err = verifier.Verify(payload, tt.header)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			if tt.wantHeader != "" {
				var headerErr *goodyhooks.HeaderError
				require.ErrorAs(t, err, &headerErr)
				assert.Equal(t, tt.wantHeader, headerErr.Name)
			}
			for _, value := range tt.header.Values("svix-signature") {
				if value != "" {
					assert.NotContains(t, err.Error(), value)
				}
			}
			assert.NotContains(t, err.Error(), string(payload[:40]))
		})
	}
}

func TestVerifyTimestampError(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	body := []byte(`{}`)
	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret, fixedClock(now))
	require.NoError(t, err)

	err = verifier.Verify(
		body,
		goodyhookstest.SignedHeader(body, goodyhookstest.WithTimestamp(now.Add(-7*time.Minute))),
	)
	var stale *goodyhooks.TimestampError
	require.ErrorAs(t, err, &stale)
	assert.Equal(t, now.Add(-7*time.Minute).Unix(), stale.Timestamp.Unix())
	assert.Equal(t, now, stale.Now)
	assert.Equal(t, goodyhooks.DefaultTolerance, stale.Tolerance)
	assert.Contains(t, err.Error(), "signed 7m0s before now")

	err = verifier.Verify(
		body,
		goodyhookstest.SignedHeader(body, goodyhookstest.WithTimestamp(now.Add(10*time.Minute))),
	)
	require.ErrorIs(t, err, goodyhooks.ErrTimestampTooNew)
	assert.Contains(t, err.Error(), "dated 10m0s after now")

	millis := now.Add(time.Minute).UnixMilli()
	header := goodyhookstest.SignedHeader(body, goodyhookstest.WithTimestamp(now))
	header.Set("svix-timestamp", strconv.FormatInt(millis, 10))
	err = verifier.Verify(body, header)
	require.ErrorIs(t, err, goodyhooks.ErrTimestampTooNew)
	assert.Contains(t, err.Error(), "days after now")
	assert.Contains(t, err.Error(), "looks like milliseconds")

	nearNow := now.Add(400 * time.Millisecond)
	atEdge, err := goodyhooks.NewVerifier(goodyhookstest.Secret, fixedClock(nearNow))
	require.NoError(t, err)
	err = atEdge.Verify(body, goodyhookstest.SignedHeader(body, goodyhookstest.WithTimestamp(now.Add(-5*time.Minute))))
	require.ErrorIs(t, err, goodyhooks.ErrTimestampTooOld)
	assert.Contains(t, err.Error(), "signed 5m0.4s before now", "rounding must not show the tolerance itself")
}

func TestVerifySwappedHeadersHideSignature(t *testing.T) {
	body := []byte(`{}`)
	header := goodyhookstest.SignedHeader(body)
	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret)
	require.NoError(t, err)
	signature := header.Get("svix-signature")

	err = verifier.VerifyValues(body, header.Get("svix-id"), signature, header.Get("svix-timestamp"))
	require.ErrorIs(t, err, goodyhooks.ErrInvalidHeader)
	assert.NotContains(t, err.Error(), signature[3:15])
	assert.Contains(t, err.Error(), "a value of 47 bytes")
}

func TestVerifyLowerCaseHeaderMap(t *testing.T) {
	body := []byte(`{}`)
	signed := goodyhookstest.SignedHeader(body)
	header := http.Header{}
	for key, values := range signed {
		header[strings.ToLower(key)] = values
	}
	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret)
	require.NoError(t, err)

	err = verifier.Verify(body, header)
	require.ErrorIs(t, err, goodyhooks.ErrMissingHeader)
	assert.Contains(t, err.Error(), "lower-case key")
}

// svixOutcome maps an error of the Svix library, whose error values are
// unexported, to the goodyhooks sentinel for the same outcome.
func svixOutcome(err error) error {
	if err == nil {
		return nil
	}
	switch err.Error() {
	case "missing required headers":
		return goodyhooks.ErrMissingHeader
	case "invalid signature headers":
		return goodyhooks.ErrInvalidHeader
	case "no matching signature found":
		return goodyhooks.ErrNoMatchingSignature
	case "message timestamp too old":
		return goodyhooks.ErrTimestampTooOld
	case "message timestamp too new":
		return goodyhooks.ErrTimestampTooNew
	}
	return err
}

// outcome returns the sentinel that err wraps.
func outcome(err error) error {
	for _, sentinel := range []error{
		goodyhooks.ErrMissingHeader, goodyhooks.ErrInvalidHeader, goodyhooks.ErrNoMatchingSignature,
		goodyhooks.ErrTimestampTooOld, goodyhooks.ErrTimestampTooNew,
	} {
		if errors.Is(err, sentinel) {
			return sentinel
		}
	}
	return err
}

func TestVerifyMatchesSvix(t *testing.T) {
	vector := loadSvixVector(t)
	now := time.Now()
	fresh := strconv.FormatInt(now.Unix(), 10)
	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderCreated)
	sign := func(id, timestamp string, payload []byte) string {
		seconds, err := strconv.ParseInt(timestamp, 10, 64)
		require.NoError(t, err)
		signature, err := goodyhookstest.Sign(
			goodyhookstest.Secret,
			id,
			time.Unix(seconds, 0),
			payload,
		)
		require.NoError(t, err)
		return signature
	}
	good := sign("msg_1", fresh, body)

	type headers map[string]string
	tests := []struct {
		name    string
		secret  string
		headers headers
		body    []byte
	}{
		{name: "svix vector at its own time", secret: vector.Secret, body: []byte(vector.Body),
			headers: headers{
				"svix-id":        vector.ID,
				"svix-timestamp": vector.Timestamp,
				"svix-signature": vector.Signature,
			}},
		{
			name:    "fresh valid",
			headers: headers{"svix-id": "msg_1", "svix-timestamp": fresh, "svix-signature": good},
		},
		{
			name: "webhook set",
			headers: headers{
				"webhook-id":        "msg_1",
				"webhook-timestamp": fresh,
				"webhook-signature": good,
			},
		},
		{
			name: "mixed sets",
			headers: headers{
				"svix-id":           "msg_1",
				"webhook-timestamp": fresh,
				"webhook-signature": good,
			},
		},
		{
			name: "mixed sets complete webhook",
			headers: headers{
				"svix-id":           "msg_1",
				"webhook-id":        "msg_1",
				"webhook-timestamp": fresh,
				"webhook-signature": good,
			},
		},
		{name: "no headers", headers: headers{}},
		{
			name: "plus sign",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": "+" + fresh,
				"svix-signature": good,
			},
		},
		{
			name: "leading zeros",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": "00" + fresh,
				"svix-signature": good,
			},
		},
		{
			name: "leading space",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": " " + fresh,
				"svix-signature": good,
			},
		},
		{
			name: "decimal",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": fresh + ".0",
				"svix-signature": good,
			},
		},
		{
			name: "milliseconds",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": fresh + "000",
				"svix-signature": good,
			},
		},
		{
			name: "beyond int64",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": "9223372036854775808",
				"svix-signature": good,
			},
		},
		{
			name: "minimum int64",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": "-9223372036854775808",
				"svix-signature": good,
			},
		},
		{
			name: "maximum int64",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": "9223372036854775807",
				"svix-signature": good,
			},
		},
		{
			name:    "zero",
			headers: headers{"svix-id": "msg_1", "svix-timestamp": "0", "svix-signature": good},
		},
		{name: "tampered body", body: append(append([]byte{}, body...), '\n'),
			headers: headers{"svix-id": "msg_1", "svix-timestamp": fresh, "svix-signature": good}},
		{
			name: "trailing comma part",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": fresh,
				"svix-signature": good + ",x",
			},
		},
		{
			name: "no comma",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": fresh,
				"svix-signature": "v1" + good[3:],
			},
		},
		{
			name: "empty version",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": fresh,
				"svix-signature": good[2:],
			},
		},
		{
			name: "upper-case version",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": fresh,
				"svix-signature": "V1" + good[2:],
			},
		},
		{
			name: "trailing space",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": fresh,
				"svix-signature": good + " ",
			},
		},
		{
			name: "leading spaces",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": fresh,
				"svix-signature": "  " + good,
			},
		},
		{
			name: "tab separated",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": fresh,
				"svix-signature": "v1,x\t" + good,
			},
		},
		{name: "many signatures", headers: headers{"svix-id": "msg_1", "svix-timestamp": fresh,
			"svix-signature": strings.Repeat("v1,AAAA ", 1000) + good}},
		{
			name: "truncated signature",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": fresh,
				"svix-signature": good[:len(good)-1],
			},
		},
		{
			name: "unpadded signature",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": fresh,
				"svix-signature": strings.TrimRight(good, "="),
			},
		},
		{
			name: "ten minutes old",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": strconv.FormatInt(now.Add(-10*time.Minute).Unix(), 10),
				"svix-signature": sign(
					"msg_1",
					strconv.FormatInt(now.Add(-10*time.Minute).Unix(), 10),
					body,
				),
			},
		},
		{
			name: "ten minutes ahead",
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": strconv.FormatInt(now.Add(10*time.Minute).Unix(), 10),
				"svix-signature": sign(
					"msg_1",
					strconv.FormatInt(now.Add(10*time.Minute).Unix(), 10),
					body,
				),
			},
		},
		{
			name: "id with dots",
			headers: headers{
				"svix-id":        "msg.1." + fresh,
				"svix-timestamp": fresh,
				"svix-signature": sign("msg.1."+fresh, fresh, body),
			},
		},
		{
			name: "empty body",
			body: []byte{},
			headers: headers{
				"svix-id":        "msg_1",
				"svix-timestamp": fresh,
				"svix-signature": sign("msg_1", fresh, nil),
			},
		},
		{name: "secret without prefix", secret: strings.TrimPrefix(goodyhookstest.Secret, "whsec_"),
			headers: headers{"svix-id": "msg_1", "svix-timestamp": fresh, "svix-signature": good}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := tt.secret
			if secret == "" {
				secret = goodyhookstest.Secret
			}
			payload := body
			if tt.body != nil {
				payload = tt.body
			}
			header := http.Header{}
			for key, value := range tt.headers {
				header.Set(key, value)
			}

			reference, err := svix.NewWebhook(secret)
			require.NoError(t, err)
			verifier, err := goodyhooks.NewVerifier(secret)
			require.NoError(t, err)

			want := svixOutcome(reference.Verify(payload, header))
			got := outcome(verifier.Verify(payload, header))
			assert.Equal(t, want, got)
		})
	}
}

func TestVerifyRequest(t *testing.T) {
	body := goodyhookstest.SamplePayload(goodyhooks.EventOrderCreated)
	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret)
	require.NoError(t, err)

	t.Run("valid", func(t *testing.T) {
		r := goodyhookstest.NewRequest(body)
		got, err := verifier.VerifyRequest(r)
		require.NoError(t, err)
		assert.Equal(t, body, got)
		again, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		assert.Equal(t, body, again, "the body must stay readable")
	})
	t.Run("invalid signature", func(t *testing.T) {
		r := goodyhookstest.NewRequest(body, goodyhookstest.WithSecret(goodyhookstest.NewSecret()))
		got, err := verifier.VerifyRequest(r)
		require.ErrorIs(t, err, goodyhooks.ErrNoMatchingSignature)
		assert.Equal(t, body, got)
	})
	t.Run("too large", func(t *testing.T) {
		small, err := goodyhooks.NewVerifier(
			goodyhookstest.Secret,
			goodyhooks.WithMaxBodyBytes(100),
		)
		require.NoError(t, err)
		_, err = small.VerifyRequest(goodyhookstest.NewRequest(body))
		var tooLarge *http.MaxBytesError
		require.ErrorAs(t, err, &tooLarge)
		assert.Equal(t, int64(100), tooLarge.Limit)
	})
	t.Run("too large without length", func(t *testing.T) {
		small, err := goodyhooks.NewVerifier(
			goodyhookstest.Secret,
			goodyhooks.WithMaxBodyBytes(100),
		)
		require.NoError(t, err)
		r := goodyhookstest.NewRequest(body)
		r.ContentLength = -1
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body)))
		_, err = small.VerifyRequest(r)
		assert.ErrorAs(t, err, new(*http.MaxBytesError))
	})
	t.Run("large declared length", func(t *testing.T) {
		large := append(bytes.Repeat([]byte(" "), 200<<10), body...)
		r := goodyhookstest.NewRequest(large)
		got, err := verifier.VerifyRequest(r)
		require.NoError(t, err)
		assert.Equal(t, large, got)
	})
	t.Run("large body shorter than declared", func(t *testing.T) {
		large := bytes.Repeat([]byte(" "), 100<<10)
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(large[:70<<10]))
		r.ContentLength = int64(len(large))
		_, err := verifier.VerifyRequest(r)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	})
	t.Run("shorter than declared", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body[:10]))
		r.ContentLength = int64(len(body))
		_, err := verifier.VerifyRequest(r)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	})
}

func TestParseRequest(t *testing.T) {
	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret)
	require.NoError(t, err)
	at := time.Now().Truncate(time.Second)
	r := goodyhookstest.NewRequest(goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped),
		goodyhookstest.WithMessageID("msg_parse_request"), goodyhookstest.WithTimestamp(at))

	event, err := verifier.ParseRequest(r)
	require.NoError(t, err)
	shipped, ok := event.(*goodyhooks.OrderShipped)
	require.True(t, ok, "got %T", event)
	assert.Equal(t, "msg_parse_request", shipped.MessageID)
	assert.True(t, at.Equal(shipped.Timestamp), "timestamp %v, want %v", shipped.Timestamp, at)
	assert.Equal(t, time.UTC, shipped.Timestamp.Location())
}

func TestParseRequestVerifiesFirst(t *testing.T) {
	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret)
	require.NoError(t, err)
	r := goodyhookstest.NewRequest(
		[]byte(`not json`),
		goodyhookstest.WithSecret(goodyhookstest.NewSecret()),
	)

	_, err = verifier.ParseRequest(r)
	assert.ErrorIs(t, err, goodyhooks.ErrNoMatchingSignature)
	assert.NotErrorIs(t, err, goodyhooks.ErrInvalidPayload)
}
