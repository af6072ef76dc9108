"""test_audit_live.py - `disputed audit` of a server that keeps writing: while records are sealed during the audit, it reports nothing but seals still on their way into the log, and once the writes stop, nothing at all."""
import re
import threading
import time
import unittest

import crashloop
from harness import Server, World, audit_settled, run_cli

ROUNDS = 6


class LiveAuditTest(unittest.TestCase):

    def test_an_audit_during_writes_finds_no_tampering(self):
        srv = Server()
        try:
            token = srv.key_create("platform", "live audit")
            srv.start()
            world = World(srv, token)
            merchant = world.merchant()["id"]
            listing = world.listing(merchant)["id"]
            acked = crashloop.Acked()
            acked.order(world.order(merchant, listing)["id"])
            stop = threading.Event()
            threads = [threading.Thread(target=crashloop.writer, daemon=True,
                                        args=(srv, token, merchant, listing, acked, stop, seed))
                       for seed in range(crashloop.WRITERS)]
            for t in threads:
                t.start()
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
                stop.set()
                for t in threads:
                    t.join(15)
            self.assertGreaterEqual(seen, ROUNDS - 1)
            res = audit_settled(srv.data_dir)
            self.assertEqual(res.returncode, 0, res.stdout.decode()[-4000:])
            self.assertTrue(res.stdout.decode().rstrip().endswith(": 0 problems"))
            srv.stop()
        finally:
            srv.cleanup()


if __name__ == "__main__":
    unittest.main()
