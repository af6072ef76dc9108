#!/usr/bin/env python3
# pg_cpu.py - the CPU of a PostgreSQL server's processes, grouped by role, and of the whole machine, over a run; and the server's own counters, for the benchmarks' "what bounds it" lines.
#
# Usage:
#   pg_cpu.py snap POSTMASTER_PID        print a snapshot (JSON): each child's role and CPU
#                                        seconds, the postmaster's own and its reaped
#                                        children's, and the machine's /proc/stat times
#                                        (POSTMASTER_PID 0: the machine's only)
#   pg_cpu.py diff A.json B.json SECONDS the CPU between two snapshots, as JSON:
#                                        {"wall_s", "groups": {role: {"count", "cpu_s",
#                                        "core_pct"}}, "machine": {"cores", "busy_pct",
#                                        "iowait_pct"}}
#   pg_cpu.py counters URL               print (JSON) the server's counters: commits and
#                                        rollbacks over every database (pg_stat_database),
#                                        WAL records, bytes, writes, syncs and their
#                                        milliseconds (pg_stat_wal), via psql
#
# A child's role comes from its process title (/proc/PID/cmdline, "postgres: walwriter"),
# grouped: "backends" (client connections, whatever they are doing: their titles change
# with it), "walwriter", "checkpointer", "background writer", and "other" (autovacuum,
# the logical replication launcher, the postmaster itself, and children that exited
# during the run, whose time the postmaster's cutime and cstime then hold).
# core_pct is the share of one core over the run (100: one core busy throughout);
# busy_pct is the share of all the machine's cores (100: every core busy throughout).
import json, os, subprocess, sys

TICK = os.sysconf("SC_CLK_TCK")
ROLES = ("walwriter", "checkpointer", "background writer")


def _stat(pid):
    """utime+stime and cutime+cstime of pid, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read()
    rest = rest[rest.rindex(")") + 2:].split()
    return (int(rest[11]) + int(rest[12])) / TICK, (int(rest[13]) + int(rest[14])) / TICK


def _role(pid):
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        title = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    title = title[len("postgres: "):] if title.startswith("postgres: ") else title
    for r in ROLES:
        if title.startswith(r):
            return r
    # a client backend's title is "USER DATABASE HOST(PORT) STATE"
    if "(" in title and ")" in title:
        return "backends"
    return "other"


def _children(pid):
    kids = []
    base = "/proc/%d/task" % pid
    for tid in os.listdir(base):
        try:
            with open("%s/%s/children" % (base, tid)) as f:
                kids += [int(k) for k in f.read().split()]
        except OSError:
            pass
    return kids


def _machine():
    """Jiffies of every core together: (total, idle, iowait)."""
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    return sum(cpu[:8]), cpu[3], cpu[4]


def snap(postmaster):
    """0 for no PostgreSQL: the machine's times only."""
    own, reaped = _stat(postmaster) if postmaster else (0.0, 0.0)
    procs = {}
    for kid in _children(postmaster) if postmaster else []:
        try:
            procs[str(kid)] = [_role(kid), _stat(kid)[0]]
        except (OSError, ValueError):
            continue   # exited meanwhile: counted in reaped next time
    return {"postmaster": own, "reaped": reaped, "procs": procs, "machine": _machine(),
            "cores": os.cpu_count()}


def diff(a, b, wall):
    groups = {}

    def add(role, cpu, count=1):
        g = groups.setdefault(role, {"count": 0, "cpu_s": 0.0})
        g["count"] += count
        g["cpu_s"] += max(0.0, cpu)

    for pid, (role, cpu) in b["procs"].items():
        was = a["procs"].get(pid)
        add(role, cpu - (was[1] if was else 0.0))
    # the postmaster itself, and children that exited during the run (their time is
    # then the postmaster's cutime; a child that existed at the start counts only its
    # time since then)
    gone = sum(cpu for pid, (_, cpu) in a["procs"].items() if pid not in b["procs"])
    add("other", (b["postmaster"] - a["postmaster"]) + (b["reaped"] - a["reaped"] - gone), 0)
    for g in groups.values():
        g["cpu_s"] = round(g["cpu_s"], 2)
        g["core_pct"] = round(100 * g["cpu_s"] / wall, 1) if wall > 0 else 0.0
    total = b["machine"][0] - a["machine"][0]
    idle = b["machine"][1] - a["machine"][1]
    iowait = b["machine"][2] - a["machine"][2]
    machine = {"cores": b["cores"],
               "busy_pct": round(100 * (total - idle - iowait) / total, 1) if total else 0.0,
               "iowait_pct": round(100 * iowait / total, 1) if total else 0.0}
    return {"wall_s": round(wall, 3), "groups": groups, "machine": machine}


COUNTERS = """
select json_build_object(
  'xact_commit', (select sum(xact_commit) from pg_stat_database),
  'xact_rollback', (select sum(xact_rollback) from pg_stat_database),
  'wal_records', wal_records, 'wal_bytes', wal_bytes, 'wal_write', wal_write,
  'wal_sync', wal_sync, 'wal_write_ms', wal_write_time, 'wal_sync_ms', wal_sync_time)
from pg_stat_wal
"""


def counters(url):
    out = subprocess.run(["psql", url, "-XAtq", "-c", COUNTERS], check=True,
                         stdout=subprocess.PIPE, timeout=30).stdout.decode()
    return {k: float(v) for k, v in json.loads(out).items()}


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "snap":
        json.dump(snap(int(sys.argv[2])), sys.stdout)
    elif len(sys.argv) == 5 and sys.argv[1] == "diff":
        with open(sys.argv[2]) as f:
            a = json.load(f)
        with open(sys.argv[3]) as f:
            b = json.load(f)
        json.dump(diff(a, b, float(sys.argv[4])), sys.stdout)
    elif len(sys.argv) == 3 and sys.argv[1] == "counters":
        json.dump(counters(sys.argv[2]), sys.stdout)
    else:
        sys.exit("usage: pg_cpu.py snap POSTMASTER_PID | diff A B SECONDS | counters URL")


if __name__ == "__main__":
    main()
