"""test_abuse.py - abusive complainants: a consumer's signals, staff's flag only with evidence, the consumer told and heard on appeal, no fast lane while marked, the compliance report counting it."""
import json
import unittest
from urllib.parse import quote

from dispute_kit import DAY, HOUR, DisputeCase, cny
from harness import audit_settled, edit_body, run_cli
from test_webhooks import Receiver

REPORT = "/v1/reports/compliance?from=%s&to=%s" % (quote("2025-09-01T00:00:00Z", safe=""),
                                                    quote("2026-09-01T00:00:00Z", safe=""))


class AbuseCase(DisputeCase):
    """One consumer with several orders, and a webhook receiver."""

    def setUp(self):
        self.rx = Receiver()
        self.addCleanup(self.rx.close)
        super().setUp()
        r = self.req("POST", "/v1/webhook_endpoints",
                     {"url": self.rx.url("/hooks"), "events": ["consumer.flagged",
                                                              "consumer.flag_appealed",
                                                              "consumer.flag_appeal_decided",
                                                              "consumer.flag_cleared"]})
        self.assertEqual(r.status, 201, r.body)

    def start_server(self, clock=None):
        self.srv.start(args=["--test-clock=" + (clock or self.clock_start)],
                       env={"DISPUTED_WEBHOOK_ALLOW_PRIVATE": "1"})
        self.addCleanup(self.srv.stop)

    def more_orders(self, shop, n):
        """`n` more orders of the shop's consumer at the shop's merchant."""
        cid = shop.order["consumer"]["id"]
        c = self.req("GET", "/v1/consumers/" + cid).body
        out = []
        for _ in range(n):
            o = self.world.order(shop.merchant["id"], shop.listing["id"], unit_price=1999,
                                 consumer={"external_id": c["external_id"], "name": "李四",
                                           "phone": "+86 138 0000 0000"})
            self.assertEqual(o["consumer"]["id"], cid)
            out.append(o)
        return out

    def open_on(self, shop, order, **extra):
        body = {"order": order["id"], "claim": {"type": "refund", "amount": cny(1999)},
                "reason": "quality"}
        body.update(extra)
        r = self.req("POST", "/v1/disputes", body, token=shop.consumer)
        self.assertEqual(r.status, 201, r.body)
        return r.body

    def consumer_of(self, shop):
        return shop.order["consumer"]["id"]

    def flag(self, shop, evidence, reason="三个订单重复使用同一张照片", token=None):
        return self.req("POST", "/v1/consumers/%s/flags" % self.consumer_of(shop),
                        {"flag": "abusive", "reason": reason, "evidence": evidence},
                        token=self.agent if token is None else token)

    def record(self, shop, token="platform"):
        r = self.req("GET", "/v1/consumers/" + self.consumer_of(shop), token=token)
        self.assertEqual(r.status, 200, r.body)
        return r.body

    def hooks(self, count):
        got = self.rx.wait("/hooks", count)
        self.assertEqual(len(got), count, [json.loads(b)["type"] for _, _, b in got])
        return [json.loads(b) for _, _, b in got]


class SignalTest(AbuseCase):

    def test_signals_on_a_hand_made_history_are_exact(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=100000)
        o1 = s.order
        o2, o3, _o4 = self.more_orders(s, 3)
        photo = self.blob(token=s.consumer)
        # d1: granted on the merchant's silence and paid at once, then withdrawn
        d1 = self.open_on(s, o1, evidence=[photo])
        self.advance(3 * DAY)
        d1 = self.get(d1)
        self.assertEqual(d1["state"], "decided")
        self.assertEqual(d1["funds"]["paid"]["amount"], 1999, d1["funds"])
        self.ok(d1, "withdraw", {}, s.consumer, state="withdrawn")
        # d2: the same photo on another order; rejected by the platform
        d2 = self.open_on(s, o2, evidence=[photo])
        self.ok(d2, "responses", {"action": "reject", "message": "无质量问题"},
                s.merchant_token, state="negotiating")
        self.ok(d2, "escalate", {}, s.consumer, state="platform_review")
        d2 = self.decide(d2, outcome="rejected")
        # d3: withdrawn before anything was paid
        d3 = self.open_on(s, o3)
        self.ok(d3, "withdraw", {}, s.consumer, state="withdrawn")

        r = self.req("GET", "/v1/consumers/%s/signals" % self.consumer_of(s), token=self.agent)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual((r.body["object"], r.body["window_days"], r.body["disputes_read"],
                          r.body["truncated"]), ("consumer_signals", 90, 3, False))
        sig = r.body["signals"]
        rate = sig["dispute_rate"]
        self.assertEqual((rate["figure"], rate["disputes_90d"], rate["disputes"], rate["orders"],
                          rate["per_order"]), (3, 3, 3, 4, 0.75))
        self.assertEqual(set(rate["evidence"]["disputes"]), {d1["id"], d2["id"], d3["id"]})
        rej = sig["rejected_share"]
        self.assertEqual((rej["figure"], rej["decided"], rej["rejected"]), (0.5, 2, 1))
        self.assertEqual(rej["evidence"]["disputes"], [d2["id"]])
        reuse = sig["photo_reuse"]
        self.assertEqual(reuse["figure"], 1)
        [b] = reuse["evidence"]["blobs"]
        self.assertEqual(b["blob"], photo)
        self.assertEqual(sorted(b["orders"]), sorted([o1["id"], o2["id"]]))
        self.assertEqual(sorted(b["disputes"]), sorted([d1["id"], d2["id"]]))
        wd = sig["withdrawn_after_payment"]
        self.assertEqual((wd["figure"], wd["withdrawn"], wd["evidence"]["disputes"]),
                         (1, 2, [d1["id"]]))
        # 91 days on, nothing is recent any more; the rest stands
        self.advance(91 * DAY)
        sig = self.req("GET", "/v1/consumers/%s/signals" % self.consumer_of(s)).body["signals"]
        self.assertEqual((sig["dispute_rate"]["figure"], sig["dispute_rate"]["disputes"]), (0, 3))
        self.assertEqual(sig["photo_reuse"]["figure"], 1)

    def test_signals_are_for_staff(self):
        s = self.shop()
        path = "/v1/consumers/%s/signals" % self.consumer_of(s)
        self.assertError(self.req("GET", path, token=s.consumer), 403, "forbidden")
        self.assertError(self.req("GET", path, token=s.merchant_token), 403, "forbidden")
        self.assertError(self.req("GET", "/v1/consumers/cus_000000000000000000000000/signals"),
                         404, "not_found")


class FlagTest(AbuseCase):

    def test_a_flag_without_real_evidence_is_refused_and_changes_nothing(self):
        s = self.shop()
        other = self.shop()
        theirs = self.opened(other)
        foreign = self.blob(token=other.consumer)
        mine = self.opened(s)
        cid = self.consumer_of(s)
        path = "/v1/consumers/%s/flags" % cid
        r = self.req("POST", path, {"flag": "abusive", "reason": "x"}, token=self.agent)
        self.assertError(r, 400, "required", param="evidence")
        self.assertError(self.flag(s, []), 400, "required", param="evidence")
        r = self.flag(s, [mine["id"], theirs["id"]])
        self.assertEqual(r.status, 422, r.body)
        self.assertEqual((r.body["error"]["code"], r.body["error"]["param"]),
                         ("evidence_not_found", "evidence[1]"))
        r = self.flag(s, [foreign])
        self.assertEqual((r.status, r.body["error"]["param"]), (422, "evidence[0]"), r.body)
        r = self.flag(s, [mine["id"], mine["id"]])
        self.assertEqual((r.status, r.body["error"]["param"]), (422, "evidence[1]"), r.body)
        self.assertError(self.flag(s, [7]), 400, "invalid_type", param="evidence[0]")
        r = self.req("POST", path, {"flag": "rude", "reason": "x", "evidence": [mine["id"]]},
                     token=self.agent)
        self.assertError(r, 400, "invalid_enum", param="flag")
        self.assertError(self.flag(s, [mine["id"]], token=s.merchant_token), 403, "forbidden")
        self.assertError(self.flag(s, [mine["id"]], token=s.consumer), 403, "forbidden")
        # nothing changed: no flag, no history, no note, no webhook, the next claim fast
        rec = self.record(s)
        self.assertEqual((rec["flags"], rec["flag_history"]), ([], []))
        self.assertNotIn("consumer_flag", [ev["type"] for ev in self.events(mine)])
        self.assertEqual(self.rx.on("/hooks"), [])
        o2, = self.more_orders(s, 1)
        self.assertEqual(self.open_on(s, o2)["tier"], "fast_lane")

    def test_marked_consumer_is_told_merchant_never_and_claims_leave_the_fast_lane(self):
        s = self.shop(amount=1999)
        self.fund(s, settlement=100000)
        photo = self.blob(token=s.consumer)
        live = self.opened(s, evidence=[photo])
        self.assertEqual(live["tier"], "fast_lane")
        r = self.flag(s, [live["id"], photo])
        self.assertEqual(r.status, 201, r.body)
        f = r.body
        self.assertRegex(f["id"], r"^cfl_[0-9a-f]{24}$")
        self.assertEqual((f["object"], f["flag"], f["evidence"], f["appeal"], f["cleared_at"]),
                         ("consumer_flag", "abusive", [live["id"], photo], None, None))
        self.assertError(self.flag(s, [live["id"]]), 409, "flag_set")
        # the consumer sees it on their own record, with the reason and the evidence
        rec = self.record(s, token=s.consumer)
        [mine] = rec["flags"]
        self.assertEqual((mine["id"], mine["reason"], mine["evidence"]),
                         (f["id"], "三个订单重复使用同一张照片", [live["id"], photo]))
        self.assertEqual([h["type"] for h in rec["flag_history"]], ["marked"])
        # ... and in the timeline of their live dispute; the merchant sees neither
        notes = [ev for ev in self.events(live, token=s.consumer) if ev["type"] == "consumer_flag"]
        self.assertEqual(len(notes), 1)
        self.assertEqual((notes[0]["data"]["action"], notes[0]["data"]["flag"],
                          notes[0]["data"]["cited"]), ("marked", "abusive", [live["id"], photo]))
        merchant_events = self.events(live, token=s.merchant_token)
        self.assertNotIn("consumer_flag", [ev["type"] for ev in merchant_events])
        self.assertNotIn("abusive", json.dumps(merchant_events, ensure_ascii=False))
        self.assertEqual(self.req("GET", "/v1/consumers/" + self.consumer_of(s),
                                  token=s.merchant_token).status, 403)
        self.assertEqual(self.hooks(1)[0]["type"], "consumer.flagged")
        # the next claim is reviewed by a person, the merchant not told why
        o2, = self.more_orders(s, 1)
        d2 = self.open_on(s, o2)
        self.assertEqual(d2["tier"], "standard", d2)
        self.assertIn("person", d2["tier_reason"])
        self.assertNotIn("abusive", json.dumps(self.get(d2, token=s.merchant_token)))
        # the merchant's silence grants nothing by itself any more: a person reviews it
        self.advance(3 * DAY)
        self.assertEqual(self.get(live)["state"], "platform_review")
        self.assertEqual(self.get(d2)["state"], "platform_review")
        self.assertEqual(self.get(live)["funds"]["paid"]["amount"], 0)

    def test_appeal_once_and_decisions_and_the_compliance_report(self):
        s = self.shop()
        other = self.shop()
        d = self.opened(s)
        f = self.flag(s, [d["id"]]).body
        base = "/v1/consumers/%s/flags/abusive" % self.consumer_of(s)
        # the consumer appeals, once; nobody else may for them
        self.assertError(self.req("POST", base + "/appeal", {"text": "x"}, token=other.consumer),
                         404, "not_found")
        self.assertError(self.req("POST", base + "/appeal", {"text": "x"},
                                  token=s.merchant_token), 403, "forbidden")
        self.assertError(self.req("POST", base + "/appeal", {}, token=s.consumer), 400,
                         "required", param="text")
        r = self.req("POST", base + "/appeal/decision",
                     {"decision": "upheld", "reason": "x"}, token=self.agent)
        self.assertError(r, 409, "no_appeal")
        r = self.req("POST", base + "/appeal", {"text": "照片是同一批货，不是重复使用"},
                     token=s.consumer)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.body["appeal"]["text"], "照片是同一批货，不是重复使用")
        self.assertIsNone(r.body["appeal"]["decision"])
        r = self.req("POST", base + "/appeal", {"text": "again"}, token=s.consumer)
        self.assertError(r, 409, "appeal_filed")
        # staff decide; the consumer may not
        r = self.req("POST", base + "/appeal/decision",
                     {"decision": "overturned", "reason": "x"}, token=s.consumer)
        self.assertError(r, 403, "forbidden")
        r = self.req("POST", base + "/appeal/decision", {"decision": "maybe", "reason": "x"},
                     token=self.agent)
        self.assertError(r, 400, "invalid_enum", param="decision")
        r = self.req("POST", base + "/appeal/decision",
                     {"decision": "overturned", "reason": "同批次商品照片相同属正常"},
                     token=self.agent)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual((r.body["id"], r.body["appeal"]["decision"]), (f["id"], "overturned"))
        self.assertIsNotNone(r.body["cleared_at"])
        rec = self.record(s, token=s.consumer)
        self.assertEqual(rec["flags"], [])
        self.assertEqual([h["type"] for h in rec["flag_history"]],
                         ["marked", "appealed", "appeal_decided"])
        self.assertEqual([ev["data"]["action"] for ev in self.events(d, token=s.consumer)
                          if ev["type"] == "consumer_flag"],
                         ["marked", "appealed", "appeal_decided"])
        self.assertEqual([h["type"] for h in self.hooks(3)],
                         ["consumer.flagged", "consumer.flag_appealed",
                          "consumer.flag_appeal_decided"])
        o2, = self.more_orders(s, 1)
        self.assertEqual(self.open_on(s, o2)["tier"], "fast_lane")
        # marked again, appeal upheld: the flag stands; then staff clear it with a reason
        self.assertEqual(self.flag(s, [d["id"]]).status, 201)
        self.assertEqual(self.req("POST", base + "/appeal", {"text": "再申诉"},
                                  token=s.consumer).status, 201)
        r = self.req("POST", base + "/appeal/decision", {"decision": "upheld", "reason": "证据充分"},
                     token=self.agent)
        self.assertEqual((r.status, r.body["cleared_at"]), (200, None), r.body)
        self.assertError(self.req("DELETE", base, token=self.agent), 400, "required",
                         param="reason")
        r = self.req("DELETE", base + "?reason=" + quote("半年内无新投诉"), token=self.agent)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body["clear_reason"], "半年内无新投诉")
        self.assertError(self.req("DELETE", base + "?reason=x", token=self.agent), 404,
                         "not_found")
        # the report counts the decisions
        rep = self.req("GET", REPORT).body
        self.assertEqual(rep["consumer_flags"],
                         {"marked": 2, "cleared": 1, "appeals_filed": 2, "appeals_upheld": 1,
                          "appeals_overturned": 1, "appeals_pending": 0})
        res = run_cli("report", "compliance", "--data", self.srv.data_dir, "--from",
                      "2025-09-01T00:00:00Z", "--to", "2026-09-01T00:00:00Z", "--format", "csv")
        self.assertEqual(res.returncode, 0, res.stderr)
        third = res.stdout.decode().split("\n\n")[2]
        self.assertEqual(third, "consumer_flag_decision,count\nmarked,2\ncleared,1\n"
                                "appeals_filed,2\nappeals_upheld,1\nappeals_overturned,1\n"
                                "appeals_pending,0\n")
        # every marking, appeal and clearing is sealed: the audit holds, and sees a rewrite
        res = audit_settled(self.srv.data_dir)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        drop = "DROP TRIGGER consumer_flag_events_no_update"
        if self.srv.backend == "postgres":
            drop += " ON consumer_flag_events"      # there a trigger belongs to its table
        self.srv.sql(drop)
        edit_body(self.srv.data_dir, "consumer_flag_events", "type = 'marked'", (),
                  lambda body: body["detail"].update(reason="nothing"))
        res = run_cli("audit", "--data", self.srv.data_dir)
        self.assertEqual(res.returncode, 1, res.stdout)
        self.assertIn("consumer_flag_event", res.stdout.decode())


if __name__ == "__main__":
    unittest.main()
