"""test_nodes.py - three `disputed serve` nodes on one PostgreSQL database and one data directory: writes and dispute actions spread over them, the log's sequencer SIGKILLed mid-load, and then nothing acknowledged lost, no leaf twice, every timer fired once, the ledger balanced, the audit clean.

Runs on the PostgreSQL backend only (`make e2e-pg`, part of `make check`): SQLite is one
process's database. Each node is started on the test clock at the same moment; the test
moves every surviving node's clock at once, so that they race to fire the same timers.
"""
import itertools
import random
import re
import threading
import time
import unittest

import crashloop
from dispute_kit import HOUR, T0, DisputeCase
from harness import (BACKEND, Server, World, logistics_body, message_body, order_body)

NODES = 3
WRITERS = 3
DISPUTES = 9
SETTLEMENT = 5000
CLAIM = 1999
TAKEOVER_LIMIT = 10.0


class Spread:
    """Requests spread round-robin over the live nodes; a dead node's turn goes to the next."""

    def __init__(self, nodes):
        self.nodes = nodes
        self.data_dir = nodes[0].data_dir
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def live(self):
        return [n for n in self.nodes if n.proc is not None]

    def request(self, *a, **kw):
        live = self.live()
        with self._lock:
            i = next(self._turn)
        return live[i % len(live)].request(*a, **kw)


def sequencers(nodes):
    """The nodes that have logged taking the log's sequencer lock, with when."""
    out = []
    for n in nodes:
        for rec in n.log_messages():
            if rec.get("msg") == "sequencing the evidence log":
                out.append((n, rec))
    return out


def metric(node, name):
    """An unlabelled series of the node's /metrics."""
    r = node.request("GET", "/metrics")
    m = re.search(r'^%s (\d+)$' % re.escape(name), r.body.decode(), re.M)
    return int(m.group(1)) if m else None


def wait_for(predicate, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        time.sleep(step)
    return predicate()


class ThreeNodesTest(DisputeCase):

    def setUp(self):
        if BACKEND != "postgres":
            self.skipTest("several nodes share one PostgreSQL database (make e2e-pg)")
        first = Server()
        self.addCleanup(first.cleanup)
        self.platform = first.key_create("platform", "e2e platform")
        self.nodes = [first]
        for _ in range(NODES - 1):
            n = Server(data_dir=first.data_dir, init=False)
            n.db_url = first.db_url
            self.addCleanup(n.cleanup)
            self.nodes.append(n)
        for n in self.nodes:
            n.start(args=["--test-clock=" + T0])
        self.srv = Spread(self.nodes)
        self.world = World(self.srv, self.platform)
        self.agent = self.token("agent", "客服-王芳")

    def tearDown(self):
        for n in self.nodes:
            n.stop()

    def write_until(self, stop, acked, seed):
        """Orders, logistics events and messages on whichever node's turn it is; each 2xx noted."""
        rng = random.Random(seed)
        m = self.world.merchant()
        lst = self.world.listing(m["id"])
        while not stop.is_set():
            try:
                oid = acked.some_order(rng)
                if oid is None or rng.random() < 0.4:
                    r = self.srv.request("POST", "/v1/orders", order_body(m["id"], lst["id"]),
                                         token=self.platform)
                    if r.status == 201:
                        acked.order(r.body["id"])
                    continue
                kind = rng.choice(("logistics", "messages"))
                body = logistics_body() if kind == "logistics" else message_body()
                r = self.srv.request("POST", "/v1/orders/%s/%s" % (oid, kind), body,
                                     token=self.platform)
                if r.status == 201:
                    acked.child(oid, kind, r.body["id"])
            except OSError:
                pass  # the node just killed: not acknowledged, not counted

    def test_three_nodes_survive_the_sequencers_death(self):
        found = wait_for(lambda: sequencers(self.nodes), TAKEOVER_LIMIT)
        self.assertEqual(len(found), 1, "one sequencer among the nodes: %r" % found)
        first_seq = found[0][0]

        # disputes opened on every node, merchants funded for their fast-lane refunds
        disputes = []
        for i in range(DISPUTES):
            s = self.shop(amount=CLAIM)
            self.fund(s, settlement=SETTLEMENT)
            disputes.append((s, self.opened(s)))
        self.assertEqual({d["tier"] for _, d in disputes}, {"fast_lane"})

        # one Idempotency-Key sent to every node at once: one order, the same answer from each
        m = self.world.merchant()
        lst = self.world.listing(m["id"])
        body, replies = order_body(m["id"], lst["id"]), []
        senders = [threading.Thread(target=lambda n=n: replies.append(n.request(
            "POST", "/v1/orders", body, token=self.platform,
            headers={"Idempotency-Key": "nodes-order-1"}))) for n in self.nodes]
        for t in senders:
            t.start()
        for t in senders:
            t.join(60)
        self.assertEqual(sorted(r.status for r in replies), [201] * NODES, [r.body for r in replies])
        self.assertEqual(len({r.body["id"] for r in replies}), 1, [r.body for r in replies])
        listed = self.srv.request("GET", "/v1/orders?merchant=%s" % m["id"], token=self.platform)
        self.assertEqual([o["id"] for o in listed.body["data"]], [replies[0].body["id"]])

        # writers on all nodes; the sequencer killed while they write
        acked, stop = crashloop.Acked(), threading.Event()
        threads = [threading.Thread(target=self.write_until, args=(stop, acked, seed))
                   for seed in range(WRITERS)]
        for t in threads:
            t.start()
        try:
            time.sleep(1.5)
            before_kill = len(acked.orders) + len(acked.children)
            killed_at = time.monotonic()
            first_seq.kill()
            took = wait_for(lambda: [x for x in sequencers(self.nodes) if x[0] is not first_seq],
                            TAKEOVER_LIMIT)
            takeover = time.monotonic() - killed_at
            self.assertTrue(took, "no node took over the log within %ss" % TAKEOVER_LIMIT)
            time.sleep(2.0)
        finally:
            stop.set()
            for t in threads:
                t.join(60)
        after = len(acked.orders) + len(acked.children)
        self.assertGreater(before_kill, 0)
        self.assertGreater(after, before_kill, "writes went on after the sequencer's death")

        # every surviving node moves its clock past the merchants' 48 h at once
        live = self.srv.live()
        self.assertEqual(len(live), NODES - 1)
        replies = []

        def advance(node):
            replies.append(node.request("POST", "/v1/test/clock",
                                        {"advance_seconds": 48 * HOUR}, token=self.platform))
        movers = [threading.Thread(target=advance, args=(n,)) for n in live]
        for t in movers:
            t.start()
        for t in movers:
            t.join(60)
        self.assertEqual([r.status for r in replies], [200] * len(live), [r.body for r in replies])

        # each timer fired once: one timeout, one refund, the merchant paid out once
        for s, d in disputes:
            d = self.get(d)
            self.assertEqual(d["state"], "decided", d)
            self.assertEqual(len(self.timeouts(d)), 1, d["id"])
            self.assertEqual(d["outcome"]["source"], "timeout")
            self.assertEqual(d["funds"]["paid"]["amount"], CLAIM)
            self.assertEqual(len(self.funds_events(d)), 1, d["id"])
        self.assertTrue(all(self.balance(s.merchant["id"], "settlement") == SETTLEMENT - CLAIM
                            for s, _ in disputes),
                        [self.balances(s.merchant["id"]) for s, _ in disputes])

        # nothing acknowledged lost, every record sealed once, the audit (and ledger) clean
        summary = crashloop.check(live[0], self.platform, acked)

        # every node serves the same checkpoint, the same tiles and the same entries
        time.sleep(0.2)
        for path in ("/checkpoint", "/tile/0/000", "/tile/entries/000"):
            bodies = [n.request("GET", path, raw_reply=True) for n in live]
            self.assertEqual([r.status for r in bodies], [200] * len(live), path)
            self.assertEqual(len({r.body for r in bodies}), 1, path)
        print("three nodes: %d acknowledged (%d before the kill), takeover %.2f s, log %d"
              % (after, before_kill, takeover, summary["log_size"]))

    def test_metrics_say_which_node_appends_every_nodes_writes(self):
        found = wait_for(lambda: sequencers(self.nodes), TAKEOVER_LIMIT)
        self.assertEqual(len(found), 1, "one sequencer among the nodes: %r" % found)
        seq = found[0][0]
        sealed0 = metric(seq, "disputed_sequencer_sealed_total")
        _, _, order = self.world.shop()
        jobs0 = [metric(n, "disputed_pipeline_jobs_total") for n in self.nodes]
        for n in self.nodes:
            for _ in range(2):
                r = n.request("POST", "/v1/orders/%s/messages" % order["id"], message_body(),
                              token=self.platform)
                self.assertEqual(r.status, 201, r.body)
        for n, j0 in zip(self.nodes, jobs0):
            self.assertGreaterEqual(metric(n, "disputed_pipeline_jobs_total") - j0, 2)
            self.assertEqual(metric(n, "disputed_sequencer_leading"), int(n is seq))
            if n is not seq:
                self.assertEqual(metric(n, "disputed_sequencer_appends_total"), 0)
        # every node's writes were acknowledged sealed: the sequencer appended them all
        self.assertGreaterEqual(metric(seq, "disputed_sequencer_sealed_total") - sealed0,
                                2 * NODES)
        self.assertGreaterEqual(metric(seq, "disputed_sequencer_appends_total"), 1)


if __name__ == "__main__":
    unittest.main()
