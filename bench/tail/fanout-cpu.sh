#!/usr/bin/env bash
# Broker CPU seconds for one fan-out of a fixed number of events:
#   bench/tail/fanout-cpu.sh LIB LABEL SUBSCRIBERS EVENTS RATE
# A fresh broker on a fresh data dir; loadgen --setup --mode fanout; the broker's utime+stime
# (from /proc) is read when the loadgen has opened its streams and again when it ends.
set -u
lib="$1"; label="$2"; subs="$3"; events="$4"; rate="$5"; conf="${6:-}"
dir="$(mktemp -d /tmp/tollgate-tail-cpu.XXXXXX)"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
http=$(port); tcp=$(port)
extra=()
if [ -n "$conf" ]; then printf '%s\n' "$conf" >"$dir/broker.conf"; extra=(--config "$dir/broker.conf"); fi
java -Xms256m -Xmx1g -cp "$lib/*" io.tollgate.cli.Main run --host 127.0.0.1 --data-dir "$dir/data" \
  --http-port "$http" --tcp-port "$tcp" "${extra[@]}" >"$dir/broker.log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do
  curl -fsS -o /dev/null "http://localhost:$http/healthz" 2>/dev/null && [ -s "$dir/data/admin.key" ] && break
  sleep 0.5
done
export TOLLGATE_KEY="$(tr -d '[:space:]' <"$dir/data/admin.key")"
java -Xms256m -Xmx1g -cp "$lib/*" io.tollgate.cli.Main loadgen --setup --url "http://localhost:$http" \
  --tcp "localhost:$tcp" --event-bytes 256 --mode fanout --publish-via tcp --subscribers "$subs" \
  --events "$events" --rate "$rate" --batch-size 100 --in-flight 64 --drain-timeout 120s \
  >"$dir/summary.json" 2>"$dir/loadgen.err" &
lg=$!
while kill -0 "$lg" 2>/dev/null && ! grep -q "streams open$" "$dir/loadgen.err" 2>/dev/null; do sleep 0.2; done
# the line is printed every 100 streams; wait for the last one
while kill -0 "$lg" 2>/dev/null && ! grep -q "^$(printf "%'d" "$subs") streams open" "$dir/loadgen.err"; do sleep 0.2; done
t0=$(ticks "$pid"); w0=$(date +%s.%N); l0=$(cut -d' ' -f1 /proc/loadavg)
wait "$lg"; rc=$?
t1=$(ticks "$pid"); w1=$(date +%s.%N); l1=$(cut -d' ' -f1 /proc/loadavg)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
served=$(curl -fsS "http://localhost:$http/metrics" | awk '/^tollgate_delivered_events_total / {print int($2)}')
kill "$pid"; wait "$pid" 2>/dev/null
hz=$(getconf CLK_TCK)
python3 - "$label" "$subs" "$events" "$rate" "$rc" "$t0" "$t1" "$w0" "$w1" "$hz" "$hwm" "$l0" "$l1" "$dir" "${served:-0}" "$conf" <<'PY'
import json, sys
label, subs, events, rate, rc, t0, t1, w0, w1, hz, hwm, l0, l1, d, served, conf = sys.argv[1:]
s = {}
try:
    s = json.load(open(d + "/summary.json"))
except Exception:
    pass
cpu = (int(t1) - int(t0)) / int(hz)
deliv = int(served)
print(json.dumps({"label": label, "config": conf, "subscribers": int(subs), "events": int(events), "rate": float(rate), "loadgen_rc": int(rc),
  "broker_cpu_s": cpu, "wall_s": round(float(w1) - float(w0), 1), "deliveries": deliv,
  "broker_cpu_us_per_delivery": round(cpu * 1e6 / deliv, 1) if deliv else None,
  "deliveries_per_s": s.get("events_per_second"), "latency_ms": s.get("latency_ms"),
  "delivery": s.get("delivery"), "broker_vmhwm_mib": int(hwm) // 1024, "loadavg": [l0, l1], "dir": d}))
PY
