#!/usr/bin/env bash
# Server-sent events next to WebSocket, in the same run, against one node (docs/benchmarks.md,
# "Server-sent events next to WebSocket").
#
#   bench/sse.sh [LIB_DIR]
#
# LIB_DIR is the distribution classpath (default: cli/target/dist/lib of this checkout, made by
# `./mvnw -B -q -o -pl cli -am package -DskipTests`; this script never builds). The jars are
# copied to a temp dir first. One broker on a fresh data dir and free loopback ports serves every
# run; each run is a `loadgen --setup` of its own (a fresh topic and subscription), alternating
# WebSocket and SSE in each round so that neither always runs on a warmer or fuller node:
#
#   drain-websocket / drain-sse   publish DRAIN_EVENTS (not measured), then time one consumer
#                                 receiving and acknowledging all of them (loadgen --mode drain,
#                                 --consume-via websocket|sse; SSE acks are posted in the
#                                 background, up to 4 in flight per partition, 40 ms apart)
#   e2e-websocket / e2e-sse       publish at E2E_RATE for E2E_DURATION while one consumer receives:
#                                 publish-to-receive latency (loadgen --mode e2e)
#
# A warm-up drain of each kind runs first and is not reported. Both kinds use the SDK over
# HTTP/1.1 (a WebSocket and a text/event-stream response on plaintext). One JSON line per run
# goes to bench/results/<timestamp>-sse.jsonl, with the machine's load average before it.
#
# Environment knobs (defaults in brackets):
#   DRAIN_EVENTS [100000]  events of each measured drain     WARMUP_EVENTS [20000]
#   E2E_RATE [2000]        events/s of the e2e runs          E2E_DURATION [20s]
#   PARTITIONS [4]         partitions of each run's topic    ROUNDS [2]
#   DRAIN [30s]            loadgen --drain-timeout           BROKER_OPTS [-Xms256m -Xmx1g]
#   LOADGEN_OPTS [-Xms256m -Xmx1g]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

DRAIN_EVENTS="${DRAIN_EVENTS:-100000}"
WARMUP_EVENTS="${WARMUP_EVENTS:-20000}"
E2E_RATE="${E2E_RATE:-2000}"
E2E_DURATION="${E2E_DURATION:-20s}"
PARTITIONS="${PARTITIONS:-4}"
ROUNDS="${ROUNDS:-2}"
DRAIN="${DRAIN:-30s}"
read -r -a broker_opts <<<"${BROKER_OPTS:--Xms256m -Xmx1g}"
read -r -a loadgen_opts <<<"${LOADGEN_OPTS:--Xms256m -Xmx1g}"

log() { printf '[sse-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

src_lib="${1:-$repo/cli/target/dist/lib}"
if ! ls "$src_lib"/tollgate-cli-*.jar >/dev/null 2>&1; then
  echo "no tollgate-cli jar in $src_lib: build it with ./mvnw -B -q -o -pl cli -am package -DskipTests" >&2
  exit 2
fi
work="$(mktemp -d /tmp/tollgate-sse-bench.XXXXXX)"
cp -r "$src_lib" "$work/lib"
cp_arg="$work/lib/*"
main=io.tollgate.cli.Main

mkdir -p "$here/results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="$here/results/$stamp-sse.jsonl"
: >"$results"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

broker_pid=""
stop_broker() {
  if [ -n "$broker_pid" ] && kill -0 "$broker_pid" 2>/dev/null; then
    kill "$broker_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 "$broker_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$broker_pid" 2>/dev/null || true
    wait "$broker_pid" 2>/dev/null || true
  fi
  broker_pid=""
}
trap 'stop_broker' EXIT
trap 'exit 130' INT TERM

http_port="$(free_port)"
tcp_port="$(free_port)"
while [ "$tcp_port" = "$http_port" ]; do tcp_port="$(free_port)"; done
printf 'tollgate.management.port = 0\n' >"$work/broker.conf"
java "${broker_opts[@]}" -cp "$cp_arg" "$main" run --host 127.0.0.1 --data-dir "$work/data" \
  --http-port "$http_port" --tcp-port "$tcp_port" --config "$work/broker.conf" >"$work/broker.log" 2>&1 &
broker_pid=$!
for _ in $(seq 1 120); do
  kill -0 "$broker_pid" 2>/dev/null || { log "broker exited during start-up:"; cat "$work/broker.log" >&2; exit 1; }
  if curl -fsS -o /dev/null "http://127.0.0.1:$http_port/healthz" 2>/dev/null && [ -s "$work/data/admin.key" ]; then
    break
  fi
  sleep 0.5
done
export TOLLGATE_KEY="$(tr -d '[:space:]' <"$work/data/admin.key")"
log "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
log "broker pid $broker_pid, http $http_port, tcp $tcp_port; results: $results"

# run NAME ARGS...: one loadgen --setup run against the broker; its summary goes to the results.
run() {
  local name="$1"
  shift
  local load others rc=0
  load="$(cut -d' ' -f1 /proc/loadavg)"
  others="$(pgrep -c -f 'org.codehaus.plexus.classworlds.launcher.Launcher|surefirebooter' || true)"
  log "== $name: loadgen $* (load $load, $others other Maven/test JVMs)"
  java "${loadgen_opts[@]}" -cp "$cp_arg" "$main" loadgen --setup --url "http://127.0.0.1:$http_port" \
    --tcp "127.0.0.1:$tcp_port" --partitions "$PARTITIONS" --event-bytes 256 --drain-timeout "$DRAIN" \
    --publish-via tcp --batch-size 100 --in-flight 8 "$@" >"$work/$name.json" 2>"$work/$name.err" || rc=$?
  local summary
  summary="$(grep -m1 '^{' "$work/$name.json" || echo null)"
  jq -nc --arg run "$name" --arg args "$*" --argjson rc "$rc" --argjson summary "$summary" --arg load "$load" \
    --argjson others "${others:-0}" --argjson nproc "$(nproc)" \
    '{run:$run, loadgen_args:$args, exit_code:$rc, result:$summary, loadavg_before:($load|tonumber),
      other_maven_jvms:$others, nproc:$nproc}' >>"$results"
  log "   $(jq -r '.run + ": " + (if .result == null then "no result (exit \(.exit_code))"
      elif .result.latency_ms == null then "\(.result.events_per_second) events/s, lost \(.result.lost), duplicates \(.result.duplicates)"
      else "\(.result.events_per_second) events/s, p50 \(.result.latency_ms.p50) ms, p99 \(.result.latency_ms.p99) ms, lost \(.result.lost)" end)' \
      <(tail -1 "$results"))"
}

for way in websocket sse; do
  log "warm-up ($way, not reported)"
  java "${loadgen_opts[@]}" -cp "$cp_arg" "$main" loadgen --setup --url "http://127.0.0.1:$http_port" \
    --tcp "127.0.0.1:$tcp_port" --partitions "$PARTITIONS" --mode drain --consume-via "$way" \
    --events "$WARMUP_EVENTS" --drain-timeout "$DRAIN" >/dev/null 2>"$work/warmup-$way.err" || log "warm-up $way failed"
done

for round in $(seq 1 "$ROUNDS"); do
  first=websocket second=sse
  [ $((round % 2)) -eq 0 ] && first=sse second=websocket
  for way in "$first" "$second"; do
    run "drain-$way" --mode drain --consume-via "$way" --events "$DRAIN_EVENTS"
  done
  for way in "$first" "$second"; do
    run "e2e-$way" --mode e2e --consume-via "$way" --rate "$E2E_RATE" --duration "$E2E_DURATION"
  done
done

jq -rs 'map(select(.result != null)) | group_by(.run)
  | map("\(.[0].run): mean \([.[].result.events_per_second] | add / length | floor) events/s over \(length) runs"
        + (if .[0].result.latency_ms != null then ", p99 \([.[].result.latency_ms.p99] | add / length | . * 10 | round / 10) ms" else "" end))
  | .[]' "$results" | while read -r line; do log "$line"; done
log "wrote $results; logs in $work"
