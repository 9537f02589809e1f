package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
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
	exitStatus  string // the meaning of statuses 0 and 1 for this subcommand
}

// parseArgs parses args with fs and returns the positional arguments.
// Flags may come before or after them, so that "send order.shipped
// --url URL" works; everything after "--" is positional. It returns
// errHelp after printing the usage to e.stdout for -h or --help, and a
// usageError for any other flag error.
func parseArgs(e *env, fs *flag.FlagSet, help commandHelp, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var positional []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			printUsage(e.stdout, fs, help)
			return nil, errHelp
		}
		if err != nil {
			return nil, &usageError{msg: err.Error()}
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
	b.WriteString(secretHelp)
	fmt.Fprintf(&b,
		"\nExit status:\n\n%s\t2  usage error: unknown flag, missing or invalid value\n",
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

// secretsFrom returns the secrets given with --secret, or else those in
// GOODYHOOKS_SECRET, split at commas and white space. A secret contains
// neither, since it is "whsec_" and standard base64. It returns a
// usageError when there are none.
func secretsFrom(e *env, flagValues []string) ([]string, error) {
	if len(flagValues) > 0 {
		return flagValues, nil
	}
	secrets := strings.FieldsFunc(e.getenv(secretEnv), func(r rune) bool {
		return r == ',' || unicode.IsSpace(r)
	})
	if len(secrets) == 0 {
		return nil, usageErrorf("no signing secret: pass --secret whsec_... or set %s "+
			"(the endpoint's signing secret from the Goody dashboard; "+
			"'goodyhooks secret' makes one for tests)", secretEnv)
	}
	return secrets, nil
}

// decodeSecrets checks every secret with goodyhooks.DecodeSecret and
// returns a usageError naming the first one that does not decode by
// its position. The error never contains the secret.
func decodeSecrets(secrets []string) error {
	for i, s := range secrets {
		_, err := goodyhooks.DecodeSecret(s)
		switch {
		case err != nil && len(secrets) == 1:
			return usageErrorf("%s", strings.TrimPrefix(err.Error(), "goodyhooks: "))
		case err != nil:
			return usageErrorf("secret %d of %d: %s", i+1, len(secrets),
				strings.TrimPrefix(err.Error(), "goodyhooks: "))
		}
	}
	return nil
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
