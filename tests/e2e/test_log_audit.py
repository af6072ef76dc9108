"""test_log_audit.py - `disputed audit` checks every tile file on disk: a flipped byte in any partial hash tile, entry bundle or packed hash file is reported by its path."""
import os
import re
import unittest

from harness import Server, World, run_cli


def partial_files(data_dir):
    """Every ".p/<width>" file under DIR/tile, as paths relative to DIR."""
    out = []
    for root, _, files in os.walk(os.path.join(data_dir, "tile")):
        for f in files:
            if root.endswith(".p") and f.isdigit():
                out.append(os.path.relpath(os.path.join(root, f), data_dir))
    return sorted(out)


def flip(path, at=None):
    with open(path, "r+b") as f:
        data = f.read()
        at = len(data) // 2 if at is None else at
        f.seek(at)
        f.write(bytes([data[at] ^ 0x01]))


def audit(data_dir):
    r = run_cli("audit", "--data", data_dir, timeout=120)
    out = r.stdout.decode()
    problems = re.findall(r"^PROBLEM ([^:]+): (.*)$", out, re.M)
    return r.returncode, problems, out


class LogAuditTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = Server()
        try:
            token = cls.srv.key_create("platform", "e2e platform")
            cls.srv.start()
            world = World(cls.srv, token)
            # one request at a time: each is its own batch, so the right-edge tiles
            # keep a partial file for every width they had
            while True:
                world.merchant()
                r = cls.srv.request("GET", "/checkpoint", raw_reply=True)
                if int(r.body.decode().split("\n")[1]) >= 300:
                    break
            cls.srv.stop()
        except Exception:
            cls.srv.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()

    def test_every_flipped_partial_tile_and_bundle_is_reported(self):
        d = self.srv.data_dir
        with open(os.path.join(d, "checkpoint")) as f:
            size = int(f.read().split("\n")[1])
        edge = {"tile/0/001.p/%d" % (size - 256), "tile/entries/001.p/%d" % (size - 256),
                "tile/1/000.p/1"}
        rc, problems, out = audit(d)
        self.assertEqual((rc, problems), (0, []), out)
        older = [p for p in partial_files(d) if p not in edge]
        self.assertGreater(len(older), 20, partial_files(d))
        self.assertTrue(any(p.startswith("tile/0/") for p in older))
        self.assertTrue(any(p.startswith("tile/entries/") for p in older))
        saved = {}
        for p in older:
            with open(os.path.join(d, p), "rb") as f:
                saved[p] = f.read()
            flip(os.path.join(d, p))
        try:
            rc, problems, out = audit(d)
            self.assertEqual(rc, 1, out)
            reported = {where for where, _ in problems}
            self.assertEqual(sorted(set(older) - reported), [], out[-3000:])
            self.assertEqual(sorted(reported - set(older)), [], out[-3000:])
        finally:
            for p, data in saved.items():
                with open(os.path.join(d, p), "wb") as f:
                    f.write(data)
        rc, problems, out = audit(d)
        self.assertEqual((rc, problems), (0, []), out)

    def test_the_read_api_serves_older_partials_the_audit_covers(self):
        d = self.srv.data_dir
        widths = sorted(int(p.rsplit("/", 1)[1]) for p in partial_files(d)
                        if p.startswith("tile/0/001.p/"))
        self.assertGreater(len(widths), 2)
        narrow, wide = widths[0], widths[-1]
        self.srv.start()
        try:
            r = self.srv.request("GET", "/tile/0/001.p/%d" % narrow, raw_reply=True)
            self.assertEqual(r.status, 200)
            with open(os.path.join(d, "tile/0/001.p/%d" % narrow), "rb") as f:
                self.assertEqual(r.body, f.read())
            # an older partial is the prefix of the newest one: what the audit holds it to
            with open(os.path.join(d, "tile/0/001.p/%d" % wide), "rb") as f:
                self.assertEqual(r.body, f.read()[:narrow * 32])
        finally:
            self.srv.stop()
    def test_a_flipped_pack_is_reported_and_a_missing_one_comes_back_from_the_tiles(self):
        d = self.srv.data_dir
        pack = os.path.join(d, "pack", "0")
        with open(os.path.join(d, "tile/0/000"), "rb") as f:
            tile = f.read()
        with open(pack, "rb") as f:
            self.assertEqual(f.read(), tile)  # the one full tile of the tree, and nothing after
        flip(pack, 77 * 32 + 5)
        try:
            rc, problems, out = audit(d)
            self.assertEqual(rc, 1, out)
            self.assertEqual([where for where, _ in problems], ["pack/0"], out)
        finally:
            with open(pack, "wb") as f:
                f.write(tile)
        os.remove(pack)
        rc, problems, out = audit(d)
        self.assertEqual((rc, problems), (0, []), out)  # derived: rebuilt at the next open
        self.srv.start()
        try:
            r = self.srv.request("GET", "/tile/0/000", raw_reply=True)
            self.assertEqual((r.status, r.body), (200, tile))
        finally:
            self.srv.stop()
        with open(pack, "rb") as f:
            self.assertEqual(f.read(), tile)
        rc, problems, out = audit(d)
        self.assertEqual((rc, problems), (0, []), out)


if __name__ == "__main__":
    unittest.main()
