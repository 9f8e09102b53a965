#!/usr/bin/env bash
# The crash loop with one of three nodes killed each time (issue 15): CYCLES times, SIGKILL the
# broker that runs a subscription's entity while a producer publishes and two consumers consume,
# then start it again. Each cycle checks that the killed node's consumer gets through on its first
# reconnect; at the end, that nothing acknowledged is lost and nothing is billed twice.
#
#   bench/crashloop-cluster.sh [CYCLES] [BUDGET]
#
# CYCLES [100]; BUDGET [90m] (m or s): no cycle starts after it, and the whole run is killed
# 20 minutes after it. It runs broker/src/test/.../cluster/ClusterCrashLoopTest, the same test the
# suite runs for 2 cycles: three broker processes and one Cassandra (cassandra-local) on this
# machine. Each cycle appends a JSON line to bench/results/<timestamp>-crashloop-cluster.jsonl
# (the node killed, whether its consumer's first reconnect was accepted and delivered, ms from
# SIGKILL to its first event on the new connection, ms for the killed node to be ready again), and
# the run ends with a summary line (events acknowledged, distinct events per subscription and
# their billed usage). The brokers' logs stay in broker/target when the run fails.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cycles="${1:-100}"
budget="${2:-90m}"
case "$budget" in
  *m) budget_seconds=$(( ${budget%m} * 60 )) ;;
  *s) budget_seconds="${budget%s}" ;;
  *) budget_seconds="$budget" ;;
esac
results="$repo/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-crashloop-cluster.jsonl"
log="$repo/broker/target/crashloop-cluster.log"
mkdir -p "$repo/broker/target"
cd "$repo"
echo "crash loop: $cycles cycles, at most ${budget_seconds} s of cycles; results in $results, log in $log" >&2
started=$(date +%s)
status=0
timeout --signal=KILL $(( budget_seconds + 1200 )) ./mvnw -B -o -pl broker -am verify \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ClusterCrashLoopTest -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dtollgate.crashloop.cycles="$cycles" -Dtollgate.crashloop.budget="PT${budget_seconds}S" \
  -Dtollgate.crashloop.results="$results" >"$log" 2>&1 || status=$?
echo "finished in $(( $(date +%s) - started )) s with status $status" >&2
if [ -f "$results" ]; then
  python3 - "$results" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cycles = [l for l in lines if not l.get("summary")]
if cycles:
    resumed = sorted(l["resumed_ms"] for l in cycles)
    restart = sorted(l["restart_ms"] for l in cycles)
    ok = sum(1 for l in cycles if l["first_reconnect_delivered"] and l["refused_reconnects"] == 0)
    pick = lambda xs, q: xs[min(len(xs) - 1, int(q * len(xs)))]
    print(f"{len(cycles)} cycles; first reconnect delivered in {ok}; SIGKILL to first event again: "
          f"p50 {pick(resumed, .5)} ms, p95 {pick(resumed, .95)} ms, max {resumed[-1]} ms; "
          f"restart to ready: p50 {pick(restart, .5)} ms, max {restart[-1]} ms")
for l in lines:
    if l.get("summary"):
        print("summary:", json.dumps(l))
PY
fi
grep -h "Tests run:\|FAIL\|AssertionError\|ConditionTimeout" "$log" | head -n 20 >&2 || true
exit "$status"
