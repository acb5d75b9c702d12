#!/usr/bin/env bats
# 055-compose-registry: `berth compose pull/push` and pull_policy / `up --pull` against Debian's
# reference registry (docker-registry) started by the test on 127.0.0.1.
load ../lib/compose-up
load ../lib/registry

setup_file() {
	compose_up_setup_file
	registry_start "$BATS_FILE_TMPDIR/reg"
	export REG_PORT REG_PID
	export R=127.0.0.1:$REG_PORT
	# an image in the registry: busybox pushed as $R/lib/bb:1
	"$BERTH" tag busybox:latest "$R/lib/bb:1"
	"$BERTH" push -q "$R/lib/bb:1" >/dev/null
	"$BERTH" rmi "$R/lib/bb:1" >/dev/null
}
teardown_file() {
	compose_up_teardown_file
	registry_stop "$REG_PID"
}
setup() { berth_setup_root; }
teardown() { compose_teardown; }

@test "compose pull: pulls service images from the registry, compose's events; skips build-only services" {
	compose_dir pull1
	cat > compose.yaml <<YAML
services:
  web:
    image: $R/lib/bb:1
  local:
    build: .
YAML
	echo 'FROM busybox:latest' > Dockerfile
	run "$BERTH" image inspect "$R/lib/bb:1"
	[ "$status" -ne 0 ]
	run_compose pull
	assert_equal "$output" ""
	[[ "$stderr_out" == *" web  Pulling"* ]]
	[[ "$stderr_out" == *" web  Pulled"* ]]
	[[ "$stderr_out" == *" local  Skipped - No image to be pulled"* ]]
	run_berth image inspect -f '{{.Id}}' "$R/lib/bb:1"
	# pulled again: tag 1 is present and not latest, --policy missing skips it
	run_compose pull --policy missing
	[[ "$stderr_out" == *" web  Skipped - Image is already present locally"* ]]
	run_compose pull -q web
	assert_equal "$stderr_out" ""
	run_compose --exit 1 pull --policy sometimes
	[[ "$stderr_out" == *'invalid --policy option "sometimes"'* ]]
}

@test "compose pull: a missing image fails, --ignore-pull-failures goes on; a buildable one warns" {
	compose_dir pull2
	cat > compose.yaml <<YAML
services:
  gone:
    image: $R/lib/nothere:1
  web:
    image: $R/lib/bb:1
    pull_policy: always
YAML
	run_compose --exit 1 pull
	[[ "$stderr_out" == *" gone  Error"* ]]
	[[ "$stderr_out" == *"Error response from daemon: "*"manifest unknown"* ]] || [[ "$stderr_out" == *"Error response from daemon: "*"not found"* ]]
	run_compose pull --ignore-pull-failures
	[[ "$stderr_out" == *" web  Pulled"* ]]
	cat > compose.yaml <<YAML
services:
  gone:
    image: $R/lib/nothere:1
    build: .
YAML
	echo 'FROM busybox:latest' > Dockerfile
	run_compose --exit 1 pull
	[[ "$stderr_out" == *" gone  Warning"* ]]
	[[ "$stderr_out" == *"WARNING: Some service image(s) must be built from source by running:"* ]]
	[[ "$stderr_out" == *"berth compose build gone"* ]]
	run_compose pull --ignore-buildable
	[[ "$stderr_out" == *" gone  Skipped - Image can be built"* ]]
}

@test "compose pull: --include-deps, pull_policy never/build skip" {
	compose_dir pull3
	cat > compose.yaml <<YAML
services:
  web:
    image: $R/lib/bb:1
    pull_policy: never
    depends_on: [db]
  db:
    image: $R/lib/bb:1
YAML
	"$BERTH" rmi -f "$R/lib/bb:1"
	run_compose pull web
	[[ "$stderr_out" == *" web  Skipped"* ]]
	[[ "$stderr_out" != *" db "* ]]
	run_compose pull --include-deps web
	[[ "$stderr_out" == *" db  Pulled"* ]]
}

@test "compose up: a missing image is pulled (pull_policy missing); never refuses; always pulls again" {
	compose_dir pol1
	"$BERTH" rmi -f "$R/lib/bb:1"
	cat > compose.yaml <<YAML
services:
  web:
    image: $R/lib/bb:1
    command: sleep 300
    stop_signal: KILL
    pull_policy: never
YAML
	run_compose --exit 1 up -d
	[[ "$stderr_out" == *"No such image: $R/lib/bb:1"* ]]
	sed -i 's/pull_policy: never/pull_policy: missing/' compose.yaml
	run_compose up -d
	[[ "$stderr_out" == *" web  Pulling"* ]]
	[[ "$stderr_out" == *" web  Pulled"* ]]
	run_berth inspect -f '{{.State.Status}}' pol1-web-1
	assert_equal "$output" "running"
	# present: no pull
	run_compose up -d
	[[ "$stderr_out" != *"Pulling"* ]]
	sed -i 's/pull_policy: missing/pull_policy: always/' compose.yaml
	run_compose up -d
	[[ "$stderr_out" == *" web  Pulled"* ]]
	# --pull never overrides the service's policy; --quiet-pull hides the events
	run_compose up -d --pull never
	[[ "$stderr_out" != *"Pulling"* ]]
	run_compose up -d --quiet-pull
	[[ "$stderr_out" != *"Pulling"* ]]
	run_compose --exit 1 up -d --pull sometimes
	[[ "$stderr_out" == *'invalid --pull option "sometimes"'* ]]
}

@test "compose up: pull_policy build builds every time" {
	compose_dir pol2
	cat > compose.yaml <<'YAML'
services:
  app:
    build: .
    command: sleep 300
    stop_signal: KILL
    pull_policy: build
YAML
	printf 'FROM busybox:latest\nRUN echo one > /built\n' > Dockerfile
	run_compose up -d
	run_berth exec pol2-app-1 cat /built
	assert_equal "$output" "one"
	printf 'FROM busybox:latest\nRUN echo two > /built\n' > Dockerfile
	run_compose up -d
	run_berth exec pol2-app-1 cat /built
	assert_equal "$output" "two"
}

@test "compose push: services with build and image (and build.tags) are pushed, others skipped" {
	compose_dir push1
	cat > compose.yaml <<YAML
services:
  app:
    image: $R/app/one:1
    build:
      context: .
      tags: ["$R/app/one:extra"]
  plain:
    image: busybox:latest
YAML
	printf 'FROM busybox:latest\nRUN echo pushed > /mark\n' > Dockerfile
	run_compose build
	run_compose push
	[[ "$stderr_out" == *" Pushing $R/app/one:1  Pushed"* ]]
	[[ "$stderr_out" == *" Pushing $R/app/one:extra  Pushed"* ]]
	[[ "$stderr_out" == *" plain  Skipped"* ]]
	curl -sf "http://$R/v2/app/one/tags/list" | grep -q '"1"'
	curl -sf "http://$R/v2/app/one/tags/list" | grep -q '"extra"'
	# a round trip: remove and pull it back
	"$BERTH" rmi -f "$R/app/one:1" "$R/app/one:extra"
	run_compose pull app
	run_berth run --rm "$R/app/one:1" cat /mark
	assert_equal "$output" "pushed"
}

@test "compose push: a failure stops, --ignore-push-failures goes on; -q prints nothing" {
	compose_dir push2
	cat > compose.yaml <<YAML
services:
  missing:
    image: $R/app/notbuilt:1
    build: .
  app:
    image: $R/app/two:1
    build: .
YAML
	echo 'FROM busybox:latest' > Dockerfile
	run_compose build app
	run_compose --exit 1 push
	[[ "$stderr_out" == *"$R/app/notbuilt:1"* ]]
	run_compose push --ignore-push-failures
	[[ "$stderr_out" == *"Pushing missing: "* ]]
	[[ "$stderr_out" == *" Pushing $R/app/two:1  Pushed"* ]]
	run_compose push -q app
	assert_equal "$stderr_out" ""
}

@test "compose build --pull: the base image is pulled again before the build" {
	compose_dir bp1
	# the registry's base/img:1 is busybox with /v = one
	mkdir -p b1 && printf 'FROM busybox:latest\nRUN echo one > /v\n' > b1/Dockerfile
	"$BERTH" build -q -t "$R/base/img:1" b1 >/dev/null
	"$BERTH" push -q "$R/base/img:1" >/dev/null
	cat > compose.yaml <<YAML
services:
  app:
    build: .
YAML
	printf 'FROM %s\nRUN cat /v > /seen\n' "$R/base/img:1" > Dockerfile
	run_compose build
	run_berth run --rm bp1-app cat /seen
	assert_equal "$output" "one"
	# the registry moves on (base/img:1 now has /v = two); the local copy stays at one
	printf 'FROM busybox:latest\nRUN echo two > /v\n' > b1/Dockerfile
	"$BERTH" build -q -t tmp-two b1 >/dev/null
	"$BERTH" tag tmp-two "$R/base/img:1"
	"$BERTH" push -q "$R/base/img:1" >/dev/null
	printf 'FROM busybox:latest\nRUN echo one > /v\n' > b1/Dockerfile
	"$BERTH" build -q -t "$R/base/img:1" b1 >/dev/null
	run_compose build
	run_berth run --rm bp1-app cat /seen
	assert_equal "$output" "one"
	run_compose build --pull
	[[ "$stderr_out" == *" Image $R/base/img:1  Pulled"* ]]
	run_berth run --rm bp1-app cat /seen
	assert_equal "$output" "two"
}
