"""harness.py - start the real disputed on a free loopback port with a temporary data dir, and talk to it over HTTP.

Standard library only. The binary comes from $DISPUTED_BIN (default build/disputed of
this repository). One Server per TestCase class (setUpClass); each test makes its own
records with unique external ids from uid().
"""
import http.client
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import tempfile
import threading
import time
import uuid
import zlib

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(os.environ.get("DISPUTED_BIN") or os.path.join(REPO, "build", "disputed"))

# The store every Server's data directory is initialised on: "sqlite" (the
# default) or "postgres", a fresh database per Server in one throwaway
# PostgreSQL cluster for the whole run, started on first use and stopped at
# exit (pg_cluster.py). `make e2e-pg` runs the suite that way.
BACKEND = os.environ.get("DISPUTED_TEST_BACKEND") or "sqlite"
BACKENDS = ("sqlite", "postgres")

START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0

_counter = itertools.count(1)
_run = uuid.uuid4().hex[:8]


def uid(prefix="x"):
    """A string unique to this test run, usable as an external_id."""
    return "%s-%s-%d" % (prefix, _run, next(_counter))


def audit_settled(data_dir, wait=15):
    """`disputed audit` of a live server's data directory: while its only problems are
    records sealed a moment ago by the server's background work (an assessment) and not
    yet in the log ("(pending)"), run it again, for up to `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        res = run_cli("audit", "--data", data_dir, timeout=120)
        problems = [line for line in res.stdout.decode().splitlines()
                    if line.startswith("PROBLEM")]
        if not problems or not all(line.endswith("(pending)") for line in problems) \
                or time.monotonic() > deadline:
            return res
        time.sleep(0.3)


_pg = []  # this run's one PostgreSQL cluster, once started


def pg_cluster():
    """This run's PostgreSQL cluster: started on first use, stopped when the process ends."""
    if not _pg:
        # only runs on PostgreSQL need its programs
        from pg_cluster import PgCluster, _on_signal
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            # a run ended by SIGTERM stops the cluster too (pg_cluster's atexit guard)
            signal.signal(signal.SIGTERM, _on_signal)
        _pg.append(PgCluster().start())
    return _pg[0]


def pg_database(migrated=False):
    """The URL of a fresh database in this run's cluster: empty, or with `migrated`
    the store's schema already in it, as `disputed init --db` leaves a database
    but for the deployment's own rows, so that init there finds it new."""
    name = "e2e_%s_%d" % (_run, next(_counter))
    return pg_cluster().create_database(name, template=_schema_template() if migrated else None)


_template = []
_template_lock = threading.Lock()  # Servers may be made on several threads at once


def _schema_template():
    """This run's database that `disputed init` migrated once (its deployment's rows
    taken out again), copied for every Server: CREATE DATABASE from it costs a
    fraction of migrating a new one."""
    with _template_lock:
        if not _template:
            _template.append(_make_schema_template())
    return _template[0]


def _make_schema_template():
    """Migrate a new database with `disputed init`; its name."""
    name = "e2e_%s_schema" % _run
    url = pg_cluster().create_database(name)
    tmp = tempfile.mkdtemp(prefix="disputed-e2e-schema-")
    try:
        r = run_cli("init", "--data", os.path.join(tmp, "data"), "--db", url)
        if r.returncode != 0:
            raise RuntimeError("disputed init (schema template) failed: %s"
                               % r.stderr.decode())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    psql(url, "DELETE FROM meta WHERE key IN ('origin', 'created_at')")
    return name


def run_cli(*args, env=None, input_bytes=None, timeout=60):
    """Run `disputed ARGS…` with no DISPUTED_* settings but `env`; stdout/stderr are bytes."""
    full_env = dict(os.environ)
    # settings in the environment of the test runner must not leak into the server
    for k in list(full_env):
        if k.startswith("DISPUTED_") and k != "DISPUTED_BIN":
            del full_env[k]
    if env:
        full_env.update(env)
    return subprocess.run([BIN] + [str(a) for a in args], env=full_env, input=input_bytes,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- valid and invalid identity numbers ----

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_RID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def uscc_check(first17):
    s = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_W))
    return _USCC_CHARS[(31 - s % 31) % 31]


def rid_check(first17):
    s = sum(int(c) * w for c, w in zip(first17, _RID_W))
    return "10X98765432"[s % 11]


VALID_USCC = "91350100M000100Y43"
VALID_RID = "11010519491231002X"
assert uscc_check(VALID_USCC[:17]) == VALID_USCC[17]
assert rid_check(VALID_RID[:17]) == VALID_RID[17]


def bad_check(valid, alphabet):
    """`valid` with its check character replaced by another one of `alphabet`."""
    last = valid[-1]
    return valid[:-1] + next(c for c in alphabet if c != last)


def png_chunk(kind, data):
    """One PNG chunk: length, kind, data, CRC."""
    c = struct.pack(">I", len(data)) + kind + data
    return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def tiny_png():
    """A real 1x1 RGBA PNG, built here."""
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    raw = b"\x00" + bytes([255, 0, 0, 255])
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
            + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))


def noise_png(side, seed):
    """A side×side RGB PNG of random pixels from `seed`: it does not compress."""
    rng = random.Random(seed)
    raw = b"".join(b"\x00" + rng.randbytes(side * 3) for _ in range(side))
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
            + png_chunk(b"IDAT", zlib.compress(raw, 1)) + png_chunk(b"IEND", b""))


def peak_rss_kib(pid):
    """VmHWM: the most resident memory process `pid` has held, in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM for %d" % pid)


def unique_png():
    """A valid PNG whose bytes (hence blob id) are unique: a tEXt chunk carries a uid."""
    png = tiny_png()
    text = b"Comment\x00" + uid("png").encode()
    c = struct.pack(">I", len(text)) + b"tEXt" + text
    c += struct.pack(">I", zlib.crc32(b"tEXt" + text) & 0xFFFFFFFF)
    return png[:-12] + c + png[-12:]


class Response:
    """status, headers (case-insensitive .get), body (parsed JSON, or bytes)."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def __iter__(self):
        return iter((self.status, self.headers, self.body))

    def __repr__(self):
        return "Response(%d, %r)" % (self.status, self.body)


class Server:
    """A disputed data dir, and a `disputed serve` process on it."""

    def __init__(self, data_dir=None, init=True, init_args=()):
        """init: `disputed init` the directory on this run's backend, with init_args
        (e.g. ["--origin", ORIGIN]) added."""
        self.tmp = None
        if data_dir is None:
            self.tmp = tempfile.mkdtemp(prefix="disputed-e2e-")
            data_dir = os.path.join(self.tmp, "data")
        self.data_dir = data_dir
        self.db_path = os.path.join(data_dir, "disputed.db")
        self.db_url = None       # the PostgreSQL database, on that backend
        self.proc = None
        self.port = None
        self.log_lines = []      # every stderr line, raw text
        self.logs = []           # the ones that parse as JSON objects
        self._log_lock = threading.Lock()
        self._listening = threading.Event()
        self._reader = None
        if init:
            if BACKEND not in BACKENDS:
                raise RuntimeError("DISPUTED_TEST_BACKEND=%s: it is one of %s"
                                   % (BACKEND, ", ".join(BACKENDS)))
            args = ["init", "--data", data_dir] + list(init_args)
            if BACKEND == "postgres":
                self.db_url = pg_database(migrated=True)
                args += ["--db", self.db_url]
            r = run_cli(*args)
            if r.returncode != 0:
                raise RuntimeError("disputed init failed: %s" % r.stderr.decode())

    # ---- CLI ----

    def key_create(self, role, name=None):
        r = run_cli("key", "create", "--data", self.data_dir, "--role", role,
                    "--name", name or uid(role))
        if r.returncode != 0:
            raise RuntimeError("key create failed: %s" % r.stderr.decode())
        out = r.stdout.decode()
        assert out.endswith("\n") and out.count("\n") == 1, repr(out)
        return out[:-1]

    def key_id(self, name):
        """The key_… id of the key called `name`, from `disputed key list`."""
        r = run_cli("key", "list", "--data", self.data_dir)
        for line in r.stdout.decode().splitlines()[1:]:
            cols = line.split(None, 4)
            if len(cols) == 5 and cols[4] == name:
                return cols[0]
        raise KeyError(name)

    # ---- process ----

    def start(self, listen="127.0.0.1:0", args=None, env=None, command="serve", stdout=subprocess.DEVNULL,
              timeout=START_TIMEOUT):
        """`disputed COMMAND` (serve, or demo, which fills the directory first) on the
        data directory, its standard output to `stdout`; returns once it listens."""
        cmd = [BIN, command, "--data", self.data_dir]
        if listen is not None:
            cmd += ["--listen", listen]
        cmd += list(args or [])
        full_env = dict(os.environ)
        for k in list(full_env):
            if k.startswith("DISPUTED_") and k != "DISPUTED_BIN":
                del full_env[k]
        full_env.update(env or {})
        self._listening.clear()
        self.port = None
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout,
                                     stderr=subprocess.PIPE, env=full_env)
        self._reader = threading.Thread(target=self._drain, args=(self.proc,), daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while not self._listening.wait(0.05):
            if self.proc.poll() is not None:
                self._reader.join(2)
                raise RuntimeError("disputed %s exited %d before listening:\n%s"
                                   % (command, self.proc.returncode, "\n".join(self.log_lines)))
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError("disputed %s did not log 'listening' in %ss" % (command, timeout))
        return self

    def _drain(self, proc):
        for raw in proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            rec = None
            try:
                rec = json.loads(line)
            except ValueError:
                pass
            with self._log_lock:
                self.log_lines.append(line)
                if isinstance(rec, dict):
                    self.logs.append(rec)
            if isinstance(rec, dict) and rec.get("msg") == "listening" and self.port is None:
                self.port = int(rec["port"])
                self._listening.set()

    def stop(self):
        """SIGTERM; the server must exit 0 within STOP_TIMEOUT seconds."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("disputed serve did not exit within %ss of SIGTERM"
                                 % STOP_TIMEOUT)
        self._reader.join(5)
        if rc != 0:
            raise AssertionError("disputed serve exited %d after SIGTERM" % rc)

    def kill(self):
        """SIGKILL, no questions asked."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        proc.kill()
        proc.wait()
        self._reader.join(5)

    def cleanup(self):
        if self.proc is not None:
            self.kill()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def log_messages(self):
        with self._log_lock:
            return list(self.logs)

    def wait_for_logs(self, predicate, timeout=5.0):
        """Poll until predicate(list of JSON log records) is true; returns the records.

        stderr is read by a thread, so a line the server wrote may arrive a little later.
        """
        deadline = time.monotonic() + timeout
        while True:
            logs = self.log_messages()
            if predicate(logs) or time.monotonic() > deadline:
                return logs
            time.sleep(0.02)

    # ---- HTTP ----

    def request(self, method, path, body=None, token=None, headers=None, raw=None,
                timeout=60, raw_reply=False):
        """One request on a fresh connection. `body` is JSON-encoded; `raw` is sent as is.

        Returns Response(status, headers, body): body parsed as JSON when the reply
        says application/json (unless raw_reply), else the bytes.
        """
        h = {}
        data = None
        if raw is not None:
            data = raw
        elif body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if token is not None:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=h)
            resp = conn.getresponse()
            payload = resp.read()
            hdrs = resp.headers
            status = resp.status
        finally:
            conn.close()
        ctype = hdrs.get("Content-Type", "")
        parsed = payload
        if ctype.startswith("application/json") and not raw_reply:
            parsed = json.loads(payload.decode("utf-8"))
        return Response(status, hdrs, parsed)

    # ---- the database, read or tampered with behind the server's back ----

    @property
    def backend(self):
        """This data directory's store: "postgres" (its disputed.conf names a database)
        or "sqlite"."""
        return "postgres" if self.db_url or conf_db_url(self.data_dir) else "sqlite"

    def sql(self, query, params=()):
        """sql() on this server's database: see there."""
        return sql(self.data_dir, query, params)

    def sql_many(self, statements):
        """sql_many() on this server's database: see there."""
        return sql_many(self.data_dir, statements)

    def counts(self):
        """{table: row count} for every table of the database, read only."""
        if self.backend == "postgres":
            return self._pg_counts()
        db = sqlite3.connect("file:%s?mode=ro" % self.db_path, uri=True)
        try:
            tables = [r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            return {t: db.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0]
                    for t in tables}
        finally:
            db.close()

    def _pg_counts(self):
        # one statement (a psql each costs tens of ms): every table's count(*)
        # through query_to_xml, which runs a query it is given as text
        url = self.db_url or conf_db_url(self.data_dir)
        query = ("SELECT table_name::text, (xpath('/row/n/text()', query_to_xml("
                 "format('SELECT count(*) AS n FROM %I', table_name), false, true, '')))[1]"
                 "::text::bigint FROM information_schema.tables "
                 "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
                 "AND table_name <> 'schema_migrations'")
        return {name: n for name, n in _pg_run(url, [(query, ())])}


def psql(url, sql_text):
    """Run `sql_text` in psql on `url`; its rows unaligned, "|" between columns, as text
    (a test that has only a URL; one with a data directory uses sql())."""
    res = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atc", sql_text],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if res.returncode != 0:
        raise RuntimeError("psql failed: %s" % res.stderr.decode(errors="replace"))
    return res.stdout.decode()


# ---- SQL on a data directory's database, whichever the backend ----
#
# Tests that read the database or tamper with it as someone with write access
# would do it through sql()/sql_many(), which run on DIR/disputed.db (SQLite)
# or on the PostgreSQL database DIR/disputed.conf names. What the two do not
# share, a test writes per backend (Server.backend, backend_of(DIR)):
#   - the catalog: sqlite_master / information_schema, pg_tables; SQLite's rowid;
#   - JSON inside a TEXT body: SQLite's json_set() has no PostgreSQL twin that
#     keeps the text as it was (jsonb reorders members): edit_body() does it
#     in Python for both;
#   - blobs: BLOB and CAST(... AS BLOB) / BYTEA and convert_to(); randomblob();
#   - DROP TRIGGER name / DROP TRIGGER name ON table.
# A copy of a data directory (copy_data) is a copy of its database too.

class SqlError(Exception):
    """The database refused a statement (a trigger, a constraint, bad SQL), on either backend."""


def conf_db_url(data_dir):
    """The [store] db URL of DIR/disputed.conf, or None (the data directory is on SQLite)."""
    try:
        with open(os.path.join(data_dir, "disputed.conf")) as f:
            text = f.read()
    except FileNotFoundError:
        return None
    section = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "store" and line.startswith("db="):
            return line[len("db="):]
    return None


def backend_of(data_dir):
    return "postgres" if conf_db_url(data_dir) else "sqlite"


def sql(data_dir, query, params=()):
    """Run one statement on DIR's database with `?` placeholders; its rows, a list of tuples.

    Values come back as Python values on both backends: integers as int, text as str,
    NULL as None, BLOB/BYTEA as bytes. On PostgreSQL a row is read through JSON, so a
    boolean is a bool where SQLite has 0/1, and a text value that looks like bytea's
    output ("\\x" and hex digits) comes back as bytes. A refused statement raises
    SqlError."""
    return sql_many(data_dir, [(query, params)])


def sql_many(data_dir, statements):
    """Run statements (text, or (text, params)) in ONE transaction; the rows of the last."""
    statements = [st if isinstance(st, tuple) else (st, ()) for st in statements]
    url = conf_db_url(data_dir)
    if url:
        return _pg_run(url, statements)
    db = sqlite3.connect(os.path.join(data_dir, "disputed.db"))
    try:
        rows = []
        with db:
            for query, params in statements:
                rows = db.execute(query, params).fetchall()
        return rows
    except sqlite3.DatabaseError as exc:
        raise SqlError(str(exc)) from exc
    finally:
        db.close()


def edit_body(data_dir, table, where, params, change):
    """Rewrite the JSON `body` of the rows of `table` WHERE `where`: change(body dict) edits
    it in place; the new text is written back. The same on both backends."""
    for rowid, body in sql(data_dir, "SELECT id, body FROM %s WHERE %s" % (table, where),
                           params):
        doc = json.loads(body)
        change(doc)
        sql(data_dir, "UPDATE %s SET body = ? WHERE id = ?" % table,
            (json.dumps(doc, ensure_ascii=False, separators=(",", ":")), rowid))


def copy_data(src, dst):
    """Copy data directory `src` to `dst`, its database too: on PostgreSQL a new database
    made from the source's (which must have no open connection: the server stopped) and
    named in dst's disputed.conf."""
    shutil.copytree(src, dst)
    url = conf_db_url(src)
    if not url:
        return dst
    name = "e2e_%s_%d" % (_run, next(_counter))
    new = pg_cluster().create_database(name, template=url.rsplit("/", 1)[1])
    path = os.path.join(dst, "disputed.conf")
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("db=" + url + "\n", "db=" + new + "\n"))
    if conf_db_url(dst) != new:
        raise RuntimeError("copy_data: %s names no database" % path)
    return dst


_BYTEA = re.compile(r"\\x(?:[0-9a-f]{2})*")


def _pg_literal(value, n, variables):
    """The SQL text standing for parameter `n`: strings go through psql's quoting."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return "decode('%s', 'hex')" % bytes(value).hex()
    variables.append("p%d=%s" % (n, value))
    return ":'p%d'" % n


def _pg_statement(query, params, variables):
    """`query` with its ? placeholders (outside quotes) replaced by literals or psql variables;
    a row-returning statement wrapped to print its rows as one JSON array of arrays."""
    out, quote, it = [], None, iter(params)
    for ch in query:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            out.append(_pg_literal(next(it), len(variables) + 1, variables))
            continue
        out.append(ch)
    text = "".join(out)
    if _returns_rows(text):
        text = ("SELECT coalesce(json_agg((SELECT json_agg(c.value ORDER BY c.n) FROM "
                "json_each(to_json(t)) WITH ORDINALITY AS c(k, value, n))), '[]') "
                "FROM (%s) t" % text)
    return text + ";\n"


def _returns_rows(text):
    return re.match(r"\s*(SELECT|WITH|VALUES)\b", text, re.I) is not None


def _pg_value(v):
    if isinstance(v, str) and _BYTEA.fullmatch(v):
        return bytes.fromhex(v[2:])
    return v


def _pg_run(url, statements):
    variables = []
    script = "".join(_pg_statement(q, p, variables) for q, p in statements)
    argv = ["psql", url, "-X", "-q", "-A", "-t", "-1", "-v", "ON_ERROR_STOP=1"]
    for v in variables:
        argv += ["-v", v]
    res = subprocess.run(argv, input=script.encode(), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=60)
    if res.returncode != 0:
        raise SqlError(res.stderr.decode(errors="replace").strip())
    lines = [line for line in res.stdout.decode().splitlines() if line]
    if not lines or not _returns_rows(statements[-1][0]):
        return []
    return [tuple(_pg_value(v) for v in row) for row in json.loads(lines[-1])]


# ---- record builders: valid bodies with unique external ids ----

def merchant_body(kind="company", email=True, **over):
    b = {
        "external_id": uid("mer"),
        "kind": kind,
        "legal_name": "福州测试商贸有限公司" if kind == "company" else "张三",
        "registered_address": "福建省福州市鼓楼区测试路1号",
        "contact": {"phone": "+86 591 8888 0000"},
    }
    if email:
        b["contact"]["email"] = "shop@example.com"
    if kind == "company":
        b["uscc"] = VALID_USCC
    else:
        b["id_number"] = VALID_RID
    b.update(over)
    return b


def listing_body(merchant, price=1999, **over):
    b = {"external_id": uid("lst"), "merchant": merchant, "title": "保温杯 500ml",
         "price": {"amount": price, "currency": "CNY"}}
    b.update(over)
    return b


def order_body(merchant, listing, consumer=None, unit_price=1999, quantity=1, **over):
    consumer = consumer or {"external_id": uid("cus"), "name": "李四",
                            "phone": "+86 138 0000 0000"}
    b = {
        "external_id": uid("ord"),
        "consumer": consumer,
        "merchant": merchant,
        "items": [{"listing": listing, "quantity": quantity,
                   "unit_price": {"amount": unit_price, "currency": "CNY"}}],
        "total": {"amount": unit_price * quantity, "currency": "CNY"},
        "paid_at": "2025-09-30T08:00:00+08:00",
        "payment": {"channel": "alipay", "transaction_id": uid("txn")},
    }
    b.update(over)
    return b


def logistics_body(**over):
    b = {"carrier": "SF Express", "tracking_number": uid("SF"), "status": "shipped",
         "occurred_at": "2025-10-01T09:30:00Z", "location": "Fuzhou"}
    b.update(over)
    return b


def message_body(**over):
    b = {"sender": "consumer", "text": "杯子漏水，请问怎么退货？", "sent_at": "2025-10-03T10:00:00Z"}
    b.update(over)
    return b


class World:
    """Convenience: create records through the API as `token` (platform) and check 201."""

    def __init__(self, srv, token):
        self.srv = srv
        self.token = token

    def post(self, path, body, expect=201):
        r = self.srv.request("POST", path, body, token=self.token)
        if r.status != expect:
            raise AssertionError("POST %s -> %d %r (wanted %d)" % (path, r.status, r.body, expect))
        return r.body

    def merchant(self, **over):
        return self.post("/v1/merchants", merchant_body(**over))

    def listing(self, merchant, **over):
        return self.post("/v1/listings", listing_body(merchant, **over))

    def order(self, merchant, listing, **over):
        return self.post("/v1/orders", order_body(merchant, listing, **over))

    def shop(self, **over):
        """A merchant with one listing and one order; returns (merchant, listing, order)."""
        m = self.merchant()
        lst = self.listing(m["id"])
        o = self.order(m["id"], lst["id"], **over)
        return m, lst, o

    def token_for(self, role, subject, ttl=None):
        body = {"role": role, "subject": subject}
        if ttl is not None:
            body["ttl_seconds"] = ttl
        return self.post("/v1/tokens", body)


class ServerTestCase:
    """Mixin for unittest.TestCase: one server per class with a platform key.

    Subclasses may set `key_roles` (role -> attribute name) for more API keys.
    """
    key_roles = {}

    @classmethod
    def setUpClass(cls):
        cls.srv = Server()
        try:
            cls.platform = cls.srv.key_create("platform", "e2e platform")
            for role, attr in cls.key_roles.items():
                setattr(cls, attr, cls.srv.key_create(role, "e2e " + role))
            cls.srv.start()
        except Exception:
            cls.srv.cleanup()
            raise
        cls.world = World(cls.srv, cls.platform)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()
        finally:
            cls.srv.cleanup()

    def req(self, method, path, body=None, token="platform", **kw):
        if token == "platform":
            token = self.platform
        return self.srv.request(method, path, body, token=token, **kw)

    def assertError(self, r, status, etype, code, param="<any>"):
        """The reply is the documented error shape with these values."""
        self.assertEqual(r.status, status, r.body)
        self.assertIsInstance(r.body, dict, r.body)
        err = r.body.get("error")
        self.assertIsInstance(err, dict, r.body)
        self.assertEqual(err.get("type"), etype, r.body)
        self.assertEqual(err.get("code"), code, r.body)
        self.assertIsInstance(err.get("message"), str, r.body)
        self.assertTrue(err.get("message"), r.body)
        if param != "<any>":
            self.assertEqual(err.get("param"), param, r.body)
