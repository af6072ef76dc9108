#!/usr/bin/env python3
"""import_floor.py - the floor for `disputed import`: the same order lines parsed, hashed and inserted with plain sqlite3 into the store's own schema, in one transaction.

Usage: import_floor.py DATA_DIR ORDERS.ndjson

DATA_DIR is a data directory made by `disputed init` into which the same
merchants and listings were imported, so the database has the store's schema
(its migrations, every index) and the records orders refer to. Per line:
json.loads, the merchant and listings resolved by external id (from maps
read once), the consumer inserted if new, the order row with a body of the
store's shape and its SHA-256, its order_items rows. An order's id is
time-ordered as the store makes it (its first 12 hex digits the time in ms,
then 12 random), a consumer's random, so rows land where the store's would.
The connection uses the store's pragmas (WAL, synchronous=FULL, foreign keys
on, temporary tables in memory, a 64 MiB page cache) and commits once at the
end. Prints one JSON object: records, seconds (from the first line read
to the commit's return), records_per_sec.
"""
import hashlib
import json
import secrets
import sqlite3
import sys
import time


def new_id(prefix):
    return prefix + "_" + secrets.token_hex(12)


def new_id_ordered(prefix, ms):
    return "%s_%012x%s" % (prefix, ms & 0xFFFFFFFFFFFF, secrets.token_hex(6))


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    data_dir, path = argv[1], argv[2]
    db = sqlite3.connect(data_dir + "/disputed.db", isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute("PRAGMA cache_size = -65536")
    merchants = dict(db.execute("SELECT external_id, id FROM merchants"))
    listings = {ext: (lid, ver, mid) for ext, lid, ver, mid in db.execute(
        "SELECT external_id, id, max(version), merchant_id FROM listings GROUP BY id")}
    consumers = dict(db.execute("SELECT external_id, id FROM consumers"))
    now_ms = int(time.time() * 1000)
    now_text = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    n = 0

    t0 = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    with open(path, "rb") as f:
        for line in f:
            rec = json.loads(line)
            c = rec["consumer"]
            cid = consumers.get(c["external_id"])
            if cid is None:
                cid = consumers[c["external_id"]] = new_id("cus")
                body = {"object": "consumer", "id": cid, "external_id": c["external_id"],
                        "name": c["name"], "phone": c["phone"], "created_at": now_text,
                        "updated_at": now_text}
                db.execute("INSERT INTO consumers (id, external_id, created_at, body) "
                           "VALUES (?, ?, ?, ?)",
                           (cid, c["external_id"], now_ms,
                            json.dumps(body, ensure_ascii=False, separators=(",", ":"))))
            mid = merchants[rec["merchant"]]
            items = []
            for it in rec["items"]:
                lid, ver, lmid = listings[it["listing"]]
                if lmid != mid:
                    raise SystemExit("import_floor: a listing of another merchant")
                items.append({"listing": lid, "listing_version": ver,
                              "quantity": it["quantity"], "unit_price": it["unit_price"]})
            oid = new_id_ordered("ord", int(time.time() * 1000))
            body = {"object": "order", "id": oid, "external_id": rec.get("external_id"),
                    "merchant": mid, "consumer": {"id": cid, "external_id": c["external_id"],
                                                  "name": c["name"], "phone": c["phone"]},
                    "items": items, "total": rec["total"], "paid_at": rec["paid_at"],
                    "payment": rec["payment"], "created_at": now_text}
            text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
            body["sha256"] = hashlib.sha256(text.encode()).hexdigest()
            db.execute("INSERT INTO orders (id, external_id, merchant_id, consumer_id, "
                       "created_at, body) VALUES (?, ?, ?, ?, ?, ?)",
                       (oid, rec.get("external_id"), mid, cid, now_ms,
                        json.dumps(body, ensure_ascii=False, separators=(",", ":"))))
            db.executemany("INSERT INTO order_items (order_id, idx, listing_id, "
                           "listing_version) VALUES (?, ?, ?, ?)",
                           [(oid, i, it["listing"], it["listing_version"])
                            for i, it in enumerate(items)])
            n += 1
    db.execute("COMMIT")
    t1 = time.perf_counter()
    db.close()
    print(json.dumps({"records": n, "seconds": t1 - t0,
                      "records_per_sec": n / (t1 - t0) if t1 > t0 else 0}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
