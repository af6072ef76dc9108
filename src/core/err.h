/* err.h - the project's result codes and the error context that carries details. */
#ifndef DISPUTED_ERR_H
#define DISPUTED_ERR_H

#include <stddef.h>

#define WARN_UNUSED __attribute__((warn_unused_result))

/* One result code for the whole project; 0 is success. */
enum rc {
	RC_OK = 0,
	RC_NOMEM,       /* allocation failed */
	RC_INVAL,       /* the caller's input is invalid (HTTP 400) */
	RC_UNAUTH,      /* no or bad credentials (401) */
	RC_FORBIDDEN,   /* the role may not do this (403) */
	RC_NOTFOUND,    /* no such object, or not visible to the caller (404) */
	RC_CONFLICT,    /* conflicts with the object's state (409) */
	RC_TOOBIG,      /* a size limit was passed (413) */
	RC_UNSUPPORTED, /* unsupported media type (415) */
	RC_DB,          /* the database failed (500) */
	RC_IO,          /* a file operation failed (500) */
	RC_INTERNAL,    /* a bug or an unexpected state (500) */
	RC_UPSTREAM,    /* a service disputed called failed, timed out or answered nonsense (502) */
	RC_UNPROCESSABLE, /* well-formed input that names what is not there or not allowed (422) */
	RC__COUNT
};

/*
 * Details of a failure. `code` is a short snake_case token for clients,
 * `param` names the offending field (empty if none), `message` is a
 * lowercase sentence without a full stop. Messages of 5xx errors are for
 * the log only and are never sent to a client.
 */
struct err {
	int rc;             /* one of enum rc */
	char code[48];      /* machine-readable code, e.g. "invalid_checksum" */
	char param[128];    /* the field at fault, e.g. "items[2].quantity" */
	char message[320];  /* human-readable detail */
};

/* Short name of a result code ("ok", "nomem", ...). Never NULL. */
const char *rc_strerror(int rc);

/* The HTTP status a result code maps to. */
int rc_http_status(int rc);

/* The error "type" a result code maps to in API errors. */
const char *rc_error_type(int rc);

/* Reset `e` to success. */
void err_clear(struct err *e);

/*
 * Record a failure in `e` (which may be NULL) and return `rc`, so callers can
 * write `return err_set(e, RC_INVAL, "required", "legal_name", "...")`.
 * `param` may be NULL.
 */
int err_set(struct err *e, int rc, const char *code, const char *param,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
