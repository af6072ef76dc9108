/* num.c - checked decimal integer parsing. */
#include "core/num.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

int num_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return RC_INVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return RC_INVAL;
	*out = (int64_t)v;
	return RC_OK;
}
