/* problems.h - the problems an audit finds: each reported as it is found, and counted. */
#ifndef DISPUTED_PROBLEMS_H
#define DISPUTED_PROBLEMS_H

#include <stdint.h>

/* Called once per problem: `where` says which record or file, `what` what is wrong. */
typedef void problem_report_fn(void *ctx, const char *where, const char *what);

struct problems {
	problem_report_fn *report;  /* may be NULL: only counted */
	void *ctx;                  /* passed to report */
	uint64_t count;             /* how many so far */
};

/* Count a problem and report it, its text formatted (at most 511 bytes kept). */
void problems_add(struct problems *p, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
