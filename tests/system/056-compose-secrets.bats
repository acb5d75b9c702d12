#!/usr/bin/env bats
# 056-compose-secrets: top-level secrets/configs (file, environment, content) and the service's
# secrets/configs (short and long syntax) mounted read-only as compose v2 does on a plain engine.
load ../lib/compose-up

setup_file() { compose_up_setup_file; }
teardown_file() { compose_up_teardown_file; }
setup() { berth_setup_root; }
teardown() { compose_teardown; }

@test "secrets: file secrets at /run/secrets/<name> (short) or target (long), read-only" {
	compose_dir sec1
	printf 's3cret\n' > pw.txt
	printf 'tok\n' > token.txt
	cat > compose.yaml <<'YAML'
services:
  app:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
    secrets:
      - db_pw
      - source: token
        target: api_token
      - source: token
        target: /etc/abs_token
secrets:
  db_pw:
    file: ./pw.txt
  token:
    file: token.txt
YAML
	run_compose up -d
	run_berth exec sec1-app-1 cat /run/secrets/db_pw
	assert_equal "$output" "s3cret"
	run_berth exec sec1-app-1 cat /run/secrets/api_token
	assert_equal "$output" "tok"
	run_berth exec sec1-app-1 cat /etc/abs_token
	assert_equal "$output" "tok"
	run "$BERTH" exec sec1-app-1 sh -c 'echo x > /run/secrets/db_pw'
	[ "$status" -ne 0 ]
	# a bind of the file: a change on the host is seen
	printf 'changed\n' > pw.txt
	run_berth exec sec1-app-1 cat /run/secrets/db_pw
	assert_equal "$output" "changed"
}

@test "secrets: environment secrets get the variable's value with uid, gid and mode; missing variable is an error" {
	compose_dir sec2
	cat > compose.yaml <<'YAML'
services:
  app:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
    secrets:
      - source: api_key
        uid: "1000"
        gid: "1001"
        mode: 0400
      - plain
secrets:
  api_key:
    environment: API_KEY
  plain:
    environment: PLAIN
YAML
	export API_KEY=key-from-env PLAIN=p
	run_compose up -d
	run_berth exec sec2-app-1 cat /run/secrets/api_key
	assert_equal "$output" "key-from-env"
	run_berth exec sec2-app-1 stat -c '%u %g %a' /run/secrets/api_key /run/secrets/plain
	assert_equal "$output" "1000 1001 400
0 0 444"
	run_compose down -t 0
	[ ! -e "$BERTH_ROOT/compose/sec2" ]
	unset API_KEY
	run_compose --exit 1 up -d
	[[ "$stderr_out" == *"environment variable API_KEY required by secret api_key is not set"* ]]
}

@test "configs: file at /<name> or target, content and environment configs, uid/gid/mode warning for files" {
	compose_dir cfg1
	printf 'listen 80;\n' > nginx.conf
	cat > compose.yaml <<'YAML'
services:
  app:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
    configs:
      - nginx_conf
      - source: nginx_conf
        target: /etc/nginx/nginx.conf
        mode: 0440
      - source: inline
        target: rel/inline.txt
      - source: fromenv
        target: /etc/fromenv
configs:
  nginx_conf:
    file: ./nginx.conf
  inline:
    content: |
      hello $${NOT_INTERPOLATED} ${GREETING}
  fromenv:
    environment: GREETING
YAML
	export GREETING=bonjour
	run_compose up -d
	[[ "$stderr_out" == *'config `uid`, `gid` and `mode` are not supported, they will be ignored'* ]]
	run_berth exec cfg1-app-1 cat /nginx_conf /etc/nginx/nginx.conf /rel/inline.txt /etc/fromenv
	assert_equal "$output" 'listen 80;
listen 80;
hello ${NOT_INTERPOLATED} bonjour
bonjour'
	run "$BERTH" exec cfg1-app-1 sh -c 'echo x > /nginx_conf'
	[ "$status" -ne 0 ]
}

@test "secrets and configs: undefined, external and missing files are errors before anything starts" {
	compose_dir sec3
	cat > compose.yaml <<'YAML'
services:
  first:
    image: busybox:latest
    command: sleep 300
  app:
    image: busybox:latest
    command: sleep 300
    secrets: [nope]
YAML
	run_compose --exit 1 up -d
	[[ "$stderr_out" == *'service "app" refers to undefined secret nope: invalid compose project'* ]]
	cat > compose.yaml <<'YAML'
services:
  app:
    image: busybox:latest
    command: sleep 300
    secrets: [ext]
secrets:
  ext:
    external: true
YAML
	run_compose --exit 1 up -d
	[[ "$stderr_out" == *"unsupported external secret ext"* ]]
	cat > compose.yaml <<'YAML'
services:
  first:
    image: busybox:latest
    command: sleep 300
  app:
    image: busybox:latest
    command: sleep 300
    configs: [c]
configs:
  c:
    file: ./missing.conf
YAML
	run_compose --exit 1 up -d
	[[ "$stderr_out" == *"bind source path does not exist: $PWD/missing.conf"* ]]
	run "$BERTH" ps -aq
	assert_equal "$output" ""
}

@test "build.secrets: file and environment secrets reach RUN --mount=type=secret (id = target or source), never the image" {
	compose_dir sec4
	echo file-token > t.txt
	cat > Dockerfile <<'EOF'
FROM busybox:latest
RUN --mount=type=secret,id=tok cat /run/secrets/tok > /seen-tok
RUN --mount=type=secret,id=renamed cat /run/secrets/renamed > /seen-renamed
RUN --mount=type=secret,id=envsec,env=VAL sh -c 'echo "$VAL" > /seen-env'
RUN test ! -s /run/secrets/tok
EOF
	cat > compose.yaml <<'YAML'
services:
  app:
    build:
      context: .
      secrets:
        - tok
        - source: tok
          target: renamed
        - envsec
secrets:
  tok:
    file: ./t.txt
  envsec:
    environment: FROM_DOTENV
YAML
	echo 'FROM_DOTENV=from-dotenv' > .env
	run_compose build
	run_berth run --rm sec4-app cat /seen-tok /seen-renamed /seen-env
	assert_equal "$output" "file-token
file-token
from-dotenv"
	cat > compose.yaml <<'YAML'
services:
  app:
    build:
      context: .
      secrets: [nope]
YAML
	run_compose --exit 1 build
	[[ "$stderr_out" == *"refers to undefined"*"nope"* ]]
}
