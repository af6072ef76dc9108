#!/usr/bin/env python3
"""disk_per_order.py - bytes on disk per imported order: the whole data directory after `disputed import`, over the orders' JSON."""
import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

USCC = "91350100M000100Y43"


def ndjson(n):
    """One merchant, one listing, then n orders of about 410 bytes of JSON each."""
    lines = [
        {"type": "merchant", "external_id": "mer-disk", "kind": "company",
         "legal_name": "福州测试商贸有限公司", "registered_address": "福建省福州市鼓楼区测试路1号",
         "contact": {"phone": "+86 591 8888 0000", "email": "shop@example.com"}, "uscc": USCC},
        {"type": "listing", "external_id": "lst-disk", "merchant": "mer-disk",
         "title": "保温杯 500ml", "price": {"amount": 1999, "currency": "CNY"}},
    ]
    for i in range(n):
        lines.append({
            "type": "order", "external_id": "ord-disk-%07d" % i,
            "consumer": {"external_id": "cus-disk-%07d" % i, "name": "李四",
                         "phone": "+86 138 %04d %04d" % (i // 10000 % 10000, i % 10000)},
            "merchant": "mer-disk",
            "items": [{"listing": "lst-disk", "quantity": 2,
                       "unit_price": {"amount": 1999, "currency": "CNY"}},
                      {"listing": "lst-disk", "quantity": 1,
                       "unit_price": {"amount": 2500, "currency": "CNY"}}],
            "total": {"amount": 6498, "currency": "CNY"},
            "paid_at": "2025-09-30T08:00:00+08:00",
            "payment": {"channel": "alipay", "transaction_id": "txn-disk-%012d" % i},
        })
    return [json.dumps(x, ensure_ascii=False, separators=(",", ":")) + "\n" for x in lines]


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
            except FileNotFoundError:
                pass
    return total


def table_bytes(db):
    """The largest tables and indexes, and the database's free pages, in bytes."""
    try:
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        rows = c.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name "
                         "ORDER BY 2 DESC LIMIT 8").fetchall()
        free = c.execute("PRAGMA freelist_count").fetchone()[0] * \
            c.execute("PRAGMA page_size").fetchone()[0]
        c.close()
        return rows, free
    except sqlite3.Error:
        return [], 0


def compact(db):
    c = sqlite3.connect(db)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.execute("VACUUM")
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", default="build/disputed")
    ap.add_argument("--orders", type=int, default=int(os.environ.get("DISK_ORDERS", "10000")))
    ap.add_argument("--keep", action="store_true", help="keep the data directory")
    ap.add_argument("--compact", action="store_true",
                    help="then VACUUM the database (no free pages) and measure again")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="disk-per-order-")
    data = os.path.join(tmp, "data")
    try:
        subprocess.run([a.bin, "init", "--data", data], check=True, stdout=subprocess.DEVNULL)
        empty = du(data)
        lines = ndjson(a.orders)
        src = os.path.join(tmp, "in.ndjson")
        with open(src, "w", encoding="utf-8") as f:
            f.writelines(lines)
        order_bytes = sum(len(x.encode()) for x in lines[2:])
        subprocess.run([a.bin, "import", "--data", data, src], check=True,
                       stdout=subprocess.DEVNULL)
        total = du(data)
        print("orders %d, JSON %d bytes (%.0f per order)" % (a.orders, order_bytes,
                                                            order_bytes / a.orders))
        print("data dir %d bytes (%d of them before the import): %.0f bytes per order, "
              "%.2fx the JSON" % (total, empty, (total - empty) / a.orders,
                                 (total - empty) / order_bytes))
        for name in sorted(os.listdir(data)):
            p = os.path.join(data, name)
            print("  %-24s %10d" % (name, du(p) if os.path.isdir(p) else
                                    os.lstat(p).st_blocks * 512))
        db = os.path.join(data, "disputed.db")
        rows, free = table_bytes(db)
        for name, size in rows:
            print("  table/index %-28s %10d (%.0f per order)" % (name, size, size / a.orders))
        print("  free pages in the database %17d (%.0f per order)" % (free, free / a.orders))
        if a.compact:
            compact(db)
            total = du(data)
            print("after VACUUM: %.0f bytes per order, %.2fx the JSON" % (
                (total - empty) / a.orders, (total - empty) / order_bytes))
    finally:
        if a.keep:
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
