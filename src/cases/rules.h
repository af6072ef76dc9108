/* rules.h - the published dispute rules: deadlines, the no-reason return window, tiers and decision reason codes. */
#ifndef DISPUTED_RULES_H
#define DISPUTED_RULES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cases/calendar.h"
#include "core/err.h"

/*
 * The rules are one human-edited GLib key file (etc/rules.ini; every key is
 * described in docs/rules.md). They are read once, checked strictly, and
 * never changed after loading, so a loaded `struct rules` may be shared by
 * threads. Each dispute records the `version` it runs under.
 */

#define RULES_DEFAULT_PATH "etc/rules.ini"

/* Buffer size for rules_tier's explanation. */
#define RULES_TIER_REASON_MAX 160

/* Buffer size for a duration written as text ("48h", "3wd"). */
#define RULES_DURATION_TEXT_MAX 24

/* The steps of a dispute that run against a deadline. */
enum rules_step {
	RULES_STEP_MERCHANT_RESPONSE, /* the merchant answers the claim */
	RULES_STEP_CONSUMER_REPLY,    /* the consumer answers a merchant's offer */
	RULES_STEP_PLATFORM_REVIEW,   /* the platform decides */
	RULES_STEP_APPEAL,            /* a party may appeal the decision */
	RULES_STEP_EXECUTION,         /* the platform carries the decision out */
	RULES_STEP__COUNT
};

/* The unit of a duration, written after its number: h, d or wd. */
enum rules_unit {
	RULES_UNIT_HOURS,       /* "48h": elapsed hours from the starting moment */
	RULES_UNIT_DAYS,        /* "7d": calendar days, Civil Code arts. 201-203 */
	RULES_UNIT_WORKING_DAYS /* "3wd": Chinese working days, holidays and 调休 applied */
};

struct rules_duration {
	int64_t n;            /* how many units: 1..CALENDAR_MAX_COUNT (×24 for hours) */
	enum rules_unit unit; /* what they are */
};

/* Handling tiers, most urgent first. */
enum rules_tier {
	RULES_TIER_SERIOUS,   /* a serious reason, or a merchant flagged for repeated fraud */
	RULES_TIER_FAST_LANE, /* a claim of at most fast_lane_max */
	RULES_TIER_STANDARD,  /* everything else */
	RULES_TIER__COUNT
};

/* A common reason code for decisions. All strings are owned by the rules. */
struct rules_reason {
	char *code; /* snake_case token, e.g. "not_delivered" */
	char *zh;   /* description in Chinese */
	char *en;   /* description in English */
};

/*
 * The loaded rules. Strings and arrays belong to the struct and are freed
 * by rules_free; callers only read them.
 */
struct rules_set;

struct rules {
	char *version;                                 /* "YYYY-MM-DD.N", e.g. "2025-10-01.1" */
	const struct rules_set *set;                   /* the published versions this one is
							  kept among (rules_set.h), or NULL
							  when it was loaded alone */
	char *title;                                   /* the rules' published title */
	int64_t published_at;                          /* when they took effect, UTC ms */
	struct rules_duration deadline[RULES_STEP__COUNT]; /* time allowed for each step */
	struct rules_duration return_window;           /* no-reason return window, always in days */
	struct rules_duration disclosure_response;     /* the platform answers a disclosure request */
	char **return_excluded;                        /* listing_flag_names that rule
							  no-reason returns out; NULL-terminated */
	char **serious_reasons;                        /* dispute_reason_names that make a
							  dispute serious; NULL-terminated */
	int flagged_merchant_serious;                  /* a merchant flagged for repeated fraud
							  makes a dispute serious */
	int64_t fast_lane_max;                         /* largest fast-lane claim, fen (CNY) */
	int serious_hold;                              /* a serious dispute holds the claimed
							  amount of the merchant's funds at opening */
	struct rules_duration return_receipt;          /* a return_refund is refunded this long
							  after the return is signed for, unless
							  the merchant confirms receipt sooner */
	char **auto_grant;                             /* dispute_reason_names whose fast-lane
							  claims an assessment may grant by
							  itself; NULL-terminated, may be empty */
	double auto_grant_confidence;                  /* the least confidence it needs, (0, 1] */
	int64_t repeat_fraud_upheld;                   /* [repeated_fraud] upheld: disputes that
							  propose the repeated_fraud flag, >= 1 */
	char **repeat_fraud_reasons;                   /* dispute_reason_names they count;
							  NULL-terminated, not empty */
	struct rules_duration repeat_fraud_window;     /* the window they are counted over,
							  always in days (d) */
	int flagged_pay_first;                         /* a decision for the consumer against a
							  merchant flagged repeated_fraud is paid
							  first by the guarantee fund at once */
	struct rules_reason *reasons;                  /* decision reason codes, in file order */
	size_t n_reasons;                              /* entries in `reasons` */
	int negotiation_rounds;                        /* [negotiation] rounds: the merchant's
							  offers, each answered by the consumer's
							  counter, 1..RULES_MAX_ROUNDS */
	char **admissions;                             /* [burden] admissions: phrases that, in a
							  merchant's message, admit the fault;
							  NULL-terminated, may be empty */
};

/* Most negotiation rounds a rules file may allow. */
#define RULES_MAX_ROUNDS 20
/* Most admission phrases, and the longest one in bytes. */
#define RULES_MAX_ADMISSIONS 64
#define RULES_ADMISSION_MAX_BYTES 120

/* The reason code a decision gives when it finds the claim unproven (docs/rules.md, [burden]). */
#define RULES_REASON_INSUFFICIENT "insufficient_evidence"


/* The tiers' names, indexed by enum rules_tier, most urgent first, NULL-terminated. */
extern const char *const rules_tier_names[];

/*
 * Read the rules from `path` (NULL means RULES_DEFAULT_PATH) into a new
 * struct the caller frees with rules_free. Every key is required and checked;
 * unknown groups and keys, a key given twice, a bad duration or amount and a
 * missing key are errors whose `param` names the key ("deadlines.appeal")
 * and whose message starts "PATH:LINE:". On error *out is NULL; the result
 * is RC_IO if the file cannot be read, else RC_INVAL.
 */
int rules_load(const char *path, struct rules **out, struct err *e) WARN_UNUSED;

/* Most failures a check (rules_parse with `all`) reports one by one. */
#define RULES_CHECK_MAX_ERRORS 32

/* Every failure of a check, each as rules_load reports its first. */
struct rules_check {
	struct err errors[RULES_CHECK_MAX_ERRORS]; /* in the order found */
	size_t n;                                  /* how many are in `errors` */
	size_t dropped;                            /* failures past RULES_CHECK_MAX_ERRORS */
};

/*
 * As rules_load, from `len` bytes of `text` (a draft, a request body) named
 * `name` in messages ("NAME:LINE: group.key: …"). With `all` (may be NULL)
 * every failure is also collected there, not just the first: a check
 * reads on past a bad key to report the rest. `e` gets the first.
 */
int rules_parse(const char *name, const char *text, size_t len, struct rules_check *all,
		struct rules **out, struct err *e) WARN_UNUSED;

/*
 * The text of the rules file at `path` into *text (g_free; NUL-terminated)
 * and its length, refused when larger than a rules file may be. RC_IO if it
 * cannot be read, RC_INVAL if too large.
 */
int rules_file_read(const char *path, char **text, size_t *len, struct err *e) WARN_UNUSED;

/* Free the rules. rules_free(NULL) does nothing. */
void rules_free(struct rules *r);

/*
 * Parse a duration: a whole number without sign or leading zeros, then
 * directly its unit: "48h", "7d", "3wd". Returns RC_OK or RC_INVAL; *d is
 * set only on success. Zero is refused, as are more than
 * CALENDAR_MAX_COUNT days or working days, or ×24 hours.
 */
int rules_duration_parse(const char *s, struct rules_duration *d) WARN_UNUSED;

/* Write a duration back as text: "48h", "7d", "3wd". */
void rules_duration_text(const struct rules_duration *d, char out[RULES_DURATION_TEXT_MAX]);

/* "merchant_response", …; "" for a value out of range. */
const char *rules_step_name(enum rules_step step);

/* The step named `name`; RC_INVAL if there is none. */
int rules_step_parse(const char *name, enum rules_step *step) WARN_UNUSED;

/* "hours", "days" or "working_days"; "" for a value out of range. */
const char *rules_unit_name(enum rules_unit unit);

/* "serious", "fast_lane" or "standard"; "" for a value out of range. */
const char *rules_tier_name(enum rules_tier tier);

/*
 * The rules as GET /v1/rules serves them: version, title, published_at,
 * time zone and how periods are counted, every deadline ({"value", "unit",
 * "text"}), the return window and its excluded flags, the tiers, the funds
 * rules ({"serious_hold", "return_receipt"}), the reason codes, the
 * negotiation ({"rounds"}) and the burden of proof ({"admissions"}); with a "calendar" member (calendar_to_json) when `cal` is
 * not NULL. New reference; NULL if out of memory.
 */
json_t *rules_to_json(const struct rules *r, const struct calendar *cal);

/*
 * When `step`, starting at `start_ms`, is due under the rules (see the
 * calendar_add_* functions for how each unit counts). `uncovered_year` as
 * in calendar.h. Returns RC_OK, or RC_INVAL for an unknown step or a time
 * out of range.
 */
int rules_deadline(const struct rules *r, const struct calendar *cal, enum rules_step step,
		   int64_t start_ms, int64_t *due_ms, int *uncovered_year) WARN_UNUSED;

/*
 * When a disclosure request received at `start_ms` must be answered
 * ([disclosure] response). Returns as rules_deadline.
 */
int rules_disclosure_due(const struct rules *r, const struct calendar *cal, int64_t start_ms,
			 int64_t *due_ms, int *uncovered_year) WARN_UNUSED;

/*
 * When the refund of a return signed for at `signed_at_ms` is due without
 * the merchant's confirmation: funds.return_receipt after it, counted as
 * rules_deadline counts. Returns RC_OK or RC_INVAL as rules_deadline.
 */
int rules_return_receipt_due(const struct rules *r, const struct calendar *cal,
			     int64_t signed_at_ms, int64_t *due_ms, int *uncovered_year) WARN_UNUSED;

/*
 * The no-reason return window of an order signed for at `signed_at_ms`: it
 * starts the next day and runs return_window days, extended past a last
 * day that is a statutory rest day. Writes the end (24:00 Beijing of the
 * last day, as UTC ms) to *last_day_end_ms and the last day as
 * "YYYY-MM-DD" to `last_day`. A return is in time while now <
 * *last_day_end_ms. Returns RC_OK or RC_INVAL as rules_deadline.
 */
int rules_return_window(const struct rules *r, const struct calendar *cal,
			int64_t signed_at_ms, int64_t *last_day_end_ms,
			char last_day[CALENDAR_DATE_TEXT_MAX], int *uncovered_year) WARN_UNUSED;

/* True if a listing flagged `return_exclusion` (may be NULL) rules out no-reason returns. */
int rules_return_excluded(const struct rules *r, const char *return_exclusion);

/*
 * The tier of a dispute with claim `reason`, `claim_amount` fen, against a
 * merchant flagged for repeated fraud or not, and why, as a short English
 * sentence in `why` ("reason safety is serious under rules 2025-10-01.1").
 * Serious reasons come first, then the merchant flag, then the amount.
 * Returns RC_OK, or RC_INVAL (with *tier and `why` untouched) for a
 * negative amount.
 */
int rules_tier(const struct rules *r, const char *reason, int64_t claim_amount,
	       int merchant_flagged, enum rules_tier *tier,
	       char why[RULES_TIER_REASON_MAX]) WARN_UNUSED;

/* The reason code `code` in the rules, or NULL if they do not list it. */
const struct rules_reason *rules_reason_find(const struct rules *r, const char *code);

#endif
