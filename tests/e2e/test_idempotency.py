"""test_idempotency.py - Idempotency-Key on POST: replays of the first success, 409 on reuse with another body, per-principal keys, failures not stored, no secret kept, keys expire."""
import threading
import unittest

from harness import (Server, ServerTestCase, World, logistics_body, merchant_body, order_body,
                     uid, unique_png)


class IdempotencyTest(ServerTestCase, unittest.TestCase):

    def post(self, path, body=None, key=None, token="platform", raw=None, headers=None):
        h = dict(headers or {})
        if key is not None:
            h["Idempotency-Key"] = key
        return self.req("POST", path, body, token=token, raw=raw, headers=h)

    def test_same_key_and_body_replays_the_first_response_and_writes_nothing(self):
        key, body = uid("idem"), merchant_body()
        first = self.post("/v1/merchants", body, key)
        self.assertEqual(first.status, 201, first.body)
        self.assertIsNone(first.headers.get("Idempotent-Replayed"))
        after_first = self.srv.counts()
        for _ in range(2):
            again = self.post("/v1/merchants", body, key)
            self.assertEqual(again.status, 201, again.body)
            self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
            self.assertEqual(again.body, first.body)
            self.assertEqual(self.srv.counts(), after_first)
        r = self.req("GET", "/v1/merchants?limit=100")
        self.assertEqual(sum(1 for m in r.body["data"] if m["external_id"] == body["external_id"]), 1)

    def test_replay_of_an_order_returns_the_same_order(self):
        m, lst, _ = self.world.shop()
        key, body = uid("idem"), order_body(m["id"], lst["id"])
        first = self.post("/v1/orders", body, key)
        self.assertEqual(first.status, 201, first.body)
        before = self.srv.counts()
        again = self.post("/v1/orders", body, key)
        self.assertEqual((again.status, again.body["id"]), (201, first.body["id"]))
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(self.srv.counts(), before)

    def test_same_key_with_different_body_is_409_and_writes_nothing(self):
        key = uid("idem")
        first = self.post("/v1/merchants", merchant_body(), key)
        self.assertEqual(first.status, 201, first.body)
        before = self.srv.counts()
        r = self.post("/v1/merchants", merchant_body(), key)
        self.assertError(r, 409, "invalid_request", "idempotency_key_reused")
        self.assertIsNone(r.headers.get("Idempotent-Replayed"))
        self.assertEqual(self.srv.counts(), before)

    def test_same_key_same_body_on_another_path_is_409(self):
        _, _, o1 = self.world.shop()
        _, _, o2 = self.world.shop()
        key, body = uid("idem"), logistics_body()
        self.assertEqual(self.post("/v1/orders/%s/logistics" % o1["id"], body, key).status, 201)
        before = self.srv.counts()
        r = self.post("/v1/orders/%s/logistics" % o2["id"], body, key)
        self.assertError(r, 409, "invalid_request", "idempotency_key_reused")
        self.assertEqual(self.srv.counts(), before)

    def test_different_principals_may_use_the_same_key_independently(self):
        other = self.srv.key_create("platform", uid("second platform"))
        key = uid("idem")
        body_a, body_b = merchant_body(), merchant_body()
        a = self.post("/v1/merchants", body_a, key)
        b = self.post("/v1/merchants", body_b, key, token=other)
        self.assertEqual((a.status, b.status), (201, 201), (a.body, b.body))
        self.assertNotEqual(a.body["id"], b.body["id"])
        self.assertIsNone(b.headers.get("Idempotent-Replayed"))
        # each principal's key still replays its own response, not the other's
        a2 = self.post("/v1/merchants", body_a, key)
        b2 = self.post("/v1/merchants", body_b, key, token=other)
        self.assertEqual((a2.body["id"], b2.body["id"]), (a.body["id"], b.body["id"]))
        self.assertEqual(a2.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(b2.headers.get("Idempotent-Replayed"), "true")

    def test_a_failed_request_does_not_poison_its_key(self):
        key = uid("idem")
        bad = merchant_body(uscc="91350100M000100Y44")
        before = self.srv.counts()
        r = self.post("/v1/merchants", bad, key)
        self.assertError(r, 400, "invalid_request", "invalid_checksum", "uscc")
        self.assertEqual(self.srv.counts(), before)
        fixed = dict(bad, uscc="91350100M000100Y43")
        r = self.post("/v1/merchants", fixed, key)
        self.assertEqual(r.status, 201, r.body)
        self.assertIsNone(r.headers.get("Idempotent-Replayed"))
        r2 = self.post("/v1/merchants", fixed, key)
        self.assertEqual((r2.status, r2.body["id"]), (201, r.body["id"]))
        self.assertEqual(r2.headers.get("Idempotent-Replayed"), "true")

    def test_a_conflict_does_not_poison_its_key(self):
        m = self.world.merchant()
        key = uid("idem")
        dup = merchant_body(external_id=m["external_id"])
        r = self.post("/v1/merchants", dup, key)
        self.assertError(r, 409, "invalid_request", "duplicate_external_id", "external_id")
        r = self.post("/v1/merchants", dict(dup, external_id=uid("mer")), key)
        self.assertEqual(r.status, 201, r.body)

    def test_blob_upload_with_key_replays(self):
        png, key = unique_png(), uid("idem")
        h = {"Content-Type": "image/png"}
        first = self.post("/v1/blobs", raw=png, key=key, headers=h)
        self.assertEqual(first.status, 201, first.body)
        again = self.post("/v1/blobs", raw=png, key=key, headers=h)
        self.assertEqual((again.status, again.body), (201, first.body))
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")

    def test_invalid_idempotency_keys_are_400_and_write_nothing(self):
        before = self.srv.counts()
        for key in ("k" * 256, "cl\u00e9", "tab\there"):
            with self.subTest(key=key[:20]):
                r = self.post("/v1/merchants", merchant_body(), key)
                self.assertError(r, 400, "invalid_request", "invalid_value", "Idempotency-Key")
        self.assertEqual(self.srv.counts(), before)
        r = self.post("/v1/merchants", merchant_body(), "k" * 255)
        self.assertEqual(r.status, 201, r.body)


class IdempotencyStorageTest(unittest.TestCase):
    """What the replay table keeps: no secret in clear, and nothing past its time."""

    TTL = 3600

    def setUp(self):
        self.srv = Server()
        self.addCleanup(self.srv.cleanup)
        self.platform = self.srv.key_create("platform", "e2e platform")
        self.srv.start(args=["--test-clock=2025-09-29T02:00:00Z"],
                       env={"DISPUTED_IDEMPOTENCY_TTL_SECONDS": str(self.TTL),
                            "DISPUTED_WEBHOOK_ALLOW_PRIVATE": "1"})
        self.addCleanup(self.srv.stop)
        self.world = World(self.srv, self.platform)

    def post(self, path, body, key):
        return self.srv.request("POST", path, body, token=self.platform,
                                headers={"Idempotency-Key": key})

    def advance(self, seconds):
        r = self.srv.request("POST", "/v1/test/clock", {"advance_seconds": seconds},
                             token=self.platform)
        self.assertEqual(r.status, 200, r.body)

    def table(self):
        """Every row of the idempotency table, every column as text."""
        return [tuple(str(c) for c in row) for row in self.srv.sql("SELECT * FROM idempotency")]

    def test_no_token_or_secret_is_stored_and_replays_of_them_are_409(self):
        _, _, o = self.world.shop()
        tok = self.post("/v1/tokens", {"role": "consumer", "subject": o["consumer"]["id"]}, "k-tok")
        self.assertEqual(tok.status, 201, tok.body)
        hook = self.post("/v1/webhook_endpoints",
                         {"url": "http://127.0.0.1:9/hook", "events": ["*"]}, "k-hook")
        self.assertEqual(hook.status, 201, hook.body)
        # the minted token uses a key of its own: its principal is stored, not its secret
        dsp = self.srv.request("POST", "/v1/disputes", {
            "order": o["id"], "claim": {"type": "refund", "amount": o["total"]},
            "reason": "quality"}, token=tok.body["token"], headers={"Idempotency-Key": "k-dsp"})
        self.assertEqual(dsp.status, 201, dsp.body)
        plain = self.post("/v1/merchants", merchant_body(), "k-mer")
        self.assertEqual(plain.status, 201, plain.body)
        rows = self.table()
        self.assertEqual(len(rows), 4, rows)
        for secret in (tok.body["token"], hook.body["secret"], self.platform):
            for row in rows:
                for col in row:
                    self.assertNotIn(secret, col)
        # a replay cannot give the secret back: 409, naming what was created, and nothing new
        before = self.srv.counts()
        for path, body, key, first in (
                ("/v1/tokens", {"role": "consumer", "subject": o["consumer"]["id"]}, "k-tok", tok),
                ("/v1/webhook_endpoints", {"url": "http://127.0.0.1:9/hook", "events": ["*"]},
                 "k-hook", hook)):
            with self.subTest(path=path):
                r = self.post(path, body, key)
                self.assertEqual(r.status, 409, r.body)
                self.assertEqual(r.body["error"]["code"], "idempotency_secret_not_replayed")
                self.assertEqual(r.body["error"]["param"], "Idempotency-Key")
                self.assertIn(first.body["id"], r.body["error"]["message"])
                self.assertNotIn("token", r.body)
                self.assertNotIn("secret", r.body)
        self.assertEqual(self.srv.counts(), before)
        # the ordinary reply still replays
        again = self.post("/v1/merchants", merchant_body(external_id=uid("other")), "k-mer")
        self.assertEqual(again.status, 409)
        self.assertEqual(again.body["error"]["code"], "idempotency_key_reused")

    def test_one_key_sent_many_times_at_once_creates_one_webhook_endpoint(self):
        # the endpoint's name is resolved before the transaction: the key's check and
        # the insert are in one transaction, so no twin slips between them
        url = "http://127.0.0.1:9/%s" % uid("at-once")
        body, key, replies = {"url": url, "events": ["*"]}, uid("k-at-once"), []
        threads = [threading.Thread(
            target=lambda: replies.append(self.post("/v1/webhook_endpoints", body, key)))
            for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(r.status for r in replies), [201] + [409] * 7,
                         [r.body for r in replies])
        created = next(r for r in replies if r.status == 201).body
        for r in replies:
            if r.status == 409:
                self.assertEqual(r.body["error"]["code"], "idempotency_secret_not_replayed")
                self.assertIn(created["id"], r.body["error"]["message"])
        listed = self.srv.request("GET", "/v1/webhook_endpoints?limit=100",
                                  token=self.platform).body["data"]
        self.assertEqual([e["id"] for e in listed if e["url"] == url], [created["id"]])

    def test_keys_expire_after_the_configured_time(self):
        first = self.post("/v1/merchants", merchant_body(), "k-old")
        self.assertEqual(first.status, 201, first.body)
        self.advance(self.TTL - 60)
        r = self.post("/v1/merchants", merchant_body(), "k-old")
        self.assertEqual(r.body["error"]["code"], "idempotency_key_reused", r.body)
        self.assertEqual(len(self.table()), 1)
        self.advance(61)
        # past the TTL the key is forgotten: the row is gone and the key is free again
        r = self.post("/v1/merchants", merchant_body(), "k-old")
        self.assertEqual(r.status, 201, r.body)
        self.assertNotEqual(r.body["id"], first.body["id"])
        self.assertIsNone(r.headers.get("Idempotent-Replayed"))
        rows = self.table()
        self.assertEqual(len(rows), 1, rows)
        self.assertIn(r.body["id"], rows[0][4])


if __name__ == "__main__":
    unittest.main()
