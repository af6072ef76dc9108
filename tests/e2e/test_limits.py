"""test_limits.py - access and limits: bounded metrics under junk methods and paths."""
import http.client
import json
import random
import re
import socket
import string
import time
import unittest

from harness import ServerTestCase, Server

# token characters (RFC 9110 tchar) a client may put in a method
_TCHAR = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"


def _random_method(rng):
    return "".join(rng.choice(_TCHAR) for _ in range(rng.randint(1, 24)))


def _random_path(rng):
    parts = []
    for _ in range(rng.randint(1, 4)):
        seg = "".join(rng.choice(string.ascii_lowercase + string.digits + "_-.")
                      for _ in range(rng.randint(1, 16)))
        if rng.random() < 0.2:
            seg += "%%%02X" % rng.randint(0x80, 0xFF)   # a byte that is not UTF-8 alone
        parts.append(seg)
    return "/" + "/".join(parts)


def _series(metrics_text):
    """Names with labels of every sample line of a Prometheus text page."""
    return [line.rsplit(" ", 1)[0] for line in metrics_text.splitlines()
            if line and not line.startswith("#")]


class MetricsStayBounded(ServerTestCase, unittest.TestCase):

    def test_random_methods_and_paths_leave_metrics_small_and_every_reply_json(self):
        rng = random.Random(7)
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=10)
        statuses = {}
        try:
            for i in range(3000):
                method = _random_method(rng) if i % 3 else rng.choice(["GET", "POST", "DELETE"])
                path = _random_path(rng)
                conn.request(method, path)
                resp = conn.getresponse()
                body = resp.read()
                self.assertTrue(resp.headers.get("Content-Type", "").startswith("application/json"),
                                (method, path, resp.status, body[:200]))
                err = json.loads(body.decode("utf-8"))["error"]
                self.assertIsInstance(err["message"], str)
                if resp.status == 405:
                    self.assertEqual(err["code"], "method_not_allowed")
                    self.assertEqual(err["param"], "method")
                statuses[resp.status] = statuses.get(resp.status, 0) + 1
                if resp.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=10)
        finally:
            conn.close()
        # random tokens are (almost all) not methods the server serves
        self.assertGreater(statuses.get(405, 0), 1500, statuses)
        r = self.srv.request("GET", "/metrics")
        self.assertEqual(r.status, 200)
        text = r.body.decode()
        self.assertLess(len(text), 64 * 1024, "metrics page grew to %d bytes" % len(text))
        counts = [s for s in _series(text) if s.startswith("disputed_http_requests_total{")]
        self.assertLessEqual(len(counts), 12, counts)
        methods = set(re.findall(r'method="([^"]*)"', text))
        self.assertLessEqual(methods, {"GET", "POST", "DELETE", "OTHER"}, methods)
        routes = set(re.findall(r'route="([^"]*)"', text))
        self.assertLessEqual(routes, {"unmatched", "/metrics"}, routes)
        # the junk was still counted, under the bounded labels
        other = [line for line in text.splitlines()
                 if line.startswith('disputed_http_requests_total{route="unmatched",method="OTHER",status="405"}')]
        self.assertEqual(len(other), 1, text)
        self.assertGreater(int(other[0].rsplit(" ", 1)[1]), 1500)

    def test_unknown_method_is_405_json_with_allow_on_a_known_path(self):
        r = self.srv.request("BREW", "/healthz")
        self.assertError(r, 405, "invalid_request", "method_not_allowed", "method")
        self.assertEqual(r.headers.get("Allow"), "GET")
        r = self.srv.request("BREW", "/no/such/place")
        self.assertError(r, 405, "invalid_request", "method_not_allowed", "method")
        self.assertIsNone(r.headers.get("Allow"))


if __name__ == "__main__":
    unittest.main()
