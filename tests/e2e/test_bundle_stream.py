"""test_bundle_stream.py - bundles are streamed: six at once of an order with a 16 MB attachment do not grow the server's memory by their size, and each is byte-exact."""
import hashlib
import os
import random
import subprocess
import tempfile
import threading
import unittest

from harness import BIN, ServerTestCase, message_body, peak_rss_kib, run_cli

BLOB_BYTES = 16 << 20
READERS = 6


class BundleStreamTest(ServerTestCase, unittest.TestCase):

    def test_six_large_bundles_at_once_stay_within_bounded_memory(self):
        m, lst, o = self.world.shop()
        rng = random.Random(7)
        text = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz \n") for _ in range(4096))
        data = (text * (BLOB_BYTES // len(text) + 1))[:BLOB_BYTES]
        r = self.req("POST", "/v1/blobs", raw=data, headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 201, r.body)
        blob = r.body["id"]
        self.world.post("/v1/orders/%s/messages" % o["id"], message_body(attachments=[blob]))
        # one bundle first: the store's caches and the log's tiles are warm
        first = self.req("GET", "/v1/orders/%s/bundle" % o["id"], raw_reply=True)
        self.assertEqual(first.status, 200)
        self.assertGreater(len(first.body), BLOB_BYTES * 4 // 3)
        pid = self.srv.proc.pid
        before = peak_rss_kib(pid)
        results = [None] * READERS

        def read(i):
            results[i] = self.req("GET", "/v1/orders/%s/bundle" % o["id"], raw_reply=True)

        threads = [threading.Thread(target=read, args=(i,)) for i in range(READERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        grown_mib = (peak_rss_kib(pid) - before) / 1024.0
        digest = hashlib.sha256(first.body).hexdigest()
        for res in results:
            self.assertEqual(res.status, 200)
            self.assertEqual(res.headers.get("Content-Length"), str(len(first.body)))
            self.assertEqual(hashlib.sha256(res.body).hexdigest(), digest)
        # six bundles of 22 MB of base64 each, held whole, would take well over 130 MB
        self.assertLess(grown_mib, 40, "peak memory grew by %.0f MiB" % grown_mib)
        vkey = run_cli("log", "vkey", "--data", self.srv.data_dir).stdout.decode().strip()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "b.json")
            with open(path, "wb") as f:
                f.write(first.body)
            ok = subprocess.run([BIN, "verify", "--vkey", vkey, path], stdout=subprocess.PIPE)
            self.assertEqual(ok.returncode, 0, ok.stdout[-2000:])
            self.assertIn(b"content matches its digest", ok.stdout)

    def test_a_blob_file_changed_on_disk_cuts_the_bundle_short(self):
        m, lst, o = self.world.shop()
        data = b"evidence photo stand-in " * 1000
        r = self.req("POST", "/v1/blobs", raw=data, headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 201, r.body)
        hexd = r.body["id"].split(":")[1]
        self.world.post("/v1/orders/%s/messages" % o["id"],
                        message_body(attachments=[r.body["id"]]))
        path = os.path.join(self.srv.data_dir, "blobs", hexd[:2], hexd)
        orig = open(path, "rb").read()
        try:
            open(path, "wb").write(bytes([orig[0] ^ 1]) + orig[1:])
            with self.assertRaises(Exception):
                # the reply stops before its Content-Length: the client sees it cut short
                self.req("GET", "/v1/orders/%s/bundle" % o["id"], raw_reply=True)
        finally:
            open(path, "wb").write(orig)
        ok = self.req("GET", "/v1/orders/%s/bundle" % o["id"], raw_reply=True)
        self.assertEqual(ok.status, 200)


if __name__ == "__main__":
    unittest.main()
