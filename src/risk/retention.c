/* retention.c - shredding the personal data of orders past the retention policy, order by order, and leaving none of it on the disk. */
#include "risk/retention.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "core/jsonx.h"
#include "core/timeutil.h"
#include "evidence/blobstore.h"
#include "evidence/seal.h"
#include "evidence/shred.h"

const char *const retention_authorities[] = {"court", "regulator", "procuratorate", "police",
					     "arbitration", "platform_legal", NULL};

int64_t retention_cutoff(int64_t now, int years)
{
	time_t t = (time_t)(now / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	tm.tm_year -= years;
	return (int64_t)timegm(&tm) * 1000 + now % 1000;
}

/* One order being shredded. */
struct shred_job {
	struct store *st;
	struct tlog_log *log;  /* where the sealed leaves are read */
	const char *order_id;
	json_t *records;     /* register entries of its sealed records */
	json_t *blobs;       /* digests its records cite ("sha256:…"), unique */
	json_t *seqs;        /* its chain's seal rows */
	int64_t nrecords;
};

static int chain_seq(void *ctx, const struct store_seal *s)
{
	struct shred_job *j = ctx;

	return json_array_append_new(j->seqs, json_integer(s->seq)) ? RC_NOMEM : RC_OK;
}

static void note_blobs(struct shred_job *j, json_t *blobs)
{
	json_t *b, *x;
	size_t i, k;
	int seen;

	json_array_foreach(blobs, i, b) {
		seen = 0;
		json_array_foreach(j->blobs, k, x)
			seen |= json_equal(x, b);
		if (!seen)
			json_array_append(j->blobs, b);
	}
}

/* Shred one sealed record of the order's chain: its stored body and its seal's salts. */
static int shred_sealed(struct shred_job *j, int64_t seq, struct err *e)
{
	struct store_seal s;
	struct seal_parts parts;
	json_t *body = NULL, *gone = NULL;
	const char *body_kind, *body_id;
	char *salts = NULL;
	int rc, have_parts = 0;

	memset(&parts, 0, sizeof(parts));
	rc = store_seal_by_seq(j->st, seq, &s, e);
	if (rc)
		return rc;
	rc = seal_leaf(j->log, &s, e);
	if (!rc)
		rc = seal_load_record(j->st, &s, &body, e);
	if (rc)
		goto out;
	/* a payment is a leaf of its order's body */
	body_kind = strcmp(s.kind, "payment") == 0 ? "order" : s.kind;
	body_id = s.record_id;
	rc = seal_parts_of(s.kind, body, &parts, e);
	if (!rc) {
		note_blobs(j, parts.blobs);
		seal_parts_release(&parts);
		rc = shred_body(body_kind, body, e);
	}
	if (!rc)
		rc = seal_parts_of(s.kind, body, &parts, e);
	have_parts = rc == RC_OK;
	if (!rc)
		rc = shred_gone_fields(&s, parts.fields, &gone, e);
	if (!rc)
		rc = shred_seal_salts(&s, parts.fields, gone, &salts, e);
	if (!rc)
		rc = store_seal_salts_shred(j->st, s.seq, salts, e);
	if (!rc)
		rc = store_body_shred(j->st, body_kind, body_id, body, e);
	if (!rc && json_array_append_new(j->records,
					 json_pack("{s:s, s:s, s:I, s:O}", "kind", s.kind, "id",
						   s.record_id, "version", (json_int_t)s.version,
						   "fields", gone)))
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	if (!rc)
		j->nrecords++;
out:
	if (have_parts)
		seal_parts_release(&parts);
	if (salts) {
		sodium_memzero(salts, strlen(salts));
		free(salts);
	}
	json_decref(gone);
	json_decref(body);
	store_seal_release(&s);
	return rc;
}

/* Shred the personal text of the order's disputes (unsealed summaries) and forget copies of it. */
static int shred_disputes(struct shred_job *j, struct err *e)
{
	struct store_dispute_filter f = {NULL, NULL, NULL, NULL, j->order_id, -1};
	json_t *items = NULL, *d;
	int64_t after = 0, next = 0;
	size_t i;
	int rc;

	do {
		rc = store_dispute_list(j->st, &f, after, 100, &items, &next, e);
		json_array_foreach(items, i, d) {
			if (rc)
				break;
			rc = shred_body("dispute", d, e);
			if (!rc)
				rc = store_body_shred(j->st, "dispute",
						      json_string_value(json_object_get(d, "id")), d, e);
			if (!rc)
				rc = store_purge_mentions(
					j->st, json_string_value(json_object_get(d, "id")), e);
		}
		json_decref(items);
		items = NULL;
		after = next;
	} while (!rc && next);
	return rc;
}

static int shred_disclosures(struct shred_job *j, struct err *e)
{
	struct store_disclosure_filter f = {NULL, NULL, NULL, j->order_id};
	json_t *items = NULL, *d;
	int64_t after = 0, next = 0;
	size_t i;
	int rc;

	do {
		rc = store_disclosure_list(j->st, &f, after, 100, &items, &next, e);
		json_array_foreach(items, i, d) {
			if (rc)
				break;
			rc = shred_body("disclosure", d, e);
			if (!rc)
				rc = store_body_shred(j->st, "disclosure",
						      json_string_value(json_object_get(d, "id")), d, e);
		}
		json_decref(items);
		items = NULL;
		after = next;
	} while (!rc && next);
	return rc;
}

/* The consumer's own record, when this is the last of their orders kept. *done says so. */
static int shred_consumer(struct shred_job *j, const char *consumer_id, int *done,
			  struct err *e)
{
	json_t *c = NULL;
	int64_t live = 0;
	int rc;

	*done = 0;
	if (!consumer_id)
		return RC_OK;
	rc = store_consumer_live_orders(j->st, consumer_id, &live, e);
	if (rc || live > 1)
		return rc;
	rc = store_get(j->st, STORE_CONSUMER, consumer_id, &c, e);
	if (rc == RC_NOTFOUND) {
		err_clear(e);
		return RC_OK;
	}
	if (!rc)
		rc = shred_body("consumer", c, e);
	if (!rc)
		rc = store_body_shred(j->st, "consumer", consumer_id, c, e);
	json_decref(c);
	*done = rc == RC_OK;
	return rc;
}

/*
 * Shred one order inside a transaction of the caller's. *held is set (and
 * nothing done) when a legal hold keeps it; else *seal gets the row of the
 * register entry's seal and *gone_blobs the blob files to remove once the
 * transaction commits.
 */
static int shred_order(struct store *st, struct tlog_log *log, const char *order_id,
		       int64_t last, const struct retention_summary *sum, int *held, int64_t *seal,
		       json_t **gone_blobs, int64_t *nrecords, int *consumer, struct err *e)
{
	struct shred_job j;
	json_t *order = NULL, *entry = NULL, *x;
	char id[ID_MAX], policy[96], digest[65], consumer_id[ID_MAX] = "";
	int64_t created = time_now_ms();
	size_t i;
	int rc, cited;

	*held = 0;
	*gone_blobs = NULL;
	*consumer = 0;
	memset(&j, 0, sizeof(j));
	j.st = st;
	j.log = log;
	j.order_id = order_id;
	rc = store_order_held(st, order_id, held, e);
	if (rc || *held)
		return rc;
	j.records = json_array();
	j.blobs = json_array();
	j.seqs = json_array();
	*gone_blobs = json_array();
	if (!j.records || !j.blobs || !j.seqs || !*gone_blobs) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	rc = store_get(st, STORE_ORDER, order_id, &order, e);
	if (!rc)
		snprintf(consumer_id, sizeof(consumer_id), "%s",
			 json_string_value(json_object_get(json_object_get(order, "consumer"), "id"))
				 ? json_string_value(json_object_get(
					   json_object_get(order, "consumer"), "id"))
				 : "");
	if (!rc)
		rc = store_seal_chain_each(st, order_id, chain_seq, &j, e);
	json_array_foreach(j.seqs, i, x) {
		if (rc)
			break;
		rc = shred_sealed(&j, json_integer_value(x), e);
	}
	if (!rc)
		rc = shred_disputes(&j, e);
	if (!rc)
		rc = shred_disclosures(&j, e);
	json_array_foreach(j.blobs, i, x) {
		if (rc)
			break;
		if (!blob_parse_id(json_string_value(x), digest))
			continue;
		rc = store_blob_cited_elsewhere(st, digest, order_id, &cited, e);
		if (!rc && !cited)
			json_array_append(*gone_blobs, x);
	}
	if (!rc)
		rc = shred_consumer(&j, consumer_id[0] ? consumer_id : NULL, consumer, e);
	if (rc)
		goto out;
	id_new(id, "shr");
	snprintf(policy, sizeof(policy), "retention.years=%d (E-Commerce Law art. 31)", sum->years);
	entry = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:O, s:O, s:o}", "object", "shredding",
			  "id", id, "order", order_id, "policy", policy, "cutoff",
			  jx_time_json(sum->cutoff), "as_of", jx_time_json(sum->now),
			  "last_activity", jx_time_json(last), "records", j.records, "blobs",
			  *gone_blobs, "created_at", jx_time_json(created));
	if (entry && *consumer)
		json_object_set_new(entry, "consumer", json_string(consumer_id));
	if (!entry) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	rc = store_shredding_insert(st, id, order_id, created, entry, e);
	if (!rc)
		rc = seal_record(st, "shredding", entry, created, seal, e);
	if (!rc)
		rc = store_purge_mentions(st, order_id, e);
	if (!rc)
		*nrecords = j.nrecords;
out:
	if (rc) {
		json_decref(*gone_blobs);
		*gone_blobs = NULL;
	}
	json_decref(entry);
	json_decref(order);
	json_decref(j.records);
	json_decref(j.blobs);
	json_decref(j.seqs);
	return rc;
}

/* Shred one order in its own transaction, then remove its blob files and seal its entry. */
static int retention_order(struct store *st, struct tlog_log *log, const char *data_dir,
			   const char *order_id, int64_t last, struct retention_summary *sum,
			   struct err *e)
{
	json_t *gone = NULL, *x;
	int64_t seal = 0, nrecords = 0;
	char digest[65];
	size_t i;
	int rc, rc2, held = 0, consumer = 0;

	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = shred_order(st, log, order_id, last, sum, &held, &seal, &gone, &nrecords, &consumer, e);
	rc2 = store_end(st, rc == RC_OK && !held, rc ? NULL : e);
	if (!rc && !held)
		rc = rc2;
	if (!rc && held)
		sum->held++;
	if (rc || held) {
		json_decref(gone);
		return rc;
	}
	sum->orders++;
	sum->records += nrecords;
	sum->consumers += consumer;
	json_array_foreach(gone, i, x) {
		if (rc)
			break;
		if (!blob_parse_id(json_string_value(x), digest))
			continue;
		rc = blobstore_remove(data_dir, digest, e);
		if (rc == RC_NOTFOUND) {
			err_clear(e);
			rc = RC_OK;
		} else if (!rc) {
			sum->blobs++;
		}
	}
	json_decref(gone);
	if (!rc)
		rc = seal_wait(st, log, &seal, 1, e);
	return rc;
}

/*
 * Blob files the register lists as shredded but still on disk (a run
 * stopped between its commit and the unlink): removed now.
 */
static int blob_leftover(void *ctx, json_t *body)
{
	const char *data_dir = ctx;
	char digest[65];
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(body, "blobs"), i, x) {
		struct err ignore;

		if (blob_parse_id(json_string_value(x), digest) &&
		    blobstore_remove(data_dir, digest, &ignore)) {
			/* gone already, as it should be */
		}
	}
	return RC_OK;
}

int retention_run(struct store *st, struct tlog_log *log, const char *data_dir, int years,
		  int64_t now, struct retention_summary *sum, struct err *e)
{
	char (*ids)[ID_MAX] = NULL;
	int64_t *last = NULL, after = 0, next = 0;
	int n = 0, i, rc;

	memset(sum, 0, sizeof(*sum));
	if (years < RETENTION_MIN_YEARS || years > RETENTION_MAX_YEARS)
		return err_set(e, RC_INVAL, "invalid_setting", "retention.years",
			       "retention.years must be from %d (E-Commerce Law art. 31: at least "
			       "three years) to %d, not %d", RETENTION_MIN_YEARS,
			       RETENTION_MAX_YEARS, years);
	sum->now = now;
	sum->years = years;
	sum->cutoff = retention_cutoff(now, years);
	ids = calloc(RETENTION_BATCH, sizeof(*ids));
	last = calloc(RETENTION_BATCH, sizeof(*last));
	if (!ids || !last) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	rc = store_secure_delete(st, 1, e);
	if (!rc) {
		rc = store_begin(st, e);
		if (!rc) {
			rc = store_shredding_each(st, blob_leftover, (void *)data_dir, e);
			if (store_end(st, 0, NULL)) {
				/* a read */
			}
		}
	}
	do {
		if (rc)
			break;
		rc = store_begin(st, e);
		if (rc)
			break;
		rc = store_retention_due(st, sum->cutoff, after, RETENTION_BATCH, ids, last, &n,
					 &next, e);
		if (store_end(st, 0, NULL)) {
			/* a read */
		}
		for (i = 0; i < n && !rc; i++)
			rc = retention_order(st, log, data_dir, ids[i], last[i], sum, e);
		after = next;
	} while (!rc && next);
	if (!rc)
		rc = store_compact(st, e);
out:
	free(ids);
	free(last);
	return rc;
}
