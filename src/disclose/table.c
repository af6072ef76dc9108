/* table.c - the visibility table itself: for each kind of record, who may see it, and what each role gets of each field that matters. */
#include "disclose/disclose_int.h"

#include <string.h>

const char *const disclose_roles[] = {"platform", "agent",     "consumer", "merchant",
				      "court",    "association", "regulator", "witness", NULL};

const char *const disclose_kind_names[DISCLOSE_KIND_COUNT] = {
	"merchant", "listing", "order", "consumer", "dispute", "blob", "accounts", "bundle", "assessment", "package",
	"merchant_risk", "alert", "risk_proposal",
};

const char *const disclose_action_names[DISCLOSE_ACTION_COUNT] = {"show", "mask", "withhold",
								  "redact"};

int disclose_role_index(const char *role)
{
	int i;

	for (i = 0; role && disclose_roles[i]; i++)
		if (strcmp(disclose_roles[i], role) == 0)
			return i;
	return -1;
}

#define ALL {ACC_ALL, NULL, COL_OTHER, "staff"}
#define NONE(r) {ACC_NONE, NULL, COL_OTHER, r}
#define MATCH(p, c, r) {ACC_MATCH, p, c, r}
#define LOOKUP(r) {ACC_LOOKUP, NULL, COL_OTHER, r}
/* court, association, regulator, witness: nothing until a disclosure request gives a basis */
#define OUTSIDERS NONE("no_basis"), NONE("no_basis"), NONE("no_basis"), NONE("no_basis")

/* Columns: platform, agent, consumer, merchant, court, association, regulator, witness. */
const struct kind_def disclose_kinds[DISCLOSE_KIND_COUNT] = {
	[DISCLOSE_MERCHANT] = {"merchant", "a merchant's identity (Art. 27)",
			       "the caller has an order with the merchant",
			       {ALL, ALL, LOOKUP("party"), MATCH("id", COL_OTHER, "own"), OUTSIDERS}},
	[DISCLOSE_LISTING] = {"listing", "a listing version", "the caller has ordered the listing",
			      {ALL, ALL, LOOKUP("party"), MATCH("merchant", COL_MERCHANT, "own"),
			       OUTSIDERS}},
	[DISCLOSE_ORDER] = {"order", "an order, with its logistics and messages", NULL,
			    {ALL, ALL, MATCH("consumer.id", COL_CONSUMER, "party"),
			     MATCH("merchant", COL_MERCHANT, "party"), OUTSIDERS}},
	[DISCLOSE_CONSUMER] = {"consumer", "a consumer", NULL,
			       {ALL, ALL, MATCH("id", COL_OTHER, "own"), NONE("minimum_necessary"),
				OUTSIDERS}},
	[DISCLOSE_DISPUTE] = {"dispute", "a dispute, its events and its parties' actions", NULL,
			      {ALL, ALL, MATCH("consumer", COL_CONSUMER, "party"),
			       MATCH("merchant", COL_MERCHANT, "party"), OUTSIDERS}},
	[DISCLOSE_BLOB] = {"blob", "an uploaded file (licence, listing photo, attachment)",
			   "the caller uploaded it, or it belongs to the caller's records, orders or disputes",
			   {ALL, ALL, LOOKUP("party"), LOOKUP("party"), OUTSIDERS}},
	[DISCLOSE_ACCOUNTS] = {"owner of accounts", "an owner's funds accounts and entries", NULL,
			       {ALL, ALL, MATCH("owner", COL_OTHER, "own"),
				MATCH("owner", COL_OTHER, "own"), OUTSIDERS}},
	[DISCLOSE_BUNDLE] = {"order", "an order's evidence bundle (fields as merchant and order; "
				      "a masked field is withheld as its commitment)",
			     NULL,
			     {ALL, ALL, MATCH("consumer.id", COL_CONSUMER, "party"),
			      NONE("minimum_necessary"), OUTSIDERS}},
	[DISCLOSE_ASSESSMENT] = {"assessment",
				 "a dispute's working assessment (GET /v1/disputes/{id}/assessment): "
				 "the photos compared, the focus read, the outcome suggested. Each "
				 "one made is also a sealed `assessment` event of the dispute's "
				 "timeline, which its parties read: an automated suggestion is "
				 "explained to those it concerns (PIPL art. 24)",
				 NULL,
				 {ALL, ALL, NONE("platform_internal"), NONE("platform_internal"),
				  OUTSIDERS}},
	[DISCLOSE_PACKAGE] = {"disclosure package",
			      "a disclosure's package (src/disclose/request.h), for its "
			      "requester: each field named by its record's kind; the rest of "
			      "a record in the released scope is shown, and a masked or "
			      "redacted field is withheld as its commitment beside its masked "
			      "rendering, sealed in the view's disclosure event",
			      NULL,
			      {ALL, ALL, MATCH("requester.id", COL_OTHER, "own"),
			       NONE("no_basis"), MATCH("requester.id", COL_OTHER, "own"),
			       MATCH("requester.id", COL_OTHER, "own"),
			       MATCH("requester.id", COL_OTHER, "own"), NONE("no_basis")}},
	[DISCLOSE_MERCHANT_RISK] = {"merchant",
				    "a merchant's risk figures (GET /v1/merchants/{id}/risk, "
				    "docs/risk.md): dispute rate, upheld rate, on-time responses "
				    "and repeated foci over 30 and 90 days, and its place in the "
				    "ranked list (GET /v1/risk/merchants, staff only)",
				    NULL,
				    {ALL, ALL, NONE("platform_internal"),
				     MATCH("merchant", COL_MERCHANT, "own"), OUTSIDERS}},
	[DISCLOSE_ALERT] = {"alert",
			    "an early-warning alert (GET /v1/alerts): a spike of one dispute focus "
			    "for a merchant, listing or category, with the counts and dispute ids "
			    "that raised it",
			    NULL,
			    {ALL, ALL, NONE("platform_internal"), NONE("platform_internal"),
			     NONE("no_basis"), NONE("no_basis"), {ACC_ALL, NULL, COL_OTHER,
			     "supervision"}, NONE("no_basis")}},
	[DISCLOSE_RISK_PROPOSAL] = {"proposal",
				    "a proposal of the repeated_fraud flag (GET /v1/risk/proposals) "
				    "with its evidence, for staff to confirm or dismiss",
				    NULL,
				    {ALL, ALL, NONE("platform_internal"), NONE("platform_internal"),
				     OUTSIDERS}},
};

#define S(r) {DISCLOSE_SHOW, r}
#define M(r) {DISCLOSE_MASK, r}
#define W(r) {DISCLOSE_WITHHOLD, r}
#define R(r) {DISCLOSE_REDACT, r}
#define STAFF S("staff"), S("staff")
#define NO_BASIS W("no_basis"), W("no_basis"), W("no_basis"), W("no_basis")

/* The bases that cover a parcel's location trail for an outsider. */
static const char *const trail_bases[] = {"pipl_13_1_3", "pipl_13_1_4", NULL};

/* Columns: platform, agent, consumer, merchant, court, association, regulator, witness. */
const struct field_def disclose_fields[] = {
	/* an individual merchant's resident ID number; a company has a public uscc instead */
	{DISCLOSE_MERCHANT, "id_number", 1, 3, 4,
	 {STAFF, M("sensitive_pi"), S("own"), NO_BASIS}, NULL},
	{DISCLOSE_MERCHANT, "registered_address", 1, 0, 0,
	 {STAFF, S("cpl_44_identity"), S("own"), NO_BASIS}, NULL},
	{DISCLOSE_MERCHANT, "contact.phone", 1, 0, 0,
	 {STAFF, S("cpl_44_identity"), S("own"), NO_BASIS}, NULL},
	{DISCLOSE_MERCHANT, "contact.email", 1, 0, 0,
	 {STAFF, S("cpl_44_identity"), S("own"), NO_BASIS}, NULL},
	{DISCLOSE_MERCHANT, "licence_image", 0, 0, 0,
	 {STAFF, W("minimum_necessary"), S("own"), NO_BASIS}, NULL},
	{DISCLOSE_MERCHANT, "flags", 0, 0, 0,
	 {STAFF, W("platform_internal"), W("platform_internal"), NO_BASIS}, NULL},
	/* an art. 38 suspension: the platform's measure against the merchant's listing */
	{DISCLOSE_LISTING, "suspension", 0, 0, 0,
	 {STAFF, W("minimum_necessary"), S("own"), NO_BASIS}, NULL},
	{DISCLOSE_ORDER, "consumer.name", 1, 0, 0,
	 {STAFF, S("own"), S("party"), NO_BASIS}, NULL},
	{DISCLOSE_ORDER, "consumer.phone", 1, 3, 4,
	 {STAFF, S("own"), W("minimum_necessary"), NO_BASIS}, NULL},
	{DISCLOSE_CONSUMER, "name", 1, 0, 0,
	 {STAFF, S("own"), W("minimum_necessary"), NO_BASIS}, NULL},
	{DISCLOSE_CONSUMER, "phone", 1, 3, 4,
	 {STAFF, S("own"), W("minimum_necessary"), NO_BASIS}, NULL},
	/* staff's flags on the consumer (abusive complainants): the consumer is told, with the
	 * evidence, and may appeal; a merchant is never shown them, nor their timeline notes */
	{DISCLOSE_CONSUMER, "flags", 0, 0, 0,
	 {STAFF, S("own"), W("platform_internal"), NO_BASIS}, NULL},
	{DISCLOSE_CONSUMER, "flag_history", 0, 0, 0,
	 {STAFF, S("own"), W("platform_internal"), NO_BASIS}, NULL},

	/* Packages. Columns as above; a merchant never requests (403), a witness never sees one. */
	{DISCLOSE_PACKAGE, "merchant.id_number", 1, 3, 4,
	 {STAFF, M("sensitive_pi"), W("no_basis"), S("statutory_duty"), M("sensitive_pi"),
	  S("statutory_duty"), W("no_basis")}, NULL},
	{DISCLOSE_PACKAGE, "order.consumer.phone", 1, 3, 4,
	 {STAFF, S("own"), W("no_basis"), S("statutory_duty"), M("minimum_necessary"),
	  M("minimum_necessary"), W("no_basis")}, NULL},
	/* where the parcel went, hour by hour: sensitive (PIPL art. 28), so only the consumer's
	 * own, or under a statutory duty or an emergency */
	{DISCLOSE_PACKAGE, "logistics.location", 1, 0, 0,
	 {STAFF, S("own"), W("no_basis"), S("sensitive_pi"), S("sensitive_pi"), S("sensitive_pi"),
	  W("no_basis")},
	 trail_bases},
	{DISCLOSE_PACKAGE, "logistics.detail", 1, 0, 0,
	 {STAFF, R("third_parties"), W("no_basis"), R("third_parties"), R("third_parties"),
	  R("third_parties"), W("no_basis")}, NULL},
	{DISCLOSE_PACKAGE, "dispute_event.data.text", 1, 0, 0,
	 {STAFF, R("third_parties"), W("no_basis"), R("third_parties"), R("third_parties"),
	  R("third_parties"), W("no_basis")}, NULL},
	/* an assessment quotes the records it read (a courier's note on the signing): its text
	 * is masked as theirs is */
	{DISCLOSE_PACKAGE, "dispute_event.data.assessment", 1, 0, 0,
	 {STAFF, R("third_parties"), W("no_basis"), R("third_parties"), R("third_parties"),
	  R("third_parties"), W("no_basis")}, NULL},
	{DISCLOSE_PACKAGE, "message.text", 1, 0, 0,
	 {STAFF, R("third_parties"), W("no_basis"), R("third_parties"), R("third_parties"),
	  R("third_parties"), W("no_basis")}, NULL},
};

const size_t disclose_nfields = sizeof(disclose_fields) / sizeof(disclose_fields[0]);
