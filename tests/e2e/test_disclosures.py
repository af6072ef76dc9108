"""test_disclosures.py - the disclosure desk: a consumer gets the merchant's identity and their records at once, a court's or association's request waits for an agent within its deadline, and each package verifies offline holding only what was released."""
import json
import os
import subprocess
import tempfile
import unittest

from dispute_kit import DisputeCase, cny
from harness import BIN, logistics_body, message_body, run_cli, unique_png

SCOPE_ALL = ["merchant_identity", "order", "listing", "payment", "logistics", "messages",
             "dispute_record"]


class DisclosureTest(DisputeCase):

    def setUp(self):
        super().setUp()
        self.vkey = run_cli("log", "vkey", "--data", self.srv.data_dir).stdout.decode().strip()

    # ---- tools ----

    def order_with_records(self):
        shop = self.shop(amount=1999)
        o = shop.order["id"]
        self.world.post("/v1/orders/%s/logistics" % o, logistics_body())
        r = self.req("POST", "/v1/blobs", raw=unique_png(), headers={"Content-Type": "image/png"})
        self.assertEqual(r.status, 201, r.body)
        self.world.post("/v1/orders/%s/messages" % o,
                        message_body(text="请问什么时候发货？我的电话是13900001111",
                                     attachments=[r.body["id"]]))
        return shop

    def court(self, name="杭州互联网法院"):
        return self.world.token_for("court", name)["token"]

    def association(self, name="浙江省消费者权益保护委员会"):
        return self.world.token_for("association", name)["token"]

    def disclose(self, token, body, status=201):
        r = self.req("POST", "/v1/disclosures", body, token=token)
        self.assertEqual(r.status, status, r.body)
        return r.body

    def package(self, d, token):
        r = self.req("GET", "/v1/disclosures/%s/package" % d["id"], token=token, raw_reply=True)
        self.assertEqual(r.status, 200, r.body)
        return r.body

    def verify(self, raw):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "package.json")
            with open(path, "wb") as f:
                f.write(raw)
            return subprocess.run([BIN, "verify", "--vkey", self.vkey, "--log",
                                   self.srv.data_dir, path], stdout=subprocess.PIPE)

    def shown(self, raw):
        """type -> list of records whose fields are disclosed."""
        out = {}
        for rec in json.loads(raw)["records"]:
            values = [f for f in rec["fields"].values() if "value" in f]
            if values:
                out.setdefault(rec["type"], []).append(rec)
        return out

    # ---- the consumer's basic right ----

    def test_a_consumer_gets_the_merchants_identity_and_their_records_at_once(self):
        shop = self.order_with_records()
        d = self.disclose(shop.consumer, {"order": shop.order["id"], "scope": SCOPE_ALL,
                                          "purpose": "起诉商家需要被告身份信息"})
        self.assertEqual(d["state"], "released")
        self.assertIsNone(d["due_at"])
        self.assertEqual(d["released"]["basis"], "cpl_44")
        self.assertEqual(d["released"]["to"], {"role": "consumer",
                                               "id": shop.order["consumer"]["id"]})
        raw = self.package(d, shop.consumer)
        res = self.verify(raw)
        self.assertEqual(res.returncode, 0, res.stdout)
        self.assertIn(b"all of them in the bundle", res.stdout)
        shown = self.shown(raw)
        merchant = shown["merchant"][0]["fields"]
        self.assertEqual(merchant["legal_name"]["value"], shop.merchant["legal_name"])
        self.assertEqual(merchant["registered_address"]["value"],
                         shop.merchant["registered_address"])
        self.assertIn("message", shown)
        # the package holds its own release and view, sealed in the order's chain
        own = [r for r in json.loads(raw)["records"] if r["type"] == "disclosure_event"]
        self.assertEqual(sorted(r["fields"]["type"]["value"] for r in own),
                         ["package_viewed", "released", "requested"])

    def test_another_consumers_order_reads_as_missing_and_merchants_cannot_ask(self):
        shop = self.order_with_records()
        other = self.shop()
        r = self.req("POST", "/v1/disclosures", {"order": shop.order["id"],
                                                 "scope": ["merchant_identity"],
                                                 "purpose": "x"}, token=other.consumer)
        self.assertError(r, 400, "resource_missing", param="order")
        r = self.req("POST", "/v1/disclosures", {"order": shop.order["id"],
                                                 "scope": ["order"], "purpose": "x"},
                     token=shop.merchant_token)
        self.assertEqual(r.status, 403, r.body)

    # ---- requests that wait for an agent ----

    def test_a_courts_request_waits_for_an_agent_who_releases_part_with_reasons(self):
        shop = self.order_with_records()
        court = self.court()
        d = self.disclose(court, {"order": shop.order["id"], "scope": ["merchant_identity",
                                                                       "order", "messages"],
                                  "purpose": "审理买卖合同纠纷", "reference": "(2025)浙0192民初1234号"})
        self.assertEqual(d["state"], "pending")
        self.assertIsNotNone(d["due_at"])
        # not before an agent answers
        r = self.req("GET", "/v1/disclosures/%s/package" % d["id"], token=court)
        self.assertError(r, 409, "not_released")
        # the agent's queue shows it; the court sees its own only
        q = self.req("GET", "/v1/disclosures?state=pending", token=self.agent).body
        self.assertIn(d["id"], [x["id"] for x in q["data"]])
        other_court = self.court("北京互联网法院")
        self.assertEqual(self.req("GET", "/v1/disclosures/%s" % d["id"],
                                  token=other_court).status, 404)
        # a part of it, with reasons; the basis defaults from the court's role
        r = self.req("POST", "/v1/disclosures/%s/approve" % d["id"],
                     {"scope": ["merchant_identity", "order"], "reasons": ["依法协助法院调查取证"]},
                     token=self.agent)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["state"], "partially_released")
        self.assertEqual(r.body["released"]["basis"], "pipl_13_1_3")
        again = self.req("POST", "/v1/disclosures/%s/refuse" % d["id"],
                         {"reasons": ["重复"]}, token=self.agent)
        self.assertError(again, 409, "wrong_state")
        raw = self.package(d, court)
        self.assertEqual(self.verify(raw).returncode, 0)
        shown = self.shown(raw)
        self.assertIn("order", shown)
        self.assertNotIn("message", shown)            # not released: commitments only
        self.assertNotIn(b"13900001111", raw)
        self.assertNotIn(b"content_base64", raw)      # the image belongs to the chat

    def test_the_package_reads_as_a_pdf_holding_only_what_was_released(self):
        shop = self.order_with_records()
        court = self.court()
        d = self.disclose(court, {"order": shop.order["id"],
                                  "scope": ["merchant_identity", "order", "logistics"],
                                  "purpose": "审理买卖合同纠纷", "reference": "(2025)浙0192民初77号"})
        self.req("POST", "/v1/disclosures/%s/approve" % d["id"],
                 {"reasons": ["依法协助法院调查取证"]}, token=self.agent)
        r = self.req("GET", "/v1/disclosures/%s/package?format=pdf" % d["id"], token=court,
                     raw_reply=True)
        self.assertEqual(r.status, 200, r.body[:200])
        self.assertEqual(r.headers.get("Content-Type"), "application/pdf")
        self.assertTrue(r.body.startswith(b"%PDF-"))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "p.pdf")
            with open(path, "wb") as f:
                f.write(r.body)
            text = subprocess.run(["pdftotext", "-layout", path, "-"],
                                  stdout=subprocess.PIPE).stdout.decode()
        flat = "".join(text.split())
        self.assertIn("证据目录", flat)
        self.assertIn("".join(shop.merchant["legal_name"].split()), flat)
        self.assertIn("(2025)浙0192民初77号", flat)
        self.assertIn("pipl_13_1_3", flat)
        self.assertIn(d["id"], flat)
        self.assertIn("disputedverify", flat)
        # the chat was not released: its text and the phone in it are not in the PDF
        self.assertNotIn("13900001111", flat)
        self.assertNotIn("请问什么时候发货", flat)
        # and the view is on record
        r = self.req("GET", "/v1/audit_events")
        self.assertIn(d["id"], json.dumps(r.body["data"], ensure_ascii=False))

    def test_an_associations_request_can_be_refused_with_reasons(self):
        shop = self.order_with_records()
        assoc = self.association()
        d = self.disclose(assoc, {"order": shop.order["id"], "scope": ["merchant_identity"],
                                  "purpose": "调解消费纠纷", "reference": "浙消协(2025)88号"})
        r = self.req("POST", "/v1/disclosures/%s/refuse" % d["id"],
                     {"reasons": ["消费者未授权"]}, token=self.agent)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["state"], "refused")
        self.assertEqual(self.req("GET", "/v1/disclosures/%s/package" % d["id"],
                                  token=assoc).status, 409)

    def test_bad_requests_name_the_field_and_change_nothing(self):
        shop = self.order_with_records()
        court = self.court()
        cases = [
            ({"order": shop.order["id"], "scope": ["merchant_identity"], "purpose": "x"},
             "reference"),
            ({"order": shop.order["id"], "scope": ["everything"], "purpose": "x",
              "reference": "r"}, "scope"),
            ({"order": shop.order["id"], "scope": [], "purpose": "x", "reference": "r"},
             "scope"),
            ({"order": "ord_000000000000000000000000", "scope": ["order"], "purpose": "x",
              "reference": "r"}, "order"),
            ({"order": shop.order["id"], "scope": ["order"], "reference": "r"}, "purpose"),
            ({"order": shop.order["id"], "scope": ["order"], "purpose": "x", "reference": "r",
              "reference_document": "sha256:" + "0" * 64}, "reference_document"),
        ]
        for body, param in cases:
            r = self.req("POST", "/v1/disclosures", body, token=court)
            self.assertEqual(r.status, 400, (body, r.body))
            self.assertEqual(r.body["error"]["param"], param, r.body)
        self.assertEqual(self.req("GET", "/v1/disclosures", token=court).body["data"], [])
        # only a court may ask for confidentiality
        r = self.req("POST", "/v1/disclosures",
                     {"order": shop.order["id"], "scope": ["order"], "purpose": "x",
                      "confidential": {"reason": "侦查不公开"}}, token=shop.consumer)
        self.assertError(r, 400, "not_allowed", param="confidential")

    def test_an_unanswered_request_is_a_duty_the_compliance_report_counts(self):
        from urllib.parse import quote
        shop = self.order_with_records()
        d = self.disclose(self.association(), {"order": shop.order["id"],
                                               "scope": ["merchant_identity"],
                                               "purpose": "调解", "reference": "浙消协1号"})

        def disclose_row():
            frm = "2020-01-01T00:00:00Z"
            to = "2030-01-01T00:00:00Z"
            r = self.req("GET", "/v1/reports/compliance?from=%s&to=%s" % (quote(frm), quote(to)))
            self.assertEqual(r.status, 200, r.body)
            rows = [o for o in r.body["obligations"] if o["kind"] == "disclose"]
            self.assertEqual(len(rows), 1, r.body)
            return rows[0], r.body["breaches"]

        row, breaches = disclose_row()
        self.assertEqual((row["total"], row["open"], row["breached"]), (1, 1, 0))
        # past its due time, unanswered: breached
        self.advance_to(d["due_at"])
        self.advance(1)
        row, breaches = disclose_row()
        self.assertEqual((row["open"], row["breached"]), (1, 1))
        self.assertIn(d["id"], [b["dispute"] for b in breaches])
        # answered late: met late, still breached
        r = self.req("POST", "/v1/disclosures/%s/approve" % d["id"], {"reasons": ["迟复"]},
                     token=self.agent)
        self.assertEqual(r.status, 200, r.body)
        row, _ = disclose_row()
        self.assertEqual((row["met_late"], row["open"], row["breached"]), (1, 0, 1))

    def test_the_merchant_is_told_in_the_timeline_unless_the_court_asks_confidentiality(self):
        shop = self.order_with_records()
        d = self.opened(shop)
        court = self.court()

        def told():
            evs = self.req("GET", "/v1/disputes/%s/events" % d["id"],
                           token=shop.merchant_token).body["data"]
            return [e for e in evs if e["type"] == "disclosure_released"]

        open_req = self.disclose(court, {"dispute": d["id"], "scope": ["order"],
                                         "purpose": "审理", "reference": "(2025)浙01民初2号"})
        secret = self.disclose(court, {"dispute": d["id"], "scope": ["order"],
                                       "purpose": "审理", "reference": "(2025)浙01民初3号",
                                       "confidential": {"reason": "案件尚在侦查阶段"}})
        for x in (open_req, secret):
            r = self.req("POST", "/v1/disclosures/%s/approve" % x["id"],
                         {"reasons": ["依法协助"]}, token=self.agent)
            self.assertEqual(r.status, 200, r.body)
        notes = told()
        self.assertEqual([n["data"]["disclosure"] for n in notes], [open_req["id"]])
        self.assertEqual(notes[0]["data"]["basis"], "pipl_13_1_3")
        self.assertEqual(notes[0]["data"]["to"], {"role": "court", "id": "杭州互联网法院"})

    # ---- going to court ----

    def test_taking_a_dispute_to_court_hands_the_consumer_a_package_at_once(self):
        shop = self.order_with_records()
        d = self.opened(shop)
        r = self.act(d, "external", {"body": "court", "reference": "(2025)浙0192民初1号"},
                     shop.consumer)
        self.assertEqual(r.status, 200, r.body)
        dsc = r.body["disclosure"]
        self.assertEqual(dsc["state"], "released")
        full = self.req("GET", "/v1/disclosures/%s" % dsc["id"], token=shop.consumer).body
        self.assertEqual(full["for"], "court")
        self.assertIn("dispute_record", full["released"]["scope"])
        raw = self.package(dsc, shop.consumer)
        res = self.verify(raw)
        self.assertEqual(res.returncode, 0, res.stdout)
        self.assertIn("dispute_event", self.shown(raw))


if __name__ == "__main__":
    unittest.main()
