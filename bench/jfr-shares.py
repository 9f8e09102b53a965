#!/usr/bin/env python3
"""Shares of a JFR recording by stack: CPU samples (jdk.ExecutionSample) and sampled allocation
weight (jdk.ObjectAllocationSample), by top frame, by thread and inclusive by method (a method counts
once per stack). With two recordings (analytics on, then off) it lists what the first adds, by
method, and the share of stacks through a few named classes. Usage: bench/jfr-shares.py ON.jfr [OFF.jfr]"""
import collections, json, re, subprocess, sys

def load(path, event):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "96", "--events", event, path],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["recording"]["events"]

def frame_name(f):
    m = f["method"]
    # Lambda classes are numbered anew in each JVM: one name for all, so two recordings compare.
    return re.sub(r"\$\$Lambda\$[0-9]+\+0x[0-9a-f]+/[0-9]+", "$$Lambda", m["type"]["name"]) + "." + m["name"]

def thread_name(e):
    t = e["values"].get("sampledThread") or e["values"].get("eventThread") or {}
    return (t or {}).get("javaName") or (t or {}).get("osName") or "?"

def agg(path):
    cpu_incl, cpu_top, cpu_thread = collections.Counter(), collections.Counter(), collections.Counter()
    samples = 0
    stacks, astacks = [], []
    for e in load(path, "jdk.ExecutionSample"):
        st = e["values"].get("stackTrace") or {}
        frames = [frame_name(f) for f in st.get("frames", [])]
        samples += 1
        if frames:
            cpu_top[frames[0]] += 1
        for n in set(frames):
            cpu_incl[n] += 1
        stacks.append((1, frames))
        tn = thread_name(e)
        cpu_thread[''.join(c for c in tn if not c.isdigit())] += 1
    alloc_incl, alloc_cls = collections.Counter(), collections.Counter()
    total_alloc = 0
    for e in load(path, "jdk.ObjectAllocationSample"):
        v = e["values"]
        w = v.get("weight", 0)
        total_alloc += w
        alloc_cls[v["objectClass"]["name"]] += w
        frames = [frame_name(f) for f in (v.get("stackTrace") or {}).get("frames", [])]
        astacks.append((w, frames))
        for n in set(frames):
            alloc_incl[n] += w
    return dict(stacks=stacks, astacks=astacks, samples=samples, cpu_incl=cpu_incl, cpu_top=cpu_top, cpu_thread=cpu_thread,
                total_alloc=total_alloc, alloc_incl=alloc_incl, alloc_cls=alloc_cls)

def share(c, n, total):
    return 100.0 * c.get(n, 0) / max(total, 1)

def report(a, label):
    print(f"== {label}: {a['samples']} CPU samples, {a['total_alloc']/1e6:.0f} MB sampled allocation")
    print("  top frames (self):")
    for n, c in a["cpu_top"].most_common(15):
        print(f"    {share(a['cpu_top'], n, a['samples']):5.1f}%  {n}")
    print("  threads:")
    for n, c in a["cpu_thread"].most_common(8):
        print(f"    {share(a['cpu_thread'], n, a['samples']):5.1f}%  {n}")
    print("  allocation by class:")
    for n, c in a["alloc_cls"].most_common(8):
        print(f"    {share(a['alloc_cls'], n, a['total_alloc']):5.1f}%  {n}")

def grep_share(a, needle):
    """The share of CPU samples and of allocation weight whose stack has a frame naming needle."""
    cpu = 100.0 * sum(w for w, fr in a['stacks'] if any(needle in f for f in fr)) / max(a['samples'], 1)
    al = 100.0 * sum(w for w, fr in a['astacks'] if any(needle in f for f in fr)) / max(a['total_alloc'], 1)
    return cpu, al

if __name__ == "__main__":
    on = agg(sys.argv[1]); report(on, "on " + sys.argv[1])
    if len(sys.argv) > 2:
        off = agg(sys.argv[2]); report(off, "off " + sys.argv[2])
        print("== inclusive CPU share, on minus off (top 30):")
        names = set(on['cpu_incl']) | set(off['cpu_incl'])
        d = sorted(names, key=lambda n: share(on['cpu_incl'], n, on['samples']) - share(off['cpu_incl'], n, off['samples']), reverse=True)
        for n in d[:30]:
            print(f"  +{share(on['cpu_incl'], n, on['samples']) - share(off['cpu_incl'], n, off['samples']):5.1f}  on {share(on['cpu_incl'], n, on['samples']):5.1f}%  off {share(off['cpu_incl'], n, off['samples']):5.1f}%  {n}")
        print("== inclusive allocation share, on minus off (top 25):")
        names = set(on['alloc_incl']) | set(off['alloc_incl'])
        d = sorted(names, key=lambda n: share(on['alloc_incl'], n, on['total_alloc']) - share(off['alloc_incl'], n, off['total_alloc']), reverse=True)
        for n in d[:25]:
            print(f"  +{share(on['alloc_incl'], n, on['total_alloc']) - share(off['alloc_incl'], n, off['total_alloc']):5.1f}  on {share(on['alloc_incl'], n, on['total_alloc']):5.1f}%  off {share(off['alloc_incl'], n, off['total_alloc']):5.1f}%  {n}")
    for needle in ["io.tollgate.broker.analytics", "AnalyticsReadSide", "MinuteRecorder", "ReadSideState", "AnnouncedEntries",
                   "EventsByPersistenceIdStage", "SubscriptionEntity", "StreamSession"]:
        line = f"  {needle}: on cpu {grep_share(on, needle)[0]:.1f}% alloc {grep_share(on, needle)[1]:.1f}%"
        if len(sys.argv) > 2:
            line += f" | off cpu {grep_share(off, needle)[0]:.1f}% alloc {grep_share(off, needle)[1]:.1f}%"
        print(line)
