/* problems.c - counting and reporting the problems an audit finds. */
#include "core/problems.h"

#include <stdarg.h>
#include <stdio.h>

void problems_add(struct problems *p, const char *where, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	p->count++;
	if (p->report)
		p->report(p->ctx, where, what);
}
