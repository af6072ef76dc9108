"""test_web_consumer_court.py - the consumer's pages past the first answer, in real Chromium: a counter-offer to the merchant's offer, an appeal of a decision (refused without new information, then made with a photo), the disclosure desk (the merchant's identity as the API shows it to the consumer, the package and its PDF downloaded, the package verifying with `disputed verify`), and going to a court; in Chinese and in English.

The pages are driven by web/test/consumer-court-driver.mjs (a 360 px
phone in New York's time zone); what the pages did is checked over the API.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import BIN, Server, World, run_cli, unique_png
from test_web_verify import WEB, browser_missing

DRIVER = os.path.join(WEB, "test", "consumer-court-driver.mjs")


def cny(fen):
    return {"amount": fen, "currency": "CNY"}


@unittest.skipIf(browser_missing(), browser_missing() or "")
class WebConsumerCourtTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = srv = Server()
        try:
            cls.platform = srv.key_create("platform", "web court platform")
            cls.agent = srv.key_create("agent", "web court agent")
            srv.start()
            cls.world = World(srv, cls.platform)
            cls.tmp = tempfile.mkdtemp(prefix="disputed-webcourt-")
            cls.vkey = run_cli("log", "vkey", "--data", srv.data_dir).stdout.decode().strip()
        except Exception:
            srv.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()
        shutil.rmtree(getattr(cls, "tmp", ""), ignore_errors=True)

    def write(self, name, data):
        p = os.path.join(self.tmp, name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def ok(self, r, status=200):
        self.assertEqual(r.status, status, r.body)
        return r.body

    def api(self, path, token=None):
        return self.ok(self.srv.request("GET", path, token=token or self.platform))

    def act(self, d, action, body, token):
        return self.ok(self.srv.request("POST", "/v1/disputes/%s/%s" % (d, action), body, token=token))

    def opened(self, claim="refund"):
        """A fresh shop and its consumer's dispute: (merchant, consumer token, merchant token, dispute id)."""
        m, _, o = self.world.shop()
        ctok = self.world.token_for("consumer", o["consumer"]["id"])["token"]
        mtok = self.world.token_for("merchant", m["id"])["token"]
        d = self.ok(self.srv.request("POST", "/v1/disputes", {"order": o["id"], "reason": "quality", "claim": {
            "type": claim, "amount": cny(1999)}}, token=ctok), 201)
        return m, ctok, mtok, d["id"]

    def verifies(self, path):
        return subprocess.run([BIN, "verify", "--vkey", self.vkey, "--log", self.srv.data_dir, path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE).returncode

    def test_counter_offer_appeal_disclosure_desk_and_a_court(self):
        runs, shops = [], []
        for i, lang in enumerate(("zh", "en")):
            _, ctok, mtok, cd = self.opened(claim="return_refund")
            self.act(cd, "responses", {"action": "counter", "offer": {"type": "refund", "amount": cny(1000)}}, mtok)
            m, atok, amtok, ad = self.opened()
            self.act(ad, "responses", {"action": "reject"}, amtok)
            self.act(ad, "escalate", {}, atok)
            self.act(ad, "decision", {"outcome": "rejected", "reasons": [
                {"code": "consumer_evidence_insufficient", "text": "无照片"}]}, self.agent)
            em, etok, _, ed = self.opened()
            runs.append({"lang": lang, "counter": {"token": ctok, "dispute": cd},
                         "appeal": {"token": atok, "dispute": ad},
                         "external": {"token": etok, "dispute": ed, "reference": "(2026)浙0192民初%d号" % (700 + i)}})
            shops.append((m, em))
        dl = os.path.join(self.tmp, "downloads")
        os.makedirs(dl)
        job = {"base": "http://127.0.0.1:%d" % self.srv.port, "runs": runs, "dir": dl,
               "photo": self.write("photo.png", unique_png()),
               "not_image": self.write("notes.txt", b"not a photo\n"),
               "screenshots": os.environ.get("DISPUTED_SCREENSHOTS")}
        jobfile = self.write("job.json", json.dumps(job).encode())
        p = subprocess.run(["node", DRIVER, jobfile], capture_output=True, timeout=170, cwd=WEB)
        self.assertEqual(p.returncode, 0, p.stderr.decode()[-3000:])
        out = json.loads(p.stdout)
        self.assertEqual(out["csp"], [])
        self.assertEqual(out["page_errors"], [])
        self.assertEqual(out["console_errors"], [])
        words = {"zh": {"done": "已完成", "negotiating": "协商", "rejected": "驳回", "need": "申诉须附新的信息",
                        "not_image": "不是图片", "scope": "请至少勾选", "released": "已披露", "court": "人民法院",
                        "downloaded": "已下载"},
                 "en": {"done": "Done", "negotiating": "negotiating", "rejected": "rejected", "need": "needs new information",
                        "not_image": "is not an image", "scope": "Tick at least one", "released": "released",
                        "court": "people's court", "downloaded": "Downloaded"}}
        for run, r, (m, em) in zip(runs, out["runs"], shops):
            w = words[r["lang"]]
            with self.subTest(lang=r["lang"], step="counter"):
                c = r["counter"]
                self.assertIn("¥10.00", c["offer"])
                self.assertEqual(c["unlabelled"], [])
                self.assertIn(w["done"], c["notice"])
                self.assertEqual(c["state"], "negotiating")
                self.assertIn("consumer_counter", c["events"])
                d = self.api("/v1/disputes/%s" % run["counter"]["dispute"])
                self.assertEqual((d["state"], d["offer"]["by"], d["offer"]["type"], d["offer"]["amount"]),
                                 ("negotiating", "consumer", "refund", cny(1550)))
            with self.subTest(lang=r["lang"], step="appeal"):
                a = r["appeal"]
                self.assertIn(w["rejected"], a["decided"])
                self.assertEqual(a["unlabelled"], [])
                self.assertIn(w["need"], a["empty"])
                self.assertIn("notes.txt", a["not_image"])
                self.assertIn(w["not_image"], a["not_image"])
                self.assertIn(w["done"], a["notice"])
                self.assertEqual(a["state"], "platform_review")
                self.assertIn("appeal", a["events"])
                self.assertEqual(a["form_after"], 0)
                d = self.api("/v1/disputes/%s" % run["appeal"]["dispute"])
                self.assertEqual((d["state"], d["appealed"]), ("platform_review", True))
                ev = self.api("/v1/disputes/%s/events" % run["appeal"]["dispute"])["data"]
                appeals = [e for e in ev if e["type"] == "appeal"]
                self.assertEqual(len(appeals), 1)
                self.assertEqual((appeals[0]["actor"]["role"], appeals[0]["data"]["evidence"]),
                                 ("consumer", [a["photo_blob"]]))
            for step, x, dispute, merchant in (("desk", r["desk"], run["appeal"], m),
                                               ("external", r["external"], run["external"], em)):
                with self.subTest(lang=r["lang"], step=step):
                    self.assertEqual(x["state"], "released")
                    self.assertIn(w["released"], x["summary"])
                    self.assertEqual(x["verify_href"], "/app/verify")
                    self.assertLessEqual(x["overflow"], 0)
                    dsc_id = x["url"].rsplit("/", 1)[1]
                    dsc = self.api("/v1/disclosures/%s" % dsc_id)
                    self.assertEqual((dsc["state"], dsc["requester"]["role"], dsc["released"]["basis"]),
                                     ("released", "consumer", "cpl_44"))
                    self.assertEqual(dsc["dispute"], dispute["dispute"])
                    # the identity on the page is what the API shows this consumer, no more
                    seen = self.api("/v1/merchants/%s" % merchant["id"], token=dispute["token"])
                    for v in (seen["legal_name"], seen["registered_address"], seen["contact"]["phone"]):
                        self.assertIn(v, x["identity"])
                    # the downloads: the bundle verifies offline, the PDF is one
                    self.assertIn(w["downloaded"], x["json"]["notice"])
                    self.assertEqual(x["json"]["suggested"], "%s.package.json" % dsc_id)
                    self.assertEqual(self.verifies(x["json"]["file"]), 0)
                    with open(x["pdf"]["file"], "rb") as f:
                        self.assertEqual(f.read(5), b"%PDF-")
            with self.subTest(lang=r["lang"], step="desk"):
                self.assertEqual(r["desk"]["unlabelled"], [])
                self.assertIn(w["scope"], r["desk"]["none_ticked"])
                dsc_id = r["desk"]["url"].rsplit("/", 1)[1]
                self.assertIn(dsc_id, r["desk"]["listed"])
                dsc = self.api("/v1/disclosures/%s" % dsc_id)
                self.assertEqual(dsc["scope"], ["merchant_identity", "order"])
                self.assertIsNone(dsc["for"])
            with self.subTest(lang=r["lang"], step="external"):
                self.assertIn(w["court"], r["external"]["summary"])
                self.assertEqual(r["external"]["dispute_state"], "external")
                self.assertEqual(r["external"]["actions"], 0)
                d = self.api("/v1/disputes/%s" % run["external"]["dispute"])
                self.assertEqual((d["state"], d["external"]["body"], d["external"]["reference"]),
                                 ("external", "court", run["external"]["reference"]))
                dsc = self.api("/v1/disclosures/%s" % r["external"]["url"].rsplit("/", 1)[1])
                self.assertEqual(dsc["for"], "court")


if __name__ == "__main__":
    unittest.main()
