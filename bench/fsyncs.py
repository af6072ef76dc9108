#!/usr/bin/env python3
# fsyncs.py - fsync and fdatasync calls per thread from an strace log (strace -f -ttt -T -e trace=fsync,fdatasync), within a time window, for the benchmarks' "what bounds it" lines.
#
# Usage: fsyncs.py LOG [FROM TO] [NAMES.json]
#   FROM, TO: epoch seconds bounding the calls counted (default: all)
#   NAMES.json: thread_cpu.py's snapshot ({tid: [name, cpu]}), or its run output, to
#               name the threads
# Prints JSON {name: {"calls", "seconds"}}: how many calls each thread made and the
# wall-clock time it spent in them (strace's -T), summed by thread name.
import json, re, sys

LINE = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(fsync|fdatasync)\(.*<(\d+\.\d+)>\s*$")
RESUMED = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+<\.\.\. (fsync|fdatasync) resumed>.*<(\d+\.\d+)>\s*$")


def main():
    log = sys.argv[1]
    lo, hi = (float(sys.argv[2]), float(sys.argv[3])) if len(sys.argv) >= 4 else (0, 1e20)
    names = {}
    if len(sys.argv) >= 5:
        with open(sys.argv[4]) as f:
            snap = json.load(f)
        snap = snap.get("tids", snap)   # thread_cpu.py's run output, or a snapshot
        names = {int(t): v[0] for t, v in snap.items()}
    out = {}
    with open(log, errors="replace") as f:
        for line in f:
            m = LINE.match(line) or RESUMED.match(line)
            if not m:
                continue
            tid, at, took = int(m.group(1)), float(m.group(2)), float(m.group(4))
            if not lo <= at <= hi:
                continue
            g = out.setdefault(names.get(tid, "other"), {"calls": 0, "seconds": 0.0})
            g["calls"] += 1
            g["seconds"] += took
    for g in out.values():
        g["seconds"] = round(g["seconds"], 3)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
