/* spool.h - an unlinked temporary file under the data directory, for output too large to hold in memory (a reply written whole before it is sent). */
#ifndef DISPUTED_SPOOL_H
#define DISPUTED_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"

/* The directory under the data directory where spool files are made. */
#define SPOOL_DIR "tmp"

struct spool {
	int fd;        /* the file, for reading and writing; never -1 while the spool exists */
	uint64_t size; /* bytes written so far */
};

/*
 * Make a spool file in DATA/tmp (the directory made, mode 0700, if
 * missing). The file has no name: it is gone when spool_free closes it,
 * or when the process dies. It is made with O_TMPFILE; on a file system
 * without it, with mkstemp and unlinked at once (only a crash between the
 * two could leave a name, "spool-XXXXXX"). *out is the caller's, to
 * spool_free. RC_OK, RC_NOMEM, or RC_IO (e says what failed).
 */
int spool_open(const char *data_dir, struct spool **out, struct err *e) WARN_UNUSED;

/* Append `len` bytes. RC_OK, or RC_IO (e.g. the disk is full). */
int spool_write(struct spool *s, const void *data, size_t len) WARN_UNUSED;

/* Read up to `max` bytes at offset `pos`: the count read, 0 at the end, -1 (errno) on failure. */
ssize_t spool_read(struct spool *s, uint64_t pos, void *buf, size_t max) WARN_UNUSED;

/* Close the file, which frees its space, and free `s`. spool_free(NULL) is a no-op. */
void spool_free(struct spool *s);

#endif
