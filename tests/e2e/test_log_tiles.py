"""test_log_tiles.py - the evidence log's public read API (C2SP tlog-tiles): a client mirrors the tiles and bundles over HTTP and recomputes the signed root."""
import base64
import unittest

from harness import ServerTestCase
from tlog_client import bundle_entries, leaf_hash, mth, tile_path


class LogTilesTest(ServerTestCase, unittest.TestCase):

    def checkpoint(self):
        r = self.req("GET", "/checkpoint", token=None)
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.headers.get("Content-Type", "").startswith("text/plain"))
        text = r.body.decode("utf-8")
        body, sep, sigs = text.partition("\n\n")
        self.assertEqual(sep, "\n\n", text)
        origin, size, root = body.split("\n")
        self.assertTrue(origin)
        self.assertTrue(sigs.startswith("\u2014 " + origin + " "), text)
        return int(size), base64.b64decode(root, validate=True), r

    def get(self, path):
        return self.req("GET", path, token=None, raw_reply=True)

    def grow(self, count):
        """Add records (each sealed as a log entry) until the log holds `count` entries."""
        while self.checkpoint()[0] < count:
            self.world.merchant()

    def test_a_client_recomputes_the_signed_root_from_tiles_and_bundles(self):
        self.grow(3)
        size, root, _ = self.checkpoint()
        leaves = []
        for n in range((size + 255) // 256):
            width = min(256, size - 256 * n)
            tile = self.get(tile_path("0", n, width))
            bundle = self.get(tile_path("entries", n, width))
            self.assertEqual(tile.status, 200)
            self.assertEqual(bundle.status, 200)
            self.assertEqual(tile.headers.get("Content-Type"), "application/octet-stream")
            self.assertEqual(len(tile.body), 32 * width)
            entries = bundle_entries(bundle.body)
            self.assertEqual(len(entries), width)
            hashes = [tile.body[32 * i:32 * i + 32] for i in range(width)]
            self.assertEqual(hashes, [leaf_hash(e) for e in entries])
            leaves += hashes
        self.assertEqual(mth(leaves), root)

    def test_only_canonical_paths_of_tiles_the_checkpoint_covers_are_served(self):
        self.grow(2)
        size = self.checkpoint()[0]
        if size < 256:
            self.assertEqual(self.get("/tile/0/000.p/%d" % size).status, 200)
            self.assertEqual(self.get("/tile/0/000.p/%d" % (size + 1)).status, 404)
            self.assertEqual(self.get("/tile/0/000").status, 404)
        for path in ("/tile/0/0.p/1", "/tile/0/000.p/01", "/tile/0/000.p/0",
                     "/tile/0/000.p/256", "/tile/0/x000/000", "/tile/64/000",
                     "/tile/.lock", "/tile/0/000.p/1.tmp", "/tile/entries",
                     "/tile/0/../../checkpoint", "/tile/"):
            self.assertEqual(self.get(path).status, 404, path)
        self.assertEqual(self.req("POST", "/checkpoint", token=None).status, 405)

    def test_full_tiles_are_immutable_and_the_rest_is_not_cached(self):
        self.grow(257)
        size, _, r = self.checkpoint()
        self.assertEqual(r.headers.get("Cache-Control"), "no-cache")
        full = self.get(tile_path("0", 0, 256))
        self.assertEqual(full.status, 200)
        self.assertEqual(full.headers.get("Cache-Control"), "public, max-age=31536000, immutable")
        self.assertEqual(self.get(tile_path("entries", 0, 256)).headers.get("Cache-Control"),
                         "public, max-age=31536000, immutable")
        if size % 256:
            part = self.get(tile_path("0", size // 256, size % 256))
            self.assertEqual(part.status, 200)
            self.assertEqual(part.headers.get("Cache-Control"), "no-cache")


if __name__ == "__main__":
    unittest.main()
