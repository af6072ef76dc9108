"""test_import_sealing.py - records imported offline are sealed at once; imported while a server runs, the server seals them."""
import json
import os
import signal
import subprocess
import tempfile
import time
import unittest

from harness import BIN, Server, audit_settled, listing_body, merchant_body, order_body, run_cli
from tlog_client import stored_size


def import_file(lines):
    f = tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False, encoding="utf-8")
    for rec in lines:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    f.close()
    return f.name


class ImportSealingTest(unittest.TestCase):

    def setUp(self):
        self.srv = Server()
        self.addCleanup(self.srv.cleanup)
        self.platform = self.srv.key_create("platform", "e2e platform")

    def test_offline_import_seals_every_record_before_it_returns(self):
        path = import_file([dict(merchant_body(), type="merchant", external_id="imp-off-1")])
        self.addCleanup(os.unlink, path)
        r = run_cli("import", "--data", self.srv.data_dir, path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"sealed 1 leaves", r.stdout)
        self.srv.start()
        self.addCleanup(self.srv.stop)
        m = self.srv.request("GET", "/v1/merchants/imp-off-1", token=self.platform).body
        self.assertIn("sealed", m)

    def test_import_while_serving_is_sealed_by_the_server(self):
        self.srv.start()
        self.addCleanup(self.srv.stop)
        path = import_file([dict(merchant_body(), type="merchant", external_id="imp-live-1")])
        self.addCleanup(os.unlink, path)
        r = run_cli("import", "--data", self.srv.data_dir, path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"the running server seals", r.stdout)
        deadline = time.time() + 15
        while time.time() < deadline:
            m = self.srv.request("GET", "/v1/merchants/imp-live-1", token=self.platform).body
            if "sealed" in m:
                break
            time.sleep(0.25)
        self.assertIn("sealed", m, "the server did not seal the imported record")
        audit = run_cli("audit", "--data", self.srv.data_dir)
        self.assertEqual(audit.returncode, 0, audit.stdout)


class ImportKilledTest(unittest.TestCase):
    """An offline import seals each batch while it writes the next: killed at any
    point, what it committed is sealed by the log's next holder, and the same file
    imported again takes the rest, each record once."""

    ORDERS = 6000

    def test_an_import_killed_while_sealing_loses_nothing_and_repeats_nothing(self):
        srv = Server()
        self.addCleanup(srv.cleanup)
        m = merchant_body()
        lst = listing_body(m["external_id"])
        setup = import_file([dict(m, type="merchant"), dict(lst, type="listing")])
        self.addCleanup(os.unlink, setup)
        r = run_cli("import", "--data", srv.data_dir, setup)
        self.assertEqual(r.returncode, 0, r.stderr)
        before = stored_size(srv.data_dir)
        orders = import_file([dict(order_body(m["external_id"], lst["external_id"]), type="order")
                              for _ in range(self.ORDERS)])
        self.addCleanup(os.unlink, orders)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTED_")}
        p = subprocess.Popen([BIN, "import", "--data", srv.data_dir, orders], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while stored_size(srv.data_dir) == before and p.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.005)
        p.send_signal(signal.SIGKILL)
        p.communicate()
        mid = stored_size(srv.data_dir)
        self.assertGreater(mid, before, "the import sealed nothing while it ran")
        self.assertLess(mid, before + 2 * self.ORDERS, "the import finished before the kill")
        # the next holder of the log (a server) seals what the killed import committed
        srv.start()
        audit = audit_settled(srv.data_dir, wait=30)
        self.assertEqual(audit.returncode, 0, audit.stdout)
        srv.stop()
        # the same file again: the lines stored are refused as taken, the rest imported
        r = run_cli("import", "--data", srv.data_dir, orders, timeout=300)
        out = r.stdout.decode()
        taken = int(out.split("imported ")[1].split(" records, rejected ")[1].split()[0])
        done = int(out.split("imported ")[1].split()[0])
        self.assertEqual(done + taken, self.ORDERS, out)
        self.assertGreater(taken, 0, out)
        # sealed while it still wrote lines, not in one pass after the last
        self.assertGreater(done, 0, out)
        self.assertEqual(stored_size(srv.data_dir), before + 2 * self.ORDERS, out)
        audit = run_cli("audit", "--data", srv.data_dir, timeout=120)
        self.assertEqual(audit.returncode, 0, audit.stdout)
        self.assertIn(("audited %d sealed records" % (before + 2 * self.ORDERS)).encode(),
                      audit.stdout)


if __name__ == "__main__":
    unittest.main()
