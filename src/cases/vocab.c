/* vocab.c - the name tables of the dispute vocabulary and the lookups over them. */
#include "cases/vocab.h"

#include <string.h>

const char *const dispute_state_names[] = {
	[DISPUTE_AWAITING_MERCHANT] = "awaiting_merchant",
	[DISPUTE_NEGOTIATING] = "negotiating",
	[DISPUTE_PLATFORM_REVIEW] = "platform_review",
	[DISPUTE_DECIDED] = "decided",
	[DISPUTE_EXECUTING] = "executing",
	[DISPUTE_RESOLVED] = "resolved",
	[DISPUTE_WITHDRAWN] = "withdrawn",
	[DISPUTE_EXTERNAL] = "external",
	[DISPUTE_STATE__COUNT] = NULL,
};

const char *const claim_type_names[] = {
	[CLAIM_REFUND] = "refund",
	[CLAIM_RETURN_REFUND] = "return_refund",
	[CLAIM_EXCHANGE] = "exchange",
	[CLAIM_REPAIR] = "repair",
	[CLAIM_COMPENSATION] = "compensation",
	[CLAIM__COUNT] = NULL,
};

const char *const dispute_reason_names[] = {
	[REASON_NOT_RECEIVED] = "not_received",
	[REASON_NOT_AS_DESCRIBED] = "not_as_described",
	[REASON_QUALITY] = "quality",
	[REASON_COUNTERFEIT] = "counterfeit",
	[REASON_FALSE_ADVERTISING] = "false_advertising",
	[REASON_PRICE] = "price",
	[REASON_AFTER_SALES] = "after_sales",
	[REASON_SAFETY] = "safety",
	[REASON_OTHER] = "other",
	[REASON__COUNT] = NULL,
};

const char *const outcome_names[] = {
	[OUTCOME_FULL_REFUND] = "full_refund",
	[OUTCOME_PARTIAL_REFUND] = "partial_refund",
	[OUTCOME_REPLACE] = "replace",
	[OUTCOME_REPAIR] = "repair",
	[OUTCOME_REJECTED] = "rejected",
	[OUTCOME__COUNT] = NULL,
};

const char *const dispute_action_names[] = {
	[ACTION_RESPONSES] = "responses",
	[ACTION_ACCEPT_OFFER] = "accept_offer",
	[ACTION_ESCALATE] = "escalate",
	[ACTION_WITHDRAW] = "withdraw",
	[ACTION_EXTERNAL] = "external",
	[ACTION_DECISION] = "decision",
	[ACTION_APPEAL] = "appeal",
	[ACTION_MESSAGES] = "messages",
	[ACTION_EXECUTED] = "executed",
	[ACTION_WAIVE_APPEAL] = "waive_appeal",
	[ACTION_CONFIRM_RETURN] = "confirm_return",
	[ACTION_COUNTER] = "counter",
	[ACTION__COUNT] = NULL,
};

const char *const merchant_response_names[] = {
	[RESPONSE_ACCEPT] = "accept",
	[RESPONSE_COUNTER] = "counter",
	[RESPONSE_REJECT] = "reject",
	[RESPONSE__COUNT] = NULL,
};

const char *const dispute_event_names[] = {
	[EVENT_MERCHANT_ACCEPT] = "merchant_accept",
	[EVENT_MERCHANT_COUNTER] = "merchant_counter",
	[EVENT_MERCHANT_REJECT] = "merchant_reject",
	[EVENT_ACCEPT_OFFER] = "accept_offer",
	[EVENT_ESCALATE] = "escalate",
	[EVENT_WITHDRAW] = "withdraw",
	[EVENT_EXTERNAL] = "external",
	[EVENT_DECISION] = "decision",
	[EVENT_APPEAL] = "appeal",
	[EVENT_EXECUTED] = "executed",
	[EVENT_WAIVE_APPEAL] = "waive_appeal",
	[EVENT_SETTLED] = "settled",
	[EVENT_RETURN_LOGISTICS] = "return_logistics",
	[EVENT_CONFIRM_RETURN] = "confirm_return",
	[EVENT_CONSUMER_COUNTER] = "consumer_counter",
	[EVENT_TIMEOUT_MERCHANT_RESPONSE] = "timeout:merchant_response",
	[EVENT_TIMEOUT_CONSUMER_REPLY] = "timeout:consumer_reply",
	[EVENT_TIMEOUT_PLATFORM_REVIEW] = "timeout:platform_review",
	[EVENT_TIMEOUT_APPEAL] = "timeout:appeal",
	[EVENT_TIMEOUT_EXECUTION] = "timeout:execution",
	[EVENT_TIMEOUT_RETURN_RECEIPT] = "timeout:return_receipt",
	[EVENT__COUNT] = NULL,
};

const char *const return_status_names[] = {
	[RETURN_AWAITING_SHIPMENT] = "awaiting_shipment",
	[RETURN_SHIPPED] = "shipped",
	[RETURN_SIGNED] = "signed",
	[RETURN_RECEIVED] = "received",
	[RETURN_CANCELLED] = "cancelled",
	[RETURN__COUNT] = NULL,
};

const char *const actor_role_names[] = {
	[ACTOR_PLATFORM] = "platform",
	[ACTOR_AGENT] = "agent",
	[ACTOR_CONSUMER] = "consumer",
	[ACTOR_MERCHANT] = "merchant",
	[ACTOR_COURT] = "court",
	[ACTOR_ASSOCIATION] = "association",
	[ACTOR_REGULATOR] = "regulator",
	[ACTOR_WITNESS] = "witness",
	[ACTOR_SYSTEM] = "system",
	[ACTOR__COUNT] = NULL,
};

const char *const duty_names[] = {
	[DUTY_ACKNOWLEDGE] = "acknowledge",
	[DUTY_DECIDE] = "decide",
	[DUTY_APPEAL] = "appeal",
	[DUTY_EXECUTE] = "execute",
	[DUTY__COUNT] = NULL,
};

const char *const merchant_flag_names[] = {
	[MERCHANT_FLAG_REPEATED_FRAUD] = "repeated_fraud",
	[MERCHANT_FLAG_IDENTITY_UNVERIFIABLE] = "identity_unverifiable",
	[MERCHANT_FLAG__COUNT] = NULL,
};

const char *const consumer_flag_names[] = {
	[CONSUMER_FLAG_ABUSIVE] = "abusive",
	[CONSUMER_FLAG__COUNT] = NULL,
};

const char *const consumer_flag_appeal_decisions[] = {"upheld", "overturned", NULL};

int vocab_find(const char *const *names, const char *s)
{
	int i;

	for (i = 0; s && names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

void vocab_subset(const char *const *names, const int *which, size_t n, const char **out)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = names[which[i]];
	out[n] = NULL;
}

const char *dispute_state_name(enum dispute_state s)
{
	if ((int)s < 0 || s >= DISPUTE_STATE__COUNT)
		return "";
	return dispute_state_names[s];
}

int dispute_state_parse(const char *name, enum dispute_state *s)
{
	int i = vocab_find(dispute_state_names, name);

	if (i < 0)
		return -1;
	*s = (enum dispute_state)i;
	return 0;
}

int dispute_state_is_live(enum dispute_state s)
{
	return (int)s >= 0 && s < DISPUTE_STATE__FINAL;
}

int dispute_state_name_is_live(const char *name)
{
	enum dispute_state s;

	return dispute_state_parse(name, &s) == 0 && dispute_state_is_live(s);
}

void dispute_live_state_names(const char **out)
{
	int i;

	for (i = 0; i < DISPUTE_STATE__FINAL; i++)
		out[i] = dispute_state_names[i];
	out[i] = NULL;
}

enum dispute_outcome outcome_of_claim(enum dispute_claim_type type)
{
	switch (type) {
	case CLAIM_EXCHANGE:
		return OUTCOME_REPLACE;
	case CLAIM_REPAIR:
		return OUTCOME_REPAIR;
	case CLAIM_COMPENSATION:
		return OUTCOME_PARTIAL_REFUND;
	case CLAIM_REFUND:
	case CLAIM_RETURN_REFUND:
	case CLAIM__COUNT:
		break;
	}
	return OUTCOME_FULL_REFUND;
}

int dispute_event_is_timeout(enum dispute_event ev)
{
	return ev >= EVENT_TIMEOUT_MERCHANT_RESPONSE && ev < EVENT__COUNT;
}

int actor_role_parse(const char *name, enum actor_role *r)
{
	int i = vocab_find(actor_role_names, name);

	if (i < 0)
		return -1;
	*r = (enum actor_role)i;
	return 0;
}
