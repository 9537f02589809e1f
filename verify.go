package goodyhooks

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	svix "github.com/svix/svix-webhooks/go"
)

// Errors that [Verifier.Verify] wraps. Test for them with [errors.Is].
// The messages of the wrapping errors never contain a secret, a
// signature or the body.
var (
	// ErrMissingHeader means a signature header is absent or empty. The
	// wrapping error is a [*HeaderError] that names it.
	ErrMissingHeader = errors.New("goodyhooks: missing header")
	// ErrInvalidHeader means a signature header is present but cannot
	// be read, such as a timestamp that is not a decimal integer. The
	// wrapping error is a [*HeaderError] that names it.
	ErrInvalidHeader = errors.New("goodyhooks: invalid header")
	// ErrTimestampTooOld means the delivery was signed longer ago than
	// the tolerance. The wrapping error is a [*TimestampError].
	ErrTimestampTooOld = errors.New("goodyhooks: timestamp too old")
	// ErrTimestampTooNew means the delivery is dated further in the
	// future than the tolerance. The wrapping error is a
	// [*TimestampError].
	ErrTimestampTooNew = errors.New("goodyhooks: timestamp too new")
	// ErrNoMatchingSignature means no v1 signature in the header matches
	// the body under any of the verifier's secrets.
	ErrNoMatchingSignature = errors.New("goodyhooks: no matching signature")
	// ErrInvalidSecret means a secret given to [NewVerifier] or
	// [NewHandler] is empty or is not base64 after the whsec_ prefix.
	ErrInvalidSecret = errors.New("goodyhooks: invalid secret")
)

// The canonical forms of the header names that Svix sends. Each set is
// read whole: the webhook-* set is used when a svix-* header is absent.
var (
	svixHeaders = headerSet{
		id:        "Svix-Id",
		timestamp: "Svix-Timestamp",
		signature: "Svix-Signature",
	}
	webhookHeaders = headerSet{
		id:        "Webhook-Id",
		timestamp: "Webhook-Timestamp",
		signature: "Webhook-Signature",
	}
)

type headerSet struct{ id, timestamp, signature string }

// HeaderError reports a signature header that is missing or cannot be
// read. It matches [ErrMissingHeader] or [ErrInvalidHeader] through
// [errors.Is].
type HeaderError struct {
	// Name is the header at fault, in lower case, such as
	// "svix-timestamp".
	Name string
	// Err is ErrMissingHeader or ErrInvalidHeader.
	Err error
	// Reason describes the fault in the value. It is empty for a
	// missing header.
	Reason string
}

func (e *HeaderError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("%v %s; Svix sends svix-id, svix-timestamp and svix-signature "+
			"(or the webhook-* forms) with every delivery, so check that a proxy does not drop them", e.Err, e.Name)
	}
	return fmt.Sprintf("%v %s: %s", e.Err, e.Name, e.Reason)
}

func (e *HeaderError) Unwrap() error { return e.Err }

// TimestampError reports a delivery whose svix-timestamp lies outside
// the tolerance. It matches [ErrTimestampTooOld] or [ErrTimestampTooNew]
// through [errors.Is].
type TimestampError struct {
	// Timestamp is the time in the header.
	Timestamp time.Time
	// Now is the verifier's current time when it checked.
	Now time.Time
	// Tolerance is the verifier's tolerance.
	Tolerance time.Duration
	// Err is ErrTimestampTooOld or ErrTimestampTooNew.
	Err error
}

func (e *TimestampError) Error() string {
	if errors.Is(e.Err, ErrTimestampTooOld) {
		return fmt.Sprintf("%v: signed %s before now, more than the %v tolerance; "+
			"this is a replay or the server clock is wrong",
			e.Err, describeDistance(e.Timestamp, e.Now, e.Tolerance), e.Tolerance)
	}
	hint := "check the server clock"
	if e.Timestamp.Unix() > 1e11 {
		hint = "the timestamp looks like milliseconds, but Svix sends seconds"
	}
	return fmt.Sprintf("%v: dated %s after now, more than the %v tolerance; %s",
		e.Err, describeDistance(e.Now, e.Timestamp, e.Tolerance), e.Tolerance, hint)
}

// describeDistance formats how far later is than earlier. It computes in
// whole seconds, because time.Time.Sub saturates at about 292 years, and
// it shows milliseconds when rounding to seconds would show a distance
// no larger than the tolerance.
func describeDistance(earlier, later time.Time, tolerance time.Duration) string {
	seconds := new(big.Int).Sub(big.NewInt(later.Unix()), big.NewInt(earlier.Unix()))
	if seconds.Cmp(big.NewInt(100*365*24*3600)) > 0 {
		days := new(big.Int).Quo(seconds, big.NewInt(24*3600))
		return days.String() + " days"
	}
	distance := later.Sub(earlier)
	if rounded := distance.Round(time.Second); rounded > tolerance {
		return rounded.String()
	}
	return distance.Round(time.Millisecond).String()
}

func (e *TimestampError) Unwrap() error { return e.Err }

// Verifier checks Svix signatures of Goody webhooks. It is safe for
// concurrent use.
type Verifier struct {
	keys         []*signingKey
	tolerance    time.Duration
	now          func() time.Time
	maxBodyBytes int64
}

// signingKey is one decoded secret with a pool of HMAC states for it,
// so that verifying a delivery allocates nothing and copies no body.
type signingKey struct {
	pool sync.Pool
}

// macState is an HMAC with scratch space for the signed prefix and the
// sum. Data passed to hash.Hash methods escapes to the heap, so the
// scratch space lives here rather than on the stack.
type macState struct {
	mac    hash.Hash
	prefix []byte
	sum    []byte
}

func newSigningKey(key []byte) *signingKey {
	k := &signingKey{}
	k.pool.New = func() any {
		return &macState{
			mac:    hmac.New(sha256.New, key),
			prefix: make([]byte, 0, 128),
			sum:    make([]byte, 0, sha256.Size),
		}
	}
	return k
}

// NewVerifier returns a Verifier for secret, the endpoint's signing
// secret from the Goody dashboard: "whsec_" followed by base64. A secret
// without the prefix is accepted, as the Svix libraries accept it. It
// returns an error matching [ErrInvalidSecret] if secret is empty or
// malformed, without repeating the secret, and an error naming the
// option if an option is invalid or applies only to a [Handler].
func NewVerifier(secret string, options ...Option) (*Verifier, error) {
	c, err := newConfig(options)
	if err != nil {
		return nil, err
	}
	if len(c.handlerOptions) > 0 {
		return nil, fmt.Errorf(
			"goodyhooks: %s applies to NewHandler only; remove it from the NewVerifier call",
			c.handlerOptions[0],
		)
	}
	return newVerifier(secret, c)
}

func newVerifier(secret string, c *config) (*Verifier, error) {
	v := &Verifier{
		tolerance:    c.tolerance,
		now:          c.now,
		maxBodyBytes: c.maxBodyBytes,
	}
	secrets := append([]string{secret}, c.extraSecrets...)
	for i, s := range secrets {
		key, err := DecodeSecret(s)
		if err != nil {
			if i > 0 {
				return nil, fmt.Errorf("additional secret %d: %w", i, err)
			}
			return nil, err
		}
		v.keys = append(v.keys, newSigningKey(key))
	}
	return v, nil
}

const secretPrefix = "whsec_"

// DecodeSecret returns the HMAC key of a signing secret: the base64
// decoding of what follows the whsec_ prefix. It returns an error
// matching [ErrInvalidSecret] that names the fault, without repeating
// the secret, if secret is empty or is not base64 after the prefix.
func DecodeSecret(secret string) ([]byte, error) {
	if secret == "" {
		return nil, fmt.Errorf(
			"%w: the secret is empty; copy the endpoint's signing secret (whsec_...) "+
				"from the Goody dashboard",
			ErrInvalidSecret,
		)
	}
	encoded := strings.TrimPrefix(secret, secretPrefix)
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidSecret, secretProblem(secret, encoded))
	}
	if len(key) == 0 {
		return nil, fmt.Errorf(
			"%w: nothing follows the whsec_ prefix; copy the whole signing secret",
			ErrInvalidSecret,
		)
	}
	// The Svix library has the last word on which secrets are valid, so
	// that a Verifier accepts exactly the secrets that svix.NewWebhook
	// accepts. Its error is not wrapped, since it may quote the secret.
	if _, err := svix.NewWebhook(secret); err != nil {
		return nil, fmt.Errorf("%w: the Svix library rejects it; copy the signing secret again "+
			"from the Goody dashboard", ErrInvalidSecret)
	}
	return key, nil
}

// secretProblem describes why a secret does not decode, naming the
// usual mistakes, without repeating it.
func secretProblem(secret, encoded string) string {
	trimmed := strings.TrimSpace(secret)
	lower := strings.ToLower(secret)
	switch {
	case trimmed != secret:
		return "it has leading or trailing white space; trim it"
	case len(secret) >= 2 && strings.ContainsRune(`"'`, rune(secret[0])) && secret[len(secret)-1] == secret[0]:
		return "it is wrapped in quotes; remove them"
	case strings.HasPrefix(encoded, secretPrefix):
		return "it has the whsec_ prefix twice; keep one"
	case !strings.HasPrefix(secret, secretPrefix) && strings.HasPrefix(lower, secretPrefix):
		return "its whsec_ prefix is not in lower case; write it as whsec_"
	case strings.HasPrefix(lower, "whsec") && !strings.HasPrefix(lower, secretPrefix):
		return "its prefix lacks the underscore; it must start with whsec_"
	case !strings.HasPrefix(secret, secretPrefix):
		return fmt.Sprintf("it is not whsec_ followed by standard base64 (%d characters, no whsec_ prefix); "+
			"copy the signing secret again from the Goody dashboard", len(secret))
	}
	return fmt.Sprintf("the %d characters after the whsec_ prefix are not standard base64; "+
		"copy the signing secret again from the Goody dashboard", len(encoded))
}

// Verify checks that payload, the raw request body exactly as received,
// was signed by Svix with one of the verifier's secrets, and that its
// timestamp lies within the tolerance of the current time. It returns
// nil if so.
//
// It reads svix-id, svix-timestamp and svix-signature from header, or
// webhook-id, webhook-timestamp and webhook-signature when any of the
// first three is absent. The signature header may list several
// space-separated signatures, and any matching v1 signature verifies the
// delivery. With no options, Verify accepts exactly the deliveries that
// the Verify method of the Svix Go library accepts. It accepts the
// secrets that the library's NewWebhook accepts, but it computes the
// HMAC itself with pooled state, because the library's Sign copies the
// body twice. A table test and a fuzz target compare its outcomes with
// those of github.com/svix/svix-webhooks v1.98.0.
//
// A non-nil error wraps one of [ErrMissingHeader], [ErrInvalidHeader],
// [ErrTimestampTooOld], [ErrTimestampTooNew] or
// [ErrNoMatchingSignature]. The header errors are [*HeaderError] and
// the timestamp errors [*TimestampError].
func (v *Verifier) Verify(payload []byte, header http.Header) error {
	_, _, err := v.verify(payload, header)
	return err
}

// verify checks a delivery and returns its message id and timestamp.
func (v *Verifier) verify(payload []byte, header http.Header) (string, time.Time, error) {
	set, id, timestampText, signatures, err := readHeaders(header)
	if err != nil {
		return "", time.Time{}, err
	}

	seconds, err := strconv.ParseInt(timestampText, 10, 64)
	if err != nil {
		return "", time.Time{}, &HeaderError{
			Name: strings.ToLower(set.timestamp),
			Err:  ErrInvalidHeader,
			Reason: fmt.Sprintf(
				"%s is not a whole number of seconds since the Unix epoch",
				quoteTimestamp(timestampText),
			),
		}
	}
	timestamp := time.Unix(seconds, 0)
	if err := v.checkTimestamp(timestamp); err != nil {
		return "", time.Time{}, err
	}

	// Each expected signature is the one that the Svix library's Sign
	// returns, computed here without copying the body and kept on the
	// stack. The entries of the header are compared with it in constant
	// time, as the library's own Verify compares them.
	var expected [base64SignatureLen]byte
	candidates := 0
	for _, key := range v.keys {
		key.sign(&expected, id, seconds, payload)
		n, ok := matchSignature(signatures, &expected)
		candidates = n
		if ok {
			return id, timestamp.UTC(), nil
		}
	}
	if candidates == 0 {
		return "", time.Time{}, fmt.Errorf(
			"%w: the signature header has no v1 signature; Svix sends entries of the form v1,<base64>",
			ErrNoMatchingSignature,
		)
	}
	return "", time.Time{}, fmt.Errorf(
		"%w: none of the %d v1 signature(s) in the header matches under %d secret(s); "+
			"check the signing secret and pass the body exactly as received",
		ErrNoMatchingSignature,
		candidates,
		len(v.keys),
	)
}

// checkTimestamp applies the tolerance with the same comparisons as the
// Svix library. A delivery is too old when it is more than the tolerance
// behind now. It is too new when its whole second lies past the whole
// second of now plus the tolerance.
func (v *Verifier) checkTimestamp(timestamp time.Time) error {
	now := v.now()
	if now.Sub(timestamp) > v.tolerance {
		return &TimestampError{
			Timestamp: timestamp,
			Now:       now,
			Tolerance: v.tolerance,
			Err:       ErrTimestampTooOld,
		}
	}
	if timestamp.Unix() > now.Add(v.tolerance).Unix() {
		return &TimestampError{
			Timestamp: timestamp,
			Now:       now,
			Tolerance: v.tolerance,
			Err:       ErrTimestampTooNew,
		}
	}
	return nil
}

// readHeaders returns the id, timestamp and signature headers, all from
// the svix-* set or all from the webhook-* set, as the Svix library
// chooses them.
func readHeaders(header http.Header) (set headerSet, id, timestamp, signatures string, err error) {
	for _, set := range [...]headerSet{svixHeaders, webhookHeaders} {
		id = firstValue(header, set.id)
		timestamp = firstValue(header, set.timestamp)
		signatures = firstValue(header, set.signature)
		if id != "" && timestamp != "" && signatures != "" {
			return set, id, timestamp, signatures, nil
		}
	}
	return headerSet{}, "", "", "", missingHeader(header)
}

// firstValue is header.Get for a name already in canonical form.
func firstValue(header http.Header, canonicalName string) string {
	values := header[canonicalName]
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

// missingHeader names the first absent header of the set that is more
// complete, preferring the svix-* set.
func missingHeader(header http.Header) error {
	set := svixHeaders
	if presentCount(header, webhookHeaders) > presentCount(header, svixHeaders) {
		set = webhookHeaders
	}
	name := set.signature
	switch {
	case firstValue(header, set.id) == "":
		name = set.id
	case firstValue(header, set.timestamp) == "":
		name = set.timestamp
	}
	err := &HeaderError{Name: strings.ToLower(name), Err: ErrMissingHeader}
	if _, ok := header[strings.ToLower(name)]; ok {
		err.Reason = "the header map has it under a lower-case key, which http.Header.Get does not find; " +
			"build it with Header.Set, or use VerifyMap for a map[string]string"
	}
	return err
}

func presentCount(header http.Header, set headerSet) int {
	n := 0
	for _, name := range []string{set.id, set.timestamp, set.signature} {
		if firstValue(header, name) != "" {
			n++
		}
	}
	return n
}

// quoteTimestamp quotes a timestamp header for an error message if it
// looks like a number, and otherwise gives only its length, since a
// signature sent in the wrong header must not reach the message.
func quoteTimestamp(s string) string {
	if len(s) > 40 || strings.Trim(s, "0123456789+-.eE ") != "" {
		return fmt.Sprintf("a value of %d bytes", len(s))
	}
	return strconv.Quote(s)
}

// quoteShort quotes a header value for an error message, cut to 40
// bytes. Only non-secret headers are passed to it.
func quoteShort(s string) string {
	const limit = 40
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "..."
	}
	return strconv.Quote(s)
}

// base64SignatureLen is the length of a padded base64 HMAC-SHA256.
const base64SignatureLen = (sha256.Size + 2) / 3 * 4

// sign writes to out the base64 HMAC-SHA256 of "<id>.<seconds>.<payload>",
// the content that the Svix library signs, with the timestamp in
// canonical decimal form whatever form the header had.
func (k *signingKey) sign(out *[base64SignatureLen]byte, id string, seconds int64, payload []byte) {
	state := k.pool.Get().(*macState)
	state.mac.Reset()

	prefix := append(state.prefix[:0], id...)
	prefix = append(prefix, '.')
	prefix = strconv.AppendInt(prefix, seconds, 10)
	prefix = append(prefix, '.')
	state.mac.Write(prefix)
	state.mac.Write(payload)
	base64.StdEncoding.Encode(out[:], state.mac.Sum(state.sum[:0]))

	// A prefix grown past its first capacity by a long id is not kept,
	// so that one hostile request cannot pin a large buffer.
	if cap(prefix) <= 1024 {
		state.prefix = prefix
	}
	k.pool.Put(state)
}

// matchSignature reports whether any v1 entry of the space-separated
// signature list equals expected. Like the Svix library, it splits each
// entry at commas and compares the second part, skipping entries with
// no comma or a version other than v1. It also returns how many v1
// entries it saw.
func matchSignature(signatures string, expected *[base64SignatureLen]byte) (int, bool) {
	seen := 0
	rest := signatures
	for {
		entry, after, more := strings.Cut(rest, " ")
		version, signature, ok := strings.Cut(entry, ",")
		if ok && version == "v1" {
			seen++
			signature, _, _ = strings.Cut(signature, ",")
			if equalSignature(signature, expected) {
				return seen, true
			}
		}
		if !more {
			return seen, false
		}
		rest = after
	}
}

// equalSignature is hmac.Equal for a signature from the header and the
// expected one: false for a different length, and otherwise a compare
// whose time does not depend on the content. The copy keeps the header
// value on the stack rather than converting it to a []byte on the heap.
func equalSignature(signature string, expected *[base64SignatureLen]byte) bool {
	if len(signature) != base64SignatureLen {
		return false
	}
	var got [base64SignatureLen]byte
	copy(got[:], signature)
	return subtle.ConstantTimeCompare(got[:], expected[:]) == 1
}

// VerifyRequest reads the body of r, of at most the verifier's body
// limit (see [WithMaxBodyBytes]), and verifies it as [Verifier.Verify]
// does. It returns the body whether or not it verifies, and replaces
// r.Body with a reader over the same bytes, so that the caller's
// handler can read it again. A body over the limit gives an error
// wrapping [*http.MaxBytesError] and is not read past the limit.
func (v *Verifier) VerifyRequest(r *http.Request) ([]byte, error) {
	body, err := readBody(r.Body, r.ContentLength, v.maxBodyBytes)
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, v.Verify(body, r.Header)
}

// ParseRequest reads and verifies the body of r as
// [Verifier.VerifyRequest] does, then decodes it as [Parse] does, with
// the event's MessageID and Timestamp set from the headers. An error
// from verification is returned before any JSON is decoded.
func (v *Verifier) ParseRequest(r *http.Request) (Event, error) {
	body, err := readBody(r.Body, r.ContentLength, v.maxBodyBytes)
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return v.Parse(body, r.Header)
}

// Parse verifies payload as [Verifier.Verify] does, then decodes it as
// the package-level [Parse] does, with the event's MessageID and
// Timestamp set from header. An error from verification is returned
// before any JSON is decoded.
func (v *Verifier) Parse(payload []byte, header http.Header) (Event, error) {
	messageID, timestamp, err := v.verify(payload, header)
	if err != nil {
		return nil, err
	}
	return parse(payload, messageID, timestamp)
}

// VerifyMap is [Verifier.Verify] for headers given as a map whose keys
// may be in any letter case, as AWS Lambda function URLs and API Gateway
// pass them.
func (v *Verifier) VerifyMap(payload []byte, headers map[string]string) error {
	return v.Verify(payload, HeaderFromMap(headers))
}

// ParseMap is [Verifier.Parse] for headers given as a map whose keys
// may be in any letter case, as AWS Lambda function URLs and API Gateway
// pass them.
func (v *Verifier) ParseMap(payload []byte, headers map[string]string) (Event, error) {
	return v.Parse(payload, HeaderFromMap(headers))
}

// HeaderFromMap returns the signature headers of a map whose keys may be
// in any letter case as an http.Header with canonical keys. It copies
// only the six svix-* and webhook-* headers. When a name appears under
// keys of different case, which one is kept is unspecified.
func HeaderFromMap(headers map[string]string) http.Header {
	header := make(http.Header, 3)
	for key, value := range headers {
		canonical := http.CanonicalHeaderKey(key)
		switch canonical {
		case svixHeaders.id, svixHeaders.timestamp, svixHeaders.signature,
			webhookHeaders.id, webhookHeaders.timestamp, webhookHeaders.signature:
			header[canonical] = []string{value}
		}
	}
	return header
}

// VerifyValues is [Verifier.Verify] for the three signature headers
// given as separate strings: the values of svix-id, svix-timestamp and
// svix-signature.
func (v *Verifier) VerifyValues(payload []byte, messageID, timestamp, signature string) error {
	header := http.Header{
		svixHeaders.id:        {messageID},
		svixHeaders.timestamp: {timestamp},
		svixHeaders.signature: {signature},
	}
	return v.Verify(payload, header)
}
