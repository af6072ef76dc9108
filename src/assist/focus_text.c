/* focus_text.c - text for the focus classifier: normalisation and character n-grams over code points. */
#include "assist/focus_int.h"

#include <glib.h>
#include <string.h>

/* Full-width ASCII forms and the ideographic space as their ASCII selves. */
static gunichar fold_width(gunichar c)
{
	if (c >= 0xFF01 && c <= 0xFF5E)
		return c - 0xFEE0;
	if (c == 0x3000)
		return ' ';
	return c;
}

char *focus_normalize(const char *text, size_t len, size_t *outlen)
{
	const char *p = text, *end = text + len;
	int space = 0, digits = 0;
	char *out, *o;
	gunichar c;

	if (!g_utf8_validate(text, (gssize)len, NULL))
		return NULL;
	/* a lowercase letter may take one byte more than its capital (U+023A) */
	out = g_try_malloc(len * 2 + 1);
	if (!out)
		return NULL;
	o = out;
	while (p < end) {
		c = fold_width(g_utf8_get_char(p));
		p = g_utf8_next_char(p);
		if (g_unichar_isspace(c) || g_unichar_iscntrl(c)) {
			space = o > out;
			digits = 0;
			continue;
		}
		if (c >= '0' && c <= '9') {
			if (digits)
				continue;
			digits = 1;
			c = '0';
		} else {
			digits = 0;
		}
		if (space)
			*o++ = ' ';
		space = 0;
		o += g_unichar_to_utf8(g_unichar_tolower(c), o);
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
}

/* Whether `c` of a normalised text ends an n-gram. */
static int is_break(gunichar c, int split)
{
	return c == ' ' || (split == FOCUS_SPLIT_PUNCT && g_unichar_ispunct(c));
}

int focus_ngrams(const char *s, size_t len, int nmin, int nmax, int split,
		 void (*fn)(const char *gram, size_t glen, void *arg), void *arg)
{
	const char *p = s, *end = s + len;
	size_t *off, nch, i;
	int n;

	off = g_try_new(size_t, len + 1);
	if (!off)
		return -1;
	while (p < end) {
		while (p < end && is_break(g_utf8_get_char(p), split))
			p = g_utf8_next_char(p);
		nch = 0;
		while (p < end && !is_break(g_utf8_get_char(p), split)) {
			off[nch++] = (size_t)(p - s);
			p = g_utf8_next_char(p);
		}
		off[nch] = (size_t)(p - s);
		for (i = 0; i < nch; i++)
			for (n = nmin; n <= nmax && i + (size_t)n <= nch; n++)
				fn(s + off[i], off[i + (size_t)n] - off[i], arg);
	}
	g_free(off);
	return 0;
}
