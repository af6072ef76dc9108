"""test_web_verify.py - the offline verifier page (/app/verify) in real Chromium gives the same verdict as `disputed verify` on a valid bundle and on 40 tampered ones, in both languages, under the pages' Content-Security-Policy.

One server makes two orders' evidence (logistics, chat with an attachment, a
dispute); their bundles are edited as a forger would (a value, a salt, a
commitment, a leaf index, a proof hash, a signature byte, a checkpoint line,
a record dropped, reordered, duplicated or moved from the other order, a
blob's bytes, the keys, the JSON's form …). Each file goes to the command and
to the page (web/test/verify-driver.mjs, playwright-core driving Debian's
chromium): the page's verdict must be the command's (VALID, INVALID or
unusable), and in English its reason must be the command's own words. The
pages' headers, JSON 404s and screenshots are checked on the way
(`make screenshots` keeps them in docs/screenshots/).
"""
import base64
import copy
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import BIN, Server, World, logistics_body, message_body, run_cli, unique_png
from web_kit import WEB, browser_missing

DRIVER = os.path.join(WEB, "test", "verify-driver.mjs")


def dump(b):
    """The bundle's canonical bytes (jansson's JSON_INDENT(2), UTF-8, one LF)."""
    return (json.dumps(b, indent=2, ensure_ascii=False) + "\n").encode()


def b64(raw):
    return base64.b64encode(raw).decode()


def flip_b64(text, at=10):
    """A different base64 text of the same length and padding: one character changed."""
    c = text[at]
    return text[:at] + ("A" if c != "A" else "B") + text[at + 1:]


def commitment(name, salt_b64, value):
    h = hashlib.sha256(b"disputed-field/v1\0" + name.encode() + b"\0" + base64.b64decode(salt_b64)
                       + value.encode())
    return b64(h.digest())


def cosig_vkey(name, pub):
    kid = hashlib.sha256(name.encode() + b"\n\x04" + pub).digest()[:4].hex()
    return "%s+%s+%s" % (name, kid, b64(b"\x04" + pub))


@unittest.skipIf(browser_missing(), browser_missing() or "")
class WebVerifyTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = srv = Server()
        try:
            cls.platform = srv.key_create("platform", "web verify platform")
            srv.start()
            w = World(srv, cls.platform)
            _, _, cls.a = w.shop()
            r = srv.request("POST", "/v1/blobs", raw=unique_png(), token=cls.platform,
                            headers={"Content-Type": "image/png"})
            assert r.status == 201, r.body
            blob = r.body["id"]
            a = cls.a["id"]
            w.post("/v1/orders/%s/logistics" % a, logistics_body())
            for i in range(3):
                w.post("/v1/orders/%s/messages" % a,
                       message_body(text="第%d条消息：耳机左边没有声音" % i,
                                    **({"attachments": [blob]} if i == 0 else {})))
            ctok = w.token_for("consumer", cls.a["consumer"]["id"])["token"]
            r = srv.request("POST", "/v1/disputes",
                            {"order": a, "claim": {"type": "refund",
                                                   "amount": {"amount": 1999, "currency": "CNY"}},
                             "reason": "quality"}, token=ctok)
            assert r.status == 201, r.body
            _, _, cls.b = w.shop()
            w.post("/v1/orders/%s/messages" % cls.b["id"], message_body())
            r = srv.request("GET", "/v1/disputes/%s/assessment" % r.body["id"], token=cls.platform)
            assert r.status == 200, r.body
            cls.vkey = run_cli("log", "vkey", "--data", srv.data_dir).stdout.decode().strip()
            # both bundles against one checkpoint, so a record of one fits the other's proofs
            for _ in range(20):
                ra, rb = cls.bundle(a, "withhold=consumer.phone"), cls.bundle(cls.b["id"])
                if json.loads(ra)["checkpoint"] == json.loads(rb)["checkpoint"]:
                    break
            cls.raw_a, cls.raw_b = ra, rb
            cls.tmp = tempfile.mkdtemp(prefix="disputed-webverify-")
        except Exception:
            srv.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()
        shutil.rmtree(getattr(cls, "tmp", ""), ignore_errors=True)

    @classmethod
    def bundle(cls, order, query=""):
        r = cls.srv.request("GET", "/v1/orders/%s/bundle?%s" % (order, query), token=cls.platform,
                            raw_reply=True)
        assert r.status == 200, r.body
        return r.body

    # ---- the files ----

    def variants(self):
        """(name, bytes): the valid bundle, then the tampered ones."""
        base = json.loads(self.raw_a)
        other = json.loads(self.raw_b)
        self.assertEqual(dump(base), self.raw_a, "the bundle is not in the form this test writes")
        recs = base["records"]

        def idx(pred):
            return next(i for i, r in enumerate(recs) if pred(r))

        msg = idx(lambda r: r["type"] == "message" and r["blobs"])
        msg2 = idx(lambda r: r["type"] == "message" and not r["blobs"])
        order = idx(lambda r: r["type"] == "order")
        lg = idx(lambda r: r["type"] == "logistics")
        blob_rec = idx(lambda r: r["type"] == "blob")
        last_chain = max((i for i, r in enumerate(recs) if "chain" in r),
                         key=lambda i: recs[i]["chain"]["seq"])
        withheld = next(k for k, f in recs[order]["fields"].items() if "commitment" in f)
        b_msg = next(r for r in other["records"] if r["type"] == "message")
        b_merchant = next(r for r in other["records"] if r["type"] == "merchant")
        ckpt = base["checkpoint"]
        body, sigs = ckpt.split("\n\n", 1)

        out = [("valid", self.raw_a)]

        def edit(name, f):
            b = copy.deepcopy(base)
            f(b)
            out.append((name, dump(b)))

        def raw(name, data):
            out.append((name, data))

        r = lambda b, i: b["records"][i]   # noqa: E731
        edit("message_text", lambda b: r(b, msg2)["fields"]["text"].update(value="商家已同意全额退款"))
        edit("salt_swapped", lambda b: r(b, msg2)["fields"]["text"].update(
            salt=r(b, msg2)["fields"]["sender"]["salt"]))
        edit("salt_not_base64", lambda b: r(b, msg2)["fields"]["text"].update(salt="not base64"))
        edit("commitment_edited", lambda b: r(b, order)["fields"][withheld].update(
            commitment=flip_b64(r(b, order)["fields"][withheld]["commitment"])))

        def withhold_honestly(b):
            f = r(b, msg2)["fields"]["text"]
            r(b, msg2)["fields"]["text"] = {"commitment": commitment("text", f["salt"], f["value"])}
        edit("withheld_after_the_fact", withhold_honestly)
        edit("field_extra_key", lambda b: r(b, msg2)["fields"]["text"].update(note="x"))
        edit("field_name_upper", lambda b: r(b, lg)["fields"].update(
            {"Zzz": r(b, lg)["fields"].pop("status")}))

        def fields_reordered(b):
            f = r(b, lg)["fields"]
            r(b, lg)["fields"] = dict(reversed(list(f.items())))
        edit("fields_reordered", fields_reordered)
        edit("leaf_index_other", lambda b: r(b, msg2).update(leaf_index=r(b, msg2)["leaf_index"] - 1))
        edit("leaf_index_outside", lambda b: r(b, msg2).update(leaf_index=10 ** 9))
        edit("leaf_index_text", lambda b: r(b, msg2).update(leaf_index="7"))
        edit("proof_hash_edited", lambda b: r(b, msg2)["inclusion_proof"].__setitem__(
            0, flip_b64(r(b, msg2)["inclusion_proof"][0])))
        edit("proof_hash_not_base64", lambda b: r(b, msg2)["inclusion_proof"].__setitem__(0, "x"))
        edit("proof_shortened", lambda b: r(b, msg2)["inclusion_proof"].pop())
        edit("proof_lengthened", lambda b: r(b, msg2)["inclusion_proof"].append(
            r(b, msg2)["inclusion_proof"][0]))
        edit("chain_prev_edited", lambda b: r(b, msg2)["chain"].update(
            prev=flip_b64(r(b, msg2)["chain"]["prev"])))
        edit("chain_order_edited", lambda b: r(b, msg2)["chain"].update(order=self.b["id"]))
        edit("record_id_edited", lambda b: r(b, msg2).update(id=r(b, msg2)["id"][:-1] + "0"))
        edit("record_type_unknown", lambda b: r(b, msg2).update(type="note"))
        edit("record_type_other", lambda b: r(b, msg2).update(type="logistics"))
        edit("record_time_offset", lambda b: r(b, msg2).update(
            time=r(b, msg2)["time"].replace("Z", "+00:00")))
        edit("record_extra_key", lambda b: r(b, msg2).update(extra=1))

        def sig_byte(b):
            lines = b["checkpoint"].split("\n")
            i = next(k for k, l in enumerate(lines) if l.startswith("\u2014 "))
            name, sig = lines[i][2:].split(" ")
            raw_sig = bytearray(base64.b64decode(sig))
            raw_sig[20] ^= 1
            lines[i] = "\u2014 %s %s" % (name, b64(bytes(raw_sig)))
            b["checkpoint"] = "\n".join(lines)
        edit("checkpoint_signature_byte", sig_byte)
        edit("checkpoint_size_line", lambda b: b.update(checkpoint=ckpt.replace(
            "\n%s\n" % body.split("\n")[1], "\n%d\n" % (int(body.split("\n")[1]) + 1), 1)))
        edit("checkpoint_root_line", lambda b: b.update(checkpoint=ckpt.replace(
            body.split("\n")[2], flip_b64(body.split("\n")[2]), 1)))
        edit("checkpoint_unsigned", lambda b: b.update(checkpoint=body + "\n\n"))
        edit("checkpoint_foreign_signature", lambda b: b.update(
            checkpoint=ckpt + "\u2014 someone.example " + b64(b"\x01\x02\x03\x04" + b"\x05" * 64) + "\n"))
        edit("record_dropped", lambda b: b["records"].pop(msg))
        edit("last_record_dropped", lambda b: b["records"].pop(last_chain))

        def swapped(b):
            b["records"][msg], b["records"][msg2] = b["records"][msg2], b["records"][msg]
        edit("records_reordered", swapped)
        edit("record_duplicated", lambda b: b["records"].append(copy.deepcopy(r(b, msg2))))
        edit("record_moved_in", lambda b: b["records"].append(copy.deepcopy(b_msg)))
        edit("merchant_of_other_order", lambda b: b["records"].insert(1, copy.deepcopy(b_merchant)))
        edit("no_records", lambda b: b.update(records=[]))
        edit("blob_record_dropped", lambda b: b["records"].pop(blob_rec))
        edit("blob_byte", lambda b: b["blobs"][0].update(content_base64=b64(
            bytes([base64.b64decode(b["blobs"][0]["content_base64"])[0] ^ 1])
            + base64.b64decode(b["blobs"][0]["content_base64"])[1:])))
        edit("blob_not_base64", lambda b: b["blobs"][0].update(content_base64="%%%%"))
        edit("blob_size", lambda b: b["blobs"][0].update(size=b["blobs"][0]["size"] + 1))
        edit("blob_digest_only", lambda b: b["blobs"][0].pop("content_base64"))
        edit("log_vkey_other", lambda b: b["log"].update(vkey=self.vkey.replace("+", "x+", 1)))
        edit("log_origin_other", lambda b: b["log"].update(origin="elsewhere.example/log"))
        edit("log_vkey_not_a_string", lambda b: b["log"].update(vkey=42))
        edit("log_origin_not_a_string", lambda b: b["log"].update(origin=None))
        edit("blob_content_not_a_string", lambda b: b["blobs"][0].update(content_base64=7))
        edit("witness_not_a_key", lambda b: b["witnesses"].append("not a key"))
        edit("witness_never_cosigned", lambda b: b["witnesses"].append(
            cosig_vkey("witness.example", hashlib.sha256(b"w").digest())))
        edit("format_other", lambda b: b.update(format="disputed-bundle/v1"))
        edit("order_other", lambda b: b.update(order=self.b["id"]))
        raw("indented_differently", json.dumps(base, indent=4, ensure_ascii=False).encode() + b"\n")
        raw("ascii_escaped", json.dumps(base, indent=2).encode() + b"\n")
        raw("truncated", self.raw_a[: len(self.raw_a) // 2])
        raw("duplicate_key", self.raw_a.replace(b'{\n  "format"', b'{\n  "order": "x",\n  "format"', 1))
        raw("empty", b"")
        raw("not_a_bundle", b"hello, court\n")
        raw("checkpoint_alone", ckpt.encode())
        return out

    # ---- the two verifiers ----

    def cli(self, path):
        res = subprocess.run([BIN, "verify", "--vkey", self.vkey, path], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=60)
        out = res.stdout.decode()
        verdict = {0: "valid", 1: "invalid", 2: "unusable"}[res.returncode]
        reason = None
        for line in out.splitlines():
            if line.startswith("INVALID: "):
                reason = line[len("INVALID: "):]
            elif line.startswith("UNUSABLE: "):
                reason = line[len("UNUSABLE: "):]
        return verdict, reason, out

    def drive(self, files, screenshot_dir):
        job = {"base": "http://127.0.0.1:%d" % self.srv.port, "files": files, "langs": ["en", "zh"],
               "drop": files[0], "vkey": None,
               "screenshots": {"dir": screenshot_dir, "file": files[0]}}
        path = os.path.join(self.tmp, "job.json")
        with open(path, "w") as f:
            json.dump(job, f)
        res = subprocess.run(["node", DRIVER, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             cwd=WEB, timeout=300)
        self.assertEqual(res.returncode, 0, res.stderr.decode())
        return json.loads(res.stdout)

    def test_the_page_and_the_command_agree_on_every_file(self):
        files, cli = [], {}
        variants = self.variants()
        self.assertGreaterEqual(len(variants), 41)
        for name, data in variants:
            path = os.path.join(self.tmp, "%02d-%s.json" % (len(files), name))
            with open(path, "wb") as f:
                f.write(data)
            files.append(path)
            cli[path] = self.cli(path)
        self.assertEqual(cli[files[0]][0], "valid", cli[files[0]][2])
        self.assertGreaterEqual(sum(1 for p in files if cli[p][0] == "invalid"), 35)
        shots = os.environ.get("DISPUTED_SCREENSHOTS") or os.path.join(self.tmp, "shots")
        got = self.drive(files, shots)

        for lang in ("en", "zh"):
            for page in got["runs"][lang]:
                verdict, reason, out = cli[page["file"]]
                name = os.path.basename(page["file"])
                with self.subTest(lang=lang, file=name):
                    self.assertEqual(page["verdict"], verdict, "%s\npage: %s\ncommand:\n%s"
                                     % (name, page["reason"], out))
                    if verdict == "invalid":
                        self.assertTrue(page["kind"], page)
                        self.assertIn("fail", page["items"])
                    if lang == "en" and verdict == "invalid":
                        if page["kind"] == "json":   # jansson's own words for the syntax error
                            self.assertTrue(reason.startswith("not valid JSON ("), reason)
                            self.assertTrue(page["reason"].startswith("not valid JSON ("), page)
                        else:
                            self.assertEqual(page["reason"], reason, name)
        # the same kind of reason in both languages, and Chinese words in Chinese
        for en, zh in zip(got["runs"]["en"], got["runs"]["zh"]):
            self.assertEqual((en["verdict"], en["kind"]), (zh["verdict"], zh["kind"]), en["file"])
        self.assertEqual(got["runs"]["zh"][0]["word"], "有效")
        self.assertEqual(got["runs"]["en"][0]["word"], "VALID")
        self.assertTrue(any("证据" in p["reason"] or "记录" in p["reason"] for p in got["runs"]["zh"]))
        kinds = {p["kind"] for p in got["runs"]["en"] if p["kind"]}
        self.assertGreaterEqual(len(kinds), 25, sorted(kinds))

        self.assertEqual(got["dropped"]["verdict"], "valid", got["dropped"])
        self.assertEqual(got["checks"]["default_lang"], "zh-CN")
        self.assertEqual(got["checks"]["prefilled_vkey"], self.vkey)
        self.assertEqual(got["checks"]["remembered_lang"], "zh-CN")
        self.assertEqual(got["checks"]["unlabelled"], [])
        self.assertIn("file", got["checks"]["tab_order"])
        self.assertIn("vkey", got["checks"]["tab_order"])
        self.assertEqual(got["csp"], [])
        self.assertEqual(got["page_errors"], [])
        self.assertEqual(got["console_errors"], [])
        self.assertEqual(got["requests_after_load"], [], "the page used the network after loading")
        for k, v in got["checks"].items():
            if k.startswith("overflow_"):
                self.assertLessEqual(v, 0, k)
        # the verdicts and the page around them legible against their backgrounds (WCAG AA)
        self.assertEqual(got["contrast"], [])
        self.assertEqual(len(got["screenshots"]), 4)
        for p in got["screenshots"]:
            self.assertGreater(os.path.getsize(p), 5000, p)

    def test_the_pages_are_served_with_their_headers_and_json_404s(self):
        r = self.srv.request("GET", "/app/verify")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(r.headers["Cache-Control"], "no-cache")
        csp = r.headers["Content-Security-Policy"]
        for d in ("default-src 'self'", "script-src 'self'", "connect-src 'self'",
                  "frame-ancestors 'none'", "base-uri 'none'"):
            self.assertIn(d, csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(r.headers["Referrer-Policy"], "no-referrer")
        html = r.body.decode()
        self.assertIn(self.vkey, html)
        self.assertNotIn("<script>", html)
        self.assertNotIn("style=", html)
        assets = html.split('name="disputed-assets" content="')[1].split('"')[0]
        for path, ctype in (("/js/verify-page.js", "text/javascript; charset=utf-8"),
                            ("/css/app.css", "text/css; charset=utf-8"),
                            ("/i18n/zh.json", "application/json")):
            r = self.srv.request("GET", assets + path, raw_reply=True)
            self.assertEqual(r.status, 200, path)
            self.assertEqual(r.headers["Content-Type"], ctype)
            self.assertEqual(r.headers["Cache-Control"], "public, max-age=31536000, immutable")
            self.assertIn("Content-Security-Policy", r.headers)
        r = self.srv.request("GET", "/app/")
        self.assertEqual(r.status, 200)
        for path in ("/app/nothing", "/app/assets/0000000000000000/js/verify-page.js",
                     assets + "/js/none.js", assets + "/js/../../pages/verify.html",
                     assets + "/pages/verify.html", "/app/verify.html", "/app/.hidden"):
            r = self.srv.request("GET", path)
            self.assertEqual(r.status, 404, path)
            self.assertEqual(r.body["error"]["code"], "not_found", path)
        r = self.srv.request("POST", "/app/verify", {})
        self.assertEqual(r.status, 405)
        self.assertEqual(r.body["error"]["code"], "method_not_allowed")


if __name__ == "__main__":
    unittest.main()
