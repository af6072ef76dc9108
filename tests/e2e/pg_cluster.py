"""pg_cluster.py - a throwaway PostgreSQL cluster for tests: initdb/pg_ctl in a temporary directory on a free loopback port.

Standard library only. Debian's PostgreSQL 15 server binaries (/usr/lib/postgresql/15/bin,
or $DISPUTED_PG_BIN) run as the `postgres` user when the tests run as root (PostgreSQL
refuses to run as root), else as the current user. The cluster listens on 127.0.0.1 on a
free port and on a unix socket inside its own directory; trust authentication (nobody but
this machine's users can reach it, and it lives for one test run); durability off
(fsync, full_page_writes, synchronous_commit) so it starts in about a second.
PgCluster(durable=True) keeps PostgreSQL's durable defaults instead (fsync,
full_page_writes and synchronous_commit on, the default shared_buffers and
max_connections) and times WAL writes and syncs (track_wal_io_timing): the benchmarks'.

    with PgCluster() as pg:          # started, database "disputed" created
        url = pg.url                 # postgres://postgres@127.0.0.1:PORT/disputed
        other = pg.create_database("fresh")

An atexit guard stops and removes every cluster still running when the process ends, also
after an exception; SIGTERM and SIGINT end the process through it.

From the shell (make targets, C unit tests):

    python3 tests/e2e/pg_cluster.py run -- CMD ARGS...

starts one, runs CMD with DISPUTED_TEST_PG=URL in its environment, stops the cluster and
exits with CMD's status; `run --durable -- CMD` with a durable cluster.
"""
import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

PG_BIN = os.environ.get("DISPUTED_PG_BIN") or "/usr/lib/postgresql/15/bin"
SUPERUSER = "postgres"
DATABASE = "disputed"
START_TRIES = 3

_live = []


def _free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _stop_all():
    for c in list(_live):
        c.stop()


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)


atexit.register(_stop_all)


class PgClusterError(RuntimeError):
    pass


class PgCluster:
    """One PostgreSQL cluster in a temporary directory; start() then stop() (or `with`)."""

    def __init__(self, durable=False):
        self.durable = durable
        self.dir = None
        self.port = None
        self.url = None
        self._runas = None

    # -- running the server's programs as the right user --

    def _cmd(self, prog, *args):
        argv = [os.path.join(PG_BIN, prog)] + list(args)
        if self._runas:
            argv = ["runuser", "-u", self._runas, "--"] + argv
        return argv

    def _run(self, prog, *args, timeout=60):
        res = subprocess.run(self._cmd(prog, *args), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=timeout, cwd=self.dir)
        if res.returncode != 0:
            raise PgClusterError("%s failed (status %d): %s" % (
                prog, res.returncode, res.stdout.decode(errors="replace").strip()[-2000:]))
        return res

    # -- lifecycle --

    def start(self):
        if not os.path.exists(os.path.join(PG_BIN, "initdb")):
            raise PgClusterError("no PostgreSQL server in %s: run scripts/deps.sh "
                                 "(Debian's postgresql)" % PG_BIN)
        self.dir = tempfile.mkdtemp(prefix="disputed-pg-")
        _live.append(self)
        try:
            if os.geteuid() == 0:
                self._runas = SUPERUSER
                pw = pwd.getpwnam(SUPERUSER)
                os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            data = os.path.join(self.dir, "data")
            self._run("initdb", "-D", data, "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                      "--locale=C", "--no-instructions",
                      *([] if self.durable else ["--no-sync"]))
            self._start_server(data)
            self._run("createdb", "-h", self.dir, "-p", str(self.port), "-U", SUPERUSER,
                      DATABASE)
        except BaseException:
            self.stop()
            raise
        self.url = self.url_of(DATABASE)
        return self

    def _start_server(self, data):
        last = None
        for _ in range(START_TRIES):
            # the port may be taken between choosing and binding it: choose again
            self.port = _free_port()
            opts = " ".join([
                "-c listen_addresses=127.0.0.1", "-c port=%d" % self.port,
                "-c unix_socket_directories=%s" % self.dir,
                "-c log_min_messages=warning", "-c logging_collector=off",
            ] + (["-c track_wal_io_timing=on"] if self.durable else [
                "-c fsync=off", "-c full_page_writes=off", "-c synchronous_commit=off",
                "-c shared_buffers=16MB", "-c max_connections=60",
            ]))
            try:
                self._run("pg_ctl", "start", "-D", data, "-w", "-t", "30", "-s",
                          "-l", os.path.join(self.dir, "server.log"), "-o", opts)
                return
            except PgClusterError as exc:
                last = exc
        raise PgClusterError("%s; server log: %s" % (last, self.log_tail()))

    def stop(self):
        """Stop the server (immediately: nothing in it is kept) and remove its directory."""
        if self.dir is None:
            return
        data = os.path.join(self.dir, "data")
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            try:
                subprocess.run(self._cmd("pg_ctl", "stop", "-D", data, "-m", "immediate",
                                         "-w", "-t", "30", "-s"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=60, cwd="/")
            except (OSError, subprocess.SubprocessError):
                pass
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
        if self in _live:
            _live.remove(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # -- databases --

    def url_of(self, database):
        return "postgres://%s@127.0.0.1:%d/%s" % (SUPERUSER, self.port, database)

    def create_database(self, name, template=None):
        """Create database `name` ([a-z0-9_]) and return its URL: empty, or a copy of
        database `template` (which must have no open connection)."""
        args = ["-T", template] if template else []
        self._run("createdb", "-h", self.dir, "-p", str(self.port), "-U", SUPERUSER,
                  *args, name)
        return self.url_of(name)

    def log_tail(self, n=4000):
        try:
            with open(os.path.join(self.dir, "server.log"), "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return "(no server log)"


def _main(argv):
    durable = len(argv) > 1 and argv[1] == "--durable"
    if durable:
        argv = argv[:1] + argv[2:]
    if len(argv) < 3 or argv[0] != "run" or argv[1] != "--":
        sys.stderr.write("usage: pg_cluster.py run [--durable] -- CMD [ARGS...]\n"
                         "Start a throwaway PostgreSQL cluster, run CMD with DISPUTED_TEST_PG\n"
                         "set to its URL, stop the cluster; exit with CMD's status.\n"
                         "--durable: fsync, full_page_writes, synchronous_commit on.\n")
        return 2
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    t0 = time.monotonic()
    with PgCluster(durable=durable) as pg:
        sys.stderr.write("pg_cluster: %s up in %.1f s\n" % (pg.url, time.monotonic() - t0))
        env = dict(os.environ, DISPUTED_TEST_PG=pg.url)
        proc = subprocess.Popen(argv[2:], env=env)
        try:
            return proc.wait()
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait()


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
