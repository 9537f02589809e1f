#!/usr/bin/env bash
# Fuzz each target for a bounded time, one at a time. The seed corpora
# already run as plain tests in the core step. A failing input is
# written under testdata/fuzz/<target>/, and fails this step: commit it
# with the fix, so that it runs as a regression test from then on.
set -euo pipefail

fuzztime="${FUZZTIME:-20s}"
for target in FuzzVerify FuzzVerifyMatchesSvix FuzzParse FuzzServeHTTP; do
  echo "-- ${target} for ${fuzztime}"
  go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" .
done
