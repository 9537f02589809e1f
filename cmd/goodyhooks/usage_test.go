package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

func TestUsageErrors(t *testing.T) {
	secret := []string{secretEnv + "=" + goodyhookstest.Secret}
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"no subcommand", nil, nil,
			"Subcommands:"},
		{"unknown subcommand", nil, []string{"deliver"},
			`unknown subcommand "deliver"`},
		{"help for unknown subcommand", nil, []string{"help", "deliver"},
			`unknown subcommand "deliver"`},
		{"unknown flag", secret, []string{"send", "--bogus"},
			"flag provided but not defined: -bogus"},
		{"no event", secret, []string{"send"},
			"no event to send"},
		{"unknown event", secret, []string{"send", "order.lost"},
			`unknown event "order.lost"`},
		{"no secret", nil, []string{"send", "order.shipped"},
			"no signing secret: pass --secret"},
		{"invalid secret", nil, []string{"send", "order.shipped", "--secret", "whsec_!!"},
			"not standard base64"},
		{"all with event", secret, []string{"send", "--all", "order.shipped"},
			"--all sends every event"},
		{"all with data", secret, []string{"send", "--all", "--data", "x.json"},
			"--all and --data exclude"},
		{"missing data file", secret, []string{"send", "--data", "missing.json"},
			"--data: open missing.json"},
		{"bad timestamp", secret, []string{"send", "order.shipped", "--timestamp", "noon"},
			`--timestamp "noon"`},
		{"bad url", secret, []string{"send", "order.shipped", "--url", "ftp://host/"},
			"absolute http or https URL"},
		{"listen argument", secret, []string{"listen", "extra"},
			`unexpected argument "extra"`},
		{"listen bad path", secret, []string{"listen", "--path", "hooks"},
			"starts with /"},
		{"listen bad secret", nil, []string{"listen", "--secret", "'whsec_x'"},
			"wrapped in quotes"},
		{"listen save to missing directory", secret, []string{"listen", "--save", "missing-dir"},
			"--save missing-dir: not a directory"},
		{"verify header without body", secret, []string{"verify", "--header", "svix-id: msg_1"},
			"--header needs --body"},
		{"verify request and body", secret, []string{"verify", "--request", "a", "--body", "b"},
			"either with --request"},
		{"verify bad header", secret, []string{"verify", "--header", "svix-id", "--body", "b"},
			"want 'Name: value'"},
		{"verify missing file", secret, []string{"verify", "--request", "missing.http"},
			"--request: open missing.http"},
		{"secret argument", nil, []string{"secret", "now"},
			`unexpected argument "now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCommand(t, tt.env, "", tt.args...)

			assert.Equal(t, exitUsage, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.Empty(t, r.stdout)
		})
	}
}

func TestHelp(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{
			"long flag",
			[]string{"--help"},
			[]string{"Subcommands:", "send", "listen", "verify", "secret"},
		},
		{"short flag", []string{"-h"}, []string{"Subcommands:"}},
		{"help", []string{"help"}, []string{"Subcommands:", "Exit status:"}},
		{"help send", []string{"help", "send"}, []string{"goodyhooks send [flags] EVENT..."}},
		{
			"send",
			[]string{"send", "--help"},
			[]string{"--url URL", "--data FILE", "--all", "order.shipped"},
		},
		{
			"send with event",
			[]string{"send", "order.shipped", "-h"},
			[]string{"--message-id ID"},
		},
		{
			"listen",
			[]string{"listen", "-h"},
			[]string{"--addr ADDR", "--json", "default 127.0.0.1:8080"},
		},
		{
			"verify",
			[]string{"verify", "--help"},
			[]string{"--request FILE", "--header 'Name: value'", "--ignore-time"},
		},
		{"secret", []string{"secret", "--help"}, []string{"goodyhooks secret", "whsec_"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCommand(t, nil, "", tt.args...)

			assert.Equal(t, 0, r.code, r.stderr)
			assert.Empty(t, r.stderr)
			assert.Contains(t, r.stdout, secretEnv)
			assert.Contains(t, r.stdout, "Exit status:")
			for _, want := range tt.want {
				assert.Contains(t, r.stdout, want)
			}
		})
	}
}

func TestSecret(t *testing.T) {
	first := runCommand(t, nil, "", "secret")
	second := runCommand(t, nil, "", "secret")

	require.Equal(t, 0, first.code, first.stderr)
	require.Equal(t, 0, second.code, second.stderr)
	assert.NotEqual(t, first.stdout, second.stdout)
	assert.Regexp(t, `^whsec_[A-Za-z0-9+/]{32}\n$`, first.stdout)
	key, err := goodyhooks.DecodeSecret(first.stdout[:len(first.stdout)-1])
	require.NoError(t, err)
	assert.Len(t, key, 24)
}
