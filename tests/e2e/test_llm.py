"""test_llm.py - `disputed llm summarise|focus` against a stand-in chat-completions server: what is sent, what is read, and how each failure ends."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import free_port, run_cli, uid
from llm_stub import FOCUS_REASON, SUMMARY_EN, SUMMARY_ZH, LlmStub

COMPLAINT = "收到的蓝牙耳机左耳完全没有声音，联系客服要求退货，一直没人处理。"
CASE_ZH = ("消费者：耳机左耳无声，要求退货退款 299 元。\n"
           "商家：需寄回检测后处理。\n聊天记录：消费者 3 月 2 日发送了故障视频。")
CASE_EN = ("Consumer: the headphones' left earpiece is silent; I want a refund of 299 yuan.\n"
           "Merchant: please send them back for testing first.")
NINE = ("not_received", "not_as_described", "quality", "counterfeit", "false_advertising",
        "price", "after_sales", "safety", "no_claim")
# loopback must not go through a proxy the test runner may have set
NO_PROXY = {"no_proxy": "*", "NO_PROXY": "*"}
TIMEOUT_MS = 1500
# a failure must end within the timeout plus this (process start, a slow machine)
MARGIN_S = 2.5


def llm(task, *args, text=COMPLAINT, env=None, timeout=30):
    """Run `disputed llm TASK ARGS…` with `text` on stdin; returns (result, seconds)."""
    full = dict(NO_PROXY)
    full.setdefault("DISPUTED_LLM_TIMEOUT_MS", str(TIMEOUT_MS))
    full.update(env or {})
    t0 = time.monotonic()
    r = run_cli("llm", task, *args, env=full, input_bytes=text.encode(), timeout=timeout)
    return r, time.monotonic() - t0


class LlmTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.stub = LlmStub()

    @classmethod
    def tearDownClass(cls):
        cls.stub.stop()
        shutil.rmtree(cls.stub.dir, True)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="disputed-llm-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def ok(self, r):
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertEqual(r.stderr, b"")
        return json.loads(r.stdout)

    def fails(self, r, seconds, *says):
        """Exit 1, nothing on stdout, a one-line message with `says`, within the timeout."""
        err = r.stderr.decode()
        self.assertEqual(r.returncode, 1, err)
        self.assertEqual(r.stdout, b"")
        self.assertTrue(err.startswith("disputed: "), err)
        self.assertEqual(err.count("\n"), 1, err)
        for s in says:
            self.assertIn(s, err)
        self.assertLess(seconds, TIMEOUT_MS / 1000 + MARGIN_S)
        return err

    # ---- success ----

    def test_focus_answer_is_parsed_and_request_is_chat_completions(self):
        tag = uid("focus")
        r, _ = llm("focus", "--url", self.stub.url("focus", tag), "--model", "deepseek-chat")
        out = self.ok(r)
        self.assertEqual(out["primary"], "quality")
        self.assertEqual(out["reason"], FOCUS_REASON)
        self.assertEqual(out["model"], "stub/deepseek-chat")   # what the server reported
        self.assertEqual(out["usage"], {"prompt_tokens": 120, "completion_tokens": 30,
                                        "total_tokens": 150})
        self.assertIsInstance(out["elapsed_ms"], int)
        self.assertNotIn("exchange", out)
        (req,) = self.stub.received(tag)
        self.assertEqual(req["method"], "POST")
        self.assertEqual(req["path"], "/focus/%s/v1/chat/completions" % tag)
        self.assertEqual(req["headers"].get("Content-Type"), "application/json")
        self.assertNotIn("Authorization", req["headers"])
        body = req["json"]
        self.assertEqual(body["model"], "deepseek-chat")
        self.assertEqual(body["max_tokens"], 400)
        self.assertEqual(body["temperature"], 0)
        self.assertIs(body["stream"], False)
        self.assertEqual([m["role"] for m in body["messages"]], ["system", "user"])
        system, user = (m["content"] for m in body["messages"])
        for code in NINE:
            self.assertIn("- %s: " % code, system)
        self.assertIn('"primary"', system)
        self.assertIn("JSON", system)
        self.assertEqual(user, "<complaint>\n%s\n</complaint>" % COMPLAINT)

    def test_fenced_json_answer_is_accepted(self):
        r, _ = llm("focus", "--url", self.stub.url("fenced", uid("fenced")))
        out = self.ok(r)
        self.assertEqual((out["primary"], out["reason"]), ("quality", FOCUS_REASON))

    def test_summary_is_neutral_and_in_the_case_language(self):
        for case, want in ((CASE_ZH, SUMMARY_ZH), (CASE_EN, SUMMARY_EN)):
            with self.subTest(case=case[:10]):
                tag = uid("sum")
                r, _ = llm("summarise", "--url", self.stub.url("summary", tag), text=case)
                out = self.ok(r)
                self.assertEqual(out["summary"], want)
                self.assertEqual(out["model"], "stub/default")   # no model was asked for
                (req,) = self.stub.received(tag)
                self.assertNotIn("model", req["json"])
                system, user = (m["content"] for m in req["json"]["messages"])
                self.assertIn("neutral", system)
                self.assertIn("do not decide", system)
                self.assertIn("200", system)
                self.assertIn("language of the case text", system)
                self.assertEqual(user, "<case>\n%s\n</case>" % case)

    def test_answer_without_model_or_usage_is_still_an_answer(self):
        r, _ = llm("summarise", "--url", self.stub.url("bare", uid("bare")), text=CASE_ZH)
        out = self.ok(r)
        self.assertEqual(out["summary"], SUMMARY_ZH)
        self.assertIsNone(out["model"])
        self.assertIsNone(out["usage"])

    def test_exchange_is_the_exact_request_sent_and_answer_received(self):
        tag = uid("ex")
        r, _ = llm("focus", "--url", self.stub.url("focus", tag), "--exchange")
        ex = self.ok(r)["exchange"]
        (req,) = self.stub.received(tag)
        self.assertEqual(ex["request"].encode(), req["raw"])
        self.assertEqual(ex["endpoint"],
                         "http://127.0.0.1:%d/focus/%s/v1/chat/completions"
                         % (self.stub.port, tag))
        self.assertEqual(ex["status"], 200)
        answer = json.loads(ex["response"])
        self.assertEqual(json.loads(answer["choices"][0]["message"]["content"])["primary"],
                         "quality")
        self.assertEqual(ex["finish_reason"], "stop")

    # ---- settings ----

    def test_settings_come_from_the_data_dirs_config_and_options_override_them(self):
        tag = uid("conf")
        with open(os.path.join(self.tmp, "disputed.conf"), "w") as f:
            f.write("[llm]\nurl = %s\nmodel = qwen2.5-7b-instruct\nmax_tokens = 123\n"
                    "temperature = 0.5\n" % self.stub.url("focus", tag))
        r, _ = llm("focus", "--data", self.tmp)
        self.ok(r)
        (req,) = self.stub.received(tag)
        self.assertEqual(req["json"]["model"], "qwen2.5-7b-instruct")
        self.assertEqual(req["json"]["max_tokens"], 123)
        self.assertEqual(req["json"]["temperature"], 0.5)
        # the command line wins over the file
        tag2 = uid("opt")
        r, _ = llm("focus", "--data", self.tmp, "--url", self.stub.url("focus", tag2),
                   "--model", "other")
        self.ok(r)
        self.assertEqual(len(self.stub.received(tag)), 1)
        (req,) = self.stub.received(tag2)
        self.assertEqual(req["json"]["model"], "other")
        self.assertEqual(req["json"]["max_tokens"], 123)

    def test_environment_overrides_and_the_url_rule(self):
        base = "http://127.0.0.1:%d" % self.stub.port
        for url, path in ((base + "/focus/%s/v1", "/focus/%s/v1/chat/completions"),
                          (base + "/focus/%s/v1/", "/focus/%s/v1/chat/completions"),
                          (base + "/focus/%s/chat/completions", "/focus/%s/chat/completions")):
            with self.subTest(url=url):
                tag = uid("env")
                r, _ = llm("focus", env={"DISPUTED_LLM_URL": url % tag,
                                         "DISPUTED_LLM_MODEL": "m-env",
                                         "DISPUTED_LLM_MAX_TOKENS": "77"})
                self.ok(r)
                (req,) = self.stub.received(tag)
                self.assertEqual(req["path"], path % tag)
                self.assertEqual(req["json"]["model"], "m-env")
                self.assertEqual(req["json"]["max_tokens"], 77)

    def test_off_by_default(self):
        r, t = llm("focus")
        self.fails(r, t, "no language model is configured")
        r, t = llm("focus", env={"DISPUTED_LLM_URL": ""})
        self.fails(r, t, "no language model is configured")

    def test_bad_settings_name_the_key(self):
        with open(os.path.join(self.tmp, "disputed.conf"), "w") as f:
            f.write("[llm]\nurl = http://127.0.0.1:1\ntimeout_ms = soon\n")
        r, t = llm("focus", "--data", self.tmp)
        self.fails(r, t, "llm.timeout_ms")
        r, t = llm("focus", env={"DISPUTED_LLM_URL": "api.deepseek.com"})
        self.fails(r, t, "DISPUTED_LLM_URL")
        r, t = llm("focus", "--url", "ftp://127.0.0.1/")
        self.fails(r, t, "--url")

    def test_usage_errors_exit_2(self):
        for args in ((), ("guess",), ("focus", "extra")):
            with self.subTest(args=args):
                r = run_cli("llm", *args, env=NO_PROXY, input_bytes=b"x")
                self.assertEqual(r.returncode, 2)
                self.assertIn("usage", r.stderr.decode())
        r = run_cli("llm", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("summarise|focus", r.stdout.decode())
        self.assertIn("llm", run_cli("--help").stdout.decode())

    # ---- the API key ----

    def test_api_key_is_sent_only_as_the_bearer_header(self):
        key = "sk-test-" + uid("key")
        tag = uid("auth")
        data = os.path.join(self.tmp, "data")
        os.mkdir(data)
        with open(os.path.join(data, "disputed.conf"), "w") as f:
            f.write("[llm]\nurl = %s\napi_key_env = STUB_LLM_KEY\n" % self.stub.url("focus", tag))
        r, _ = llm("focus", "--data", data, "--exchange", env={"STUB_LLM_KEY": key})
        out = self.ok(r)
        (req,) = self.stub.received(tag)
        self.assertEqual(req["headers"].get("Authorization"), "Bearer " + key)
        # not in the body (which is sealed), not in what the command printed
        self.assertNotIn(key.encode(), req["raw"])
        self.assertNotIn(key, json.dumps(out))
        self.assertNotIn(key.encode(), r.stdout + r.stderr)
        # not in any file anyone wrote: the stub's record, the data directory
        for d in (self.stub.dir, data):
            for root, _, files in os.walk(d):
                for name in files:
                    with open(os.path.join(root, name), "rb") as f:
                        self.assertNotIn(key.encode(), f.read(), name)

    def test_named_key_variable_unset_fails_before_asking(self):
        tag = uid("nokey")
        r, t = llm("focus", "--url", self.stub.url("focus", tag),
                   env={"DISPUTED_LLM_API_KEY_ENV": "STUB_LLM_KEY_UNSET"})
        self.fails(r, t, "STUB_LLM_KEY_UNSET", "not set")
        self.assertEqual(self.stub.received(tag), [])

    def test_key_in_place_of_its_variable_name_is_refused_unechoed(self):
        r, t = llm("focus", "--url", self.stub.url("focus", uid("k")),
                   env={"DISPUTED_LLM_API_KEY_ENV": "sk-live-abcdef0123456789"})
        err = self.fails(r, t, "DISPUTED_LLM_API_KEY_ENV", "environment variable")
        self.assertNotIn("sk-live", err)

    # ---- failures: each ends with exit 1, a clear message, within the timeout ----

    def test_unknown_focus_code(self):
        r, t = llm("focus", "--url", self.stub.url("unknown_code", uid("u")))
        self.fails(r, t, "unknown focus", "shipping_delay")

    def test_answer_missing_a_field_or_not_json(self):
        r, t = llm("focus", "--url", self.stub.url("missing_reason", uid("m")))
        self.fails(r, t, '"reason"')
        r, t = llm("focus", "--url", self.stub.url("prose", uid("p")))
        self.fails(r, t, "not one JSON object")

    def test_malformed_body(self):
        r, t = llm("focus", "--url", self.stub.url("malformed", uid("mal")))
        self.fails(r, t, "not a JSON object")

    def test_body_without_choices(self):
        r, t = llm("summarise", "--url", self.stub.url("no_content", uid("nc")), text=CASE_EN)
        self.fails(r, t, "choices[0].message.content")

    def test_cut_off_summary(self):
        r, t = llm("summarise", "--url", self.stub.url("cut", uid("cut")), text=CASE_ZH)
        self.fails(r, t, "cut off", "max_tokens")

    def test_server_error_quotes_the_servers_message(self):
        r, t = llm("focus", "--url", self.stub.url("error500", uid("e5")))
        self.fails(r, t, "answered 500", "the model is overloaded, try again later")
        r, t = llm("focus", "--url", self.stub.url("error401", uid("e4")))
        self.fails(r, t, "answered 401", "Authentication Fails")

    def test_redirect_is_not_followed(self):
        tag = uid("redir")
        r, t = llm("focus", "--url", self.stub.url("redirect", tag))
        self.fails(r, t, "answered 302")
        self.assertEqual(len(self.stub.received(tag)), 1)
        self.assertEqual(self.stub.received("moved"), [])

    def test_slow_answer_times_out(self):
        tag = uid("slow")
        r, t = llm("focus", "--url", self.stub.url("slow", tag))
        self.fails(r, t, "did not answer within %d ms" % TIMEOUT_MS)
        self.assertGreaterEqual(t, TIMEOUT_MS / 1000 - 0.05)
        self.assertEqual(len(self.stub.received(tag)), 1)

    def test_huge_answer_is_refused(self):
        r, t = llm("focus", "--url", self.stub.url("huge", uid("huge")))
        self.fails(r, t, "over 1048576 bytes")

    def test_nothing_listening(self):
        r, t = llm("focus", "--url", "http://127.0.0.1:%d" % free_port())
        self.fails(r, t, "cannot reach the language model")

    @unittest.skipUnless(shutil.which("openssl"), "openssl is not installed")
    def test_https_certificate_is_verified(self):
        cert, key = os.path.join(self.tmp, "cert.pem"), os.path.join(self.tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        stub = LlmStub(tls=(cert, key))
        self.addCleanup(shutil.rmtree, stub.dir, True)
        self.addCleanup(stub.stop)
        tag = uid("tls")
        r, t = llm("focus", "--url", stub.url("focus", tag))
        self.fails(r, t, "cannot reach the language model at https://", "certificate")
        self.assertEqual(stub.received(tag), [])

    def test_bad_text_on_stdin_is_refused_before_asking(self):
        tag = uid("txt")
        for text in ("", "  \n"):
            r, t = llm("focus", "--url", self.stub.url("focus", tag), text=text)
            self.fails(r, t, "empty")
        r, t = llm("focus", "--url", self.stub.url("focus", tag), text="x" * (64 * 1024 + 1))
        self.fails(r, t, "over 65536 bytes")
        self.assertEqual(self.stub.received(tag), [])


if __name__ == "__main__":
    unittest.main()
