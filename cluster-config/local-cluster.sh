#!/usr/bin/env bash
# `./tollgate local-cluster [--nodes N] [--cassandra host:port]`: N Tollgate nodes (3 by
# default) in one Pekko cluster on this machine, on one Cassandra. Without --cassandra it
# starts the local one (`./tollgate cassandra`) unless something already answers on
# 127.0.0.1:9042. Node i listens on HTTP 808i, TCP 707i, cluster 2552i and management
# 855(8+i); logs and data are under data/local-cluster/. Ctrl-C stops everything it started.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
nodes=3
cassandra=""
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --cassandra) cassandra="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$nodes" -lt 1 ] || [ "$nodes" -gt 9 ]; then
  echo "error: --nodes must be between 1 and 9" >&2
  exit 2
fi

dir="$here/data/local-cluster"
mkdir -p "$dir"
pids=()
stop_all() {
  trap - INT TERM EXIT
  echo "Stopping ..." >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

"$here/tollgate" --version >/dev/null   # builds the distribution when it is missing or stale
if [ -z "$cassandra" ]; then
  cassandra="127.0.0.1:9042"
  if ! port_open 9042; then
    echo "Starting Cassandra (log: $dir/cassandra.out) ..." >&2
    "$here/tollgate" cassandra --dir "$dir/cassandra" >"$dir/cassandra.out" 2>&1 &
    pids+=($!)
    until grep -q "Cassandra is running" "$dir/cassandra.out"; do
      kill -0 "${pids[0]}" 2>/dev/null || { cat "$dir/cassandra.out" >&2; exit 1; }
      sleep 1
    done
  fi
fi

# Every node must accept the same operator key.
if [ -z "${TOLLGATE_ADMIN_KEY:-}" ]; then
  [ -f "$dir/admin.key" ] || echo "admin.$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')" >"$dir/admin.key"
  TOLLGATE_ADMIN_KEY="$(cat "$dir/admin.key")"
fi
export TOLLGATE_ADMIN_KEY

for i in $(seq 1 "$nodes"); do
  TOLLGATE_JAVA_OPTS="${TOLLGATE_JAVA_OPTS:--Xms256m -Xmx768m}" "$here/tollgate" run \
    --http-port "808$i" --tcp-port "707$i" --cluster-port "2552$i" --management-port "$((8557 + i))" \
    --seed-nodes "127.0.0.1:25521" --cassandra "$cassandra" --data-dir "$dir/node$i" \
    >"$dir/node$i.log" 2>&1 &
  pids+=($!)
done

for i in $(seq 1 "$nodes"); do
  until curl -fs "http://127.0.0.1:808$i/readyz" >/dev/null 2>&1; do
    sleep 1
  done
done

echo
echo "A $nodes-node Tollgate cluster is running on Cassandra $cassandra."
for i in $(seq 1 "$nodes"); do
  echo "  node$i  HTTP http://127.0.0.1:808$i  TCP 127.0.0.1:707$i  management http://127.0.0.1:$((8557 + i))  log $dir/node$i.log"
done
echo "  admin key: $TOLLGATE_ADMIN_KEY"
echo "  members:   curl -s http://127.0.0.1:8558/cluster/members"
echo "Producers and consumers may use any node. Ctrl-C stops the cluster."
wait
