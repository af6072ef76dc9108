"""test_image.py - `disputed image compare`: verdicts on shared photo pairs, --pairs in input order on a thread pool, hostile files refused cleanly."""
import json
import os
import shutil
import struct
import tempfile
import time
import unittest
import zlib

from harness import BIN, REPO, run_cli

PHOTOS = os.path.join(REPO, "..", "shared", "data", "images")
KEYS = ["a", "b", "verdict", "similarity", "colour_difference", "explanation"]
# pairs from pairs.tsv whose verdicts were measured with margin (docs/assist.md)
SAME = ("a976e78812b7.jpg", "df35a114a4e0.jpg")        # relation same: colour log-odds -4.0
COLOUR = ("e5667e5e7fbd.jpg", "8197ca7874e4.jpg")      # relation colour: a recolour, +17.7
DIFFERENT = ("6fb08748c136.jpg", "7c70aea0623d.jpg")   # relation different: +11.6, similarity 0.04


def png_claiming(width, height):
    """A PNG signature and IHDR that claim width x height, then one empty IDAT and IEND."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 7))
            + chunk(b"IEND", b""))


def jpeg_claiming(data, width, height):
    """A real JPEG whose start-of-frame (baseline or progressive) claims width x height."""
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        i = data.find(marker)
        if i > 0:
            return data[:i + 5] + struct.pack(">HH", height, width) + data[i + 9:]
    raise AssertionError("no start-of-frame marker")


@unittest.skipUnless(os.path.isdir(PHOTOS), "the shared photo set is not beside the project")
class ImageCompareTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="disputed-image-")
        with open(os.path.join(PHOTOS, SAME[0]), "rb") as f:
            cls.jpeg = f.read()
        with open(os.path.join(PHOTOS, SAME[1]), "rb") as f:
            cls.jpeg_b = f.read()
        # every hostile file is made here
        hostile = {
            "empty.jpg": b"",
            "text.jpg": b"this is not a photo, it is a text file\n" * 10,
            "png-named.jpg": png_claiming(8, 8),
            "truncated.jpg": cls.jpeg[:len(cls.jpeg) // 2],
            "bomb.png": png_claiming(100000, 100000),
            "bomb.jpg": jpeg_claiming(cls.jpeg, 60000, 60000),
        }
        for name, data in hostile.items():
            with open(os.path.join(cls.tmp, name), "wb") as f:
                f.write(data)
        with open(os.path.join(cls.tmp, "huge.jpg"), "wb") as f:
            f.truncate(33 << 20)  # sparse, past the 32 MiB limit
        os.mkdir(os.path.join(cls.tmp, "folder.jpg"))
        cls.hostile = sorted(list(hostile) + ["huge.jpg", "folder.jpg"])
        shutil.copy(os.path.join(PHOTOS, SAME[0]), os.path.join(cls.tmp, "good.jpg"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    def compare(self, a, b, *extra):
        r = run_cli("image", "compare", *extra, os.path.join(PHOTOS, a), os.path.join(PHOTOS, b),
                    timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.decode().splitlines()
        self.assertEqual(len(lines), 1, lines)
        return json.loads(lines[0])

    # ---- one pair ----

    def test_a_same_pair_is_same_with_a_high_similarity(self):
        v = self.compare(*SAME)
        self.assertEqual(list(v), KEYS)
        self.assertEqual(v["verdict"], "same")
        self.assertGreater(v["similarity"], 0.8)
        self.assertLess(v["colour_difference"], 5)
        self.assertTrue(v["explanation"].endswith("."), v["explanation"])

    def test_a_colour_variant_is_a_colour_mismatch(self):
        v = self.compare(*COLOUR)
        self.assertEqual(v["verdict"], "colour_mismatch")
        self.assertGreater(v["colour_difference"], 8)
        self.assertIn("colour", v["explanation"])

    def test_a_different_product_is_flagged_with_a_low_similarity(self):
        v = self.compare(*DIFFERENT)
        self.assertIn(v["verdict"], ("colour_mismatch", "different"))
        self.assertLess(v["similarity"], 0.2)

    def test_scores_add_the_measurements(self):
        v = self.compare(*COLOUR, "--scores")
        self.assertEqual(list(v)[:6], KEYS)
        self.assertGreaterEqual(v["scores"]["structure"], 0.9)

    # ---- many pairs ----

    def write_pairs(self, rows, header="relation\tb\ta"):
        path = os.path.join(self.tmp, "pairs-%d.tsv" % len(rows))
        with open(path, "w") as f:
            f.write(header + "\n")
            for a, b in rows:
                f.write("x\t%s\t%s\n" % (b, a))
        return path

    def test_pairs_come_out_in_input_order_with_extra_columns_ignored(self):
        with open(os.path.join(PHOTOS, "pairs.tsv")) as f:
            rows = [line.split("\t")[:2] for line in f.read().splitlines()[1:25]]
        path = self.write_pairs(rows)
        r = run_cli("image", "compare", "--pairs", path, "--dir", PHOTOS, "--jobs", "2", timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = [json.loads(x) for x in r.stdout.decode().splitlines()]
        self.assertEqual([(o["a"], o["b"]) for o in out], [tuple(x) for x in rows])
        for o in out:
            self.assertEqual(list(o), KEYS)
            self.assertIn(o["verdict"], ("same", "colour_mismatch", "different", "inconclusive"))
            self.assertTrue(0 <= o["similarity"] <= 1)
        # the same pair alone gives the same answer
        alone = self.compare(*rows[0])
        self.assertEqual({k: v for k, v in out[0].items() if k not in "ab"},
                         {k: v for k, v in alone.items() if k not in "ab"})

    def test_a_bad_pair_gets_an_error_line_and_the_others_go_on(self):
        rows = [("good.jpg", "good.jpg"), ("good.jpg", "truncated.jpg"), ("bomb.png", "good.jpg"),
                ("good.jpg", "good.jpg"), ("good.jpg", "../etc/passwd"), ("good.jpg", "missing.jpg")]
        path = self.write_pairs(rows)
        r = run_cli("image", "compare", "--pairs", path, "--dir", self.tmp, timeout=60)
        self.assertEqual(r.returncode, 1)
        out = [json.loads(x) for x in r.stdout.decode().splitlines()]
        self.assertEqual([(o["a"], o["b"]) for o in out], rows)
        self.assertEqual(out[0]["verdict"], "same")
        self.assertEqual(out[3]["verdict"], "same")
        for i in (1, 2, 4, 5):
            self.assertEqual(list(out[i]), ["a", "b", "error"])
            self.assertTrue(out[i]["error"])
        self.assertIn("bomb.png", out[2]["error"])

    def test_a_pairs_file_without_columns_a_and_b_is_refused(self):
        path = self.write_pairs([("good.jpg", "good.jpg")], header="left\tright\tother")
        r = run_cli("image", "compare", "--pairs", path, "--dir", self.tmp)
        self.assertEqual(r.returncode, 1)
        self.assertIn("columns a and b", r.stderr.decode())

    def test_usage_errors_exit_2(self):
        for args in (["image"], ["image", "compare"], ["image", "compare", "one.jpg"],
                     ["image", "compare", "--pairs", "x.tsv"], ["image", "frobnicate"]):
            with self.subTest(args=args):
                r = run_cli(*args)
                self.assertEqual(r.returncode, 2)
                self.assertIn("usage", r.stderr.decode())
        r = run_cli("image", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("disputed image compare", r.stdout.decode())

    # ---- hostile files ----

    def test_each_hostile_file_is_a_clear_error_not_a_crash(self):
        expect = {
            "empty.jpg": "empty",
            "text.jpg": "not a JPEG, PNG or WebP",
            "png-named.jpg": "is a PNG image",
            "truncated.jpg": "cannot decode",
            "bomb.png": "100000x100000",
            "bomb.jpg": "60000x60000",
            "huge.jpg": "larger than 32 MiB",
            "folder.jpg": "not a regular file",
        }
        self.assertEqual(sorted(expect), self.hostile)
        good = os.path.join(self.tmp, "good.jpg")
        for name, words in expect.items():
            for a, b in ((good, os.path.join(self.tmp, name)), (os.path.join(self.tmp, name), good)):
                with self.subTest(name=name, first=a.endswith(name)):
                    start = time.monotonic()
                    r = run_cli("image", "compare", a, b, timeout=30)
                    self.assertLess(time.monotonic() - start, 20)
                    self.assertEqual(r.returncode, 1, r.stderr)
                    self.assertEqual(r.stdout, b"")
                    err = r.stderr.decode()
                    self.assertTrue(err.startswith("disputed: "), err)
                    self.assertIn(words, err)
                    self.assertIn(name, err)
                    self.assertNotIn("{", err)
                    self.assertEqual(len(err.strip().splitlines()), 1, err)


if __name__ == "__main__":
    unittest.main()
