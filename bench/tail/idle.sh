#!/usr/bin/env bash
# bench/tail/idle.sh LIB LABEL STREAMS HOLD: a fresh broker, loadgen --setup --mode idle; prints loadgen's summary line
# BROKER_ARGS: more flags for `tollgate run`, e.g. "--config FILE" to try a setting
set -u
lib="$1"; label="$2"; streams="$3"; hold="$4"
dir="$(mktemp -d /tmp/tollgate-tail-idle.XXXXXX)"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
http=$(port); tcp=$(port)
java -Xms256m -Xmx1g -cp "$lib/*" io.tollgate.cli.Main run ${BROKER_ARGS:-} --management-port 0 --host 127.0.0.1 --data-dir "$dir/data" \
  --http-port "$http" --tcp-port "$tcp" >"$dir/broker.log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do
  curl -fsS -o /dev/null "http://localhost:$http/healthz" 2>/dev/null && [ -s "$dir/data/admin.key" ] && break
  sleep 0.5
done
export TOLLGATE_KEY="$(tr -d '[:space:]' <"$dir/data/admin.key")"
timeout 900 java -Xms256m -Xmx1g -cp "$lib/*" io.tollgate.cli.Main loadgen --setup --url "http://localhost:$http" \
  --tcp "localhost:$tcp" --mode idle --streams "$streams" --duration "$hold" --broker-pid "$pid" \
  >"$dir/summary.json" 2>"$dir/loadgen.err"
rc=$?
kill "$pid"; wait "$pid" 2>/dev/null
echo "{\"label\":\"$label\",\"rc\":$rc,\"loadavg\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"dir\":\"$dir\",\"summary\":$(cat "$dir/summary.json" || echo null)}"
