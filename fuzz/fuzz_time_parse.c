/* fuzz_time_parse.c - libFuzzer target: RFC 3339 parsing, and that what it accepts formats and parses back to itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[TIME_TEXT_MAX];
	int64_t ms = -1, again = -1;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (time_parse(s, &ms) == 0) {
		time_format(ms, text);
		if (ms < 0 || time_parse(text, &again) != 0 || again != ms) {
			fprintf(stderr, "fuzz_time_parse: \"%s\" -> %lld -> \"%s\" -> %lld\n", s,
				(long long)ms, text, (long long)again);
			abort();
		}
	}
	free(s);
	return 0;
}
