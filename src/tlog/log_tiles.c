/* log_tiles.c - the log's files: durable writes (in place, or replacing atomically), tile and bundle reads. */
#include "tlog/log_int.h"
#include "tlog/tlog_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

uint64_t log_size(struct tlog_log *l)
{
	uint64_t size;

	pthread_mutex_lock(&l->st_mu);
	size = l->size;
	pthread_mutex_unlock(&l->st_mu);
	return size;
}

/* ---- writing ---- */

/* The directory part of `path` ("." for none) into `out`. */
static void path_parent(const char *path, char *out, size_t cap)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n == 0 || n >= cap) {
		snprintf(out, cap, ".");
		return;
	}
	memcpy(out, path, n);
	out[n] = '\0';
}

static int dirs_add(struct tlog_log *l, struct log_dirs *dirs, const char *dir, struct err *e)
{
	size_t i;
	int rc;

	for (i = 0; i < dirs->n; i++)
		if (strcmp(dirs->path[i], dir) == 0)
			return RC_OK;
	if (dirs->n == LOG_DIRS_MAX) {
		rc = log_dirs_sync(l, dirs, e);
		if (rc)
			return rc;
	}
	if ((size_t)snprintf(dirs->path[dirs->n], sizeof(dirs->path[0]), "%s", dir) >=
	    sizeof(dirs->path[0]))
		return err_set(e, RC_INTERNAL, NULL, NULL, "directory path %s is too long", dir);
	dirs->n++;
	return RC_OK;
}

int log_dirs_sync(struct tlog_log *l, struct log_dirs *dirs, struct err *e)
{
	size_t i;
	int fd, rc = RC_OK;

	for (i = 0; i < dirs->n && !rc; i++) {
		if (strcmp(dirs->path[i], ".") == 0) {
			if (fsync(l->dirfd) != 0)
				rc = err_set(e, RC_IO, "log_write_failed", NULL,
					     "cannot fsync the data directory: %s", strerror(errno));
			continue;
		}
		fd = openat(l->dirfd, dirs->path[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || fsync(fd) != 0)
			rc = err_set(e, RC_IO, "log_write_failed", NULL, "cannot fsync %s: %s",
				     dirs->path[i], strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	dirs->n = 0;
	return rc;
}

/* mkdir -p `dir`; each directory made adds its parent to `dirs`. */
static int make_dirs(struct tlog_log *l, const char *dir, struct log_dirs *dirs, struct err *e)
{
	char parent[TLOG_TILE_PATH_MAX];
	int rc;

	if (mkdirat(l->dirfd, dir, 0755) == 0 || errno == EEXIST)
		goto made;
	if (errno != ENOENT || strchr(dir, '/') == NULL)
		return err_set(e, RC_IO, "log_write_failed", NULL, "cannot create %s: %s", dir,
			       strerror(errno));
	path_parent(dir, parent, sizeof(parent));
	rc = make_dirs(l, parent, dirs, e);
	if (rc)
		return rc;
	if (mkdirat(l->dirfd, dir, 0755) != 0 && errno != EEXIST)
		return err_set(e, RC_IO, "log_write_failed", NULL, "cannot create %s: %s", dir,
			       strerror(errno));
made:
	path_parent(dir, parent, sizeof(parent));
	return dirs_add(l, dirs, parent, e);
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Create (or truncate) `path`, making the directories of `final` as
 * needed, and write `data` to it; its open descriptor into `*fd`.
 */
static int file_open_write(struct tlog_log *l, const char *path, const char *final,
			   const void *data, size_t len, int *fd, struct log_dirs *dirs,
			   struct err *e)
{
	char dir[TLOG_TILE_PATH_MAX];
	int rc;

	path_parent(final, dir, sizeof(dir));
	*fd = openat(l->dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (*fd < 0 && errno == ENOENT) {
		rc = make_dirs(l, dir, dirs, e);
		if (rc)
			return rc;
		*fd = openat(l->dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	}
	if (*fd < 0)
		return err_set(e, RC_IO, "log_write_failed", NULL, "cannot create %s: %s", path,
			       strerror(errno));
	if (write_all(*fd, data, len) != 0) {
		rc = err_set(e, RC_IO, "log_write_failed", NULL, "cannot write %s: %s", path,
			     strerror(errno));
		close(*fd);
		*fd = -1;
		return rc;
	}
	return dirs_add(l, dirs, dir, e);
}

int log_file_open_rw(struct tlog_log *l, const char *path, int *fd, struct log_dirs *dirs,
		     struct err *e)
{
	char dir[TLOG_TILE_PATH_MAX];
	int rc;

	path_parent(path, dir, sizeof(dir));
	*fd = openat(l->dirfd, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (*fd < 0 && errno == ENOENT) {
		rc = make_dirs(l, dir, dirs, e);
		if (rc)
			return rc;
		*fd = openat(l->dirfd, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	}
	if (*fd < 0)
		return err_set(e, RC_IO, "log_write_failed", NULL, "cannot create %s: %s", path,
			       strerror(errno));
	rc = dirs_add(l, dirs, dir, e);
	if (rc) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

/* Create (or truncate) `path` and write `data` to it, fsynced; its directory joins `dirs`. */
static int file_put(struct tlog_log *l, const char *path, const char *final, const void *data,
		    size_t len, struct log_dirs *dirs, struct err *e)
{
	int fd = -1, rc;

	rc = file_open_write(l, path, final, data, len, &fd, dirs, e);
	if (rc) {
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (fsync(fd) != 0) {
		rc = err_set(e, RC_IO, "log_write_failed", NULL, "cannot fsync %s: %s", path,
			     strerror(errno));
		close(fd);
		return rc;
	}
	if (close(fd) != 0)
		return err_set(e, RC_IO, "log_write_failed", NULL, "cannot write %s: %s", path,
			       strerror(errno));
	return RC_OK;
}

int log_file_start(struct tlog_log *l, const char *path, const void *data, size_t len,
		   struct log_files *files, struct log_dirs *dirs, struct err *e)
{
	int fd = -1, rc;

	if (files->n == LOG_OPEN_MAX) {
		rc = log_files_sync(files, e);
		if (rc)
			return rc;
	}
	rc = file_open_write(l, path, path, data, len, &fd, dirs, e);
	if (rc) {
		if (fd >= 0)
			close(fd);
		return rc;
	}
	files->fd[files->n] = fd;
	snprintf(files->path[files->n], sizeof(files->path[0]), "%s", path);
	files->n++;
	return RC_OK;
}

int log_files_sync(struct log_files *files, struct err *e)
{
	size_t i;
	int rc = RC_OK;

	for (i = 0; i < files->n; i++) {
		if (!rc && fsync(files->fd[i]) != 0)
			rc = err_set(e, RC_IO, "log_write_failed", NULL, "cannot fsync %s: %s",
				     files->path[i], strerror(errno));
		if (close(files->fd[i]) != 0 && !rc)
			rc = err_set(e, RC_IO, "log_write_failed", NULL, "cannot write %s: %s",
				     files->path[i], strerror(errno));
	}
	files->n = 0;
	return rc;
}

int log_file_stage(struct tlog_log *l, const char *path, const void *data, size_t len,
		   struct err *e)
{
	char tmp[TLOG_TILE_PATH_MAX + 8];
	struct log_dirs dirs; /* the .tmp's own directory entry needs no fsync */
	int rc;

	dirs.n = 0;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return err_set(e, RC_INTERNAL, NULL, NULL, "path %s is too long", path);
	rc = file_put(l, tmp, path, data, len, &dirs, e);
	if (rc)
		unlinkat(l->dirfd, tmp, 0);
	return rc;
}

int log_file_commit(struct tlog_log *l, const char *path, int *renamed, struct err *e)
{
	char tmp[TLOG_TILE_PATH_MAX + 8], dir[TLOG_TILE_PATH_MAX];
	struct log_dirs dirs;

	*renamed = 0;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return err_set(e, RC_INTERNAL, NULL, NULL, "path %s is too long", path);
	if (renameat(l->dirfd, tmp, l->dirfd, path) != 0) {
		int rc = err_set(e, RC_IO, "log_write_failed", NULL, "cannot rename %s: %s", tmp,
				 strerror(errno));

		unlinkat(l->dirfd, tmp, 0);
		return rc;
	}
	*renamed = 1;
	path_parent(path, dir, sizeof(dir));
	dirs.n = 1;
	snprintf(dirs.path[0], sizeof(dirs.path[0]), "%s", dir);
	return log_dirs_sync(l, &dirs, e);
}

int log_file_replace(struct tlog_log *l, const char *path, const void *data, size_t len,
		     struct err *e)
{
	int renamed, rc = log_file_stage(l, path, data, len, e);

	return rc ? rc : log_file_commit(l, path, &renamed, e);
}

void log_partials_delete(struct tlog_log *l, const struct tlog_tile *t)
{
	struct tlog_tile p = *t;
	char path[TLOG_TILE_PATH_MAX], dir[TLOG_TILE_PATH_MAX];
	struct dirent *de;
	DIR *d;
	int fd;

	p.width = 1;
	if (tlog_tile_path(&p, path) != RC_OK)
		return;
	path_parent(path, dir, sizeof(dir)); /* ".../N.p" */
	fd = openat(l->dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		unlinkat(fd, de->d_name, 0);
	}
	closedir(d);
	unlinkat(l->dirfd, dir, AT_REMOVEDIR);
}

int log_partials_list(struct tlog_log *l, const struct tlog_tile *t,
		      uint8_t have[TLOG_TILE_WIDTH], struct err *e)
{
	struct tlog_tile p = *t;
	char path[TLOG_TILE_PATH_MAX], dir[TLOG_TILE_PATH_MAX];
	struct dirent *de;
	uint64_t w;
	DIR *d;
	int fd;

	memset(have, 0, TLOG_TILE_WIDTH);
	p.width = 1;
	if (tlog_tile_path(&p, path) != RC_OK)
		return err_set(e, RC_INVAL, NULL, NULL, "not a tile");
	path_parent(path, dir, sizeof(dir)); /* ".../N.p" */
	fd = openat(l->dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return RC_OK;
	if (fd < 0)
		return err_set(e, RC_IO, "log_read_failed", NULL, "cannot open %s: %s", dir,
			       strerror(errno));
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return err_set(e, RC_IO, "log_read_failed", NULL, "cannot read %s: %s", dir,
			       strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		/* only the canonical spelling: no sign, no leading zero */
		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    tlog_parse_u64(de->d_name, strlen(de->d_name), TLOG_TILE_WIDTH - 1, &w) != RC_OK)
			continue;
		have[w] = 1;
	}
	closedir(d);
	return RC_OK;
}

/* ---- reading ---- */

int log_file_read(struct tlog_log *l, const char *path, struct buf *out, size_t cap,
		  struct err *e)
{
	int fd, rc;

	fd = openat(l->dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno == ENOENT ? RC_NOTFOUND : RC_IO, "log_read_failed", NULL,
			       "cannot open %s: %s", path, strerror(errno));
	rc = log_fd_read(fd, path, out, cap, e);
	close(fd);
	return rc;
}

int log_fd_read(int fd, const char *path, struct buf *out, size_t cap, struct err *e)
{
	char chunk[8192];
	ssize_t n;
	int rc = RC_OK;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set(e, RC_IO, "log_read_failed", NULL, "cannot read %s: %s", path,
				     strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > cap) {
			rc = err_set(e, RC_IO, "log_corrupt", NULL, "%s is larger than %zu bytes",
				     path, cap);
			break;
		}
		rc = buf_append(out, chunk, (size_t)n);
		if (rc) {
			err_set(e, rc, NULL, NULL, "cannot hold %s", path);
			break;
		}
	}
	return rc;
}

/* Open the tile file of (level, index, width): 0, or the errno of the failure. */
static int tile_try(struct tlog_log *l, int level, uint64_t index, unsigned width, int *fd,
		    struct tlog_tile *t, char path[TLOG_TILE_PATH_MAX])
{
	t->level = level;
	t->index = index;
	t->width = width;
	if (tlog_tile_path(t, path) != RC_OK)
		return EINVAL;
	*fd = openat(l->dirfd, path, O_RDONLY | O_CLOEXEC);
	return *fd >= 0 ? 0 : errno;
}

/*
 * Open tile (level, index) as of tree size `size`: the file of that width,
 * or the full tile if the partial was deleted since; if neither exists
 * and the log has grown meanwhile, look again at the new size.
 */
static int tile_open(struct tlog_log *l, int level, uint64_t index, uint64_t size, int *fd,
		     struct tlog_tile *t, char path[TLOG_TILE_PATH_MAX], struct err *e)
{
	unsigned width;
	uint64_t now;
	int tries, err;

	for (tries = 0; tries < 4; tries++) {
		width = tlog_tile_width(level, index, size);
		if (width == 0)
			return err_set(e, RC_NOTFOUND, "not_found", NULL,
				       "a tree of size %llu has no tile %d/%llu",
				       (unsigned long long)size, level, (unsigned long long)index);
		err = tile_try(l, level, index, width, fd, t, path);
		if (err == ENOENT && width < TLOG_TILE_WIDTH) {
			err = tile_try(l, level, index, TLOG_TILE_WIDTH, fd, t, path);
			if (err == ENOENT)
				(void)tile_try(l, level, index, width, fd, t, path);
		}
		if (err == 0)
			return RC_OK;
		if (err != ENOENT)
			return err_set(e, RC_IO, "log_read_failed", NULL, "cannot open %s: %s",
				       path, strerror(err));
		now = log_size(l);
		if (now <= size)
			break;
		size = now;
	}
	return err_set(e, RC_NOTFOUND, "log_corrupt", NULL, "%s is missing", path);
}

static int read_fd(int fd, uint8_t *out, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(fd, out + got, len - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int log_tile_read(struct tlog_log *l, int level, uint64_t index, uint64_t size, uint8_t *out,
		  size_t cap, unsigned *width, size_t *len, struct err *e)
{
	char path[TLOG_TILE_PATH_MAX];
	struct tlog_tile t;
	struct stat sb;
	size_t want;
	int fd, rc;

	rc = tile_open(l, level, index, size, &fd, &t, path, e);
	if (rc)
		return rc;
	if (fstat(fd, &sb) != 0) {
		rc = err_set(e, RC_IO, "log_read_failed", NULL, "cannot stat %s: %s", path,
			     strerror(errno));
		goto out;
	}
	want = (size_t)t.width * TLOG_HASH_SIZE;
	if ((uint64_t)sb.st_size != want || want > cap) {
		rc = err_set(e, RC_IO, "log_corrupt", NULL, "%s has %lld bytes, not %zu", path,
			     (long long)sb.st_size, want);
		goto out;
	}
	if (read_fd(fd, out, want) != 0) {
		rc = err_set(e, RC_IO, "log_read_failed", NULL, "cannot read %s", path);
		goto out;
	}
	*width = t.width;
	*len = want;
out:
	close(fd);
	return rc;
}

int log_bundle_read(struct tlog_log *l, uint64_t index, uint64_t size, struct buf *out,
		    unsigned *width, struct err *e)
{
	char path[TLOG_TILE_PATH_MAX];
	struct tlog_tile t;
	struct stat sb;
	void *p;
	int fd, rc;

	rc = tile_open(l, TLOG_TILE_ENTRIES, index, size, &fd, &t, path, e);
	if (rc)
		return rc;
	if (fstat(fd, &sb) != 0 || sb.st_size < 0 || (uint64_t)sb.st_size > LOG_BUNDLE_MAX) {
		rc = err_set(e, RC_IO, "log_corrupt", NULL, "cannot stat %s, or it is too large",
			     path);
		goto out;
	}
	p = malloc(sb.st_size ? (size_t)sb.st_size : 1);
	if (!p) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	if (read_fd(fd, p, (size_t)sb.st_size) != 0)
		rc = err_set(e, RC_IO, "log_read_failed", NULL, "cannot read %s", path);
	else if (buf_append(out, p, (size_t)sb.st_size) != RC_OK)
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	free(p);
	*width = t.width;
out:
	close(fd);
	return rc;
}

int log_pread_all(int fd, uint8_t *out, size_t len, off_t off)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(fd, out + got, len - got, off + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int log_tile_pread(struct tlog_log *l, int level, uint64_t index, uint64_t size,
		   unsigned first, unsigned n, uint8_t *out, struct err *e)
{
	char path[TLOG_TILE_PATH_MAX];
	unsigned width = tlog_tile_width(level, index, size);
	struct tlog_tile t;
	int fd, rc = RC_OK;

	if (n == 0 || first + n > width)
		return err_set(e, RC_NOTFOUND, "not_found", NULL,
			       "a tree of size %llu has no hashes %u..%u of tile %d/%llu",
			       (unsigned long long)size, first, first + n, level,
			       (unsigned long long)index);
	if (level == 0 && width == TLOG_TILE_WIDTH && log_pack_pread(l, index, first, n, out))
		return RC_OK;
	rc = tile_open(l, level, index, size, &fd, &t, path, e);
	if (rc)
		return rc;
	if (log_pread_all(fd, out, (size_t)n * TLOG_HASH_SIZE, (off_t)first * TLOG_HASH_SIZE) != 0)
		rc = err_set(e, RC_IO, "log_corrupt", NULL, "cannot read hashes %u..%u of %s",
			     first, first + n, path);
	close(fd);
	return rc;
}
