#!/usr/bin/env bash
# Vet and test each nested module: the Redis idempotency store and the
# chi, gin, echo and Lambda examples. Each has its own go.mod, so the
# root module's go vet and go test do not reach them.
set -euo pipefail

# The redisstore tests start their own redis-server on a free loopback
# port and fail without one when CI is set. The package's own service
# is not needed.
if ! command -v redis-server >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
redis-server --version

modules=(redisstore examples/chi examples/gin examples/echo examples/lambda)
for module in "${modules[@]}"; do
  echo "-- ${module}"
  (cd "$module" && go vet ./... && go test -race ./...)
done
