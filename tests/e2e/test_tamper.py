"""test_tamper.py - every way of editing, deleting or moving stored evidence behind the server's back is caught by `disputed audit` or `disputed verify`.

One data directory is filled once through the API (two orders, one with
logistics, chat, an attachment and a dispute), then each test tampers with a
fresh copy of it, as someone with write access to the database would, and
asserts the audit names the record, and where a bundle can show it, that the
bundle made from the tampered copy fails offline verification.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import (BIN, Server, World, backend_of, copy_data, edit_body, logistics_body,
                     message_body, run_cli, sql_many, unique_png)
from tlog_client import stored_entries, stored_size


def cny(fen):
    return {"amount": fen, "currency": "CNY"}


class TamperTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        srv = Server()
        cls.pristine = srv
        try:
            cls.platform = srv.key_create("platform", "tamper platform")
            srv.start()
            w = World(srv, cls.platform)
            cls.m, cls.lst, cls.a = w.shop()
            r = srv.request("POST", "/v1/blobs", raw=unique_png(), token=cls.platform,
                            headers={"Content-Type": "image/png"})
            assert r.status == 201, r.body
            cls.blob = r.body["id"]
            a = cls.a["id"]
            cls.lg = w.post("/v1/orders/%s/logistics" % a, logistics_body())
            cls.msgs = [w.post("/v1/orders/%s/messages" % a,
                               message_body(text="第%d条消息" % i,
                                            **({"attachments": [cls.blob]} if i == 0 else {})))
                        for i in range(3)]
            ctok = w.token_for("consumer", cls.a["consumer"]["id"])["token"]
            r = srv.request("POST", "/v1/disputes",
                            {"order": a, "claim": {"type": "refund", "amount": cny(1999)},
                             "reason": "quality"}, token=ctok)
            assert r.status == 201, r.body
            cls.dispute = r.body
            cls.m2, cls.lst2, cls.b = w.shop()
            cls.b_msg = w.post("/v1/orders/%s/messages" % cls.b["id"], message_body())
            # the dispute's assessment, made now, so that no background work remains queued
            r = srv.request("GET", "/v1/disputes/%s/assessment" % cls.dispute["id"],
                            token=cls.platform)
            assert r.status == 200, r.body
            srv.stop()
            cls.vkey = run_cli("log", "vkey", "--data", srv.data_dir).stdout.decode().strip()
        except Exception:
            srv.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.pristine.cleanup()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="disputed-tamper-")
        self.data = os.path.join(self.tmp, "data")
        copy_data(self.pristine.data_dir, self.data)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- tools ----

    def sql(self, *statements, unchecked=False):
        """Run the statements on the copy's database in one transaction. unchecked: as
        someone who can also switch off PostgreSQL's foreign keys (SQLite's are off)."""
        if unchecked and backend_of(self.data) == "postgres":
            statements = ("SET LOCAL session_replication_role = replica",) + statements
        return sql_many(self.data, statements)

    def audit(self):
        return run_cli("audit", "--data", self.data)

    def assertAuditFinds(self, *needles):
        res = self.audit()
        out = res.stdout.decode()
        self.assertEqual(res.returncode, 1, out + res.stderr.decode())
        problems = [line for line in out.splitlines() if line.startswith("PROBLEM ")]
        self.assertTrue(problems, out)
        for n in needles:
            self.assertTrue(any(n in p for p in problems), "%r not among:\n%s" % (n, out))
        return out

    def bundle_of(self, order_id):
        """The bundle a server running on the tampered copy hands out."""
        srv = Server(data_dir=self.data, init=False)
        try:
            srv.start()
            r = srv.request("GET", "/v1/orders/%s/bundle" % order_id, token=self.platform,
                            raw_reply=True)
            srv.stop()
        finally:
            srv.kill()
        self.assertEqual(r.status, 200, r.body)
        return r.body

    def verify(self, raw, *extra):
        path = os.path.join(self.tmp, "bundle.json")
        with open(path, "wb") as f:
            f.write(raw)
        return subprocess.run([BIN, "verify", "--vkey", self.vkey] + list(extra) + [path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def log_copy(self):
        """What a mirror of the public log holds: the checkpoint and the tiles."""
        d = os.path.join(self.tmp, "mirror")
        os.mkdir(d)
        shutil.copy(os.path.join(self.data, "checkpoint"), d)
        shutil.copytree(os.path.join(self.data, "tile"), os.path.join(d, "tile"))
        return d

    def assertVerifyRefuses(self, order_id, says):
        res = self.verify(self.bundle_of(order_id))
        out = res.stdout.decode()
        self.assertEqual(res.returncode, 1, out)
        self.assertIn(says, out)

    def seal_seq(self, kind, record_id):
        (seq,), = self.sql(("SELECT seq FROM seals WHERE kind = ? AND record_id = ?",
                            (kind, record_id)))
        return seq

    # ---- the untouched copy ----

    def test_the_untouched_copy_audits_clean_and_its_bundles_verify(self):
        res = self.audit()
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn(b" 0 problems", res.stdout)
        mirror = self.log_copy()
        for order in (self.a["id"], self.b["id"]):
            raw = self.bundle_of(order)
            res = self.verify(raw)
            self.assertEqual(res.returncode, 0, res.stdout)
            self.assertIn(b"complete up to place", res.stdout)
            res = self.verify(raw, "--log", mirror)
            self.assertEqual(res.returncode, 0, res.stdout)
            self.assertIn(b"all of them in the bundle", res.stdout)
        b = json.loads(self.bundle_of(self.a["id"]))
        types = [r["type"] for r in b["records"]]
        self.assertEqual(types[:5], ["merchant", "listing", "order", "payment", "logistics"])
        self.assertIn("dispute_event", types)
        self.assertEqual([r["chain"]["seq"] for r in b["records"] if "chain" in r],
                         list(range(sum(1 for r in b["records"] if "chain" in r))))

    # ---- moves ----

    def test_a_message_moved_to_another_order_is_caught_by_audit(self):
        self.sql(("UPDATE messages SET order_id = ? WHERE id = ?",
                  (self.b["id"], self.msgs[1]["id"])))
        self.assertAuditFinds("message %s" % self.msgs[1]["id"])

    def test_a_message_moved_with_its_seal_is_refused_by_both_bundles(self):
        mid = self.msgs[1]["id"]
        self.sql(("UPDATE messages SET order_id = ? WHERE id = ?", (self.b["id"], mid)),
                 ("UPDATE seals SET chain_order = ?, chain_seq = 99 WHERE kind = 'message' "
                  "AND record_id = ?", (self.b["id"], mid)))
        self.assertAuditFinds("message %s" % mid)
        # order B's bundle now holds a record sealed into order A's chain
        self.assertVerifyRefuses(self.b["id"], "is sealed as part of order %s" % self.a["id"])
        # order A's bundle has a hole where the message was
        self.assertVerifyRefuses(self.a["id"], "was left out or removed")

    # ---- deletions ----

    def test_a_message_deleted_with_its_seal_is_caught_by_audit_and_verify(self):
        mid = self.msgs[1]["id"]
        self.sql(("DELETE FROM messages WHERE id = ?", (mid,)),
                 ("DELETE FROM seals WHERE kind = 'message' AND record_id = ?", (mid,)))
        self.assertAuditFinds("message %s is in the log but no seal" % mid)
        self.assertVerifyRefuses(self.a["id"], "was left out or removed")

    def test_a_message_deleted_and_the_chain_renumbered_is_caught_by_verify(self):
        mid = self.msgs[1]["id"]
        self.sql(("DELETE FROM messages WHERE id = ?", (mid,)),
                 ("DELETE FROM seals WHERE kind = 'message' AND record_id = ?", (mid,)),
                 ("UPDATE seals SET chain_seq = chain_seq - 1 WHERE chain_order = ? AND "
                  "chain_seq > 4", (self.a["id"],)))
        self.assertAuditFinds("message %s is in the log but no seal" % mid)
        # the bundle's places are read from the leaves, which still say where each was
        self.assertVerifyRefuses(self.a["id"], "was left out or removed")

    def test_the_last_record_deleted_with_its_seal_is_caught_by_audit_and_a_log_copy(self):
        mid = self.b_msg["id"]
        self.sql(("DELETE FROM messages WHERE id = ?", (mid,)),
                 ("DELETE FROM seals WHERE kind = 'message' AND record_id = ?", (mid,)))
        self.assertAuditFinds("message %s is in the log but no seal" % mid)
        raw = self.bundle_of(self.b["id"])
        # the bundle alone cannot show what came after its last record ...
        self.assertEqual(self.verify(raw).returncode, 0)
        # ... a copy of the public log can
        res = self.verify(raw, "--log", self.log_copy())
        self.assertEqual(res.returncode, 1, res.stdout)
        self.assertIn(b"(message %s, place 2 of order %s's chain) is within the bundle's "
                      b"checkpoint but not in the bundle" % (mid.encode(), self.b["id"].encode()),
                      res.stdout)

    def test_a_log_copy_that_was_altered_is_refused(self):
        d = self.log_copy()
        path = os.path.join(d, "tile", "entries", "000.p")
        name = max(os.listdir(path), key=int)   # the tree's own partial bundle
        blob = bytearray(open(os.path.join(path, name), "rb").read())
        blob[len(blob) // 2] ^= 1
        open(os.path.join(path, name), "wb").write(bytes(blob))
        res = self.verify(self.bundle_of(self.a["id"]), "--log", d)
        self.assertEqual(res.returncode, 1, res.stdout)
        self.assertIn(b"the log copy is not intact", res.stdout)

    def test_a_seal_row_deleted_alone_is_caught(self):
        mid = self.msgs[0]["id"]
        self.sql(("DELETE FROM seals WHERE kind = 'message' AND record_id = ?", (mid,)))
        self.assertAuditFinds("message %s" % mid, "no seal in the database claims it")

    def forget_leaf_index(self, mid, leaf=None):
        """The state a sequencer leaves when it stops between appending a seal's leaf and
        recording where: the seal pending again, its leaf (or `leaf`) kept beside it, and
        recovery's mark (seals_recovered_through, kept at a start or a clean close, both
        before that append) no further than the leaf. Returns the leaf's index."""
        seq = self.seal_seq("message", mid)
        (index,), = self.sql(("SELECT leaf_index FROM seals WHERE seq = ?", (seq,)))
        entry = stored_entries(self.data)[index]
        self.sql(("UPDATE seals SET leaf_index = NULL WHERE seq = ?", (seq,)),
                 ("INSERT INTO seal_leaves (seq, leaf) VALUES (?, ?)",
                  (seq, entry if leaf is None else leaf)),
                 ("UPDATE meta SET value = ? WHERE key = 'seals_recovered_through'",
                  (str(index),)))
        return index

    def test_a_leaf_whose_index_a_crash_left_unrecorded_is_pending_until_the_next_server(self):
        mid = self.msgs[1]["id"]
        index = self.forget_leaf_index(mid)
        out = self.assertAuditFinds(
            "log leaf %d: message %s is in the log, and its seal does not record the index yet "
            "(pending)" % (index, mid),
            "message %s: not yet in the evidence log (pending)" % mid)
        problems = [line for line in out.splitlines() if line.startswith("PROBLEM ")]
        self.assertEqual(len(problems), 2, out)
        # the log's next holder records the index; nothing is appended again
        size = stored_size(self.data)
        srv = Server(data_dir=self.data, init=False)
        try:
            srv.start()
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and self.sql(
                    ("SELECT leaf_index FROM seals WHERE kind = 'message' AND record_id = ?",
                     (mid,))) != [(index,)]:
                time.sleep(0.1)
            srv.stop()
        finally:
            srv.kill()
        self.assertEqual(stored_size(self.data), size)
        res = self.audit()
        self.assertEqual(res.returncode, 0, res.stdout)

    def test_a_leaf_index_forgotten_beside_other_bytes_is_caught(self):
        mid = self.msgs[1]["id"]
        index = self.forget_leaf_index(mid, leaf=b"disputed-leaf/v2\ntype message\nid " +
                                       mid.encode() + b"\n")
        self.assertAuditFinds("log leaf %d: message %s is in the log but no seal in the database "
                              "claims it" % (index, mid))

    def test_a_record_deleted_alone_is_caught(self):
        lid = self.lg["id"]
        self.sql(("DELETE FROM logistics_events WHERE id = ?", (lid,)))
        self.assertAuditFinds("logistics %s" % lid)

    # ---- the columns that link records ----

    def test_an_orders_consumer_changed_is_caught(self):
        self.sql(("UPDATE orders SET consumer_id = ? WHERE id = ?",
                  (self.b["consumer"]["id"], self.a["id"])))
        self.assertAuditFinds("order %s" % self.a["id"])

    def test_an_orders_merchant_changed_is_caught(self):
        self.sql(("UPDATE orders SET merchant_id = ? WHERE id = ?",
                  (self.m2["id"], self.a["id"])))
        self.assertAuditFinds("order %s" % self.a["id"])

    def test_an_order_item_pointed_at_another_listing_is_caught(self):
        self.sql(("UPDATE order_items SET listing_id = ? WHERE order_id = ?",
                  (self.lst2["id"], self.a["id"])))
        self.assertAuditFinds("order %s" % self.a["id"])

    def test_a_listing_given_to_another_merchant_is_caught(self):
        self.sql(("UPDATE listings SET merchant_id = ? WHERE id = ?",
                  (self.m2["id"], self.lst["id"])))
        self.assertAuditFinds("listing %s" % self.lst["id"])

    def test_a_disputes_state_changed_is_caught_even_in_its_body(self):
        did = self.dispute["id"]
        self.sql(("UPDATE disputes SET state = 'withdrawn' WHERE id = ?", (did,)))
        self.assertAuditFinds("dispute %s" % did)
        edit_body(self.data, "disputes", "id = ?", (did,),
                  lambda body: body.update(state="withdrawn"))
        self.assertAuditFinds("dispute %s" % did)

    def test_a_dispute_event_moved_to_another_dispute_is_caught(self):
        eid = self.sql(("SELECT id FROM dispute_events WHERE dispute_id = ?",
                        (self.dispute["id"],)))[0][0]
        self.sql(("UPDATE dispute_events SET dispute_id = 'dsp_000000000000000000000000' "
                  "WHERE id = ?", (eid,)), unchecked=True)
        self.assertAuditFinds("dispute_event %s" % eid)

    def test_a_seals_leaf_hash_changed_is_caught(self):
        self.sql(("UPDATE seals SET leaf_hash = ? WHERE kind = 'order' AND record_id = ?",
                  ("A" * 43 + "=", self.a["id"])))
        self.assertAuditFinds("order %s" % self.a["id"])

    def test_a_seals_place_in_the_chain_changed_is_caught(self):
        self.sql(("UPDATE seals SET chain_seq = chain_seq + 50 WHERE kind = 'logistics' "
                  "AND record_id = ?", (self.lg["id"],)))
        self.assertAuditFinds("logistics %s" % self.lg["id"])

    # ---- contents ----

    def test_a_message_text_edited_is_caught_by_audit_and_verify(self):
        mid = self.msgs[2]["id"]
        edit_body(self.data, "messages", "id = ?", (mid,),
                  lambda body: body.update(text="商家已同意全额退款"))
        out = self.assertAuditFinds("message %s" % mid)
        self.assertIn("text", out)
        self.assertVerifyRefuses(self.a["id"], "do not lead to the checkpoint's root")

    def test_a_leaf_swapped_between_two_seals_is_caught(self):
        s1 = self.seal_seq("message", self.msgs[0]["id"])
        s2 = self.seal_seq("message", self.msgs[2]["id"])
        self.sql(("UPDATE seals SET leaf_index = -leaf_index - 1 WHERE seq IN (?, ?)", (s1, s2)),
                 ("UPDATE seals SET leaf_index = (SELECT -s.leaf_index - 1 FROM seals s "
                  "WHERE s.seq = (CASE seals.seq WHEN ? THEN ? ELSE ? END)) WHERE seq IN (?, ?)",
                  (s1, s2, s1, s1, s2)))
        self.assertAuditFinds("message %s" % self.msgs[0]["id"],
                              "message %s" % self.msgs[2]["id"])


if __name__ == "__main__":
    unittest.main()
