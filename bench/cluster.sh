#!/usr/bin/env bash
# Reproduces the Cassandra figures in docs/benchmarks.md: publish throughput and end-to-end
# latency with 1 and with 3 Tollgate nodes on one local Cassandra, all on this machine.
#
#   bench/cluster.sh [LIB_DIR]
#
# LIB_DIR is the distribution classpath (default: cli/target/dist/lib, built when missing);
# Cassandra comes from cassandra-local/target (the same build). The script starts one Cassandra
# node (`./tollgate cassandra` on free ports, in a temp dir), then for each node count and run:
# N brokers forming one cluster on a fresh keyspace, a fixture made by `loadgen --setup`
# against node 1, a warm-up (not reported), the measured loadgen run against node 1 (publishes
# and streams go through node 1; the partitions and subscriptions are sharded over all nodes),
# the brokers' VmHWM, then all brokers stop. One JSON line per run goes to
# bench/results/<timestamp>-cluster.jsonl; the Markdown table is printed at the end.
#
# Environment knobs (defaults in brackets):
#   NODE_COUNTS ["1 3"]  cluster sizes to measure
#   RUNS [tcp-b100-f8 tcp-b1-f64 e2e-1000]
#   DURATION [20s]  E2E_DURATION [30s]  E2E_RATE [1000]  WARMUP [60s]  DRAIN [20s]
# The warm-up is longer than bench/run.sh's: on 2 cores a fresh broker JVM on Cassandra needs
# about a minute of load before the JIT has compiled its hot paths (e2e p50 7 s, then 1.3 s,
# then 28 ms in three consecutive 20 s runs on one broker).
#   BROKER_OPTS [-Xms256m -Xmx768m]  LOADGEN_OPTS [-Xms256m -Xmx1g]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
NODE_COUNTS="${NODE_COUNTS:-1 3}"
RUNS="${RUNS:-tcp-b100-f8 tcp-b1-f64 e2e-1000}"
DURATION="${DURATION:-20s}"
E2E_DURATION="${E2E_DURATION:-30s}"
E2E_RATE="${E2E_RATE:-1000}"
WARMUP="${WARMUP:-60s}"
DRAIN="${DRAIN:-20s}"
read -r -a broker_opts <<<"${BROKER_OPTS:--Xms256m -Xmx768m}"
read -r -a loadgen_opts <<<"${LOADGEN_OPTS:--Xms256m -Xmx1g}"

args_of() {
  case "$1" in
    tcp-b100-f8) echo "--mode tcp --batch-size 100 --in-flight 8" ;;
    tcp-b1-f64) echo "--mode tcp --batch-size 1 --in-flight 64" ;;
    e2e-1000) echo "--mode e2e --publish-via tcp --rate $E2E_RATE --batch-size 100 --in-flight 64" ;;
    *) echo "unknown run $1" >&2; return 1 ;;
  esac
}

log() { printf '[cluster-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
seconds_of() { local v="$1"; case "$v" in *s) echo "${v%s}" ;; *m) echo $(( ${v%m} * 60 )) ;; *) echo "$v" ;; esac; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
status_kb() { awk -v k="$2:" '$1==k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

src_lib="${1:-$repo/cli/target/dist/lib}"
if ! ls "$src_lib"/tollgate-broker-*.jar >/dev/null 2>&1 || [ ! -d "$repo/cassandra-local/target/lib" ]; then
  log "building the distribution (./mvnw -q -DskipTests install)"
  (cd "$repo" && ./mvnw -q -B -DskipTests install)
fi
work="$(mktemp -d /tmp/tollgate-cluster-bench.XXXXXX)"
cp -r "$src_lib" "$work/lib"
cp_arg="$work/lib/*"
# The tollgate command; a distribution from before the cli module has it in the broker.
main=io.tollgate.cli.Main
ls "$work/lib"/tollgate-cli-*.jar >/dev/null 2>&1 || main=io.tollgate.broker.Main

pids=()
cassandra_pid=""
stop_brokers() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
cleanup() {
  stop_brokers
  if [ -n "$cassandra_pid" ]; then
    kill "$cassandra_pid" 2>/dev/null || true
    wait "$cassandra_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cql_port="$(free_port)"
log "starting Cassandra on 127.0.0.1:$cql_port (data in $work/cassandra)"
java -cp "$repo/cassandra-local/target/classes" io.tollgate.cassandra.LocalCassandra \
  --port "$cql_port" --storage-port "$(free_port)" --dir "$work/cassandra" >"$work/cassandra.out" 2>&1 &
cassandra_pid=$!
touch "$work/cassandra.out"
until grep -q "Cassandra is running" "$work/cassandra.out"; do
  kill -0 "$cassandra_pid" 2>/dev/null || { cat "$work/cassandra.out" >&2; exit 1; }
  sleep 1
done

mkdir -p "$here/results"
results="$here/results/$(date -u +%Y%m%dT%H%M%SZ)-cluster.jsonl"
: >"$results"
export TOLLGATE_ADMIN_KEY="admin.$(head -c 32 /dev/urandom | base64 | tr -d "/+=\n")"
log "machine: $(nproc) cores; results: $results"

keyspace_number=0
for nodes in $NODE_COUNTS; do
  for run in $RUNS; do
    read -r -a args <<<"$(args_of "$run")"
    name="cassandra-${nodes}n-$run"
    dir="$work/$name"
    mkdir -p "$dir"
    keyspace_number=$((keyspace_number + 1))
    printf 'tollgate.cassandra.keyspace = "bench_%d_%d"\n' "$keyspace_number" "$$" >"$dir/node.conf"
    seed_port="$(free_port)"
    http_ports=()
    tcp_ports=()
    log "== $name: $nodes node(s) on a fresh keyspace"
    for i in $(seq 1 "$nodes"); do
      http_port="$(free_port)"; tcp_port="$(free_port)"
      cluster_port="$seed_port"; [ "$i" -gt 1 ] && cluster_port="$(free_port)"
      java "${broker_opts[@]}" -cp "$cp_arg" "$main" run \
        --data-dir "$dir/node$i" --http-port "$http_port" --tcp-port "$tcp_port" \
        --cluster-port "$cluster_port" --management-port 0 --seed-nodes "127.0.0.1:$seed_port" \
        --cassandra "127.0.0.1:$cql_port" --config "$dir/node.conf" >"$dir/node$i.log" 2>&1 &
      pids+=($!)
      http_ports+=("$http_port"); tcp_ports+=("$tcp_port")
    done
    for port in "${http_ports[@]}"; do
      for _ in $(seq 1 240); do
        curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && break
        sleep 0.5
      done
    done
    lg=(java "${loadgen_opts[@]}" -cp "$cp_arg" "$main" loadgen --key "$TOLLGATE_ADMIN_KEY"
      --setup --url "http://127.0.0.1:${http_ports[0]}" --tcp "127.0.0.1:${tcp_ports[0]}"
      --event-bytes 256 --drain-timeout "$DRAIN")
    measured=(--duration "$DURATION")
    [[ "$run" == e2e-* ]] && measured=(--duration "$E2E_DURATION")
    timeout --kill-after=5 $(( $(seconds_of "$WARMUP") + $(seconds_of "$DRAIN") + 60 )) \
      "${lg[@]}" "${args[@]}" --duration "$WARMUP" >"$dir/warmup.json" 2>"$dir/warmup.err" || log "   warm-up failed: $(tail -2 "$dir/warmup.err" | tr '\n' ' ')"
    rc=0
    timeout --kill-after=5 $(( $(seconds_of "${measured[1]}") + $(seconds_of "$DRAIN") + 60 )) \
      "${lg[@]}" "${args[@]}" "${measured[@]}" >"$dir/summary.json" 2>"$dir/loadgen.err" || rc=$?
    hwm=0
    for pid in "${pids[@]}"; do
      kb="$(status_kb "$pid" VmHWM)"; [ "${kb:-0}" -gt "$hwm" ] && hwm="$kb"
    done
    stop_brokers
    summary="$(grep -m1 '^{' "$dir/summary.json" || echo null)"
    error=""
    [ "$rc" -ne 0 ] && error="loadgen exit $rc: $(tail -3 "$dir/loadgen.err" | tr '\n' ' ')"
    jq -nc --arg run "$name" --arg args "${args[*]} ${measured[*]} --event-bytes 256" --argjson nodes "$nodes" \
      --argjson summary "$summary" --argjson rc "$rc" --arg error "$error" --argjson hwm "${hwm:-0}" \
      '{run:$run, backend:"cassandra", nodes:$nodes, loadgen_args:$args, exit_code:$rc,
        error:(if $error=="" then null else $error end), result:$summary, broker_vm_hwm_kb:$hwm}' >>"$results"
    log "   $(jq -r '.run + ": " + (if .result == null then "no result" elif .result.latency_ms == null
        then "\(.result.events_per_second) events/s" else "\(.result.events_per_second) events/s, p50 \(.result.latency_ms.p50) ms, p99 \(.result.latency_ms.p99) ms" end)' <(tail -1 "$results"))"
  done
done
log "wrote $results (per-run logs in $work)"
python3 "$here/table.py" "$results"
