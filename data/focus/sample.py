#!/usr/bin/env python3
"""How the rows labelled here were drawn from ../shared/data/focus/reviews_unlabelled.tsv.

Run from the project's root: python3 data/focus/sample.py OUTDIR
It writes the unlabelled chunks h1, h2 (held out), t1..t8 (random, for training)
and r1..r3 (candidates for rarer foci, for training) as OUTDIR/<chunk>.in.tsv.
The labels were then given by people reading each text (README.md here).
"""
import csv
import os
import random
import sys

SHARED = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'data', 'focus')
# words that make a review a candidate for the rarer foci (price, safety, counterfeit,
# false advertising); being a candidate says nothing about the label it gets
TERMS = ['过敏', '痒', '红肿', '假', '正品', '山寨', '宣传', '广告', '夸大', '与描述', '价格',
         '降价', '差价', '发票', '保价', '漏电', '安全', '烫伤', '拉肚子', '中毒', '变质', '异物',
         '有毒', '致癌', '爆炸', '虚假', '涨价', '优惠', '返现', '赠品']


def rows(path):
    csv.field_size_limit(10**7)
    with open(path, encoding='utf-8') as f:
        r = csv.reader(f, delimiter='\t', quoting=csv.QUOTE_NONE)
        next(r)
        return list(r)


def write(path, rs):
    with open(path, 'w', encoding='utf-8') as f:
        f.write('id\tcat\ttext\n')
        for r in rs:
            f.write('\t'.join(r) + '\n')


def main(out):
    dev = rows(os.path.join(SHARED, 'focus_dev.tsv'))
    dev_ids = {r[0] for r in dev}
    seen = {r[4] for r in dev}
    pool = []
    for r in rows(os.path.join(SHARED, 'reviews_unlabelled.tsv')):
        if r[0] in dev_ids or len(r[2]) < 8 or r[2] in seen:
            continue
        seen.add(r[2])
        pool.append(r)
    random.Random(61).shuffle(pool)
    for i, name in enumerate(['h1', 'h2', 't1', 't2', 't3', 't4']):
        write(os.path.join(out, name + '.in.tsv'), pool[i * 400:(i + 1) * 400])
    cand = [r for r in pool[2400:] if any(t in r[2] for t in TERMS)]
    random.Random(62).shuffle(cand)
    write(os.path.join(out, 'r1.in.tsv'), cand[:400])
    write(os.path.join(out, 'r2.in.tsv'), cand[400:800])
    # a second round: more random rows, and more candidates
    used = {r[0] for r in cand[:1200]}
    rest = [r for r in pool[2400:] if r[0] not in used]
    for i, name in enumerate(['t5', 't6', 't7', 't8']):
        write(os.path.join(out, name + '.in.tsv'), rest[i * 400:(i + 1) * 400])
    write(os.path.join(out, 'r3.in.tsv'), cand[800:1200])


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '.')
