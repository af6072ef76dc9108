"""test_evidence.py - records are sealed at source; bundles verify offline; tampering anywhere is caught."""
import base64
import json
import os
import random
import subprocess
import tempfile
import unittest

from harness import (BIN, ServerTestCase, edit_body, message_body, logistics_body, run_cli,
                     unique_png)
from tlog_client import leaf_hash, mth, served_entries


class EvidenceTest(ServerTestCase, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = run_cli("log", "vkey", "--data", cls.srv.data_dir)
        assert r.returncode == 0, r.stderr
        cls.vkey = r.stdout.decode().strip()

    def order_with_everything(self):
        png = unique_png()
        r = self.req("POST", "/v1/blobs", raw=png, headers={"Content-Type": "image/png"})
        self.assertEqual(r.status, 201, r.body)
        blob = r.body
        m = self.world.merchant(licence_image=blob["id"])
        lst = self.world.listing(m["id"], images=[blob["id"]])
        o = self.world.order(m["id"], lst["id"])
        lg = self.world.post("/v1/orders/%s/logistics" % o["id"], logistics_body())
        msg = self.world.post("/v1/orders/%s/messages" % o["id"],
                              message_body(attachments=[blob["id"]]))
        return blob, m, lst, o, lg, msg

    def bundle(self, order_id, query="", token="platform"):
        r = self.req("GET", "/v1/orders/%s/bundle%s" % (order_id, query), token=token,
                     raw_reply=True)
        self.assertEqual(r.status, 200, r.body)
        return r, r.body

    def verify(self, data, *extra):
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            f.write(data)
            path = f.name
        try:
            return subprocess.run([BIN, "verify", "--vkey", self.vkey] + list(extra) + [path],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        finally:
            os.unlink(path)

    def test_every_pushed_record_is_sealed_in_its_reply(self):
        blob, m, lst, o, lg, msg = self.order_with_everything()
        for rec in (blob, m, lst, o, lg, msg, o["payment"]):
            self.assertIn("sealed", rec, rec)
            self.assertIsInstance(rec["sealed"]["leaf_index"], int)
            self.assertEqual(len(base64.b64decode(rec["sealed"]["leaf_hash"])), 32)
        indexes = [x["sealed"]["leaf_index"] for x in (blob, m, lst, o, o["payment"], lg, msg)]
        self.assertEqual(len(set(indexes)), len(indexes))
        # a GET shows the same seal
        r = self.req("GET", "/v1/orders/%s" % o["id"])
        self.assertEqual(r.body["sealed"], o["sealed"])

    def test_sealed_leaf_is_the_served_entry_and_in_the_served_tree(self):
        blob, m, lst, o, lg, msg = self.order_with_everything()
        r = self.srv.request("GET", "/checkpoint")
        self.assertEqual(r.status, 200)
        text = r.body.decode() if isinstance(r.body, bytes) else r.body
        origin, size, root = text.split("\n")[:3]
        size = int(size)
        self.assertEqual(origin, self.vkey.split("+")[0])
        # read every entry from the entry bundles and recompute the root independently
        entries = served_entries(self.srv, size)
        self.assertEqual(len(entries), size)
        self.assertEqual(base64.b64encode(mth([leaf_hash(e) for e in entries])).decode(), root)
        entry = entries[o["sealed"]["leaf_index"]]
        self.assertEqual(base64.b64encode(leaf_hash(entry)).decode(), o["sealed"]["leaf_hash"])
        self.assertTrue(entry.startswith(b"disputed-leaf/v2\ntype order\nid %s\ntime " % o["id"].encode()))
        # the leaf holds commitments, never the consumer's phone in the clear
        self.assertNotIn(o["consumer"]["phone"].encode(), entry)
        # a tlog-proof for that entry verifies offline
        p = self.srv.request("GET", "/v1/log/entries/%d/proof" % o["sealed"]["leaf_index"])
        self.assertEqual(p.status, 200)
        with tempfile.TemporaryDirectory() as d:
            pf, ef = os.path.join(d, "p"), os.path.join(d, "e")
            open(pf, "wb").write(p.body if isinstance(p.body, bytes) else p.body.encode())
            open(ef, "wb").write(entry)
            ok = subprocess.run([BIN, "verify", "--vkey", self.vkey, "--entry", ef, pf],
                                stdout=subprocess.PIPE)
            self.assertEqual(ok.returncode, 0, ok.stdout)
            open(ef, "wb").write(entry + b"x")
            bad = subprocess.run([BIN, "verify", "--vkey", self.vkey, "--entry", ef, pf],
                                 stdout=subprocess.PIPE)
            self.assertEqual(bad.returncode, 1, bad.stdout)
            nope = subprocess.run([BIN, "verify", "--vkey", self.vkey, pf],
                                  stdout=subprocess.PIPE)
            self.assertEqual(nope.returncode, 2, nope.stdout)

    def test_bundle_verifies_offline_and_shows_what_it_checked(self):
        blob, m, lst, o, lg, msg = self.order_with_everything()
        r, raw = self.bundle(o["id"])
        b = json.loads(raw)
        self.assertEqual(b["format"], "disputed-bundle/v2")
        self.assertEqual(b["log"]["vkey"], self.vkey)
        types = [x["type"] for x in b["records"]]
        self.assertEqual(types, ["merchant", "listing", "order", "payment", "logistics",
                                 "message", "blob"])
        # disclosed values are plain, readable strings
        order = b["records"][2]
        self.assertEqual(order["fields"]["consumer.name"]["value"], o["consumer"]["name"])
        self.assertEqual(b["blobs"][0]["id"], blob["id"])
        ok = self.verify(raw)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        out = ok.stdout.decode()
        self.assertIn("VALID", out)
        self.assertIn("checkpoint signature by the log", out)
        self.assertIn("content matches its digest", out)

    def test_withheld_fields_stay_bound_but_hidden(self):
        blob, m, lst, o, lg, msg = self.order_with_everything()
        r, raw = self.bundle(o["id"], "?withhold=consumer.phone,contact.phone")
        self.assertNotIn(o["consumer"]["phone"].encode(), raw)
        b = json.loads(raw)
        self.assertIn("commitment", b["records"][2]["fields"]["consumer.phone"])
        ok = self.verify(raw)
        self.assertEqual(ok.returncode, 0, ok.stdout)
        self.assertIn(b"withheld", ok.stdout)

    def test_flipping_bytes_of_a_bundle_makes_it_fail(self):
        blob, m, lst, o, lg, msg = self.order_with_everything()
        r, raw = self.bundle(o["id"], "?blob_content=false")
        rng = random.Random(61)
        positions = sorted(set(rng.randrange(len(raw)) for _ in range(40)) |
                           {0, len(raw) - 1, raw.index(b'"checkpoint"') + 20,
                            raw.index(b'"leaf_index"') + 14, raw.index(b'"salt"') + 10})
        for pos in positions:
            bad = bytearray(raw)
            bad[pos] ^= 0x01
            res = self.verify(bytes(bad))
            self.assertEqual(res.returncode, 1, "flip at %d (%r) was not caught: %s" %
                             (pos, raw[max(0, pos - 20):pos + 20], res.stdout))

    def test_another_log_key_is_not_trusted(self):
        blob, m, lst, o, lg, msg = self.order_with_everything()
        r, raw = self.bundle(o["id"])
        with tempfile.TemporaryDirectory() as d:
            other = os.path.join(d, "other")
            run_cli("init", "--data", other, "--origin", self.vkey.split("+")[0])
            k = run_cli("log", "vkey", "--data", other).stdout.decode().strip()
            with open(os.path.join(d, "b.json"), "wb") as f:
                f.write(raw)
            res = subprocess.run([BIN, "verify", "--vkey", k, os.path.join(d, "b.json")],
                                 stdout=subprocess.PIPE)
            self.assertEqual(res.returncode, 1, res.stdout)
            res = subprocess.run([BIN, "verify", "--vkey", "not-a-key", os.path.join(d, "b.json")],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertEqual(res.returncode, 2)

    def test_bundle_is_for_the_platform_and_the_orders_consumer_only(self):
        blob, m, lst, o, lg, msg = self.order_with_everything()
        ctok = self.world.token_for("consumer", o["consumer"]["id"])["token"]
        mtok = self.world.token_for("merchant", m["id"])["token"]
        r = self.req("GET", "/v1/orders/%s/bundle" % o["id"], token=ctok)
        self.assertEqual(r.status, 200)
        r = self.req("GET", "/v1/orders/%s/bundle" % o["id"], token=mtok)
        self.assertEqual(r.status, 403)
        other = self.world.shop()[2]
        otok = self.world.token_for("consumer", other["consumer"]["id"])["token"]
        r = self.req("GET", "/v1/orders/%s/bundle" % o["id"], token=otok)
        self.assertEqual(r.status, 404)

    def test_audit_finds_records_blobs_and_tiles_changed_behind_the_servers_back(self):
        blob, m, lst, o, lg, msg = self.order_with_everything()
        res = run_cli("audit", "--data", self.srv.data_dir)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn(b"0 problems", res.stdout)
        (orig_body,), = self.srv.sql("SELECT body FROM merchants WHERE id = ?", (m["id"],))
        edit_body(self.srv.data_dir, "merchants", "id = ?", (m["id"],),
                  lambda body: body.update(legal_name="某某冒名公司"))
        res = run_cli("audit", "--data", self.srv.data_dir)
        self.assertEqual(res.returncode, 1, res.stdout)
        out = res.stdout.decode()
        self.assertIn("merchant %s" % m["id"], out)
        self.assertIn("legal_name", out)
        # restore the body as it was, then flip a byte of the blob file
        self.srv.sql("UPDATE merchants SET body = ? WHERE id = ?", (orig_body, m["id"]))
        self.assertEqual(run_cli("audit", "--data", self.srv.data_dir).returncode, 0)
        hexd = blob["id"].split(":")[1]
        path = os.path.join(self.srv.data_dir, "blobs", hexd[:2], hexd)
        orig = open(path, "rb").read()
        open(path, "wb").write(bytes([orig[0] ^ 1]) + orig[1:])
        try:
            res = run_cli("audit", "--data", self.srv.data_dir)
            self.assertEqual(res.returncode, 1, res.stdout)
            self.assertIn(("blobs/%s/%s" % (hexd[:2], hexd)).encode(), res.stdout)
        finally:
            open(path, "wb").write(orig)
        self.assertEqual(run_cli("audit", "--data", self.srv.data_dir).returncode, 0)


if __name__ == "__main__":
    unittest.main()
