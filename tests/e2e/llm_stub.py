"""llm_stub.py - a stand-in language model on a free loopback port that speaks OpenAI's chat-completions API.

Standard library only. POST <base>/v1/chat/completions (also <base>/chat/completions)
answers in the shape of OpenAI's API, as DeepSeek, llama.cpp and vLLM do. The first
segment of the path picks the behaviour, so each test gets its own base URL
(http://127.0.0.1:PORT/<mode>/<anything>) and tests can run side by side:

  auto            a focus answer if the system message asks for the focus, else a summary
  focus           {"primary": "quality", "reason": …} as the message content
  fenced          the same inside a ```json fence
  unknown_code    a focus answer naming a code that is not one of the nine
  missing_reason  a focus answer without "reason"
  prose           a focus answer in words instead of JSON
  summary         a neutral summary (Chinese if the case is)
  cut             a summary with finish_reason "length"
  bare            a summary without "model" or "usage"
  malformed       status 200 with a body that is not JSON
  no_content      status 200 with no choices
  error500        status 500 with an OpenAI-style error body
  error401        status 401 with an OpenAI-style error body
  redirect        302 to another path of this server
  slow            the focus answer after SLOW_SECONDS
  huge            status 200 with a body of HUGE_BYTES

Every request is kept in `requests` (method, path, headers, body bytes, parsed JSON).
Bodies and paths, without headers, are also appended to DIR/requests.jsonl, the one
file the stub writes. Run it alone with `python3 llm_stub.py [PORT]`.
"""
import http.server
import json
import os
import ssl
import sys
import tempfile
import threading
import time

SLOW_SECONDS = 5.0
HUGE_BYTES = 2 << 20
MODES = ("auto", "focus", "fenced", "unknown_code", "missing_reason", "prose", "summary",
         "cut", "bare", "malformed", "no_content", "error500", "error401", "redirect", "slow",
         "huge")

FOCUS_REASON = "消费者称耳机左耳没有声音，属于产品故障。"
SUMMARY_ZH = "消费者称收到的耳机左耳无声，要求退货退款；商家答复需先寄回检测。"
SUMMARY_EN = ("The consumer says the headphones arrived with a silent left earpiece and asks "
              "for a refund; the merchant asks for the item to be sent back for testing.")


def _has_cjk(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _completion(req, content, finish="stop", model=True, usage=True):
    """An OpenAI-shaped chat.completion object answering `req` with `content`."""
    asked = req.get("model") if isinstance(req, dict) else None
    out = {"id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time())}
    if model:
        out["model"] = "stub/" + (asked or "default")
    out["choices"] = [{"index": 0, "message": {"role": "assistant", "content": content},
                       "finish_reason": finish}]
    if usage:
        out["usage"] = {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}
    return out


def _messages(req):
    msgs = req.get("messages") if isinstance(req, dict) else None
    msgs = msgs if isinstance(msgs, list) else []
    system = next((m.get("content", "") for m in msgs if m.get("role") == "system"), "")
    user = next((m.get("content", "") for m in msgs if m.get("role") == "user"), "")
    return system, user


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up between requests

    def _send(self, status, body, ctype="application/json", extra=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout, too big): what the test is about

    def do_GET(self):
        self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self):
        stub = self.server.stub
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            req = json.loads(raw)
        except ValueError:
            req = None
        stub.record(self.command, self.path, dict(self.headers.items()), raw, req)
        if not (self.path.endswith("/v1/chat/completions")
                or self.path.endswith("/chat/completions")):
            self._send(404, {"error": {"message": "no route " + self.path}})
            return
        if req is None:
            self._send(400, {"error": {"message": "the body is not JSON",
                                       "type": "invalid_request_error"}})
            return
        segments = [s for s in self.path.split("/") if s]
        mode = segments[0] if segments and segments[0] in MODES else "auto"
        system, user = _messages(req)
        if mode == "auto":
            mode = "focus" if "<complaint>" in system else "summary"
        focus = {"primary": "quality", "reason": FOCUS_REASON}
        if mode == "focus":
            self._send(200, _completion(req, json.dumps(focus, ensure_ascii=False)))
        elif mode == "fenced":
            text = "```json\n" + json.dumps(focus, ensure_ascii=False, indent=2) + "\n```"
            self._send(200, _completion(req, text))
        elif mode == "unknown_code":
            self._send(200, _completion(req, json.dumps(
                {"primary": "shipping_delay", "reason": "late"})))
        elif mode == "missing_reason":
            self._send(200, _completion(req, json.dumps({"primary": "quality"})))
        elif mode == "prose":
            self._send(200, _completion(req, "The focus is quality: the earpiece is broken."))
        elif mode in ("summary", "cut", "bare"):
            text = SUMMARY_ZH if _has_cjk(user) else SUMMARY_EN
            if mode == "cut":
                self._send(200, _completion(req, text[:10], finish="length"))
            else:
                self._send(200, _completion(req, text, model=mode != "bare",
                                            usage=mode != "bare"))
        elif mode == "malformed":
            self._send(200, b'{"choices": [{"message": {"content": "quality"')
        elif mode == "no_content":
            self._send(200, {"id": "x", "object": "chat.completion", "choices": []})
        elif mode == "error500":
            self._send(500, {"error": {"message": "the model is overloaded, try again later",
                                       "type": "server_error", "code": 500}})
        elif mode == "error401":
            self._send(401, {"error": {"message": "Authentication Fails (no such user)",
                                       "type": "authentication_error"}})
        elif mode == "redirect":
            self._send(302, b"", extra=(("Location", "/focus/moved/v1/chat/completions"),))
        elif mode == "slow":
            time.sleep(stub.slow_seconds)
            self._send(200, _completion(req, json.dumps(focus)))
        elif mode == "huge":
            pad = "x" * HUGE_BYTES
            self._send(200, _completion(req, pad))


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


class LlmStub:
    """The stub on 127.0.0.1:<free port>, served by a thread until stop()."""

    def __init__(self, port=0, slow_seconds=SLOW_SECONDS, tls=None):
        """`tls`: (certfile, keyfile) to serve HTTPS instead of HTTP."""
        self.slow_seconds = slow_seconds
        self.dir = tempfile.mkdtemp(prefix="disputed-llm-stub-")
        self.requests = []
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", port), _Handler)
        self._httpd.stub = self
        self.scheme = "http"
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, mode, tag="t"):
        """A base URL whose requests get behaviour `mode`; `tag` tells tests' requests apart."""
        return "%s://127.0.0.1:%d/%s/%s" % (self.scheme, self.port, mode, tag)

    def record(self, method, path, headers, raw, parsed):
        entry = {"method": method, "path": path, "headers": headers, "raw": raw,
                 "json": parsed}
        with self._lock:
            self.requests.append(entry)
            with open(os.path.join(self.dir, "requests.jsonl"), "a", encoding="utf-8") as f:
                f.write(json.dumps({"path": path, "body": raw.decode("utf-8", "replace"),
                                    "authorized": "Authorization" in headers},
                                   ensure_ascii=False) + "\n")

    def received(self, tag):
        """The requests whose path holds `tag` as a segment, oldest first."""
        with self._lock:
            return [r for r in self.requests if tag in r["path"].split("/")]

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()


if __name__ == "__main__":
    stub = LlmStub(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print("llm stub on http://127.0.0.1:%d (modes: %s); requests in %s"
          % (stub.port, ", ".join(MODES), stub.dir), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        stub.stop()
