"""test_web_regulator.py - the regulator's home in real Chromium: the compliance report and the alerts as charts, each table's figures equal to what GET /v1/reports/compliance gives for the same period, each CSV really downloaded and equal to its table, a period chosen in the form and a bad one refused on the page; at 360 px and at a desktop's width, in Chinese and in English.

The page is driven by web/test/regulator-driver.mjs (playwright-core with
Debian's chromium, in New York's time zone, so the Beijing weeks are the
page's own doing). What the page shows is checked against the API.
"""
import csv
import datetime
import io
import json
import os
import re
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request
from urllib.parse import quote

from harness import BIN, free_port
from web_kit import WebCase, browser_missing

TIERS = ["fast_lane", "standard", "serious"]
FOCI = ["not_received", "not_as_described", "quality", "counterfeit", "false_advertising", "price",
        "after_sales", "safety", "other"]
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def beijing_day(ts):
    """An RFC 3339 time's Beijing date, as the page writes it."""
    t = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    return t.astimezone(BEIJING).strftime("%Y-%m-%d")


@unittest.skipIf(browser_missing(), browser_missing() or "")
class WebRegulatorTest(WebCase):

    name = "web regulator"
    keys = ("platform", "regulator")

    def open_dispute(self, reason, fen):
        """A fresh shop and a dispute its consumer opened for `reason`, claiming `fen`."""
        m, _, o = self.world.shop(unit_price=max(fen, 1999))
        ctok = self.world.token_for("consumer", o["consumer"]["id"])["token"]
        d = self.ok(self.srv.request("POST", "/v1/disputes", {
            "order": o["id"], "reason": reason, "description": "屏幕有裂痕",
            "claim": {"type": "refund", "amount": {"amount": fen, "currency": "CNY"}}}, token=ctok), 201)
        return m, d, ctok

    def scene(self):
        """Disputes in every tier and of several foci; one answered and escalated, so a decision is owed."""
        self.open_dispute("quality", 1999)
        self.open_dispute("counterfeit", 1999)
        self.open_dispute("price", 30000)
        m, d, ctok = self.open_dispute("not_as_described", 1500)
        mtok = self.world.token_for("merchant", m["id"])["token"]
        self.ok(self.srv.request("POST", "/v1/disputes/%s/responses" % d["id"],
                                 {"action": "reject", "message": "商品出厂时完好"}, token=mtok))
        self.ok(self.srv.request("POST", "/v1/disputes/%s/escalate" % d["id"], {}, token=ctok))

    def report(self, frm, to):
        return self.ok(self.srv.request("GET", "/v1/reports/compliance?from=%s&to=%s" % (
            quote(frm, safe=""), quote(to, safe="")), token=self.regulator))

    def alerts(self):
        return self.ok(self.srv.request("GET", "/v1/alerts?limit=100", token=self.regulator))["data"]

    def assert_block_is_its_csv(self, b, where):
        """The chart is named by its title and description; the CSV downloaded is the table, cell for cell."""
        self.assertEqual(b["role"], "img", where)
        self.assertEqual(b["svg_title"], b["title"], where)
        self.assertTrue(b["svg_desc"], where)
        self.assertEqual(len(b["labelledby"].split()), 2, where)
        self.assertEqual(b["csv_saved_as"], b["csv_name"], where)
        self.assertTrue(b["csv"].startswith("\ufeff"), where)
        body = b["csv"][1:]
        self.assertTrue(body.endswith("\r\n"), where)
        self.assertEqual(list(csv.reader(io.StringIO(body, newline=""))), [b["heads"]] + b["rows"], where)

    def assert_view_equals_report(self, v, where):
        r = self.report(v["from"], v["to"])
        weeks = r["weeks"]
        blocks = v["blocks"]
        for name, b in blocks.items():
            self.assert_block_is_its_csv(b, "%s %s" % (where, name))
        # duties per week
        d = blocks["duties"]
        self.assertEqual(d["keys"], [w["week_start"] for w in weeks], where)
        self.assertEqual(d["rows"], [[beijing_day(w["week_start"])] + [str(w[k]) for k in (
            "duties", "met_on_time", "met_late", "open", "breached")] for w in weeks], where)
        self.assertEqual(sum(d["bars"]), sum(w["met_on_time"] + w["met_late"] + w["open"] for w in weeks), where)
        # breaches by kind
        b = blocks["breaches"]
        self.assertEqual(b["keys"], [k["kind"] for k in r["obligations"]], where)
        self.assertEqual([row[1:] for row in b["rows"]], [[str(k[c]) for c in (
            "total", "met_on_time", "met_late", "open", "breached")] for k in r["obligations"]], where)
        # disputes by tier and by focus, per week
        for name, field, names in (("tiers", "by_tier", TIERS), ("foci", "by_focus", FOCI)):
            t = blocks[name]
            self.assertEqual(t["keys"], [w["week_start"] for w in weeks], where)
            self.assertEqual(t["rows"], [[beijing_day(w["week_start"])] + [str(w[field][n]) for n in names]
                                         + [str(w["disputes"])] for w in weeks], where)
            self.assertEqual(sum(t["bars"]), sum(sum(w[field].values()) for w in weeks), where)
        # the alerts of the period's weeks
        ids = [a["id"] for a in self.alerts() if v["from"] <= a["window"]["start"] < v["to"]]
        self.assertEqual(blocks["alerts"]["keys"], ids, where)
        return r

    def test_the_regulator_reads_the_report_as_charts_tables_and_csv(self):
        self.scene()
        today = datetime.datetime.now(BEIJING).strftime("%Y-%m-%d")
        downloads = os.path.join(self.tmp, "downloads")
        os.makedirs(downloads)
        job = {"base": "http://127.0.0.1:%d" % self.srv.port, "downloads": downloads,
               "screenshots": os.environ.get("DISPUTED_SCREENSHOTS"),
               "runs": [{"lang": lang, "token": self.regulator, "period": {"from": today, "to": today}}
                        for lang in ("zh", "en")]}
        out = self.drive("regulator-driver.mjs", job, timeout=240)
        words = {"zh": {"title": "平台合规情况", "week": "周起始日", "bad": "起始日期不能晚于截止日期"},
                 "en": {"title": "Compliance of the platform", "week": "Week from", "bad": "start date on or before"}}
        for r in out["runs"]:
            w = words[r["lang"]]
            self.assertNotIn("token=", r["url_after"])
            for view in ("phone", "desktop"):
                v = r[view]
                where = "%s %s" % (r["lang"], view)
                self.assertEqual(v["heading"], w["title"], where)
                self.assertEqual(v["blocks"]["duties"]["heads"][0], w["week"], where)
                self.assertEqual(v["unlabelled"], [], where)
                self.assertLessEqual(v["overflow"], 0, where)
                rep = self.assert_view_equals_report(v, where)
                # every chart's labels legible: at least 11 px as shown (10 px high), none meeting another or cut off
                for name, b in v["blocks"].items():
                    lg = b["legible"]
                    self.assertGreaterEqual(lg["font_px"], 11, "%s %s" % (where, name))
                    self.assertGreaterEqual(lg["min_height"], 10, "%s %s" % (where, name))
                    self.assertEqual(lg["overlaps"], [], "%s %s" % (where, name))
                    self.assertEqual(lg["outside"], [], "%s %s" % (where, name))
                    self.assertTrue(lg["x_labels"] or not b["rows"], "%s %s" % (where, name))
                # the kinds of duty are not a time line: each keeps its label, even on a phone
                self.assertEqual(len(v["blocks"]["breaches"]["legible"]["x_labels"]), len(rep["obligations"]), where)
                # the scene is in the charts: four disputes opened, one in each tier at least, duties arose
                self.assertEqual(sum(wk["disputes"] for wk in rep["weeks"]), 4, where)
                for tier in TIERS:
                    self.assertGreater(sum(wk["by_tier"][tier] for wk in rep["weeks"]), 0, where)
                self.assertGreater(sum(v["blocks"]["duties"]["bars"]), 0, where)
            # the period chosen on the desktop is the report's: today, 00:00 Beijing to the next day's
            start = datetime.datetime.strptime(today, "%Y-%m-%d").replace(tzinfo=BEIJING)
            utc = lambda t: t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.assertEqual(r["desktop"]["from"], utc(start))
            self.assertEqual(r["desktop"]["to"], utc(start + datetime.timedelta(days=1)))
            self.assertEqual(r["hash"], "#/period/%s_%s" % (today, today))
            self.assertEqual(len(r["desktop"]["blocks"]["duties"]["rows"]), 1)
            self.assertTrue(r["desktop"]["blocks"]["duties"]["csv_name"].endswith("%s_%s.csv" % (today, today)))
            # the phone's default period is eight weeks, Monday to today
            self.assertEqual(len(r["phone"]["blocks"]["duties"]["rows"]), 8)
            # a period that ends before it starts: said on the page, the report kept
            self.assertIn(w["bad"], r["bad_period"]["notice"])
            self.assertEqual(r["bad_period"]["rows"], 8)


class DemoRegulatorTest(unittest.TestCase):
    """`disputed demo` prints a regulator link whose report fills every chart of the page's default eight weeks."""

    def test_the_demo_regulator_link_sees_a_report_with_something_in_every_chart(self):
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTED_")}
        with tempfile.TemporaryDirectory(prefix="disputed-demoreg-") as tmp:
            p = subprocess.Popen([BIN, "demo", "--data", os.path.join(tmp, "d"), "--listen", "127.0.0.1:%d" % port],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
            try:
                token, until = None, time.time() + 90
                while time.time() < until:
                    line = p.stdout.readline()
                    if not line or line.startswith("Stop with"):
                        break
                    m = re.match(r"^regulator link: http://\S+/app/#token=(\S+)$", line.strip())
                    if m:
                        token = m.group(1)
                self.assertIsNotNone(token)
                while time.time() < until:
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=1).close()
                        break
                    except OSError:
                        time.sleep(0.1)

                def get(path):
                    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                                 headers={"Authorization": "Bearer " + token})
                    with urllib.request.urlopen(req, timeout=10) as r:
                        return json.loads(r.read())
                self.assertEqual(get("/v1/whoami")["role"], "regulator")
                # the page's default period: eight weeks up to today
                frm = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 56 * 86400))
                to = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400))
                r = get("/v1/reports/compliance?from=%s&to=%s" % (quote(frm, safe=""), quote(to, safe="")))
                weeks = r["weeks"]
                self.assertGreater(sum(w["duties"] for w in weeks), 0)
                self.assertGreater(sum(w["met_on_time"] for w in weeks), 0)
                self.assertGreater(sum(k["breached"] for k in r["obligations"]), 0)
                self.assertGreater(len({t for w in weeks for t, n in w["by_tier"].items() if n}), 1)
                self.assertGreater(len({f for w in weeks for f, n in w["by_focus"].items() if n}), 1)
                self.assertGreater(len(get("/v1/alerts?limit=100")["data"]), 0)
            finally:
                p.terminate()
                p.wait(timeout=30)
                p.stdout.close()


if __name__ == "__main__":
    unittest.main()
