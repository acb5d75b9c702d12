#!/usr/bin/env bats
# 054-compose-bind-edit: the notes' compose workflow in small (busybox instead of python):
# ./src bind-mounted at /app, a published port, restart: unless-stopped; an edit under src/ on
# the host is served without a rebuild, and survives `compose restart`. (make demo runs the
# notes' own file with python.)
load ../lib/compose-up

setup_file() { compose_up_setup_file; }
teardown_file() { compose_up_teardown_file; }
setup() { berth_setup_root; }
teardown() { compose_teardown; }

get() { curl -sf --max-time 2 "http://127.0.0.1:$1/index.html"; }

@test "compose: an edit under a bind-mounted ./src is served without a rebuild, and after compose restart" {
	compose_dir bindedit
	local p; p=$(free_port)
	mkdir src
	echo "version one" > src/index.html
	cat > compose.yaml <<YAML
services:
  my_app:
    image: busybox:latest
    restart: unless-stopped
    working_dir: /app
    command: httpd -f -p 8000 -h /app
    volumes:
      - ./src:/app
    ports:
      - "127.0.0.1:$p:8000"
YAML
	run_compose up -d
	wait_until 5 bash -c "curl -sf --max-time 1 http://127.0.0.1:$p/index.html | grep -qx 'version one'"
	local ctr; ctr=$("$BERTH" compose ps -q my_app)
	[ -n "$ctr" ]
	echo "version two" > src/index.html
	run get "$p"
	assert_equal "$output" "version two"
	run_compose restart
	wait_until 5 bash -c "curl -sf --max-time 1 http://127.0.0.1:$p/index.html | grep -qx 'version two'"
	# the same container (restarted, not recreated), no image was built
	assert_equal "$("$BERTH" compose ps -q my_app)" "$ctr"
	run_compose images -q
	assert_equal "$output" "$("$BERTH" image inspect -f '{{.Id}}' busybox:latest)"
	echo "version three" > src/index.html
	run get "$p"
	assert_equal "$output" "version three"
	run_compose down
	run --separate-stderr "$BERTH" compose ps -aq
	assert_equal "$output" ""
}

@test "compose logs: a service with container_name is prefixed with that name (as the notes' my-application)" {
	compose_dir logname
	cat > compose.yaml <<YAML
services:
  my_app:
    image: busybox:latest
    container_name: my-application-054
    command: echo hello from my_app
  other:
    image: busybox:latest
    command: echo hello from other
YAML
	run_compose up -d
	wait_until 5 bash -c '"$0" compose logs 2>/dev/null | grep -q "hello from other"' "$BERTH"
	wait_until 5 bash -c '"$0" compose logs 2>/dev/null | grep -q "hello from my_app"' "$BERTH"
	run_compose logs my_app
	assert_equal "$output" "my-application-054  | hello from my_app"
	run_compose logs other
	assert_equal "$output" "other-1  | hello from other"
}
