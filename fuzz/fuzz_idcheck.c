/* fuzz_idcheck.c - libFuzzer target: USCC and resident ID checks never crash and agree with their check characters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *s)
{
	fprintf(stderr, "fuzz_idcheck: %s: \"%s\"\n", what, s);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char c;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	/* The check-character functions stop at a short string's terminator. */
	c = idcheck_uscc_check_char(s);
	if (idcheck_uscc(s) && (strlen(s) != 18 || c == 0 || c != s[17]))
		fail("accepted uscc disagrees with its check character", s);
	c = idcheck_resident_check_char(s);
	if (idcheck_resident_id(s) &&
	    (strlen(s) != 18 || c == 0 || c != (s[17] == 'x' ? 'X' : s[17])))
		fail("accepted resident id disagrees with its check character", s);
	free(s);
	return 0;
}
