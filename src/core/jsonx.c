/* jsonx.c - checked field getters for request bodies. */
#include "core/jsonx.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"

int jx_has(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v && !json_is_null(v);
}

/* Fetch obj[key]: RC_OK with *v NULL when absent and optional. */
static int jx_field(json_t *obj, const char *key, const char *param,
		    int required, json_t **v, struct err *e)
{
	*v = json_object_get(obj, key);
	if (*v && json_is_null(*v))
		*v = NULL;
	if (!*v && required)
		return err_set(e, RC_INVAL, "required", param, "%s is required", param);
	return RC_OK;
}

size_t jx_utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

int jx_str(json_t *obj, const char *key, const char *param, int required,
	   size_t maxchars, const char **out, struct err *e)
{
	json_t *v;
	const char *s;
	int rc = jx_field(obj, key, param, required, &v, e);

	if (rc || !v)
		return rc;
	if (!json_is_string(v))
		return err_set(e, RC_INVAL, "invalid_type", param,
			       "%s must be a string", param);
	s = json_string_value(v);
	if (json_string_length(v) != strlen(s))
		return err_set(e, RC_INVAL, "invalid_value", param,
			       "%s must not contain NUL characters", param);
	if (!*s)
		return err_set(e, RC_INVAL, "invalid_value", param,
			       "%s must not be empty", param);
	if (maxchars && jx_utf8_chars(s) > maxchars)
		return err_set(e, RC_INVAL, "too_long", param,
			       "%s must be at most %zu characters", param, maxchars);
	*out = s;
	return RC_OK;
}

int jx_int(json_t *obj, const char *key, const char *param, int required,
	   int64_t min, int64_t max, int64_t *out, struct err *e)
{
	json_t *v;
	json_int_t n;
	int rc = jx_field(obj, key, param, required, &v, e);

	if (rc || !v)
		return rc;
	if (!json_is_integer(v))
		return err_set(e, RC_INVAL, "invalid_type", param,
			       "%s must be an integer", param);
	n = json_integer_value(v);
	if (n < min || n > max)
		return err_set(e, RC_INVAL, "invalid_value", param,
			       "%s must be from %lld to %lld", param, (long long)min,
			       (long long)max);
	*out = n;
	return RC_OK;
}

int jx_enum(json_t *obj, const char *key, const char *param, int required,
	    const char *const *values, const char **out, struct err *e)
{
	const char *s = NULL;
	char list[256] = "";
	size_t i, used = 0;
	int rc = jx_str(obj, key, param, required, 0, &s, e);

	if (rc || !s)
		return rc;
	for (i = 0; values[i]; i++) {
		if (strcmp(values[i], s) == 0) {
			*out = values[i];
			return RC_OK;
		}
	}
	for (i = 0; values[i] && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
					 i ? ", " : "", values[i]);
	return err_set(e, RC_INVAL, "invalid_enum", param, "%s must be one of: %s",
		       param, list);
}

int jx_time(json_t *obj, const char *key, const char *param, int required,
	    int64_t *ms, struct err *e)
{
	json_t *v;
	int rc = jx_field(obj, key, param, required, &v, e);

	if (rc || !v)
		return rc;
	if (!json_is_string(v))
		return err_set(e, RC_INVAL, "invalid_type", param,
			       "%s must be an RFC 3339 time string", param);
	if (json_string_length(v) != strlen(json_string_value(v)) ||
	    time_parse(json_string_value(v), ms))
		return err_set(e, RC_INVAL, "invalid_value", param,
			       "%s must be an RFC 3339 time such as 2025-09-30T08:00:00Z",
			       param);
	return RC_OK;
}

int jx_obj(json_t *obj, const char *key, const char *param, int required,
	   json_t **out, struct err *e)
{
	json_t *v;
	int rc = jx_field(obj, key, param, required, &v, e);

	if (rc || !v)
		return rc;
	if (!json_is_object(v))
		return err_set(e, RC_INVAL, "invalid_type", param,
			       "%s must be an object", param);
	*out = v;
	return RC_OK;
}

int jx_arr(json_t *obj, const char *key, const char *param, int required,
	   size_t maxlen, json_t **out, struct err *e)
{
	json_t *v;
	int rc = jx_field(obj, key, param, required, &v, e);

	if (rc || !v)
		return rc;
	if (!json_is_array(v))
		return err_set(e, RC_INVAL, "invalid_type", param,
			       "%s must be an array", param);
	if (maxlen && json_array_size(v) > maxlen)
		return err_set(e, RC_INVAL, "too_long", param,
			       "%s must have at most %zu elements", param, maxlen);
	*out = v;
	return RC_OK;
}

int jx_money(json_t *obj, const char *key, const char *param, int required,
	     int64_t *amount, char *currency, struct err *e)
{
	static const char *const allowed[] = {"amount", "currency", NULL};
	json_t *m = NULL;
	const char *cur = NULL;
	char sub[192];
	int rc, i;

	rc = jx_obj(obj, key, param, required, &m, e);
	if (rc || !m)
		return rc;
	rc = jx_only(m, allowed, param, e);
	if (rc)
		return rc;
	snprintf(sub, sizeof(sub), "%s.amount", param);
	rc = jx_int(m, "amount", sub, 1, 0, 10000000000000LL, amount, e);
	if (rc)
		return rc;
	snprintf(sub, sizeof(sub), "%s.currency", param);
	rc = jx_str(m, "currency", sub, 1, 3, &cur, e);
	if (rc)
		return rc;
	for (i = 0; i < 3; i++)
		if (cur[i] < 'A' || cur[i] > 'Z')
			break;
	if (i != 3 || cur[3])
		return err_set(e, RC_INVAL, "invalid_value", sub,
			       "%s must be an ISO 4217 code such as CNY", sub);
	memcpy(currency, cur, 4);
	return RC_OK;
}

int jx_only(json_t *obj, const char *const *allowed, const char *prefix,
	    struct err *e)
{
	const char *key;
	json_t *v;
	char name[256];
	size_t i;

	json_object_foreach(obj, key, v) {
		for (i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], key) == 0)
				break;
		if (!allowed[i]) {
			snprintf(name, sizeof(name), "%s%s%s", prefix ? prefix : "",
				 prefix && *prefix ? "." : "", key);
			return err_set(e, RC_INVAL, "unknown_parameter", name,
				       "unknown field %s", name);
		}
	}
	return RC_OK;
}

json_t *jx_time_json(int64_t ms)
{
	char t[TIME_TEXT_MAX];

	time_format(ms, t);
	return json_string(t);
}

json_t *jx_money_json(int64_t amount, const char *currency)
{
	return json_pack("{s:I, s:s}", "amount", (json_int_t)amount, "currency",
			 currency);
}

/* Depth-first: the first real in `v` at or past 2^63 in magnitude, its path in `path`. */
static int find_big(json_t *v, char *path, size_t size, size_t used)
{
	const char *k;
	json_t *x;
	size_t i;
	int n;

	if (json_is_real(v))
		return fabs(json_real_value(v)) >= 9223372036854775808.0;
	if (json_is_object(v)) {
		json_object_foreach(v, k, x) {
			n = snprintf(path + used, size - used, used ? ".%s" : "%s", k);
			if (n < 0 || (size_t)n >= size - used)
				return 0;
			if (find_big(x, path, size, used + (size_t)n))
				return 1;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			n = snprintf(path + used, size - used, "[%zu]", i);
			if (n < 0 || (size_t)n >= size - used)
				return 0;
			if (find_big(x, path, size, used + (size_t)n))
				return 1;
		}
	}
	path[used] = '\0';
	return 0;
}

int jx_overflow_path(const char *text, size_t len, char *path, size_t size)
{
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL,
			       NULL);
	int found;

	if (!size)
		return 0;
	path[0] = '\0';
	if (!v)
		return 0;
	found = find_big(v, path, size, 0) && path[0];
	json_decref(v);
	return found;
}
