package main

import (
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOrdinal(t *testing.T) {
	want := map[int]string{
		1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 10: "10th", 11: "11th", 12: "12th",
		13: "13th", 21: "21st", 22: "22nd", 23: "23rd", 101: "101st", 111: "111th",
	}
	for n, text := range want {
		assert.Equal(t, text, ordinal(n), "ordinal(%d)", n)
	}
}

func TestSecretListSource(t *testing.T) {
	tests := []struct {
		name  string
		list  secretList
		index int
		want  string
	}{
		{"one from the environment", secretList{values: []string{"a"}, fromEnv: true}, 0,
			secretEnv},
		{"several from the environment", secretList{values: []string{"a", "b"}, fromEnv: true},
			1, secretEnv + " (secret 2 of 2)"},
		{"one flag", secretList{values: []string{"a"}}, 0, "the --secret flag"},
		{"several flags", secretList{values: []string{"a", "b", "c"}}, 2,
			"the 3rd --secret flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.list.source(tt.index))
		})
	}
}

func TestContainsSeveralSecrets(t *testing.T) {
	tests := []struct {
		value string
		want  bool
	}{
		{"whsec_AAAA", false},
		{"whsec_AAAA,whsec_BBBB", true},
		{"whsec_AAAA, whsec_BBBB", true},
		{"whsec_AAAA whsec_BBBB", true},
		{"whsec_AA AA", false},
		{" whsec_AAAA ", false},
		{`"whsec_AAAA"`, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, containsSeveralSecrets(tt.value), "value %q", tt.value)
	}
}

func TestParseArgsBooleanFlagAlone(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	on := fs.Bool("json", false, "")
	e := &env{stdout: io.Discard, stderr: io.Discard}

	positional, err := parseArgs(e, fs, commandHelp{}, []string{"--json", "a"})

	require.NoError(t, err)
	assert.True(t, *on)
	assert.Equal(t, []string{"a"}, positional)
}
