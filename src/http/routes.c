/* routes.c - the table of every route the API serves, with who may call each. */
#include "http/http.h"
#include "http/http_int.h"

#include <string.h>

#define STAFF (ROLE_PLATFORM | ROLE_AGENT)
#define PARTIES (ROLE_PLATFORM | ROLE_AGENT | ROLE_CONSUMER | ROLE_MERCHANT)
/* those the platform assists besides the consumer (E-Commerce Law art. 61) */
#define ASSISTED (ROLE_COURT | ROLE_ASSOCIATION | ROLE_REGULATOR)

const struct route http_routes[] = {
	{"GET", "/healthz", ROLE_PUBLIC, 0, res_healthz, 0},
	{"GET", "/metrics", ROLE_PUBLIC, 0, res_metrics, 0},
	{"GET", "/checkpoint", ROLE_PUBLIC, 0, res_log_checkpoint, 0},
	{"GET", "/tile/{tile_path}", ROLE_PUBLIC, 0, res_log_tile, 1},
	{"GET", "/app/", ROLE_PUBLIC, 0, res_app, 0},
	{"GET", "/app/{app_path}", ROLE_PUBLIC, 0, res_app, 1},
	{"POST", "/v1/tokens", ROLE_PLATFORM, 0, res_token_create, 0},
	{"DELETE", "/v1/tokens/{id}", ROLE_PLATFORM, 0, res_token_revoke, 0},
	{"GET", "/v1/whoami", PARTIES | ASSISTED, 0, res_whoami, 0},
	{"POST", "/v1/merchants", ROLE_PLATFORM, 0, res_merchant_create, 0},
	{"GET", "/v1/merchants", STAFF, 0, res_merchant_list, 0},
	{"GET", "/v1/merchants/{id}", PARTIES, 0, res_merchant_get, 0},
	{"PATCH", "/v1/merchants/{id}", ROLE_PLATFORM, 0, res_merchant_update, 0},
	{"GET", "/v1/merchants/{id}/versions/{version}", PARTIES, 0, res_merchant_version, 0},
	{"POST", "/v1/merchants/{id}/flags", STAFF, 0, res_merchant_flag_set, 0},
	{"DELETE", "/v1/merchants/{id}/flags/{flag}", STAFF, 0, res_merchant_flag_clear, 0},
	{"POST", "/v1/blobs", PARTIES, 1, res_blob_create, 0},
	{"GET", "/v1/blobs/{id}", PARTIES, 0, res_blob_get, 0},
	{"GET", "/v1/blobs/{id}/content", PARTIES, 0, res_blob_content, 0},
	{"POST", "/v1/listings", ROLE_PLATFORM, 0, res_listing_create, 0},
	{"GET", "/v1/listings", STAFF | ROLE_MERCHANT, 0, res_listing_list, 0},
	{"GET", "/v1/listings/{id}", PARTIES, 0, res_listing_get, 0},
	{"GET", "/v1/listings/{id}/versions/{version}", PARTIES, 0, res_listing_version, 0},
	{"POST", "/v1/orders", ROLE_PLATFORM, 0, res_order_create, 0},
	{"GET", "/v1/orders", PARTIES, 0, res_order_list, 0},
	{"GET", "/v1/orders/{id}", PARTIES, 0, res_order_get, 0},
	{"POST", "/v1/orders/{id}/logistics", ROLE_PLATFORM, 0, res_logistics_create, 0},
	{"GET", "/v1/orders/{id}/logistics", PARTIES, 0, res_logistics_list, 0},
	{"POST", "/v1/orders/{id}/messages", ROLE_PLATFORM, 0, res_message_create, 0},
	{"GET", "/v1/orders/{id}/messages", PARTIES, 0, res_message_list, 0},
	{"GET", "/v1/orders/{id}/bundle", ROLE_PLATFORM | ROLE_AGENT | ROLE_CONSUMER, 0,
	 res_order_bundle, 0},
	{"GET", "/v1/log/entries/{index}/proof", ROLE_PUBLIC, 0, res_log_proof, 0},
	{"POST", "/v1/disputes", ROLE_PLATFORM | ROLE_CONSUMER, 0, res_dispute_create, 0},
	{"GET", "/v1/disputes", PARTIES, 0, res_dispute_list, 0},
	{"GET", "/v1/disputes/{id}", PARTIES, 0, res_dispute_get, 0},
	{"GET", "/v1/disputes/{id}/events", PARTIES, 0, res_dispute_events, 0},
	{"GET", "/v1/disputes/{id}/assessment", STAFF, 0, res_dispute_assessment, 0},
	{"POST", "/v1/disputes/{id}/responses", PARTIES, 0, res_dispute_responses, 0},
	{"POST", "/v1/disputes/{id}/accept_offer", PARTIES, 0, res_dispute_accept_offer, 0},
	{"POST", "/v1/disputes/{id}/escalate", PARTIES, 0, res_dispute_escalate, 0},
	{"POST", "/v1/disputes/{id}/withdraw", PARTIES, 0, res_dispute_withdraw, 0},
	{"POST", "/v1/disputes/{id}/external", PARTIES, 0, res_dispute_external, 0},
	{"POST", "/v1/disputes/{id}/decision", PARTIES, 0, res_dispute_decision, 0},
	{"POST", "/v1/disputes/{id}/appeal", PARTIES, 0, res_dispute_appeal, 0},
	{"POST", "/v1/disputes/{id}/messages", PARTIES, 0, res_dispute_messages, 0},
	{"POST", "/v1/disputes/{id}/executed", PARTIES, 0, res_dispute_executed, 0},
	{"POST", "/v1/disputes/{id}/waive_appeal", PARTIES, 0, res_dispute_waive_appeal, 0},
	{"POST", "/v1/disputes/{id}/confirm_return", PARTIES, 0, res_dispute_confirm_return, 0},
	{"POST", "/v1/disputes/{id}/counter", PARTIES, 0, res_dispute_counter, 0},
	{"POST", "/v1/disclosures", STAFF | ROLE_CONSUMER | ROLE_MERCHANT | ASSISTED, 0,
	 res_disclosure_create, 0},
	{"GET", "/v1/disclosures", STAFF | ROLE_CONSUMER | ASSISTED, 0, res_disclosure_list, 0},
	{"GET", "/v1/disclosures/{id}", STAFF | ROLE_CONSUMER | ASSISTED, 0, res_disclosure_get, 0},
	{"POST", "/v1/disclosures/{id}/approve", STAFF, 0, res_disclosure_approve, 0},
	{"POST", "/v1/disclosures/{id}/refuse", STAFF, 0, res_disclosure_refuse, 0},
	{"GET", "/v1/disclosures/{id}/package", STAFF | ROLE_CONSUMER | ASSISTED, 0,
	 res_disclosure_package, 0},
	{"GET", "/v1/rules", ROLE_PUBLIC, 0, res_rules, 0},
	{"POST", "/v1/rules", ROLE_PLATFORM, 0, res_rules_publish, 0},
	{"GET", "/v1/rules/{version}", ROLE_PUBLIC, 0, res_rules_version, 0},
	{"POST", "/v1/test/clock", ROLE_PLATFORM, 0, res_test_clock, 0},
	{"GET", "/v1/consumers/{id}", STAFF | ROLE_CONSUMER, 0, res_consumer_get, 0},
	{"GET", "/v1/audit_events", ROLE_PLATFORM | ROLE_REGULATOR, 0, res_audit_list, 0},
	{"GET", "/v1/reports/compliance", ROLE_PLATFORM | ROLE_REGULATOR, 0, res_report_compliance,
	 0},
	{"GET", "/v1/reports/merchant_verification", ROLE_PLATFORM | ROLE_REGULATOR, 0,
	 res_report_merchant_verification, 0},
	{"POST", "/v1/webhook_endpoints", ROLE_PLATFORM, 0, res_webhook_endpoint_create, 0},
	{"GET", "/v1/webhook_endpoints", ROLE_PLATFORM, 0, res_webhook_endpoint_list, 0},
	{"DELETE", "/v1/webhook_endpoints/{id}", ROLE_PLATFORM, 0, res_webhook_endpoint_delete, 0},
	{"POST", "/v1/funds/credits", STAFF, 0, res_funds_credit, 0},
	{"POST", "/v1/funds/guarantee", STAFF, 0, res_funds_guarantee, 0},
	{"POST", "/v1/funds/holds", STAFF, 0, res_funds_hold, 0},
	{"POST", "/v1/funds/holds/{id}/release", STAFF, 0, res_funds_hold_release, 0},
	{"POST", "/v1/funds/transfers", STAFF, 0, res_funds_transfer, 0},
	{"POST", "/v1/funds/advances", STAFF, 0, res_funds_advance, 0},
	{"GET", "/v1/funds/accounts/{owner}", PARTIES, 0, res_funds_accounts, 0},
	{"GET", "/v1/funds/entries", PARTIES, 0, res_funds_entries, 0},
	{"POST", "/v1/payouts", STAFF, 0, res_payout_create, 0},
	{"POST", "/v1/payouts/{id}/confirm", STAFF, 0, res_payout_confirm, 0},
	{"POST", "/v1/payouts/{id}/fail", STAFF, 0, res_payout_fail, 0},
	{"POST", "/v1/listings/{id}/suspension", STAFF, 0, res_listing_suspend, 0},
	{"DELETE", "/v1/listings/{id}/suspension", STAFF, 0, res_listing_reinstate, 0},
	{"GET", "/v1/merchants/{id}/risk", STAFF | ROLE_MERCHANT, 0, res_merchant_risk, 0},
	{"GET", "/v1/risk/merchants", STAFF, 0, res_risk_merchants, 0},
	{"GET", "/v1/risk/proposals", STAFF, 0, res_proposal_list, 0},
	{"POST", "/v1/risk/proposals/{id}/dismiss", STAFF, 0, res_proposal_dismiss, 0},
	{"GET", "/v1/alerts", STAFF | ROLE_REGULATOR, 0, res_alert_list, 0},
	{"GET", "/v1/alerts/{id}", STAFF | ROLE_REGULATOR, 0, res_alert_get, 0},
	{"GET", "/v1/consumers/{id}/signals", STAFF, 0, res_consumer_signals, 0},
	{"POST", "/v1/consumers/{id}/flags", STAFF, 0, res_consumer_flag_set, 0},
	{"DELETE", "/v1/consumers/{id}/flags/{flag}", STAFF, 0, res_consumer_flag_clear, 0},
	{"POST", "/v1/consumers/{id}/flags/{flag}/appeal", ROLE_PLATFORM | ROLE_CONSUMER, 0,
	 res_consumer_flag_appeal, 0},
	{"POST", "/v1/consumers/{id}/flags/{flag}/appeal/decision", STAFF, 0,
	 res_consumer_flag_decide, 0},
	{"POST", "/v1/legal_holds", STAFF, 0, res_legal_hold_create, 0},
	{"GET", "/v1/legal_holds", STAFF, 0, res_legal_hold_list, 0},
	{"DELETE", "/v1/legal_holds/{id}", STAFF, 0, res_legal_hold_lift, 0},
};

const size_t http_route_count = sizeof(http_routes) / sizeof(http_routes[0]);

const char *http_method_known(const char *method)
{
	size_t i;

	for (i = 0; i < http_route_count; i++)
		if (strcmp(http_routes[i].method, method) == 0)
			return http_routes[i].method;
	return NULL;
}

unsigned http_role_bit(const char *role)
{
	enum actor_role a;

	/* the timers' `system` holds no credential: no route is its */
	if (actor_role_parse(role, &a) || a == ACTOR_SYSTEM)
		return 0;
	return 1u << a;
}

void http_routes_print(FILE *f)
{
	size_t i;

	for (i = 0; i < http_route_count; i++)
		fprintf(f, "%s %s\n", http_routes[i].method, http_routes[i].pattern);
}
