"""test_web_walkthrough.py - issue 13's "done when", on `make demo` itself, every step in real Chromium and in both languages: `disputed demo` starts, the consumer's printed link opens a dispute from one of their orders with a photo, the merchant's printed link answers it, the agent decides it in the console, and the court's printed link requests the order's package (approved in the console), downloads it and verifies it offline in /app/verify.

The links are the ones `disputed demo` prints (/app/#token=… with a token
minted by the platform, the agent's key for the console), opened on the
demo's own data. The steps are the other browser tests' own
(web/test/steps.mjs), run one after another by
web/test/walkthrough-driver.mjs; what each did is checked over the API and
the package against `disputed verify`.
"""
import json
import os
import unittest

from harness import unique_png
from test_web_court import cli_verify
from web_kit import DemoCase, browser_missing


@unittest.skipIf(browser_missing(), browser_missing() or "")
class DemoWalkthroughTest(DemoCase):

    name = "walkthrough"

    def get(self, path):
        r = self.srv.request("GET", path, token=self.platform)
        self.assertEqual(r.status, 200, r.body)
        return r.body

    def undisputed_orders(self):
        """The orders of the consumer link's consumer from the merchant link's merchant with no dispute yet, newest first."""
        consumer, merchant = self.demo.tokens["consumer"], self.demo.tokens["merchant"]
        mine = self.ok(self.srv.request("GET", "/v1/whoami", token=merchant))["subject"]
        orders = self.ok(self.srv.request("GET", "/v1/orders?limit=100", token=consumer))["data"]
        disputed = {d["order"] for d in self.ok(self.srv.request("GET", "/v1/disputes?limit=100", token=consumer))["data"]}
        return [o for o in reversed(orders) if o["merchant"] == mine and o["id"] not in disputed], mine

    def test_the_demo_prints_a_link_for_every_party(self):
        self.assertEqual(sorted(self.demo.tokens), ["agent", "association", "consumer", "court", "merchant", "regulator"],
                         self.demo.printed)
        seen = {role: self.ok(self.srv.request("GET", "/v1/whoami", token=tok))["role"]
                for role, tok in self.demo.tokens.items()}
        self.assertEqual(seen, {"consumer": "consumer", "merchant": "merchant", "court": "court",
                                "association": "association", "agent": "agent", "regulator": "regulator"})
        # the consumer and the merchant open on disputes of their own
        for role in ("consumer", "merchant"):
            self.assertTrue(self.ok(self.srv.request("GET", "/v1/disputes?limit=1", token=self.demo.tokens[role]))["data"])
        # the demo's court finds its own requests waiting for the agent
        states = [d["state"] for d in self.ok(self.srv.request("GET", "/v1/disclosures?limit=100",
                                                               token=self.demo.tokens["court"]))["data"]]
        self.assertIn("pending", states)

    def test_a_newcomer_walks_from_a_consumers_complaint_to_a_courts_verified_package(self):
        orders, merchant = self.undisputed_orders()
        # an order for each language's walk, as `make demo` leaves them
        self.assertGreaterEqual(len(orders), 2, self.demo.printed)
        runs = []
        for i, lang in enumerate(("zh", "en")):
            total = orders[i]["total"]["amount"]
            runs.append({"lang": lang, "order": orders[i]["id"], "merchant": merchant, "claim": total // 2,
                         "amount": "%d.%02d" % (total // 2 // 100, total // 2 % 100),
                         "reference": "(2026)浙0192民初%d号" % (900 + i),
                         "links": {role: self.link(self.demo.tokens[role]) for role in ("consumer", "merchant", "agent", "court")}})
        photo = os.path.join(self.tmp, "photo.png")
        with open(photo, "wb") as f:
            f.write(unique_png())
        job = {"base": "http://127.0.0.1:%d" % self.srv.port, "photo": photo, "runs": runs,
               "dir": os.path.join(self.tmp, "downloads")}
        out = self.drive("walkthrough-driver.mjs", job, timeout=240)
        words = {"zh": {"merchant": "商家工作台", "agent": "客服工作台", "court": "法院证据调取", "done": "已完成",
                        "released": "已披露", "valid": "有效", "lang": "zh-CN"},
                 "en": {"merchant": "Merchant desk", "agent": "Agent console", "court": "Court's disclosure desk",
                        "done": "Done", "released": "released", "valid": "VALID", "lang": "en"}}
        self.assertEqual(len(out["runs"]), 2)
        for run, r in zip(runs, out["runs"]):
            w = words[r["lang"]]
            with self.subTest(lang=r["lang"]):
                # 1. the consumer's dispute, with its photo, as the API holds it
                c = r["consumer"]
                self.assertNotIn("token", c["url"])
                # the consumer's home lists every order, the latest first: the demo's newest orders on top
                listed = self.ok(self.srv.request("GET", "/v1/orders?limit=100", token=self.demo.tokens["consumer"]))["data"]
                self.assertEqual(c["orders"], [o["id"] for o in sorted(listed, key=lambda o: o["paid_at"], reverse=True)])
                self.assertIn(c["orders"][0], (orders[0]["id"], orders[1]["id"]))
                self.assertEqual(c["state"], "awaiting_merchant")
                self.assertIn("¥" + run["amount"], c["receipt"])
                # the assessment is recorded by the server's own worker at a moment of its own
                self.assertEqual([e for e in c["events"] if e != "assessment"], ["opened"])
                d = self.get("/v1/disputes/%s" % c["dispute"])
                self.assertEqual((d["order"], d["claim"]["amount"]["amount"], d["evidence"]),
                                 (run["order"], run["claim"], [c["photo_blob"]]))
                # 2. the merchant's answer, then the consumer asks the platform to step in
                mr = r["merchant"]
                self.assertNotIn("token", mr["url"])
                self.assertEqual(mr["heading"], w["merchant"])
                self.assertIn(w["done"], mr["done"])
                self.assertNotEqual(mr["state"], "awaiting_merchant")
                self.assertEqual(mr["events"][0], "opened")
                self.assertGreater(len([e for e in mr["events"] if e != "assessment"]), 1)
                self.assertIn(w["done"], r["escalated"]["done"])
                self.assertEqual(r["escalated"]["state"], "platform_review")
                # 3. the agent's decision in the console, citing the photo
                a = r["agent"]
                self.assertEqual(a["heading"], w["agent"])
                self.assertIn(w["done"], a["done"])
                self.assertIn(a["state"], ("decided", "executing", "resolved"))
                self.assertIn("decision", a["events"])
                d = self.get("/v1/disputes/%s" % c["dispute"])
                self.assertIsNotNone(d["outcome"])
                ev = [e for e in self.get("/v1/disputes/%s/events" % c["dispute"])["data"] if e["type"] == "decision"]
                self.assertEqual(len(ev), 1)
                self.assertIn(c["photo_blob"], json.dumps(ev[0]))
                # 4. the court's request, approved in the console, downloaded and verified offline
                ct = r["court"]
                self.assertEqual(ct["heading"], w["court"])
                self.assertEqual(ct["request"]["state"], "pending")
                self.assertIn(w["released"], a["disclosure_done"])
                dsc = self.get("/v1/disclosures/%s" % ct["request"]["id"])
                self.assertEqual((dsc["order"], dsc["reference"], dsc["state"], dsc["requester"]["role"]),
                                 (run["order"], run["reference"], "released", "court"))
                dl = ct["download"]
                self.assertEqual(dl["json"]["name"], "%s.package.json" % dsc["id"])
                self.assertEqual(dl["pdf"]["name"], "%s.package.pdf" % dsc["id"])
                with open(dl["json"]["file"], "rb") as f:
                    package = f.read().decode()
                # the package holds the dispute
                self.assertIn(c["dispute"], package)
                v = ct["verify"]
                self.assertEqual((v["requests"], v["token_stored"], v["lang"]), ([], None, w["lang"]))
                good, bad = v["verdicts"]
                self.assertEqual(cli_verify(self.vkey, dl["json"]["file"]), ("valid", None))
                self.assertEqual((good["verdict"], good["word"]), ("valid", w["valid"]))
                self.assertEqual(cli_verify(self.vkey, ct["tampered"]["file"])[0], "invalid")
                self.assertEqual(bad["verdict"], "invalid")
                self.assertTrue(bad["reason"])


if __name__ == "__main__":
    unittest.main()
