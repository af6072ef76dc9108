/* store.c - the store's code that no backend owns: choosing the backend, and freeing what it hands out. */
#include "store/store.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/* The schemes of a PostgreSQL URL. */
static const char *const pg_schemes[] = {"postgres://", "postgresql://"};

int store_open(const char *path, int create, struct store **out, struct err *e)
{
	size_t i;

	*out = NULL;
	for (i = 0; i < sizeof(pg_schemes) / sizeof(pg_schemes[0]); i++)
		if (strncmp(path, pg_schemes[i], strlen(pg_schemes[i])) == 0)
			return store_pg_store_open(path, create, out, e);
	if (strncmp(path, "sqlite:", 7) == 0)
		path += 7;
	return store_sqlite_open(path, create, out, e);
}

void store_head_init(struct store_head *h, const struct store_ops *ops)
{
	static uint64_t serials;

	h->ops = ops;
	h->serial = __atomic_add_fetch(&serials, 1, __ATOMIC_RELAXED);
	h->undone = 0;
}

int64_t store_merchant_version_of(json_t *body)
{
	json_t *v = json_object_get(body, "version");

	return json_is_integer(v) && json_integer_value(v) > 1 ? json_integer_value(v) : 1;
}

int64_t store_order_merchant_version(json_t *order)
{
	json_t *v = json_object_get(order, "merchant_version");

	return json_is_integer(v) && json_integer_value(v) > 1 ? json_integer_value(v) : 1;
}

void store_seal_release(struct store_seal *s)
{
	if (!s)
		return;
	free(s->leaf);
	if (s->salts)
		sodium_memzero(s->salts, strlen(s->salts));
	free(s->salts);
	s->leaf = NULL;
	s->salts = NULL;
	sodium_memzero(s->secret, sizeof(s->secret));
	s->has_secret = 0;
}

void store_hold_release(struct store_hold *h)
{
	if (!h)
		return;
	json_decref(h->body);
	h->body = NULL;
}

void store_delivery_release(struct store_delivery *d)
{
	if (!d)
		return;
	free(d->url);
	if (d->secret) {
		sodium_memzero(d->secret, strlen(d->secret));
		free(d->secret);
	}
	free(d->body);
	d->url = d->secret = d->body = NULL;
}
