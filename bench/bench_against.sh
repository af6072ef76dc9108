#!/usr/bin/env bash
# bench_against.sh - this build beside an earlier commit's, in one run: sealed writes over HTTP at 64 connections and `disputed import` of 50,000 orders, the two programs taking turns, appended to docs/benchmarks.md.
#
# Usage: bench/bench_against.sh BUILD/disputed REV OUT.md
#   REV is built in a temporary worktree (make build/disputed).
#   BENCH_AGAINST_ROUNDS (3)     turns each program takes at each measure
#   BENCH_SECONDS (8)            how long each wrk run lasts
#   BENCH_DIR (build/bench/tmp)  where the data directories go
# Taking turns spreads whatever else the shared machine does over both.
set -euo pipefail

command -v wrk >/dev/null || { echo "bench_against: needs wrk (scripts/deps.sh bench)" >&2; exit 2; }
bin=$(realpath "$1")
rev=$2
out=$3
rounds=${BENCH_AGAINST_ROUNDS:-3}
secs=${BENCH_SECONDS:-8}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/lib_http.sh"
mkdir -p "${BENCH_DIR:-build/bench/tmp}"
tmp=$(mktemp -d "$(realpath "${BENCH_DIR:-build/bench/tmp}")/against.XXXXXX")
server=
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
	git -C "$repo" worktree remove --force "$tmp/tree" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

short=$(git -C "$repo" rev-parse --short "$rev")
git -C "$repo" worktree add --detach "$tmp/tree" "$rev" >/dev/null 2>&1
make -C "$tmp/tree" -j2 build/disputed >/dev/null
old="$tmp/tree/build/disputed"

# writes BIN: "REQ/S P50 P99" of wrk posting messages to one order at 64 connections
writes() {
	local b=$1 port key oid
	rm -rf "$tmp/http"
	"$b" init --data "$tmp/http" --origin bench.disputed.test/log >/dev/null
	key=$("$b" key create --data "$tmp/http" --role platform --name bench)
	port=$(http_free_port)
	DISPUTED_LOG_LEVEL=warn DISPUTED_MAX_CONNECTIONS=200 DISPUTED_MAX_CONNECTIONS_PER_IP=100 \
		"$b" serve --data "$tmp/http" --listen "127.0.0.1:$port" 2>"$tmp/serve.log" &
	server=$!
	http_wait_healthz "http://127.0.0.1:$port" || { cat "$tmp/serve.log" >&2; exit 1; }
	oid=$(http_make_order "http://127.0.0.1:$port" "$key")
	BENCH_KEY=$key wrk -t2 -c64 -d2s -s "$here/post_message.lua" \
		"http://127.0.0.1:$port/v1/orders/$oid/messages" >/dev/null
	BENCH_KEY=$key wrk -t2 -c64 -d"${secs}s" --latency -s "$here/post_message.lua" \
		"http://127.0.0.1:$port/v1/orders/$oid/messages" >"$tmp/wrk.out"
	kill "$server"
	wait "$server" 2>/dev/null || true
	server=
	if grep -q Non-2xx "$tmp/wrk.out"; then
		echo "bench_against: non-2xx replies" >&2
		exit 1
	fi
	echo "$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.out") $(awk '$1 == "50%" {print $2}' "$tmp/wrk.out") $(awk '$1 == "99%" {print $2}' "$tmp/wrk.out")"
}

# imports BIN: seconds to import the orders into a copy of the base
imports() {
	local t0 t1
	rm -rf "$tmp/imp"
	cp -a "$tmp/base" "$tmp/imp"
	t0=$(date +%s%N)
	"$1" import --data "$tmp/imp" "$tmp/orders.ndjson" >/dev/null
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 1000000))"
}

python3 "$here/gen_orders.py" setup 200 >"$tmp/setup.ndjson"
python3 "$here/gen_orders.py" orders 200 0 50000 >"$tmp/orders.ndjson"
"$bin" init --data "$tmp/base" --origin bench.disputed.test/log >/dev/null
"$bin" import --data "$tmp/base" "$tmp/setup.ndjson" >/dev/null

w_old=() w_new=() i_old=() i_new=()
for _ in $(seq "$rounds"); do
	w_old+=("$(writes "$old")")
	w_new+=("$(writes "$bin")")
done
for _ in $(seq "$rounds"); do
	i_old+=("$(imports "$old")")
	i_new+=("$(imports "$bin")")
done

python3 - "$out" "$short" "$(git -C "$repo" rev-parse --short HEAD)" "$rounds" "$secs" \
	"${w_old[*]}" "${w_new[*]}" "${i_old[*]}" "${i_new[*]}" <<'EOF'
import datetime, statistics, sys

out, old, new, rounds, secs = sys.argv[1:6]
def triples(s):
    v = s.split()
    return [v[i:i + 3] for i in range(0, len(v), 3)]
w_old, w_new = triples(sys.argv[6]), triples(sys.argv[7])
i_old, i_new = [int(x) for x in sys.argv[8].split()], [int(x) for x in sys.argv[9].split()]
med = statistics.median
r_old, r_new = [float(t[0]) for t in w_old], [float(t[0]) for t in w_new]
when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
lines = ["", "## This build beside commit %s" % old, "",
         "The same measures with the program built from commit %s and with this one (%s), in one run, "
         "the two taking turns (%s turns each) so that whatever else the shared machine did falls on both: "
         "sealed writes over HTTP as above (`POST /v1/orders/{id}/messages`, 64 connections, %s s of wrk after 2 s "
         "of warm-up, a fresh data directory each turn) and `disputed import` of 50,000 orders into a copy of "
         "one directory holding 200 merchants' listings. Written by `bench/bench_against.sh` on %s."
         % (old, new, rounds, secs, when), "",
         "| measure | commit %s, each turn | this build, each turn | median, %s | median, this build | this build / %s |" % (old, old, old),
         "|---|---|---|---:|---:|---:|",
         "| sealed writes/s | %s | %s | %.0f | %.0f | %.2f× |" % (
             ", ".join("%.0f" % x for x in r_old), ", ".join("%.0f" % x for x in r_new),
             med(r_old), med(r_new), med(r_new) / med(r_old)),
         "| p99 of the writes | %s | %s | | | |" % (", ".join(t[2] for t in w_old), ", ".join(t[2] for t in w_new)),
         "| import of 50,000 orders, s | %s | %s | %.1f | %.1f | %.2f× faster |" % (
             ", ".join("%.1f" % (x / 1000) for x in i_old), ", ".join("%.1f" % (x / 1000) for x in i_new),
             med(i_old) / 1000, med(i_new) / 1000, med(i_old) / med(i_new)),
         ""]
with open(out, "a") as f:
    f.write("\n".join(lines))
EOF
echo "bench_against: appended to $out" >&2
