#!/usr/bin/env bash
# bench_http.sh - sealed writes over HTTP (request to acknowledgement) beside GET /healthz on the same server as their floor, at 16, 64 and 256 connections, with wrk, appended to docs/benchmarks.md.
#
# Usage: bench/bench_http.sh BUILD/disputed OUT.md
# BENCH_SECONDS (default 10): how long each wrk run lasts.
# BENCH_HTTP_CONNECTIONS (default "16 64 256"): the connection counts.
set -euo pipefail

bin=$(realpath "$1")
out=$2
secs=${BENCH_SECONDS:-10}
conns_list=${BENCH_HTTP_CONNECTIONS:-16 64 256}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
server=
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "bench_http: wrk is missing (scripts/deps.sh bench)" >&2; exit 1; }
max_conns=0
for c in $conns_list; do [ "$c" -gt "$max_conns" ] && max_conns=$c; done
"$bin" init --data "$tmp/data" --origin bench.disputed.test/log >/dev/null
key=$("$bin" key create --data "$tmp/data" --role platform --name bench)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# wrk's connections all come from 127.0.0.1: let the server take them all.
DISPUTED_LOG_LEVEL=warn DISPUTED_MAX_CONNECTIONS=$((max_conns + 64)) \
	DISPUTED_MAX_CONNECTIONS_PER_IP=$((max_conns + 16)) \
	"$bin" serve --data "$tmp/data" --listen "127.0.0.1:$port" 2>"$tmp/serve.log" &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
api="http://127.0.0.1:$port"
auth="Authorization: Bearer $key"
curl -sf -X POST "$api/v1/merchants" -H "$auth" -d '{"external_id":"b1","kind":"company","legal_name":"杭州云栖数码科技有限公司","uscc":"91350100M000100Y43","registered_address":"杭州","contact":{"phone":"0571-88886666"}}' >/dev/null
curl -sf -X POST "$api/v1/listings" -H "$auth" -d '{"external_id":"k1","merchant":"b1","title":"耳机","price":{"amount":29900,"currency":"CNY"}}' >/dev/null
order=$(curl -sf -X POST "$api/v1/orders" -H "$auth" -d '{"consumer":{"external_id":"u1","name":"李娜","phone":"13800138000"},"merchant":"b1","items":[{"listing":"k1","quantity":1,"unit_price":{"amount":29900,"currency":"CNY"}}],"total":{"amount":29900,"currency":"CNY"},"paid_at":"2025-11-01T10:15:00Z","payment":{"channel":"alipay","transaction_id":"t1"}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# bench_wrk NAME CONNECTIONS ARGS... : one wrk run, its report kept as $tmp/NAME.txt
bench_wrk() {
	local name=$1 conns=$2
	shift 2
	BENCH_KEY=$key wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" >"$tmp/$name.txt" 2>&1 ||
		{ cat "$tmp/$name.txt" >&2; echo "bench_http: wrk failed" >&2; exit 1; }
}

# rows CONNECTIONS... : a table row per count, from its write-C and healthz-C reports
rows() {
	python3 - "$tmp" "$@" <<'PY'
import re, sys
tmp, pairs = sys.argv[1], sys.argv[2:]

def report(name):
    t = open("%s/%s.txt" % (tmp, name)).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", t, re.M))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
    err = re.search(r"Socket errors:.*", t)
    return rps, lat, (bad.group(1) if bad else "0") + (" (" + err.group(0) + ")" if err else "")

for conns in pairs:
    w, h = report("write-" + conns), report("healthz-" + conns)
    print("| %s | %.0f | %s | %s | %.0f | %s | %s | %.3f | %s / %s |" % (
        conns, w[0], w[1].get("50", "?"), w[1].get("99", "?"), h[0], h[1].get("50", "?"),
        h[1].get("99", "?"), w[0] / h[0] if h[0] else 0, w[2], h[2]))
PY
}

# The runs first, the section after, so a failed run leaves the file as it was.
# At each count the floor first, then the writes; a pause after each run lets
# the server finish what the last one left queued.
for c in $conns_list; do
	bench_wrk "healthz-$c" "$c" "$api/healthz"
	sleep 1
	bench_wrk "write-$c" "$c" -s "$here/post_message.lua" "$api/v1/orders/$order/messages"
	sleep 1
done
bench_wrk read-64 64 -H "$auth" "$api/v1/orders/$order"
table=$(rows $conns_list)
read_row=$(python3 - "$tmp/read-64.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", t, re.M))
print("| GET /v1/orders/{id} (read, audited) | 64 | %.0f | %s | %s |" % (rps, lat.get("50", "?"), lat.get("99", "?")))
PY
)
ratio64=$(python3 - "$tmp" <<'PY'
import re, sys
def rps(n):
    try:
        return float(re.search(r"Requests/sec:\s+([\d.]+)", open("%s/%s.txt" % (sys.argv[1], n)).read()).group(1))
    except OSError:
        return None
w, h = rps("write-64"), rps("healthz-64")
p99 = re.search(r"^\s+99%\s+(\S+)", open("%s/write-64.txt" % sys.argv[1]).read(), re.M) if w else None
print("%.3f× with p99 %s" % (w / h, p99.group(1) if p99 else "?") if w and h else "")
PY
)

{
	echo
	echo "## Sealed writes over HTTP"
	echo
	echo "The whole server, from request to acknowledgement: \`disputed serve\` (default settings but for the connection limits, raised so that wrk's connections, all from 127.0.0.1, are taken; SQLite with \`synchronous=FULL\`) on loopback, and wrk (2 threads, ${secs} s a run) posting chat messages to one order, \`POST /v1/orders/{id}/messages\`. Each request is parsed on its own thread and queued in the write pipeline: the writer applies every request waiting in one transaction (a savepoint each) and commits once, then the sealer appends the batch's leaves to the log at once and records their indexes; only then is it acknowledged, so every 201 is durable and sealed. Its floor is the same server answering \`GET /healthz\` (no store, no log: HTTP, routing and JSON only) over as many connections, measured just before the writes at each count. Written by \`bench/bench_http.sh\` on $(date -u '+%Y-%m-%d %H:%M') UTC."
	echo
	echo "| connections | sealed writes/s | p50 | p99 | GET /healthz req/s | p50 | p99 | writes / healthz | non-2xx, writes / healthz |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	echo "$table"
	echo
	if [ -n "$ratio64" ]; then
		echo "Goal (issue 12): at 64 connections, sealed writes at no less than 0.7× the \`/healthz\` rate with p99 at most 50 ms; in this run ${ratio64}."
		echo
	fi
	echo "Beside them, reads of the order (\`GET /v1/orders/{id}\`, each also writing its personal-data audit entry):"
	echo
	echo "| request | connections | requests/s | p50 | p99 |"
	echo "|---|---:|---:|---:|---:|"
	echo "$read_row"
	echo
	echo "Per batch of writes: one fsync of the SQLite WAL for the records, the log's few fsyncs (partial tile, bundle, checkpoint and their directories) for the leaves, and a commit of the leaf indexes with no fsync of its own (after a crash, recovery finds them in the log). The writer applies the next batch while the sealer seals the last one, so a batch holds what arrived during the one before it: the rate is bound by the writer's core (validating, building leaves and running each request's statements, one after another) and by the log's per-batch fsyncs, not by an fsync per request."
} >>"$out"
