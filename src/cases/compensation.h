/* compensation.h - what a dispute may move at most: the order's total, or what a statutory or promised basis of compensation computes. */
#ifndef DISPUTED_COMPENSATION_H
#define DISPUTED_COMPENSATION_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

/*
 * Without a basis, a claim, an offer and a decision are capped by the
 * order's total: the consumer gets back at most what was paid. A
 * `compensation` claim may name a basis that gives more:
 *
 * - cpl_55: Consumer Rights Protection Law art. 55 (fraud): three times
 *   the price paid, and at least ¥500;
 * - food_safety_148: Food Safety Law art. 148 (food that fails the
 *   standards): ten times the price paid, and at least ¥1,000;
 * - merchant_promise: the merchant's own promise recorded on the listing
 *   (`compensation_multiplier`, e.g. 3 for 假一赔三): for each item whose
 *   listing version records one, the item's price times it.
 *
 * The cap bounds the sum; whether the basis applies (was there fraud, is
 * it food) is for the merchant to accept or the platform to decide.
 */
enum compensation_basis {
	BASIS_NONE,
	BASIS_CPL_55,
	BASIS_FOOD_SAFETY_148,
	BASIS_MERCHANT_PROMISE,
	BASIS__COUNT
};

/* The bases' names as the API spells them, NULL-terminated (BASIS_NONE has none). */
extern const char *const compensation_basis_names[];

/* The basis named `name`, or BASIS_NONE (also for NULL). */
enum compensation_basis compensation_basis_of(const char *name);

/*
 * The cap for `order` (as the store serves it) under `basis`, in the
 * order's currency. RC_INVAL (code "basis_not_applicable", param
 * "claim.basis") for merchant_promise when no listing version of the
 * order records a promise; RC_INVAL (code "amount_overflow") if the cap
 * would not fit in 64 bits.
 */
int compensation_cap(struct store *st, json_t *order, enum compensation_basis basis,
		     int64_t *cap, struct err *e) WARN_UNUSED;

#endif
