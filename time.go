package goodyhooks

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// wireTime decodes a JSON time more leniently than time.Time does, so
// that any common ISO 8601 form Goody may send decodes. JSON null and
// the empty string leave it unset.
type wireTime struct {
	t     time.Time
	valid bool
}

// timeLayouts are tried in order after RFC 3339, on the text in upper
// case so that a lower-case t or z separator also matches. A layout
// without a zone reads the time as UTC. Zone names other than UTC and
// GMT are not accepted, because time.Parse gives an unknown name a zero
// offset and a known one the server's local offset, so the result would
// depend on where the server runs. time.Parse also accepts a fractional
// second after the seconds field of each layout.
var timeLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05Z07",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05Z07",
	"2006-01-02 15:04:05 -07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 UTC",
	"2006-01-02 15:04:05 GMT",
	"2006-01-02 15:04:05",
	"20060102T150405Z0700",
	"20060102T150405Z07:00",
	"20060102T150405",
	"2006-01-02",
}

func (w *wireTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*w = wireTime{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: timeType}
	}
	text := string(b[1 : len(b)-1])
	if bytes.IndexByte(b, '\\') >= 0 {
		if err := json.Unmarshal(b, &text); err != nil {
			return &json.UnmarshalTypeError{Value: "string", Type: timeType}
		}
	}
	if text == "" {
		*w = wireTime{}
		return nil
	}
	t, ok := parseTime(text)
	if !ok {
		return &json.UnmarshalTypeError{Value: "string", Type: timeType}
	}
	*w = wireTime{t: t, valid: true}
	return nil
}

// pointer returns the time as a *time.Time, or nil if it is unset.
func (w wireTime) pointer() *time.Time {
	if !w.valid {
		return nil
	}
	t := w.t
	return &t
}

// parseTime parses an ISO 8601 date or date-time and returns it in UTC.
func parseTime(text string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, text); err == nil {
		return t.UTC(), true
	}
	upper := strings.ToUpper(text)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, upper); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// jsonKind names the JSON type of a literal or value, in the words of
// json.UnmarshalTypeError.Value.
func jsonKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "value"
	case b[0] == '{':
		return "object"
	case b[0] == '[':
		return "array"
	case b[0] == 't' || b[0] == 'f':
		return "bool"
	case b[0] == '"':
		return "string"
	default:
		return "number"
	}
}
