#!/usr/bin/env bash
# The period-close benchmark of docs/benchmarks.md ("Closing periods: 10,000 subscriptions,
# 1 to 12 periods"): PeriodCloseBench (broker test scope) bills ACCOUNTS x SUBSCRIPTIONS
# subscriptions through PERIODS monthly periods with the real AccountBilling entities on the
# in-memory persistence testkit, and prints one line per period: the close round's time, the
# idle tick's time, how many accounts a settled tick asks, one account's live snapshot size.
#
#   bench/billing-close.sh            # 1,000 accounts x 10 subscriptions, 12 periods
#   ACCOUNTS=100 PERIODS=3 bench/billing-close.sh
#
# Builds with the reactor (offline, no install); the lines go to stdout and to
# bench/results/billing-close-<timestamp>.txt, with the machine's load average first.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
ACCOUNTS="${ACCOUNTS:-1000}"
SUBSCRIPTIONS="${SUBSCRIPTIONS:-10}"
PERIODS="${PERIODS:-12}"
out="$here/results/billing-close-$(date -u +%Y%m%dT%H%M%SZ).txt"

cd "$repo"
./mvnw -B -q -o -pl broker -am test -Dtest=PeriodCloseBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.accounts="$ACCOUNTS" -Dbench.subscriptions-per-account="$SUBSCRIPTIONS" -Dbench.periods="$PERIODS" >/dev/null
grep -h '^bench' broker/target/surefire-reports/io.tollgate.broker.invoicing.PeriodCloseBench-output.txt | tee "$out"
