#!/usr/bin/env python3
"""Draws the two SVG charts of docs/benchmarks.md from a bench/run.sh results file.

    python3 bench/chart.py bench/results/<timestamp>.jsonl docs/img
    python3 bench/chart.py --backends EMBEDDED.jsonl CLUSTER.jsonl docs/img

Writes OUT/benchmarks-throughput.svg (events/s of every tcp and http run) and
OUT/benchmarks-e2e-latency.svg (publish-to-WebSocket latency percentiles of the e2e run, beside
the Kafka and RabbitMQ figures quoted from /work/shared/design/FIELD-NOTES.md, which were not
re-measured). Python 3 standard library only.
"""
import json
import math
import os
import sys
from xml.sax.saxutils import escape

# Quoted from FIELD-NOTES.md ("Throughput and latency on this kind of machine"); not re-measured.
REFERENCE_LATENCY = [
    ("Kafka 4.1.1 (FIELD-NOTES)", {"p99": 6.0, "p99.9": 12.0}),
    ("RabbitMQ 3.10.8 (FIELD-NOTES)", {"p50": 0.18, "p99": 3.3}),
]
COLOURS = {"tcp": "#2b6cb0", "http": "#dd6b20", "e2e": "#2f855a", "ref": "#a0aec0"}


def arg(args, name, default="-"):
    parts = args.split()
    return parts[parts.index(name) + 1] if name in parts else default


def hbar_chart(title, subtitle, bars, unit, path):
    """bars: list of (label, value, colour). Horizontal bars on a linear axis, each labelled with its value."""
    width, left, right, top, bar_h, gap = 860, 250, 120, 70, 22, 8
    height = top + len(bars) * (bar_h + gap) + 40
    vmax = max(v for _, v, _ in bars) or 1
    scale = (width - left - right) / vmax
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="20" y="26" font-size="17" font-weight="bold">{escape(title)}</text>',
           f'<text x="20" y="48" fill="#4a5568">{escape(subtitle)}</text>']
    # Grid: five steps of a round number.
    step = 10 ** math.floor(math.log10(vmax))
    for factor in (0.1, 0.2, 0.5, 1, 2, 5):
        if vmax / (step * factor) <= 7:
            step *= factor
            break
    tick = 0.0
    while tick <= vmax * 1.0001:
        x = left + tick * scale
        out.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 34}" stroke="#e2e8f0"/>')
        label = f"{tick:,.0f}" if step >= 1 else f"{tick:,.1f}"
        out.append(f'<text x="{x:.1f}" y="{height - 18}" text-anchor="middle" fill="#718096">{label}</text>')
        tick += step
    out.append(f'<text x="{width - right + 10}" y="{height - 18}" fill="#718096">{escape(unit)}</text>')
    for i, (label, value, colour) in enumerate(bars):
        y = top + i * (bar_h + gap)
        w = max(value * scale, 1.5)
        out.append(f'<text x="{left - 8}" y="{y + bar_h * 0.72:.1f}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>')
        text = f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"
        out.append(f'<text x="{left + w + 6:.1f}" y="{y + bar_h * 0.72:.1f}" fill="#2d3748">{text}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {path}")


def main(results, out_dir):
    rows = [json.loads(line) for line in open(results) if line.strip()]
    os.makedirs(out_dir, exist_ok=True)
    bars = []
    for row in rows:
        result = row.get("result")
        mode = arg(row.get("loadgen_args", ""), "--mode")
        if not result or mode not in ("tcp", "http"):
            continue
        a = row["loadgen_args"]
        label = (f"{mode.upper()} batch {arg(a, '--batch-size')}, in-flight {arg(a, '--in-flight')}"
                 + (f", {arg(a, '--partitions')} partition" if "--partitions" in a else ""))
        bars.append((label, result["events_per_second"], COLOURS[mode]))
    if bars:
        hbar_chart("Tollgate publish throughput, one producer",
                   "256-byte events, acked after a synced write; 4 partitions unless noted; 2 cores, broker and loadgen on one machine",
                   bars, "events/s", os.path.join(out_dir, "benchmarks-throughput.svg"))

    lat_bars = []
    for row in rows:
        result = row.get("result")
        if result and arg(row.get("loadgen_args", ""), "--mode") == "e2e":
            lat = result["latency_ms"]
            rate = arg(row["loadgen_args"], "--rate")
            for key, name in (("p50", "p50"), ("p99", "p99"), ("p99_9", "p99.9")):
                lat_bars.append((f"Tollgate {name} @ {rate}/s", lat[key], COLOURS["e2e"]))
    for system, values in REFERENCE_LATENCY:
        for name, value in values.items():
            lat_bars.append((f"{system} {name}", value, COLOURS["ref"]))
    if lat_bars:
        hbar_chart("End-to-end latency, publish to delivery",
                   "Tollgate: TCP publish to WebSocket receipt, measured here; grey: quoted from FIELD-NOTES.md, not re-measured",
                   lat_bars, "ms", os.path.join(out_dir, "benchmarks-e2e-latency.svg"))


BACKEND_COLOURS = {"embedded": "#2b6cb0", "cassandra 1 node": "#dd6b20", "cassandra 3 nodes": "#9c4221"}


def backends(embedded, cluster, out_dir):
    """OUT/benchmarks-backends.svg: the same publish runs on the embedded store (a bench/run.sh
    results file) and on Cassandra with 1 and 3 nodes (a bench/cluster.sh results file)."""
    results = {}
    for row in (json.loads(line) for line in open(embedded) if line.strip()):
        if row.get("result") and row["run"].startswith("tcp-"):
            results[(row["run"], "embedded")] = row["result"]["events_per_second"]
    for row in (json.loads(line) for line in open(cluster) if line.strip()):
        if row.get("result") and "-tcp-" in row["run"]:
            run = row["run"].split("-", 2)[2]
            results[(run, f"cassandra {row['nodes']} node" + ("s" if row["nodes"] > 1 else ""))] = \
                row["result"]["events_per_second"]
    bars = [(f"{run} · {backend}", value, BACKEND_COLOURS[backend])
            for (run, backend), value in sorted(results.items(), key=lambda item: (item[0][0], list(BACKEND_COLOURS).index(item[0][1])))]
    os.makedirs(out_dir, exist_ok=True)
    hbar_chart("Publish throughput by storage backend",
               "256-byte events, one TCP producer, 4 partitions; 2 cores shared by every JVM (brokers, Cassandra, loadgen)",
               bars, "events/s", os.path.join(out_dir, "benchmarks-backends.svg"))


if __name__ == "__main__":
    if sys.argv[1] == "--backends":
        backends(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "docs/img")
    else:
        main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "docs/img")
