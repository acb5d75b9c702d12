#!/usr/bin/env bats
# 053-compose-web: the examples/compose-web project (web, database stand-in, proxy; internal
# and public networks; depends_on service_healthy), end to end on loopback and berth's bridges.
load ../lib/compose-up

setup_file() { compose_up_setup_file; }
teardown_file() {
	berth_setup_root
	"$BERTH" compose -f "$BERTH_SRC/examples/compose-web/compose.yaml" down -v -t 0 >/dev/null 2>&1 || true
	compose_up_teardown_file
}
setup() { berth_setup_root; }

http_get() {
	python3 - "$1" <<'PY'
import sys, urllib.request
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=5)
    print(r.status, r.headers.get("Via", ""))
    print(r.read().decode().strip())
except Exception as e:
    print("ERR", e)
    sys.exit(1)
PY
}

@test "compose-web: up --wait starts db, web, proxy in order, each after its dependency is healthy" {
	cd "$BERTH_SRC/examples/compose-web"
	export PROXY_PORT; PROXY_PORT=$(free_port)
	run_compose up -d --wait
	local db_h web_c web_h proxy_c
	db_h=$(grep -n ' Container compose-web-db-1  Healthy' <<<"$stderr_out" | cut -d: -f1)
	web_c=$(grep -n ' Container compose-web-web-1  Creating' <<<"$stderr_out" | cut -d: -f1)
	web_h=$(grep -n ' Container compose-web-web-1  Healthy' <<<"$stderr_out" | cut -d: -f1)
	proxy_c=$(grep -n ' Container compose-web-proxy-1  Creating' <<<"$stderr_out" | cut -d: -f1)
	[ -n "$db_h" ] && [ -n "$web_c" ] && [ -n "$web_h" ] && [ -n "$proxy_c" ]
	[ "$db_h" -lt "$web_c" ]
	[ "$web_h" -lt "$proxy_c" ]
	[[ "$stderr_out" == *" Network compose-web_internal  Created"* ]]
	[[ "$stderr_out" == *" Network compose-web_public  Created"* ]]
	run_berth network inspect -f '{{.Internal}}' compose-web_internal
	assert_equal "$output" "true"
	run_compose ps --format '{{.Name}} {{.Health}}'
	assert_equal "$output" "compose-web-db-1 healthy
compose-web-proxy-1 
compose-web-web-1 healthy"
}

@test "compose-web: a request through the proxy reaches web, which reaches db by name" {
	cd "$BERTH_SRC/examples/compose-web"
	local port
	port=$("$BERTH" compose port proxy 8080 | sed 's/.*://')
	[ -n "$port" ]
	wait_until 5 http_get "http://127.0.0.1:$port/cgi-bin/data"
	run http_get "http://127.0.0.1:$port/cgi-bin/data"
	assert_equal "$output" "200 1.0 compose-web-proxy
web got from db: answer=42"
	run http_get "http://127.0.0.1:$port/"
	assert_output_contains "<h1>compose-web</h1>"
	# db counted the queries in its named volume
	run_compose exec -T db cat /var/lib/db/queries
	[ "$output" -ge 1 ]
}

@test "compose-web: web and db are only on the internal network; the proxy joins both" {
	cd "$BERTH_SRC/examples/compose-web"
	run_berth inspect -f '{{.HostConfig.NetworkMode}}' compose-web-web-1 compose-web-db-1 compose-web-proxy-1
	assert_equal "$output" "compose-web_internal
compose-web_internal
compose-web_public"
	# the proxy reaches web on the internal network by its service name
	run_compose exec -T proxy wget -q -O- http://web:8080/
	assert_output_contains "compose-web"
	# the internal network has no route out: web cannot reach the public network's gateway
	local gw
	gw=$("$BERTH" network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' compose-web_public)
	[ -n "$gw" ]
	# (busybox wget crashes on a refused connection: nc gives the plain error)
	run_compose exec -T web sh -c "nc -w 2 $gw 9 </dev/null 2>&1; ip route"
	assert_output_contains "Network is unreachable"
	[[ "$output" != *default* ]]
}

@test "compose-web: down -v removes containers, both networks and the volume" {
	cd "$BERTH_SRC/examples/compose-web"
	run_compose down -v -t 0
	[[ "$stderr_out" == *" Network compose-web_internal  Removed"* ]]
	[[ "$stderr_out" == *" Network compose-web_public  Removed"* ]]
	[[ "$stderr_out" == *" Volume compose-web_dbdata  Removed"* ]]
	run_berth ps -aq
	assert_equal "$output" ""
}
