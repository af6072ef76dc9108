"""test_import_sealing.py - records imported offline are sealed at once; imported while a server runs, the server seals them."""
import json
import os
import tempfile
import time
import unittest

from harness import Server, merchant_body, run_cli


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


if __name__ == "__main__":
    unittest.main()
