"""test_web_court.py - a court's and a consumer association's disclosure desk in real Chromium: signed in by link, they request an order's records with a case number (after a request for an unknown order is refused on the page), an agent approves, the package is downloaded in the page (the bundle file and its PDF), and /app/verify in the same browser, with the network cut off, says VALID for it and what is wrong with a copy one byte changed, as `disputed verify` does; in Chinese and in English.

The pages are driven by web/test/court-driver.mjs (playwright-core with
Debian's chromium at a phone's 360 px, in New York's time zone). What the
pages did is checked over the API and against the command.
"""
import json
import os
import subprocess
import unittest

from harness import BIN
from web_kit import WebCase, browser_missing


def cli_verify(vkey, path):
    """`disputed verify`'s verdict (valid, invalid, unusable) and its reason line on `path`."""
    res = subprocess.run([BIN, "verify", "--vkey", vkey, path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=60)
    verdict = {0: "valid", 1: "invalid", 2: "unusable"}[res.returncode]
    reason = None
    for line in res.stdout.decode().splitlines():
        for head in ("INVALID: ", "UNUSABLE: "):
            if line.startswith(head):
                reason = line[len(head):]
    return verdict, reason


@unittest.skipIf(browser_missing(), browser_missing() or "")
class WebCourtTest(WebCase):

    name = "web court"

    def test_a_court_requests_downloads_and_verifies_a_package_offline(self):
        runs = []
        for i, (lang, role, name) in enumerate((("zh", "court", "杭州互联网法院"), ("en", "court", "Hangzhou Internet Court"),
                                                ("en", "association", "浙江省消费者权益保护委员会"))):
            _, _, o = self.world.shop()
            runs.append({"lang": lang, "role": role, "name": name, "order": o["id"],
                         "token": self.world.token_for(role, name)["token"],
                         "bad_order": "ord_" + "0" * 24,
                         "reference": "(2026)浙0192民初%d号" % (100 + i),
                         "purpose": "审理网络购物合同纠纷" if lang == "zh" else "A sales contract dispute before the court"})
        job = {"base": "http://127.0.0.1:%d" % self.srv.port, "agent": self.agent, "runs": runs,
               "dir": os.path.join(self.tmp, "downloads"),
               "screenshots": os.environ.get("DISPUTED_SCREENSHOTS")}
        out = self.drive("court-driver.mjs", job, timeout=200)
        words = {"zh": {"court": "法院证据调取", "lang": "zh-CN", "done": "已提交",
                        "pending": "待审批", "released": "已披露", "beijing": "北京时间 UTC+08:00"},
                 "en": {"court": "Court's disclosure desk", "association": "Consumer association's disclosure desk",
                        "lang": "en", "done": "sent", "pending": "pending",
                        "released": "released", "beijing": "Beijing time (UTC+08:00)"}}
        self.assertEqual(len(out["runs"]), len(runs))
        for run, r in zip(runs, out["runs"]):
            w = words[r["lang"]]
            with self.subTest(role=r["role"], lang=r["lang"]):
                self.assertNotIn("token", r["url_after"])
                self.assertEqual(r["heading"], w[r["role"]])
                self.assertIn(run["name"], r["who"])
                self.assertEqual(r["unlabelled"], [])
                self.assertLessEqual(r["overflow"], 0)
                # the unknown order: the server's words on the page, nothing typed lost, nothing asked
                self.assertEqual(r["bad"]["kind"], "resource_missing")
                self.assertIn(run["bad_order"], r["bad"]["notice"])
                self.assertEqual((r["bad"]["reference"], r["bad"]["purpose"], r["bad"]["listed"]),
                                 (run["reference"], run["purpose"], 0))
                # the request as the API holds it
                req = r["request"]
                self.assertTrue(req["id"].startswith("dsc_"), req)
                self.assertEqual(req["state"], "pending")
                self.assertIn(w["done"], req["done"])
                self.assertTrue(req["form_cleared"])
                self.assertIn(run["reference"], r["pending_item"])
                self.assertIn(w["pending"], r["pending_item"])
                self.assertIn(w["beijing"], r["pending_item"])
                d = self.srv.request("GET", "/v1/disclosures/%s" % req["id"], token=self.platform).body
                self.assertEqual((d["order"], d["reference"], d["purpose"], d["requester"]),
                                 (run["order"], run["reference"], run["purpose"], {"role": run["role"], "id": run["name"]}))
                self.assertEqual(len(d["scope"]), 7)
                self.assertEqual(r["approved"]["status"], 200, r["approved"])
                # the package, downloaded by the page as files
                dl = r["download"]
                self.assertEqual(dl["state"], "released")
                self.assertIn(w["released"], dl["item"])
                self.assertEqual(dl["json"]["name"], "%s.package.json" % req["id"])
                self.assertEqual(dl["pdf"]["name"], "%s.package.pdf" % req["id"])
                self.assertIsNone(dl["json"]["failure"])
                self.assertEqual(r["pdf_head"], "%PDF-")
                with open(dl["json"]["file"], "rb") as f:
                    self.assertIn(run["order"], json.dumps(json.loads(f.read())))
                # the verifier, offline in the same browser, without the token
                v = r["verify"]
                self.assertTrue(v["url"].endswith("/app/verify"), v["url"])
                self.assertEqual(v["requests"], [])
                self.assertIsNone(v["token_stored"])
                self.assertEqual(v["lang"], w["lang"])
                good, bad = v["verdicts"]
                self.assertEqual(cli_verify(self.vkey, dl["json"]["file"]), ("valid", None))
                self.assertEqual(good["verdict"], "valid", good)
                self.assertEqual(good["word"], {"zh": "有效", "en": "VALID"}[r["lang"]])
                self.assertNotIn("fail", good["items"])
                cv, creason = cli_verify(self.vkey, r["tampered"]["file"])
                self.assertEqual(cv, "invalid")
                self.assertEqual(bad["verdict"], "invalid", bad)
                self.assertIn("fail", bad["items"])
                self.assertTrue(bad["reason"])
                if r["lang"] == "en":
                    self.assertEqual(bad["reason"], creason)


if __name__ == "__main__":
    unittest.main()
