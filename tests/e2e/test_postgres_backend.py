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

    def test_an_unknown_backend_is_refused(self):
        rc, out, err = self.run_harness("mysql")
        self.assertNotEqual(rc, 0)
        self.assertIn("DISPUTED_TEST_BACKEND=mysql: it is one of sqlite, postgres", err)


if __name__ == "__main__":
    unittest.main()
