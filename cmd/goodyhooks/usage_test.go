package main

import (
	"regexp"
	"strings"
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
			"unknown flag --bogus"},
		{"flag without value", secret, []string{"listen", "--addr"},
			"missing value for --addr: give it after the flag, as --addr ADDR"},
		{"invalid duration", secret, []string{"send", "order.shipped", "--timeout", "abc"},
			`invalid value "abc" for --timeout: want a duration with a unit, such as 15s`},
		{"duration without unit", secret, []string{"verify", "--tolerance", "5"},
			`invalid value "5" for --tolerance: want a duration with a unit`},
		{"invalid boolean", secret, []string{"listen", "--json=maybe"},
			`invalid value "maybe" for --json: want true or false`},
		{"invalid time", secret, []string{"verify", "--now", "noon"},
			`invalid value "noon" for --now: want Unix seconds, a whole number such as 1764862800`},
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
			"invalid secret in the --secret flag: "},
		{"bad secret in environment", []string{secretEnv + `="whsec_x"`}, []string{"listen"},
			"invalid secret in " + secretEnv + ": "},
		{"bad second secret in environment",
			[]string{secretEnv + "=" + goodyhookstest.Secret + ",whsec_!!"},
			[]string{"send", "order.shipped"},
			"invalid secret in " + secretEnv + " (secret 2 of 2): "},
		{"bad second secret flag", nil,
			[]string{"send", "order.shipped", "--secret", goodyhookstest.Secret, "--secret", "x!"},
			"invalid secret in the 2nd --secret flag: "},
		{"secrets joined by a comma", nil,
			[]string{"verify", "--secret", goodyhookstest.Secret + "," + goodyhookstest.Secret},
			"the --secret flag contains several secrets; give each secret its own --secret flag"},
		{"secrets joined by a space", nil,
			[]string{"listen", "--secret", goodyhookstest.Secret, "--secret",
				goodyhookstest.Secret + " " + goodyhookstest.Secret},
			"the 2nd --secret flag contains several secrets"},
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCommand(t, nil, "", tt.args...)

			assert.Equal(t, 0, r.code, r.stderr)
			assert.Empty(t, r.stderr)
			assert.Contains(t, r.stdout, "Environment:\n\n\t"+secretEnv)
			assert.Contains(t, r.stdout, "Exit status:")
			for _, want := range tt.want {
				assert.Contains(t, r.stdout, want)
			}
		})
	}
}

// TestListenSynopsisListsEveryFlag checks the one synopsis that lists
// all the flags of its subcommand, rather than "[flags]" or the few
// that matter.
func TestListenSynopsisListsEveryFlag(t *testing.T) {
	r := runCommand(t, nil, "", "listen", "--help")
	require.Equal(t, 0, r.code, r.stderr)
	usage, flags, ok := strings.Cut(r.stdout, "\nFlags:\n")
	require.True(t, ok, "no Flags section:\n%s", r.stdout)
	synopsis, _, _ := strings.Cut(usage, "\n\nListen ")

	names := flagNames.FindAllStringSubmatch(flags, -1)
	require.NotEmpty(t, names)
	for _, name := range names {
		if name[1] != "help" {
			assert.Contains(t, synopsis, "--"+name[1])
		}
	}
}

// flagNames matches the flag names in the Flags section of a usage.
var flagNames = regexp.MustCompile(`(?m)^\t(?:-h, )?--([a-z-]+)`)

func TestSecretHelp(t *testing.T) {
	r := runCommand(t, nil, "", "secret", "--help")

	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "goodyhooks secret")
	assert.Contains(t, r.stdout, "Exit status:")
	assert.NotContains(t, r.stdout, "Environment:", "secret reads no environment variable")
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
