#!/usr/bin/env bash
# bench_import.sh - `disputed import` of many orders beside a floor that inserts the same records in one SQLite transaction, and bytes on disk per record; appended to docs/benchmarks.md.
set -euo pipefail

bin=$(realpath "$1")
out=$2
orders=${BENCH_IMPORT_ORDERS:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The file: one merchant, one listing, `orders` orders (5,000 consumers), as a platform exports them.
python3 - "$orders" >"$tmp/orders.ndjson" <<'PY'
import json, sys
n = int(sys.argv[1])
def line(o):
    print(json.dumps(o, ensure_ascii=False, separators=(",", ":")))
line({"type": "merchant", "external_id": "bm1", "kind": "company",
      "legal_name": "杭州云栖数码科技有限公司", "uscc": "91350100M000100Y43",
      "registered_address": "浙江省杭州市西湖区文三路1号", "contact": {"phone": "0571-88886666"}})
line({"type": "listing", "external_id": "bl1", "merchant": "bm1", "title": "蓝牙耳机 降噪版",
      "price": {"amount": 29900, "currency": "CNY"}})
for i in range(n):
    line({"type": "order", "external_id": "bo%d" % i,
          "consumer": {"external_id": "bu%d" % (i % 5000), "name": "李娜", "phone": "13800138000"},
          "merchant": "bm1",
          "items": [{"listing": "bl1", "quantity": 1, "unit_price": {"amount": 29900, "currency": "CNY"}}],
          "total": {"amount": 29900, "currency": "CNY"}, "paid_at": "2025-11-01T10:15:00Z",
          "payment": {"channel": "alipay", "transaction_id": "tx%08d" % i}})
PY

"$bin" init --data "$tmp/data" --origin bench.disputed.test/log >/dev/null
start=$(date +%s.%N)
"$bin" import --data "$tmp/data" "$tmp/orders.ndjson" >"$tmp/import.txt"
end=$(date +%s.%N)
imported=$(sed -n 's/^imported \([0-9]*\) records.*/\1/p' "$tmp/import.txt")
bytes=$(du -sb "$tmp/data" | cut -f1)
json_bytes=$(tail -n "$orders" "$tmp/orders.ndjson" | wc -c)

# The floor: parse each line, hash it, insert the order, its consumer and its item with the
# same indexes as the store, in ONE transaction (synchronous=FULL, WAL), in Python's sqlite3.
floor=$(python3 - "$tmp/orders.ndjson" "$tmp/floor.db" <<'PY'
import hashlib, json, sqlite3, sys, time
src, path = sys.argv[1], sys.argv[2]
db = sqlite3.connect(path, isolation_level=None)
db.executescript("""
PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
CREATE TABLE consumers (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, external_id TEXT UNIQUE,
  created_at INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE orders (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, external_id TEXT UNIQUE,
  merchant_id TEXT NOT NULL, consumer_id TEXT NOT NULL, created_at INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX orders_merchant ON orders(merchant_id, seq);
CREATE INDEX orders_consumer ON orders(consumer_id, seq);
CREATE INDEX orders_merchant_time ON orders(merchant_id, created_at);
CREATE INDEX orders_time ON orders(created_at);
CREATE TABLE order_items (order_id TEXT NOT NULL, idx INTEGER NOT NULL, listing_id TEXT NOT NULL,
  listing_version INTEGER NOT NULL, PRIMARY KEY (order_id, idx));
CREATE INDEX order_items_listing ON order_items(listing_id);
""")
t0 = time.time()
n = 0
db.execute("BEGIN")
for raw in open(src, encoding="utf-8"):
    o = json.loads(raw)
    if o.get("type") != "order":
        continue
    digest = hashlib.sha256(raw.encode()).hexdigest()
    c = o["consumer"]
    db.execute("INSERT OR IGNORE INTO consumers (id, external_id, created_at, body) VALUES (?, ?, ?, ?)",
               ("cus_" + c["external_id"], c["external_id"], n, json.dumps(c, ensure_ascii=False)))
    oid = "ord_" + digest[:24]
    db.execute("INSERT INTO orders (id, external_id, merchant_id, consumer_id, created_at, body) "
               "VALUES (?, ?, ?, ?, ?, ?)", (oid, o["external_id"], "mer_1", "cus_" + c["external_id"],
                                             n, json.dumps(o, ensure_ascii=False)))
    db.execute("INSERT INTO order_items VALUES (?, 0, ?, 1)", (oid, o["items"][0]["listing"]))
    n += 1
db.execute("COMMIT")
print("%.3f" % (time.time() - t0))
PY
)

python3 - "$orders" "$imported" "$start" "$end" "$floor" "$bytes" "$json_bytes" >>"$out" <<'PY'
import sys
orders, imported = int(sys.argv[1]), int(sys.argv[2])
secs = float(sys.argv[4]) - float(sys.argv[3])
floor = float(sys.argv[5])
size, json_bytes = int(sys.argv[6]), int(sys.argv[7])
rate, frate = imported / secs, orders / floor
print()
print("## Import")
print()
print("`disputed import` of %d orders (one merchant, one listing, 5,000 consumers; %d bytes of "
      "NDJSON per order on average) into a fresh data directory, from start to exit: every line "
      "validated, stored and sealed (its order and payment leaves in the log), through the write "
      "pipeline, many lines to a transaction and each line in its own savepoint. Beside it, in "
      "the same run, the floor: Python's `sqlite3` parsing each line, hashing it and inserting the "
      "order, its consumer and its item with the store's indexes, in one transaction "
      "(`synchronous=FULL`, WAL). Bytes on disk: the whole data directory (database, WAL, log) "
      "after the import, over the orders' NDJSON. Written by `bench/bench_import.sh`."
      % (orders, json_bytes // orders))
print()
print("| what | records | seconds | records/s | ratio to the floor |")
print("|---|---:|---:|---:|---:|")
print("| `disputed import` (stored and sealed) | %d | %.1f | %.0f | %.2f× |" % (imported, secs, rate, rate / frate))
print("| floor: one transaction, Python `sqlite3` | %d | %.1f | %.0f | 1× |" % (orders, floor, frate))
print()
print("Bytes on disk per order: %.0f (%.1f× its NDJSON). Goal (issue 12): ≥ 0.5× the floor; "
      "≤ 2.5× the JSON on disk." % (size / orders, size / json_bytes))
PY
