/* log_pack.c - packed hash files: the full level-0 tiles under one level-2 hash in one file, so that a proof reads its leaf hashes with one pread and no open. */
#include "tlog/log_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A random leaf of a large tree is rarely in the hash cache, and its
 * tile's file rarely among those kept open: reading its 16-leaf group
 * used to cost an open, a pread and a close. Its pack (one per 65,536
 * leaves: 153 files at 10^7 leaves) stays open in the cache's slots
 * (log_fds.c), and the group costs one pread. The packs are derived from
 * the tiles, which stay the log's record and what /tile/ serves: a pack
 * missing or short is rebuilt from them at the next writable open, and
 * until then proofs read the tiles.
 */

void log_pack_path(uint64_t pack, char out[LOG_PACK_PATH_MAX])
{
	snprintf(out, LOG_PACK_PATH_MAX, "pack/%llu", (unsigned long long)pack);
}

/* pwrite all of `data` at `off`: 0, or -1. */
static int write_at(int fd, const uint8_t *data, size_t len, off_t off)
{
	ssize_t n;

	while (len > 0) {
		n = pwrite(fd, data, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* Where full level-0 tile `index` lies in its pack. */
static off_t tile_offset(uint64_t index)
{
	return (off_t)((index % LOG_PACK_TILES) * LOG_TILE_BYTES);
}

/* ---- at open: every pack exactly the checkpoint's full tiles ---- */

/* Bytes pack `pack` holds when the tree has `full` full level-0 tiles. */
static off_t pack_want(uint64_t pack, uint64_t full)
{
	uint64_t first = pack * LOG_PACK_TILES, n = full > first ? full - first : 0;

	return (off_t)((n < LOG_PACK_TILES ? n : LOG_PACK_TILES) * LOG_TILE_BYTES);
}

/*
 * Make pack `pack`, of `have` bytes, hold `want`: cut what lies past them
 * (or past its last whole tile), append the tiles it lacks, read from
 * their files, and fsync it. Its directory joins `dirs` if it is made.
 */
static int pack_fix(struct tlog_log *l, uint64_t pack, off_t have, off_t want,
		    struct log_dirs *dirs, struct err *e)
{
	uint8_t data[LOG_TILE_BYTES];
	char path[LOG_PACK_PATH_MAX];
	off_t at = have < want ? have - have % (off_t)LOG_TILE_BYTES : want;
	unsigned width;
	size_t len;
	int fd = -1, rc;

	log_pack_path(pack, path);
	rc = log_file_open_rw(l, path, &fd, dirs, e);
	if (rc)
		return rc;
	if (ftruncate(fd, at) != 0) {
		rc = err_set(e, RC_IO, "log_write_failed", NULL, "cannot cut %s: %s", path,
			     strerror(errno));
		goto out;
	}
	for (; at < want; at += (off_t)LOG_TILE_BYTES) {
		rc = log_tile_read(l, 0, pack * LOG_PACK_TILES + (uint64_t)at / LOG_TILE_BYTES,
				   l->size, data, sizeof(data), &width, &len, e);
		if (!rc && width != TLOG_TILE_WIDTH)
			rc = err_set(e, RC_IO, "log_corrupt", NULL, "a full tile of %s is partial",
				     path);
		if (rc)
			goto out;
		if (write_at(fd, data, len, at) != 0) {
			rc = err_set(e, RC_IO, "log_write_failed", NULL, "cannot write %s: %s", path,
				     strerror(errno));
			goto out;
		}
	}
	if (fsync(fd) != 0)
		rc = err_set(e, RC_IO, "log_write_failed", NULL, "cannot fsync %s: %s", path,
			     strerror(errno));
out:
	close(fd);
	return rc;
}

void log_pack_repair(struct tlog_log *l)
{
	uint64_t full = l->size / TLOG_TILE_WIDTH, pack;
	uint64_t npacks = (full + LOG_PACK_TILES - 1) / LOG_PACK_TILES;
	char path[LOG_PACK_PATH_MAX];
	struct log_dirs dirs;
	struct stat sb;
	struct err e;
	unsigned misses;
	off_t have, want;
	int rc, ok = 1;

	dirs.n = 0;
	for (pack = 0; pack < npacks; pack++) {
		want = pack_want(pack, full);
		log_pack_path(pack, path);
		rc = RC_OK;
		if (fstatat(l->dirfd, path, &sb, 0) == 0)
			have = sb.st_size;
		else if (errno == ENOENT)
			have = 0;
		else
			rc = RC_IO;
		if (!rc && have != want)
			rc = pack_fix(l, pack, have, want, &dirs, &e);
		if (rc) { /* no reader may find there what a crash left past the checkpoint */
			(void)unlinkat(l->dirfd, path, 0);
			ok = 0;
		}
	}
	/* the packs past the checkpoint's, which a crash may have begun */
	for (misses = 0; misses < LOG_PRUNE_MAX; pack++) {
		log_pack_path(pack, path);
		misses = unlinkat(l->dirfd, path, 0) == 0 ? 0 : misses + 1;
	}
	if (log_dirs_sync(l, &dirs, &e) != RC_OK)
		ok = 0;
	atomic_store(&l->pack_ok, ok);
}

/* ---- the sequencer's writes ---- */

int log_pack_write(struct tlog_log *l, uint64_t index, const uint8_t *hashes,
		   struct log_dirs *dirs, struct err *e)
{
	uint64_t pack = index / LOG_PACK_TILES;
	char path[LOG_PACK_PATH_MAX];
	struct stat sb;
	int rc;

	if (!atomic_load(&l->pack_ok))
		return RC_OK;
	if (l->pack_wfd >= 0 && l->pack_windex != pack) {
		rc = log_pack_sync(l, e);
		log_pack_close(l);
		if (rc)
			return rc;
	}
	if (l->pack_wfd < 0) {
		log_pack_path(pack, path);
		rc = log_file_open_rw(l, path, &l->pack_wfd, dirs, e);
		if (rc)
			return rc;
		l->pack_windex = pack;
		/*
		 * A pack shorter than the tiles before this one (deleted while
		 * the log runs) is left alone: proofs read the tiles, and the
		 * next open rebuilds it.
		 */
		if (fstat(l->pack_wfd, &sb) != 0 || sb.st_size < tile_offset(index)) {
			atomic_store(&l->pack_ok, 0);
			log_pack_close(l);
			return RC_OK;
		}
	}
	if (write_at(l->pack_wfd, hashes, LOG_TILE_BYTES, tile_offset(index)) != 0)
		return err_set(e, RC_IO, "log_write_failed", NULL, "cannot write pack/%llu: %s",
			       (unsigned long long)pack, strerror(errno));
	l->pack_dirty = 1;
	return RC_OK;
}

int log_pack_sync(struct tlog_log *l, struct err *e)
{
	if (l->pack_wfd < 0 || !l->pack_dirty)
		return RC_OK;
	if (fsync(l->pack_wfd) != 0)
		return err_set(e, RC_IO, "log_write_failed", NULL, "cannot fsync pack/%llu: %s",
			       (unsigned long long)l->pack_windex, strerror(errno));
	l->pack_dirty = 0;
	return RC_OK;
}

void log_pack_close(struct tlog_log *l)
{
	if (l->pack_wfd >= 0)
		close(l->pack_wfd);
	l->pack_wfd = -1;
	l->pack_dirty = 0;
}

/* ---- reads ---- */

/*
 * One pread of pack `pack` at `off` through the cache's open packs: 1, or
 * 0 when the pack is missing or short. *stale is set when the file read
 * short was one since unlinked, which is then let go.
 */
static int pack_pread_once(struct tlog_log *l, uint64_t pack, off_t off, size_t len,
			   uint8_t *out, int *stale)
{
	char path[LOG_PACK_PATH_MAX];
	struct stat sb;
	int fd, drop, kept = 1, ok;

	*stale = 0;
	fd = log_fds_get(&l->cache, pack);
	if (fd < 0) {
		log_pack_path(pack, path);
		fd = openat(l->dirfd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 0;
		kept = log_fds_add(&l->cache, pack, fd, &drop);
		if (drop >= 0)
			close(drop);
	}
	ok = log_pread_all(fd, out, len, off) == 0;
	if (!ok)
		*stale = fstat(fd, &sb) == 0 && sb.st_nlink == 0;
	if (kept)
		log_fds_put(&l->cache, pack, fd, *stale);
	else
		close(fd);
	return ok;
}

int log_pack_pread(struct tlog_log *l, uint64_t index, unsigned first, unsigned n, uint8_t *out)
{
	uint64_t pack = index / LOG_PACK_TILES;
	off_t off = tile_offset(index) + (off_t)first * TLOG_HASH_SIZE;
	int stale;

	if (!atomic_load_explicit(&l->pack_ok, memory_order_relaxed))
		return 0;
	/*
	 * A read-only log keeps packs open across writers: one found short may
	 * be a file a writer's open has since unlinked and rebuilt anew, which
	 * is then read once more.
	 */
	if (pack_pread_once(l, pack, off, (size_t)n * TLOG_HASH_SIZE, out, &stale))
		return 1;
	return stale && pack_pread_once(l, pack, off, (size_t)n * TLOG_HASH_SIZE, out, &stale);
}

int log_pack_read_tile(struct tlog_log *l, uint64_t index, uint8_t out[LOG_TILE_BYTES],
		       struct err *e)
{
	char path[LOG_PACK_PATH_MAX];
	struct stat sb;
	int fd, rc = RC_OK;

	log_pack_path(index / LOG_PACK_TILES, path);
	fd = openat(l->dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno == ENOENT ? RC_NOTFOUND : RC_IO, "log_read_failed", NULL,
			       "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0)
		rc = err_set(e, RC_IO, "log_read_failed", NULL, "cannot stat %s: %s", path,
			     strerror(errno));
	else if (sb.st_size < tile_offset(index) + (off_t)LOG_TILE_BYTES)
		rc = err_set(e, RC_NOTFOUND, "log_read_failed", NULL, "%s is short", path);
	else if (log_pread_all(fd, out, LOG_TILE_BYTES, tile_offset(index)) != 0)
		rc = err_set(e, RC_IO, "log_read_failed", NULL, "cannot read %s", path);
	close(fd);
	return rc;
}
