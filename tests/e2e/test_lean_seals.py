"""test_lean_seals.py - a seal keeps one 32-byte secret (the bundles' salts derive from it as docs/formats.md says) and, once in the log, no copy of its leaf; data directories from before keep auditing and verifying."""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import (BIN, Server, World, backend_of, copy_data, logistics_body, message_body,
                     run_cli, sql)
from tlog_client import leaf_hash, served_entries


def salt_of(secret, name):
    """docs/formats.md: crypto_kdf (BLAKE2b) with context "dspsalt1" and the name's subkey id."""
    subkey_id = hashlib.sha256(b"disputed-salt/v1\x00" + name.encode()).digest()[:8]
    return hashlib.blake2b(b"", digest_size=32, key=secret, salt=subkey_id + b"\x00" * 8,
                           person=b"dspsalt1" + b"\x00" * 8).digest()


def field_names(leaf):
    return [line.split(" ")[1] for line in leaf.decode().splitlines() if line.startswith("field ")]


class LeanSealTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = Server()
        cls.tmp = tempfile.mkdtemp(prefix="disputed-lean-")
        try:
            cls.platform = cls.srv.key_create("platform", "lean platform")
            cls.srv.start()
            cls.world = World(cls.srv, cls.platform)
            _m, _lst, cls.order = cls.world.shop()
            cls.world.post("/v1/orders/%s/logistics" % cls.order["id"], logistics_body())
            cls.world.post("/v1/orders/%s/messages" % cls.order["id"], message_body())
            r = run_cli("log", "vkey", "--data", cls.srv.data_dir)
            assert r.returncode == 0, r.stderr
            cls.vkey = r.stdout.decode().strip()
        except Exception:
            cls.srv.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()
        finally:
            cls.srv.cleanup()
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def rows(self, data, query, args=()):
        return sql(data, query, args)

    def bundle(self, srv, order_id):
        r = srv.request("GET", "/v1/orders/%s/bundle" % order_id, token=self.platform,
                        raw_reply=True)
        self.assertEqual(r.status, 200, r.body)
        return r.body

    def verify(self, raw):
        path = os.path.join(self.tmp, "bundle-%d.json" % len(os.listdir(self.tmp)))
        with open(path, "wb") as f:
            f.write(raw)
        return subprocess.run([BIN, "verify", "--vkey", self.vkey, path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)

    def test_bundle_salts_derive_from_the_seals_secret_as_documented(self):
        raw = self.bundle(self.srv, self.order["id"])
        b = json.loads(raw)
        checked = 0
        for rec in b["records"]:
            rows = self.rows(self.srv.data_dir, "SELECT secret, salts FROM seals WHERE kind = ? "
                             "AND record_id = ?", (rec["type"], rec["id"]))
            self.assertEqual(len(rows), 1, rec["id"])
            secret, salts = rows[0]
            self.assertEqual((len(secret), salts), (32, ""), rec["id"])
            for name, f in rec["fields"].items():
                self.assertEqual(base64.b64decode(f["salt"]), salt_of(secret, name),
                                 "%s %s" % (rec["id"], name))
                checked += 1
            # the secret itself is never served: not in the bundle, not in the record
            for text in (base64.b64encode(secret), secret.hex().encode()):
                self.assertNotIn(text, raw)
        self.assertGreater(checked, 10)
        r = self.srv.request("GET", "/v1/orders/%s" % self.order["id"], token=self.platform,
                             raw_reply=True)
        for (secret,) in self.rows(self.srv.data_dir, "SELECT secret FROM seals"):
            self.assertNotIn(base64.b64encode(secret), r.body)
        res = self.verify(raw)
        self.assertEqual(res.returncode, 0, res.stdout.decode() + res.stderr.decode())

    def test_a_seal_in_the_log_keeps_only_its_hash_and_the_log_has_the_leaf(self):
        entries = served_entries(self.srv)
        rows = self.rows(self.srv.data_dir, "SELECT leaf_index, leaf_hash, length(leaf) "
                         "FROM seals WHERE leaf_index IS NOT NULL")
        self.assertGreater(len(rows), 5)
        for index, h, leaf_len in rows:
            self.assertEqual(leaf_len, 0, index)
            self.assertEqual(base64.b64encode(leaf_hash(entries[index])).decode(), h, index)
        # pending leaves wait in seal_leaves; none is left once the log holds them
        self.assertEqual(self.rows(self.srv.data_dir, "SELECT count(*) FROM seals "
                                   "WHERE leaf_index IS NULL"), [(0,)])
        self.assertEqual(self.rows(self.srv.data_dir, "SELECT count(*) FROM seal_leaves"), [(0,)])

    def test_a_data_dir_from_before_secrets_audits_verifies_and_grows(self):
        # The seals as they were kept before: every field's salt as JSON, the leaf in the row.
        data = os.path.join(self.tmp, "old")
        self.srv.stop()
        try:
            copy_data(self.srv.data_dir, data)
        finally:
            self.srv.start()
        srv = Server(data_dir=data, init=False)
        srv.start()
        try:
            entries = served_entries(srv)
        finally:
            srv.stop()
        for seq, index, secret in self.rows(data, "SELECT seq, leaf_index, secret FROM seals"):
            leaf = entries[index]
            salts = {n: base64.b64encode(salt_of(secret, n)).decode() for n in field_names(leaf)}
            self.rows(data, "UPDATE seals SET salts = ?, leaf = ?, secret = NULL WHERE seq = ?",
                      (json.dumps(salts, sort_keys=True, separators=(",", ":")), leaf, seq))
        self.assertEqual(self.rows(data, "SELECT count(*) FROM seals WHERE secret IS NOT NULL "
                                   "OR length(leaf) = 0"), [(0,)])
        audit = run_cli("audit", "--data", data)
        self.assertEqual(audit.returncode, 0, audit.stdout.decode())
        srv = Server(data_dir=data, init=False)
        srv.start()
        try:
            res = self.verify(self.bundle(srv, self.order["id"]))
            self.assertEqual(res.returncode, 0, res.stdout.decode() + res.stderr.decode())
            # new records join the old chain, sealed the new way
            r = srv.request("POST", "/v1/orders/%s/messages" % self.order["id"], message_body(),
                            token=self.platform)
            self.assertEqual(r.status, 201, r.body)
            res = self.verify(self.bundle(srv, self.order["id"]))
            self.assertEqual(res.returncode, 0, res.stdout.decode() + res.stderr.decode())
        finally:
            srv.stop()
        (secret, leaf_len), = self.rows(data, "SELECT secret, length(leaf) FROM seals "
                                        "WHERE record_id = ?", (r.body["id"],))
        self.assertEqual((len(secret), leaf_len), (32, 0))
        audit = run_cli("audit", "--data", data)
        self.assertEqual(audit.returncode, 0, audit.stdout.decode())
        # and an old row's leaf edited is still caught
        if backend_of(data) == "postgres":
            edit = "convert_to(replace(convert_from(leaf, 'UTF8'), 'type ', 'type  '), 'UTF8')"
        else:
            edit = "CAST(replace(CAST(leaf AS TEXT), 'type ', 'type  ') AS BLOB)"
        self.rows(data, "UPDATE seals SET leaf = %s WHERE kind = 'logistics'" % edit)
        audit = run_cli("audit", "--data", data)
        self.assertEqual(audit.returncode, 1, audit.stdout.decode())
        self.assertIn("logistics", audit.stdout.decode())


if __name__ == "__main__":
    unittest.main()
