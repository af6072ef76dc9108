"""test_pdf.py - a bundle served by the real server, rendered as the package PDF, reads right and hides what was withheld.

The renderer runs as build/tools/pdf_render (next to $DISPUTED_BIN) until the
disclosure route serves `?format=pdf`; poppler's pdftotext, pdffonts and
pdfimages read the result.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import (BIN, ServerTestCase, logistics_body, message_body, run_cli, unique_png)

TOOL = os.path.join(os.path.dirname(BIN), "tools", "pdf_render")

MERCHANT_NAME = "杭州云杉数码专营店有限公司"
CHAT = "耳机左边没有声音，请问怎么退货？"
CONSUMER_PHONE = "+86 139 1234 5678"
MERCHANT_PHONE = "+86 571 8888 6666"


def leaf_hash(rec):
    """The record's leaf hash, from docs/formats.md alone (an independent encoder)."""
    lines = ["disputed-leaf/v2", "type " + rec["type"], "id " + rec["id"], "time " + rec["time"]]
    chain = rec.get("chain")
    if chain:
        lines += ["order " + chain["order"], "seq %d" % chain["seq"]]
        if "prev" in chain:
            lines.append("prev " + chain["prev"])
        lines += ["link " + h for h in chain.get("links", [])]
    lines += ["blob " + b for b in rec["blobs"]]
    for name in sorted(rec["fields"], key=lambda n: n.encode()):
        f = rec["fields"][name]
        if "commitment" in f:
            c = f["commitment"]
        else:
            c = base64.b64encode(hashlib.sha256(
                b"disputed-field/v1\x00" + name.encode() + b"\x00"
                + base64.b64decode(f["salt"]) + f["value"].encode()).digest()).decode()
        lines.append("field %s %s" % (name, c))
    leaf = ("\n".join(lines) + "\n").encode()
    return base64.b64encode(hashlib.sha256(b"\x00" + leaf).digest()).decode()


class PackagePdfTest(ServerTestCase, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = run_cli("log", "vkey", "--data", cls.srv.data_dir)
        assert r.returncode == 0, r.stderr
        cls.vkey = r.stdout.decode().strip()
        cls.tmp = tempfile.mkdtemp(prefix="disputed-pdf-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def setUp(self):
        if not os.access(TOOL, os.X_OK):
            self.fail("%s is not built (make check builds build/tools/*)" % TOOL)

    def order_with_everything(self):
        """Merchant (Chinese name, licence image), listing, order, logistics, a chat message
        with the image attached, and a dispute opened by the consumer."""
        r = self.req("POST", "/v1/blobs", raw=unique_png(), headers={"Content-Type": "image/png"})
        self.assertEqual(r.status, 201, r.body)
        blob = r.body
        m = self.world.merchant(legal_name=MERCHANT_NAME, licence_image=blob["id"],
                                contact={"phone": MERCHANT_PHONE, "email": "shop@example.com"})
        lst = self.world.listing(m["id"], images=[blob["id"]])
        consumer = {"external_id": "cus-pdf-%s" % os.getpid(), "name": "李四",
                    "phone": CONSUMER_PHONE}
        o = self.world.order(m["id"], lst["id"], consumer=consumer)
        self.world.post("/v1/orders/%s/logistics" % o["id"],
                        logistics_body(carrier="顺丰速运", location="杭州市西湖区", status="signed"))
        self.world.post("/v1/orders/%s/messages" % o["id"],
                        message_body(text=CHAT, attachments=[blob["id"]]))
        ctok = self.world.token_for("consumer", o["consumer"]["id"])["token"]
        r = self.req("POST", "/v1/disputes",
                     {"order": o["id"], "reason": "quality",
                      "claim": {"type": "refund", "amount": {"amount": 1999, "currency": "CNY"}}},
                     token=ctok)
        self.assertEqual(r.status, 201, r.body)
        return blob, m, o

    def render(self, bundle_bytes, *args):
        src = os.path.join(self.tmp, "package.json")
        out = os.path.join(self.tmp, "package.pdf")
        with open(src, "wb") as f:
            f.write(bundle_bytes)
        r = subprocess.run([TOOL] + list(args) + [src, out], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        return src, out

    def tool(self, *cmd):
        r = subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        return r.stdout.decode("utf-8")

    def test_the_package_pdf_of_a_served_bundle(self):
        blob, m, o = self.order_with_everything()
        r = self.req("GET", "/v1/orders/%s/bundle?withhold=consumer.phone,contact.phone" % o["id"],
                     raw_reply=True)
        self.assertEqual(r.status, 200, r.body)
        bundle = json.loads(r.body)
        src, pdf = self.render(r.body, "--package-id", "dsc_e2e_pdf",
                               "--requester", "杭州互联网法院", "--purpose", "审理网络购物合同纠纷",
                               "--basis", "PIPL art. 13(1)(3)",
                               "--released-at", "2025-11-05T02:00:00Z")
        # the bundle the PDF reads is one `disputed verify` accepts with the printed command
        v = subprocess.run([BIN, "verify", "--vkey", self.vkey, src], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(v.returncode, 0, v.stdout.decode() + v.stderr.decode())

        raw = self.tool("pdftotext", "-enc", "UTF-8", pdf, "-")
        text = raw.replace("\n", "").replace("\f", "")
        for s in (MERCHANT_NAME, CHAT, "证据目录", "杭州互联网法院", "dsc_e2e_pdf", "如何核验",
                  "顺丰速运", "已签收", "李四"):
            self.assertIn(s, text)
        # every record: its id (files: in the images section, on one line) and leaf hash,
        # recomputed here from the spec, not from the renderer
        for rec in bundle["records"]:
            self.assertIn(rec["id"], text, rec["type"])
            self.assertIn(leaf_hash(rec), text, rec["type"])
        # the order chain's prev hashes are the leaf hashes the PDF shows
        chain = [x for x in bundle["records"] if "chain" in x]
        for a, b in zip(chain, chain[1:]):
            self.assertEqual(b["chain"]["prev"], leaf_hash(a))
        # how to verify: the command with the trusted key, the log, the checkpoint
        self.assertIn("disputed verify \\", raw)
        self.assertIn("--vkey %s \\" % self.vkey, raw)
        self.assertIn("package.json", raw)
        cp = bundle["checkpoint"].split("\n")
        self.assertIn(bundle["log"]["origin"], text)
        self.assertIn(cp[1], text)   # size
        self.assertIn(cp[2], text)   # root
        # withheld: shown as a commitment, the value nowhere
        self.assertIn("已隐去 (withheld): commitment", text)
        mer = next(x for x in bundle["records"] if x["type"] == "merchant")
        self.assertIn(mer["fields"]["contact.phone"]["commitment"], text)
        for phone in (CONSUMER_PHONE, MERCHANT_PHONE):
            self.assertNotIn(phone, text)
            self.assertNotIn(phone.replace(" ", ""), text.replace(" ", ""))
        # fonts: Noto CJK embedded; the image: embedded
        fonts = self.tool("pdffonts", pdf)
        self.assertRegex(fonts, r"NotoSerifCJKsc-Regular\s+CID Type 0C\s+Identity-H\s+yes")
        images = [ln for ln in self.tool("pdfimages", "-list", pdf).splitlines()[2:] if ln.strip()]
        self.assertGreaterEqual(len(images), 1)
        self.assertEqual(images[0].split()[3:5], ["1", "1"])  # the 1x1 PNG, at its size

    def test_digests_only_bundle_takes_images_from_the_data_dir_or_names_them(self):
        blob, m, o = self.order_with_everything()
        r = self.req("GET", "/v1/orders/%s/bundle?blob_content=false" % o["id"], raw_reply=True)
        self.assertEqual(r.status, 200, r.body)
        _, pdf = self.render(r.body)
        self.assertEqual(self.tool("pdfimages", "-list", pdf).splitlines()[2:], [])
        text = self.tool("pdftotext", "-enc", "UTF-8", pdf, "-").replace("\n", "")
        self.assertIn("content not included in the package", text)
        self.assertIn(blob["id"], text)
        _, pdf = self.render(r.body, "--data", self.srv.data_dir)
        images = [ln for ln in self.tool("pdfimages", "-list", pdf).splitlines()[2:] if ln.strip()]
        self.assertEqual(len(images), 1)


if __name__ == "__main__":
    unittest.main()
