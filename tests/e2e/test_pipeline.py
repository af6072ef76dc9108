"""test_pipeline.py - writes in flight together go through the write pipeline: each bad one fails alone with its own error, the rest are stored and sealed once each; an import rejects its bad lines alone."""
import concurrent.futures
import json
import os
import tempfile
import time
import unittest

from harness import (ServerTestCase, listing_body, logistics_body, merchant_body, message_body,
                     order_body, run_cli, uid)

THREADS = 24


def audit_settled(data_dir, wait=15):
    """`disputed audit`, again until it passes or `wait` s pass (the server's own background
    records are sealed by its sweeper a few seconds after they are made)."""
    deadline = time.time() + wait
    while True:
        r = run_cli("audit", "--data", data_dir, timeout=120)
        if r.returncode == 0 or time.time() > deadline:
            return r
        time.sleep(0.5)


class PipelineTest(ServerTestCase, unittest.TestCase):

    def setUp(self):
        self.m, self.lst, self.o = self.world.shop()

    def post_all(self, calls):
        """POST every (path, body) at once from THREADS threads; the replies in order."""
        with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
            return list(pool.map(lambda c: self.req("POST", c[0], c[1]), calls))

    def test_bad_requests_in_flight_with_good_ones_fail_alone(self):
        taken = uid("ord")
        self.world.order(self.m["id"], self.lst["id"], external_id=taken)
        before = self.req("GET", "/v1/orders/%s/messages?limit=100" % self.o["id"]).body["data"]
        calls, bad = [], {}
        for i in range(96):
            if i % 16 == 5:
                bad[i] = ("POST …/messages without text", 400, "required", "text")
                body = message_body()
                del body["text"]
                calls.append(("/v1/orders/%s/messages" % self.o["id"], body))
            elif i % 16 == 11:
                bad[i] = ("an order with a taken external_id", 409, "duplicate_external_id",
                          "external_id")
                calls.append(("/v1/orders", order_body(self.m["id"], self.lst["id"],
                                                       external_id=taken)))
            elif i % 2:
                calls.append(("/v1/orders", order_body(self.m["id"], self.lst["id"])))
            else:
                calls.append(("/v1/orders/%s/messages" % self.o["id"], message_body()))
        replies = self.post_all(calls)
        leaves = []
        for i, r in enumerate(replies):
            if i in bad:
                what, status, code, param = bad[i]
                self.assertEqual(r.status, status, (what, r.body))
                self.assertEqual(r.body["error"]["code"], code, (what, r.body))
                self.assertEqual(r.body["error"]["param"], param, (what, r.body))
                continue
            self.assertEqual(r.status, 201, r.body)
            # acknowledged only once sealed: the reply names its leaf
            self.assertIn("sealed", r.body, r.body)
            leaves.append(r.body["sealed"]["leaf_index"])
        self.assertEqual(len(leaves), len(set(leaves)), "a leaf index given twice")
        # the bad messages wrote nothing: the order's chain has exactly the good ones
        after = self.req("GET", "/v1/orders/%s/messages?limit=100" % self.o["id"]).body["data"]
        good_messages = sum(1 for i, c in enumerate(calls) if i not in bad and "messages" in c[0])
        self.assertEqual(len(after) - len(before), good_messages)
        for msg in after:
            self.assertIn("sealed", msg)
        # each reply's leaf (given from the sealer's own knowledge) is the one the store records
        stored = {m["id"]: m["sealed"] for m in after}
        for i, r in enumerate(replies):
            if i in bad:
                continue
            if r.body["object"] == "order":
                got = self.req("GET", "/v1/orders/%s" % r.body["id"]).body
                self.assertEqual((r.body["sealed"], r.body["payment"]["sealed"]),
                                 (got["sealed"], got["payment"]["sealed"]))
            else:
                self.assertEqual(r.body["sealed"], stored[r.body["id"]])
        audit = audit_settled(self.srv.data_dir)
        self.assertEqual(audit.returncode, 0, audit.stdout)

    def test_a_chain_written_concurrently_stays_one_line(self):
        calls = [("/v1/orders/%s/logistics" % self.o["id"], logistics_body()) if i % 2 else
                 ("/v1/orders/%s/messages" % self.o["id"], message_body()) for i in range(48)]
        for r in self.post_all(calls):
            self.assertEqual(r.status, 201, r.body)
        # each record after the one before it in the order's chain, no fork: the audit walks it
        audit = audit_settled(self.srv.data_dir)
        self.assertEqual(audit.returncode, 0, audit.stdout)
        r = self.req("GET", "/v1/orders/%s/bundle" % self.o["id"])
        self.assertEqual(r.status, 200, r.body)


class PipelineImportTest(unittest.TestCase):

    def test_an_import_rejects_its_bad_lines_alone_and_keeps_the_rest(self):
        from harness import Server
        srv = Server()
        self.addCleanup(srv.cleanup)
        m = merchant_body()
        lines = [dict(m, type="merchant"),
                 dict(listing_body(m["external_id"]), type="listing", external_id="pl-1")]
        bad_lines = set()
        kept_buyers, lost_buyers = [], []
        for i in range(300):
            o = order_body(m["external_id"], "pl-1", external_id="po-%d" % i)
            if i % 50 == 7:
                o["total"]["amount"] += 1   # does not add up: rejected
                bad_lines.add(len(lines) + 1)
            if i % 50 == 23:
                # taken by the line before: refused after its new buyer was written,
                # which must go with it (the batch runs again, each line in a savepoint)
                o["external_id"] = "po-%d" % (i - 1)
                bad_lines.add(len(lines) + 1)
                lost_buyers.append(o["consumer"]["external_id"])
            elif i % 50 == 24:
                kept_buyers.append(o["consumer"]["external_id"])
            lines.append(dict(o, type="order"))
        f = tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False, encoding="utf-8")
        for rec in lines:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        f.close()
        self.addCleanup(os.unlink, f.name)
        r = run_cli("import", "--data", srv.data_dir, f.name, timeout=300)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(("imported %d records, rejected %d lines" %
                       (len(lines) - len(bad_lines), len(bad_lines))).encode(), r.stdout)
        self.assertIn(("sealed %d leaves" % (2 + 2 * (300 - len(bad_lines)))).encode(), r.stdout)
        said = [int(x.split(b": line ")[1].split(b":")[0]) for x in r.stderr.splitlines()
                if b": line " in x]
        self.assertEqual(said, sorted(bad_lines), r.stderr)
        audit = run_cli("audit", "--data", srv.data_dir, timeout=120)
        self.assertEqual(audit.returncode, 0, audit.stdout)
        platform = srv.key_create("platform", "e2e platform")
        srv.start()
        for ext in kept_buyers:
            self.assertEqual(srv.request("GET", "/v1/consumers/" + ext, token=platform).status,
                             200, ext)
        for ext in lost_buyers:
            self.assertEqual(srv.request("GET", "/v1/consumers/" + ext, token=platform).status,
                             404, ext)


if __name__ == "__main__":
    unittest.main()
