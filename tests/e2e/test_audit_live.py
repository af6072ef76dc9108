"""test_audit_live.py - the commands that read a live server's data: `disputed audit` while records are sealed reports nothing but seals still on their way into the log (and once the writes stop, nothing at all), and it and the reports run beside a writer that holds the database's write lock, which they never take."""
import os
import re
import sqlite3
import time
import unittest

import crashloop
from harness import BACKEND, Server, audit_settled, run_cli

ROUNDS = 6


class LiveAuditTest(unittest.TestCase):

    def test_an_audit_during_writes_finds_no_tampering(self):
        srv = Server()
        try:
            token = srv.key_create("platform", "live audit")
            srv.start()
            merchant, listing, acked = crashloop.first_order(srv, token)
            stop, threads = crashloop.start_writers(srv, token, merchant, listing, acked,
                                                    range(crashloop.WRITERS))
            try:
                seen = 0
                for _ in range(ROUNDS):
                    before = len(acked.orders) + len(acked.children)
                    r = run_cli("audit", "--data", srv.data_dir, timeout=120)
                    out = r.stdout.decode()
                    self.assertIn(r.returncode, (0, 1), r.stderr.decode())
                    self.assertRegex(out, r"audited \d+ sealed records")
                    wrong = [line for line in re.findall(r"^PROBLEM .*$", out, re.M)
                             if not line.endswith("(pending)")]
                    self.assertEqual(wrong, [], out[-4000:])
                    # the writers did write while this audit ran
                    seen += len(acked.orders) + len(acked.children) > before
            finally:
                crashloop.stop_writers(stop, threads)
            self.assertGreaterEqual(seen, ROUNDS - 1)
            res = audit_settled(srv.data_dir)
            self.assertEqual(res.returncode, 0, res.stdout.decode()[-4000:])
            self.assertTrue(res.stdout.decode().rstrip().endswith(": 0 problems"))
            srv.stop()
        finally:
            srv.cleanup()

    @unittest.skipIf(BACKEND != "sqlite", "SQLite's write lock")
    def test_the_audit_and_the_reports_do_not_wait_for_the_write_lock(self):
        srv = Server()
        try:
            token = srv.key_create("platform", "live reads")
            srv.start()
            crashloop.first_order(srv, token)
            srv.stop()
            # a writer holds the write lock (the server's writer, mid-transaction)
            db = sqlite3.connect(os.path.join(srv.data_dir, "disputed.db"),
                                 isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO meta (key, value) VALUES ('held', 'x')")
            try:
                reads = [("audit", "--data", srv.data_dir),
                         ("report", "compliance", "--data", srv.data_dir,
                          "--from", "2020-01-01T00:00:00Z", "--to", "2035-01-01T00:00:00Z"),
                         ("report", "merchant_verification", "--data", srv.data_dir),
                         ("risk", "eval", "--data", srv.data_dir),
                         ("key", "list", "--data", srv.data_dir)]
                for args in reads:
                    t0 = time.monotonic()
                    r = run_cli(*args, timeout=60)
                    # SQLite's busy wait is 10 s: a command that asked for the lock waits
                    # that long and then fails
                    self.assertEqual(r.returncode, 0, (args, r.stdout[-2000:], r.stderr))
                    self.assertLess(time.monotonic() - t0, 8, args)
            finally:
                db.execute("ROLLBACK")
                db.close()
        finally:
            srv.cleanup()


if __name__ == "__main__":
    unittest.main()
