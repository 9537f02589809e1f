package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTextRowsCents(t *testing.T) {
	tests := []struct {
		amount cents
		want   string
	}{
		{0, "$0.00 (0 cents)"},
		{1, "$0.01 (1 cent)"},
		{-1, "-$0.01 (-1 cent)"},
		{2250, "$22.50 (2250 cents)"},
	}
	for _, tt := range tests {
		rows := textRows(field{"amount_total", tt.amount})

		assert.Equal(t, []fact{{"amount total", tt.want}}, rows)
	}
}
