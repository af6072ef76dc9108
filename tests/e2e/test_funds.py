"""test_funds.py - the ledger over HTTP: every route's refusals, balances after sequences, exactly-once money under concurrent retried clients with dropped connections, and under SIGKILL and restart, with `disputed audit` clean."""
import json
import random
import socket
import threading
import time
import unittest
import uuid

from harness import Server, ServerTestCase, World, run_cli, uid


def money(n):
    return {"amount": n, "currency": "CNY"}


def balances(body):
    return {a["account"]: (a["balance"]["amount"], a["held"]["amount"], a["available"]["amount"])
            for a in body["accounts"]}


def legs_of(entry):
    """Every (owner, account, amount) leg of an entry and of the recoveries it caused."""
    out = [(l["owner"], l["account"], l["amount"]["amount"]) for l in entry.get("legs", [])]
    for r in entry.get("recoveries", []):
        out += legs_of(r)
    return out


def entry_ids(entry):
    ids = [entry["id"]] if entry.get("object") == "ledger_entry" else []
    return ids + [r["id"] for r in entry.get("recoveries", [])]


class FundsRoutesTest(ServerTestCase, unittest.TestCase):
    key_roles = {"agent": "agent_key", "court": "court_key"}

    def setUp(self):
        self.m, _, self.o = self.world.shop()
        self.cus = self.o["consumer"]["id"]

    def post(self, path, body=None, token="platform", key=None):
        h = {"Idempotency-Key": key} if key else {}
        return self.req("POST", path, body, token=token, headers=h)

    def accounts(self, owner, token="platform"):
        r = self.req("GET", "/v1/funds/accounts/" + owner, token=token)
        self.assertEqual(r.status, 200, r.body)
        return balances(r.body)

    def credit(self, amount, account="settlement", **over):
        b = {"merchant": self.m["id"], "account": account, "amount": money(amount),
             "reference": uid("ref")}
        if account == "deposit":
            b["terms"] = "refunded 90 days after the shop closes, less open claims"
        b.update(over)
        r = self.post("/v1/funds/credits", b)
        self.assertEqual(r.status, 201, r.body)
        return r.body

    def test_wrong_roles_are_403(self):
        mt = self.world.token_for("merchant", self.m["id"])["token"]
        ct = self.world.token_for("consumer", self.cus)["token"]
        body = {"merchant": self.m["id"], "account": "settlement", "amount": 100,
                "reference": "r"}
        for tok in (mt, ct, self.court_key):
            for path in ("/v1/funds/credits", "/v1/funds/guarantee", "/v1/funds/holds",
                         "/v1/funds/transfers", "/v1/funds/advances", "/v1/payouts",
                         "/v1/funds/holds/hld_0123456789abcdef01234567/release",
                         "/v1/payouts/pay_0123456789abcdef01234567/confirm",
                         "/v1/payouts/pay_0123456789abcdef01234567/fail"):
                r = self.post(path, body, token=tok)
                self.assertError(r, 403, "permission_error", "forbidden")
        r = self.req("GET", "/v1/funds/accounts/platform", token=self.court_key)
        self.assertError(r, 403, "permission_error", "forbidden")
        # an agent may move money
        r = self.post("/v1/funds/credits", body, token=self.agent_key)
        self.assertEqual(r.status, 201, r.body)

    def test_unknown_owners_are_404_naming_the_field(self):
        ghost_m, ghost_c = "mer_" + "0" * 24, "cus_" + "0" * 24
        r = self.post("/v1/funds/credits", {"merchant": ghost_m, "account": "settlement",
                                            "amount": 1, "reference": "r"})
        self.assertError(r, 404, "invalid_request", "not_found", "merchant")
        for path in ("/v1/funds/transfers", "/v1/funds/advances"):
            r = self.post(path, {"merchant": self.m["id"], "consumer": ghost_c, "amount": 1})
            self.assertError(r, 404, "invalid_request", "not_found", "consumer")
        r = self.post("/v1/funds/holds", {"merchant": ghost_m, "amount": 1})
        self.assertError(r, 404, "invalid_request", "not_found", "merchant")
        r = self.post("/v1/funds/holds", {"merchant": self.m["id"], "amount": 1,
                                          "dispute": "dsp_" + "0" * 24})
        self.assertError(r, 404, "invalid_request", "not_found", "dispute")
        r = self.post("/v1/payouts", {"consumer": ghost_c, "amount": 1})
        self.assertError(r, 404, "invalid_request", "not_found", "consumer")
        for path in ("/v1/funds/holds/hld_%s/release", "/v1/payouts/pay_%s/confirm",
                     "/v1/payouts/pay_%s/fail"):
            self.assertEqual(self.post(path % ("0" * 24)).status, 404)
        for owner in (ghost_m, ghost_c, "nobody"):
            self.assertEqual(self.req("GET", "/v1/funds/accounts/" + owner).status, 404)
        self.assertEqual(self.req("GET", "/v1/funds/entries?owner=" + ghost_m).status, 404)

    def test_bad_amounts_and_missing_fields_are_400_naming_the_field(self):
        base = {"merchant": self.m["id"], "account": "settlement", "reference": "r"}
        before = self.srv.counts()
        cases = [
            (dict(base, amount=0), "amount"),
            (dict(base, amount=-5), "amount"),
            (dict(base, amount="100"), "amount"),
            (dict(base, amount=10 ** 13 + 1), "amount"),
            (dict(base, amount=1.5), "amount"),
            (dict(base, amount={"amount": 100, "currency": "USD"}), "amount.currency"),
            (dict(base, amount={"amount": 0, "currency": "CNY"}), "amount.amount"),
            ({"merchant": self.m["id"], "account": "settlement", "amount": 1}, "reference"),
            (dict(base, amount=1, account="checking"), "account"),
            (dict(base, amount=1, account="deposit"), "terms"),
            (dict(base, amount=1, colour="red"), "colour"),
        ]
        for body, param in cases:
            r = self.post("/v1/funds/credits", body)
            self.assertEqual(r.status, 400, (body, r.body))
            self.assertEqual(r.body["error"]["param"], param, (body, r.body))
        r = self.post("/v1/funds/transfers", {"merchant": self.m["id"], "amount": 1})
        self.assertError(r, 400, "invalid_request", "required", "consumer")
        r = self.post("/v1/funds/guarantee", {"amount": -1, "reference": "r"})
        self.assertEqual((r.status, r.body["error"]["param"]), (400, "amount"))
        r = self.post("/v1/funds/holds", {"merchant": self.m["id"], "amount": 1, "partial": "y"})
        self.assertEqual((r.status, r.body["error"]["param"]), (400, "partial"))
        r = self.post("/v1/payouts", {"consumer": self.cus})
        self.assertEqual((r.status, r.body["error"]["param"]), (400, "amount"))
        r = self.req("GET", "/v1/funds/entries")
        self.assertEqual((r.status, r.body["error"]["param"]), (400, "owner"))
        r = self.req("GET", "/v1/funds/entries?owner=platform&account=cash")
        self.assertEqual((r.status, r.body["error"]["param"]), (400, "account"))
        self.assertEqual(self.srv.counts(), before)

    def test_overdrafts_are_409_insufficient_funds_and_change_nothing(self):
        self.credit(1000)
        before = self.srv.counts()
        mer_before = self.accounts(self.m["id"])
        for path, body in (
                ("/v1/funds/transfers", {"merchant": self.m["id"], "consumer": self.cus,
                                         "amount": 1001}),
                ("/v1/funds/holds", {"merchant": self.m["id"], "amount": 1001}),
                ("/v1/payouts", {"consumer": self.cus, "amount": 1})):
            r = self.post(path, body)
            self.assertError(r, 409, "invalid_request", "insufficient_funds", "amount")
        # the guarantee fund pays first only from its own balance
        platform = self.accounts("platform")["guarantee"][0]
        r = self.post("/v1/funds/advances", {"merchant": self.m["id"], "consumer": self.cus,
                                             "amount": platform + 1})
        self.assertError(r, 409, "invalid_request", "insufficient_funds", "amount")
        self.assertEqual(self.srv.counts(), before)
        self.assertEqual(self.accounts(self.m["id"]), mer_before)

    def test_a_refusal_for_want_of_funds_is_the_keys_answer(self):
        # a retry that the server handles after money arrived must not move money the
        # client was told did not move (the first attempt's answer is kept)
        self.credit(100)
        key = uid("k")
        body = {"merchant": self.m["id"], "consumer": self.cus, "amount": 500}
        r = self.post("/v1/funds/transfers", body, key=key)
        self.assertError(r, 409, "invalid_request", "insufficient_funds", "amount")
        self.credit(1000)
        before = self.accounts(self.m["id"])
        r = self.post("/v1/funds/transfers", body, key=key)
        self.assertError(r, 409, "invalid_request", "insufficient_funds", "amount")
        self.assertEqual(r.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(self.accounts(self.m["id"]), before)
        # a new key is a new request
        r = self.post("/v1/funds/transfers", body, key=uid("k"))
        self.assertEqual(r.status, 201, r.body)

    def test_a_sequence_leaves_the_balances_it_should(self):
        m = self.m["id"]
        self.credit(5000)
        self.credit(2000, account="deposit")
        r = self.post("/v1/funds/guarantee", {"amount": 100000, "reference": uid("g")})
        self.assertEqual(r.status, 201, r.body)
        hold = self.post("/v1/funds/holds", {"merchant": m, "amount": 6000}).body
        self.assertEqual([p["account"] for p in hold["parts"]], ["settlement", "deposit"])
        self.assertEqual(self.accounts(m)["settlement"], (5000, 5000, 0))
        self.assertEqual(self.accounts(m)["deposit"], (2000, 1000, 1000))
        r = self.post("/v1/funds/holds/%s/release" % hold["id"])
        self.assertEqual((r.status, r.body["state"]), (200, "released"))
        r = self.post("/v1/funds/holds/%s/release" % hold["id"])
        self.assertError(r, 409, "invalid_request", "hold_closed")
        t = self.post("/v1/funds/transfers", {"merchant": m, "consumer": self.cus,
                                              "amount": 6000})
        self.assertEqual(t.status, 201, t.body)
        a = self.post("/v1/funds/advances", {"merchant": m, "consumer": self.cus,
                                             "amount": 3000})
        self.assertEqual(a.status, 201, a.body)
        self.assertTrue(a.body["receivable"].startswith("rcv_"))
        self.assertEqual(self.accounts(m), {"settlement": (0, 0, 0), "deposit": (1000, 0, 1000),
                                            "receivable": (3000, 0, 3000)})
        c = self.credit(2000)
        self.assertEqual(len(c["recoveries"]), 1)
        self.assertEqual(self.accounts(m)["receivable"][0], 1000)
        self.assertEqual(self.accounts(m)["settlement"][0], 0)
        p = self.post("/v1/payouts", {"consumer": self.cus, "amount": 9000})
        self.assertEqual((p.status, p.body["state"]), (201, "requested"))
        self.assertEqual(self.accounts(self.cus), {"payable": (0, 0, 0)})
        f = self.post("/v1/payouts/%s/fail" % p.body["id"], {"reason": "account closed"})
        self.assertEqual((f.status, f.body["state"]), (200, "failed"))
        self.assertEqual(self.accounts(self.cus), {"payable": (9000, 0, 9000)})
        r = self.post("/v1/payouts/%s/confirm" % p.body["id"])
        self.assertError(r, 409, "invalid_request", "payout_closed")
        p = self.post("/v1/payouts", {"consumer": self.cus, "amount": 9000}).body
        r = self.post("/v1/payouts/%s/confirm" % p["id"])
        self.assertEqual((r.status, r.body["state"]), (200, "paid"))
        self.assertEqual(self.accounts(self.cus), {"payable": (0, 0, 0)})
        # the entries: each balanced, sealed, listed in pages
        seen, cursor = [], None
        while True:
            q = "/v1/funds/entries?owner=%s&limit=2" % m + ("&cursor=" + cursor if cursor else "")
            r = self.req("GET", q)
            self.assertEqual(r.status, 200, r.body)
            seen += r.body["data"]
            cursor = r.body["next_cursor"]
            if not cursor:
                break
        self.assertEqual([e["kind"] for e in seen],
                         ["credit", "credit", "transfer", "advance", "credit", "recovery"])
        for e in seen:
            self.assertEqual(sum(l["amount"]["amount"] for l in e["legs"]), 0)
            self.assertIn("leaf_index", e["sealed"])
        r = self.req("GET", "/v1/funds/entries?owner=%s&account=deposit" % m)
        self.assertEqual([e["kind"] for e in r.body["data"]], ["credit", "transfer"])

    def test_a_payout_request_is_a_signed_webhook_event(self):
        self.credit(500)
        self.post("/v1/funds/transfers", {"merchant": self.m["id"], "consumer": self.cus,
                                          "amount": 500})
        p = self.post("/v1/payouts", {"consumer": self.cus, "amount": 500}).body
        rows = [json.loads(b) for (b,) in self.srv.sql(
            "SELECT body FROM outbox WHERE type = 'payout.requested'")]
        self.assertIn(p["id"], [ev["data"]["object"]["id"] for ev in rows])

    def test_each_party_reads_only_its_own_accounts(self):
        other, _, o2 = self.world.shop()
        mt = self.world.token_for("merchant", self.m["id"])["token"]
        ct = self.world.token_for("consumer", self.cus)["token"]
        self.assertEqual(set(self.accounts(self.m["id"], token=mt)),
                         {"settlement", "deposit", "receivable"})
        self.assertEqual(set(self.accounts(self.cus, token=ct)), {"payable"})
        self.assertEqual(set(self.accounts("platform", token=self.agent_key)),
                         {"guarantee", "receivable", "world"})
        for tok, owner in ((mt, other["id"]), (mt, "platform"), (mt, self.cus),
                           (ct, o2["consumer"]["id"]), (ct, self.m["id"]), (ct, "platform")):
            r = self.req("GET", "/v1/funds/accounts/" + owner, token=tok)
            self.assertEqual(r.status, 404, (owner, r.body))
            r = self.req("GET", "/v1/funds/entries?owner=" + owner, token=tok)
            self.assertEqual(r.status, 404, (owner, r.body))
        r = self.req("GET", "/v1/funds/entries?owner=%s&account=settlement" % self.cus, token=ct)
        self.assertEqual(r.status, 404)

    def test_the_same_idempotency_key_moves_money_once(self):
        key = uid("idem")
        body = {"merchant": self.m["id"], "account": "settlement", "amount": 700,
                "reference": uid("r")}
        a = self.post("/v1/funds/credits", body, key=key)
        b = self.post("/v1/funds/credits", body, key=key)
        self.assertEqual((a.status, b.status), (201, 201))
        self.assertEqual(a.body["id"], b.body["id"])
        self.assertEqual(self.accounts(self.m["id"])["settlement"][0], 700)
        r = self.post("/v1/funds/credits", dict(body, amount=701), key=key)
        self.assertError(r, 409, "invalid_request", "idempotency_key_reused")
        # the ledger's own key holds after the HTTP layer's stored replies are forgotten
        self.srv.sql("DELETE FROM idempotency")
        c = self.post("/v1/funds/credits", body, key=key)
        self.assertEqual((c.status, c.body["id"]), (201, a.body["id"]))
        self.assertEqual(self.accounts(self.m["id"])["settlement"][0], 700)


# ---- load: many clients, retried after dropped connections, with and without SIGKILL ----

def raw_post(port, path, token, key, body, drop):
    """POST over a raw socket. drop: None (read the reply), "before" (close mid-body) or
    "after" (send all, close without reading). Returns (status, body) or None if dropped."""
    data = json.dumps(body).encode()
    head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
            "Idempotency-Key: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n" % (path, token, key, len(data))).encode()
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        if drop == "before":
            s.sendall(head + data[:len(data) // 2])
            return None
        s.sendall(head + data)
        if drop == "after":
            return None
        chunks = []
        while True:
            c = s.recv(65536)
            if not c:
                break
            chunks.append(c)
    finally:
        s.close()
    raw = b"".join(chunks)
    head, _, payload = raw.partition(b"\r\n\r\n")
    if not head:
        return None
    # a reply cut short (the server killed while sending it) is no answer: the
    # client asks again with the same key, as a real one would
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length is None or len(payload) != length:
        return None
    try:
        return int(head.split(b" ", 2)[1]), json.loads(payload.decode())
    except ValueError:
        return None


class Load:
    """Random money operations on a few accounts from many threads, each retried with
    its Idempotency-Key until it gets an answer."""

    def __init__(self, srv, token, merchants, consumers, seed):
        self.srv, self.token = srv, token
        self.merchants, self.consumers = merchants, consumers
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.acked = {}        # key -> (status, body) of the answer finally received
        self.errors = []

    def op(self, rng):
        kind = rng.choice(["credit", "credit", "transfer", "advance", "guarantee", "payout"])
        m, c = rng.choice(self.merchants), rng.choice(self.consumers)
        amount = rng.randint(1, 500)
        if kind == "credit":
            return "/v1/funds/credits", {"merchant": m, "account": "settlement",
                                         "amount": amount, "reference": uid("r")}
        if kind == "guarantee":
            return "/v1/funds/guarantee", {"amount": amount, "reference": uid("g")}
        if kind == "payout":
            return "/v1/payouts", {"consumer": c, "amount": amount}
        return "/v1/funds/%ss" % kind, {"merchant": m, "consumer": c, "amount": amount}

    def client(self, n, seed, stop_at):
        try:
            self.client_ops(n, seed, stop_at)
        except Exception as x:  # a thread that dies must fail the test, not vanish
            with self.lock:
                self.errors.append("client died: %r" % x)

    def client_ops(self, n, seed, stop_at):
        rng = random.Random(seed)
        for _ in range(n):
            path, body = self.op(rng)
            key = uuid.uuid4().hex
            while True:
                if time.monotonic() > stop_at:
                    self.errors.append("gave up on %s" % key)
                    return
                drop = rng.choice([None, None, None, "before", "after"])
                port = self.srv.port
                try:
                    got = raw_post(port, path, self.token, key, body, drop) if port else None
                except OSError:
                    got = None
                if got is None or got[0] >= 500:
                    time.sleep(0.02)
                    continue
                with self.lock:
                    self.acked[key] = got
                if got[0] not in (201, 409):
                    self.errors.append("%s %r -> %r" % (path, body, got))
                elif got[0] == 409 and got[1]["error"]["code"] != "insufficient_funds":
                    self.errors.append("%s %r -> %r" % (path, body, got))
                break

    def run(self, threads, per_thread, budget):
        stop_at = time.monotonic() + budget
        ts = [threading.Thread(target=self.client, args=(per_thread, self.rng.random(), stop_at))
              for _ in range(threads)]
        for t in ts:
            t.start()
        return ts


class FundsLoadTest(unittest.TestCase):

    def setUp(self):
        self.srv = Server()
        self.token = self.srv.key_create("platform", "load")
        self.srv.start()
        w = World(self.srv, self.token)
        self.merchants, self.consumers = [], []
        for _ in range(3):
            m, _, o = w.shop()
            self.merchants.append(m["id"])
            self.consumers.append(o["consumer"]["id"])
        r = self.srv.request("POST", "/v1/funds/guarantee", {"amount": 20000, "reference": "seed"},
                             token=self.token)
        self.assertEqual(r.status, 201)
        self.seed_legs = legs_of(r.body)
        self.seed_ids = entry_ids(r.body)

    def tearDown(self):
        self.srv.cleanup()

    def check(self, load):
        self.assertEqual(load.errors, [])
        want, ids = {}, list(self.seed_ids)
        for status, body in load.acked.values():
            if status != 201:
                continue
            entry = body if body.get("object") == "ledger_entry" else None
            if body.get("object") == "payout":
                entry = self.entry(body["entry"])
            for owner, account, amount in legs_of(entry):
                want[(owner, account)] = want.get((owner, account), 0) + amount
            ids += entry_ids(entry)
        for owner, account, amount in self.seed_legs:
            want[(owner, account)] = want.get((owner, account), 0) + amount
        have = {(o, n): b for o, n, b in self.srv.sql(
            "SELECT owner, name, balance FROM fund_accounts")}
        stored = [i for (i,) in self.srv.sql("SELECT id FROM fund_entries")]
        (total,), = self.srv.sql("SELECT sum(balance) FROM fund_accounts")
        # every acknowledged operation applied once, nothing applied that was not acknowledged
        self.assertEqual(sorted(stored), sorted(ids))
        self.assertEqual(len(set(stored)), len(stored))
        self.assertEqual({k: v for k, v in have.items() if v}, {k: v for k, v in want.items() if v})
        self.assertEqual(total, 0)
        for owner in self.merchants + self.consumers + ["platform"]:
            r = self.srv.request("GET", "/v1/funds/accounts/" + owner, token=self.token)
            for a in r.body["accounts"]:
                self.assertEqual(a["balance"]["amount"], have.get((owner, a["account"]), 0))
        deadline = time.monotonic() + 10
        while True:
            res = run_cli("audit", "--data", self.srv.data_dir)
            if res.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        self.assertEqual(res.returncode, 0, res.stdout.decode() + res.stderr.decode())

    def entry(self, eid):
        (body,), = self.srv.sql("SELECT body FROM fund_entries WHERE id = ?", (eid,))
        return json.loads(body)

    def test_concurrent_retried_operations_apply_once_and_conserve_money(self):
        load = Load(self.srv, self.token, self.merchants, self.consumers, seed=61)
        for t in load.run(threads=12, per_thread=20, budget=40):
            t.join()
        self.assertEqual(len(load.acked), 240)
        self.assertTrue(any(s == 409 for s, _ in load.acked.values()))
        self.check(load)

    def test_sigkill_mid_load_loses_nothing_acknowledged_and_doubles_nothing(self):
        load = Load(self.srv, self.token, self.merchants, self.consumers, seed=44)
        threads = load.run(threads=8, per_thread=25, budget=40)
        deadline = time.monotonic() + 20
        while len(load.acked) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        self.srv.kill()
        at_kill = len(load.acked)
        self.assertLess(at_kill, 200, "the load ended before the kill")
        self.srv.start()
        for t in threads:
            t.join()
        self.assertEqual(len(load.acked), 200)
        self.check(load)


if __name__ == "__main__":
    unittest.main()
