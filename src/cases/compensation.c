/* compensation.c - the cap on what a dispute moves: the order's total, or a statutory or promised basis of compensation. */
#include "cases/compensation.h"

#include <string.h>

const char *const compensation_basis_names[] = {"cpl_55", "food_safety_148",
						"merchant_promise", NULL};

enum compensation_basis compensation_basis_of(const char *name)
{
	size_t i;

	for (i = 0; name && compensation_basis_names[i]; i++)
		if (strcmp(name, compensation_basis_names[i]) == 0)
			return (enum compensation_basis)(i + 1);
	return BASIS_NONE;
}

/* The statutory floors, in fen. */
#define CPL_55_FLOOR 50000              /* ¥500 */
#define FOOD_SAFETY_148_FLOOR 100000    /* ¥1,000 */

static int overflow(struct err *e)
{
	return err_set(e, RC_INVAL, "amount_overflow", "claim.basis",
		       "the compensation this basis computes does not fit in 64 bits");
}

/* times * paid, at least floor; RC_INVAL on overflow. */
static int multiple(int64_t paid, int64_t times, int64_t floor, int64_t *cap, struct err *e)
{
	if (__builtin_mul_overflow(paid, times, cap))
		return overflow(e);
	if (*cap < floor)
		*cap = floor;
	return RC_OK;
}

/* Sum over the order's items of quantity x unit price x the listing version's multiplier. */
static int promised(struct store *st, json_t *order, int64_t *cap, struct err *e)
{
	json_t *it, *listing;
	size_t i;
	int rc, any = 0;

	*cap = 0;
	json_array_foreach(json_object_get(order, "items"), i, it) {
		int64_t times, price, item;

		listing = NULL;
		rc = store_listing_version(st, json_string_value(json_object_get(it, "listing")),
					   json_integer_value(json_object_get(it, "listing_version")),
					   &listing, e);
		if (rc)
			return rc;
		times = json_integer_value(json_object_get(listing, "compensation_multiplier"));
		json_decref(listing);
		if (times <= 0)
			continue;
		any = 1;
		price = json_integer_value(
			json_object_get(json_object_get(it, "unit_price"), "amount"));
		if (__builtin_mul_overflow(price, json_integer_value(json_object_get(it, "quantity")),
					   &item) ||
		    __builtin_mul_overflow(item, times, &item) ||
		    __builtin_add_overflow(*cap, item, cap))
			return overflow(e);
	}
	if (!any)
		return err_set(e, RC_INVAL, "basis_not_applicable", "claim.basis",
			       "no listing of this order records a promise of compensation "
			       "(compensation_multiplier)");
	return RC_OK;
}

int compensation_cap(struct store *st, json_t *order, enum compensation_basis basis,
		     int64_t *cap, struct err *e)
{
	int64_t paid = json_integer_value(json_object_get(json_object_get(order, "total"), "amount"));

	switch (basis) {
	case BASIS_CPL_55:
		return multiple(paid, 3, CPL_55_FLOOR, cap, e);
	case BASIS_FOOD_SAFETY_148:
		return multiple(paid, 10, FOOD_SAFETY_148_FLOOR, cap, e);
	case BASIS_MERCHANT_PROMISE:
		return promised(st, order, cap, e);
	case BASIS_NONE:
	case BASIS__COUNT:
		break;
	}
	*cap = paid;
	return RC_OK;
}
