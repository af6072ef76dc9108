"""test_web_consumer.py - the consumer's pages in real Chromium: signed in by a link (/app/#token=…) whose token leaves the address bar, they open a dispute with a photo and see it on the timeline with its deadline, in Chinese and in English; an expired token, a file that is not an image and a 409 each say so on the page.

The pages are driven by web/test/consumer-driver.mjs (playwright-core with
Debian's chromium, a 360 px wide phone in New York's time zone, so the
Beijing times are the page's own doing). GET /v1/whoami, which the page
asks after taking the token, is checked here over HTTP too.
"""
import datetime
import os
import re
import time
import unittest

from harness import unique_png
from web_kit import WebCase, browser_missing


SKEW_MS = 3 * 3600 * 1000


def countdown_seconds(text):
    """The time left a countdown shows ("剩余 2天 03:04:05", "2d 03:04:05 left", "03:04:05 left"), in seconds."""
    m = re.search(r"(?:(\d+)\D+)?(\d\d):(\d\d):(\d\d)", text)
    if not m:
        raise AssertionError("no countdown in %r" % text)
    d, h, mi, s = (int(x or 0) for x in m.groups())
    return ((d * 24 + h) * 60 + mi) * 60 + s


@unittest.skipIf(browser_missing(), browser_missing() or "")
class WebConsumerTest(WebCase):

    name = "web consumer"

    def test_whoami_names_the_callers_own_credential(self):
        _, _, o = self.world.shop()
        cus = o["consumer"]["id"]
        tok = self.world.token_for("consumer", cus)
        r = self.srv.request("GET", "/v1/whoami", token=tok["token"])
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual((r.body["object"], r.body["id"], r.body["via"], r.body["role"], r.body["subject"]),
                         ("principal", tok["id"], "token", "consumer", cus))
        self.assertEqual(r.body["expires_at"], tok["expires_at"])
        r = self.srv.request("GET", "/v1/whoami", token=self.platform)
        self.assertEqual((r.status, r.body["via"], r.body["role"], r.body["subject"], r.body["expires_at"]),
                         (200, "key", "platform", "web consumer platform", None))
        r = self.srv.request("GET", "/v1/whoami", token="dtk_" + "0" * 40)
        self.assertEqual((r.status, r.body["error"]["code"]), (401, "unauthenticated"))
        r = self.srv.request("GET", "/v1/whoami")
        self.assertEqual(r.status, 401, r.body)

    def test_a_consumer_signs_in_by_link_and_opens_a_dispute_with_a_photo(self):
        runs = []
        for lang in ("zh", "en"):
            m, lst, o = self.world.shop()
            # the parcel, collected then signed for: the order page tracks it
            for status, at in (("shipped", "2026-11-20T02:00:00Z"), ("signed", "2026-11-21T06:30:00Z")):
                r = self.srv.request("POST", "/v1/orders/%s/logistics" % o["id"], {
                    "carrier": "顺丰速运", "tracking_number": "SF1234567890", "status": status,
                    "occurred_at": at, "location": "浙江省杭州市", "detail": "快件" + status}, token=self.platform)
                self.assertEqual(r.status, 201, r.body)
            runs.append({"lang": lang, "order": o["id"], "shop": m["legal_name"], "title": lst["title"],
                         "token": self.world.token_for("consumer", o["consumer"]["id"])["token"]})
        m, _, o = self.world.shop()
        ctok = self.world.token_for("consumer", o["consumer"]["id"])["token"]
        mtok = self.world.token_for("merchant", m["id"])["token"]
        r = self.srv.request("POST", "/v1/disputes", {"order": o["id"], "reason": "quality", "claim": {
            "type": "return_refund", "amount": {"amount": 1999, "currency": "CNY"}}}, token=ctok)
        self.assertEqual(r.status, 201, r.body)
        offer = {"token": ctok, "dispute": r.body["id"]}
        r = self.srv.request("POST", "/v1/disputes/%s/responses" % offer["dispute"], {
            "action": "counter", "offer": {"type": "refund", "amount": {"amount": 1000, "currency": "CNY"}}},
            token=mtok)
        self.assertEqual(r.status, 200, r.body)
        expired = self.world.token_for("consumer", o["consumer"]["id"], ttl=1)["token"]
        time.sleep(1.2)
        runs[0]["skew_ms"] = -SKEW_MS  # this phone's clock is 3 hours slow
        job = {"base": "http://127.0.0.1:%d" % self.srv.port, "runs": runs, "expired": expired, "offer": offer,
               "photo": self.write("photo.png", unique_png()),
               "not_image": self.write("notes.txt", b"not a photo\n"),
               "screenshots": os.environ.get("DISPUTED_SCREENSHOTS")}
        out = self.drive("consumer-driver.mjs", job, timeout=110)
        words = {"zh": {"lang": "zh-CN", "beijing": "北京时间 UTC+08:00", "not_image": "不是图片",
                        "conflict": "无法进行", "opened": "发起纠纷", "left": "剩余"},
                 "en": {"lang": "en", "beijing": "Beijing time (UTC+08:00)", "not_image": "is not an image",
                        "conflict": "not possible now", "opened": "dispute opened", "left": "left"}}
        for run, r in zip(runs, out["runs"]):
            w = words[r["lang"]]
            with self.subTest(lang=r["lang"]):
                # the token left the address bar for session storage
                self.assertNotIn("token", r["url_after"])
                self.assertTrue(r["url_after"].endswith("/app/"), r["url_after"])
                self.assertEqual(r["stored"], run["token"])
                self.assertEqual(r["html_lang"], w["lang"])
                self.assertEqual(r["orders"], [run["order"]])
                # the home names the order's shop; the order page its items and the parcel's tracking
                self.assertIn(run["shop"], r["home_text"])
                op = r["order_page"]
                self.assertIn(run["shop"], op["summary"])
                self.assertIn("SF1234567890", op["summary"])
                self.assertEqual(len(op["items"]), 1)
                self.assertIn(run["title"], op["items"][0])
                self.assertEqual(op["parcel"], ["shipped", "signed"])
                self.assertEqual(r["unlabelled"], [])
                # not an image: said, nothing added, nothing typed lost
                self.assertIn("notes.txt", r["not_image"]["notice"])
                self.assertIn(w["not_image"], r["not_image"]["notice"])
                self.assertEqual((r["not_image"]["amount"], r["not_image"]["photos"]), ("12.34", 0))
                self.assertTrue(r["not_image"]["description"])
                self.assertTrue(r["photo_blob"].startswith("sha256:"))
                d = r["dispute"]
                self.assertEqual(d["state"], "awaiting_merchant")
                self.assertEqual(d["steps"], ["merchant_response"])
                self.assertIn(w["beijing"], d["next"])
                self.assertTrue(all(w["left"] in c for c in d["countdowns"]), d["countdowns"])
                self.assertIn("¥12.34", d["receipt"])
                # the assessment is made in the background and may already be on the timeline
                self.assertEqual([e for e in d["events"] if e != "assessment"], ["opened"])
                self.assertIn(w["opened"], d["timeline"])
                self.assertLessEqual(d["overflow"], 0)
                # what the API holds is what the page said
                dsp = d["url"].rsplit("/", 1)[1]
                api = self.srv.request("GET", "/v1/disputes/%s" % dsp, token=self.platform).body
                self.assertEqual(api["order"], run["order"])
                self.assertEqual(api["claim"]["amount"], {"amount": 1234, "currency": "CNY"})
                self.assertEqual(api["evidence"], [r["photo_blob"]])
                # (since withdrawn) the deadline the page counted down to is the one the API set
                self.assertEqual(d["next_due"], api["deadlines"][0]["due_at"])
                # a phone 3 hours slow counts the deadline down from the server's time, not its own
                if "skew_ms" in run:
                    sk = r["skewed"]
                    self.assertAlmostEqual(sk["browser_now"], sk["read_at"] - SKEW_MS, delta=60000)
                    self.assertEqual(sk["due"], api["deadlines"][0]["due_at"])
                    due = datetime.datetime.fromisoformat(sk["due"].replace("Z", "+00:00")).timestamp()
                    self.assertAlmostEqual(countdown_seconds(sk["countdown"]), due - sk["read_at"] / 1000,
                                           delta=60, msg=sk["countdown"])
                # a 409 after the dispute moved on elsewhere: said, and the message kept
                self.assertEqual(r["withdrawn_elsewhere"], 200)
                self.assertIn(w["conflict"], r["conflict"]["notice"])
                self.assertTrue(r["conflict"]["message"])
        # the merchant's offer, shown in yuan and accepted from the page
        self.assertIn("¥10.00", out["offer"]["shown"])
        self.assertIn("已完成", out["offer"]["notice"])
        self.assertIn(out["offer"]["state"], ("executing", "resolved"))
        self.assertEqual([e for e in out["offer"]["events"] if e != "assessment"][:2], ["opened", "merchant_counter"])
        self.assertIn("accept_offer", out["offer"]["events"])
        api = self.srv.request("GET", "/v1/disputes/%s" % offer["dispute"], token=self.platform).body
        self.assertEqual((api["outcome"]["source"], api["outcome"]["amount"]["amount"]), ("agreement", 1000))
        e = out["expired"]
        self.assertNotIn("token", e["url_after"])
        self.assertIsNone(e["stored"])
        self.assertEqual(e["notice_kind"], "unauthenticated")
        self.assertIn("expired", e["notice"])
        self.assertIn("过期", e["notice_zh"])


if __name__ == "__main__":
    unittest.main()
