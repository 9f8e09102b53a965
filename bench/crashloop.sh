#!/usr/bin/env bash
# The crash loop of issue 15 (docs/benchmarks.md, "Crash loop: 100 SIGKILLs of one node"): one
# node on a data directory, a producer publishing at RATE events/s with retries, a consumer that
# acks and resumes; every MIN_UPTIME..MAX_UPTIME (random, SEED) the node is killed with SIGKILL
# and started again on the same data directory and ports, CYCLES times. After each restart the
# loop checks that every acknowledged publish is in the topic (read back in order by an audit
# subscription), that the consumer receives it (repeats only across reconnects), and that billing
# counts no more than the consumer received; at the end, exactly what it received.
#
#   bench/crashloop.sh [LIB_DIR]
#
# LIB_DIR is the distribution classpath (default: cli/target/dist/lib of this checkout, built
# with `./mvnw -q -B -o -DskipTests package -pl cli -am` when it is missing; nothing is
# installed). The jars are copied to a temp dir first. The driver is the hidden command
# `tollgate crashloop` (cli's CrashLoop; the suite runs the same loop, 3 cycles, in
# cli/src/test/java/io/tollgate/cli/e2e/CrashLoopTest); it starts the node as its own child
# process on the same jars.
#
# Output: bench/results/<timestamp>-crashloop.jsonl, one JSON line per cycle (restart_ms: from the
# process start to /healthz, /readyz, the first accepted publish and the consumer's first event;
# the counts; violations), then the summary line, then a line on the machine. A summary is printed.
# Exit code: the driver's (1 when a check failed).
#
# Environment knobs (defaults in brackets):
#   CYCLES [100]  MIN_UPTIME [5s]  MAX_UPTIME [15s]  RATE [200]  PARTITIONS [2]  SEED [the clock]
#   CHECK_TIMEOUT [60s]  how long each restart and each check may take before it counts as a failure
#   MAX_TIME [60m]       no cycle starts after this; the whole run is also killed at MAX_TIME + 15 min
#   BROKER_OPTS [-Xms256m -Xmx1g]  DRIVER_OPTS [-Xms128m -Xmx512m]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
CYCLES="${CYCLES:-100}"
MIN_UPTIME="${MIN_UPTIME:-5s}"
MAX_UPTIME="${MAX_UPTIME:-15s}"
RATE="${RATE:-200}"
PARTITIONS="${PARTITIONS:-2}"
CHECK_TIMEOUT="${CHECK_TIMEOUT:-60s}"
MAX_TIME="${MAX_TIME:-60m}"
BROKER_OPTS="${BROKER_OPTS:--Xms256m -Xmx1g}"
read -r -a driver_opts <<<"${DRIVER_OPTS:--Xms128m -Xmx512m}"
seed_args=()
[ -n "${SEED:-}" ] && seed_args=(--seed "$SEED")

log() { printf '[crashloop %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
seconds_of() { local v="$1"; case "$v" in *s) echo "${v%s}" ;; *m) echo $(( ${v%m} * 60 )) ;; *h) echo $(( ${v%h} * 3600 )) ;; *) echo "$v" ;; esac; }

src_lib="${1:-$repo/cli/target/dist/lib}"
if ! ls "$src_lib"/tollgate-cli-*.jar >/dev/null 2>&1; then
  if [ $# -ge 1 ]; then
    echo "no tollgate-cli jar in $src_lib" >&2
    exit 2
  fi
  log "no distribution in $src_lib: building it (./mvnw -q -B -o -DskipTests package -pl cli -am)"
  (cd "$repo" && ./mvnw -q -B -o -DskipTests package -pl cli -am)
fi
work="$(mktemp -d /tmp/tollgate-crashloop.XXXXXX)"
cp -r "$src_lib" "$work/lib"

mkdir -p "$here/results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="$here/results/$stamp-crashloop.jsonl"
others="$(pgrep -c -f 'org.codehaus.plexus.classworlds.launcher.Launcher|surefirebooter' || true)"
load_before="$(cut -d' ' -f1 /proc/loadavg)"
[ "${others:-0}" -gt 0 ] && log "WARNING: $others Maven/surefire JVM(s) running: they share the cores with this run"
log "machine: $(nproc) cores, load $load_before, $(java -version 2>&1 | head -1)"
log "$CYCLES cycles, uptime $MIN_UPTIME..$MAX_UPTIME, $RATE events/s on $PARTITIONS partitions; node log and data in $work/run"
log "results: $results"

rc=0
timeout --kill-after=30 $(( $(seconds_of "$MAX_TIME") + 900 )) \
  java "${driver_opts[@]}" -cp "$work/lib/*" io.tollgate.cli.Main crashloop \
    --cycles "$CYCLES" --min-uptime "$MIN_UPTIME" --max-uptime "$MAX_UPTIME" --rate "$RATE" \
    --partitions "$PARTITIONS" --check-timeout "$CHECK_TIMEOUT" --max-time "$MAX_TIME" \
    --broker-opts "$BROKER_OPTS" --work-dir "$work/run" "${seed_args[@]}" \
  >"$results" 2> >(tee "$work/crashloop.err" >&2) || rc=$?

jq -nc --argjson nproc "$(nproc)" --arg load "$load_before" --argjson others "${others:-0}" \
  --arg java "$(java -version 2>&1 | head -1)" --arg broker_opts "$BROKER_OPTS" --argjson rc "$rc" \
  '{type:"machine", nproc:$nproc, loadavg_before:($load|tonumber), other_maven_jvms:$others, java:$java,
    broker_opts:$broker_opts, exit_code:$rc}' >>"$results"
du -sh "$work/run/data" 2>/dev/null | awk '{print "data directory at the end: " $1}' >&2 || true
rm -rf "$work/run/data"

jq -rs '
  def spread: "p50 \(.p50 // "-") / p95 \(.p95 // "-") / max \(.max // "-") ms";
  (map(select(.type == "summary")) | first) as $s
  | if $s == null then "no summary: the driver did not finish (see the log above)"
    else
      "cycles: \($s.cycles) of \($s.cycles_planned) in \($s.seconds) s; ok: \($s.ok)",
      "acknowledged publishes \($s.acked) (\($s.duplicates_answered) answered as duplicates of a lost answer), received by the consumer \($s.received) (redelivered \($s.redelivered)), billed \($s.billed)",
      "restart, process start to /healthz: \($s.restart_ms.healthz | spread)",
      "restart, process start to /readyz: \($s.restart_ms.ready | spread)",
      "restart, process start to the first accepted publish: \($s.restart_ms.first_publish_accepted | spread)",
      "restart, process start to the consumer'"'"'s first event: \($s.restart_ms.consumer_resumed | spread)",
      (if ($s.violations | length) > 0 then "VIOLATIONS:", ($s.violations[] | "  " + .) else empty end)
    end' "$results" | while IFS= read -r line; do log "$line"; done
log "wrote $results; node log: $work/run/broker.log"
exit "$rc"
