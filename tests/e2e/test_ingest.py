"""test_ingest.py - the platform's walkthrough: merchants, blobs, listings and versions, orders, consumers, logistics, chat, lists."""
import hashlib
import re
import unittest
import urllib.parse

from harness import (VALID_RID, VALID_USCC, ServerTestCase, logistics_body,
                     merchant_body, message_body, order_body, uid, unique_png)

UTC_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


class IngestWalkthroughTest(ServerTestCase, unittest.TestCase):

    def upload_png(self):
        png = unique_png()
        r = self.req("POST", "/v1/blobs", raw=png, headers={"Content-Type": "image/png"})
        self.assertEqual(r.status, 201, r.body)
        return png, r.body

    def walk(self, path, token="platform"):
        """Every item of a list, following next_cursor with limit=1; asserts one item a page."""
        sep = "&" if "?" in path else "?"
        seen, cursor, pages = [], None, 0
        while True:
            url = path + sep + "limit=1"
            if cursor is not None:
                url += "&cursor=" + urllib.parse.quote(cursor)
            r = self.req("GET", url, token=token)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.body["object"], "list")
            self.assertLessEqual(len(r.body["data"]), 1)
            seen.extend(r.body["data"])
            pages += 1
            self.assertLess(pages, 1000, "pagination does not end")
            cursor = r.body["next_cursor"]
            if cursor is None:
                return seen
            self.assertIsInstance(cursor, str)
            self.assertEqual(len(r.body["data"]), 1, "a page with a next_cursor must be full")

    # ---- merchants and blobs ----

    def test_blob_upload_is_content_addressed_and_served_back(self):
        png, blob = self.upload_png()
        digest = hashlib.sha256(png).hexdigest()
        self.assertEqual(blob["object"], "blob")
        self.assertEqual(blob["id"], "sha256:" + digest)
        self.assertEqual(blob["size"], len(png))
        self.assertEqual(blob["content_type"], "image/png")
        self.assertRegex(blob["created_at"], UTC_Z)
        again = self.req("POST", "/v1/blobs", raw=png, headers={"Content-Type": "image/png"})
        self.assertEqual(again.status, 200, again.body)
        self.assertEqual(again.body["id"], blob["id"])
        meta = self.req("GET", "/v1/blobs/" + blob["id"])
        self.assertEqual(meta.status, 200)
        self.assertEqual(meta.body["size"], len(png))
        content = self.req("GET", "/v1/blobs/%s/content" % blob["id"])
        self.assertEqual(content.status, 200)
        self.assertEqual(content.body, png)
        self.assertEqual(content.headers.get("Content-Type"), "image/png")

    def test_company_merchant_with_email_and_licence_image_is_identity_complete(self):
        _, blob = self.upload_png()
        body = merchant_body("company", licence_image=blob["id"])
        r = self.req("POST", "/v1/merchants", body)
        self.assertEqual(r.status, 201, r.body)
        m = r.body
        self.assertEqual(m["object"], "merchant")
        self.assertRegex(m["id"], r"^mer_")
        self.assertEqual(m["external_id"], body["external_id"])
        self.assertEqual(m["kind"], "company")
        self.assertEqual(m["legal_name"], body["legal_name"])
        self.assertEqual(m["uscc"], VALID_USCC)
        self.assertNotIn("id_number", m)
        self.assertEqual(m["registered_address"], body["registered_address"])
        self.assertEqual(m["contact"], {"phone": body["contact"]["phone"],
                                        "email": "shop@example.com"})
        self.assertEqual(m["licence_image"], blob["id"])
        self.assertIs(m["identity_complete"], True)
        self.assertRegex(m["created_at"], UTC_Z)
        got = self.req("GET", "/v1/merchants/" + m["id"])
        self.assertEqual(got.status, 200)
        self.assertEqual(got.body, m)

    def test_merchant_without_licence_or_email_is_not_identity_complete(self):
        _, blob = self.upload_png()
        no_licence = self.world.merchant()
        self.assertIsNone(no_licence["licence_image"])
        self.assertIs(no_licence["identity_complete"], False)
        no_email = self.world.merchant(email=False, licence_image=blob["id"])
        self.assertIsNone(no_email["contact"]["email"])
        self.assertIs(no_email["identity_complete"], False)

    def test_individual_merchant_with_resident_id(self):
        lower_x = VALID_RID[:-1] + "x"
        r = self.req("POST", "/v1/merchants", merchant_body("individual", id_number=lower_x))
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.body["kind"], "individual")
        self.assertEqual(r.body["id_number"], VALID_RID)  # check character kept upper case
        self.assertNotIn("uscc", r.body)

    def test_merchant_get_by_external_id(self):
        m = self.world.merchant()
        r = self.req("GET", "/v1/merchants/" + urllib.parse.quote(m["external_id"]))
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["id"], m["id"])

    # ---- listings ----

    def test_listing_repost_with_same_external_id_makes_version_2_and_keeps_version_1(self):
        m = self.world.merchant()
        first = self.world.listing(m["id"], price=1999)
        self.assertRegex(first["id"], r"^lst_")
        self.assertEqual(first["version"], 1)
        self.assertEqual(first["merchant"], m["id"])
        self.assertEqual(first["price"], {"amount": 1999, "currency": "CNY"})
        self.assertEqual(first["images"], [])
        self.assertIsNone(first["return_exclusion"])
        second = self.world.listing(m["external_id"], price=2599,
                                    external_id=first["external_id"], title="保温杯 500ml 新款",
                                    return_exclusion="custom")
        self.assertEqual(second["id"], first["id"])
        self.assertEqual(second["version"], 2)
        self.assertEqual(second["merchant"], m["id"])  # given by external_id, stored as mer_ id
        self.assertEqual(second["price"]["amount"], 2599)
        self.assertEqual(second["return_exclusion"], "custom")

        newest = self.req("GET", "/v1/listings/" + first["id"])
        self.assertEqual(newest.status, 200)
        self.assertEqual((newest.body["version"], newest.body["price"]["amount"]), (2, 2599))
        by_ext = self.req("GET", "/v1/listings/" + first["external_id"])
        self.assertEqual(by_ext.body["version"], 2)
        v1 = self.req("GET", "/v1/listings/%s/versions/1" % first["id"])
        self.assertEqual(v1.status, 200, v1.body)
        self.assertEqual(v1.body["version"], 1)
        self.assertEqual(v1.body["price"]["amount"], 1999)
        self.assertEqual(v1.body["title"], "保温杯 500ml")
        v3 = self.req("GET", "/v1/listings/%s/versions/3" % first["id"])
        self.assertEqual(v3.status, 404)

        listed = self.req("GET", "/v1/listings?merchant=" + m["id"])
        self.assertEqual(listed.status, 200)
        self.assertEqual([(x["id"], x["version"]) for x in listed.body["data"]],
                         [(first["id"], 2)])

    def test_listing_with_images(self):
        m = self.world.merchant()
        _, b1 = self.upload_png()
        _, b2 = self.upload_png()
        lst = self.world.listing(m["id"], images=[b1["id"], b2["id"]], description="双层不锈钢")
        self.assertEqual(lst["images"], [b1["id"], b2["id"]])
        self.assertEqual(lst["description"], "双层不锈钢")

    # ---- orders and consumers ----

    def test_order_refers_to_listing_by_external_id_and_explicit_version(self):
        m = self.world.merchant()
        lst = self.world.listing(m["id"], price=1999)
        self.world.listing(m["id"], price=2599, external_id=lst["external_id"])
        body = order_body(m["external_id"], lst["external_id"], unit_price=1999, quantity=2)
        body["items"][0]["listing_version"] = 1
        body["items"].append({"listing": lst["external_id"], "quantity": 1,
                              "unit_price": {"amount": 2599, "currency": "CNY"}})
        body["total"] = {"amount": 2 * 1999 + 2599, "currency": "CNY"}
        r = self.req("POST", "/v1/orders", body)
        self.assertEqual(r.status, 201, r.body)
        o = r.body
        self.assertEqual(o["object"], "order")
        self.assertRegex(o["id"], r"^ord_")
        self.assertEqual(o["external_id"], body["external_id"])
        self.assertEqual(o["merchant"], m["id"])
        self.assertEqual(o["items"], [
            {"listing": lst["id"], "listing_version": 1, "quantity": 2,
             "unit_price": {"amount": 1999, "currency": "CNY"}},
            {"listing": lst["id"], "listing_version": 2, "quantity": 1,
             "unit_price": {"amount": 2599, "currency": "CNY"}},
        ])
        self.assertEqual(o["total"], {"amount": 6597, "currency": "CNY"})
        self.assertEqual(o["paid_at"], "2025-09-30T00:00:00Z")  # +08:00 given, UTC out
        self.assertEqual({k: v for k, v in o["payment"].items() if k != "sealed"},
                         body["payment"])
        self.assertIn("sealed", o["payment"])
        self.assertRegex(o["consumer"]["id"], r"^cus_")
        self.assertEqual(o["consumer"]["external_id"], body["consumer"]["external_id"])
        self.assertEqual(o["consumer"]["name"], body["consumer"]["name"])
        self.assertEqual(o["consumer"]["phone"], body["consumer"]["phone"])
        self.assertRegex(o["created_at"], UTC_Z)

        got = self.req("GET", "/v1/orders/" + o["id"])
        self.assertEqual(got.status, 200)
        self.assertEqual(got.body, o)
        by_ext = self.req("GET", "/v1/orders/" + urllib.parse.quote(o["external_id"]))
        self.assertEqual(by_ext.status, 200)
        self.assertEqual(by_ext.body["id"], o["id"])

    def test_second_order_updates_the_consumer(self):
        m, lst, _ = self.world.shop()
        cext = uid("cus")
        o1 = self.world.order(m["id"], lst["id"], consumer={
            "external_id": cext, "name": "王五", "phone": "+86 139 1111 1111"})
        o2 = self.world.order(m["id"], lst["id"], consumer={
            "external_id": cext, "name": "王五五", "phone": "+86 139 2222 2222"})
        self.assertEqual(o1["consumer"]["id"], o2["consumer"]["id"])
        cid = o1["consumer"]["id"]
        for ref in (cid, cext):
            r = self.req("GET", "/v1/consumers/" + urllib.parse.quote(ref))
            self.assertEqual(r.status, 200, r.body)
            c = r.body
            self.assertEqual(c["object"], "consumer")
            self.assertEqual(c["id"], cid)
            self.assertEqual(c["external_id"], cext)
            self.assertEqual(c["name"], "王五五")
            self.assertEqual(c["phone"], "+86 139 2222 2222")
            self.assertRegex(c["created_at"], UTC_Z)
            self.assertRegex(c["updated_at"], UTC_Z)
            self.assertGreaterEqual(c["updated_at"], c["created_at"])
        listed = self.req("GET", "/v1/orders?consumer=" + cid)
        self.assertEqual([x["id"] for x in listed.body["data"]], [o1["id"], o2["id"]])

    # ---- logistics and messages ----

    def test_logistics_events_and_messages_of_an_order(self):
        m, lst, o = self.world.shop()
        _, att = self.upload_png()
        shipped = logistics_body(status="shipped", occurred_at="2025-10-01T17:30:00+08:00")
        r1 = self.req("POST", "/v1/orders/%s/logistics" % o["id"], shipped)
        self.assertEqual(r1.status, 201, r1.body)
        ev = r1.body
        self.assertEqual(ev["object"], "logistics_event")
        self.assertRegex(ev["id"], r"^lge_")
        self.assertEqual(ev["order"], o["id"])
        self.assertEqual(ev["carrier"], "SF Express")
        self.assertEqual(ev["tracking_number"], shipped["tracking_number"])
        self.assertEqual(ev["status"], "shipped")
        self.assertEqual(ev["occurred_at"], "2025-10-01T09:30:00Z")
        self.assertEqual(ev["location"], "Fuzhou")
        delivered = logistics_body(status="delivered", tracking_number=shipped["tracking_number"],
                                   occurred_at="2025-10-02T09:30:00Z", detail="signed by 门卫")
        # the order may also be named by its external_id in the path
        r2 = self.req("POST", "/v1/orders/%s/logistics" % urllib.parse.quote(o["external_id"]),
                      delivered)
        self.assertEqual(r2.status, 201, r2.body)
        self.assertEqual(r2.body["order"], o["id"])

        msg = message_body(attachments=[att["id"]])
        r3 = self.req("POST", "/v1/orders/%s/messages" % o["id"], msg)
        self.assertEqual(r3.status, 201, r3.body)
        self.assertEqual(r3.body["object"], "message")
        self.assertRegex(r3.body["id"], r"^msg_")
        self.assertEqual(r3.body["order"], o["id"])
        self.assertEqual(r3.body["sender"], "consumer")
        self.assertEqual(r3.body["text"], msg["text"])
        self.assertEqual(r3.body["attachments"], [att["id"]])
        self.assertEqual(r3.body["sent_at"], "2025-10-03T10:00:00Z")
        r4 = self.req("POST", "/v1/orders/%s/messages" % o["id"],
                      message_body(sender="merchant", text="请寄回，运费我们出"))
        self.assertEqual(r4.status, 201, r4.body)

        events = self.req("GET", "/v1/orders/%s/logistics" % o["id"])
        self.assertEqual(events.status, 200)
        self.assertEqual([e["id"] for e in events.body["data"]], [ev["id"], r2.body["id"]])
        self.assertEqual([e["status"] for e in events.body["data"]], ["shipped", "delivered"])
        self.assertIsNone(events.body["next_cursor"])
        msgs = self.req("GET", "/v1/orders/%s/messages" % o["id"])
        self.assertEqual(msgs.status, 200)
        self.assertEqual([x["id"] for x in msgs.body["data"]], [r3.body["id"], r4.body["id"]])
        self.assertEqual(msgs.body["data"][0], r3.body)

    # ---- lists ----

    def test_order_list_walked_with_limit_1_yields_each_order_once(self):
        m = self.world.merchant()
        lst = self.world.listing(m["id"])
        made = [self.world.order(m["id"], lst["id"])["id"] for _ in range(4)]
        seen = [o["id"] for o in self.walk("/v1/orders?merchant=" + m["id"])]
        self.assertEqual(seen, made)
        everything = [o["id"] for o in self.walk("/v1/orders")]
        self.assertEqual(len(everything), len(set(everything)), "duplicates across pages")
        self.assertTrue(set(made) <= set(everything))

    def test_merchant_and_listing_lists_walked_with_limit_1_have_no_duplicates(self):
        made = [self.world.merchant()["id"] for _ in range(3)]
        seen = [m["id"] for m in self.walk("/v1/merchants")]
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual([x for x in seen if x in made], made)
        m = self.world.merchant()
        lsts = [self.world.listing(m["id"])["id"] for _ in range(3)]
        self.assertEqual([x["id"] for x in self.walk("/v1/listings?merchant=" + m["id"])], lsts)

    def test_logistics_list_walked_with_limit_1(self):
        _, _, o = self.world.shop()
        made = []
        for st in ("shipped", "in_transit", "delivered"):
            r = self.req("POST", "/v1/orders/%s/logistics" % o["id"], logistics_body(status=st))
            self.assertEqual(r.status, 201, r.body)
            made.append(r.body["id"])
        self.assertEqual([e["id"] for e in self.walk("/v1/orders/%s/logistics" % o["id"])], made)

    def test_default_list_limit_is_20(self):
        m = self.world.merchant()
        lst = self.world.listing(m["id"])
        for _ in range(21):
            self.world.order(m["id"], lst["id"])
        r = self.req("GET", "/v1/orders?merchant=" + m["id"])
        self.assertEqual(len(r.body["data"]), 20)
        self.assertIsNotNone(r.body["next_cursor"])
        rest = self.req("GET", "/v1/orders?merchant=%s&cursor=%s" % (m["id"], r.body["next_cursor"]))
        self.assertEqual(len(rest.body["data"]), 1)
        self.assertIsNone(rest.body["next_cursor"])


if __name__ == "__main__":
    unittest.main()
