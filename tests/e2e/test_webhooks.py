"""test_webhooks.py - webhook endpoints over HTTP: validation, refusal of private destinations, signed delivery, retries, restarts."""
import hashlib
import hmac
import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from harness import REPO, Server, ServerTestCase, World, free_port, run_cli


def _routes():
    r = run_cli("routes")
    return set(r.stdout.decode().splitlines()) if r.returncode == 0 else set()


ROUTES = _routes()
HAS_DISPUTES = "POST /v1/disputes" in ROUTES
HAS_TEST_CLOCK = "POST /v1/test/clock" in ROUTES
NO_DISPUTES = "POST /v1/disputes is not served yet: no event can be made over the API"
NO_TEST_CLOCK = ("POST /v1/test/clock is not served yet: a retry is 24-30 s away "
                 "and this suite does not sleep that long")

# The test clock's start, for the classes that run on it.
T0 = "2025-09-30T09:00:00Z"
T0_UNIX = 1759222800


def verify_signature(secret, header, body):
    """The receiver's check, written from the README: returns t, or raises AssertionError."""
    parts = dict(p.split("=", 1) for p in header.split(","))
    assert set(parts) == {"t", "v1"}, header
    want = hmac.new(secret.encode(), parts["t"].encode() + b"." + body,
                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(want, parts["v1"]), "bad signature %s" % header
    return int(parts["t"])


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers from a per-path script."""

    def __init__(self, port=0):
        self.requests = []        # (path, headers, body bytes)
        self.scripts = {}         # path -> list of statuses, used up front to back; then 200
        self.cond = threading.Condition()
        recv = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                with recv.cond:
                    script = recv.scripts.get(self.path) or []
                    status = script.pop(0) if script else 200
                    recv.requests.append((self.path, self.headers, body))
                    recv.cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def script(self, path, statuses):
        with self.cond:
            self.scripts[path] = list(statuses)

    def on(self, path):
        with self.cond:
            return [r for r in self.requests if r[0] == path]

    def wait(self, path, count, timeout=10.0):
        """Wait until `path` has had `count` requests; returns them."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                got = [r for r in self.requests if r[0] == path]
                left = deadline - time.monotonic()
                if len(got) >= count or left <= 0:
                    return got
                self.cond.wait(left)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def db_rows(srv, query, *args):
    return srv.sql(query, args)


class WebhookEndpointTest(ServerTestCase, unittest.TestCase):
    """The default configuration: private destinations refused."""
    key_roles = {"agent": "agent_key"}

    def create(self, url="https://203.0.113.10/hooks/disputed", events=("dispute.created",)):
        return self.req("POST", "/v1/webhook_endpoints", {"url": url, "events": list(events)})

    def test_create_shows_the_secret_once_and_list_hides_it(self):
        r = self.create(events=["dispute.created", "dispute.decided", "dispute.created"])
        self.assertEqual(r.status, 201, r.body)
        ep = r.body
        self.assertEqual(ep["object"], "webhook_endpoint")
        self.assertRegex(ep["id"], r"^whe_[0-9a-f]{24}$")
        self.assertEqual(ep["url"], "https://203.0.113.10/hooks/disputed")
        self.assertEqual(ep["events"], ["dispute.created", "dispute.decided"])
        self.assertRegex(ep["secret"], r"^whsec_[A-Za-z0-9_-]{43}$")
        self.assertRegex(ep["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

        listed = self.req("GET", "/v1/webhook_endpoints?limit=100")
        self.assertEqual(listed.status, 200, listed.body)
        self.assertEqual(listed.body["object"], "list")
        mine = [x for x in listed.body["data"] if x["id"] == ep["id"]]
        self.assertEqual(len(mine), 1, listed.body)
        self.assertNotIn("secret", mine[0])
        self.assertNotIn(ep["secret"], json.dumps(listed.body))
        self.assertEqual(mine[0]["events"], ep["events"])

        gone = self.req("DELETE", "/v1/webhook_endpoints/" + ep["id"])
        self.assertEqual(gone.status, 200, gone.body)
        self.assertEqual(gone.body["id"], ep["id"])
        self.assertNotIn("secret", gone.body)
        self.assertIn("disabled_at", gone.body)
        listed = self.req("GET", "/v1/webhook_endpoints?limit=100")
        self.assertNotIn(ep["id"], [x["id"] for x in listed.body["data"]])
        self.assertError(self.req("DELETE", "/v1/webhook_endpoints/" + ep["id"]),
                         404, "invalid_request", "not_found")
        self.assertError(self.req("DELETE", "/v1/webhook_endpoints/whe_000000000000000000000000"),
                         404, "invalid_request", "not_found")

    def test_every_event_type_and_star_are_accepted(self):
        types = ["dispute.created", "dispute.updated", "dispute.deadline_approaching",
                 "dispute.decided", "dispute.resolved", "dispute.withdrawn", "dispute.external"]
        r = self.create(events=types)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.body["events"], types)
        r = self.create(events=["*"])
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.body["events"], ["*"])

    def test_malformed_urls_are_400_naming_url(self):
        for url in ["", "example.com/hook", "ftp://203.0.113.10/hook", "file:///etc/passwd",
                    "https://203.0.113.10/a b", "https://203.0.113.10/hook#frag",
                    "https://203.0.113.10:99999/", "javascript:alert(1)",
                    "https://no-such-host.invalid/hook", "https://203.0.113.10/" + "a" * 2100]:
            with self.subTest(url=url):
                r = self.create(url=url)
                self.assertEqual(r.status, 400, r.body)
                self.assertEqual(r.body["error"]["param"], "url", r.body)
                self.assertIn(r.body["error"]["code"],
                              ("invalid_url", "invalid_value", "too_long"), r.body)

    def test_private_destinations_are_refused_without_the_setting(self):
        for url in ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/hook",
                    "http://10.1.2.3/hook", "http://172.16.0.1/hook", "http://192.168.1.1/hook",
                    "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/hook",
                    "http://[fd00::1]/hook", "http://[fe80::1]/hook", "http://0.0.0.0/hook",
                    "http://[::ffff:127.0.0.1]/hook", "http://[::ffff:10.0.0.1]/hook",
                    "http://2130706433/hook", "http://224.0.0.1/hook"]:
            with self.subTest(url=url):
                self.assertError(self.create(url=url), 400, "invalid_request",
                                 "destination_not_allowed", "url")

    def test_events_are_checked(self):
        cases = [
            ({"url": "https://203.0.113.10/h"}, "required", "events"),
            ({"url": "https://203.0.113.10/h", "events": []}, "invalid_value", "events"),
            ({"url": "https://203.0.113.10/h", "events": "dispute.created"}, "invalid_type",
             "events"),
            ({"url": "https://203.0.113.10/h", "events": ["dispute.created", 7]},
             "invalid_type", "events[1]"),
            ({"url": "https://203.0.113.10/h", "events": ["dispute.nope"]}, "invalid_enum",
             "events[0]"),
            ({"url": "https://203.0.113.10/h", "events": ["Dispute.Created"]}, "invalid_enum",
             "events[0]"),
            ({"url": "https://203.0.113.10/h", "events": ["*"] * 33}, "too_long", "events"),
            ({"events": ["*"]}, "required", "url"),
            ({"url": 5, "events": ["*"]}, "invalid_type", "url"),
            ({"url": "https://203.0.113.10/h", "events": ["*"], "secret": "mine"},
             "unknown_parameter", "secret"),
        ]
        for body, code, param in cases:
            with self.subTest(body=body):
                r = self.req("POST", "/v1/webhook_endpoints", body)
                self.assertError(r, 400, "invalid_request", code, param)

    def test_only_the_platform_manages_endpoints(self):
        r = self.req("POST", "/v1/webhook_endpoints",
                     {"url": "https://203.0.113.10/h", "events": ["*"]}, token=self.agent_key)
        self.assertEqual(r.status, 403, r.body)
        self.assertEqual(self.req("GET", "/v1/webhook_endpoints", token=self.agent_key).status,
                         403)
        self.assertEqual(self.req("GET", "/v1/webhook_endpoints", token=None).status, 401)


class WebhookDeliveryTest(unittest.TestCase):
    """A server that allows private destinations (its receiver is on 127.0.0.1), on the test clock."""

    @classmethod
    def setUpClass(cls):
        cls.rx = Receiver()
        cls.srv = Server()
        try:
            cls.platform = cls.srv.key_create("platform", "e2e platform")
            args = ["--test-clock=" + T0] if HAS_TEST_CLOCK else []
            cls.srv.start(args=args, env={"DISPUTED_WEBHOOK_ALLOW_PRIVATE": "1"})
        except Exception:
            cls.srv.cleanup()
            cls.rx.close()
            raise
        cls.world = World(cls.srv, cls.platform)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()
        finally:
            cls.srv.cleanup()
            cls.rx.close()

    def req(self, method, path, body=None):
        return self.srv.request(method, path, body, token=self.platform)

    def endpoint(self, path, events):
        r = self.req("POST", "/v1/webhook_endpoints", {"url": self.rx.url(path), "events": events})
        self.assertEqual(r.status, 201, r.body)
        self.addCleanup(self.req, "DELETE", "/v1/webhook_endpoints/" + r.body["id"])
        return r.body

    def open_dispute(self):
        _, _, order = self.world.shop()
        return self.world.post("/v1/disputes", {
            "order": order["id"],
            "claim": {"type": "refund", "amount": {"amount": 1999, "currency": "CNY"}},
            "reason": "not_received",
            "description": "the parcel never came",
        })

    def events_for(self, path, dispute_id, type_=None):
        """Requests on `path` whose event is about `dispute_id` (and of `type_`)."""
        out = []
        for p, headers, body in self.rx.on(path):
            ev = json.loads(body)
            if ev["data"]["object"].get("id") == dispute_id and (type_ is None or
                                                                 ev["type"] == type_):
                out.append((headers, body, ev))
        return out

    def wait_event(self, path, dispute_id, type_, count=1, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            got = self.events_for(path, dispute_id, type_)
            if len(got) >= count or time.monotonic() > deadline:
                return got
            self.rx.wait(path, len(self.rx.on(path)) + 1, timeout=0.2)

    def test_private_destination_allowed_by_the_setting(self):
        ep = self.endpoint("/allowed", ["*"])
        self.assertEqual(ep["url"], self.rx.url("/allowed"))

    @unittest.skipUnless(HAS_DISPUTES, NO_DISPUTES)
    def test_delivered_event_is_signed_with_the_returned_secret(self):
        ep = self.endpoint("/signed", ["dispute.created"])
        d = self.open_dispute()
        got = self.wait_event("/signed", d["id"], "dispute.created")
        self.assertEqual(len(got), 1, self.rx.on("/signed"))
        headers, body, ev = got[0]
        t = verify_signature(ep["secret"], headers["Disputed-Signature"], body)
        if HAS_TEST_CLOCK:
            self.assertGreaterEqual(t, T0_UNIX)
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertEqual(headers["Disputed-Event-Id"], ev["id"])
        self.assertRegex(ev["id"], r"^evt_[0-9a-f]{24}$")
        self.assertEqual(ev["object"], "event")
        self.assertEqual(ev["type"], "dispute.created")
        self.assertEqual(ev["data"]["object"]["object"], "dispute")
        self.assertEqual(ev["data"]["object"]["id"], d["id"])
        self.assertEqual(ev["data"]["object"]["state"], d["state"])
        self.assertEqual(set(ev), {"id", "object", "type", "created_at", "data"})
        # a signature under another secret, or over other bytes, does not verify
        with self.assertRaises(AssertionError):
            verify_signature(ep["secret"] + "x", headers["Disputed-Signature"], body)
        with self.assertRaises(AssertionError):
            verify_signature(ep["secret"], headers["Disputed-Signature"], body + b" ")
        # the delivery is recorded once the endpoint has answered: a moment after it received
        deadline = time.monotonic() + 5
        while True:
            rows = db_rows(self.srv, "SELECT attempts, last_status, delivered_at IS NOT NULL "
                           "FROM deliveries WHERE endpoint_id = ? AND event_id = ?",
                           ep["id"], ev["id"])
            if rows == [(1, 200, 1)] or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(rows, [(1, 200, 1)])

    @unittest.skipUnless(HAS_DISPUTES, NO_DISPUTES)
    def test_unsubscribed_types_are_not_delivered(self):
        wanted = self.endpoint("/created-only", ["dispute.created"])
        other = self.endpoint("/decided-only", ["dispute.decided"])
        d = self.open_dispute()
        self.assertEqual(len(self.wait_event("/created-only", d["id"], "dispute.created")), 1)
        time.sleep(0.3)
        self.assertEqual(self.events_for("/decided-only", d["id"]), [])
        # nothing was even queued for it
        evt = db_rows(self.srv, "SELECT d.event_id FROM deliveries d WHERE d.endpoint_id = ?",
                      wanted["id"])
        self.assertTrue(evt)
        self.assertEqual(db_rows(self.srv, "SELECT count(*) FROM deliveries WHERE endpoint_id = ?",
                                 other["id"]), [(0,)])

    @unittest.skipUnless(HAS_DISPUTES, NO_DISPUTES)
    @unittest.skipUnless(HAS_TEST_CLOCK, NO_TEST_CLOCK)
    def test_a_failing_receiver_is_retried_with_backoff_then_succeeds(self):
        self.rx.script("/flaky", [500])
        ep = self.endpoint("/flaky", ["dispute.created"])
        d = self.open_dispute()
        first = self.wait_event("/flaky", d["id"], "dispute.created")
        self.assertEqual(len(first), 1)
        evt = first[0][2]["id"]
        deadline = time.monotonic() + 5
        rows = []
        while time.monotonic() < deadline:
            rows = db_rows(self.srv, "SELECT attempts, last_status, next_at, delivered_at "
                           "FROM deliveries WHERE endpoint_id = ? AND event_id = ?",
                           ep["id"], evt)
            if rows and rows[0][0] == 1:
                break
            time.sleep(0.05)
        attempts, status, next_at, delivered = rows[0]
        self.assertEqual((attempts, status, delivered), (1, 500, None))
        now = self.req("POST", "/v1/test/clock", {"advance_seconds": 0}).body["now"]
        # the first retry waits 30 s less up to a fifth for jitter
        now_ms = self.clock_ms(now)
        self.assertGreaterEqual(next_at - now_ms, 24000 - 1000)
        self.assertLessEqual(next_at - now_ms, 30000)

        # the clock has not moved: no second attempt however long we wait
        time.sleep(0.5)
        self.assertEqual(len(self.events_for("/flaky", d["id"])), 1)
        r = self.req("POST", "/v1/test/clock", {"advance_seconds": 31})
        self.assertEqual(r.status, 200, r.body)
        second = self.wait_event("/flaky", d["id"], "dispute.created", count=2)
        self.assertEqual(len(second), 2)
        headers, body, ev = second[1]
        self.assertEqual(ev["id"], evt)                    # the same event, resent
        self.assertEqual(body, first[0][1])                # byte for byte
        t1 = verify_signature(ep["secret"], first[0][0]["Disputed-Signature"], first[0][1])
        t2 = verify_signature(ep["secret"], headers["Disputed-Signature"], body)
        self.assertGreaterEqual(t2 - t1, 24)               # signed when sent
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            rows = db_rows(self.srv, "SELECT attempts, last_status, delivered_at IS NOT NULL "
                           "FROM deliveries WHERE endpoint_id = ? AND event_id = ?",
                           ep["id"], evt)
            if rows[0][2]:
                break
            time.sleep(0.05)
        self.assertEqual(rows, [(2, 200, 1)])

    @staticmethod
    def clock_ms(text):
        from datetime import datetime
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


@unittest.skipUnless(HAS_DISPUTES, NO_DISPUTES)
@unittest.skipUnless(HAS_TEST_CLOCK, NO_TEST_CLOCK)
class WebhookRestartTest(unittest.TestCase):
    """The deliveries table is the queue: what failed before a restart is sent after it."""

    def test_pending_delivery_survives_a_restart(self):
        port = free_port()      # nobody listens here yet: the first attempt is refused
        srv = Server()
        rx = None
        try:
            platform = srv.key_create("platform", "e2e platform")
            env = {"DISPUTED_WEBHOOK_ALLOW_PRIVATE": "1"}
            srv.start(args=["--test-clock=" + T0], env=env)
            r = srv.request("POST", "/v1/webhook_endpoints",
                            {"url": "http://127.0.0.1:%d/later" % port, "events": ["*"]},
                            token=platform)
            self.assertEqual(r.status, 201, r.body)
            secret = r.body["secret"]
            _, _, order = World(srv, platform).shop()
            d = World(srv, platform).post("/v1/disputes", {
                "order": order["id"], "reason": "not_received",
                "claim": {"type": "refund", "amount": {"amount": 100, "currency": "CNY"}}})
            deadline = time.monotonic() + 10
            rows = []
            while time.monotonic() < deadline:
                rows = db_rows(srv, "SELECT attempts, last_error FROM deliveries")
                if rows and all(a >= 1 for a, _ in rows):
                    break
                time.sleep(0.05)
            self.assertTrue(rows and all(a == 1 and e for a, e in rows), rows)
            srv.stop()

            rx = Receiver(port)
            # a clock an hour on: every retry is due
            srv.start(args=["--test-clock=2025-09-30T10:00:00Z"], env=env)
            got = rx.wait("/later", len(rows), timeout=10)
            self.assertEqual(len(got), len(rows))
            ids = set()
            for _, headers, body in got:
                verify_signature(secret, headers["Disputed-Signature"], body)
                ev = json.loads(body)
                ids.add(ev["id"])
                self.assertEqual(ev["data"]["object"]["id"], d["id"])
            self.assertEqual(len(ids), len(rows))
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                done = db_rows(srv, "SELECT count(*) FROM deliveries WHERE delivered_at IS NULL")
                if done == [(0,)]:
                    break
                time.sleep(0.05)
            self.assertEqual(done, [(0,)])
            srv.stop()
        finally:
            srv.cleanup()
            if rx:
                rx.close()


class ReadmeWebhookExampleTest(unittest.TestCase):
    """The README's signature check runs as written and agrees with Python's hmac."""

    @unittest.skipUnless(shutil.which("openssl"), "openssl is not installed")
    def test_readme_openssl_example_verifies(self):
        with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
            text = f.read()
        section = text.split("\n## Webhooks\n", 1)[1].split("\n## ", 1)[0]
        blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
        self.assertEqual(len(blocks), 1, section)
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run(["bash", "-c", "set -euo pipefail\n" + blocks[0]], cwd=d,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, "signature ok\n")
            with open(os.path.join(d, "body.json"), "rb") as f:
                body = f.read()
        secret = re.search(r"secret='([^']+)'", blocks[0]).group(1)
        header = re.search(r"header='([^']+)'", blocks[0]).group(1)
        self.assertEqual(verify_signature(secret, header, body), T0_UNIX)


if __name__ == "__main__":
    unittest.main()
