"""test_auth.py - authentication and the role checks: API keys, minted tokens, expiry, revocation, and the 401 → 403 → 404 → 400 order."""
import re
import time
import unittest
from datetime import datetime

from harness import (ServerTestCase, World, listing_body, logistics_body, merchant_body, message_body,
                     order_body, run_cli, uid)


def parse_time(s):
    """An RFC 3339 UTC time as the server writes it ("…Z")."""
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


class AuthTest(ServerTestCase, unittest.TestCase):
    key_roles = {"court": "court", "witness": "witness", "agent": "agent_key",
                 "association": "association"}

    def ok(self, token, path="/v1/orders"):
        return self.req("GET", path, token=token).status

    # ---- 401 ----

    def test_no_token_is_401_authentication_error(self):
        r = self.req("GET", "/v1/orders", token=None)
        self.assertError(r, 401, "authentication_error", "unauthenticated")

    def test_non_bearer_authorization_is_401(self):
        r = self.req("GET", "/v1/orders", token=None,
                     headers={"Authorization": "Basic " + "cGxhdGZvcm06eA=="})
        self.assertError(r, 401, "authentication_error", "unauthenticated")
        r = self.req("GET", "/v1/orders", token=None, headers={"Authorization": "Bearer "})
        self.assertError(r, 401, "authentication_error", "unauthenticated")

    def test_unknown_token_is_401_authentication_error(self):
        for bad in ("dsk_notakey", "dtk_notatoken", self.platform + "x", self.platform[:-1]):
            r = self.req("GET", "/v1/orders", token=bad)
            self.assertError(r, 401, "authentication_error", "unauthenticated")

    # ---- minted tokens ----

    def test_consumer_token_by_external_id_and_by_cus_id(self):
        _, _, o = self.world.shop()
        cus = o["consumer"]
        for subject in (cus["external_id"], cus["id"]):
            before = time.time()
            t = self.world.token_for("consumer", subject, ttl=600)
            self.assertEqual(t["object"], "token")
            self.assertRegex(t["id"], r"^tok_")
            self.assertEqual(t["role"], "consumer")
            self.assertEqual(t["subject"], cus["id"])
            self.assertRegex(t["token"], r"^dtk_[A-Za-z0-9_-]{20,}$")
            expires = parse_time(t["expires_at"]).timestamp()
            self.assertAlmostEqual(expires, before + 600, delta=5)
            r = self.req("GET", "/v1/orders", token=t["token"])
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual([x["id"] for x in r.body["data"]], [o["id"]])

    def test_token_default_ttl_is_one_hour(self):
        _, _, o = self.world.shop()
        before = time.time()
        t = self.world.token_for("consumer", o["consumer"]["id"])
        self.assertAlmostEqual(parse_time(t["expires_at"]).timestamp(), before + 3600, delta=5)

    def test_consumer_token_for_unknown_subject_is_400_resource_missing(self):
        before = self.srv.counts()
        r = self.req("POST", "/v1/tokens", {"role": "consumer", "subject": uid("nobody")})
        self.assertError(r, 400, "invalid_request", "resource_missing", "subject")
        r = self.req("POST", "/v1/tokens", {"role": "merchant", "subject": "mer_000000000000000000000000"})
        self.assertError(r, 400, "invalid_request", "resource_missing", "subject")
        self.assertEqual(self.srv.counts(), before)

    def test_merchant_token_by_mer_id_and_external_id(self):
        m, _, o = self.world.shop()
        for subject in (m["id"], m["external_id"]):
            t = self.world.token_for("merchant", subject)
            self.assertEqual((t["role"], t["subject"]), ("merchant", m["id"]))
            r = self.req("GET", "/v1/orders", token=t["token"])
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual([x["id"] for x in r.body["data"]], [o["id"]])
            self.assertEqual(self.ok(t["token"], "/v1/merchants/" + m["id"]), 200)

    def test_agent_token_reads_all_and_may_not_write(self):
        _, _, o = self.world.shop()
        t = self.world.token_for("agent", "客服 agent 007")
        self.assertEqual((t["role"], t["subject"]), ("agent", "客服 agent 007"))
        self.assertEqual(self.ok(t["token"], "/v1/orders/" + o["id"]), 200)
        self.assertEqual(self.ok(t["token"], "/v1/merchants"), 200)
        r = self.req("POST", "/v1/merchants", merchant_body(), token=t["token"])
        self.assertError(r, 403, "permission_error", "forbidden")

    def test_token_roles_other_than_parties_staff_courts_associations_are_rejected(self):
        # courts' and associations' staff get tokens as consumers do (issue 9); the
        # platform, regulators and witnesses use API keys
        before = self.srv.counts()
        for role in ("platform", "regulator", "witness"):
            r = self.req("POST", "/v1/tokens", {"role": role, "subject": "x"})
            self.assertError(r, 400, "invalid_request", "invalid_enum", "role")
        self.assertEqual(self.srv.counts(), before)

    def test_expired_token_is_401(self):
        _, _, o = self.world.shop()
        t = self.world.token_for("consumer", o["consumer"]["id"], ttl=1)
        self.assertEqual(self.ok(t["token"]), 200)
        time.sleep(2.1)
        r = self.req("GET", "/v1/orders", token=t["token"])
        self.assertError(r, 401, "authentication_error", "unauthenticated")

    def test_revoked_token_is_401_at_once(self):
        _, _, o = self.world.shop()
        t = self.world.token_for("consumer", o["consumer"]["id"])
        other = self.world.token_for("consumer", o["consumer"]["id"])
        self.assertEqual(self.ok(t["token"]), 200)
        r = self.req("DELETE", "/v1/tokens/" + t["id"])
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body, {"object": "token", "id": t["id"], "revoked": True})
        r = self.req("GET", "/v1/orders", token=t["token"])
        self.assertError(r, 401, "authentication_error", "unauthenticated")
        self.assertEqual(self.ok(other["token"]), 200, "revoking one token revoked another")

    def test_revoking_an_unknown_token_is_404(self):
        r = self.req("DELETE", "/v1/tokens/tok_000000000000000000000000")
        self.assertError(r, 404, "invalid_request", "not_found")

    def test_minted_token_may_not_mint_or_revoke_tokens(self):
        _, _, o = self.world.shop()
        t = self.world.token_for("agent", "agent x")
        r = self.req("POST", "/v1/tokens", {"role": "consumer", "subject": o["consumer"]["id"]},
                     token=t["token"])
        self.assertError(r, 403, "permission_error", "forbidden")
        r = self.req("DELETE", "/v1/tokens/" + t["id"], token=t["token"])
        self.assertError(r, 403, "permission_error", "forbidden")
        self.assertEqual(self.ok(t["token"]), 200)

    # ---- 403 ----

    def test_court_and_witness_keys_are_forbidden_on_ingest_and_order_routes(self):
        m, lst, o = self.world.shop()
        before = self.srv.counts()
        for who in (self.court, self.witness, self.association):
            for method, path, body in (
                    ("POST", "/v1/merchants", merchant_body()),
                    ("GET", "/v1/merchants", None),
                    ("GET", "/v1/merchants/" + m["id"], None),
                    ("POST", "/v1/listings", listing_body(m["id"])),
                    ("GET", "/v1/listings/" + lst["id"], None),
                    ("POST", "/v1/orders", order_body(m["id"], lst["id"])),
                    ("GET", "/v1/orders", None),
                    ("GET", "/v1/orders/" + o["id"], None),
                    ("POST", "/v1/orders/%s/logistics" % o["id"], logistics_body()),
                    ("GET", "/v1/orders/%s/messages" % o["id"], None),
                    ("GET", "/v1/consumers/" + o["consumer"]["id"], None),
                    ("POST", "/v1/tokens", {"role": "agent", "subject": "x"}),
                    ("GET", "/v1/audit_events", None)):
                with self.subTest(method=method, path=path):
                    r = self.req(method, path, body, token=who)
                    self.assertError(r, 403, "permission_error", "forbidden")
        self.assertEqual(self.srv.counts(), before)

    def test_consumer_and_merchant_tokens_are_forbidden_on_post_routes(self):
        m, lst, o = self.world.shop()
        ct = self.world.token_for("consumer", o["consumer"]["id"])["token"]
        mt = self.world.token_for("merchant", m["id"])["token"]
        before = self.srv.counts()
        for who in (ct, mt):
            for path, body in (("/v1/merchants", merchant_body()),
                               ("/v1/listings", listing_body(m["id"])),
                               ("/v1/orders", order_body(m["id"], lst["id"])),
                               ("/v1/orders/%s/logistics" % o["id"], logistics_body()),
                               ("/v1/orders/%s/messages" % o["id"], message_body()),
                               ("/v1/tokens", {"role": "agent", "subject": "x"})):
                with self.subTest(path=path):
                    r = self.req("POST", path, body, token=who)
                    self.assertError(r, 403, "permission_error", "forbidden")
        self.assertEqual(self.srv.counts(), before)

    def test_merchant_token_may_not_list_merchants(self):
        m, _, _ = self.world.shop()
        mt = self.world.token_for("merchant", m["id"])["token"]
        r = self.req("GET", "/v1/merchants", token=mt)
        self.assertError(r, 403, "permission_error", "forbidden")

    # ---- keys managed by the CLI while serving ----

    def test_key_create_while_serving_works_at_once(self):
        token = self.srv.key_create("agent", uid("live agent"))
        self.assertRegex(token, r"^dsk_")
        self.assertEqual(self.ok(token), 200)

    def test_key_revoke_while_serving_makes_the_key_401_on_the_next_request(self):
        name = uid("doomed")
        token = self.srv.key_create("agent", name)
        self.assertEqual(self.ok(token), 200)
        key_id = self.srv.key_id(name)
        self.assertRegex(key_id, r"^key_")
        r = run_cli("key", "revoke", "--data", self.srv.data_dir, key_id)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.req("GET", "/v1/orders", token=token)
        self.assertError(r, 401, "authentication_error", "unauthenticated")
        self.assertEqual(self.ok(self.platform), 200, "revoking one key revoked another")
        listed = run_cli("key", "list", "--data", self.srv.data_dir).stdout.decode()
        self.assertRegex(listed, re.escape(key_id) + r".*revoked")

    def test_key_revoke_revokes_the_tokens_the_key_minted(self):
        name = uid("minting platform")
        key = self.srv.key_create("platform", name)
        _, _, o = self.world.shop()
        minted = World(self.srv, key).token_for("consumer", o["consumer"]["id"], ttl=2592000)
        by_other_key = self.world.token_for("consumer", o["consumer"]["id"])
        self.assertEqual(self.ok(minted["token"]), 200)
        r = run_cli("key", "revoke", "--data", self.srv.data_dir, self.srv.key_id(name))
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.req("GET", "/v1/orders", token=minted["token"])
        self.assertError(r, 401, "authentication_error", "unauthenticated")
        # a token minted by another key lives on
        self.assertEqual(self.ok(by_other_key["token"]), 200)

    # ---- order of checks: 401 → 403 → 404 → 400 → 409 ----

    def test_no_token_and_bad_body_is_401(self):
        before = self.srv.counts()
        r = self.req("POST", "/v1/merchants", token=None, raw=b'{"kind": nope',
                     headers={"Content-Type": "application/json"})
        self.assertError(r, 401, "authentication_error", "unauthenticated")
        self.assertEqual(self.srv.counts(), before)

    def test_forbidden_role_with_bad_body_is_403(self):
        r = self.req("POST", "/v1/merchants", token=self.court, raw=b'{"kind": nope',
                     headers={"Content-Type": "application/json"})
        self.assertError(r, 403, "permission_error", "forbidden")

    def test_platform_on_missing_order_with_bad_body_is_404(self):
        for sub in ("logistics", "messages"):
            r = self.req("POST", "/v1/orders/ord_000000000000000000000000/" + sub,
                         raw=b'{"status": nope', headers={"Content-Type": "application/json"})
            self.assertError(r, 404, "invalid_request", "not_found")

    def test_missing_order_with_bad_query_is_404(self):
        r = self.req("GET", "/v1/orders/ord_000000000000000000000000/logistics?limit=0")
        self.assertError(r, 404, "invalid_request", "not_found")

    def test_consumer_on_another_consumers_order_with_bad_cursor_is_404(self):
        _, _, o = self.world.shop()
        _, _, other = self.world.shop()
        ct = self.world.token_for("consumer", o["consumer"]["id"])["token"]
        r = self.req("GET", "/v1/orders/%s/messages?cursor=bad" % other["id"], token=ct)
        self.assertError(r, 404, "invalid_request", "not_found")

    def test_bad_body_with_duplicate_external_id_is_400_not_409(self):
        m = self.world.merchant()
        body = merchant_body(external_id=m["external_id"], legal_name=5)
        r = self.req("POST", "/v1/merchants", body)
        self.assertError(r, 400, "invalid_request", "invalid_type", "legal_name")


if __name__ == "__main__":
    unittest.main()
