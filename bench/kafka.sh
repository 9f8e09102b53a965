#!/usr/bin/env bash
# Kafka beside Tollgate, on this machine and in the same session, so that docs/benchmarks.md can
# quote Tollgate against Kafka as ratios from one run.
#
#   bench/kafka.sh                     # Kafka alone: one JSON line in bench/results/<stamp>-kafka.jsonl
#   TOLLGATE_RUNS="tcp-b1-f64 tcp-b100-f64-p1 e2e-1000" bench/kafka.sh   # then those bench/run.sh runs
#
# Kafka runs from Maven Central jars (bench/kafka/pom.xml, resolved with this checkout's mvnw into
# the temp dir): one KRaft node (broker and controller in one JVM, -Xms256m -Xmx1g like Tollgate's
# broker) on two free 127.0.0.1 ports, its log dirs in a temp dir that is removed at the end. Then:
#   1. ProducerPerformance: one producer, RECORD_BYTES-byte records sent one at a time with send()
#      (the producer batches them itself: batch.size, linger.ms at their defaults), acks=all, as
#      fast as it can, on a topic of PARTITIONS partitions; a warm-up of WARMUP_RECORDS first.
#   2. EndToEndLatency: E2E_RECORDS records of RECORD_BYTES, one at a time, each produced (acks=all)
#      and consumed before the next; its average and percentiles.
# Kafka does not fsync per write (it leaves it to the page cache and replication); Tollgate acks
# after an fsync'ed RocksDB write. The JSON line says so.
#
# Every step is bounded: START_TIMEOUT [60] s for the node, PERF_TIMEOUT [300] s for each tool.
# Knobs (defaults in brackets): KAFKA_VERSION [4.1.1], RECORD_BYTES [256, the loadgen's
# --event-bytes], RECORDS [3000000], WARMUP_RECORDS [500000], PARTITIONS [1], E2E_RECORDS [10000],
# KAFKA_OPTS [-Xms256m -Xmx1g], TOLLGATE_RUNS [none: bench/run.sh is not run], TOLLGATE_LIB
# [bench/run.sh's default].
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
RECORD_BYTES="${RECORD_BYTES:-256}"
RECORDS="${RECORDS:-3000000}"
WARMUP_RECORDS="${WARMUP_RECORDS:-500000}"
PARTITIONS="${PARTITIONS:-1}"
E2E_RECORDS="${E2E_RECORDS:-10000}"
START_TIMEOUT="${START_TIMEOUT:-60}"
PERF_TIMEOUT="${PERF_TIMEOUT:-300}"
read -r -a kafka_opts <<<"${KAFKA_OPTS:--Xms256m -Xmx1g}"

log() { printf '[kafka %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

work="$(mktemp -d /tmp/tollgate-kafka.XXXXXX)"
kafka_pid=""
stop_kafka() {
  if [ -n "$kafka_pid" ] && kill -0 "$kafka_pid" 2>/dev/null; then
    kill "$kafka_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 "$kafka_pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$kafka_pid" 2>/dev/null; then
      log "Kafka $kafka_pid did not stop in 15 s: kill -9"
      kill -9 "$kafka_pid" 2>/dev/null || true
    fi
    wait "$kafka_pid" 2>/dev/null || true
  fi
  kafka_pid=""
}
cleanup() {
  stop_kafka
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# ---- Kafka's jars -------------------------------------------------------------------------------
log "resolving Kafka $KAFKA_VERSION from Maven Central (bench/kafka/pom.xml)"
resolve=("$repo/mvnw" -B -q -f "$here/kafka/pom.xml" dependency:copy-dependencies
  -Dkafka.version="$KAFKA_VERSION" -DoutputDirectory="$work/libs")
"${resolve[@]}" -o >/dev/null 2>&1 || "${resolve[@]}" >"$work/resolve.log" 2>&1 || {
  log "could not resolve Kafka's jars:"; tail -20 "$work/resolve.log" >&2; exit 1; }
cp_arg="$work/libs/*"
kafka() { java "${kafka_opts[@]}" -Dlog4j2.configurationFile="$work/log4j2.properties" -cp "$cp_arg" "$@"; }

cat >"$work/log4j2.properties" <<'EOF'
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = STDERR
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
EOF

# ---- one KRaft node -----------------------------------------------------------------------------
port="$(free_port)"
controller_port="$(free_port)"
while [ "$controller_port" = "$port" ]; do controller_port="$(free_port)"; done
cat >"$work/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$work/data
num.partitions=$PARTITIONS
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
cluster_id="$(kafka kafka.tools.StorageTool random-uuid)"
kafka kafka.tools.StorageTool format -t "$cluster_id" -c "$work/server.properties" >"$work/format.log" 2>&1
# Started directly (not through the function) so that $! is the JVM itself: its pid is what is stopped and measured.
java "${kafka_opts[@]}" -Dlog4j2.configurationFile="$work/log4j2.properties" -cp "$cp_arg" kafka.Kafka "$work/server.properties" \
  >"$work/kafka.log" 2>&1 &
kafka_pid=$!
log "Kafka $KAFKA_VERSION starting: pid $kafka_pid, 127.0.0.1:$port (controller $controller_port), data in $work/data"
started=false
for _ in $(seq 1 $((START_TIMEOUT * 2))); do
  kill -0 "$kafka_pid" 2>/dev/null || { log "Kafka exited during start-up:"; tail -30 "$work/kafka.log" >&2; exit 1; }
  if kafka org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$port" --list >/dev/null 2>&1; then
    started=true
    break
  fi
  sleep 0.5
done
$started || { log "Kafka did not answer within $START_TIMEOUT s"; exit 1; }
for topic in perf e2e; do
  partitions="$PARTITIONS"
  [ "$topic" = e2e ] && partitions=1
  kafka org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$port" --create --topic "$topic" \
    --partitions "$partitions" --replication-factor 1 >/dev/null
done

others="$(pgrep -c -f 'org.codehaus.plexus.classworlds.launcher.Launcher|surefirebooter' || true)"
load_before="$(cut -d' ' -f1 /proc/loadavg)"
[ "${others:-0}" -gt 0 ] && log "WARNING: $others Maven/surefire JVM(s) running: they share the cores with this run"

# ---- the producer -------------------------------------------------------------------------------
perf() { # perf RECORDS -> ProducerPerformance's last line
  timeout --kill-after=5 "$PERF_TIMEOUT" java -Xms256m -Xmx1g -Dlog4j2.configurationFile="$work/log4j2.properties" \
    -cp "$cp_arg" org.apache.kafka.tools.ProducerPerformance --topic perf --num-records "$1" \
    --record-size "$RECORD_BYTES" --throughput -1 \
    --producer-props "bootstrap.servers=127.0.0.1:$port" acks=all 2>>"$work/perf.err" | tee -a "$work/perf.out" | tail -1
}
log "ProducerPerformance warm-up: $WARMUP_RECORDS records (not reported)"
perf "$WARMUP_RECORDS" >/dev/null
log "ProducerPerformance: $RECORDS records of $RECORD_BYTES bytes, acks=all, $PARTITIONS partition(s)"
perf_line="$(perf "$RECORDS")"
log "   $perf_line"

# ---- end to end ---------------------------------------------------------------------------------
log "EndToEndLatency: $E2E_RECORDS records of $RECORD_BYTES bytes, acks=all, one at a time"
timeout --kill-after=5 "$PERF_TIMEOUT" java -Xms256m -Xmx1g -Dlog4j2.configurationFile="$work/log4j2.properties" \
  -cp "$cp_arg" org.apache.kafka.tools.EndToEndLatency "127.0.0.1:$port" e2e "$E2E_RECORDS" all "$RECORD_BYTES" \
  >"$work/e2e.out" 2>>"$work/e2e.err"
e2e_avg="$(sed -n 's/^Avg latency: \([0-9.]*\) ms.*/\1/p' "$work/e2e.out")"
e2e_percentiles="$(grep -m1 '^Percentiles' "$work/e2e.out" || true)"
log "   avg ${e2e_avg:-?} ms; ${e2e_percentiles:-no percentiles}"
kafka_rss_kb="$(awk '$1=="VmHWM:" {print $2}' "/proc/$kafka_pid/status" 2>/dev/null || echo 0)"
stop_kafka

# ---- one JSON line ------------------------------------------------------------------------------
mkdir -p "$here/results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="$here/results/$stamp-kafka.jsonl"
python3 - "$perf_line" "$e2e_percentiles" "${e2e_avg:-0}" >"$results" <<EOF
import json, re, sys
perf, percentiles, avg = sys.argv[1], sys.argv[2], float(sys.argv[3])
def number(pattern, text):
    m = re.search(pattern, text)
    return float(m.group(1)) if m else None
print(json.dumps({
    "run": "kafka", "stamp": "$stamp", "kafka_version": "$KAFKA_VERSION", "record_bytes": $RECORD_BYTES,
    "partitions": $PARTITIONS, "acks": "all", "fsync_per_write": False,
    "producer": {"records": $RECORDS, "line": perf,
                 "records_per_second": number(r"([0-9.]+) records/sec", perf),
                 "mb_per_second": number(r"\(([0-9.]+) MB/sec\)", perf),
                 "p50_ms": number(r"([0-9.]+) ms 50th", perf), "p99_ms": number(r"([0-9.]+) ms 99th", perf),
                 "p99_9_ms": number(r"([0-9.]+) ms 99.9th", perf)},
    "end_to_end": {"records": $E2E_RECORDS, "avg_ms": avg, "line": percentiles,
                   "p50_ms": number(r"50th = ([0-9.]+)", percentiles), "p99_ms": number(r"99th = ([0-9.]+)", percentiles),
                   "p99_9_ms": number(r"99.9th = ([0-9.]+)", percentiles)},
    "kafka_vm_hwm_kb": int("${kafka_rss_kb:-0}" or 0), "other_maven_jvms": int("${others:-0}"),
    "loadavg_before": float("$load_before"), "nproc": $(nproc)}))
EOF
log "wrote $results"

# ---- Tollgate, right after, for ratios from one session -----------------------------------------
if [ -n "${TOLLGATE_RUNS:-}" ]; then
  log "Tollgate: RUNS=\"$TOLLGATE_RUNS\" bench/run.sh ${TOLLGATE_LIB:-}"
  RUNS="$TOLLGATE_RUNS" "$here/run.sh" ${TOLLGATE_LIB:+"$TOLLGATE_LIB"}
  tollgate_results="$(ls -t "$here"/results/*Z.jsonl | head -1)"
  python3 - "$results" "$tollgate_results" <<'EOF'
import json, sys
kafka = json.loads(open(sys.argv[1]).readline())
producer = kafka["producer"]["records_per_second"] or 0
e2e_p99 = kafka["end_to_end"]["p99_ms"] or 0
print(f"[kafka] ratios against Kafka {kafka['kafka_version']} ({producer:,.0f} records/s, e2e p99 {e2e_p99} ms):")
for line in open(sys.argv[2]):
    run = json.loads(line)
    result = run.get("result") or {}
    if not result:
        continue
    if result.get("mode") in ("tcp", "http") and producer:
        print(f"[kafka]   {run['run']}: {result['events_per_second']:,.0f} events/s = {result['events_per_second'] / producer:.3f}x Kafka")
    elif result.get("mode") == "e2e" and e2e_p99:
        p99 = result["latency_ms"]["p99"]
        print(f"[kafka]   {run['run']}: e2e p99 {p99} ms = {p99 / e2e_p99:.2f}x Kafka's")
EOF
fi
