"""test_merchant_flags.py - a merchant the platform flags for repeated fraud makes every dispute against it serious."""
import unittest

from dispute_kit import DisputeCase


class MerchantFlagTest(DisputeCase):

    def test_flagged_merchant_makes_a_small_claim_serious_until_cleared(self):
        shop = self.shop(amount=1999)
        m = shop.merchant["id"]
        r = self.req("POST", "/v1/merchants/%s/flags" % m,
                     {"flag": "repeated_fraud", "reason": "三起售假投诉经核实"}, token=self.agent)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.body["flag"], "repeated_fraud")
        # staff see the flag; the merchant itself does not
        self.assertEqual([f["flag"] for f in self.req("GET", "/v1/merchants/" + m).body["flags"]],
                         ["repeated_fraud"])
        self.assertNotIn("flags", self.req("GET", "/v1/merchants/" + m,
                                           token=shop.merchant_token).body)
        d = self.opened(shop, reason="quality")
        self.assertEqual(d["tier"], "serious", d)
        self.assertIn("fraud", d["tier_reason"])
        # twice is a conflict; clearing makes the next claim a fast-lane one again
        r = self.req("POST", "/v1/merchants/%s/flags" % m,
                     {"flag": "repeated_fraud", "reason": "again"}, token=self.agent)
        self.assertError(r, 409, "flag_set")
        self.ok(d, "withdraw", {}, shop.consumer, state="withdrawn")
        r = self.req("DELETE", "/v1/merchants/%s/flags/repeated_fraud" % m, token=self.agent)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.opened(shop, reason="quality")["tier"], "fast_lane")
        r = self.req("DELETE", "/v1/merchants/%s/flags/repeated_fraud" % m, token=self.agent)
        self.assertError(r, 404, "not_found")

    def test_flags_are_for_staff_and_checked(self):
        shop = self.shop()
        m = shop.merchant["id"]
        r = self.req("POST", "/v1/merchants/%s/flags" % m, {"flag": "repeated_fraud",
                                                            "reason": "x"}, token=shop.merchant_token)
        self.assertError(r, 403, "forbidden")
        r = self.req("POST", "/v1/merchants/%s/flags" % m, {"flag": "slow", "reason": "x"})
        self.assertError(r, 400, "invalid_enum", param="flag")
        r = self.req("POST", "/v1/merchants/%s/flags" % m, {"flag": "repeated_fraud"})
        self.assertError(r, 400, "required", param="reason")
        r = self.req("POST", "/v1/merchants/mer_000000000000000000000000/flags",
                     {"flag": "repeated_fraud", "reason": "x"})
        self.assertError(r, 404, "not_found")


if __name__ == "__main__":
    unittest.main()
