/* request.h - disclosure requests: who asks for which records of an order, the agent's answer, and the sealed record of every step. */
#ifndef DISPUTED_DISCLOSE_REQUEST_H
#define DISPUTED_DISCLOSE_REQUEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cases/calendar.h"
#include "cases/rules.h"
#include "core/err.h"
#include "disclose/disclose.h"
#include "store/store.h"

/*
 * The platform as assistant (E-Commerce Law art. 61, CPL art. 44, Civil
 * Procedure Law art. 70): a consumer, a court, a consumer association, a
 * regulator (or an agent on someone's behalf) asks for the merchant's
 * identity and records of one order. A consumer asking about their own
 * order is answered at once (the basic duty); every other request waits for
 * an agent, due within the rules' [disclosure] response, who releases all or
 * part of it with reasons and a legal basis, or refuses it with reasons.
 *
 * Every step is a disclosure event (leaf kind disclosure_event, a link of
 * the order's chain): the request, the answer, each view of the package. The
 * package is the order's evidence bundle with only the released scope
 * disclosed (bundle_opts.shown, disclose_shown).
 */

/* What a request may ask for. */
enum disclosure_scope {
	SCOPE_MERCHANT_IDENTITY, /* the merchant record: name, USCC or ID, address, contact */
	SCOPE_ORDER,             /* the order */
	SCOPE_LISTING,           /* the listing versions its items point at */
	SCOPE_PAYMENT,           /* the payment voucher */
	SCOPE_LOGISTICS,         /* logistics events */
	SCOPE_MESSAGES,          /* the chat, with attachments */
	SCOPE_DISPUTE_RECORD,    /* the dispute's timeline, with its evidence */
	SCOPE__COUNT
};
extern const char *const disclosure_scope_names[]; /* NULL-terminated */

enum disclose_state {
	DISCLOSURE_PENDING,
	DISCLOSURE_RELEASED,
	DISCLOSURE_PARTIALLY_RELEASED,
	DISCLOSURE_REFUSED,
	DISCLOSURE__COUNT
};
extern const char *const disclose_state_names[]; /* NULL-terminated */

/* The legal bases a release may record; the default follows the requester's role. */
extern const char *const disclose_basis_names[]; /* NULL-terminated */

/* The most a request's reasons list holds, and each reason's length. */
#define DISCLOSE_MAX_REASONS 10
#define DISCLOSE_REASON_MAX 1000

/* Who asks or answers: a principal's role and subject. */
struct disclose_who {
	const char *role;    /* consumer, court, association, regulator, agent, platform */
	const char *id;      /* cus_…, or the court's, association's, agent's name */
};

/* One call's context: inside the caller's store transaction. */
#define DISCLOSE_MAX_SEALS 4
struct disclose_ctx {
	struct store *st;                  /* open, inside store_begin */
	const struct rules *rules;         /* for the answer's deadline */
	const struct calendar *cal;
	int64_t now;                       /* ms */
	int64_t seals[DISCLOSE_MAX_SEALS]; /* pending seals made (seal.h), to integrate after commit */
	size_t nseals;
};

/*
 * A new request from `who` about `order` (as stored) and, when the body
 * names it, its dispute. Body: {"order" or "dispute", "scope": [names],
 * "purpose", "reference" (courts and associations: required),
 * "reference_document" (a blob id), "confidential": {"reason"} (courts
 * only: the merchant is not told of the release)}. The caller has checked
 * that `who` may see the order. *out is the new disclosure (new reference).
 * RC_INVAL naming the field; RC_FORBIDDEN for a merchant.
 */
int disclose_request(struct disclose_ctx *c, const struct disclose_who *who, json_t *order,
		     json_t *dispute, json_t *in, json_t **out, struct err *e) WARN_UNUSED;

/*
 * The consumer took dispute `dispute` (as stored) to `body_kind` ("court"
 * or "association"): a disclosure for them, with everything in scope, the
 * dispute record included, released at once. *out as disclose_request.
 */
int disclose_for_external(struct disclose_ctx *c, json_t *dispute, const char *body_kind,
			  json_t **out, struct err *e) WARN_UNUSED;

/*
 * An agent's answer to pending disclosure `id`: release ({"scope"?: a subset
 * of the request's, "reasons": [text], "basis"?}) or refuse ({"reasons"}).
 * RC_CONFLICT (code "wrong_state") unless pending; RC_NOTFOUND if none.
 */
int disclose_release(struct disclose_ctx *c, const struct disclose_who *agent, const char *id,
		     json_t *in, json_t **out, struct err *e) WARN_UNUSED;
int disclose_refuse(struct disclose_ctx *c, const struct disclose_who *agent, const char *id,
		    json_t *in, json_t **out, struct err *e) WARN_UNUSED;

/*
 * The disclosure `id` as `who` may see it: its requester, or staff. RC_NOTFOUND
 * for anyone else (as for a missing one).
 */
int disclose_get(struct disclose_ctx *c, const struct disclose_who *who, const char *id,
		 json_t **out, struct err *e) WARN_UNUSED;

/* The most masked renderings one view of a package seals (its event's leaf is bounded). */
#define DISCLOSE_MAX_MASKED 150

/*
 * A package being read: its disclosure, the transaction's parties, and the
 * masked renderings sealed with this view. The bundle is built with
 * bundle_opts.shown = disclose_package_record, .field_shown =
 * disclose_package_field and .shown_ctx the package.
 */
struct disclose_package {
	json_t *disclosure; /* as stored */
	json_t *order;
	json_t *merchant;
	struct disclose_parties parties;
	struct disclose_package_reader reader;
	json_t *masked;     /* [{"record","field","value"}] */
};

/*
 * Record that `who` views the package of released disclosure `id` (a sealed
 * event that carries the masked renderings the package shows in place of
 * withheld fields, so they too are bound by the log), and fill *pkg for
 * building the package; release it with disclose_package_release.
 * RC_CONFLICT (code "not_released") unless released or partially.
 */
int disclose_package_viewed(struct disclose_ctx *c, const struct disclose_who *who,
			    const char *id, const char *format, struct disclose_package *pkg,
			    struct err *e) WARN_UNUSED;
void disclose_package_release(struct disclose_package *pkg);

/*
 * For bundle_opts.shown: whether a record of leaf kind `kind` (`body` as
 * stored; may be NULL but for disclosure events) is disclosed in the
 * package: its kind is in the released scope, or it is one of this
 * disclosure's own events.
 */
int disclose_package_record(void *package, const char *kind, json_t *body);

/*
 * For bundle_opts.field_shown: whether field `field` of a disclosed record
 * shows its value, as the visibility table's package rows decide for the
 * requester and the release's basis (disclose_package_shows).
 */
int disclose_package_field(void *package, const char *kind, json_t *body, const char *field);

#endif
