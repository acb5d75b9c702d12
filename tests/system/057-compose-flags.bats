#!/usr/bin/env bats
# 057-compose-flags: compose v2 flags berth used to refuse: up --no-deps/--exit-code-from,
# run -p/-v/--service-ports/--use-aliases/-l/--cap-add, logs --since/--until,
# build --build-arg/--no-cache/--push; and the concurrent start of a dependency level.
load ../lib/compose-up

setup_file() { compose_up_setup_file; }
teardown_file() { compose_up_teardown_file; }
setup() { berth_setup_root; }
teardown() { compose_teardown; }

@test "compose up --no-deps: only the named service, its dependencies are not created" {
	compose_dir f1
	cat > compose.yaml <<'YAML'
services:
  web:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
    depends_on:
      db:
        condition: service_healthy
  db:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
YAML
	run_compose up -d --no-deps web
	[[ "$stderr_out" != *"f1-db-1"* ]]
	run_berth ps -a --format '{{.Names}}'
	assert_equal "$output" "f1-web-1"
	# without --no-deps db comes up (and web waits for a healthcheck it has not: an error)
	run_compose --exit 1 up -d web
	[[ "$stderr_out" == *"Container f1-db-1  Started"* ]]
}

@test "compose up --exit-code-from: stops everything when one exits, returns that service's code" {
	compose_dir f2
	cat > compose.yaml <<'YAML'
services:
  quick:
    image: busybox:latest
    command: sh -c 'exit 3'
  slow:
    image: busybox:latest
    command: sh -c 'trap "exit 7" TERM; sleep 300 & wait'
YAML
	run_compose --exit 3 up --exit-code-from quick
	[[ "$output" == *"quick-1 exited with code 3"* ]]
	run_compose --exit 7 up --exit-code-from slow
	run_compose --exit 1 up --exit-code-from nosuch
	[[ "$stderr_out" == *"no such service: nosuch"* ]]
}

@test "compose run -p, --service-ports, -v (relative and named), --use-aliases, -l, --cap-add" {
	compose_dir f3
	local p1 p2; p1=$(free_port); p2=$(free_port)
	mkdir -p here && echo from-host > here/file
	cat > compose.yaml <<YAML
services:
  web:
    image: busybox:latest
    command: sh -c 'mkdir -p /www; echo one-off > /www/index.html; exec httpd -f -p 8080 -h /www'
    ports: ["127.0.0.1:$p2:8080"]
volumes:
  data: {}
YAML
	run_compose run -d -p "127.0.0.1:$p1:8080" web
	wait_until 5 bash -c "python3 -c 'import urllib.request,sys; sys.exit(0 if b\"one-off\" in urllib.request.urlopen(\"http://127.0.0.1:$p1/\").read() else 1)'"
	# without --service-ports the service's own ports are not published
	run python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$p2/', timeout=1)"
	[ "$status" -ne 0 ]
	run_compose rm -f -s
	run_compose run -d --service-ports web
	wait_until 5 bash -c "python3 -c 'import urllib.request,sys; sys.exit(0 if b\"one-off\" in urllib.request.urlopen(\"http://127.0.0.1:$p2/\").read() else 1)'"
	run_compose --exit 1 run --service-ports -p 1:1 web true
	[[ "$stderr_out" == *"--service-ports and --publish are incompatible"* ]]
	run_compose run --rm -T -v ./here:/mnt/here -v data:/data web sh -c 'cat /mnt/here/file; echo kept > /data/x'
	assert_equal "$output" "from-host"
	run_compose run --rm -T -v data:/data web cat /data/x
	assert_equal "$output" "kept"
	[ -f "$BERTH_ROOT/volumes/f3_data/_data/x" ]
	run_compose run -d --name f3-labelled -l team=blue --cap-add NET_ADMIN web sleep 300
	run_berth inspect -f '{{index .Config.Labels "team"}} {{.HostConfig.CapAdd}}' f3-labelled
	[[ "$output" == "blue "*NET_ADMIN* ]]
	run_berth exec f3-labelled ip link set lo mtu 65000
}

@test "compose run --use-aliases: the one-off container answers to the service name" {
	compose_dir f4
	cat > compose.yaml <<'YAML'
services:
  web:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
    networks:
      default:
        aliases: [www]
  client:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
YAML
	run_compose up -d client
	run_compose run -d --name f4-oneoff --use-aliases web
	run_compose exec -T client nslookup www
	assert_output_contains "Address"
	run_compose run -d --name f4-plain web
	run_berth inspect -f '{{json .HostConfig}}' f4-plain
	[[ "$output" != *'"www"'* ]]
	run_berth inspect -f '{{json .HostConfig}}' f4-oneoff
	[[ "$output" == *'"www"'* ]]
}

@test "compose logs --since/--until select by the log's timestamps" {
	compose_dir f5
	cat > compose.yaml <<'YAML'
services:
  s:
    image: busybox:latest
    command: sh -c 'echo early; sleep 2; echo late; sleep 300'
    stop_signal: KILL
YAML
	run_compose up -d
	wait_until 10 bash -c '"$0" logs f5-s-1 | grep -q late' "$BERTH"
	sleep 2.5  # --since 1s counts from the current second (time(NULL)), as Docker
	run_compose logs --no-log-prefix
	assert_equal "$output" "early
late"
	run_compose logs --no-log-prefix --since 1s
	assert_equal "$output" ""
	run_compose logs --no-log-prefix --since 1h
	assert_equal "$output" "early
late"
	local mid
	mid=$("$BERTH" logs -t f5-s-1 | awk '/late/{print $1}')
	run_compose logs --no-log-prefix --until "$mid"
	assert_equal "$output" "early
late"
	run_compose logs --no-log-prefix --since "$mid"
	assert_equal "$output" "late"
	run_compose logs --no-log-prefix --until 1h
	assert_equal "$output" ""
	run_compose --exit 1 logs --since bogus
}

@test "compose build --build-arg (KEY=V and KEY from the environment) over build.args, --no-cache" {
	compose_dir f6
	cat > Dockerfile <<'EOF'
FROM busybox:latest
ARG A=default
ARG B
RUN echo "$A $B $(cat /proc/sys/kernel/random/uuid)" > /args
EOF
	cat > compose.yaml <<'YAML'
services:
  app:
    build:
      context: .
      args:
        A: from-file
    command: sleep 300
YAML
	run_compose build
	run_berth run --rm f6-app cat /args
	[[ "$output" == "from-file  "* ]]
	local first=$output
	export B=from-env
	run_compose build --build-arg A=from-flag --build-arg B
	run_berth run --rm f6-app cat /args
	[[ "$output" == "from-flag from-env "* ]]
	local second=$output
	# cached: the same RUN output; --no-cache runs it again
	run_compose build --build-arg A=from-flag --build-arg B
	run_berth run --rm f6-app cat /args
	assert_equal "$output" "$second"
	run_compose build --no-cache --build-arg A=from-flag --build-arg B
	run_berth run --rm f6-app cat /args
	[[ "$output" == "from-flag from-env "* ]]
	[ "$output" != "$second" ]
	[ "$first" != "$second" ]
}

@test "compose up: the services of one dependency level start concurrently, the next level after them" {
	compose_dir f7
	{
		echo "services:"
		for s in a b c d; do
			printf '  %s:\n    image: busybox:latest\n    command: sleep 300\n    stop_signal: KILL\n' "$s"
		done
		printf '  z:\n    image: busybox:latest\n    command: sleep 300\n    stop_signal: KILL\n    depends_on: [a, b, c, d]\n'
	} > compose.yaml
	run_compose up -d
	# every level-0 container started before z is created
	local zline last
	zline=$(grep -n "Container f7-z-1  Creating" <<<"$stderr_out" | cut -d: -f1)
	for s in a b c d; do
		last=$(grep -n "Container f7-$s-1  Started" <<<"$stderr_out" | cut -d: -f1)
		[ "$last" -lt "$zline" ]
	done
	run_berth ps --format '{{.Names}}'
	assert_equal "$(sort <<<"$output" | tr '\n' ' ')" "f7-a-1 f7-b-1 f7-c-1 f7-d-1 f7-z-1 "
	# the workers' creations overlap: some level-0 container was created before another started
	local created started
	created=$(grep -n "Container f7-[abcd]-1  Created" <<<"$stderr_out" | tail -1 | cut -d: -f1)
	started=$(grep -n "Container f7-[abcd]-1  Started" <<<"$stderr_out" | head -1 | cut -d: -f1)
	[ "$created" -lt "$started" ] || [ "${BERTH_COMPOSE_SERIAL:-0}" != 0 ]
	# the same project serially gives the same result
	run_compose down -t 0
	BERTH_COMPOSE_SERIAL=1 run_compose up -d
	run_berth ps --format '{{.Names}}'
	assert_equal "$(sort <<<"$output" | tr '\n' ' ')" "f7-a-1 f7-b-1 f7-c-1 f7-d-1 f7-z-1 "
	run_compose down -t 0
	run_berth ps -aq
	assert_equal "$output" ""
}

@test "compose up --attach/--no-attach choose the streamed services; config --hash is the containers' config-hash" {
	compose_dir f8
	cat > compose.yaml <<'YAML'
services:
  a:
    image: busybox:latest
    command: echo from-a
  b:
    image: busybox:latest
    command: echo from-b
YAML
	run_compose up --attach a
	[[ "$output" == *"from-a"* ]]
	[[ "$output" != *"from-b"* ]]
	run_compose up --no-attach a
	[[ "$output" != *"from-a"* ]]
	[[ "$output" == *"from-b"* ]]
	run_compose --exit 1 up --attach a --attach-dependencies
	[[ "$stderr_out" == *"--attach-dependencies and --attach are incompatible"* ]]
	run_compose config --hash '*'
	local ha hb
	ha=$(ctr_label f8-a-1 com.docker.compose.config-hash)
	hb=$(ctr_label f8-b-1 com.docker.compose.config-hash)
	assert_equal "$output" "a $ha
b $hb"
	run_compose config --hash b
	assert_equal "$output" "b $hb"
	run_compose --exit 1 config --hash nosuch
}

@test "compose up --force-recreate SERVICE keeps its unchanged dependencies; --always-recreate-deps recreates them" {
	compose_dir f9
	cat > compose.yaml <<'YAML'
services:
  web:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
    depends_on: [db]
  db:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
YAML
	run_compose up -d
	local w1 d1
	w1=$("$BERTH" inspect -f '{{.Id}}' f9-web-1)
	d1=$("$BERTH" inspect -f '{{.Id}}' f9-db-1)
	run_compose up -d --force-recreate web
	[ "$("$BERTH" inspect -f '{{.Id}}' f9-web-1)" != "$w1" ]
	assert_equal "$("$BERTH" inspect -f '{{.Id}}' f9-db-1)" "$d1"
	run_compose up -d --always-recreate-deps web
	[ "$("$BERTH" inspect -f '{{.Id}}' f9-db-1)" != "$d1" ]
	run_compose --exit 1 up -d --always-recreate-deps --no-recreate
	assert_equal "$stderr_out" "--always-recreate-deps and --no-recreate are incompatible"
}

@test "compose up: a recreated container keeps its anonymous volumes (model and image VOLUME); -V renews them" {
	compose_dir f10
	printf 'FROM busybox:latest\nVOLUME /vol\n' > Dockerfile
	cat > compose.yaml <<'YAML'
services:
  s:
    build: .
    command: sleep 300
    stop_signal: KILL
    environment: [V=1]
    volumes: ["/data"]
YAML
	run_compose up -d
	run_berth exec f10-s-1 sh -c 'echo kept > /data/x; echo kept > /vol/y'
	sed -i 's/V=1/V=2/' compose.yaml
	run_compose up -d
	[[ "$stderr_out" == *"Container f10-s-1  Recreated"* ]]
	run_berth exec f10-s-1 cat /data/x /vol/y
	assert_equal "$output" "kept
kept"
	sed -i 's/V=2/V=3/' compose.yaml
	run_compose up -d -V
	run "$BERTH" exec f10-s-1 cat /data/x
	[ "$status" -ne 0 ]
	run "$BERTH" exec f10-s-1 cat /vol/y
	[ "$status" -ne 0 ]
}

@test "compose --parallel N (and COMPOSE_PARALLEL_LIMIT) bounds the concurrent workers; 1 is one at a time" {
	compose_dir f11
	{
		echo "services:"
		for s in a b c; do
			printf '  %s:\n    image: busybox:latest\n    command: sleep 300\n    stop_signal: KILL\n' "$s"
		done
	} > compose.yaml
	run_compose --parallel 1 up -d
	# one at a time, in the plan's order
	assert_equal "$(grep -o 'f11-[abc]-1  [A-Za-z]*' <<<"$stderr_out" | tr '\n' ',')" \
		"f11-a-1  Creating,f11-a-1  Created,f11-a-1  Starting,f11-a-1  Started,f11-b-1  Creating,f11-b-1  Created,f11-b-1  Starting,f11-b-1  Started,f11-c-1  Creating,f11-c-1  Created,f11-c-1  Starting,f11-c-1  Started,"
	run_compose down -t 0
	COMPOSE_PARALLEL_LIMIT=2 run_compose up -d
	run_berth ps --format '{{.Names}}'
	assert_equal "$(sort <<<"$output" | tr '\n' ' ')" "f11-a-1 f11-b-1 f11-c-1 "
	run_compose --parallel 2 down -t 0
	run_berth ps -aq
	assert_equal "$output" ""
}
