/* assess_gather.c - what an assessment reads of a dispute: its texts, the photos of both sides, the logistics and the merchant's answers, copied out of the store. */
#include "assist/assess.h"

#include <string.h>

#include "evidence/blobstore.h"

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void add_text(json_t *texts, const char *source, const char *by, const char *text)
{
	if (text && *text)
		json_array_append_new(texts, json_pack("{s:s, s:s, s:s}", "source", source, "by",
						       by, "text", text));
}

/* Whether blob `id` is a photo (its stored type is an image). */
static int is_photo(struct store *st, const char *id)
{
	json_t *meta = NULL;
	char hex[65];
	int yes;

	if (!id || !blob_parse_id(id, hex) || store_blob_get(st, hex, &meta, NULL) != RC_OK)
		return 0;
	yes = str(meta, "content_type") && strncmp(str(meta, "content_type"), "image/", 6) == 0;
	json_decref(meta);
	return yes;
}

/* Each photo of `ids` (a list of blob ids), once, into in->consumer_images. */
static void add_photos(struct store *st, struct assess_input *in, json_t *ids,
		       const char *source)
{
	json_t *v, *x;
	size_t i, j;

	json_array_foreach(ids, i, v) {
		int seen = 0;

		json_array_foreach(in->consumer_images, j, x)
			seen |= json_equal(json_object_get(x, "blob"), v);
		if (!seen && is_photo(st, json_string_value(v)))
			json_array_append_new(in->consumer_images,
					      json_pack("{s:O, s:s}", "blob", v, "source", source));
	}
}

/* Every record of `kind` of the order (oldest first), each passed to `fn`. */
static int each_of_order(struct store *st, enum store_kind kind, const char *order,
			 void (*fn)(struct store *, struct assess_input *, json_t *),
			 struct assess_input *in, struct err *e)
{
	struct store_filter f = {NULL, NULL, order};
	json_t *items = NULL, *v;
	int64_t after = 0, next = 0;
	size_t i;
	int rc;

	do {
		rc = store_list(st, kind, &f, after, 200, &items, &next, e);
		json_array_foreach(items, i, v)
			fn(st, in, v);
		json_decref(items);
		items = NULL;
		after = next;
	} while (!rc && next);
	return rc;
}

static void take_message(struct store *st, struct assess_input *in, json_t *m)
{
	const char *by = str(m, "sender");

	add_text(in->texts, str(m, "id"), by, str(m, "text"));
	if (by && strcmp(by, "consumer") == 0)
		add_photos(st, in, json_object_get(m, "attachments"), str(m, "id"));
}

static void take_logistics(struct store *st, struct assess_input *in, json_t *ev)
{
	(void)st;
	json_array_append(in->logistics, ev);
}

/* store_dispute_event_each: what the parties said and showed in the dispute itself. */
struct event_walk {
	struct store *st;
	struct assess_input *in;
};

static int take_event(void *ctx, json_t *ev)
{
	struct event_walk *w = ctx;
	struct assess_input *in = w->in;
	const char *role = str(json_object_get(ev, "actor"), "role");
	json_t *data = json_object_get(ev, "data");

	if (!role || strcmp(str(ev, "type"), "assessment") == 0)
		return RC_OK;
	if (strcmp(role, "merchant") == 0)
		json_array_append(in->merchant_said, ev);
	if (strcmp(role, "consumer") != 0 && strcmp(role, "merchant") != 0)
		return RC_OK;
	add_text(in->texts, str(ev, "id"), role, str(data, "text"));
	if (strcmp(role, "consumer") == 0) {
		add_photos(w->st, in, json_object_get(data, "evidence"), str(ev, "id"));
		add_photos(w->st, in, json_object_get(data, "attachments"), str(ev, "id"));
	}
	return RC_OK;
}

/* The photos of the listing versions the order's items point at. */
static int listing_photos(struct store *st, struct assess_input *in, json_t *order,
			  struct err *e)
{
	json_t *it, *l = NULL, *v;
	size_t i, j;
	int rc = RC_OK;

	json_array_foreach(json_object_get(order, "items"), i, it) {
		rc = store_listing_version(st, str(it, "listing"),
					   json_integer_value(json_object_get(it, "listing_version")),
					   &l, e);
		if (rc == RC_NOTFOUND) {
			rc = RC_OK;
			continue;
		}
		if (rc)
			break;
		json_array_foreach(json_object_get(l, "images"), j, v)
			if (is_photo(st, json_string_value(v)))
				json_array_append(in->listing_images, v);
		json_decref(l);
		l = NULL;
	}
	return rc;
}

int assess_gather(struct store *st, const char *dispute_id, struct assess_input *in,
		  struct err *e)
{
	json_t *order = NULL;
	int rc;

	memset(in, 0, sizeof(*in));
	in->texts = json_array();
	in->listing_images = json_array();
	in->consumer_images = json_array();
	in->logistics = json_array();
	in->merchant_said = json_array();
	if (!in->texts || !in->listing_images || !in->consumer_images || !in->logistics ||
	    !in->merchant_said)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = store_dispute_get(st, dispute_id, &in->dispute, e);
	if (!rc)
		rc = store_get(st, STORE_ORDER, str(in->dispute, "order"), &order, e);
	if (rc)
		return rc;
	add_text(in->texts, dispute_id, "consumer", str(in->dispute, "description"));
	add_photos(st, in, json_object_get(in->dispute, "evidence"), dispute_id);
	rc = listing_photos(st, in, order, e);
	if (!rc)
		rc = each_of_order(st, STORE_MESSAGE, str(order, "id"), take_message, in, e);
	if (!rc)
		rc = each_of_order(st, STORE_LOGISTICS, str(order, "id"), take_logistics, in, e);
	if (!rc) {
		struct event_walk w = {st, in};

		rc = store_dispute_event_each(st, dispute_id, take_event, &w, e);
	}
	json_decref(order);
	return rc;
}

void assess_input_release(struct assess_input *in)
{
	json_decref(in->dispute);
	json_decref(in->texts);
	json_decref(in->listing_images);
	json_decref(in->consumer_images);
	json_decref(in->logistics);
	json_decref(in->merchant_said);
	memset(in, 0, sizeof(*in));
}
