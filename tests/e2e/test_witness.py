"""test_witness.py - `disputed witness`: a C2SP tlog-witness over HTTP, fed checkpoints signed with a real log key.

Checkpoints, consistency proofs and add-checkpoint bodies for synthetic trees (leaf i is
"<prefix><i>") come from the test tool build/tools/ckpt_tool ($CKPT_TOOL), which also
checks cosignatures; the log keys come from `disputed init`.
"""
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from harness import BIN, START_TIMEOUT, STOP_TIMEOUT, run_cli

TOOL = os.path.abspath(os.environ.get("CKPT_TOOL")
                       or os.path.join(os.path.dirname(BIN), "tools", "ckpt_tool"))
ORIGIN = "shop.example/disputed"
WITNESS_NAME = "witness.court.example"
EM_DASH = "\u2014".encode()


def tool(*args):
    """Run ckpt_tool; its stdout as bytes."""
    r = subprocess.run([TOOL] + [str(a) for a in args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("ckpt_tool %s failed: %s" % (args, r.stderr.decode()))
    return r.stdout


def make_log(root, name, origin):
    """A log data dir made by `disputed init`: (its signer key file, its verifier key)."""
    d = os.path.join(root, name)
    r = run_cli("init", "--data", d, "--origin", origin)
    if r.returncode != 0:
        raise RuntimeError("disputed init failed: %s" % r.stderr.decode())
    r = run_cli("log", "vkey", "--data", d)
    if r.returncode != 0:
        raise RuntimeError("disputed log vkey failed: %s" % r.stderr.decode())
    return os.path.join(d, "keys", "log.skey"), r.stdout.decode().strip()


class Witness:
    """A witness directory and a `disputed witness serve` process on it."""

    def __init__(self, root, logs):
        self.data = os.path.join(root, "witness")
        self.logs = logs
        r = run_cli("witness", "init", "--data", self.data, "--name", WITNESS_NAME)
        if r.returncode != 0:
            raise RuntimeError("disputed witness init failed: %s" % r.stderr.decode())
        self.vkey = r.stdout.decode().strip()
        self.proc = None
        self.port = None
        self.records = []
        self._lock = threading.Lock()
        self._listening = threading.Event()

    def start(self):
        cmd = [BIN, "witness", "serve", "--data", self.data, "--listen", "127.0.0.1:0"]
        for vkey in self.logs:
            cmd += ["--log", vkey]
        env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTED_")}
        self._listening.clear()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=env)
        self._reader = threading.Thread(target=self._drain, args=(self.proc,), daemon=True)
        self._reader.start()
        if not self._listening.wait(START_TIMEOUT):
            self.proc.kill()
            raise RuntimeError("disputed witness serve did not start: %r" % self.records)
        return self

    def _drain(self, proc):
        for raw in proc.stderr:
            try:
                rec = json.loads(raw.decode("utf-8", "replace"))
            except ValueError:
                continue
            with self._lock:
                self.records.append(rec)
            if rec.get("msg") == "listening":
                self.port = int(rec["port"])
                self._listening.set()

    def stop(self):
        """SIGTERM; returns the exit status."""
        proc, self.proc = self.proc, None
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(STOP_TIMEOUT)
        self._reader.join(5)
        return rc

    def kill(self):
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.kill()
            proc.wait()
            self._reader.join(5)

    def logs_with(self, msg):
        with self._lock:
            return [r for r in self.records if r.get("msg") == msg]

    def post(self, body, path="/add-checkpoint", method="POST"):
        """(status, headers, body bytes) of one request on a fresh connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body)
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()


@unittest.skipUnless(os.access(TOOL, os.X_OK),
                     "no %s: run `make e2e`, which builds it" % TOOL)
class WitnessTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="disputed-witness-")
        cls.skey, cls.log_vkey = make_log(cls.tmp, "log", ORIGIN)
        # another log the witness does not know, and an impostor using our origin
        cls.other_skey, _ = make_log(cls.tmp, "other", "other.example/log")
        cls.impostor_skey, impostor_vkey = make_log(cls.tmp, "impostor", ORIGIN)
        assert impostor_vkey != cls.log_vkey

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        root = tempfile.mkdtemp(dir=self.tmp)
        self.w = Witness(root, [self.log_vkey]).start()
        self.addCleanup(self.w.kill)

    def request(self, old, size, prefix="leaf-", skey=None):
        return tool("request", skey or self.skey, old, size, prefix)

    def assert_cosigns(self, old, size, prefix="leaf-"):
        status, headers, body = self.w.post(self.request(old, size, prefix))
        self.assertEqual(status, 200, body)
        self.assertTrue(headers.get("Content-Type", "").startswith("text/plain"))
        return body

    def cosignature_verifies(self, size, body, prefix="leaf-"):
        """Does the reply `body` carry a valid cosignature of that checkpoint by the witness?"""
        path = os.path.join(self.tmp, "note-%d-%s" % (threading.get_ident(), prefix))
        with open(path, "wb") as f:
            f.write(tool("sign", self.skey, size, prefix) + body)
        r = subprocess.run([TOOL, "verify", self.w.vkey, path], stdout=subprocess.PIPE,
                           timeout=30)
        return r.returncode == 0, r.stdout.decode()

    # ---- the protocol ----

    def test_first_checkpoint_from_old_0_gets_a_cosignature_that_verifies(self):
        before = int(time.time())
        body = self.assert_cosigns(0, 10)
        lines = body.split(b"\n")
        self.assertEqual(lines[-1], b"", "the reply must end in a newline")
        self.assertEqual(len(lines), 2, body)
        self.assertTrue(lines[0].startswith(EM_DASH + b" " + WITNESS_NAME.encode() + b" "), body)
        ok, out = self.cosignature_verifies(10, body)
        self.assertTrue(ok, out)
        stamp = int(out.split("timestamp ")[1])
        self.assertTrue(before <= stamp <= int(time.time()) + 1, out)
        # the line binds this checkpoint: it does not verify on another one
        self.assertFalse(self.cosignature_verifies(11, body)[0])
        self.assertFalse(self.cosignature_verifies(10, body, "fork-")[0])
        # it grows with consistency proofs
        body = self.assert_cosigns(10, 37)
        self.assertTrue(self.cosignature_verifies(37, body)[0])
        self.assert_cosigns(37, 1000)

    def test_stale_old_size_gets_409_with_the_latest_size(self):
        self.assert_cosigns(0, 10)
        for old in (0, 5, 9):
            status, headers, body = self.w.post(self.request(old, 20))
            self.assertEqual(status, 409)
            self.assertEqual(body, b"10\n")
            self.assertEqual(headers.get("Content-Type"), "text/x.tlog.size")
        # the same size with another root is a conflict too
        status, _, body = self.w.post(self.request(10, 10, "fork-"))
        self.assertEqual(status, 409)
        self.assertEqual(body, b"10\n")
        # a client that learned the size from the 409 goes on
        self.assert_cosigns(10, 20)

    def test_unknown_origin_gets_404(self):
        status, _, _ = self.w.post(self.request(0, 3, skey=self.other_skey))
        self.assertEqual(status, 404)

    def test_checkpoint_not_signed_by_a_trusted_key_gets_403(self):
        status, _, _ = self.w.post(self.request(0, 3, skey=self.impostor_skey))
        self.assertEqual(status, 403)
        # and nothing was recorded: old 0 still works
        self.assert_cosigns(0, 3)

    def test_bad_consistency_proof_gets_422_and_is_logged_as_evidence(self):
        self.assert_cosigns(0, 8)
        status, _, _ = self.w.post(self.request(8, 13, "fork-"))
        self.assertEqual(status, 422)
        # a proof with a flipped hash, for the right tree
        req = self.request(8, 13)
        lines = req.split(b"\n")
        lines[1] = (b"A" if lines[1][:1] != b"A" else b"B") + lines[1][1:]
        status, _, _ = self.w.post(b"\n".join(lines))
        self.assertEqual(status, 422)
        deadline = time.monotonic() + 5
        while not self.w.logs_with("log signed an inconsistent checkpoint") and \
                time.monotonic() < deadline:
            time.sleep(0.02)
        warn = self.w.logs_with("log signed an inconsistent checkpoint")
        self.assertTrue(warn)
        self.assertEqual(warn[0]["origin"], ORIGIN)
        self.assertIn("\n13\n", warn[0]["request"])
        self.assert_cosigns(8, 13)

    def test_malformed_bodies_get_400(self):
        for body in (b"", b"garbage", b"old 0\n", b"old 01\n\n" + tool("sign", self.skey, 3),
                     self.request(0, 3).replace(b"\xe2\x80\x94", b"-")):
            status, _, _ = self.w.post(body)
            self.assertEqual(status, 400, body)
        status, _, _ = self.w.post(self.request(9, 3))
        self.assertEqual(status, 400)

    def test_only_post_add_checkpoint_is_served_and_bodies_are_capped(self):
        status, _, _ = self.w.post(self.request(0, 3), path="/checkpoint")
        self.assertEqual(status, 404)
        status, headers, _ = self.w.post(None, method="GET")
        self.assertEqual(status, 405)
        self.assertEqual(headers.get("Allow"), "POST")
        status, _, _ = self.w.post(b"old 0\n\n" + b"x" * (1 << 20))
        self.assertEqual(status, 413)
        # the witness still works after all that
        self.assert_cosigns(0, 3)

    # ---- durability and concurrency ----

    def test_restart_remembers_the_latest_cosigned_size(self):
        self.assert_cosigns(0, 10)
        self.assertEqual(self.w.stop(), 0)
        self.w.start()
        status, _, body = self.w.post(self.request(0, 12))
        self.assertEqual((status, body), (409, b"10\n"))
        # recorded before the reply: a kill right after a 200 loses nothing
        self.assert_cosigns(10, 12)
        self.w.kill()
        self.w.start()
        status, _, body = self.w.post(self.request(0, 15))
        self.assertEqual((status, body), (409, b"12\n"))

    def test_conflicting_checkpoints_at_once_get_exactly_one_cosignature(self):
        for rnd in range(3):
            if rnd:
                # forget what was cosigned, for another round of the race
                self.w.kill()
                shutil.rmtree(os.path.join(self.w.data, "state"))
                os.mkdir(os.path.join(self.w.data, "state"))
                self.w.start()
            # forks of one size: each is consistent with nothing cosigned yet, not with each other
            bodies = [self.request(0, 16, "r%d-fork%d-" % (rnd, i)) for i in range(4)]
            results = [None] * len(bodies)
            gate = threading.Barrier(len(bodies))

            def submit(i):
                gate.wait()
                results[i] = self.w.post(bodies[i])

            threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(bodies))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            statuses = sorted(r[0] for r in results)
            self.assertEqual(statuses, [200, 409, 409, 409], results)
            for status, _, body in results:
                if status == 409:
                    self.assertEqual(body, b"16\n")

    # ---- the command ----

    def test_logs_are_json_lines_and_sigterm_stops_cleanly(self):
        self.assert_cosigns(0, 2)
        self.assertEqual(self.w.stop(), 0)
        reqs = self.w.logs_with("request")
        self.assertTrue(any(r.get("status") == 200 and r.get("origin") == ORIGIN for r in reqs))
        self.assertTrue(self.w.logs_with("stopped"))
        listening = self.w.logs_with("listening")[0]
        self.assertEqual(listening["logs"], [ORIGIN])
        self.assertEqual(listening["witness"], WITNESS_NAME)

    def test_vkey_prints_the_key_init_printed_and_init_never_replaces_it(self):
        r = run_cli("witness", "vkey", "--data", self.w.data)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.decode().strip(), self.w.vkey)
        self.assertTrue(self.w.vkey.startswith(WITNESS_NAME + "+"))
        r = run_cli("witness", "init", "--data", self.w.data, "--name", "other")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("refusing", r.stderr.decode())
        self.assertEqual(run_cli("witness", "vkey", "--data", self.w.data).stdout.decode()
                         .strip(), self.w.vkey)

    def test_serve_refuses_bad_keys_and_a_second_witness_on_one_directory(self):
        # a witness key is not a log key
        r = run_cli("witness", "serve", "--data", self.w.data, "--log", self.w.vkey,
                    "--listen", "127.0.0.1:0", timeout=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--log", r.stderr.decode())
        r = run_cli("witness", "serve", "--data", self.w.data, "--log", "not-a-key",
                    "--listen", "127.0.0.1:0", timeout=10)
        self.assertNotEqual(r.returncode, 0)
        # the running witness holds the directory
        r = run_cli("witness", "serve", "--data", self.w.data, "--log", self.log_vkey,
                    "--listen", "127.0.0.1:0", timeout=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("another witness", r.stderr.decode())

    def test_help_for_each_subcommand(self):
        for sub in ([], ["init"], ["vkey"], ["serve"]):
            r = run_cli("witness", *(sub + ["--help"]), timeout=10)
            self.assertEqual(r.returncode, 0, sub)
            self.assertIn("usage: disputed witness", r.stdout.decode())
        r = run_cli("--help")
        self.assertIn("witness", r.stdout.decode())


if __name__ == "__main__":
    unittest.main()
