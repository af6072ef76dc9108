"""test_reports.py - the compliance report: real disputes on the test clock, decided in time and late, counted over the API and by `disputed report compliance`."""
import csv
import datetime
import io
import json
import unittest
from urllib.parse import quote

from harness import Server, World, run_cli

# Monday 20 October 2025, 10:00 in Beijing: an ordinary working week.
T0 = "2025-10-20T02:00:00Z"
HOUR = 3600
DAY = 24 * HOUR

FROM = "2025-10-01T00:00:00Z"
TO = "2025-11-01T00:00:00Z"
KINDS = ["acknowledge", "decide", "appeal", "execute"]

# Both disputes are opened at T0 and go to platform review when the merchant's 48 h run
# out; the review takes 3 working days, not counting the day it starts (Wed 22 Oct), so
# it ends at 24:00 Beijing time on Mon 27 Oct.
REVIEW_START = "2025-10-22T02:00:00Z"
REVIEW_DUE = "2025-10-27T16:00:00Z"
IN_TIME = "2025-10-22T07:00:00Z"      # dispute A is decided 5 h into its review
PAST_DUE = "2025-10-28T00:00:00Z"     # 8 h after B's deadline: B is decided then


def _seconds(text):
    """Seconds since the epoch of an RFC 3339 UTC time without fractions."""
    t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    return int(t.replace(tzinfo=datetime.timezone.utc).timestamp())


def report_path(frm=FROM, to=TO):
    return "/v1/reports/compliance?from=%s&to=%s" % (quote(frm, safe=""), quote(to, safe=""))


def by_kind(report):
    return {k["kind"]: k for k in report["obligations"]}


def counts(entry):
    return {k: entry[k] for k in ("total", "met_on_time", "met_late", "open", "breached",
                                  "median_seconds", "p90_seconds")}


def zeros():
    return {"total": 0, "met_on_time": 0, "met_late": 0, "open": 0, "breached": 0,
            "median_seconds": None, "p90_seconds": None}


class ComplianceReportTest(unittest.TestCase):
    """Two standard-tier disputes driven to platform review; A decided in time, B past its deadline.

    setUpClass drives the whole story once and keeps the reports seen on the way; the
    tests check them, and ask the running server and the CLI for more.
    """

    @classmethod
    def setUpClass(cls):
        cls.srv = Server()
        try:
            cls.platform = cls.srv.key_create("platform", "e2e platform")
            cls.regulator = cls.srv.key_create("regulator", "e2e 市场监管局")
            cls.agent_key = cls.srv.key_create("agent", "e2e agent")
            cls.srv.start(args=["--test-clock=" + T0])
            cls.world = World(cls.srv, cls.platform)
            cls._story()
        except Exception:
            cls.srv.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()
        finally:
            cls.srv.cleanup()

    # ---- the story ----

    @classmethod
    def _call(cls, method, path, body=None, token=None, expect=200):
        r = cls.srv.request(method, path, body, token=token or cls.platform)
        if r.status != expect:
            raise AssertionError("%s %s -> %d %r (wanted %d)" % (method, path, r.status, r.body,
                                                                expect))
        return r.body

    @classmethod
    def _advance_to(cls, when):
        now = cls._call("POST", "/v1/test/clock", {"advance_seconds": 0})["now"]
        delta = _seconds(when) - _seconds(now)
        assert delta >= 0, (now, when)
        body = cls._call("POST", "/v1/test/clock", {"advance_seconds": delta})
        assert body["now"] == when, body

    @classmethod
    def _open(cls):
        """A standard-tier dispute (a ¥299 claim) opened by the order's consumer."""
        m = cls.world.merchant()
        lst = cls.world.listing(m["id"], price=29900)
        o = cls.world.order(m["id"], lst["id"], unit_price=29900)
        consumer = cls.world.token_for("consumer", o["consumer"]["id"], ttl=30 * DAY)["token"]
        d = cls._call("POST", "/v1/disputes",
                      {"order": o["id"], "reason": "quality", "description": "杯子漏水",
                       "claim": {"type": "refund", "amount": {"amount": 29900,
                                                              "currency": "CNY"}}},
                      token=consumer, expect=201)
        assert d["tier"] == "standard", d
        cls.consumer_token = consumer
        cls.merchant_token = cls.world.token_for("merchant", m["id"], ttl=30 * DAY)["token"]
        return d

    @classmethod
    def _decide(cls, d):
        return cls._call("POST", "/v1/disputes/%s/decision" % d["id"],
                         {"outcome": "full_refund",
                          "reasons": [{"code": "quality_defect", "text": "商品存在质量问题"}]},
                         token=cls.agent_key)

    @classmethod
    def _story(cls):
        cls.a = cls._open()
        cls.b = cls._open()
        cls._advance_to(REVIEW_START)
        for d in (cls.a, cls.b):
            got = cls._call("GET", "/v1/disputes/%s" % d["id"])
            assert got["state"] == "platform_review", got
            assert got["next"]["due_at"] == REVIEW_DUE, got
        cls._advance_to(IN_TIME)
        assert cls._decide(cls.a)["state"] == "decided"
        cls._advance_to(PAST_DUE)
        cls.b_overdue = cls._call("GET", "/v1/disputes/%s" % cls.b["id"])
        cls.mid = cls._call("GET", report_path())
        cls.mid_regulator = cls._call("GET", report_path(), token=cls.regulator)
        cls.mid_csv = run_cli("report", "compliance", "--data", cls.srv.data_dir, "--from",
                              FROM, "--to", TO, "--format", "csv", "--as-of", PAST_DUE)
        # B is decided 8 h past its deadline: a breach that was then met, late
        assert cls._decide(cls.b)["state"] == "decided"
        cls.final = cls._call("GET", report_path())

    # ---- what the report says ----

    def test_b_was_flagged_overdue_by_its_timer(self):
        self.assertEqual(self.b_overdue["state"], "platform_review")
        self.assertIs(self.b_overdue["overdue"], True)

    def test_report_shape(self):
        r = self.mid
        self.assertEqual(r["object"], "compliance_report")
        self.assertEqual((r["from"], r["to"], r["generated_at"]), (FROM, TO, PAST_DUE))
        self.assertEqual([k["kind"] for k in r["obligations"]], KINDS)

    def test_while_b_is_overdue_and_open(self):
        k = by_kind(self.mid)
        # acknowledged on the spot when opened
        self.assertEqual(counts(k["acknowledge"]),
                         {"total": 2, "met_on_time": 2, "met_late": 0, "open": 0, "breached": 0,
                          "median_seconds": 0, "p90_seconds": 0})
        # A decided 5 h into review; B open and breached
        self.assertEqual(counts(k["decide"]),
                         {"total": 2, "met_on_time": 1, "met_late": 0, "open": 1, "breached": 1,
                          "median_seconds": 5 * HOUR, "p90_seconds": 5 * HOUR})
        self.assertEqual(counts(k["appeal"]), zeros())
        self.assertEqual(counts(k["execute"]), zeros())
        self.assertEqual(self.mid["breaches"], [
            {"dispute": self.b["id"], "kind": "decide", "due_at": REVIEW_DUE,
             "breached_at": REVIEW_DUE, "met_at": None, "late_seconds": 8 * HOUR}])

    def test_after_b_is_decided_late(self):
        k = by_kind(self.final)
        self.assertEqual(self.final["generated_at"], PAST_DUE)
        # 5 h and 5 d 22 h from the start of review: the mean of the two, and the larger
        took_b = 5 * DAY + 22 * HOUR
        self.assertEqual(counts(k["decide"]),
                         {"total": 2, "met_on_time": 1, "met_late": 1, "open": 0, "breached": 1,
                          "median_seconds": (5 * HOUR + took_b) // 2, "p90_seconds": took_b})
        self.assertEqual(counts(k["acknowledge"])["met_on_time"], 2)
        self.assertEqual(self.final["breaches"], [
            {"dispute": self.b["id"], "kind": "decide", "due_at": REVIEW_DUE,
             "breached_at": REVIEW_DUE, "met_at": PAST_DUE, "late_seconds": 8 * HOUR}])

    def test_regulator_sees_the_same_report(self):
        self.assertEqual(self.mid_regulator, self.mid)

    def test_period_is_by_when_the_duty_arose_from_inclusive_to_exclusive(self):
        # the decide duties arose when review started; the acknowledgements at T0
        just_review = self._get(report_path(REVIEW_START, "2025-10-22T02:00:00.001Z"))
        k = by_kind(just_review)
        self.assertEqual(k["decide"]["total"], 2)
        self.assertEqual(k["acknowledge"]["total"], 0)
        before_review = self._get(report_path(T0, REVIEW_START))
        k = by_kind(before_review)
        self.assertEqual(k["acknowledge"]["total"], 2)
        self.assertEqual(k["decide"]["total"], 0)
        self.assertEqual(before_review["breaches"], [])

    def test_offsets_are_accepted_when_the_plus_is_escaped(self):
        r = self._get(report_path("2025-10-01T08:00:00+08:00", "2025-11-01T08:00:00+08:00"))
        self.assertEqual((r["from"], r["to"]), (FROM, TO))
        self.assertEqual(r["obligations"], self.final["obligations"])

    def _get(self, path, token=None):
        r = self.srv.request("GET", path, token=token or self.platform)
        self.assertEqual(r.status, 200, r.body)
        return r.body

    # ---- who may ask ----

    def test_parties_and_agents_may_not_see_it(self):
        for who, token in (("merchant", self.merchant_token), ("consumer", self.consumer_token),
                           ("agent", self.agent_key)):
            with self.subTest(role=who):
                r = self.srv.request("GET", report_path(), token=token)
                self.assertEqual(r.status, 403, r.body)
                self.assertEqual(r.body["error"]["code"], "forbidden")

    def test_no_token_is_401(self):
        r = self.srv.request("GET", report_path())
        self.assertEqual(r.status, 401, r.body)

    # ---- bad periods ----

    def assertBadParam(self, path, param, code):
        r = self.srv.request("GET", path, token=self.platform)
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(r.body["error"]["type"], "invalid_request", r.body)
        self.assertEqual(r.body["error"]["code"], code, r.body)
        self.assertEqual(r.body["error"]["param"], param, r.body)
        self.assertIn(param, r.body["error"]["message"])

    def test_missing_from_or_to_is_400_naming_it(self):
        self.assertBadParam("/v1/reports/compliance", "from", "required")
        self.assertBadParam("/v1/reports/compliance?to=" + TO, "from", "required")
        self.assertBadParam("/v1/reports/compliance?from=" + FROM, "to", "required")
        self.assertBadParam("/v1/reports/compliance?from=&to=" + TO, "from", "required")

    def test_invalid_times_are_400_naming_them(self):
        self.assertBadParam(report_path("yesterday", TO), "from", "invalid_value")
        self.assertBadParam(report_path(FROM, "2025-11-31T00:00:00Z"), "to", "invalid_value")
        self.assertBadParam(report_path("2025-10-01", TO), "from", "invalid_value")
        # an unescaped + in a query string means a space
        self.assertBadParam("/v1/reports/compliance?from=2025-10-01T08:00:00+08:00&to=" + TO,
                            "from", "invalid_value")

    def test_from_not_before_to_is_400(self):
        self.assertBadParam(report_path(TO, TO), "to", "invalid_value")
        self.assertBadParam(report_path(TO, FROM), "to", "invalid_value")

    def test_weeks_hold_the_duties_and_disputes_week_by_week(self):
        weeks = self.final["weeks"]
        # from Wednesday 1 October (08:00 Beijing): the weeks from Monday 29 September 00:00 Beijing
        self.assertEqual([w["week_start"] for w in weeks],
                         ["2025-09-28T16:00:00Z", "2025-10-05T16:00:00Z", "2025-10-12T16:00:00Z",
                          "2025-10-19T16:00:00Z", "2025-10-26T16:00:00Z"])
        kinds = self.final["obligations"]
        self.assertEqual(sum(w["duties"] for w in weeks), sum(k["total"] for k in kinds))
        for key in ("met_on_time", "met_late", "open", "breached"):
            self.assertEqual(sum(w[key] for w in weeks), sum(k[key] for k in kinds), key)
        self.assertEqual(sum(w["disputes"] for w in weeks), 2)
        for w in weeks:
            self.assertEqual(sum(w["by_tier"].values()), w["disputes"])
            self.assertEqual(sum(w["by_focus"].values()), w["disputes"])
            self.assertEqual(sorted(w["by_tier"]), ["fast_lane", "serious", "standard"])
            self.assertEqual(len(w["by_focus"]), 9)

    def test_a_period_of_more_than_twenty_years_is_400(self):
        self.assertBadParam(report_path(FROM, "2047-01-01T00:00:00Z"), "to", "invalid_value")

    # ---- the command line ----

    def cli(self, *args):
        return run_cli("report", "compliance", "--data", self.srv.data_dir, *args)

    def test_cli_csv_agrees_with_the_api(self):
        r = self.mid_csv
        self.assertEqual(r.returncode, 0, r.stderr)
        kinds_part, breaches_part = r.stdout.decode().split("\n\n")
        kinds = list(csv.DictReader(io.StringIO(kinds_part)))
        self.assertEqual([row["kind"] for row in kinds], KINDS)
        for row, api in zip(kinds, self.mid["obligations"]):
            for col, value in row.items():
                want = api[col]
                self.assertEqual(value, "" if want is None else str(want), (col, row, api))
        breaches = list(csv.DictReader(io.StringIO(breaches_part)))
        self.assertEqual(len(breaches), len(self.mid["breaches"]))
        for row, api in zip(breaches, self.mid["breaches"]):
            for col, value in row.items():
                want = api[col]
                self.assertEqual(value, "" if want is None else str(want), (col, row, api))

    def test_cli_json_is_the_api_report(self):
        r = self.cli("--from", FROM, "--to", TO, "--as-of", PAST_DUE)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout.decode()), self.final)

    def test_cli_table_is_readable(self):
        r = self.cli("--from", FROM, "--to", TO, "--as-of", PAST_DUE, "--format", "table")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        self.assertIn("KIND", out)
        lines = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
        self.assertEqual(lines["decide"][1:6], ["2", "1", "1", "0", "1"])
        self.assertIn("Breaches: 1", out)
        self.assertEqual(lines[self.b["id"]][1:5], ["decide", REVIEW_DUE, REVIEW_DUE, PAST_DUE])

    def test_cli_refuses_bad_arguments(self):
        for args, says in ((("--from", "soon", "--to", TO), "--from"),
                           (("--from", FROM, "--to", FROM), "--to"),
                           (("--from", FROM, "--to", TO, "--format", "xml"), "--format"),
                           (("--from", FROM), "usage")):
            with self.subTest(args=args):
                r = self.cli(*args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(says, r.stderr.decode())

    def test_cli_help(self):
        r = run_cli("report", "--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("usage: disputed report compliance", r.stdout.decode())
        r = run_cli("report", "compliance", "--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("--format", r.stdout.decode())


if __name__ == "__main__":
    unittest.main()
