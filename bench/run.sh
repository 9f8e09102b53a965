#!/usr/bin/env bash
# Reproduces every figure in docs/benchmarks.md.
#
#   bench/run.sh [LIB_DIR]
#
# LIB_DIR is the distribution classpath (default: cli/target/dist/lib of this checkout; built
# with `./mvnw -q -DskipTests install` only when it is missing). The jars are copied to a temp
# dir first, so a rebuild of the checkout during the run cannot change what is measured.
#
# For every run: a fresh broker on a fresh temp data dir and free loopback ports, a fixture made
# by `loadgen --setup`, a short warm-up with the same settings (not reported), the measured
# `loadgen` run (bounded: --duration plus --drain-timeout, and a hard `timeout`), the broker's
# VmHWM/VmRSS from /proc/<pid>/status, then the broker is stopped. One JSON line per run goes to
# bench/results/<timestamp>.jsonl; a Markdown table is printed at the end.
#
# The billing runs (drain-*, ack-to-invoice*) are sized by event counts, not durations: a drain
# publishes DRAIN_EVENTS first (not measured) and times a subscriber receiving and acking them
# all; ack-to-invoice takes ACK_SAMPLES one-event samples of ack -> upcoming invoice. Their
# *-billing-off variants start the broker with `--config` holding `tollgate.billing.eager-feed = off`
# (billing reads usage only when it is asked for) instead of the default `on`.
#
# Environment knobs (defaults in brackets):
#   DURATION [20s]       measured publishing time of the tcp/http runs
#   E2E_DURATION [30s]   measured time of the e2e run
#   E2E_RATE [1000]      events/s of the e2e run
#   E2E_WARMUP [10s]     e2e runs: the measured loadgen first publishes at E2E_RATE this long on its own
#                        stream, measured apart (loadgen --warmup), so the clock starts with the load
#                        generator's JVM warm too, as a consumer that has been running sees it (0s: none)
#   WARMUP [10s]          warm-up before each measured run, same settings, not reported
#   DRAIN [20s]          loadgen --drain-timeout
#   DRAIN_EVENTS [200000]  events each measured drain run receives (warm-up: DRAIN_WARMUP_EVENTS [20000])
#   ANALYTICS_DRAIN_EVENTS [1000000]  the same for drain-analytics-on/off, whose ratio needs a steady
#                        rate: 200,000 events drain in some 5 s, most of it the first seconds' ramp
#                        (warm-up: ANALYTICS_DRAIN_WARMUP_EVENTS [100000])
#   ACK_SAMPLES [50]     samples of each measured ack-to-invoice run (warm-up: ACK_WARMUP_SAMPLES [10])
#   COUNTED_TIMEOUT [600] hard limit in seconds on each drain/ack-to-invoice loadgen
#   RUNS [all]           space-separated subset of run names (see RUN_SPECS below)
#   IDLE_HOLD [30s]      how long the idle-* runs hold their streams while the broker's CPU is counted
#   IDLE_SETTLE [0s]     how long they hold them first, not counted (what opening 10,000 streams leaves to do)
#   WEBHOOK_RATE [250]   events/s of the webhook-100 run (each posted to 100 endpoints: 25,000 deliveries/s)
#
# Batch size 1 (tcp-b1-*, http-b1-*) sends single events through the SDK's batching publisher, as
# an application would; *-explicit runs publish each event alone (the figures before issue 12);
# *-buf4m gives the batching publisher a 4 MiB buffer instead of its default 32 MiB.
# fanout-N: e2e at E2E_RATE to N WebSocket subscribers; idle-N: N idle streams, the broker's CPU
# and heap per stream; subscriptions-N: N subscriptions, the broker's heap. These three create
# their subscriptions in the measured run and have no warm-up; idle and subscriptions are given
# the broker's pid (--broker-pid) for its heap after a full GC. webhook-100: WEBHOOK_RATE events/s
# for E2E_DURATION, each posted by webhook to 100 endpoints the loadgen serves on loopback (one
# port each, signatures checked); the broker gets a webhook secret key and allow-private-targets.
# It creates its subscriptions in the measured run too (no warm-up), and waits for a first event to
# reach every endpoint before its clock starts.
#
# Runs whose name ends in -tls start the broker with --tls-cert/--tls-key (an RSA-2048 certificate
# for localhost from a CA made with openssl in the work dir) and run loadgen with https, wss and
# TLS on TCP (--ca-file); each has a plaintext twin of the same name without -tls.
#   ROUNDS [1]           go through the selected runs this many times (alternates e.g. billing on/off)
#   BROKER_OPTS [-Xms256m -Xmx1g]   LOADGEN_OPTS [-Xms256m -Xmx1g]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

DURATION="${DURATION:-20s}"
E2E_DURATION="${E2E_DURATION:-30s}"
E2E_RATE="${E2E_RATE:-1000}"
E2E_WARMUP="${E2E_WARMUP:-10s}"
WARMUP="${WARMUP:-10s}"
DRAIN="${DRAIN:-20s}"
DRAIN_EVENTS="${DRAIN_EVENTS:-200000}"
DRAIN_WARMUP_EVENTS="${DRAIN_WARMUP_EVENTS:-20000}"
ANALYTICS_DRAIN_EVENTS="${ANALYTICS_DRAIN_EVENTS:-1000000}"
ANALYTICS_DRAIN_WARMUP_EVENTS="${ANALYTICS_DRAIN_WARMUP_EVENTS:-100000}"
ACK_SAMPLES="${ACK_SAMPLES:-50}"
ACK_WARMUP_SAMPLES="${ACK_WARMUP_SAMPLES:-10}"
COUNTED_TIMEOUT="${COUNTED_TIMEOUT:-600}"
ROUNDS="${ROUNDS:-1}"
read -r -a broker_opts <<<"${BROKER_OPTS:--Xms256m -Xmx1g}"
read -r -a loadgen_opts <<<"${LOADGEN_OPTS:--Xms256m -Xmx1g}"

# name | loadgen arguments. 256-byte events everywhere (the loadgen default, given explicitly).
RUN_SPECS=(
  "tcp-b1-f1|--mode tcp --batch-size 1 --in-flight 1"
  "tcp-b1-f64|--mode tcp --batch-size 1 --in-flight 64"
  "tcp-b1-f64-explicit|--mode tcp --batch-size 1 --in-flight 64 --explicit-batches"
  "tcp-b1-f64-buf4m|--mode tcp --batch-size 1 --in-flight 64 --buffer-bytes 4194304"
  "tcp-b1-f64-p1|--mode tcp --batch-size 1 --in-flight 64 --partitions 1"
  "tcp-b1-f64-tls|--mode tcp --batch-size 1 --in-flight 64"
  "tcp-b1-f256|--mode tcp --batch-size 1 --in-flight 256"
  "tcp-b100-f1|--mode tcp --batch-size 100 --in-flight 1"
  "tcp-b100-f8|--mode tcp --batch-size 100 --in-flight 8"
  "tcp-b100-f8-tls|--mode tcp --batch-size 100 --in-flight 8"
  "tcp-b100-f64|--mode tcp --batch-size 100 --in-flight 64"
  "tcp-b100-f8-p1|--mode tcp --batch-size 100 --in-flight 8 --partitions 1"
  "tcp-b100-f64-p1|--mode tcp --batch-size 100 --in-flight 64 --partitions 1"
  "http-b1-f1|--mode http --batch-size 1 --in-flight 1"
  "http-b1-f16|--mode http --batch-size 1 --in-flight 16"
  "http-b1-f16-tls|--mode http --batch-size 1 --in-flight 16"
  "http-b100-f1|--mode http --batch-size 100 --in-flight 1"
  "http-b100-f16|--mode http --batch-size 100 --in-flight 16"
  "e2e-1000|--mode e2e --publish-via tcp --rate $E2E_RATE --batch-size 100 --in-flight 64"
  "e2e-1000-tls|--mode e2e --publish-via tcp --rate $E2E_RATE --batch-size 100 --in-flight 64"
  "e2e-1000-b1|--mode e2e --publish-via tcp --rate $E2E_RATE --batch-size 1 --in-flight 64"
  "fanout-100|--mode fanout --publish-via tcp --subscribers 100 --rate $E2E_RATE --batch-size 100 --in-flight 64"
  "fanout-1000|--mode fanout --publish-via tcp --subscribers 1000 --rate $E2E_RATE --batch-size 100 --in-flight 64"
  "webhook-100|--mode webhook --publish-via tcp --endpoints 100 --rate ${WEBHOOK_RATE:-250} --batch-size 100 --in-flight 64"
  "idle-1000|--mode idle --streams 1000"
  "idle-10000|--mode idle --streams 10000"
  "subscriptions-100000|--mode subscriptions --subscriptions 100000"
  "drain-billing-on|--mode drain --publish-via tcp --batch-size 100 --in-flight 8"
  "drain-billing-off|--mode drain --publish-via tcp --batch-size 100 --in-flight 8"
  "ack-to-invoice|--mode ack-to-invoice --publish-via tcp"
  "ack-to-invoice-billing-off|--mode ack-to-invoice --publish-via tcp"
  "publish-analytics-on|--mode tcp --batch-size 100 --in-flight 8"
  "publish-analytics-off|--mode tcp --batch-size 100 --in-flight 8"
  "drain-analytics-on|--mode drain --publish-via tcp --batch-size 100 --in-flight 8"
  "drain-analytics-off|--mode drain --publish-via tcp --batch-size 100 --in-flight 8"
)

# Broker settings of a run (a HOCON file given with --config); runs not named here use the defaults.
broker_config_of() {
  case "$1" in
    *-billing-off) echo 'tollgate.billing.eager-feed = off' ;;
    *-analytics-off) echo 'tollgate.analytics.enabled = off' ;;
    webhook-*) echo 'tollgate.webhooks.allow-private-targets = true' ;;
    *) echo '' ;;
  esac
}

# The size of a run, measured and warm-up: a duration, or for the billing runs an event count.
size_args() { # size_args NAME measured|warmup -> sets size
  case "$1:$2" in
    drain-analytics-*:measured) size=(--events "$ANALYTICS_DRAIN_EVENTS") ;;
    drain-analytics-*:warmup) size=(--events "$ANALYTICS_DRAIN_WARMUP_EVENTS") ;;
    drain-*:measured) size=(--events "$DRAIN_EVENTS") ;;
    drain-*:warmup) size=(--events "$DRAIN_WARMUP_EVENTS") ;;
    ack-to-invoice*:measured) size=(--samples "$ACK_SAMPLES") ;;
    ack-to-invoice*:warmup) size=(--samples "$ACK_WARMUP_SAMPLES") ;;
    e2e-*:measured) size=(--duration "$E2E_DURATION" --warmup "$E2E_WARMUP") ;;
    fanout-*:measured|webhook-*:measured) size=(--duration "$E2E_DURATION") ;;
    idle-*:*) size=(--duration "${IDLE_HOLD:-30s}" --warmup "${IDLE_SETTLE:-0s}") ;;
    subscriptions-*:*) size=() ;;
    *:measured) size=(--duration "$DURATION") ;;
    *:warmup) size=(--duration "$WARMUP") ;;
  esac
}

# The hard limit on a loadgen of that size, in seconds.
limit_of() { # limit_of NAME measured|warmup
  case "$1:$2" in
    drain-*:*|ack-to-invoice*:*|idle-*:*|subscriptions-*:*|fanout-*:*|webhook-*:*) echo "$COUNTED_TIMEOUT" ;;
    e2e-*:measured) echo $(( $(seconds_of "$E2E_WARMUP") + $(seconds_of "$E2E_DURATION") + 2 * $(seconds_of "$DRAIN") + 30 )) ;;
    *:measured) echo $(( $(seconds_of "$DURATION") + $(seconds_of "$DRAIN") + 30 )) ;;
    *:warmup) echo $(( $(seconds_of "$WARMUP") + $(seconds_of "$DRAIN") + 30 )) ;;
  esac
}

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

seconds_of() { # 20s -> 20, 2m -> 120
  local v="$1"
  case "$v" in
    *ms) echo 1 ;;
    *s) echo "${v%s}" ;;
    *m) echo $(( ${v%m} * 60 )) ;;
    *) echo "$v" ;;
  esac
}

# ---- the distribution -------------------------------------------------------------------------
src_lib="${1:-$repo/cli/target/dist/lib}"
if ! ls "$src_lib"/tollgate-broker-*.jar >/dev/null 2>&1; then
  if [ $# -ge 1 ]; then
    echo "no tollgate-broker jar in $src_lib" >&2
    exit 2
  fi
  log "no distribution in $src_lib: building it (./mvnw -q -DskipTests install)"
  (cd "$repo" && ./mvnw -q -B -DskipTests install)
fi

work="$(mktemp -d /tmp/tollgate-bench.XXXXXX)"
cp -r "$src_lib" "$work/lib"
cp_arg="$work/lib/*"
# The tollgate command; a distribution from before the cli module has it in the broker.
main=io.tollgate.cli.Main
ls "$work/lib"/tollgate-cli-*.jar >/dev/null 2>&1 || main=io.tollgate.broker.Main
log "distribution copied from $src_lib to $work/lib ($(ls "$work/lib" | wc -l) jars)"

mkdir -p "$here/results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="$here/results/$stamp.jsonl"
: >"$results"

broker_pid=""
sampler_pid=""
stop_broker() {
  if [ -n "$sampler_pid" ]; then
    kill "$sampler_pid" 2>/dev/null || true
    wait "$sampler_pid" 2>/dev/null || true
    sampler_pid=""
  fi
  if [ -n "$broker_pid" ] && kill -0 "$broker_pid" 2>/dev/null; then
    kill "$broker_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 "$broker_pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$broker_pid" 2>/dev/null; then
      log "broker $broker_pid did not stop in 15 s: kill -9"
      kill -9 "$broker_pid" 2>/dev/null || true
    fi
    wait "$broker_pid" 2>/dev/null || true
  fi
  broker_pid=""
}
trap 'stop_broker' EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

status_kb() { # status_kb PID VmHWM -> kB
  awk -v k="$2:" '$1==k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0
}

cpu_ticks() { # utime+stime of a process, in clock ticks
  awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

# A throwaway CA and a certificate for localhost and 127.0.0.1, for the -tls runs.
make_certificates() { # make_certificates DIR
  local dir="$1"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bench-ca \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$dir/node.key" -out "$dir/node.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$dir/san.ext"
  openssl x509 -req -in "$dir/node.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile "$dir/san.ext" -out "$dir/node.crt" 2>/dev/null
}

start_broker() { # start_broker RUNDIR [HOCON] [tls]: sets broker_pid, http_port, tcp_port, admin_key, scheme
  local dir="$1" config=() tls=()
  # Pekko Management on a free port: another bench (or test) on the machine may hold 8558.
  printf 'tollgate.management.port = 0\n%s\n' "${2:-}" >"$dir/broker.conf"
  config=(--config "$dir/broker.conf")
  scheme=http
  if [ "${3:-}" = tls ]; then
    tls=(--tls-cert "$work/certs/node.crt" --tls-key "$work/certs/node.key")
    scheme=https
  fi
  http_port="$(free_port)"
  tcp_port="$(free_port)"
  while [ "$tcp_port" = "$http_port" ]; do tcp_port="$(free_port)"; done
  # A webhook secret key for the webhook runs, from the environment so it stays out of the results.
  local key=""
  [[ "$dir" == */webhook-* ]] && key="$(openssl rand -base64 32)"
  TOLLGATE_WEBHOOKS_SECRET_KEY="$key" java "${broker_opts[@]}" -cp "$cp_arg" "$main" run \
    --host 127.0.0.1 --data-dir "$dir/data" --http-port "$http_port" --tcp-port "$tcp_port" "${config[@]}" "${tls[@]}" \
    >"$dir/broker.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 1 120); do
    if ! kill -0 "$broker_pid" 2>/dev/null; then
      log "broker exited during start-up; its log:"
      cat "$dir/broker.log" >&2
      return 1
    fi
    if curl -fsS --cacert "$work/certs/ca.crt" -o /dev/null "$scheme://localhost:$http_port/healthz" 2>/dev/null && [ -s "$dir/data/admin.key" ]; then
      admin_key="$(tr -d '[:space:]' <"$dir/data/admin.key")"
      return 0
    fi
    sleep 0.5
  done
  log "broker not healthy after 60 s"
  return 1
}

loadgen_cmd() { # sets lg: the loadgen command line for the running broker (the admin key goes in $TOLLGATE_KEY)
  lg=(java "${loadgen_opts[@]}" -cp "$cp_arg" "$main" loadgen
    --setup --url "$scheme://localhost:$http_port" --tcp "localhost:$tcp_port"
    --event-bytes 256 --drain-timeout "$DRAIN")
  [ "$scheme" = https ] && lg+=(--ca-file "$work/certs/ca.crt")
  return 0
}

mkdir -p "$work/certs"
make_certificates "$work/certs"

log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
log "results: $results"

selected=" ${RUNS:-} "
for round in $(seq 1 "$ROUNDS"); do
for spec in "${RUN_SPECS[@]}"; do
  name="${spec%%|*}"
  read -r -a args <<<"${spec#*|}"
  if [ -n "${RUNS:-}" ] && [[ "$selected" != *" $name "* ]]; then
    continue
  fi
  broker_config="$(broker_config_of "$name")"
  run_dir="$work/$name"
  [ "$ROUNDS" -gt 1 ] && run_dir="$work/$name.$round"
  mkdir -p "$run_dir"

  others="$(pgrep -c -f 'org.codehaus.plexus.classworlds.launcher.Launcher|surefirebooter' || true)"
  load_before="$(cut -d' ' -f1 /proc/loadavg)"
  [ "${others:-0}" -gt 0 ] && log "WARNING: $others Maven/surefire JVM(s) running: they share the 2 cores with this run"

  log "== $name (round $round/$ROUNDS): starting a broker on a fresh data dir${broker_config:+ with config: $broker_config}"
  tls_mode=""
  [[ "$name" == *-tls ]] && tls_mode=tls
  if ! start_broker "$run_dir" "$broker_config" "$tls_mode"; then
    jq -nc --arg run "$name" --arg error "broker did not start" '{run:$run, error:$error}' >>"$results"
    stop_broker
    continue
  fi
  loadgen_cmd
  export TOLLGATE_KEY="$admin_key"
  size_args "$name" warmup
  warm_rc=0
  case "$name" in
    idle-*|subscriptions-*)
      args+=(--broker-pid "$broker_pid")
      log "   broker pid $broker_pid, http $http_port, tcp $tcp_port; no warm-up" ;;
    fanout-*|webhook-*)
      log "   broker pid $broker_pid, http $http_port, tcp $tcp_port; no warm-up" ;;
    *)
      log "   broker pid $broker_pid, http $http_port, tcp $tcp_port; warm-up ${size[*]}"
      timeout --kill-after=5 "$(limit_of "$name" warmup)" \
        "${lg[@]}" "${args[@]}" "${size[@]}" >"$run_dir/warmup.json" 2>"$run_dir/warmup.err" || warm_rc=$?
      [ "$warm_rc" -ne 0 ] && log "   warm-up exited $warm_rc: $(tail -3 "$run_dir/warmup.err" | tr '\n' ' ')" ;;
  esac

  # Sample the broker's RSS every 0.5 s during the measured run (VmHWM is the kernel's own peak).
  ( while kill -0 "$broker_pid" 2>/dev/null; do status_kb "$broker_pid" VmRSS; sleep 0.5; done ) >"$run_dir/rss.samples" 2>/dev/null &
  sampler_pid=$!

  size_args "$name" measured
  log "   measuring: loadgen ${args[*]} ${size[*]}"
  cpu_before="$(cpu_ticks "$broker_pid")"
  t0="$(date +%s.%N)"
  rc=0
  timeout --kill-after=5 "$(limit_of "$name" measured)" \
    "${lg[@]}" "${args[@]}" "${size[@]}" >"$run_dir/summary.json" 2> >(tee "$run_dir/loadgen.err" | sed -u 's/^/     /' >&2) || rc=$?
  t1="$(date +%s.%N)"
  cpu_after="$(cpu_ticks "$broker_pid")"
  hwm_kb="$(status_kb "$broker_pid" VmHWM)"
  rss_kb="$(status_kb "$broker_pid" VmRSS)"
  kill "$sampler_pid" 2>/dev/null || true
  wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=""
  rss_max_kb="$(sort -n "$run_dir/rss.samples" | tail -1)"
  broker_alive=true
  kill -0 "$broker_pid" 2>/dev/null || broker_alive=false
  stop_broker
  # RocksDB's own log (warnings: write stalls, background errors) outlives the data it describes.
  cp "$run_dir/data/store/LOG" "$run_dir/rocksdb.LOG" 2>/dev/null || true
  rm -rf "$run_dir/data"

  summary="$(grep -m1 '^{' "$run_dir/summary.json" || true)"
  [ -n "$summary" ] || summary='null'
  error=""
  if [ "$rc" -ne 0 ]; then
    error="loadgen exit $rc: $(grep -v '^ *[0-9.]*s ' "$run_dir/loadgen.err" | tail -5 | tr '\n' ' ')"
    log "   FAILED: $error"
  fi
  jq -nc \
    --arg run "$name" --arg stamp "$stamp" --arg args "${args[*]} ${size[*]} --event-bytes 256" \
    --argjson round "$round" --arg broker_config "$broker_config" \
    --argjson summary "$summary" --argjson rc "$rc" --arg error "$error" \
    --argjson hwm "${hwm_kb:-0}" --argjson rss "${rss_kb:-0}" --argjson rssmax "${rss_max_kb:-0}" \
    --argjson cpu "$(awk -v a="$cpu_before" -v b="$cpu_after" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", (b-a)/hz}')" \
    --argjson wall "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b-a}')" \
    --argjson warm_rc "$warm_rc" --argjson alive "$broker_alive" \
    --arg load "$load_before" --argjson others "${others:-0}" \
    --argjson nproc "$(nproc)" --arg java "$(java -version 2>&1 | head -1)" \
    '{run:$run, stamp:$stamp, round:$round, loadgen_args:$args, broker_config:$broker_config, exit_code:$rc, error:(if $error=="" then null else $error end),
      result:$summary, broker_vm_hwm_kb:$hwm, broker_vm_rss_kb:$rss, broker_rss_max_sampled_kb:$rssmax,
      broker_cpu_seconds:$cpu, loadgen_wall_seconds:$wall, warmup_exit_code:$warm_rc,
      broker_alive_after_run:$alive, loadavg_before:($load|tonumber), other_maven_jvms:$others,
      nproc:$nproc, java:$java}' >>"$results"
  log "   $(jq -r '"\(.run): " + (if .result == null then "no result"
      elif .result.broker != null then "\(.result.broker.opened) opened, heap per item \(.result.broker.heap_per_item_bytes) B, broker CPU \(.result.broker.cpu_percent_of_one_core) % of a core"
      elif .result.mode == "ack-to-invoice" then "ack-to-invoice p50 \(.result.latency_ms.p50) ms, p99 \(.result.latency_ms.p99) ms, max \(.result.latency_ms.max) ms"
      elif .result.latency_ms == null then "\(.result.events_per_second) events/s in \(.result.seconds) s, lost \(.result.lost)"
      else "\(.result.events_per_second) events/s, p50 \(.result.latency_ms.p50) ms, p99 \(.result.latency_ms.p99) ms" end)
      + ", broker VmHWM \(.broker_vm_hwm_kb/1024|floor) MiB"' <(tail -1 "$results"))"
done
done

# Drain throughput with billing off vs on, when both ran: mean events/s of each and their ratio.
jq -rs '[.[] | select(.result != null and (.run == "drain-billing-on" or .run == "drain-billing-off"))]
    | group_by(.run) | map({key: .[0].run, value: ([.[].result.events_per_second] | add / length)}) | from_entries
    | if .["drain-billing-on"] and .["drain-billing-off"] then
        "drain events/s (mean of rounds): billing on \(.["drain-billing-on"] | floor), off \(.["drain-billing-off"] | floor), on/off = \(.["drain-billing-on"] / .["drain-billing-off"] * 1000 | round / 1000)"
      else empty end' "$results" | while read -r line; do log "$line"; done

# Analytics on vs off (publish and drain), when both twins ran: mean events/s of each and their ratio.
for kind in publish drain; do
jq -rs --arg kind "$kind" '[.[] | select(.result != null and (.run == ($kind + "-analytics-on") or .run == ($kind + "-analytics-off")))]
    | group_by(.run) | map({key: .[0].run, value: ([.[].result.events_per_second] | add / length)}) | from_entries
    | if .[$kind + "-analytics-on"] and .[$kind + "-analytics-off"] then
        "\($kind) events/s (mean of rounds): analytics on \(.[$kind + "-analytics-on"] | floor), off \(.[$kind + "-analytics-off"] | floor), on/off = \(.[$kind + "-analytics-on"] / .[$kind + "-analytics-off"] * 1000 | round / 1000)"
      else empty end' "$results" | while read -r line; do log "$line"; done
done

# TLS on vs off, when both twins ran: mean events/s and p50/p99 latency of each, and their ratios.
jq -rs '[.[] | select(.result != null)] | group_by(.run)
    | map({key: .[0].run, value: {eps: ([.[].result.events_per_second] | add / length),
        p50: ([.[].result.latency_ms.p50 // empty] | if length > 0 then add / length else null end),
        p99: ([.[].result.latency_ms.p99 // empty] | if length > 0 then add / length else null end)}}) | from_entries
    | . as $runs | keys[] | select(endswith("-tls")) | . as $tls | ($tls | rtrimstr("-tls")) as $plain
    | select($runs[$plain] != null)
    | "\($plain): TLS/plain events/s = \($runs[$tls].eps / $runs[$plain].eps * 1000 | round / 1000)"
      + (if $runs[$tls].p50 != null and $runs[$plain].p50 > 0
         then ", p50 \($runs[$plain].p50) -> \($runs[$tls].p50) ms, p99 \($runs[$plain].p99) -> \($runs[$tls].p99) ms" else "" end)' \
  "$results" | while read -r line; do log "$line"; done

log "wrote $results"
python3 "$here/table.py" "$results"
log "chart: python3 bench/chart.py $results docs/img"
log "per-run logs (broker.log, rocksdb.LOG, loadgen.err, warmup.*): $work"
