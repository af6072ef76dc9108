/* jsonx.h - checked reading of request fields out of jansson objects. */
#ifndef DISPUTED_JSONX_H
#define DISPUTED_JSONX_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"

/*
 * Every getter reads obj[key] and, when it is missing or null and
 * `required` is false, leaves *out untouched and returns RC_OK. `param`
 * is the field's full name as the client wrote it ("items[0].quantity"),
 * used in the error set on failure (RC_INVAL, codes "required",
 * "invalid_type", "invalid_value", "too_long", "invalid_enum"). `obj` must
 * be an object. Returned pointers are borrowed from `obj`.
 */

/* True if obj[key] is there and not null. */
int jx_has(json_t *obj, const char *key);

/* A string of 1..maxchars Unicode characters (0 means no limit). */
int jx_str(json_t *obj, const char *key, const char *param, int required,
	   size_t maxchars, const char **out, struct err *e) WARN_UNUSED;

/* An integer in [min, max]. */
int jx_int(json_t *obj, const char *key, const char *param, int required,
	   int64_t min, int64_t max, int64_t *out, struct err *e) WARN_UNUSED;

/* A string equal to one of the NULL-terminated `values`. */
int jx_enum(json_t *obj, const char *key, const char *param, int required,
	    const char *const *values, const char **out, struct err *e) WARN_UNUSED;

/* An RFC 3339 time, as UTC milliseconds. */
int jx_time(json_t *obj, const char *key, const char *param, int required,
	    int64_t *ms, struct err *e) WARN_UNUSED;

/* An object / an array. */
int jx_obj(json_t *obj, const char *key, const char *param, int required,
	   json_t **out, struct err *e) WARN_UNUSED;
int jx_arr(json_t *obj, const char *key, const char *param, int required,
	   size_t maxlen, json_t **out, struct err *e) WARN_UNUSED;

/*
 * Money: {"amount": fen (0..10^13), "currency": three uppercase letters}.
 * `*currency` must have room for 4 bytes.
 */
int jx_money(json_t *obj, const char *key, const char *param, int required,
	     int64_t *amount, char *currency, struct err *e) WARN_UNUSED;

/*
 * Fail with code "unknown_parameter" naming the first key of `obj` that is
 * not in the NULL-terminated `allowed`. `prefix` is the param of `obj`
 * itself ("contact", "items[2].contact"), or NULL or "" at the top level;
 * the error names "contact.fax".
 */
int jx_only(json_t *obj, const char *const *allowed, const char *prefix,
	    struct err *e) WARN_UNUSED;

/* Number of Unicode characters in a valid UTF-8 string. */
size_t jx_utf8_chars(const char *s);

/* json_string of an RFC 3339 rendering of `ms`. New reference. */
json_t *jx_time_json(int64_t ms);

/* {"amount":…, "currency":…}. New reference. */
json_t *jx_money_json(int64_t amount, const char *currency);

/*
 * For a JSON text jansson refused with json_error_numeric_overflow: the
 * path ("total.amount", "items[0].quantity") of its first number too large
 * for 64 bits, in `path` (of `size` bytes). Returns 1 if found, else 0.
 */
int jx_overflow_path(const char *text, size_t len, char *path, size_t size);

#endif
