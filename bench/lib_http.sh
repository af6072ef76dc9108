# lib_http.sh - shell helpers the HTTP benchmarks share (sourced by bench_http.sh and bench_http_pg.sh): a free port, waiting for a server, the order the writes go to.
# shellcheck shell=bash

# http_free_port: a free TCP port on 127.0.0.1
http_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# http_wait_healthz API [TRIES]: wait (0.1 s a try, 50 tries by default) for API's /healthz;
# fails when it never answers
http_wait_healthz() {
	local _
	for _ in $(seq "${2:-50}"); do
		curl -sf "$1/healthz" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# http_make_order API KEY: a merchant, a listing and an order through API as platform KEY; prints the order's id
http_make_order() {
	local api=$1 auth="Authorization: Bearer $2"
	curl -sf -X POST "$api/v1/merchants" -H "$auth" -d '{"external_id":"b1","kind":"company","legal_name":"杭州云栖数码科技有限公司","uscc":"91350100M000100Y43","registered_address":"杭州","contact":{"phone":"0571-88886666"}}' >/dev/null
	curl -sf -X POST "$api/v1/listings" -H "$auth" -d '{"external_id":"k1","merchant":"b1","title":"耳机","price":{"amount":29900,"currency":"CNY"}}' >/dev/null
	curl -sf -X POST "$api/v1/orders" -H "$auth" -d '{"consumer":{"external_id":"u1","name":"李娜","phone":"13800138000"},"merchant":"b1","items":[{"listing":"k1","quantity":1,"unit_price":{"amount":29900,"currency":"CNY"}}],"total":{"amount":29900,"currency":"CNY"},"paid_at":"2025-11-01T10:15:00Z","payment":{"channel":"alipay","transaction_id":"t1"}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
