#!/usr/bin/env python3
"""bench_sequencer_pg.py - the log's sequencer on PostgreSQL at its ceiling: how fast a node that takes over integrates a backlog of every node's pending seals, appended to OUT.md.

Usage: bench/bench_sequencer_pg.py BUILD/disputed OUT.md
BENCH_SEQ_ORDERS (default 20000): orders imported while no node can seal.

On a durable throwaway cluster (tests/e2e/pg_cluster.py, PgCluster(durable=True)):
while the log's file lock is held (as a sequencer holds it), `disputed import` stores
the orders with their seals pending; the lock is let go and a node started. From the
moment it reports leading (/metrics, disputed_sequencer_leading 1) to the moment no seal
is pending, it does what a sequencer does under any load, in rounds of up to 4096: read
each pending seal's leaf, append them to the log (its fsyncs), record their indexes and
the checkpoint in one transaction. Seals per second of that is the ceiling of one
sequencer on this machine, measured with the threads' and PostgreSQL's CPU beside it.
"""
import fcntl
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from pg_cluster import PgCluster  # noqa: E402

MERCHANTS = 50


def py(script, *args, out=None):
    return subprocess.run([sys.executable, os.path.join(HERE, script)] + list(args),
                          check=True, stdout=out or subprocess.PIPE).stdout


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def metrics(port):
    try:
        text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read()
    except OSError:
        return {}
    out = {}
    for line in text.decode().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = value
    return out


def serve(bin_, data, port):
    env = dict(os.environ, DISPUTED_LOG_LEVEL="warn")
    return subprocess.Popen([bin_, "serve", "--data", data, "--listen", "127.0.0.1:%d" % port],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def wait_leading(port, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("bench_sequencer_pg: the node exited %d" % proc.returncode)
        if metrics(port).get("disputed_sequencer_leading") == "1":
            return time.monotonic()
        time.sleep(0.01)
    sys.exit("bench_sequencer_pg: the node did not become the sequencer in %ss" % timeout)


def psql(url, sql):
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atc", sql], check=True,
                          stdout=subprocess.PIPE).stdout.decode().strip()


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    bin_, out = os.path.realpath(argv[1]), argv[2]
    n = int(os.environ.get("BENCH_SEQ_ORDERS", "20000"))
    tmp = tempfile.mkdtemp(prefix="bench-seq-")
    data = os.path.join(tmp, "data")
    procs = []
    with PgCluster(durable=True) as pg:
        try:
            subprocess.run([bin_, "init", "--data", data, "--db", pg.url, "--origin",
                            "bench.disputed.test/log"], check=True, stdout=subprocess.DEVNULL)
            with open(os.path.join(tmp, "setup.ndjson"), "wb") as f:
                py("gen_orders.py", "setup", str(MERCHANTS), out=f)
            with open(os.path.join(tmp, "orders.ndjson"), "wb") as f:
                py("gen_orders.py", "orders", str(MERCHANTS), "0", str(n), out=f)
            # the merchants and listings, sealed by the import itself (no node yet)
            subprocess.run([bin_, "import", "--data", data, os.path.join(tmp, "setup.ndjson")],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # the log's file lock held here, as a sequencer would hold it: the import
            # stores its orders and leaves their seals pending for whoever seals next
            lockfd = os.open(os.path.join(data, "tile", ".lock"), os.O_RDWR | os.O_CREAT)
            fcntl.flock(lockfd, fcntl.LOCK_EX)
            t0 = time.monotonic()
            subprocess.run([bin_, "import", "--data", data, os.path.join(tmp, "orders.ndjson")],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            import_s = time.monotonic() - t0
            pending = int(psql(pg.url, "SELECT count(*) FROM seals WHERE leaf_index IS NULL"))
            if pending < n:
                sys.exit("bench_sequencer_pg: only %d seals pending after importing %d orders"
                         % (pending, n))
            os.close(lockfd)
            postmaster = open(os.path.join(pg.dir, "data", "postmaster.pid")).readline().strip()
            port_b = free_port()
            b = serve(bin_, data, port_b)
            procs.append(b)
            lead_at = wait_leading(port_b, b)
            snaps = os.path.join(tmp, "snap")
            with open(snaps + ".t0", "wb") as f:
                py("thread_cpu.py", "snap", str(b.pid), out=f)
            with open(snaps + ".p0", "wb") as f:
                py("pg_cpu.py", "snap", postmaster, out=f)
            # watched through the node's /metrics: cheaper than a psql process per look
            while int(float(metrics(port_b).get("disputed_sequencer_sealed_total", "0"))) < pending:
                if b.poll() is not None:
                    sys.exit("bench_sequencer_pg: the node exited %d" % b.returncode)
                time.sleep(0.01)
            wall = time.monotonic() - lead_at
            with open(snaps + ".t1", "wb") as f:
                py("thread_cpu.py", "snap", str(b.pid), out=f)
            with open(snaps + ".p1", "wb") as f:
                py("pg_cpu.py", "snap", postmaster, out=f)
            threads = json.loads(py("thread_cpu.py", "diff", snaps + ".t0", snaps + ".t1",
                                    str(wall)))
            pgcpu = json.loads(py("pg_cpu.py", "diff", snaps + ".p0", snaps + ".p1", str(wall)))
            left = int(psql(pg.url, "SELECT count(*) FROM seals WHERE leaf_index IS NULL"))
            size = int(psql(pg.url, "SELECT max(size) FROM checkpoints"))
            dup = int(psql(pg.url, "SELECT count(*) - count(DISTINCT leaf_hash) FROM seals"))
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            subprocess.run(["rm", "-rf", tmp])
    if dup or left:
        sys.exit("bench_sequencer_pg: %d seals share a leaf, %d still pending" % (dup, left))
    rate = pending / wall
    seq = threads["threads"].get("dsp-sequencer", {"core_pct": 0, "cpu_s": 0})
    log = threads["threads"].get("dsp-log-seq", {"core_pct": 0})
    backends = pgcpu["groups"].get("backends", {"core_pct": 0})
    machine = pgcpu["machine"]
    bound = ("the sequencer thread was on a core %.0f %% of the catch-up and PostgreSQL's "
             "backends %.0f %% of one; the machine's %d cores were %.0f %% busy, %.0f %% in "
             "iowait" % (seq["core_pct"], backends["core_pct"], machine["cores"],
                         machine["busy_pct"], machine["iowait_pct"]))
    if backends["core_pct"] >= 70 and machine["busy_pct"] < 85:
        # the sequencer works through one connection: one backend process, one core at most
        bound += (". The one PostgreSQL backend serving the sequencer's connection (a process: "
                  "one core at most) was the busiest part, so a core's speed for that backend "
                  "bounds one sequencer here, not the machine")
    with open(out, "a") as f:
        f.write("\n## The log's sequencer on PostgreSQL: sealing a backlog\n\n")
        f.write("How fast one sequencer integrates every node's pending seals, at its ceiling "
                "(`bench/bench_sequencer_pg.py`, %s UTC): on a durable throwaway cluster, "
                "%d orders imported with `disputed import` while the log's file lock was held "
                "as a sequencer holds it (so nothing was sealed; the import took %.1f s), "
                "leaving %d seals pending (each order's and its payment's); then the lock "
                "let go and a node started. From its taking "
                "over (`disputed_sequencer_leading 1`) to no seal pending, it read, appended "
                "and recorded them in rounds of up to 4,096, as it does under any load.\n\n"
                % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()), n, import_s, pending))
        f.write("| seals pending | seconds to seal them | seals/s | sequencer thread, share "
                "of a core | the log's sequencer thread | PostgreSQL backends | machine busy "
                "| iowait |\n")
        f.write("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
        f.write("| %d | %.2f | %.0f | %.0f %% | %.0f %% | %.0f %% | %.0f %% | %.0f %% |\n\n"
                % (pending, wall, rate, seq["core_pct"], log["core_pct"], backends["core_pct"],
                   machine["busy_pct"], machine["iowait_pct"]))
        f.write("The log holds %d leaves after it, none twice. What bounds it: %s. "
                "docs/scale.md takes this figure as the ceiling of one log's sequencer.\n"
                % (size, bound))
    print("bench_sequencer_pg: %d seals in %.2f s, %.0f/s" % (pending, wall, rate),
          file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
