#!/usr/bin/env bash
# bench/tail/idle-histogram.sh LIB STREAMS: heap histogram of a broker holding STREAMS idle streams
set -u
lib="$1"; streams="$2"
dir="$(mktemp -d /tmp/tollgate-tail-histo.XXXXXX)"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
http=$(port); tcp=$(port)
java -Xms256m -Xmx1g -cp "$lib/*" io.tollgate.cli.Main run --host 127.0.0.1 --data-dir "$dir/data" \
  --http-port "$http" --tcp-port "$tcp" >"$dir/broker.log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do
  curl -fsS -o /dev/null "http://localhost:$http/healthz" 2>/dev/null && [ -s "$dir/data/admin.key" ] && break
  sleep 0.5
done
export TOLLGATE_KEY="$(tr -d '[:space:]' <"$dir/data/admin.key")"
jcmd "$pid" GC.class_histogram > "$dir/histo-before.txt" 2>&1
timeout 600 java -Xms256m -Xmx1g -cp "$lib/*" io.tollgate.cli.Main loadgen --setup --url "http://localhost:$http" \
  --tcp "localhost:$tcp" --mode idle --streams "$streams" --duration 60s >"$dir/summary.json" 2>"$dir/loadgen.err" &
lg=$!
while kill -0 "$lg" 2>/dev/null && ! grep -q "holding them" "$dir/loadgen.err"; do sleep 0.5; done
sleep 5
jcmd "$pid" GC.class_histogram > "$dir/histo-held.txt" 2>&1
wait "$lg"
kill "$pid"; wait "$pid" 2>/dev/null
echo "$dir"
