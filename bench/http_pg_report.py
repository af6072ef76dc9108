#!/usr/bin/env python3
# http_pg_report.py - the section bench_http_pg.sh appends: its runs' figures as tables, and per row a sentence naming what bounds it, drawn from those figures.
#
# Usage: http_pg_report.py TMP SECONDS
# TMP holds a directory per row (healthz, sqlite, pg1, pg3), each with wrk's reports
# (wrkN.txt), each node's threads (nodeN.threads.json, thread_cpu.py) and /metrics before
# and after (nodeN.before.metrics, nodeN.after.metrics), PostgreSQL's processes and the
# machine (pg.json, pg_cpu.py diff), PostgreSQL's counters (counters.before.json,
# counters.after.json) and its backends' sampled waits (waits.txt), and the wall time.
import glob, json, os, re, sys, time

ROWS = (("sqlite", "SQLite, one node"), ("pg1", "PostgreSQL, one node"),
        ("pg3", "PostgreSQL, three nodes"))
# a figure past these names its resource as a bound
SATURATED_PCT = 85      # the machine's cores, busy (the samplers and the kernel's own work stay out of reach)
HOT_THREAD_PCT = 85     # one thread on a core
WAL_SYNC_SHARE = 0.7    # of the run, in a WAL fsync
WAIT_SHARE = 0.3        # of the backends' busy samples, waiting on one thing
WAL_WAITS = ("IO:WALSync", "IO:WALWrite", "LWLock:WALWrite")
WRITE_LOCK = "Lock:relation"


def load(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError:
        return default


def wrk(path):
    t = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", t, re.M))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
    err = re.search(r"Socket errors:.*", t)
    return {"rps": rps, "p50": lat.get("50", "?"), "p99": lat.get("99", "?"),
            "bad": int(bad.group(1)) if bad else 0, "err": err.group(0) if err else ""}


def ms(lat):
    """wrk's latency ("1.23ms", "2.00s", "900.00us") in milliseconds."""
    m = re.match(r"([\d.]+)(us|ms|s|m)$", lat)
    if not m:
        return 0.0
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[m.group(2)]


def children_cpu(path):
    """The shell's `times` (its own line, then its children's, "0m1.500s 0m0.250s"): the
    children's seconds."""
    total = 0.0
    lines = open(path).read().strip().split("\n")
    for m, sec in re.findall(r"(\d+)m([\d.]+)s", lines[-1]):
        total += int(m) * 60 + float(sec)
    return total


def metric(text, name):
    m = re.search(r"^%s (\d+)$" % re.escape(name), text, re.M)
    return int(m.group(1)) if m else 0


def metrics_delta(d, name):
    total = 0
    for before in glob.glob(os.path.join(d, "node*.before.metrics")):
        after = before.replace(".before.", ".after.")
        total += metric(open(after).read(), name) - metric(open(before).read(), name)
    return total


def waits(path):
    """Share of the backends' busy samples (idle ones left out) per wait."""
    counts = {}
    try:
        lines = open(path).read().split("\n")
    except OSError:
        return {}
    for line in lines:
        parts = line.split("|")
        if len(parts) != 3 or parts[1] == "idle":
            continue
        what = parts[1]
        if what == "Client:ClientRead":
            what = "in a transaction, waiting for disputed"
        counts[what] = counts.get(what, 0) + int(parts[2])
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()} if total else {}


def row(tmp, name):
    d = os.path.join(tmp, name)
    wall = float(open(os.path.join(d, "wall")).read())
    r = {"wall": wall, "wrk": [wrk(p) for p in sorted(glob.glob(os.path.join(d, "wrk*.txt")))]}
    r["rps"] = sum(w["rps"] for w in r["wrk"])
    r["nodes"] = [load(p) for p in sorted(glob.glob(os.path.join(d, "node*.threads.json")))]
    r["pg"] = load(os.path.join(d, "pg.json"))
    a, b = load(os.path.join(d, "counters.before.json")), load(os.path.join(d, "counters.after.json"))
    r["counters"] = {k: b[k] - a[k] for k in a} if a and b else None
    r["waits"] = waits(os.path.join(d, "waits.txt"))
    r["wrk_pct"] = 100 * (children_cpu(os.path.join(d, "children.after"))
                          - children_cpu(os.path.join(d, "children.before"))) / wall
    r["jobs"] = metrics_delta(d, "disputed_pipeline_jobs_total")
    r["batches"] = metrics_delta(d, "disputed_pipeline_batches_total")
    r["appends"] = metrics_delta(d, "disputed_sequencer_appends_total")
    r["sealed"] = metrics_delta(d, "disputed_sequencer_sealed_total")
    return r


def threads(r):
    """{(node, name): core_pct} of every node's threads, and the nodes' sum, in % of one core."""
    out, total = {}, 0.0
    for i, n in enumerate(r["nodes"]):
        for name, g in n["threads"].items():
            out[(i, name)] = g["core_pct"]
            total += g["core_pct"]
    return out, total


def thread_cell(r):
    t, total = threads(r)
    byname = {}
    for (_, name), pct in t.items():
        byname[name] = byname.get(name, 0.0) + pct
    top = sorted(byname.items(), key=lambda kv: -kv[1])[:4]
    return "%.0f %%: %s" % (total, ", ".join("%s %.0f" % kv for kv in top if kv[1] >= 0.5))


def pg_cell(r):
    g = r["pg"]["groups"]
    if not g or not r["counters"]:
        return "–"
    total = sum(x["core_pct"] for x in g.values())
    top = sorted(g.items(), key=lambda kv: -kv[1]["core_pct"])
    return "%.0f %%: %s" % (total, ", ".join("%s %.0f" % (k, v["core_pct"]) for k, v in top
                                             if v["core_pct"] >= 0.5))


def wal_cell(r):
    c = r["counters"]
    if not c:
        return "–", "–", "–"
    wall = r["wall"]
    commits = "%.0f" % (c["xact_commit"] / wall)
    syncs = c["wal_sync"]
    sync = "%.0f/s, %.2f ms each, %.0f %% of the run" % (
        syncs / wall, c["wal_sync_ms"] / syncs if syncs else 0, 100 * c["wal_sync_ms"] / 1000 / wall)
    per = "%.1f" % (c["wal_bytes"] / 1024 / r["jobs"]) if r["jobs"] else "?"
    return commits, sync, per


def waits_cell(r):
    if not r["waits"]:
        return "–"
    top = sorted(r["waits"].items(), key=lambda kv: -kv[1])[:4]
    return ", ".join("%s %.0f %%" % (k, 100 * v) for k, v in top)


def bounds(r, cores):
    """A sentence: what the figures say bounds the row."""
    found = []
    m = r["pg"]["machine"]
    t, dsp = threads(r)
    pgc = sum(x["core_pct"] for x in r["pg"]["groups"].values())
    if m["busy_pct"] >= SATURATED_PCT:
        rest = m["busy_pct"] * cores - dsp - pgc - r["wrk_pct"]
        found.append("the machine's %d cores were saturated (%.0f %% busy: disputed %.2f cores, "
                     "PostgreSQL %.2f, wrk %.2f, other work on the machine %.2f)" % (
                         cores, m["busy_pct"], dsp / 100, pgc / 100, r["wrk_pct"] / 100,
                         max(0.0, rest) / 100))
        if rest >= 25 * cores:
            found[-1] += (", so on this run the machine, not what was measured, took the "
                          "cores: the rates mean little until run on a quiet machine")
    hot = [(k, v) for k, v in t.items() if v >= HOT_THREAD_PCT and k[1] != "dsp-http"]
    for (node, name), pct in sorted(hot, key=lambda kv: -kv[1]):
        found.append("one thread, %s%s, was on a core %.0f %% of the run" % (
            name, " of node %d" % node if len(r["nodes"]) > 1 else "", pct))
    c = r["counters"]
    if c and c["wal_sync_ms"] / 1000 / r["wall"] >= WAL_SYNC_SHARE:
        found.append("PostgreSQL was in a WAL fsync %.0f %% of the run (%.0f a second, one per "
                     "%.1f commits): each commit waits for its WAL's fsync" % (
                         100 * c["wal_sync_ms"] / 1000 / r["wall"], c["wal_sync"] / r["wall"],
                         c["xact_commit"] / c["wal_sync"] if c["wal_sync"] else 0))
    w = r["waits"]
    walw = sum(v for k, v in w.items() if k in WAL_WAITS)
    if walw >= WAIT_SHARE and not any("WAL fsync" in f for f in found):
        found.append("%.0f %% of the backends' busy samples waited for the WAL to be flushed" %
                     (100 * walw))
    if w.get(WRITE_LOCK, 0) >= WAIT_SHARE:
        found.append("%.0f %% of the backends' busy samples waited for the write lock "
                     "(PG_WRITE_LOCK: one writer transaction at a time%s)" % (
                         100 * w[WRITE_LOCK], " across the nodes" if len(r["nodes"]) > 1 else ""))
    if w.get("in a transaction, waiting for disputed", 0) >= WAIT_SHARE:
        found.append("%.0f %% of the backends' busy samples were inside a transaction waiting "
                     "for disputed's next statement (round trips between the writer and "
                     "PostgreSQL)" % (100 * w["in a transaction, waiting for disputed"]))
    if found:
        return "; ".join(found) + "."
    if r["appends"]:
        return ("no figure here reaches its limit (cores %.0f %% busy, no thread past %d %%, "
                "WAL fsync %.0f %% of the run): the figures cannot tell; what is left is "
                "latency, likely the sequencer's round trip (a write commits, signals, waits "
                "for the append of %.1f seals and their indexes, and for the signal back), "
                "which they do not measure." % (
                    m["busy_pct"], HOT_THREAD_PCT,
                    100 * c["wal_sync_ms"] / 1000 / r["wall"] if c else 0,
                    r["sealed"] / r["appends"]))
    return ("no figure here reaches its limit (cores %.0f %% busy, no thread past %d %%): the "
            "figures cannot tell." % (m["busy_pct"], HOT_THREAD_PCT))


def main():
    tmp, secs = sys.argv[1], sys.argv[2]
    floor = row(tmp, "healthz")
    h = floor["wrk"][0]
    rows = [(label, row(tmp, name)) for name, label in ROWS]
    cores = rows[0][1]["pg"]["machine"]["cores"]
    out = []
    p = out.append
    p("## Sealed writes over HTTP: SQLite, PostgreSQL with one node and with three")
    p("")
    p("The same write as above, `POST /v1/orders/{id}/messages` to one order, at 64 connections "
      "for %s s each, in one run: on SQLite with one node, on PostgreSQL with one node, and on "
      "PostgreSQL with three `disputed serve` nodes on one data directory and one database (one "
      "of them the log's sequencer, which appends every node's writes; each node acknowledges "
      "its own once sealed), the 64 connections split 21/21/22 over three wrk processes (one "
      "thread each) started together. PostgreSQL 15 is a throwaway cluster on loopback TCP "
      "with its durable defaults (fsync, synchronous_commit, full_page_writes on; "
      "shared_buffers and max_connections at their defaults), with track_wal_io_timing on to "
      "time its WAL syncs. The floor is `GET /healthz` on the SQLite node, measured first. "
      "This machine has %d cores; wrk, the nodes and PostgreSQL share them. Written by "
      "`bench/bench_http_pg.sh` on %s UTC." % (secs, cores, time.strftime("%Y-%m-%d %H:%M",
                                                                            time.gmtime())))
    p("")
    p("| store, nodes | sealed writes/s | p50 | p99 | worst p99 | writes / healthz | "
      "non-2xx | writes per batch | seals per append |")
    p("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    p("| GET /healthz (floor), SQLite node | %.0f | %s | %s | – | 1.000 | %d | – | – |" % (
        h["rps"], h["p50"], h["p99"], h["bad"]))
    for label, r in rows:
        ws = r["wrk"]
        worst = max(ws, key=lambda w: ms(w["p99"]))["p99"]
        bad = sum(w["bad"] for w in ws)
        errs = "; ".join(w["err"] for w in ws if w["err"])
        p("| %s | %.0f | %s | %s | %s | %.3f | %d%s | %s | %s |" % (
            label, r["rps"], " / ".join(w["p50"] for w in ws), " / ".join(w["p99"] for w in ws),
            worst, r["rps"] / h["rps"] if h["rps"] else 0, bad, " (%s)" % errs if errs else "",
            "%.1f" % (r["jobs"] / r["batches"]) if r["batches"] else "?",
            "%.1f (%d appends, %.0f/s)" % (r["sealed"] / r["appends"], r["appends"],
                                            r["appends"] / r["wall"])
            if r["appends"] else "one append per batch" if label.startswith("SQLite") else "?"))
    p("")
    p("With three nodes, p50 and p99 are each wrk process's (one per node). Writes per batch: "
      "the nodes' write pipelines' writes over their transactions (`GET /metrics`, "
      "`disputed_pipeline_*`); seals per append: the sequencer's seals over its appends to the "
      "log (`disputed_sequencer_*`); on SQLite the node's sealer appends each batch itself.")
    p("")
    p("What bounds each, measured during its run: the machine's CPU (`/proc/stat`, share of all "
      "its cores busy); wrk's (% of one core); the nodes' threads' CPU (`bench/thread_cpu.py`, in % of one core, "
      "summed over the nodes); the PostgreSQL server's processes' CPU by role "
      "(`bench/pg_cpu.py`, % of one core); its commits (every transaction, reads too: "
      "`pg_stat_database`) and WAL syncs (`pg_stat_wal`; their time from track_wal_io_timing); and what its client backends "
      "were doing when not idle, sampled every 100 ms (`pg_stat_activity`: running, or the "
      "wait event they were in).")
    p("")
    p("| store, nodes | machine busy | wrk | disputed threads | PostgreSQL processes | commits/s | "
      "WAL syncs | WAL kB per write | backends, when not idle |")
    p("|---|---:|---:|---|---|---:|---|---:|---|")
    for label, r in rows:
        commits, sync, per = wal_cell(r)
        p("| %s | %.0f %% (iowait %.0f %%) | %.0f %% | %s | %s | %s | %s | %s | %s |" % (
            label, r["pg"]["machine"]["busy_pct"], r["pg"]["machine"]["iowait_pct"],
            r["wrk_pct"], thread_cell(r), pg_cell(r), commits, sync, per, waits_cell(r)))
    p("")
    for label, r in rows:
        p("- %s (%.0f writes/s): %s" % (label, r["rps"], bounds(r, cores)))
    print("\n".join(out))


if __name__ == "__main__":
    main()
