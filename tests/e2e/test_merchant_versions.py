"""test_merchant_versions.py - a merchant's identity kept current (E-Commerce Law art. 27): each update a new sealed version, disputes keep the version their order froze, and a report of merchants due to be verified again."""
import json
import os
import re
import subprocess
import tempfile
import unittest

from dispute_kit import DAY, DisputeCase, shift
from harness import BIN, VALID_RID, audit_settled, run_cli

NEW_ADDRESS = "福建省厦门市思明区新址路8号"


def fields(rec):
    """A bundle record's disclosed fields: name -> value."""
    return {k: f["value"] for k, f in rec["fields"].items() if "value" in f}


class MerchantVersionTest(DisputeCase):

    # ---- helpers ----

    def patch(self, merchant, body, token="platform"):
        return self.req("PATCH", "/v1/merchants/%s" % merchant["id"], body, token=token)

    def bundle(self, order, token="platform"):
        r = self.req("GET", "/v1/orders/%s/bundle" % order["id"], token=token, raw_reply=True)
        self.assertEqual(r.status, 200, r.body)
        return r.body

    def verify(self, raw):
        vkey = run_cli("log", "vkey", "--data", self.srv.data_dir)
        self.assertEqual(vkey.returncode, 0, vkey.stderr)
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            f.write(raw)
            path = f.name
        try:
            return subprocess.run([BIN, "verify", "--vkey", vkey.stdout.decode().strip(), path],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        finally:
            os.unlink(path)

    def merchant_record(self, raw):
        recs = [r for r in json.loads(raw)["records"] if r["type"] == "merchant"]
        self.assertEqual(len(recs), 1, recs)
        return recs[0]

    def frozen_merchant(self, d):
        recs = [r for r in self.get(d)["evidence_set"]["records"] if r["type"] == "merchant"]
        self.assertEqual(len(recs), 1, recs)
        return recs[0]

    def audit_clean(self):
        res = audit_settled(self.srv.data_dir)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn(b"0 problems", res.stdout)

    # ---- versions ----

    def test_an_update_is_version_2_and_the_old_dispute_keeps_version_1(self):
        shop = self.shop()
        m = shop.merchant
        self.assertEqual(m["version"], 1)
        self.assertEqual(m["verified_at"], m["created_at"])
        self.assertEqual(shop.order["merchant_version"], 1)
        old = self.opened(shop)
        self.assertEqual(self.frozen_merchant(old)["version"], 1)
        self.assertEqual(self.frozen_merchant(old)["leaf_hash"], m["sealed"]["leaf_hash"])

        self.advance(DAY)
        r = self.patch(m, {"registered_address": NEW_ADDRESS, "verified_at": self.now()})
        self.assertEqual(r.status, 200, r.body)
        v2 = r.body
        self.assertEqual((v2["id"], v2["version"], v2["registered_address"]),
                         (m["id"], 2, NEW_ADDRESS))
        self.assertEqual(v2["verified_at"], self.now())
        self.assertEqual((v2["legal_name"], v2["uscc"], v2["external_id"]),
                         (m["legal_name"], m["uscc"], m["external_id"]))
        self.assertIn("sealed", v2)
        self.assertNotEqual(v2["sealed"]["leaf_hash"], m["sealed"]["leaf_hash"])

        # the current version is served; any version by its number
        cur = self.req("GET", "/v1/merchants/" + m["id"]).body
        self.assertEqual((cur["version"], cur["registered_address"]), (2, NEW_ADDRESS))
        one = self.req("GET", "/v1/merchants/%s/versions/1" % m["id"])
        self.assertEqual(one.status, 200, one.body)
        self.assertEqual((one.body["version"], one.body["registered_address"]),
                         (1, m["registered_address"]))
        self.assertEqual(one.body["sealed"], m["sealed"])
        two = self.req("GET", "/v1/merchants/%s/versions/2" % m["id"])
        self.assertEqual(two.body["sealed"], v2["sealed"])
        for bad in ("3", "0", "x"):
            self.assertError(self.req("GET", "/v1/merchants/%s/versions/%s" % (m["id"], bad)),
                             404, "not_found")
        # the merchant sees its own versions; the order's consumer too (CPL art. 44)
        r = self.req("GET", "/v1/merchants/%s/versions/1" % m["id"], token=shop.merchant_token)
        self.assertEqual(r.status, 200, r.body)
        r = self.req("GET", "/v1/merchants/%s/versions/1" % m["id"], token=shop.consumer)
        self.assertEqual(r.body["registered_address"], m["registered_address"])
        stranger = self.token("consumer", self.shop().order["consumer"]["id"])
        self.assertError(self.req("GET", "/v1/merchants/%s/versions/1" % m["id"],
                                  token=stranger), 404, "not_found")

        # the old dispute keeps version 1, in its evidence set and its bundle, which verifies
        self.assertEqual(self.frozen_merchant(old)["version"], 1)
        raw = self.bundle(shop.order)
        rec = fields(self.merchant_record(raw))
        self.assertEqual((rec["version"], rec["registered_address"]),
                         ("1", m["registered_address"]))
        res = self.verify(raw)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)

        # a new order is placed under version 2, and its dispute freezes 2
        o2 = self.world.order(m["id"], shop.listing["id"], unit_price=1999)
        self.assertEqual(o2["merchant_version"], 2)
        d2 = self.req("POST", "/v1/disputes", {"order": o2["id"], "reason": "quality",
                                               "claim": {"type": "refund",
                                                         "amount": o2["total"]}})
        self.assertEqual(d2.status, 201, d2.body)
        frozen = self.frozen_merchant(d2.body)
        self.assertEqual((frozen["version"], frozen["leaf_hash"]),
                         (2, v2["sealed"]["leaf_hash"]))
        raw2 = self.bundle(o2)
        rec2 = fields(self.merchant_record(raw2))
        self.assertEqual((rec2["version"], rec2["registered_address"]), ("2", NEW_ADDRESS))
        res = self.verify(raw2)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.audit_clean()

    def test_the_consumer_of_an_old_order_is_given_the_current_identity_beside_the_frozen(self):
        shop = self.shop()
        m = shop.merchant
        self.advance(DAY)
        r = self.patch(m, {"registered_address": NEW_ADDRESS,
                           "contact": {"phone": "+86 592 6666 0000"}})
        self.assertEqual(r.status, 200, r.body)
        # no verified_at: the last verification stands
        self.assertEqual(r.body["verified_at"], m["verified_at"])
        self.assertNotIn("email", [k for k, v in r.body["contact"].items() if v])
        r = self.req("POST", "/v1/disclosures",
                     {"order": shop.order["id"], "scope": ["merchant_identity", "order"],
                      "purpose": "起诉商家需要被告现住所"}, token=shop.consumer)
        self.assertEqual(r.status, 201, r.body)
        cur = r.body["released"]["merchant_current"]
        self.assertEqual((cur["version"], cur["order_version"], cur["registered_address"]),
                         (2, 1, NEW_ADDRESS))
        self.assertEqual(cur["contact"]["phone"], "+86 592 6666 0000")
        self.assertEqual(cur["leaf_hash"],
                         self.req("GET", "/v1/merchants/" + m["id"]).body["sealed"]["leaf_hash"])
        dsc = r.body["id"]
        # the package's evidence keeps the identity of the order's time, and verifies
        r = self.req("GET", "/v1/disclosures/%s/package" % dsc, token=shop.consumer,
                     raw_reply=True)
        self.assertEqual(r.status, 200, r.body)
        rec = fields(self.merchant_record(r.body))
        self.assertEqual(rec["registered_address"], m["registered_address"])
        res = self.verify(r.body)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        # the PDF's cover says both: the table of the order's time, the address of today
        r = self.req("GET", "/v1/disclosures/%s/package?format=pdf" % dsc, token=shop.consumer,
                     raw_reply=True)
        self.assertEqual(r.status, 200, r.body)
        with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as f:
            f.write(r.body)
            path = f.name
        try:
            text = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], check=True,
                                  stdout=subprocess.PIPE, timeout=60).stdout.decode()
        finally:
            os.unlink(path)
        text = re.sub(r"\s+", "", text)
        self.assertIn("经营者身份信息已更新（第2版", text)
        self.assertIn(re.sub(r"\s+", "", NEW_ADDRESS), text)
        self.assertIn(re.sub(r"\s+", "", m["registered_address"]), text)
        # and the consumer reads the current identity on the merchant itself
        r = self.req("GET", "/v1/merchants/" + m["id"], token=shop.consumer)
        self.assertEqual(r.body["registered_address"], NEW_ADDRESS)

    def test_a_verification_that_changes_nothing_is_a_sealed_version_too(self):
        shop = self.shop()
        m = shop.merchant
        self.advance(30 * DAY)
        r = self.patch(m, {"verified_at": self.now()})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual((r.body["version"], r.body["verified_at"]), (2, self.now()))
        self.assertIn("sealed", r.body)
        # a change of kind takes the other kind's number; a null drops an optional field
        r = self.patch(m, {"kind": "individual", "legal_name": "张三", "id_number": VALID_RID,
                           "licence_image": None})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual((r.body["version"], r.body["kind"], r.body["id_number"]),
                         (3, "individual", VALID_RID.upper()))
        self.assertNotIn("uscc", r.body)
        self.assertIsNone(r.body["licence_image"])
        self.assertFalse(r.body["identity_complete"])
        self.audit_clean()

    def test_bad_updates_name_the_field_and_change_nothing(self):
        shop = self.shop()
        m = shop.merchant
        self.advance(DAY)
        later = shift(self.now(), 60)
        earlier = shift(m["verified_at"], -60)
        cases = [
            ({"uscc": m["uscc"][:17] + ("0" if m["uscc"][17] != "0" else "1")}, 400,
             "invalid_checksum", "uscc"),
            ({"kind": "individual"}, 400, "required", "id_number"),
            ({"id_number": VALID_RID}, 400, "unknown_parameter", "id_number"),
            ({"external_id": "other"}, 400, "immutable", "external_id"),
            ({"verified_at": later}, 400, "invalid_value", "verified_at"),
            ({"verified_at": earlier}, 400, "invalid_value", "verified_at"),
            ({"verified_at": "yesterday"}, 400, "invalid_value", "verified_at"),
            ({"contact": {"phone": "1", "email": "nope"}}, 400, "invalid_value",
             "contact.email"),
            ({"contact": {"email": "a@example.com"}}, 400, "required", "contact.phone"),
            ({"registered_address": ""}, 400, "invalid_value", "registered_address"),
            ({"licence_image": "sha256:" + "0" * 64}, 400, "resource_missing", "licence_image"),
            ({"nickname": "x"}, 400, "unknown_parameter", "nickname"),
            ({}, 400, "empty_update", "body"),
        ]
        before = self.srv.counts()
        for body, status, code, param in cases:
            with self.subTest(body=body):
                r = self.patch(m, body)
                self.assertEqual(r.status, status, r.body)
                self.assertEqual(r.body["error"]["code"], code, r.body)
                self.assertEqual(r.body["error"].get("param"), param, r.body)
        self.assertError(self.patch(m, {"legal_name": "x"}, token=shop.merchant_token), 403,
                         "forbidden")
        self.assertError(self.patch(m, {"legal_name": "x"}, token=self.agent), 403, "forbidden")
        self.assertError(self.req("PATCH", "/v1/merchants/mer_000000000000000000000000",
                                  {"legal_name": "x"}), 404, "not_found")
        self.assertEqual(self.srv.counts(), before)
        cur = self.req("GET", "/v1/merchants/" + m["id"]).body
        self.assertEqual((cur["version"], cur["registered_address"]),
                         (1, m["registered_address"]))

    # ---- the report ----

    def report(self, query="", token="platform"):
        return self.req("GET", "/v1/reports/merchant_verification" + query, token=token)

    def test_the_report_lists_the_overdue_merchants_not_the_fresh(self):
        old = [self.world.merchant() for _ in range(3)]
        self.advance(200 * DAY)
        young = self.world.merchant()
        self.advance(170 * DAY)   # 370 days after the first three, 170 after the young one
        r = self.patch(old[1], {"verified_at": self.now()})
        self.assertEqual(r.status, 200, r.body)
        r = self.report()
        self.assertEqual(r.status, 200, r.body)
        rep = r.body
        self.assertEqual((rep["object"], rep["reverify_days"], rep["generated_at"]),
                         ("merchant_verification_report", 365, self.now()))
        listed = {row["merchant"]: row for row in rep["data"]}
        self.assertEqual(set(listed), {old[0]["id"], old[2]["id"]})
        row = listed[old[0]["id"]]
        self.assertEqual(row, {"merchant": old[0]["id"], "external_id": old[0]["external_id"],
                               "version": 1, "verified_at": old[0]["verified_at"],
                               "due_at": shift(old[0]["verified_at"], 365 * DAY),
                               "days_overdue": 5})
        self.assertNotIn(young["id"], listed)
        self.assertIsNone(rep["next_cursor"])
        # a page at a time
        r = self.report("?limit=1")
        self.assertEqual([x["merchant"] for x in r.body["data"]], [old[0]["id"]])
        r = self.report("?limit=1&cursor=" + r.body["next_cursor"])
        self.assertEqual([x["merchant"] for x in r.body["data"]], [old[2]["id"]])
        self.assertIsNone(r.body["next_cursor"])
        self.assertError(self.report("?limit=0"), 400, "invalid_value", param="limit")
        self.assertError(self.report("?limit=101"), 400, "invalid_value", param="limit")
        # the regulator reads it; agents and parties do not
        regulator = self.srv.key_create("regulator", "市场监管局")
        r = self.report(token=regulator)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(len(r.body["data"]), 2)
        agent = self.token("agent", "客服-王芳")   # minted now: the clock moved past the first
        self.assertError(self.report(token=agent), 403, "forbidden")
        # the command: every page, as CSV, as of the server's clock
        res = run_cli("report", "merchant_verification", "--data", self.srv.data_dir,
                      "--format", "csv", "--as-of", self.now())
        self.assertEqual(res.returncode, 0, res.stderr)
        lines = res.stdout.decode().splitlines()
        self.assertEqual(lines[0], "merchant,external_id,version,verified_at,due_at,days_overdue")
        self.assertEqual(sorted(re.match(r"^(mer_[0-9a-f]+),", x).group(1) for x in lines[1:]),
                         sorted([old[0]["id"], old[2]["id"]]))
        res = run_cli("report", "merchant_verification", "--data", self.srv.data_dir,
                      "--as-of", self.now(), "--reverify-days", "100")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(len(json.loads(res.stdout)["data"]), 3)   # the young one too
        self.audit_clean()


if __name__ == "__main__":
    unittest.main()
