"""test_postgres_demo.py - `disputed demo --db postgres://…` on a throwaway PostgreSQL cluster serves the same demo as on SQLite, its printed links work, and the audit finds no problem.

The demo's data follow from its seed and the moment it runs (orders up to now, deadlines
before now, this week's alerts), so both demos start together: the same seed at nearly the
same moment gives the same merchants and orders. What a minute's difference could move (a
dispute whose story ends just before or after now) is held to kinds, not counts.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

from harness import BIN, free_port, psql, run_cli
from pg_cluster import PgCluster

START_TIMEOUT = 180


class Demo:
    """One `disputed demo` on a free port; its printed keys and links, read as it serves."""

    def __init__(self, data, db=None):
        self.port = free_port()
        self.data = data
        args = [BIN, "demo", "--data", data, "--listen", "127.0.0.1:%d" % self.port]
        if db:
            args += ["--db", db]
        env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTED_")}
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env=env, text=True)
        self.lines = []

    def ready(self):
        """Read the printout up to "Stop with", then wait for the port."""
        until = time.time() + START_TIMEOUT
        while time.time() < until:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError("the demo ended: %s" % "".join(self.lines)[-2000:])
            self.lines.append(line)
            if line.startswith("Stop with"):
                break
        while time.time() < until:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the demo does not listen on %d" % self.port)

    def printed(self, pattern):
        for line in self.lines:
            m = re.match(pattern, line.strip())
            if m:
                return m.group(1)
        raise AssertionError("the demo printed no %r" % pattern)

    def link_token(self, party):
        return self.printed(r"^%s link: http://127\.0\.0\.1:%d/app/#token=(\S+)$"
                            % (party, self.port))

    def get(self, path, token):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path),
                                     headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def every(self, path, token):
        """Every item of a list route, page by page."""
        out, cursor = [], None
        sep = "&" if "?" in path else "?"
        while True:
            page = self.get(path + sep + "limit=100" + ("&cursor=" + cursor if cursor else ""),
                            token)
            out += page["data"]
            cursor = page.get("next_cursor")
            if not cursor:
                return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.proc.stdout.close()


class PostgresDemoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PgCluster().start()
        cls.tmp = tempfile.mkdtemp(prefix="disputed-pgdemo-")

    @classmethod
    def tearDownClass(cls):
        cls.pg.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def seen(self, demo):
        """What a demo serves, read over its API with the keys and links it printed."""
        platform = demo.printed(r"^platform key: (\S+)$")
        out = {
            "merchants": demo.every("/v1/merchants", platform),
            "orders": demo.every("/v1/orders", platform),
            "disputes": demo.every("/v1/disputes", platform),
            "disclosures": demo.every("/v1/disclosures", platform),
            "alerts": demo.every("/v1/alerts", platform),
            "whoami": {}, "own_disputes": {},
        }
        for party in ("consumer", "merchant", "court", "association", "agent", "regulator"):
            token = demo.link_token(party)
            out["whoami"][party] = demo.get("/v1/whoami", token)
            if party in ("consumer", "merchant"):
                out["own_disputes"][party] = demo.every("/v1/disputes", token)
        out["checkpoint_size"] = int(urllib.request.urlopen(
            "http://127.0.0.1:%d/checkpoint" % demo.port, timeout=10).read().split(b"\n")[1])
        return out

    def test_the_demo_on_postgresql_serves_what_it_serves_on_sqlite_and_audits_clean(self):
        url = self.pg.create_database("demo")
        lite_dir = os.path.join(self.tmp, "sqlite")
        pg_dir = os.path.join(self.tmp, "postgres")
        lite, onpg = Demo(lite_dir), Demo(pg_dir, url)
        self.addCleanup(lite.stop)
        self.addCleanup(onpg.stop)
        lite.ready()
        onpg.ready()

        # the records are in PostgreSQL, none in SQLite; the directory names the database
        self.assertIn("disputed demo: records on PostgreSQL %s\n" % url, onpg.lines)
        self.assertFalse(os.path.exists(os.path.join(pg_dir, "disputed.db")))
        with open(os.path.join(pg_dir, "disputed.conf")) as f:
            self.assertIn("db=" + url, f.read())
        self.assertGreater(int(psql(url, "SELECT count(*) FROM disputes").strip()), 0)

        a, b = self.seen(lite), self.seen(onpg)
        for kind in ("merchants", "orders"):
            self.assertGreater(len(a[kind]), 0, kind)
            self.assertEqual(len(b[kind]), len(a[kind]), kind)
        # the same shops (an order's external id carries the moment it was placed, which
        # follows the demo's start to the second)
        self.assertEqual(sorted(x["external_id"] for x in b["merchants"]),
                         sorted(x["external_id"] for x in a["merchants"]))
        for kind in ("disputes", "disclosures", "alerts"):
            self.assertGreater(len(b[kind]), 0, kind)
        # "disputes in every state": the same states on both
        self.assertEqual({d["state"] for d in b["disputes"]}, {d["state"] for d in a["disputes"]})
        self.assertGreaterEqual(len({d["state"] for d in b["disputes"]}), 6)
        self.assertEqual({d["state"] for d in b["disclosures"]},
                         {d["state"] for d in a["disclosures"]})
        # as many disputes as the demo says it made
        made = int(onpg.printed(r"^disputed demo: (\d+) disputes in every state"))
        self.assertEqual(len(b["disputes"]), made)
        # every printed link signs its party in, and the consumer and merchant see theirs
        for party, who in b["whoami"].items():
            self.assertEqual(who["role"], a["whoami"][party]["role"], party)
        for party in ("consumer", "merchant"):
            self.assertGreater(len(b["own_disputes"][party]), 0, party)
            subject = b["whoami"][party]["subject"]
            self.assertTrue(all(d[party] == subject for d in b["own_disputes"][party]), party)
        self.assertGreater(b["checkpoint_size"], len(b["orders"]))

        # stopped, each directory's audit finds nothing wrong
        lite.stop()
        onpg.stop()
        for data in (lite_dir, pg_dir):
            res = run_cli("audit", "--data", data, timeout=300)
            out = res.stdout.decode()
            self.assertEqual(res.returncode, 0, out[-3000:] + res.stderr.decode())
            self.assertTrue(out.rstrip().endswith(": 0 problems"), out[-2000:])
        sealed = re.search(r"audited (\d+) sealed records", out).group(1)
        self.assertGreater(int(sealed), len(b["orders"]))

    def test_a_database_that_holds_a_deployment_is_refused_before_anything_is_made(self):
        url = self.pg.create_database("taken")
        res = run_cli("init", "--data", os.path.join(self.tmp, "first"), "--db", url)
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        data = os.path.join(self.tmp, "second")
        res = run_cli("demo", "--data", data, "--db", url, "--listen", "127.0.0.1:%d" % free_port())
        self.assertEqual(res.returncode, 1)
        self.assertIn(b"already holds a disputed deployment", res.stderr)
        self.assertFalse(os.path.exists(data))
        res = run_cli("demo", "--data", data, "--db", "sqlite:" + data)
        self.assertEqual(res.returncode, 1)
        self.assertIn(b"--db takes a postgres:// URL", res.stderr)


if __name__ == "__main__":
    unittest.main()
