"""test_dispute_return.py - a return_refund carried out in two steps: the consumer's return shipment (logistics with direction "return"), then the refund on the merchant's confirm_return or when the rules' return_receipt period after signing ends, on the test clock.

Every path asserts the ledger's balances over GET /v1/funds/accounts and what both
parties see in GET /v1/disputes/{id}/events.
"""
import unittest

from dispute_kit import DisputeCase, cny, shift
from harness import logistics_body

# A return signed for on Monday 29 September 2025 (Beijing): 7 days end on 6 October, a
# National Day rest day, so the period runs to the first working day after, 9 October,
# and ends at 24:00 Beijing.
REFUND_DUE = "2025-10-09T16:00:00Z"


class ReturnCase(DisputeCase):

    def cid(self, s):
        return s.order["consumer"]["id"]

    def mid(self, s):
        return s.merchant["id"]

    def agreed(self, s, amount=1999):
        """A return_refund the merchant accepted: executing, waiting for the goods."""
        d = self.opened(s, claim_type="return_refund", reason="quality")
        return self.ok(d, "responses", {"action": "accept"}, s.merchant_token,
                       state="executing")

    def ship(self, s, status="shipped", direction="return", **over):
        r = self.req("POST", "/v1/orders/%s/logistics" % s.order["id"],
                     logistics_body(status=status, direction=direction,
                                    occurred_at=over.pop("occurred_at", self.now()), **over))
        self.assertEqual(r.status, 201, r.body)
        return r.body

    def both_see(self, d, s, etype):
        """Consumer and merchant see the same events of `etype`; returns them."""
        mine = [e for e in self.events(d, token=s.consumer) if e["type"] == etype]
        theirs = [e for e in self.events(d, token=s.merchant_token) if e["type"] == etype]
        self.assertEqual(mine, theirs)
        return mine

    def executes(self, d, s):
        """The "execute" funds events both parties see."""
        return [e["data"] for e in self.both_see(d, s, "funds")
                if e["data"]["operation"] == "execute"]


class TwoStepTest(ReturnCase):

    def test_return_shipped_then_the_merchant_confirms_and_the_refund_is_paid_at_once(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=5000)
        d = self.agreed(s)
        # the first step: nothing paid, the sum held, the consumer sends the goods back
        self.assertEqual(d["outcome"]["outcome"], "full_refund")
        self.assertEqual(d["funds"]["paid"], cny(0))
        self.assertEqual(d["funds"]["held"], cny(1999))
        self.assertEqual(d["return"]["status"], "awaiting_shipment")
        self.assertEqual(d["next"], {"actor": "consumer", "action": "return_goods",
                                     "due_at": None})
        self.assertIsNone(d["executed_at"])
        self.assertEqual(self.balance(self.cid(s), "payable"), 0)
        self.assertEqual(self.balances(self.mid(s))["settlement"],
                         {"balance": 5000, "held": 1999, "available": 3001})
        # nothing to confirm before the goods are on their way
        self.assertError(self.act(d, "confirm_return", {}, s.merchant_token), 409,
                         "return_not_shipped")
        # an outbound event is no return
        self.ship(s, status="in_transit", direction="outbound")
        self.assertEqual(self.get(d)["return"]["status"], "awaiting_shipment")
        ev = self.ship(s)
        self.assertEqual(ev["direction"], "return")
        d = self.get(d)
        self.assertEqual(d["state"], "executing")
        self.assertEqual(d["return"]["status"], "shipped")
        self.assertEqual(d["return"]["logistics"], [ev["id"]])
        self.assertEqual(d["next"], {"actor": "merchant", "action": "confirm_return",
                                     "due_at": None})
        [rl] = self.both_see(d, s, "return_logistics")
        self.assertEqual((rl["data"]["logistics"], rl["data"]["status"]), (ev["id"], "shipped"))
        self.assertEqual(rl["actor"]["role"], "system")
        self.assertEqual(self.balance(self.cid(s), "payable"), 0)
        # the consumer cannot confirm the merchant's receipt
        self.assertError(self.act(d, "confirm_return", {}, s.consumer), 403, "forbidden")
        # the second step: the merchant confirms, the refund is paid at once from the hold
        d = self.ok(d, "confirm_return", {"message": "退货已收到"}, s.merchant_token,
                    state="resolved")
        self.assertEqual(d["return"]["status"], "received")
        self.assertEqual(d["funds"]["paid"], cny(1999))
        self.assertIsNotNone(d["executed_at"])
        self.assertIsNone(d["next"])
        self.assertEqual(self.balance(self.cid(s), "payable"), 1999)
        self.assertEqual(self.balances(self.mid(s))["settlement"],
                         {"balance": 3001, "held": 0, "available": 3001})
        [ex] = self.executes(d, s)
        self.assertEqual(ex["amount"], cny(1999))
        [cf] = self.both_see(d, s, "confirm_return")
        self.assertEqual(cf["actor"]["role"], "merchant")
        types = [e["type"] for e in self.events(d)]
        self.assertEqual(types[-3:], ["confirm_return", "funds", "settled"])
        # exactly once: a second confirmation and a later withdrawal move nothing
        self.assertError(self.act(d, "confirm_return", {}, s.merchant_token), 409,
                         "wrong_state")
        self.assertError(self.act(d, "withdraw", {}, s.consumer), 409, "wrong_state")
        self.ship(s, status="signed")
        self.assertEqual(self.balance(self.cid(s), "payable"), 1999)
        self.assertEqual(len(self.executes(d, s)), 1)

    def test_signed_for_and_the_merchant_silent_is_refunded_exactly_when_the_period_ends(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=1999)
        d = self.agreed(s)
        self.ship(s)
        self.advance(3600)
        signed = self.ship(s, status="signed")
        d = self.get(d)
        self.assertEqual(d["return"]["status"], "signed")
        self.assertEqual(d["return"]["signed_at"], signed["occurred_at"])
        self.assertEqual(d["return"]["refund_due_at"], REFUND_DUE)
        self.assertEqual(d["next"], {"actor": "merchant", "action": "confirm_return",
                                     "due_at": REFUND_DUE})
        self.assertEqual(d["deadlines"][-1], {"step": "return_receipt", "actor": "merchant",
                                              "due_at": REFUND_DUE})
        # not a second before the period ends
        self.advance_to(shift(REFUND_DUE, -1))
        d = self.get(d)
        self.assertEqual(d["state"], "executing")
        self.assertEqual(self.balance(self.cid(s), "payable"), 0)
        self.assertEqual(self.executes(d, s), [])
        # at its end, on its own
        self.advance(1)
        d = self.get(d)
        self.assertEqual(d["state"], "resolved")
        self.assertEqual(d["return"]["status"], "received")
        self.assertEqual(d["return"]["received_at"], REFUND_DUE)
        self.assertEqual(self.balance(self.cid(s), "payable"), 1999)
        self.assertEqual(self.balance(self.mid(s), "settlement"), 0)
        [ex] = self.executes(d, s)
        self.assertEqual(ex["amount"], cny(1999))
        [to] = self.both_see(d, s, "timeout")
        self.assertEqual((to["actor"]["role"], to["created_at"]), ("system", REFUND_DUE))
        # once: the clock moving on and the merchant's late confirmation change nothing
        self.advance(7 * 86400)
        self.assertError(self.act(d, "confirm_return", {}, s.merchant_token), 409,
                         "wrong_state")
        self.assertEqual(self.balance(self.cid(s), "payable"), 1999)
        self.assertEqual(len(self.executes(self.get(d), s)), 1)

    def test_an_agent_cannot_pay_a_refund_that_waits_for_the_return(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=5000)
        d = self.agreed(s)
        self.assertError(self.act(d, "executed", {}, self.agent), 409, "return_pending")
        self.assertEqual(self.balance(self.cid(s), "payable"), 0)

    def test_a_decided_return_refund_keeps_the_decisions_hold_and_waits_for_the_goods(self):
        s = self.shop(amount=50000)
        self.fund(s, settlement=60000)
        d = self.opened(s, claim_type="return_refund", reason="quality")
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        self.ok(d, "escalate", {}, s.consumer, state="platform_review")
        d = self.decide(d)
        hold = d["funds"]["hold"]
        self.advance_to("2025-10-09T16:00:00Z")  # the appeal window closes unappealed
        d = self.get(d)
        self.assertEqual(d["state"], "executing")
        self.assertEqual(d["return"]["status"], "awaiting_shipment")
        self.assertEqual(d["funds"]["hold"], hold)
        self.assertEqual(self.balance(self.cid(s), "payable"), 0)
        self.ship(s, status="signed")
        d = self.ok(d, "confirm_return", {}, s.merchant_token, state="resolved")
        self.assertEqual(self.balance(self.cid(s), "payable"), 50000)
        self.assertEqual(self.balances(self.mid(s))["settlement"],
                         {"balance": 10000, "held": 0, "available": 10000})

    def test_a_plain_refund_offer_on_a_return_refund_claim_needs_no_return(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=5000)
        d = self.opened(s, claim_type="return_refund", reason="quality")
        d = self.ok(d, "responses", {"action": "counter",
                                     "offer": {"type": "refund", "amount": cny(1000)}},
                    s.merchant_token)
        d = self.ok(d, "accept_offer", {"offer": d["offer"]["id"]}, s.consumer,
                    state="resolved")
        self.assertIsNone(d["return"])
        self.assertEqual(self.balance(self.cid(s), "payable"), 1000)


class WithdrawTest(ReturnCase):

    def test_the_refund_survives_a_withdrawal_once_the_goods_were_sent_back(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=5000)
        d = self.agreed(s)
        self.ship(s)
        d = self.ok(d, "withdraw", {"message": "不想等了"}, s.consumer, state="withdrawn")
        # the goods are on their way back: the hold stays and the merchant still confirms
        self.assertEqual(d["return"]["status"], "shipped")
        self.assertEqual(d["next"], {"actor": "merchant", "action": "confirm_return",
                                     "due_at": None})
        self.assertEqual(self.balances(self.mid(s))["settlement"]["held"], 1999)
        self.assertEqual(self.balance(self.cid(s), "payable"), 0)
        self.ship(s, status="signed")
        d = self.get(d)
        self.assertEqual((d["state"], d["return"]["status"]), ("withdrawn", "signed"))
        self.assertEqual(d["return"]["refund_due_at"], REFUND_DUE)
        self.advance_to(REFUND_DUE)
        d = self.get(d)
        self.assertEqual((d["state"], d["return"]["status"]), ("withdrawn", "received"))
        self.assertIsNotNone(d["executed_at"])
        self.assertIsNone(d["next"])
        self.assertEqual(self.balance(self.cid(s), "payable"), 1999)
        self.assertEqual(self.balances(self.mid(s))["settlement"],
                         {"balance": 3001, "held": 0, "available": 3001})
        self.assertEqual(len(self.executes(d, s)), 1)
        self.assertError(self.act(d, "confirm_return", {}, s.merchant_token), 409,
                         "return_confirmed")
        self.assertError(self.act(d, "executed", {}, self.agent), 409, "wrong_state")
        self.assertEqual(self.balance(self.cid(s), "payable"), 1999)

    def test_withdrawing_before_the_goods_were_sent_back_owes_nothing(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=5000)
        d = self.agreed(s)
        d = self.ok(d, "withdraw", {}, s.consumer, state="withdrawn")
        self.assertEqual(d["return"]["status"], "cancelled")
        self.assertIsNone(d["next"])
        self.assertEqual(self.balances(self.mid(s))["settlement"],
                         {"balance": 5000, "held": 0, "available": 5000})
        # a return pushed later moves nothing, and neither the merchant nor an agent pays it
        self.ship(s, status="signed")
        self.assertEqual(self.both_see(self.get(d), s, "return_logistics"), [])
        self.assertError(self.act(d, "confirm_return", {}, s.merchant_token), 409, "no_return")
        self.assertError(self.act(d, "executed", {}, self.agent), 409, "wrong_state")
        self.assertEqual(self.balance(self.cid(s), "payable"), 0)


class DirectionTest(ReturnCase):

    def test_direction_defaults_to_outbound_and_is_checked(self):
        s = self.shop()
        r = self.req("POST", "/v1/orders/%s/logistics" % s.order["id"], logistics_body())
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.body["direction"], "outbound")
        r = self.req("POST", "/v1/orders/%s/logistics" % s.order["id"],
                     logistics_body(direction="sideways"))
        self.assertError(r, 400, "invalid_enum", "direction")

    def test_a_signed_return_does_not_restart_the_no_reason_window(self):
        s = self.shop(signed_at="2025-09-20T02:00:00Z")
        self.ship(s, status="signed", occurred_at="2025-09-28T02:00:00Z")
        r = self.open(s, claim_type="return_refund", reason="other")
        self.assertError(r, 409, "return_window_closed")


if __name__ == "__main__":
    unittest.main()
