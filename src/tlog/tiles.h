/* tiles.h - C2SP tlog-tiles: tile paths, which tiles hold which hashes, tile bytes and entry bundles. */
#ifndef DISPUTED_TLOG_TILES_H
#define DISPUTED_TLOG_TILES_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "tlog/merkle.h"

/*
 * c2sp.org/tlog-tiles@v0.1.0, tile height 8 (width 256). Tile <L>/<N>
 * holds the Merkle hashes at tree level 8*L, indexes N*256 .. N*256+255: at
 * level 0 the leaf hashes, above that the roots of full tiles below. The
 * tree levels in between are rebuilt by hashing. A partial tile (the right
 * edge of a tree) holds its first W hashes, 1 <= W <= 255. Entry bundles
 * (tile/entries/<N>) hold the entries whose leaf hashes make level-0 tile
 * N, each prefixed with its length as a big-endian uint16.
 *
 * Paths: tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>], where N is
 * written in 3-digit groups, all but the last prefixed with 'x':
 * 1234067 is x001/x234/067.
 */

#define TLOG_TILE_HEIGHT 8
#define TLOG_TILE_WIDTH 256
/* The level of an entry bundle in struct tlog_tile. */
#define TLOG_TILE_ENTRIES (-1)
/* Room for any tile path, with its terminator. */
#define TLOG_TILE_PATH_MAX 64

struct tlog_tile {
	int level;      /* tile level 0..63, or TLOG_TILE_ENTRIES */
	uint64_t index; /* N: the tile's position within its level */
	unsigned width; /* hashes (or entries) held, 1..256; 256 is a full tile */
};

/* Write the path of `t` into `out` (TLOG_TILE_PATH_MAX bytes). RC_INVAL for a tile out of range. */
int tlog_tile_path(const struct tlog_tile *t, char out[TLOG_TILE_PATH_MAX]) WARN_UNUSED;

/*
 * Parse a path "tile/..." as written by tlog_tile_path; only the canonical
 * spelling is accepted (no leading zeroes in L or W, no "x000" group first,
 * no ".p/256"). RC_INVAL (code "invalid_tile_path") otherwise.
 */
int tlog_tile_parse_path(struct tlog_tile *t, const char *path, struct err *e) WARN_UNUSED;

/*
 * Width of tile (level, index) in a tree of `size` leaves: 256 when full,
 * less for the partial tile at the right edge, 0 when the tree has none.
 * Entry bundles (TLOG_TILE_ENTRIES) have the widths of level-0 tiles.
 */
unsigned tlog_tile_width(int level, uint64_t index, uint64_t size);

/*
 * The tile that holds the hash of the complete subtree at (hash_level,
 * hash_index), as stored or rebuilt by hashing: tile level hash_level / 8.
 * `*first` and `*count` (a power of two) say which of the tile's hashes
 * hash up to it; t->width is set to first + count, the least width needed.
 */
void tlog_tile_for_hash(uint64_t hash_level, uint64_t hash_index, struct tlog_tile *t,
			unsigned *first, unsigned *count);

/*
 * The hash of the complete subtree at (hash_level, hash_index) from the
 * bytes of the tile that holds it (tlog_tile_for_hash), `len` bytes of
 * `width` hashes of the tile (level, index). RC_INVAL if the tile is not
 * that one, or too narrow or malformed.
 */
int tlog_tile_hash(const struct tlog_tile *t, const uint8_t *data, size_t len,
		   uint64_t hash_level, uint64_t hash_index,
		   uint8_t out[TLOG_HASH_SIZE]) WARN_UNUSED;

/*
 * Write the t->width * 32 bytes of tile `t` (not an entry bundle) into
 * `out`, asking `get_hash` for the hashes at tree level 8 * t->level.
 * Fails with what `get_hash` returned.
 */
int tlog_tile_build(const struct tlog_tile *t, tlog_hash_fn *get_hash, void *ctx,
		    uint8_t *out, struct err *e) WARN_UNUSED;

/*
 * Call `fn` for every Merkle tile (not entry bundle) that changes when the
 * tree grows from `old_size` to `size` leaves: the new full tiles and the
 * new partial tiles, level by level, as a log must publish them. A
 * non-zero return from `fn` stops and is returned. For the entry bundles
 * take the level-0 tiles.
 */
int tlog_tiles_new(uint64_t old_size, uint64_t size,
		   int (*fn)(void *ctx, const struct tlog_tile *t), void *ctx) WARN_UNUSED;

/* Longest entry an entry bundle can hold. */
#define TLOG_ENTRY_MAX 65535

/* Append one entry (length prefix and bytes) to a bundle. RC_TOOBIG past TLOG_ENTRY_MAX. */
int tlog_bundle_append(struct buf *b, const void *entry, size_t len) WARN_UNUSED;

/*
 * Read the next entry of a bundle: `*p` and `*left` are the unread bytes
 * and advance past the entry; `*entry`/`*entry_len` point into the bundle.
 * RC_OK for an entry, RC_NOTFOUND at the end, RC_INVAL when truncated.
 */
int tlog_bundle_next(const uint8_t **p, size_t *left, const uint8_t **entry,
		     size_t *entry_len) WARN_UNUSED;

#endif
