/* log_int.h - what the files of the durable log share: its state, tile files and cache, witnesses. */
#ifndef DISPUTED_TLOG_LOG_INT_H
#define DISPUTED_TLOG_LOG_INT_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"
#include "tlog/log.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/tiles.h"

/* Tile levels a tree of fewer than 2^63 leaves can have. */
#define LOG_LEVELS 8
/* Hashes per chunk of the hash cache: a chunk at tree level 8L is hash tile L/N. */
#define LOG_CHUNK_WIDTH TLOG_TILE_WIDTH
/* Tree levels from which on a chunk belongs to the cache's upper tree. */
#define LOG_CACHE_TOP_LEVEL 4
/* The tree level of the hashes of 8 leaves, cached in a class of their own. */
#define LOG_CACHE_MID_LEVEL 3
/* Cache classes: recent tiles (levels 0-2), level 3, the upper tree. */
#define LOG_CACHE_CLASSES 3
/* Leaves a proof reads at once: the group under one hash of LOG_CACHE_TOP_LEVEL. */
#define LOG_GROUP_WIDTH (1u << LOG_CACHE_TOP_LEVEL)
/* Most leaves a proof holds from one read: a tile's. */
#define LOG_LEAVES_MAX TLOG_TILE_WIDTH
/* Packed hash files the cache keeps open for proofs: pack p in slot p % LOG_FDS_MAX. */
#define LOG_FDS_MAX 256
/* Full level-0 tiles in one packed hash file: those under one level-2 hash (65,536 leaves). */
#define LOG_PACK_TILES TLOG_TILE_WIDTH
/* Bytes of one full hash tile, and so of each tile's place in a packed hash file. */
#define LOG_TILE_BYTES ((size_t)TLOG_TILE_WIDTH * TLOG_HASH_SIZE)
/* Longest path of a packed hash file: "pack/" and a decimal uint64. */
#define LOG_PACK_PATH_MAX 32
/* Fewest chunks a cache class holds, whatever the budget. */
#define LOG_CACHE_MIN_CHUNKS 64
/* Staged hashes whose room is kept between batches (48 bytes each). */
#define LOG_CACHE_STAGE_KEEP 65536
/* Most bytes of a stored checkpoint note (with cosignatures) read back. */
#define LOG_NOTE_MAX 65536
/* Most bytes of an entry bundle: 256 entries of at most 65535 bytes, with prefixes. */
#define LOG_BUNDLE_MAX ((size_t)TLOG_TILE_WIDTH * (TLOG_ENTRY_MAX + 2))
/* Directories one batch may have to fsync before they are flushed early. */
#define LOG_DIRS_MAX 64
/* Files one batch keeps open between writing and fsyncing them. */
#define LOG_OPEN_MAX 64
/* Full tiles whose partials a crash may have left: how far back an open looks. */
#define LOG_PRUNE_MAX 64

/* One tlog_log_append call waiting in a batch. Lives on the caller's stack. */
struct log_req {
	const struct tlog_entry *entries; /* the caller's entries, read by the sequencer */
	size_t n;                         /* how many */
	const uint8_t *leaves;            /* their n leaf hashes, computed by the caller */
	uint64_t first;                   /* result: leaf index of entries[0] */
	int rc;                           /* result code */
	struct err err;                   /* result detail when rc is not RC_OK */
	sem_t done;                       /* posted by the sequencer once the results are set */
	struct log_req *next;             /* next request of the batch */
};

/* The hashes of one tile level from the start of its right-edge tile on. */
struct log_edge {
	uint64_t base;  /* index (at tree level 8L) of hash[0]; a multiple of 256 */
	size_t n;       /* hashes held */
	size_t alloc;   /* hashes allocated */
	uint8_t *hash;  /* n * 32 bytes */
};

/* The entries from the start of the right-edge entry bundle on. */
struct log_bundle {
	uint64_t base;  /* index of the first entry held; a multiple of 256 */
	size_t n;       /* entries held */
	size_t alloc;   /* offsets allocated */
	size_t *off;    /* n + 1 offsets into data: entry i is data[off[i]..off[i+1]) in bundle form */
	struct buf data; /* the entries, each with its 2-byte length prefix */
};

/* LOG_CHUNK_WIDTH consecutive hashes of one tree level, those present marked in `have`. */
struct log_chunk {
	uint64_t key;                   /* chunk index << 6 | tree level */
	struct log_chunk *hnext;        /* next in its hash bucket */
	struct log_chunk *prev, *next;  /* its class's list, most recently used first */
	unsigned cls;                   /* its class: 0 levels 0-2, 1 level 3, 2 the rest */
	uint64_t moved;                 /* the cache's `moves` when it last went to its list's front */
	uint64_t have[LOG_CHUNK_WIDTH / 64]; /* bit i: hash[i] is present */
	uint8_t hash[LOG_CHUNK_WIDTH][TLOG_HASH_SIZE];
};

/* One class of chunks and its budget. */
struct log_cache_class {
	struct log_chunk *head, *tail;  /* least recently used at the tail */
	size_t n;                       /* chunks allocated */
	size_t max;                     /* most chunks it may hold */
};

/* A packed hash file kept open, and how many readers use it now. */
struct log_fd {
	uint64_t key;                   /* the pack's index; 0 with fd -1 */
	int fd;                         /* open for reading; -1: the slot is empty */
	unsigned refs;                  /* readers between log_fds_get and log_fds_put */
	int stale;                      /* its file was replaced: closed by the last reader */
};

/*
 * Open packed hash files (log_pack.c), which only grow, so that a proof
 * reads its leaves with one pread. Direct-mapped: pack p has slot
 * p % LOG_FDS_MAX (so the packs of up to 16.7 million leaves all stay
 * open), and takes it from the pack there unless that one is being read.
 */
struct log_fds {
	struct log_fd slot[LOG_FDS_MAX];
	uint64_t hits, misses;          /* lookups that found the file open, or not */
};

/* A hash of the batch being integrated, put in the cache once the batch is checkpointed. */
struct log_staged {
	uint64_t index;
	unsigned level;
	uint8_t hash[TLOG_HASH_SIZE];
};

/*
 * The hash cache (log_cache.c): hashes of complete subtrees of the latest
 * checkpoint's tree, which never change. Lookups and puts are safe from
 * any thread; the staging area belongs to the sequencer.
 */
struct log_cache {
	pthread_mutex_t mu;             /* guards everything below but the staging area */
	int ready;                      /* initialised */
	struct log_chunk **bucket;      /* hash table of chunks, nbucket (a power of two) */
	size_t nbucket;
	struct log_cache_class cls[LOG_CACHE_CLASSES]; /* levels 0-2, level 3, levels >= 4 */
	struct log_fds fds;             /* open full tiles (log_fds.c) */
	struct tlog_edge edge;          /* the right edge of the largest size proved against */
	size_t bytes;                   /* the most memory it may use */
	uint64_t hits, misses, evictions; /* lookups found, not found; chunks evicted */
	uint64_t moves;                 /* chunks put at the front of their list, ever */
	struct log_staged *staged;      /* the sequencer's batch, not yet checkpointed */
	size_t nstaged, staged_alloc;
};

/* A configured witness, and what the log knows of it. Used by the witness thread only. */
struct log_witness {
	char *url;                 /* <url>/add-checkpoint */
	char *vkey;                /* the verifier key text, the key of DIR/witness-state */
	struct tlog_verifier v;    /* its cosigner key */
	uint64_t size;             /* the latest size it cosigned, as far as the log knows */
	uint64_t done_seq;         /* the checkpoint (by l->seq) that has its cosignature */
	int64_t next_ms;           /* monotonic ms before which it is not asked again */
	unsigned backoff_ms;       /* the wait after the next failure */
	void *curl;                /* its libcurl easy handle, kept for reuse */
};

struct tlog_log {
	int dirfd;                 /* the data directory */
	int lockfd;                /* DIR/tile/.lock, flocked; -1 when read-only */
	int read_only;             /* no lock, no appends, no threads */
	int have_signer;           /* signer holds the secret key */
	struct tlog_signer signer; /* the log's key; wiped on close */
	struct tlog_verifier verifier; /* its public key; its name is the origin */
	unsigned batch_max;        /* entries that close a batch */
	unsigned batch_ms;         /* ms after its first entry that close a batch */

	/* appenders and the sequencer, under mu */
	pthread_mutex_t mu;
	pthread_cond_t seq_cv;     /* the sequencer waits here for entries */
	pthread_cond_t space_cv;   /* appenders wait here while the open batch is full */
	struct log_req *head;      /* the open batch, in arrival order */
	struct log_req **tail;     /* where the next request is linked */
	size_t pending;            /* entries in the open batch */
	int64_t first_ns;          /* monotonic time of its first entry */
	int flush;                 /* an appender of the open batch batched its entries itself
				      (tlog_log_append_now): close it without waiting */
	int stopping;              /* close has begun */
	int failed;                /* a batch left the disk state uncertain: no more appends */
	int seq_started;           /* the sequencer thread runs */
	pthread_t seq_thread;

	/* the sequencer's own state */
	struct tlog_frontier tree;           /* the tree of the latest checkpoint */
	struct log_edge edge[LOG_LEVELS];    /* right-edge tile hashes per level */
	struct log_bundle bundle;            /* right-edge entry bundle */
	size_t last_batch;                   /* entries of the previous batch; 0 before the first */

	/* the janitor thread deletes the partials of full tiles, under jan_mu */
	pthread_mutex_t jan_mu;
	pthread_cond_t jan_cv;               /* signalled when tiles are queued, and on close */
	struct tlog_tile *prune;             /* full tiles whose partials are still to delete */
	size_t nprune;                       /* in prune */
	size_t prune_alloc;                  /* allocated */
	int jan_stop;                        /* close has begun: finish the queue and stop */
	int jan_started;                     /* the janitor thread runs */
	pthread_t jan_thread;

	/* the latest checkpoint, under st_mu; written under ckpt_mu too */
	pthread_mutex_t ckpt_mu;   /* serialises writes of DIR/checkpoint; taken before st_mu */
	pthread_mutex_t st_mu;
	uint64_t size;             /* its tree size */
	uint8_t root[TLOG_HASH_SIZE]; /* its root */
	uint64_t seq;              /* how many checkpoints this process has made (0: the stored one) */
	struct buf note;           /* the signed note with any cosignatures */
	struct buf body;           /* the checkpoint body (the note's text) */
	struct buf witnessed;      /* the newest note with every witness's cosignature, or empty */
	uint64_t witnessed_size;   /* its size */
	uint8_t witnessed_root[TLOG_HASH_SIZE]; /* its root */

	/* hashes of complete subtrees, for proofs and tiles (log_cache.c) */
	struct log_cache cache;

	/* a read-only log following its writer (log_follow.c) */
	unsigned follow_ms;        /* look at DIR/checkpoint again after this many ms; 0: never */
	pthread_mutex_t follow_mu; /* held by the one thread that looks or refreshes */
	_Atomic int64_t follow_next_ns; /* monotonic time of the next look */
	int seen_fd;               /* the checkpoint file last taken or refused, kept open so that
				      its inode is not reused by a new one; -1: none. follow_mu */
	struct stat seen;          /* its fstat. follow_mu */
	char follow_code[48];      /* the code of the last refusal logged; "": none. follow_mu */

	/* packed level-0 hash files (log_pack.c) */
	atomic_int pack_ok;        /* every full level-0 tile of the checkpoint is in its pack:
				      proofs read them there, the sequencer writes new ones */
	int pack_wfd;              /* the pack the sequencer writes, open; -1: none */
	uint64_t pack_windex;      /* its index */
	int pack_dirty;            /* written since its last fsync */

	/* witnesses: the thread waits on w_cv under st_mu */
	struct log_witness *w;     /* nw configured witnesses */
	size_t nw;
	pthread_cond_t w_cv;       /* signalled on each new checkpoint and on close */
	atomic_int w_stop;         /* close has begun: stop, and abort transfers */
	int w_started;             /* the witness thread runs */
	pthread_t w_thread;
};

/* Files written and not yet fsynced. */
struct log_files {
	size_t n;                                    /* in use */
	int fd[LOG_OPEN_MAX];                        /* open for writing */
	char path[LOG_OPEN_MAX][TLOG_TILE_PATH_MAX]; /* relative to the data directory */
};

/* A tlog_hash_fn context: the tree size the hashes are asked of, and a detail on failure. */
/* The hashes beside one leaf's path, copied from the cache at once (log_cache_path_get). */
struct log_path {
	uint64_t leaf;             /* the leaf whose path it is */
	uint64_t have;             /* bit L: hash[L] is the sibling subtree's at tree level L */
	uint8_t hash[64][TLOG_HASH_SIZE];
};

struct log_hash_ctx {
	struct tlog_log *l;        /* the log */
	struct log_path path;      /* an inclusion proof's cached siblings; have 0 otherwise */
	uint64_t size;             /* a committed tree size: which tile widths to read */
	struct err err;            /* why the last call failed */
	int probe;                 /* put nothing read or computed in the cache: the tree is not
				      yet known to extend the log's */
	uint64_t first;            /* index of leaf[0] */
	unsigned nleaf;            /* leaf hashes held from `first` on; 0: none */
	uint8_t leaf[LOG_LEAVES_MAX][TLOG_HASH_SIZE]; /* read with one pread, for the next hash too */
};

/*
 * A context for the hashes of `l`'s tree of `size` leaves, holding none
 * yet (its buffers are left as they are: a proof's own memset of them
 * cost as much as the proof's lookups).
 */
void log_hash_ctx_init(struct log_hash_ctx *hc, struct tlog_log *l, uint64_t size);

/* Directories to fsync at the end of a batch. */
struct log_dirs {
	size_t n;                              /* in use */
	char path[LOG_DIRS_MAX][TLOG_TILE_PATH_MAX]; /* relative to the data directory */
};

/*
 * Following the writer (log_follow.c). log_follow_open sets up a
 * read_only log's state for it; log_follow_release frees it. log_follow is
 * called first by every read that looks at the size: when follow_ms is
 * set and due, it takes a changed checkpoint (as tlog_log_refresh), unless
 * another thread is at it. log_ckpt_read opens, fstats and reads
 * DIR/checkpoint (the open file in *fd, for the caller to close; -1 and
 * RC_NOTFOUND when there is none). log_note_witnessed tells whether every
 * configured witness cosigned `note` (1, or 0; 0 without witnesses), and
 * log_witnessed_set makes it the witnessed checkpoint (st_mu held).
 */
void log_follow_open(struct tlog_log *l, unsigned follow_ms);
void log_follow_release(struct tlog_log *l);
void log_follow(struct tlog_log *l);
int log_ckpt_read(struct tlog_log *l, int *fd, struct stat *sb, struct buf *b,
		  struct err *e) WARN_UNUSED;
int log_note_witnessed(struct tlog_log *l, const struct buf *note);
void log_witnessed_set(struct tlog_log *l, const struct buf *note, uint64_t size,
		       const uint8_t root[TLOG_HASH_SIZE]);


/* The latest checkpoint's size. */
uint64_t log_size(struct tlog_log *l);

/*
 * tlog_hash_fn through the cache; ctx is a struct log_hash_ctx. A hash not
 * in the cache is computed from its children, down to the hash tile that
 * holds its subtree, which is read; what it computes and reads is kept.
 */
int log_hash_get(void *ctx, uint64_t level, uint64_t index, uint8_t out[TLOG_HASH_SIZE]);

/*
 * Read hash tile (level, index) as of tree size `size` into `out` (room
 * for `cap` bytes): the partial file for that size or, when it was deleted
 * since, the full tile. `*width` gets the width that was read and `*len`
 * its bytes. RC_NOTFOUND if the tree has no such tile or the file is
 * missing, RC_IO if it cannot be read or has the wrong length.
 */
int log_tile_read(struct tlog_log *l, int level, uint64_t index, uint64_t size, uint8_t *out,
		  size_t cap, unsigned *width, size_t *len, struct err *e) WARN_UNUSED;

/*
 * Read hashes [first, first + n) of hash tile (level, index) as of tree
 * size `size` into `out` with one pread, through the cache's open files
 * when the tile is full. Errors as log_tile_read; RC_IO if the file is
 * shorter.
 */
int log_tile_pread(struct tlog_log *l, int level, uint64_t index, uint64_t size,
		   unsigned first, unsigned n, uint8_t *out, struct err *e) WARN_UNUSED;

/*
 * The open packed hash files (log_fds.c), under the cache's mutex.
 * log_fds_get returns the open fd of pack `pack`, or -1; the caller then
 * opens it and may offer it with log_fds_add, which keeps it (1; *drop
 * gets the fd it replaced, or -1, for the caller to close) or leaves it
 * to the caller to close (0). Every fd log_fds_get returned, or
 * log_fds_add kept, is handed back with log_fds_put once read; with
 * `stale` (its file was unlinked: a writer's open rebuilt the pack) it is
 * no longer handed out, and is closed once its last reader puts it back.
 * log_fds_release closes them all (no reader may be left).
 */
int log_fds_get(struct log_cache *c, uint64_t pack);
int log_fds_add(struct log_cache *c, uint64_t pack, int fd, int *drop);
void log_fds_put(struct log_cache *c, uint64_t pack, int fd, int stale);
void log_fds_init(struct log_fds *f);
void log_fds_release(struct log_fds *f);

/* The same for entry bundle `index`, whose bytes are appended to `out`. */
int log_bundle_read(struct tlog_log *l, uint64_t index, uint64_t size, struct buf *out,
		    unsigned *width, struct err *e) WARN_UNUSED;

/*
 * The hash cache (log_cache.c). log_cache_init sizes it for at most `bytes`
 * of memory (0: TLOG_LOG_CACHE_BYTES), shared among three classes of
 * levels, each sure of its share and free to use what the others leave
 * unused until they need it back; RC_NOMEM. log_cache_get copies the
 * hash at (level, index) to `out` and returns 1, or returns 0 when it is
 * not there. log_cache_put keeps `n` consecutive hashes from (level,
 * index) on; log_cache_span copies `n` consecutive hashes within one chunk
 * if all are there (1), else returns 0. Only hashes of complete subtrees
 * of a checkpointed tree may be put. The sequencer stages the hashes of a
 * batch (log_cache_stage; without memory a hash is not staged) and puts them once the batch's
 * checkpoint is in place (log_cache_commit), or forgets them when it fails
 * (log_cache_drop). log_cache_release frees it all; a cache never
 * initialised is a no-op there and misses everywhere.
 */
int log_cache_init(struct log_cache *c, size_t bytes) WARN_UNUSED;
void log_cache_release(struct log_cache *c);
int log_cache_get(struct log_cache *c, unsigned level, uint64_t index,
		  uint8_t out[TLOG_HASH_SIZE]);
void log_cache_put(struct log_cache *c, unsigned level, uint64_t index, size_t n,
		   const uint8_t *hashes);
int log_cache_span(struct log_cache *c, unsigned level, uint64_t index, size_t n,
		   uint8_t *out);
/* log_cache_put, but only into room the cache has free: nothing is evicted for them. */
void log_cache_offer(struct log_cache *c, unsigned level, uint64_t index, size_t n,
		     const uint8_t *hashes);
/*
 * The cached hashes an inclusion proof of leaf `index` in a tree of `size`
 * leaves will ask for (the complete subtrees beside the leaf's path), all
 * looked up under one hold of the cache's lock into `path`; those absent
 * are left for the proof to read or compute.
 */
void log_cache_path_get(struct log_cache *c, uint64_t index, uint64_t size,
			struct log_path *path);
/*
 * The right-edge hashes the cache holds for tree size `size` copied to
 * `out` (none: emptied, for that size); log_cache_edge_put adds those of
 * `in` to the cache's, replacing them when `in` is of a larger size.
 */
void log_cache_edge_get(struct log_cache *c, uint64_t size, struct tlog_edge *out);
void log_cache_edge_put(struct log_cache *c, const struct tlog_edge *in);
void log_cache_stage(struct log_cache *c, unsigned level, uint64_t index,
		     const uint8_t hash[TLOG_HASH_SIZE]);
void log_cache_commit(struct log_cache *c);
void log_cache_drop(struct log_cache *c);
void log_cache_stats(struct log_cache *c, struct tlog_cache_stats *s);

/*
 * Replace `path` via "<path>.tmp", fsync, rename and fsync of the
 * directory: readers see the old file or the new one, never a mix.
 */
int log_file_replace(struct tlog_log *l, const char *path, const void *data, size_t len,
		     struct err *e) WARN_UNUSED;

/*
 * Write files in place, for tiles and bundles, which no reader looks at
 * before a checkpoint covers them. log_file_start creates (or truncates)
 * `path` (relative to the data directory, making missing directories,
 * whose parents join `dirs`) and writes `len` bytes, leaving it open in
 * `files` (synced first when full); the file's directory joins `dirs`.
 * log_files_sync fsyncs and closes them all (all are closed, even on
 * failure). Then fsync `dirs`.
 */
int log_file_start(struct tlog_log *l, const char *path, const void *data, size_t len,
		   struct log_files *files, struct log_dirs *dirs, struct err *e) WARN_UNUSED;
int log_files_sync(struct log_files *files, struct err *e) WARN_UNUSED;

/*
 * log_file_replace in two steps: log_file_stage writes and fsyncs
 * "<path>.tmp"; log_file_commit renames it into place and fsyncs the
 * directory, setting *renamed once the rename is done (a failure after
 * that leaves the new file in place, perhaps not durably).
 */
int log_file_stage(struct tlog_log *l, const char *path, const void *data, size_t len,
		   struct err *e) WARN_UNUSED;
int log_file_commit(struct tlog_log *l, const char *path, int *renamed,
		    struct err *e) WARN_UNUSED;

/* fsync every directory in `dirs` and empty it. */
int log_dirs_sync(struct tlog_log *l, struct log_dirs *dirs, struct err *e) WARN_UNUSED;

/*
 * Open `path` (relative to the data directory) for writing, creating it
 * (and missing directories, whose parents join `dirs`) but keeping what it
 * holds; its directory joins `dirs`. The descriptor goes to `*fd`.
 */
int log_file_open_rw(struct tlog_log *l, const char *path, int *fd, struct log_dirs *dirs,
		     struct err *e) WARN_UNUSED;

/*
 * Packed hash files (log_pack.c): DATA/pack/<P> holds the full level-0
 * tiles 256P..256P+255 of the checkpointed tree, concatenated (8 KiB
 * each), and nothing after the last full one. They are derived from the
 * tiles and never ahead of them: the sequencer writes a tile's place in
 * its pack in the batch that writes the full tile and fsyncs it with the
 * tiles, before the checkpoint.
 *
 * log_pack_path writes the path of pack `pack`. log_pack_repair (a
 * writable open, after recovery) makes every pack hold exactly the full
 * tiles of the checkpoint, rebuilding from the tiles what is missing or
 * short and cutting what a crash left past it, and sets l->pack_ok; a
 * pack it cannot rebuild leaves pack_ok clear (proofs read the tiles) and
 * is not an error. log_pack_write puts full level-0 tile `index` in its
 * pack (the pack's directory joins `dirs` when the pack is opened);
 * log_pack_sync fsyncs what was written, before the checkpoint;
 * log_pack_close closes the sequencer's pack (after a failed batch, and
 * on close). log_pack_pread reads hashes [first, first + n) of full tile
 * `index` with one pread through the cache's open packs: 1, or 0 when the
 * pack is missing or short (the caller reads the tile). log_pack_read_tile
 * reads the whole of tile `index` from its pack for the audit:
 * RC_NOTFOUND when the pack is missing or short, RC_IO.
 */
void log_pack_path(uint64_t pack, char out[LOG_PACK_PATH_MAX]);
void log_pack_repair(struct tlog_log *l);
int log_pack_write(struct tlog_log *l, uint64_t index, const uint8_t *hashes,
		   struct log_dirs *dirs, struct err *e) WARN_UNUSED;
int log_pack_sync(struct tlog_log *l, struct err *e) WARN_UNUSED;
void log_pack_close(struct tlog_log *l);
int log_pack_pread(struct tlog_log *l, uint64_t index, unsigned first, unsigned n, uint8_t *out);
int log_pack_read_tile(struct tlog_log *l, uint64_t index, uint8_t out[LOG_TILE_BYTES],
		       struct err *e) WARN_UNUSED;

/* pread exactly `len` bytes of `fd` at `off`: 0, or -1 (short or failed). */
int log_pread_all(int fd, uint8_t *out, size_t len, off_t off);

/*
 * Read a whole file (relative to the data directory) of at most `cap` bytes
 * into `out`; log_fd_read reads the rest of open file `fd` (named `path`
 * in errors), which it does not close.
 */
int log_file_read(struct tlog_log *l, const char *path, struct buf *out, size_t cap,
		  struct err *e) WARN_UNUSED;
int log_fd_read(int fd, const char *path, struct buf *out, size_t cap, struct err *e) WARN_UNUSED;

/* Delete the partial files of tile `t` (its "<path>.p/" directory). Failures are ignored. */
void log_partials_delete(struct tlog_log *l, const struct tlog_tile *t);

/*
 * Which partial files tile `t` (level and index; its width is ignored) has
 * on disk: have[w] is set for each "<path>.p/<w>", 0 < w < 256, the rest
 * cleared; names of other forms are not counted. No "<path>.p/" directory
 * is RC_OK with nothing set; RC_IO if it cannot be read.
 */
int log_partials_list(struct tlog_log *l, const struct tlog_tile *t,
		      uint8_t have[TLOG_TILE_WIDTH], struct err *e) WARN_UNUSED;

/*
 * Witnesses (log_witness.c). log_witness_setup parses the configured
 * witnesses and reads DIR/witness-state; log_witness_mark notes which of
 * them already cosigned the stored checkpoint; log_witness_start and
 * log_witness_stop run and end the thread; log_witness_release frees them.
 */
int log_witness_setup(struct tlog_log *l, const struct tlog_witness_conf *w, size_t n,
		      struct err *e) WARN_UNUSED;
void log_witness_mark(struct tlog_log *l);
int log_witness_start(struct tlog_log *l, struct err *e) WARN_UNUSED;
void log_witness_stop(struct tlog_log *l);
void log_witness_release(struct tlog_log *l);

#endif
