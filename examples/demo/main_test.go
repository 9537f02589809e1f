package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goodyhooks/goodyhooks"
)

func TestDemoRuns(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out))

	for _, typ := range goodyhooks.EventTypes() {
		assert.Contains(t, out.String(), string(typ)+" ")
	}
	assert.Contains(t, out.String(), "batch bd1fd5b5-6339-4331-a404-66200143ff0f complete, 2 orders (preview: Ada, Grace)")
	assert.Contains(t, out.String(), `note "Thanks for the gift!"`)
	assert.Contains(t, out.String(), "logged reason: goodyhooks: timestamp too old")
	assert.Contains(t, out.String(), "All 13 steps behaved as expected.")
	assert.NotContains(t, out.String(), "FAILED")
}
