#!/usr/bin/env bash
# bench_http.sh - sealed writes over HTTP (request to acknowledgement) and reads, with wrk, appended to docs/benchmarks.md.
set -euo pipefail

bin=$(realpath "$1")
out=$2
secs=${BENCH_SECONDS:-10}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
server=
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "bench_http: wrk is missing (scripts/deps.sh bench)" >&2; exit 1; }
"$bin" init --data "$tmp/data" --origin bench.disputed.test/log >/dev/null
key=$("$bin" key create --data "$tmp/data" --role platform --name bench)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# room for wrk's 256 connections from one address (the defaults refuse past 64 per address)
DISPUTED_MAX_CONNECTIONS=1024 DISPUTED_MAX_CONNECTIONS_PER_IP=512 DISPUTED_LOG_LEVEL=warn "$bin" serve --data "$tmp/data" --listen "127.0.0.1:$port" 2>"$tmp/serve.log" &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
api="http://127.0.0.1:$port"
auth="Authorization: Bearer $key"
curl -sf -X POST "$api/v1/merchants" -H "$auth" -d '{"external_id":"b1","kind":"company","legal_name":"杭州云栖数码科技有限公司","uscc":"91350100M000100Y43","registered_address":"杭州","contact":{"phone":"0571-88886666"}}' >/dev/null
curl -sf -X POST "$api/v1/listings" -H "$auth" -d '{"external_id":"k1","merchant":"b1","title":"耳机","price":{"amount":29900,"currency":"CNY"}}' >/dev/null
order=$(curl -sf -X POST "$api/v1/orders" -H "$auth" -d '{"consumer":{"external_id":"u1","name":"李娜","phone":"13800138000"},"merchant":"b1","items":[{"listing":"k1","quantity":1,"unit_price":{"amount":29900,"currency":"CNY"}}],"total":{"amount":29900,"currency":"CNY"},"paid_at":"2025-11-01T10:15:00Z","payment":{"channel":"alipay","transaction_id":"t1"}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# run LABEL CONNECTIONS ARGS... : one wrk run; prints a markdown table row
run() {
	local label=$1 conns=$2
	shift 2
	BENCH_KEY=$key wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" >"$tmp/wrk.txt" 2>&1
	python3 - "$label" "$conns" "$tmp/wrk.txt" <<'PY'
import re, sys
label, conns, path = sys.argv[1], sys.argv[2], sys.argv[3]
t = open(path).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)
lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", t, re.M))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
err = re.search(r"Socket errors:.*", t)
print("| %s | %s | %.0f | %s | %s | %s | %s |" % (label, conns, float(rps), lat.get("50", "?"),
      lat.get("90", "?"), lat.get("99", "?"), (bad.group(1) if bad else "0") + (" (" + err.group(0) + ")" if err else "")))
PY
}

{
	echo
	echo "## Sealed writes over HTTP"
	echo
	echo "The whole server, from request to acknowledgement: \`disputed serve\` (default settings but the connection limits, raised for 256 connections from one address; SQLite with \`synchronous=FULL\`) on loopback, and wrk (2 threads, ${secs} s each) posting chat messages to one order, \`POST /v1/orders/{id}/messages\`. Each request is parsed on its own thread and queued in the write pipeline: the writer applies every request waiting in one transaction (a savepoint each) and commits once, then the sealer appends the batch's leaves to the log at once and records their indexes; so every 201 is durable and sealed. Beside it, on the same server, \`GET /healthz\` (the floor: the same HTTP stack doing nothing) and reads of the order (\`GET /v1/orders/{id}\`, each also writing its personal-data audit entry). Written by \`bench/bench_http.sh\` on $(date -u '+%Y-%m-%d %H:%M') UTC."
	echo
	echo "| request | connections | requests/s | p50 | p90 | p99 | non-2xx |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	run "POST …/messages (sealed write)" 16 -s "$here/post_message.lua" "$api/v1/orders/$order/messages"
	run "POST …/messages (sealed write)" 64 -s "$here/post_message.lua" "$api/v1/orders/$order/messages"
	run "POST …/messages (sealed write)" 256 -s "$here/post_message.lua" "$api/v1/orders/$order/messages"
	run "GET /healthz (floor)" 64 "$api/healthz"
	run "GET /v1/orders/{id} (read, audited)" 64 -H "$auth" "$api/v1/orders/$order"
	echo
	echo "Per batch of writes: one fsync of the SQLite WAL for the records, the log's few fsyncs (partial tile, bundle, checkpoint and their directories) for the leaves, and a commit of the leaf indexes with no fsync of its own (after a crash, recovery finds them in the log). The writer applies the next batch while the sealer seals the last one, so a batch holds what arrived during the one before it: the rate is bound by the writer's core (validating, building leaves and running each request's statements, one after another) and by the log's per-batch fsyncs, not by an fsync per request."
} >>"$out"
