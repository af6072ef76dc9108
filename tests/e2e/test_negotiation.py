"""test_negotiation.py - negotiation in rounds: the merchant offers and revises, the consumer counters, alternating up to the rules' [negotiation] rounds, each step on its own deadline; the standing offer is accepted by the party it was made to.

The numbers come from etc/rules.ini: rounds 3, merchant_response 48h, consumer_reply 72h,
fast_lane_max 200.00 CNY. Each test runs its own server on the test clock from T0.
"""
import unittest

from dispute_kit import HOUR, T0, DisputeCase, OFR_ID, cny, shift

ROUNDS = 3


class NegotiationCase(DisputeCase):

    def offer(self, d, s, fen, type_="refund"):
        """The merchant offers (first answer or revised offer) `fen` of `type_`."""
        return self.ok(d, "responses", {"action": "counter",
                                        "offer": {"type": type_, "amount": cny(fen)}},
                       s.merchant_token, state="negotiating")

    def counter(self, d, s, fen, text=None, type_="refund"):
        body = {"type": type_, "amount": cny(fen)}
        if text:
            body["text"] = text
        return self.act(d, "counter", body, s.consumer)

    def countered(self, d, s, fen, **kw):
        r = self.counter(d, s, fen, **kw)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["state"], "negotiating")
        return r.body


class RoundsTest(NegotiationCase):

    def test_rounds_alternate_to_the_limit_then_only_accept_or_escalate(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        # round 1: the merchant's offer, then the consumer's counter-offer
        d = self.offer(d, s, 500)
        self.assertEqual((d["offer"]["by"], d["offer"]["round"]), ("merchant", 1))
        self.assertEqual(d["next"]["actor"], "consumer")
        d = self.countered(d, s, 1500, text="至少退15元")
        offer = d["offer"]
        self.assertRegex(offer["id"], OFR_ID)
        self.assertEqual((offer["by"], offer["round"], offer["type"], offer["amount"],
                          offer["text"]), ("consumer", 1, "refund", cny(1500), "至少退15元"))
        # the merchant's turn, on its own deadline
        self.assertEqual(d["next"], {"actor": "merchant",
                                     "action": "accept_counter_revise_or_reject",
                                     "due_at": shift(T0, 48 * HOUR)})
        self.assertEqual(d["deadlines"][-1]["step"], "merchant_response")
        # not the consumer's turn now
        self.assertError(self.counter(d, s, 1400), 409, "wrong_state", says="merchant")
        # rounds 2 and 3
        d = self.offer(d, s, 800)
        self.assertEqual(d["offer"]["round"], 2)
        d = self.countered(d, s, 1200)
        d = self.offer(d, s, 1000)
        self.assertEqual((d["offer"]["by"], d["offer"]["round"]), ("merchant", ROUNDS))
        self.assertEqual(
            [(h["round"], h["by"], h["action"], h["offer"]["amount"]["amount"])
             for h in d["negotiation"]],
            [(1, "merchant", "offer", 500), (1, "consumer", "counter", 1500),
             (2, "merchant", "offer", 800), (2, "consumer", "counter", 1200),
             (3, "merchant", "offer", 1000)])
        for h in d["negotiation"]:
            self.assertEqual(h["at"], T0)
        # after the last round a counter-offer is refused and changes nothing
        before = self.events(d)
        r = self.counter(d, s, 1100)
        self.assertError(r, 409, "rounds_exhausted", says=["accept", "escalate"])
        # nor may the merchant revise on the consumer's turn
        r = self.act(d, "responses", {"action": "counter",
                                      "offer": {"type": "refund", "amount": cny(1100)}},
                     s.merchant_token)
        self.assertError(r, 409, "wrong_state", says="consumer")
        self.assertEqual(self.events(d), before)
        self.assertEqual(self.get(d), d)
        # both parties see the same standing offer and history
        for who in (s.consumer, s.merchant_token):
            got = self.get(d, token=who)
            self.assertEqual((got["offer"], got["negotiation"]), (d["offer"], d["negotiation"]))
        # accept closes it as before: the standing offer is the agreement
        d = self.ok(d, "accept_offer", {"offer": d["offer"]["id"]}, s.consumer,
                    state="executing")
        o = d["outcome"]
        self.assertEqual((o["outcome"], o["amount"], o["source"]),
                         ("partial_refund", cny(1000), "agreement"))
        self.assertEqual([r["code"] for r in o["reasons"]], ["offer_accepted"])
        # every step is a sealed event of the timeline
        evs = self.events(d)
        self.assertEqual([(e["type"], e["from"], e["to"]) for e in evs[:7]],
                         [("opened", None, "awaiting_merchant"),
                          ("merchant_counter", "awaiting_merchant", "negotiating"),
                          ("consumer_counter", "negotiating", "negotiating"),
                          ("merchant_counter", "negotiating", "negotiating"),
                          ("consumer_counter", "negotiating", "negotiating"),
                          ("merchant_counter", "negotiating", "negotiating"),
                          ("accept_offer", "negotiating", "executing")])
        for e in evs[:7]:
            self.assertIsInstance(e["sealed"]["leaf_index"], int)
        self.assertEqual(evs[2]["data"], {"offer": {"type": "refund", "amount": cny(1500)},
                                          "text": "至少退15元"})
        self.assertEqual(evs[2]["actor"]["role"], "consumer")

    def test_the_merchant_accepts_a_counter_offer(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=5000)
        d = self.opened(s)
        d = self.offer(d, s, 500)
        d = self.countered(d, s, 1500)
        # the consumer cannot accept its own counter-offer
        r = self.act(d, "accept_offer", {"offer": d["offer"]["id"]}, s.consumer)
        self.assertError(r, 403, "forbidden", says="consumer")
        r = self.act(d, "accept_offer", {"offer": "ofr_" + "0" * 24}, s.merchant_token)
        self.assertError(r, 409, "offer_mismatch", "offer", says=d["offer"]["id"])
        d = self.ok(d, "accept_offer", {"offer": d["offer"]["id"]}, s.merchant_token,
                    state="resolved")
        o = d["outcome"]
        self.assertEqual((o["outcome"], o["amount"], o["source"]),
                         ("partial_refund", cny(1500), "agreement"))
        self.assertEqual([r["code"] for r in o["reasons"]], ["merchant_accepted"])
        self.assertEqual(d["funds"]["paid"], cny(1500))
        self.assertEqual(self.balance(s.merchant["id"], "settlement"), 3500)
        ev = [e for e in self.events(d) if e["type"] == "accept_offer"][0]
        self.assertEqual(ev["actor"]["role"], "merchant")

    def test_the_merchant_answers_a_counter_offer_with_accept_or_reject(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        self.offer(d, s, 500)
        self.countered(d, s, 1999, type_="refund")
        # its `accept` response takes the counter-offer; a counter of the whole claim is a
        # full refund
        d = self.ok(d, "responses", {"action": "accept", "message": "同意"}, s.merchant_token,
                    state="executing")
        self.assertEqual((d["outcome"]["outcome"], d["outcome"]["amount"]),
                         ("full_refund", cny(1999)))
        # a rejected claim may be countered too; the merchant rejecting the counter-offer
        # sends the dispute to the platform
        s2 = self.shop(amount=1999)
        d2 = self.opened(s2)
        d2 = self.ok(d2, "responses", {"action": "reject"}, s2.merchant_token,
                     state="negotiating")
        self.assertIsNone(d2["offer"])
        d2 = self.countered(d2, s2, 1000)
        self.assertEqual(d2["offer"]["round"], 1)
        d2 = self.ok(d2, "responses", {"action": "reject", "message": "不同意"},
                     s2.merchant_token, state="platform_review")
        self.assertEqual([(h["round"], h["by"], h["action"]) for h in d2["negotiation"]],
                         [(1, "merchant", "reject"), (1, "consumer", "counter"),
                          (1, "merchant", "reject")])
        self.assertEqual(d2["next"]["action"], "decide")

    def test_a_counter_offer_is_checked_and_a_bad_one_changes_nothing(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        # before the merchant answers there is nothing to counter
        self.assertError(self.counter(d, s, 1000), 409, "wrong_state",
                         says="awaiting_merchant")
        d = self.offer(d, s, 500)
        before = self.events(d)
        for body, code, param in [
                ({"amount": cny(1000)}, "required", "type"),
                ({"type": "refund"}, "required", "amount"),
                ({"type": "refund_all", "amount": cny(1000)}, "invalid_enum", "type"),
                ({"type": "refund", "amount": cny(2000)}, "amount_exceeds_order", "amount"),
                ({"type": "refund", "amount": {"amount": 1000, "currency": "USD"}},
                 "currency_mismatch", "amount.currency"),
                ({"type": "refund", "amount": cny(1000), "note": "x"}, "unknown_parameter",
                 "note"),
                ({"type": "refund", "amount": cny(1000), "text": "x" * 2001}, "too_long",
                 "text")]:
            with self.subTest(body=body):
                self.assertError(self.act(d, "counter", body, s.consumer), 400, code, param)
        s2 = self.shop(amount=1999)
        d2 = self.opened(s2, amount=1000)
        self.offer(d2, s2, 500)
        self.assertError(self.counter(d2, s2, 1200), 400, "amount_exceeds_claim", "amount")
        # only the consumer counters
        for who, role in ((s.merchant_token, "merchant"), (self.agent, "agent")):
            r = self.act(d, "counter", {"type": "refund", "amount": cny(1000)}, who)
            self.assertError(r, 403, "forbidden", says=role)
        self.assertEqual(self.events(d), before)
        self.assertEqual(self.get(d)["offer"], d["offer"])


class RoundDeadlineTest(NegotiationCase):

    def test_each_step_runs_on_its_own_deadline_and_fires_once(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        d = self.offer(d, s, 500)
        self.assertEqual(d["next"]["due_at"], shift(T0, 72 * HOUR))
        # the consumer counters a day later: the merchant has 48h, to the very second the
        # consumer's own deadline would have passed; that earlier step's timer stays void
        self.advance(24 * HOUR)
        d = self.countered(d, s, 1500)
        self.assertEqual(d["next"]["due_at"], shift(T0, 72 * HOUR))
        self.advance(48 * HOUR - 1)
        self.assertEqual(self.get(d)["state"], "negotiating")
        self.advance(1)
        # a fast-lane merchant silent on the counter-offer: the claim is granted, as the
        # rules say of its silence
        d = self.get(d)
        self.assertEqual(d["state"], "decided")
        self.assertEqual((d["outcome"]["source"], d["outcome"]["amount"]),
                         ("timeout", cny(1999)))
        [ev] = self.timeouts(d)
        self.assertEqual((ev["from"], ev["to"], ev["created_at"]),
                         ("negotiating", "decided", shift(T0, 72 * HOUR)))
        self.advance(HOUR)
        self.assertEqual(len(self.timeouts(d)), 1)

    def test_a_larger_claim_goes_to_review_when_the_merchant_is_silent_on_a_counter(self):
        s = self.shop(amount=50000)
        d = self.opened(s)
        self.assertEqual(d["tier"], "standard")
        d = self.offer(d, s, 10000)
        d = self.countered(d, s, 40000)
        self.advance(48 * HOUR)
        d = self.get(d)
        self.assertEqual(d["state"], "platform_review")
        self.assertEqual(self.timeouts(d)[-1]["from"], "negotiating")

    def test_a_counter_past_the_consumers_deadline_is_409(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        d = self.offer(d, s, 500)
        self.advance(72 * HOUR - 1)
        self.countered(d, s, 1500)
        s2 = self.shop(amount=1999)
        d2 = self.opened(s2)
        d2 = self.offer(d2, s2, 500)
        self.advance(72 * HOUR)
        before = self.events(d2)
        r = self.counter(d2, s2, 1500)
        self.assertEqual(r.status, 409, r.body)
        self.assertEqual(self.get(d2)["state"], "platform_review")
        self.assertEqual(self.events(d2), before)

    def test_the_merchant_may_revise_until_the_last_second(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        self.offer(d, s, 500)
        d = self.countered(d, s, 1500)
        self.advance(48 * HOUR - 1)
        d = self.offer(d, s, 900)
        self.assertEqual((d["offer"]["round"], d["next"]["actor"]), (2, "consumer"))
        self.assertEqual(d["next"]["due_at"], shift(T0, 48 * HOUR - 1 + 72 * HOUR))


class RulesTest(DisputeCase):

    def test_the_rounds_and_admissions_are_published(self):
        b = self.req("GET", "/v1/rules", token=None).body
        self.assertEqual(b["negotiation"], {"rounds": ROUNDS})
        self.assertIn("发错了", b["burden"]["admissions"])
        self.assertIn("insufficient_evidence", [c["code"] for c in b["reason_codes"]])


if __name__ == "__main__":
    unittest.main()
