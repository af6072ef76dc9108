"""test_postgres_backend.py - the e2e harness's backend switch: DISPUTED_TEST_BACKEND=postgres gives every Server a fresh database of one throwaway cluster per run, stopped when the run ends."""
import json
import os
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))

# A test run in miniature: two Servers, then what the harness made of them.
RUN = r'''
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import harness
servers = [harness.Server(), harness.Server()]
conf = os.path.join(servers[0].data_dir, "disputed.conf")
print(json.dumps({
    "urls": [s.db_url for s in servers],
    "conf": open(conf).read() if os.path.exists(conf) else None,
    "sqlite": os.path.exists(servers[0].db_path),
    "counts": servers[0].counts(),
    "cluster": harness._pg[0].dir if harness._pg else None,
}), flush=True)
for s in servers:
    s.cleanup()
if sys.argv[2] == "fail":
    raise RuntimeError("a test run that fails")
if sys.argv[2] == "hang":
    time.sleep(120)
'''

# The harness's SQL on a data directory, whichever the backend: what comes back.
RUN_SQL = r'''
import json, os, sys
sys.path.insert(0, sys.argv[1])
import harness
srv = harness.Server()
got = {"backend": srv.backend}
tricky = "it's ? a :'p1' \\x00 值"
got["values"] = srv.sql("SELECT count(*), ?, ?, ?, ?, 'a?b', NULL FROM meta WHERE key <> ?",
                        (7, tricky, b"\x00\xffkey", None, "none"))
got["where"] = srv.sql("SELECT key FROM meta WHERE key = ?", ("origin",))
try:
    srv.sql_many(["DELETE FROM meta", "SELECT nosuch FROM meta"])
    got["refused"] = False
except harness.SqlError:
    got["refused"] = True
got["kept"] = srv.sql("SELECT count(*) FROM meta")
copy = harness.copy_data(srv.data_dir, os.path.join(srv.tmp, "copy"))
harness.sql(copy, "DELETE FROM meta WHERE key = ?", ("origin",))
got["copy"] = harness.sql(copy, "SELECT count(*) FROM meta")
got["original"] = srv.sql("SELECT count(*) FROM meta")
srv.cleanup()
print(json.dumps(got, default=lambda b: "bytes:" + b.hex()), flush=True)
'''


class PostgresBackendTest(unittest.TestCase):

    def run_harness(self, backend, how="ok"):
        env = dict(os.environ)
        env.pop("DISPUTED_TEST_BACKEND", None)
        if backend:
            env["DISPUTED_TEST_BACKEND"] = backend
        proc = subprocess.Popen([sys.executable, "-c", RUN, HERE, how], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if how == "hang":
            line = proc.stdout.readline()
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=90)
            out = line + out
        else:
            out, err = proc.communicate(timeout=180)
        return proc.returncode, out.decode(), err.decode()

    def assertGone(self, cluster):
        for _ in range(50):
            if not os.path.exists(cluster):
                return
            time.sleep(0.1)
        self.fail("the cluster in %s outlived the run" % cluster)

    def test_each_server_gets_a_fresh_database_of_one_cluster_stopped_at_exit(self):
        rc, out, err = self.run_harness("postgres")
        self.assertEqual(rc, 0, err)
        got = json.loads(out.splitlines()[0])
        a, b = got["urls"]
        self.assertTrue(a.startswith("postgres://postgres@127.0.0.1:"), a)
        self.assertNotEqual(a, b)
        self.assertEqual(a.rsplit("/", 1)[0], b.rsplit("/", 1)[0])  # one cluster
        self.assertIn("db=" + a, got["conf"])
        self.assertFalse(got["sqlite"])
        # init --db migrated it and recorded the origin; nothing else is in it yet
        self.assertEqual(got["counts"]["meta"], 2)
        self.assertEqual(got["counts"]["orders"], 0)
        self.assertNotIn("schema_migrations", got["counts"])
        self.assertGone(got["cluster"])

    def test_the_cluster_is_stopped_after_a_failure_and_on_sigterm(self):
        rc, out, err = self.run_harness("postgres", "fail")
        self.assertEqual(rc, 1)
        self.assertIn("a test run that fails", err)
        self.assertGone(json.loads(out.splitlines()[0])["cluster"])
        rc, out, err = self.run_harness("postgres", "hang")
        self.assertEqual(rc, 128 + signal.SIGTERM, err)
        self.assertGone(json.loads(out.splitlines()[0])["cluster"])

    def test_sqlite_stays_the_default(self):
        rc, out, err = self.run_harness(None)
        self.assertEqual(rc, 0, err)
        got = json.loads(out.splitlines()[0])
        self.assertEqual(got["urls"], [None, None])
        self.assertIsNone(got["conf"])
        self.assertTrue(got["sqlite"])
        self.assertIsNone(got["cluster"])
        self.assertEqual(got["counts"]["orders"], 0)

    def test_sql_on_a_data_directory_gives_the_same_rows_on_both_backends(self):
        runs = {}
        for backend in ("sqlite", "postgres"):
            proc = subprocess.run([sys.executable, "-c", RUN_SQL, HERE],
                                  env=dict(os.environ, DISPUTED_TEST_BACKEND=backend),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180)
            self.assertEqual(proc.returncode, 0, proc.stderr.decode())
            runs[backend] = json.loads(proc.stdout.decode().splitlines()[-1])
            self.assertEqual(runs[backend].pop("backend"), backend)
        want = {
            "values": [[2, 7, "it's ? a :'p1' \\x00 值", "bytes:00ff6b6579", None, "a?b", None]],
            "where": [["origin"]],
            "refused": True,            # and the DELETE before the refused statement undone:
            "kept": [[2]],
            "copy": [[1]],              # a copy's database is its own
            "original": [[2]],
        }
        self.assertEqual(runs["sqlite"], want)
        self.assertEqual(runs["postgres"], want)

    def test_an_unknown_backend_is_refused(self):
        rc, out, err = self.run_harness("mysql")
        self.assertNotEqual(rc, 0)
        self.assertIn("DISPUTED_TEST_BACKEND=mysql: it is one of sqlite, postgres", err)


if __name__ == "__main__":
    unittest.main()
