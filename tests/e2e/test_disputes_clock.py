"""test_disputes_clock.py - every timeout of the dispute table under the test clock, to the second, over the National Day break, and across restarts; no-reason return windows.

Each test runs its own server on `--test-clock`, starting by default at T0, Monday
29 September 2025 10:00 Beijing (02:00Z). The numbers come from etc/rules.ini
(merchant_response 48h, consumer_reply 72h, platform_review 3wd, appeal 7d,
execution 3wd, no-reason window 7d) and etc/calendar/cn-2025.ini (1-8 October off;
Sunday 28 September and Saturday 11 October worked). Days are Beijing dates: the
starting day is not counted and a period ends at 24:00 Beijing (16:00Z) of its last day.
"""
import email.utils
import unittest

from dispute_kit import DAY, HOUR, T0, DisputeCase, cny, parse_time, shift
from harness import logistics_body

MERCHANT_DUE = shift(T0, 48 * HOUR)         # 2025-10-01T02:00:00Z
CONSUMER_DUE = shift(T0, 72 * HOUR)         # 2025-10-02T02:00:00Z
# A review entered on 1 or 2 October (in the break) or on 30 September: the next working
# days are Thu 9, Fri 10 and Sat 11 October (an adjusted working day, 调休), so 3 working
# days end at 24:00 on 11 October.
REVIEW_DUE_IN_BREAK = "2025-10-11T16:00:00Z"
# 7 days from 1 October: the 7th day, 8 October, is still in the break; the period runs to
# 24:00 of the first working day after it, 9 October.
APPEAL_DUE_FROM_1_OCT = "2025-10-09T16:00:00Z"
# ... and from 29 September: the 7th day is 6 October, in the break: also 9 October.
APPEAL_DUE_FROM_T0 = "2025-10-09T16:00:00Z"
REASONS = [{"code": "merchant_evidence_insufficient", "text": "商家未举证"}]


class MerchantSilenceTest(DisputeCase):

    def test_fast_lane_claim_is_granted_when_the_merchant_is_silent_48h(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        self.assertEqual(d["tier"], "fast_lane")
        self.advance(48 * HOUR - 1)
        self.assertEqual(self.get(d)["state"], "awaiting_merchant")
        self.assertEqual(self.timeouts(d), [])
        self.advance(1)
        d = self.get(d, token=s.consumer)
        self.assertEqual(d["state"], "decided")
        o = d["outcome"]
        self.assertEqual((o["outcome"], o["amount"], o["source"]),
                         ("full_refund", cny(1999), "timeout"))
        self.assertEqual([r["code"] for r in o["reasons"]], ["merchant_no_response"])
        self.assertEqual(o["decided_at"], MERCHANT_DUE)
        self.assertEqual(d["next"], {"actor": "parties", "action": "appeal",
                                     "due_at": APPEAL_DUE_FROM_1_OCT})
        [ev] = self.timeouts(d)
        self.assertEqual((ev["from"], ev["to"], ev["created_at"]),
                         ("awaiting_merchant", "decided", MERCHANT_DUE))
        self.assertEqual(ev["actor"]["role"], "system")
        self.assertIn("fast-lane", ev["reason"])
        self.assertIsInstance(ev["sealed"]["leaf_index"], int)
        # too late to answer now
        r = self.act(d, "responses", {"action": "counter",
                                      "offer": {"type": "refund", "amount": cny(500)}},
                     s.merchant_token)
        self.assertError(r, 409, "wrong_state", says="decided")
        # the merchant can still appeal the outcome, with new information
        self.ok(d, "appeal", {"message": "我们一直在联系消费者"}, s.merchant_token,
                state="platform_review")

    def test_a_larger_claim_goes_to_platform_review_when_the_merchant_is_silent(self):
        s = self.shop(amount=50000)
        d = self.opened(s)
        self.assertEqual(d["tier"], "standard")
        self.advance(48 * HOUR - 1)
        # up to the deadline, both parties may still add evidence
        self.ok(d, "messages", {"text": "商家一直不回复"}, s.consumer,
                state="awaiting_merchant")
        self.ok(d, "messages", {"text": "正在核实"}, s.merchant_token)
        self.assertEqual(self.timeouts(d), [])
        self.advance(1)
        d = self.get(d, token=s.merchant_token)
        self.assertEqual(d["state"], "platform_review")
        self.assertIsNone(d["outcome"])
        self.assertFalse(d["overdue"])
        self.assertEqual(d["next"], {"actor": "platform", "action": "decide",
                                     "due_at": REVIEW_DUE_IN_BREAK})
        self.assertEqual(d["deadlines"][-1], {"step": "platform_review", "actor": "platform",
                                              "due_at": REVIEW_DUE_IN_BREAK})
        [ev] = self.timeouts(d)
        self.assertEqual((ev["from"], ev["to"], ev["created_at"]),
                         ("awaiting_merchant", "platform_review", MERCHANT_DUE))

    def test_a_serious_claim_is_not_fast_lane_however_small(self):
        s = self.shop(amount=1999)
        d = self.opened(s, reason="safety", amount=100)
        self.assertEqual(d["tier"], "serious")
        self.advance(48 * HOUR)
        self.assertEqual(self.get(d)["state"], "platform_review")

    def test_the_merchant_may_answer_until_the_last_second(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        self.advance(48 * HOUR - 1)
        # agreed: final at once (no money on the platform yet, so it waits in executing)
        self.ok(d, "responses", {"action": "accept"}, s.merchant_token, state="executing")
        self.advance(1)
        d = self.get(d)
        self.assertEqual(d["outcome"]["source"], "merchant")
        self.assertEqual(self.timeouts(d), [])


class ConsumerSilenceTest(DisputeCase):

    def test_an_unanswered_offer_goes_to_platform_review_after_72h(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        d = self.ok(d, "responses", {"action": "counter",
                                     "offer": {"type": "refund", "amount": cny(500)}},
                    s.merchant_token, state="negotiating")
        self.assertEqual(d["next"]["due_at"], CONSUMER_DUE)
        self.advance(72 * HOUR - 1)
        self.assertEqual(self.get(d)["state"], "negotiating")
        self.advance(1)
        d = self.get(d, token=s.consumer)
        self.assertEqual(d["state"], "platform_review")
        self.assertEqual(d["next"], {"actor": "platform", "action": "decide",
                                     "due_at": REVIEW_DUE_IN_BREAK})
        [ev] = self.timeouts(d)
        self.assertEqual((ev["from"], ev["to"], ev["created_at"]),
                         ("negotiating", "platform_review", CONSUMER_DUE))
        r = self.act(d, "accept_offer", {"offer": d["offer"]["id"]}, s.consumer)
        self.assertError(r, 409, "wrong_state", says="platform_review")
        self.assertError(self.act(d, "escalate", {}, s.consumer), 409, "wrong_state")

    def test_the_consumer_may_accept_until_the_last_second(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        d = self.ok(d, "responses", {"action": "counter",
                                     "offer": {"type": "refund", "amount": cny(500)}},
                    s.merchant_token)
        self.advance(72 * HOUR - 1)
        self.fund(s, settlement=500)
        self.ok(d, "accept_offer", {"offer": d["offer"]["id"]}, s.consumer, state="resolved")
        self.advance(1)
        self.assertEqual(self.get(d)["state"], "resolved")
        self.assertEqual(self.timeouts(d), [])

    def test_a_rejected_claim_goes_to_review_if_the_consumer_does_nothing(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        self.advance(72 * HOUR)
        self.assertEqual(self.get(d)["state"], "platform_review")


class ReviewDeadlineTest(DisputeCase):

    def listed(self, query):
        r = self.req("GET", "/v1/disputes?" + query, token=self.agent)
        self.assertEqual(r.status, 200, r.body)
        return [x["id"] for x in r.body["data"]]

    def test_review_over_the_national_day_break_then_overdue_but_still_in_review(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        # escalated on Tuesday 30 September, 10:00 Beijing: 3 working days after it are
        # 9, 10 and 11 October (1-8 October off; Saturday 11 October is worked), so the
        # platform must decide by 24:00 Beijing on 11 October
        self.advance_to("2025-09-30T02:00:00Z")
        d = self.ok(d, "escalate", {"message": "请平台处理"}, s.consumer,
                    state="platform_review")
        self.assertEqual(d["next"]["due_at"], "2025-10-11T16:00:00Z")
        self.advance_to("2025-10-11T15:59:59Z")
        self.assertFalse(self.get(d)["overdue"])
        self.assertNotIn(d["id"], self.listed("overdue=true"))
        self.ok(d, "messages", {"text": "最后补充"}, s.consumer)
        self.advance(1)
        d = self.get(d, token=s.consumer)
        self.assertEqual(d["state"], "platform_review")
        self.assertTrue(d["overdue"])
        self.assertEqual(self.listed("overdue=true"), [d["id"]])
        self.assertEqual(self.listed("overdue=true&state=platform_review"), [d["id"]])
        self.assertNotIn(d["id"], self.listed("overdue=false"))
        [ev] = self.timeouts(d)
        self.assertEqual((ev["from"], ev["to"], ev["created_at"]),
                         ("platform_review", "platform_review", "2025-10-11T16:00:00Z"))
        self.assertIn("overdue", ev["reason"])
        # the step's deadline has passed: evidence for it is closed, saying when
        r = self.act(d, "messages", {"text": "还有一张照片"}, s.consumer)
        self.assertError(r, 409, "deadline_passed", says="2025-10-11T16:00:00Z")
        # more time fires nothing more
        self.advance(5 * DAY)
        self.assertEqual(len(self.timeouts(d)), 1)
        # a late decision still decides, and clears the flag
        d = self.decide(d)
        self.assertFalse(d["overdue"])
        self.assertEqual(self.listed("overdue=true"), [])
        # decided at 00:00 on Friday 17 October (Beijing): 7 days later is Friday 24 October
        self.assertEqual(d["next"]["due_at"], "2025-10-24T16:00:00Z")

    def test_an_appeal_window_ending_on_a_sunday_runs_to_monday(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        self.ok(d, "escalate", {}, s.consumer)
        # decided on Sunday 12 October 00:00 Beijing: the 7th day after it is Sunday
        # 19 October, a rest day, so the window ends at 24:00 on Monday 20 October
        self.advance_to("2025-10-11T16:00:00Z")
        d = self.decide(d)
        self.assertEqual(d["next"]["due_at"], "2025-10-20T16:00:00Z")

    def test_escalated_on_monday_29_september(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        # 3 working days after Monday 29 September: 30 September, 9 and 10 October
        d = self.ok(d, "escalate", {}, s.consumer)
        self.assertEqual(d["next"]["due_at"], "2025-10-10T16:00:00Z")
        self.advance_to("2025-10-10T15:59:59Z")
        self.assertFalse(self.get(d)["overdue"])
        self.advance(1)
        self.assertTrue(self.get(d)["overdue"])

    def test_an_earlier_reviews_deadline_does_not_fire_during_the_appeal_review(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        d = self.ok(d, "escalate", {}, s.consumer)
        self.assertEqual(d["next"]["due_at"], "2025-10-10T16:00:00Z")
        d = self.decide(d)                       # decided in time, on 29 September
        self.assertEqual(d["next"]["due_at"], APPEAL_DUE_FROM_T0)
        self.advance_to("2025-10-09T02:00:00Z")
        d = self.ok(d, "appeal", {"message": "补充证据"}, s.consumer, state="platform_review")
        # the appeal review runs 3 working days from Thursday 9 October: 10, 11, 13 October
        self.assertEqual(d["next"]["due_at"], "2025-10-13T16:00:00Z")
        # the first review's deadline (10 October) is not this review's
        self.advance_to("2025-10-10T16:00:00Z")
        d = self.get(d)
        self.assertEqual(d["state"], "platform_review")
        self.assertFalse(d["overdue"])
        self.assertEqual(self.timeouts(d), [])
        self.advance_to("2025-10-13T15:59:59Z")
        self.assertFalse(self.get(d)["overdue"])
        self.advance(1)
        self.assertTrue(self.get(d)["overdue"])
        self.assertEqual(len(self.timeouts(d)), 1)

    def test_an_appeal_review_due_the_same_day_as_the_first_is_flagged_once(self):
        s = self.shop(amount=1999)
        d = self.opened(s)
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        self.ok(d, "escalate", {}, s.consumer)
        self.decide(d)
        # appealed the same day: both reviews end at 24:00 on 10 October
        d = self.ok(d, "appeal", {"message": "补充证据"}, s.consumer)
        self.assertEqual(d["next"]["due_at"], "2025-10-10T16:00:00Z")
        self.advance_to("2025-10-10T16:00:00Z")
        self.assertTrue(self.get(d)["overdue"])
        self.assertEqual(len(self.timeouts(d)), 1)


class AppealWindowTest(DisputeCase):

    def test_appeal_up_to_the_last_second_then_the_decision_is_carried_out(self):
        late, on_time = self.shop(), self.shop()
        a, b = self.opened(late, claim_type="exchange"), self.opened(on_time, claim_type="exchange")
        for d, s in ((a, late), (b, on_time)):
            self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
            self.ok(d, "escalate", {}, s.consumer)
            self.decide(d, outcome="replace")
        self.assertEqual(self.get(a)["next"]["due_at"], APPEAL_DUE_FROM_T0)
        self.advance_to(shift(APPEAL_DUE_FROM_T0, -1))
        self.ok(b, "appeal", {"message": "商家未按约换货"}, on_time.consumer,
                state="platform_review")
        self.advance(1)
        a = self.get(a)
        self.assertEqual(a["state"], "executing")
        # the window closed at 24:00 on 9 October; execution runs 3 working days after
        # Friday 10 October: Saturday 11 (worked), Monday 13 and Tuesday 14 October
        self.assertEqual(a["next"], {"actor": "platform", "action": "execute",
                                     "due_at": "2025-10-14T16:00:00Z"})
        self.assertEqual(a["deadlines"][-1]["step"], "execution")
        self.assertEqual(self.get(b)["state"], "platform_review")
        r = self.act(a, "appeal", {"message": "晚了一秒"}, late.consumer)
        self.assertError(r, 409, "wrong_state", says="executing")
        # the platform misses its execution deadline: overdue, still executing
        self.advance_to("2025-10-14T15:59:59Z")
        self.assertFalse(self.get(a)["overdue"])
        self.advance(1)
        a = self.get(a)
        self.assertEqual(a["state"], "executing")
        self.assertTrue(a["overdue"])
        r = self.req("GET", "/v1/disputes?overdue=true&state=executing", token=self.agent)
        self.assertEqual([x["id"] for x in r.body["data"]], [a["id"]])
        a = self.ok(a, "executed", {"message": "已换货"}, self.agent, state="resolved")
        self.assertFalse(a["overdue"])
        self.assertIsNone(a["next"])
        types = [(e["type"], e["from"], e["to"]) for e in self.events(a)]
        self.assertEqual(types[-3:], [("timeout", "decided", "executing"),
                                      ("timeout", "executing", "executing"),
                                      ("executed", "executing", "resolved")])


class RestartTest(DisputeCase):

    def test_a_timer_survives_a_restart_and_fires_exactly_once(self):
        s = self.shop(amount=50000)
        d = self.opened(s)
        self.advance(47 * HOUR)
        self.srv.stop()
        # the same data dir, the clock back at the same start time
        self.start_server(clock=T0)
        self.assertEqual(self.get(d)["state"], "awaiting_merchant")
        self.advance(48 * HOUR - 1)
        self.assertEqual(self.timeouts(d), [])
        self.advance(1)
        d = self.get(d, token=s.consumer)
        self.assertEqual(d["state"], "platform_review")
        [ev] = self.timeouts(d)
        self.assertEqual(ev["created_at"], MERCHANT_DUE)
        self.advance(2 * DAY)
        self.assertEqual(len(self.timeouts(d)), 1)
        # and again: a fired timer stays fired
        self.srv.stop()
        self.start_server(clock=T0)
        self.advance(49 * HOUR)
        self.assertEqual(len(self.timeouts(d)), 1)
        self.assertEqual(self.get(d)["state"], "platform_review")
        # (the platform's assessments of the evidence are notes beside the moves)
        self.assertEqual([e["type"] for e in self.events(d) if e["type"] != "assessment"],
                         ["opened", "timeout"])

    def test_a_deadline_that_passed_while_the_server_was_down(self):
        s = self.shop(amount=50000)
        d = self.opened(s)
        self.srv.kill()
        self.start_server(clock=shift(T0, 50 * HOUR))
        # the merchant's deadline passed while the server was down: a late answer is refused
        r = self.act(d, "responses", {"action": "accept"}, s.merchant_token)
        self.assertError(r, 409, "deadline_passed", says=MERCHANT_DUE)
        self.assertEqual(self.get(d)["state"], "awaiting_merchant")
        # the timer fires when the clock moves, as of its due time
        self.advance(0)
        d = self.get(d)
        self.assertEqual(d["state"], "platform_review")
        [ev] = self.timeouts(d)
        self.assertEqual(ev["created_at"], MERCHANT_DUE)
        self.assertEqual(d["next"]["due_at"], REVIEW_DUE_IN_BREAK)
        self.advance(HOUR)
        self.assertEqual(len(self.timeouts(d)), 1)


class NoReasonReturnTest(DisputeCase):
    """CPL art. 25: a return_refund with reason `other`, within 7 days of signing."""

    # 23:59:59 on Thursday 9 October 2025, Beijing
    clock_start = "2025-10-09T15:59:59Z"
    SIGNED = "2025-09-30T10:00:00+08:00"

    def no_reason(self, shop, **kw):
        return self.open(shop, claim_type="return_refund", reason="other", **kw)

    def test_the_window_after_signing_on_30_september_ends_on_9_october(self):
        # signed 30 September: the 7th day after is 7 October, in the National Day
        # break (8 October is off too), so the window ends at 24:00 on 9 October
        a, b, c = (self.shop(signed_at=self.SIGNED) for _ in range(3))
        r = self.no_reason(a)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.body["claim"]["type"], "return_refund")
        self.advance(1)          # 00:00 on 10 October
        r = self.no_reason(b)
        self.assertError(r, 409, "return_window_closed", "claim.type", says="2025-10-09")
        r = self.no_reason(b, token=self.platform)
        self.assertError(r, 409, "return_window_closed", "claim.type", says="2025-10-09")
        # the consumer can still claim with a reason
        r = self.open(b, claim_type="return_refund", reason="quality")
        self.assertEqual(r.status, 201, r.body)
        # and a refund for "other" reasons is not a no-reason return
        r = self.open(c, claim_type="refund", reason="other")
        self.assertEqual(r.status, 201, r.body)

    def test_excluded_goods_cannot_be_returned_without_a_reason(self):
        for flag in ("custom", "perishable", "digital_unsealed", "periodical"):
            with self.subTest(flag=flag):
                s = self.shop(signed_at=self.SIGNED, return_exclusion=flag)
                r = self.no_reason(s)
                self.assertError(r, 409, "return_excluded", "claim.type", says=flag)
                r = self.open(s, claim_type="return_refund", reason="not_as_described")
                self.assertEqual(r.status, 201, r.body)

    def test_the_window_starts_only_when_the_order_is_signed_for(self):
        never = self.shop()
        shipped = self.shop()
        self.world.post("/v1/orders/%s/logistics" % shipped.order["id"],
                        logistics_body(status="shipped"))
        for s in (never, shipped):
            r = self.no_reason(s)
            self.assertError(r, 409, "not_signed", "claim.type", says="signed")
            # a claim the frozen records support needs no photo
            r = self.open(s, claim_type="refund", reason="not_received")
            self.assertEqual(r.status, 201, r.body)
            self.assertEqual(r.body["evidence"], [])

    def test_a_later_signature_opens_a_later_window(self):
        # signed Wednesday 8 October: 7 days after is Wednesday 15 October
        s = self.shop(signed_at="2025-10-08T20:00:00+08:00")
        self.advance_to("2025-10-15T15:59:59Z")
        r = self.no_reason(s)
        self.assertEqual(r.status, 201, r.body)
        self.ok(r.body, "withdraw", {}, s.consumer)
        self.advance(1)
        self.assertError(self.no_reason(s), 409, "return_window_closed", says="2025-10-15")


class DateHeaderTest(DisputeCase):

    def test_every_reply_is_dated_by_the_test_clock(self):
        """The pages count deadlines down from the Date header, so on a test clock it says the test clock's time."""
        self.advance(90)
        want = email.utils.format_datetime(parse_time(shift(T0, 90)), usegmt=True)
        for method, path in (("GET", "/v1/rules"), ("GET", "/v1/disputes/dsp_nonesuch"), ("GET", "/app/")):
            r = self.req(method, path)
            self.assertEqual(r.headers.get("Date"), want, "%s %s (%d)" % (method, path, r.status))
        self.assertEqual(self.req("GET", "/v1/disputes/dsp_nonesuch").status, 404)


if __name__ == "__main__":
    unittest.main()
