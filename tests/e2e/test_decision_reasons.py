"""test_decision_reasons.py - a decision's reasons point at real evidence: published reason codes (or other with a text), evidence that is the dispute's own; and the minimal burden of proof: insufficient_evidence alone cannot decide against the consumer when the frozen records support the claim.

Each test runs its own server on the test clock from T0. The admissions phrases come
from etc/rules.ini ([burden] admissions).
"""
import time
import unittest

from dispute_kit import DisputeCase, cny
from harness import logistics_body, message_body

NO_EVIDENCE = [{"code": "insufficient_evidence", "text": "消费者未提供证据"}]


class ReasonsCase(DisputeCase):

    def under_review(self, s, **kw):
        """A dispute the merchant rejected and the consumer escalated."""
        d = self.opened(s, **kw)
        self.ok(d, "responses", {"action": "reject", "message": "不同意"}, s.merchant_token)
        return self.ok(d, "escalate", {}, s.consumer, state="platform_review")

    def decision(self, d, outcome="rejected", reasons=NO_EVIDENCE, **extra):
        body = {"outcome": outcome, "reasons": reasons}
        body.update(extra)
        return self.act(d, "decision", body, self.agent)

    def record(self, d, kind):
        return [r for r in d["evidence_set"]["records"] if r["type"] == kind]

    def assessments(self, d, timeout=20):
        """The dispute's recorded assessments, waiting for the server's worker to make one."""
        deadline = time.time() + timeout
        while True:
            found = [ev for ev in self.events(d, assessments=True) if ev["type"] == "assessment"]
            if found or time.time() > deadline:
                return found
            time.sleep(0.2)

    def assertUnchanged(self, d, before_events):
        self.assertEqual(self.get(d)["state"], "platform_review")
        self.assertIsNone(self.get(d)["outcome"])
        self.assertEqual([e["id"] for e in self.events(d)], [e["id"] for e in before_events])


class ReasonCodeTest(ReasonsCase):

    def test_a_reason_code_must_be_published_or_other_with_a_text(self):
        s = self.shop(amount=1999)
        d = self.under_review(s)
        before = self.events(d)
        for reasons, code, param in [
                ([{"code": "quality_defect", "text": "x"},
                  {"code": "made_up_reason", "text": "x"}], "unknown_reason", "reasons[1].code"),
                ([{"code": "other", "text": "   "}], "text_required", "reasons[0].code")]:
            with self.subTest(reasons=reasons):
                self.assertError(self.decision(d, "full_refund", reasons), 422, code, param)
        self.assertUnchanged(d, before)
        r = self.decision(d, "full_refund", [{"code": "other", "text": "平台依公平原则支持"}])
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["outcome"]["reasons"][0]["code"], "other")


class ReasonEvidenceTest(ReasonsCase):

    def test_evidence_must_be_a_record_blob_or_message_of_the_dispute(self):
        s = self.shop(amount=1999, signed_at="2025-09-28T08:00:00Z", order_message=True)
        other = self.shop(amount=1999, order_message=True)
        photo = self.blob(s.consumer)
        stray = self.blob(s.consumer)  # uploaded, never attached to the dispute
        d = self.opened(s, evidence=[photo])
        self.ok(d, "responses", {"action": "reject"}, s.merchant_token)
        note = self.blob(s.merchant_token)
        self.ok(d, "messages", {"text": "发货照片", "attachments": [note]}, s.merchant_token)
        d = self.ok(d, "escalate", {}, s.consumer, state="platform_review")
        other_msg = self.req("GET", "/v1/orders/%s/messages" % other.order["id"]).body["data"][0]
        before = self.events(d)
        for ref in ["ord_" + "0" * 24, other.order["id"], "order:" + other.order["id"],
                    other_msg["id"], stray, "logistics:" + s.order["id"], "nonsense"]:
            with self.subTest(ref=ref):
                reasons = [{"code": "merchant_evidence_insufficient", "text": "x",
                            "evidence": [s.order["id"], ref]}]
                r = self.decision(d, "full_refund", reasons)
                self.assertError(r, 422, "unknown_evidence", "reasons[0].evidence", says=ref)
        self.assertUnchanged(d, before)
        # what the dispute may cite: its frozen records (by id or type:id), messages of the
        # order, blobs the parties attached, the parties' events, the dispute itself
        [lge] = self.record(d, "logistics")
        [msg] = self.record(d, "message")
        response = [e for e in before if e["type"] == "merchant_reject"][0]
        refs = [lge["id"], "payment:" + s.order["id"], "listing:" + s.listing["id"],
                msg["id"], photo, note, response["id"], d["id"]]
        reasons = [{"code": "merchant_evidence_insufficient", "text": "商家未举证",
                    "evidence": refs}]
        r = self.decision(d, "full_refund", reasons)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["outcome"]["reasons"][0]["evidence"], refs)


class BurdenOfProofTest(ReasonsCase):

    def assertBurden(self, d, kind, record=None, **decision):
        before = self.events(d)
        r = self.decision(d, **decision)
        self.assertError(r, 409, "burden_of_proof", "reasons", says="insufficient_evidence")
        support = r.body["error"]["support"]
        self.assertTrue(support, r.body)
        for item in support:
            self.assertEqual(set(item), {"kind", "record", "why"}, item)
        found = [x for x in support if x["kind"] == kind]
        self.assertTrue(found, support)
        if record:
            self.assertEqual(found[0]["record"], record)
        self.assertIn(found[0]["kind"], r.body["error"]["message"])
        self.assertUnchanged(d, before)
        return found[0]

    def test_a_parcel_never_signed_for_supports_a_not_received_claim(self):
        s = self.shop(amount=1999)
        self.world.post("/v1/orders/%s/logistics" % s.order["id"],
                        logistics_body(status="in_transit"))
        d = self.under_review(s, reason="not_received")
        [lge] = self.record(d, "logistics")
        item = self.assertBurden(d, "logistics_unsigned", lge["id"])
        self.assertIn("signature", item["why"])
        # less than the claim on the same ground is refused too
        self.assertBurden(d, "logistics_unsigned", outcome="partial_refund", amount=cny(500))
        # reasons that name their evidence decide as the agent sees fit
        r = self.decision(d, reasons=[{"code": "damage_by_consumer", "text": "物流显示退回",
                                       "evidence": [lge["id"]]}])
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["state"], "decided")

    def test_the_merchant_admitting_the_fault_in_the_chat_supports_the_claim(self):
        s = self.shop(amount=1999, signed_at="2025-09-28T08:00:00Z")
        chat = self.world.post("/v1/orders/%s/messages" % s.order["id"],
                               message_body(sender="merchant", text="亲，不好意思是我们发错了颜色"))
        d = self.under_review(s, reason="not_as_described")
        item = self.assertBurden(d, "merchant_admission", chat["id"])
        self.assertIn("发错了", item["why"])

    def test_an_admission_in_english_is_matched_whatever_the_case(self):
        s = self.shop(amount=1999, signed_at="2025-09-28T08:00:00Z")
        chat = self.world.post("/v1/orders/%s/messages" % s.order["id"],
                               message_body(sender="merchant", text="Sorry, OUR MISTAKE."))
        d = self.under_review(s, reason="not_as_described")
        self.assertBurden(d, "merchant_admission", chat["id"])

    def test_the_latest_assessment_suggesting_the_consumers_outcome_supports_the_claim(self):
        s = self.shop(amount=1999, signed_at="2025-09-28T08:00:00Z")
        d = self.under_review(s, reason="quality", description="杯子漏水，用了一天就裂了")
        found = self.assessments(d)
        self.assertTrue(found, "no assessment was recorded")
        latest = [e for e in self.events(d, assessments=True) if e["type"] == "assessment"][-1]
        self.assertNotEqual(latest["data"]["suggested"], "rejected")
        item = self.assertBurden(d, "assessment", latest["id"])
        self.assertIn(latest["data"]["suggested"], item["why"])

    def test_a_rejection_stands_when_the_records_do_not_support_the_claim(self):
        s = self.shop(amount=1999)
        self.world.post("/v1/orders/%s/logistics" % s.order["id"],
                        logistics_body(status="signed", detail="本人签收",
                                       occurred_at="2025-09-28T08:00:00Z"))
        self.world.post("/v1/orders/%s/messages" % s.order["id"],
                        message_body(sender="merchant", text="已发货，请注意查收"))
        d = self.under_review(s, reason="not_received")
        # the assessment reads the signature in person and suggests rejecting
        found = self.assessments(d)
        self.assertTrue(found, "no assessment was recorded")
        self.assertEqual(found[-1]["data"]["suggested"], "rejected")
        r = self.decision(d)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual((r.body["state"], r.body["outcome"]["outcome"]), ("decided", "rejected"))
        self.assertEqual(r.body["outcome"]["reasons"], NO_EVIDENCE)

    def test_a_decision_for_the_consumer_needs_no_more(self):
        s = self.shop(amount=1999)
        d = self.under_review(s, reason="not_received")
        r = self.decision(d, "full_refund", [{"code": "not_delivered", "text": "无签收记录"}])
        self.assertEqual(r.status, 200, r.body)


if __name__ == "__main__":
    unittest.main()
