/* store_sqlite_migrations.c - the numbered schema migrations of the SQLite store, applied in order at open. */
#include "store/store_sqlite_int.h"

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
	/* 3: disputes, their events, timers and the platform's obligations; webhooks */
	"CREATE TABLE disputes ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	"  order_id TEXT NOT NULL REFERENCES orders(id),"
	"  merchant_id TEXT NOT NULL REFERENCES merchants(id),"
	"  consumer_id TEXT NOT NULL REFERENCES consumers(id),"
	"  state TEXT NOT NULL, tier TEXT NOT NULL, overdue INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, body TEXT NOT NULL);"
	"CREATE INDEX disputes_order ON disputes(order_id);"
	"CREATE INDEX disputes_merchant ON disputes(merchant_id, seq);"
	"CREATE INDEX disputes_consumer ON disputes(consumer_id, seq);"
	"CREATE INDEX disputes_state ON disputes(state, seq);"
	"CREATE TABLE dispute_events ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	"  dispute_id TEXT NOT NULL REFERENCES disputes(id),"
	"  created_at INTEGER NOT NULL, body TEXT NOT NULL);"
	"CREATE INDEX dispute_events_dispute ON dispute_events(dispute_id, seq);"
	"CREATE TABLE timers ("
	"  seq INTEGER PRIMARY KEY, dispute_id TEXT NOT NULL REFERENCES disputes(id),"
	"  step TEXT NOT NULL, state TEXT NOT NULL, due_at INTEGER NOT NULL,"
	"  fired_at INTEGER, outcome TEXT);"
	"CREATE INDEX timers_due ON timers(due_at) WHERE fired_at IS NULL;"
	"CREATE TABLE obligations ("
	"  seq INTEGER PRIMARY KEY, dispute_id TEXT NOT NULL REFERENCES disputes(id),"
	"  kind TEXT NOT NULL, created_at INTEGER NOT NULL, due_at INTEGER NOT NULL,"
	"  met_at INTEGER, breached INTEGER NOT NULL DEFAULT 0, breached_at INTEGER);"
	"CREATE INDEX obligations_dispute ON obligations(dispute_id, kind);"
	"CREATE INDEX obligations_due ON obligations(due_at);"
	"CREATE TABLE webhook_endpoints ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, url TEXT NOT NULL,"
	"  events TEXT NOT NULL, secret TEXT NOT NULL, created_at INTEGER NOT NULL,"
	"  disabled_at INTEGER);"
	"CREATE TABLE outbox ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, body TEXT NOT NULL);"
	"CREATE TABLE deliveries ("
	"  seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL REFERENCES outbox(id),"
	"  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),"
	"  attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,"
	"  delivered_at INTEGER, failed_at INTEGER, last_status INTEGER, last_error TEXT,"
	"  UNIQUE (event_id, endpoint_id));"
	"CREATE INDEX deliveries_due ON deliveries(next_at) "
	"  WHERE delivered_at IS NULL AND failed_at IS NULL;",
	/* 4: a duty that falls away (the consumer withdrew or went to court) is cancelled */
	"ALTER TABLE obligations ADD COLUMN cancelled_at INTEGER;",
	/* 5: the platform's risk flags on merchants (e.g. repeated fraud) */
	"CREATE TABLE merchant_flags ("
	"  seq INTEGER PRIMARY KEY, merchant_id TEXT NOT NULL REFERENCES merchants(id),"
	"  flag TEXT NOT NULL, reason TEXT NOT NULL, set_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, cleared_at INTEGER, cleared_by TEXT);"
	"CREATE UNIQUE INDEX merchant_flags_live ON merchant_flags(merchant_id, flag) "
	"  WHERE cleared_at IS NULL;",
	/*
	 * 6: who uploaded each blob (a party may cite as evidence only what it
	 * may see: its own uploads, or blobs on records of its own orders);
	 * idempotent replays expire by age, and replies that showed a secret
	 * once (a minted token, a webhook endpoint's signing secret) are not
	 * kept: drop those stored before this migration
	 */
	"CREATE TABLE blob_uploads ("
	"  digest TEXT NOT NULL REFERENCES blobs(digest), role TEXT NOT NULL,"
	"  subject TEXT NOT NULL, created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (digest, role, subject));"
	"CREATE INDEX idempotency_created ON idempotency(created_at);"
	"DELETE FROM idempotency WHERE CASE WHEN json_valid(response)"
	"  THEN json_extract(response, '$.object') END IN ('token', 'webhook_endpoint');",
	/* 7: each order's records form a chain of leaves: which order, which place */
	"ALTER TABLE seals ADD COLUMN chain_order TEXT;"
	"ALTER TABLE seals ADD COLUMN chain_seq INTEGER;"
	"CREATE UNIQUE INDEX seals_chain ON seals(chain_order, chain_seq) "
	"  WHERE chain_order IS NOT NULL;",
	/*
	 * 8: the double-entry ledger (funds.h): accounts with cached balances
	 * and holds, journal entries and their legs (append-only), holds and
	 * their parts, receivables for recourse, payouts, and the results of
	 * money operations by idempotency key. Only `world` and the
	 * platform's `receivable` (the contra of every merchant's) may be
	 * negative.
	 */
	"CREATE TABLE fund_accounts ("
	"  seq INTEGER PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL,"
	"  currency TEXT NOT NULL, balance INTEGER NOT NULL DEFAULT 0,"
	"  held INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,"
	"  UNIQUE (owner, name),"
	"  CHECK (held >= 0 AND held <= max(balance, 0)),"
	"  CHECK (balance >= 0 OR name = 'world' OR (owner = 'platform' AND name = 'receivable')));"
	"CREATE TABLE fund_entries ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
	"  dispute_id TEXT, created_at INTEGER NOT NULL, body TEXT NOT NULL);"
	"CREATE INDEX fund_entries_dispute ON fund_entries(dispute_id) WHERE dispute_id IS NOT NULL;"
	"CREATE TABLE fund_legs ("
	"  entry_seq INTEGER NOT NULL REFERENCES fund_entries(seq), idx INTEGER NOT NULL,"
	"  account_seq INTEGER NOT NULL REFERENCES fund_accounts(seq),"
	"  amount INTEGER NOT NULL CHECK (amount <> 0), PRIMARY KEY (entry_seq, idx));"
	"CREATE INDEX fund_legs_account ON fund_legs(account_seq, entry_seq);"
	"CREATE TRIGGER fund_entries_no_update BEFORE UPDATE ON fund_entries "
	"  BEGIN SELECT RAISE(ABORT, 'journal entries are append-only'); END;"
	"CREATE TRIGGER fund_entries_no_delete BEFORE DELETE ON fund_entries "
	"  BEGIN SELECT RAISE(ABORT, 'journal entries are append-only'); END;"
	"CREATE TRIGGER fund_legs_no_update BEFORE UPDATE ON fund_legs "
	"  BEGIN SELECT RAISE(ABORT, 'journal entries are append-only'); END;"
	"CREATE TRIGGER fund_legs_no_delete BEFORE DELETE ON fund_legs "
	"  BEGIN SELECT RAISE(ABORT, 'journal entries are append-only'); END;"
	"CREATE TABLE fund_holds ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, merchant_id TEXT NOT NULL,"
	"  dispute_id TEXT, requested INTEGER NOT NULL CHECK (requested > 0),"
	"  amount INTEGER NOT NULL CHECK (amount >= 0 AND amount <= requested),"
	"  state TEXT NOT NULL CHECK (state IN ('active', 'released', 'consumed')),"
	"  created_at INTEGER NOT NULL, closed_at INTEGER, body TEXT NOT NULL);"
	"CREATE INDEX fund_holds_dispute ON fund_holds(merchant_id, dispute_id, state);"
	"CREATE TABLE fund_hold_parts ("
	"  hold_seq INTEGER NOT NULL REFERENCES fund_holds(seq), idx INTEGER NOT NULL,"
	"  account_seq INTEGER NOT NULL REFERENCES fund_accounts(seq),"
	"  amount INTEGER NOT NULL CHECK (amount > 0), PRIMARY KEY (hold_seq, idx));"
	"CREATE TABLE fund_receivables ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, merchant_id TEXT NOT NULL,"
	"  dispute_id TEXT, entry_id TEXT NOT NULL REFERENCES fund_entries(id),"
	"  amount INTEGER NOT NULL CHECK (amount > 0),"
	"  recovered INTEGER NOT NULL DEFAULT 0 CHECK (recovered >= 0 AND recovered <= amount),"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX fund_receivables_open ON fund_receivables(merchant_id, seq) "
	"  WHERE recovered < amount;"
	"CREATE TABLE payouts ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, consumer_id TEXT NOT NULL,"
	"  amount INTEGER NOT NULL CHECK (amount > 0), currency TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('requested', 'paid', 'failed')),"
	"  entry_id TEXT NOT NULL REFERENCES fund_entries(id), closing_entry_id TEXT,"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, body TEXT NOT NULL);"
	"CREATE TABLE fund_ops ("
	"  key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, result TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);",
	/* 9: a cancelled duty keeps why it fell away, for the compliance report */
	"ALTER TABLE obligations ADD COLUMN cancel_reason TEXT;",
	/* 10: the platform as assistant: disclosure requests and their sealed events */
	"CREATE TABLE disclosures ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	"  order_id TEXT NOT NULL REFERENCES orders(id), dispute_id TEXT REFERENCES disputes(id),"
	"  requester_role TEXT NOT NULL, requester_id TEXT NOT NULL, state TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, due_at INTEGER, decided_at INTEGER, body TEXT NOT NULL);"
	"CREATE INDEX disclosures_requester ON disclosures(requester_role, requester_id, seq);"
	"CREATE INDEX disclosures_state ON disclosures(state, seq);"
	"CREATE INDEX disclosures_order ON disclosures(order_id);"
	"CREATE TABLE disclosure_events ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	"  disclosure_id TEXT NOT NULL REFERENCES disclosures(id),"
	"  order_id TEXT NOT NULL REFERENCES orders(id), created_at INTEGER NOT NULL,"
	"  body TEXT NOT NULL);"
	"CREATE INDEX disclosure_events_disclosure ON disclosure_events(disclosure_id, seq);",
	/*
	 * 11: the results of money operations kept in one B-tree by key
	 * (WITHOUT ROWID): looked up only by key, and small now that a result
	 * names its ledger entries by id (funds_key_end), so the rowid table
	 * and its key index were two pages written per operation where one
	 * will do. Results kept whole before stay readable as they are.
	 */
	"CREATE TABLE fund_ops_by_key ("
	"  key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, result TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO fund_ops_by_key (key, request_hash, result, created_at)"
	"  SELECT key, request_hash, result, created_at FROM fund_ops;"
	"DROP TABLE fund_ops;"
	"ALTER TABLE fund_ops_by_key RENAME TO fund_ops;",
	/*
	 * 12: disputes whose evidence changed since their last assessment
	 * (src/assist/assess.h): queued in the same transaction as the
	 * change, taken off in the one that records the new assessment.
	 */
	"CREATE TABLE assess_queue ("
	"  dispute_id TEXT PRIMARY KEY REFERENCES disputes(id), queued_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX assess_queue_age ON assess_queue(queued_at);",
	/*
	 * 13: every published version of the dispute rules (rules_set.h): its
	 * text as published and its SHA-256, never changed once stored
	 */
	"CREATE TABLE rules_versions ("
	"  seq INTEGER PRIMARY KEY, version TEXT NOT NULL UNIQUE,"
	"  published_at INTEGER NOT NULL, loaded_at INTEGER NOT NULL,"
	"  text TEXT NOT NULL, digest TEXT NOT NULL);",
	/*
	 * 14: listings suspended pending a serious safety dispute (E-Commerce
	 * Law art. 38), at most one active per listing; each suspension and
	 * reinstatement is also a sealed event of its dispute's timeline.
	 */
	"CREATE TABLE listing_suspensions ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	"  listing_id TEXT NOT NULL, dispute_id TEXT NOT NULL REFERENCES disputes(id),"
	"  created_at INTEGER NOT NULL, lifted_at INTEGER, body TEXT NOT NULL);"
	"CREATE UNIQUE INDEX listing_suspensions_active ON listing_suspensions(listing_id)"
	"  WHERE lifted_at IS NULL;"
	"CREATE INDEX listing_suspensions_dispute ON listing_suspensions(dispute_id);",
	/*
	 * 15: risk (src/risk/): early-warning alerts, once per scope, focus
	 * and week; proposals of the repeated_fraud flag for staff to confirm
	 * or dismiss; the evidence a flag was set on; a listing's optional
	 * category; and indexes that keep windows of time bounded.
	 */
	"ALTER TABLE listings ADD COLUMN category TEXT;"
	"CREATE INDEX listings_category ON listings(category, id) WHERE category IS NOT NULL;"
	"ALTER TABLE merchant_flags ADD COLUMN evidence TEXT;"
	"CREATE INDEX orders_merchant_time ON orders(merchant_id, created_at);"
	"CREATE INDEX orders_time ON orders(created_at);"
	"CREATE INDEX disputes_merchant_time ON disputes(merchant_id, created_at);"
	"CREATE INDEX disputes_time ON disputes(created_at);"
	"CREATE TABLE risk_alerts ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, scope TEXT NOT NULL,"
	"  scope_id TEXT NOT NULL, focus TEXT NOT NULL, window_start INTEGER NOT NULL,"
	"  window_end INTEGER NOT NULL, merchant_id TEXT, created_at INTEGER NOT NULL,"
	"  body TEXT NOT NULL, UNIQUE (scope, scope_id, focus, window_start));"
	"CREATE TABLE risk_proposals ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	"  merchant_id TEXT NOT NULL REFERENCES merchants(id), flag TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('proposed', 'confirmed', 'dismissed')),"
	"  upheld INTEGER NOT NULL, created_at INTEGER NOT NULL, decided_at INTEGER,"
	"  body TEXT NOT NULL);"
	"CREATE UNIQUE INDEX risk_proposals_open ON risk_proposals(merchant_id, flag) "
	"  WHERE state = 'proposed';"
	"CREATE INDEX risk_proposals_merchant ON risk_proposals(merchant_id, flag, seq);",
	/*
	 * 16: staff's flags on consumers (abusive complainants, src/risk/
	 * consumer.h): each marking with its reason, evidence and appeal, and
	 * the history of every marking, clearing and appeal as sealed events
	 * (append-only)
	 */
	"CREATE TABLE consumer_flags ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	"  consumer_id TEXT NOT NULL REFERENCES consumers(id), flag TEXT NOT NULL,"
	"  reason TEXT NOT NULL, evidence TEXT NOT NULL, set_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, cleared_at INTEGER, cleared_by TEXT, clear_reason TEXT,"
	"  appeal_text TEXT, appealed_at INTEGER, appeal_decision TEXT, appeal_reason TEXT,"
	"  appeal_decided_by TEXT, appeal_decided_at INTEGER);"
	"CREATE UNIQUE INDEX consumer_flags_live ON consumer_flags(consumer_id, flag) "
	"  WHERE cleared_at IS NULL;"
	"CREATE TABLE consumer_flag_events ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	"  flag_id TEXT NOT NULL REFERENCES consumer_flags(id),"
	"  consumer_id TEXT NOT NULL REFERENCES consumers(id), type TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, body TEXT NOT NULL);"
	"CREATE INDEX consumer_flag_events_consumer ON consumer_flag_events(consumer_id, seq);"
	"CREATE INDEX consumer_flag_events_time ON consumer_flag_events(created_at);"
	"CREATE TRIGGER consumer_flag_events_no_update BEFORE UPDATE ON consumer_flag_events "
	"  BEGIN SELECT RAISE(ABORT, 'consumer flag events are append-only'); END;"
	"CREATE TRIGGER consumer_flag_events_no_delete BEFORE DELETE ON consumer_flag_events "
	"  BEGIN SELECT RAISE(ABORT, 'consumer flag events are append-only'); END;",
	/*
	 * 17: retention (src/risk/retention.h): legal holds that keep an
	 * order from being shredded, and the register of shreddings, one
	 * sealed row per order, append-only
	 */
	"CREATE TABLE legal_holds ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	"  order_id TEXT NOT NULL REFERENCES orders(id), dispute_id TEXT,"
	"  authority TEXT NOT NULL, reference TEXT NOT NULL, reason TEXT NOT NULL,"
	"  created_by TEXT NOT NULL, created_at INTEGER NOT NULL,"
	"  lifted_at INTEGER, lifted_by TEXT, lift_reason TEXT);"
	"CREATE INDEX legal_holds_order ON legal_holds(order_id) WHERE lifted_at IS NULL;"
	"CREATE TABLE shreddings ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	"  order_id TEXT NOT NULL UNIQUE REFERENCES orders(id),"
	"  created_at INTEGER NOT NULL, body TEXT NOT NULL);"
	"CREATE TRIGGER shreddings_no_update BEFORE UPDATE ON shreddings "
	"  BEGIN SELECT RAISE(ABORT, 'the shredding register is append-only'); END;"
	"CREATE TRIGGER shreddings_no_delete BEFORE DELETE ON shreddings "
	"  BEGIN SELECT RAISE(ABORT, 'the shredding register is append-only'); END;",
	/*
	 * 18: merchants' identities kept current (E-Commerce Law art. 27):
	 * each superseded version kept whole beside the current one in
	 * `merchants`, and when the platform last verified each merchant
	 * (NULL for merchants recorded before: their created_at stands in)
	 */
	"CREATE TABLE merchant_versions ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL REFERENCES merchants(id),"
	"  version INTEGER NOT NULL, superseded_at INTEGER NOT NULL, body TEXT NOT NULL,"
	"  UNIQUE (id, version));"
	"ALTER TABLE merchants ADD COLUMN verified_at INTEGER;",
	/*
	 * 19: lean seals: each record's field salts derive from one 32-byte
	 * secret (leaf.h), kept here instead of a salt per field in `salts`
	 * (which seals made before keep, as do shredded ones: the secret is
	 * then destroyed); a pending seal's leaf waits in `seal_leaves` (not
	 * in its seal row, whose pages would stay half empty) until the log
	 * holds it, which is then its one copy
	 */
	"ALTER TABLE seals ADD COLUMN secret BLOB;"
	"CREATE TABLE seal_leaves ("
	"  seq INTEGER PRIMARY KEY REFERENCES seals(seq), leaf BLOB NOT NULL);",
};

size_t store_migration_count(void)
{
	return sizeof(migrations) / sizeof(migrations[0]);
}

const char *store_migration_sql(size_t i)
{
	return i < store_migration_count() ? migrations[i] : NULL;
}
