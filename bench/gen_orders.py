#!/usr/bin/env python3
"""gen_orders.py - realistic platform records for `disputed import` benchmarks: merchants and listings, then orders, as NDJSON lines.

Usage:
  gen_orders.py setup MERCHANTS                 merchants and 10 listings each
  gen_orders.py orders MERCHANTS START COUNT    orders START .. START+COUNT-1

The output depends only on the arguments, so the same orders can be fed to
`disputed import` and to the floor (import_floor.py). Each order is about
410 bytes of JSON: a consumer (one of a pool, so buyers come back), one to
three items of the merchant's listings, the total, the payment.
"""
import json
import random
import sys

LISTINGS_PER_MERCHANT = 10
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂英", "秀兰", "玉兰", "志强", "建华", "丽娟", "晓明", "海燕", "俊杰",
         "静怡", "子涵", "浩然", "雨桐", "梓萱", "宇轩"]
CITIES = ["杭州市西湖区", "深圳市南山区", "上海市浦东新区", "北京市朝阳区", "成都市武侯区",
          "广州市天河区", "南京市鼓楼区", "武汉市洪山区"]
GOODS = [("蓝牙耳机 降噪版", 29900), ("保温杯 500ml", 8900), ("纯棉T恤 白色 L", 5900),
         ("机械键盘 青轴", 39900), ("儿童绘本套装 10册", 12800), ("不锈钢炒锅 32cm", 19900),
         ("运动鞋 跑步款 42码", 45900), ("护手霜 三支装", 6900), ("智能手环 第五代", 24900),
         ("有机大米 5kg", 9900)]
CHANNELS = ["alipay", "wechat_pay", "unionpay"]


def uscc(n):
    first = "9133010%07dM%02d" % (n, n % 97)
    first = first[:17]
    s = sum(USCC_CHARS.index(c) * w for c, w in zip(first, USCC_W))
    return first + USCC_CHARS[(31 - s % 31) % 31]


def merchant(m):
    return {"type": "merchant", "external_id": "m-%05d" % m, "kind": "company",
            "legal_name": "%s%s商贸有限公司" % (CITIES[m % len(CITIES)][:2], GIVEN[m % len(GIVEN)]),
            "uscc": uscc(m), "registered_address": CITIES[m % len(CITIES)] + "文三路%d号" % (m + 1),
            "contact": {"phone": "0571-8%07d" % m, "email": "shop%d@example.com" % m}}


def listing(m, k):
    title, price = GOODS[(m + k) % len(GOODS)]
    return {"type": "listing", "external_id": "l-%05d-%02d" % (m, k), "merchant": "m-%05d" % m,
            "title": title, "price": {"amount": price, "currency": "CNY"}}


def order(merchants, i):
    r = random.Random(i * 7919 + 17)
    m = r.randrange(merchants)
    pool = max(1000, i // 4 + 1)
    c = r.randrange(pool)
    cr = random.Random(c)
    name = SURNAMES[cr.randrange(len(SURNAMES))] + GIVEN[cr.randrange(len(GIVEN))]
    items = []
    for k in r.sample(range(LISTINGS_PER_MERCHANT), r.choice((1, 1, 2, 3))):
        _, price = GOODS[(m + k) % len(GOODS)]
        items.append({"listing": "l-%05d-%02d" % (m, k), "quantity": r.choice((1, 1, 1, 2, 3)),
                      "unit_price": {"amount": price, "currency": "CNY"}})
    total = sum(it["quantity"] * it["unit_price"]["amount"] for it in items)
    day, sec = r.randrange(1, 29), r.randrange(86400)
    return {"type": "order", "external_id": "o-%09d" % i,
            "consumer": {"external_id": "c-%08d" % c, "name": name,
                         "phone": "13%09d" % cr.randrange(10 ** 9)},
            "merchant": "m-%05d" % m, "items": items,
            "total": {"amount": total, "currency": "CNY"},
            "paid_at": "2025-10-%02dT%02d:%02d:%02d+08:00" % (day, sec // 3600, sec // 60 % 60, sec % 60),
            "payment": {"channel": CHANNELS[r.randrange(len(CHANNELS))],
                        "transaction_id": "2025100%d%021d" % (r.randrange(10), r.randrange(10 ** 21))}}


def main(argv):
    out = sys.stdout
    if len(argv) == 3 and argv[1] == "setup":
        n = int(argv[2])
        for m in range(n):
            out.write(json.dumps(merchant(m), ensure_ascii=False, separators=(",", ":")) + "\n")
        for m in range(n):
            for k in range(LISTINGS_PER_MERCHANT):
                out.write(json.dumps(listing(m, k), ensure_ascii=False, separators=(",", ":")) + "\n")
        return 0
    if len(argv) == 5 and argv[1] == "orders":
        merchants, start, count = int(argv[2]), int(argv[3]), int(argv[4])
        for i in range(start, start + count):
            out.write(json.dumps(order(merchants, i), ensure_ascii=False, separators=(",", ":")) + "\n")
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except BrokenPipeError:
        sys.exit(1)
