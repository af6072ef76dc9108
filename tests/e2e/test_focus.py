"""test_focus.py - `disputed focus`: classify with the shipped model, eval and its counting rule, train round trips, the committed model up to date, bad input."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import BIN, REPO, run_cli

CLASSES = ["not_received", "not_as_described", "quality", "counterfeit", "false_advertising",
           "price", "after_sales", "safety", "no_claim"]
DEV = os.path.join(REPO, "..", "shared", "data", "focus", "focus_dev.tsv")
MODEL = os.path.join(REPO, "etc", "focus.model")
HEADER = "id\tcat\tprimary\tsecondary\ttext\n"
TEXTS = ["快递一个星期了还没到，物流信息也不更新",
         "收到的是假货，和专柜的完全不一样",
         "这本书内容很无聊，不推荐",
         "洗发水用了以后头皮过敏，又红又痒",
         "ＡＢＣ　全角文字 and English words 123"]


def run_in(cwd, *args, input_bytes=None):
    """Run `disputed ARGS…` in directory `cwd`, without DISPUTED_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTED_")}
    return subprocess.run([BIN] + [str(a) for a in args], cwd=cwd, env=env, input=input_bytes,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)


class FocusTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="disputed-focus-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w" if isinstance(text, str) else "wb") as f:
            f.write(text)
        return path

    def classify(self, lines, *args, cwd=None):
        data = "".join(t + "\n" for t in lines).encode()
        return run_in(cwd or self.tmp, "focus", "classify", *args, input_bytes=data)

    def assert_result(self, obj):
        self.assertEqual(list(obj), ["primary", "scores", "phrases"])
        self.assertIn(obj["primary"], CLASSES)
        self.assertEqual(list(obj["scores"]), CLASSES)
        for v in obj["scores"].values():
            self.assertGreaterEqual(v, 0)
            self.assertLessEqual(v, 1)
        self.assertAlmostEqual(sum(obj["scores"].values()), 1.0, delta=1e-4)
        self.assertEqual(max(obj["scores"], key=obj["scores"].get), obj["primary"])
        self.assertLessEqual(len(obj["phrases"]), 5)
        for i, p in enumerate(obj["phrases"]):
            self.assertIsInstance(p, str)
            for earlier in obj["phrases"][:i]:
                self.assertNotIn(p, earlier)

    # ---- help ----

    def test_help_names_every_focus_command(self):
        r = run_cli("focus", "--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        for sub in ("classify", "eval", "train", "cv", "--baseline", "--model", "--json"):
            self.assertIn(sub, out)
        self.assertIn("focus", run_cli("--help").stdout.decode())
        self.assertEqual(run_cli("focus", "eval", "--help").returncode, 0)

    # ---- classify ----

    def test_classify_with_the_shipped_model_from_any_directory(self):
        r = self.classify(TEXTS)     # run in a temporary directory: no etc/ here
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.decode().splitlines()
        self.assertEqual(len(lines), len(TEXTS))
        results = [json.loads(line) for line in lines]
        for obj in results:
            self.assert_result(obj)
        self.assertEqual(results[0]["primary"], "not_received")
        self.assertEqual(results[1]["primary"], "counterfeit")
        self.assertEqual(results[3]["primary"], "safety")
        self.assertTrue(any("过敏" in p or "痒" in p for p in results[3]["phrases"]))

    def test_classify_answers_each_line_even_bad_ones(self):
        data = ("快递太慢\n".encode() + b"bad \xff\xfe utf-8\n" + b"x" * 70000 + b"\n\n"
                + "质量差\r\n".encode())
        r = run_in(self.tmp, "focus", "classify", input_bytes=data)
        self.assertEqual(r.returncode, 1)
        self.assertIn("2 of 5 lines", r.stderr.decode())
        out = [json.loads(line) for line in r.stdout.decode().splitlines()]
        self.assertEqual(len(out), 5)
        self.assert_result(out[0])
        self.assertEqual(out[1]["error"]["code"], "invalid_utf8")
        self.assertIn("line 2", out[1]["error"]["message"])
        self.assertEqual(out[2]["error"]["code"], "too_long")
        self.assertIn("65536", out[2]["error"]["message"])
        self.assert_result(out[3])       # an empty line gets the model's prior
        self.assertEqual(out[3]["phrases"], [])
        self.assert_result(out[4])
        self.assertEqual(out[4]["primary"], "quality")

    def test_the_line_limit_is_65536_bytes_of_text(self):
        data = b"a" * 65536 + b"\r\n" + b"b" * 65537 + b"\n" + b"c" * 65536
        r = run_in(self.tmp, "focus", "classify", input_bytes=data)
        self.assertEqual(r.returncode, 1)
        out = [json.loads(line) for line in r.stdout.decode().splitlines()]
        self.assertEqual(len(out), 3)
        self.assert_result(out[0])
        self.assertEqual(out[1]["error"]["code"], "too_long")
        self.assert_result(out[2])   # the last line needs no line break

    def test_a_missing_truncated_or_garbled_model_is_refused(self):
        r = self.classify(TEXTS, "--model", os.path.join(self.tmp, "none.model"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("none.model", r.stderr.decode())
        self.assertEqual(r.stdout, b"")
        with open(MODEL, "rb") as f:
            good = f.read()
        cases = {"half.model": (good[:len(good) // 2], "truncated"),
                 "empty.model": (b"", "truncated"),
                 "garbled.model": (good[:5000] + (b"8" if good[5000:5001] == b"9" else b"9")
                                   + good[5001:], "checksum"),
                 "binary.model": (bytes(range(256)) * 10, "truncated")}
        for name, (data, word) in cases.items():
            with self.subTest(name=name):
                r = self.classify(TEXTS, "--model", self.write(name, data))
                self.assertEqual(r.returncode, 1)
                err = r.stderr.decode()
                self.assertIn(name, err)
                self.assertIn(word, err)
                self.assertEqual(r.stdout, b"")

    # ---- eval ----

    def test_eval_prints_accuracy_macro_f1_and_the_confusion_matrix(self):
        r = run_cli("focus", "eval", "--data", DEV)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        self.assertRegex(out, r"accuracy\s+0\.\d{4}")
        self.assertRegex(out, r"macro-F1\s+0\.\d{4}")
        self.assertIn("confusion", out)
        for c in CLASSES:
            self.assertIn(c, out)

    def test_eval_json_adds_up(self):
        for extra in ([], ["--baseline"], ["--model", MODEL]):
            with self.subTest(extra=extra):
                r = run_cli("focus", "eval", "--data", DEV, "--json", *extra)
                self.assertEqual(r.returncode, 0, r.stderr)
                o = json.loads(r.stdout)
                self.assertEqual(o["predictor"], "baseline" if extra[:1] == ["--baseline"]
                                 else "model")
                self.assertEqual(o["texts"], 400)
                self.assertAlmostEqual(o["accuracy"], o["right"] / 400, places=5)
                m = o["confusion"]["matrix"]
                self.assertEqual(o["confusion"]["labels"], CLASSES)
                self.assertEqual(sum(map(sum, m)), 400)
                self.assertEqual(sum(m[i][i] for i in range(9)), o["right"])
                self.assertEqual(o["classes_present"], CLASSES)
                f1 = [o["per_class"][c]["f1"] for c in CLASSES]
                self.assertAlmostEqual(o["macro_f1"], sum(f1) / 9, places=5)
                for i, c in enumerate(CLASSES):
                    self.assertEqual(o["per_class"][c]["support"], sum(m[i]))

    def test_eval_counting_rule_secondary_label_and_classes_present(self):
        # the keyword baseline: 假货 → counterfeit, 快递 → not_received, nothing → no_claim
        tsv = self.write("rule.tsv", HEADER +
                         "1\tx\tquality\tcounterfeit\t是假货\n"      # right by its secondary
                         "2\tx\tquality\t\t是假货\n"                 # wrong
                         "3\tx\tno_claim\t\t很好看\n"                # right
                         "4\tx\tno_claim\tprice\t快递送来的\n")       # wrong
        r = run_cli("focus", "eval", "--data", tsv, "--baseline", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        o = json.loads(r.stdout)
        self.assertEqual(o["right"], 2)
        self.assertEqual(o["accuracy"], 0.5)
        m = o["confusion"]["matrix"]
        q, cf, nc, nr = (CLASSES.index(c) for c in ("quality", "counterfeit", "no_claim",
                                                     "not_received"))
        self.assertEqual(m[q][q], 1)
        self.assertEqual(m[q][cf], 1)
        self.assertEqual(m[nc][nc], 1)
        self.assertEqual(m[nc][nr], 1)
        # present: quality and no_claim (counterfeit, not_received and price are not any
        # text's primary); each has precision 1/1, recall 1/2, f1 2/3
        self.assertEqual(o["classes_present"], ["quality", "no_claim"])
        self.assertAlmostEqual(o["macro_f1"], 2 / 3, places=5)

    # ---- train ----

    def test_train_then_classify_and_train_again_the_same_bytes(self):
        a, b = os.path.join(self.tmp, "a.model"), os.path.join(self.tmp, "b.model")
        small = self.write("small.tsv", HEADER + "".join(
            "%d\tx\t%s\t\t%s\n" % (i, c, t) for i, (c, t) in enumerate([
                ("quality", "质量太差了，用两天就坏"), ("quality", "质量很差，坏了"),
                ("not_received", "快递太慢，还没到"), ("not_received", "快递丢了，没收到"),
                ("no_claim", "这本书很无聊"), ("no_claim", "不喜欢这本书")])))
        for out in (a, b):
            r = run_cli("focus", "train", "--data", DEV, "--data", small, "--out", out)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("406 texts", r.stdout.decode())
        with open(a, "rb") as fa, open(b, "rb") as fb:
            self.assertEqual(fa.read(), fb.read())
        r = self.classify(TEXTS, "--model", a)
        self.assertEqual(r.returncode, 0, r.stderr)
        for line in r.stdout.decode().splitlines():
            self.assert_result(json.loads(line))
        r = run_cli("focus", "train", "--data", small, "--out", a, "--solver", "svm",
                    "--ngrams", "1-3", "--no-keywords", "--weighting", "binary", "--min-df", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.classify(["质量太差"], "--model", a)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["primary"], "quality")
        self.assertEqual(json.loads(r.stdout)["scores"]["price"], 0)   # a class never seen

    def test_the_committed_model_is_what_the_committed_data_give(self):
        out = os.path.join(self.tmp, "fresh.model")
        r = subprocess.run([os.path.join(REPO, "scripts", "focus-model.sh"), BIN, out],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, "rb") as f, open(MODEL, "rb") as g:
            same = f.read() == g.read()
        self.assertTrue(same, "etc/focus.model is not what data/focus/ gives: run `make model` "
                              "and commit etc/focus.model")

    def test_cv_prints_mean_figures(self):
        r = run_cli("focus", "cv", "--data", DEV, "--folds", "4", "--repeats", "2", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        o = json.loads(r.stdout)
        self.assertEqual((o["folds"], o["repeats"], o["texts"], o["predictions"]),
                         (4, 2, 400, 800))
        self.assertEqual(sum(map(sum, o["confusion"]["matrix"])), 800)
        self.assertGreater(o["macro_f1"], 0.4)
        self.assertGreaterEqual(o["accuracy_sd"], 0)

    # ---- bad input ----

    def test_usage_errors_exit_2(self):
        cases = [("focus",), ("focus", "frobnicate"), ("focus", "train", "--data", DEV),
                 ("focus", "train", "--out", "x"), ("focus", "eval"),
                 ("focus", "eval", "--data", DEV, "--baseline", "--model", MODEL),
                 ("focus", "classify", "--data", DEV), ("focus", "classify", "extra"),
                 ("focus", "train", "--data", DEV, "--out", "x", "--solver", "forest"),
                 ("focus", "train", "--data", DEV, "--out", "x", "--ngrams", "3"),
                 ("focus", "train", "--data", DEV, "--out", "x", "--c", "-1"),
                 ("focus", "cv", "--data", DEV, "--folds", "1"),
                 ("focus", "eval", "--data", DEV, "--nonsense")]
        for args in cases:
            with self.subTest(args=args):
                r = run_cli(*args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertTrue(r.stderr.strip())
        self.assertFalse(os.path.exists(os.path.join(REPO, "x")))

    def test_bad_data_files_fail_naming_file_and_line(self):
        cases = {"missing.tsv": (None, "missing.tsv"),
                 "header.tsv": ("id,cat,primary,secondary,text\n", "header.tsv:1: the header"),
                 "label.tsv": (HEADER + "1\tx\tquality\t\tok\n2\tx\tbogus\t\tbad\n",
                               "label.tsv:3: unknown primary label 'bogus'"),
                 "columns.tsv": (HEADER + "1\tx\tquality\n", "columns.tsv:2: expected five")}
        for name, (text, want) in cases.items():
            path = os.path.join(self.tmp, name) if text is None else self.write(name, text)
            for args in (("eval", "--data", path), ("train", "--data", path, "--out",
                                                    os.path.join(self.tmp, "m"))):
                with self.subTest(name=name, cmd=args[0]):
                    r = run_cli("focus", *args)
                    self.assertEqual(r.returncode, 1)
                    self.assertIn(want, r.stderr.decode())
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "m")))
        one = self.write("one.tsv", HEADER + "1\tx\tquality\t\t坏了\n")
        r = run_cli("focus", "train", "--data", one, "--out", os.path.join(self.tmp, "m"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("two classes", r.stderr.decode())


if __name__ == "__main__":
    unittest.main()
