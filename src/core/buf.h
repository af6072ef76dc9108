/* buf.h - a growable byte buffer with a hard size cap. */
#ifndef DISPUTED_BUF_H
#define DISPUTED_BUF_H

#include <stddef.h>

#include "core/err.h"

/*
 * `data` is never NULL after buf_init: it points at a NUL-terminated string
 * (possibly the empty one), so text can be read straight out of it. `len`
 * excludes the terminator. Appending past `cap` bytes fails with RC_TOOBIG
 * and leaves the buffer as it was; on RC_NOMEM the buffer is released.
 */
struct buf {
	char *data;   /* contents, NUL-terminated, never NULL */
	size_t len;   /* bytes used, without the terminator */
	size_t alloc; /* bytes allocated, 0 while data is the static empty string */
	size_t cap;   /* most bytes the buffer may hold */
};

void buf_init(struct buf *b, size_t cap);
/* Free the contents and leave `b` initialised and empty. */
void buf_release(struct buf *b);
/* Empty the buffer but keep its memory. */
void buf_clear(struct buf *b);
int buf_append(struct buf *b, const void *data, size_t len) WARN_UNUSED;
int buf_appends(struct buf *b, const char *s) WARN_UNUSED;
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3))) WARN_UNUSED;
/*
 * Append a piece of a stream that may pass the cap: once it does, the
 * contents are released, *overflow is set and later pieces are dropped
 * (the caller reads the rest of the stream and answers "too big").
 * Returns RC_OK, or RC_NOMEM (the buffer is then released).
 */
int buf_feed(struct buf *b, const void *data, size_t len, int *overflow) WARN_UNUSED;

/*
 * Hand the contents over to the caller, who frees them with free(); the
 * buffer is left empty. Returns NULL on allocation failure.
 */
char *buf_detach(struct buf *b, size_t *len);

#endif
