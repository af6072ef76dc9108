/* tiles.c - tlog-tiles paths, tile widths and contents, new tiles after growth, entry bundles. */
#include "tlog/tiles.h"

#include <stdio.h>
#include <string.h>

#include "tlog/tlog_int.h"

/* Largest N written in a path: indexes stay below 2^63. */
#define TILE_INDEX_MAX (TLOG_MAX_SIZE - 1)

int tlog_tile_path(const struct tlog_tile *t, char out[TLOG_TILE_PATH_MAX])
{
	char digits[24], path[TLOG_TILE_PATH_MAX];
	size_t nd, pad, i, o;
	int n;

	if (t->level < TLOG_TILE_ENTRIES || t->level > 63 || t->index > TILE_INDEX_MAX ||
	    t->width < 1 || t->width > TLOG_TILE_WIDTH)
		return RC_INVAL;
	/* The index, zero-padded to a multiple of three digits. */
	n = snprintf(digits + 2, sizeof(digits) - 2, "%llu", (unsigned long long)t->index);
	if (n < 0 || (size_t)n >= sizeof(digits) - 2)
		return RC_INVAL;
	pad = (3 - (size_t)n % 3) % 3;
	memset(digits + 2 - pad, '0', pad);
	nd = (size_t)n + pad;
	if (t->level == TLOG_TILE_ENTRIES)
		n = snprintf(path, sizeof(path), "tile/entries/");
	else
		n = snprintf(path, sizeof(path), "tile/%d/", t->level);
	o = (size_t)n;
	/* 3-digit groups, all but the last as "xDDD/". Fits: at most 7 groups. */
	for (i = 0; i < nd; i += 3) {
		if (i + 3 < nd)
			path[o++] = 'x';
		memcpy(path + o, digits + 2 - pad + i, 3);
		o += 3;
		if (i + 3 < nd)
			path[o++] = '/';
	}
	path[o] = '\0';
	if (t->width < TLOG_TILE_WIDTH) {
		n = snprintf(path + o, sizeof(path) - o, ".p/%u", t->width);
		if (n < 0 || (size_t)n >= sizeof(path) - o)
			return RC_INVAL;
	}
	memcpy(out, path, sizeof(path));
	return RC_OK;
}

static int tile_bad(struct err *e, const char *path)
{
	return err_set(e, RC_INVAL, "invalid_tile_path", "path", "%.80s is not a tile path", path);
}

static int is_digit3(const char *p)
{
	return p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
	       p[2] >= '0' && p[2] <= '9';
}

int tlog_tile_parse_path(struct tlog_tile *t, const char *path, struct err *e)
{
	struct tlog_tile tmp;
	const char *p = path, *slash;
	uint64_t level, n = 0, g, w;
	int first = 1;

	if (strncmp(p, "tile/", 5) != 0)
		return tile_bad(e, path);
	p += 5;
	if (strncmp(p, "entries/", 8) == 0) {
		tmp.level = TLOG_TILE_ENTRIES;
		p += 8;
	} else {
		slash = strchr(p, '/');
		if (!slash || tlog_parse_u64(p, (size_t)(slash - p), 63, &level) != RC_OK)
			return tile_bad(e, path);
		tmp.level = (int)level;
		p = slash + 1;
	}
	/* Groups "xDDD/" then a last "DDD". */
	for (;;) {
		if (p[0] == 'x') {
			if (!is_digit3(p + 1) || p[4] != '/' ||
			    (first && memcmp(p + 1, "000", 3) == 0))
				return tile_bad(e, path);
			p += 1;
		} else if (!is_digit3(p) || (p[3] != '\0' && p[3] != '.')) {
			return tile_bad(e, path);
		}
		g = (uint64_t)(p[0] - '0') * 100 + (uint64_t)(p[1] - '0') * 10 +
		    (uint64_t)(p[2] - '0');
		if (n > (TILE_INDEX_MAX - g) / 1000)
			return tile_bad(e, path);
		n = n * 1000 + g;
		first = 0;
		if (p[3] != '/') {
			p += 3;
			break;
		}
		p += 4;
	}
	tmp.index = n;
	tmp.width = TLOG_TILE_WIDTH;
	if (*p == '.') {
		if (strncmp(p, ".p/", 3) != 0 ||
		    tlog_parse_u64(p + 3, strlen(p + 3), TLOG_TILE_WIDTH - 1, &w) != RC_OK ||
		    w == 0)
			return tile_bad(e, path);
		tmp.width = (unsigned)w;
	} else if (*p != '\0') {
		return tile_bad(e, path);
	}
	*t = tmp;
	return RC_OK;
}

unsigned tlog_tile_width(int level, uint64_t index, uint64_t size)
{
	uint64_t hashes;
	unsigned shift;

	if (level == TLOG_TILE_ENTRIES)
		level = 0;
	if (level < 0 || level > 63)
		return 0;
	shift = (unsigned)level * TLOG_TILE_HEIGHT;
	hashes = shift < 64 ? size >> shift : 0; /* hashes at this tile level */
	if (index >= hashes / TLOG_TILE_WIDTH + 1)
		return 0;
	if (index < hashes / TLOG_TILE_WIDTH)
		return TLOG_TILE_WIDTH;
	return (unsigned)(hashes % TLOG_TILE_WIDTH);
}

void tlog_tile_for_hash(uint64_t hash_level, uint64_t hash_index, struct tlog_tile *t,
			unsigned *first, unsigned *count)
{
	unsigned d = (unsigned)(hash_level % TLOG_TILE_HEIGHT);
	uint64_t start = hash_index << d; /* first tile entry under the hash */

	t->level = (int)(hash_level / TLOG_TILE_HEIGHT);
	t->index = start / TLOG_TILE_WIDTH;
	*first = (unsigned)(start % TLOG_TILE_WIDTH);
	*count = 1u << d;
	t->width = *first + *count;
}

int tlog_tile_hash(const struct tlog_tile *t, const uint8_t *data, size_t len,
		   uint64_t hash_level, uint64_t hash_index, uint8_t out[TLOG_HASH_SIZE])
{
	struct tlog_tile want;
	unsigned first, count;

	tlog_tile_for_hash(hash_level, hash_index, &want, &first, &count);
	if (t->level != want.level || t->index != want.index || t->width < want.width ||
	    t->width > TLOG_TILE_WIDTH || len != (size_t)t->width * TLOG_HASH_SIZE)
		return RC_INVAL;
	tlog_root_from_leaves(data + (size_t)first * TLOG_HASH_SIZE, count, out);
	return RC_OK;
}

int tlog_tile_build(const struct tlog_tile *t, tlog_hash_fn *get_hash, void *ctx,
		    uint8_t *out, struct err *e)
{
	uint64_t level;
	unsigned i;
	int rc;

	if (t->level < 0 || t->level > 63 || t->width < 1 || t->width > TLOG_TILE_WIDTH ||
	    t->index > TILE_INDEX_MAX / TLOG_TILE_WIDTH)
		return err_set(e, RC_INVAL, "invalid_tile", NULL, "not a Merkle tile");
	level = (uint64_t)t->level * TLOG_TILE_HEIGHT;
	for (i = 0; i < t->width; i++) {
		rc = get_hash(ctx, level, t->index * TLOG_TILE_WIDTH + i,
			      out + (size_t)i * TLOG_HASH_SIZE);
		if (rc)
			return err_set(e, rc, "hash_unavailable", NULL,
				       "cannot read hash %u of a tile", i);
	}
	return RC_OK;
}

int tlog_tiles_new(uint64_t old_size, uint64_t size,
		   int (*fn)(void *ctx, const struct tlog_tile *t), void *ctx)
{
	struct tlog_tile t;
	uint64_t old_n, new_n, n;
	unsigned level, shift;
	int rc;

	for (level = 0; level < 64; level++) {
		shift = level * TLOG_TILE_HEIGHT;
		if (shift >= 64 || size >> shift == 0)
			break;
		old_n = old_size >> shift;
		new_n = size >> shift;
		if (old_n == new_n)
			continue;
		t.level = (int)level;
		t.width = TLOG_TILE_WIDTH;
		for (n = old_n / TLOG_TILE_WIDTH; n < new_n / TLOG_TILE_WIDTH; n++) {
			t.index = n;
			rc = fn(ctx, &t);
			if (rc)
				return rc;
		}
		if (new_n % TLOG_TILE_WIDTH) {
			t.index = new_n / TLOG_TILE_WIDTH;
			t.width = (unsigned)(new_n % TLOG_TILE_WIDTH);
			rc = fn(ctx, &t);
			if (rc)
				return rc;
		}
	}
	return RC_OK;
}

int tlog_bundle_append(struct buf *b, const void *entry, size_t len)
{
	uint8_t pre[2];
	int rc;

	if (len > TLOG_ENTRY_MAX)
		return RC_TOOBIG;
	pre[0] = (uint8_t)(len >> 8);
	pre[1] = (uint8_t)len;
	rc = buf_append(b, pre, 2);
	return rc ? rc : buf_append(b, entry, len);
}

int tlog_bundle_next(const uint8_t **p, size_t *left, const uint8_t **entry,
		     size_t *entry_len)
{
	size_t n;

	if (*left == 0)
		return RC_NOTFOUND;
	if (*left < 2)
		return RC_INVAL;
	n = (size_t)(*p)[0] << 8 | (*p)[1];
	if (*left - 2 < n)
		return RC_INVAL;
	*entry = *p + 2;
	*entry_len = n;
	*p += 2 + n;
	*left -= 2 + n;
	return RC_OK;
}
