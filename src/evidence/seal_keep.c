/* seal_keep.c - what a seal keeps: field salts derived from the record's secret (or kept as JSON by older seals), and its leaf's one copy, in the store while pending and in the log after. */
#include "evidence/seal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "evidence/leaf.h"

int seal_salts(const struct store_seal *s, json_t *names, json_t **salts, struct err *e)
{
	*salts = NULL;
	if (s->has_secret)
		return leaf_salts(s->secret, names, salts, e);
	*salts = json_loads(s->salts && s->salts[0] ? s->salts : "{}", 0, NULL);
	if (!json_is_object(*salts)) {
		json_decref(*salts);
		*salts = NULL;
		return err_set(e, RC_INTERNAL, "bad_seal", NULL,
			       "the salts kept for %s %s are not JSON", s->kind, s->record_id);
	}
	return RC_OK;
}

int seal_leaf(struct tlog_log *log, struct store_seal *s, struct err *e)
{
	uint8_t h[TLOG_HASH_SIZE];
	char hash[48];
	struct buf entry;
	unsigned char *copy;
	int rc;

	if (s->leaf && s->leaf_len)
		return RC_OK;
	if (s->leaf_index < 0)
		return err_set(e, RC_NOTFOUND, "seal_pending", NULL,
			       "the pending seal of %s %s keeps no leaf", s->kind, s->record_id);
	buf_init(&entry, LEAF_MAX + 1024);
	rc = tlog_log_entry(log, (uint64_t)s->leaf_index, &entry, e);
	if (rc)
		goto out;
	tlog_leaf_hash(entry.data, entry.len, h);
	sodium_bin2base64(hash, sizeof(hash), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
	if (strcmp(hash, s->leaf_hash) != 0) {
		rc = err_set(e, RC_IO, "leaf_mismatch", NULL,
			     "log entry %lld is not the leaf of %s %s", (long long)s->leaf_index,
			     s->kind, s->record_id);
		goto out;
	}
	copy = malloc(entry.len ? entry.len : 1);
	if (!copy) {
		rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	memcpy(copy, entry.data, entry.len);
	free(s->leaf);
	s->leaf = copy;
	s->leaf_len = entry.len;
out:
	buf_release(&entry);
	return rc;
}
