/* spool.c - unlinked temporary files under DATA/tmp: O_TMPFILE, or mkstemp and unlink. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/spool.h"

/* A file with no name in `dir`: O_TMPFILE, else mkstemp and unlink. The fd, or -1 with errno. */
static int unnamed_file(const char *dir)
{
	char path[PATH_MAX];
	int fd, saved;

#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	/* EISDIR / EOPNOTSUPP: the kernel or the file system does not have it */
	if (errno != EISDIR && errno != EOPNOTSUPP && errno != EINVAL)
		return -1;
#endif
	if (snprintf(path, sizeof path, "%s/spool-XXXXXX", dir) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (unlink(path) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int spool_open(const char *data_dir, struct spool **out, struct err *e)
{
	char dir[PATH_MAX];
	struct spool *s;

	*out = NULL;
	if (snprintf(dir, sizeof dir, "%s/" SPOOL_DIR, data_dir) >= (int)sizeof dir)
		return err_set(e, RC_IO, NULL, NULL, "data directory path too long");
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return err_set(e, RC_IO, NULL, NULL, "mkdir %s: %s", dir, strerror(errno));
	s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	s->fd = unnamed_file(dir);
	if (s->fd < 0) {
		int saved = errno;

		free(s);
		return err_set(e, RC_IO, NULL, NULL, "cannot make a temporary file in %s: %s", dir,
			       strerror(saved));
	}
	*out = s;
	return RC_OK;
}

int spool_write(struct spool *s, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(s->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return RC_IO;
		p += n;
		len -= (size_t)n;
		s->size += (uint64_t)n;
	}
	return RC_OK;
}

ssize_t spool_read(struct spool *s, uint64_t pos, void *buf, size_t max)
{
	ssize_t n;

	if (pos >= s->size)
		return 0;
	if (max > s->size - pos)
		max = (size_t)(s->size - pos);
	do
		n = pread(s->fd, buf, max, (off_t)pos);
	while (n < 0 && errno == EINTR);
	return n;
}

void spool_free(struct spool *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s);
}
