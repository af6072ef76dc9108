"""test_visibility.py - who sees what: consumers and merchants see only their own records, merchants never see consumer phones, staff reads of personal data are audited."""
import json
import unittest
import urllib.parse

from harness import ServerTestCase, merchant_body, message_body, unique_png


class VisibilityTest(ServerTestCase, unittest.TestCase):
    key_roles = {"agent": "agent_key", "regulator": "regulator"}

    def setUp(self):
        """Two shops, each with one consumer: A (company, listing with an image) sold to
        consumer 1; B (individual) sold to consumer 2. Tokens for all four."""
        w = self.world
        png = unique_png()
        r = self.req("POST", "/v1/blobs", raw=png, headers={"Content-Type": "image/png"})
        self.assertEqual(r.status, 201, r.body)
        self.png, self.blob = png, r.body["id"]
        self.ma = w.merchant()
        self.mb = w.post("/v1/merchants", merchant_body("individual"))
        self.la = w.listing(self.ma["id"], images=[self.blob])
        self.lb = w.listing(self.mb["id"])
        self.o1 = w.order(self.ma["id"], self.la["id"])
        self.o2 = w.order(self.mb["id"], self.lb["id"])
        self.c1, self.c2 = self.o1["consumer"], self.o2["consumer"]
        self.t_c1 = w.token_for("consumer", self.c1["id"])["token"]
        self.t_c2 = w.token_for("consumer", self.c2["id"])["token"]
        self.t_ma = w.token_for("merchant", self.ma["id"])["token"]
        self.t_mb = w.token_for("merchant", self.mb["id"])["token"]

    def get(self, path, token):
        return self.req("GET", path, token=token)

    def assertNotFound(self, r):
        self.assertError(r, 404, "invalid_request", "not_found")

    def audit_events(self, token="platform"):
        events, cursor = [], None
        while True:
            path = "/v1/audit_events?limit=100"
            if cursor:
                path += "&cursor=" + urllib.parse.quote(cursor)
            r = self.req("GET", path, token=token)
            self.assertEqual(r.status, 200, r.body)
            events += r.body["data"]
            cursor = r.body["next_cursor"]
            if cursor is None:
                return events

    # ---- consumers ----

    def test_consumer_token_lists_and_gets_only_its_own_orders(self):
        r = self.get("/v1/orders", self.t_c1)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual([o["id"] for o in r.body["data"]], [self.o1["id"]])
        self.assertEqual(r.body["data"][0]["consumer"]["phone"], self.c1["phone"])
        r = self.get("/v1/orders/" + self.o1["id"], self.t_c1)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["consumer"]["phone"], self.c1["phone"])
        self.assertNotFound(self.get("/v1/orders/" + self.o2["id"], self.t_c1))
        self.assertNotFound(self.get("/v1/orders/" + urllib.parse.quote(self.o2["external_id"]),
                                     self.t_c1))
        self.assertNotFound(self.get("/v1/orders/%s/logistics" % self.o2["id"], self.t_c1))
        self.assertNotFound(self.get("/v1/orders/%s/messages" % self.o2["id"], self.t_c1))

    def test_consumer_filter_naming_someone_else_is_an_empty_list(self):
        for ref in (self.c2["id"], self.c2["external_id"]):
            r = self.get("/v1/orders?consumer=" + urllib.parse.quote(ref), self.t_c1)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.body["data"], [])
            self.assertIsNone(r.body["next_cursor"])
        r = self.get("/v1/orders?merchant=" + self.mb["id"], self.t_c1)
        self.assertEqual(r.body["data"], [])
        r = self.get("/v1/orders?consumer=" + self.c1["id"], self.t_c1)
        self.assertEqual([o["id"] for o in r.body["data"]], [self.o1["id"]])

    def test_consumer_sees_only_itself_among_consumers(self):
        r = self.get("/v1/consumers/" + self.c1["id"], self.t_c1)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["phone"], self.c1["phone"])
        self.assertNotFound(self.get("/v1/consumers/" + self.c2["id"], self.t_c1))
        self.assertNotFound(self.get("/v1/consumers/" + urllib.parse.quote(self.c2["external_id"]),
                                     self.t_c1))

    def test_consumer_party_sees_merchant_real_name_address_and_contact(self):
        """CPL art. 44: a consumer who ordered from a merchant is given its real name,
        registered address and a working contact (until issue 9 they were hidden)."""
        r = self.get("/v1/merchants/" + self.ma["id"], self.t_c1)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["legal_name"], self.ma["legal_name"])
        self.assertEqual(r.body["uscc"], self.ma["uscc"])  # a company's code stays public
        self.assertEqual(r.body["registered_address"], self.ma["registered_address"])
        self.assertEqual(r.body["contact"], self.ma["contact"])
        self.assertNotIn("id_number", r.body)  # a company has none
        self.assertNotIn("licence_image", r.body)
        self.assertNotIn("flags", r.body)
        r = self.get("/v1/merchants/" + self.mb["id"], self.t_c2)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["legal_name"], self.mb["legal_name"])
        self.assertEqual(r.body["registered_address"], self.mb["registered_address"])
        self.assertEqual(r.body["contact"]["phone"], self.mb["contact"]["phone"])

    def test_individual_merchants_id_number_is_masked_for_the_consumer_and_audited(self):
        full = self.mb["id_number"]
        before = self.srv.counts()["audit_log"]
        r = self.get("/v1/merchants/" + self.mb["id"], self.t_c2)
        self.assertEqual(r.status, 200, r.body)
        masked = r.body["id_number"]
        self.assertEqual(len(masked), len(full))
        self.assertEqual(masked, full[:3] + "*" * (len(full) - 7) + full[-4:])
        self.assertNotIn(full, str(r.body))
        self.assertEqual(self.srv.counts()["audit_log"], before + 1)
        ev = self.audit_events()[-1]
        self.assertEqual((ev["object_id"], ev["actor"]["role"], ev["actor"]["subject"]),
                         (self.mb["id"], "consumer", self.c2["id"]))
        self.assertEqual(ev["route"], "GET /v1/merchants/{id}")
        for f in ("id_number(masked)", "registered_address", "contact.phone"):
            self.assertIn(f, ev["fields"])
        self.assertNotIn("id_number", ev["fields"])
        # the merchant itself still sees its own number in full, unaudited
        before = self.srv.counts()["audit_log"]
        r = self.get("/v1/merchants/" + self.mb["id"], self.t_mb)
        self.assertEqual(r.body["id_number"], full)
        self.assertEqual(self.srv.counts()["audit_log"], before)

    def test_consumer_bundle_withholds_the_merchants_id_number_as_a_commitment(self):
        r = self.req("GET", "/v1/orders/%s/bundle" % self.o2["id"], token=self.t_c2,
                     raw_reply=True)
        self.assertEqual(r.status, 200, r.body)
        text = r.body.decode() if isinstance(r.body, bytes) else str(r.body)
        self.assertNotIn(self.mb["id_number"], text)
        self.assertIn(self.c2["phone"], text)  # the consumer's own phone is theirs
        b = json.loads(text)
        [m] = [x for x in b["records"] if x["type"] == "merchant"]
        self.assertEqual(list(m["fields"]["id_number"]), ["commitment"])
        self.assertEqual(m["fields"]["registered_address"]["value"],
                         self.mb["registered_address"])

    def test_consumer_may_not_see_a_merchant_it_never_ordered_from(self):
        self.assertNotFound(self.get("/v1/merchants/" + self.mb["id"], self.t_c1))
        self.assertNotFound(self.get("/v1/merchants/" + urllib.parse.quote(self.mb["external_id"]),
                                     self.t_c1))

    def test_consumer_sees_listings_it_ordered_only(self):
        r = self.get("/v1/listings/" + self.la["id"], self.t_c1)
        self.assertEqual(r.status, 200, r.body)
        r = self.get("/v1/listings/%s/versions/1" % self.la["id"], self.t_c1)
        self.assertEqual(r.status, 200, r.body)
        self.assertNotFound(self.get("/v1/listings/" + self.lb["id"], self.t_c1))
        self.assertNotFound(self.get("/v1/listings/%s/versions/1" % self.lb["id"], self.t_c1))
        r = self.get("/v1/listings", self.t_c1)
        self.assertError(r, 403, "permission_error", "forbidden")

    # ---- merchants ----

    def test_merchant_token_sees_only_its_orders_without_consumer_phone(self):
        r = self.get("/v1/orders", self.t_ma)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual([o["id"] for o in r.body["data"]], [self.o1["id"]])
        listed = r.body["data"][0]["consumer"]
        self.assertNotIn("phone", listed)
        self.assertEqual(listed["id"], self.c1["id"])
        self.assertEqual(listed["name"], self.c1["name"])
        r = self.get("/v1/orders/" + self.o1["id"], self.t_ma)
        self.assertEqual(r.status, 200, r.body)
        self.assertNotIn("phone", r.body["consumer"])
        self.assertNotIn(self.c1["phone"], str(r.body))
        self.assertNotFound(self.get("/v1/orders/" + self.o2["id"], self.t_ma))
        r = self.get("/v1/orders?merchant=" + self.mb["id"], self.t_ma)
        self.assertEqual(r.body["data"], [])

    def test_merchant_never_sees_consumer_phone_in_orders_disputes_or_bundles(self):
        r = self.req("POST", "/v1/disputes", {
            "order": self.o1["id"], "claim": {"type": "refund", "amount": self.o1["total"]},
            "reason": "quality"}, token=self.t_c1)
        self.assertEqual(r.status, 201, r.body)
        d = r.body
        phone = self.c1["phone"]
        for path in ("/v1/orders", "/v1/orders/" + self.o1["id"],
                     "/v1/orders/%s/messages" % self.o1["id"],
                     "/v1/orders/%s/logistics" % self.o1["id"],
                     "/v1/disputes", "/v1/disputes/" + d["id"],
                     "/v1/disputes/%s/events" % d["id"]):
            r = self.get(path, self.t_ma)
            self.assertEqual(r.status, 200, (path, r.body))
            self.assertNotIn(phone, str(r.body), path)
        # a merchant gets no bundle at all (it would carry the consumer's phone)
        self.assertError(self.get("/v1/orders/%s/bundle" % self.o1["id"], self.t_ma), 403,
                         "permission_error", "forbidden")
        # the other merchant sees neither the order nor the dispute
        self.assertNotFound(self.get("/v1/disputes/" + d["id"], self.t_mb))
        r = self.get("/v1/disputes", self.t_mb)
        self.assertEqual(r.body["data"], [])

    def test_merchant_reading_an_order_is_audited_with_consumer_name_only(self):
        before = self.srv.counts()["audit_log"]
        self.assertEqual(self.get("/v1/orders/" + self.o1["id"], self.t_ma).status, 200)
        self.assertEqual(self.srv.counts()["audit_log"], before + 1)
        ev = self.audit_events()[-1]
        self.assertEqual((ev["object_id"], ev["actor"]["role"]), (self.o1["id"], "merchant"))
        self.assertEqual(ev["fields"], ["consumer.name"])

    def test_merchant_may_not_read_consumers(self):
        r = self.get("/v1/consumers/" + self.c1["id"], self.t_ma)
        self.assertError(r, 403, "permission_error", "forbidden")

    def test_merchant_sees_itself_in_full_and_not_other_merchants(self):
        r = self.get("/v1/merchants/" + self.ma["id"], self.t_ma)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["contact"], self.ma["contact"])
        self.assertEqual(r.body["registered_address"], self.ma["registered_address"])
        self.assertNotFound(self.get("/v1/merchants/" + self.mb["id"], self.t_ma))
        self.assertNotFound(self.get("/v1/merchants/" + urllib.parse.quote(self.mb["external_id"]),
                                     self.t_ma))

    def test_merchant_sees_only_its_own_listings(self):
        r = self.get("/v1/listings", self.t_ma)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual([x["id"] for x in r.body["data"]], [self.la["id"]])
        r = self.get("/v1/listings?merchant=" + self.mb["id"], self.t_ma)
        self.assertEqual(r.body["data"], [])
        self.assertNotFound(self.get("/v1/listings/" + self.lb["id"], self.t_ma))

    # ---- staff ----

    def test_agent_and_platform_see_consumer_phone_in_get_and_list(self):
        agent_token = self.world.token_for("agent", "agent 1")["token"]
        for who in (self.agent_key, agent_token, self.platform):
            r = self.get("/v1/orders/" + self.o1["id"], who)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.body["consumer"]["phone"], self.c1["phone"])
            r = self.get("/v1/orders?merchant=" + self.ma["id"], who)
            self.assertEqual([o["consumer"]["phone"] for o in r.body["data"]], [self.c1["phone"]])
            r = self.get("/v1/merchants/" + self.mb["id"], who)
            self.assertEqual(r.body["id_number"], self.mb["id_number"])

    # ---- blobs ----

    def test_listing_image_is_visible_to_the_consumer_who_ordered_it_only(self):
        r = self.get("/v1/blobs/%s/content" % self.blob, self.t_c1)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, self.png)
        self.assertEqual(r.headers.get("Content-Type"), "image/png")
        self.assertEqual(self.get("/v1/blobs/" + self.blob, self.t_c1).status, 200)
        self.assertNotFound(self.get("/v1/blobs/%s/content" % self.blob, self.t_c2))
        self.assertNotFound(self.get("/v1/blobs/" + self.blob, self.t_c2))
        self.assertEqual(self.get("/v1/blobs/%s/content" % self.blob, self.t_ma).status, 200)
        self.assertNotFound(self.get("/v1/blobs/%s/content" % self.blob, self.t_mb))

    def test_message_attachment_is_visible_to_both_parties_of_the_order_only(self):
        png = unique_png()
        blob = self.req("POST", "/v1/blobs", raw=png, headers={"Content-Type": "image/png"}).body
        r = self.req("POST", "/v1/orders/%s/messages" % self.o2["id"],
                     message_body(attachments=[blob["id"]]))
        self.assertEqual(r.status, 201, r.body)
        for who in (self.t_c2, self.t_mb):
            r = self.get("/v1/blobs/%s/content" % blob["id"], who)
            self.assertEqual((r.status, r.body), (200, png))
        for who in (self.t_c1, self.t_ma):
            self.assertNotFound(self.get("/v1/blobs/%s/content" % blob["id"], who))

    def test_merchant_licence_is_visible_to_that_merchant_and_not_to_consumers(self):
        png = unique_png()
        blob = self.req("POST", "/v1/blobs", raw=png, headers={"Content-Type": "image/png"}).body
        m = self.world.merchant(licence_image=blob["id"])
        lst = self.world.listing(m["id"])
        o = self.world.order(m["id"], lst["id"])
        mt = self.world.token_for("merchant", m["id"])["token"]
        ct = self.world.token_for("consumer", o["consumer"]["id"])["token"]
        self.assertEqual(self.get("/v1/blobs/%s/content" % blob["id"], mt).status, 200)
        self.assertNotFound(self.get("/v1/blobs/%s/content" % blob["id"], self.t_ma))
        self.assertNotFound(self.get("/v1/blobs/%s/content" % blob["id"], ct))

    # ---- audit ----

    def test_agent_reading_an_order_is_audited_with_consumer_phone(self):
        agent_id = self.srv.key_id("e2e agent")
        before = self.srv.counts()["audit_log"]
        r = self.get("/v1/orders/" + self.o1["id"], self.agent_key)
        self.assertEqual(r.status, 200)
        self.assertEqual(self.srv.counts()["audit_log"], before + 1)
        hits = [e for e in self.audit_events() if e["object_id"] == self.o1["id"]
                and e["actor"]["role"] == "agent"]
        self.assertEqual(len(hits), 1, hits)
        ev = hits[0]
        self.assertEqual(ev["object"], "audit_event")
        self.assertEqual(ev["actor"], {"role": "agent", "id": agent_id, "subject": "e2e agent"})
        self.assertIn("consumer.phone", ev["fields"])
        self.assertEqual(ev["route"], "GET /v1/orders/{id}")
        self.assertRegex(ev["at"], r"Z$")

    def test_bundle_downloads_by_agent_and_consumer_are_both_audited(self):
        agent_id = self.srv.key_id("e2e agent")
        path = "/v1/orders/%s/bundle" % self.o1["id"]
        for token in (self.agent_key, self.t_c1):
            r = self.req("GET", path, token=token, raw_reply=True)
            self.assertEqual(r.status, 200, r.body)
        hits = [(e["actor"]["role"], e["actor"]["id"], e["actor"]["subject"])
                for e in self.audit_events()
                if e["object_id"] == self.o1["id"] and e["route"] == "GET /v1/orders/{id}/bundle"]
        self.assertEqual(len(hits), 2, hits)
        self.assertEqual(hits[0], ("agent", agent_id, "e2e agent"))
        self.assertEqual((hits[1][0], hits[1][2]), ("consumer", self.c1["id"]))
        # a refused download (another consumer's order) leaves no entry
        before = self.srv.counts()["audit_log"]
        r = self.req("GET", path, token=self.t_c2)
        self.assertNotFound(r)
        self.assertEqual(self.srv.counts()["audit_log"], before)

    def test_agent_listing_orders_audits_each_order_shown(self):
        before = self.srv.counts()["audit_log"]
        r = self.get("/v1/orders?merchant=" + self.ma["id"], self.agent_key)
        self.assertEqual(len(r.body["data"]), 1)
        self.assertEqual(self.srv.counts()["audit_log"], before + 1)
        ev = self.audit_events()[-1]
        self.assertEqual((ev["object_id"], ev["actor"]["role"]), (self.o1["id"], "agent"))

    def test_minted_agent_token_reading_a_consumer_is_audited_with_phone(self):
        t = self.world.token_for("agent", "agent 小王")
        r = self.get("/v1/consumers/" + self.c1["id"], t["token"])
        self.assertEqual(r.status, 200, r.body)
        ev = self.audit_events()[-1]
        self.assertEqual(ev["actor"], {"role": "agent", "id": t["id"], "subject": "agent 小王"})
        self.assertEqual(ev["object_id"], self.c1["id"])
        self.assertIn("phone", ev["fields"])

    def test_platform_reading_a_merchant_is_audited_with_contact(self):
        self.get("/v1/merchants/" + self.mb["id"], self.platform)
        ev = self.audit_events()[-1]
        self.assertEqual((ev["object_id"], ev["actor"]["role"]), (self.mb["id"], "platform"))
        self.assertIn("contact.phone", ev["fields"])
        self.assertIn("id_number", ev["fields"])

    def test_reads_without_personal_data_are_not_audited(self):
        before = self.srv.counts()["audit_log"]
        self.assertEqual(self.get("/v1/listings/" + self.la["id"], self.agent_key).status, 200)
        self.assertEqual(self.get("/v1/orders/%s/logistics" % self.o1["id"],
                                  self.agent_key).status, 200)
        self.assertEqual(self.get("/healthz", None).status, 200)
        self.assertEqual(self.srv.counts()["audit_log"], before)

    def test_regulator_may_read_audit_events(self):
        self.get("/v1/orders/" + self.o1["id"], self.agent_key)
        events = self.audit_events(token=self.regulator)
        self.assertTrue(any(e["object_id"] == self.o1["id"] for e in events))

    def test_merchant_consumer_and_agent_may_not_read_audit_events(self):
        for who in (self.t_ma, self.t_c1, self.agent_key):
            r = self.get("/v1/audit_events", who)
            self.assertError(r, 403, "permission_error", "forbidden")

    def test_audit_list_pages_have_no_duplicates(self):
        for _ in range(3):
            self.get("/v1/orders/" + self.o1["id"], self.agent_key)
        ids, cursor = [], None
        while True:
            path = "/v1/audit_events?limit=2" + ("&cursor=" + cursor if cursor else "")
            r = self.get(path, self.platform)
            self.assertEqual(r.status, 200, r.body)
            ids += [e["id"] for e in r.body["data"]]
            cursor = r.body["next_cursor"]
            if cursor is None:
                break
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(len(ids), self.srv.counts()["audit_log"])
        self.assertEqual(ids, sorted(ids))


if __name__ == "__main__":
    unittest.main()
