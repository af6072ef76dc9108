/* res_log.c - GET /checkpoint and GET /tile/...: the evidence log's tlog-tiles read API, from its hash cache or its files. */
#include "http/http_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlog/checkpoint.h"
#include "tlog/tiles.h"

/* Largest file served: a full entry bundle of 256 entries of 65535 bytes. */
#define LOG_FILE_MAX ((size_t)TLOG_TILE_WIDTH * (TLOG_ENTRY_MAX + 2))
/* Largest checkpoint note served (with cosignatures). */
#define LOG_NOTE_MAX 65536

/* Read DATA/<rel> whole (at most `cap` bytes) into a malloc'd `*out`. RC_NOTFOUND if absent. */
static int read_data_file(const char *data_dir, const char *rel, size_t cap, char **out,
			  size_t *len, struct err *e)
{
	char path[4200];
	struct stat sb;
	size_t got = 0;
	ssize_t n;
	char *p;
	int fd;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", data_dir, rel) >= sizeof(path))
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such file");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR
			       ? err_set(e, RC_NOTFOUND, "not_found", NULL, "no such file")
			       : err_set(e, RC_IO, NULL, NULL, "cannot open %s: %s", rel,
					 strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > cap) {
		close(fd);
		return err_set(e, RC_IO, NULL, NULL, "%s is not a file of at most %zu bytes", rel,
			       cap);
	}
	p = malloc((size_t)sb.st_size + 1);
	if (!p) {
		close(fd);
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	while (got < (size_t)sb.st_size) {
		n = read(fd, p + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)sb.st_size) {
		free(p);
		return err_set(e, RC_IO, NULL, NULL, "cannot read %s", rel);
	}
	*out = p;
	*len = got;
	return RC_OK;
}

/*
 * The latest checkpoint's tree size: from the log the server writes or,
 * without one, from DATA/checkpoint's text (the server's own file).
 */
static int latest_size(struct http_req *r, uint64_t *size, struct err *e)
{
	struct tlog_checkpoint c;
	const char *blank;
	char *note;
	size_t len;
	int rc;

	if (r->srv->log)
		return tlog_log_checkpoint(r->srv->log, size, NULL, NULL, e);
	rc = read_data_file(r->srv->data_dir, "checkpoint", LOG_NOTE_MAX, &note, &len, e);
	if (rc)
		return rc;
	blank = strstr(note, "\n\n");
	rc = blank ? tlog_checkpoint_parse(&c, note, (size_t)(blank - note) + 1, e) : RC_INVAL;
	free(note);
	if (rc)
		return err_set(e, RC_IO, NULL, NULL, "the stored checkpoint does not parse");
	*size = c.size;
	return RC_OK;
}

/*
 * The latest checkpoint from the log's memory: the same bytes as its file
 * (which is replaced first), and never ahead of the tree the tiles and
 * proofs are served for.
 */
static int checkpoint_from_log(struct http_req *r, struct err *e)
{
	struct buf note;
	int rc;

	buf_init(&note, LOG_NOTE_MAX);
	rc = tlog_log_checkpoint(r->srv->log, NULL, NULL, &note, e);
	if (!rc && note.len == 0)
		rc = err_set(e, RC_NOTFOUND, "not_found", NULL, "the log has no checkpoint yet");
	if (!rc && http_reply_bytes(r, 200, "text/plain; charset=utf-8", note.data, note.len))
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	if (!rc)
		r->cache_control = "no-cache";
	buf_release(&note);
	return rc;
}

int res_log_checkpoint(struct http_req *r, struct err *e)
{
	char *note;
	size_t len;
	int rc;

	if (r->srv->log)
		return checkpoint_from_log(r, e);
	rc = read_data_file(r->srv->data_dir, "checkpoint", LOG_NOTE_MAX, &note, &len, e);
	if (rc == RC_NOTFOUND)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "the log has no checkpoint yet");
	if (rc)
		return rc;
	rc = http_reply_bytes(r, 200, "text/plain; charset=utf-8", note, len);
	free(note);
	if (rc)
		return err_set(e, rc, NULL, NULL, "out of memory");
	r->cache_control = "no-cache";
	return RC_OK;
}

/*
 * Open DATA/<rel>, a regular file of at most `cap` bytes: its descriptor
 * and size. RC_NOTFOUND if absent.
 */
static int open_data_file(const char *data_dir, const char *rel, size_t cap, int *fd,
			  uint64_t *size, struct err *e)
{
	char path[4200];
	struct stat sb;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", data_dir, rel) >= sizeof(path))
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such file");
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return errno == ENOENT || errno == ENOTDIR
			       ? err_set(e, RC_NOTFOUND, "not_found", NULL, "no such file")
			       : err_set(e, RC_IO, NULL, NULL, "cannot open %s: %s", rel,
					 strerror(errno));
	if (fstat(*fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > cap) {
		close(*fd);
		*fd = -1;
		return err_set(e, RC_IO, NULL, NULL, "%s is not a file of at most %zu bytes", rel,
			       cap);
	}
	*size = (uint64_t)sb.st_size;
	return RC_OK;
}

/* A hash tile from the log's hash cache: RC_OK with the reply set, RC_NOTFOUND if not there. */
static int tile_from_cache(struct http_req *r, const struct tlog_tile *t, struct err *e)
{
	struct buf b;
	int rc;

	if (!r->srv->log || t->level == TLOG_TILE_ENTRIES)
		return RC_NOTFOUND;
	buf_init(&b, (size_t)TLOG_TILE_WIDTH * TLOG_HASH_SIZE);
	rc = tlog_log_tile_cached(r->srv->log, t, &b, NULL);
	if (!rc && http_reply_bytes(r, 200, "application/octet-stream", b.data, b.len))
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	buf_release(&b);
	return rc;
}

/*
 * Hash tiles come from the log's hash cache when it holds them, else (and
 * entry bundles always) from their files, sent with sendfile.
 */
int res_log_tile(struct http_req *r, struct err *e)
{
	char path[TLOG_TILE_PATH_MAX + 8];
	struct tlog_tile t;
	uint64_t size, len;
	int rc, fd;

	/* Only the spec's own spelling of a tile that the latest checkpoint covers. */
	if ((size_t)snprintf(path, sizeof(path), "tile/%s", r->params[0]) >= sizeof(path) ||
	    tlog_tile_parse_path(&t, path, NULL) != RC_OK)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such tile");
	rc = latest_size(r, &size, e);
	if (rc == RC_NOTFOUND || (!rc && tlog_tile_width(t.level, t.index, size) < t.width))
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such tile");
	if (rc)
		return rc;
	rc = tile_from_cache(r, &t, e);
	if (rc == RC_NOTFOUND) {
		rc = open_data_file(r->srv->data_dir, path, LOG_FILE_MAX, &fd, &len, e);
		if (rc == RC_NOTFOUND) /* a partial deleted once its full tile was written */
			return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such tile");
		if (!rc)
			rc = http_reply_fd(r, 200, "application/octet-stream", fd, len);
	}
	if (!rc)
		r->cache_control = t.width == TLOG_TILE_WIDTH ? "public, max-age=31536000, immutable"
							       : "no-cache";
	return rc;
}

int res_log_storeless(http_handler h)
{
	return h == res_log_tile || h == res_log_checkpoint || h == res_log_proof;
}
