"""test_cli.py - the disputed command line: init, --help, key, import (good and bad lines), routes, privacy."""
import base64
import hashlib
import json
import os
import shutil
import tempfile
import unittest

from harness import (VALID_USCC, Server, bad_check, listing_body, logistics_body, merchant_body,
                     message_body, order_body, run_cli, unique_png)

SUBCOMMANDS = ("init", "key", "serve", "demo", "import", "routes", "privacy", "image", "rules")
DATA_TABLES = ("merchants", "consumers", "listings", "orders", "order_items",
               "logistics_events", "messages", "blobs", "blob_refs")


class CliTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="disputed-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    # ---- init ----

    def test_init_creates_a_data_dir_with_database_and_blob_store(self):
        d = os.path.join(self.tmp, "data")
        r = run_cli("init", "--data", d, "--origin", "shop.example.com/disputed")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(d, "disputed.db")))
        self.assertTrue(os.path.isdir(os.path.join(d, "blobs")))

    def test_init_refuses_an_existing_data_dir(self):
        d = os.path.join(self.tmp, "data")
        self.assertEqual(run_cli("init", "--data", d).returncode, 0)
        srv = Server(data_dir=d, init=False)
        srv.key_create("platform", "kept")
        before = srv.counts()
        r = run_cli("init", "--data", d)
        self.assertNotEqual(r.returncode, 0)
        err = r.stderr.decode()
        self.assertIn(d, err)
        self.assertRegex(err, r"already|exists|refus")
        self.assertEqual(srv.counts(), before, "a refused init changed the database")

    def test_init_without_data_is_a_usage_error(self):
        r = run_cli("init")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("usage", r.stderr.decode().lower())

    # ---- help ----

    def test_help_works_for_every_subcommand(self):
        for sub in SUBCOMMANDS:
            with self.subTest(sub=sub):
                r = run_cli(sub, "--help", timeout=10)
                self.assertEqual(r.returncode, 0, r.stderr)
                out = r.stdout.decode()
                self.assertIn("usage", out.lower())
                self.assertIn(sub, out)
        # --help must not have done anything: no demo directory was filled, nothing served
        r = run_cli("--help")
        self.assertEqual(r.returncode, 0)
        for sub in SUBCOMMANDS:
            self.assertIn(sub, r.stdout.decode())

    def test_unknown_subcommand_fails_with_usage(self):
        r = run_cli("frobnicate")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("frobnicate", r.stderr.decode())
        self.assertIn("usage", r.stderr.decode().lower())

    # ---- keys ----

    def test_key_create_prints_only_the_token(self):
        srv = Server(data_dir=os.path.join(self.tmp, "data"))
        r = run_cli("key", "create", "--data", srv.data_dir, "--role", "court",
                    "--name", "北京互联网法院")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout.decode(), r"\Adsk_[A-Za-z0-9_-]{20,}\n\Z")
        listed = run_cli("key", "list", "--data", srv.data_dir).stdout.decode()
        self.assertIn("北京互联网法院", listed)
        self.assertNotIn(r.stdout.decode().strip(), listed, "key list shows the secret")

    def test_key_create_rejects_roles_that_are_minted_not_keyed(self):
        srv = Server(data_dir=os.path.join(self.tmp, "data"))
        before = srv.counts()
        for role in ("consumer", "merchant", "root"):
            r = run_cli("key", "create", "--data", srv.data_dir, "--role", role, "--name", "x")
            self.assertNotEqual(r.returncode, 0, role)
            self.assertEqual(r.stdout, b"")
        self.assertEqual(srv.counts(), before)

    # ---- privacy ----

    def test_privacy_prints_docs_privacy_md_byte_for_byte(self):
        r = run_cli("privacy")
        self.assertEqual(r.returncode, 0, r.stderr)
        from harness import REPO
        with open(os.path.join(REPO, "docs", "privacy.md"), "rb") as f:
            self.assertEqual(r.stdout, f.read(),
                             "regenerate: build/disputed privacy > docs/privacy.md")
        self.assertNotEqual(run_cli("privacy", "extra").returncode, 0)

    # ---- routes ----

    def test_routes_lists_every_route_including_healthz(self):
        r = run_cli("routes")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.decode().splitlines()
        self.assertIn("GET /healthz", lines)
        self.assertIn("GET /metrics", lines)
        self.assertIn("GET /v1/orders/{id}", lines)
        self.assertIn("POST /v1/orders/{id}/logistics", lines)
        self.assertIn("DELETE /v1/tokens/{id}", lines)
        for line in lines:
            self.assertRegex(line, r"^(GET|POST|DELETE|PUT|PATCH) /\S*$")

    # ---- import ----

    def test_import_loads_good_lines_rejects_bad_ones_and_reports_them(self):
        srv = Server(data_dir=os.path.join(self.tmp, "data"))
        png = unique_png()
        blob_id = "sha256:" + hashlib.sha256(png).hexdigest()
        good_m = merchant_body(licence_image=blob_id)
        bad_m = merchant_body(uscc=bad_check(VALID_USCC, "0123456789ABCDEFGHJKLMNPQRTUWXY"))
        lst = listing_body(good_m["external_id"])
        good_o = order_body(good_m["external_id"], lst["external_id"])
        bad_o = order_body(bad_m["external_id"], lst["external_id"])
        lines = [
            "# demo import file",                                                       # 1
            json.dumps({"type": "blob", "content_type": "image/png",
                        "content_base64": base64.b64encode(png).decode()}),             # 2
            json.dumps(dict(good_m, type="merchant"), ensure_ascii=False),              # 3
            '{"type": "merchant", "kind": "company", "legal_name": ',                   # 4 bad JSON
            json.dumps({"type": "refund", "order": good_o["external_id"]}),             # 5 unknown type
            json.dumps(dict(bad_m, type="merchant")),                                   # 6 bad USCC
            json.dumps(dict(lst, type="listing")),                                      # 7
            json.dumps(dict(good_o, type="order")),                                     # 8 merchant of line 3
            json.dumps(dict(bad_o, type="order")),                                      # 9 merchant of line 6
            json.dumps(dict(logistics_body(), type="logistics",
                            order=good_o["external_id"])),                              # 10
            "",                                                                         # 11
            json.dumps(dict(message_body(attachments=[blob_id]), type="message",
                            order=good_o["external_id"])),                              # 12
        ]
        path = os.path.join(self.tmp, "records.ndjson")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        before = srv.counts()

        r = run_cli("import", "--data", srv.data_dir, path)
        out, err = r.stdout.decode(), r.stderr.decode()
        self.assertEqual(r.returncode, 1, (out, err))
        self.assertIn("imported 6 records, rejected 4 lines", out)
        for n in (4, 5, 6, 9):
            self.assertRegex(err, r"line %d: " % n)
        for n in (1, 2, 3, 7, 8, 10, 11, 12):
            self.assertNotRegex(err, r"line %d: " % n)
        self.assertRegex(err, r"line 6: uscc: ")
        self.assertRegex(err, r"line 9: merchant: ")
        self.assertRegex(err, r"line 5: type: ")

        after = srv.counts()
        delta = {t: after[t] - before[t] for t in DATA_TABLES}
        self.assertEqual(delta, {"merchants": 1, "consumers": 1, "listings": 1, "orders": 1,
                                 "order_items": 1, "logistics_events": 1, "messages": 1,
                                 "blobs": 1, "blob_refs": 2})

        platform = srv.key_create("platform", "after import")
        srv.start()
        try:
            m = srv.request("GET", "/v1/merchants/" + good_m["external_id"], token=platform)
            self.assertEqual(m.status, 200, m.body)
            self.assertEqual(m.body["licence_image"], blob_id)
            self.assertIs(m.body["identity_complete"], True)
            self.assertEqual(srv.request("GET", "/v1/merchants/" + bad_m["external_id"],
                                         token=platform).status, 404)
            o = srv.request("GET", "/v1/orders/" + good_o["external_id"], token=platform)
            self.assertEqual(o.status, 200, o.body)
            self.assertEqual(o.body["merchant"], m.body["id"])
            self.assertEqual(o.body["consumer"]["name"], good_o["consumer"]["name"])
            self.assertEqual(srv.request("GET", "/v1/orders/" + bad_o["external_id"],
                                         token=platform).status, 404)
            ev = srv.request("GET", "/v1/orders/%s/logistics" % o.body["id"], token=platform)
            self.assertEqual(len(ev.body["data"]), 1)
            msgs = srv.request("GET", "/v1/orders/%s/messages" % o.body["id"], token=platform)
            self.assertEqual([x["attachments"] for x in msgs.body["data"]], [[blob_id]])
            content = srv.request("GET", "/v1/blobs/%s/content" % blob_id, token=platform)
            self.assertEqual(content.body, png)
        finally:
            srv.stop()

    def test_import_of_only_good_lines_exits_0(self):
        srv = Server(data_dir=os.path.join(self.tmp, "data"))
        m = merchant_body()
        path = os.path.join(self.tmp, "ok.ndjson")
        with open(path, "w") as f:
            f.write(json.dumps(dict(m, type="merchant")) + "\n")
            f.write(json.dumps(dict(listing_body(m["external_id"]), type="listing")) + "\n")
        r = run_cli("import", "--data", srv.data_dir, path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("imported 2 records, rejected 0 lines", r.stdout.decode())
        self.assertEqual(srv.counts()["listings"], 1)

    def test_import_reads_standard_input(self):
        srv = Server(data_dir=os.path.join(self.tmp, "data"))
        line = json.dumps(dict(merchant_body(), type="merchant")) + "\n"
        r = run_cli("import", "--data", srv.data_dir, "-", input_bytes=line.encode())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(srv.counts()["merchants"], 1)

    def test_import_of_a_missing_file_fails(self):
        srv = Server(data_dir=os.path.join(self.tmp, "data"))
        r = run_cli("import", "--data", srv.data_dir, os.path.join(self.tmp, "absent.ndjson"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("absent.ndjson", r.stderr.decode())


if __name__ == "__main__":
    unittest.main()
