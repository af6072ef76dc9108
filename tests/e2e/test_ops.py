"""test_ops.py - running disputed: health, metrics, request ids, graceful stop, durability across kill -9, and configuration."""
import json
import os
import re
import shutil
import signal
import socket
import tempfile
import time
import unittest

from harness import (BACKEND, Server, ServerTestCase, free_port, merchant_body, message_body,
                     run_cli)

# label values may contain braces ("/v1/orders/{id}"): match quoted strings whole
LABELS = r'\{((?:[^"}]|"[^"]*")*)\}'
COUNTER = re.compile(r'^disputed_http_requests_total' + LABELS + r' (\d+)$', re.M)


def gauge(text, name):
    """The value of an unlabelled series `name`, or None when it is absent."""
    m = re.search(r'^%s (\d+)$' % re.escape(name), text, re.M)
    return int(m.group(1)) if m else None


def counter(text, route, method, status):
    want = 'route="%s",method="%s",status="%s"' % (route, method, status)
    for labels, value in COUNTER.findall(text):
        if labels == want:
            return int(value)
    return 0


class OpsTest(ServerTestCase, unittest.TestCase):

    def metrics(self):
        r = self.req("GET", "/metrics", token=None)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers.get("Content-Type", "").startswith("text/plain"))
        return r.body.decode()

    def test_healthz_is_200_ok_without_credentials(self):
        r = self.req("GET", "/healthz", token=None)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["status"], "ok")
        self.assertIsInstance(r.body["schema_version"], int)
        self.assertGreaterEqual(r.body["schema_version"], 1)

    def test_metrics_count_requests_by_route_method_and_status(self):
        self.assertEqual(self.req("GET", "/v1/merchants").status, 200)
        self.assertEqual(self.req("GET", "/v1/merchants", token=None).status, 401)
        text = self.metrics()
        ok = counter(text, "/v1/merchants", "GET", 200)
        unauth = counter(text, "/v1/merchants", "GET", 401)
        self.assertGreaterEqual(ok, 1, text)
        self.assertGreaterEqual(unauth, 1, text)
        self.assertEqual(self.req("GET", "/v1/merchants").status, 200)
        self.assertEqual(counter(self.metrics(), "/v1/merchants", "GET", 200), ok + 1)
        # the route label is the pattern, not the path with its id
        self.req("GET", "/v1/merchants/mer_000000000000000000000000")
        text = self.metrics()
        self.assertGreaterEqual(counter(text, "/v1/merchants/{id}", "GET", 404), 1, text)
        self.assertNotIn("mer_000000000000000000000000", text)

    def test_metrics_have_a_latency_histogram(self):
        self.req("GET", "/v1/merchants")
        text = self.metrics()
        self.assertIn("# TYPE disputed_http_request_duration_seconds histogram", text)
        buckets = re.findall(r'^disputed_http_request_duration_seconds_bucket\{[^}]*'
                             r'route="/v1/merchants",method="GET"[^}]*le="([^"]+)"\} (\d+)$',
                             text, re.M)
        self.assertTrue(buckets, text)
        self.assertIn("+Inf", [le for le, _ in buckets])
        self.assertRegex(text, r'(?m)^disputed_http_request_duration_seconds_count\{'
                               r'[^}]*route="/v1/merchants"[^}]*\} \d+$')
        self.assertRegex(text, r'(?m)^disputed_http_request_duration_seconds_sum\{'
                               r'[^}]*route="/v1/merchants"[^}]*\} [0-9.e+-]+$')

    def test_metrics_count_the_pipelines_batches_and_writes(self):
        _, _, order = self.world.shop()
        before = self.metrics()
        for _ in range(3):
            self.world.post("/v1/orders/%s/messages" % order["id"], message_body())
        after = self.metrics()
        jobs = gauge(after, "disputed_pipeline_jobs_total") - gauge(before, "disputed_pipeline_jobs_total")
        batches = (gauge(after, "disputed_pipeline_batches_total")
                   - gauge(before, "disputed_pipeline_batches_total"))
        # one after the other: each write its own batch (the server's own timers may add some)
        self.assertGreaterEqual(jobs, 3, after)
        self.assertGreaterEqual(batches, 3, after)
        self.assertLessEqual(batches, jobs, after)
        if BACKEND == "postgres":
            # a store other nodes may share: this node's sequencer says what it appended
            self.assertEqual(gauge(after, "disputed_sequencer_leading"), 1, after)
            self.assertGreaterEqual(gauge(after, "disputed_sequencer_sealed_total")
                                    - gauge(before, "disputed_sequencer_sealed_total"), 3, after)
            self.assertGreaterEqual(gauge(after, "disputed_sequencer_appends_total"), 1, after)
        else:
            self.assertIsNone(gauge(after, "disputed_sequencer_leading"), after)

    def test_every_response_carries_a_distinct_request_id(self):
        ids = []
        for method, path, token, body in (
                ("GET", "/healthz", None, None), ("GET", "/metrics", None, None),
                ("GET", "/v1/merchants", "platform", None), ("GET", "/v1/merchants", None, None),
                ("GET", "/v1/nowhere", "platform", None), ("PUT", "/v1/merchants", "platform", None),
                ("POST", "/v1/merchants", "platform", merchant_body()),
                ("POST", "/v1/merchants", "platform", {"kind": "?"})):
            with self.subTest(method=method, path=path):
                r = self.req(method, path, body, token=token)
                rid = r.headers.get("Request-Id")
                self.assertTrue(rid, "%s %s -> %d without Request-Id" % (method, path, r.status))
                ids.append(rid)
        r = self.req("POST", "/v1/merchants", raw=b"x" * (2 << 20),
                     headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 413)
        self.assertTrue(r.headers.get("Request-Id"), "413 without Request-Id")
        ids.append(r.headers.get("Request-Id"))
        self.assertEqual(len(ids), len(set(ids)))
        def logged(logs):
            return {rec.get("request_id") for rec in logs if rec.get("msg") == "request"}
        logs = self.srv.wait_for_logs(lambda logs: set(ids) <= logged(logs))
        self.assertTrue(set(ids) <= logged(logs), "request ids missing from the request log")


class ProcessTest(unittest.TestCase):
    """Each test runs its own server processes."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="disputed-ops-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.srv = Server(data_dir=os.path.join(self.tmp, "data"))
        self.addCleanup(self.srv.kill)
        self.platform = self.srv.key_create("platform", "ops")

    def healthy(self):
        r = self.srv.request("GET", "/healthz")
        return r.status == 200 and r.body["status"] == "ok"

    def test_sigterm_stops_gracefully_with_exit_0_and_a_stopped_line(self):
        self.srv.start()
        self.assertTrue(self.healthy())
        self.srv.stop()   # asserts exit status 0 within 10 s
        msgs = [rec.get("msg") for rec in self.srv.log_messages()]
        self.assertIn("stopped", msgs)
        self.assertLess(msgs.index("listening"), msgs.index("stopped"))

    def test_sigterm_lets_a_request_in_flight_finish_and_does_not_wait_for_idle_ones(self):
        self.srv.start()
        body = json.dumps(merchant_body()).encode()
        idle = socket.create_connection(("127.0.0.1", self.srv.port))
        self.addCleanup(idle.close)
        conn = socket.create_connection(("127.0.0.1", self.srv.port))
        self.addCleanup(conn.close)
        conn.sendall(b"POST /v1/merchants HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer "
                     + self.platform.encode() + b"\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body) + body[:20])
        time.sleep(0.3)   # the server has the headers and part of the body
        t0 = time.monotonic()
        self.srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        conn.sendall(body[20:])
        conn.settimeout(5)
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
        self.assertTrue(reply.startswith(b"HTTP/1.1 201"), reply[:200])
        self.srv.stop()
        self.assertLess(time.monotonic() - t0, 4.0, "stop waited for an idle connection")
        self.assertEqual(self.srv.counts()["merchants"], 1)

    def test_acknowledged_data_survives_kill_9(self):
        self.srv.start()
        body = merchant_body()
        r = self.srv.request("POST", "/v1/merchants", body, token=self.platform)
        self.assertEqual(r.status, 201, r.body)
        self.srv.kill()
        self.srv.start()
        got = self.srv.request("GET", "/v1/merchants/" + r.body["id"], token=self.platform)
        self.assertEqual(got.status, 200, got.body)
        self.assertEqual(got.body, r.body)
        self.srv.stop()

    def test_disputed_listen_env_is_used_when_listen_is_absent(self):
        port = free_port()
        self.srv.start(listen=None, env={"DISPUTED_LISTEN": "127.0.0.1:%d" % port})
        self.assertEqual(self.srv.port, port)
        self.assertTrue(self.healthy())
        self.srv.stop()

    def test_listen_flag_overrides_the_environment(self):
        port = free_port()
        self.srv.start(listen="127.0.0.1:0", env={"DISPUTED_LISTEN": "127.0.0.1:%d" % port})
        self.assertNotEqual(self.srv.port, port)
        self.assertTrue(self.healthy())
        self.srv.stop()

    def test_config_file_server_listen_is_used(self):
        port = free_port()
        conf = os.path.join(self.tmp, "disputed.conf")
        with open(conf, "w") as f:
            f.write("# test config\n[server]\nlisten=127.0.0.1:%d\n" % port)
        self.srv.start(listen=None, args=["--config", conf])
        self.assertEqual(self.srv.port, port)
        self.assertTrue(self.healthy())
        self.srv.stop()

    def test_config_file_body_limit_takes_effect(self):
        conf = os.path.join(self.tmp, "disputed.conf")
        with open(conf, "w") as f:
            f.write("[server]\nmax_body_bytes=2048\n")
        self.srv.start(args=["--config", conf])
        r = self.srv.request("POST", "/v1/merchants", merchant_body(legal_name="x" * 190,
                                                                    registered_address="y" * 3000),
                             token=self.platform)
        self.assertEqual(r.status, 413, r.body)
        self.assertEqual(r.body["error"]["code"], "body_too_large")
        r = self.srv.request("POST", "/v1/merchants", merchant_body(), token=self.platform)
        self.assertEqual(r.status, 201, r.body)
        self.srv.stop()

    def test_unknown_config_key_makes_serve_exit_non_zero_naming_it(self):
        conf = os.path.join(self.tmp, "disputed.conf")
        with open(conf, "w") as f:
            f.write("[server]\nlisten=127.0.0.1:0\nlisten_backlog=64\n")
        r = run_cli("serve", "--data", self.srv.data_dir, "--config", conf, timeout=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("listen_backlog", r.stderr.decode())

    def test_missing_config_file_makes_serve_exit_non_zero(self):
        conf = os.path.join(self.tmp, "absent.conf")
        r = run_cli("serve", "--data", self.srv.data_dir, "--config", conf, timeout=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("absent.conf", r.stderr.decode())

    def test_serve_on_a_directory_without_a_database_fails(self):
        r = run_cli("serve", "--data", os.path.join(self.tmp, "nothing"), "--listen",
                    "127.0.0.1:0", timeout=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertTrue(r.stderr)

    def test_port_in_use_makes_serve_exit_non_zero(self):
        self.srv.start()
        other = os.path.join(self.tmp, "other")
        self.assertEqual(run_cli("init", "--data", other).returncode, 0)
        r = run_cli("serve", "--data", other, "--listen",
                    "127.0.0.1:%d" % self.srv.port, timeout=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(str(self.srv.port), r.stderr.decode())
        self.srv.stop()

    def test_second_server_on_the_same_data_dir_is_refused(self):
        if BACKEND == "postgres":
            self.skipTest("on PostgreSQL several nodes share one data directory (test_nodes)")
        self.srv.start()
        r = run_cli("serve", "--data", self.srv.data_dir, "--listen", "127.0.0.1:0", timeout=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("evidence log", r.stderr.decode())
        self.srv.stop()


if __name__ == "__main__":
    unittest.main()
