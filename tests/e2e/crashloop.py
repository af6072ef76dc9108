"""crashloop.py - kill -9 the real server again and again under concurrent writers, then check that nothing acknowledged was lost and no leaf was sealed twice.

Used by test_crash_loop.py (a short run in `make check`) and by `make soak`
(python3 tests/e2e/crashloop.py --rounds 200). Standard library only.

Each round starts `disputed serve` on the same data dir, lets WRITERS client
threads post orders, logistics events and chat messages, and SIGKILLs the
server after a random moment. Every 2xx reply's record is noted. At the end
the server is started once more and `check` asserts:
  - every acknowledged record is still served, with the same id;
  - every record is sealed (the server integrates what a crash left pending),
    and its leaf hash appears exactly once in the log, at the index it names;
  - no two log entries are the same leaf (no leaf appended twice);
  - `disputed audit` finds 0 problems.
"""
import argparse
import base64
import os
import random
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from harness import (Server, World, logistics_body, message_body, order_body,  # noqa: E402
                     run_cli)
from tlog_client import leaf_hash, served_entries  # noqa: E402

WRITERS = 4


class Acked:
    """The records the server acknowledged, from every writer thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.orders = []             # order ids
        self.children = []           # (order id, "logistics" | "messages", child id)

    def order(self, oid):
        with self.lock:
            self.orders.append(oid)

    def child(self, oid, kind, cid):
        with self.lock:
            self.children.append((oid, kind, cid))

    def some_order(self, rng):
        with self.lock:
            return rng.choice(self.orders) if self.orders else None


def writer(srv, token, merchant, listing, acked, stop, seed):
    """Post records until `stop` is set or the server goes away; note each 2xx."""
    rng = random.Random(seed)
    while not stop.is_set():
        what = rng.random()
        oid = acked.some_order(rng)
        try:
            if oid is None or what < 0.4:
                r = srv.request("POST", "/v1/orders", order_body(merchant, listing),
                                token=token, timeout=10)
                if 200 <= r.status < 300:
                    acked.order(r.body["id"])
            elif what < 0.7:
                r = srv.request("POST", "/v1/orders/%s/logistics" % oid, logistics_body(),
                                token=token, timeout=10)
                if 200 <= r.status < 300:
                    acked.child(oid, "logistics", r.body["id"])
            else:
                r = srv.request("POST", "/v1/orders/%s/messages" % oid, message_body(),
                                token=token, timeout=10)
                if 200 <= r.status < 300:
                    acked.child(oid, "messages", r.body["id"])
        except (OSError, ValueError, KeyError):
            return  # killed mid-request: not acknowledged


def all_pages(srv, token, path):
    items, cursor = [], None
    while True:
        q = "%s?limit=100%s" % (path, "&cursor=" + cursor if cursor else "")
        r = srv.request("GET", q, token=token)
        assert r.status == 200, (q, r)
        items += r.body["data"]
        cursor = r.body.get("next_cursor")
        if not cursor:
            return items


def sealed_of(obj):
    s = obj.get("sealed")
    return (s["leaf_index"], s["leaf_hash"]) if s else None


def check(srv, token, acked, settle=30.0):
    """The end-of-loop assertions, on a running server. Returns a summary dict."""
    # Everything acknowledged is served, and eventually sealed (the worker
    # integrates seals a crash left pending after a few seconds).
    deadline = time.monotonic() + settle
    while True:
        seals, unsealed, missing = [], [], []
        for oid in acked.orders:
            r = srv.request("GET", "/v1/orders/%s" % oid, token=token)
            if r.status != 200:
                missing.append(("order", oid, r.status))
                continue
            for obj in (r.body, r.body.get("payment") or {}):
                if obj:
                    (seals if sealed_of(obj) else unsealed).append((oid, sealed_of(obj)))
        served = {}
        for oid in {o for o, _, _ in acked.children}:
            for kind in ("logistics", "messages"):
                for item in all_pages(srv, token, "/v1/orders/%s/%s" % (oid, kind)):
                    served[item["id"]] = item
        for oid, kind, cid in acked.children:
            item = served.get(cid)
            if item is None:
                missing.append((kind, cid, oid))
                continue
            (seals if sealed_of(item) else unsealed).append((cid, sealed_of(item)))
        assert not missing, "acknowledged records lost: %r" % missing[:10]
        if not unsealed or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert not unsealed, "%d records still unsealed, e.g. %r" % (len(unsealed), unsealed[:5])

    # Each sealed leaf is in the log once, where its record says; no leaf twice.
    entries = served_entries(srv)
    hashes = [leaf_hash(e) for e in entries]
    where = {}
    dups = []
    for i, h in enumerate(hashes):
        if h in where:
            dups.append((where[h], i))
        where[h] = i
    assert not dups, "%d log entries are duplicate leaves, e.g. at %r" % (len(dups), dups[:5])
    for rid, (index, h64) in seals:
        h = base64.b64decode(h64)
        assert index < len(hashes) and hashes[index] == h, \
            "record %s names leaf %d, which is not its leaf" % (rid, index)

    # The audit, while the server runs, finds nothing wrong. Records stored
    # but not acknowledged before the last kill are sealed by the server's
    # sweeper once 3 s old: until then the audit lists them as pending, and
    # a later record of the same order, sealed at once after the restart,
    # as sealed past a place of its chain no leaf holds yet. So it is asked
    # again while anything is pending.
    deadline = time.monotonic() + settle
    while True:
        r = run_cli("audit", "--data", srv.data_dir, timeout=120)
        out = r.stdout.decode()
        problems = [l for l in out.splitlines() if l.startswith("PROBLEM ")]
        if not problems or time.monotonic() > deadline or \
                not any(l.endswith("not yet in the evidence log (pending)") for l in problems):
            break
        time.sleep(0.5)
    assert r.returncode == 0 and out.rstrip().endswith(": 0 problems"), \
        "disputed audit exited %d:\n%s%s" % (r.returncode, out[-4000:], r.stderr.decode())
    return {"orders": len(acked.orders), "children": len(acked.children),
            "sealed": len(seals), "log_size": len(entries)}


def first_order(srv, token):
    """On the started server: a merchant, its listing and an order of it. Returns
    (merchant id, listing id, Acked holding the order)."""
    world = World(srv, token)
    merchant = world.merchant()["id"]
    listing = world.listing(merchant)["id"]
    acked = Acked()
    acked.order(world.order(merchant, listing)["id"])
    return merchant, listing, acked


def start_writers(srv, token, merchant, listing, acked, seeds):
    """One `writer` thread per seed, started. Returns (stop event, threads)."""
    stop = threading.Event()
    threads = [threading.Thread(target=writer, daemon=True,
                                args=(srv, token, merchant, listing, acked, stop, seed))
               for seed in seeds]
    for t in threads:
        t.start()
    return stop, threads


def stop_writers(stop, threads):
    stop.set()
    for t in threads:
        t.join(15)


def crash_loop(rounds, seed=None, min_up=0.15, max_up=0.9, writers=WRITERS, say=None):
    """Run the loop on a fresh data dir; raises AssertionError on a finding."""
    rng = random.Random(seed)
    srv = Server()
    try:
        token = srv.key_create("platform", "crash loop")
        srv.start()
        merchant, listing, acked = first_order(srv, token)
        for n in range(rounds):
            if n:
                srv.start()
            stop, threads = start_writers(srv, token, merchant, listing, acked,
                                          [rng.random() for _ in range(writers)])
            time.sleep(rng.uniform(min_up, max_up))
            srv.kill()
            stop_writers(stop, threads)
            if say:
                say("round %d: %d orders, %d events and messages acknowledged"
                    % (n + 1, len(acked.orders), len(acked.children)))
        srv.start()
        summary = check(srv, token, acked)
        srv.stop()
        return summary
    finally:
        srv.cleanup()


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=200)
    p.add_argument("--seed", type=int, default=None)
    a = p.parse_args(argv)
    t0 = time.monotonic()
    summary = crash_loop(a.rounds, a.seed, say=lambda s: print(s, flush=True))
    print("crash loop: %d rounds in %.0f s, %r: ok"
          % (a.rounds, time.monotonic() - t0, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
