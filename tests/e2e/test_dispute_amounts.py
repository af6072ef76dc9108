"""test_dispute_amounts.py - money a dispute moves never exceeds what the consumer paid, or what a named basis of compensation computes."""
import unittest

from dispute_kit import DisputeCase, Shop, cny
from harness import order_body


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

    # ---- compensation above the order's total, on a named basis ----

    def compensation(self, shop, amount, basis=None, **kw):
        claim = {"type": "compensation", "amount": cny(amount)}
        if basis:
            claim["basis"] = basis
        return self.req("POST", "/v1/disputes", {"order": shop.order["id"], "claim": claim,
                                                 "reason": "counterfeit"},
                        token=kw.get("token", shop.consumer))

    def test_cpl_55_allows_three_times_the_price_and_at_least_500_yuan(self):
        shop = self.shop(amount=30000)
        r = self.compensation(shop, 90001, "cpl_55")
        self.assertError(r, 400, "amount_exceeds_basis", param="claim.amount")
        r = self.compensation(shop, 90000, "cpl_55")
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.body["claim"]["basis"], "cpl_55")
        self.assertEqual(r.body["claim"]["cap"], cny(90000))
        # a cheap item: the floor of ¥500
        cheap = self.shop(amount=1000)
        r = self.compensation(cheap, 50000, "cpl_55")
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.body["claim"]["cap"], cny(50000))

    def test_food_safety_148_allows_ten_times_and_at_least_1000_yuan(self):
        shop = self.shop(amount=2000)
        self.assertError(self.compensation(shop, 100001, "food_safety_148"), 400,
                         "amount_exceeds_basis", param="claim.amount")
        r = self.compensation(shop, 100000, "food_safety_148")
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.body["claim"]["cap"], cny(100000))

    def test_a_merchants_promise_caps_offers_and_decisions_too(self):
        m = self.world.merchant()
        promised = self.world.listing(m["id"], price=10000, compensation_multiplier=3,
                                      title="正品保证 假一赔三")
        self.assertEqual(promised["compensation_multiplier"], 3)
        plain = self.world.listing(m["id"], price=500)
        body = order_body(m["id"], promised["id"], unit_price=10000)
        body["items"].append({"listing": plain["id"], "quantity": 2,
                              "unit_price": cny(500)})
        body["total"] = cny(11000)
        o = self.world.post("/v1/orders", body)
        shop = Shop(m, promised, o, self.token("consumer", o["consumer"]["id"]),
                    self.token("merchant", m["id"]))
        # 3 x 10000 for the promised item; nothing for the other
        self.assertError(self.compensation(shop, 30001, "merchant_promise"), 400,
                         "amount_exceeds_basis", param="claim.amount")
        d = self.compensation(shop, 30000, "merchant_promise")
        self.assertEqual(d.status, 201, d.body)
        d = d.body
        self.assertEqual(d["claim"]["cap"], cny(30000))
        r = self.act(d, "responses", {"action": "counter",
                                      "offer": {"type": "compensation", "amount": cny(30001)}},
                     shop.merchant_token)
        self.assertError(r, 400, "amount_exceeds_basis", param="offer.amount")
        self.ok(d, "responses", {"action": "counter",
                                 "offer": {"type": "compensation", "amount": cny(20000)}},
                shop.merchant_token, state="negotiating")
        self.ok(d, "escalate", {"message": "要求按承诺赔偿"}, shop.consumer,
                state="platform_review")
        r = self.act(d, "decision", {"outcome": "partial_refund", "amount": cny(30001),
                                     "reasons": [{"code": "merchant_evidence_insufficient",
                                                  "text": "商家未能证明商品为正品"}]},
                     self.agent)
        self.assertError(r, 400, "amount_exceeds_basis", param="amount")
        # above the order's total, within the promise
        self.decide(d, outcome="partial_refund", amount=cny(30000))

    def test_a_basis_needs_a_compensation_claim_and_a_promise_to_invoke(self):
        shop = self.shop(amount=1999)
        r = self.req("POST", "/v1/disputes",
                     {"order": shop.order["id"], "reason": "counterfeit",
                      "claim": {"type": "refund", "amount": cny(1999), "basis": "cpl_55"}},
                     token=shop.consumer)
        self.assertError(r, 400, "basis_not_applicable", param="claim.basis")
        self.assertError(self.compensation(shop, 1000, "merchant_promise"), 400,
                         "basis_not_applicable", param="claim.basis")
        self.assertError(self.compensation(shop, 1000, "treble"), 400, "invalid_enum",
                         param="claim.basis")
        # without a basis the cap stays the order's total
        self.assertError(self.compensation(shop, 2000), 400, "amount_exceeds_order",
                         param="claim.amount")
        r = self.compensation(shop, 1999)
        self.assertEqual(r.status, 201, r.body)
        self.assertIsNone(r.body["claim"]["basis"])
        self.assertEqual(r.body["claim"]["cap"], cny(1999))
        # and a listing's promise must be a whole multiple from 2 to 10
        m = self.world.merchant()
        for bad in (1, 11, "3", 2.5):
            r = self.req("POST", "/v1/listings", {"merchant": m["id"], "title": "杯子",
                                                  "price": cny(100),
                                                  "compensation_multiplier": bad})
            self.assertEqual(r.status, 400, r.body)
            self.assertEqual(r.body["error"]["param"], "compensation_multiplier")


if __name__ == "__main__":
    unittest.main()
