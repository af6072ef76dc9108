/* migrations.c - the numbered schema migrations of the SQLite store, applied in order at open. */
#include "store/store_int.h"

#include <stddef.h>

static const char *const migrations[] = {
	/* 1: keys, tokens, platform records, blobs, idempotency, audit */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE api_keys ("
	"  id TEXT PRIMARY KEY, role TEXT NOT NULL, name TEXT NOT NULL,"
	"  hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, revoked_at INTEGER);"
	"CREATE TABLE tokens ("
	"  id TEXT PRIMARY KEY, role TEXT NOT NULL, subject TEXT NOT NULL,"
	"  hash TEXT NOT NULL UNIQUE, created_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER);"
	"CREATE TABLE merchants ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, external_id TEXT UNIQUE,"
	"  created_at INTEGER NOT NULL, body TEXT NOT NULL);"
	"CREATE TABLE consumers ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, external_id TEXT NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL, body TEXT NOT NULL);"
	"CREATE TABLE listings ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL, version INTEGER NOT NULL,"
	"  external_id TEXT, merchant_id TEXT NOT NULL REFERENCES merchants(id),"
	"  created_at INTEGER NOT NULL, body TEXT NOT NULL, UNIQUE (id, version));"
	"CREATE INDEX listings_external ON listings(external_id);"
	"CREATE INDEX listings_merchant ON listings(merchant_id);"
	"CREATE TABLE orders ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, external_id TEXT UNIQUE,"
	"  merchant_id TEXT NOT NULL REFERENCES merchants(id),"
	"  consumer_id TEXT NOT NULL REFERENCES consumers(id),"
	"  created_at INTEGER NOT NULL, body TEXT NOT NULL);"
	"CREATE INDEX orders_merchant ON orders(merchant_id, seq);"
	"CREATE INDEX orders_consumer ON orders(consumer_id, seq);"
	"CREATE TABLE order_items ("
	"  order_id TEXT NOT NULL REFERENCES orders(id), idx INTEGER NOT NULL,"
	"  listing_id TEXT NOT NULL, listing_version INTEGER NOT NULL,"
	"  PRIMARY KEY (order_id, idx),"
	"  FOREIGN KEY (listing_id, listing_version) REFERENCES listings(id, version));"
	"CREATE INDEX order_items_listing ON order_items(listing_id);"
	"CREATE TABLE logistics_events ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	"  order_id TEXT NOT NULL REFERENCES orders(id),"
	"  created_at INTEGER NOT NULL, body TEXT NOT NULL);"
	"CREATE INDEX logistics_order ON logistics_events(order_id, seq);"
	"CREATE TABLE messages ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	"  order_id TEXT NOT NULL REFERENCES orders(id),"
	"  created_at INTEGER NOT NULL, body TEXT NOT NULL);"
	"CREATE INDEX messages_order ON messages(order_id, seq);"
	"CREATE TABLE blobs ("
	"  digest TEXT PRIMARY KEY, size INTEGER NOT NULL CHECK (size >= 0),"
	"  content_type TEXT NOT NULL, created_at INTEGER NOT NULL);"
	"CREATE TABLE blob_refs ("
	"  digest TEXT NOT NULL REFERENCES blobs(digest), kind TEXT NOT NULL,"
	"  owner_id TEXT NOT NULL, PRIMARY KEY (digest, kind, owner_id));"
	"CREATE INDEX blob_refs_owner ON blob_refs(owner_id);"
	"CREATE TABLE idempotency ("
	"  principal TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,"
	"  status INTEGER NOT NULL, response TEXT NOT NULL, created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (principal, key));"
	"CREATE TABLE audit_log ("
	"  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_role TEXT NOT NULL,"
	"  actor_id TEXT NOT NULL, actor_subject TEXT NOT NULL, object_id TEXT NOT NULL,"
	"  fields TEXT NOT NULL, route TEXT NOT NULL);",
	/* 2: evidence seals: each record's leaf, its salts, and its place in the log */
	"CREATE TABLE seals ("
	"  seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, record_id TEXT NOT NULL,"
	"  version INTEGER NOT NULL DEFAULT 0, leaf BLOB NOT NULL, leaf_hash TEXT NOT NULL,"
	"  salts TEXT NOT NULL, leaf_index INTEGER UNIQUE, created_at INTEGER NOT NULL,"
	"  UNIQUE (kind, record_id, version));"
	"CREATE INDEX seals_pending ON seals(seq) WHERE leaf_index IS NULL;"
	"CREATE TABLE checkpoints ("
	"  size INTEGER PRIMARY KEY, root TEXT NOT NULL, note TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);",
};

size_t store_migration_count(void)
{
	return sizeof(migrations) / sizeof(migrations[0]);
}

const char *store_migration_sql(size_t i)
{
	return i < store_migration_count() ? migrations[i] : NULL;
}
