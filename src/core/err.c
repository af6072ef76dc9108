/* err.c - result code names, their HTTP mapping and the error context. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int http;
	const char *type;
} rc_table[RC__COUNT] = {
	[RC_OK] = {"ok", 200, ""},
	[RC_NOMEM] = {"nomem", 500, "api_error"},
	[RC_INVAL] = {"inval", 400, "invalid_request"},
	[RC_UNAUTH] = {"unauth", 401, "authentication_error"},
	[RC_FORBIDDEN] = {"forbidden", 403, "permission_error"},
	[RC_NOTFOUND] = {"notfound", 404, "invalid_request"},
	[RC_CONFLICT] = {"conflict", 409, "invalid_request"},
	[RC_TOOBIG] = {"toobig", 413, "invalid_request"},
	[RC_UNSUPPORTED] = {"unsupported", 415, "invalid_request"},
	[RC_DB] = {"db", 500, "api_error"},
	[RC_IO] = {"io", 500, "api_error"},
	[RC_INTERNAL] = {"internal", 500, "api_error"},
	[RC_UPSTREAM] = {"upstream", 502, "api_error"},
	[RC_UNPROCESSABLE] = {"unprocessable", 422, "invalid_request"},
};

const char *rc_strerror(int rc)
{
	if (rc < 0 || rc >= RC__COUNT)
		return "unknown";
	return rc_table[rc].name;
}

int rc_http_status(int rc)
{
	if (rc < 0 || rc >= RC__COUNT)
		return 500;
	return rc_table[rc].http;
}

const char *rc_error_type(int rc)
{
	if (rc <= 0 || rc >= RC__COUNT)
		return "api_error";
	return rc_table[rc].type;
}

void err_clear(struct err *e)
{
	if (!e)
		return;
	e->rc = RC_OK;
	e->code[0] = '\0';
	e->param[0] = '\0';
	e->message[0] = '\0';
}

int err_set(struct err *e, int rc, const char *code, const char *param,
	    const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return rc;
	e->rc = rc;
	snprintf(e->code, sizeof(e->code), "%s", code ? code : rc_strerror(rc));
	snprintf(e->param, sizeof(e->param), "%s", param ? param : "");
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return rc;
}
