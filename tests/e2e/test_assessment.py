"""test_assessment.py - a dispute's assessment: the focus read from the complaint, the listing's photos compared with the consumer's, the logistics facts, a suggested outcome whose reasons name their evidence; recorded sealed in the timeline when the evidence changes; a fast-lane claim granted by itself only where the rules allow."""
import json
import os
import time

from dispute_kit import DisputeCase, cny
from harness import REPO, logistics_body

PHOTOS = os.path.join(REPO, "..", "shared", "data", "images")
COLOUR = ("e5667e5e7fbd.jpg", "8197ca7874e4.jpg")  # a recolour of the same product
SAME = ("a976e78812b7.jpg", "df35a114a4e0.jpg")


class AssessmentCase(DisputeCase):
    """The tools: photos from the shared set, shops, disputes, assessments."""

    def photo(self, name, token="platform"):
        with open(os.path.join(PHOTOS, name), "rb") as f:
            r = self.req("POST", "/v1/blobs", raw=f.read(), headers={"Content-Type": "image/jpeg"},
                         token=token)
        self.assertEqual(r.status, 201, r.body)
        return r.body["id"]

    def shop_with_photo(self, listing_photo, amount=1999):
        m = self.world.merchant()
        lst = self.world.listing(m["id"], price=amount, images=[self.photo(listing_photo)])
        o = self.world.order(m["id"], lst["id"], unit_price=amount)
        return m, o, self.token("consumer", o["consumer"]["id"]), self.token("merchant", m["id"])

    def assessment(self, d, token=None):
        r = self.req("GET", "/v1/disputes/%s/assessment" % d["id"],
                     token=self.agent if token is None else token)
        self.assertEqual(r.status, 200, r.body)
        return r.body

    def assessments(self, d, at_least=1, timeout=20):
        """The dispute's recorded assessments (timeline events), waiting for the worker."""
        deadline = time.time() + timeout
        while True:
            found = [ev for ev in self.events(d, assessments=True) if ev["type"] == "assessment"]
            if len(found) >= at_least or time.time() > deadline:
                return found
            time.sleep(0.2)

    def open(self, order, consumer, reason, amount, **extra):
        body = {"order": order["id"], "claim": {"type": "refund", "amount": cny(amount)},
                "reason": reason}
        body.update(extra)
        r = self.req("POST", "/v1/disputes", body, token=consumer)
        self.assertEqual(r.status, 201, r.body)
        return r.body



class AssessmentTest(AssessmentCase):

    def test_a_parcel_never_delivered_suggests_a_refund_naming_the_order(self):
        m, o, consumer, _ = self.shop_with_photo(SAME[0], amount=25000)
        d = self.open(o, consumer, "not_received", 25000,
                      description="快递一直没到，物流好几天没有更新了，包裹是不是丢了")
        a = self.assessment(d)
        self.assertEqual(a["object"], "assessment")
        self.assertEqual(a["dispute"], d["id"])
        self.assertRegex(a["inputs_digest"], "^[0-9a-f]{64}$")
        self.assertEqual(a["focus"]["detected"]["primary"], "not_received")
        self.assertTrue(a["focus"]["agrees"])
        self.assertAlmostEqual(sum(a["focus"]["detected"]["scores"].values()), 1.0, places=3)
        self.assertEqual(a["focus"]["sources"], [d["id"]])
        self.assertFalse(a["logistics"]["delivered"])
        s = a["suggested_outcome"]
        self.assertEqual(s["outcome"], "full_refund")
        self.assertEqual(s["amount"], cny(25000))
        self.assertGreaterEqual(s["confidence"], 0.9)
        self.assertEqual(s["reasons"][0]["code"], "not_delivered")
        self.assertEqual(s["reasons"][0]["evidence"], [o["id"]])
        self.assertIsNone(a["llm"])
        # recorded, sealed, in the timeline the parties read
        recorded = self.assessments(d)
        self.assertEqual(len(recorded), 1)
        self.assertEqual(recorded[0]["data"]["inputs_digest"], a["inputs_digest"])
        self.assertEqual(json.loads(recorded[0]["data"]["assessment"]), a)
        self.assertEqual(recorded[0]["actor"]["role"], "platform")
        self.assertEqual(len([ev for ev in self.events(d, token=consumer, assessments=True)
                              if ev["type"] == "assessment"]), 1)

    def test_only_staff_read_the_working_assessment(self):
        m, o, consumer, merchant = self.shop_with_photo(SAME[0])
        d = self.open(o, consumer, "quality", 1999, description="杯子漏水")
        for token in (consumer, merchant):
            r = self.req("GET", "/v1/disputes/%s/assessment" % d["id"], token=token)
            self.assertError(r, 403, "forbidden")
        r = self.req("GET", "/v1/disputes/dsp_000000000000000000000000/assessment",
                     token=self.agent)
        self.assertError(r, 404, "not_found")

    def test_a_recoloured_item_is_caught_by_the_photos_and_named_in_the_reasons(self):
        m, o, consumer, _ = self.shop_with_photo(COLOUR[0])
        got = self.photo(COLOUR[1], token=consumer)
        d = self.open(o, consumer, "not_as_described", 1999, evidence=[got],
                      description="收到的颜色和页面上完全不一样")
        a = self.assessment(d)
        self.assertEqual(len(a["images"]), 1)
        img = a["images"][0]
        self.assertEqual(img["consumer_image"], got)
        self.assertEqual(img["verdict"], "colour_mismatch")
        self.assertTrue(0 <= img["similarity"] <= 1)
        self.assertTrue(img["explanation"])
        s = a["suggested_outcome"]
        self.assertEqual(s["outcome"], "full_refund")
        self.assertEqual(s["reasons"][0]["code"], "not_as_described")
        self.assertEqual(s["reasons"][0]["evidence"], [got])

    def test_new_evidence_is_assessed_again(self):
        m, o, consumer, _ = self.shop_with_photo(SAME[0])
        d = self.open(o, consumer, "not_received", 1999, description="没收到货")
        first = json.loads(self.assessments(d)[0]["data"]["assessment"])
        self.world.post("/v1/orders/%s/logistics" % o["id"],
                        logistics_body(status="signed", detail="已签收，签收人：本人"))
        second = self.assessments(d, at_least=2)
        self.assertEqual(len(second), 2, second)
        a = json.loads(second[-1]["data"]["assessment"])
        self.assertNotEqual(a["inputs_digest"], first["inputs_digest"])
        self.assertTrue(a["logistics"]["signed"])
        self.assertEqual(a["suggested_outcome"]["outcome"], "rejected")
        self.assertEqual(self.assessment(d)["inputs_digest"], a["inputs_digest"])

    def test_the_rules_grant_a_clear_fast_lane_claim_by_themselves_after_review_begins(self):
        m, o, consumer, merchant = self.shop_with_photo(SAME[0], amount=5000)
        d = self.open(o, consumer, "not_received", 5000, description="快递显示丢件了，一直没收到")
        self.world.post("/v1/orders/%s/logistics" % o["id"], logistics_body(status="lost"))
        self.assertEqual(d["tier"], "fast_lane")
        self.ok(d, "responses", {"action": "reject", "message": "已经发货了"}, merchant,
                state="negotiating")
        self.assertEqual(self.get(d)["state"], "negotiating")  # a party's turn: no grant
        self.ok(d, "escalate", {}, consumer, state="platform_review")
        deadline = time.time() + 20
        while self.get(d)["state"] == "platform_review" and time.time() < deadline:
            time.sleep(0.2)
        got = self.get(d)
        self.assertEqual(got["state"], "decided", got)
        self.assertEqual(got["outcome"]["outcome"], "full_refund")
        self.assertEqual(got["outcome"]["decided_by"]["id"], "assist")
        self.assertEqual(got["outcome"]["reasons"][0]["code"], "not_delivered")

    def test_a_standard_claim_is_never_granted_by_itself(self):
        m, o, consumer, merchant = self.shop_with_photo(SAME[0], amount=90000)
        d = self.open(o, consumer, "not_received", 90000, description="包裹丢了")
        self.world.post("/v1/orders/%s/logistics" % o["id"], logistics_body(status="lost"))
        self.assertEqual(d["tier"], "standard")
        self.ok(d, "responses", {"action": "reject"}, merchant, state="negotiating")
        self.ok(d, "escalate", {}, consumer, state="platform_review")
        n = len(self.assessments(d))
        self.assessments(d, at_least=n + 1, timeout=5)
        self.assertEqual(self.assessment(d)["suggested_outcome"]["outcome"], "full_refund")
        self.assertEqual(self.get(d)["state"], "platform_review")


class AssessmentWithLanguageModelTest(AssessmentCase):
    """The same server with a language model configured: its summary and focus opinion join
    the assessment, every exchange sealed with it; a model that fails leaves the local parts."""

    mode = "auto"

    def start_server(self, clock=None):
        from llm_stub import LlmStub
        if not hasattr(type(self), "stub"):
            type(self).stub = LlmStub()
        self.srv.start(args=["--test-clock=" + (clock or self.clock_start)],
                       env={"DISPUTED_LLM_URL": self.stub.url(self.mode, self.id().split(".")[-1]),
                            "DISPUTED_LLM_TIMEOUT_MS": "3000"})
        self.addCleanup(self.srv.stop)

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, "stub"):
            cls.stub.stop()

    def test_the_language_models_opinion_is_sealed_with_the_assessment(self):
        m, o, consumer, _ = self.shop_with_photo(SAME[0])
        d = self.open(o, consumer, "quality", 1999,
                      description="耳机用了两天就坏了，左耳没有声音。快递员张三13812345678送来的")
        a = self.assessment(d)
        llm = a["llm"]
        # nobody's name or number leaves the platform
        self.assertNotIn("13812345678", json.dumps(llm, ensure_ascii=False))
        self.assertNotIn("张三", json.dumps(llm, ensure_ascii=False))
        self.assertTrue(llm["summary"])
        self.assertEqual(llm["focus"]["primary"], "quality")
        self.assertEqual(len(llm["exchanges"]), 2)
        sent = json.loads(llm["exchanges"][0]["request"])
        self.assertIn("耳机用了两天就坏了，左耳没有声音", json.dumps(sent, ensure_ascii=False))
        recorded = json.loads(self.assessments(d)[0]["data"]["assessment"])
        self.assertEqual(recorded["llm"]["exchanges"], llm["exchanges"])
        # the local parts do not wait on it
        self.assertEqual(a["suggested_outcome"]["reasons"][0]["code"], "quality_defect")


class AssessmentWhenTheLanguageModelFailsTest(AssessmentWithLanguageModelTest):
    mode = "error500"

    def test_the_language_models_opinion_is_sealed_with_the_assessment(self):
        m, o, consumer, _ = self.shop_with_photo(SAME[0])
        d = self.open(o, consumer, "quality", 1999, description="耳机用了两天就坏了，左耳没有声音")
        a = self.assessment(d)
        self.assertIsNone(a["llm"]["summary"])
        self.assertIsNone(a["llm"]["focus"])
        self.assertEqual([x["status"] for x in a["llm"]["exchanges"]], [500, 500])
        self.assertEqual(a["focus"]["detected"]["primary"], "quality")
        self.assertEqual(a["suggested_outcome"]["outcome"], "full_refund")
