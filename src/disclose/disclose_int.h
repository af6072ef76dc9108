/* disclose_int.h - the shape of the visibility table, shared by the engine and its markdown rendering. */
#ifndef DISPUTED_DISCLOSE_INT_H
#define DISPUTED_DISCLOSE_INT_H

#include "disclose/disclose.h"

/* Columns of the table: the roles of disclose_roles, in order. */
#define DISCLOSE_NROLES 8

/* How a role may reach a record at all. */
enum access_how {
	ACC_NONE,   /* never */
	ACC_ALL,    /* every record of the kind */
	ACC_MATCH,  /* the record's `path` is the principal's subject */
	ACC_LOOKUP, /* a stored relation says so (disclose.c: related) */
};

/* Which store list filter an ACC_MATCH rule is. */
enum access_col {
	COL_OTHER,    /* none: the record itself */
	COL_MERCHANT, /* store filter merchant_id */
	COL_CONSUMER, /* store filter consumer_id */
};

struct access_rule {
	enum access_how how;
	const char *path;      /* ACC_MATCH: dotted path of the id compared with the subject */
	enum access_col col;   /* ACC_MATCH: the list filter it is */
	const char *reason;    /* reason code */
};

struct kind_def {
	const char *noun;                               /* "no such <noun>" */
	const char *about;                              /* one line for docs/privacy.md */
	const char *lookup;                             /* ACC_LOOKUP's relation, in words */
	struct access_rule access[DISCLOSE_NROLES];
};

struct field_def {
	enum disclose_kind kind;
	const char *field;           /* dotted path in the record's body */
	int personal;                /* someone's personal data: reads by others are audited */
	unsigned mask_head, mask_tail; /* characters kept by a mask */
	struct disclose_rule rules[DISCLOSE_NROLES];
	/* the legal bases under which an outsider's (court, association,
	 * regulator) rule holds: NULL-terminated, or NULL for any */
	const char *const *bases;
};

extern const struct kind_def disclose_kinds[DISCLOSE_KIND_COUNT];
extern const struct field_def disclose_fields[];
extern const size_t disclose_nfields;

/* The column of a role name, or -1. */
int disclose_role_index(const char *role);

#endif
