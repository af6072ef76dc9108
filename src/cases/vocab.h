/* vocab.h - the words of a dispute, each list defined once: states, claim types, reasons, outcomes, actions, events, roles, merchant flags. */
#ifndef DISPUTED_VOCAB_H
#define DISPUTED_VOCAB_H

#include <stddef.h>

/*
 * Every list here is an enum with its name table. A table is indexed by
 * the enum, holds exactly the enum's values in its order and ends with
 * NULL, so that it can be handed to jx_enum as the allowed values; the
 * order is the one error messages list them in ("must be one of: …").
 * Tiers are enum rules_tier (rules.h), listing return_exclusion flags enum
 * listing_flag (ingest.h): the lowest layer that needs them defines them.
 */

/* The index of `s` in the NULL-terminated `names`, or -1 (also for a NULL `s`). */
int vocab_find(const char *const *names, const char *s);

/*
 * Fill `out` with the names of `which` (n indexes into `names`), in that
 * order, and a NULL after them: a subset of a table, for jx_enum. `out`
 * holds at least n + 1 entries.
 */
void vocab_subset(const char *const *names, const int *which, size_t n, const char **out);

/* ---- dispute states ---- */

/* The lifecycle: live states first, then the final ones. */
enum dispute_state {
	DISPUTE_AWAITING_MERCHANT, /* opened: the merchant answers the claim */
	DISPUTE_NEGOTIATING,       /* the merchant countered or rejected: the consumer answers */
	DISPUTE_PLATFORM_REVIEW,   /* the platform decides */
	DISPUTE_DECIDED,           /* an outcome stands; the appeal window runs */
	DISPUTE_EXECUTING,         /* the platform carries the outcome out */
	DISPUTE_RESOLVED,          /* final: done */
	DISPUTE_WITHDRAWN,         /* final: the consumer withdrew */
	DISPUTE_EXTERNAL,          /* final: the consumer went to a court or association */
	DISPUTE_STATE__COUNT
};

/* The states that take actions and run deadlines; every state before it is live. */
#define DISPUTE_STATE__FINAL DISPUTE_RESOLVED

extern const char *const dispute_state_names[]; /* "awaiting_merchant", … */

/* The state's name; "" out of range. */
const char *dispute_state_name(enum dispute_state s);

/* The state named `name` in *s; -1 if there is none. */
int dispute_state_parse(const char *name, enum dispute_state *s);

/* 1 for a live state (awaiting_merchant … executing). */
int dispute_state_is_live(enum dispute_state s);

/* 1 if `name` names a live state. */
int dispute_state_name_is_live(const char *name);

/* Fill `out` (DISPUTE_STATE__COUNT + 1 entries) with the live states' names, NULL-terminated. */
void dispute_live_state_names(const char **out);

/* ---- what the consumer claims, and why ---- */

enum dispute_claim_type {
	CLAIM_REFUND,        /* money back, the goods kept */
	CLAIM_RETURN_REFUND, /* the goods returned, money back */
	CLAIM_EXCHANGE,      /* a replacement */
	CLAIM_REPAIR,        /* a repair */
	CLAIM_COMPENSATION,  /* money for a loss, the goods kept */
	CLAIM__COUNT
};

extern const char *const claim_type_names[]; /* "refund", "return_refund", … */

/* The `reason` of a claim; "other" with return_refund is a no-reason return (CPL art. 25). */
enum dispute_reason {
	REASON_NOT_RECEIVED,
	REASON_NOT_AS_DESCRIBED,
	REASON_QUALITY,
	REASON_COUNTERFEIT,
	REASON_FALSE_ADVERTISING,
	REASON_PRICE,
	REASON_AFTER_SALES,
	REASON_SAFETY,
	REASON_OTHER,
	REASON__COUNT
};

extern const char *const dispute_reason_names[]; /* "not_received", … */

/* ---- how it ends ---- */

enum dispute_outcome {
	OUTCOME_FULL_REFUND,    /* the claim's amount */
	OUTCOME_PARTIAL_REFUND, /* less, or compensation */
	OUTCOME_REPLACE,
	OUTCOME_REPAIR,
	OUTCOME_REJECTED,       /* nothing is owed: no execution step */
	OUTCOME__COUNT
};

extern const char *const outcome_names[]; /* "full_refund", … */

/* The outcome that grants a claim of `type` as made. */
enum dispute_outcome outcome_of_claim(enum dispute_claim_type type);

/* ---- what the parties and the platform do ---- */

/* The routes POST /v1/disputes/{id}/{action}. */
enum dispute_action {
	ACTION_RESPONSES,    /* the merchant answers: accept, counter or reject */
	ACTION_ACCEPT_OFFER, /* the consumer takes the merchant's offer */
	ACTION_ESCALATE,     /* the consumer asks the platform to decide */
	ACTION_WITHDRAW,     /* the consumer ends the dispute */
	ACTION_EXTERNAL,     /* the consumer goes to a court or association */
	ACTION_DECISION,     /* the platform decides */
	ACTION_APPEAL,       /* a party appeals a decision, once */
	ACTION_MESSAGES,     /* either party adds evidence; no transition */
	ACTION_EXECUTED,     /* the platform carried out an outcome without money, or retries
				a money execution that could not complete */
	ACTION_WAIVE_APPEAL, /* a party gives up its appeal of a decision */
	ACTION_CONFIRM_RETURN, /* the merchant confirms it received the consumer's return */
	ACTION_COUNTER,      /* the consumer answers the merchant with a counter-offer */
	ACTION__COUNT
};

extern const char *const dispute_action_names[]; /* "responses", … */

/* The merchant's `action` in a response. */
enum merchant_response {
	RESPONSE_ACCEPT,
	RESPONSE_COUNTER,
	RESPONSE_REJECT,
	RESPONSE__COUNT
};

extern const char *const merchant_response_names[]; /* "accept", "counter", "reject" */

/*
 * The events of the transition table: what the actions fire and what the
 * timers fire when a step's deadline passes ("timeout:<rules step>").
 */
enum dispute_event {
	EVENT_MERCHANT_ACCEPT,
	EVENT_MERCHANT_COUNTER,
	EVENT_MERCHANT_REJECT,
	EVENT_ACCEPT_OFFER,
	EVENT_ESCALATE,
	EVENT_WITHDRAW,
	EVENT_EXTERNAL,
	EVENT_DECISION,
	EVENT_APPEAL,
	EVENT_EXECUTED,
	EVENT_WAIVE_APPEAL,  /* a party waives its appeal */
	EVENT_SETTLED,       /* the system: an executing outcome's money has all moved */
	EVENT_RETURN_LOGISTICS, /* the system: a logistics event of the consumer's return */
	EVENT_CONFIRM_RETURN, /* the merchant confirms it received the return */
	EVENT_CONSUMER_COUNTER, /* the consumer answers the merchant's offer with its own */
	EVENT_TIMEOUT_MERCHANT_RESPONSE,
	EVENT_TIMEOUT_CONSUMER_REPLY,
	EVENT_TIMEOUT_PLATFORM_REVIEW,
	EVENT_TIMEOUT_APPEAL,
	EVENT_TIMEOUT_EXECUTION,
	EVENT_TIMEOUT_RETURN_RECEIPT, /* the return was signed for a rules period ago, unconfirmed */
	EVENT__COUNT
};

extern const char *const dispute_event_names[]; /* "merchant_accept", …, "timeout:execution" */

/* 1 for the timeout:* events. */
int dispute_event_is_timeout(enum dispute_event ev);

/* ---- the return of a return_refund ---- */

/*
 * Where the consumer's return stands (a dispute's "return" member): an
 * outcome that refunds a return_refund waits for it before paying.
 */
enum return_status {
	RETURN_AWAITING_SHIPMENT, /* the consumer is to send the goods back */
	RETURN_SHIPPED,           /* a return logistics event came in; not yet signed for */
	RETURN_SIGNED,            /* signed for: the merchant confirms, or the period runs out */
	RETURN_RECEIVED,          /* confirmed or the period passed: the refund is carried out */
	RETURN_CANCELLED,         /* the consumer ended the dispute before shipping: nothing is owed */
	RETURN__COUNT
};

extern const char *const return_status_names[]; /* "awaiting_shipment", … */

/* ---- who ---- */

/*
 * Roles: the credentials' (platform … witness) and the lifecycle's own
 * `system` for timers. The API's route bits (http_int.h) are 1 << role.
 */
enum actor_role {
	ACTOR_PLATFORM,    /* the platform's backend key: everything */
	ACTOR_AGENT,       /* platform staff */
	ACTOR_CONSUMER,    /* a consumer's token */
	ACTOR_MERCHANT,    /* a merchant's token */
	ACTOR_COURT,
	ACTOR_ASSOCIATION, /* a consumer association */
	ACTOR_REGULATOR,
	ACTOR_WITNESS,     /* cosigns the evidence log */
	ACTOR_SYSTEM,      /* timers; never a credential */
	ACTOR__COUNT
};

extern const char *const actor_role_names[]; /* "platform", … */

/* The role named `name` in *r; -1 if there is none. */
int actor_role_parse(const char *name, enum actor_role *r);

/* ---- the platform's duties ---- */

/* What the platform owes in a dispute, each with a due time (the compliance report's kinds). */
enum duty {
	DUTY_ACKNOWLEDGE, /* take the complaint: met at opening */
	DUTY_DECIDE,      /* decide in platform_review */
	DUTY_APPEAL,      /* decide an appeal */
	DUTY_EXECUTE,     /* carry the outcome out */
	DUTY__COUNT
};

extern const char *const duty_names[]; /* "acknowledge", "decide", "appeal", "execute" */

/* ---- merchants ---- */

/* Flags staff set on a merchant (POST /v1/merchants/{id}/flags). */
enum merchant_flag {
	MERCHANT_FLAG_REPEATED_FRAUD, /* makes its disputes serious, when the rules say so */
	MERCHANT_FLAG_IDENTITY_UNVERIFIABLE, /* its identity cannot be provided: the platform
						is liable (CPL art. 44) */
	MERCHANT_FLAG__COUNT
};

extern const char *const merchant_flag_names[]; /* "repeated_fraud", "identity_unverifiable" */

/* ---- consumers ---- */

/*
 * Flags staff set on a consumer, with evidence (POST /v1/consumers/{id}/flags,
 * src/risk/consumer.h); never set by the code itself.
 */
enum consumer_flag {
	CONSUMER_FLAG_ABUSIVE, /* an abusive complainant: their disputes skip the fast lane */
	CONSUMER_FLAG__COUNT
};

extern const char *const consumer_flag_names[]; /* "abusive" */
/* What staff decide on a flag's appeal: "upheld", "overturned". */
extern const char *const consumer_flag_appeal_decisions[];

#endif
