#!/usr/bin/env python3
"""pipeline_times.py - where a sealed write's time went, from the server's /metrics before and after a wrk run.

Usage: pipeline_times.py rows TMP COUNT...   a table row per connection count
       pipeline_times.py bound TMP COUNT     a sentence naming what bounded that run

For each COUNT it reads TMP/write-COUNT.metrics.before and .after (the
server's GET /metrics), TMP/write-COUNT.txt (wrk's report, for the mean
latency and the rate) and TMP/write-COUNT.threads.json (thread_cpu.py: the
run's wall time). The pipeline's counters (disputed_pipeline_*) sum each
write's wait in each step, and each of its threads' time in each of its
steps; their differences over the run give a write's mean time in each step
and the share of the run each thread spent in each.
"""
import json
import re
import sys

STEPS = ("job_queued", "job_batch", "job_sealing", "writer_apply", "writer_record",
         "writer_commit", "sealer_append", "sealer_lock", "sealer_record")
UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def metrics(path):
    out = {}
    for line in open(path):
        m = re.match(r"disputed_pipeline_(\w+?)(?:_seconds)?_total ([\d.]+)$", line.strip())
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def run(tmp, conns):
    before = metrics("%s/write-%s.metrics.before" % (tmp, conns))
    after = metrics("%s/write-%s.metrics.after" % (tmp, conns))
    d = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}
    wrk = open("%s/write-%s.txt" % (tmp, conns)).read()
    lat = re.search(r"Latency\s+([\d.]+)(us|ms|s|m)\b", wrk)
    threads = json.load(open("%s/write-%s.threads.json" % (tmp, conns)))
    wall = threads["wall_s"]
    jobs = d.get("jobs", 0.0)
    r = {
        "jobs": jobs,
        "per_batch": jobs / d["batches"] if d.get("batches") else 0.0,
        "latency_ms": float(lat.group(1)) * UNITS[lat.group(2)] * 1e3 if lat else 0.0,
        "wall": wall,
    }
    for k in STEPS:
        if k.startswith("job_"):
            r[k] = 1e3 * d.get(k, 0.0) / jobs if jobs else 0.0   # ms a write
        else:
            r[k] = 100 * d.get(k, 0.0) / wall if wall else 0.0   # % of the run
    r["rest_ms"] = r["latency_ms"] - r["job_queued"] - r["job_batch"] - r["job_sealing"]
    r["writer"] = r["writer_apply"] + r["writer_record"] + r["writer_commit"]
    r["appends"] = d.get("appends", 0.0)
    r["append_ms"] = 1e3 * d.get("sealer_append", 0.0) / r["appends"] if r["appends"] else 0.0
    r["writes_per_append"] = jobs / r["appends"] if r["appends"] else 0.0
    seq = threads["threads"].get("dsp-log-seq", {})
    r["seq_cpu_ms"] = 1e3 * seq.get("cpu_s", 0.0) / r["appends"] if r["appends"] else 0.0
    r["seq_runq_ms"] = 1e3 * seq.get("runq_s", 0.0) / r["appends"] if r["appends"] else 0.0
    r["runq_s"] = sum(g.get("runq_s", 0.0) for g in threads["threads"].values())
    r["by_writer"] = 100 * d.get("recorded_by_writer", 0.0) / d["appends"] if d.get("appends") else 0.0
    r["sealer"] = r["sealer_append"] + r["sealer_lock"] + r["sealer_record"]
    return r


def rows(tmp, counts):
    for c in counts:
        r = run(tmp, c)
        print("| %s | %.1f | %.1f | %.2f | %.2f ms | %.2f | %.2f | %.2f | %.2f | %.0f %% (%.0f + %.0f + %.0f) "
              "| %.0f %% (%.0f + %.0f + %.0f) | %.0f %% |" % (
                  c, r["per_batch"], r["writes_per_append"], r["append_ms"], r["latency_ms"],
                  r["job_queued"], r["job_batch"],
                  r["job_sealing"], r["rest_ms"], r["writer"], r["writer_apply"],
                  r["writer_record"], r["writer_commit"], r["sealer"], r["sealer_append"],
                  r["sealer_lock"], r["sealer_record"], r["by_writer"]))


def bound(tmp, conns):
    r = run(tmp, conns)
    if not r["jobs"] or not r["latency_ms"]:
        return
    parts = [("queued for the writer", r["job_queued"]),
             ("in its batch (applied, then the commit's write and fsync)", r["job_batch"]),
             ("committed and waiting for the log (the sealer's append and fsyncs, then the "
              "indexes' commit)", r["job_sealing"]),
             ("outside the pipeline (the request read and parsed, the reply sent, wrk)",
              r["rest_ms"])]
    name, ms = max(parts, key=lambda p: p[1])
    busiest = max(("writer", r["writer"]), ("sealer", r["sealer"]), key=lambda p: p[1])
    text = ("At %s connections a write took %.2f ms on average (wrk's mean), of which %.2f ms %s, "
            "%.0f %% of it. The writer thread was busy %.0f %% of the run (applying %.0f %%, "
            "recording appended batches' indexes %.0f %%, committing %.0f %%), the sealer %.0f %% "
            "(appending to the log %.0f %%, and for the %.0f %% of appends the writer did not "
            "record, waiting for the store's write transaction %.0f %% and recording %.0f %%)" % (
                conns, r["latency_ms"], ms, name, 100 * ms / r["latency_ms"], r["writer"],
                r["writer_apply"], r["writer_record"], r["writer_commit"], r["sealer"],
                r["sealer_append"], 100 - r["by_writer"], r["sealer_lock"], r["sealer_record"]))
    if busiest[0] == "sealer" and busiest[1] >= 85:
        text += (": the sealer, one thread, was busy nearly the whole run, mostly appending, and "
                 "bounds the rate. An append of %.1f writes took %.2f ms: the log's sequencer "
                 "thread (`dsp-log-seq`) spent %.2f ms of it on a core and %.2f ms ready to run "
                 "but waiting for one; the rest is the log's files written and fsynced in turn "
                 "(the partial tiles and entry bundle, the packed hashes, the checkpoint, their "
                 "directories). The server's threads together waited %.1f s for a core in the "
                 "%.0f s run." % (r["writes_per_append"], r["append_ms"], r["seq_cpu_ms"],
                                  r["seq_runq_ms"], r["runq_s"], r["wall"]))
    elif busiest[1] >= 85:
        text += ": the writer, one thread (the store's one write transaction), was busy nearly " \
                "the whole run and bounds the rate."
    else:
        text += ": neither pipeline thread was busy the whole run, so a write waits on the steps " \
                "in turn (a batch's commit, then its append) more than on either thread."
    print(text)


if __name__ == "__main__":
    if sys.argv[1] == "rows":
        rows(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "bound":
        bound(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: pipeline_times.py rows TMP COUNT... | bound TMP COUNT")
