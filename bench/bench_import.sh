#!/usr/bin/env bash
# bench_import.sh - `disputed import` of 10^5 orders beside a plain-SQLite floor, the bytes on disk per record, and the per-record cost as the store grows, appended to docs/benchmarks.md.
#
# Usage: bench/bench_import.sh BUILD/disputed OUT.md
#   BENCH_IMPORT_ORDERS (100000)   orders imported and given to the floor
#   BENCH_IMPORT_MERCHANTS (200)   merchants, with 10 listings each, set up first
#   BENCH_GROWTH_BATCH (10000)     orders per timed batch of the growth table
#   BENCH_GROWTH=1                 also fill the store (and the floor's) to 10^6
#                                  and 10^7 orders and time a batch at each (hours,
#                                  and about 5.7 KB of disk per order for the two
#                                  today: 57 GB at 10^7)
#   BENCH_GROWTH_SIZES ("1000000 10000000")  the sizes BENCH_GROWTH fills to
#   BENCH_FILL_CHUNK (1000000)     orders per file of that filling
#   BENCH_DIR (build/bench/tmp)    where the data directories go (a real disk,
#                                  as the server's would be)
set -euo pipefail

bin=$(realpath "$1")
out=$2
n=${BENCH_IMPORT_ORDERS:-100000}
merchants=${BENCH_IMPORT_MERCHANTS:-200}
batch=${BENCH_GROWTH_BATCH:-10000}
growth=${BENCH_GROWTH:-0}
growth_sizes=${BENCH_GROWTH_SIZES:-1000000 10000000}
fill_chunk=${BENCH_FILL_CHUNK:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "${BENCH_DIR:-build/bench/tmp}"
tmp=$(mktemp -d "$(realpath "${BENCH_DIR:-build/bench/tmp}")/import.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

gen() { python3 "$here/gen_orders.py" "$@"; }
now_ns() { date +%s%N; }
bytes() { du -sb "$1" | cut -f1; }           # apparent: the files' sizes
blocks() { du -s --block-size=1 "$1" | cut -f1; } # allocated on disk

# import DIR FILE: `disputed import`, which must take every line; prints its wall time in ns
import_timed() {
	local t0 t1
	t0=$(now_ns)
	if ! "$bin" import --data "$1" "$2" >"$tmp/import.out" 2>"$tmp/import.err"; then
		cat "$tmp/import.out" "$tmp/import.err" >&2
		echo "bench_import: disputed import failed" >&2
		exit 1
	fi
	t1=$(now_ns)
	echo $((t1 - t0))
}

# import_measured DIR FILE: import_timed, with each thread's CPU sampled
# (thread_cpu.py, into $tmp/threads.json) and, when strace is there, its fsyncs
# traced (only those calls stop the process: --seccomp-bpf) into $tmp/fsync.log
import_measured() {
	local t0 t1 trace=()
	# BENCH_STRACE=1 only: tracing slows the process (see bench_http.sh)
	if [ "${BENCH_STRACE:-0}" = 1 ] && command -v strace >/dev/null; then
		trace=(strace -f --seccomp-bpf -e trace=fsync,fdatasync -ttt -T -o "$tmp/fsync.log")
	fi
	t0=$(now_ns)
	if ! python3 "$here/thread_cpu.py" run "$tmp/threads.json" -- "${trace[@]}" \
		"$bin" import --data "$1" "$2" >"$tmp/import.out" 2>"$tmp/import.err"; then
		cat "$tmp/import.out" "$tmp/import.err" >&2
		echo "bench_import: disputed import failed" >&2
		exit 1
	fi
	t1=$(now_ns)
	# the import's own time, from its start to its exit (not the sampler's start-up)
	t1=$(python3 -c 'import json, sys; print(int(json.load(open(sys.argv[1]))["wall_s"] * 1e9))' \
		"$tmp/threads.json")
	t0=0
	if [ -f "$tmp/fsync.log" ]; then
		python3 "$here/fsyncs.py" "$tmp/fsync.log" 0 1e20 "$tmp/threads.json" >"$tmp/fsyncs.json"
	else
		echo '{}' >"$tmp/fsyncs.json"
	fi
	echo $((t1 - t0))
}

# floor_import DIR FILE: the floor's import of FILE into DIR; prints its JSON
floor_import() { python3 "$here/import_floor.py" "$1" "$2"; }

# chunk FROM TO: how many orders the fill's next file takes
chunk() { echo $(($2 - $1 < fill_chunk ? $2 - $1 : fill_chunk)); }

# fill DIR FLOOR_DIR FROM TO: orders FROM..TO-1 in chunks, untimed, into both.
# The two take each chunk side by side while the next is generated: the fill
# is not measured, and one after the other its hours would not fit a working
# session (the import's writer and the floor each keep about one core busy).
fill() {
	local dir=$1 fdir=$2 at=$3 to=$4 next ours theirs gen_pid
	gen orders "$merchants" "$at" "$(chunk "$at" "$to")" >"$tmp/fill.ndjson"
	while [ "$at" -lt "$to" ]; do
		next=$((at + $(chunk "$at" "$to")))
		import_timed "$dir" "$tmp/fill.ndjson" >/dev/null &
		ours=$!
		floor_import "$fdir" "$tmp/fill.ndjson" >/dev/null &
		theirs=$!
		gen_pid=""
		if [ "$next" -lt "$to" ]; then
			gen orders "$merchants" "$next" "$(chunk "$next" "$to")" >"$tmp/fill.next" &
			gen_pid=$!
		fi
		wait "$ours"
		wait "$theirs"
		if [ -n "$gen_pid" ]; then
			wait "$gen_pid"
			mv "$tmp/fill.next" "$tmp/fill.ndjson"
		fi
		echo "bench_import: filled to $next orders" >&2
		at=$next
	done
	rm -f "$tmp/fill.ndjson"
}

# The merchants and listings, once, in a base directory each run copies.
gen setup "$merchants" >"$tmp/setup.ndjson"
gen orders "$merchants" 0 "$n" >"$tmp/orders.ndjson"
"$bin" init --data "$tmp/base" --origin bench.disputed.test/log >/dev/null
import_timed "$tmp/base" "$tmp/setup.ndjson" >/dev/null
setup_json=$(stat -c %s "$tmp/setup.ndjson")
orders_json=$(stat -c %s "$tmp/orders.ndjson")

# The floor, then the import, on copies of the base.
cp -a "$tmp/base" "$tmp/floor"
floor=$(floor_import "$tmp/floor" "$tmp/orders.ndjson")
floor_bytes=$(bytes "$tmp/floor")
cp -a "$tmp/base" "$tmp/main"
import_ns=$(import_measured "$tmp/main" "$tmp/orders.ndjson")
threads_json=$(cat "$tmp/threads.json")
fsyncs_json=$(cat "$tmp/fsyncs.json")
rm -f "$tmp/fsync.log" # the growth batches below are not traced
main_bytes=$(bytes "$tmp/main")
main_blocks=$(blocks "$tmp/main")
base_bytes=$(bytes "$tmp/base")
echo "bench_import: $n orders imported in $((import_ns / 1000000)) ms; floor $floor" >&2

# Growth: a batch into a fresh store, then a batch after the store holds n,
# and with BENCH_GROWTH after it holds each of BENCH_GROWTH_SIZES (rising).
# Each batch runs as import_measured does, for the writer thread's bytes read
# (its store's page-cache misses) and written (its WAL frames); the floor
# takes the same batch into its own directory, filled alike.
growth_rows=""
floor_ns() {
	python3 -c 'import json, sys; print(int(json.loads(sys.argv[1])["seconds"] * 1e9))' "$1"
}
# the writer thread's bytes read and written and its CPU (ns) in the last import_measured
writer_io() {
	python3 -c 'import json, sys
w = json.load(open(sys.argv[1]))["threads"].get("dsp-writer", {})
print(w.get("read_b", 0), w.get("written_b", 0), int(w.get("cpu_s", 0) * 1e9))' "$tmp/threads.json"
}
: >"$tmp/empty.ndjson"
# growth_batch DIR FLOOR_DIR HAVE: a row of the growth table, for a batch of
# orders HAVE.. into DIR (holding HAVE orders) and the same into FLOOR_DIR;
# first an import of no line into DIR, whose time is the command's own
# start-up and close at that size
growth_batch() {
	local dir=$1 fdir=$2 have=$3 b0 ns fns empty
	gen orders "$merchants" "$have" "$batch" >"$tmp/batch.ndjson"
	empty=$(import_timed "$dir" "$tmp/empty.ndjson")
	b0=$(bytes "$dir")
	ns=$(BENCH_STRACE=0 import_measured "$dir" "$tmp/batch.ndjson")
	fns=$(floor_ns "$(floor_import "$fdir" "$tmp/batch.ndjson")")
	growth_rows+="$have $batch $ns $(($(bytes "$dir") - b0)) $(writer_io) $fns $empty"$'\n'
}
cp -a "$tmp/base" "$tmp/small"
cp -a "$tmp/base" "$tmp/floor_small"
growth_batch "$tmp/small" "$tmp/floor_small" 0
rm -rf "$tmp/small" "$tmp/floor_small" "$tmp/base"
have=$n
targets=""
if [ "$growth" = 1 ]; then
	last=$((n + batch))
	for t in $growth_sizes; do
		if [ "$t" -gt "$last" ]; then targets+=" $t"; last=$((t + batch)); fi
	done
fi
for t in "" $targets; do
	if [ -n "$t" ]; then
		fill "$tmp/main" "$tmp/floor" "$have" "$t"
		have=$t
	fi
	growth_batch "$tmp/main" "$tmp/floor" "$have"
	have=$((have + batch))
done
rm -rf "$tmp/floor"

BI_N=$n BI_MERCHANTS=$merchants BI_BATCH=$batch BI_IMPORT_NS=$import_ns BI_FLOOR=$floor \
BI_SETUP_JSON=$setup_json BI_ORDERS_JSON=$orders_json BI_MAIN_BYTES=$main_bytes \
BI_MAIN_BLOCKS=$main_blocks BI_BASE_BYTES=$base_bytes BI_FLOOR_BYTES=$floor_bytes \
BI_GROWTH_ROWS=$growth_rows BI_GROWTH=$growth BI_THREADS=$threads_json BI_FSYNCS=$fsyncs_json \
python3 - "$out" <<'PY'
import json, os, sys, time
E = os.environ
n, merchants, batch = int(E["BI_N"]), int(E["BI_MERCHANTS"]), int(E["BI_BATCH"])
import_s = int(E["BI_IMPORT_NS"]) / 1e9
floor = json.loads(E["BI_FLOOR"])
setup_json, orders_json = int(E["BI_SETUP_JSON"]), int(E["BI_ORDERS_JSON"])
main_bytes, main_blocks = int(E["BI_MAIN_BYTES"]), int(E["BI_MAIN_BLOCKS"])
base_bytes, floor_bytes = int(E["BI_BASE_BYTES"]), int(E["BI_FLOOR_BYTES"])
rows = [tuple(int(x) for x in l.split()) for l in E["BI_GROWTH_ROWS"].splitlines() if l.strip()]
growth = E["BI_GROWTH"] == "1"

rate = n / import_s
ratio = rate / floor["records_per_sec"]
json_bytes = setup_json + orders_json
o = []
o.append("\n## Import\n")
o.append("`disputed import` of %d orders (NDJSON from `bench/gen_orders.py`: about %.0f bytes each, "
         "a consumer from a pool so buyers return, one to three items of the merchant's listings, "
         "the total and the payment) into a data directory where %d merchants and %d listings were "
         "imported first, beside its floor: `bench/import_floor.py`, Python's sqlite3 parsing the "
         "same lines, hashing each record (SHA-256) and inserting the same records (the consumer if "
         "new, the order, its items) into a copy of the same directory, so the store's own schema "
         "and every index, with the store's pragmas (WAL, `synchronous=FULL`, foreign keys on, a 64 MiB page cache) and its time-ordered order ids, "
         "in one transaction. The import's time is the whole command, sealing into the log "
         "included; the floor's from its first line read to its commit. Written by "
         "`bench/bench_import.sh` on %s.\n"
         % (n, orders_json / n, merchants, merchants * 10, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))
o.append("| orders | disputed import records/s | seconds | floor records/s | seconds | import / floor |")
o.append("|---:|---:|---:|---:|---:|---:|")
o.append("| %d | %.0f | %.1f | %.0f | %.2f | %.3f× |" % (n, rate, import_s, floor["records_per_sec"],
                                                         floor["seconds"], ratio))
o.append("\nGoal (issue 12): the import at no less than 0.5× the floor; in this run %.3f×.\n" % ratio)
threads = json.loads(E["BI_THREADS"])
fsyncs = json.loads(E["BI_FSYNCS"])
o.append("What bounds it, measured over the same import: each thread's CPU time (user and system, "
         "from `/proc/PID/task/TID/stat`, sampled every 50 ms by `bench/thread_cpu.py`; threads by "
         "the names the program gives them: `main` reads and parses the lines and prepares their "
         "leaves' commitments, `dsp-writer` applies them in batches, `dsp-sealer` appends each "
         "committed batch's leaves to the log while the writer writes the next, and the log's "
         "`dsp-log-seq` writes and fsyncs its files), the time each was ready to run but waited for a core "
         "(`/proc/PID/task/TID/schedstat`: other work on the machine), and its fsync and fdatasync "
         "calls with the time spent in them, with `BENCH_STRACE=1` only (`strace -f --seccomp-bpf "
         "-T`, `bench/fsyncs.py`; off by default, since tracing slows the process and its rate "
         "would not be comparable)%s.\n"
         % ("; this run was traced, so its rate above is not comparable" if fsyncs
            else "; this run was not traced: the fsync columns are empty"))
o.append("| thread | threads | CPU s | share of one core | waited for a core, s | fsyncs | in fsync, s | in fsync, share of the run |")
o.append("|---|---:|---:|---:|---:|---:|---:|---:|")
wall = threads["wall_s"]
for name, g in sorted(threads["threads"].items(), key=lambda kv: -kv[1]["cpu_s"]):
    f = fsyncs.get(name, {"calls": 0, "seconds": 0.0})
    o.append("| %s | %d | %.2f | %.0f %% | %.2f | %d | %.2f | %.0f %% |"
             % (name, g["count"], g["cpu_s"], g["core_pct"], g.get("runq_s", 0), f["calls"],
                f["seconds"], 100 * f["seconds"] / wall if wall else 0))
busy = max(threads["threads"].items(), key=lambda kv: kv[1]["cpu_s"])
o.append("\nThe busiest thread, %s, was on a core %.0f %% of the %.1f s%s.\n"
         % (busy[0], busy[1]["core_pct"], wall,
            "; the process's fsyncs took %.1f s in all" % sum(f["seconds"] for f in fsyncs.values())
            if fsyncs else ""))
o.append("### Bytes on disk per record\n")
o.append("The whole data directory after the import (database, WAL, the log's tiles, entry bundles and "
         "checkpoint, keys) over all the JSON imported into it, the merchants' and listings' lines "
         "included. Per order: what the orders added to the directory (it held %d bytes before them), "
         "over their %d. The floor's directory, from the same copy, holds the same records without "
         "their seals or the log's part of them.\n" % (base_bytes, n))
o.append("| | bytes in all | ratio to the JSON | bytes per order | ratio to the order's JSON |")
o.append("|---|---:|---:|---:|---:|")
per_json = orders_json / n
o.append("| JSON imported | %d | 1.00× | %.0f | 1.00× |" % (json_bytes, per_json))
for what, total in (("disputed's data directory, file sizes", main_bytes),
                    ("disputed's data directory, blocks allocated", main_blocks),
                    ("the floor's data directory, file sizes", floor_bytes)):
    per = (total - base_bytes) / n
    o.append("| %s | %d | %.2f× | %.0f | %.2f× |" % (what, total, total / json_bytes, per, per / per_json))
fper = (floor_bytes - base_bytes) / n / per_json
o.append("\nGoal (issue 12): at most 2.5× by file sizes; in this run %.2f× for the whole directory, "
         "%.2f× per order. The floor's directory, the same records in the store's schema with its "
         "indexes but no seal and no log, takes %.2f× per order: %s.\n"
         % (main_bytes / json_bytes, (main_bytes - base_bytes) / n / per_json, fper,
            "more than the goal before any seal or leaf is kept" if fper > 2.5
            else "the seals and the log take the rest"))
o.append("### Growth\n")
o.append("The cost of one imported order as the store grows: a batch of %d orders imported (the whole "
         "command, as above) into a store already holding N orders; the first row is a fresh store, "
         "the next the one above after its %d, and any further row the same store filled (untimed) "
         "to a larger size.%s\n"
         % (batch, n, "" if growth else " (`BENCH_GROWTH=1` adds batches after 10^6 and 10^7 orders: "
            "hours of filling.)"))
o.append("The floor (`bench/import_floor.py`, as above) takes the same batch into its own directory, "
         "filled with the same orders, so its rows are the same records and indexes without seals "
         "or the log: what the store's B-trees alone cost as they grow.\n")
o.append("What the writer thread (`dsp-writer`, the import's busiest) read and wrote in each batch, "
         "measured with its CPU (`bench/thread_cpu.py`: `rchar` and `wchar` of "
         "`/proc/PID/task/TID/io`, sampled every 50 ms, so the last 50 ms of the thread may be "
         "missed): SQLite reads a page missing from its page cache with one 4 KiB `pread` (from the "
         "kernel's cache or the disk), and at each commit writes every page the transaction changed "
         "to the WAL as a 4 KiB frame, so these count page-cache misses and pages dirtied, per "
         "order.\n")
o.append("| orders already stored | batch | µs per order | × the fresh store's | writer's CPU, µs per order "
         "| start-up and close, ms | bytes on disk added per order | writer read, KiB per order "
         "| writer wrote, KiB per order | floor, µs per order | floor, × its fresh store's |")
o.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
per = lambda r, i: r[i] / r[1] / 1e3  # a row's ns figure as µs per order
first, last = rows[0], rows[-1]
for r in rows:
    o.append("| %d | %d | %.0f | %.2f× | %.0f | %.0f | %.0f | %.1f | %.1f | %.0f | %.2f× |"
             % (r[0], r[1], per(r, 2), per(r, 2) / per(first, 2), per(r, 6), r[8] / 1e6,
                r[3] / r[1], r[4] / r[1] / 1024, r[5] / r[1] / 1024, per(r, 7),
                per(r, 7) / per(first, 7)))
spread = max(per(r, 2) for r in rows) / min(per(r, 2) for r in rows)
fspread = max(per(r, 7) for r in rows) / min(per(r, 7) for r in rows)
o.append("\nStart-up and close: an import of no line into the same store just before the batch (the "
         "command opening the store and the log and closing them), so its share of the batch's time "
         "is that figure over the batch.\n")
o.append("Goal (issue 12): the per-write cost at 10^4, 10^6 and 10^7 records within 1.2× of each "
         "other; here the rows are within %.2f× of each other, the floor's within %.2f×. From the "
         "fresh store to %d orders an order cost %.0f µs more to import (the writer's CPU %.0f µs "
         "more; the start-up and close %.0f µs more an order of the batch), and %.0f µs more to the "
         "floor; the writer's reads went from %.1f to %.1f KiB an order (%.1f to %.1f page-cache "
         "misses) and its WAL writes from %.1f to %.1f KiB (%.1f to %.1f pages).\n"
         % (spread, fspread, last[0], per(last, 2) - per(first, 2), per(last, 6) - per(first, 6),
            per(last, 8) - per(first, 8), per(last, 7) - per(first, 7),
            first[4] / first[1] / 1024, last[4] / last[1] / 1024,
            first[4] / first[1] / 4096, last[4] / last[1] / 4096,
            first[5] / first[1] / 1024, last[5] / last[1] / 1024,
            first[5] / first[1] / 4120, last[5] / last[1] / 4120))
with open(sys.argv[1], "a") as f:
    f.write("\n".join(o))
PY
