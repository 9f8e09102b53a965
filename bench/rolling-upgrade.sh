#!/usr/bin/env bash
# A rolling upgrade of a 3-node cluster on Cassandra, from the previous release to this tree,
# under load, checking that nothing acknowledged is lost and nothing is billed twice.
#
#   bench/rolling-upgrade.sh [PREVIOUS]
#
# PREVIOUS is a commit (default: main). The script checks it out with `git worktree add` into a
# temp dir and builds it (`./mvnw -o -q -B package -DskipTests`), builds this tree the same way,
# starts a local Cassandra (from this tree's cassandra-local) and three nodes of PREVIOUS (every
# node lists all three as seeds, so a restarted node joins the others), creates a tenancy
# (producer, consumer, a topic of 4 partitions, a public product, a per-event plan, a
# subscription from the beginning) and starts the load:
#   - a publisher that sends numbered CloudEvents in chunks with `tollgate publish --tcp` to a
#     running node, sending a chunk again (same ids: deduplicated) to another node when a
#     publish fails; the ids it prints are the acknowledged events;
#   - a consumer, `tollgate subscribe`, started again on a running node whenever its stream
#     ends; it acks what it receives;
#   - `tollgate loadgen --mode e2e` at E2E_RATE events/s on a tenancy of its own, through a node
#     that stays up during the step (its summary is printed; it is load, not the check).
# Then, one node at a time: SIGTERM (the node hands over its shards and leaves), start this
# tree's build on the same data directory and ports, wait for /readyz, let the load run STEP.
# The cluster is of two versions during the first two replacements. At the end the publisher
# stops, the consumer gets everything, and the script prints a summary (one JSON line, also in
# bench/results/<timestamp>-rolling-upgrade.json) and exits 1 when
#   - an acknowledged event never reached the consumer (lost), or
#   - the subscription's billed usage differs from the distinct events the consumer acked.
#
# Environment knobs (defaults in brackets): STEP [30] seconds of load before and after each
# replacement; CHUNK [20] events per publish; E2E_RATE [200]; SKIP_BUILD [0]: 1 reuses
# PREVIOUS's build in WORK and this tree's cli/target/dist/lib; WORK [a new temp dir];
# BROKER_OPTS [-Xms128m -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC];
# CLI_OPTS [-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC].
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
previous="${1:-main}"
STEP="${STEP:-30}"
CHUNK="${CHUNK:-20}"
E2E_RATE="${E2E_RATE:-200}"
SKIP_BUILD="${SKIP_BUILD:-0}"
read -r -a broker_opts <<<"${BROKER_OPTS:--Xms128m -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"
read -r -a cli_opts <<<"${CLI_OPTS:--Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"

log() { printf '[rolling-upgrade %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

previous_commit="$(git -C "$repo" rev-parse --verify "$previous^{commit}")"
current_commit="$(git -C "$repo" rev-parse HEAD)$(git -C "$repo" diff --quiet HEAD -- . || echo '+changes')"
work="${WORK:-$(mktemp -d /tmp/tollgate-rolling-upgrade.XXXXXX)}"
mkdir -p "$work"
log "previous $previous_commit, current $current_commit; work dir $work"

# --- builds -------------------------------------------------------------------------------
if [ "$SKIP_BUILD" != 1 ] || [ ! -d "$work/lib-previous" ]; then
  rm -rf "$work/previous"
  git -C "$repo" worktree add --detach "$work/previous" "$previous_commit" >/dev/null
  log "building the previous release in $work/previous"
  (cd "$work/previous" && ./mvnw -o -q -B package -DskipTests)
  rm -rf "$work/lib-previous"
  cp -r "$work/previous/cli/target/dist/lib" "$work/lib-previous"
  git -C "$repo" worktree remove --force "$work/previous"
fi
if [ "$SKIP_BUILD" != 1 ] || [ ! -d "$repo/cli/target/dist/lib" ]; then
  log "building this tree"
  (cd "$repo" && ./mvnw -o -q -B package -DskipTests)
fi
rm -rf "$work/lib-current"
cp -r "$repo/cli/target/dist/lib" "$work/lib-current"

# --- processes ----------------------------------------------------------------------------
cassandra_pid=""
node_pids=(0 0 0 0)
load_pids=()
stop_pid() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  touch "$work/stop-load"
  for pid in "${load_pids[@]}"; do stop_pid "$pid"; done
  for i in 1 2 3; do [ "${node_pids[$i]}" != 0 ] && stop_pid "${node_pids[$i]}"; done
  [ -n "$cassandra_pid" ] && stop_pid "$cassandra_pid"
  git -C "$repo" worktree prune 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -f "$work/stop-load" "$work/stop-consumer"

cql_port="$(free_port)"
log "starting Cassandra on 127.0.0.1:$cql_port"
java -cp "$repo/cassandra-local/target/classes" io.tollgate.cassandra.LocalCassandra \
  --port "$cql_port" --storage-port "$(free_port)" --dir "$work/cassandra" >"$work/cassandra.out" 2>&1 &
cassandra_pid=$!
until grep -q "Cassandra is running" "$work/cassandra.out" 2>/dev/null; do
  kill -0 "$cassandra_pid" 2>/dev/null || { cat "$work/cassandra.out" >&2; exit 1; }
  sleep 1
done

export TOLLGATE_ADMIN_KEY="admin.$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n')"
printf 'tollgate.cassandra.keyspace = "rolling_%d"\n' "$$" >"$work/node.conf"
http=(0); tcp=(0); cluster=(0)
for i in 1 2 3; do http+=("$(free_port)"); tcp+=("$(free_port)"); cluster+=("$(free_port)"); done
seeds="127.0.0.1:${cluster[1]},127.0.0.1:${cluster[2]},127.0.0.1:${cluster[3]}"
version_of=(none none none none)

start_node() { # start_node I previous|current
  local i="$1" version="$2"
  java "${broker_opts[@]}" -cp "$work/lib-$version/*" io.tollgate.cli.Main run \
    --data-dir "$work/node$i" --http-port "${http[$i]}" --tcp-port "${tcp[$i]}" \
    --cluster-port "${cluster[$i]}" --management-port 0 --seed-nodes "$seeds" \
    --cassandra "127.0.0.1:$cql_port" --config "$work/node.conf" >>"$work/node$i.log" 2>&1 &
  node_pids[$i]=$!
  version_of[$i]="$version"
}
await_ready() { # await_ready I
  for _ in $(seq 1 480); do
    curl -fs -o /dev/null "http://127.0.0.1:${http[$1]}/readyz" && return 0
    kill -0 "${node_pids[$1]}" 2>/dev/null || { tail -20 "$work/node$1.log" >&2; return 1; }
    sleep 0.5
  done
  log "node$1 not ready after 240 s"; return 1
}
mark_up() { echo "$1" >>"$work/up"; }
mark_down() { grep -vx "$1" "$work/up" >"$work/up.new" || true; mv "$work/up.new" "$work/up"; }
any_up() { # a running node, rotating with the argument
  local n; n="$(wc -l <"$work/up")"; [ "$n" -gt 0 ] || return 1
  sed -n "$(( ($1 % n) + 1 ))p" "$work/up"
}

: >"$work/up"
for i in 1 2 3; do start_node "$i" previous; done
for i in 1 2 3; do await_ready "$i"; mark_up "$i"; done
log "3 nodes of the previous release are ready"

# --- tenancy ------------------------------------------------------------------------------
api() { # api METHOD PATH KEY [BODY]
  curl -fsS -X "$1" "http://127.0.0.1:${http[1]}$2" -H "Authorization: Bearer $3" \
    -H 'Content-Type: application/json' ${4:+--data "$4"}
}
admin="$TOLLGATE_ADMIN_KEY"
producer="$(api POST /v1/accounts "$admin" '{"name":"rolling producer"}' | jq -r .id)"
producer_key="$(api POST "/v1/accounts/$producer/keys" "$admin" '{"scopes":["admin","publish","read"]}' | jq -r .secret)"
consumer="$(api POST /v1/accounts "$admin" '{"name":"rolling consumer"}' | jq -r .id)"
consumer_key="$(api POST "/v1/accounts/$consumer/keys" "$admin" '{"scopes":["subscribe","read"]}' | jq -r .secret)"
api POST /v1/domains "$admin" "{\"name\":\"rolling\",\"owner\":\"$producer\"}" >/dev/null
topic=rolling.orders
api POST /v1/topics "$admin" "{\"name\":\"$topic\",\"domain\":\"rolling\",\"partitions\":4}" >/dev/null
product="$(api POST /v1/products "$admin" \
  "{\"name\":\"rolling orders\",\"owner\":\"$producer\",\"topics\":[\"$topic\"],\"visibility\":\"public\"}" | jq -r .id)"
plan="$(api POST "/v1/products/$product/plans" "$admin" \
  '{"name":"per event","currency":"USD","price":{"model":"per_unit","unit_amount":"0.001"}}' | jq -r .id)"
subscription="$(api POST /v1/subscriptions "$admin" "{\"account\":\"$consumer\",\"product\":\"$product\",\"plan\":\"$plan\",\"delivery\":{\"type\":\"websocket\"},\"start\":\"beginning\"}" | jq -r .id)"
log "tenancy: topic $topic, subscription $subscription"

# --- load ---------------------------------------------------------------------------------
cli() { java "${cli_opts[@]}" -cp "$work/lib-current/*" io.tollgate.cli.Main "$@"; }

publisher() {
  local chunk=0 attempt=0 node
  : >"$work/acked.jsonl"
  while [ ! -e "$work/stop-load" ]; do
    chunk=$((chunk + 1))
    for n in $(seq 1 "$CHUNK"); do
      printf '{"specversion":"1.0","id":"e-%d-%d","source":"/rolling-upgrade","type":"order","data":{"chunk":%d,"n":%d}}\n' \
        "$chunk" "$n" "$chunk" "$n"
    done >"$work/chunk.jsonl"
    until node="$(any_up "$attempt")" && cli publish --topic "$topic" --key "$producer_key" \
        --tcp "127.0.0.1:${tcp[$node]}" --batch-size "$CHUNK" --file "$work/chunk.jsonl" \
        >>"$work/acked.jsonl" 2>>"$work/publisher.err"; do
      attempt=$((attempt + 1))
      echo "chunk $chunk: attempt $attempt failed (node ${node:-none})" >>"$work/publisher.err"
      sleep 1
    done
    attempt=$((attempt + 1))
  done
}

consumer_loop() {
  local attempt=0 node
  : >"$work/received.jsonl"
  while [ ! -e "$work/stop-consumer" ]; do
    if node="$(any_up "$attempt")"; then
      cli subscribe --subscription "$subscription" --key "$consumer_key" --url "http://127.0.0.1:${http[$node]}" \
        >>"$work/received.jsonl" 2>>"$work/consumer.err" &
      local pid=$!
      echo "$pid" >"$work/consumer.pid"
      wait "$pid" || true
      echo "stream on node$node ended" >>"$work/consumer.err"
    fi
    attempt=$((attempt + 1))
    sleep 1
  done
}

loadgen_step() { # loadgen_step NODE SECONDS NAME
  timeout --kill-after=10 $(( $2 + 90 )) java "${cli_opts[@]}" -cp "$work/lib-current/*" io.tollgate.cli.Main loadgen \
    --key "$admin" --setup --url "http://127.0.0.1:${http[$1]}" --tcp "127.0.0.1:${tcp[$1]}" \
    --mode e2e --publish-via tcp --rate "$E2E_RATE" --batch-size 10 --in-flight 8 --duration "${2}s" \
    --event-bytes 256 --drain-timeout 30s >"$work/loadgen-$3.json" 2>"$work/loadgen-$3.err" \
    || echo "{\"error\":\"loadgen exit $?\"}" >>"$work/loadgen-$3.json"
}

publisher & load_pids+=($!)
consumer_loop & load_pids+=($!)
log "load running; ${STEP}s before the first replacement"
sleep "$STEP"

downtime=()
for i in 1 2 3; do
  stable=$(( i % 3 + 1 ))
  loadgen_step "$stable" "$(( STEP * 2 ))" "node$i" &
  loadgen_pid=$!
  log "replacing node$i (loadgen through node$stable)"
  mark_down "$i"
  started="$(date +%s.%N)"
  stop_pid "${node_pids[$i]}"
  node_pids[$i]=0
  start_node "$i" current
  await_ready "$i"
  mark_up "$i"
  downtime+=("$(python3 -c "import sys; print(round($(date +%s.%N) - $started, 1))")")
  log "node$i runs the current build (out for ${downtime[-1]} s); members: $(curl -fs \
    "http://127.0.0.1:${http[$i]}/v1/cluster/members" -H "Authorization: Bearer $admin" 2>/dev/null | jq -c '[.data[]?.status]' 2>/dev/null || echo '?')"
  sleep "$STEP"
  wait "$loadgen_pid" || true
done

log "all nodes upgraded; stopping the publisher"
touch "$work/stop-load"
wait "${load_pids[0]}" || true
acked_ids() { jq -r 'select(.id) | .id' "$work/acked.jsonl" | sort -u; }
received_ids() { jq -r '.event.id // empty' "$work/received.jsonl" 2>/dev/null | sort -u; }
acked="$(acked_ids | wc -l)"
for _ in $(seq 1 240); do
  [ -z "$(comm -23 <(acked_ids) <(received_ids))" ] && break
  sleep 0.5
done
billed=0
for _ in $(seq 1 120); do
  billed="$(curl -fs "http://127.0.0.1:${http[1]}/v1/subscriptions/$subscription" -H "Authorization: Bearer $consumer_key" \
    | jq -r '.usage.events')"
  [ "$billed" -ge "$(received_ids | wc -l)" ] && break
  sleep 0.5
done
sleep 3   # a late double count would show in the next read
billed="$(curl -fs "http://127.0.0.1:${http[1]}/v1/subscriptions/$subscription" -H "Authorization: Bearer $consumer_key" \
  | jq -r '.usage.events')"
touch "$work/stop-consumer"
kill -TERM "$(cat "$work/consumer.pid")" 2>/dev/null || true
wait "${load_pids[1]}" || true
load_pids=()

received="$(received_ids | wc -l)"
deliveries="$(jq -r '.event.id // empty' "$work/received.jsonl" 2>/dev/null | wc -l)"
lost="$(comm -23 <(acked_ids) <(received_ids) | wc -l)"
failed_attempts="$(grep -c 'attempt' "$work/publisher.err" 2>/dev/null || true)"
mkdir -p "$here/results"
result="$here/results/$(date -u +%Y%m%dT%H%M%SZ)-rolling-upgrade.json"
jq -nc --arg previous "$previous_commit" --arg current "$current_commit" \
  --argjson acked "$acked" --argjson received "$received" --argjson deliveries "$deliveries" \
  --argjson lost "$lost" --argjson billed "${billed:-0}" --argjson failed "${failed_attempts:-0}" \
  --arg downtime "${downtime[*]}" --arg work "$work" \
  --slurpfile loadgen <(for i in 1 2 3; do grep -m1 '^{' "$work/loadgen-node$i.json" || echo null; done) \
  '{previous:$previous, current:$current, acknowledged:$acked, received_distinct:$received,
    deliveries:$deliveries, redelivered:($deliveries - $received), lost:$lost, billed_events:$billed,
    billed_twice:($billed - $received), publish_attempts_failed:$failed,
    node_out_seconds:($downtime | split(" ") | map(tonumber)),
    loadgen_e2e:[$loadgen[] | if . == null then null else {events, events_per_second, received, lost, duplicates,
      p99_ms: .latency_ms.p99} end], work:$work}' | tee "$result"
log "summary in $result; logs in $work"
if [ "$lost" -ne 0 ] || [ "${billed:-0}" -ne "$received" ]; then
  log "FAILED: $lost acknowledged events lost, $billed billed for $received received"
  exit 1
fi
log "OK: $acked acknowledged events, none lost; $billed billed, once each"
