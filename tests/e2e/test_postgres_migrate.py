"""test_postgres_migrate.py - `disputed migrate --from sqlite:DIR --to postgres://…`: a data directory with orders, disputes and money moved into a throwaway PostgreSQL cluster, every table compared row for row, the audit clean and every proof and bundle taken before the move still verifying after it; a tampered target, a target with a deployment, a running server and a second run refused."""
import base64
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import time
import unittest

from dispute_kit import T0, TOKEN_TTL, cny
from harness import (BIN, Server, World, logistics_body, message_body, run_cli,
                     unique_png)
from pg_cluster import PgCluster
from tlog_client import leaf_hash, mth, served_entries

_n = [0]


def fresh_name(prefix):
    _n[0] += 1
    return "%s_%d_%d" % (prefix, os.getpid(), _n[0])


def fill(srv, platform):
    """Orders, messages, logistics, a blob, disputes (one paid by the merchant), funds."""
    world = World(srv, platform)

    def req(method, path, body=None, token=platform, **kw):
        r = srv.request(method, path, body, token=token, **kw)
        assert r.status in (200, 201), (path, r.status, r.body)
        return r.body

    req("POST", "/v1/funds/guarantee", {"amount": 100000, "reference": "fund"})
    for i in range(3):
        m = world.merchant()
        lst = world.listing(m["id"], price=1999 + i)
        o = world.order(m["id"], lst["id"], unit_price=1999 + i)
        world.post("/v1/orders/%s/logistics" % o["id"],
                   logistics_body(status="signed", occurred_at="2025-09-29T01:00:00Z"))
        # text that COPY must escape: a tab, a backslash, a newline in the JSON's escapes
        world.post("/v1/orders/%s/messages" % o["id"],
                   message_body(text="杯子漏水\t\\ 第%d次\n请退货" % i))
        req("POST", "/v1/funds/credits", {"merchant": m["id"], "account": "settlement",
                                          "amount": 5000, "reference": "sales"})
        consumer = world.token_for("consumer", o["consumer"]["id"], ttl=TOKEN_TTL)["token"]
        merchant = world.token_for("merchant", m["id"], ttl=TOKEN_TTL)["token"]
        r = srv.request("POST", "/v1/blobs", raw=unique_png(),
                        headers={"Content-Type": "image/png"}, token=consumer)
        assert r.status == 201, r.body
        d = req("POST", "/v1/disputes", {"order": o["id"], "reason": "quality",
                                         "claim": {"type": "refund", "amount": cny(1999 + i)}},
                token=consumer)
        if i == 0:
            req("POST", "/v1/disputes/%s/responses" % d["id"], {"action": "accept"},
                token=merchant)


def sqlite_rows(db_path):
    """{table: sorted list of rows as canonical JSON}, bytes as "\\x…" the way PostgreSQL shows BYTEA."""
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    try:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        out = {}
        for t in tables:
            cur = db.execute('SELECT * FROM "%s"' % t)
            names = [c[0] for c in cur.description]
            rows = []
            for row in cur:
                rows.append(json.dumps({n: ("\\x" + v.hex() if isinstance(v, bytes) else v)
                                        for n, v in zip(names, row)},
                                       sort_keys=True, ensure_ascii=False))
            out[t] = sorted(rows)
        return out
    finally:
        db.close()


def served_checkpoint(srv):
    """The checkpoint the server serves: (its bytes, its size, its root)."""
    r = srv.request("GET", "/checkpoint")
    assert r.status == 200, r.status
    raw = r.body if isinstance(r.body, bytes) else r.body.encode()
    lines = raw.decode().split("\n")
    return raw, int(lines[1]), base64.b64decode(lines[2])


def sealed_records(srv, platform):
    """{(kind, id): (leaf_index, leaf_hash)} of the orders, their merchants, payments,
    logistics and messages, as the server shows their seals."""
    def get(path):
        r = srv.request("GET", path, token=platform)
        assert r.status == 200, (path, r.status, r.body)
        return r.body

    out = {}

    def note(kind, rid, rec):
        out[(kind, rid)] = (rec["sealed"]["leaf_index"], rec["sealed"]["leaf_hash"])

    for o in get("/v1/orders?limit=100")["data"]:
        note("order", o["id"], o)
        note("payment", o["id"], o["payment"])   # an order's one payment has no id of its own
        m = get("/v1/merchants/%s" % o["merchant"])
        note("merchant", m["id"], m)
        for sub in ("logistics", "messages"):
            for i, rec in enumerate(get("/v1/orders/%s/%s?limit=100" % (o["id"], sub))["data"]):
                note(sub, rec.get("id") or "%s-%d" % (o["id"], i), rec)
    return out


class PostgresMigrateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PgCluster().start()
        cls.tmp = tempfile.mkdtemp(prefix="disputed-pgmig-")
        cls.source = os.path.join(cls.tmp, "source")
        # a SQLite data directory, whichever backend the run's other Servers are on
        res = run_cli("init", "--data", cls.source)
        if res.returncode != 0:
            cls.pg.stop()
            raise RuntimeError("disputed init failed: %s" % res.stderr.decode())
        srv = Server(data_dir=cls.source, init=False)
        try:
            platform = cls.platform = srv.key_create("platform", "e2e platform")
            srv.start(args=["--test-clock=" + T0])
            fill(srv, platform)
            srv.stop()
        except BaseException:
            srv.cleanup()
            cls.pg.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.pg.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def data_copy(self):
        """A data directory of the test's own, a copy of the filled one."""
        data = os.path.join(self.tmp, fresh_name("data"))
        shutil.copytree(self.source, data)
        return data

    def psql(self, url, sql):
        res = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        return res.stdout.decode()

    def pg_rows(self, url, table):
        out = self.psql(url, 'SELECT row_to_json(t)::text FROM "%s" t' % table)
        return sorted(json.dumps(json.loads(line), sort_keys=True, ensure_ascii=False)
                      for line in out.splitlines() if line)

    def pg_count(self, url, table):
        return int(self.psql(url, 'SELECT count(*) FROM "%s"' % table).strip())

    def migrate(self, data, url, *extra):
        return run_cli("migrate", "--from", "sqlite:" + data, "--to", url, *extra)

    def conf(self, data):
        path = os.path.join(data, "disputed.conf")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return f.read()

    def test_every_table_arrives_row_for_row_and_the_directory_names_the_database(self):
        data = self.data_copy()
        url = self.pg.create_database(fresh_name("mig"))
        want = sqlite_rows(os.path.join(data, "disputed.db"))
        for t in ("orders", "disputes", "dispute_events", "fund_entries", "fund_legs",
                  "seals", "messages", "blobs", "meta"):
            self.assertTrue(want[t], "the source has no rows in %s" % t)
        res = self.migrate(data, url)
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        out = res.stdout.decode()
        self.assertIn("every table checked", out)
        for t, rows in want.items():
            self.assertRegex(out, r"\n%s +%d  [0-9a-f]{16}\n" % (t, len(rows)))
            self.assertEqual(self.pg_rows(url, t), rows, "table %s differs" % t)
        # the URL is in the config, only now; the log, keys, blobs and the old database stay
        self.assertIn("db=" + url, self.conf(data))
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(data, "disputed.conf")).st_mode),
                         0o600)
        for kept in ("disputed.db", "keys", "blobs", "tile"):
            self.assertTrue(os.path.exists(os.path.join(data, kept)), kept)
        # identity sequences start past the copied rows
        top = int(self.psql(url, "SELECT max(seq) FROM orders").strip())
        nxt = int(self.psql(url, "SELECT nextval(pg_get_serial_sequence('orders', 'seq'))")
                  .strip())
        self.assertGreater(nxt, top)
        # a second run is refused and changes nothing
        before = {t: self.pg_count(url, t) for t in ("orders", "seals", "fund_legs")}
        res = self.migrate(data, url)
        self.assertEqual(res.returncode, 1)
        self.assertIn(b"already names its database", res.stderr)
        res = run_cli("migrate", "--data", data, "--to", self.pg.create_database(fresh_name("m")))
        self.assertEqual(res.returncode, 1)
        self.assertEqual({t: self.pg_count(url, t) for t in before}, before)
        # the directory now names PostgreSQL: its keys are read from there, and the
        # audit of the moved records, seals and ledger against the log passes
        res = run_cli("key", "list", "--data", data)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn(b"platform", res.stdout)
        res = run_cli("audit", "--data", data)
        self.assertEqual(res.returncode, 0, res.stdout.decode()[-3000:] + res.stderr.decode())
        self.assertTrue(res.stdout.decode().rstrip().endswith(": 0 problems"), res.stdout[-2000:])

    def verify(self, vkey, path, *extra):
        return subprocess.run([BIN, "verify", "--vkey", vkey] + list(extra) + [path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)

    def test_proofs_and_bundles_taken_before_the_move_still_verify_after_it(self):
        data = self.data_copy()
        url = self.pg.create_database(fresh_name("proofs"))
        res = run_cli("log", "vkey", "--data", data)
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        vkey = res.stdout.decode().strip()
        saved = os.path.join(self.tmp, fresh_name("saved"))
        os.mkdir(saved)

        # on SQLite: the records' seals, an inclusion proof of each, and a bundle per order
        srv = Server(data_dir=data, init=False)
        self.addCleanup(srv.cleanup)
        srv.start(args=["--test-clock=" + T0])
        seals = sealed_records(srv, self.platform)
        self.assertGreaterEqual(len(seals), 12)
        orders = sorted(rid for kind, rid in seals if kind == "order")
        bundles = {}
        for o in orders:
            r = srv.request("GET", "/v1/orders/%s/bundle" % o, token=self.platform,
                            raw_reply=True)
            self.assertEqual(r.status, 200, r.body)
            bundles[o] = os.path.join(saved, o + ".json")
            with open(bundles[o], "wb") as f:
                f.write(r.body)
        old_raw, old_size, old_root = served_checkpoint(srv)
        entries = served_entries(srv, old_size)
        self.assertEqual(mth([leaf_hash(e) for e in entries]), old_root)
        proofs = {}
        for key, (index, _) in seals.items():
            r = srv.request("GET", "/v1/log/entries/%d/proof" % index)
            self.assertEqual(r.status, 200, r.body)
            proofs[key] = os.path.join(saved, "%s-%s.proof" % key)
            with open(proofs[key], "wb") as f:
                f.write(r.body if isinstance(r.body, bytes) else r.body.encode())
            with open(proofs[key] + ".entry", "wb") as f:
                f.write(entries[index])
        srv.stop()

        res = self.migrate(data, url)
        self.assertEqual(res.returncode, 0, res.stderr.decode())

        # on PostgreSQL: the same records at the same leaves, and the log grows past them
        srv = Server(data_dir=data, init=False)
        self.addCleanup(srv.cleanup)
        srv.start(args=["--test-clock=" + T0])
        self.assertEqual(sealed_records(srv, self.platform), seals)
        world = World(srv, self.platform)
        m = world.merchant()
        o = world.order(m["id"], world.listing(m["id"])["id"])
        self.assertGreaterEqual(o["sealed"]["leaf_index"], old_size)
        for _ in range(100):
            new_raw, new_size, new_root = served_checkpoint(srv)
            if new_size > o["sealed"]["leaf_index"]:
                break
            time.sleep(0.1)
        self.assertGreater(new_size, o["sealed"]["leaf_index"])
        # the new tree holds the old one as its prefix, byte for byte
        new_entries = served_entries(srv, new_size)
        self.assertEqual(new_entries[:old_size], entries)
        self.assertEqual(mth([leaf_hash(e) for e in new_entries]), new_root)
        for key, (index, lh) in seals.items():
            # the proof taken before still proves its entry to the old checkpoint ...
            res = self.verify(vkey, proofs[key], "--entry", proofs[key] + ".entry")
            self.assertEqual(res.returncode, 0, (key, res.stdout, res.stderr))
            # ... and the server on PostgreSQL proves the same entry to the new one
            r = srv.request("GET", "/v1/log/entries/%d/proof" % index)
            self.assertEqual(r.status, 200, r.body)
            fresh = os.path.join(saved, "%s-%s.new" % key)
            with open(fresh, "wb") as f:
                f.write(r.body if isinstance(r.body, bytes) else r.body.encode())
            res = self.verify(vkey, fresh, "--entry", proofs[key] + ".entry")
            self.assertEqual(res.returncode, 0, (key, res.stdout, res.stderr))
        # a fresh bundle on PostgreSQL names the same leaves as the one saved before
        for o_id in orders:
            r = srv.request("GET", "/v1/orders/%s/bundle" % o_id, token=self.platform,
                            raw_reply=True)
            self.assertEqual(r.status, 200, r.body)
            with open(bundles[o_id], "rb") as f:
                old = json.load(f)
            new = json.loads(r.body)
            self.assertEqual({x["id"]: x["leaf_index"] for x in old["records"]},
                             {x["id"]: x["leaf_index"] for x in new["records"]
                              if x["id"] in {y["id"] for y in old["records"]}})
        srv.stop()

        # the bundles saved before verify alone, and against a copy of the log as it is
        # now: a consistency proof from their checkpoint to the one served after the move
        mirror = os.path.join(self.tmp, fresh_name("mirror"))
        os.mkdir(mirror)
        shutil.copy(os.path.join(data, "checkpoint"), mirror)
        shutil.copytree(os.path.join(data, "tile"), os.path.join(mirror, "tile"))
        with open(os.path.join(mirror, "checkpoint"), "rb") as f:
            self.assertEqual(f.read(), new_raw)
        self.assertNotEqual(new_raw, old_raw)
        for o_id, path in bundles.items():
            res = self.verify(vkey, path)
            self.assertEqual(res.returncode, 0, res.stdout.decode())
            res = self.verify(vkey, path, "--log", mirror)
            self.assertEqual(res.returncode, 0, res.stdout.decode())
            self.assertIn(b"log copy: signed tree of size %d, intact, consistent with the "
                          b"bundle's checkpoint" % new_size, res.stdout)
            self.assertIn(b"all of them in the bundle", res.stdout)
        res = run_cli("audit", "--data", data, timeout=120)
        self.assertEqual(res.returncode, 0, res.stdout.decode()[-3000:] + res.stderr.decode())
        self.assertTrue(res.stdout.decode().rstrip().endswith(": 0 problems"), res.stdout[-2000:])

    def test_a_target_that_alters_what_it_is_given_is_refused_and_keeps_nothing(self):
        data = self.data_copy()
        url = self.pg.create_database(fresh_name("tamper"))
        # the schema in place (as a migration leaves it), and a trigger that rewrites bodies
        scratch = os.path.join(self.tmp, fresh_name("scratch"))
        res = run_cli("init", "--data", scratch, "--db", url)
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        self.psql(url, "DELETE FROM meta; CREATE FUNCTION tamper() RETURNS trigger "
                       "LANGUAGE plpgsql AS $$ BEGIN NEW.body := NEW.body || ' '; "
                       "RETURN NEW; END $$; CREATE TRIGGER tamper BEFORE INSERT ON disputes "
                       "FOR EACH ROW EXECUTE FUNCTION tamper()")
        res = self.migrate(data, url)
        self.assertEqual(res.returncode, 1, res.stdout.decode())
        self.assertIn(b"table disputes: its rows in PostgreSQL differ", res.stderr)
        self.assertIn(b"nothing was kept", res.stderr)
        for t in ("orders", "disputes", "seals", "meta"):
            self.assertEqual(self.pg_count(url, t), 0, t)
        self.assertIsNone(self.conf(data))

    def test_a_target_holding_a_deployment_is_refused(self):
        data = self.data_copy()
        url = self.pg.create_database(fresh_name("taken"))
        res = run_cli("init", "--data", os.path.join(self.tmp, fresh_name("other")), "--db", url)
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        res = self.migrate(data, url)
        self.assertEqual(res.returncode, 1)
        self.assertIn(b"already holds a disputed deployment", res.stderr)
        self.assertEqual(self.pg_count(url, "orders"), 0)
        self.assertIsNone(self.conf(data))

    def test_a_running_server_is_refused(self):
        data = self.data_copy()
        url = self.pg.create_database(fresh_name("busy"))
        srv = Server(data_dir=data, init=False)
        self.addCleanup(srv.cleanup)
        srv.start()
        res = self.migrate(data, url)
        self.assertEqual(res.returncode, 1)
        self.assertIn(b"a server is running", res.stderr)
        # nothing touched the target: not even its schema
        self.assertEqual(self.psql(url, "SELECT count(*) FROM pg_tables "
                                        "WHERE schemaname = 'public'").strip(), "0")
        self.assertIsNone(self.conf(data))
        srv.stop()
        res = self.migrate(data, url)
        self.assertEqual(res.returncode, 0, res.stderr.decode())

    def test_bad_arguments_are_refused(self):
        data = self.data_copy()
        res = self.migrate(data, "postgres://u:secret-pw@127.0.0.1:%d/x" % self.pg.port)
        self.assertEqual(res.returncode, 1)
        self.assertNotIn(b"secret-pw", res.stderr + res.stdout)
        self.assertIn(b"PGPASSFILE", res.stderr)
        res = run_cli("migrate", "--from", data, "--to", self.pg.url)
        self.assertEqual(res.returncode, 1)
        self.assertIn(b"sqlite:DIR", res.stderr)
        res = run_cli("migrate", "--from", "sqlite:" + os.path.join(self.tmp, "none"),
                      "--to", self.pg.url)
        self.assertEqual(res.returncode, 1)
        self.assertIn(b"no SQLite database", res.stderr)
        self.assertEqual(run_cli("migrate", "--to", self.pg.url).returncode, 2)


if __name__ == "__main__":
    unittest.main()
