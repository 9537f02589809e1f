#!/usr/bin/env bash
# Runs the benchmarks of bench_test.go and prints one benchstat table per
# group, with the implementations side by side, then the ratios that
# docs/benchmarks.md checks against its targets.
#
# The test binary is built once and run BENCH_COUNT times. Each run
# executes every benchmark once, so the implementations that a ratio
# compares alternate in time and share whatever load the machine has.
# A ratio is the median of the per-run ratios, with a distribution-free
# confidence interval for that median (from order statistics), and the
# ratio of the fastest runs, which other load on the machine disturbs
# least.
#
# Environment:
#   BENCH_COUNT  number of runs, at least 6 for an interval (default 20)
#   BENCH_TIME   -test.benchtime of each benchmark (default 0.2s)
#   BENCH_OUT    file for the raw output of all runs, which benchstat
#                reads (default: a new file under $TMPDIR)
#   BENCHSTAT    benchstat command; if unset and none is on PATH, it is
#                installed into a temporary GOBIN
#
# Usage:
#   scripts/bench.sh           run and report (about 5 minutes by default)
#   scripts/bench.sh FILE      report on the raw output of an earlier run
set -euo pipefail
cd "$(dirname "$0")/.."

count=${BENCH_COUNT:-20}
benchtime=${BENCH_TIME:-0.2s}
benchstat_version=v0.0.0-20260908200009-22c9c6c9d4da

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

benchstat=${BENCHSTAT:-}
if [ -z "$benchstat" ]; then
  if command -v benchstat >/dev/null; then
    benchstat=benchstat
  else
    echo "installing benchstat@${benchstat_version} into a temporary GOBIN" >&2
    GOBIN="$work/bin" go install "golang.org/x/perf/cmd/benchstat@${benchstat_version}"
    benchstat="$work/bin/benchstat"
  fi
fi

if [ $# -gt 0 ]; then
  out=$1
else
  out=${BENCH_OUT:-$(mktemp "${TMPDIR:-/tmp}/goodyhooks-bench.XXXXXX")}
  go test -c -o "$work/goodyhooks.test" .
  echo "$(go version), $(nproc) CPUs" >&2
  : >"$out"
  for i in $(seq 1 "$count"); do
    echo "run $i of $count" >&2
    "$work/goodyhooks.test" -test.run '^$' -test.bench . -test.benchmem \
      -test.count 1 -test.benchtime "$benchtime" -test.timeout 30m >>"$out"
  done
  echo "raw output: $out" >&2
fi

echo
echo "## Verify"
"$benchstat" -filter '.name:Verify' -col '/impl@(svix goodyhooks hmac-floor)' "$out"
echo
echo "## Parse"
"$benchstat" -filter '.name:Parse' -col '/impl@(json-decode goodyhooks)' "$out"
echo
echo "## ServeHTTP"
"$benchstat" -filter '.name:ServeHTTP' -col '/impl@(baseline goodyhooks baseline-typed)' "$out"
echo
echo "## OversizedBody (8 MiB body, 1 MiB limit)"
"$benchstat" -filter '.name:OversizedBody' -col '/impl@(baseline goodyhooks)' "$out"

echo
echo "## Ratios of time per operation, per-run median with its interval"
# Each line of pairs is: group, implementation, base, target time ratio
# ("-" for none). Allocations get a verdict only for ServeHTTP against
# the baseline handler.
awk -v pairs='Verify goodyhooks svix 1.10
Verify goodyhooks hmac-floor -
Verify svix hmac-floor -
Parse goodyhooks json-decode 1.15
ServeHTTP goodyhooks baseline 1.10
ServeHTTP goodyhooks baseline-typed -' -v limit=$((1 << 20)) -v slack=$((32 << 10)) '
# Each run of the test binary starts with a goos: line.
/^goos:/ { run++ }

/^Benchmark/ {
  name = $1
  sub(/-[0-9]+$/, "", name)         # the GOMAXPROCS suffix
  n = split(name, part, "/")
  group = substr(part[1], 10)       # after "Benchmark"
  impl = ""; key = ""
  for (i = 2; i <= n; i++) {
    if (part[i] ~ /^impl=/) impl = substr(part[i], 6)
    else key = key (key == "" ? "" : "/") part[i]
  }
  if (!((group, key) in seen)) {
    seen[group, key] = 1
    keys[group] = keys[group] (keys[group] == "" ? "" : " ") key
  }
  for (i = 3; i < NF; i += 2) {
    if ($(i + 1) == "ns/op") ns[group, key, impl, run] = $i
    if ($(i + 1) == "B/op") bytes[group, key, impl, run] = $i
    if ($(i + 1) == "allocs/op") allocs[group, key, impl, run] = $i
  }
  runs[run] = 1
}

function sort(x, n,    i, j, v) {
  for (i = 2; i <= n; i++) {
    v = x[i]
    for (j = i - 1; j >= 1 && x[j] > v; j--) x[j + 1] = x[j]
    x[j + 1] = v
  }
}

function median(x, n) {
  return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
}

# interval sets lo and hi to the order statistics that bound the median
# of the sorted x[1..n] with at least 95 % confidence, and coverage to
# the exact confidence. With fewer than 6 values no pair reaches 95 %,
# so it returns the range and its (lower) coverage.
function interval(x, n,    c, cdf, k, j) {
  c = 1; cdf = 0; k = 0
  for (j = 0; j < n / 2; j++) {
    cdf += c / 2 ^ n
    if (cdf > 0.025) break
    k = j + 1
    coverage = 1 - 2 * cdf
    c = c * (n - j) / (j + 1)
  }
  if (k == 0) { k = 1; coverage = 1 - 2 / 2 ^ n }
  lo = x[k]; hi = x[n + 1 - k]
}

function middle(values, group, key, impl,    r, v, m) {
  m = 0
  for (r in runs)
    if ((group, key, impl, r) in values) v[++m] = values[group, key, impl, r]
  if (m == 0) return "-"
  sort(v, m)
  return median(v, m)
}

function fastest(values, group, key, impl,    r, low) {
  low = ""
  for (r in runs)
    if ((group, key, impl, r) in values && (low == "" || values[group, key, impl, r] + 0 < low + 0))
      low = values[group, key, impl, r]
  return low
}

END {
  printf "%-10s %-20s %-29s %6s  %-15s %7s  %-7s %-8s %s\n", "group", "case", "impl / base", "ratio", "interval", "fastest", "target", "verdict", "allocs/op"
  np = split(pairs, line, "\n")
  for (p = 1; p <= np; p++) {
    split(line[p], f, " ")
    group = f[1]; impl = f[2]; base = f[3]; target = f[4]
    nk = split(keys[group], cases, " ")
    for (k = 1; k <= nk; k++) {
      m = 0
      delete x
      for (r in runs)
        if ((group, cases[k], impl, r) in ns && (group, cases[k], base, r) in ns)
          x[++m] = ns[group, cases[k], impl, r] / ns[group, cases[k], base, r]
      if (m == 0) continue
      sort(x, m)
      interval(x, m)
      verdict = "-"
      if (target != "-") {
        if (hi <= target) verdict = "met"
        else if (lo > target) verdict = "missed"
        else verdict = "unclear"
      }
      a = middle(allocs, group, cases[k], impl)
      b = middle(allocs, group, cases[k], base)
      alloc = a " vs " b
      if (group == "ServeHTTP" && base == "baseline") alloc = alloc (a <= b ? " met" : " missed")
      fastestRatio = fastest(ns, group, cases[k], impl) / fastest(ns, group, cases[k], base)
      printf "%-10s %-20s %-29s %6.3f  [%.3f, %.3f] %7.3f  %-7s %-8s %s\n", group, cases[k], impl " / " base, median(x, m), lo, hi, fastestRatio, target, verdict, alloc
    }
  }
  printf "(intervals cover the median with %.1f %% confidence, from %d runs; fastest is the ratio of the fastest runs)\n", 100 * coverage, m
  print "body=batch-older is the documentation example from Goody, with the older key names. json-decode and the baselines"
  print "skip its gifts_preview, which the public structs do not name, so they do less work than goodyhooks"
  print "there. body=batch-current carries the same data under the current names and compares the same work."

  print ""
  print "## Memory for a body over the limit (B/op, median)"
  nk = split(keys["OversizedBody"], cases, " ")
  for (k = 1; k <= nk; k++) {
    g = middle(bytes, "OversizedBody", cases[k], "goodyhooks")
    b = middle(bytes, "OversizedBody", cases[k], "baseline")
    printf "%-16s goodyhooks %9d B (%+d B against the limit; target: at most limit + %d B, %s)   baseline %9d B\n", cases[k], g, g - limit, slack, (g <= limit + slack ? "met" : "missed"), b
  }
}' "$out"
