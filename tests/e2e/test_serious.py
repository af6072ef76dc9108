"""test_serious.py - what the serious tier changes: the claimed sum held and freed or used, the agent queue by tier and deadline, and the art. 38 suspension of a listing for a safety dispute, on the test clock.

The suspension's webhooks go to a receiver on 127.0.0.1 (the server allows private
destinations for this class); its sealed timeline events are checked over the API and
the data directory with `disputed audit`.
"""
import json
import os
import subprocess
import tempfile
import time
import unittest

from dispute_kit import HOUR, DisputeCase, cny
from harness import BIN, audit_settled, run_cli
from test_webhooks import Receiver

APPEAL_DUE_FROM_T0 = "2025-10-09T16:00:00Z"
BIG = 50000          # above the fast-lane maximum (200.00 CNY): standard unless serious


class SeriousCase(DisputeCase):

    def to_review(self, s, **kw):
        d = self.opened(s, **kw)
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        return self.ok(d, "escalate", {}, s.consumer, state="platform_review")

    def settlement(self, s):
        return self.balances(s.merchant["id"])["settlement"]


class SeriousHoldTest(SeriousCase):

    def test_a_serious_refund_holds_the_claim_and_an_upheld_decision_pays_from_it(self):
        s = self.shop(amount=BIG)
        self.fund(s, settlement=80000)
        d = self.opened(s, reason="safety")
        self.assertEqual(d["tier"], "serious")
        self.assertEqual((d["funds"]["held"], d["funds"]["shortfall"]), (cny(BIG), cny(0)))
        self.assertRegex(d["funds"]["hold"], r"^hld_")
        self.assertEqual(self.settlement(s), {"balance": 80000, "held": BIG, "available": 30000})
        d = self.to_review_from(d, s)
        d = self.decide(d)
        self.advance_to(APPEAL_DUE_FROM_T0)
        d = self.get(d)
        self.assertEqual(d["state"], "resolved")
        self.assertEqual(self.balance(s.order["consumer"]["id"], "payable"), BIG)
        self.assertEqual(self.settlement(s), {"balance": 30000, "held": 0, "available": 30000})
        self.assertIsNone(d["funds"]["hold"])

    def to_review_from(self, d, s):
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        return self.ok(d, "escalate", {}, s.consumer, state="platform_review")

    def test_a_rejection_frees_the_hold_at_once(self):
        s = self.shop(amount=BIG)
        self.fund(s, settlement=BIG)
        d = self.decide(self.to_review(s, reason="safety"), outcome="rejected")
        self.assertEqual(self.settlement(s)["held"], 0)
        self.assertIsNone(d["funds"]["hold"])
        self.assertIn("release", [e["data"]["operation"] for e in self.funds_events(d)])

    def test_a_serious_claim_for_goods_holds_no_money(self):
        s = self.shop(amount=BIG)
        self.fund(s, settlement=BIG)
        for claim_type in ("exchange", "repair"):
            with self.subTest(claim_type=claim_type):
                d = self.opened(s, reason="safety", claim_type=claim_type)
                self.assertEqual(d["tier"], "serious")
                self.assertIsNone(d["funds"]["hold"])
                self.assertEqual(d["funds"]["held"], cny(0))
                self.assertEqual(self.settlement(s)["held"], 0)
                self.assertEqual(self.funds_events(d), [])
                self.ok(d, "withdraw", {}, s.consumer, state="withdrawn")

    def test_an_exchange_agreed_on_a_refund_claim_frees_the_hold(self):
        s = self.shop(amount=BIG)
        self.fund(s, settlement=BIG)
        d = self.opened(s, reason="safety")
        self.assertEqual(self.settlement(s)["held"], BIG)
        d = self.ok(d, "responses", {"action": "counter",
                                     "offer": {"type": "exchange", "amount": cny(BIG)}},
                    s.merchant_token, state="negotiating")
        d = self.ok(d, "accept_offer", {"offer": d["offer"]["id"]}, s.consumer,
                    state="executing")
        self.assertEqual(d["outcome"]["outcome"], "replace")
        self.assertEqual(self.settlement(s), {"balance": BIG, "held": 0, "available": BIG})
        self.assertIsNone(d["funds"]["hold"])
        ops = [(e["data"]["operation"], e["data"]["amount"]["amount"])
               for e in self.funds_events(d)]
        self.assertEqual(ops, [("hold", BIG), ("release", BIG)])
        # the goods are exchanged: nothing was paid, nothing stays held
        d = self.ok(d, "executed", {"message": "已换货"}, self.agent, state="resolved")
        self.assertEqual(self.balance(s.order["consumer"]["id"], "payable"), 0)
        self.assertEqual(self.settlement(s)["held"], 0)

    def test_a_final_decision_for_a_repair_on_appeal_frees_the_decision_hold(self):
        s = self.shop(amount=BIG)
        self.fund(s, settlement=BIG)
        d = self.decide(self.to_review(s, reason="safety"))
        self.assertEqual(self.settlement(s)["held"], BIG)
        self.ok(d, "appeal", {"message": "商品可以维修，不应全额退款"}, s.merchant_token,
                state="platform_review")
        d = self.decide(d, outcome="repair", state="executing")
        self.assertEqual(self.settlement(s), {"balance": BIG, "held": 0, "available": BIG})
        self.assertIsNone(d["funds"]["hold"])


class AgentQueueTest(SeriousCase):

    def queue(self, token=None, limit=100, **q):
        out, cursor, pages = [], None, 0
        while True:
            path = "/v1/disputes?sort=priority&limit=%d" % limit
            for k, v in q.items():
                path += "&%s=%s" % (k, v)
            if cursor:
                path += "&cursor=" + cursor
            r = self.req("GET", path, token=token or self.agent)
            self.assertEqual(r.status, 200, r.body)
            self.assertLessEqual(len(r.body["data"]), limit)
            out += r.body["data"]
            pages += 1
            cursor = r.body["next_cursor"]
            if not cursor:
                return out, pages

    @staticmethod
    def key(d):
        rank = ["serious", "fast_lane", "standard"].index(d["tier"])
        due = (d.get("next") or {}).get("due_at")
        return (rank, due is None, due or "", d["id"])

    def test_live_disputes_come_serious_first_then_by_deadline(self):
        made = {}

        def open_one(name, amount, reason, **kw):
            s = self.shop(amount=amount)
            made[name] = (s, self.opened(s, reason=reason, **kw))
            self.advance(HOUR)

        # opened an hour apart: each merchant_response deadline (48h) is an hour later
        open_one("standard_early", BIG, "quality")
        open_one("fast_early", 1999, "quality")
        open_one("serious_late_base", BIG, "counterfeit")
        open_one("fast_late", 1999, "not_as_described")
        open_one("standard_late", BIG, "quality")
        open_one("serious_safety", 1999, "safety")
        open_one("serious_no_deadline", BIG, "safety", claim_type="return_refund")
        open_one("withdrawn", 1999, "safety")
        s, d = made["withdrawn"]
        self.ok(d, "withdraw", {}, s.consumer, state="withdrawn")
        # agreed: the return waits for the consumer, with no deadline of its own
        s, d = made["serious_no_deadline"]
        d = self.ok(d, "responses", {"action": "accept"}, s.merchant_token, state="executing")
        self.assertIsNone(d["next"]["due_at"])
        # a serious dispute escalated to review moves its deadline past the others'
        s, d = made["serious_late_base"]
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        self.ok(d, "escalate", {}, s.consumer, state="platform_review")

        got, _ = self.queue()
        ids = [d["id"] for d in got]
        names = {d["id"]: n for n, (_, d) in made.items()}
        self.assertNotIn(made["withdrawn"][1]["id"], ids)
        self.assertEqual(len(ids), 7)
        self.assertEqual([names[i] for i in ids],
                         ["serious_safety", "serious_late_base", "serious_no_deadline",
                          "fast_early", "fast_late", "standard_early", "standard_late"])
        self.assertEqual(got, sorted(got, key=self.key))
        dues = [d["next"]["due_at"] for d in got[:2]]
        self.assertLess(dues[0], dues[1])

        # pages of two: the same disputes in the same order, none twice
        paged, pages = self.queue(limit=2)
        self.assertEqual([d["id"] for d in paged], ids)
        self.assertEqual(pages, 4)
        # filters still apply; the platform key sees the same queue
        only, _ = self.queue(tier="fast_lane")
        self.assertEqual([names[d["id"]] for d in only], ["fast_early", "fast_late"])
        self.assertEqual([d["id"] for d in self.queue(token=self.platform)[0]], ids)

    def test_a_page_boundary_holds_while_the_queue_changes(self):
        shops = []
        for _ in range(4):
            s = self.shop(amount=1999)
            shops.append((s, self.opened(s, reason="quality")))
            self.advance(HOUR)
        r = self.req("GET", "/v1/disputes?sort=priority&limit=2", token=self.agent)
        first = [d["id"] for d in r.body["data"]]
        self.assertEqual(first, [shops[0][1]["id"], shops[1][1]["id"]])
        # a new serious dispute arrives: it belongs before the cursor and is not shown again
        s = self.shop(amount=1999)
        self.opened(s, reason="safety")
        r = self.req("GET", "/v1/disputes?sort=priority&limit=2&cursor=" + r.body["next_cursor"],
                     token=self.agent)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual([d["id"] for d in r.body["data"]],
                         [shops[2][1]["id"], shops[3][1]["id"]])
        self.assertIsNone(r.body["next_cursor"])

    def test_the_queue_is_for_staff_and_its_parameters_are_checked(self):
        s = self.shop()
        self.opened(s)
        for token in (s.consumer, s.merchant_token):
            self.assertError(self.req("GET", "/v1/disputes?sort=priority", token=token), 403,
                             "forbidden", "sort")
        self.assertError(self.req("GET", "/v1/disputes?sort=urgent", token=self.agent), 400,
                         "invalid_enum", "sort")
        for cursor in ("nonsense", "cTE6MQ", "cTE6eDp5Onp6"):   # junk, "q1:1", "q1:x:y:zz"
            self.assertError(self.req("GET", "/v1/disputes?sort=priority&cursor=" + cursor,
                                      token=self.agent), 400, "invalid_cursor", "cursor")
        self.assertError(self.req("GET", "/v1/disputes?sort=priority&limit=101",
                                  token=self.agent), 400, "invalid_value", "limit")
        # sort=created is the list as before
        r = self.req("GET", "/v1/disputes?sort=created", token=s.consumer)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(len(r.body["data"]), 1)


class SuspensionTest(SeriousCase):

    def start_server(self, clock=None):
        self.rx = Receiver()
        self.addCleanup(self.rx.close)
        self.srv.start(args=["--test-clock=" + (clock or self.clock_start)],
                       env={"DISPUTED_WEBHOOK_ALLOW_PRIVATE": "1"})
        self.addCleanup(self.srv.stop)

    def setUp(self):
        super().setUp()
        r = self.req("POST", "/v1/webhook_endpoints",
                     {"url": self.rx.url("/art38"),
                      "events": ["listing.suspended", "listing.reinstated"]})
        self.assertEqual(r.status, 201, r.body)

    def suspend(self, s, d, reason="电池鼓包，存在起火风险", token=None):
        return self.req("POST", "/v1/listings/%s/suspension" % s.listing["id"],
                        {"dispute": d["id"], "reason": reason},
                        token=self.agent if token is None else token)

    def listing(self, s, token="platform"):
        r = self.req("GET", "/v1/listings/" + s.listing["id"], token=token)
        self.assertEqual(r.status, 200, r.body)
        return r.body

    def hooks(self, type_, count):
        deadline = time.monotonic() + 10
        while True:
            got = [json.loads(b) for _, _, b in self.rx.on("/art38")]
            got = [ev for ev in got if ev["type"] == type_]
            if len(got) >= count or time.monotonic() > deadline:
                return got
            self.rx.wait("/art38", len(self.rx.on("/art38")) + 1, timeout=0.2)

    def timeline(self, d, type_, token="platform"):
        return [ev for ev in self.events(d, token=token) if ev["type"] == type_]

    def assertAuditClean(self):
        """`disputed audit` finds no problem; a record the server's background work (the
        disputes' assessments) sealed a moment ago may wait for the log a little."""
        res = audit_settled(self.srv.data_dir)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn(b"0 problems", res.stdout)

    def assertBundleVerifies(self, s, *texts):
        """The order's evidence bundle holds `texts` and `disputed verify` accepts it."""
        r = self.req("GET", "/v1/orders/%s/bundle" % s.order["id"], raw_reply=True)
        self.assertEqual(r.status, 200, r.body)
        for t in texts:
            self.assertIn(t.encode(), r.body)
        vkey = run_cli("log", "vkey", "--data", self.srv.data_dir).stdout.decode().strip()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bundle.json")
            with open(path, "wb") as f:
                f.write(r.body)
            ok = subprocess.run([BIN, "verify", "--vkey", vkey, path], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(ok.returncode, 0, ok.stdout[-2000:] + ok.stderr[-2000:])

    def test_staff_suspend_and_reinstate_a_listing_with_sealed_records_and_webhooks(self):
        s = self.shop(amount=1999)
        d = self.opened(s, reason="safety")
        self.assertEqual(d["tier"], "serious")
        self.assertIsNone(self.listing(s)["suspension"])

        r = self.suspend(s, d)
        self.assertEqual(r.status, 201, r.body)
        sus = r.body
        self.assertEqual(sus["object"], "listing_suspension")
        self.assertRegex(sus["id"], r"^lsp_[0-9a-f]{24}$")
        self.assertEqual((sus["listing"], sus["dispute"]), (s.listing["id"], d["id"]))
        self.assertEqual(sus["reason"], "电池鼓包，存在起火风险")
        self.assertEqual(sus["by"]["role"], "agent")
        self.assertEqual(sus["by"]["name"], "客服-王芳")
        self.assertIsNone(sus["lifted"])

        # staff and the merchant see it on the listing; the consumer does not
        for token in ("platform", self.agent, s.merchant_token):
            self.assertEqual(self.listing(s, token)["suspension"], sus)
        self.assertNotIn("suspension", self.listing(s, s.consumer))

        # the sealed record: an event of the dispute's timeline, both parties see it
        for token in ("platform", s.consumer, s.merchant_token):
            [ev] = self.timeline(d, "listing.suspended", token)
            self.assertEqual(ev["data"], {"suspension": sus["id"], "listing": s.listing["id"],
                                          "reason": sus["reason"]})
            self.assertIn("leaf_index", ev["sealed"])
        [hook] = self.hooks("listing.suspended", 1)
        self.assertEqual(hook["data"]["object"], sus)

        # once only
        self.assertError(self.suspend(s, d), 409, "already_suspended", says=sus["id"])

        r = self.req("DELETE", "/v1/listings/%s/suspension" % s.listing["id"],
                     {"reason": "质检报告确认电池合格"}, token=self.agent)
        self.assertEqual(r.status, 200, r.body)
        lifted = r.body
        self.assertEqual(lifted["id"], sus["id"])
        self.assertEqual(lifted["lifted"]["reason"], "质检报告确认电池合格")
        self.assertEqual(lifted["lifted"]["by"]["role"], "agent")
        self.assertIsNone(self.listing(s, s.merchant_token)["suspension"])
        [ev] = self.timeline(d, "listing.reinstated", s.merchant_token)
        self.assertEqual(ev["data"]["suspension"], sus["id"])
        self.assertIn("leaf_index", ev["sealed"])
        [hook] = self.hooks("listing.reinstated", 1)
        self.assertEqual(hook["data"]["object"], lifted)
        self.assertError(self.req("DELETE", "/v1/listings/%s/suspension" % s.listing["id"],
                                  token=self.agent), 409, "not_suspended")
        # lifted, it may be suspended again while the dispute is live; no body needed to lift
        self.assertEqual(self.suspend(s, d).status, 201)
        r = self.req("DELETE", "/v1/listings/%s/suspension" % s.listing["id"], token=self.platform)
        self.assertEqual(r.status, 200, r.body)
        self.assertIsNone(r.body["lifted"]["reason"])
        self.assertBundleVerifies(s, "listing.suspended", "listing.reinstated", sus["id"])
        self.assertAuditClean()

    def test_a_rejection_lifts_the_suspension_and_an_upheld_claim_keeps_it(self):
        rejected = self.shop(amount=1999)
        d = self.to_review(rejected, reason="safety")
        self.assertEqual(self.suspend(rejected, d).status, 201)
        self.decide(d, outcome="rejected")
        self.assertIsNone(self.listing(rejected)["suspension"])
        [ev] = self.timeline(d, "listing.reinstated")
        self.assertEqual(ev["data"]["reason"], "the decision rejected the claim")
        self.assertEqual(ev["actor"]["role"], "agent")
        self.assertEqual(len(self.hooks("listing.reinstated", 1)), 1)

        upheld = self.shop(amount=1999)
        d = self.to_review(upheld, reason="safety")
        sus = self.suspend(upheld, d).body
        self.decide(d)
        self.advance_to(APPEAL_DUE_FROM_T0)
        self.assertIn(self.get(d)["state"], ("executing", "resolved"))
        self.assertEqual(self.listing(upheld)["suspension"]["id"], sus["id"])
        self.assertEqual(self.timeline(d, "listing.reinstated"), [])
        self.assertAuditClean()

    def test_refusals_name_the_field_and_change_nothing(self):
        s = self.shop(amount=1999)
        safety = self.opened(s, reason="safety")
        other = self.shop(amount=1999)
        quality = self.opened(other, reason="quality")             # fast_lane
        counterfeit = self.shop(amount=1999)
        fake = self.opened(counterfeit, reason="counterfeit")       # serious, not safety
        gone = self.shop(amount=1999)
        withdrawn = self.opened(gone, reason="safety")
        self.ok(withdrawn, "withdraw", {}, gone.consumer, state="withdrawn")
        before = len(self.events(safety))

        self.assertError(self.suspend(other, quality), 409, "not_serious", "dispute")
        self.assertError(self.suspend(counterfeit, fake), 409, "not_safety", "dispute")
        self.assertError(self.suspend(gone, withdrawn), 409, "dispute_not_live", "dispute")
        self.assertError(self.suspend(other, safety), 409, "listing_not_in_dispute", "dispute")
        for token in (s.consumer, s.merchant_token):
            self.assertError(self.suspend(s, safety, token=token), 403, "forbidden")
        path = "/v1/listings/%s/suspension" % s.listing["id"]
        bad = [({"reason": "x"}, "required", "dispute"),
               ({"dispute": safety["id"]}, "required", "reason"),
               ({"dispute": safety["id"], "reason": ""}, "invalid_value", "reason"),
               ({"dispute": safety["id"], "reason": "x" * 1001}, "too_long", "reason"),
               ({"dispute": 7, "reason": "x"}, "invalid_type", "dispute"),
               ({"dispute": "dsp_000000000000000000000000", "reason": "x"},
                "resource_missing", "dispute"),
               ({"dispute": safety["id"], "reason": "x", "until": "later"},
                "unknown_parameter", "until")]
        for body, code, param in bad:
            with self.subTest(body=body):
                self.assertError(self.req("POST", path, body, token=self.agent), 400, code,
                                 param)
        self.assertError(self.req("POST", "/v1/listings/lst_000000000000000000000000/suspension",
                                  {"dispute": safety["id"], "reason": "x"}, token=self.agent),
                         404, "not_found")
        self.assertError(self.req("DELETE", path, {"why": "x"}, token=self.agent), 400,
                         "unknown_parameter", "why")
        self.assertError(self.req("DELETE", path, token=s.merchant_token), 403, "forbidden")
        # nothing changed: no suspension, no event, no webhook
        for shop in (s, other, counterfeit, gone):
            self.assertIsNone(self.listing(shop)["suspension"])
        self.assertEqual(len(self.events(safety)), before)
        self.assertEqual(self.rx.on("/art38"), [])


if __name__ == "__main__":
    unittest.main()
