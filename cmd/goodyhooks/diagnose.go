package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

// checkSettings are the time settings of a diagnosis.
type checkSettings struct {
	now       time.Time
	tolerance time.Duration
	// ignoreTime checks the signature only, as of the delivery's own
	// timestamp.
	ignoreTime bool
	// staleHint is the advice on checking an old delivery's signature
	// alone, or empty where the caller offers no way to do so.
	staleHint string
}

// secretCheck is one secret given on the command line and what is known
// about it. The secret itself is never printed.
type secretCheck struct {
	position int
	// source names where the secret came from, such as "the 2nd
	// --secret flag".
	source string
	given  string
	// usable is the secret to verify with: given, or given after the
	// fixes, or empty when neither decodes.
	usable string
	// fixes are the changes that made given decode, such as "the quotes
	// around it removed".
	fixes []string
	// problem is the reason given does not decode.
	problem     string
	fingerprint string
}

func newSecretChecks(secrets secretList) []*secretCheck {
	checks := make([]*secretCheck, len(secrets.values))
	for i, given := range secrets.values {
		s := &secretCheck{position: i + 1, source: secrets.source(i), given: given}
		key, err := goodyhooks.DecodeSecret(given)
		if err != nil {
			s.problem = secretProblem(err)
			fixed, fixes := repairSecret(given)
			if len(fixes) > 0 {
				if fixedKey, fixErr := goodyhooks.DecodeSecret(fixed); fixErr == nil {
					s.usable, s.fixes, key = fixed, fixes, fixedKey
				}
			}
		} else {
			s.usable = given
		}
		if s.usable != "" {
			s.fingerprint = fingerprint(key)
		}
		checks[i] = s
	}
	return checks
}

// repairSecret undoes the usual mistakes in pasting a secret and
// returns the result with a description of each change.
func repairSecret(s string) (string, []string) {
	var fixes []string
	if trimmed := strings.TrimSpace(s); trimmed != s {
		s = trimmed
		fixes = append(fixes, "the white space around it removed")
	}
	if len(s) >= 2 && strings.ContainsRune("\"'`", rune(s[0])) && s[len(s)-1] == s[0] {
		s = strings.TrimSpace(s[1 : len(s)-1])
		fixes = append(fixes, "the quotes around it removed")
	}
	if prefix, rest, ok := strings.Cut(s, "_"); ok && prefix != "whsec" &&
		(strings.EqualFold(prefix, "whsec") || strings.HasSuffix("whsec", prefix)) {
		s = "whsec_" + rest
		fixes = append(fixes, "its whsec_ prefix written in full and in lower case")
	}
	if strings.HasPrefix(s, "whsec_whsec_") {
		for strings.HasPrefix(s, "whsec_whsec_") {
			s = strings.TrimPrefix(s, "whsec_")
		}
		fixes = append(fixes, "the doubled whsec_ prefix reduced to one")
	}
	if joined := strings.Join(strings.Fields(s), ""); joined != s {
		s = joined
		fixes = append(fixes, "the white space inside it removed")
	}
	return s, fixes
}

// name names the secret by position and fingerprint.
func (s *secretCheck) name() string {
	if s.fingerprint == "" {
		return fmt.Sprintf("secret %d", s.position)
	}
	return fmt.Sprintf("secret %d (sha256 %s)", s.position, s.fingerprint)
}

// diagnosis is the outcome of checking one delivery.
type diagnosis struct {
	verified bool
	// headline is "verified: ..." or "not verified: ...".
	headline string
	facts    []fact
	// causes explain each problem found and what to do.
	causes []string
}

type fact struct{ label, value string }

func (d *diagnosis) addFact(label, format string, args ...any) {
	d.facts = append(d.facts, fact{label, fmt.Sprintf(format, args...)})
}

// signatureHeaders are the values of the header set that verification
// reads.
type signatureHeaders struct {
	prefix    string // "svix" or "webhook"
	id        string
	timestamp string
	signature string
	seconds   int64
	// validTime reports whether timestamp is a decimal integer.
	validTime bool
}

// readSignatureHeaders picks the header set as goodyhooks does: the
// svix-* set when all three are present, else the webhook-* set when
// all three are present, else the svix-* set for its report.
func readSignatureHeaders(header http.Header) signatureHeaders {
	h := signatureHeaders{prefix: "svix"}
	for _, prefix := range []string{"svix", "webhook"} {
		id, timestamp, signature := header.Get(prefix+"-id"),
			header.Get(prefix+"-timestamp"), header.Get(prefix+"-signature")
		if id != "" && timestamp != "" && signature != "" {
			h = signatureHeaders{
				prefix:    prefix,
				id:        id,
				timestamp: timestamp,
				signature: signature,
			}
			break
		}
		if prefix == "svix" {
			h.id, h.timestamp, h.signature = id, timestamp, signature
		}
	}
	seconds, err := strconv.ParseInt(h.timestamp, 10, 64)
	h.seconds, h.validTime = seconds, err == nil
	return h
}

// verifyAt verifies a delivery with one secret and a fixed clock.
func verifyAt(secret string, body []byte, header http.Header, now time.Time,
	tolerance time.Duration) error {
	v, err := goodyhooks.NewVerifier(secret,
		goodyhooks.WithClock(func() time.Time { return now }),
		goodyhooks.WithTolerance(tolerance))
	if err != nil {
		return err
	}
	return v.Verify(body, header)
}

// diagnose checks a delivery against each secret and explains why it
// does not verify: a missing or invalid header, a timestamp outside the
// tolerance, a malformed secret, or a signature that matches no secret.
// For a mismatch it looks for the change to the body or the secret that
// makes the signature match.
func diagnose(c *capture, secrets []*secretCheck, s checkSettings) *diagnosis {
	d := &diagnosis{}
	h := readSignatureHeaders(c.header)
	addHeaderFacts(d, h, s)
	for _, note := range c.notes {
		d.addFact("capture", "%s", note)
	}

	// The time and the headers are checked before any signature, so a
	// public test secret finds those errors even when no given secret
	// decodes.
	err := verifyAt(goodyhookstest.Secret, c.body, c.header, s.now, s.tolerance)
	var headerErr *goodyhooks.HeaderError
	if errors.As(err, &headerErr) {
		addSecretFacts(d, secrets, nil)
		reason := strings.TrimPrefix(headerErr.Err.Error(), "goodyhooks: ")
		d.headline = "not verified: " + reason + " " + headerErr.Name
		d.causes = append(d.causes, headerCause(headerErr, c.header))
		return d
	}
	var timeErr *goodyhooks.TimestampError
	if !errors.As(err, &timeErr) || s.ignoreTime {
		timeErr = nil
	}

	// Each signature is checked as of the delivery's own timestamp, so
	// that the outcome does not depend on the time.
	signedAt := time.Unix(h.seconds, 0)
	matches := make([]bool, len(secrets))
	var matched *secretCheck
	for i, secret := range secrets {
		if secret.usable == "" {
			continue
		}
		matches[i] = verifyAt(secret.usable, c.body, c.header, signedAt, s.tolerance) == nil
		// A secret that matches as given wins over one that needed fixes.
		if matches[i] && (matched == nil || len(matched.fixes) > 0 && len(secret.fixes) == 0) {
			matched = secret
		}
	}
	addSecretFacts(d, secrets, matches)
	addEventFact(d, c.body)

	var problems []string
	if timeErr != nil {
		problems = append(problems, timeProblem(timeErr))
		d.causes = append(d.causes, timeCause(timeErr, h, matched, s))
	}
	switch {
	case matched != nil && len(matched.fixes) > 0:
		problems = append(problems, fmt.Sprintf("secret %d is malformed", matched.position))
		d.causes = append(
			d.causes,
			fmt.Sprintf("Secret %d, from %s, does not decode as given. With %s, it "+
				"decodes (sha256 %s) and the signature matches it, so correct the secret "+
				"where it is stored or passed.",
				matched.position, matched.source, strings.Join(matched.fixes, " and "),
				matched.fingerprint),
		)
	case matched == nil && usableCount(secrets) == 0:
		problems = append(problems, "no secret decodes")
		for _, secret := range secrets {
			d.causes = append(d.causes,
				fmt.Sprintf("Secret %d, from %s, is invalid: %s.", secret.position,
					secret.source, secret.problem))
		}
	case matched == nil:
		problems = append(problems, "no signature matches")
		d.causes = append(d.causes, mismatchCause(c, h, secrets, signedAt, s.tolerance))
	}

	if len(problems) == 0 {
		d.verified = true
		d.headline = "verified: the signature matches " + matched.name()
		if s.ignoreTime {
			d.headline += "; the time was not checked"
		}
		return d
	}
	d.headline = "not verified: " + strings.Join(problems, ", and ")
	return d
}

func usableCount(secrets []*secretCheck) int {
	n := 0
	for _, s := range secrets {
		if s.usable != "" {
			n++
		}
	}
	return n
}

func addHeaderFacts(d *diagnosis, h signatureHeaders, s checkSettings) {
	d.addFact("message id", "%s", orNone(h.id))
	switch {
	case h.timestamp == "":
		d.addFact("timestamp", "none")
	case !h.validTime:
		d.addFact("timestamp", "%q, not a number of seconds", h.timestamp)
	case h.seconds > maxDateUnix:
		d.addFact("timestamp", "%d, past the last date that can be shown, %s (tolerance %v)",
			h.seconds, relativeTime(time.Unix(h.seconds, 0), s.now), s.tolerance)
	default:
		signed := time.Unix(h.seconds, 0).UTC()
		d.addFact("timestamp", "%d = %s, %s (tolerance %v)", h.seconds,
			signed.Format(time.RFC3339), relativeTime(signed, s.now), s.tolerance)
	}
	if h.signature != "" {
		d.addFact("signatures", "%s", describeSignatures(h.signature))
	}
	if h.prefix == "webhook" {
		d.addFact("headers", "webhook-id, webhook-timestamp and webhook-signature")
	}
}

func addSecretFacts(d *diagnosis, secrets []*secretCheck, matches []bool) {
	for i, s := range secrets {
		var status string
		switch {
		case s.usable == "":
			status = "invalid: " + s.problem
		case matches == nil:
			status = "sha256 " + s.fingerprint + ", not checked"
		case matches[i]:
			status = "sha256 " + s.fingerprint + ", matches"
		default:
			status = "sha256 " + s.fingerprint + ", no match"
		}
		if len(s.fixes) > 0 {
			status += " with " + strings.Join(s.fixes, " and ")
		}
		if s.usable != "" && !strings.HasPrefix(s.usable, "whsec_") {
			status += "; it has no whsec_ prefix, which goodyhooks and the Svix libraries accept"
		}
		d.addFact(fmt.Sprintf("secret %d", s.position), "%s", status)
	}
}

// addEventFact adds the event's type and ids, or the reason the body is
// not a valid Goody event.
func addEventFact(d *diagnosis, body []byte) {
	event, err := goodyhooks.Parse(body)
	if err != nil {
		d.addFact("payload", "%s", strings.TrimPrefix(err.Error(), "goodyhooks: "))
		return
	}
	var parts []string
	for _, f := range eventFields(event) {
		switch f.key {
		case "type":
			parts = append(parts, fmt.Sprint(f.value))
		case "event_id", "order_id", "batch_id", "status":
			parts = append(parts, strings.ReplaceAll(f.key, "_", " ")+" "+fmt.Sprint(f.value))
		}
	}
	d.addFact("event", "%s", strings.Join(parts, ", "))
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// maxDateUnix is the last Unix time that time.Time holds as a date.
// time.Unix takes later ones, and the Unix method of its result returns
// them unchanged, but the result compares as a date before the year 1
// and formats as a wrong date.
const maxDateUnix = math.MaxInt64 - 62135596800

// relativeTime returns how far t lies from now in whole seconds, such
// as "12m0s ago".
func relativeTime(t, now time.Time) string {
	if isAfter(t, now) {
		return formatSeconds(secondsApart(t, now)) + " in the future"
	}
	return formatSeconds(secondsApart(t, now)) + " ago"
}

// isAfter reports whether t lies in a later second than u. It compares
// Unix seconds, which stay right past maxDateUnix, where t.After does
// not.
func isAfter(t, u time.Time) bool {
	return t.Unix() > u.Unix()
}

// secondsApart returns the distance between t and u in whole seconds:
// the difference of their Unix times. It computes in uint64, which
// holds the difference of any two int64 Unix times exactly, because
// time.Time.Sub saturates at about 292 years and an int64 difference
// can overflow.
func secondsApart(t, u time.Time) uint64 {
	a, b := t.Unix(), u.Unix()
	if a < b {
		a, b = b, a
	}
	return uint64(a) - uint64(b)
}

// maxDurationSeconds is the largest number of whole seconds that a
// time.Duration holds.
const maxDurationSeconds = uint64(math.MaxInt64 / int64(time.Second))

// formatSeconds writes a number of seconds as a duration such as
// "12m0s", or in whole days from 2 days up.
func formatSeconds(seconds uint64) string {
	const day = 24 * 60 * 60
	if seconds >= 2*day {
		return fmt.Sprintf("%d days", seconds/day)
	}
	return (time.Duration(seconds) * time.Second).String()
}

// formatExcess writes how far a distance of seconds exceeds the
// tolerance. The distance is in whole seconds but the tolerance need
// not be, so an excess under a second is written as such.
func formatExcess(seconds uint64, tolerance time.Duration) string {
	if seconds > maxDurationSeconds {
		return formatSeconds(seconds - uint64(tolerance/time.Second))
	}
	excess := time.Duration(seconds)*time.Second - tolerance
	switch {
	case excess < time.Second:
		return "less than 1s"
	case excess >= 2*24*time.Hour:
		return formatSeconds(uint64(excess / time.Second))
	}
	return excess.String()
}

// describeSignatures counts the entries of a signature header without
// repeating them.
func describeSignatures(header string) string {
	v1, other, malformed := 0, 0, 0
	for _, entry := range strings.Split(header, " ") {
		version, signature, ok := strings.Cut(entry, ",")
		switch {
		case !ok:
			other++
		case version != "v1":
			other++
		default:
			v1++
			if key, err := base64.StdEncoding.DecodeString(signature); err != nil ||
				len(key) != 32 {
				malformed++
			}
		}
	}
	text := fmt.Sprintf("%d v1", v1)
	if other > 0 {
		text += fmt.Sprintf(", %d skipped (another version, or no comma)", other)
	}
	if malformed > 0 {
		text += fmt.Sprintf(", of which %d not a base64 HMAC-SHA256 of 44 characters",
			malformed)
	}
	return text
}

func headerCause(err *goodyhooks.HeaderError, header http.Header) string {
	if errors.Is(err, goodyhooks.ErrInvalidHeader) {
		return fmt.Sprintf("The %s header is present but invalid: %s.", err.Name, err.Reason)
	}
	var present []string
	for _, name := range []string{"svix-id", "svix-timestamp", "svix-signature",
		"webhook-id", "webhook-timestamp", "webhook-signature"} {
		if header.Get(name) != "" {
			present = append(present, name)
		}
	}
	have := "none of the signature headers"
	if len(present) > 0 {
		have = strings.Join(present, ", ")
	}
	return fmt.Sprintf(
		"The %s header is missing; the delivery has %s. Svix sends svix-id, svix-timestamp "+
			"and svix-signature (or the webhook-* forms) with every delivery, so a proxy or "+
			"the capture dropped it: capture the whole request with its headers.",
		err.Name,
		have,
	)
}

// timeProblem names the direction in which the timestamp lies outside
// the tolerance. It compares Unix seconds, as timeCause does, rather
// than reading err.Err, which can be ErrTimestampTooOld for a timestamp
// past maxDateUnix.
func timeProblem(err *goodyhooks.TimestampError) string {
	if isAfter(err.Timestamp, err.Now) {
		return "the timestamp is too new"
	}
	return "the timestamp is too old"
}

// timeCause explains how far the timestamp lies outside the tolerance,
// in which direction, and whether the signature matches apart from it.
func timeCause(err *goodyhooks.TimestampError, h signatureHeaders, matched *secretCheck,
	s checkSettings) string {
	var b strings.Builder
	old := !isAfter(err.Timestamp, err.Now)
	distance := secondsApart(err.Timestamp, err.Now)
	unitHint := ""
	if old {
		fmt.Fprintf(&b,
			"The delivery was signed %s before now, %s more than the %v tolerance. ",
			formatSeconds(distance), formatExcess(distance, err.Tolerance), err.Tolerance)
	} else {
		fmt.Fprintf(&b, "The delivery is dated %s after now, %s more than the %v tolerance. ",
			formatSeconds(distance), formatExcess(distance, err.Tolerance), err.Tolerance)
		unitHint = timestampUnitHint(h, distance, err.Now)
		b.WriteString(unitHint)
	}
	if matched == nil {
		b.WriteString("The signature does not match either, so the time is not the only problem.")
		return b.String()
	}
	fmt.Fprintf(
		&b,
		"The signature matches %s as of the delivery's own timestamp, so the delivery is "+
			"genuine but ",
		matched.name(),
	)
	switch {
	case old:
		b.WriteString(
			"old: a replay, or a capture checked later. If fresh deliveries are rejected " +
				"this way, this machine's clock is ahead; sync it with NTP.",
		)
		if s.staleHint != "" {
			b.WriteString(" " + s.staleHint)
		}
	case unitHint != "":
		b.WriteString("its sender writes svix-timestamp in the wrong unit: fix the sender " +
			"to send Unix seconds, as Svix does.")
	default:
		b.WriteString("dated ahead: the sender's clock is ahead or this machine's clock is " +
			"behind; sync it with NTP.")
	}
	return b.String()
}

// farFuture is how far ahead of now a timestamp may lie before the
// diagnosis blames its unit rather than a clock: 30 years, in seconds.
const farFuture = 30 * 365 * 24 * 60 * 60

// timestampUnitHint explains a timestamp, ahead seconds after now, that
// is not in Unix seconds. Such a timestamp has 13 digits, as Unix
// milliseconds have from 2001 to 2286, or lies more than 30 years
// ahead, further than a wrong clock puts a time. For any other
// timestamp it returns "".
func timestampUnitHint(h signatureHeaders, ahead uint64, now time.Time) string {
	if digits := len(strconv.FormatInt(h.seconds, 10)); digits == 13 {
		asMilliseconds := time.UnixMilli(h.seconds)
		return fmt.Sprintf("Its timestamp has 13 digits, as a Unix time in milliseconds "+
			"has, and Svix sends seconds: read as milliseconds, it is %s, %s. ",
			asMilliseconds.UTC().Format(time.RFC3339), relativeTime(asMilliseconds, now))
	}
	if ahead > farFuture {
		return "A wrong clock does not put a time that far ahead, so the timestamp is likely " +
			"not in Unix seconds, as Svix sends it, but in milliseconds or a smaller unit. "
	}
	return ""
}

// mismatchCause looks for the change that makes the signature match:
// a change to the body, or a sender that used a secret's text as the
// key. It checks each signature as of the delivery's timestamp.
func mismatchCause(c *capture, h signatureHeaders, secrets []*secretCheck,
	signedAt time.Time, tolerance time.Duration) string {
	if !strings.Contains(" "+h.signature, " v1,") {
		return fmt.Sprintf(
			"The %s-signature header has no v1 entry. Svix sends \"v1,\" followed by the "+
				"base64 HMAC-SHA256, several separated by spaces while a secret is rotated.",
			h.prefix,
		)
	}
	for _, v := range bodyVariants(c.body, c.wholeRest) {
		for _, secret := range secrets {
			if secret.usable == "" {
				continue
			}
			if verifyAt(secret.usable, v.body, c.header, signedAt, tolerance) == nil {
				return fmt.Sprintf("The body was changed after it was signed: "+
					"%s verifies the body %s. %s",
					secret.name(), v.change, v.explanation)
			}
		}
	}
	for _, secret := range secrets {
		if cause := rawKeyCause(c, secret, signedAt, tolerance); cause != "" {
			return cause
		}
	}
	return fmt.Sprintf(
		"No signature matches %s for the body as captured, nor after the usual changes "+
			"(white space at the ends, line endings, JSON re-encoding, the secret's text "+
			"used as the key). An HMAC cannot tell the two remaining causes apart: either "+
			"the secret is not the one that signed the delivery (Goody's sandbox and "+
			"production endpoints have different secrets, and rotating a secret replaces it; "+
			"pass each candidate with its own --secret), or the body or the svix-id was "+
			"changed after signing (compare the body with the message in the Goody "+
			"dashboard).",
		describeSecrets(secrets),
	)
}

// rawKeyCause checks whether the sender used the secret's text, with or
// without the whsec_ prefix, as the HMAC key instead of the base64
// decoding of what follows the prefix.
func rawKeyCause(c *capture, secret *secretCheck, signedAt time.Time,
	tolerance time.Duration) string {
	text := secret.usable
	if text == "" {
		text = secret.given
	}
	for _, raw := range []string{text, strings.TrimPrefix(text, "whsec_")} {
		asKey := "whsec_" + base64.StdEncoding.EncodeToString([]byte(raw))
		if verifyAt(asKey, c.body, c.header, signedAt, tolerance) == nil {
			return fmt.Sprintf(
				"The sender signed with the text of secret %d as the HMAC key. Svix uses the "+
					"base64 decoding of what follows the whsec_ prefix as the key: fix the "+
					"code that signs these deliveries.",
				secret.position,
			)
		}
	}
	return ""
}

func describeSecrets(secrets []*secretCheck) string {
	if len(secrets) == 1 {
		return secrets[0].name()
	}
	return fmt.Sprintf("any of the %d secrets", len(secrets))
}
