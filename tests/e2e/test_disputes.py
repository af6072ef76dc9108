"""test_disputes.py - disputes over the API: the receipt, bad bodies, tiers, every transition of the table and every refusal, the timeline, rolling evidence and the published rules.

The parties act with their own tokens: the order's consumer and its merchant (minted by the
platform with POST /v1/tokens), and an agent for the platform's decisions. Deadlines and
timeouts under the test clock are in test_disputes_clock.py.
"""
import json
import re
import unittest

from dispute_kit import (DAY, DSP_ID, HOUR, OFR_ID, T0, DisputeCase, cny, shift)
from harness import Server, logistics_body, message_body

MERCHANT_DUE = shift(T0, 48 * HOUR)         # 2025-10-01T02:00:00Z
CONSUMER_DUE = shift(T0, 72 * HOUR)         # 2025-10-02T02:00:00Z
# 3 working days after Monday 29 September 2025 (Beijing): 30 Sep, then 9 and 10 Oct
# (1-8 Oct are the National Day break); the period ends at 24:00 Beijing on 10 Oct.
REVIEW_DUE_FROM_T0 = "2025-10-10T16:00:00Z"
# 7 days after 29 Sep: the 7th day is 6 Oct, in the break, and so are 7 and 8 Oct: the
# window runs to 24:00 on the first working day after it, 9 Oct.
APPEAL_DUE_FROM_T0 = "2025-10-09T16:00:00Z"
# 3 working days from Monday 29 September: 30 September, then 9 and 10 October.
EXECUTION_DUE_FROM_T0 = "2025-10-10T16:00:00Z"

REASONS = [{"code": "merchant_evidence_insufficient", "text": "商家未能证明商品无质量问题",
            "evidence": ["order:ord_x", "logistics:lge_y"]}]


class OpeningTest(DisputeCase):

    def test_the_consumers_receipt_says_what_happens_next_and_by_when(self):
        s = self.shop(amount=1999)
        d = self.opened(s, claim_type="refund", reason="quality", description="杯子漏水")
        self.assertRegex(d["id"], DSP_ID)
        self.assertEqual(d["object"], "dispute")
        self.assertEqual(d["order"], s.order["id"])
        self.assertEqual(d["merchant"], s.merchant["id"])
        self.assertEqual(d["consumer"], s.order["consumer"]["id"])
        self.assertEqual(d["state"], "awaiting_merchant")
        self.assertEqual(d["tier"], "fast_lane")
        self.assertIn("200.00", d["tier_reason"])
        rules = self.req("GET", "/v1/rules", token=None).body
        self.assertEqual(d["rules_version"], rules["version"])
        self.assertEqual(d["claim"], {"type": "refund", "amount": cny(1999), "basis": None,
                                      "cap": cny(1999)})
        self.assertEqual(d["reason"], "quality")
        self.assertEqual(d["description"], "杯子漏水")
        self.assertEqual(d["deadlines"], [{"step": "merchant_response", "actor": "merchant",
                                           "due_at": MERCHANT_DUE}])
        self.assertEqual(d["next"], {"actor": "merchant", "action": "respond",
                                     "due_at": MERCHANT_DUE})
        self.assertIsNone(d["offer"])
        self.assertIsNone(d["outcome"])
        self.assertFalse(d["overdue"])
        self.assertEqual(d["created_at"], T0)
        # a dispute returned by GET has the same shape, for each party and the agent
        for who in (s.consumer, s.merchant_token, self.agent, "platform"):
            self.assertEqual(self.get(d, token=who), d)
        # the opening is sealed in the log, by the consumer
        [ev] = self.events(d)
        self.assertEqual(ev["type"], "opened")
        self.assertEqual(ev["actor"], {"role": "consumer", "id": s.order["consumer"]["id"]})
        self.assertIsNone(ev["from"])
        self.assertEqual(ev["to"], "awaiting_merchant")
        self.assertEqual(ev["reason"], d["tier_reason"])
        self.assertIsInstance(ev["sealed"]["leaf_index"], int)

    def test_the_platform_opens_on_the_consumers_behalf(self):
        s = self.shop()
        d = self.opened(s, token=self.platform, reason="not_received")
        self.assertEqual(d["consumer"], s.order["consumer"]["id"])
        self.assertEqual(d["state"], "awaiting_merchant")
        # the order may be named by its external id too
        s2 = self.shop()
        r = self.req("POST", "/v1/disputes", {
            "order": s2.order["external_id"], "claim": {"type": "refund", "amount": cny(100)},
            "reason": "price"})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.body["order"], s2.order["id"])
        [ev] = self.events(d, token=s.consumer)
        self.assertEqual(ev["actor"]["role"], "platform")
        # it is the consumer's dispute: they see it and act on it
        self.assertEqual(self.get(d, token=s.consumer)["id"], d["id"])
        listed = self.req("GET", "/v1/disputes", token=s.consumer).body["data"]
        self.assertEqual([x["id"] for x in listed], [d["id"]])

    def test_a_consumer_cannot_open_a_dispute_on_someone_elses_order(self):
        mine, theirs = self.shop(), self.shop()
        r = self.open(theirs, token=mine.consumer)
        # The order is named in the body, not the path: the documented answer for a body
        # reference the caller cannot see is 400 resource_missing, worded exactly as for an
        # order that does not exist, so a consumer learns nothing about other orders.
        self.assertError(r, 400, "resource_missing", "order")
        r2 = self.req("POST", "/v1/disputes", {
            "order": "ord_" + "0" * 24, "claim": {"type": "refund", "amount": cny(1)},
            "reason": "quality"}, token=mine.consumer)
        self.assertError(r2, 400, "resource_missing", "order")
        self.assertEqual(r.body["error"]["message"].replace(theirs.order["id"], "ID"),
                         r2.body["error"]["message"].replace("ord_" + "0" * 24, "ID"))
        # and nothing was opened on their order
        self.assertEqual(self.req("GET", "/v1/disputes?order=%s" % theirs.order["id"])
                         .body["data"], [])

    def test_checks_run_in_the_documented_order_401_403_404_400_409(self):
        s, other = self.shop(), self.shop()
        good = {"order": s.order["id"], "claim": {"type": "refund", "amount": cny(100)},
                "reason": "quality"}
        bad = dict(good, reason="angry")
        # 401 before anything else, even with a bad body
        self.assertError(self.req("POST", "/v1/disputes", bad, token=None), 401,
                         "unauthenticated")
        self.assertError(self.req("POST", "/v1/disputes", bad, token="dtk_nonsense"), 401,
                         "unauthenticated")
        # 403: merchants and agents do not open disputes, whatever the body
        self.assertError(self.req("POST", "/v1/disputes", bad, token=s.merchant_token), 403,
                         "forbidden")
        self.assertError(self.req("POST", "/v1/disputes", good, token=self.agent), 403,
                         "forbidden")
        # 400 for an order the caller cannot see comes before the body's own errors
        self.assertError(self.req("POST", "/v1/disputes", dict(bad, order=other.order["id"]),
                                  token=s.consumer), 400, "resource_missing", "order")
        self.opened(s, amount=100)
        # 400 before 409: a bad body on an order that already has a live dispute
        self.assertError(self.req("POST", "/v1/disputes", bad, token=s.consumer), 400,
                         "invalid_enum", "reason")
        self.assertError(self.req("POST", "/v1/disputes", good, token=s.consumer), 409,
                         "dispute_open", "order")
        # on a dispute, 403 (the role may not) before 404 (not yours)
        d = self.req("GET", "/v1/disputes", token=s.consumer).body["data"][0]
        self.assertError(self.act(d, "escalate", {}, other.merchant_token), 403, "forbidden")
        self.assertError(self.act(d, "responses", {"action": "accept"}, other.merchant_token),
                         404, "not_found")
        # 404 before 400: a bad body on a dispute that is not yours
        self.assertError(self.act(d, "responses", {"action": "shrug"}, other.merchant_token),
                         404, "not_found")
        self.assertError(self.act(d, "responses", {"action": "shrug"}, s.merchant_token),
                         400, "invalid_enum", "action")

    def test_bad_bodies_are_400_naming_the_field(self):
        s = self.shop(amount=1999)
        missing_blob = "sha256:" + "0" * 64
        good = {"order": s.order["id"], "claim": {"type": "refund", "amount": cny(1999)},
                "reason": "quality"}
        cases = [
            ({"claim": {"type": "cash", "amount": cny(100)}}, "invalid_enum", "claim.type"),
            ({"claim": {"amount": cny(100)}}, "required", "claim.type"),
            ({"claim": {"type": "refund"}}, "required", "claim.amount"),
            ({"claim": {"type": "refund", "amount": cny(2000)}}, "amount_exceeds_order",
             "claim.amount"),
            ({"claim": {"type": "refund", "amount": {"amount": 100, "currency": "USD"}}},
             "currency_mismatch", "claim.amount.currency"),
            ({"claim": {"type": "refund", "amount": cny(100), "note": "x"}},
             "unknown_parameter", "claim.note"),
            ({"claim": "refund"}, "invalid_type", "claim"),
            ({"reason": "angry"}, "invalid_enum", "reason"),
            ({"reason": None}, "required", "reason"),
            ({"priority": "high"}, "unknown_parameter", "priority"),
            ({"evidence": [missing_blob]}, "resource_missing", "evidence[0]"),
            ({"evidence": ["photo.jpg"]}, "invalid_value", "evidence[0]"),
            ({"description": "x" * 5001}, "too_long", "description"),
        ]
        for change, code, param in cases:
            with self.subTest(change=change):
                body = dict(good)
                body.update(change)
                if body.get("reason") is None:
                    del body["reason"]
                r = self.req("POST", "/v1/disputes", body, token=s.consumer)
                self.assertError(r, 400, code, param)
        r = self.req("POST", "/v1/disputes", dict(good, claim={"type": "refund",
                                                                "amount": cny(5000)}),
                     token=s.consumer)
        self.assertError(r, 400, "amount_exceeds_order", "claim.amount", says=["5000", "1999"])
        r = self.req("POST", "/v1/disputes", {"claim": good["claim"], "reason": "quality"},
                     token=s.consumer)
        self.assertError(r, 400, "required", "order")
        # none of them opened anything; the same claim with real evidence does
        self.assertEqual(self.req("GET", "/v1/disputes", token=s.consumer).body["data"], [])
        blob = self.blob(s.consumer)
        d = self.opened(s, evidence=[blob])
        self.assertEqual(d["evidence"], [blob])
        self.assertEqual(self.events(d)[0]["data"]["evidence"], [blob])

    def test_an_order_has_one_live_dispute_at_a_time(self):
        s = self.shop()
        d = self.opened(s)
        r = self.open(s, reason="not_as_described")
        self.assertError(r, 409, "dispute_open", "order", says=d["id"])
        r = self.open(s, token=self.platform)
        self.assertError(r, 409, "dispute_open", "order")
        # once it is over, the consumer may open another
        self.ok(d, "withdraw", {"message": "商家已私下退款"}, s.consumer, state="withdrawn")
        d2 = self.opened(s, reason="not_as_described")
        self.assertNotEqual(d2["id"], d["id"])

    def test_tiers_follow_the_published_rules(self):
        small, big = self.shop(amount=1999), self.shop(amount=50000)
        cases = [
            (small, "safety", 100, "serious", "safety"),
            (big, "counterfeit", 50000, "serious", "counterfeit"),
            (small, "quality", 1999, "fast_lane", "200.00"),
            (big, "quality", 20000, "fast_lane", "200.00"),     # at most 200: fast lane
            (big, "quality", 20001, "standard", "200.00"),
            (big, "not_received", 50000, "standard", "500.00"),
        ]
        for shop, reason, amount, tier, why in cases:
            with self.subTest(reason=reason, amount=amount):
                d = self.opened(shop, reason=reason, amount=amount)
                self.assertEqual(d["tier"], tier, d)
                self.assertIn(why, d["tier_reason"])
                self.assertEqual(self.get(d)["tier"], tier)
                self.ok(d, "withdraw", {}, shop.consumer, state="withdrawn")


class TransitionTest(DisputeCase):
    """Every row of the table in src/cases/dispute.c, by the actor it names."""

    def test_merchant_accepts_and_the_claim_is_the_outcome(self):
        s = self.shop(amount=5000)
        d = self.opened(s, claim_type="exchange", amount=5000, reason="not_as_described")
        # an agreed outcome is final at once: an exchange is carried out by the platform
        d = self.ok(d, "responses", {"action": "accept", "message": "同意换货"},
                    s.merchant_token, state="executing")
        o = d["outcome"]
        self.assertEqual(o["outcome"], "replace")
        self.assertEqual(o["amount"], cny(5000))
        self.assertEqual(o["source"], "merchant")
        self.assertEqual(o["decided_by"]["role"], "merchant")
        self.assertEqual(o["decided_at"], T0)
        self.assertEqual([r["code"] for r in o["reasons"]], ["merchant_accepted"])
        self.assertEqual(d["deadlines"][-1], {"step": "execution", "actor": "platform",
                                              "due_at": EXECUTION_DUE_FROM_T0})
        self.assertEqual(d["next"], {"actor": "platform", "action": "execute",
                                     "due_at": EXECUTION_DUE_FROM_T0})
        ev = self.events(d)[-1]
        self.assertEqual((ev["type"], ev["from"], ev["to"]),
                         ("merchant_accept", "awaiting_merchant", "executing"))
        self.assertEqual(ev["data"]["message"], "同意换货")
        # neither party appeals what was agreed
        for who in (s.consumer, s.merchant_token):
            self.assertError(self.act(d, "appeal", {"message": "反悔"}, who), 409,
                             "wrong_state")
        # an outcome without money is carried out on the agent's word
        d = self.ok(d, "executed", {"message": "已换货"}, self.agent, state="resolved")
        self.assertIsNotNone(d["executed_at"])

    def test_counter_offer_accepted_by_the_consumer_is_the_outcome(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=5000)
        d = self.opened(s, claim_type="return_refund", reason="quality")
        d = self.ok(d, "responses", {"action": "counter",
                                     "offer": {"type": "refund", "amount": cny(1000)},
                                     "message": "不退货，退一半"},
                    s.merchant_token, state="negotiating")
        offer = d["offer"]
        self.assertRegex(offer["id"], OFR_ID)
        self.assertEqual((offer["type"], offer["amount"]), ("refund", cny(1000)))
        self.assertEqual(d["next"], {"actor": "consumer", "action": "accept_offer_or_escalate",
                                     "due_at": CONSUMER_DUE})
        self.assertEqual(d["deadlines"][-1], {"step": "consumer_reply", "actor": "consumer",
                                              "due_at": CONSUMER_DUE})
        # both parties see the offer
        self.assertEqual(self.get(d, token=s.consumer)["offer"], offer)
        # a stale or made-up offer id is refused, saying which offer is current
        r = self.act(d, "accept_offer", {"offer": "ofr_" + "0" * 24}, s.consumer)
        self.assertError(r, 409, "offer_mismatch", "offer", says=offer["id"])
        self.assertError(self.act(d, "accept_offer", {}, s.consumer), 400, "required", "offer")
        self.assertEqual(self.get(d)["state"], "negotiating")
        # agreed: final, paid at once from the merchant's settlement, and resolved
        d = self.ok(d, "accept_offer", {"offer": offer["id"]}, s.consumer, state="resolved")
        o = d["outcome"]
        self.assertEqual(o["amount"], cny(1000))
        # a refund of 10.00 on a 19.99 claim is not a full refund
        self.assertEqual(o["outcome"], "partial_refund")
        self.assertEqual(o["source"], "agreement")
        self.assertEqual([r["code"] for r in o["reasons"]], ["offer_accepted"])
        self.assertIsNone(d["next"])
        self.assertEqual(d["funds"]["paid"], cny(1000))
        types = [(e["type"], e["from"], e["to"]) for e in self.events(d)]
        self.assertEqual(types, [("opened", None, "awaiting_merchant"),
                                 ("merchant_counter", "awaiting_merchant", "negotiating"),
                                 ("accept_offer", "negotiating", "executing"),
                                 ("funds", "executing", "executing"),
                                 ("settled", "executing", "resolved")])
        self.assertEqual(self.balance(s.merchant["id"], "settlement"), 4000)
        self.assertEqual(self.balance(s.order["consumer"]["id"], "payable"), 1000)

    def test_an_offer_of_the_whole_claim_is_a_full_refund(self):
        s = self.shop(amount=1999)
        d = self.opened(s, claim_type="return_refund", amount=1500)
        d = self.ok(d, "responses", {"action": "counter",
                                     "offer": {"type": "refund", "amount": cny(1500)}},
                    s.merchant_token, state="negotiating")
        # no money on the platform yet: the agreed outcome waits in executing, saying why
        d = self.ok(d, "accept_offer", {"offer": d["offer"]["id"]}, s.consumer,
                    state="executing")
        self.assertEqual((d["outcome"]["outcome"], d["outcome"]["amount"]),
                         ("full_refund", cny(1500)))
        self.assertIn("insufficient", d["funds"]["blocked"])
        self.assertError(self.act(d, "executed", {}, self.agent), 409, "insufficient_funds")
        self.fund(s, settlement=1000, guarantee=100000)
        d = self.ok(d, "executed", {}, self.agent, state="resolved")
        self.assertEqual(d["funds"]["paid"], cny(1500))
        self.assertIsNone(d["funds"]["blocked"])

    def test_merchant_rejects_then_the_consumer_escalates(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        d = self.ok(d, "responses", {"action": "reject", "message": "商品无质量问题"},
                    s.merchant_token, state="negotiating")
        self.assertIsNone(d["offer"])
        self.assertEqual(d["next"], {"actor": "consumer", "action": "escalate",
                                     "due_at": CONSUMER_DUE})
        # there is nothing to accept
        r = self.act(d, "accept_offer", {"offer": "ofr_" + "1" * 24}, s.consumer)
        self.assertError(r, 409, "no_offer", "offer", says="escalate")
        # an offer goes only with counter
        r = self.act(d, "responses", {"action": "reject",
                                      "offer": {"type": "refund", "amount": cny(1)}},
                     s.merchant_token)
        self.assertError(r, 400, "unknown_parameter", "offer")
        d = self.ok(d, "escalate", {"message": "商家拒绝，请平台处理"}, s.consumer,
                    state="platform_review")
        self.assertEqual(d["next"], {"actor": "platform", "action": "decide",
                                     "due_at": REVIEW_DUE_FROM_T0})
        self.assertEqual(d["deadlines"][-1], {"step": "platform_review", "actor": "platform",
                                              "due_at": REVIEW_DUE_FROM_T0})
        self.assertEqual([x["step"] for x in d["deadlines"]],
                         ["merchant_response", "consumer_reply", "platform_review"])

    def test_counter_offers_are_checked(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        for body, code, param in [
                ({"action": "counter"}, "required", "offer"),
                ({"action": "counter", "offer": {"amount": cny(1)}}, "required", "offer.type"),
                ({"action": "counter", "offer": {"type": "gift", "amount": cny(1)}},
                 "invalid_enum", "offer.type"),
                ({"action": "counter", "offer": {"type": "refund"}}, "required",
                 "offer.amount"),
                ({"action": "counter", "offer": {"type": "refund", "amount": cny(1), "x": 1}},
                 "unknown_parameter", "offer.x"),
                ({"action": "counter", "offer": {"type": "refund",
                                                 "amount": {"amount": 100, "currency": "USD"}}},
                 "currency_mismatch", "offer.amount.currency"),
                ({"action": "accept", "evidence": ["sha256:" + "0" * 64]}, "resource_missing",
                 "evidence[0]"),
                ({}, "required", "action")]:
            with self.subTest(body=body):
                self.assertError(self.act(d, "responses", body, s.merchant_token), 400, code,
                                 param)
        self.assertEqual(self.get(d)["state"], "awaiting_merchant")
        self.assertEqual(len(self.events(d)), 1)

    def test_agent_decides_with_machine_readable_reasons(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        self.ok(d, "escalate", {}, s.consumer, state="platform_review")
        for body, code, param in [
                ({"outcome": "full_refund"}, "required", "reasons"),
                ({"outcome": "full_refund", "reasons": []}, "invalid_value", "reasons"),
                ({"outcome": "refund_all", "reasons": REASONS}, "invalid_enum", "outcome"),
                ({"outcome": "partial_refund", "reasons": REASONS}, "required", "amount"),
                ({"outcome": "rejected", "reasons": [{"code": "Not Snake", "text": "x"}]},
                 "invalid_value", "reasons[0].code"),
                ({"outcome": "rejected", "reasons": [{"code": "_x", "text": "x"}]},
                 "invalid_value", "reasons[0].code"),
                ({"outcome": "rejected", "reasons": [{"code": "1st_reason", "text": "x"}]},
                 "invalid_value", "reasons[0].code"),
                ({"outcome": "rejected", "reasons": [{"code": "ok"}]}, "required",
                 "reasons[0].text"),
                ({"outcome": "rejected", "reasons": [{"text": "x"}]}, "required",
                 "reasons[0].code"),
                ({"outcome": "rejected", "reasons": ["no_reason"]}, "invalid_type",
                 "reasons[0]"),
                ({"outcome": "rejected", "reasons": [{"code": "a", "text": "b", "why": 1}]},
                 "unknown_parameter", "reasons[0].why"),
                ({"outcome": "rejected", "reasons": [{"code": "a", "text": "b",
                                                      "evidence": [5]}]},
                 "invalid_type", "reasons[0].evidence[0]")]:
            with self.subTest(body=body):
                self.assertError(self.act(d, "decision", body, self.agent), 400, code, param)
        self.assertEqual(self.get(d)["state"], "platform_review")
        # a code the rules do not publish is refused (other, with a text, says what it is),
        # and so is evidence that is not the dispute's own
        for reasons, code, param in [
                (REASONS + [{"code": "seller_admitted_defect_2", "text": "商家在聊天中承认漏水"}],
                 "unknown_reason", "reasons[1].code"),
                ([{"code": "merchant_evidence_insufficient", "text": "x",
                   "evidence": ["order:ord_x"]}], "unknown_evidence", "reasons[0].evidence")]:
            with self.subTest(param=param):
                r = self.act(d, "decision", {"outcome": "partial_refund", "amount": cny(1500),
                                             "reasons": reasons}, self.agent)
                self.assertEqual(r.status, 422, r.body)
                self.assertEqual((r.body["error"]["code"], r.body["error"]["param"]),
                                 (code, param))
        self.assertEqual(self.get(d)["state"], "platform_review")
        reasons = [{"code": "merchant_evidence_insufficient", "text": "商家未能证明商品无质量问题",
                    "evidence": ["order:" + s.order["id"], d["id"]]},
                   {"code": "other", "text": "商家在聊天中承认漏水"}]
        d = self.decide(d, outcome="partial_refund", amount=cny(1500), reasons=reasons)
        o = d["outcome"]
        self.assertEqual((o["outcome"], o["amount"], o["source"]),
                         ("partial_refund", cny(1500), "platform"))
        self.assertEqual(o["reasons"], reasons)
        self.assertEqual(o["decided_by"]["role"], "agent")
        self.assertEqual(o["decided_by"].get("name"), "客服-王芳")
        self.assertFalse(d["overdue"])
        self.assertEqual(d["next"], {"actor": "parties", "action": "appeal",
                                     "due_at": APPEAL_DUE_FROM_T0})
        ev = [e for e in self.events(d) if e["type"] == "decision"][-1]
        self.assertEqual((ev["type"], ev["from"], ev["to"], ev["actor"]["role"]),
                         ("decision", "platform_review", "decided", "agent"))
        self.assertEqual(ev["data"]["reasons"], reasons)

    def test_a_decision_without_money_is_recorded_and_runs_its_course(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        self.ok(d, "escalate", {}, s.consumer)
        d = self.decide(d, outcome="rejected", reasons=[
            {"code": "consumer_evidence_insufficient", "text": "冻结记录显示已签收且无质量问题"}])
        self.assertEqual(d["outcome"]["outcome"], "rejected")
        self.assertIsNone(d["outcome"]["amount"])
        self.assertEqual(self.get(d, token=s.consumer)["outcome"], d["outcome"])
        s2 = self.shop(amount=1999)
        d2 = self.opened(s2, claim_type="repair")
        self.ok(d2, "responses", {"action": "reject"}, s2.merchant_token)
        self.ok(d2, "escalate", {}, s2.consumer)
        d2 = self.decide(d2, outcome="repair")
        self.assertEqual((d2["outcome"]["outcome"], d2["outcome"]["amount"]), ("repair", None))
        # when the appeal window closes, a rejection is over and a repair is carried out
        self.advance_to(APPEAL_DUE_FROM_T0)
        self.assertEqual(self.get(d)["state"], "resolved")
        self.assertEqual(self.get(d2)["state"], "executing")

    def test_a_full_refund_decision_refunds_the_claim_as_made(self):
        s = self.shop(amount=1999)
        d = self.opened(s, amount=1200)
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        self.ok(d, "escalate", {}, s.consumer)
        d = self.decide(d, outcome="full_refund")
        self.assertEqual(d["outcome"]["amount"], cny(1200))

    def test_one_appeal_with_new_information_then_the_decision_is_final(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=1999)
        d = self.opened(s)
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        self.ok(d, "escalate", {}, s.consumer)
        d = self.decide(d, outcome="rejected", reasons=[
            {"code": "consumer_evidence_insufficient", "text": "无照片"}])
        # an appeal brings new information: a message is required
        self.assertError(self.act(d, "appeal", {}, s.consumer), 400, "required", "message")
        blob = self.blob(s.consumer)
        self.advance(HOUR)
        d = self.ok(d, "appeal", {"message": "补充漏水照片", "evidence": [blob]}, s.consumer,
                    state="platform_review")
        self.assertTrue(d["appealed"])
        self.assertEqual(d["next"]["actor"], "platform")
        self.assertEqual(d["next"]["action"], "decide")
        self.assertEqual(d["deadlines"][-1]["step"], "platform_review")
        ev = self.events(d)[-1]
        self.assertEqual((ev["type"], ev["from"], ev["to"], ev["actor"]["role"]),
                         ("appeal", "decided", "platform_review", "consumer"))
        self.assertEqual(ev["data"]["evidence"], [blob])
        # a decision on appeal is final and carried out at once: no second window
        d = self.decide(d, outcome="full_refund", state="resolved")
        self.assertIsNone(d["next"])
        self.assertEqual(d["deadlines"][-1]["step"], "execution")
        self.assertEqual(d["funds"]["paid"], cny(1999))
        self.assertError(self.act(d, "appeal", {"message": "我也要申诉"}, s.merchant_token),
                         409, "wrong_state")
        self.assertEqual([(e["type"], e["to"]) for e in self.events(d)][-3:],
                         [("decision", "executing"), ("funds", "executing"),
                          ("settled", "resolved")])

    def test_the_merchant_may_appeal_too(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        self.ok(d, "escalate", {}, s.consumer)
        self.decide(d)
        d = self.ok(d, "appeal", {"message": "消费者使用不当，附检测报告"}, s.merchant_token,
                    state="platform_review")
        self.assertEqual(self.events(d)[-1]["actor"]["role"], "merchant")
        self.assertError(self.act(d, "appeal", {"message": "x"}, self.agent), 403, "forbidden")

    def test_appeal_window_closes_to_executing_or_resolved(self):
        granted, refused = self.shop(), self.shop()
        a = self.opened(granted, claim_type="repair")
        self.ok(a, "responses", {"action": "reject"}, granted.merchant_token)
        self.ok(a, "escalate", {}, granted.consumer)
        self.decide(a, outcome="repair")
        b = self.opened(refused)
        self.ok(b, "responses", {"action": "reject"}, refused.merchant_token)
        self.ok(b, "escalate", {}, refused.consumer)
        self.decide(b, outcome="rejected")
        self.advance_to(APPEAL_DUE_FROM_T0)
        a, b = self.get(a), self.get(b)
        # a repair needs carrying out; a rejection leaves nothing to do
        self.assertEqual(a["state"], "executing")
        self.assertEqual(a["next"]["actor"], "platform")
        self.assertEqual(a["next"]["action"], "execute")
        self.assertEqual(b["state"], "resolved")
        self.assertIsNone(b["next"])
        for d, to in ((a, "executing"), (b, "resolved")):
            ev = self.events(d)[-1]
            self.assertEqual((ev["type"], ev["from"], ev["to"], ev["actor"]["role"]),
                             ("timeout", "decided", to, "system"))
            self.assertEqual(ev["created_at"], APPEAL_DUE_FROM_T0)
        # the window is closed: no appeal
        r = self.act(a, "appeal", {"message": "晚了"}, granted.consumer)
        self.assertError(r, 409, "wrong_state", says="executing")
        self.ok(a, "executed", {}, self.agent, state="resolved")
        self.assertError(self.act(a, "executed", {}, self.agent), 409, "wrong_state",
                         says="resolved")

    def test_withdraw_and_external_from_every_live_state(self):
        def awaiting_merchant(s):
            return self.opened(s)

        def negotiating(s):
            d = self.opened(s)
            return self.ok(d, "responses", {"action": "counter",
                                            "offer": {"type": "refund", "amount": cny(500)}},
                           s.merchant_token, state="negotiating")

        def platform_review(s):
            d = negotiating(s)
            return self.ok(d, "escalate", {}, s.consumer, state="platform_review")

        def decided(s):
            return self.decide(platform_review(s))

        def executing(s):
            d = self.decide(platform_review(s))
            self.ok(d, "appeal", {"message": "新证据"}, s.consumer)
            # no money on the platform: the final decision waits in executing
            return self.decide(d, state="executing")

        for make in (awaiting_merchant, negotiating, platform_review, decided, executing):
            with self.subTest(state=make.__name__):
                s = self.shop()
                d = make(s)
                d = self.ok(d, "withdraw", {"message": "已与商家和解"}, s.consumer,
                            state="withdrawn")
                self.assertIsNone(d["next"])
                # assessments are the server's background work: they may come after
                ev = [e for e in self.events(d) if e["type"] not in ("funds", "assessment")][-1]
                self.assertEqual((ev["type"], ev["from"], ev["to"]),
                                 ("withdraw", make.__name__, "withdrawn"))
                s = self.shop()
                d = make(s)
                d = self.ok(d, "external", {"body": "court",
                                            "reference": "(2025)闽0102民初1234号"},
                            s.consumer, state="external")
                self.assertEqual(d["external"]["body"], "court")
                self.assertEqual(d["external"]["reference"], "(2025)闽0102民初1234号")
                self.assertIsNone(d["next"])
                # the last move of the lifecycle; the disclosure the consumer takes
                # to court is noted after it
                ev = [e for e in self.events(d)
                      if e["type"] not in ("funds", "disclosure_released", "assessment")][-1]
                self.assertEqual((ev["type"], ev["from"], ev["to"]),
                                 ("external", make.__name__, "external"))
                self.assertEqual([e for e in self.events(d)
                                  if e["type"] != "assessment"][-1]["type"],
                                 "disclosure_released")
        s = self.shop()
        d = self.opened(s)
        self.assertError(self.act(d, "external", {"body": "police"}, s.consumer), 400,
                         "invalid_enum", "body")
        self.assertError(self.act(d, "external", {}, s.consumer), 400, "required", "body")
        d = self.ok(d, "external", {"body": "association"}, s.consumer, state="external")
        self.assertIsNone(d["external"]["reference"])

    def test_a_dispute_that_is_over_takes_no_more_actions(self):
        s1, s2, s3 = self.shop(), self.shop(), self.shop()
        withdrawn = self.opened(s1)
        self.ok(withdrawn, "withdraw", {}, s1.consumer, state="withdrawn")
        external = self.opened(s2)
        self.ok(external, "external", {"body": "association"}, s2.consumer)
        resolved = self.opened(s3)
        self.ok(resolved, "responses", {"action": "reject"}, s3.merchant_token)
        self.ok(resolved, "escalate", {}, s3.consumer)
        self.decide(resolved, outcome="rejected")
        self.advance_to(APPEAL_DUE_FROM_T0)
        self.assertEqual(self.get(resolved)["state"], "resolved")
        for d, s, state in ((withdrawn, s1, "withdrawn"), (external, s2, "external"),
                            (resolved, s3, "resolved")):
            before = self.events(d)
            for action, body, who in [
                    ("withdraw", {}, s.consumer),
                    ("external", {"body": "court"}, s.consumer),
                    ("escalate", {}, s.consumer),
                    ("accept_offer", {"offer": "ofr_" + "0" * 24}, s.consumer),
                    ("responses", {"action": "accept"}, s.merchant_token),
                    ("appeal", {"message": "x"}, s.consumer),
                    ("decision", {"outcome": "rejected", "reasons": REASONS}, self.agent),
                    ("executed", {}, self.agent),
                    ("messages", {"text": "还在吗"}, s.consumer)]:
                with self.subTest(state=state, action=action):
                    self.assertError(self.act(d, action, body, who), 409, "wrong_state",
                                     says=state)
            self.assertEqual(self.events(d), before)
            self.assertEqual(self.get(d)["state"], state)

    def test_actions_in_the_wrong_live_state_are_409_saying_why(self):
        s = self.shop()
        d = self.opened(s)
        for action, body, who in [
                ("escalate", {}, s.consumer),
                ("accept_offer", {"offer": "ofr_" + "0" * 24}, s.consumer),
                ("decision", {"outcome": "rejected", "reasons": REASONS}, self.agent),
                ("appeal", {"message": "x"}, s.consumer),
                ("executed", {}, self.agent)]:
            with self.subTest(state="awaiting_merchant", action=action):
                self.assertError(self.act(d, action, body, who), 409, "wrong_state",
                                 says="awaiting_merchant")
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        for action, body, who in [
                ("responses", {"action": "accept"}, s.merchant_token),
                ("decision", {"outcome": "rejected", "reasons": REASONS}, self.agent),
                ("appeal", {"message": "x"}, s.merchant_token)]:
            with self.subTest(state="negotiating", action=action):
                self.assertError(self.act(d, action, body, who), 409, "wrong_state",
                                 says="negotiating")
        self.ok(d, "escalate", {}, s.consumer)
        for action, body, who in [
                ("escalate", {}, s.consumer),
                ("responses", {"action": "counter",
                               "offer": {"type": "refund", "amount": cny(1)}},
                 s.merchant_token),
                ("appeal", {"message": "x"}, s.consumer),
                ("executed", {}, self.agent)]:
            with self.subTest(state="platform_review", action=action):
                self.assertError(self.act(d, action, body, who), 409, "wrong_state",
                                 says="platform_review")
        self.decide(d)
        for action, body, who in [
                ("decision", {"outcome": "rejected", "reasons": REASONS}, self.agent),
                ("executed", {}, self.agent),
                ("escalate", {}, s.consumer)]:
            with self.subTest(state="decided", action=action):
                self.assertError(self.act(d, action, body, who), 409, "wrong_state",
                                 says="decided")
        self.assertEqual([e["type"] for e in self.events(d)],
                         ["opened", "merchant_reject", "escalate", "decision", "funds"])


class ActorTest(DisputeCase):
    """An action by the wrong actor is 403; a party of another dispute does not see this one (404)."""

    def test_each_action_belongs_to_its_actor(self):
        s = self.shop()
        d = self.opened(s)
        self.ok(d, "responses", {"action": "counter",
                                 "offer": {"type": "refund", "amount": cny(500)}},
                s.merchant_token)
        offer = self.get(d)["offer"]["id"]
        refusals = [
            ("accept_offer", {"offer": offer}, s.merchant_token, "merchant"),
            ("escalate", {}, s.merchant_token, "merchant"),
            ("withdraw", {}, s.merchant_token, "merchant"),
            ("external", {"body": "court"}, s.merchant_token, "merchant"),
            ("decision", {"outcome": "full_refund", "reasons": REASONS}, s.consumer,
             "consumer"),
            ("decision", {"outcome": "full_refund", "reasons": REASONS}, s.merchant_token,
             "merchant"),
            ("executed", {}, s.consumer, "consumer"),
            ("responses", {"action": "accept"}, s.consumer, "consumer"),
            ("responses", {"action": "accept"}, self.agent, "agent"),
            ("accept_offer", {"offer": offer}, self.agent, "agent"),
            ("escalate", {}, self.agent, "agent"),
            ("withdraw", {}, self.agent, "agent"),
            ("messages", {"text": "x"}, self.agent, "agent"),
        ]
        for action, body, who, role in refusals:
            with self.subTest(action=action, role=role):
                self.assertError(self.act(d, action, body, who), 403, "forbidden",
                                 says=[role, action])
        # nothing moved
        d = self.get(d)
        self.assertEqual(d["state"], "negotiating")
        self.assertEqual(d["offer"]["id"], offer)
        self.assertEqual([e["type"] for e in self.events(d)], ["opened", "merchant_counter"])
        # 403 comes before 400: a bad body from the wrong actor is still 403
        self.assertError(self.act(d, "decision", {"nonsense": 1}, s.consumer), 403,
                         "forbidden")

    def test_another_merchant_or_consumer_does_not_see_the_dispute(self):
        s, other = self.shop(), self.shop()
        d = self.opened(s)
        for who in (other.merchant_token, other.consumer):
            self.assertError(self.req("GET", "/v1/disputes/%s" % d["id"], token=who), 404,
                             "not_found")
            self.assertError(self.req("GET", "/v1/disputes/%s/events" % d["id"], token=who),
                             404, "not_found")
            self.assertEqual(self.req("GET", "/v1/disputes", token=who).body["data"], [])
            self.assertError(self.act(d, "messages", {"text": "路过"}, who), 404, "not_found")
        self.assertError(self.act(d, "responses", {"action": "accept"}, other.merchant_token),
                         404, "not_found")
        self.assertError(self.act(d, "withdraw", {}, other.consumer), 404, "not_found")
        # indistinguishable from a dispute that does not exist
        r = self.req("GET", "/v1/disputes/dsp_" + "0" * 24, token=other.merchant_token)
        self.assertError(r, 404, "not_found")
        self.assertEqual(self.get(d)["state"], "awaiting_merchant")
        # a merchant asking for another merchant's disputes gets none
        r = self.req("GET", "/v1/disputes?merchant=%s" % s.merchant["id"],
                     token=other.merchant_token)
        self.assertEqual(r.body["data"], [])

    def test_the_platform_key_acts_on_behalf_of_either_party(self):
        s = self.shop()
        d = self.opened(s, token=self.platform)
        d = self.ok(d, "responses", {"action": "counter",
                                     "offer": {"type": "refund", "amount": cny(800)}},
                    self.platform, state="negotiating")
        d = self.ok(d, "accept_offer", {"offer": d["offer"]["id"]}, self.platform,
                    state="executing")
        roles = [e["actor"]["role"] for e in self.events(d) if e["type"] != "funds"]
        self.assertEqual(roles, ["platform", "platform", "platform"])


class TimelineTest(DisputeCase):

    def full_story(self):
        s = self.shop(amount=1999, signed_at="2025-09-30T10:00:00+08:00", order_message=True)
        d = self.opened(s)
        self.ok(d, "messages", {"text": "杯子漏水"}, s.consumer)
        self.ok(d, "responses", {"action": "counter", "offer": {"type": "refund",
                                                                 "amount": cny(1000)}},
                s.merchant_token)
        self.ok(d, "escalate", {"message": "只退一半不合理"}, s.consumer)
        self.decide(d)
        self.ok(d, "appeal", {"message": "商家补充证据"}, s.merchant_token)
        self.fund(s, settlement=1000, guarantee=10000)
        self.decide(d, outcome="partial_refund", amount=cny(1500), state="resolved")
        return s, d

    def test_both_parties_see_the_same_sealed_timeline(self):
        s, d = self.full_story()
        mine = self.events(d, token=s.consumer)
        self.assertEqual(self.events(d, token=s.merchant_token), mine)
        self.assertEqual(self.events(d, token=self.agent), mine)
        self.assertEqual([(e["type"], e["from"], e["to"]) for e in mine], [
            ("opened", None, "awaiting_merchant"),
            ("message", "awaiting_merchant", "awaiting_merchant"),
            ("merchant_counter", "awaiting_merchant", "negotiating"),
            ("escalate", "negotiating", "platform_review"),
            ("decision", "platform_review", "decided"),
            ("funds", "decided", "decided"),
            ("appeal", "decided", "platform_review"),
            ("decision", "platform_review", "executing"),
            ("funds", "executing", "executing"),
            ("settled", "executing", "resolved"),
        ])
        # the money's path, with amounts and accounts, is in both parties' timelines
        hold, paid = [e["data"] for e in mine if e["type"] == "funds"]
        self.assertEqual((hold["operation"], hold["amount"], hold["shortfall"]),
                         ("hold", cny(0), cny(1999)))
        self.assertEqual((paid["operation"], paid["amount"]), ("execute", cny(1500)))
        legs = [(leg["owner"], leg["account"], leg["amount"]["amount"])
                for entry in paid["entries"] for leg in entry["legs"]]
        self.assertIn((s.merchant["id"], "settlement", -1000), legs)
        self.assertIn(("platform", "guarantee", -500), legs)
        self.assertIn((s.merchant["id"], "receivable", 500), legs)
        leaves = []
        for ev in mine:
            self.assertEqual(ev["object"], "dispute_event")
            self.assertEqual(ev["dispute"], d["id"])
            for k in ("actor", "from", "to", "reason", "created_at", "sealed"):
                self.assertIn(k, ev)
            self.assertIn(ev["actor"]["role"], ("consumer", "merchant", "agent", "system"))
            self.assertTrue(ev["actor"]["id"])
            if ev["type"] != "message":
                self.assertTrue(ev["reason"], ev)
            self.assertIsInstance(ev["sealed"]["leaf_index"], int)
            self.assertRegex(ev["sealed"]["leaf_hash"], r"^[A-Za-z0-9+/]{43}=$")
            leaves.append(ev["sealed"]["leaf_index"])
        self.assertEqual(leaves, sorted(set(leaves)))
        # each event is a public log entry with a proof
        r = self.req("GET", "/v1/log/entries/%d/proof" % leaves[-1], token=None)
        self.assertEqual(r.status, 200)
        # neither party gets the other's contact details
        text = json.dumps(mine, ensure_ascii=False) + json.dumps(
            self.get(d, token=s.merchant_token), ensure_ascii=False)
        self.assertNotIn(s.order["consumer"]["phone"], text)
        self.assertNotIn("shop@example.com", text)
        self.assertNotIn("8888 0000", text)

    def test_the_evidence_set_freezes_the_orders_records_at_opening(self):
        s = self.shop(amount=1999, signed_at="2025-09-30T10:00:00+08:00", order_message=True)
        d = self.opened(s)
        es = d["evidence_set"]
        self.assertEqual(es["frozen_at"], T0)
        by_type = {}
        for rec in es["records"]:
            by_type.setdefault(rec["type"], []).append(rec)
        self.assertEqual(sorted(by_type), ["listing", "logistics", "merchant", "message",
                                           "order", "payment"])
        order = self.req("GET", "/v1/orders/%s" % s.order["id"]).body
        self.assertEqual(by_type["order"][0]["leaf_index"], order["sealed"]["leaf_index"])
        self.assertEqual(by_type["payment"][0]["leaf_index"],
                         order["payment"]["sealed"]["leaf_index"])
        self.assertEqual(by_type["merchant"][0]["id"], s.merchant["id"])
        self.assertEqual((by_type["listing"][0]["id"], by_type["listing"][0]["version"]),
                         (s.listing["id"], 1))
        lg = self.req("GET", "/v1/orders/%s/logistics" % s.order["id"]).body["data"]
        self.assertEqual([(r["id"], r["leaf_index"]) for r in by_type["logistics"]],
                         [(x["id"], x["sealed"]["leaf_index"]) for x in lg])
        msgs = self.req("GET", "/v1/orders/%s/messages" % s.order["id"]).body["data"]
        self.assertEqual([(r["id"], r["leaf_index"]) for r in by_type["message"]],
                         [(x["id"], x["sealed"]["leaf_index"]) for x in msgs])
        for rec in es["records"]:
            self.assertRegex(rec["leaf_hash"], r"^[A-Za-z0-9+/]{43}=$")
        # a record pushed after opening is not in the frozen set
        self.world.post("/v1/orders/%s/logistics" % s.order["id"],
                        logistics_body(status="returned"))
        self.assertEqual(self.get(d)["evidence_set"], es)
        self.assertEqual(self.get(d, token=s.merchant_token)["evidence_set"], es)

    def test_lists_filter_for_agents_and_scope_for_parties(self):
        a, b = self.shop(amount=1999), self.shop(amount=50000)
        da = self.opened(a)
        db = self.opened(b, reason="safety")
        self.ok(db, "responses", {"action": "reject"}, b.merchant_token)

        def ids(path, token):
            r = self.req("GET", path, token=token)
            self.assertEqual(r.status, 200, r.body)
            return sorted(x["id"] for x in r.body["data"])

        self.assertEqual(ids("/v1/disputes", self.agent), sorted([da["id"], db["id"]]))
        self.assertEqual(ids("/v1/disputes?state=negotiating", self.agent), [db["id"]])
        self.assertEqual(ids("/v1/disputes?tier=serious", self.agent), [db["id"]])
        self.assertEqual(ids("/v1/disputes?tier=fast_lane", self.agent), [da["id"]])
        self.assertEqual(ids("/v1/disputes?merchant=%s" % a.merchant["id"], self.agent),
                         [da["id"]])
        self.assertEqual(ids("/v1/disputes?merchant=%s" % a.merchant["external_id"],
                             self.agent), [da["id"]])
        self.assertEqual(ids("/v1/disputes?overdue=false", self.agent),
                         sorted([da["id"], db["id"]]))
        self.assertEqual(ids("/v1/disputes?overdue=true", self.agent), [])
        self.assertEqual(ids("/v1/disputes", a.consumer), [da["id"]])
        self.assertEqual(ids("/v1/disputes", b.merchant_token), [db["id"]])
        self.assertError(self.req("GET", "/v1/disputes?state=open", token=self.agent), 400,
                         "invalid_enum", "state")
        self.assertError(self.req("GET", "/v1/disputes?tier=vip", token=self.agent), 400,
                         "invalid_enum", "tier")
        self.assertError(self.req("GET", "/v1/disputes?overdue=yes", token=self.agent), 400,
                         "invalid_value", "overdue")


class RollingEvidenceTest(DisputeCase):

    def test_both_parties_add_messages_and_see_each_others(self):
        s = self.shop()
        d = self.opened(s)
        photo = self.blob(s.consumer)
        self.ok(d, "messages", {"text": "杯底有裂缝", "attachments": [photo]}, s.consumer,
                state="awaiting_merchant")
        self.advance(HOUR)
        self.ok(d, "messages", {"text": "请提供购买时的包装照片"}, s.merchant_token)
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        # evidence keeps rolling in the next step
        self.ok(d, "messages", {"text": "包装已丢弃"}, s.consumer, state="negotiating")
        self.ok(d, "messages", {"text": "平台补充说明"}, self.platform)
        for who in (s.consumer, s.merchant_token):
            msgs = [(e["actor"]["role"], e["data"]["text"], e["data"]["attachments"])
                    for e in self.events(d, token=who) if e["type"] == "message"]
            self.assertEqual(msgs, [("consumer", "杯底有裂缝", [photo]),
                                    ("merchant", "请提供购买时的包装照片", []),
                                    ("consumer", "包装已丢弃", []),
                                    ("platform", "平台补充说明", [])])
        # a message changes no state and no deadline
        d2 = self.get(d)
        self.assertEqual(d2["state"], "negotiating")
        self.assertEqual(d2["next"]["due_at"], shift(CONSUMER_DUE, HOUR))
        for body, code, param in [({}, "required", "text"),
                                  ({"text": "x", "attachments": ["sha256:" + "0" * 64]},
                                   "resource_missing", "attachments[0]"),
                                  ({"text": "x", "cc": "y"}, "unknown_parameter", "cc"),
                                  ({"text": "x" * 10001}, "too_long", "text")]:
            with self.subTest(body=body):
                self.assertError(self.act(d, "messages", body, s.consumer), 400, code, param)


class DisputeAttachmentTest(DisputeCase):

    def test_each_party_can_fetch_the_others_dispute_attachments(self):
        s = self.shop()
        photo, report = self.blob(s.consumer), self.blob(s.merchant_token)
        d = self.opened(s, evidence=[photo])
        self.ok(d, "messages", {"text": "检测报告", "attachments": [report]}, s.merchant_token)
        # "both parties may add messages and attachments ... and see each other's"
        for blob, who, name in ((photo, s.merchant_token, "consumer's photo to the merchant"),
                                (report, s.consumer, "merchant's report to the consumer"),
                                (photo, s.consumer, "consumer's own photo"),
                                (report, s.merchant_token, "merchant's own report")):
            with self.subTest(name):
                r = self.req("GET", "/v1/blobs/%s/content" % blob, token=who)
                self.assertEqual(r.status, 200, r.body)
        # and no one else
        other = self.shop()
        r = self.req("GET", "/v1/blobs/%s/content" % photo, token=other.merchant_token)
        self.assertError(r, 404, "not_found")

    def test_citing_a_blob_one_may_not_see_is_no_probe_and_no_read(self):
        s, other = self.shop(), self.shop()
        theirs = self.blob(other.consumer)          # the other consumer's own upload
        unattached = self.blob()                     # the platform's, on no record yet
        missing = "sha256:" + "7" * 64

        def refusal(r, digest):
            """The error, with the cited digest taken out of the message."""
            self.assertEqual(r.status, 400, r.body)
            err = dict(r.body["error"])
            self.assertIn(digest, err["message"])
            err["message"] = err["message"].replace(digest, "<blob>")
            return err

        want = refusal(self.open(s, evidence=[missing]), missing)
        self.assertEqual((want["type"], want["code"], want["param"]),
                         ("invalid_request", "resource_missing", "evidence[0]"))
        for blob in (theirs, unattached):
            with self.subTest(blob=blob):
                self.assertEqual(refusal(self.open(s, evidence=[blob]), blob), want)
        # nothing opened; the same holds on every route that takes evidence
        self.assertEqual(self.req("GET", "/v1/disputes", token=s.consumer).body["data"], [])
        d = self.opened(s)
        for action, body, token, key in (
                ("messages", {"text": "看这个"}, s.consumer, "attachments"),
                ("messages", {"text": "看这个"}, s.merchant_token, "attachments"),
                ("responses", {"action": "reject"}, s.merchant_token, "evidence")):
            with self.subTest(action=action, token=token):
                want = refusal(self.act(d, action, dict(body, **{key: [missing]}), token),
                               missing)
                got = refusal(self.act(d, action, dict(body, **{key: [theirs]}), token), theirs)
                self.assertEqual(got, want)
        self.assertEqual([e["type"] for e in self.events(d)], ["opened"])
        # and the blob stays out of reach
        for path in ("/v1/blobs/%s", "/v1/blobs/%s/content"):
            for token in (s.consumer, s.merchant_token):
                r = self.req("GET", path % theirs, token=token)
                self.assertError(r, 404, "not_found")
        # uploading the same bytes is no probe either: 201 for the first upload by this party
        data = self.req("GET", "/v1/blobs/%s/content" % theirs, token=other.consumer,
                        raw_reply=True).body
        r = self.req("POST", "/v1/blobs", raw=data, headers={"Content-Type": "image/png"},
                     token=s.consumer)
        self.assertEqual((r.status, r.body["id"]), (201, theirs), r.body)
        # what a party may see, it may cite: a photo on its order's listing, its own upload
        listed = self.blob()
        shop = self.shop()
        self.world.post("/v1/orders/%s/messages" % shop.order["id"],
                        message_body(attachments=[listed]))
        self.opened(shop, evidence=[listed, self.blob(shop.consumer)])


class RulesTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = Server()
        cls.srv.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()
        finally:
            cls.srv.cleanup()

    def test_the_published_rules_are_public_with_their_version_and_numbers(self):
        r = self.srv.request("GET", "/v1/rules")
        self.assertEqual(r.status, 200, r.body)
        b = r.body
        self.assertRegex(b["version"], r"^\d{4}-\d{2}-\d{2}\.[1-9]\d*$")
        self.assertEqual(b["version"], "2025-10-01.1")
        self.assertEqual(b["deadlines"]["merchant_response"],
                         {"value": 48, "unit": "hours", "text": "48h"})
        self.assertEqual(b["deadlines"]["consumer_reply"],
                         {"value": 72, "unit": "hours", "text": "72h"})
        self.assertEqual(b["deadlines"]["platform_review"],
                         {"value": 3, "unit": "working_days", "text": "3wd"})
        self.assertEqual(b["deadlines"]["appeal"], {"value": 7, "unit": "days", "text": "7d"})
        self.assertEqual(b["no_reason_return"]["window"],
                         {"value": 7, "unit": "days", "text": "7d"})
        self.assertEqual(sorted(b["no_reason_return"]["excluded_flags"]),
                         ["custom", "digital_unsealed", "periodical", "perishable"])
        self.assertEqual(b["tiers"]["fast_lane_max"], cny(20000))
        self.assertEqual(sorted(b["tiers"]["serious_reasons"]), ["counterfeit", "safety"])
        codes = [c["code"] for c in b["reason_codes"]]
        self.assertIn("merchant_no_response", codes)
        for c in b["reason_codes"]:
            self.assertRegex(c["code"], r"^[a-z][a-z0-9_]*$")
            self.assertTrue(c["zh"] and c["en"])
        y2025 = [y for y in b["calendar"]["years"] if y["year"] == 2025][0]
        self.assertIn("2025-10-08", y2025["holidays"])
        self.assertIn("2025-10-11", y2025["workdays"])
        self.assertEqual(sorted(y["year"] for y in b["calendar"]["years"]), [2024, 2025, 2026])
        # a token is not needed, and any token is fine
        self.assertEqual(self.srv.request("GET", "/v1/rules", token="dtk_whatever").status,
                         200)

    def test_the_test_clock_is_off_by_default(self):
        key = self.srv.key_create("platform")
        r = self.srv.request("POST", "/v1/test/clock", {"advance_seconds": 60}, token=key)
        self.assertEqual(r.status, 404, r.body)
        self.assertEqual(r.body["error"]["code"], "not_found")


if __name__ == "__main__":
    unittest.main()
