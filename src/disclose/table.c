/* table.c - the visibility table itself: for each kind of record, who may see it, and what each role gets of each field that matters. */
#include "disclose/disclose_int.h"

#include <string.h>

const char *const disclose_roles[] = {"platform", "agent",     "consumer", "merchant",
				      "court",    "association", "regulator", "witness", NULL};

const char *const disclose_kind_names[DISCLOSE_KIND_COUNT] = {
	"merchant", "listing", "order", "consumer", "dispute", "blob", "accounts", "bundle",
};

const char *const disclose_action_names[3] = {"show", "mask", "withhold"};

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
};

#define S(r) {DISCLOSE_SHOW, r}
#define M(r) {DISCLOSE_MASK, r}
#define W(r) {DISCLOSE_WITHHOLD, r}
#define STAFF S("staff"), S("staff")
#define NO_BASIS W("no_basis"), W("no_basis"), W("no_basis"), W("no_basis")

/* Columns: platform, agent, consumer, merchant, court, association, regulator, witness. */
const struct field_def disclose_fields[] = {
	/* an individual merchant's resident ID number; a company has a public uscc instead */
	{DISCLOSE_MERCHANT, "id_number", 1, 3, 4,
	 {STAFF, M("sensitive_pi"), S("own"), NO_BASIS}},
	{DISCLOSE_MERCHANT, "registered_address", 1, 0, 0,
	 {STAFF, S("cpl_44_identity"), S("own"), NO_BASIS}},
	{DISCLOSE_MERCHANT, "contact.phone", 1, 0, 0,
	 {STAFF, S("cpl_44_identity"), S("own"), NO_BASIS}},
	{DISCLOSE_MERCHANT, "contact.email", 1, 0, 0,
	 {STAFF, S("cpl_44_identity"), S("own"), NO_BASIS}},
	{DISCLOSE_MERCHANT, "licence_image", 0, 0, 0,
	 {STAFF, W("minimum_necessary"), S("own"), NO_BASIS}},
	{DISCLOSE_MERCHANT, "flags", 0, 0, 0,
	 {STAFF, W("platform_internal"), W("platform_internal"), NO_BASIS}},
	{DISCLOSE_ORDER, "consumer.name", 1, 0, 0,
	 {STAFF, S("own"), S("party"), NO_BASIS}},
	{DISCLOSE_ORDER, "consumer.phone", 1, 3, 4,
	 {STAFF, S("own"), W("minimum_necessary"), NO_BASIS}},
	{DISCLOSE_CONSUMER, "name", 1, 0, 0,
	 {STAFF, S("own"), W("minimum_necessary"), NO_BASIS}},
	{DISCLOSE_CONSUMER, "phone", 1, 3, 4,
	 {STAFF, S("own"), W("minimum_necessary"), NO_BASIS}},
};

const size_t disclose_nfields = sizeof(disclose_fields) / sizeof(disclose_fields[0]);
