#!/usr/bin/env bash
# Install the goodyhooks command with go install and run it once as a
# user would: help, a new secret, then listen and send --all against each
# other on a loopback port. 10-core.sh already runs its tests with -race.
set -euo pipefail

bin=$(mktemp -d)
listen_pid=""
cleanup() {
  if [ -n "$listen_pid" ]; then
    kill "$listen_pid" 2>/dev/null || true
  fi
  rm -rf "$bin"
}
trap cleanup EXIT

GOBIN="$bin" go install ./cmd/goodyhooks
goodyhooks="$bin/goodyhooks"

"$goodyhooks" --help >/dev/null
GOODYHOOKS_SECRET=$("$goodyhooks" secret)
export GOODYHOOKS_SECRET

"$goodyhooks" listen --addr 127.0.0.1:0 >"$bin/listen.out" 2>"$bin/listen.err" &
listen_pid=$!
url=""
for _ in $(seq 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$bin/listen.err" || true)
  [ -n "$url" ] && break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "goodyhooks listen printed no URL within 10s:" >&2
  cat "$bin/listen.err" >&2
  exit 1
fi

timeout 60 "$goodyhooks" send --all --url "$url/"
kill -INT "$listen_pid"
wait "$listen_pid"
listen_pid=""

verified=$(grep -c ' verified ' "$bin/listen.out" || true)
if [ "$verified" -ne 10 ]; then
  echo "goodyhooks listen printed $verified verified events, want 10:" >&2
  cat "$bin/listen.out" >&2
  exit 1
fi
echo "goodyhooks: listen verified all 10 events from send --all"
