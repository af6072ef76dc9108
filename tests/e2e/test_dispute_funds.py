"""test_dispute_funds.py - disputes that move money: agreed outcomes paid at once, fast-lane grants and the merchant's successful appeal, decisions held then paid, waivers, serious holds, withdrawals after an outcome, and the platform's own liability (CPL art. 44), on the test clock.

Every path asserts the ledger's balances over GET /v1/funds/accounts and the "funds"
events both parties see in GET /v1/disputes/{id}/events.
"""
import unittest
from urllib.parse import quote

from dispute_kit import DAY, HOUR, T0, DisputeCase, cny

APPEAL_DUE_FROM_T0 = "2025-10-09T16:00:00Z"
REASONS = [{"code": "merchant_evidence_insufficient", "text": "商家未举证"}]


class MoneyCase(DisputeCase):

    def cid(self, s):
        return s.order["consumer"]["id"]

    def mid(self, s):
        return s.merchant["id"]

    def to_review(self, s, **kw):
        d = self.opened(s, **kw)
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        return self.ok(d, "escalate", {}, s.consumer, state="platform_review")

    def assertBothSee(self, d, s, operation, amount):
        """Consumer and merchant see the same "funds" event of `operation` for `amount` fen."""
        mine = self.funds_events(d, token=s.consumer)
        self.assertEqual(mine, self.funds_events(d, token=s.merchant_token))
        ops = [(e["data"]["operation"], e["data"]["amount"]["amount"]) for e in mine]
        self.assertIn((operation, amount), ops)
        return [e["data"] for e in mine if e["data"]["operation"] == operation]


class AgreedTest(MoneyCase):

    def test_a_merchant_accepting_the_claim_pays_at_once_from_its_settlement(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=5000)
        d = self.opened(s)
        before = self.balances(self.mid(s))["settlement"]["balance"]
        d = self.ok(d, "responses", {"action": "accept"}, s.merchant_token, state="resolved")
        self.assertEqual(d["funds"]["paid"], cny(1999))
        self.assertIsNotNone(d["executed_at"])
        self.assertEqual(before - self.balance(self.mid(s), "settlement"), 1999)
        self.assertEqual(self.balance(self.cid(s), "payable"), 1999)
        [ex] = self.assertBothSee(d, s, "execute", 1999)
        [entry] = ex["entries"]
        self.assertEqual(entry["kind"], "transfer")
        self.assertEqual({(leg["owner"], leg["account"], leg["amount"]["amount"])
                          for leg in entry["legs"]},
                         {(self.mid(s), "settlement", -1999), (self.cid(s), "payable", 1999)})
        # final: neither party appeals what it agreed to, and a retry moves nothing more
        for who in (s.consumer, s.merchant_token):
            self.assertError(self.act(d, "appeal", {"message": "反悔"}, who), 409, "wrong_state")
        self.assertEqual(self.balance(self.cid(s), "payable"), 1999)

    def test_an_offer_accepted_is_paid_at_once_and_the_guarantee_fund_covers_the_rest(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=300, guarantee=10000)
        d = self.opened(s)
        d = self.ok(d, "responses", {"action": "counter",
                                     "offer": {"type": "refund", "amount": cny(1000)}},
                    s.merchant_token)
        d = self.ok(d, "accept_offer", {"offer": d["offer"]["id"]}, s.consumer,
                    state="resolved")
        self.assertEqual(self.balance(self.cid(s), "payable"), 1000)
        self.assertEqual(self.balance(self.mid(s), "settlement"), 0)
        self.assertEqual(self.balance(self.mid(s), "receivable"), 700)
        self.assertEqual(self.balance("platform", "guarantee"), 9300)
        [ex] = self.assertBothSee(d, s, "execute", 1000)
        self.assertEqual([e["kind"] for e in ex["entries"]], ["transfer", "advance"])


class FastLaneTest(MoneyCase):

    def test_a_grant_on_silence_pays_at_once_and_a_successful_appeal_reimburses_the_merchant(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=1999, guarantee=5000)
        d = self.opened(s)
        self.advance(48 * HOUR)
        d = self.get(d)
        self.assertEqual(d["state"], "decided")
        self.assertEqual(d["funds"]["paid"], cny(1999))
        self.assertEqual(self.balance(self.cid(s), "payable"), 1999)
        self.assertEqual(self.balance(self.mid(s), "settlement"), 0)
        self.assertBothSee(d, s, "execute", 1999)
        # the merchant appeals with new information and wins
        self.ok(d, "appeal", {"message": "物流显示消费者已签收且未拆封"}, s.merchant_token,
                state="platform_review")
        d = self.decide(d, outcome="rejected", state="resolved", reasons=[
            {"code": "consumer_evidence_insufficient", "text": "商家补充证据成立"}])
        # the consumer keeps the money; the guarantee fund makes the merchant whole
        self.assertEqual(self.balance(self.cid(s), "payable"), 1999)
        self.assertEqual(self.balance(self.mid(s), "settlement"), 1999)
        self.assertEqual(self.balance("platform", "guarantee"), 5000 - 1999)
        self.assertEqual(d["funds"]["reimbursed"], cny(1999))
        [rb] = self.assertBothSee(d, s, "reimburse", 1999)
        self.assertEqual(rb["entries"][0]["kind"], "reimbursement")

    def test_an_unappealed_grant_is_resolved_when_the_window_closes(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=1999)
        d = self.opened(s)
        self.advance(48 * HOUR)
        self.advance_to(APPEAL_DUE_FROM_1_OCT)
        d = self.get(d)
        self.assertEqual(d["state"], "resolved")
        self.assertEqual(len(self.funds_events(d)), 1)
        self.assertEqual(self.balance(self.cid(s), "payable"), 1999)


APPEAL_DUE_FROM_1_OCT = "2025-10-09T16:00:00Z"


class DecisionTest(MoneyCase):

    def test_a_decision_holds_the_sum_and_pays_when_the_window_closes_unappealed(self):
        s = self.shop(amount=50000)
        self.fund(s, settlement=60000)
        d = self.to_review(s)
        d = self.decide(d, outcome="partial_refund", amount=cny(30000))
        acc = self.balances(self.mid(s))["settlement"]
        self.assertEqual((acc["balance"], acc["held"], acc["available"]), (60000, 30000, 30000))
        self.assertEqual(d["funds"]["held"], cny(30000))
        self.assertBothSee(d, s, "hold", 30000)
        self.advance_to("2025-10-09T15:59:59Z")
        self.assertEqual(self.balance(self.cid(s), "payable"), 0)
        self.advance(1)
        d = self.get(d)
        self.assertEqual(d["state"], "resolved")
        self.assertEqual(self.balances(self.mid(s))["settlement"],
                         {"balance": 30000, "held": 0, "available": 30000})
        self.assertEqual(self.balance(self.cid(s), "payable"), 30000)
        types = [(e["type"], e["to"]) for e in self.events(d)][-3:]
        self.assertEqual(types, [("timeout", "executing"), ("funds", "executing"),
                                 ("settled", "resolved")])
        self.assertEqual(self.events(d)[-1]["actor"]["role"], "system")

    def test_both_parties_waiving_their_appeal_pays_at_once(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=1999)
        d = self.decide(self.to_review(s))
        self.assertError(self.act(d, "waive_appeal", {}, self.platform), 400, "required",
                         "party")
        self.assertError(self.act(d, "waive_appeal", {"party": "consumer"}, s.consumer), 400,
                         "unknown_parameter", "party")
        d = self.ok(d, "waive_appeal", {"message": "接受"}, s.consumer, state="decided")
        self.assertEqual(d["appeal_waived"], ["consumer"])
        self.assertError(self.act(d, "waive_appeal", {}, s.consumer), 409, "appeal_waived")
        self.assertError(self.act(d, "appeal", {"message": "又想申诉"}, s.consumer), 409,
                         "appeal_waived")
        self.assertEqual(self.balance(self.cid(s), "payable"), 0)
        d = self.ok(d, "waive_appeal", {}, s.merchant_token, state="resolved")
        self.assertEqual(self.balance(self.cid(s), "payable"), 1999)
        self.assertEqual(self.balances(self.mid(s))["settlement"]["held"], 0)
        self.assertError(self.act(d, "waive_appeal", {}, self.agent), 403, "forbidden")

    def test_a_rejection_releases_what_was_held(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=1999)
        d = self.decide(self.to_review(s, reason="safety"), outcome="rejected")
        self.advance_to(APPEAL_DUE_FROM_T0)
        self.assertEqual(self.get(d)["state"], "resolved")
        self.assertEqual(self.balances(self.mid(s))["settlement"],
                         {"balance": 1999, "held": 0, "available": 1999})


class SeriousHoldTest(MoneyCase):

    def test_a_serious_dispute_holds_what_it_can_and_the_shortfall_is_paid_first(self):
        s = self.shop(amount=50000)
        self.fund(s, settlement=20000, guarantee=100000)
        d = self.opened(s, reason="safety")
        self.assertEqual(d["tier"], "serious")
        self.assertEqual((d["funds"]["held"], d["funds"]["shortfall"]),
                         (cny(20000), cny(30000)))
        self.assertEqual(self.balances(self.mid(s))["settlement"]["held"], 20000)
        [h] = self.assertBothSee(d, s, "hold", 20000)
        self.assertEqual(h["shortfall"], cny(30000))
        # without any money the dispute opens all the same
        poor = self.shop(amount=50000)
        p = self.opened(poor, reason="counterfeit")
        self.assertEqual(p["funds"]["shortfall"], cny(50000))
        # agreed: the hold pays first, the guarantee fund the rest, recovered later
        d = self.ok(d, "responses", {"action": "accept"}, s.merchant_token, state="resolved")
        self.assertEqual(self.balance(self.cid(s), "payable"), 50000)
        self.assertEqual(self.balance(self.mid(s), "settlement"), 0)
        self.assertEqual(self.balance(self.mid(s), "receivable"), 30000)
        self.assertEqual(self.balance("platform", "guarantee"), 70000)


class WithdrawTest(MoneyCase):

    def report(self):
        path = "/v1/reports/compliance?from=%s&to=%s" % (quote("2025-09-01T00:00:00Z"),
                                                         quote("2025-12-01T00:00:00Z"))
        r = self.req("GET", path)
        self.assertEqual(r.status, 200, r.body)
        return r.body

    def test_a_decided_outcome_survives_a_withdrawal_and_its_money_moves(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=1999)
        d = self.decide(self.to_review(s))
        d = self.ok(d, "withdraw", {"message": "不想再处理了"}, s.consumer, state="withdrawn")
        self.assertEqual(self.balance(self.cid(s), "payable"), 1999)
        self.assertIsNotNone(d["executed_at"])
        self.assertBothSee(d, s, "execute", 1999)
        kinds = {(o["kind"], o["met_on_time"]) for o in self.report()["obligations"]}
        self.assertIn(("execute", 1), kinds)

    def test_an_exchange_agreed_keeps_its_duty_after_the_consumer_goes_to_court(self):
        s = self.shop(amount=1999)
        d = self.opened(s, claim_type="exchange")
        self.ok(d, "responses", {"action": "accept"}, s.merchant_token, state="executing")
        d = self.ok(d, "external", {"body": "court"}, s.consumer, state="external")
        execute = [o for o in self.report()["obligations"] if o["kind"] == "execute"][0]
        self.assertEqual((execute["total"], execute["open"]), (1, 1))
        self.assertEqual(self.report()["cancelled"], [])
        d = self.ok(d, "executed", {"message": "已换货"}, self.agent, state="external")
        self.assertIsNotNone(d["executed_at"])
        self.assertError(self.act(d, "executed", {}, self.agent), 409, "wrong_state")

    def test_withdrawing_before_any_outcome_releases_the_hold_and_lists_the_cancelled_duty(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=1999)
        d = self.to_review(s, reason="safety")
        self.assertEqual(self.balances(self.mid(s))["settlement"]["held"], 1999)
        self.ok(d, "withdraw", {}, s.consumer, state="withdrawn")
        self.assertEqual(self.balances(self.mid(s))["settlement"]["held"], 0)
        self.assertBothSee(d, s, "release", 1999)
        [c] = self.report()["cancelled"]
        self.assertEqual((c["dispute"], c["kind"], c["reason"]),
                         (d["id"], "decide", "consumer_withdrew"))


class PlatformLiableTest(MoneyCase):

    def test_an_unverifiable_merchant_makes_the_platform_pay_first(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=5000, guarantee=10000)
        r = self.req("POST", "/v1/merchants/%s/flags" % self.mid(s),
                     {"flag": "identity_unverifiable", "reason": "营业执照地址查无此人"},
                     token=self.agent)
        self.assertEqual(r.status, 201, r.body)
        d = self.opened(s)
        self.assertEqual(d["platform_liable"]["basis"], "cpl_44")
        self.assertEqual(d["platform_liable"]["reason"], "identity_unverifiable")
        self.assertEqual(self.get(d, token=s.consumer)["platform_liable"],
                         d["platform_liable"])
        d = self.ok(d, "responses", {"action": "accept"}, s.merchant_token, state="resolved")
        self.assertEqual(self.balance(self.cid(s), "payable"), 1999)
        self.assertEqual(self.balance("platform", "guarantee"), 10000 - 1999)
        self.assertEqual(self.balance(self.mid(s), "receivable"), 1999)
        self.assertEqual(self.balance(self.mid(s), "settlement"), 5000)
        [ex] = self.assertBothSee(d, s, "execute", 1999)
        self.assertEqual([e["kind"] for e in ex["entries"]], ["advance"])

    def test_a_flag_set_after_opening_makes_the_execution_liable(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=5000, guarantee=10000)
        d = self.to_review(s)
        self.assertIsNone(d["platform_liable"])
        self.req("POST", "/v1/merchants/%s/flags" % self.mid(s),
                 {"flag": "identity_unverifiable", "reason": "电话空号"}, token=self.agent)
        d = self.decide(d)
        self.ok(d, "waive_appeal", {}, s.consumer)
        d = self.ok(d, "waive_appeal", {}, s.merchant_token, state="resolved")
        self.assertEqual(d["platform_liable"]["reason"], "identity_unverifiable")
        self.assertEqual(self.balance(self.mid(s), "receivable"), 1999)
        self.assertEqual(self.balances(self.mid(s))["settlement"],
                         {"balance": 5000, "held": 0, "available": 5000})


if __name__ == "__main__":
    unittest.main()
