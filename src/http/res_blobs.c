/* res_blobs.c - /v1/blobs: content-addressed uploads (licence images, listing photos, chat attachments). */
#include "http/http_int.h"

#include <stdlib.h>

#include "core/jsonx.h"
#include "evidence/blobstore.h"
#include "ingest/ingest.h"

int res_blob_create(struct http_req *r, struct err *e)
{
	struct ingest_ctx c = {.st = r->srv->st, .data_dir = r->srv->data_dir, .now = r->now};
	const char *type = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
	json_t *meta = NULL;
	int created = 0;
	int rc = ingest_blob(&c, type, r->body.data, r->body.len, &meta, &created, e);

	if (!rc)
		http_keep_seals(r, c.seals, c.nseals);
	if (rc)
		return rc;
	/*
	 * A consumer's or merchant's upload is theirs to see and cite. What it
	 * is told is about its own uploads only (201 the first time it sends
	 * these bytes, with that time), never whether someone else sent them.
	 */
	if (http_is(r, ROLE_CONSUMER | ROLE_MERCHANT)) {
		int64_t at = r->now;
		char hex[65];

		if (!blob_parse_id(json_string_value(json_object_get(meta, "id")), hex))
			rc = err_set(e, RC_INTERNAL, NULL, NULL, "stored blob has a bad id");
		if (!rc)
			rc = store_blob_upload(r->srv->st, hex, r->who.role, r->who.subject, r->now,
					       &created, &at, e);
		if (rc) {
			json_decref(meta);
			return rc;
		}
		json_object_set_new(meta, "created_at", jx_time_json(at));
	}
	return http_reply_json(r, created ? 201 : 200, meta);
}

/* The blob named in the path, if the caller may see it. */
static int find_blob(struct http_req *r, char hex[65], json_t **meta, struct err *e)
{
	json_t *rec;
	int rc;

	*meta = NULL;
	if (!blob_parse_id(r->params[0], hex))
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such blob");
	/* who may see it: disclose/ */
	rec = json_pack("{s:s}", "id", r->params[0]);
	if (!rec)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = http_may_see(r, DISCLOSE_BLOB, rec, e);
	json_decref(rec);
	if (rc)
		return rc;
	if (store_blob_get(r->srv->st, hex, meta, e))
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such blob");
	json_object_set_new(*meta, "created_at",
			    jx_time_json(json_integer_value(json_object_get(*meta, "created_at"))));
	return RC_OK;
}

int res_blob_get(struct http_req *r, struct err *e)
{
	char hex[65];
	json_t *meta;
	int rc = find_blob(r, hex, &meta, e);

	if (rc)
		return rc;
	return http_reply_json(r, 200, meta);
}

int res_blob_content(struct http_req *r, struct err *e)
{
	char hex[65], *data = NULL;
	size_t len = 0;
	json_t *meta;
	int rc = find_blob(r, hex, &meta, e);

	if (rc)
		return rc;
	rc = blobstore_get(r->srv->data_dir, hex, &data, &len, e);
	if (rc == RC_NOTFOUND) {
		int shredded = 0;

		rc = store_blob_shredded(r->srv->st, hex, &shredded, e);
		if (!rc && shredded)
			rc = err_set(e, RC_NOTFOUND, "blob_shredded", NULL,
				     "the blob's file was shredded under the retention policy");
		else if (!rc)
			rc = err_set(e, RC_IO, NULL, NULL,
				     "blob %s is recorded but its file is missing", hex);
	}
	if (!rc) {
		/* the stored type is one of blobstore's fixed set; map it to its static name */
		rc = http_reply_bytes(r, 200,
				      blob_static_type(json_string_value(
					      json_object_get(meta, "content_type"))),
				      data, len);
	}
	free(data);
	json_decref(meta);
	return rc;
}
