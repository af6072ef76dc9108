"""test_pdf_stream.py - a disclosure package's PDF is rendered into an unlinked file under DATA/tmp and streamed from it: whole, with its length, in bounded memory, and nothing is left behind, not after an aborted download nor after a failed render."""
import json
import os
import socket
import tempfile
import time
import unittest

from harness import (Response, ServerTestCase, logistics_body, message_body, noise_png,
                     peak_rss_kib)

CHAT = "耳机左边没有声音，请问怎么退货？"
SCOPE = ["merchant_identity", "order", "listing", "payment", "logistics", "messages",
         "dispute_record"]


class PackagePdfStreamTest(ServerTestCase, unittest.TestCase):

    def tmp_dir(self):
        return os.path.join(self.srv.data_dir, "tmp")

    def open_spool_files(self):
        """The server's open files under DATA/tmp (an unlinked file still shows there)."""
        fds = "/proc/%d/fd" % self.srv.proc.pid
        out = []
        for fd in os.listdir(fds):
            try:
                target = os.readlink(os.path.join(fds, fd))
            except OSError:
                continue
            if target.startswith(self.tmp_dir() + "/"):
                out.append(target)
        return out

    def assertNothingLeft(self):
        """No file in DATA/tmp, and (within a few seconds, as replies finish) none held open."""
        deadline = time.monotonic() + 10
        while self.open_spool_files() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.open_spool_files(), [])
        if os.path.isdir(self.tmp_dir()):
            self.assertEqual(os.listdir(self.tmp_dir()), [])

    def upload(self, images):
        ids = []
        for data in images:
            r = self.req("POST", "/v1/blobs", raw=data, headers={"Content-Type": "image/png"})
            self.assertIn(r.status, (200, 201), r.body)
            ids.append(r.body["id"])
        return ids

    def released_disclosure(self, images=(), blobs=()):
        """An order with logistics and a chat message naming `images` (or the blobs
        already stored), and the consumer's own disclosure of it (released at once);
        returns (disclosure, consumer token)."""
        blobs = list(blobs) + self.upload(images)
        m, lst, o = self.world.shop()
        self.world.post("/v1/orders/%s/logistics" % o["id"], logistics_body())
        for k in range(0, max(len(blobs), 1), 20):   # at most 20 attachments a message
            self.world.post("/v1/orders/%s/messages" % o["id"],
                            message_body(text=CHAT, attachments=blobs[k:k + 20]))
        token = self.world.token_for("consumer", o["consumer"]["id"])["token"]
        r = self.req("POST", "/v1/disclosures",
                     {"order": o["id"], "scope": SCOPE, "purpose": "起诉商家需要证据"}, token=token)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.body["state"], "released")
        return r.body, token

    def pdf(self, d, token):
        return self.req("GET", "/v1/disclosures/%s/package?format=pdf" % d["id"], token=token,
                        raw_reply=True)

    def test_the_pdf_comes_whole_with_its_length_and_leaves_nothing_behind(self):
        d, token = self.released_disclosure()
        for _ in range(3):
            r = self.pdf(d, token)
            self.assertEqual(r.status, 200, r.body[:300])
            self.assertEqual(r.headers.get("Content-Type"), "application/pdf")
            self.assertEqual(r.headers.get("Content-Length"), str(len(r.body)))
            self.assertTrue(r.body.startswith(b"%PDF-1."))
            self.assertIn(b"%%EOF", r.body[-32:])
            self.assertIn("%s.package.pdf" % d["id"], r.headers.get("Content-Disposition"))
        self.assertNothingLeft()

    def test_an_aborted_download_leaves_nothing_behind(self):
        d, token = self.released_disclosure(images=[noise_png(700, 1)])
        for _ in range(3):
            s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=60)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(("GET /v1/disclosures/%s/package?format=pdf HTTP/1.1\r\n"
                       "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n"
                       % (d["id"], token)).encode())
            got = s.recv(4096)
            self.assertTrue(got.startswith(b"HTTP/1.1 200"), got[:200])
            s.close()
        self.assertNothingLeft()
        # and the server goes on serving it
        r = self.pdf(d, token)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers.get("Content-Length"), str(len(r.body)))

    def test_a_failed_render_is_a_json_error_and_leaves_nothing_behind(self):
        d, token = self.released_disclosure()
        with tempfile.TemporaryDirectory() as conf_dir:
            # a fontconfig that knows no fonts: the render fails once its spool file is open
            conf = os.path.join(conf_dir, "fonts.conf")
            with open(conf, "w") as f:
                f.write('<?xml version="1.0"?>\n<fontconfig><dir>%s</dir><cachedir>%s</cachedir>'
                        '</fontconfig>\n' % (conf_dir, conf_dir))
            self.srv.stop()
            self.srv.start(env={"FONTCONFIG_FILE": conf})
            try:
                for _ in range(2):
                    r = self.pdf(d, token)
                    self.assertEqual(r.headers.get("Content-Type"), "application/json")
                    self.assertError(Response(r.status, r.headers, json.loads(r.body)), 500,
                                     "api_error", "internal_error")
                self.assertTrue(any("font" in (rec.get("detail") or rec.get("message") or "")
                                    for rec in self.srv.log_messages()),
                                "the log says what failed")
                self.assertNothingLeft()
            finally:
                self.srv.stop()
                self.srv.start()
        r = self.pdf(d, token)
        self.assertEqual(r.status, 200, r.body[:300])
        self.assertNothingLeft()

    def test_a_large_pdf_does_not_grow_the_server_by_its_size(self):
        blobs = self.upload([noise_png(1200, k) for k in range(12)])
        # a PDF of two of the images first: fonts, caches and a page of images are warm
        r = self.pdf(*self.released_disclosure(blobs=blobs[:2]))
        self.assertEqual(r.status, 200, r.body[:300])
        # then all twelve 1200×1200 noise images: a PDF of about 50 MB, which the server
        # held whole (in a buffer grown by doubling, then copied for the reply) when it
        # rendered into memory
        d, token = self.released_disclosure(blobs=blobs)
        pid = self.srv.proc.pid
        before = peak_rss_kib(pid)
        r = self.pdf(d, token)
        grown_mib = (peak_rss_kib(pid) - before) / 1024.0
        self.assertEqual(r.status, 200, r.body[:300])
        self.assertEqual(r.headers.get("Content-Length"), str(len(r.body)))
        self.assertGreater(len(r.body), 48 << 20)
        # rendering takes about 30 MiB here however large the PDF (24 images, 100 MB: the
        # same); held whole, this one took 90 to 140 MiB
        self.assertLess(grown_mib, 48, "peak memory grew by %.0f MiB" % grown_mib)
        self.assertNothingLeft()

if __name__ == "__main__":
    unittest.main()
