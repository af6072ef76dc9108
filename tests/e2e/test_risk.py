"""test_risk.py - merchant risk figures exact on a history built on the test clock, the ranked list, early-warning alerts on an injected spike (and none on a flat history), repeated_fraud proposals confirmed or dismissed, and pay-first against a flagged merchant."""
import json
import unittest

from dispute_kit import DAY, HOUR, DisputeCase, cny
from harness import run_cli
from test_webhooks import Receiver, verify_signature

WEEK = 7 * DAY


class RiskCase(DisputeCase):

    def merchant_with_listing(self, price=1999, category=None):
        m = self.world.merchant()
        extra = {"category": category} if category else {}
        lst = self.world.listing(m["id"], price=price, **extra)
        return m, lst

    def order(self, m, lst, price=1999):
        return self.world.order(m["id"], lst["id"], unit_price=price)

    def dispute(self, order, reason="quality", amount=None):
        """A dispute the platform opens for the order's consumer."""
        r = self.req("POST", "/v1/disputes", {
            "order": order["id"],
            "claim": {"type": "refund", "amount": cny(order["total"]["amount"]
                                                      if amount is None else amount)},
            "reason": reason})
        self.assertEqual(r.status, 201, r.body)
        return r.body

    def respond(self, d, action, token="platform"):
        body = {"action": action}
        if action == "reject":
            body["message"] = "商品没有问题"
        return self.ok(d, "responses", body, token)

    def risk(self, m, token="platform"):
        return self.req("GET", "/v1/merchants/%s/risk" % m["id"], token=token)

    def alerts(self, **q):
        path = "/v1/alerts?limit=100" + "".join("&%s=%s" % kv for kv in q.items())
        r = self.req("GET", path)
        self.assertEqual(r.status, 200, r.body)
        return r.body["data"]


class RiskFiguresTest(RiskCase):

    def test_figures_are_exact_over_30_and_90_days_and_only_for_staff_and_the_merchant(self):
        m, lst = self.merchant_with_listing()
        o = [self.order(m, lst) for _ in range(4)]
        d1 = self.dispute(o[0], "quality")
        self.respond(d1, "accept")                         # answered, upheld
        d2 = self.dispute(o[1], "quality")
        self.respond(d2, "reject")                         # answered, then rejected
        self.ok(d2, "escalate", {}, "platform", state="platform_review")
        self.decide(d2, outcome="rejected")
        d3 = self.dispute(o[2], "counterfeit")
        self.advance(49 * HOUR)                            # the merchant stays silent
        self.assertEqual(self.get(d3)["state"], "platform_review")
        self.advance(40 * DAY)
        o5 = self.order(m, lst)
        d4 = self.dispute(o5, "quality")
        self.ok(d4, "withdraw", {}, "platform", state="withdrawn")
        self.advance(HOUR)

        r = self.risk(m)
        self.assertEqual(r.status, 200, r.body)
        fig = r.body
        self.assertEqual(fig["object"], "merchant_risk")
        self.assertEqual(fig["merchant"], m["id"])
        w30, w90 = fig["windows"]
        self.assertEqual(w30["days"], 30)
        self.assertEqual((w30["orders"], w30["disputes"], w30["closed"], w30["upheld"],
                          w30["responses_due"], w30["responded_on_time"]), (1, 1, 1, 0, 0, 0))
        self.assertEqual(w30["disputes_per_1000_orders"], 1000.0)
        self.assertEqual(w30["upheld_rate"], 0.0)
        self.assertIsNone(w30["on_time_response_rate"])
        self.assertEqual(w30["repeat"]["reason"]["counts"],
                         [{"focus": "quality", "count": 1, "share": 1.0}])
        self.assertIsNone(w30["repeat"]["reason"]["most_repeated"])

        self.assertEqual(w90["days"], 90)
        self.assertEqual((w90["orders"], w90["disputes"], w90["closed"], w90["upheld"],
                          w90["responses_due"], w90["responded_on_time"]), (5, 4, 3, 1, 3, 2))
        self.assertEqual(w90["disputes_per_1000_orders"], 800.0)
        self.assertAlmostEqual(w90["upheld_rate"], 1 / 3)
        self.assertAlmostEqual(w90["on_time_response_rate"], 2 / 3)
        self.assertEqual(w90["repeat"]["reason"]["counts"],
                         [{"focus": "quality", "count": 3, "share": 0.75},
                          {"focus": "counterfeit", "count": 1, "share": 0.25}])
        self.assertEqual(w90["repeat"]["reason"]["most_repeated"],
                         {"focus": "quality", "count": 3, "share": 0.75})
        self.assertIsInstance(w90["repeat"]["assessment"]["counts"], list)
        self.assertEqual(fig["score"], 1000.0)             # 1000 × (4 + 1) / 5

        # the merchant sees its own; another merchant gets 404, a consumer 403
        mine = self.risk(m, token=self.token("merchant", m["id"]))
        self.assertEqual(mine.status, 200, mine.body)
        self.assertEqual(mine.body["windows"], fig["windows"])
        other, _ = self.merchant_with_listing()
        self.assertError(self.risk(m, token=self.token("merchant", other["id"])), 404,
                         "not_found")
        self.assertError(self.risk(m, token=self.token("consumer", o[0]["consumer"]["id"])),
                         403, "forbidden")
        self.assertError(self.risk({"id": "mer_000000000000000000000000"}), 404, "not_found")

        # the ranked list: 1000 × (disputes + upheld) / orders over 90 days, highest first
        b, blst = self.merchant_with_listing()
        ob = [self.order(b, blst) for _ in range(2)]
        self.dispute(ob[0], "price")
        r = self.req("GET", "/v1/risk/merchants?limit=1", token=self.token("agent", "客服-李"))
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["window_days"], 90)
        first = r.body["data"]
        self.assertEqual([(x["rank"], x["merchant"], x["score"], x["orders"], x["disputes"],
                           x["upheld"]) for x in first], [(1, m["id"], 1000.0, 5, 4, 1)])
        self.assertTrue(r.body["next_cursor"])
        r = self.req("GET", "/v1/risk/merchants?limit=1&cursor=" + r.body["next_cursor"])
        self.assertEqual([(x["rank"], x["merchant"], x["score"]) for x in r.body["data"]],
                         [(2, b["id"], 500.0)])
        self.assertIsNone(r.body["next_cursor"])
        self.assertError(self.req("GET", "/v1/risk/merchants", token=self.token("merchant", b["id"])),
                         403, "forbidden")
        self.assertError(self.req("GET", "/v1/risk/merchants?limit=0"), 400, "invalid_value",
                         param="limit")


class EarlyWarningTest(RiskCase):

    def test_an_injected_spike_raises_one_alert_with_its_evidence_and_a_flat_history_none(self):
        rx = Receiver()
        self.addCleanup(rx.close)
        self.srv.stop()
        self.srv.start(args=["--test-clock=" + self.clock_start],
                       env={"DISPUTED_WEBHOOK_ALLOW_PRIVATE": "1"})
        r = self.req("POST", "/v1/webhook_endpoints", {"url": rx.url("/alerts"),
                                                       "events": ["alert.raised"]})
        self.assertEqual(r.status, 201, r.body)
        secret = r.body["secret"]

        spiky, slst = self.merchant_with_listing(category="tech")
        flat, flst = self.merchant_with_listing(category="tech")
        recent = []
        # ten weeks of history: three orders a week each; a quality dispute every
        # other week for both, a counterfeit one every week for the flat merchant
        for week in range(10):
            so = [self.order(spiky, slst) for _ in range(3)]
            fo = [self.order(flat, flst) for _ in range(3)]
            recent = (recent + so[1:])[-4:]               # orders without a dispute
            if week % 2 == 0:
                self.dispute(so[0], "quality")
                self.dispute(fo[0], "quality")
            self.dispute(fo[1], "counterfeit")
            self.advance(WEEK)
        self.assertEqual(self.alerts(), [])

        # this week: four counterfeit claims against one merchant
        spike = [self.dispute(o, "counterfeit")["id"] for o in recent[:4]]
        self.dispute(self.order(flat, flst), "quality")
        self.advance(1)
        mine = self.alerts(scope="merchant", merchant=spiky["id"])
        self.assertEqual(len(mine), 1, mine)
        a = mine[0]
        self.assertEqual((a["object"], a["type"], a["scope"], a["scope_id"], a["merchant"],
                          a["focus"], a["observed"]),
                         ("alert", "focus_spike", "merchant", spiky["id"], spiky["id"],
                          "counterfeit", 4))
        self.assertEqual(sorted(a["disputes"]), sorted(spike))
        self.assertEqual(a["test"], {"name": "poisson_upper_tail", "alpha": 0.001,
                                     "min_count": 3})
        self.assertEqual(a["basis"]["kind"], "own_history")
        self.assertEqual(a["basis"]["disputes"], 0)
        self.assertGreater(a["basis"]["exposure"], 0)
        self.assertLess(a["p_value"], 0.001)
        self.assertLess(a["expected"], 1)
        # exposure: the orders of the 28 days before the week's end (weeks 7 to 9)
        self.assertEqual(a["exposure"]["orders"], 9)
        # the listing spiked with its merchant; the flat merchant and the category did not
        self.assertEqual([x["scope_id"] for x in self.alerts(scope="listing")], [slst["id"]])
        self.assertEqual(self.alerts(merchant=flat["id"]), [])
        self.assertEqual(self.alerts(scope="category"), [])
        self.assertEqual(self.req("GET", "/v1/alerts/" + a["id"]).body, a)

        # the webhook carries the alert, signed
        got = rx.wait("/alerts", 2)
        bodies = [json.loads(b) for _, _, b in got]
        self.assertEqual(sorted(x["data"]["object"]["id"] for x in bodies),
                         sorted(x["id"] for x in self.alerts()))
        for _, headers, body in got:
            verify_signature(secret, headers["Disputed-Signature"], body)
            self.assertEqual(json.loads(body)["type"], "alert.raised")

        # scanning the same week again raises nothing new, by the clock or the command
        self.advance(HOUR)
        r = run_cli("risk", "scan", "--data", self.srv.data_dir, "--now", self.now())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["alerts_raised"], 0)
        self.assertEqual(len(self.alerts()), 2)

        # who may read alerts: staff and the regulator
        regulator = self.srv.key_create("regulator", "市场监管局")
        r = self.req("GET", "/v1/alerts/" + a["id"], token=regulator)
        self.assertEqual(r.status, 200, r.body)
        self.assertError(self.req("GET", "/v1/alerts", token=self.token("merchant", spiky["id"])),
                         403, "forbidden")
        self.assertError(self.req("GET", "/v1/alerts/alr_000000000000000000000000"), 404,
                         "not_found")
        self.assertError(self.req("GET", "/v1/alerts?scope=planet"), 400, "invalid_enum",
                         param="scope")

        # the measured test over this history: the spike is its one week of alarms
        r = run_cli("risk", "eval", "--data", self.srv.data_dir, "--to", self.now())
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        self.assertIn("alarms 2, tests", out)


class ProposalTest(RiskCase):

    def upheld_history(self, reason="not_as_described", n=3):
        m, lst = self.merchant_with_listing()
        orders = [self.order(m, lst) for _ in range(n + 1)]
        ids = []
        for o in orders[:n]:
            d = self.dispute(o, reason)
            self.respond(d, "accept")
            ids.append(d["id"])
        return m, orders, ids

    def proposals(self, state="proposed"):
        r = self.req("GET", "/v1/risk/proposals?state=" + state, token=self.agent)
        self.assertEqual(r.status, 200, r.body)
        return r.body["data"]

    def test_confirmed_proposal_flags_the_merchant_and_pays_first(self):
        m, orders, ids = self.upheld_history()
        self.assertEqual(self.proposals(), [])             # nothing until the scan runs
        self.advance(1)
        props = self.proposals()
        self.assertEqual(len(props), 1, props)
        p = props[0]
        self.assertEqual((p["merchant"], p["flag"], p["state"]), (m["id"], "repeated_fraud",
                                                                  "proposed"))
        self.assertEqual(p["evidence"]["upheld"], 3)
        self.assertEqual(p["evidence"]["disputes"], ids)
        self.assertEqual(p["rule"], {"upheld": 3, "reasons": ["counterfeit", "not_as_described"],
                                     "window_days": 90})
        # never automatic: the merchant is not flagged yet, and a second scan proposes nothing new
        self.assertEqual(self.req("GET", "/v1/merchants/" + m["id"]).body["flags"], [])
        self.advance(1)
        self.assertEqual(len(self.proposals()), 1)
        self.assertError(self.req("GET", "/v1/risk/proposals",
                                  token=self.token("merchant", m["id"])), 403, "forbidden")

        # bad input changes nothing
        other, _, _ = self.upheld_history("counterfeit")
        flag = "/v1/merchants/%s/flags" % other["id"]
        r = self.req("POST", flag, {"flag": "repeated_fraud", "reason": "x", "proposal": p["id"]},
                     token=self.agent)
        self.assertError(r, 409, "proposal_mismatch", param="proposal")
        r = self.req("POST", "/v1/merchants/%s/flags" % m["id"],
                     {"flag": "repeated_fraud", "reason": "x",
                      "proposal": "rpr_000000000000000000000000"}, token=self.agent)
        self.assertError(r, 404, "not_found", param="proposal")
        r = self.req("POST", "/v1/merchants/%s/flags" % m["id"],
                     {"flag": "repeated_fraud", "reason": "x", "evidence": ["dsp_nope"]},
                     token=self.agent)
        self.assertError(r, 400, "invalid_evidence", param="evidence[0]")
        self.assertEqual(self.req("GET", "/v1/merchants/" + m["id"]).body["flags"], [])
        self.assertEqual(self.proposals()[0]["state"], "proposed")

        # staff confirm: the flag is set with its evidence, the proposal confirmed
        r = self.req("POST", "/v1/merchants/%s/flags" % m["id"],
                     {"flag": "repeated_fraud", "reason": "三起货不对板经核实",
                      "proposal": p["id"]}, token=self.agent)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.body["evidence"], {"proposal": p["id"], "disputes": ids})
        flags = self.req("GET", "/v1/merchants/" + m["id"]).body["flags"]
        self.assertEqual([(f["flag"], f["evidence"]["proposal"]) for f in flags],
                         [("repeated_fraud", p["id"])])
        done = self.proposals("confirmed")
        self.assertEqual([(x["id"], x["flag_set"], x["reason"]) for x in done],
                         [(p["id"], True, "三起货不对板经核实")])
        self.advance(1)
        self.assertEqual(self.proposals("proposed")[0]["merchant"], other["id"])

        # the next dispute is serious, and a decision for the consumer is paid first at once
        self.fund(guarantee=100000)
        d = self.dispute(orders[3], "quality")
        self.assertEqual(d["tier"], "serious", d)
        self.respond(d, "reject")
        self.ok(d, "escalate", {}, "platform", state="platform_review")
        d = self.decide(d, outcome="full_refund")
        self.assertEqual(d["state"], "decided")
        self.assertEqual(d["funds"]["paid"], cny(1999))
        self.assertTrue(d["funds"]["paid_first"])
        self.assertIsNone(d["funds"]["hold"])
        self.assertEqual(self.balance(d["consumer"], "payable"), 1999)
        self.assertEqual(self.balance(m["id"], "receivable"), 1999)
        self.assertEqual(self.balance("platform", "guarantee"), 100000 - 1999)
        self.assertIn("pay_first", [ev["data"]["operation"] for ev in self.funds_events(d)])
        # the appeal window closes: nothing more moves, the dispute resolves
        self.advance(12 * DAY)
        d = self.get(d)
        self.assertEqual(d["state"], "resolved", d)
        self.assertEqual(self.balance(d["consumer"], "payable"), 1999)
        self.assertEqual(self.balance("platform", "guarantee"), 100000 - 1999)

        # a confirmed proposal cannot confirm again
        self.assertEqual(self.req("DELETE", "/v1/merchants/%s/flags/repeated_fraud" % m["id"],
                                  token=self.agent).status, 200)
        r = self.req("POST", "/v1/merchants/%s/flags" % m["id"],
                     {"flag": "repeated_fraud", "reason": "x", "proposal": p["id"]},
                     token=self.agent)
        self.assertError(r, 409, "proposal_closed", param="proposal")
        self.assertEqual(self.req("GET", "/v1/merchants/" + m["id"]).body["flags"], [])

    def test_dismissal_closes_the_proposal_until_more_disputes_are_upheld(self):
        m, orders, ids = self.upheld_history("counterfeit")
        self.advance(1)
        p = self.proposals()[0]
        path = "/v1/risk/proposals/%s/dismiss" % p["id"]
        self.assertError(self.req("POST", path, {}, token=self.agent), 400, "required",
                         param="reason")
        self.assertError(self.req("POST", path, {"reason": "x"},
                                  token=self.token("merchant", m["id"])), 403, "forbidden")
        self.assertError(self.req("POST", "/v1/risk/proposals/rpr_000000000000000000000000/"
                                  "dismiss", {"reason": "x"}, token=self.agent), 404, "not_found")
        r = self.req("POST", path, {"reason": "同一批次的物流问题，非售假"}, token=self.agent)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual((r.body["state"], r.body["flag_set"], r.body["reason"]),
                         ("dismissed", False, "同一批次的物流问题，非售假"))
        self.assertError(self.req("POST", path, {"reason": "again"}, token=self.agent), 409,
                         "proposal_closed")
        self.assertEqual(self.req("GET", "/v1/merchants/" + m["id"]).body["flags"], [])
        # the same evidence is not proposed again; one more upheld dispute is
        self.advance(1)
        self.assertEqual(self.proposals(), [])
        d = self.dispute(orders[3], "counterfeit")
        self.respond(d, "accept")
        self.advance(1)
        again = self.proposals()
        self.assertEqual([(x["merchant"], x["evidence"]["upheld"]) for x in again],
                         [(m["id"], 4)])


if __name__ == "__main__":
    unittest.main()
