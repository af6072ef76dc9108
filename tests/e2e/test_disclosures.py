"""test_disclosures.py - the disclosure desk: a consumer gets the merchant's identity and their records at once, a court's or association's request waits for an agent within its deadline, and each package verifies offline holding only what was released."""
import json
import os
import subprocess
import tempfile
import time
import unittest

from dispute_kit import DisputeCase, cny
from harness import BIN, logistics_body, message_body, run_cli, unique_png

SCOPE_ALL = ["merchant_identity", "order", "listing", "payment", "logistics", "messages",
             "dispute_record"]


class DisclosureCase(DisputeCase):
    """The tools of the disclosure tests: requesters, packages, offline verification."""

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



class DisclosureTest(DisclosureCase):

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


class PackagePrivacyTest(DisclosureCase):
    """Minimum necessary inside a package: other people's names and numbers masked, the
    location trail only under a basis that covers it, and every masked rendering sealed."""

    COURIER_NOTE = "快递员赵小六(13812345678)已派件"
    CHAT = "快递员赵小六电话13812345678，他说包裹放在门卫了，签收人：钱多多"

    def order_with_third_parties(self, **merchant):
        m = self.world.merchant(**merchant)
        lst = self.world.listing(m["id"])
        o = self.world.order(m["id"], lst["id"])
        self.world.post("/v1/orders/%s/logistics" % o["id"],
                        logistics_body(status="signed", location="杭州市西湖区文三路",
                                       detail=self.COURIER_NOTE))
        self.world.post("/v1/orders/%s/messages" % o["id"],
                        message_body(sender="merchant", text=self.CHAT))
        self.world.post("/v1/orders/%s/messages" % o["id"],
                        message_body(text="好的，我的电话是+86 138 0000 0000"))
        return m, o, self.token("consumer", o["consumer"]["id"])

    def released(self, token, order, basis=None, scope=None):
        d = self.disclose(token, {"order": order["id"], "scope": scope or SCOPE_ALL,
                                  "purpose": "审理网络购物合同纠纷", "reference": "(2025)浙0192民初77号"})
        body = {"reasons": ["依法协助调查"]}
        if basis:
            body["basis"] = basis
        r = self.req("POST", "/v1/disclosures/%s/approve" % d["id"], body, token=self.agent)
        self.assertEqual(r.status, 200, r.body)
        return d

    def records(self, raw, kind):
        return [r for r in json.loads(raw)["records"] if r["type"] == kind]

    def masks(self, raw):
        """The masked renderings of the package's own view: (record, field) -> value."""
        out = {}
        for ev in self.records(raw, "disclosure_event"):
            f = ev["fields"]
            k = 0
            while "data.masked[%d].record" % k in f:
                key = (f["data.masked[%d].record" % k]["value"],
                       f["data.masked[%d].field" % k]["value"])
                out[key] = f["data.masked[%d].value" % k]["value"]
                k += 1
        return out

    def test_a_courts_package_masks_couriers_and_neighbours_and_seals_the_masks(self):
        _, o, consumer = self.order_with_third_parties()
        r = self.req("POST", "/v1/disputes", {
            "order": o["id"], "claim": {"type": "refund", "amount": cny(1999)},
            "reason": "not_received"}, token=consumer)
        self.assertEqual(r.status, 201, r.body)
        said = self.req("POST", "/v1/disputes/%s/messages" % r.body["id"],
                        {"text": "我没收到，物流说邻居孙大圣13711112222代收了"}, token=consumer)
        self.assertEqual(said.status, 200, said.body)
        # the assessment quotes the courier's note on the signing: wait for it to be made
        deadline = time.monotonic() + 20
        while not [ev for ev in self.events(r.body, assessments=True) if ev["type"] == "assessment"]:
            self.assertLess(time.monotonic(), deadline, "no assessment was made")
            time.sleep(0.2)
        court = self.court()
        raw = self.package(self.released(court, o), court)
        res = self.verify(raw)
        self.assertEqual(res.returncode, 0, res.stdout)
        self.assertIn(b"masked renderings: 4", res.stdout)
        # nobody's number or name but the parties' leaves the platform
        for secret in ("13812345678", "赵小六", "钱多多", "13711112222"):
            self.assertNotIn(secret.encode(), raw)
        said = [ev for ev in self.records(raw, "dispute_event") if "data.text" in ev["fields"]][0]
        self.assertEqual(self.masks(raw)[(said["id"], "data.text")],
                         "我没收到，物流说邻居孙大圣137****2222代收了")
        msg = [m for m in self.records(raw, "message")
               if "commitment" in m["fields"]["text"]][0]
        lge = self.records(raw, "logistics")[0]
        self.assertIn("commitment", lge["fields"]["detail"])
        masks = self.masks(raw)
        self.assertEqual(masks[(msg["id"], "text")],
                         "快递员赵**电话138****5678，他说包裹放在门卫了，签收人：钱**")
        self.assertEqual(masks[(lge["id"], "detail")], "快递员赵**(138****5678)已派件")
        assessed = [ev for ev in self.records(raw, "dispute_event")
                    if "data.assessment" in ev["fields"]][0]
        self.assertIn("快递员赵**(138****5678)已派件",
                      masks[(assessed["id"], "data.assessment")])
        # the consumer's own number is a party's: the court reads it as written
        mine = [m for m in self.records(raw, "message") if "value" in m["fields"]["text"]]
        self.assertEqual(mine[0]["fields"]["text"]["value"], "好的，我的电话是+86 138 0000 0000")
        # a statutory duty covers the location trail
        self.assertEqual(lge["fields"]["location"]["value"], "杭州市西湖区文三路")
        # a masked rendering is bound like any other byte of the package
        forged = raw.replace("138****5678".encode(), "139****5678".encode(), 1)
        self.assertEqual(self.verify(forged).returncode, 1)

    def test_the_location_trail_goes_only_under_a_basis_that_covers_it(self):
        _, o, consumer = self.order_with_third_parties()
        assoc = self.association()
        consent = self.package(self.released(assoc, o, basis="pipl_13_1_1"), assoc)
        self.assertEqual(self.verify(consent).returncode, 0)
        self.assertIn("commitment", self.records(consent, "logistics")[0]["fields"]["location"])
        self.assertNotIn("杭州市西湖区文三路".encode(), consent)
        duty = self.package(self.released(self.association("上海市消费者权益保护委员会"), o),
                            self.association("上海市消费者权益保护委员会"))
        self.assertEqual(self.records(duty, "logistics")[0]["fields"]["location"]["value"],
                         "杭州市西湖区文三路")
        # the consumer's own parcel: theirs to see
        d = self.disclose(consumer, {"order": o["id"], "scope": ["logistics"], "purpose": "起诉"})
        own = self.package(d, consumer)
        self.assertEqual(self.records(own, "logistics")[0]["fields"]["location"]["value"],
                         "杭州市西湖区文三路")

    def test_an_individual_merchants_id_number_reaches_the_consumer_masked_and_sealed(self):
        m, o, consumer = self.order_with_third_parties(kind="individual")
        d = self.disclose(consumer, {"order": o["id"], "scope": ["merchant_identity"],
                                     "purpose": "起诉商家需要被告身份信息"})
        raw = self.package(d, consumer)
        self.assertEqual(self.verify(raw).returncode, 0)
        mer = self.records(raw, "merchant")[0]
        self.assertIn("commitment", mer["fields"]["id_number"])
        self.assertEqual(mer["fields"]["legal_name"]["value"], "张三")
        rid = self.masks(raw)[(mer["id"], "id_number")]
        self.assertEqual(len(rid), 18)
        self.assertRegex(rid, r"^\d{3}\*{11}[\dX]{4}$")
        self.assertNotIn(m["id_number"].encode(), raw)
        # a court gets it whole, under its statutory duty
        court = self.court()
        whole = self.package(self.released(court, o, scope=["merchant_identity"]), court)
        self.assertEqual(self.records(whole, "merchant")[0]["fields"]["id_number"]["value"],
                         m["id_number"])
