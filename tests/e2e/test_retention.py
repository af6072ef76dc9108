"""test_retention.py - `disputed retention run` shreds the personal data of orders past the retention policy, keeps held and recent ones, leaves no plaintext anywhere in the data directory, and keeps every seal and proof valid; the audit tells shredded from tampered; legal holds through the API.

One data directory is filled once on the test clock (T0): order A (consumer,
logistics, chat with a photo, a dispute the consumer withdrew), order E (no
dispute; a legal hold placed and lifted), order B (held by a court through its
dispute) and order C (a message two years later). A bundle of A is taken
before the run. The run acts as of T0 + 3 years + 1 day. Each test works on a
copy of the directory after the run, or of the one before it.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import (BIN, Server, SqlError, World, audit_settled, conf_db_url, copy_data,
                     logistics_body, message_body, run_cli, sql, uid, unique_png)
from tlog_client import served_entries

T0 = "2026-01-05T02:00:00Z"
LATER = "2028-01-05T02:00:00Z"          # C's last message
RUN_AT = "2029-01-06T02:00:00Z"         # T0 + 3 years + 1 day
EARLY = "2029-01-04T02:00:00Z"          # T0 + 3 years - 1 day: nothing is due


def cny(fen):
    return {"amount": fen, "currency": "CNY"}


def all_bytes(data_dir):
    """(path, bytes) of every file under the data directory, -wal and -shm included; on
    PostgreSQL also every live row of its database, as pg_dump writes them out. (Dead row
    versions stay in the cluster's pages until overwritten: PostgreSQL cannot promise
    more, docs/postgres.md "Shredding on PostgreSQL".)"""
    for root, _dirs, files in os.walk(data_dir):
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                yield p, fh.read()
    url = conf_db_url(data_dir)
    if url:
        res = subprocess.run(["pg_dump", "--data-only", url], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=60)
        assert res.returncode == 0, res.stderr.decode(errors="replace")
        yield "pg_dump " + url, res.stdout


class RetentionTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        srv = Server()
        cls.srv = srv
        cls.tmp = tempfile.mkdtemp(prefix="disputed-retention-")
        try:
            cls.platform = srv.key_create("platform", "retention platform")
            cls.agent = srv.key_create("agent", "retention agent")
            srv.start(args=["--test-clock=" + T0])
            w = World(srv, cls.platform)
            cls.w = w
            tag = uid("s")[-6:]
            # the secrets of the orders to be shredded, each unique to this run
            cls.secret = {
                "name": "王秘密" + tag, "phone": "+86 139 %s 5678" % tag[:4],
                "address": "上海市浦东新区机密路88号" + tag, "text": "我家住在保密小区三栋" + tag,
                "tracking": "SF" + tag + "777", "withdraw": "不想再处理了秘密" + tag,
                "e_name": "钱遗忘" + tag, "e_text": "请尽快发货遗忘" + tag,
                "desc": "杯子漏水机密描述" + tag,
            }
            cls.kept = {"b_name": "赵保留" + tag, "b_text": "法院调查中保留" + tag,
                        "c_name": "孙近期" + tag}
            s = cls.secret
            m = w.merchant()
            lst = w.listing(m["id"])
            cls.a = w.order(m["id"], lst["id"], consumer={
                "external_id": uid("cus"), "name": s["name"], "phone": s["phone"]})
            a = cls.a["id"]
            w.post("/v1/orders/%s/logistics" % a,
                   logistics_body(tracking_number=s["tracking"], location=s["address"]))
            png = unique_png()
            r = srv.request("POST", "/v1/blobs", raw=png, token=cls.platform,
                            headers={"Content-Type": "image/png"})
            assert r.status == 201, r.body
            cls.photo = r.body["id"]
            cls.photo_bytes = png
            cls.a_msg = w.post("/v1/orders/%s/messages" % a,
                               message_body(text=s["text"], attachments=[cls.photo]))
            ctok = w.token_for("consumer", cls.a["consumer"]["id"])["token"]
            r = srv.request("POST", "/v1/disputes",
                            {"order": a, "claim": {"type": "refund", "amount": cny(1999)},
                             "reason": "quality", "description": s["desc"]}, token=ctok)
            assert r.status == 201, r.body
            cls.a_dispute = r.body["id"]
            r = srv.request("POST", "/v1/disputes/%s/withdraw" % cls.a_dispute,
                            {"message": s["withdraw"]}, token=ctok)
            assert r.status == 200, r.body
            # E: no dispute; a hold placed and lifted keeps nothing
            cls.e = w.order(m["id"], lst["id"], consumer={
                "external_id": uid("cus"), "name": s["e_name"], "phone": "+86 137 0000 1111"})
            w.post("/v1/orders/%s/messages" % cls.e["id"], message_body(text=s["e_text"]))
            h = w.post("/v1/legal_holds", {"order": cls.e["id"], "authority": "regulator",
                                           "reference": "市监调〔2026〕1号", "reason": "投诉核查"})
            r = srv.request("DELETE", "/v1/legal_holds/%s" % h["id"], {"reason": "核查结束"},
                            token=cls.platform)
            assert r.status == 200, r.body
            # B: held by a court, through its dispute
            cls.b = w.order(m["id"], lst["id"], consumer={
                "external_id": uid("cus"), "name": cls.kept["b_name"],
                "phone": "+86 136 0000 2222"})
            r = srv.request("POST", "/v1/blobs", raw=unique_png(), token=cls.platform,
                            headers={"Content-Type": "image/png"})
            assert r.status == 201, r.body
            cls.b_photo = r.body["id"]
            cls.b_msg = w.post("/v1/orders/%s/messages" % cls.b["id"],
                               message_body(text=cls.kept["b_text"], attachments=[cls.b_photo]))
            btok = w.token_for("consumer", cls.b["consumer"]["id"])["token"]
            r = srv.request("POST", "/v1/disputes",
                            {"order": cls.b["id"], "claim": {"type": "refund",
                                                            "amount": cny(1999)},
                             "reason": "quality"}, token=btok)
            assert r.status == 201, r.body
            cls.b_dispute = r.body["id"]
            r = srv.request("POST", "/v1/disputes/%s/withdraw" % cls.b_dispute, {}, token=btok)
            assert r.status == 200, r.body
            cls.hold = w.post("/v1/legal_holds", {
                "dispute": cls.b_dispute, "authority": "court",
                "reference": "(2026)浙0106民初1234号", "reason": "证据保全"})
            # C: active again two years later
            cls.c = w.order(m["id"], lst["id"], consumer={
                "external_id": uid("cus"), "name": cls.kept["c_name"],
                "phone": "+86 135 0000 3333"})
            for d in (cls.a_dispute, cls.b_dispute):
                r = srv.request("GET", "/v1/disputes/%s/assessment" % d, token=cls.platform)
                assert r.status == 200, r.body
            r = srv.request("GET", "/v1/orders/%s/bundle" % a, token=cls.platform,
                            raw_reply=True)
            assert r.status == 200, r.body
            cls.bundle_before = r.body
            srv.stop()
            srv.start(args=["--test-clock=" + LATER])
            w.post("/v1/orders/%s/messages" % cls.c["id"], message_body(text="还在吗"))
            srv.stop()
            cls.vkey = run_cli("log", "vkey", "--data", srv.data_dir).stdout.decode().strip()
            cls.before = os.path.join(cls.tmp, "before")
            copy_data(srv.data_dir, cls.before)
            cls.ran = run_cli("retention", "run", "--data", srv.data_dir, "--now", RUN_AT)
            assert cls.ran.returncode == 0, cls.ran.stderr.decode() + cls.ran.stdout.decode()
        except Exception:
            srv.cleanup()
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- tools ----

    def copy(self, src=None):
        d = tempfile.mkdtemp(prefix="copy-", dir=self.tmp)
        dst = os.path.join(d, "data")
        return copy_data(src or self.srv.data_dir, dst)

    def sql(self, data, query, args=()):
        return sql(data, query, args)

    def serve(self, data):
        srv = Server(data_dir=data, init=False)
        srv.start()
        return srv

    def verify(self, raw, *extra):
        path = os.path.join(self.tmp, uid("file"))
        with open(path, "wb") as f:
            f.write(raw)
        return subprocess.run([BIN, "verify", "--vkey", self.vkey] + list(extra) + [path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    # ---- the run ----

    def test_the_run_shreds_the_old_orders_and_skips_the_held_one(self):
        out = self.ran.stdout.decode()
        self.assertIn("orders shredded: 2\n", out)
        self.assertIn("held orders skipped: 1\n", out)
        self.assertIn("blob files removed: 1\n", out)
        shredded = {r[0] for r in self.sql(self.srv.data_dir, "SELECT order_id FROM shreddings")}
        self.assertEqual(shredded, {self.a["id"], self.e["id"]})
        # the summary is in the audit log
        rows = self.sql(self.srv.data_dir,
                        "SELECT fields FROM audit_log WHERE route = 'disputed retention run'")
        self.assertEqual(len(rows), 1)
        self.assertIn("2 orders shredded", rows[0][0])

    def test_no_shredded_plaintext_is_left_in_any_file_of_the_data_directory(self):
        found = []
        for path, data in all_bytes(self.srv.data_dir):
            for k, v in self.secret.items():
                if v.encode() in data:
                    found.append((k, path))
            if self.photo_bytes in data:
                found.append(("photo", path))
        self.assertEqual(found, [])
        # the photo's file is gone, its blob record (type, size) stays
        hexd = self.photo[len("sha256:"):]
        self.assertFalse(os.path.exists(os.path.join(self.srv.data_dir, "blobs", hexd[:2], hexd)))
        # and before the run they were all there: the grep can find them
        seen = set()
        for _path, data in all_bytes(self.before):
            for k, v in self.secret.items():
                if v.encode() in data:
                    seen.add(k)
        self.assertEqual(seen, set(self.secret))

    def test_held_and_recent_orders_are_intact(self):
        data = self.copy()
        srv = self.serve(data)
        try:
            for o, name in ((self.b, self.kept["b_name"]), (self.c, self.kept["c_name"])):
                r = srv.request("GET", "/v1/orders/%s" % o["id"], token=self.platform)
                self.assertEqual(r.status, 200, r.body)
                self.assertEqual(r.body["consumer"]["name"], name)
            r = srv.request("GET", "/v1/orders/%s/messages" % self.b["id"], token=self.platform)
            self.assertEqual(r.body["data"][0]["text"], self.kept["b_text"])
            # the shredded order still answers, without its personal data
            r = srv.request("GET", "/v1/orders/%s" % self.a["id"], token=self.platform)
            self.assertEqual(r.status, 200, r.body)
            self.assertIsNone(r.body["consumer"].get("name"))
            self.assertEqual(r.body["total"], cny(1999))
            r = srv.request("GET", "/v1/disputes/%s" % self.a_dispute, token=self.platform)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.body["state"], "withdrawn")
            r = srv.request("GET", "/v1/blobs/%s/content" % self.photo, token=self.platform)
            self.assertEqual(r.status, 404, r.body)
            self.assertEqual(r.body["error"]["code"], "blob_shredded", r.body)
            r = srv.request("GET", "/v1/blobs/%s/content" % self.b_photo, token=self.platform)
            self.assertEqual(r.status, 200)
        finally:
            srv.stop()

    def test_a_run_before_the_policy_allows_shreds_nothing(self):
        data = self.copy(self.before)
        r = run_cli("retention", "run", "--data", data, "--now", EARLY)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("orders shredded: 0\n", r.stdout.decode())
        self.assertEqual(self.sql(data, "SELECT count(*) FROM shreddings"), [(0,)])

    def test_less_than_three_years_is_refused(self):
        data = self.copy(self.before)
        with open(os.path.join(data, "disputed.conf"), "a") as f:   # keep its [store] db
            f.write("[retention]\nyears = 2\n")
        r = run_cli("retention", "run", "--data", data, "--now", RUN_AT)
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("retention.years", r.stderr.decode())
        self.assertIn("art. 31", r.stderr.decode())
        env = dict(os.environ, DISPUTED_RETENTION_YEARS="1")
        r = run_cli("retention", "run", "--data", data, "--now", RUN_AT, env=env)
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertEqual(self.sql(data, "SELECT count(*) FROM shreddings"), [(0,)])

    def test_a_data_directory_in_use_is_refused_clearly(self):
        data = self.copy(self.before)
        srv = self.serve(data)
        try:
            r = run_cli("retention", "run", "--data", data, "--now", RUN_AT)
        finally:
            srv.stop()
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("in use", r.stderr.decode())
        self.assertEqual(self.sql(data, "SELECT count(*) FROM shreddings"), [(0,)])

    def test_a_second_run_shreds_nothing_more(self):
        data = self.copy()
        r = run_cli("retention", "run", "--data", data, "--now", RUN_AT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("orders shredded: 0\n", r.stdout.decode())
        self.assertIn("held orders skipped: 1\n", r.stdout.decode())

    # ---- seals and proofs ----

    def test_the_audit_is_clean_and_reports_what_was_shredded(self):
        r = audit_settled(self.srv.data_dir)
        out = r.stdout.decode()
        self.assertEqual(r.returncode, 0, out)
        self.assertIn("0 problems", out)
        self.assertIn("SHREDDED order %s:" % self.a["id"], out)
        self.assertIn("SHREDDED order %s:" % self.e["id"], out)
        self.assertNotIn("SHREDDED order %s:" % self.b["id"], out)
        self.assertNotIn("PROBLEM", out)

    def test_a_bundle_made_before_the_run_still_verifies(self):
        r = self.verify(self.bundle_before)
        self.assertEqual(r.returncode, 0, r.stdout.decode() + r.stderr.decode())

    def test_a_bundle_made_after_says_what_is_shredded_and_verifies(self):
        data = self.copy()
        srv = self.serve(data)
        try:
            r = srv.request("GET", "/v1/orders/%s/bundle" % self.a["id"], token=self.platform,
                            raw_reply=True)
        finally:
            srv.stop()
        self.assertEqual(r.status, 200, r.body)
        b = json.loads(r.body)
        order = [x for x in b["records"] if x["type"] == "order"][0]
        self.assertEqual(order["fields"]["consumer.name"]["shredded"], True)
        self.assertIn("commitment", order["fields"]["consumer.name"])
        self.assertIn("value", order["fields"]["total.amount"])
        msg = [x for x in b["records"] if x["id"] == self.a_msg["id"]][0]
        self.assertTrue(msg["fields"]["text"]["shredded"])
        blob = [x for x in b["blobs"] if x["id"] == self.photo][0]
        self.assertTrue(blob["shredded"])
        self.assertNotIn("content_base64", blob)
        before = json.loads(self.bundle_before)
        self.assertEqual([x["leaf_index"] for x in b["records"]],
                         [x["leaf_index"] for x in before["records"]])
        for k, v in self.secret.items():
            self.assertNotIn(v.encode(), r.body, k)
        res = self.verify(r.body)
        out = res.stdout.decode()
        self.assertEqual(res.returncode, 0, out + res.stderr.decode())
        self.assertIn("shredded", out)

    def test_log_proofs_of_shredded_records_still_verify(self):
        data = self.copy()
        (idx, leaf_hash), = self.sql(data, "SELECT leaf_index, leaf_hash FROM seals WHERE "
                                     "kind = 'message' AND record_id = ?", (self.a_msg["id"],))
        srv = self.serve(data)
        try:
            r = srv.request("GET", "/v1/log/entries/%d/proof" % idx)
            # the leaf as a court gets it: from the log's read API, its one copy
            leaf = served_entries(srv)[idx]
        finally:
            srv.stop()
        self.assertEqual(base64.b64encode(hashlib.sha256(b"\x00" + leaf).digest()).decode(),
                         leaf_hash)
        entry = os.path.join(self.tmp, uid("entry"))
        with open(entry, "wb") as f:
            f.write(leaf)
        self.assertEqual(r.status, 200, r.body)
        res = self.verify(r.body, "--entry", entry)
        self.assertEqual(res.returncode, 0, res.stdout.decode() + res.stderr.decode())

    # ---- tampering is not shredding ----

    def audit_problems(self, data):
        r = run_cli("audit", "--data", data)
        out = r.stdout.decode()
        self.assertEqual(r.returncode, 1, out)
        return [line for line in out.splitlines() if line.startswith("PROBLEM ")], out

    def test_a_secret_deleted_from_a_kept_record_is_tampering(self):
        data = self.copy()
        (secret, salts), = self.sql(data, "SELECT secret, salts FROM seals WHERE kind = 'order' "
                                    "AND record_id = ?", (self.b["id"],))
        self.assertEqual((len(secret), salts), (32, ""))  # every salt derives from the secret
        self.sql(data, "UPDATE seals SET secret = NULL WHERE kind = 'order' AND record_id = ?",
                 (self.b["id"],))
        problems, out = self.audit_problems(data)
        self.assertTrue(any(self.b["id"] in p and "TAMPERED" in p and "consumer.name" in p
                            for p in problems), out)

    def test_a_shredded_record_keeps_no_secret_only_the_salts_of_what_it_keeps(self):
        data = self.copy()
        for kind, rid in (("order", self.a["id"]), ("message", self.a_msg["id"])):
            (secret, salts), = self.sql(data, "SELECT secret, salts FROM seals WHERE kind = ? "
                                        "AND record_id = ?", (kind, rid))
            self.assertIsNone(secret, kind)
            kept = json.loads(salts)
            self.assertTrue(kept, kind)
            self.assertNotIn("consumer.name", kept)
            self.assertNotIn("text", kept)
        self.assertIn("total.amount", json.loads(
            self.sql(data, "SELECT salts FROM seals WHERE kind = 'order' AND record_id = ?",
                     (self.a["id"],))[0][0]))

    def test_a_secret_put_back_on_a_shredded_record_is_a_problem(self):
        data = self.copy()
        self.sql(data, "UPDATE seals SET secret = ? WHERE kind = 'order' "
                 "AND record_id = ?", (os.urandom(32), self.a["id"]))
        problems, out = self.audit_problems(data)
        self.assertTrue(any(self.a["id"] in p and "secret" in p for p in problems), out)

    def test_an_edited_body_is_tampering(self):
        data = self.copy()
        (body,), = self.sql(data, "SELECT body FROM messages WHERE id = ?", (self.b_msg["id"],))
        m = json.loads(body)
        m["text"] = "改过的文字"
        self.sql(data, "UPDATE messages SET body = ? WHERE id = ?",
                 (json.dumps(m, ensure_ascii=False), self.b_msg["id"]))
        problems, out = self.audit_problems(data)
        self.assertTrue(any(self.b_msg["id"] in p and "text" in p for p in problems), out)

    def test_a_salt_removed_from_a_shredded_record_beyond_the_register_is_tampering(self):
        data = self.copy()
        (salts,), = self.sql(data, "SELECT salts FROM seals WHERE kind = 'order' AND record_id = ?",
                             (self.a["id"],))
        s = json.loads(salts)
        self.assertNotIn("consumer.name", s)
        del s["total.amount"]
        self.sql(data, "UPDATE seals SET salts = ? WHERE kind = 'order' AND record_id = ?",
                 (json.dumps(s), self.a["id"]))
        problems, out = self.audit_problems(data)
        self.assertTrue(any(self.a["id"] in p and "TAMPERED" in p for p in problems), out)

    def test_a_blob_file_deleted_without_the_register_is_tampering(self):
        data = self.copy()
        digest = self.b_photo[len("sha256:"):]
        os.unlink(os.path.join(data, "blobs", digest[:2], digest))
        problems, out = self.audit_problems(data)
        self.assertTrue(any(digest in p and "TAMPERED" in p for p in problems), out)

    def test_the_register_cannot_be_edited_or_rewritten(self):
        data = self.copy()
        with self.assertRaises(SqlError):
            self.sql(data, "DELETE FROM shreddings")
        with self.assertRaises(SqlError):
            self.sql(data, "UPDATE shreddings SET body = '{}'")


class LegalHoldApiTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = Server()
        try:
            cls.platform = cls.srv.key_create("platform", "holds platform")
            cls.srv.start()
        except Exception:
            cls.srv.cleanup()
            raise
        w = World(cls.srv, cls.platform)
        cls.m, cls.lst, cls.o = w.shop()
        cls.w = w

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()
        finally:
            cls.srv.cleanup()

    def req(self, method, path, body=None, token=None):
        return self.srv.request(method, path, body, token=token or self.platform)

    def assertError(self, r, status, code, param):
        self.assertEqual(r.status, status, r.body)
        self.assertEqual(r.body["error"]["code"], code, r.body)
        self.assertEqual(r.body["error"].get("param"), param, r.body)
        self.assertTrue(r.body["error"]["message"])

    def count(self):
        return self.srv.counts()["legal_holds"]

    def test_bad_holds_are_refused_naming_the_field_and_change_nothing(self):
        ok = {"order": self.o["id"], "authority": "court", "reference": "(2026)京01民初1号",
              "reason": "证据保全"}
        before = self.count()
        cases = [
            (dict(ok, authority="neighbour"), 400, "invalid_enum", "authority"),
            ({k: v for k, v in ok.items() if k != "authority"}, 400, None, "authority"),
            ({k: v for k, v in ok.items() if k != "order"}, 400, "parameter_missing", "order"),
            (dict(ok, order="ord_nosuch"), 400, "resource_missing", "order"),
            (dict(ok, dispute="dsp_nosuch"), 400, "invalid_value", "dispute"),
            (dict({k: v for k, v in ok.items() if k != "order"}, dispute="dsp_nosuch"), 400,
             "resource_missing", "dispute"),
            (dict(ok, reference=""), 400, None, "reference"),
            (dict(ok, reason="x" * 1001), 400, "too_long", "reason"),
            (dict(ok, extra=1), 400, "unknown_parameter", "extra"),
        ]
        for body, status, code, param in cases:
            r = self.req("POST", "/v1/legal_holds", body)
            self.assertEqual(r.status, status, (body, r.body))
            self.assertEqual(r.body["error"].get("param"), param, (body, r.body))
            if code:
                self.assertEqual(r.body["error"]["code"], code, (body, r.body))
        self.assertEqual(self.count(), before)
        ctok = self.w.token_for("consumer", self.o["consumer"]["id"])["token"]
        r = self.req("POST", "/v1/legal_holds", ok, token=ctok)
        self.assertEqual(r.status, 403, r.body)
        r = self.req("GET", "/v1/legal_holds", token=ctok)
        self.assertEqual(r.status, 403, r.body)
        self.assertEqual(self.count(), before)

    def test_a_hold_is_placed_listed_and_lifted_with_a_reason(self):
        h = self.w.post("/v1/legal_holds", {"order": self.o["external_id"], "authority": "regulator",
                                            "reference": "市监〔2026〕9号", "reason": "调查"})
        self.assertEqual(h["object"], "legal_hold")
        self.assertTrue(h["id"].startswith("lgh_"))
        self.assertEqual(h["order"], self.o["id"])
        self.assertTrue(h["active"])
        self.w.post("/v1/legal_holds", {"order": self.o["id"], "authority": "court",
                                        "reference": "2", "reason": "保全"})
        r = self.req("GET", "/v1/legal_holds?order=%s&limit=1" % self.o["id"])
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(len(r.body["data"]), 1)
        self.assertTrue(r.body["next_cursor"])
        r2 = self.req("GET", "/v1/legal_holds?order=%s&limit=1&cursor=%s"
                      % (self.o["id"], r.body["next_cursor"]))
        self.assertEqual(len(r2.body["data"]), 1)
        self.assertNotEqual(r2.body["data"][0]["id"], r.body["data"][0]["id"])
        r = self.req("GET", "/v1/legal_holds?limit=101")
        self.assertError(r, 400, r.body["error"]["code"], "limit")
        r = self.req("DELETE", "/v1/legal_holds/%s" % h["id"], {})
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(r.body["error"].get("param"), "reason", r.body)
        r = self.req("DELETE", "/v1/legal_holds/%s" % h["id"], {"reason": "调查结束"})
        self.assertEqual(r.status, 200, r.body)
        self.assertFalse(r.body["active"])
        self.assertEqual(r.body["lift_reason"], "调查结束")
        r = self.req("DELETE", "/v1/legal_holds/%s" % h["id"], {"reason": "again"})
        self.assertError(r, 409, "hold_lifted", None)
        r = self.req("DELETE", "/v1/legal_holds/lgh_nosuch", {"reason": "x"})
        self.assertEqual(r.status, 404, r.body)
        r = self.req("GET", "/v1/legal_holds?active=true&order=%s" % self.o["id"])
        self.assertTrue(all(x["active"] for x in r.body["data"]))
        self.assertNotIn(h["id"], [x["id"] for x in r.body["data"]])
        # both were audited
        r = self.req("GET", "/v1/audit_events?limit=100")
        fields = [(x.get("object_id"), x.get("fields")) for x in r.body["data"]]
        self.assertIn((h["id"], ["legal_hold.placed"]), fields, r.body)
        self.assertIn((h["id"], ["legal_hold.lifted"]), fields, r.body)


if __name__ == "__main__":
    unittest.main()
