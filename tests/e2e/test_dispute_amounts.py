"""test_dispute_amounts.py - money a dispute moves never exceeds what the consumer paid."""
import unittest

from dispute_kit import DisputeCase, cny


class DisputeAmountTest(DisputeCase):

    def test_counter_offer_above_the_order_total_is_refused(self):
        shop = self.shop(amount=1999)
        d = self.opened(shop)
        r = self.act(d, "responses", {"action": "counter",
                                      "offer": {"type": "refund", "amount": cny(2000)}},
                     shop.merchant_token)
        self.assertError(r, 400, "amount_exceeds_order", param="offer.amount")
        self.assertEqual(self.get(d)["state"], "awaiting_merchant")
        self.ok(d, "responses", {"action": "counter", "offer": {"type": "refund",
                                                                 "amount": cny(1999)}},
                shop.merchant_token, state="negotiating")

    def test_decision_above_the_order_total_is_refused(self):
        shop = self.shop(amount=1999)
        d = self.opened(shop)
        self.ok(d, "responses", {"action": "reject"}, shop.merchant_token, state="negotiating")
        self.ok(d, "escalate", {"message": "商家拒绝处理"}, shop.consumer, state="platform_review")
        r = self.act(d, "decision", {"outcome": "partial_refund", "amount": cny(999999),
                                     "reasons": [{"code": "quality_defect", "text": "质量问题"}]},
                     self.agent)
        self.assertError(r, 400, "amount_exceeds_order", param="amount")
        self.assertEqual(self.get(d)["state"], "platform_review")
        self.decide(d, outcome="partial_refund", amount=cny(1000))


if __name__ == "__main__":
    unittest.main()
