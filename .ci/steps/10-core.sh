#!/usr/bin/env bash
# Vet, test (the README's test command), build every example and run
# the demo.
set -euo pipefail

unformatted=$(gofmt -l . | grep -v '^testdata/' || true)
if [ -n "$unformatted" ]; then
  echo "gofmt -l lists files that are not formatted:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
go test -race ./...
go build ./examples/...
go run ./examples/demo
