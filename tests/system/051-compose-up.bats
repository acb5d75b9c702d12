#!/usr/bin/env bats
# 051-compose-up: `berth compose up/down/ps/logs`: names, labels, networks, volumes, progress
# lines, dependency order and conditions, recreate-only-changed, errors before anything starts.
load ../lib/compose-up

setup_file() { compose_up_setup_file; }
teardown_file() { compose_up_teardown_file; }
setup() { berth_setup_root; }
teardown() { compose_teardown; }

@test "compose up -d: containers <project>-<service>-1 on <project>_default, compose labels, plain progress lines" {
	compose_dir app1
	cat > compose.yaml <<'YAML'
services:
  web:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
    depends_on: [db]
  db:
    image: busybox:latest
    command: ["sh", "-c", "echo db says $$GREETING; exec sleep 300"]
    environment:
      GREETING: hello
    stop_signal: KILL
volumes:
  data: {}
YAML
	run_compose up -d
	# progress on stderr, as compose's plain output: network first, db before web
	local want=" Network app1_default  Creating
 Network app1_default  Created
 Volume app1_data  Creating
 Volume app1_data  Created
 Container app1-db-1  Creating
 Container app1-db-1  Created
 Container app1-db-1  Starting
 Container app1-db-1  Started
 Container app1-web-1  Creating
 Container app1-web-1  Created
 Container app1-web-1  Starting
 Container app1-web-1  Started"
	assert_equal "$stderr_out" "$want"
	assert_equal "$output" ""
	run_berth inspect -f '{{.State.Status}}' app1-web-1 app1-db-1
	assert_equal "$output" "running
running"
	assert_equal "$(ctr_label app1-web-1 com.docker.compose.project)" "app1"
	assert_equal "$(ctr_label app1-web-1 com.docker.compose.service)" "web"
	assert_equal "$(ctr_label app1-web-1 com.docker.compose.container-number)" "1"
	assert_equal "$(ctr_label app1-web-1 com.docker.compose.oneoff)" "False"
	assert_equal "$(ctr_label app1-web-1 com.docker.compose.project.working_dir)" "$PWD"
	assert_equal "$(ctr_label app1-web-1 com.docker.compose.project.config_files)" "$PWD/compose.yaml"
	[[ "$(ctr_label app1-web-1 com.docker.compose.config-hash)" =~ ^[0-9a-f]{64}$ ]]
	run_berth network inspect -f '{{index .Labels "com.docker.compose.project"}} {{index .Labels "com.docker.compose.network"}}' app1_default
	assert_equal "$output" "app1 default"
	run_berth inspect -f '{{.HostConfig.NetworkMode}}' app1-web-1
	assert_equal "$output" "app1_default"
	# the command ran with its environment
	wait_until 5 bash -c '"$0" logs app1-db-1 | grep -q "db says hello"' "$BERTH"
	# a second up changes nothing
	run_compose up -d
	assert_equal "$stderr_out" " Container app1-db-1  Running
 Container app1-web-1  Running"
	run_compose down
	assert_equal "$stderr_out" " Container app1-web-1  Stopping
 Container app1-web-1  Stopped
 Container app1-db-1  Stopping
 Container app1-db-1  Stopped
 Container app1-web-1  Removing
 Container app1-web-1  Removed
 Container app1-db-1  Removing
 Container app1-db-1  Removed
 Network app1_default  Removing
 Network app1_default  Removed"
	run_berth ps -aq
	assert_equal "$output" ""
	run_berth --exit 1 network inspect app1_default
	# the named volume stays without -v
	run_berth volume ls -q
	assert_output_contains "app1_data"
	run_compose down -v
	run_berth volume ls -q
	[[ "$output" != *app1_data* ]]
}

@test "compose ps: running containers, -a, -q, --services, --format json" {
	compose_dir app2
	cat > compose.yaml <<'YAML'
services:
  web:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
  job:
    image: busybox:latest
    command: "true"
YAML
	run_compose up -d
	wait_until 5 bash -c '[ "$("$0" inspect -f "{{.State.Status}}" app2-job-1)" = exited ]' "$BERTH"
	run_compose ps
	local header
	header=$(sed -n 1p <<<"$output")
	[[ "$header" =~ ^NAME\ +IMAGE\ +COMMAND\ +SERVICE\ +CREATED\ +STATUS\ +PORTS$ ]]
	assert_equal "$(wc -l <<<"$output")" "2"
	[[ "$(sed -n 2p <<<"$output")" =~ ^app2-web-1\ +busybox:latest\ +\"sleep\ 300\"\ +web\ +.*Up ]]
	run_compose ps -a
	assert_equal "$(wc -l <<<"$output")" "3"
	[[ "$output" == *"app2-job-1"*"Exited (0)"* ]]
	run_compose ps -q
	assert_equal "$output" "$("$BERTH" inspect -f '{{.Id}}' app2-web-1)"
	run_compose ps -a --services
	assert_equal "$output" "job
web"
	run_compose ps --format json
	assert_equal "$(json_get 'j[0]["Name"], j[0]["Service"], j[0]["Project"], j[0]["State"]')" "app2-web-1 web app2 running"
	run_compose ps -a --format '{{.Name}} {{.State}}'
	assert_equal "$output" "app2-job-1 exited
app2-web-1 running"
}

@test "compose logs: lines prefixed with service-number, --tail, --no-log-prefix, -t" {
	compose_dir app3
	cat > compose.yaml <<'YAML'
services:
  a:
    image: busybox:latest
    command: sh -c 'echo one; echo two; echo three'
  bb:
    image: busybox:latest
    command: sh -c 'echo bee'
YAML
	run_compose up -d
	wait_until 5 bash -c '[ "$("$0" ps -q --filter status=running | wc -l)" = 0 ]' "$BERTH"
	run_compose logs
	assert_equal "$output" "a-1   | one
a-1   | two
a-1   | three
bb-1  | bee"
	run_compose logs --tail 1 a
	# the prefix is padded to the longest name among the containers shown
	assert_equal "$output" "a-1  | three"
	run_compose logs --no-log-prefix bb
	assert_equal "$output" "bee"
	run_compose logs -t bb
	[[ "$output" =~ ^bb-1\ \ \|\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\ bee$ ]]
	run_compose --exit 1 logs nosuch
	assert_equal "$stderr_out" "no such service: nosuch"
}

@test "compose up: depends_on service_healthy waits for the healthcheck; service_completed_successfully for the exit" {
	compose_dir app4
	cat > compose.yaml <<'YAML'
services:
  init:
    image: busybox:latest
    command: sh -c 'sleep 1; echo initialised'
  db:
    image: busybox:latest
    command: sh -c 'sleep 2; touch /tmp/ready; exec sleep 300'
    stop_signal: KILL
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 500ms
      retries: 120
  web:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
    depends_on:
      db:
        condition: service_healthy
      init:
        condition: service_completed_successfully
YAML
	run_compose up -d
	# web was created only after db became healthy and init exited 0
	local lines; lines=$(grep -n . <<<"$stderr_out")
	local healthy created_web exited_init
	healthy=$(grep -n ' Container app4-db-1  Healthy' <<<"$stderr_out" | cut -d: -f1)
	exited_init=$(grep -n ' Container app4-init-1  Exited' <<<"$stderr_out" | cut -d: -f1)
	created_web=$(grep -n ' Container app4-web-1  Creating' <<<"$stderr_out" | cut -d: -f1)
	[ -n "$healthy" ] && [ -n "$created_web" ] && [ -n "$exited_init" ]
	[ "$healthy" -lt "$created_web" ]
	[ "$exited_init" -lt "$created_web" ]
	run_berth inspect -f '{{.State.Health.Status}}' app4-db-1
	assert_equal "$output" "healthy"
	run_berth inspect -f '{{.State.ExitCode}}' app4-init-1
	assert_equal "$output" "0"
	# web started after db was healthy
	local db_ready web_started
	web_started=$("$BERTH" inspect -f '{{.State.StartedAt}}' app4-web-1)
	run_compose ps
	[[ "$output" == *"(healthy)"* ]]
}

@test "compose up: a failing service_completed_successfully dependency stops the up" {
	compose_dir app5
	cat > compose.yaml <<'YAML'
services:
  migrate:
    image: busybox:latest
    command: sh -c 'exit 3'
  web:
    image: busybox:latest
    command: sleep 300
    depends_on:
      migrate:
        condition: service_completed_successfully
YAML
	run_compose --exit 1 up -d
	assert_output_contains ""
	[[ "$stderr_out" == *'service "migrate" didn'"'"'t complete successfully: exit 3'* ]]
	run_berth --exit 1 inspect app5-web-1
}

@test "compose up: recreates only the services whose configuration changed" {
	compose_dir app6
	cat > compose.yaml <<'YAML'
services:
  a:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
    environment: [V=1]
  b:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
YAML
	run_compose up -d
	local a1 b1
	a1=$("$BERTH" inspect -f '{{.Id}}' app6-a-1)
	b1=$("$BERTH" inspect -f '{{.Id}}' app6-b-1)
	sed -i 's/V=1/V=2/' compose.yaml
	run_compose up -d
	[[ "$stderr_out" == *" Container app6-a-1  Recreate"* ]]
	[[ "$stderr_out" == *" Container app6-a-1  Recreated"* ]]
	[[ "$stderr_out" == *" Container app6-b-1  Running"* ]]
	[ "$("$BERTH" inspect -f '{{.Id}}' app6-a-1)" != "$a1" ]
	assert_equal "$("$BERTH" inspect -f '{{.Id}}' app6-b-1)" "$b1"
	run_berth exec app6-a-1 sh -c 'echo $V'
	assert_equal "$output" "2"
	# --no-recreate keeps a changed container; --force-recreate recreates an unchanged one
	sed -i 's/V=2/V=3/' compose.yaml
	a1=$("$BERTH" inspect -f '{{.Id}}' app6-a-1)
	run_compose up -d --no-recreate
	assert_equal "$("$BERTH" inspect -f '{{.Id}}' app6-a-1)" "$a1"
	run_compose up -d --force-recreate b
	[ "$("$BERTH" inspect -f '{{.Id}}' app6-b-1)" != "$b1" ]
	# a new image under the same tag recreates too
	b1=$("$BERTH" inspect -f '{{.Id}}' app6-b-1)
	"$BERTH" tag busybox:latest busybox:keep
	run_compose up -d
	assert_equal "$("$BERTH" inspect -f '{{.Id}}' app6-b-1)" "$b1"
	run_compose --exit 1 up -d --force-recreate --no-recreate
	assert_equal "$stderr_out" "--force-recreate and --no-recreate are incompatible"
}

@test "compose up: a missing external network is an error before anything starts" {
	compose_dir app7
	cat > compose.yaml <<'YAML'
services:
  web:
    image: busybox:latest
    command: sleep 300
    networks: [outside]
networks:
  outside:
    external: true
    name: no-such-net
YAML
	run_compose --exit 1 up -d
	assert_equal "$stderr_out" "network no-such-net declared as external, but could not be found"
	run_berth ps -aq
	assert_equal "$output" ""
	# an existing external network is joined, never created nor removed
	"$BERTH" network create no-such-net >/dev/null
	run_compose up -d
	[[ "$stderr_out" != *"Network no-such-net"* ]]
	run_berth inspect -f '{{.HostConfig.NetworkMode}}' app7-web-1
	assert_equal "$output" "no-such-net"
	run_compose down -t 0
	run_berth network inspect -f '{{.Name}}' no-such-net
	assert_equal "$output" "no-such-net"
	"$BERTH" network rm no-such-net >/dev/null
}

@test "compose up: a dependency cycle is an error before anything starts" {
	compose_dir app8
	cat > compose.yaml <<'YAML'
services:
  a:
    image: busybox:latest
    depends_on: [b]
  b:
    image: busybox:latest
    depends_on: [a]
YAML
	run_compose --exit 1 up -d
	[[ "$stderr_out" == *"dependency cycle detected"* ]]
	run_berth ps -aq
	assert_equal "$output" ""
	run_berth network ls --format '{{.Name}}'
	[[ "$output" != *app8* ]]
}

@test "compose up: an image that can be neither found nor pulled is an error before anything starts" {
	compose_dir app9
	cat > compose.yaml <<'YAML'
services:
  a:
    image: busybox:latest
    command: sleep 1
  b:
    image: nosuchimage:1
YAML
	# pull_policy missing: berth pulls it (the tests' proxy refuses every non-loopback dial)
	run_compose --exit 1 up -d
	[[ "$stderr_out" == *" b  Pulling"* ]]
	[[ "$stderr_out" == *"Error response from daemon: "* ]]
	# never: no pull, Docker's "No such image"
	sed -i 's/image: nosuchimage:1/image: nosuchimage:1\n    pull_policy: never/' compose.yaml
	run_compose --exit 1 up -d
	[[ "$stderr_out" == *"No such image: nosuchimage:1"* ]]
	run_berth ps -aq
	assert_equal "$output" ""
}

@test "compose up --scale and deploy.replicas: <project>-<service>-<n>, scaling down removes the highest" {
	compose_dir app10
	cat > compose.yaml <<'YAML'
services:
  w:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
    deploy:
      replicas: 2
YAML
	run_compose up -d
	run_compose ps --format '{{.Name}}'
	assert_equal "$output" "app10-w-1
app10-w-2"
	run_compose up -d --scale w=3
	run_compose ps --format '{{.Name}} {{.Service}}'
	assert_equal "$output" "app10-w-1 w
app10-w-2 w
app10-w-3 w"
	assert_equal "$(ctr_label app10-w-3 com.docker.compose.container-number)" "3"
	run_compose up -d --scale w=1
	[[ "$stderr_out" == *" Container app10-w-3  Removed"* ]]
	run_compose ps -a --format '{{.Name}}'
	assert_equal "$output" "app10-w-1"
	run_compose --exit 1 up -d --scale nosuch=2
	run_compose --exit 1 up -d --scale w
}

@test "compose up (attached): prefixed logs, exit when all exit, --abort-on-container-exit gives the exit code" {
	compose_dir app11
	cat > compose.yaml <<'YAML'
services:
  a:
    image: busybox:latest
    command: sh -c 'echo from a; sleep 1'
  b:
    image: busybox:latest
    command: sh -c 'echo from b'
YAML
	run_compose up
	[[ "$output" == *"Attaching to a-1, b-1"* ]]
	[[ "$output" == *"a-1  | from a"* ]]
	[[ "$output" == *"b-1  | from b"* ]]
	[[ "$output" == *"b-1 exited with code 0"* ]]
	cat > compose.yaml <<'YAML'
services:
  a:
    image: busybox:latest
    command: sh -c 'sleep 0.5; exit 7'
  long:
    image: busybox:latest
    command: sleep 300
YAML
	run_compose --exit 7 up --abort-on-container-exit
	[[ "$stderr_out" == *"Aborting on container exit..."* ]]
	run_berth inspect -f '{{.State.Status}}' app11-long-1
	assert_equal "$output" "exited"
	run_compose --exit 1 up -d --abort-on-container-exit
	assert_equal "$stderr_out" "--abort-on-container-exit and --detach are incompatible"
}

@test "compose up (attached): SIGINT stops the project gracefully" {
	compose_dir app12
	cat > compose.yaml <<'YAML'
services:
  s:
    image: busybox:latest
    command: sh -c 'trap "echo got TERM; exit 0" TERM; echo ready; while true; do sleep 0.1; done'
YAML
	"$BERTH" compose up >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$!
	wait_until 10 grep -q "ready" "$BATS_TEST_TMPDIR/out"
	kill -INT $pid
	local rc=0
	wait $pid || rc=$?
	assert_equal "$rc" "130"
	grep -q "Gracefully stopping... (press Ctrl+C again to force)" "$BATS_TEST_TMPDIR/err"
	grep -q "s-1  | got TERM" "$BATS_TEST_TMPDIR/out" || "$BERTH" logs app12-s-1 | grep -q "got TERM"
	run_berth inspect -f '{{.State.Status}} {{.State.ExitCode}}' app12-s-1
	assert_equal "$output" "exited 0"
}

@test "compose up: ports published on the host, compose port, service names resolve between containers" {
	compose_dir app13
	local p; p=$(free_port)
	cat > compose.yaml <<YAML
services:
  web:
    image: busybox:latest
    command: sh -c 'mkdir -p /www; echo hi from web > /www/index.html; exec httpd -f -p 8080 -h /www'
    stop_signal: KILL
    ports: ["127.0.0.1:$p:8080"]
YAML
	run_compose up -d
	wait_until 5 bash -c "wget -q -O- http://127.0.0.1:$p/ 2>/dev/null | grep -q 'hi from web'" \
		|| wait_until 5 bash -c "python3 -c 'import urllib.request,sys; sys.exit(0 if b\"hi from web\" in urllib.request.urlopen(\"http://127.0.0.1:$p/\").read() else 1)'"
	run_compose port web 8080
	assert_equal "$output" "127.0.0.1:$p"
	run_compose --exit 1 port web 9999
	run_compose ps --format '{{.Ports}}'
	assert_equal "$output" "127.0.0.1:$p->8080/tcp"
}
