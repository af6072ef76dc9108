"""dispute_kit.py - a TestCase base for the dispute e2e tests: one server per test on the test clock, and the parties' tokens.

Each test gets its own `disputed serve --test-clock=START` on a fresh data dir, so the
clock it moves is its own. A Shop is a merchant with one listing and one order, plus
tokens for the order's consumer and for the merchant, as the platform mints them for
its logged-in users.
"""
import datetime
import re
import unittest

from harness import Server, World, logistics_body, message_body, unique_png

# Monday 29 September 2025, 10:00 in Beijing: two days before the National Day break
# (1-8 October 2025; Sunday 28 September and Saturday 11 October are worked).
T0 = "2025-09-29T02:00:00Z"

HOUR = 3600
DAY = 24 * HOUR
TOKEN_TTL = 30 * DAY        # the longest a minted token may live
DSP_ID = re.compile(r"^dsp_[0-9a-f]{24}$")
OFR_ID = re.compile(r"^ofr_[0-9a-f]{24}$")


def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


def fmt_time(t):
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def shift(text, seconds):
    """The RFC 3339 UTC time `seconds` after `text`."""
    return fmt_time(parse_time(text) + datetime.timedelta(seconds=seconds))


def cny(fen):
    return {"amount": fen, "currency": "CNY"}


class Shop:
    """merchant, listing, order (records as the API returned them), consumer and merchant bearer tokens."""

    def __init__(self, merchant, listing, order, consumer, merchant_token):
        self.merchant = merchant
        self.listing = listing
        self.order = order
        self.consumer = consumer
        self.merchant_token = merchant_token

    @property
    def total(self):
        return self.order["total"]["amount"]


class DisputeCase(unittest.TestCase):
    """One server per test, on a test clock starting at `clock_start`."""

    clock_start = T0

    def setUp(self):
        self.srv = Server()
        self.addCleanup(self.srv.cleanup)
        self.platform = self.srv.key_create("platform", "e2e platform")
        self.start_server()
        self.world = World(self.srv, self.platform)
        self.agent = self.token("agent", "客服-王芳")

    def start_server(self, clock=None):
        self.srv.start(args=["--test-clock=" + (clock or self.clock_start)])
        self.addCleanup(self.srv.stop)

    # ---- requests ----

    def req(self, method, path, body=None, token="platform", **kw):
        if token == "platform":
            token = self.platform
        return self.srv.request(method, path, body, token=token, **kw)

    def token(self, role, subject):
        return self.world.token_for(role, subject, ttl=TOKEN_TTL)["token"]

    def assertError(self, r, status, code, param="<any>", says=()):
        """The documented error shape with this status and code; the message contains each of `says`."""
        self.assertEqual(r.status, status, r.body)
        self.assertIsInstance(r.body, dict, r.body)
        err = r.body.get("error")
        self.assertIsInstance(err, dict, r.body)
        etype = {400: "invalid_request", 403: "permission_error", 404: "invalid_request",
                 409: "invalid_request", 401: "authentication_error",
                 422: "invalid_request"}[status]
        self.assertEqual(err.get("type"), etype, r.body)
        self.assertEqual(err.get("code"), code, r.body)
        self.assertIsInstance(err.get("message"), str, r.body)
        self.assertTrue(err["message"], r.body)
        if param != "<any>":
            self.assertEqual(err.get("param"), param, r.body)
        for s in ([says] if isinstance(says, str) else says):
            self.assertIn(s, err["message"], r.body)

    # ---- the world ----

    def blob(self, token="platform"):
        """A new PNG uploaded as `token`: a party may cite only what it uploaded or may see."""
        r = self.req("POST", "/v1/blobs", raw=unique_png(), headers={"Content-Type": "image/png"},
                     token=token)
        self.assertEqual(r.status, 201, r.body)
        return r.body["id"]

    def shop(self, amount=1999, signed_at=None, return_exclusion=None, order_message=False):
        """A merchant, a listing at `amount` fen, an order of one; a `signed` logistics event at `signed_at`."""
        m = self.world.merchant()
        extra = {"return_exclusion": return_exclusion} if return_exclusion else {}
        lst = self.world.listing(m["id"], price=amount, **extra)
        o = self.world.order(m["id"], lst["id"], unit_price=amount)
        if signed_at:
            self.world.post("/v1/orders/%s/logistics" % o["id"],
                            logistics_body(status="signed", occurred_at=signed_at))
        if order_message:
            self.world.post("/v1/orders/%s/messages" % o["id"], message_body())
        return Shop(m, lst, o, self.token("consumer", o["consumer"]["id"]),
                    self.token("merchant", m["id"]))

    # ---- disputes ----

    def open(self, shop, claim_type="refund", amount=None, reason="quality", token=None,
             **extra):
        body = {"order": shop.order["id"],
                "claim": {"type": claim_type, "amount": cny(shop.total if amount is None
                                                            else amount)},
                "reason": reason}
        body.update(extra)
        return self.req("POST", "/v1/disputes", body,
                        token=shop.consumer if token is None else token)

    def opened(self, shop, **kw):
        r = self.open(shop, **kw)
        self.assertEqual(r.status, 201, r.body)
        return r.body

    def act(self, d, action, body, token):
        return self.req("POST", "/v1/disputes/%s/%s" % (d["id"], action), body, token=token)

    def ok(self, d, action, body, token, state=None):
        """The action succeeds (200), and leaves the dispute in `state` if given; returns it."""
        r = self.act(d, action, body, token)
        self.assertEqual(r.status, 200, r.body)
        if state:
            self.assertEqual(r.body["state"], state, r.body)
        return r.body

    def get(self, d, token="platform"):
        r = self.req("GET", "/v1/disputes/%s" % d["id"], token=token)
        self.assertEqual(r.status, 200, r.body)
        return r.body

    def events(self, d, token="platform", assessments=False):
        """The dispute's timeline as `token` sees it. The server's worker records an
        assessment whenever the evidence changes, at a moment of its own: unless asked
        for, those events are left out, so a test's expected timeline does not race it."""
        out, cursor = [], None
        while True:
            path = "/v1/disputes/%s/events?limit=100" % d["id"]
            if cursor:
                path += "&cursor=%s" % cursor
            r = self.req("GET", path, token=token)
            self.assertEqual(r.status, 200, r.body)
            out += r.body["data"]
            cursor = r.body["next_cursor"]
            if not cursor:
                return [ev for ev in out if assessments or ev["type"] != "assessment"]

    def timeouts(self, d):
        return [ev for ev in self.events(d) if ev["type"] == "timeout"]

    def decide(self, d, outcome="full_refund", token=None, state="decided", **extra):
        body = {"outcome": outcome,
                "reasons": [{"code": "merchant_evidence_insufficient",
                             "text": "商家未能证明商品无质量问题"}]}
        body.update(extra)
        return self.ok(d, "decision", body, self.agent if token is None else token,
                       state=state)

    # ---- money ----

    def fund(self, shop=None, settlement=None, guarantee=None):
        """Credit the shop's merchant `settlement` fen, and the platform's guarantee fund `guarantee` fen."""
        if settlement:
            r = self.req("POST", "/v1/funds/credits",
                         {"merchant": shop.merchant["id"], "account": "settlement",
                          "amount": settlement, "reference": "sales"})
            self.assertEqual(r.status, 201, r.body)
        if guarantee:
            r = self.req("POST", "/v1/funds/guarantee", {"amount": guarantee,
                                                         "reference": "fund"})
            self.assertEqual(r.status, 201, r.body)

    def balances(self, owner, token="platform"):
        """{account: {"balance", "held", "available"} in fen} of `owner`."""
        r = self.req("GET", "/v1/funds/accounts/%s" % owner, token=token)
        self.assertEqual(r.status, 200, r.body)
        return {a["account"]: {k: a[k]["amount"] for k in ("balance", "held", "available")}
                for a in r.body["accounts"]}

    def balance(self, owner, account):
        return self.balances(owner)[account]["balance"]

    def funds_events(self, d, token="platform"):
        return [ev for ev in self.events(d, token=token) if ev["type"] == "funds"]

    # ---- the clock ----

    def advance(self, seconds):
        r = self.req("POST", "/v1/test/clock", {"advance_seconds": seconds})
        self.assertEqual(r.status, 200, r.body)
        return r.body

    def now(self):
        return self.advance(0)["now"]

    def advance_to(self, when):
        """Move the clock to exactly `when` (RFC 3339 UTC, not in the past)."""
        delta = (parse_time(when) - parse_time(self.now())).total_seconds()
        self.assertGreaterEqual(delta, 0, "the clock cannot go back to %s" % when)
        body = self.advance(int(delta))
        self.assertEqual(body["now"], when)
        return body
