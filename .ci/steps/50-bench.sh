#!/usr/bin/env bash
# Run each benchmark once, so that they keep compiling and working. The
# measurements themselves come from scripts/bench.sh, not from CI.
set -euo pipefail

go test -run '^$' -bench . -benchtime 1x .
