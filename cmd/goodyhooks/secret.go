package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

var secretHelpText = commandHelp{
	synopsis: "goodyhooks secret",
	description: `
Secret prints a new random signing secret in the form of the secrets in
the Goody dashboard: "whsec_" and the base64 of 24 random bytes. Use it
for tests and local runs, never in place of the endpoint's real secret:

	export GOODYHOOKS_SECRET=$(goodyhooks secret)
`,
	exitStatus: "0  the secret was printed\n",
}

func runSecret(e *env, args []string) error {
	fs := flag.NewFlagSet("secret", flag.ContinueOnError)
	positional, err := parseArgs(e, fs, secretHelpText, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageErrorf("unexpected argument %q; secret takes no arguments",
			strings.Join(positional, " "))
	}
	fmt.Fprintln(e.stdout, goodyhookstest.NewSecret())
	return nil
}
