/* log_cache.c - the log's hash cache: hashes of complete subtrees kept in memory, bounded, for proofs and tiles. */
#include "tlog/log_int.h"

#include <stdlib.h>
#include <string.h>

/*
 * The cache holds hashes of complete subtrees only, which never change once
 * a checkpoint covers them, in chunks of LOG_CHUNK_WIDTH consecutive hashes
 * of one tree level (a chunk at tree level 8L is exactly hash tile L/N).
 * Chunks fall in three classes, each sure of its share of the budget and
 * free to use what the others leave unused; once the cache is full, a new
 * chunk evicts the least recently used one of its own class if that class
 * has its share, else of the class most over its share, so that hot leaves
 * never push the upper tree out of its share: levels >= LOG_CACHE_TOP_LEVEL (the upper tree: one hash
 * per 2^4 leaves and above; half the budget, which holds all of a tree of
 * 10^7 leaves under the default bound), level 3 (one hash per 8 leaves;
 * three eighths: under the default bound, those of 12 million leaves) and
 * levels 0-2 (the recent tiles; one eighth). A proof then computes at
 * most levels 0-2 of its leaf's group from the leaf hashes, read with one
 * pread from the tile's file, which the cache keeps open (log_fds.c).
 * Everything is under one mutex; a lookup holds it for a hash table probe
 * and a 32-byte copy, an inclusion proof once for all the hashes beside
 * its leaf's path (log_cache_path_get).
 */

static uint64_t chunk_key(unsigned level, uint64_t chunk)
{
	return chunk << 6 | level;
}

static size_t chunk_bucket(const struct log_cache *c, uint64_t key)
{
	uint64_t h = key * 0x9E3779B97F4A7C15ull;

	return (size_t)(h >> 20) & (c->nbucket - 1);
}

/* The class of a level's chunks. */
static unsigned level_class(unsigned level)
{
	if (level >= LOG_CACHE_TOP_LEVEL)
		return 2;
	return level == LOG_CACHE_MID_LEVEL ? 1 : 0;
}

static int chunk_has(const struct log_chunk *ch, unsigned i)
{
	return (int)(ch->have[i / 64] >> (i % 64) & 1);
}

int log_cache_init(struct log_cache *c, size_t bytes)
{
	size_t chunks, n = 16;

	memset(c, 0, sizeof(*c));
	if (bytes == 0)
		bytes = TLOG_LOG_CACHE_BYTES;
	chunks = bytes / sizeof(struct log_chunk);
	if (chunks < 2 * LOG_CACHE_MIN_CHUNKS)
		chunks = 2 * LOG_CACHE_MIN_CHUNKS;
	/* half for the upper tree, three eighths for level 3, one eighth for recent tiles */
	c->cls[2].max = chunks / 2;
	c->cls[1].max = chunks / 8 * 3;
	c->cls[0].max = chunks - c->cls[2].max - c->cls[1].max;
	while (n < 2 * chunks)
		n *= 2;
	c->bucket = calloc(n, sizeof(*c->bucket));
	if (!c->bucket)
		return RC_NOMEM;
	c->nbucket = n;
	log_fds_init(&c->fds);
	c->bytes = chunks * sizeof(struct log_chunk) + n * sizeof(*c->bucket);
	pthread_mutex_init(&c->mu, NULL);
	c->ready = 1;
	return RC_OK;
}

void log_cache_release(struct log_cache *c)
{
	struct log_chunk *ch, *next;
	int k;

	if (!c->ready)
		return;
	for (k = 0; k < LOG_CACHE_CLASSES; k++)
		for (ch = c->cls[k].head; ch; ch = next) {
			next = ch->next;
			free(ch);
		}
	free(c->bucket);
	free(c->staged);
	log_fds_release(&c->fds);
	pthread_mutex_destroy(&c->mu);
	memset(c, 0, sizeof(*c));
}

/* Unlink `ch` from its class's LRU list. */
static void lru_unlink(struct log_cache *c, struct log_chunk *ch)
{
	struct log_cache_class *k = &c->cls[ch->cls];

	if (ch->prev)
		ch->prev->next = ch->next;
	else
		k->head = ch->next;
	if (ch->next)
		ch->next->prev = ch->prev;
	else
		k->tail = ch->prev;
	ch->prev = ch->next = NULL;
}

static void lru_push_front(struct log_cache *c, struct log_chunk *ch)
{
	struct log_cache_class *k = &c->cls[ch->cls];

	ch->moved = ++c->moves;
	ch->prev = NULL;
	ch->next = k->head;
	if (k->head)
		k->head->prev = ch;
	k->head = ch;
	if (!k->tail)
		k->tail = ch;
}

/*
 * `ch` was just used: to the front of its list, unless fewer moves than a
 * quarter of its class's chunks went ahead of it since it was last put
 * there (it is then still in the front quarter, and the hot chunks of the
 * upper tree would otherwise be unlinked and relinked on every proof,
 * writing to two neighbours each time).
 */
static void lru_touch(struct log_cache *c, struct log_chunk *ch)
{
	if (c->moves - ch->moved <= c->cls[ch->cls].n / 4)
		return;
	lru_unlink(c, ch);
	lru_push_front(c, ch);
}

static struct log_chunk *chunk_find(struct log_cache *c, uint64_t key)
{
	struct log_chunk *ch;

	for (ch = c->bucket[chunk_bucket(c, key)]; ch; ch = ch->hnext)
		if (ch->key == key)
			return ch;
	return NULL;
}

static void chunk_unhash(struct log_cache *c, struct log_chunk *ch)
{
	struct log_chunk **p = &c->bucket[chunk_bucket(c, ch->key)];

	while (*p != ch)
		p = &(*p)->hnext;
	*p = ch->hnext;
}

/* Chunks held by all classes, and the most they may hold together. */
static size_t chunks_held(const struct log_cache *c, size_t *max)
{
	size_t n = 0, m = 0;
	unsigned k;

	for (k = 0; k < LOG_CACHE_CLASSES; k++) {
		n += c->cls[k].n;
		m += c->cls[k].max;
	}
	*max = m;
	return n;
}

/*
 * The class a new chunk of class `cls` is taken from when the cache is
 * full: its own once it has its share, else the one most over its share
 * (which there is, the cache being full).
 */
static unsigned victim_class(const struct log_cache *c, unsigned cls)
{
	size_t over, most = 0;
	unsigned k, v = cls;

	if (c->cls[cls].n >= c->cls[cls].max)
		return cls;
	for (k = 0; k < LOG_CACHE_CLASSES; k++) {
		over = c->cls[k].n > c->cls[k].max ? c->cls[k].n - c->cls[k].max : 0;
		if (over > most) {
			most = over;
			v = k;
		}
	}
	return v;
}

/*
 * The chunk of (level, chunk), made when absent: new while the cache has
 * room (a class may use what the others leave free), else evicting; NULL
 * without memory, or when `soft` and the cache is full.
 */
static struct log_chunk *chunk_get(struct log_cache *c, unsigned level, uint64_t chunk,
				   int soft)
{
	uint64_t key = chunk_key(level, chunk);
	unsigned cls = level_class(level), v;
	struct log_chunk *ch = chunk_find(c, key);
	size_t b, max;

	if (ch) {
		lru_touch(c, ch);
		return ch;
	}
	if (chunks_held(c, &max) >= max) {
		if (soft)
			return NULL;
		v = victim_class(c, cls);
		ch = c->cls[v].tail;
		if (!ch)
			return NULL;
		lru_unlink(c, ch);
		chunk_unhash(c, ch);
		c->cls[v].n--;
		c->evictions++;
	} else {
		ch = malloc(sizeof(*ch));
		if (!ch)
			return NULL;
	}
	c->cls[cls].n++;
	ch->key = key;
	ch->cls = cls;
	memset(ch->have, 0, sizeof(ch->have));
	b = chunk_bucket(c, key);
	ch->hnext = c->bucket[b];
	c->bucket[b] = ch;
	lru_push_front(c, ch);
	return ch;
}

/* Store the hash at (level, index); mu held. Without memory (or room, when `soft`) it is not kept. */
static void put_locked(struct log_cache *c, unsigned level, uint64_t index,
		       const uint8_t hash[TLOG_HASH_SIZE], int soft)
{
	struct log_chunk *ch = chunk_get(c, level, index / LOG_CHUNK_WIDTH, soft);
	unsigned i = (unsigned)(index % LOG_CHUNK_WIDTH);

	if (!ch)
		return;
	memcpy(ch->hash[i], hash, TLOG_HASH_SIZE);
	ch->have[i / 64] |= (uint64_t)1 << (i % 64);
}

int log_cache_get(struct log_cache *c, unsigned level, uint64_t index,
		  uint8_t out[TLOG_HASH_SIZE])
{
	struct log_chunk *ch;
	unsigned i = (unsigned)(index % LOG_CHUNK_WIDTH);
	int hit = 0;

	if (!c->ready || level >= 64)
		return 0;
	pthread_mutex_lock(&c->mu);
	ch = chunk_find(c, chunk_key(level, index / LOG_CHUNK_WIDTH));
	if (ch && chunk_has(ch, i)) {
		memcpy(out, ch->hash[i], TLOG_HASH_SIZE);
		lru_touch(c, ch);
		hit = 1;
		c->hits++;
	} else {
		c->misses++;
	}
	pthread_mutex_unlock(&c->mu);
	return hit;
}

void log_cache_put(struct log_cache *c, unsigned level, uint64_t index, size_t n,
		   const uint8_t *hashes)
{
	size_t k;

	if (!c->ready || level >= 64)
		return;
	pthread_mutex_lock(&c->mu);
	for (k = 0; k < n; k++)
		put_locked(c, level, index + k, hashes + k * TLOG_HASH_SIZE, 0);
	pthread_mutex_unlock(&c->mu);
}

void log_cache_offer(struct log_cache *c, unsigned level, uint64_t index, size_t n,
		     const uint8_t *hashes)
{
	size_t k;

	if (!c->ready || level >= 64)
		return;
	pthread_mutex_lock(&c->mu);
	for (k = 0; k < n; k++)
		put_locked(c, level, index + k, hashes + k * TLOG_HASH_SIZE, 1);
	pthread_mutex_unlock(&c->mu);
}

int log_cache_span(struct log_cache *c, unsigned level, uint64_t index, size_t n,
		   uint8_t *out)
{
	struct log_chunk *ch;
	size_t k, i = (size_t)(index % LOG_CHUNK_WIDTH);
	int all = 1;

	if (!c->ready || level >= 64 || n == 0 || i + n > LOG_CHUNK_WIDTH)
		return 0;
	pthread_mutex_lock(&c->mu);
	ch = chunk_find(c, chunk_key(level, index / LOG_CHUNK_WIDTH));
	for (k = 0; ch && all && k < n; k++)
		all = chunk_has(ch, (unsigned)(i + k));
	if (ch && all)
		memcpy(out, ch->hash[i], n * TLOG_HASH_SIZE);
	pthread_mutex_unlock(&c->mu);
	return ch && all;
}

void log_cache_path_get(struct log_cache *c, uint64_t index, uint64_t size,
			struct log_path *path)
{
	struct log_chunk *ch, *heads[64];
	uint64_t key[64], sib;
	unsigned slot[64], lvl[64], n = 0, k, level;

	path->leaf = index;
	path->have = 0;
	if (!c->ready || index >= size)
		return;
	/* the complete subtrees beside the leaf's path, which its proof asks for */
	for (level = 0; level < 63 && size >> level; level++) {
		sib = (index >> level) ^ 1;
		if (sib >= size >> level)
			continue;
		lvl[n] = level;
		key[n] = chunk_key(level, sib / LOG_CHUNK_WIDTH);
		slot[n++] = (unsigned)(sib % LOG_CHUNK_WIDTH);
	}
	/* rounds of loads that miss together instead of one after another */
	pthread_mutex_lock(&c->mu);
	for (k = 0; k < n; k++)
		__builtin_prefetch(&c->bucket[chunk_bucket(c, key[k])]);
	for (k = 0; k < n; k++) {
		heads[k] = c->bucket[chunk_bucket(c, key[k])];
		if (heads[k])
			__builtin_prefetch(heads[k]);
	}
	for (k = 0; k < n; k++) {
		for (ch = heads[k]; ch && ch->key != key[k]; ch = ch->hnext)
			;
		heads[k] = ch && chunk_has(ch, slot[k]) ? ch : NULL;
		if (heads[k])
			__builtin_prefetch(ch->hash[slot[k]]);
	}
	for (k = 0; k < n; k++) {
		ch = heads[k];
		if (!ch)
			continue;
		memcpy(path->hash[lvl[k]], ch->hash[slot[k]], TLOG_HASH_SIZE);
		path->have |= (uint64_t)1 << lvl[k];
		lru_touch(c, ch);
	}
	c->hits += (uint64_t)__builtin_popcountll(path->have);
	pthread_mutex_unlock(&c->mu);
}

/* Copy the hashes `from` holds that `to` lacks; both of one size. */
static void edge_merge(struct tlog_edge *to, const struct tlog_edge *from)
{
	uint64_t add = from->have & ~to->have;
	unsigned b;

	for (; add; add &= add - 1) {
		b = (unsigned)__builtin_ctzll(add);
		memcpy(to->hash[b], from->hash[b], TLOG_HASH_SIZE);
	}
	to->have |= from->have;
}

void log_cache_edge_get(struct log_cache *c, uint64_t size, struct tlog_edge *out)
{
	out->size = size;
	out->have = 0;
	if (!c->ready)
		return;
	pthread_mutex_lock(&c->mu);
	if (c->edge.size == size)
		edge_merge(out, &c->edge);
	pthread_mutex_unlock(&c->mu);
}

void log_cache_edge_put(struct log_cache *c, const struct tlog_edge *in)
{
	if (!c->ready)
		return;
	pthread_mutex_lock(&c->mu);
	if (in->size > c->edge.size) {
		c->edge.size = in->size;
		c->edge.have = 0;
	}
	if (in->size == c->edge.size)
		edge_merge(&c->edge, in);
	pthread_mutex_unlock(&c->mu);
}

void log_cache_stage(struct log_cache *c, unsigned level, uint64_t index,
		     const uint8_t hash[TLOG_HASH_SIZE])
{
	struct log_staged *p;
	size_t a;

	if (!c->ready)
		return;
	if (c->nstaged == c->staged_alloc) {
		a = c->staged_alloc ? c->staged_alloc * 2 : 1024;
		p = realloc(c->staged, a * sizeof(*p));
		if (!p)
			return; /* the cache only misses it */
		c->staged = p;
		c->staged_alloc = a;
	}
	p = &c->staged[c->nstaged++];
	p->level = level;
	p->index = index;
	memcpy(p->hash, hash, TLOG_HASH_SIZE);
}

void log_cache_commit(struct log_cache *c)
{
	size_t k;

	if (!c->ready)
		return;
	pthread_mutex_lock(&c->mu);
	for (k = 0; k < c->nstaged; k++)
		put_locked(c, c->staged[k].level, c->staged[k].index, c->staged[k].hash, 0);
	pthread_mutex_unlock(&c->mu);
	log_cache_drop(c);
}

void log_cache_drop(struct log_cache *c)
{
	c->nstaged = 0;
	/* a huge batch's staging area is not kept for the next, small one */
	if (c->staged_alloc > LOG_CACHE_STAGE_KEEP) {
		free(c->staged);
		c->staged = NULL;
		c->staged_alloc = 0;
	}
}

void log_cache_stats(struct log_cache *c, struct tlog_cache_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (!c->ready)
		return;
	pthread_mutex_lock(&c->mu);
	s->bytes_max = c->bytes;
	s->chunks = c->cls[0].n + c->cls[1].n + c->cls[2].n;
	s->bytes = s->chunks * sizeof(struct log_chunk) + c->nbucket * sizeof(*c->bucket);
	s->hits = c->hits;
	s->misses = c->misses;
	s->evictions = c->evictions;
	s->pack_hits = c->fds.hits;
	s->pack_misses = c->fds.misses;
	pthread_mutex_unlock(&c->mu);
}

/* ---- the tlog_hash_fn of proofs: the cache first, then the tiles ---- */

void log_hash_ctx_init(struct log_hash_ctx *hc, struct tlog_log *l, uint64_t size)
{
	hc->l = l;
	hc->size = size;
	err_clear(&hc->err);
	hc->probe = 0;
	hc->first = 0;
	hc->nleaf = 0;
	hc->path.leaf = 0;
	hc->path.have = 0;
}

/*
 * Keep hashes a proof read or computed, unless the context is a probe of
 * a tree not yet known to extend the log's (a refresh checking a new
 * checkpoint): a forked tree's hashes must not be served for the old one.
 */
static void ctx_put(struct log_hash_ctx *hc, unsigned level, uint64_t index, size_t n,
		    const uint8_t *hashes)
{
	if (!hc->probe)
		log_cache_put(&hc->l->cache, level, index, n, hashes);
}

/*
 * The hash at (level, index) of hash tile (level / 8): the tile read from
 * its file as of the context's size, all its hashes put in the cache.
 */
static int hash_from_tile(struct log_hash_ctx *hc, unsigned level, uint64_t index,
			  uint8_t out[TLOG_HASH_SIZE])
{
	struct tlog_log *l = hc->l;
	uint8_t data[TLOG_TILE_WIDTH * TLOG_HASH_SIZE];
	uint64_t tile = index / TLOG_TILE_WIDTH;
	unsigned width, i = (unsigned)(index % TLOG_TILE_WIDTH);
	size_t len;
	int rc;

	rc = log_tile_read(l, (int)(level / TLOG_TILE_HEIGHT), tile, hc->size, data, sizeof(data),
			   &width, &len, &hc->err);
	if (rc)
		return rc;
	if (width <= i)
		return err_set(&hc->err, RC_IO, "log_corrupt", NULL,
			       "tile %u/%llu is narrower than its tree size says",
			       level / TLOG_TILE_HEIGHT, (unsigned long long)tile);
	ctx_put(hc, level, tile * TLOG_TILE_WIDTH, width, data);
	memcpy(out, data + (size_t)i * TLOG_HASH_SIZE, TLOG_HASH_SIZE);
	return RC_OK;
}

/*
 * Make the context hold the leaf hashes [lo, lo + n) (within one tile, of
 * the tree): from the cache, or read with one pread and offered to the
 * cache (kept while it has room), unless it holds them already.
 */
static int leaves_load(struct log_hash_ctx *hc, uint64_t lo, unsigned n)
{
	uint64_t tile = lo / TLOG_TILE_WIDTH;
	int rc;

	if (hc->nleaf && lo >= hc->first && lo + n <= hc->first + hc->nleaf)
		return RC_OK;
	hc->nleaf = 0;
	if (!log_cache_span(&hc->l->cache, 0, lo, n, hc->leaf[0])) {
		rc = log_tile_pread(hc->l, 0, tile, hc->size, (unsigned)(lo % TLOG_TILE_WIDTH), n,
				    hc->leaf[0], &hc->err);
		if (rc)
			return rc;
		if (!hc->probe)
			log_cache_offer(&hc->l->cache, 0, lo, n, hc->leaf[0]);
	}
	hc->first = lo;
	hc->nleaf = n;
	return RC_OK;
}

/* Leaf `leaf`'s group of LOG_GROUP_WIDTH leaves: its first leaf and how many the tree has. */
static uint64_t group_of(const struct log_hash_ctx *hc, uint64_t leaf, unsigned *n)
{
	uint64_t lo = leaf / LOG_GROUP_WIDTH * LOG_GROUP_WIDTH;

	*n = hc->size - lo < LOG_GROUP_WIDTH ? (unsigned)(hc->size - lo) : LOG_GROUP_WIDTH;
	return lo;
}

/* Leaf hash `leaf` not in the cache: read with its group. */
static int leaf_get(struct log_hash_ctx *hc, uint64_t leaf, uint8_t out[TLOG_HASH_SIZE])
{
	unsigned n;
	uint64_t lo = group_of(hc, leaf, &n);
	int rc = leaves_load(hc, lo, n);

	if (rc)
		return rc;
	memcpy(out, hc->leaf[leaf - hc->first], TLOG_HASH_SIZE);
	return RC_OK;
}

/*
 * (level, index) for 0 < level < TLOG_TILE_HEIGHT from its leaves: those
 * of its group of LOG_GROUP_WIDTH when it is below LOG_CACHE_TOP_LEVEL
 * (the rest of a proof's path there comes from the same read), else the
 * whole tile's, whose other nodes the same proof asks for next; the
 * hashes of levels >= LOG_CACHE_MID_LEVEL on the way are kept.
 */
static int hash_from_leaves(struct log_hash_ctx *hc, unsigned level, uint64_t index,
			    uint8_t out[TLOG_HASH_SIZE])
{
	uint8_t h[LOG_LEAVES_MAX / 2][TLOG_HASH_SIZE];
	uint64_t lo = index << level, glo;
	unsigned w = 1u << level, n, i;
	int rc;

	if (level < LOG_CACHE_TOP_LEVEL) {
		glo = group_of(hc, lo, &n);
	} else {
		glo = lo / TLOG_TILE_WIDTH * TLOG_TILE_WIDTH;
		n = hc->size - glo < TLOG_TILE_WIDTH ? (unsigned)(hc->size - glo)
						     : TLOG_TILE_WIDTH;
	}
	rc = leaves_load(hc, glo, n);
	if (rc)
		return rc;
	/* the first level straight from the leaves, the rest in place */
	for (i = 0; i < w / 2; i++)
		tlog_node_hash(hc->leaf[lo - hc->first + 2 * i],
			       hc->leaf[lo - hc->first + 2 * i + 1], h[i]);
	for (level = 1, w /= 2; ; level++, w /= 2) {
		if (level >= LOG_CACHE_MID_LEVEL)
			ctx_put(hc, level, lo >> level, w, h[0]);
		if (w == 1)
			break;
		for (i = 0; i < w / 2; i++)
			tlog_node_hash(h[2 * i], h[2 * i + 1], h[i]);
	}
	memcpy(out, h[0], TLOG_HASH_SIZE);
	return RC_OK;
}

/*
 * (level, index) from the cache or, missing, from its two children when
 * the cache has both, else from its leaves (below tile level 1) or from
 * its hash tile; each hash computed at level >= LOG_CACHE_MID_LEVEL is
 * kept. A complete subtree has complete children, so this never asks for
 * a hash the tree does not have.
 */
static int hash_get(struct log_hash_ctx *hc, unsigned level, uint64_t index,
		    uint8_t out[TLOG_HASH_SIZE])
{
	uint8_t left[TLOG_HASH_SIZE], right[TLOG_HASH_SIZE];
	struct log_cache *c = &hc->l->cache;
	int rc;

	if ((hc->path.have >> level & 1) && index == ((hc->path.leaf >> level) ^ 1)) {
		memcpy(out, hc->path.hash[level], TLOG_HASH_SIZE);
		return RC_OK;
	}
	if (log_cache_get(c, level, index, out))
		return RC_OK;
	if (level == 0)
		return leaf_get(hc, index, out);
	if (level % TLOG_TILE_HEIGHT == 0)
		return hash_from_tile(hc, level, index, out);
	if (level < TLOG_TILE_HEIGHT) {
		if (!log_cache_get(c, level - 1, 2 * index, left) ||
		    !log_cache_get(c, level - 1, 2 * index + 1, right))
			return hash_from_leaves(hc, level, index, out);
		tlog_node_hash(left, right, out);
		if (level >= LOG_CACHE_MID_LEVEL)
			ctx_put(hc, level, index, 1, out);
		return RC_OK;
	}
	rc = hash_get(hc, level - 1, 2 * index, left);
	if (!rc)
		rc = hash_get(hc, level - 1, 2 * index + 1, right);
	if (rc)
		return rc;
	tlog_node_hash(left, right, out);
	ctx_put(hc, level, index, 1, out);
	return RC_OK;
}

int log_hash_get(void *ctx, uint64_t level, uint64_t index, uint8_t out[TLOG_HASH_SIZE])
{
	struct log_hash_ctx *c = ctx;

	if (level >= 64 || index >= (c->size >> level))
		return err_set(&c->err, RC_NOTFOUND, "not_found", NULL,
			       "no complete subtree at level %llu, index %llu in a tree of size %llu",
			       (unsigned long long)level, (unsigned long long)index,
			       (unsigned long long)c->size);
	return hash_get(c, (unsigned)level, index, out);
}
