/* disclose.h - who sees what: one table of roles × record fields (show, mask or withhold, and why), and the one function that applies it. */
#ifndef DISPUTED_DISCLOSE_H
#define DISPUTED_DISCLOSE_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

/*
 * Every rule about people's data lives here, as data: for each kind of
 * record, who may see the record at all (its access rule, per role), and
 * for each field that matters (personal data, the platform's internal
 * notes), what each role gets: the field, a masked rendering, or nothing,
 * each with a reason code. A field the table does not name is shown to
 * whoever may see the record. Routes, bundles and (later) disclosure
 * packages ask disclose_view and reply with what it gives; docs/privacy.md
 * is the table rendered by disclose_table_markdown (`disputed privacy`),
 * and a unit test holds the two byte for byte.
 *
 * Reason codes (stable strings, documented in docs/privacy.md):
 *   "staff"             the platform and its agents, who work the cases
 *   "own"               the record or field is the caller's own
 *   "party"             the caller is a party to the transaction
 *   "cpl_44_identity"   CPL art. 44: the consumer is given the merchant's
 *                       real name, address and valid contact
 *   "sensitive_pi"      sensitive personal information (PIPL art. 28):
 *                       masked, or withheld
 *   "minimum_necessary" not needed for the caller's purpose (PIPL art. 6)
 *   "platform_internal" the platform's own working notes
 *   "not_a_party"       the caller is not a party to the record
 *   "no_basis"          no legal basis for this role yet (disclosure
 *                       requests bring one)
 *   "statutory_duty"    PIPL art. 13(1)(3): a court's or a regulator's
 *                       demand the platform must meet
 *   "third_parties"     the names and numbers of people who are not
 *                       parties are masked inside the text
 *   "supervision"       the regulator's oversight of the platform's
 *                       handling of disputes (E-Commerce Law art. 61 and
 *                       its market supervision duties)
 */

/* The kinds of record the table knows. */
enum disclose_kind {
	DISCLOSE_MERCHANT,  /* a merchant's identity (Art. 27) */
	DISCLOSE_LISTING,   /* a listing version */
	DISCLOSE_ORDER,     /* an order, with its consumer */
	DISCLOSE_CONSUMER,  /* a consumer */
	DISCLOSE_DISPUTE,   /* a dispute, its events and actions */
	DISCLOSE_BLOB,      /* an uploaded blob: {"id":"sha256:…"} */
	DISCLOSE_ACCOUNTS,  /* an owner's funds accounts: {"owner":"mer_…"|"cus_…"} */
	DISCLOSE_BUNDLE,    /* an order's evidence bundle: the order's body */
	DISCLOSE_ASSESSMENT, /* a dispute's working assessment (src/assist/assess.h): the
			      * dispute's body decides */
	DISCLOSE_PACKAGE,   /* a disclosure's package, for its requester: fields named
			     * "<leaf kind>.<field>" as the bundle holds them */
	DISCLOSE_MERCHANT_RISK, /* a merchant's risk figures (src/risk/risk.h): {"merchant":"mer_…"} */
	DISCLOSE_ALERT,     /* an early-warning alert (src/risk/risk.h) */
	DISCLOSE_RISK_PROPOSAL, /* a proposal of a merchant flag, for staff to confirm or dismiss */
	DISCLOSE_KIND_COUNT
};

/* What a role gets of a field. */
enum disclose_action {
	DISCLOSE_SHOW,     /* the value as stored */
	DISCLOSE_MASK,     /* the value with its middle characters replaced by '*' */
	DISCLOSE_WITHHOLD, /* nothing (in a bundle: the salted commitment only) */
	DISCLOSE_REDACT,   /* free text with the names and numbers of people who are not
			    * parties masked (disclose_redact) */
	DISCLOSE_ACTION_COUNT
};

/* One decision: an action and its reason code (a static string). */
struct disclose_rule {
	enum disclose_action action;
	const char *reason;
};

/* The table's kinds by name ("merchant", …), and actions ("show", "mask", "withhold"). */
extern const char *const disclose_kind_names[DISCLOSE_KIND_COUNT];
extern const char *const disclose_action_names[DISCLOSE_ACTION_COUNT];

/* The roles the table has a column for, in its order; NULL-terminated. */
extern const char *const disclose_roles[];

/* A field decision as disclose_view made it. */
struct disclose_field {
	const char *field;           /* dotted path, e.g. "contact.phone" (static) */
	enum disclose_action action;
	const char *reason;          /* reason code (static) */
};

#define DISCLOSE_MAX_FIELDS 16
#define DISCLOSE_AUDIT_MAX 512

/* What a principal may see of one record. */
struct disclose_view {
	json_t *body;        /* the record as shown (owned; NULL after a refusal) */
	const char *reason;  /* why the record may be seen, or why not (static) */
	struct disclose_field fields[DISCLOSE_MAX_FIELDS]; /* the table's fields present
							     * in the record */
	size_t nfields;
	char audit[DISCLOSE_AUDIT_MAX]; /* personal-data fields the caller is shown of
					 * someone else's ("id_number(masked)" for a masked
					 * one), comma-separated; "" for none */
};

/*
 * The one function: what principal `who` may see of `record`, a stored
 * body of kind `kind` (borrowed, not changed). On RC_OK, `out` holds the
 * body to reply with (a new copy with masked fields masked and withheld
 * ones removed), the decision and reason for each of the table's fields
 * the record has, and the fields to audit-log: the caller must write an
 * audit entry when out->audit is not empty. RC_NOTFOUND (code "not_found",
 * message "no such <kind>") when the principal may not see the record at
 * all, out->reason saying why; `st` is read for the kinds whose access
 * depends on stored relations (a consumer and a merchant it ordered from,
 * a listing, a blob) and may be NULL for the others. Release `out` with
 * disclose_view_release in every case.
 */
int disclose_view(struct store *st, const struct principal *who, enum disclose_kind kind,
		  json_t *record, struct disclose_view *out, struct err *e) WARN_UNUSED;

/* Free the view's body; the view may be released again. */
void disclose_view_release(struct disclose_view *v);

/*
 * The table itself, without a record: what `role` gets of `field` of a
 * `kind` record it may see (field NULL: the access rule for the record as
 * a whole, SHOW or WITHHOLD). Unknown roles and kinds get WITHHOLD
 * "no_basis"; a field the table does not name is SHOW with the access
 * rule's reason.
 */
struct disclose_rule disclose_rule_of(enum disclose_kind kind, const char *role,
				      const char *field);

/*
 * Which records of a kind a principal may list: *all set when every one,
 * else the subject goes into *merchant_id or *consumer_id (the store's
 * list filters) when the access rule is that column; *none when it may
 * list none. For access that needs a stored relation, neither is set and
 * each record must be put through disclose_view.
 */
struct disclose_scope {
	int all;                 /* no filter */
	int none;                /* an empty list */
	const char *merchant_id; /* filter by merchant (borrowed from the principal) */
	const char *consumer_id; /* filter by consumer (borrowed from the principal) */
};
void disclose_scope_of(const struct principal *who, enum disclose_kind kind,
		       struct disclose_scope *out);

/*
 * An order's evidence bundle for `who` (after disclose_view allowed
 * DISCLOSE_BUNDLE): the field names the bundle must show only as
 * commitments (a masked field cannot be shown masked and stay provable,
 * so it is withheld), into `names` (static strings, up to `cap`), *n
 * their count; and into `audit` the personal-data fields of others it
 * shows, "kind.field" comma-separated. RC_TOOBIG if `cap` or the audit
 * buffer is too small.
 */
int disclose_bundle_fields(const struct principal *who, const char **names, size_t cap,
			   size_t *n, char *audit, size_t audit_cap, struct err *e) WARN_UNUSED;

/* Render the whole table as docs/privacy.md holds it. */
int disclose_table_markdown(struct buf *out) WARN_UNUSED;

/*
 * Mask `in` (ASCII) into `out` (`cap` bytes): keep the first `head` and
 * last `tail` characters and replace each letter or digit between them by
 * '*'; a value too short to keep both is masked whole. Returns 0, or -1 if
 * `out` is too small.
 */
int disclose_mask(const char *in, size_t head, size_t tail, char *out, size_t cap);

/* The parties of a transaction, whose own names and numbers redaction keeps. */
struct disclose_parties {
	const char *names[4];  /* the consumer's name, an individual merchant's name… */
	const char *phones[4]; /* their phone numbers as given */
	const char *emails[4];
};

/* The parties of `order` and its `merchant` (both as stored; borrowed). */
void disclose_parties_of(json_t *order, json_t *merchant, struct disclose_parties *p);

/*
 * Redact UTF-8 `text` for a reader outside the conversation: mobile and
 * landline numbers, resident ID numbers and email addresses that are not a
 * party's are masked, and so are people's names where the text marks them
 * as names (after 签收人, 快递员, 联系人…, or before 先生, 女士, 师傅…)
 * unless they are a party's. A heuristic: it masks what it recognises and
 * errs towards masking. `out` gets the result; *changed whether anything
 * was masked. RC_TOOBIG if `out` cannot hold it.
 */
int disclose_redact(const char *text, const struct disclose_parties *p, struct buf *out,
		    int *changed, struct err *e) WARN_UNUSED;

/*
 * What a package for a requester of `role` released on legal `basis` gives
 * of field `field` of a record of leaf kind `kind` (the table's
 * DISCLOSE_PACKAGE rows; a field with no row is shown). A rule that holds
 * only under some bases is WITHHOLD "no_basis" under any other.
 */
struct disclose_rule disclose_package_rule(const char *role, const char *basis,
					   const char *kind, const char *field);

/* Who reads a package: the requester's role, the release's basis, the transaction's parties. */
struct disclose_package_reader {
	const char *role;
	const char *basis;
	const struct disclose_parties *parties;
};

/*
 * Whether the package shows field `field` (a flattened name, as a leaf
 * holds it) of record `body` of leaf kind `kind` as its value: *show 1 for
 * a shown field, and for a redacted one in which nothing needed masking;
 * 0 for one withheld, masked, or redacted with something masked.
 */
int disclose_package_shows(const struct disclose_package_reader *r, const char *kind,
			   json_t *body, const char *field, int *show, struct err *e) WARN_UNUSED;

/*
 * Append to `out` the masked renderings of record `body` (leaf kind `kind`)
 * the package's reader sees in place of its withheld fields:
 * {"record": id, "field": name, "value": masked text}. RC_TOOBIG when `out`
 * would pass `cap` entries.
 */
int disclose_package_masks(const struct disclose_package_reader *r, const char *kind,
			   json_t *body, json_t *out, size_t cap, struct err *e) WARN_UNUSED;

#endif
