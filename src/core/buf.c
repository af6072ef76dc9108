/* buf.c - growable byte buffer with a hard size cap. */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char buf_empty[1];

void buf_init(struct buf *b, size_t cap)
{
	b->data = buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->data);
	buf_init(b, b->cap);
}

void buf_clear(struct buf *b)
{
	b->len = 0;
	if (b->alloc) /* never write the shared empty string: threads clear buffers at once */
		b->data[0] = '\0';
}

/* Whether `extra` more bytes stay within the cap. */
static int buf_fits(const struct buf *b, size_t extra)
{
	return extra <= b->cap && b->len <= b->cap - extra;
}

static int buf_grow(struct buf *b, size_t extra)
{
	size_t need, n;
	char *p;

	if (!buf_fits(b, extra))
		return RC_TOOBIG;
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return RC_OK;
	n = b->alloc ? b->alloc : 64;
	while (n < need)
		n = n * 2;
	p = b->alloc ? realloc(b->data, n) : malloc(n);
	if (!p) {
		buf_release(b);
		return RC_NOMEM;
	}
	if (!b->alloc)
		p[0] = '\0';
	b->data = p;
	b->alloc = n;
	return RC_OK;
}

int buf_append(struct buf *b, const void *data, size_t len)
{
	int rc = buf_grow(b, len);

	if (rc)
		return rc;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return RC_OK;
}

int buf_appends(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	size_t room = b->alloc ? b->alloc - b->len : 0;
	va_list ap;
	int n, rc;

	/* into the room there is first: most lines fit, and are formatted once */
	va_start(ap, fmt);
	n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (room)
			b->data[b->len] = '\0';
		return RC_INVAL;
	}
	if ((size_t)n < room) {
		if (!buf_fits(b, (size_t)n)) {
			b->data[b->len] = '\0';
			return RC_TOOBIG;
		}
		b->len += (size_t)n;
		return RC_OK;
	}
	if (room)
		b->data[b->len] = '\0';
	rc = buf_grow(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return RC_OK;
}

int buf_feed(struct buf *b, const void *data, size_t len, int *overflow)
{
	int rc;

	if (*overflow)
		return RC_OK;
	rc = buf_append(b, data, len);
	if (rc == RC_TOOBIG) {
		*overflow = 1;
		buf_release(b);
		return RC_OK;
	}
	return rc;
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (!b->alloc) {
		p = malloc(1);
		if (p)
			p[0] = '\0';
	} else {
		p = b->data;
	}
	if (len)
		*len = p ? b->len : 0;
	buf_init(b, b->cap);
	return p;
}
