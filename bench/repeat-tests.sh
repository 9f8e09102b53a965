#!/usr/bin/env bash
# Runs integration tests again and again, each run in a fresh JVM on a fresh Cassandra, to find
# the ones that fail now and then (a flaky test is a defect: find its cause, not a longer wait).
#
#   bench/repeat-tests.sh [RUNS] [TEST_PATTERN]
#
# RUNS [10]; TEST_PATTERN [ClusterFailoverTest], as Failsafe's -Dit.test takes it. Builds the
# modules first, then prints one line per run (pass or fail, seconds) and a total; the report
# and broker logs of each failed run are kept in target/repeat-tests/run-N.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-10}"
pattern="${2:-ClusterFailoverTest}"
out="$repo/target/repeat-tests"
mkdir -p "$out"
cd "$repo"
./mvnw -B -q install -DskipTests

passed=0
failed=0
for run in $(seq 1 "$runs"); do
  started=$(date +%s)
  log="$out/run-$run.log"
  if ./mvnw -B -o verify -pl broker -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
      -Dit.test="$pattern" -Dfailsafe.failIfNoSpecifiedTests=false >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "run $run: passed in $(($(date +%s) - started)) s"
    rm -f "$log"
  else
    failed=$((failed + 1))
    echo "run $run: FAILED in $(($(date +%s) - started)) s; see $log"
    mkdir -p "$out/run-$run"
    cp -r broker/target/failsafe-reports "$out/run-$run/" 2>/dev/null || true
    grep -h "the broker\|Tests run:.*FAIL\|AssertionError\|ConditionTimeout" "$log" | head -n 20 || true
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
