#!/usr/bin/env python3
"""Prints the Markdown results table of a bench/run.sh results file (one JSON object per line).

    python3 bench/table.py bench/results/<timestamp>.jsonl
"""
import json
import sys


def arg(args, name, default="-"):
    parts = args.split()
    return parts[parts.index(name) + 1] if name in parts else default


def fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float) and value >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    print("| run | mode | batch | in-flight | partitions | events/s | MB/s | p50 ms | p99 ms | p99.9 ms | max ms "
          "| lost/dup/out-of-order | broker VmHWM MiB | broker VmRSS MiB (end) | broker CPU s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    for row in rows:
        args = row.get("loadgen_args", "")
        result = row.get("result") or {}
        lat = result.get("latency_ms") or {}
        delivery = "-"
        if "lost" in result:
            delivery = f"{result['lost']}/{result['duplicates']}/{result['out_of_order']}"
        events = fmt(result.get("events_per_second"), 0) if result else "FAILED"
        print(" | ".join([
            "", row["run"], arg(args, "--mode"), arg(args, "--batch-size"), arg(args, "--in-flight"),
            arg(args, "--partitions", "4"), events, fmt(result.get("mb_per_second"), 2),
            fmt(lat.get("p50"), 2), fmt(lat.get("p99"), 1), fmt(lat.get("p99_9"), 1), fmt(lat.get("max"), 1),
            delivery, f"{row.get('broker_vm_hwm_kb', 0) / 1024:.0f}", f"{row.get('broker_vm_rss_kb', 0) / 1024:.0f}",
            fmt(row.get("broker_cpu_seconds"), 1), ""]).strip())
        if row.get("error"):
            print(f"|   ↳ error: {row['error'].replace('|', '/')} |||||||||||||||")


if __name__ == "__main__":
    main(sys.argv[1])
