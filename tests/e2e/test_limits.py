"""test_limits.py - access and limits: bounded metrics under junk methods and paths, connection limits and idle timeouts, JSON errors for protocol-level faults."""
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


def _connect(port, source="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def _closed_by_peer(s, wait):
    """True if the server closed `s` (EOF or reset) within `wait` seconds; reads nothing else."""
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def _get(s, path="/healthz", wait=2.0):
    """Send GET `path` on socket `s`; the status code, or None if no reply came in `wait` s."""
    s.settimeout(wait)
    try:
        s.sendall(("GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % path).encode())
        data = s.recv(65536)
    except (socket.timeout, ConnectionError):
        return None
    if not data:
        return None
    return int(data.split(b" ", 2)[1])


class LimitedServer:
    """Mixin: a server of its own started with the settings in `env`."""
    env = {}

    @classmethod
    def setUpClass(cls):
        cls.srv = Server()
        try:
            cls.srv.start(env=cls.env)
        except Exception:
            cls.srv.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()
        finally:
            cls.srv.cleanup()


class PerAddressLimitAndIdleTimeout(LimitedServer, unittest.TestCase):
    env = {"DISPUTED_MAX_CONNECTIONS_PER_IP": "4", "DISPUTED_MAX_CONNECTIONS": "40",
           "DISPUTED_IDLE_TIMEOUT_SECONDS": "2"}

    def test_one_address_gets_its_limit_and_healthz_still_answers_others(self):
        socks = [_connect(self.srv.port, "127.0.0.2") for _ in range(10)]
        try:
            time.sleep(0.3)
            # the server closes the ones past the limit at once, long before the idle timeout
            closed = [s for s in socks if _closed_by_peer(s, 0.2)]
            self.assertEqual(len(closed), 6)
            t0 = time.monotonic()
            r = self.srv.request("GET", "/healthz", timeout=2)
            self.assertEqual(r.status, 200)
            self.assertLess(time.monotonic() - t0, 1.0)
            # the ones kept are served
            kept = [s for s in socks if s not in closed]
            self.assertEqual([_get(s) for s in kept], [200] * 4)
        finally:
            for s in socks:
                s.close()

    def test_idle_and_half_sent_and_half_closed_connections_are_closed_quickly(self):
        idle = _connect(self.srv.port)
        partial = _connect(self.srv.port)
        partial.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")   # headers never finished
        half = _connect(self.srv.port)
        half.sendall(b"GET /heal")
        half.shutdown(socket.SHUT_WR)
        t0 = time.monotonic()
        try:
            self.assertTrue(_closed_by_peer(half, 4.0), "half-closed connection kept open")
            for name, s in (("idle", idle), ("partial", partial)):
                left = 4.5 - (time.monotonic() - t0)
                self.assertTrue(_closed_by_peer(s, max(left, 0.01)),
                                "%s connection still open after %.1f s" % (name, time.monotonic() - t0))
            elapsed = time.monotonic() - t0
            # not before the 2 s timeout: it is a timeout, not a refusal
            self.assertGreater(elapsed, 1.5)
        finally:
            for s in (idle, partial, half):
                s.close()
        self.assertEqual(self.srv.request("GET", "/healthz").status, 200)


class TotalConnectionLimit(LimitedServer, unittest.TestCase):
    env = {"DISPUTED_MAX_CONNECTIONS_PER_IP": "4", "DISPUTED_MAX_CONNECTIONS": "8",
           "DISPUTED_THREADS": "2", "DISPUTED_IDLE_TIMEOUT_SECONDS": "60"}

    def test_the_total_limit_holds_across_addresses(self):
        socks = [_connect(self.srv.port, "127.0.0.%d" % (2 + i // 4)) for i in range(8)]
        extra = None
        try:
            self.assertEqual([_get(s) for s in socks], [200] * 8)
            # a ninth, from an address with no connections yet, is not served...
            extra = _connect(self.srv.port, "127.0.0.9")
            self.assertIsNone(_get(extra, wait=1.0))
            # ...until one of the eight goes away
            socks.pop().close()
            extra.settimeout(2.0)
            reply = extra.recv(65536)
            self.assertTrue(reply.startswith(b"HTTP/1.1 200 "), reply[:100])
        finally:
            for s in socks:
                s.close()
            if extra:
                extra.close()

    def test_fewer_connections_than_threads_is_refused_at_start(self):
        srv = Server()
        try:
            with self.assertRaises(RuntimeError) as cm:
                srv.start(env={"DISPUTED_THREADS": "4", "DISPUTED_MAX_CONNECTIONS": "3"})
            self.assertIn("max_connections", str(cm.exception))
        finally:
            srv.cleanup()


def _raw(port, data, wait=5.0):
    """Send `data` on a fresh connection, read until the server closes it or `wait` passes.

    Returns (status or None, {lower-case header: value}, body bytes, closed by server).
    """
    s = _connect(port)
    s.settimeout(wait)
    chunks, closed = [], False
    try:
        try:
            s.sendall(data)
        except ConnectionError:
            pass   # the server may answer and close before taking it all
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                c = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not c:
                closed = True
                break
            chunks.append(c)
    finally:
        s.close()
    reply = b"".join(chunks)
    if not reply:
        return None, {}, b"", closed
    head, _, body = reply.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return int(lines[0].split(" ", 2)[1]), headers, body, closed


class RequestHeadErrorsAreJson(ServerTestCase, unittest.TestCase):

    def assertJsonError(self, got, status, code, param):
        st, headers, body, closed = got
        self.assertEqual(st, status, body[:300])
        self.assertEqual(headers.get("content-type"), "application/json", headers)
        err = json.loads(body.decode("utf-8"))["error"]
        self.assertEqual(err["type"], "invalid_request", err)
        self.assertEqual(err["code"], code, err)
        self.assertEqual(err["param"], param, err)
        self.assertTrue(err["message"], err)
        return err

    def test_a_10_kb_uri_is_414_json(self):
        got = _raw(self.srv.port, b"GET /v1/rules?q=" + b"a" * 10240 + b" HTTP/1.1\r\nHost: t\r\n\r\n")
        self.assertJsonError(got, 414, "uri_too_long", "path")
        got = _raw(self.srv.port, b"GET /" + b"b" * 10240 + b" HTTP/1.1\r\nHost: t\r\n\r\n")
        self.assertJsonError(got, 414, "uri_too_long", "path")
        # a path too long to hold, though under the target's cap
        got = _raw(self.srv.port, b"GET /v1/merchants/" + b"c" * 2000 + b" HTTP/1.1\r\nHost: t\r\n\r\n")
        self.assertJsonError(got, 414, "uri_too_long", "path")

    def test_100_kb_of_headers_is_431_json_naming_the_largest(self):
        pad = b"".join(b"X-Pad-%03d: %s\r\n" % (i, b"p" * 980) for i in range(100))
        big = b"X-Big: " + b"q" * 2000 + b"\r\n"
        got = _raw(self.srv.port, b"GET /healthz HTTP/1.1\r\nHost: t\r\n" + pad + big + b"\r\n")
        self.assertJsonError(got, 431, "header_too_large", "X-Big")
        # one field of 100 KB
        got = _raw(self.srv.port, b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-One: " + b"o" * 102400
                   + b"\r\n\r\n")
        self.assertJsonError(got, 431, "header_too_large", "X-One")

    def test_http_1_1_without_host_is_400_json(self):
        got = _raw(self.srv.port, b"GET /healthz HTTP/1.1\r\n\r\n")
        self.assertJsonError(got, 400, "missing_header", "Host")
        # HTTP/1.0 has no Host requirement
        st, _, body, _ = _raw(self.srv.port, b"GET /healthz HTTP/1.0\r\n\r\n")
        self.assertEqual(st, 200, body)

    def test_chunked_bodies_good_or_bad_are_411_json_and_read_no_further(self):
        before = self.srv.counts()
        head = (b"POST /v1/merchants HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
                + self.platform.encode() + b"\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        for body in (b"zz\r\n{}\r\n0\r\n\r\n",                         # not a chunk size
                     b"5\r\n{}\r\n0\r\n\r\n",                           # size and data disagree
                     b"fffffffffffffffffffff\r\n",                          # size overflows
                     b"2\r\n{}\r\n0\r\n\r\n"):                          # well formed
            with self.subTest(body=body):
                got = _raw(self.srv.port, head + body)
                self.assertJsonError(got, 411, "length_required", "Transfer-Encoding")
                self.assertTrue(got[3], "connection left open after refusing the body")
        self.assertEqual(self.srv.counts(), before)

    def test_heads_the_library_refuses_are_refused_and_closed(self):
        """libmicrohttpd 0.9.75 answers these itself before the server sees them (its
        replies are HTML, a known limit): they must stay refusals that close."""
        for data, statuses in (
                (b"GET /healthz HTTP/3.0\r\nHost: t\r\n\r\n", {505}),
                (b"GET /healthz HTTX/1.1\r\nHost: t\r\n\r\n", {400}),
                (b"NONSENSE\r\n\r\n", {None}),             # closed without a reply
                (b"POST /v1/merchants HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n{}", {400}),
                (b"POST /v1/merchants HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n",
                 {413})):
            with self.subTest(data=data[:60]):
                st, _, _, closed = _raw(self.srv.port, data)
                self.assertIn(st, statuses)
                self.assertTrue(closed)
        self.assertEqual(self.srv.request("GET", "/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()
