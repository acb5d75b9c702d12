#!/usr/bin/env bats
# 052-compose-verbs: `berth compose start/stop/restart/kill/rm/exec/run/top/images/ls/build/
# pull/push` on busybox projects.
load ../lib/compose-up

setup_file() { compose_up_setup_file; }
teardown_file() { compose_up_teardown_file; }
setup() { berth_setup_root; }
teardown() { compose_teardown; }

two_services() {
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
}

state() { "$BERTH" inspect -f '{{.State.Status}}' "$1"; }

@test "compose stop/start/restart: reverse dependency order to stop, dependency order to start" {
	compose_dir v1
	two_services
	run_compose up -d
	run_compose stop
	assert_equal "$stderr_out" " Container v1-web-1  Stopping
 Container v1-web-1  Stopped
 Container v1-db-1  Stopping
 Container v1-db-1  Stopped"
	assert_equal "$(state v1-web-1) $(state v1-db-1)" "exited exited"
	run_compose start
	assert_equal "$stderr_out" " Container v1-db-1  Starting
 Container v1-db-1  Started
 Container v1-web-1  Starting
 Container v1-web-1  Started"
	assert_equal "$(state v1-web-1) $(state v1-db-1)" "running running"
	local t0; t0=$("$BERTH" inspect -f '{{.State.StartedAt}}' v1-db-1)
	run_compose stop web
	assert_equal "$(state v1-web-1) $(state v1-db-1)" "exited running"
	run_compose restart db
	[ "$("$BERTH" inspect -f '{{.State.StartedAt}}' v1-db-1)" != "$t0" ]
	assert_equal "$(state v1-web-1)" "exited"
	run_compose --exit 1 stop nosuch
	assert_equal "$stderr_out" "no such service: nosuch"
}

@test "compose kill and rm: -s SIGNAL, rm needs -f, -s stops first" {
	compose_dir v2
	two_services
	sed -i 's/command: sleep 300$/command: sh -c "trap \x27exit 9\x27 USR1; while :; do sleep 0.1; done"/' compose.yaml
	run_compose up -d
	# the trap is set (an init ignores a signal it does not catch): wait for it, not a time
	local cpid
	cpid=$("$BERTH" inspect -f '{{.State.Pid}}' v2-db-1)
	wait_until 5 bash -c "(( 0x\$(awk '/^SigCgt:/ {print \$2}' /proc/$cpid/status) & 0x200 ))"
	run_compose kill -s USR1 db
	wait_until 5 bash -c '[ "$("$0" inspect -f "{{.State.Status}}" v2-db-1)" = exited ]' "$BERTH"
	run_berth inspect -f '{{.State.ExitCode}}' v2-db-1
	assert_equal "$output" "9"
	run_compose --exit 1 rm
	[[ "$stderr_out" == *"Going to remove v2-db-1"* ]]
	run_compose rm -f
	assert_equal "$stderr_out" " Container v2-db-1  Removing
 Container v2-db-1  Removed"
	run_berth --exit 1 inspect v2-db-1
	assert_equal "$(state v2-web-1)" "running"
	run_compose rm -f -s
	run_berth ps -aq
	assert_equal "$output" ""
	run_compose rm -f
	assert_equal "$stderr_out" "No stopped containers"
}

@test "compose exec: runs in the service container (--index, -e, -w, -u, exit status)" {
	compose_dir v3
	cat > compose.yaml <<'YAML'
services:
  s:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
    scale: 2
YAML
	run_compose up -d
	run_compose exec -T s hostname
	assert_equal "$output" "$("$BERTH" inspect -f '{{.Config.Hostname}}' v3-s-1)"
	run_compose exec -T --index 2 s hostname
	assert_equal "$output" "$("$BERTH" inspect -f '{{.Config.Hostname}}' v3-s-2)"
	run_compose exec -T -e X=42 -w /tmp -u 1000 s sh -c 'echo $X $(pwd) $(id -u)'
	assert_equal "$output" "42 /tmp 1000"
	run_compose --exit 3 exec -T s sh -c 'exit 3'
	run_compose --exit 1 exec -T nosuch true
	assert_equal "$stderr_out" 'service "nosuch" is not running'
	run_compose stop
	run_compose --exit 1 exec -T s true
	assert_equal "$stderr_out" 'service "s" is not running'
}

@test "compose run: a one-off container, dependencies started, --rm, -e, --entrypoint, exit status" {
	compose_dir v4
	two_services
	run_compose run --rm web echo hello from run
	assert_equal "$output" "hello from run"
	# the dependency was brought up; the one-off container is gone
	assert_equal "$(state v4-db-1)" "running"
	run_berth ps -a --format '{{.Names}}'
	assert_equal "$output" "v4-db-1"
	run_compose --exit 5 run --rm -e CODE=5 web sh -c 'exit $CODE'
	run_compose run --rm --entrypoint /bin/echo web via entrypoint
	assert_equal "$output" "via entrypoint"
	# without --rm it stays, labelled oneoff, named <project>-<service>-run-<id>
	run_compose run --no-deps db true
	local n; n=$("$BERTH" ps -a --format '{{.Names}}' | grep '^v4-db-run-')
	[[ "$n" =~ ^v4-db-run-[0-9a-f]{12}$ ]]
	assert_equal "$(ctr_label "$n" com.docker.compose.oneoff)" "True"
	# one-off containers are not in ps without -a... and not recreated by up
	run_compose ps --format '{{.Name}}'
	assert_equal "$output" "v4-db-1"
	run_compose -p v4 down -t 0
	run_berth ps -aq
	assert_equal "$output" ""
	run_compose --exit 1 run nosuch
}

@test "compose top, images, ls" {
	compose_dir v5
	two_services
	run_compose up -d
	run_compose top
	[[ "$(sed -n 1p <<<"$output")" == "v5-db-1" ]]
	[[ "$output" == *"UID"*"PID"*"sleep 300"* ]]
	[[ "$output" == *"v5-web-1"* ]]
	run_compose images
	[[ "$(sed -n 1p <<<"$output")" =~ ^CONTAINER\ +REPOSITORY\ +TAG\ +IMAGE\ ID\ +SIZE$ ]]
	[[ "$output" == *"v5-db-1"*"busybox"*"latest"* ]]
	local id; id=$("$BERTH" image inspect -f '{{.Id}}' busybox:latest)
	run_compose images -q
	assert_equal "$(sort -u <<<"$output")" "$id"
	run_compose ls
	[[ "$(sed -n 1p <<<"$output")" =~ ^NAME\ +STATUS\ +CONFIG\ FILES$ ]]
	[[ "$output" == *"v5"*"running(2)"*"$PWD/compose.yaml"* ]]
	run_compose stop
	run_compose ls -q
	[[ "$output" != *v5* ]]
	run_compose ls -a --format json
	[[ "$output" == *'"Name":"v5","Status":"exited(2)"'* ]]
}

@test "compose build: the builder tags <project>-<service>; up uses it; down --rmi local removes it" {
	compose_dir v6
	mkdir ctx
	cat > ctx/Dockerfile <<'DF'
FROM busybox:latest
RUN echo built > /built.txt
CMD ["cat", "/built.txt"]
DF
	cat > compose.yaml <<'YAML'
services:
  app:
    build: ./ctx
YAML
	run_compose build
	run_berth image inspect -f '{{.Id}}' v6-app
	run_compose up
	[[ "$output" == *"app-1  | built"* ]]
	run_compose down --rmi local
	[[ "$stderr_out" == *" Image v6-app  Removed"* ]]
	run_berth --exit 1 image inspect v6-app
}

@test "compose up: keys berth cannot honour are warned about, never silently dropped; several networks are joined" {
	compose_dir v8
	cat > compose.yaml <<'YAML'
services:
  s:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
    shm_size: 64m
    networks: [a, b]
networks:
  a: {}
  b: {}
YAML
	run_compose up -d
	[[ "$stderr_out" == *"services.s.shm_size: not supported by berth yet, ignored"* ]]
	# both networks are joined (the second one once the container runs)
	run_berth exec v8-s-1 sh -c 'ip -4 addr | grep -c "inet 10\."'
	assert_equal "$output" "2"
	run_compose --exit 1 exec -T s nslookup nosuch.invalid
	run_compose exec -T s nslookup s
	assert_output_contains "Address"
}

@test "compose up: service keys mapped to the container (user, workdir, hostname, labels, env_file, limits, read_only, init, tmpfs, volumes)" {
	compose_dir v9
	mkdir -p data
	echo from-host > data/f
	printf 'FROMFILE=yes\n' > vars.env
	cat > compose.yaml <<'YAML'
services:
  s:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
    user: "1000:1000"
    working_dir: /tmp
    hostname: myhost
    labels: {team: blue}
    env_file: vars.env
    mem_limit: 64m
    pids_limit: 50
    cpus: 0.5
    read_only: true
    init: true
    tmpfs: /scratch
    stop_grace_period: 7s
    volumes:
      - ./data:/data:ro
      - named:/named
volumes:
  named: {}
YAML
	run_compose up -d
	run_berth inspect -f '{{.Config.User}} {{.Config.WorkingDir}} {{.Config.Hostname}} {{index .Config.Labels "team"}} {{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.Init}} {{.Config.StopTimeout}}' v9-s-1
	assert_equal "$output" "1000:1000 /tmp myhost blue 67108864 50 500000000 true true 7"
	run_berth exec v9-s-1 sh -c 'echo $FROMFILE; cat /data/f; touch /scratch/x && echo tmpfs-ok; touch /data/x 2>/dev/null || echo ro-ok'
	assert_equal "$output" "yes
from-host
tmpfs-ok
ro-ok"
	run_berth inspect -f '{{json .Mounts}}' v9-s-1
	assert_output_contains '"Name":"v9_named"'
}

@test "compose up: a failing build is an error before any network or container is created" {
	compose_dir v10
	mkdir ctx
	printf 'FROM nosuchbase:1\nCMD ["true"]\n' > ctx/Dockerfile
	cat > compose.yaml <<'YAML'
services:
  app:
    build: ./ctx
  other:
    image: busybox:latest
    command: sleep 1
YAML
	run_compose --exit 1 up -d
	[[ "$stderr_out" == *"failed to build service app"* ]]
	run_berth network ls --format '{{.Name}}'
	[[ "$output" != *v10_default* ]]
	run_berth ps -aq
	assert_equal "$output" ""
}
