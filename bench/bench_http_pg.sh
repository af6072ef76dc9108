#!/usr/bin/env bash
# bench_http_pg.sh - sealed writes over HTTP at 64 connections on SQLite, on PostgreSQL with one node and with three nodes on one data directory, in one run, with what bounds each; appended to docs/benchmarks.md.
#
# Usage: bench/bench_http_pg.sh BUILD/disputed OUT.md
# BENCH_SECONDS (default 10): how long each wrk run lasts.
#
# PostgreSQL is a throwaway cluster of its own with the durable defaults
# (tests/e2e/pg_cluster.py run --durable: fsync, synchronous_commit and
# full_page_writes on, shared_buffers and max_connections left at their
# defaults, track_wal_io_timing on so that WAL syncs are timed), on loopback
# TCP; the script runs itself again under it. Every row is measured the same
# way (bench/http_pg_report.py turns the figures into the section): wrk's
# report(s); each node's threads' CPU (bench/thread_cpu.py); the PostgreSQL
# server's processes' CPU by role and the machine's (bench/pg_cpu.py);
# PostgreSQL's commits and WAL counters (pg_stat_database, pg_stat_wal); what
# its client backends were waiting on, sampled every 100 ms
# (pg_stat_activity); and each node's write pipeline and sequencer counters
# (GET /metrics).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${BENCH_PG_INNER:-}" ]; then
	command -v wrk >/dev/null || { echo "bench_http_pg: wrk is missing (scripts/deps.sh bench)" >&2; exit 1; }
	command -v psql >/dev/null || { echo "bench_http_pg: psql is missing (scripts/deps.sh)" >&2; exit 1; }
	exec python3 "$here/../tests/e2e/pg_cluster.py" run --durable -- \
		env BENCH_PG_INNER=1 "$0" "$@"
fi
# shellcheck source=bench/lib_http.sh
. "$here/lib_http.sh"

bin=$(realpath "$1")
out=$2
secs=${BENCH_SECONDS:-10}
conns=64
pg=$DISPUTED_TEST_PG
pgdata=$(psql "$pg" -XAtqc 'show data_directory')
postmaster=$(head -n 1 "$pgdata/postmaster.pid")
tmp=$(mktemp -d)
pids=()      # the nodes running now
apis=()      # their base URLs
sampler=

stop_nodes() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
	apis=()
}
cleanup() {
	if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; fi
	stop_nodes
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT   # through cleanup: pg_cluster.py ends us so when it is stopped

# start_node DATA NAME: one `disputed serve` on DATA, its log in $tmp/NAME.log
start_node() {
	local port
	port=$(http_free_port)
	# wrk's connections all come from 127.0.0.1: let the server take them all
	DISPUTED_LOG_LEVEL=warn DISPUTED_MAX_CONNECTIONS=$((conns + 64)) \
		DISPUTED_MAX_CONNECTIONS_PER_IP=$((conns + 16)) \
		"$bin" serve --data "$1" --listen "127.0.0.1:$port" 2>"$tmp/$2.log" &
	pids+=($!)
	apis+=("http://127.0.0.1:$port")
}

# wait_nodes: every node answers /healthz; with PostgreSQL, one of them sequences the log
wait_nodes() {
	local i api
	for i in "${!apis[@]}"; do
		http_wait_healthz "${apis[$i]}" 100 ||
			{ cat "$tmp"/*.log >&2; echo "bench_http_pg: node $i did not answer" >&2; exit 1; }
	done
	[ "${1:-}" = sequenced ] || return 0
	for _ in $(seq 100); do
		for api in "${apis[@]}"; do
			curl -sf "$api/metrics" | grep -qx 'disputed_sequencer_leading 1' && return 0
		done
		sleep 0.1
	done
	cat "$tmp"/*.log >&2
	echo "bench_http_pg: no node became the log's sequencer" >&2
	exit 1
}

# snap ROW WHEN: each node's threads and /metrics, PostgreSQL's processes (0: none) and counters
snap() {
	local d=$tmp/$1 i
	for i in "${!pids[@]}"; do
		python3 "$here/thread_cpu.py" snap "${pids[$i]}" >"$d/node$i.$2.json"
		curl -sf "${apis[$i]}/metrics" >"$d/node$i.$2.metrics"
	done
	if [ "$3" = pg ]; then
		python3 "$here/pg_cpu.py" snap "$postmaster" >"$d/pg.$2.json"
	else
		python3 "$here/pg_cpu.py" snap 0 >"$d/pg.$2.json"
	fi
}

# the client backends' states and wait events, every 100 ms, into FILE (until killed)
sample_waits() {
	echo "select extract(epoch from now())::numeric(16,3), case when state = 'idle' then 'idle' when wait_event is null then 'running' else wait_event_type || ':' || wait_event end as what, count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid() group by what \\watch 0.1" |
		psql "$pg" -XAtq -P pager=off >"$1" 2>/dev/null &
	sampler=$!
}

# measure ROW KIND URL...: wrk on the nodes' URLs at once, the 64 connections split over
# them (one URL: 2 threads, as bench_http.sh; several: 1 thread each), the figures of
# every source before and after; KIND is sqlite or pg
measure() {
	local row=$1 kind=$2 d=$tmp/$1 n t0 t1 i c w=() lua=()
	shift 2
	n=$#
	mkdir -p "$d"
	case "$1" in */messages) lua=(-s "$here/post_message.lua") ;; esac
	# a pause, so that PostgreSQL's backends report what they did before (they flush
	# their statistics at most once a second)
	sleep 1.5
	[ "$kind" = pg ] && python3 "$here/pg_cpu.py" counters "$pg" >"$d/counters.before.json"
	snap "$row" before "$kind"
	[ "$kind" = pg ] && sample_waits "$d/waits.txt"
	# the children's CPU so far: what wrk adds to it is wrk's (the only children reaped
	# until the runs end), to tell it from other work on the machine
	times >"$d/children.before"
	t0=$(date +%s.%N)
	i=0
	for url in "$@"; do
		c=$(( conns / n + (i >= n - conns % n ? 1 : 0) ))
		BENCH_KEY=$key wrk -t"$([ "$n" = 1 ] && echo 2 || echo 1)" -c"$c" -d"${secs}s" \
			--latency "${lua[@]}" "$url" >"$d/wrk$i.txt" 2>&1 &
		w+=($!)
		i=$((i + 1))
	done
	for i in "${!w[@]}"; do
		wait "${w[$i]}" || { cat "$d/wrk$i.txt" >&2; echo "bench_http_pg: wrk failed" >&2; exit 1; }
	done
	t1=$(date +%s.%N)
	times >"$d/children.after"
	snap "$row" after "$kind"
	if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; sampler=; fi
	python3 -c "print($t1 - $t0)" >"$d/wall"
	for i in "${!pids[@]}"; do
		python3 "$here/thread_cpu.py" diff "$d/node$i.before.json" "$d/node$i.after.json" \
			"$(cat "$d/wall")" >"$d/node$i.threads.json"
	done
	python3 "$here/pg_cpu.py" diff "$d/pg.before.json" "$d/pg.after.json" "$(cat "$d/wall")" \
		>"$d/pg.json"
	if [ "$kind" = pg ]; then
		sleep 1.5
		python3 "$here/pg_cpu.py" counters "$pg" >"$d/counters.after.json"
	fi
	return 0
}

# (a) SQLite, one node; its /healthz is every row's floor
"$bin" init --data "$tmp/sqlite" --origin bench.disputed.test/log >/dev/null
key=$("$bin" key create --data "$tmp/sqlite" --role platform --name bench)
start_node "$tmp/sqlite" sqlite
wait_nodes
order=$(http_make_order "${apis[0]}" "$key")
measure healthz sqlite "${apis[0]}/healthz"
measure sqlite sqlite "${apis[0]}/v1/orders/$order/messages"
stop_nodes

# (b) PostgreSQL, one node
"$bin" init --data "$tmp/pg1" --origin bench.disputed.test/log --db "$pg" >/dev/null
key=$("$bin" key create --data "$tmp/pg1" --role platform --name bench)
start_node "$tmp/pg1" pg1
wait_nodes sequenced
order=$(http_make_order "${apis[0]}" "$key")
measure pg1 pg "${apis[0]}/v1/orders/$order/messages"
stop_nodes

# (c) PostgreSQL, three nodes on one data directory and one database
psql "$pg" -XAtqc 'create database nodes3' >/dev/null
"$bin" init --data "$tmp/pg3" --origin bench.disputed.test/log --db "${pg%/*}/nodes3" >/dev/null
key=$("$bin" key create --data "$tmp/pg3" --role platform --name bench)
for i in 0 1 2; do start_node "$tmp/pg3" "pg3-$i"; done
wait_nodes sequenced
order=$(http_make_order "${apis[0]}" "$key")
measure pg3 pg "${apis[0]}/v1/orders/$order/messages" "${apis[1]}/v1/orders/$order/messages" \
	"${apis[2]}/v1/orders/$order/messages"
stop_nodes

# The runs first, the section after, so a failed run leaves the file as it was.
section=$(python3 "$here/http_pg_report.py" "$tmp" "$secs")
printf '\n%s\n' "$section" >>"$out"
