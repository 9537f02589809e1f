package main

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRelativeTime(t *testing.T) {
	now := time.Unix(1764862800, 0)
	tests := []struct {
		name string
		t    time.Time
		now  time.Time
		want string
	}{
		{"same second", now, now.Add(900 * time.Millisecond), "0s ago"},
		{"past", now.Add(-12 * time.Minute), now, "12m0s ago"},
		{"future", now.Add(90 * time.Second), now, "1m30s in the future"},
		{"days", now.Add(-72 * time.Hour), now, "3 days ago"},
		// time.Time.Sub saturates at 106751 days.
		{"milliseconds", time.Unix(now.UnixMilli(), 0), now, "20406226 days in the future"},
		{"int64 extremes", time.Unix(math.MaxInt64, 0), time.Unix(math.MinInt64, 0),
			"213503982334601 days in the future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, relativeTime(tt.t, tt.now))
		})
	}
}

func TestFormatExcess(t *testing.T) {
	tests := []struct {
		name      string
		seconds   uint64
		tolerance time.Duration
		want      string
	}{
		{"whole seconds", 600, 5 * time.Minute, "5m0s"},
		{"fractional tolerance", 10, 1500 * time.Millisecond, "8.5s"},
		{"under a second", 300, 5 * time.Minute, "less than 1s"},
		{"days", 3 * 24 * 3600, 5 * time.Minute, "2 days"},
		{"beyond time.Duration", math.MaxUint64, 5 * time.Minute, "213503982334601 days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, formatExcess(tt.seconds, tt.tolerance))
		})
	}
}
