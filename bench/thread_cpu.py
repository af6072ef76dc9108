#!/usr/bin/env python3
# thread_cpu.py - CPU seconds per thread of a process over a run (from /proc/PID/task/*/stat), grouped by thread name, for the benchmarks' "what bounds it" lines.
#
# Usage:
#   thread_cpu.py run OUT.json -- CMD ARGS...   run CMD, sampling its threads every 50 ms
#                                               until it exits; its exit status is ours
#                                               (CMD may be strace running the program:
#                                               the program's threads are sampled)
#   thread_cpu.py snap PID                      print a snapshot (JSON) of PID's threads
#   thread_cpu.py diff A.json B.json SECONDS    the CPU between two snapshots over SECONDS
#                                               of wall-clock time, as the JSON `run` writes
#
# Threads are named by the server (pthread_setname_np): dsp-writer, dsp-sealer, dsp-http
# (libmicrohttpd's threads, named when they take their first request); the process's
# first thread is "main" (the import's reading thread). A summary is a JSON object
# {"wall_s", "threads": {name: {"count", "cpu_s", "core_pct", "runq_s"}}}, core_pct being
# the share of one core over the wall-clock time (100: one core busy throughout) and
# runq_s the time the threads were ready to run but waited for a core
# (/proc/PID/task/TID/schedstat), which other work on a shared machine adds, and
# "read_b", "written_b": the bytes the threads passed to read and write calls
# (rchar, wchar of /proc/PID/task/TID/io: a store's pages read into its page cache
# and written to its WAL, whether or not the disk was touched).
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
        try:
            # time spent runnable but waiting for a core (other work on the machine)
            with open("%s/%s/schedstat" % (base, tid)) as f:
                waited = int(f.read().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            waited = 0.0
        rd = wr = 0
        try:
            # bytes through read and write calls: a store's page-cache misses and WAL writes
            with open("%s/%s/io" % (base, tid)) as f:
                io = dict(l.split(": ") for l in f.read().splitlines())
            rd, wr = int(io["rchar"]), int(io["wchar"])
        except (OSError, KeyError, ValueError):
            pass
        out[tid] = ["main" if int(tid) == pid else name, cpu, waited, rd, wr]
    return out


def summary(before, after, wall):
    """Per name: threads, CPU seconds between the snapshots, share of one core."""
    names = {}
    for tid, v in after.items():
        name = v[0]
        was = before.get(tid, [name, 0.0, 0.0])
        g = names.setdefault(name, {"count": 0, "cpu_s": 0.0, "runq_s": 0.0,
                                    "read_b": 0, "written_b": 0})
        g["count"] += 1
        g["cpu_s"] += max(0.0, v[1] - was[1])
        g["runq_s"] += max(0.0, v[2] - was[2]) if len(v) > 2 and len(was) > 2 else 0.0
        if len(v) > 4:
            g["read_b"] += max(0, v[3] - (was[3] if len(was) > 4 else 0))
            g["written_b"] += max(0, v[4] - (was[4] if len(was) > 4 else 0))
    for g in names.values():
        g["cpu_s"] = round(g["cpu_s"], 2)
        g["runq_s"] = round(g["runq_s"], 2)
        g["core_pct"] = round(100 * g["cpu_s"] / wall, 1) if wall > 0 else 0.0
    return {"wall_s": round(wall, 3), "threads": names}


def traced_child(pid, prog):
    """The process strace (pid) started, once it runs; else pid itself."""
    try:
        with open("/proc/%d/comm" % pid) as f:
            comm = f.read().strip()
        if comm != "strace":
            return pid if comm == prog else None   # None: not yet exec'd
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None
    except OSError:
        return None


def run(out, cmd):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd)
    prog = os.path.basename(cmd[-1] if cmd[0] == "strace" else cmd[0])[:15]
    seen = {}
    while p.poll() is None:
        pid = traced_child(p.pid, prog)
        if pid is None:
            time.sleep(0.01)
            continue
        for tid, v in snap(pid).items():
            # a thread's name is set after it starts: keep the latest
            seen[tid] = v
        time.sleep(0.05)
    wall = time.monotonic() - t0
    res = summary({}, seen, wall)
    res["tids"] = seen   # to name threads elsewhere (fsyncs.py)
    with open(out, "w") as f:
        json.dump(res, f)
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
