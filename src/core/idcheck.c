/* idcheck.c - check characters of USCC (GB 32100-2015) and resident ID numbers (GB 11643-1999). */
#include "core/idcheck.h"

#include <string.h>

static const char uscc_charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int uscc_weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20,
				     29, 25, 13, 8, 24, 10, 30, 28};
static const int rid_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6,
				    3, 7, 9, 10, 5, 8, 4, 2};
static const char rid_check[] = "10X98765432";

static int uscc_value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(uscc_charset, c);
	return p ? (int)(p - uscc_charset) : -1;
}

char idcheck_uscc_check_char(const char *first17)
{
	int sum = 0, i, v, c;

	for (i = 0; i < 17; i++) {
		v = uscc_value(first17[i]);
		if (v < 0)
			return 0;
		sum += v * uscc_weights[i];
	}
	c = 31 - sum % 31;
	if (c == 31)
		c = 0;
	return uscc_charset[c];
}

int idcheck_uscc(const char *s)
{
	char c;

	if (strlen(s) != 18)
		return 0;
	c = idcheck_uscc_check_char(s);
	return c != 0 && c == s[17];
}

char idcheck_resident_check_char(const char *first17)
{
	int sum = 0, i;

	for (i = 0; i < 17; i++) {
		if (first17[i] < '0' || first17[i] > '9')
			return 0;
		sum += (first17[i] - '0') * rid_weights[i];
	}
	return rid_check[sum % 11];
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int idcheck_resident_id(const char *s)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, i, dim;
	char c, last;

	if (strlen(s) != 18)
		return 0;
	for (i = 0; i < 17; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	y = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
	m = (s[10] - '0') * 10 + (s[11] - '0');
	d = (s[12] - '0') * 10 + (s[13] - '0');
	if (y < 1900 || y > 2099 || m < 1 || m > 12)
		return 0;
	dim = mdays[m - 1] + (m == 2 && leap(y));
	if (d < 1 || d > dim)
		return 0;
	c = idcheck_resident_check_char(s);
	last = s[17] == 'x' ? 'X' : s[17];
	return c != 0 && c == last;
}
