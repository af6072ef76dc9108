"""test_web_staff_bad.py - the bad paths on the merchant's pages and the agent console, in real Chromium on a server with a test clock: a file that is not an image (by its type, and a .png that is not one), a sign-in that expires while a form is filled in (the tokens follow the test clock), and a 409 once a deadline has passed; each said on the page in Chinese and in English, what was typed kept, and nothing changed (checked over the API).

The agent's decision has no deadline that refuses it (a late one is
recorded as overdue), so its 409 is the dispute moving on meanwhile: past
its review deadline the consumer took it to a court. The agent console
uploads nothing, so it has no not-an-image path.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import Server, World
from test_web_verify import WEB, browser_missing

DRIVER = os.path.join(WEB, "test", "staff-bad-driver.mjs")
T0 = "2026-03-02T02:00:00Z"          # a Monday, 10:00 in Beijing
WEEK = 7 * 86400


def cny(fen):
    return {"amount": fen, "currency": "CNY"}


@unittest.skipIf(browser_missing(), browser_missing() or "")
class WebStaffBadPathsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = srv = Server()
        try:
            cls.platform = srv.key_create("platform", "web bad paths platform")
            cls.agent = srv.key_create("agent", "web bad paths agent")
            srv.start(args=["--test-clock=" + T0])
            cls.world = World(srv, cls.platform)
            cls.tmp = tempfile.mkdtemp(prefix="disputed-webbad-")
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

    def opened(self, m=None):
        """A dispute against merchant `m` (a new one if None): (merchant, consumer token, dispute id)."""
        if m is None:
            m = self.world.merchant()
        o = self.world.order(m["id"], self.world.listing(m["id"])["id"])
        ctok = self.world.token_for("consumer", o["consumer"]["id"], ttl=WEEK)["token"]
        d = self.ok(self.srv.request("POST", "/v1/disputes", {"order": o["id"], "reason": "quality", "claim": {
            "type": "refund", "amount": cny(1999)}}, token=ctok), 201)
        return m, ctok, d["id"]

    def in_review(self):
        m, ctok, d = self.opened()
        mtok = self.world.token_for("merchant", m["id"])["token"]
        self.ok(self.srv.request("POST", "/v1/disputes/%s/responses" % d, {"action": "reject"}, token=mtok))
        self.ok(self.srv.request("POST", "/v1/disputes/%s/escalate" % d, {}, token=ctok))
        return ctok, d

    def snapshot(self, d):
        """What a step could change: the dispute's state, offer and outcome, and its events."""
        x = self.ok(self.srv.request("GET", "/v1/disputes/%s" % d, token=self.platform))
        ev = self.ok(self.srv.request("GET", "/v1/disputes/%s/events?limit=100" % d, token=self.platform))["data"]
        return {"state": x["state"], "offer": x["offer"], "outcome": x["outcome"],
                "events": [(e["type"], e["actor"]["role"]) for e in ev]}

    def only_timers_since(self, d, before):
        """The dispute's events since `before` are the system's alone (timers, the assessment); its snapshot now."""
        now = self.snapshot(d)
        n = len(before["events"])
        self.assertEqual(now["events"][:n], before["events"])
        self.assertEqual([e for e in now["events"][n:] if e[1] != "system" and e[0] != "assessment"], [], d)
        return now

    def run_driver(self, lang):
        m, _, expire = self.opened()
        _, _, late = self.opened(m)
        _, agent_expire = self.in_review()
        late_ctok, agent_late = self.in_review()
        job = {"base": "http://127.0.0.1:%d" % self.srv.port, "platform": self.platform, "lang": lang,
               "not_image": self.write("notes.txt", b"not a photo\n"),
               "fake_png": self.write("fake.png", b"this is text, not a PNG\n" * 4),
               "expire_seconds": 120, "late_seconds": 4 * 86400,
               "merchant": {"short": self.world.token_for("merchant", m["id"], ttl=60)["token"],
                            "token": self.world.token_for("merchant", m["id"], ttl=WEEK)["token"],
                            "expire": expire, "late": late},
               "agent": {"short": self.world.token_for("agent", "客服-短时", ttl=60)["token"], "token": self.agent,
                         "expire": agent_expire, "late": agent_late, "consumer": late_ctok},
               "screenshots": os.environ.get("DISPUTED_SCREENSHOTS")}
        before = {d: self.snapshot(d) for d in (expire, late, agent_expire, agent_late)}
        jobfile = self.write("job-%s.json" % lang, json.dumps(job).encode())
        p = subprocess.run(["node", DRIVER, jobfile], capture_output=True, timeout=120, cwd=WEB)
        self.assertEqual(p.returncode, 0, p.stderr.decode()[-3000:])
        out = json.loads(p.stdout)
        self.assertEqual(out["csp"], [])
        self.assertEqual(out["page_errors"], [])
        self.assertEqual(out["console_errors"], [])
        self.assertEqual((out["clock_expire"], out["clock_late"], out["external"]), (200, 200, 200))
        return job, out, before

    def test_bad_paths_are_said_on_the_page_and_change_nothing(self):
        words = {"zh": {"not_image": "不是图片", "expired": "过期", "conflict": "无法进行"},
                 "en": {"not_image": "is not an image", "expired": "expired", "conflict": "not possible now"}}
        for lang in ("zh", "en"):
            job, out, before = self.run_driver(lang)
            w = words[lang]
            mo, ag = out["merchant"], out["agent"]
            with self.subTest(lang=lang, party="merchant", path="not an image"):
                for x, name in ((mo["not_image"], "notes.txt"), (mo["fake_png"], "fake.png")):
                    self.assertIn(name, x["notice"])
                    self.assertIn(w["not_image"], x["notice"])
                    self.assertEqual(x["photos"], 0)
                self.assertTrue(mo["fake_png"]["kept"])
            with self.subTest(lang=lang, path="expired"):
                for x in (mo["expired"], ag["expired"]):
                    self.assertIn(w["expired"], x["notice"])
                    self.assertTrue(x["kept"])
                self.assertEqual(mo["expired"]["state"], "awaiting_merchant")
                self.assertEqual(ag["expired"]["state"], "platform_review")
                # nothing the pages tried was done (the clock's own timers may have moved on since)
                for d in (job["merchant"]["expire"], job["agent"]["expire"]):
                    self.only_timers_since(d, before[d])
                self.assertIsNone(self.snapshot(job["agent"]["expire"])["outcome"])
            with self.subTest(lang=lang, path="409 after a deadline"):
                for x in (mo["late"], ag["late"]):
                    self.assertIn(w["conflict"], x["notice"])
                    self.assertTrue(x["kept"])
                # the merchant's late answer left no trace: only the timer moved the dispute
                late = self.only_timers_since(job["merchant"]["late"], before[job["merchant"]["late"]])
                self.assertNotEqual(late["state"], "awaiting_merchant")
                self.assertIsNone(late["offer"])
                a = self.snapshot(job["agent"]["late"])
                self.assertEqual(a["state"], "external")
                self.assertNotIn("decision", [t for t, _ in a["events"]])
                self.assertIsNone(a["outcome"])


if __name__ == "__main__":
    unittest.main()
