#!/usr/bin/env python3
"""image-eval.py - measure `disputed image compare` on a labelled photo set: ROC AUC, colour mismatches caught, same pairs flagged.

Usage: scripts/image-eval.py [--bin build/disputed] [--dir ../shared/data/images]
                             [--robust] [--fit] [--markdown]

Reads DIR/pairs.tsv (columns a, b, relation: same, colour or different) and
DIR/products.tsv (file, product), runs `disputed image compare --pairs
--scores` once, and prints:
  - the ROC AUC of `similarity` for same (positive) against different pairs;
  - the share of colour pairs called colour_mismatch ("caught"), of same
    pairs called colour_mismatch or different ("wrongly flagged"), and the
    whole table of relation against verdict;
  - the same two shares under leave-one-product-out cross-validation: for
    each product, the colour model (a logistic regression of colour against
    same pairs on three scores) is refitted on the other products' pairs and
    the fixed rule (flag from log-odds 0, the balanced model's boundary; same below -1) applied to the
    held-out product's pairs.
--robust also makes, with ImageMagick's convert in a temporary directory,
five transformed copies of every B (JPEG quality 15, half size, 5% cropped
off each side, darker and warmer light as channel gains, HSL lightness down
15%) and measures each, the first four together and all five together. --fit prints the colour model fitted on all pairs (the weights
src/assist/image_compare.c holds). --markdown prints the tables for
docs/assist.md.
"""
import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VERDICTS = ("same", "colour_mismatch", "different", "inconclusive")
RELATIONS = ("same", "colour", "different")
ALIGNED_MIN = 0.90  # as in src/assist/image_compare.c
SCORE_SAME, SCORE_FLAG = -1.0, 0.0
TRANSFORMS = {
    "jpeg_q15": ["-quality", "15"],
    "half_size": ["-resize", "50%", "-quality", "90"],
    "crop_5pct_each_side": ["-gravity", "center", "-crop", "90%x90%+0+0", "+repage", "-quality", "90"],
    # other light as a camera sees it: exposure and white balance are gains per channel
    "darker_warmer_light": ["-evaluate", "multiply", "0.85", "-channel", "R", "-evaluate", "multiply",
                            "1.06", "-channel", "B", "-evaluate", "multiply", "0.90", "+channel",
                            "-quality", "90"],
    # a tone edit no gain undoes: HSL lightness down 15%, saturation kept
    "hsl_darker": ["-modulate", "85,100,100", "-quality", "90"],
}


def read_tsv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def run_compare(binary, pairs_path, directory):
    p = subprocess.run([binary, "image", "compare", "--pairs", pairs_path, "--dir", directory,
                        "--scores"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [json.loads(x) for x in p.stdout.splitlines() if x.strip()]
    if p.returncode not in (0, 1) or not lines:
        sys.exit("image-eval: disputed failed:\n" + p.stderr)
    return lines


def auc(pos, neg):
    """Probability that a positive scores above a negative (ties count half)."""
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def features(r):
    s = r["scores"]
    al = math.sqrt(s["aligned_change"]) if s["aligned"] >= ALIGNED_MIN else 0.0
    return [s["palette_distance"], math.sqrt(s["novel"]), s["dominant_lost"], al]


def fit(rows, lam=0.1, iters=1500, rate=0.5):
    """Class-balanced L2 logistic regression (colour = 1, same = 0); weights in raw units."""
    X = [features(r) for r in rows]
    y = [1 if r["relation"] == "colour" else 0 for r in rows]
    n = len(X[0])
    mu = [sum(x[i] for x in X) / len(X) for i in range(n)]
    sd = [math.sqrt(sum((x[i] - mu[i]) ** 2 for x in X) / len(X)) or 1.0 for i in range(n)]
    Z = [[(x[i] - mu[i]) / sd[i] for i in range(n)] for x in X]
    npos = sum(y) or 1
    nneg = (len(y) - sum(y)) or 1
    w = [0.0] * (n + 1)
    for _ in range(iters):
        g = [0.0] * (n + 1)
        for z, t in zip(Z, y):
            s = w[n] + sum(w[i] * z[i] for i in range(n))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, s))))
            cw = 0.5 / npos if t else 0.5 / nneg
            for i in range(n):
                g[i] += cw * (p - t) * z[i]
            g[n] += cw * (p - t)
        for i in range(n):
            g[i] += lam * w[i] / len(Z)
        w = [w[i] - rate * g[i] for i in range(n + 1)]
    raw = [w[i] / sd[i] for i in range(n)]
    bias = w[n] - sum(w[i] * mu[i] / sd[i] for i in range(n))
    return bias, raw


def verdict_with(model, r):
    """The verdict image_compare.c would give with another colour model."""
    if r["verdict"] == "inconclusive" and r["scores"]["palette_distance"] == 0:
        return "inconclusive"  # too small, or too little foreground: no model involved
    bias, w = model
    score = bias + sum(a * b for a, b in zip(w, features(r)))
    if score < SCORE_SAME:
        return "same"
    if score < SCORE_FLAG:
        return "inconclusive"
    return "different" if r["_diff_shape"] else "colour_mismatch"


def figures(rows):
    by = {rel: [r for r in rows if r["relation"] == rel] for rel in RELATIONS}
    sims = {rel: [r["similarity"] for r in by[rel] if "similarity" in r] for rel in RELATIONS}
    table = {rel: {v: sum(1 for r in by[rel] if r.get("verdict") == v) for v in VERDICTS}
             for rel in RELATIONS}
    errors = sum(1 for r in rows if "error" in r)
    caught = table["colour"]["colour_mismatch"] / max(1, len(by["colour"]))
    flagged = (table["same"]["colour_mismatch"] + table["same"]["different"]) / max(1, len(by["same"]))
    a = auc(sims["same"], sims["different"]) if sims["same"] and sims["different"] else float("nan")
    return {"auc": a, "caught": caught, "flagged": flagged, "table": table, "errors": errors,
            "n": {rel: len(by[rel]) for rel in RELATIONS}}


def lopo(rows, products):
    """Leave-one-product-out: refit the colour model without each product, judge its pairs."""
    out = []
    for prod in sorted({products.get(r["a"], r["a"]) for r in rows}):
        held = [r for r in rows if products.get(r["a"], r["a"]) == prod]
        train = [r for r in rows if products.get(r["a"], r["a"]) != prod
                 and r["relation"] in ("same", "colour") and "scores" in r]
        model = fit(train)
        for r in held:
            if "scores" in r:
                out.append(dict(r, verdict=verdict_with(model, r)))
    return figures(out)


def label(lines, pairs):
    rows = []
    for line, p in zip(lines, pairs):
        r = dict(line, relation=p["relation"])
        if "scores" in r:
            # the shape test for "different", as image_compare.c applies it once flagged
            r["_diff_shape"] = r["scores"]["structure"] < 0.36 and r["similarity"] < 0.20
        rows.append(r)
    return rows


def transform_all(directory, pairs, tmp, only=None):
    """Copies of every B under each transform; returns {transform: pairs file}."""
    names = sorted({p["b"] for p in pairs})
    chosen = [t for t in TRANSFORMS if not only or t in only.split(",")]
    jobs = []
    for t in chosen:
        args = TRANSFORMS[t]
        os.makedirs(os.path.join(tmp, t), exist_ok=True)
        for n in names:
            out = os.path.join(tmp, t, os.path.splitext(n)[0] + ".jpg")
            jobs.append(["convert", os.path.join(directory, n)] + args + [out])
    with ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        for p in ex.map(lambda c: subprocess.run(c, capture_output=True), jobs):
            if p.returncode != 0:
                sys.exit("image-eval: convert failed: " + p.stderr.decode())
    for n in {p["a"] for p in pairs}:
        os.symlink(os.path.abspath(os.path.join(directory, n)), os.path.join(tmp, n))
    files = {}
    for t in chosen:
        path = os.path.join(tmp, t + ".tsv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("a\tb\trelation\n")
            for p in pairs:
                b = os.path.join(t, os.path.splitext(p["b"])[0] + ".jpg")
                f.write("%s\t%s\t%s\n" % (p["a"], b, p["relation"]))
        files[t] = path
    return files


def pct(x):
    return "%.1f%%" % (100 * x)


def report(name, f, cv=None, markdown=False):
    n = f["n"]
    if markdown:
        row = "| %s | %.3f | %s (%d/%d) | %s (%d/%d) |" % (
            name, f["auc"], pct(f["caught"]), f["table"]["colour"]["colour_mismatch"], n["colour"],
            pct(f["flagged"]), f["table"]["same"]["colour_mismatch"] + f["table"]["same"]["different"],
            n["same"])
        if cv:
            row += " %s | %s |" % (pct(cv["caught"]), pct(cv["flagged"]))
        else:
            row += " | |"
        print(row)
        return
    print("%s: AUC %.3f, colour caught %s, same wrongly flagged %s, errors %d"
          % (name, f["auc"], pct(f["caught"]), pct(f["flagged"]), f["errors"]))
    if cv:
        print("  leave-one-product-out: colour caught %s, same wrongly flagged %s"
              % (pct(cv["caught"]), pct(cv["flagged"])))
    for rel in RELATIONS:
        print("  %-9s %s" % (rel, "  ".join("%s %d" % (v, f["table"][rel][v]) for v in VERDICTS)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.environ.get("DISPUTED_BIN", os.path.join(ROOT, "build", "disputed")))
    ap.add_argument("--dir", default=os.path.join(ROOT, "..", "shared", "data", "images"))
    ap.add_argument("--robust", action="store_true")
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--transforms", help="with --robust: only these (comma-separated)")
    args = ap.parse_args()
    pairs_path = os.path.join(args.dir, "pairs.tsv")
    pairs = read_tsv(pairs_path)
    products = {r["file"]: r["product"] for r in read_tsv(os.path.join(args.dir, "products.tsv"))}
    rows = label(run_compare(args.bin, pairs_path, args.dir), pairs)
    if args.fit:
        bias, w = fit([r for r in rows if r["relation"] in ("same", "colour") and "scores" in r])
        print("colour model: W0 %.3f  W_PAL %.4f  W_NOVEL %.3f  W_LOST %.3f  W_AL %.3f" % (bias, *w))
    if args.markdown:
        print("| photos | ROC AUC (same vs different) | colour caught | same wrongly flagged "
              "| caught, cross-validated | flagged, cross-validated |")
        print("|---|---:|---:|---:|---:|---:|")
    report("original", figures(rows), lopo(rows, products), args.markdown)
    if not args.robust:
        return
    if not shutil.which("convert"):
        sys.exit("image-eval: --robust needs ImageMagick's convert (scripts/deps.sh bench)")
    every, light = [], []
    with tempfile.TemporaryDirectory(prefix="disputed-image-eval-") as tmp:
        for t, path in transform_all(args.dir, pairs, tmp, args.transforms).items():
            got = label(run_compare(args.bin, path, tmp), pairs)
            every += got
            if t != "hsl_darker":
                light += got
            report("B " + t.replace("_", " "), figures(got), lopo(got, products), args.markdown)
    if light and len(light) < len(every):
        report("B, the four but hsl darker", figures(light), lopo(light, products), args.markdown)
    report("B, all together", figures(every), lopo(every, products), args.markdown)


if __name__ == "__main__":
    main()
