"""test_rules_versions.py - rules governance: every published version kept, a new one only with 7 days' notice, GET /v1/rules switching at published_at on the test clock, each dispute judged to its end under the version in force when it opened, and `disputed rules check|publish`.

The shipped etc/rules.ini (version 2025-10-01.1, merchant_response 48h, consumer_reply
72h) is the data directory's first version. The drafts here are copies of it with
another version, published_at and shorter deadlines (24h for both), so a dispute
shows which version it runs under by its due times.
"""
import datetime
import os
import re
import tempfile
import unittest

from dispute_kit import DAY, HOUR, T0, DisputeCase, cny, shift
from harness import REPO, run_cli

FIRST = "2025-10-01.1"
SHIPPED = open(os.path.join(REPO, "etc", "rules.ini"), encoding="utf-8").read()
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def draft(version, published_at, merchant="24h", consumer="24h", text=SHIPPED):
    """The shipped rules as another version taking effect at `published_at`."""
    out = re.sub(r"(?m)^version = .*$", "version = " + version, text)
    out = re.sub(r"(?m)^published_at = .*$", "published_at = " + published_at, out)
    out = re.sub(r"(?m)^merchant_response = .*$", "merchant_response = " + merchant, out)
    out = re.sub(r"(?m)^consumer_reply = .*$", "consumer_reply = " + consumer, out)
    assert out != text
    return out


class PublishingTest(DisputeCase):

    def publish(self, text, token="platform"):
        return self.req("POST", "/v1/rules", {"text": text}, token=token)

    def rules(self, path="/v1/rules"):
        r = self.srv.request("GET", path)
        self.assertEqual(r.status, 200, r.body)
        return r.body

    def test_the_configured_file_is_the_first_version_in_force_from_the_start(self):
        b = self.rules()
        self.assertEqual(b["version"], FIRST)
        self.assertEqual(b["deadlines"]["merchant_response"]["text"], "48h")
        self.assertTrue(b["in_force"])
        self.assertRegex(b["digest"], DIGEST)
        self.assertEqual(b["loaded_at"], T0)
        [v] = b["versions"]
        self.assertEqual(v, {"version": FIRST, "published_at": "2025-09-30T16:00:00Z",
                             "loaded_at": T0, "digest": b["digest"], "in_force": True})
        # the calendar and every member served before are still there
        for k in ("title", "time_zone", "counting", "no_reason_return", "tiers", "funds",
                  "reason_codes", "disclosure", "assist", "calendar"):
            self.assertIn(k, b)

    def test_a_new_version_needs_seven_days_notice_and_a_refusal_changes_nothing(self):
        before = self.srv.counts()
        six = shift(T0, 7 * DAY - 1)
        r = self.publish(draft("2025-09-29.1", six))
        self.assertError(r, 409, "notice_too_short", param="published_at",
                         says=shift(T0, 7 * DAY))
        r = self.publish(draft("2025-09-29.1", shift(T0, 6 * DAY)))
        self.assertError(r, 409, "notice_too_short", param="published_at")
        self.assertEqual(self.srv.counts(), before)
        self.assertEqual([v["version"] for v in self.rules()["versions"]], [FIRST])
        # exactly seven days is enough
        r = self.publish(draft("2025-09-29.1", shift(T0, 7 * DAY)))
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.body["version"], "2025-09-29.1")
        self.assertEqual(r.body["published_at"], shift(T0, 7 * DAY))
        self.assertEqual(r.body["loaded_at"], T0)
        self.assertFalse(r.body["in_force"])
        self.assertEqual(r.body["deadlines"]["merchant_response"]["text"], "24h")
        self.assertRegex(r.body["digest"], DIGEST)
        vs = self.rules()["versions"]
        self.assertEqual([(v["version"], v["in_force"]) for v in vs],
                         [(FIRST, True), ("2025-09-29.1", False)])
        self.assertEqual(vs[1]["digest"], r.body["digest"])
        # the version in force is still the first
        self.assertEqual(self.rules()["version"], FIRST)

    def test_a_published_version_never_changes_and_versions_go_forward(self):
        text = draft("2025-09-29.1", shift(T0, 8 * DAY))
        self.assertEqual(self.publish(text).status, 201)
        before = self.srv.counts()
        self.assertError(self.publish(text), 409, "version_exists", param="version",
                         says="2025-09-29.1")
        self.assertError(self.publish(draft("2025-09-29.1", shift(T0, 9 * DAY), "12h")), 409,
                         "version_exists", says="other text")
        # the first version cannot be replaced either
        self.assertError(self.publish(draft(FIRST, shift(T0, 9 * DAY))), 409,
                         "version_exists")
        # a new version takes effect after every earlier one
        self.assertError(self.publish(draft("2025-09-29.2", shift(T0, 7 * DAY))), 409,
                         "published_before_latest", param="published_at",
                         says="2025-09-29.1")
        self.assertEqual(self.srv.counts(), before)
        self.assertEqual(self.publish(draft("2025-09-29.2", shift(T0, 9 * DAY))).status, 201)
        # kept across a restart; the file is not published again
        self.srv.stop()
        self.srv.start(args=["--test-clock=" + shift(T0, 1)])
        self.assertEqual([v["version"] for v in self.rules()["versions"]],
                         [FIRST, "2025-09-29.1", "2025-09-29.2"])

    def test_a_bad_draft_is_refused_naming_the_key_and_its_line(self):
        before = self.srv.counts()
        text = draft("2025-09-29.1", shift(T0, 8 * DAY), merchant="2 days")
        line = text.splitlines().index("merchant_response = 2 days") + 1
        r = self.publish(text)
        self.assertError(r, 400, "invalid_duration", param="deadlines.merchant_response",
                         says="text:%d: deadlines.merchant_response" % line)
        r = self.publish(text.replace("[funds]", "[fundz]"))
        self.assertError(r, 400, "unknown_group", param="fundz")
        self.assertError(self.req("POST", "/v1/rules", {}), 400, "required", param="text")
        self.assertError(self.req("POST", "/v1/rules", {"text": 7}), 400, "invalid_type",
                         param="text")
        self.assertError(self.req("POST", "/v1/rules", {"text": SHIPPED, "x": 1}), 400,
                         "unknown_parameter", param="x")
        # only the platform publishes
        agent = self.publish(draft("2025-09-29.1", shift(T0, 8 * DAY)), token=self.agent)
        self.assertError(agent, 403, "forbidden")
        self.assertEqual(self.srv.request("POST", "/v1/rules", {"text": SHIPPED}).status, 401)
        self.assertEqual(self.srv.counts(), before)

    def test_any_version_is_served_by_its_name(self):
        self.assertEqual(self.publish(draft("2025-09-29.1", shift(T0, 7 * DAY))).status, 201)
        old = self.rules("/v1/rules/" + FIRST)
        new = self.rules("/v1/rules/2025-09-29.1")
        self.assertEqual((old["version"], old["in_force"]), (FIRST, True))
        self.assertEqual((new["version"], new["in_force"]), ("2025-09-29.1", False))
        self.assertNotIn("versions", new)
        self.assertEqual(old["deadlines"]["consumer_reply"]["text"], "72h")
        self.assertEqual(new["deadlines"]["consumer_reply"]["text"], "24h")
        self.assertIn("calendar", new)
        r = self.srv.request("GET", "/v1/rules/2020-01-01.1")
        self.assertError(r, 404, "not_found", param="version")


class GoverningVersionTest(DisputeCase):
    """A dispute opened just before the switch keeps the old version to its end."""

    def test_disputes_keep_the_version_in_force_when_they_opened(self):
        switch = shift(T0, 7 * DAY)   # 2025-10-06T02:00:00Z
        r = self.req("POST", "/v1/rules", {"text": draft("2025-09-29.1", switch)})
        self.assertEqual(r.status, 201, r.body)
        # both shops exist before; the orders' records are sealed at T0
        old_shop = self.shop(amount=50000)
        new_shop = self.shop(amount=50000)
        self.advance_to(shift(switch, -HOUR))
        before = self.opened(old_shop)
        self.assertEqual(before["rules_version"], FIRST)
        self.assertEqual(before["deadlines"][0]["due_at"], shift(switch, -HOUR + 48 * HOUR))
        # GET /v1/rules switches exactly at published_at
        self.advance_to(shift(switch, -1))
        self.assertEqual(self.srv.request("GET", "/v1/rules").body["version"], FIRST)
        self.advance(1)
        now = self.srv.request("GET", "/v1/rules").body
        self.assertEqual(now["version"], "2025-09-29.1")
        self.assertEqual([(v["version"], v["in_force"]) for v in now["versions"]],
                         [(FIRST, False), ("2025-09-29.1", True)])
        after = self.opened(new_shop)
        self.assertEqual(after["rules_version"], "2025-09-29.1")
        self.assertEqual(after["deadlines"][0]["due_at"], shift(switch, 24 * HOUR))
        # both merchants counter now: the consumer's reply runs 72h under the old
        # version and 24h under the new, though both steps start after the switch
        offer = {"action": "counter", "offer": {"type": "refund", "amount": cny(10000)}}
        a = self.ok(before, "responses", offer, old_shop.merchant_token, state="negotiating")
        b = self.ok(after, "responses", offer, new_shop.merchant_token, state="negotiating")
        self.assertEqual(a["next"]["due_at"], shift(switch, 72 * HOUR))
        self.assertEqual(b["next"]["due_at"], shift(switch, 24 * HOUR))
        # the timers fire as each version says
        self.advance(24 * HOUR)
        self.assertEqual(self.get(before)["state"], "negotiating")
        self.assertEqual(self.get(after)["state"], "platform_review")
        self.advance(48 * HOUR)
        a = self.get(before)
        self.assertEqual(a["state"], "platform_review")
        self.assertEqual(a["rules_version"], FIRST)


def real_now_plus(days):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class RulesCommandTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="disputed-rules-")

    def tearDown(self):
        import shutil
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_check_prints_the_version_and_a_summary_of_a_good_draft(self):
        path = self.write("good.ini", draft("2025-11-03.1", "2025-11-10T00:00:00+08:00"))
        r = run_cli("rules", "check", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        self.assertIn("version: 2025-11-03.1\n", out)
        self.assertIn("published_at: 2025-11-09T16:00:00Z\n", out)
        self.assertIn("merchant_response 24h", out)
        self.assertEqual(len(out.splitlines()), 3, out)

    def test_check_lists_every_error_of_a_broken_draft_with_its_line(self):
        text = draft("2025-11-03.1", "2025-11-10T00:00:00+08:00", merchant="2 days")
        text = text.replace("window = 7d", "window = 7wd").replace("appeal = 7d", "apeal = 7d")
        lines = text.splitlines()
        path = self.write("bad.ini", text)
        r = run_cli("rules", "check", path)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, b"")
        err = r.stderr.decode()
        for key, want in (("merchant_response = 2 days", "deadlines.merchant_response"),
                          ("window = 7wd", "no_reason_return.window"),
                          ("apeal = 7d", "deadlines.apeal")):
            self.assertIn("%s:%d: %s" % (path, lines.index(key) + 1, want), err)
        self.assertIn("deadlines.appeal: required key is missing", err)
        r = run_cli("rules", "check", os.path.join(self.tmp, "missing.ini"))
        self.assertEqual(r.returncode, 2)

    def test_publish_from_the_command_line_reaches_a_running_server(self):
        from harness import Server
        srv = Server()
        self.addCleanup(srv.cleanup)
        srv.start()
        self.addCleanup(srv.stop)
        soon = self.write("soon.ini", draft("2025-11-03.1", real_now_plus(6)))
        r = run_cli("rules", "publish", "--data", srv.data_dir, soon)
        self.assertEqual(r.returncode, 1)
        self.assertIn("published_at must be", r.stderr.decode())
        later = real_now_plus(8)
        ok = self.write("ok.ini", draft("2025-11-03.1", later))
        r = run_cli("rules", "publish", "--data", srv.data_dir, ok)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("published rules version 2025-11-03.1", r.stdout.decode())
        body = srv.request("GET", "/v1/rules").body
        self.assertEqual(body["version"], FIRST)
        self.assertEqual([(v["version"], v["published_at"], v["in_force"])
                          for v in body["versions"]],
                         [(FIRST, "2025-09-30T16:00:00Z", True), ("2025-11-03.1", later, False)])
        r = run_cli("rules", "list", "--data", srv.data_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(r.stdout.decode().splitlines()), 3)


if __name__ == "__main__":
    unittest.main()
