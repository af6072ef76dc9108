/* log.h - a durable, batching transparency log stored as C2SP tlog-tiles under a directory. */
#ifndef DISPUTED_TLOG_LOG_H
#define DISPUTED_TLOG_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/tiles.h"

/*
 * Layout under `dir` (the data directory):
 *   dir/checkpoint                 the latest signed checkpoint (with cosignatures)
 *   dir/tile/<L>/<N>[.p/<W>]       hash tiles, C2SP tlog-tiles v0.1.0
 *   dir/tile/entries/<N>[.p/<W>]   entry bundles
 *   dir/tile/.lock                 held (flock) by the one process that writes
 *   dir/witness-state              per witness, the latest size it cosigned
 * Any static file server pointed at dir serves the log's read API.
 *
 * Tiles and bundles are written in place and fsynced (with their
 * directories) before any checkpoint covers them, and no reader of this
 * log, nor its HTTP server, looks at a tile that the latest checkpoint does
 * not cover; the checkpoint, which readers always read, is written to
 * "checkpoint.tmp", fsynced and renamed into place, so it is seen whole.
 * Full tiles never change once a checkpoint covers them. A partial tile is
 * a new file for each width; the narrower ones of the right-edge tile stay
 * (clients holding an older checkpoint fetch them) and are served and
 * audited like any other. Once its full tile is covered by a checkpoint
 * a background thread deletes that tile's partials (tlog-tiles allows it:
 * clients that miss a partial fetch the full tile, and so does this log's
 * own reader; at light load, keeping them would store each entry up to 255
 * times over); a crash before it gets to them leaves them to the next
 * open. The open also deletes what a batch cut short by a crash wrote past
 * the checkpoint (wider partials, full tiles and later tiles at the right
 * edge), which a longer tree would otherwise cover with leaves that never
 * made it into the log.
 *
 * Appends are sequenced in batches. A batch closes as soon as it holds
 * `batch_max` entries, or `batch_ms` milliseconds have passed since its
 * first entry, or it holds as many entries as the previous batch did:
 * under a steady load the same callers are back, and waiting longer would
 * only add to their latency (entries that arrive while the previous batch
 * is being written count too, so under load a batch closes as soon as the
 * sequencer is free). A batch's tiles and bundles are written and fsynced,
 * then a checkpoint for the new size is signed and atomically renamed into
 * place and fsynced; only then do the appenders of the batch return. A
 * crash before that loses only unacknowledged entries, which the next open
 * ignores (files past the checkpoint's size are rewritten).
 * The log only ever signs a checkpoint that extends the previous one: on
 * open the tiles must hash to the stored checkpoint's root, and each batch
 * extends the tree in memory from there.
 *
 * Witnesses: after each checkpoint the log submits it (with a consistency
 * proof from the size each witness last cosigned) to every configured
 * witness in a background thread, and attaches the cosignatures that come
 * back to the checkpoint it serves, if no newer checkpoint has replaced it
 * by then; appends do not wait for witnesses. A log that grows without
 * pause therefore serves a checkpoint without cosignatures most of the
 * time; tlog_log_witnessed gives the newest one that has them.
 */
struct tlog_log;

struct tlog_witness_conf {
	const char *url;      /* base URL; the log POSTs to <url>/add-checkpoint */
	const char *vkey;     /* the witness's verifier key (cosignature/v1, type 0x04) */
};

/* Defaults of struct tlog_log_opts, chosen by `make bench` (docs/benchmarks.md). */
#define TLOG_LOG_BATCH_MAX 4096
#define TLOG_LOG_BATCH_MS 2
/*
 * Default bound on the memory of the log's hash cache (proofs and tiles):
 * half for the upper tree (the hashes of every 16 leaves and above: about
 * 4 bytes per leaf, so all of it up to about 16 million leaves), three
 * eighths for level 3 (every 8 leaves' hash: 4 bytes per leaf, about 12
 * million leaves' worth), one eighth for recent tiles' leaf hashes with
 * levels 1 and 2 (about 56 bytes per leaf: some 300,000 leaves). A proof
 * of a leaf whose level-3 hashes are kept hashes at most 4 nodes, else 11:
 * the bound was raised from 80 MiB so that a tree of 10^7 leaves keeps
 * them all (docs/benchmarks.md, beside Go's tlog). Besides it the cache
 * keeps LOG_FDS_MAX (256) full tiles' files open.
 */
#define TLOG_LOG_CACHE_BYTES ((size_t)128 << 20)

struct tlog_log_opts {
	const char *dir;                  /* the data directory */
	const struct tlog_signer *signer; /* the log's Ed25519 key (copied); its name is the origin */
	const struct tlog_verifier *verifier; /* read_only without signer: the log's public key */
	unsigned batch_max;               /* entries per batch; 0 means TLOG_LOG_BATCH_MAX */
	unsigned batch_ms;                /* most ms a batch stays open; 0 means TLOG_LOG_BATCH_MS */
	const struct tlog_witness_conf *witnesses; /* copied */
	size_t nwitnesses;
	int read_only;                    /* open to read and prove only: no lock, no appends */
	size_t cache_bytes;               /* most memory of the hash cache; 0 means TLOG_LOG_CACHE_BYTES */
	unsigned follow_ms;               /* read_only only: follow the writer, looking at the stored
					     checkpoint again when the last look is this many ms old;
					     0: a snapshot as of the open */
};

/*
 * Open (creating the files of an empty log if there are none) and, unless
 * read_only, take the writer's lock and start the sequencer and janitor
 * threads (and the witness thread if witnesses are configured). A second writer on the same
 * directory fails with RC_CONFLICT (code "log_locked"). The stored
 * checkpoint must verify under the log's key with the key's name as its
 * origin (RC_FORBIDDEN or RC_INVAL otherwise), and a writer checks that the
 * tiles hash to its root (RC_IO, code "log_corrupt", otherwise). Tiles
 * without a checkpoint are RC_IO (code "checkpoint_missing"): the log will
 * not start over on top of them.
 *
 * A read_only log takes `signer` or, without it, `verifier`; it sees the
 * checkpoint as of the open (a snapshot that proofs and audits refer to),
 * takes no lock and starts no thread, so it can be used while a writer
 * runs in another process. Without a stored checkpoint it has size 0 and
 * an empty note. Its witnesses (if given) are not contacted: their keys
 * only say when the stored checkpoint is witnessed (tlog_log_witnessed).
 * With follow_ms it follows the writer: tlog_log_checkpoint,
 * tlog_log_witnessed, the proofs, tlog_log_entry, tlog_log_each_entry,
 * tlog_log_hash and tlog_log_tile_cached first look whether DIR/checkpoint
 * changed (one fstatat, its inode, size and mtime) when the last look is
 * follow_ms old, and take the new checkpoint as tlog_log_refresh does; a
 * thread that finds another one looking goes on with the view it has.
 * A checkpoint refused there (see tlog_log_refresh) is logged once, and
 * the log keeps its view. follow_ms on a writable open is RC_INVAL.
 */
int tlog_log_open(const struct tlog_log_opts *o, struct tlog_log **out, struct err *e) WARN_UNUSED;

/* Whether `l` was opened read_only (it proves; another process appends). */
int tlog_log_read_only(const struct tlog_log *l);

/*
 * Read DIR/checkpoint again now and make it the log's view (any read_only
 * log, following or not; RC_INVAL, code "log_not_read_only", on a
 * writer's). The new checkpoint must verify as at the open (RC_FORBIDDEN
 * or RC_INVAL otherwise); a smaller size than the log's is RC_IO, code
 * "log_rewound"; one whose tree does not extend the log's (checked with a
 * consistency proof from the tiles, or a different root at the same size)
 * is RC_IO, code "log_forked"; no checkpoint where there was one is RC_IO,
 * code "checkpoint_missing". On any error the log keeps the view it had.
 * Readers on other threads see the old view or the new one, never a mix:
 * the refresh reads and checks without a lock readers take, then swaps
 * the view (size, root, note) under the state mutex, held for a copy.
 */
int tlog_log_refresh(struct tlog_log *l, struct err *e) WARN_UNUSED;

/*
 * Before a call that needs `size` leaves: a read-only log that has seen
 * fewer re-reads the checkpoint now (tlog_log_refresh) rather than at its
 * next follow_ms, for a leaf another process sealed a moment ago. A
 * writer's log, or one that has them already, is left as it is.
 */
int tlog_log_reach(struct tlog_log *l, uint64_t size, struct err *e) WARN_UNUSED;

/*
 * Finish the batch in progress, stop the threads, release the lock, free.
 * No other thread may be in or enter a tlog_log_* call on `l` once close
 * begins (appenders already waiting get their results first). NULL is a
 * no-op.
 */
void tlog_log_close(struct tlog_log *l);

/* One entry to append: at most 65535 bytes. */
struct tlog_entry {
	const void *data;
	size_t len;
};

/*
 * Append `n` entries and wait until they are integrated and durable;
 * indexes[i] gets entry i's leaf index (consecutive, in order). Safe from
 * any number of threads at once; that is how batches fill. The entries'
 * bytes are read while the call waits, not copied first. RC_TOOBIG (code
 * "entry_too_large") for an entry over 65535 bytes, RC_INVAL for a
 * read-only or closing log, RC_IO when the batch could not be written
 * (nothing of it is then acknowledged; once a failure leaves the state on
 * disk uncertain, every later append fails too until the log is reopened).
 */
int tlog_log_append(struct tlog_log *l, const struct tlog_entry *entries, size_t n,
		    uint64_t *indexes, struct err *e) WARN_UNUSED;

/*
 * As tlog_log_append, for a caller that has batched its entries itself
 * (the write pipeline, pipeline.h): the batch they join closes as soon as
 * the sequencer is free, without waiting for more.
 */
int tlog_log_append_now(struct tlog_log *l, const struct tlog_entry *entries, size_t n,
			uint64_t *indexes, struct err *e) WARN_UNUSED;

/*
 * The latest checkpoint: its size and root, and (if `note` is not NULL)
 * the signed note text with any cosignatures, appended to `note`.
 */
int tlog_log_checkpoint(struct tlog_log *l, uint64_t *size, uint8_t root[TLOG_HASH_SIZE],
			struct buf *note, struct err *e) WARN_UNUSED;

/*
 * The newest checkpoint (since open) that carries a cosignature of every
 * configured witness, as tlog_log_checkpoint. RC_NOTFOUND if there is none
 * yet, or no witness is configured.
 */
int tlog_log_witnessed(struct tlog_log *l, uint64_t *size, uint8_t root[TLOG_HASH_SIZE],
		       struct buf *note, struct err *e) WARN_UNUSED;

/*
 * Proofs against the tree of `size` leaves (at most the latest checkpoint's
 * size, else RC_INVAL). Safe while appends proceed.
 */
int tlog_log_prove_inclusion(struct tlog_log *l, uint64_t index, uint64_t size,
			     struct tlog_proof *p, struct err *e) WARN_UNUSED;
int tlog_log_prove_consistency(struct tlog_log *l, uint64_t old_size, uint64_t size,
			       struct tlog_proof *p, struct err *e) WARN_UNUSED;

/* Append the bytes of entry `index` to `out`. RC_NOTFOUND past the latest checkpoint. */
int tlog_log_entry(struct tlog_log *l, uint64_t index, struct buf *out, struct err *e) WARN_UNUSED;

/*
 * Call `fn` for each entry of the tree of `size` leaves (at most the latest
 * checkpoint's), in index order, reading each entry bundle once; stops at
 * the first non-zero return of `fn`, which is returned. `data` lives until
 * `fn` returns. RC_IO if a bundle is unreadable or truncated.
 */
int tlog_log_each_entry(struct tlog_log *l, uint64_t size,
			int (*fn)(void *ctx, uint64_t index, const void *data, size_t len),
			void *ctx, struct err *e) WARN_UNUSED;

/*
 * The hash of the complete subtree at (level, index), from the hash cache
 * or else from the tiles (the hashes read and computed are then kept).
 * RC_NOTFOUND unless the subtree lies within the latest checkpoint.
 *
 * The hash cache: the log keeps hashes of complete subtrees of its
 * checkpointed tree in memory, bounded by opts.cache_bytes: those of every
 * batch it appends (put once the batch's checkpoint is in place), and those
 * proofs and tiles read or compute at level 3 and above. Its upper tree
 * (levels 4 and above), level 3 and its recent tiles (levels 0 to 2) each
 * have a share of the bound and may use what the others leave free; when
 * the cache is full, a part past its share drops its least recently used
 * chunks of 256 hashes first. Leaf hashes a proof reads are kept only
 * while the cache has room. A proof
 * whose hashes are all there reads no file; one whose leaf is not among
 * the recent tiles reads the leaf's 16-leaf group with one pread (of a
 * file kept open when the cache has it) and hashes at most 4 nodes while
 * level 3 is there, 11 otherwise. The right edge of an incomplete tree is
 * hashed once per tree size proved against and kept.
 */
int tlog_log_hash(struct tlog_log *l, uint64_t level, uint64_t index,
		  uint8_t out[TLOG_HASH_SIZE], struct err *e) WARN_UNUSED;

/*
 * The bytes of hash tile `t` (not an entry bundle; level, index and width
 * as in its path) appended to `out` if all its hashes are in the hash
 * cache: RC_OK. RC_NOTFOUND when they are not (read the file then), or
 * when the latest checkpoint does not cover the tile.
 */
int tlog_log_tile_cached(struct tlog_log *l, const struct tlog_tile *t, struct buf *out,
			 struct err *e) WARN_UNUSED;

/* What the hash cache holds and has done since the open. */
struct tlog_cache_stats {
	size_t bytes_max;   /* its bound */
	size_t bytes;       /* memory it uses now */
	size_t chunks;      /* chunks of 256 hashes held */
	uint64_t hits;      /* lookups that found their hash */
	uint64_t misses;    /* lookups that did not */
	uint64_t evictions; /* chunks dropped to stay within the bound */
	uint64_t pack_hits;   /* leaf reads from a packed hash file the cache had open */
	uint64_t pack_misses; /* those that opened it first (or found no pack) */
};

void tlog_log_cache_stats(struct tlog_log *l, struct tlog_cache_stats *s);

/*
 * Check the stored log against itself: every entry bundle re-hashed into
 * the level-0 tiles, every tile recomputed from the level below, the root
 * from the tiles equal to the checkpoint's, the checkpoint's signature
 * (DIR/checkpoint is read again from disk), and every partial file on disk
 * of a tile the tree has, hash tile or entry bundle, equal to the prefix
 * of what the tree says for its width, and each full level-0 tile's place
 * in its packed hash file (DIR/pack/<P>) equal to the tile (files past the
 * checkpoint, which a writer may be making, are not looked at; a pack
 * found wrong is no longer read by this log's proofs). Each problem is passed to
 * `report` with the path, relative to dir, of the file at fault (as far as
 * the neighbouring files tell: a bundle that disagrees with a tile that
 * agrees with the level above is the bundle's fault); returns the number of
 * problems found in *problems. Returns RC_OK when the audit ran, whatever
 * it found; an error only when it could not run (e.g. RC_NOMEM).
 */
int tlog_log_audit(struct tlog_log *l,
		   void (*report)(void *ctx, const char *where, const char *what), void *ctx,
		   uint64_t *problems, struct err *e) WARN_UNUSED;

#endif
