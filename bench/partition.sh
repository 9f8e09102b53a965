#!/usr/bin/env bash
# Runs NetworkPartitionTest again and again, each run in a fresh JVM on a fresh Cassandra, and
# collects what each run measured: how long after the cut the node cut off was downed and had
# exited, how long until its consumer received again from the majority, and how long the node
# took to rejoin after the heal (its JVM's start included).
#
#   bench/partition.sh [RUNS]
#
# RUNS [5]. Needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2's `ip netns`, as the
# test does. Each run's figures go to bench/results/<timestamp>-partition.txt, one line each;
# a failed run's Maven log and broker logs are kept in target/partition-runs/run-N.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
out="$repo/target/partition-runs"
results="$repo/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-partition.txt"
report="$repo/broker/target/failsafe-reports/io.tollgate.broker.cluster.NetworkPartitionTest-output.txt"
mkdir -p "$out"
cd "$repo"

passed=0
failed=0
for run in $(seq 1 "$runs"); do
  started=$(date +%s)
  log="$out/run-$run.log"
  if ./mvnw -B -o verify -pl broker -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
      -Dit.test=NetworkPartitionTest -Dfailsafe.failIfNoSpecifiedTests=false >"$log" 2>&1; then
    passed=$((passed + 1))
    figures="$(grep -h '^partition: node=' "$report" | tail -n 1)"
    echo "run $run: passed in $(($(date +%s) - started)) s; ${figures#partition: }"
    echo "${figures#partition: }" >>"$results"
    rm -f "$log"
  else
    failed=$((failed + 1))
    echo "run $run: FAILED in $(($(date +%s) - started)) s; see $log"
    mkdir -p "$out/run-$run"
    cp -r broker/target/failsafe-reports "$out/run-$run/" 2>/dev/null || true
    grep -h "AssertionError\|ConditionTimeout\|did not\|Tests run:.*FAIL" "$log" | head -n 20 || true
  fi
done

if [ -s "$results" ]; then
  python3 - "$results" <<'EOF'
import re, statistics, sys
rows = [dict(re.findall(r"(\w+)=(\d+)", line)) for line in open(sys.argv[1])]
for key in ("downed_ms", "resumed_ms", "rejoined_ms"):
    values = sorted(int(row[key]) for row in rows if key in row)
    print(f"{key}: min {values[0]}  median {int(statistics.median(values))}  max {values[-1]}  ({len(values)} runs)")
EOF
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
