/* witness_state.c - a witness's latest cosigned checkpoint per origin, kept in files written with temp + fsync + rename + fsync. */
#include "tlog/witness_state.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/sha256.h"
#include "tlog/checkpoint.h"

/* Longest path of a record file we build, with its terminator. */
#define STATE_PATH_MAX 4200
/* Largest record accepted when reading: an origin, a size and a root, with room to spare. */
#define STATE_FILE_MAX 1024

/* DIR/<hex SHA-256(origin)><suffix> into `out`. */
static int state_path(const char *dir, const char *origin, const char *suffix, char *out,
		      size_t len, struct err *e)
{
	uint8_t d[SHA256_SIZE];
	char hex[2 * SHA256_SIZE + 1];
	int n;

	sha256(d, origin, strlen(origin));
	sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
	n = snprintf(out, len, "%s/%s%s", dir, hex, suffix);
	if (n < 0 || (size_t)n >= len)
		return err_set(e, RC_INVAL, "invalid_path", NULL, "witness state path is too long");
	return RC_OK;
}

int tlog_witness_state_load(const char *dir, const char *origin, uint64_t *size,
			    uint8_t root[TLOG_HASH_SIZE], struct err *e)
{
	struct tlog_checkpoint c;
	char path[STATE_PATH_MAX], text[STATE_FILE_MAX + 1];
	ssize_t n;
	size_t len = 0;
	int fd, rc;

	rc = state_path(dir, origin, "", path, sizeof(path), e);
	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return err_set(e, RC_NOTFOUND, "no_state", NULL,
				       "no checkpoint cosigned yet for %s", origin);
		return err_set(e, RC_IO, NULL, NULL, "cannot open %s: %s", path, strerror(errno));
	}
	do {
		n = read(fd, text + len, sizeof(text) - len);
		if (n > 0)
			len += (size_t)n;
	} while ((n > 0 || (n < 0 && errno == EINTR)) && len < sizeof(text));
	rc = n < 0 ? errno : 0;
	close(fd);
	if (rc)
		return err_set(e, RC_IO, NULL, NULL, "cannot read %s: %s", path, strerror(rc));
	if (len > STATE_FILE_MAX || tlog_checkpoint_parse(&c, text, len, NULL) != RC_OK ||
	    strcmp(c.origin, origin) != 0 || c.ext[0])
		return err_set(e, RC_INVAL, "corrupt_state", NULL,
			       "%s is not the witness record of %s", path, origin);
	*size = c.size;
	memcpy(root, c.root, TLOG_HASH_SIZE);
	return RC_OK;
}

/* Write all `len` bytes to `fd`. 0 or an errno value. */
static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int tlog_witness_state_save(const char *dir, const char *origin, uint64_t size,
			    const uint8_t root[TLOG_HASH_SIZE], struct err *e)
{
	struct tlog_checkpoint c;
	char path[STATE_PATH_MAX], tmp[STATE_PATH_MAX];
	const char *step = NULL;
	struct buf b;
	int fd = -1, dfd = -1, err = 0, rc;

	memset(&c, 0, sizeof(c));
	buf_init(&b, STATE_FILE_MAX);
	if ((size_t)snprintf(c.origin, sizeof(c.origin), "%s", origin) >= sizeof(c.origin))
		return err_set(e, RC_INVAL, "invalid_origin", NULL, "origin is too long");
	c.size = size;
	memcpy(c.root, root, TLOG_HASH_SIZE);
	rc = tlog_checkpoint_format(&c, &b);
	if (rc) {
		buf_release(&b);
		return err_set(e, rc == RC_NOMEM ? RC_NOMEM : RC_INVAL, "invalid_origin", NULL,
			       "cannot record a checkpoint for origin %s", origin);
	}
	rc = state_path(dir, origin, "", path, sizeof(path), e);
	if (!rc)
		rc = state_path(dir, origin, ".tmp", tmp, sizeof(tmp), e);
	if (rc)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		step = "create";
		err = errno;
		goto fail;
	}
	err = write_all(fd, b.data, b.len);
	if (err) {
		step = "write";
		goto fail;
	}
	if (fsync(fd) != 0) {
		step = "fsync";
		err = errno;
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		step = "close";
		err = errno;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		step = "rename";
		err = errno;
		goto fail;
	}
	/* The rename is durable once the directory is: until then a crash may bring the old record back. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		err = errno;
		if (dfd >= 0)
			close(dfd);
		rc = err_set(e, RC_IO, NULL, NULL, "cannot fsync directory %s: %s", dir,
			     strerror(err));
		goto out;
	}
	close(dfd);
	rc = RC_OK;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	rc = err_set(e, RC_IO, NULL, NULL, "cannot %s %s: %s", step, tmp, strerror(err));
out:
	buf_release(&b);
	return rc;
}
