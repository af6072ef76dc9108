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
# shellcheck source=bench/lib_http.sh
. "$here/lib_http.sh"
tmp=$(mktemp -d)
server=
launcher=
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
	if [ -n "$launcher" ]; then wait "$launcher" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "bench_http: wrk is missing (scripts/deps.sh bench)" >&2; exit 1; }
max_conns=0
for c in $conns_list; do [ "$c" -gt "$max_conns" ] && max_conns=$c; done
"$bin" init --data "$tmp/data" --origin bench.disputed.test/log >/dev/null
key=$("$bin" key create --data "$tmp/data" --role platform --name bench)
port=$(http_free_port)
# wrk's connections all come from 127.0.0.1: let the server take them all.
# With BENCH_STRACE=1 (and strace there), under strace tracing only fsync and
# fdatasync, so that each run's fsyncs can be counted. Not by default: even with
# --seccomp-bpf the tracer cut this server's /healthz rate about tenfold here
# (15,820/s plain, 768-1,779/s traced), so a traced run's rates mean nothing;
# it is for counting fsyncs per write, not for the ratios.
trace=()
if [ "${BENCH_STRACE:-0}" = 1 ] && command -v strace >/dev/null; then
	# shellcheck disable=SC2054 # strace's -e takes a comma-separated list
	trace=(strace -f --seccomp-bpf -e trace=fsync,fdatasync -ttt -T -o "$tmp/fsync.log")
fi
DISPUTED_LOG_LEVEL=warn DISPUTED_MAX_CONNECTIONS=$((max_conns + 64)) \
	DISPUTED_MAX_CONNECTIONS_PER_IP=$((max_conns + 16)) \
	"${trace[@]}" "$bin" serve --data "$tmp/data" --listen "127.0.0.1:$port" 2>"$tmp/serve.log" &
launcher=$!
server=$launcher
if [ ${#trace[@]} -gt 0 ]; then
	# the server is strace's child: signals go to it, not to strace
	for _ in $(seq 50); do
		server=$(awk '{print $1}' "/proc/$launcher/task/$launcher/children" 2>/dev/null)
		[ -n "$server" ] && break
		sleep 0.1
	done
fi
api="http://127.0.0.1:$port"
http_wait_healthz "$api" || { cat "$tmp/serve.log" >&2; echo "bench_http: the server did not answer" >&2; exit 1; }
auth="Authorization: Bearer $key"
order=$(http_make_order "$api" "$key")

# bench_wrk NAME CONNECTIONS ARGS... : one wrk run, its report kept as $tmp/NAME.txt,
# the server's threads' CPU over it as $tmp/NAME.threads.json and its fsyncs as
# $tmp/NAME.fsyncs.json (thread_cpu.py, fsyncs.py)
bench_wrk() {
	local name=$1 conns=$2 t0 t1
	shift 2
	curl -sf "$api/metrics" >"$tmp/$name.metrics.before"
	python3 "$here/thread_cpu.py" snap "$server" >"$tmp/$name.before.json"
	t0=$(date +%s.%N)
	BENCH_KEY=$key wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" >"$tmp/$name.txt" 2>&1 ||
		{ cat "$tmp/$name.txt" >&2; echo "bench_http: wrk failed" >&2; exit 1; }
	t1=$(date +%s.%N)
	python3 "$here/thread_cpu.py" snap "$server" >"$tmp/$name.after.json"
	curl -sf "$api/metrics" >"$tmp/$name.metrics.after"
	python3 "$here/thread_cpu.py" diff "$tmp/$name.before.json" "$tmp/$name.after.json" \
		"$(python3 -c "print($t1 - $t0)")" >"$tmp/$name.threads.json"
	if [ -f "$tmp/fsync.log" ]; then
		python3 "$here/fsyncs.py" "$tmp/fsync.log" "$t0" "$t1" "$tmp/$name.after.json" \
			>"$tmp/$name.fsyncs.json"
	else
		echo '{}' >"$tmp/$name.fsyncs.json"
	fi
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
# shellcheck disable=SC2086 # one argument per count
table=$(rows $conns_list)
# bounds: per connection count, what each of the server's threads did during the writes
# shellcheck disable=SC2086 # one argument per count
bounds=$(python3 - "$tmp" $conns_list <<'PY'
import json, sys
tmp, counts = sys.argv[1], sys.argv[2:]
for c in counts:
    t = json.load(open("%s/write-%s.threads.json" % (tmp, c)))
    f = json.load(open("%s/write-%s.fsyncs.json" % (tmp, c)))
    wall = t["wall_s"]
    for name, g in sorted(t["threads"].items(), key=lambda kv: -kv[1]["cpu_s"]):
        if g["cpu_s"] == 0 and name not in f:
            continue
        x = f.get(name, {"calls": 0, "seconds": 0.0})
        print("| %s | %s | %d | %.2f | %.0f %% | %.2f | %d | %.0f | %.0f %% |" % (
            c, name, g["count"], g["cpu_s"], g["core_pct"], g.get("runq_s", 0), x["calls"],
            x["calls"] / wall if wall else 0, 100 * x["seconds"] / wall if wall else 0))
PY
)
bounds64=$(python3 - "$tmp" <<'PY'
import json, os, re, sys
tmp = sys.argv[1]
if not os.path.exists(tmp + "/write-64.threads.json"):
    sys.exit(0)
t = json.load(open(tmp + "/write-64.threads.json"))["threads"]
w = t.get("dsp-writer", {"core_pct": 0})["core_pct"]
s = t.get("dsp-sealer", {"core_pct": 0})["core_pct"]
h = t.get("dsp-http", {"core_pct": 0, "count": 0})
total = sum(g["core_pct"] for g in t.values())
cores = os.cpu_count()
print("At 64 connections the writer thread was on a core %.0f %% of the run, the sealer %.0f %%, "
      "the %d HTTP threads together %.0f %%; the whole server %.0f %% of one core (the machine "
      "has %d)." % (w, s, h["count"], h["core_pct"], total, cores))

def done(name):
    """(requests wrk completed, rate) of a run, from its report."""
    txt = open("%s/%s.txt" % (tmp, name)).read()
    return (int(re.search(r"(\d+) requests in", txt).group(1)),
            float(re.search(r"Requests/sec:\s+([\d.]+)", txt).group(1)))

# CPU per request: the server's threads' CPU over the run over the requests done
nw, wrate = done("write-64")
nh, hrate = done("healthz-64")
th = json.load(open(tmp + "/healthz-64.threads.json"))["threads"]
cpu_w = sum(g["cpu_s"] for g in t.values()) / nw * 1e6 if nw else 0
cpu_h = sum(g["cpu_s"] for g in th.values()) / nh * 1e6 if nh else 0
writer_w = t.get("dsp-writer", {"cpu_s": 0})["cpu_s"] / nw * 1e6 if nw else 0
goal = 0.7 * hrate
if cpu_w and writer_w:
    print()
    print("The rate's ceiling in CPU, from the same runs: a sealed write took %.0f µs of the server's "
          "CPU (all its threads), %.0f µs of it on the writer thread; a `/healthz` request %.0f µs. "
          "With all of the machine's %d cores given to the server and none to wrk, the server's CPU alone would cap "
          "sealed writes at %.0f/s, and the one writer thread at %.0f/s; the goal, 0.7× this run's "
          "`/healthz` rate, is %.0f/s, which needs a sealed write in %.0f µs of CPU at most and its "
          "part on the writer in %.0f µs: the CPU per write, not only the waits for fsync, bounds "
          "the rate, %.1f× over what the goal allows."
          % (cpu_w, writer_w, cpu_h, cores, cores / cpu_w * 1e6, 1e6 / writer_w, goal,
             cores / goal * 1e6, 1e6 / goal, cpu_w / (cores / goal * 1e6)))
PY
)
# where the writes' time went, from the pipeline's own counters
# shellcheck disable=SC2086 # one argument per count
times=$(python3 "$here/pipeline_times.py" rows "$tmp" $conns_list)
times64=$(case " $conns_list " in *" 64 "*) python3 "$here/pipeline_times.py" bound "$tmp" 64 ;; esac)
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
	echo "What bounds the writes, measured during each write run: the server's threads' CPU time (user and system, \`/proc/PID/task/TID/stat\` before and after the run, \`bench/thread_cpu.py\`; named by the server: \`dsp-http\` are libmicrohttpd's threads, which parse each request and prepare its leaf's commitments, \`dsp-writer\` applies the queued requests in batches, \`dsp-sealer\` hands each batch's leaves to the log, whose \`dsp-log-seq\` writes and fsyncs its tiles, bundles and checkpoint; \`dsp-worker\` fires timers and seals what is left pending), the time they were ready to run but waited for a core (\`schedstat\`: wrk and other work on the machine), and, with \`BENCH_STRACE=1\` only, their fsync and fdatasync calls with the share of the run spent in them (\`strace -f --seccomp-bpf -T\`, \`bench/fsyncs.py\`; off by default because tracing cut the server's rates about tenfold here, so those runs' rates are not comparable)$([ ${#trace[@]} -gt 0 ] && echo '; this run was traced, so its rates above are not comparable' || echo '; this run was not traced: the fsync columns are empty')."
	echo
	echo "| connections | thread | threads | CPU s | share of one core | waited for a core, s | fsyncs | fsyncs/s | in fsync, share of the run |"
	echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
	echo "$bounds"
	echo
	if [ -n "$bounds64" ]; then
		echo "$bounds64"
		echo
	fi
	echo "Where a write's time went, from the write pipeline's own clocks (\`GET /metrics\` before and after each run, \`disputed_pipeline_*_seconds_total\`, \`bench/pipeline_times.py\`): for a write, its mean time queued before the writer took its batch, in its batch until the batch's commit returned (the others' work in it, then the WAL's write and fsync), and from the commit until sealed (the sealer's append of the batch's leaves to the log with its fsyncs, then the commit of their indexes); the rest of wrk's mean latency is outside the pipeline (the request read, parsed and its leaves prepared, the reply sent, wrk itself). For the two pipeline threads, their share of the run in each step: the writer applying, recording the indexes of batches the sealer appended while its transaction was open, and committing; the sealer appending and, for a batch appended while the writer had no transaction open, waiting for the store's one write transaction and recording its indexes itself."
	echo
	echo "| connections | writes per batch | writes per append | ms per append | mean latency | queued, ms | in its batch, ms | commit to sealed, ms | outside the pipeline, ms | writer busy (applying + recording + committing) | sealer busy (appending + waiting for the store + recording) | appends recorded by the writer |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	echo "$times"
	echo
	if [ -n "$times64" ]; then
		echo "$times64"
		echo
	fi
	echo "Beside them, reads of the order (\`GET /v1/orders/{id}\`, each also writing its personal-data audit entry):"
	echo
	echo "| request | connections | requests/s | p50 | p99 |"
	echo "|---|---:|---:|---:|---:|"
	echo "$read_row"
	echo
	echo "Per batch of writes: one fsync of the SQLite WAL for the records, the log's few fsyncs (partial tile, bundle, checkpoint and their directories) for the leaves, and their leaf indexes recorded by the writer's next transaction when one is open, else by the sealer in a commit with no fsync of its own (after a crash, recovery finds them in the log). The writer applies the next batch while the sealer seals the last one, so a batch holds what arrived during the one before it: not by an fsync per request. Each request's leaf commitments (a salt derived per field, a SHA-256 and base64 each) are made on its HTTP thread before it is queued; the writer checks and reuses them, committing only to what it alone knows (the ids it resolves, the chain's place). The table above says which thread is busiest (the writer's share of a core against the sealer's and the log's time in fsync); threads waiting for a core mean the machine, not the server, bounded the run."
} >>"$out"
