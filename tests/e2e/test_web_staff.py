"""test_web_staff.py - the merchant's pages and the agent console in real Chromium: a merchant signed in by link answers a dispute with a counter-offer and a photo; an agent approves a court's disclosure request and decides an escalated dispute citing its evidence, after the API's 422 for a reference not the dispute's is shown on the page; in Chinese and in English.

The pages are driven by web/test/staff-driver.mjs (playwright-core with
Debian's chromium; the merchant at a phone's 360 px, the agent at a
desktop's width; in New York's time zone, so the Beijing times are the
page's own doing). What the pages did is checked over the API.
"""
import json
import os
import unittest

from harness import unique_png
from web_kit import WebCase, browser_missing

BAD_REF = "lge_000000000000000000000000"


@unittest.skipIf(browser_missing(), browser_missing() or "")
class WebStaffTest(WebCase):

    name = "web staff"

    def opened(self, photo=False):
        """A fresh shop and a dispute its consumer opened (with a photo blob if asked)."""
        if photo:
            # the listing has a photo, so the assessment compares the consumer's with it
            img = self.ok(self.srv.request("POST", "/v1/blobs", raw=unique_png(),
                                           headers={"Content-Type": "image/png"}, token=self.platform), 201)
            m = self.world.merchant()
            o = self.world.order(m["id"], self.world.listing(m["id"], images=[img["id"]])["id"])
        else:
            m, _, o = self.world.shop()
        ctok = self.world.token_for("consumer", o["consumer"]["id"])["token"]
        body = {"order": o["id"], "reason": "quality", "description": "屏幕有裂痕",
                "claim": {"type": "refund", "amount": {"amount": 1999, "currency": "CNY"}}}
        if photo:
            b = self.ok(self.srv.request("POST", "/v1/blobs", raw=unique_png(),
                                         headers={"Content-Type": "image/png"}, token=ctok), 201)
            body["evidence"] = [b["id"]]
        d = self.ok(self.srv.request("POST", "/v1/disputes", body, token=ctok), 201)
        return m, o, d, ctok

    def test_the_merchant_counters_and_the_agent_decides_citing_evidence(self):
        merchant_runs, agent_runs = [], []
        for lang in ("zh", "en"):
            m, _, d, _ = self.opened()
            # a second, later dispute of the same merchant: the list is by next deadline
            o2 = self.world.order(m["id"], self.world.listing(m["id"])["id"])
            c2 = self.world.token_for("consumer", o2["consumer"]["id"])["token"]
            self.ok(self.srv.request("POST", "/v1/disputes", {"order": o2["id"], "reason": "price", "claim": {
                "type": "refund", "amount": {"amount": 500, "currency": "CNY"}}}, token=c2), 201)
            merchant_runs.append({"lang": lang, "dispute": d["id"], "merchant": m["id"],
                                  "token": self.world.token_for("merchant", m["id"])["token"]})
        for lang in ("zh", "en"):
            m, o, d, ctok = self.opened(photo=True)
            mtok = self.world.token_for("merchant", m["id"])["token"]
            self.ok(self.srv.request("POST", "/v1/disputes/%s/responses" % d["id"],
                                     {"action": "reject", "message": "商品出厂时完好"}, token=mtok))
            self.ok(self.srv.request("POST", "/v1/disputes/%s/escalate" % d["id"], {}, token=ctok))
            court = self.world.token_for("court", "杭州互联网法院")["token"]
            dsc = self.ok(self.srv.request("POST", "/v1/disclosures", {
                "order": o["id"], "scope": ["merchant_identity", "order"], "purpose": "审理买卖合同纠纷",
                "reference": "(2026)浙0192民初%d号" % len(agent_runs)}, token=court), 201)
            self.assertEqual(dsc["state"], "pending")
            agent_runs.append({"lang": lang, "token": self.agent, "dispute": d["id"], "order": o["id"],
                               "disclosure": dsc["id"], "bad_ref": BAD_REF,
                               "cite": [d["evidence"][0], o["id"], "payment:" + o["id"]]})
        job = {"base": "http://127.0.0.1:%d" % self.srv.port, "merchant": merchant_runs, "agent": agent_runs,
               "photo": self.write("photo.png", unique_png()),
               "screenshots": os.environ.get("DISPUTED_SCREENSHOTS")}
        out = self.drive("staff-driver.mjs", job, timeout=150)
        words = {"zh": {"merchant": "商家工作台", "agent": "客服工作台", "beijing": "北京时间 UTC+08:00",
                        "done": "已完成", "refused": "服务器拒绝", "settlement": "结算账户", "risk": "按时答复率",
                        "suggested": "全额退款", "disclosed": "已披露", "claim": "消费者诉求"},
                 "en": {"merchant": "Merchant desk", "agent": "Agent console", "beijing": "Beijing time (UTC+08:00)",
                        "done": "Done", "refused": "server refused", "settlement": "settlement", "risk": "On-time response rate",
                        "suggested": "full refund", "disclosed": "released",
                        "claim": "The consumer asks for"}}
        for run, r in zip(merchant_runs, out["merchant"]):
            w = words[r["lang"]]
            with self.subTest(party="merchant", lang=r["lang"]):
                self.assertNotIn("token", r["url_after"])
                self.assertEqual(r["heading"], w["merchant"])
                # both disputes, the sooner deadline first (the first was opened first)
                self.assertEqual(len(r["disputes"]), 2)
                self.assertEqual(r["disputes"][0], run["dispute"])
                self.assertEqual(r["accounts"], ["settlement", "deposit", "receivable"])
                self.assertIn(w["settlement"], r["funds"])
                self.assertIn("¥0.00", r["funds"])
                self.assertIn(w["risk"], r["risk"])
                self.assertIn(w["beijing"], r["home_text"])
                # the claim is the consumer's, said so to the merchant (not the consumer's own "what you ask for")
                self.assertIn(w["claim"], r["home_text"])
                self.assertLessEqual(r["home_overflow"], 0)
                self.assertEqual(r["unlabelled"], [])
                self.assertTrue(r["photo_blob"].startswith("sha256:"))
                self.assertIn(w["done"], r["done"])
                self.assertEqual(r["state"], "negotiating")
                self.assertIn("¥8.88", r["receipt"])
                self.assertEqual(r["events"][0], "opened")
                self.assertIn("merchant_counter", r["events"])
                self.assertLessEqual(r["dispute_overflow"], 0)
                # what the API holds is what the page sent
                api = self.srv.request("GET", "/v1/disputes/%s" % run["dispute"], token=self.platform).body
                self.assertEqual((api["offer"]["type"], api["offer"]["amount"]), ("refund", {"amount": 888, "currency": "CNY"}))
                ev = self.srv.request("GET", "/v1/disputes/%s/events" % run["dispute"], token=self.platform).body["data"]
                self.assertIn(r["photo_blob"], json.dumps(ev))
        for run, r in zip(agent_runs, out["agent"]):
            w = words[r["lang"]]
            with self.subTest(party="agent", lang=r["lang"]):
                self.assertEqual(r["heading"], w["agent"])
                self.assertIn([run["dispute"], "fast_lane"], r["queue"])
                self.assertIn(run["disclosure"], r["disclosures"])
                self.assertIn(w["disclosed"], r["disclosure_done"])
                dsc = self.srv.request("GET", "/v1/disclosures/%s" % run["disclosure"], token=self.platform).body
                self.assertEqual(dsc["state"], "released")
                self.assertEqual(r["unlabelled"], [])
                for ref in (run["order"], "payment:" + run["order"]):
                    self.assertIn(ref, r["records"])
                self.assertIn(run["cite"][0], r["photos"])
                self.assertEqual(r["suggested"], "full_refund")
                self.assertIn(w["suggested"], r["assessment"])
                self.assertIn("quality_defect", r["codes"])
                self.assertEqual(len(r["verdicts"]), 1)
                self.assertIn(r["verdicts"][0], ("same", "colour_mismatch", "different", "inconclusive"))
                self.assertEqual(r["focus_object"], False)
                self.assertIn("other", r["codes"])
                # the 422: the server's words on the page, nothing lost, nothing decided
                self.assertIn(w["refused"], r["refused"]["notice"])
                self.assertIn(BAD_REF, r["refused"]["notice"])
                self.assertTrue(r["refused"]["text"])
                self.assertEqual(r["refused"]["state"], "platform_review")
                # the 422 names reasons[0].evidence[…]: the page brings the agent to the field it came from
                self.assertEqual(r["refused"]["mark"], {"focused": "cite-more", "invalid": "true",
                                                        "describedby": "cite-more-hint notice"})
                self.assertEqual(r["refused"]["edited"], {"focused": "cite-more", "invalid": None,
                                                          "describedby": "cite-more-hint"})
                self.assertIn(w["done"], r["done"])
                self.assertIn(r["state"], ("decided", "executing", "resolved"))
                self.assertIn("decision", r["events"])
                api = self.srv.request("GET", "/v1/disputes/%s" % run["dispute"], token=self.platform).body
                ev = [e for e in self.srv.request("GET", "/v1/disputes/%s/events" % run["dispute"],
                                                  token=self.platform).body["data"] if e["type"] == "decision"]
                self.assertEqual(len(ev), 1)
                self.assertIn("quality_defect", json.dumps(ev[0]))
                for ref in run["cite"]:
                    self.assertIn(ref, json.dumps(ev[0]))
                self.assertIsNotNone(api["outcome"])


if __name__ == "__main__":
    unittest.main()
