#!/usr/bin/env python3
"""The sampler and the report of bench/soak.sh (docs/benchmarks.md, "Soak").

    python3 bench/soak.py sample --pid PID --metrics URL --data-dir DIR --gc-log FILE --broker-log FILE \
        --loadgen NAME=STDERR_FILE ... --every 10 --full-gc-every 300 --histogram-dir DIR --t0 EPOCH \
        --stop-file FILE --max-seconds N --out RESULTS.jsonl
    python3 bench/soak.py report RESULTS.jsonl --chart docs/img/soak.svg [--histogram-dir DIR] [--flat-pct 10]

sample: every --every seconds, one JSON line {"type": "sample", ...} appended to --out and one
progress line on stderr, until --stop-file exists (then one last sample), the broker is gone or
--max-seconds have passed. Each sample holds the broker's resident set (VmRSS of
/proc/PID/status); its heap after GC (the after-value of the latest pause in its GC log, written
with -Xlog:gc:file=FILE:timemillis, and the lowest after-value since the last sample); its heap
after a full GC, the live set, every --full-gc-every seconds (0: never), when the sampler takes a
class histogram (`jcmd PID GC.class_histogram` collects first) and keeps its 60 largest classes in
--histogram-dir; the bytes under --data-dir (du -sb); what its /metrics counts (events published
and delivered, publish errors, JVM heap in use, the old generation after its last collection,
what the shared tails and the deduplication windows hold);
what its log counts (warnings and errors, retention deletes, trimming rounds); and each load
generator's acked and received events from its last progress line.

report: the least-squares slope of the resident set, the heap after GC (the live set when the
second half has at least 3 of them) and the disk over the second half of the run, per hour and
as a percentage of their mean there; FLAT when none grows faster than --flat-pct of its mean per
hour and the load generators lost nothing. With --histogram-dir it lists the classes whose live
bytes grew most between the first histogram of the second half and the last. It appends
{"type": "report", ...} to the results, prints the verdict last, draws the chart (SVG, in the
style of bench/chart.py) and exits 1 unless FLAT. Python 3 standard library only.
"""
import argparse
import datetime
import json
import math
import os
import re
import subprocess
import sys
import time
import urllib.request
from xml.sax.saxutils import escape

MIB = 1024 * 1024
GC_PAUSE = re.compile(r"^\[(\d+)ms\].*GC\(\d+\) (Pause .*?) (\d+)([BKMG])->(\d+)([BKMG])\((\d+)([BKMG])\)")
UNITS = {"B": 1, "K": 1024, "M": MIB, "G": 1024 * MIB}
PROGRESS = re.compile(r"^\s*([\d.]+)s\s+([\d,]+) events\b.*?(?:\s([\d,]+) received)?(?:\s\||$)")


# ---- sampling ------------------------------------------------------------------------------------

class FollowedFile:
    """A file read on from where the last read stopped, whole lines only."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.partial = ""

    def new_lines(self):
        try:
            with open(self.path, "r", errors="replace") as f:
                f.seek(self.offset)
                text = f.read()
                self.offset = f.tell()
        except FileNotFoundError:
            return []
        text = self.partial + text
        lines = text.split("\n")
        self.partial = lines.pop()
        return lines


class GcLog:
    """The broker's GC pauses, from its unified GC log with the timemillis decoration."""

    def __init__(self, path):
        self.file = FollowedFile(path)
        self.last_after = None
        self.last_at = None
        self.live = None
        self.pauses = 0

    def read(self):
        """Reads the pauses since the last call; returns the lowest heap after any of them, or None."""
        lowest = None
        for line in self.file.new_lines():
            m = GC_PAUSE.match(line)
            if not m:
                continue
            after = int(m.group(5)) * UNITS[m.group(6)]
            self.pauses += 1
            self.last_after = after
            self.last_at = int(m.group(1)) / 1000
            lowest = after if lowest is None else min(lowest, after)
            if m.group(2).startswith("Pause Full"):
                self.live = after
        return lowest


class BrokerLog:
    """Counts in the broker's logfmt log: warnings and errors, retention deletes, trimming rounds."""

    def __init__(self, path):
        self.file = FollowedFile(path)
        self.counts = {"warnings": 0, "errors": 0, "retention_deletes": 0, "trim_rounds": 0}
        self.last_warning = ""

    def read(self):
        for line in self.file.new_lines():
            if " level=WARN " in line:
                self.counts["warnings"] += 1
                self.last_warning = line
            elif " level=ERROR " in line:
                self.counts["errors"] += 1
                self.last_warning = line
            if 'msg="retention deleted ' in line:
                self.counts["retention_deletes"] += 1
            elif 'msg="trimmed ' in line:
                self.counts["trim_rounds"] += 1
        return dict(self.counts)


def metric_sums(text):
    """Every Prometheus series of the text summed by metric name (over its labels), and each series as written."""
    sums, series = {}, {}
    for line in text.split("\n"):
        if not line or line.startswith("#"):
            continue
        cut = line.rindex("}") + 1 if "}" in line else line.find(" ")
        key, rest = line[:cut].strip(), line[cut:].split()
        try:
            value = float(rest[0])
        except (ValueError, IndexError):
            continue
        series[key] = value
        name = key.split("{", 1)[0]
        sums[name] = sums.get(name, 0.0) + value
    return sums, series


def read_metrics(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            text = response.read().decode("utf-8", "replace")
    except OSError:
        return None
    sums, series = metric_sums(text)
    old_gen = next((v for k, v in series.items()
                    if k.startswith("jvm_memory_pool_collection_used_bytes") and "Old Gen" in k), None)
    return {
        "published": int(sums.get("tollgate_published_events_total", 0)),
        "delivered": int(sums.get("tollgate_delivered_events_total", 0)),
        "publish_errors": int(sums.get("tollgate_publish_errors_total", 0)),
        "retention_unread_deleted": int(sums.get("tollgate_retention_unread_entries_deleted_total", 0)),
        "journal_entries_trimmed": int(sums.get("tollgate_journal_entries_trimmed_total", 0)),
        "heap_used_bytes": int(series.get('jvm_memory_used_bytes{area="heap"}', -1)),
        "old_gen_after_gc_bytes": int(old_gen) if old_gen is not None else None,
        "open_streams": int(sums.get("tollgate_open_streams", 0)),
        "tail_bytes": int(sums.get("tollgate_tail_bytes", 0)),
        "dedup_window_bytes": int(sums.get("tollgate_dedup_window_bytes", 0)),
    }


def resident_bytes(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except FileNotFoundError:
        return None
    return None


def disk_bytes(path):
    try:
        out = subprocess.run(["du", "-sb", path], capture_output=True, text=True, timeout=60).stdout
        return int(out.split()[0])
    except (subprocess.SubprocessError, ValueError, IndexError):
        return None


def disk_breakdown(path):
    """Bytes by top-level directory and file kind (RocksDB's .sst tables, .log write-ahead logs,
    the rest), so a growing data directory says whether live tables, logs or one store grew."""
    by_dir, by_kind = {}, {}
    for root, _, files in os.walk(path):
        top = os.path.relpath(root, path).split(os.sep)[0]
        for name in files:
            try:
                size = os.path.getsize(os.path.join(root, name))
            except OSError:
                continue
            kind = name.rsplit(".", 1)[-1] if name.endswith((".sst", ".log", ".blob")) else "other"
            by_dir[top] = by_dir.get(top, 0) + size
            by_kind[kind] = by_kind.get(kind, 0) + size
    return {"by_dir": by_dir, "by_kind": by_kind}


def loadgen_progress(path):
    """(acked, received) from the last progress line of a loadgen's stderr, or None before its first."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 8192))
            lines = f.read().decode("utf-8", "replace").split("\n")
    except FileNotFoundError:
        return None
    for line in reversed(lines):
        m = PROGRESS.match(line)
        if m:
            return {"acked": int(m.group(2).replace(",", "")),
                    "received": int(m.group(3).replace(",", "")) if m.group(3) else None}
    return None


def full_gc(pid, histogram_dir, t):
    """A full GC by way of a class histogram (jcmd GC.class_histogram collects first); its 60 largest
    classes go to HISTOGRAM_DIR/t<seconds>.txt, for what grew."""
    out = subprocess.run(["jcmd", str(pid), "GC.class_histogram"], capture_output=True, text=True, timeout=300).stdout
    os.makedirs(histogram_dir, exist_ok=True)
    with open(os.path.join(histogram_dir, f"t{t:06.0f}.txt"), "w") as f:
        f.write("\n".join(out.split("\n")[:64]) + "\n")


HISTOGRAM_ROW = re.compile(r"^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)")


def histogram(path):
    rows = {}
    for line in open(path):
        m = HISTOGRAM_ROW.match(line)
        if m:
            rows[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return rows


def grown_classes(histogram_dir, half, top=8):
    """The classes whose live bytes grew most from the first histogram of the second half to the last."""
    if not histogram_dir or not os.path.isdir(histogram_dir):
        return []
    files = sorted(f for f in os.listdir(histogram_dir) if f.startswith("t") and f.endswith(".txt"))
    timed = [(float(f[1:-4]), os.path.join(histogram_dir, f)) for f in files]
    later = [item for item in timed if item[0] >= half]
    if len(later) < 2:
        return []
    (t1, first), (t2, last) = later[0], later[-1]
    a, b = histogram(first), histogram(last)
    grown = []
    for name, (count, size) in b.items():
        count0, size0 = a.get(name, (0, 0))
        if size > size0:
            grown.append({"class": name, "from_t": t1, "to_t": t2, "bytes_from": size0, "bytes_to": size,
                          "instances_from": count0, "instances_to": count})
    grown.sort(key=lambda g: g["bytes_to"] - g["bytes_from"], reverse=True)
    return grown[:top]


def mib(value):
    return "-" if value is None else f"{value / MIB:,.0f}"


def sample(args):
    gc = GcLog(args.gc_log)
    log = BrokerLog(args.broker_log)
    loadgens = dict(item.split("=", 1) for item in args.loadgen)
    url = args.metrics
    last_full = None
    previous = None
    deadline = args.t0 + args.max_seconds
    with open(args.out, "a") as out:
        while True:
            stopping = os.path.exists(args.stop_file) or time.time() >= deadline
            alive = os.path.exists(f"/proc/{args.pid}")
            t = time.time() - args.t0
            forced = False
            if alive and args.full_gc_every > 0 and (last_full is None or t - last_full >= args.full_gc_every) \
                    and t >= args.full_gc_every:
                full_gc(args.pid, args.histogram_dir, t)
                forced = True
                last_full = t
                t = time.time() - args.t0
            lowest = gc.read()
            metrics = read_metrics(url) if alive else None
            row = {
                "type": "sample", "t": round(t, 1),
                "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "rss_bytes": resident_bytes(args.pid),
                "heap_after_gc_bytes": gc.last_after,
                "heap_after_gc_lowest_bytes": lowest,
                "live_heap_bytes": gc.live if forced else None,
                "full_gc": forced,
                "gc_pauses": gc.pauses,
                "disk_bytes": disk_bytes(args.data_dir),
                "disk_breakdown": disk_breakdown(args.data_dir),
                "metrics": metrics,
                "log": log.read(),
                "loadgens": {name: loadgen_progress(path) for name, path in loadgens.items()},
                "loadavg": float(open("/proc/loadavg").read().split()[0]),
            }
            out.write(json.dumps(row) + "\n")
            out.flush()
            print(progress_line(row, previous), file=sys.stderr, flush=True)
            previous = row
            if stopping or not alive:
                if not alive:
                    print(f"[soak {time.strftime('%H:%M:%S')}] the broker ({args.pid}) is gone", file=sys.stderr)
                return 0 if alive else 1
            next_at = args.t0 + (math.floor(t / args.every) + 1) * args.every
            while time.time() < next_at and not os.path.exists(args.stop_file):
                time.sleep(min(0.5, max(0.0, next_at - time.time())))


def progress_line(row, previous):
    m = row["metrics"] or {}
    rate = ""
    if previous and previous.get("metrics") and m:
        dt = row["t"] - previous["t"]
        if dt > 0:
            rate = f" ({(m['published'] - previous['metrics']['published']) / dt:,.0f}/s)"
    lags = []
    for name, progress in row["loadgens"].items():
        if progress and progress["received"] is not None:
            lags.append(f"{name} {progress['acked'] - progress['received']:,}")
    live = f" (live {mib(row['live_heap_bytes'])})" if row["full_gc"] else ""
    log = row["log"]
    return (f"[soak {time.strftime('%H:%M:%S')}] {row['t']:7.0f}s  rss {mib(row['rss_bytes'])} MiB  "
            f"heap after GC {mib(row['heap_after_gc_bytes'])} MiB{live}  disk {mib(row['disk_bytes'])} MiB  "
            f"published {m.get('published', 0):,}{rate}  delivered {m.get('delivered', 0):,}  "
            f"behind: {', '.join(lags) or '-'}  publish errors {m.get('publish_errors', 0)}  "
            f"warnings {log['warnings'] + log['errors']}  retention deletes {log['retention_deletes']}  "
            f"trims {log['trim_rounds']}  load {row['loadavg']}")


# ---- the report ------------------------------------------------------------------------------------

def least_squares(points):
    """(slope, intercept) of value over t; None for fewer than 2 points or one t."""
    if len(points) < 2:
        return None
    n = len(points)
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    stt = sum((t - mt) ** 2 for t, _ in points)
    if stt == 0:
        return None
    slope = sum((t - mt) * (v - mv) for t, v in points) / stt
    return slope, mv - slope * mt


def series(samples):
    """The three series of the verdict: name -> (label, points (t, bytes), what the heap points are)."""
    rss = [(s["t"], s["rss_bytes"]) for s in samples if s.get("rss_bytes")]
    disk = [(s["t"], s["disk_bytes"]) for s in samples if s.get("disk_bytes") is not None]
    live = [(s["t"], s["live_heap_bytes"]) for s in samples if s.get("live_heap_bytes") is not None]
    after = [(s["t"], s["heap_after_gc_bytes"]) for s in samples if s.get("heap_after_gc_bytes") is not None]
    half = samples[-1]["t"] / 2 if samples else 0
    if sum(1 for t, _ in live if t >= half) >= 3:
        heap = ("heap after a full GC (live set)", live)
    else:
        heap = ("heap after the latest GC pause", after)
    return {"rss": ("broker RSS", rss), "heap": heap, "disk": ("data directory (du -sb)", disk)}, after, half


def trend(points, half):
    second = [(t, v) for t, v in points if t >= half]
    fit = least_squares(second)
    if fit is None:
        return None
    slope_per_s, intercept = fit
    mean = sum(v for _, v in second) / len(second)
    per_hour = slope_per_s * 3600
    return {"points": len(second), "slope_bytes_per_hour": round(per_hour), "mean_bytes": round(mean),
            "slope_pct_of_mean_per_hour": round(per_hour / mean * 100, 2) if mean else None,
            "first": second[0][1], "last": second[-1][1], "fit": (slope_per_s, intercept)}


def report(args):
    rows = [json.loads(line) for line in open(args.results) if line.strip()]
    samples = [r for r in rows if r.get("type") == "sample"]
    run = next((r for r in rows if r.get("type") == "run"), {})
    loadgens = [r for r in rows if r.get("type") == "loadgen"]
    if len(samples) < 4:
        print(f"only {len(samples)} samples in {args.results}: no report", file=sys.stderr)
        return 1
    named, after, half = series(samples)
    trends = {name: trend(points, half) for name, (_, points) in named.items()}
    growing = [name for name, tr in trends.items()
               if tr is None or tr["slope_pct_of_mean_per_hour"] is None or tr["slope_pct_of_mean_per_hour"] > args.flat_pct]
    lost = sum((lg.get("summary") or {}).get("lost", 0) for lg in loadgens)
    dup = sum((lg.get("summary") or {}).get("duplicates", 0) for lg in loadgens)
    ooo = sum((lg.get("summary") or {}).get("out_of_order", 0) for lg in loadgens)
    failed_loadgens = [lg["name"] for lg in loadgens if lg.get("exit_code") != 0]
    last = samples[-1]
    m = last.get("metrics") or next((s["metrics"] for s in reversed(samples) if s.get("metrics")), {}) or {}
    flat = not growing and not failed_loadgens and lost == 0
    for name, (label, _) in named.items():
        tr = trends[name]
        if tr is None:
            print(f"{label}: too few points in the second half")
            continue
        print(f"{label}: {tr['slope_bytes_per_hour'] / MIB:+,.1f} MiB/h over the second half "
              f"({tr['slope_pct_of_mean_per_hour']:+.2f} % of its mean {tr['mean_bytes'] / MIB:,.0f} MiB per hour; "
              f"{tr['points']} points, {tr['first'] / MIB:,.0f} -> {tr['last'] / MIB:,.0f} MiB)")
    print(f"events published {m.get('published', 0):,}, delivered {m.get('delivered', 0):,}, publish errors "
          f"{m.get('publish_errors', 0)}; broker log: {last['log']['warnings']} warnings, {last['log']['errors']} errors, "
          f"{last['log']['retention_deletes']} retention deletes, {last['log']['trim_rounds']} trimming rounds; "
          f"{m.get('journal_entries_trimmed', 0):,} usage/billing entries trimmed")
    for lg in loadgens:
        d = lg.get("summary") or {}
        print(f"loadgen {lg['name']}: exit {lg.get('exit_code')}, published {d.get('events', '-')}, "
              f"received {d.get('received', '-')}, lost {d.get('lost', '-')}, duplicates {d.get('duplicates', '-')}, "
              f"out of order {d.get('out_of_order', '-')}")
    grown = grown_classes(args.histogram_dir, half)
    if grown:
        print(f"live heap, the classes that grew most from {grown[0]['from_t']:.0f} s to {grown[0]['to_t']:.0f} s:")
        for g in grown:
            print(f"  {(g['bytes_to'] - g['bytes_from']) / MIB:+8.1f} MiB  {g['instances_to'] - g['instances_from']:+,} instances"
                  f"  {g['class']}")
    verdict = ("FLAT" if flat else "NOT FLAT") + ": " + ", ".join(
        f"{name} {trends[name]['slope_pct_of_mean_per_hour']:+.1f} %/h" if trends[name] else f"{name} -"
        for name in named) + f" over the second half (limit +{args.flat_pct:g} %/h of the mean)" + \
        f"; deliveries lost {lost}, duplicated {dup}, out of order {ooo}" + \
        (f"; loadgens failed: {', '.join(failed_loadgens)}" if failed_loadgens else "")
    if args.chart:
        chart(samples, named, trends, after, half, run, args.chart)
    with open(args.results, "a") as out:
        out.write(json.dumps({"type": "report", "flat": flat, "verdict": verdict, "flat_pct": args.flat_pct,
                              "second_half_from_s": half, "heap_series": named["heap"][0], "grown_classes": grown,
                              "trends": {k: ({kk: vv for kk, vv in v.items() if kk != "fit"} if v else None)
                                         for k, v in trends.items()}}) + "\n")
    print(f"verdict: {verdict}")
    return 0 if flat else 1


# ---- the chart (SVG, bench/chart.py's style) --------------------------------------------------------

COLOURS = {"rss": "#2b6cb0", "heap": "#2f855a", "disk": "#dd6b20", "fit": "#c53030", "after": "#9ae6b4"}


def nice_step(span, steps=5):
    if span <= 0:
        return 1
    step = 10 ** math.floor(math.log10(span))
    for factor in (0.1, 0.2, 0.5, 1, 2, 5, 10):
        if span / (step * factor) <= steps:
            return step * factor
    return step * 10


def chart(samples, named, trends, after, half, run, path):
    width, left, right, panel_h, gap, top = 860, 80, 30, 170, 60, 100
    height = top + 3 * (panel_h + gap)
    tmax = max(samples[-1]["t"], 1)
    minutes = tmax >= 300
    tscale = 60 if minutes else 1
    plot_w = width - left - right
    x = lambda t: left + t / tmax * plot_w  # noqa: E731
    retention_bytes = run.get("retention_bytes")
    subtitle = (f"{run.get('rate', '?')} events/s for {run.get('duration', '?')}, each topic's retention "
                f"{run.get('retention_time', '?')} or "
                + (f"{retention_bytes / MIB:,.0f} MiB" if isinstance(retention_bytes, (int, float)) else "?")
                + f" per partition; {run.get('nproc', '?')} cores, load {run.get('loadavg_before', '?')} at the start")
    subtitle2 = "red dashes: the least-squares line over the second half (right of the dotted line)"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="20" y="26" font-size="17" font-weight="bold">{escape(run.get("title", "Soak: broker memory and disk over time"))}</text>',
           f'<text x="20" y="48" fill="#4a5568">{escape(subtitle)}</text>',
           f'<text x="20" y="66" fill="#4a5568">{escape(subtitle2)}</text>']
    for i, (name, (label, points)) in enumerate(named.items()):
        y0 = top + i * (panel_h + gap)
        extra = after if name == "heap" and label.startswith("heap after a full GC") else []
        values = [v for _, v in points + extra] or [0]
        vmax = max(values) / MIB * 1.1 or 1
        step = nice_step(vmax)
        y = lambda v, y0=y0, vmax=vmax: y0 + panel_h - (v / MIB) / vmax * panel_h  # noqa: E731
        tr = trends[name]
        slope = (f"{tr['slope_bytes_per_hour'] / MIB:+,.1f} MiB/h ({tr['slope_pct_of_mean_per_hour']:+.1f} %/h)"
                 if tr else "too few points")
        out.append(f'<text x="{left}" y="{y0 - 10}" font-weight="bold">{escape(label)}, MiB '
                   f'<tspan font-weight="normal" fill="#4a5568">second half: {escape(slope)}</tspan></text>')
        tick = 0.0
        while tick <= vmax:
            yy = y0 + panel_h - tick / vmax * panel_h
            out.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" stroke="#e2e8f0"/>')
            out.append(f'<text x="{left - 8}" y="{yy + 4:.1f}" text-anchor="end" fill="#718096">{tick:,.0f}</text>')
            tick += step
        tstep = nice_step(tmax / tscale, 8) * tscale
        t = 0.0
        while t <= tmax:
            out.append(f'<line x1="{x(t):.1f}" y1="{y0}" x2="{x(t):.1f}" y2="{y0 + panel_h}" stroke="#edf2f7"/>')
            out.append(f'<text x="{x(t):.1f}" y="{y0 + panel_h + 16}" text-anchor="middle" fill="#718096">'
                       f'{t / tscale:,.0f}</text>')
            t += tstep
        if i == len(named) - 1:
            out.append(f'<text x="{width - right}" y="{y0 + panel_h + 34}" text-anchor="end" fill="#718096">'
                       f'{"minutes" if minutes else "seconds"} since the load started</text>')
        out.append(f'<line x1="{x(half):.1f}" y1="{y0}" x2="{x(half):.1f}" y2="{y0 + panel_h}" stroke="#a0aec0" '
                   f'stroke-dasharray="2,3"/>')
        if extra:
            out.append(polyline(extra, x, y, COLOURS["after"], 1))
        out.append(polyline(points, x, y, COLOURS[name], 2))
        if extra or name == "heap" and label.startswith("heap after a full GC"):
            for t, v in points:
                out.append(f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="3" fill="{COLOURS[name]}"/>')
        if tr:
            slope_s, intercept = tr["fit"]
            t1, t2 = half, tmax
            out.append(f'<line x1="{x(t1):.1f}" y1="{y(slope_s * t1 + intercept):.1f}" x2="{x(t2):.1f}" '
                       f'y2="{y(slope_s * t2 + intercept):.1f}" stroke="{COLOURS["fit"]}" stroke-width="2" '
                       f'stroke-dasharray="6,4"/>')
        if extra:
            out.append(f'<text x="{width - right - 6}" y="{y0 + 16}" text-anchor="end" fill="#2f855a">'
                       f'dots: after each forced full GC; light line: after the latest GC at each sample</text>')
    out.append("</svg>")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {path}")


def polyline(points, x, y, colour, width):
    coords = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points)
    return f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="{width}"/>'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--metrics", required=True)
    s.add_argument("--data-dir", required=True)
    s.add_argument("--gc-log", required=True)
    s.add_argument("--broker-log", required=True)
    s.add_argument("--loadgen", action="append", default=[], help="NAME=its stderr file")
    s.add_argument("--every", type=float, default=10)
    s.add_argument("--full-gc-every", type=float, default=300)
    s.add_argument("--histogram-dir", required=True)
    s.add_argument("--t0", type=float, required=True)
    s.add_argument("--stop-file", required=True)
    s.add_argument("--max-seconds", type=float, required=True)
    s.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("results")
    r.add_argument("--chart")
    r.add_argument("--histogram-dir")
    r.add_argument("--flat-pct", type=float, default=10)
    args = parser.parse_args()
    return sample(args) if args.command == "sample" else report(args)


if __name__ == "__main__":
    sys.exit(main())
