"""test_log_cache.py - proofs and tiles served from the log's hash cache (or with sendfile) still verify: before and after a restart, while writes go on."""
import base64
import threading
import unittest

from harness import ServerTestCase
from tlog_client import leaf_hash, mth, node_hash, served_entries, tile_path


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while (fn & 1) == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def parse_proof(text):
    """A tlog-proof file: (index, proof hashes, size, root)."""
    lines = text.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1", text
    at = 1
    if lines[at].startswith("extra "):
        at += 1
    assert lines[at].startswith("index "), text
    index = int(lines[at][6:])
    hashes = []
    at += 1
    while lines[at]:
        hashes.append(base64.b64decode(lines[at], validate=True))
        at += 1
    size, root = int(lines[at + 2]), base64.b64decode(lines[at + 3], validate=True)
    return index, hashes, size, root


class LogCacheTest(ServerTestCase, unittest.TestCase):

    def get(self, path):
        return self.req("GET", path, token=None, raw_reply=True)

    def size(self):
        r = self.req("GET", "/checkpoint", token=None, raw_reply=True)
        self.assertEqual(r.status, 200)
        return int(r.body.decode().split("\n")[1])

    def grow(self, count):
        while self.size() < count:
            self.world.merchant()

    def check_proof(self, index, leaves):
        r = self.get("/v1/log/entries/%d/proof" % index)
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.headers.get("Content-Type", "").startswith("text/plain"))
        at, proof, size, root = parse_proof(r.body.decode())
        self.assertEqual(at, index)
        self.assertLessEqual(size, len(leaves))
        self.assertEqual(mth(leaves[:size]), root)
        self.assertTrue(verify_inclusion(index, size, leaves[index], proof, root),
                        "proof of %d at %d" % (index, size))

    def check_tiles(self, size, leaves):
        """Every tile of the tree, level 0 and 1, is what the leaves say, with its headers."""
        for n in range((size + 255) // 256):
            width = min(256, size - 256 * n)
            t = self.get(tile_path("0", n, width))
            self.assertEqual(t.status, 200)
            self.assertEqual(t.headers.get("Content-Type"), "application/octet-stream")
            self.assertEqual(t.headers.get("Cache-Control"),
                             "public, max-age=31536000, immutable" if width == 256 else "no-cache")
            self.assertEqual(t.body, b"".join(leaves[256 * n:256 * n + width]))
        if size >= 256:
            t = self.get(tile_path("1", 0, size // 256))
            self.assertEqual(t.status, 200)
            self.assertEqual(t.body, b"".join(mth(leaves[256 * k:256 * k + 256])
                                              for k in range(size // 256)))

    def test_served_proofs_and_tiles_verify_before_and_after_a_restart(self):
        self.grow(300)
        size = self.size()
        leaves = [leaf_hash(e) for e in served_entries(self.srv, size)]
        self.assertEqual(len(leaves), size)
        picks = sorted({0, 1, 255, 256, 257, size // 2, size - 2, size - 1})
        for i in picks:
            self.check_proof(i, leaves)
        self.check_tiles(size, leaves)
        # a restarted server starts with an empty cache: tiles come from their files
        self.srv.stop()
        self.srv.start()
        self.check_tiles(size, leaves)
        for i in picks:
            self.check_proof(i, leaves)
        self.check_tiles(size, leaves)
        missing = self.get(tile_path("0", 99, 256))
        self.assertEqual(missing.status, 404)

    def test_proofs_served_while_records_are_sealed_verify(self):
        self.grow(20)
        stop, failures = threading.Event(), []

        def writer():
            while not stop.is_set():
                try:
                    self.world.merchant()
                except Exception as ex:  # noqa: BLE001 - reported below
                    failures.append(repr(ex))
                    return

        threads = [threading.Thread(target=writer) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            proofs = []
            for k in range(40):
                size = self.size()
                index = (k * 7919) % size
                r = self.get("/v1/log/entries/%d/proof" % index)
                self.assertEqual(r.status, 200, r.body)
                proofs.append(parse_proof(r.body.decode()))
                t = self.get(tile_path("0", 0, min(size, 256)))
                self.assertEqual(t.status, 200)
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertEqual(failures, [])
        leaves = [leaf_hash(e) for e in served_entries(self.srv, self.size())]
        for index, proof, size, root in proofs:
            self.assertEqual(mth(leaves[:size]), root)
            self.assertTrue(verify_inclusion(index, size, leaves[index], proof, root))


if __name__ == "__main__":
    unittest.main()
