#!/usr/bin/env bash
# The soak of issue 15 (docs/benchmarks.md, "Soak"): one broker for SOAK_DURATION at SOAK_RATE
# events/s with retention on, while the broker's resident set, heap after GC and data directory
# are sampled; their least-squares slopes over the second half of the run say whether they are
# flat.
#
#   bench/soak.sh [LIB_DIR]
#
# LIB_DIR is the distribution classpath (default: cli/target/dist/lib of this checkout, built with
# `./mvnw -q -B -o -DskipTests package -pl cli -am` when it is missing; nothing is installed). The
# jars are copied to a temp dir first, so a rebuild of the checkout cannot change what runs.
#
# What runs, as in bench/run.sh: a fresh broker (`tollgate run`, embedded RocksDB) on a fresh temp
# data dir and free loopback ports, with its GC logged (-Xlog:gc, for the heap after each pause)
# and its partitions' retention deletes logged (DEBUG for PartitionJournal). Then, at once:
#   - a WebSocket consumer: `loadgen --setup --mode e2e --publish-via tcp --batch-size 100
#     --in-flight 64` at SOAK_RATE - SOAK_SSE_RATE events/s of 256 bytes; its subscriber (the
#     SDK's) acks every frame; at the end it checks every event arrived once and in order;
#   - a server-sent events consumer: the same with `--consume-via sse` at SOAK_SSE_RATE on a
#     fixture of its own (acks posted in the background); SOAK_SSE_RATE=0 leaves it out;
#   - each fixture's topic gets retention of its own (POST /v1/topics/{topic}/retention: time
#     SOAK_RETENTION_TIME, bytes SOAK_RETENTION_BYTES per partition) as soon as loadgen has made
#     it; the node's default stays "forever", so what bounds the disk is the per-topic setting.
#     Segments, the check and the trimmer are shortened in the node's config (--config) so that
#     retention deletes and journal trimming run many times in the run;
#   - the sampler (bench/soak.py sample), every SOAK_SAMPLE: VmRSS, heap after GC (and the live
#     set after a full GC every SOAK_FULL_GC: a `jcmd GC.class_histogram`, kept in the work dir's
#     histograms/), du -sb of the data dir, the
#     broker's /metrics (published, delivered, publish errors, JVM heap), its log (warnings,
#     retention deletes, trimming rounds) and each loadgen's acked and received counts; one line
#     of progress per sample.
# At the end: bench/soak.py report prints each series' slope over the second half per hour and
# the verdict, the classes of the live heap that grew most in the second half, and draws
# SOAK_CHART; the largest files of the data dir are listed, and what holds the store by journal
# kind (bench/StoreUsage.java, a "store_usage" line in the results). Every process is bounded by
# `timeout` and stopped on exit.
#
# Output: bench/results/<timestamp>-soak.jsonl: a "run" line (knobs, machine), one "sample" line
# per sample, a "loadgen" line per load generator (its summary without the per-second latencies),
# the "report" line. Logs (broker, GC, loadgens) stay in the work dir the script names; the data
# dir is deleted. Exit code: 0 when the verdict is FLAT and both loadgens passed, else 1.
#
# Environment knobs (defaults in brackets):
#   SOAK_DURATION [1h]        how long the load runs (s, m or h)
#   SOAK_RATE [6600]          events/s in all: half of 13,201 events/s, the fastest quiet-machine
#                             drain with the defaults (billing and analytics on) in docs/benchmarks.md
#                             ("Every issue-12 target on a quiet machine", drain-analytics-on)
#   SOAK_SSE_RATE [200]       of SOAK_RATE, the events/s of the SSE consumer's topic (0: none)
#   SOAK_SAMPLE [10s]         sampling interval
#   SOAK_FULL_GC [5m]         a full GC (jcmd GC.run) this often, for the live set (0: never)
#   SOAK_RETENTION_TIME [2m]  each soak topic's retention time       SOAK_RETENTION_BYTES [67108864]
#   SOAK_SEGMENT_BYTES [8MiB] SOAK_SEGMENT_SPAN [20s] SOAK_CHECK_INTERVAL [15s]  (tollgate.topics.retention.*)
#   SOAK_TRIM_INTERVAL [1m]   tollgate.retention.trim-interval
#   SOAK_SNAPSHOT_EVERY [1000] tollgate.retention.snapshot-every (trimming never passes the latest snapshot)
#   SOAK_FLAT_PCT [10]        a series is flat when its slope is at most this % of its mean per hour
#   SOAK_CHART [docs/img/soak.svg]   where the chart goes (relative to the checkout)
#   PARTITIONS [4]  START_TIMEOUT [240]  seconds the broker may take to answer /healthz
#   BROKER_OPTS [-Xms256m -Xmx1g]  LOADGEN_OPTS [-Xms256m -Xmx1g]  SSE_LOADGEN_OPTS [-Xms64m -Xmx256m]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

seconds_of() { # 20s -> 20, 2m -> 120, 1h -> 3600
  local v="$1"
  case "$v" in
    *s) echo "${v%s}" ;;
    *m) echo $(( ${v%m} * 60 )) ;;
    *h) echo $(( ${v%h} * 3600 )) ;;
    *) echo "$v" ;;
  esac
}

SOAK_DURATION="${SOAK_DURATION:-1h}"
SOAK_RATE="${SOAK_RATE:-6600}"
SOAK_SSE_RATE="${SOAK_SSE_RATE:-200}"
SOAK_SAMPLE="${SOAK_SAMPLE:-10s}"
SOAK_FULL_GC="${SOAK_FULL_GC:-5m}"
SOAK_RETENTION_TIME="${SOAK_RETENTION_TIME:-2m}"
SOAK_RETENTION_BYTES="${SOAK_RETENTION_BYTES:-67108864}"
SOAK_SEGMENT_BYTES="${SOAK_SEGMENT_BYTES:-8MiB}"
SOAK_SEGMENT_SPAN="${SOAK_SEGMENT_SPAN:-20s}"
SOAK_CHECK_INTERVAL="${SOAK_CHECK_INTERVAL:-15s}"
SOAK_TRIM_INTERVAL="${SOAK_TRIM_INTERVAL:-1m}"
SOAK_SNAPSHOT_EVERY="${SOAK_SNAPSHOT_EVERY:-1000}"
SOAK_FLAT_PCT="${SOAK_FLAT_PCT:-10}"
SOAK_CHART="${SOAK_CHART:-docs/img/soak.svg}"
PARTITIONS="${PARTITIONS:-4}"
START_TIMEOUT="${START_TIMEOUT:-240}"
read -r -a broker_opts <<<"${BROKER_OPTS:--Xms256m -Xmx1g}"
read -r -a loadgen_opts <<<"${LOADGEN_OPTS:--Xms256m -Xmx1g}"
read -r -a sse_loadgen_opts <<<"${SSE_LOADGEN_OPTS:--Xms64m -Xmx256m}"

duration_s="$(seconds_of "$SOAK_DURATION")"
sample_s="$(seconds_of "$SOAK_SAMPLE")"
full_gc_s="$(seconds_of "$SOAK_FULL_GC")"
retention_s="$(seconds_of "$SOAK_RETENTION_TIME")"
ws_rate="$(awk -v a="$SOAK_RATE" -v b="$SOAK_SSE_RATE" 'BEGIN {print a - b}')"
if awk -v r="$ws_rate" 'BEGIN {exit !(r <= 0)}'; then
  echo "SOAK_RATE ($SOAK_RATE) must be above SOAK_SSE_RATE ($SOAK_SSE_RATE)" >&2
  exit 2
fi
drain_s=30
# A loadgen may take this long: its fixture (a slow start on a busy machine), the run, the drain.
loadgen_limit=$(( duration_s + drain_s + 300 ))

log() { printf '[soak %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---- the distribution -------------------------------------------------------------------------
src_lib="${1:-$repo/cli/target/dist/lib}"
if ! ls "$src_lib"/tollgate-cli-*.jar >/dev/null 2>&1; then
  if [ $# -ge 1 ]; then
    echo "no tollgate-cli jar in $src_lib" >&2
    exit 2
  fi
  log "no distribution in $src_lib: building it (./mvnw -q -B -o -DskipTests package -pl cli -am)"
  (cd "$repo" && ./mvnw -q -B -o -DskipTests package -pl cli -am)
fi
work="$(mktemp -d /tmp/tollgate-soak.XXXXXX)"
cp -r "$src_lib" "$work/lib"
cp_arg="$work/lib/*"
main=io.tollgate.cli.Main

mkdir -p "$here/results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="$here/results/$stamp-soak.jsonl"
: >"$results"

# ---- cleanup ------------------------------------------------------------------------------------
broker_pid=""
sampler_pid=""
declare -A loadgen_pids=()
stop_pid() { # stop_pid PID SECONDS: SIGTERM, then SIGKILL after SECONDS
  local pid="$1"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 $(( $2 * 2 ))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  touch "$work/stop" 2>/dev/null || true
  for name in "${!loadgen_pids[@]}"; do stop_pid "${loadgen_pids[$name]}" 10; done
  stop_pid "$sampler_pid" 5
  stop_pid "$broker_pid" 15
  rm -rf "$work/data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# ---- the broker -------------------------------------------------------------------------------------
# Retention short enough to run many times in the run; the soak topics set their own time and bytes.
cat >"$work/broker.conf" <<EOF
tollgate.management.port = 0
tollgate.topics.retention {
  segment-bytes = $SOAK_SEGMENT_BYTES
  segment-span = $SOAK_SEGMENT_SPAN
  check-interval = $SOAK_CHECK_INTERVAL
}
tollgate.retention.trim-interval = $SOAK_TRIM_INTERVAL
tollgate.retention.snapshot-every = $SOAK_SNAPSHOT_EVERY
EOF
# The distribution's logback.xml with the partitions' retention deletes (DEBUG) counted too.
unzip -p "$work"/lib/tollgate-broker-*.jar logback.xml \
  | sed 's|<root |<logger name="io.tollgate.broker.topic.PartitionJournal" level="DEBUG"/>\n  <root |' >"$work/logback.xml"

others="$(pgrep -c -f 'org.codehaus.plexus.classworlds.launcher.Launcher|surefirebooter' || true)"
load_before="$(cut -d' ' -f1 /proc/loadavg)"
[ "${others:-0}" -gt 0 ] && log "WARNING: $others Maven/surefire JVM(s) running: they share the cores with the soak"
log "machine: $(nproc) cores, load $load_before, $(java -version 2>&1 | head -1)"
log "$SOAK_DURATION at $SOAK_RATE events/s ($ws_rate WebSocket, $SOAK_SSE_RATE SSE), retention ${SOAK_RETENTION_TIME} / $SOAK_RETENTION_BYTES bytes per partition; work dir $work"
log "results: $results"

http_port="$(free_port)"
tcp_port="$(free_port)"
while [ "$tcp_port" = "$http_port" ]; do tcp_port="$(free_port)"; done
url="http://127.0.0.1:$http_port"
java "${broker_opts[@]}" "-Xlog:gc:file=$work/gc.log:timemillis:filecount=0" \
  "-Dlogback.configurationFile=$work/logback.xml" -cp "$cp_arg" "$main" run \
  --host 127.0.0.1 --data-dir "$work/data" --http-port "$http_port" --tcp-port "$tcp_port" --config "$work/broker.conf" \
  >"$work/broker.log" 2>&1 &
broker_pid=$!
started=""
for _ in $(seq 1 $(( START_TIMEOUT * 2 ))); do
  if ! kill -0 "$broker_pid" 2>/dev/null; then
    log "the broker exited during its start; its log:"
    tail -40 "$work/broker.log" >&2
    exit 1
  fi
  if curl -fsS --max-time 5 -o /dev/null "$url/healthz" 2>/dev/null && [ -s "$work/data/admin.key" ]; then
    started=yes
    break
  fi
  sleep 0.5
done
[ -n "$started" ] || { log "the broker did not answer /healthz within $START_TIMEOUT s"; exit 1; }
admin_key="$(tr -d '[:space:]' <"$work/data/admin.key")"
log "broker pid $broker_pid, http $http_port, tcp $tcp_port"

jq -nc --arg stamp "$stamp" --arg duration "$SOAK_DURATION" --argjson rate "$SOAK_RATE" --argjson sse_rate "$SOAK_SSE_RATE" \
  --arg retention_time "$SOAK_RETENTION_TIME" --argjson retention_bytes "$SOAK_RETENTION_BYTES" \
  --arg broker_conf "$(cat "$work/broker.conf")" --arg broker_opts "${broker_opts[*]}" \
  --argjson partitions "$PARTITIONS" --arg sample "$SOAK_SAMPLE" --arg full_gc "$SOAK_FULL_GC" \
  --argjson nproc "$(nproc)" --arg load "$load_before" --argjson others "${others:-0}" \
  --arg java "$(java -version 2>&1 | head -1)" --arg lib "$src_lib" \
  --arg commit "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  '{type:"run", stamp:$stamp, duration:$duration, rate:$rate, sse_rate:$sse_rate, retention_time:$retention_time,
    retention_bytes:$retention_bytes, partitions:$partitions, sample:$sample, full_gc:$full_gc, broker_conf:$broker_conf,
    broker_opts:$broker_opts, nproc:$nproc, loadavg_before:($load|tonumber), other_maven_jvms:$others, java:$java,
    lib:$lib, checkout_commit:$commit}' >>"$results"

# ---- the load ---------------------------------------------------------------------------------------
export TOLLGATE_KEY="$admin_key"
start_loadgen() { # start_loadgen NAME RATE CONSUME_VIA JVM_OPTS...
  local name="$1" rate="$2" via="$3"
  shift 3
  timeout --kill-after=10 "$loadgen_limit" java "$@" -cp "$cp_arg" "$main" loadgen --setup \
    --url "$url" --tcp "127.0.0.1:$tcp_port" --partitions "$PARTITIONS" --event-bytes 256 \
    --mode e2e --publish-via tcp --consume-via "$via" --batch-size 100 --in-flight 64 \
    --rate "$rate" --duration "${duration_s}s" --drain-timeout "${drain_s}s" \
    >"$work/loadgen-$name.json" 2>"$work/loadgen-$name.err" &
  loadgen_pids[$name]=$!
}
t0="$(date +%s.%N)"
start_loadgen websocket "$ws_rate" websocket "${loadgen_opts[@]}"
awk -v r="$SOAK_SSE_RATE" 'BEGIN {exit !(r > 0)}' && start_loadgen sse "$SOAK_SSE_RATE" sse "${sse_loadgen_opts[@]}"

sampler_args=()
for name in "${!loadgen_pids[@]}"; do sampler_args+=(--loadgen "$name=$work/loadgen-$name.err"); done
python3 "$here/soak.py" sample --pid "$broker_pid" --metrics "$url/metrics" --data-dir "$work/data" \
  --gc-log "$work/gc.log" --broker-log "$work/broker.log" "${sampler_args[@]}" \
  --every "$sample_s" --full-gc-every "$full_gc_s" --histogram-dir "$work/histograms" --t0 "$t0" --stop-file "$work/stop" \
  --max-seconds $(( loadgen_limit + 60 )) --out "$results" &
sampler_pid=$!

# Each soak topic gets its retention as soon as its loadgen has made it.
retention_body="$(jq -nc --arg time "PT${retention_s}S" --argjson bytes "$SOAK_RETENTION_BYTES" '{time:$time, bytes:$bytes}')"
for name in "${!loadgen_pids[@]}"; do
  topic=""
  for _ in $(seq 1 600); do
    topic="$(sed -n 's/^set up: .*, topic \([^,]*\), subscription .*/\1/p' "$work/loadgen-$name.err" | head -1)"
    [ -n "$topic" ] && break
    kill -0 "${loadgen_pids[$name]}" 2>/dev/null || break
    sleep 0.5
  done
  if [ -z "$topic" ]; then
    log "loadgen $name made no fixture; its stderr:"
    tail -20 "$work/loadgen-$name.err" >&2
    exit 1
  fi
  set_to="$(curl -fsS --max-time 30 -XPOST "$url/v1/topics/$topic/retention" -H "Authorization: Bearer $admin_key" \
    -H 'Content-Type: application/json' -d "$retention_body" | jq -c '.retention')" \
    || { log "could not set the retention of $topic"; exit 1; }
  log "loadgen $name: topic $topic, retention $set_to"
done

# ---- until the load ends -----------------------------------------------------------------------------
rcs=()
for name in "${!loadgen_pids[@]}"; do
  rc=0
  wait "${loadgen_pids[$name]}" || rc=$?
  unset "loadgen_pids[$name]"
  # The summary goes through stdin: with an hour of per-second latencies it is too long for an argument.
  { grep -m1 '^{' "$work/loadgen-$name.json" || echo null; } | jq -c --arg name "$name" --argjson rc "$rc" \
    --arg error "$(grep -v '^ *[0-9.]*s ' "$work/loadgen-$name.err" | tail -3 | tr '\n' ' ')" \
    '{type:"loadgen", name:$name, exit_code:$rc, summary:(if . == null then null else del(.seconds_latency_ms, .seconds_ack_latency_ms) end),
      last_other_lines:$error}' >>"$results"
  log "loadgen $name exited $rc"
  rcs+=("$rc")
done
touch "$work/stop"
wait "$sampler_pid" || true
sampler_pid=""
t1="$(date +%s.%N)"

log "wall time from the load's start to the last sample: $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", b - a}') s"
find "$work/data" -type f -printf '%s %P\n' 2>/dev/null | sort -rn >"$work/data-files.txt" || true
log "data dir: $(wc -l <"$work/data-files.txt") files; the largest:"
head -5 "$work/data-files.txt" | while read -r size name; do log "  $(awk -v b="$size" 'BEGIN {printf "%.1f", b / 1048576}') MiB  $name"; done
# What holds the store, by journal kind, read beside the running broker.
if timeout 120 java -cp "$cp_arg" "$here/StoreUsage.java" "$work/data/store" >"$work/store-usage.json" 2>"$work/store-usage.err"; then
  cat "$work/store-usage.json" >>"$results"
  jq -r '.journal | to_entries | sort_by(-.value.bytes) | .[:5][] | "\(.key) \(.value.entries) \(.value.bytes)"' \
    "$work/store-usage.json" | while read -r kind entries bytes; do
    log "  journal $kind: $entries entries, $(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}') MiB before compression"
  done
else
  log "the store's usage could not be read: $(tail -1 "$work/store-usage.err")"
fi
{ grep -E ' level=(WARN|ERROR) ' "$work/broker.log" || true; } | cut -c1-300 | sort | uniq -c | sort -rn | head -5 \
  | while IFS= read -r line; do log "broker log: $line"; done
report_rc=0
chart="$SOAK_CHART"
[[ "$chart" == /* ]] || chart="$repo/$chart"
python3 "$here/soak.py" report "$results" --chart "$chart" --histogram-dir "$work/histograms" --flat-pct "$SOAK_FLAT_PCT" || report_rc=$?
log "wrote $results; logs (broker.log, gc.log, loadgen-*.err) in $work"
for rc in "${rcs[@]}"; do [ "$rc" -eq 0 ] || exit 1; done
exit "$report_rc"
