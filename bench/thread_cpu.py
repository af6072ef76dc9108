#!/usr/bin/env python3
# thread_cpu.py - CPU seconds per thread of a process over a run (from /proc/PID/task/*/stat), grouped by thread name, for the benchmarks' "what bounds it" lines.
#
# Usage:
#   thread_cpu.py run OUT.json -- CMD ARGS...   run CMD, sampling its threads every 50 ms
#                                               until it exits; its exit status is ours
#   thread_cpu.py snap PID                      print a snapshot (JSON) of PID's threads
#   thread_cpu.py diff A.json B.json SECONDS    the CPU between two snapshots over SECONDS
#                                               of wall-clock time, as the JSON `run` writes
#
# Threads are named by the server (pthread_setname_np): dsp-writer, dsp-sealer, dsp-http
# (libmicrohttpd's threads, named when they take their first request); the process's
# first thread is "main" (the import's reading thread). A summary is a JSON object
# {"wall_s", "threads": {name: {"count", "cpu_s", "core_pct"}}}, core_pct being the
# share of one core over the wall-clock time: 100 is one core busy throughout.
import json, os, subprocess, sys, time

TICK = os.sysconf("SC_CLK_TCK")


def snap(pid):
    """{tid: [name, cpu seconds]} of every thread of pid now."""
    out = {}
    base = "/proc/%d/task" % pid
    try:
        tids = os.listdir(base)
    except OSError:
        return out
    for tid in tids:
        try:
            with open("%s/%s/stat" % (base, tid)) as f:
                st = f.read()
            with open("%s/%s/comm" % (base, tid)) as f:
                name = f.read().strip()
        except OSError:
            continue
        rest = st[st.rindex(")") + 2:].split()
        cpu = (int(rest[11]) + int(rest[12])) / TICK   # utime, stime: fields 14 and 15
        out[tid] = ["main" if int(tid) == pid else name, cpu]
    return out


def summary(before, after, wall):
    """Per name: threads, CPU seconds between the snapshots, share of one core."""
    names = {}
    for tid, (name, cpu) in after.items():
        was = before.get(tid, [name, 0.0])[1]
        g = names.setdefault(name, {"count": 0, "cpu_s": 0.0})
        g["count"] += 1
        g["cpu_s"] += max(0.0, cpu - was)
    for g in names.values():
        g["cpu_s"] = round(g["cpu_s"], 2)
        g["core_pct"] = round(100 * g["cpu_s"] / wall, 1) if wall > 0 else 0.0
    return {"wall_s": round(wall, 3), "threads": names}


def run(out, cmd):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd)
    seen = {}
    while p.poll() is None:
        for tid, v in snap(p.pid).items():
            # a thread's name is set after it starts: keep the latest
            seen[tid] = v
        time.sleep(0.05)
    wall = time.monotonic() - t0
    with open(out, "w") as f:
        json.dump(summary({}, seen, wall), f)
    return p.returncode


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "run" and sys.argv[3] == "--":
        sys.exit(run(sys.argv[2], sys.argv[4:]))
    if len(sys.argv) == 3 and sys.argv[1] == "snap":
        json.dump(snap(int(sys.argv[2])), sys.stdout)
        return
    if len(sys.argv) == 5 and sys.argv[1] == "diff":
        with open(sys.argv[2]) as f:
            a = json.load(f)
        with open(sys.argv[3]) as f:
            b = json.load(f)
        json.dump(summary(a, b, float(sys.argv[4])), sys.stdout)
        return
    sys.exit(__doc__ if False else "usage: thread_cpu.py run OUT -- CMD... | snap PID | diff A B SECONDS")


if __name__ == "__main__":
    main()
