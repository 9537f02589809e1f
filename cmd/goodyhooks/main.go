package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Exit statuses, the same for every subcommand.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// env is the input, output and environment of a subcommand.
type env struct {
	ctx    context.Context // canceled by SIGINT or SIGTERM
	stdin  *os.File
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

var commands = []command{
	{"send", "post signed sample events to an endpoint", runSend},
	{"listen", "serve the goodyhooks handler and print each delivery", runListen},
	{"verify", "check a captured delivery and say why it does not verify", runVerify},
	{"secret", "print a new random signing secret for tests", runSecret},
}

// usageError is a mistake in the command line. It exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errFailed reports that the thing checked failed and that the output
// already explains why. It exits with status 1.
var errFailed = errors.New("failed")

// errHelp reports that usage was printed on request. It exits with
// status 0.
var errHelp = errors.New("help requested")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := &env{
		ctx:    ctx,
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		now:    time.Now,
	}
	code := run(e, os.Args[1:])
	stop()
	os.Exit(code)
}

// run runs the subcommand named by args[0] and returns the exit status.
func run(e *env, args []string) int {
	if len(args) == 0 {
		printMainUsage(e.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && name == "help" {
			if c, ok := findCommand(args[1]); ok {
				return exitCode(e, c.name, c.run(e, []string{"--help"}))
			}
			fmt.Fprintf(e.stderr, "goodyhooks help: unknown subcommand %q; "+
				"run 'goodyhooks help' for the list\n", args[1])
			return exitUsage
		}
		printMainUsage(e.stdout)
		return exitOK
	}
	c, ok := findCommand(name)
	if !ok {
		fmt.Fprintf(e.stderr, "goodyhooks: unknown subcommand %q; "+
			"run 'goodyhooks help' for the list\n", name)
		return exitUsage
	}
	return exitCode(e, c.name, c.run(e, args[1:]))
}

func findCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// exitCode prints err, if it needs printing, and returns the exit
// status for it.
func exitCode(e *env, name string, err error) int {
	var usage *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case errors.Is(err, errFailed):
		return exitFailed
	case errors.As(err, &usage):
		fmt.Fprintf(e.stderr, "goodyhooks %s: %v\nRun 'goodyhooks %s --help' for usage.\n",
			name, err, name)
		return exitUsage
	default:
		fmt.Fprintf(e.stderr, "goodyhooks %s: %v\n", name, err)
		return exitFailed
	}
}

func printMainUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("Goodyhooks sends, receives and checks Goody webhook deliveries.\n\n")
	b.WriteString("Usage:\n\n\tgoodyhooks <subcommand> [flags] [arguments]\n\nSubcommands:\n\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "\t%-8s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'goodyhooks <subcommand> --help' for the flags of each.\n\n")
	b.WriteString(secretHelp)
	b.WriteString("\n")
	b.WriteString(exitHelp)
	io.WriteString(w, b.String())
}

// secretHelp ends the usage text of each subcommand that reads a
// secret, and of goodyhooks itself. exitHelp ends the latter.
const (
	secretHelp = `Environment:

	GOODYHOOKS_SECRET  the signing secret (whsec_...), used when no
	                   --secret flag is given, so that it stays out of
	                   the shell history. It may hold several secrets
	                   separated by commas or white space. Each
	                   --secret flag takes one secret, so repeat the
	                   flag for more.
`
	exitHelp = `Exit status:

	0  success
	1  the thing checked failed (see each subcommand)
	2  usage error: unknown flag or event, missing secret, bad value
`
)
