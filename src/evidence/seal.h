/* seal.h - sealing records into the evidence log: what each record's leaf holds, and waiting for the log. */
#ifndef DISPUTED_SEAL_H
#define DISPUTED_SEAL_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "evidence/leaf.h"
#include "store/store.h"
#include "tlog/log.h"

/*
 * Every record the platform pushes is sealed: inside the transaction that
 * stores it, its leaf (leaf.h) is built with salts derived from a fresh
 * secret and kept in the store as a pending seal. After the transaction commits, the caller hands
 * the pending seals to the log (seal_wait), which returns once they are
 * integrated and durable, and the store notes their leaf indexes (the
 * write pipeline, pipeline.h, does both for a whole batch). Seals
 * left pending by a crash, or by an import while a server held the log,
 * are integrated by seal_pending.
 *
 * Leaf kinds: merchant (one per version of its identity: version 1 sealed
 * as version 0, later ones as their number, store_merchant_seal_version),
 * listing (one per version), order, payment (the
 * order's payment, id = the order's id), logistics, message, dispute_event,
 * blob, ledger_entry (funds.h; outside every order's chain), consumer_flag_event
 * (risk/consumer.h; outside every chain).
 *
 * The records of one order (order, payment, logistics, message,
 * dispute_event) form a chain (leaf.h): seal_record puts each after the
 * order's current head, inside the caller's transaction, so the store's
 * one writer at a time keeps each chain a line; the order's leaf links the
 * leaves of its merchant and listing versions (the order's merchant_version,
 * 1 when it names none), which must be sealed first.
 */

/* The parts of a stored record that its leaf commits to. */
struct seal_parts {
	const char *kind;    /* leaf type */
	const char *id;      /* record id (borrowed from the body) */
	int64_t version;     /* listings: version; merchants: store_merchant_seal_version; else 0 */
	int64_t time_ms;     /* the record's created_at */
	json_t *fields;      /* name → string value (owned) */
	json_t *blobs;       /* array of "sha256:…" (owned) */
};

void seal_parts_release(struct seal_parts *p);

/*
 * The parts of a record body of leaf kind `kind` ("merchant", "listing",
 * "order", "payment", "logistics", "message", "blob"). For "payment" pass
 * the order; for "blob" the blob's metadata object. The body must outlive
 * `p`.
 */
int seal_parts_of(const char *kind, json_t *body, struct seal_parts *p,
		  struct err *e) WARN_UNUSED;

/*
 * Seal a record inside the caller's store transaction: build its leaf with
 * salts derived from a new secret (leaf_salt) and keep it, with the
 * secret, as a pending seal. *seq (may be NULL) gets its row.
 */
int seal_record(struct store *st, const char *kind, json_t *body, int64_t now,
		int64_t *seq, struct err *e) WARN_UNUSED;

/*
 * Leaves prepared before the writer. Most of a leaf's cost is its field
 * commitments (a salt derived per field, a SHA-256 and base64 each), and
 * they depend only on the record's secret and each field's name and
 * value, not on the store. A requesting thread (an HTTP handler's, the
 * import's reader) draws the secrets of the seals a write will make and
 * commits, ahead, to the fields it expects their records to have
 * (seal_prep_add); the write pipeline hands the prep to the writer
 * (pipeline_job.prep, seal_prep_use), whose seal_record then takes a seal
 * of kind K's secret from the prep's first unused entry of kind K and
 * reuses each commitment whose field has the very same name and value in
 * the record as stored. What only the writer knows (ids it assigns or
 * resolves, the chain's seq and previous leaf, the links to merchant and
 * listing versions, a value normalised differently) it commits to itself,
 * so the leaf is byte for byte the one seal_record makes without a prep
 * under the same secret; the leaf hash, over the chain lines too, is the
 * writer's. An entry's secret is used for one seal at most, even when the
 * writer rolls that seal back, and is wiped by seal_prep_release.
 */
#define SEAL_PREP_MAX 4
#define SEAL_MADE_MAX 16

struct seal_prep {
	size_t n;
	struct seal_prep_entry {
		char kind[32];
		uint8_t secret[LEAF_SECRET_SIZE];
		json_t *known;   /* leaf_commitments: name → [value, commitment] */
		int used;        /* taken by a seal_record */
	} s[SEAL_PREP_MAX];
	/*
	 * The seals seal_record made while this prep was in use (the first
	 * SEAL_MADE_MAX), and where the log put their leaves once the caller's
	 * sealer knows (seal_batch_indexes): the reply shows them without
	 * reading the store (seal_annotate_made).
	 */
	size_t nmade;
	struct seal_made {
		int64_t seq;
		char kind[24];
		char record_id[80];
		int64_t version;
		char leaf_hash[48];
		int64_t leaf_index;  /* -1 until seal_batch_indexes */
	} made[SEAL_MADE_MAX];
};

/*
 * Add an entry for a seal of `kind` whose record is expected to have the
 * fields of `src` (flattened as seal_parts_of flattens it; keys of `skip`,
 * NULL-terminated, left out). A prep is an optimisation: a caller may
 * ignore its failure (RC_NOMEM, too many entries, a field name no leaf
 * may have), and seal_record then does the work itself.
 */
int seal_prep_add(struct seal_prep *p, const char *kind, json_t *src, const char *const *skip,
		  struct err *e) WARN_UNUSED;

/* Wipe the secrets and free the commitments; `p` is empty again. */
void seal_prep_release(struct seal_prep *p);

/* The prep seal_record on this thread takes from (NULL: none), until changed. */
void seal_prep_use(struct seal_prep *p);

/* Forget the seals made with `p` (NULL: a no-op): a job applied again makes them anew. */
void seal_prep_made_reset(struct seal_prep *p);

/*
 * Each seal's leaf goes into the log once. The invariant that keeps it so:
 *
 * - Across processes, only the holder of the log's lock appends (a second
 *   writer's tlog_log_open fails), and it calls seal_recover once after
 *   opening the log, before any seal_wait or seal_pending on it: a crash
 *   between the log's append and the store's recording of the index left
 *   the leaf in the log with its seal still pending, and recovery records
 *   that index instead of appending the leaf again.
 * - Within the process, a seal's leaf is appended only by the call that
 *   holds the seal's claim (an in-memory table, per log), and that call
 *   reads whether the seal is still pending only once it holds the claim.
 *   The claim is held until the index is recorded; a request thread and
 *   the background sweeper that reach the same seal therefore take turns,
 *   and the second finds it integrated. If recording fails after the log
 *   took the leaf, the claim keeps the index (with no holder), and the
 *   next call to claim the seal records that index instead of appending.
 *
 * Claims are taken before, and never inside, a store transaction, so a
 * call waiting for another's claim never holds what that call needs.
 */

/*
 * Integrate pending seals `seqs[0..n)` into the log and note their leaf
 * indexes; call outside any store transaction. Seals already integrated
 * are skipped; a seal another call is integrating is waited for. Returns
 * once the log has made them durable and the store has their indexes.
 */
int seal_wait(struct store *st, struct tlog_log *log, const int64_t *seqs, size_t n,
	      struct err *e) WARN_UNUSED;

/* Longest seal_await waits for the sequencer (a takeover takes a few seconds). */
#define SEAL_AWAIT_MS 30000

/*
 * Several nodes (store_shared): wait, outside any transaction, until the
 * log's sequencer — this process's or another's (evidence/sequencer.h) —
 * has recorded the leaf indexes of seals `seqs[0..n)`, then refresh `log`
 * (a read-only log that follows the sequencer's; NULL: none) so that it
 * covers them. With `listen`, `st` is a connection of the caller's thread
 * alone and waits for the sequencer's signal between counts
 * (store_signal_wait); without, it polls. Past SEAL_AWAIT_MS: RC_INTERNAL,
 * code "seal_pending" (the records are stored; their seals stay pending
 * for the sequencer). seal_wait on a read-only log is seal_await polling.
 */
int seal_await(struct store *st, struct tlog_log *log, const int64_t *seqs, size_t n,
	       int listen, struct err *e) WARN_UNUSED;

/*
 * The write pipeline's sealing (pipeline.h), in steps around the
 * commit of the transaction that made seals seqs[0..n):
 *
 * - seal_batch_take, inside that transaction: claims the seals (without
 *   waiting: none of them can be another call's yet, since no other
 *   transaction sees them; one that is anyway is left to seal_batch_settle
 *   to wait for, as seal_wait does) and copies their leaves, so that the
 *   sealing reads nothing more from the store. *out is new.
 * - seal_batch_log, after the commit, with no transaction open: one append
 *   of every leaf (one fsync of the log for the batch).
 * - seal_batch_record, inside an open write transaction (the caller's own,
 *   which need not fsync: see seal_integrate; or one it commits anyway):
 *   their indexes and the log's new checkpoint, as seal_wait records them.
 *   It may fail, and the transaction be rolled back.
 * - seal_batch_settle, once that transaction committed (`recorded` 1) or
 *   did not (0: the indexes the log gave stay known for the next call):
 *   the claims dropped; recorded, it waits for seals another call had
 *   claimed, so it may block: no transaction open.
 * - seal_batch_merge: batches taken by several transactions, appended as one.
 * - seal_batch_free: drops the claims still held (when the commit failed,
 *   or nothing was appended), and frees. NULL is a no-op.
 */
struct seal_batch;

int seal_batch_take(struct store *st, struct tlog_log *log, const int64_t *seqs, size_t n,
		    struct seal_batch **out, struct err *e) WARN_UNUSED;
int seal_batch_log(struct seal_batch *b, struct err *e) WARN_UNUSED;
int seal_batch_record(struct store *st, struct seal_batch *b, struct err *e) WARN_UNUSED;
int seal_batch_settle(struct store *st, struct seal_batch *b, int recorded,
		      struct err *e) WARN_UNUSED;
/*
 * Move everything of `from` (taken, not yet appended) into `into`, which
 * then holds its claims, and free `from`; on failure (RC_NOMEM) both are
 * left as they were.
 */
int seal_batch_merge(struct seal_batch *into, struct seal_batch *from,
		     struct err *e) WARN_UNUSED;
void seal_batch_free(struct seal_batch *b);

/*
 * After a successful seal_batch_log of `b`: the leaf index of each seal the
 * `n` preps (NULL entries skipped) made that `b` sealed. Out of memory,
 * they are left without: the replies then read their seals from the store.
 */
void seal_batch_indexes(const struct seal_batch *b, struct seal_prep *const *preps, size_t n);

/*
 * Integrate every pending seal created before `older_than` (ms; INT64_MAX
 * for all) that no other call is integrating; those are left to it.
 * *count (may be NULL) gets how many were integrated.
 */
int seal_pending(struct store *st, struct tlog_log *log, int64_t older_than, int64_t *count,
		 struct err *e) WARN_UNUSED;

/*
 * The record a seal was made from, as the store holds it now (for a
 * payment, its order; for a blob, its metadata with created_at as text).
 * *body is new. RC_NOTFOUND if the record is gone.
 */
int seal_load_record(struct store *st, const struct store_seal *s, json_t **body,
		     struct err *e) WARN_UNUSED;

/*
 * Crash recovery; call once after opening `log` for writing, before
 * seal_wait or seal_pending use it. Every log entry (up to the latest
 * checkpoint) at an index that no seal records is compared with the
 * pending seals: one whose leaf it is gets that index, rather than being
 * appended a second time. *matched gets how many were. Entries that are no
 * pending seal's leaf are left as they are (`disputed audit` reports them).
 * It starts from where the last recovery reached, kept in the store
 * (meta `seals_recovered_through`: every entry below it recorded or no
 * pending seal's leaf, for good), so a start does not read every index of
 * a large log; from the first entry when there is no such mark or the
 * log no longer reaches it.
 */
int seal_recover(struct store *st, struct tlog_log *log, int64_t *matched,
		 struct err *e) WARN_UNUSED;

/*
 * Before closing a log this process appended to, once its own appends are
 * over: when no seal is pending, keep the log's size as the mark the next
 * seal_recover starts from, so the next start reads none of what this one
 * appended. With a seal still pending, the mark stays where it was.
 */
int seal_close_mark(struct store *st, struct tlog_log *log, struct err *e) WARN_UNUSED;

/*
 * Set "sealed": {"leaf_index", "leaf_hash"} on a record object as served
 * (merchant, listing, order — and its payment —, logistics_event, message,
 * blob) from its seal, when the seal is integrated. Call inside a store
 * transaction. Records of other kinds, or not yet integrated, are left
 * unchanged.
 */
int seal_annotate(struct store *st, json_t *obj, struct err *e) WARN_UNUSED;

/*
 * seal_annotate from the seals `p` made and the indexes the sealer gave
 * them, with no store: 1 when every record of `obj` that has a seal kind
 * was found there (and annotated), 0 when one was not (the caller then
 * annotates from the store; what was set here it sets again).
 */
int seal_annotate_made(const struct seal_prep *p, json_t *obj);

/*
 * Where a seal's parts are kept (seal_keep.c). A seal made since secrets
 * keeps 32 bytes of secret, from which every field's salt derives
 * (leaf_salt); an older seal, or a shredded one, keeps its salts as JSON
 * (for a shredded one, only those of the fields it still has). A pending
 * seal keeps its leaf's bytes; once its index is recorded the log's entry
 * is the one copy of the leaf, and the seal row keeps only its hash.
 *
 * The secret, like the salts before it, is evidence key material: it
 * never leaves the process except as the salts of disclosed fields.
 */

/*
 * The salts of a seal's fields named by the keys of `names` (an object):
 * derived from its secret, or, for a seal without one, every salt it keeps
 * (`names` is then not read). *salts is a new object name → base64 salt.
 * RC_INTERNAL (code "bad_seal") if the kept salts are not JSON.
 */
int seal_salts(const struct store_seal *s, json_t *names, json_t **salts,
	       struct err *e) WARN_UNUSED;

/*
 * Make sure s->leaf holds the seal's leaf: kept by the seal itself, or
 * read from `log` at its leaf index (outside or inside a store
 * transaction; the log is not the store). The entry read must hash to
 * s->leaf_hash: RC_IO (code "leaf_mismatch") if not, RC_NOTFOUND if the
 * seal is pending without a leaf or its index is past the log's checkpoint.
 */
int seal_leaf(struct tlog_log *log, struct store_seal *s, struct err *e) WARN_UNUSED;

#endif
