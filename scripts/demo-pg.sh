#!/usr/bin/env bash
# demo-pg.sh - the demo's own PostgreSQL cluster under build/demo-pg/, for `make demo DB=postgres`.
#
#   scripts/demo-pg.sh run BIN [DEMO ARGS...]  the demo on a fresh database: $DISPUTED_DB if
#                                              set, else one in the demo's cluster (started,
#                                              or reused when it already runs)
#   scripts/demo-pg.sh start                   start the cluster (or reuse it); say where
#   scripts/demo-pg.sh stop                    stop it (its data stays for the next start)
#   scripts/demo-pg.sh status                  say whether it runs, and where
#
# Unlike the tests' throwaway clusters (tests/e2e/pg_cluster.py) this one is durable: fsync
# and full-page writes on, PostgreSQL's defaults, so a demo's data outlives a crash or a
# reboot; `start` brings it back. It listens only on 127.0.0.1, port 8063 (8061 is the demo's,
# 8062 the README walkthrough's), or a free one when that is taken, kept in build/demo-pg/port,
# and on a unix socket in its own directory, with trust authentication for this machine's
# users: a demo, never a deployment. The server's programs run as the `postgres` user when
# this runs as root (PostgreSQL refuses root).
# Each demo gets a database of its own (demo_1, demo_2, ...), owned by the role `disputed`,
# so an earlier demo's data directory (it names its database) can still be served.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PG_BIN=${DISPUTED_PG_BIN:-/usr/lib/postgresql/15/bin}
DIR=${DISPUTED_DEMO_PG_DIR:-$ROOT/build/demo-pg}
DATA=$DIR/data
PORT_WANTED=8063
ROLE=disputed

say() { printf 'demo-pg: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

runas=()
if [ "$(id -u)" = 0 ]; then
	runas=(runuser -u postgres --)
fi
pg() { "${runas[@]}" "$PG_BIN/$1" "${@:2}"; }

running() { [ -f "$DATA/postmaster.pid" ] && pg pg_ctl status -D "$DATA" >/dev/null 2>&1; }

port_taken() {
	python3 -c 'import socket,sys
s=socket.socket()
try: s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError: sys.exit(0)
sys.exit(1)' "$1"
}

free_port() {
	python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

psql_admin() {
	"${runas[@]}" "$PG_BIN/psql" -h "$DIR" -p "$(cat "$DIR/port")" -U postgres -d postgres \
		-v ON_ERROR_STOP=1 -Atq "$@"
}

# A new cluster: initdb, then its settings at the end of its postgresql.conf (kept across restarts).
create_cluster() {
	[ -x "$PG_BIN/initdb" ] || die "no PostgreSQL server in $PG_BIN: run scripts/deps.sh"
	mkdir -p "$DIR"
	chmod 0700 "$DIR"
	[ ${#runas[@]} -eq 0 ] || chown postgres:postgres "$DIR"
	pg initdb -D "$DATA" -U postgres -A trust -E UTF8 --locale=C --no-instructions >/dev/null
	local port=$PORT_WANTED
	if port_taken "$port"; then
		port=$(free_port)
		say "port $PORT_WANTED is taken: the demo's cluster takes $port"
	fi
	cat >>"$DATA/postgresql.conf" <<EOF
# written by scripts/demo-pg.sh: loopback only, a socket in the cluster's directory
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DIR'
EOF
	echo "$port" >"$DIR/port"
}

start() {
	if [ ! -f "$DATA/PG_VERSION" ]; then
		create_cluster
	fi
	if running; then
		say "the demo's cluster is running on 127.0.0.1:$(cat "$DIR/port") ($DATA)"
		return
	fi
	if port_taken "$(cat "$DIR/port")"; then
		die "port $(cat "$DIR/port") is taken by another program; stop it, or remove $DIR"
	fi
	pg pg_ctl start -D "$DATA" -w -t 60 -s -l "$DIR/server.log" ||
		die "the cluster did not start; see $DIR/server.log"
	if [ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" ]; then
		psql_admin -c "CREATE ROLE $ROLE LOGIN"
	fi
	say "the demo's cluster is running on 127.0.0.1:$(cat "$DIR/port") ($DATA)"
}

stop() {
	if running; then
		pg pg_ctl stop -D "$DATA" -m fast -w -t 60 -s
		say "stopped the demo's cluster; its data stays in $DATA (remove $DIR to forget it)"
	else
		say "the demo's cluster is not running"
	fi
}

# A fresh database for one demo, owned by the role the demo connects as; prints its URL.
new_database() {
	local n
	n=$(psql_admin -c "SELECT coalesce(max(substr(datname, 6)::int), 0) + 1 FROM pg_database
			    WHERE datname ~ '^demo_[0-9]+$'")
	psql_admin -c "CREATE DATABASE demo_$n OWNER $ROLE"
	echo "postgres://$ROLE@127.0.0.1:$(cat "$DIR/port")/demo_$n"
}

case "${1:-}" in
run)
	[ $# -ge 2 ] || die "usage: demo-pg.sh run BIN [DEMO ARGS...]"
	bin=$2
	shift 2
	if [ -n "${DISPUTED_DB:-}" ]; then
		say "the demo's records go to \$DISPUTED_DB, which must name an empty database"
		exec "$bin" demo --db "$DISPUTED_DB" "$@"
	fi
	start
	url=$(new_database)
	say "the demo's records go to $url"
	say "stop the cluster afterwards with: make demo-pg-stop (or scripts/demo-pg.sh stop)"
	exec "$bin" demo --db "$url" "$@"
	;;
start) start ;;
stop) stop ;;
status)
	if running; then
		say "running on 127.0.0.1:$(cat "$DIR/port") ($DATA)"
	else
		say "not running"
		exit 3
	fi
	;;
*)
	sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
