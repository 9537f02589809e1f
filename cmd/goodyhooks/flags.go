package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/goodyhooks/goodyhooks"
)

// secretEnv names the environment variable read when no --secret flag
// is given.
const secretEnv = "GOODYHOOKS_SECRET"

// commandHelp is the text around the flag list in a subcommand's usage.
type commandHelp struct {
	synopsis    string // lines after "Usage:"
	description string
	// environment is the Environment section, or empty for a subcommand
	// that reads no environment variable.
	environment string
	exitStatus  string // the meaning of statuses 0 and 1 for this subcommand
	// valueForms describe the valid values of flags by name, such as
	// "Unix seconds such as 1764862800", for an error on an invalid
	// value. A flag not named here is described by its type.
	valueForms map[string]string
}

// parseArgs parses args with fs and returns the positional arguments.
// Flags may come before or after them, so that "send order.shipped
// --url URL" works; everything after "--" is positional. It returns
// errHelp after printing the usage to e.stdout for -h or --help, and a
// usageError for any other flag error.
func parseArgs(e *env, fs *flag.FlagSet, help commandHelp, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var invalid *invalidValue
	fs.VisitAll(func(f *flag.Flag) {
		f.Value = &checkedValue{Value: f.Value, flag: f, help: help, invalid: &invalid}
	})
	var positional []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			printUsage(e.stdout, fs, help)
			return nil, errHelp
		}
		if invalid != nil {
			return nil, usageErrorf("invalid value %q for --%s: want %s",
				invalid.value, invalid.name, invalid.form)
		}
		if err != nil {
			return nil, flagError(fs, err)
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// flagError rewords the flag package's errors for an unknown flag and
// a flag without its value, which name the flag with one dash, and
// returns them as a usageError.
func flagError(fs *flag.FlagSet, err error) error {
	text := err.Error()
	if name, ok := strings.CutPrefix(text, "flag provided but not defined: -"); ok {
		return usageErrorf("unknown flag --%s", name)
	}
	if name, ok := strings.CutPrefix(text, "flag needs an argument: -"); ok {
		if f := fs.Lookup(name); f != nil {
			argName, _ := flag.UnquoteUsage(f)
			return usageErrorf("missing value for --%s: give it after the flag, as --%s %s",
				name, name, argName)
		}
	}
	return &usageError{msg: text}
}

// invalidValue is a flag value that did not parse.
type invalidValue struct {
	name, value, form string
}

// checkedValue wraps a flag's value to record a value that does not
// parse, because the flag package's message for it gives no valid form,
// only "parse error" or "value out of range".
type checkedValue struct {
	flag.Value
	flag    *flag.Flag
	help    commandHelp
	invalid **invalidValue
}

func (v *checkedValue) Set(value string) error {
	err := v.Value.Set(value)
	if err != nil && *v.invalid == nil {
		*v.invalid = &invalidValue{name: v.flag.Name, value: value, form: v.form()}
	}
	return err
}

// IsBoolFlag keeps a boolean flag usable without a value, as in --json.
func (v *checkedValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// form describes the valid values of the flag.
func (v *checkedValue) form() string {
	if form, ok := v.help.valueForms[v.flag.Name]; ok {
		return form
	}
	getter, _ := v.Value.(flag.Getter)
	if getter == nil {
		return "a valid value"
	}
	switch getter.Get().(type) {
	case time.Duration:
		return "a duration with a unit, such as 15s, 5m or 1m30s"
	case bool:
		return "true or false, or the flag alone for true"
	case int, int64, uint, uint64:
		return "a whole number such as 10"
	}
	return "a valid value"
}

// printUsage writes a subcommand's usage: synopsis, description, flags
// with two leading dashes, environment and exit statuses.
func printUsage(w io.Writer, fs *flag.FlagSet, help commandHelp) {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage:\n\n%s%s\nFlags:\n\n", indent(help.synopsis), help.description)

	type row struct{ name, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		argName, usage := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if argName != "" {
			name += " " + argName
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" &&
			f.DefValue != "[]" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		rows = append(rows, row{name, usage})
		width = max(width, len(name))
	})
	for _, r := range rows {
		fmt.Fprintf(&b, "\t%-*s  %s\n", width, r.name, r.usage)
	}
	fmt.Fprintf(&b, "\t%-*s  %s\n\n", width, "-h, --help", "print this help and exit")
	if help.environment != "" {
		b.WriteString(help.environment + "\n")
	}
	fmt.Fprintf(&b,
		"Exit status:\n\n%s\t2  usage error: unknown flag, missing or invalid value\n",
		indent(help.exitStatus))
	io.WriteString(w, b.String())
}

func indent(text string) string {
	lines := strings.SplitAfter(strings.TrimRight(text, "\n"), "\n")
	return "\t" + strings.Join(lines, "\t") + "\n"
}

// listFlag collects the values of a repeatable flag such as --secret.
// Its String method returns nothing, so that no usage text shows a
// secret.
type listFlag []string

func (s *listFlag) String() string { return "" }

func (s *listFlag) Set(value string) error {
	*s = append(*s, value)
	return nil
}

// secretList is the signing secrets of a run, from the --secret flags
// or else from GOODYHOOKS_SECRET.
type secretList struct {
	values  []string
	fromEnv bool
}

// source names where the secret at index i came from, for messages:
// "GOODYHOOKS_SECRET (secret 2 of 3)" or "the 2nd --secret flag".
func (l secretList) source(i int) string {
	switch {
	case l.fromEnv && len(l.values) == 1:
		return secretEnv
	case l.fromEnv:
		return fmt.Sprintf("%s (secret %d of %d)", secretEnv, i+1, len(l.values))
	case len(l.values) == 1:
		return "the --secret flag"
	}
	return fmt.Sprintf("the %s --secret flag", ordinal(i+1))
}

// ordinal writes n as "1st", "2nd", "3rd", "4th", ..., "11th", "21st".
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// secretsFrom returns the secrets given with --secret, or else those in
// GOODYHOOKS_SECRET, split at commas and white space. A secret contains
// neither, since it is "whsec_" and standard base64. A --secret value
// is not split, so that verify can diagnose a secret pasted with white
// space in it, but one that contains several secrets is a usageError,
// as is the lack of any secret.
func secretsFrom(e *env, flagValues []string) (secretList, error) {
	if len(flagValues) > 0 {
		list := secretList{values: flagValues}
		for i, value := range flagValues {
			if containsSeveralSecrets(value) {
				return secretList{}, usageErrorf("%s contains several secrets; give each "+
					"secret its own --secret flag, such as --secret whsec_... --secret "+
					"whsec_... (only %s is split at commas and white space)",
					list.source(i), secretEnv)
			}
		}
		return list, nil
	}
	secrets := strings.FieldsFunc(e.getenv(secretEnv), func(r rune) bool {
		return r == ',' || unicode.IsSpace(r)
	})
	if len(secrets) == 0 {
		return secretList{}, usageErrorf("no signing secret: pass --secret whsec_... or set %s "+
			"(the endpoint's signing secret from the Goody dashboard; "+
			"'goodyhooks secret' makes one for tests)", secretEnv)
	}
	return secretList{values: secrets, fromEnv: true}, nil
}

// containsSeveralSecrets reports whether a --secret value is a list:
// it contains a comma, or white space between parts that each start
// with whsec_.
func containsSeveralSecrets(value string) bool {
	if strings.ContainsRune(value, ',') {
		return true
	}
	parts := strings.Fields(value)
	if len(parts) < 2 {
		return false
	}
	for _, part := range parts {
		if !strings.HasPrefix(part, "whsec_") {
			return false
		}
	}
	return true
}

// decodeSecrets checks every secret with goodyhooks.DecodeSecret and
// returns a usageError that names the first one that does not decode
// by its source. The error never contains the secret.
func decodeSecrets(secrets secretList) error {
	for i, s := range secrets.values {
		if _, err := goodyhooks.DecodeSecret(s); err != nil {
			return usageErrorf("invalid secret in %s: %s", secrets.source(i), secretProblem(err))
		}
	}
	return nil
}

// secretProblem returns the reason in an error of goodyhooks.DecodeSecret,
// without the "goodyhooks: invalid secret: " in front of it.
func secretProblem(err error) string {
	text := err.Error()
	if errors.Is(err, goodyhooks.ErrInvalidSecret) {
		text = strings.TrimPrefix(text, goodyhooks.ErrInvalidSecret.Error()+": ")
	}
	return strings.TrimPrefix(text, "goodyhooks: ")
}

// fingerprint names a signing key without revealing it: the first 8
// hexadecimal digits of the SHA-256 of the key.
func fingerprint(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:4])
}

// readInput reads a file named on the command line, or standard input
// for "-". A file that cannot be read is a usage error.
func readInput(e *env, flagName, path string) ([]byte, error) {
	if path == "-" {
		if isTerminal(e.stdin) {
			return nil, usageErrorf("--%s -: standard input is a terminal; "+
				"pipe the data in or name a file", flagName)
		}
		data, err := io.ReadAll(e.stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return data, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErrorf("--%s: %v; check the file name", flagName, err)
	}
	return data, nil
}

// isTerminal reports whether f is a character device, such as an
// interactive terminal or /dev/null, rather than a pipe or a file, so
// that a command does not wait for input that no one will type.
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
