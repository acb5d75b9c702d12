#!/usr/bin/env bats
# 050-compose-config: the Compose loader through `berth compose config`: discovery, YAML 1.2
# scalars, anchors and merge keys, interpolation and .env, merging -f files, extends, include,
# profiles, validation errors, normalisation, the conformance corpus and the notes' example.
load ../lib/helpers
load ../lib/compose

setup() { berth_setup_root; }

@test "compose: every awesome-compose project loads and renders" {
	local n=0
	for d in "$COMPOSE_DATA"/awesome-compose/*/; do
		cd "$d"
		run "$BERTH" compose config --format json
		if [ "$status" -ne 0 ]; then
			echo "failed in $d: $output" >&2
			return 1
		fi
		n=$((n + 1))
	done
	[ "$n" -ge 30 ]
}

@test "compose: awesome-compose nginx-flask-mysql normalised values" {
	cd "$COMPOSE_DATA/awesome-compose/nginx-flask-mysql"
	run_config_json
	assert_equal "$(json_get 'j["name"]')" "nginx-flask-mysql"
	assert_equal "$(json_get 'j["services"]["backend"]["build"]["context"]')" "$PWD/backend"
	assert_equal "$(json_get 'j["services"]["backend"]["build"]["target"]')" "builder"
	assert_equal "$(json_get 'j["services"]["backend"]["depends_on"]["db"]["condition"]')" "service_healthy"
	assert_equal "$(json_get 'j["services"]["proxy"]["ports"][0]')" "{'mode': 'ingress', 'target': 80, 'published': '80', 'protocol': 'tcp'}"
	assert_equal "$(json_get 'j["services"]["db"]["volumes"][0]["type"]')" "volume"
	assert_equal "$(json_get 'j["services"]["db"]["volumes"][0]["source"]')" "db-data"
	assert_equal "$(json_get 'j["services"]["db"]["expose"]')" "['3306', '33060']"
	assert_equal "$(json_get 'j["volumes"]["db-data"]["name"]')" "nginx-flask-mysql_db-data"
	assert_equal "$(json_get 'j["networks"]["backnet"]["name"]')" "nginx-flask-mysql_backnet"
	assert_equal "$(json_get 'j["secrets"]["db-password"]["file"]')" "$PWD/db/password.txt"
	assert_equal "$(json_get 'j["services"]["db"]["healthcheck"]["test"][0]')" "CMD-SHELL"
}

@test "compose: awesome-compose --services and --volumes" {
	cd "$COMPOSE_DATA/awesome-compose/nginx-flask-mysql"
	run_berth compose config --services
	assert_equal "$output" "$(printf 'backend\ndb\nproxy')"
	run_berth compose config --volumes
	assert_equal "$output" "db-data"
	run_berth compose config -q
	assert_equal "$output" ""
}

@test "compose: the notes' file verbatim fails as compose v2 fails, with an explanation" {
	cd "$BERTH_SRC/examples/seed-python"
	local notes="$CONFORMANCE/../seed/docker-notes.md"
	[ -f "$notes" ] || notes=/work/shared/seed/docker-notes.md
	# docker-compose.notes.yml is the notes' file verbatim (ending with an indented "...")
	diff <(sed -n '/^```yml title="Example multistage docker-compose file"/,/^```$/p' "$notes" | sed '1d;$d') docker-compose.notes.yml
	run_berth --exit 1 compose -f docker-compose.notes.yml config
	local n; n=$(wc -l < docker-compose.notes.yml)
	[[ "$output" == *"failed to parse $PWD/docker-compose.notes.yml: yaml: line $n: could not find expected ':'"* ]]
	[[ "$output" == *"$PWD/docker-compose.notes.yml:$n: the indented \"...\" is not YAML's document end marker; it is the notes' \"more follows\" shorthand: remove that line"* ]]
	# nothing was printed on stdout
	run_berth --exit 1 compose -f docker-compose.notes.yml config -q
}

@test "compose: the notes' example loads with the version warning" {
	cd "$BERTH_SRC/examples/seed-python"
	# docker-compose.yml is the notes' file without its last line ("    ...")
	diff <(sed '$d' docker-compose.notes.yml) docker-compose.yml
	[ "$(tail -n1 docker-compose.notes.yml)" = "    ..." ]
	run_config_json
	[[ "$stderr_out" == *"WARN[0000] $PWD/docker-compose.yml: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion"* ]]
	assert_equal "$(json_get 'j["name"]')" "seed-python"
	assert_equal "$(json_get 'j["services"]["my_app"]["build"]["target"]')" "dev"
	assert_equal "$(json_get 'j["services"]["my_app"]["build"]["context"]')" "$PWD"
	assert_equal "$(json_get 'j["services"]["my_app"]["restart"]')" "unless-stopped"
	assert_equal "$(json_get 'j["services"]["my_app"]["container_name"]')" "my-application"
	assert_equal "$(json_get 'j["services"]["my_app"]["command"]')" "['python', 'main.py']"
	assert_equal "$(json_get 'j["services"]["my_app"]["ports"][0]["published"]')" "80"
	assert_equal "$(json_get 'j["services"]["my_app"]["ports"][0]["target"]')" "8000"
	assert_equal "$(json_get 'j["services"]["my_app"]["volumes"][0]["source"]')" "$PWD/src"
	assert_equal "$(json_get 'j["services"]["my_app"]["volumes"][0]["target"]')" "/app"
	assert_equal "$(json_get 'j["services"]["my_app"]["volumes"][0]["type"]')" "bind"
}

@test "compose: YAML 1.2 scalars as compose v2 reads them" {
	compose_dir scalars
	cat > compose.yaml <<'YAML'
services:
  web:
    image: busybox
    ports:
      - 2222:22
    environment:
      A: no
      B: on
      C: 0755
      D: "0755"
      E: 1.50
    labels:
      yes: y
YAML
	run_config_json
	assert_equal "$(json_get 'j["services"]["web"]["ports"][0]["published"]')" "2222"
	assert_equal "$(json_get 'j["services"]["web"]["ports"][0]["target"]')" "22"
	assert_equal "$(json_get 'j["services"]["web"]["environment"]["A"]')" "no"
	assert_equal "$(json_get 'j["services"]["web"]["environment"]["B"]')" "on"
	assert_equal "$(json_get 'j["services"]["web"]["environment"]["C"]')" "493"
	assert_equal "$(json_get 'j["services"]["web"]["environment"]["D"]')" "0755"
	assert_equal "$(json_get 'j["services"]["web"]["environment"]["E"]')" "1.5"
	assert_equal "$(json_get 'j["services"]["web"]["labels"]["yes"]')" "y"
}

@test "compose: anchors, aliases, merge keys and x- extensions" {
	compose_dir anchors
	cat > compose.yaml <<'YAML'
x-common: &common
  image: busybox
  restart: always
  environment: &env
    SHARED: "1"
services:
  a:
    <<: *common
    restart: "no"
  b:
    <<: *common
    environment: *env
    x-note: kept
YAML
	run_config_json
	assert_equal "$(json_get 'j["services"]["a"]["image"]')" "busybox"
	assert_equal "$(json_get 'j["services"]["a"]["restart"]')" "no"
	assert_equal "$(json_get 'j["services"]["b"]["restart"]')" "always"
	assert_equal "$(json_get 'j["services"]["b"]["environment"]["SHARED"]')" "1"
	assert_equal "$(json_get 'j["services"]["b"]["x-note"]')" "kept"
	assert_equal "$(json_get 'j["x-common"]["image"]')" "busybox"
}

@test "compose: interpolation, defaults, \$\$ and .env with the process environment winning" {
	compose_dir interp
	cat > .env <<'EOF2'
TAG=from-dotenv
PORT=8080
ONLY_FILE=file
EOF2
	cat > compose.yaml <<'YAML'
services:
  web:
    image: "busybox:${TAG}"
    ports: ["${PORT}:80"]
    environment:
      DEF: ${NOT_SET:-fallback}
      NESTED: ${NOT_SET:-${ONLY_FILE:-x}}
      ALT: ${ONLY_FILE:+alt}
      DOLLAR: $$HOME
      PLAIN: $ONLY_FILE
YAML
	TAG=from-env run_config_json
	assert_equal "$(json_get 'j["services"]["web"]["image"]')" "busybox:from-env"
	assert_equal "$(json_get 'j["services"]["web"]["ports"][0]["published"]')" "8080"
	assert_equal "$(json_get 'j["services"]["web"]["environment"]["DEF"]')" "fallback"
	assert_equal "$(json_get 'j["services"]["web"]["environment"]["NESTED"]')" "file"
	assert_equal "$(json_get 'j["services"]["web"]["environment"]["ALT"]')" "alt"
	# the rendered model doubles every '$' (so it reads back as the same model)
	assert_equal "$(json_get 'j["services"]["web"]["environment"]["DOLLAR"]')" "\$\$HOME"
	assert_equal "$(json_get 'j["services"]["web"]["environment"]["PLAIN"]')" "file"
}

@test "compose: unset variables warn; required ones fail naming the path" {
	compose_dir required
	printf 'services:\n  web:\n    image: busybox:${NOPE}\n' > compose.yaml
	run_config_json
	[[ "$stderr_out" == *'The "NOPE" variable is not set. Defaulting to a blank string.'* ]]
	assert_equal "$(json_get 'j["services"]["web"]["image"]')" "busybox:"
	printf 'services:\n  web:\n    image: ${IMG:?set IMG please}\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains "error while interpolating services.web.image: required variable IMG is missing a value: set IMG please"
	printf 'services:\n  web:\n    image: ${IMG\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains "invalid interpolation format for services.web.image"
}

@test "compose: --env-file replaces .env" {
	compose_dir envfile
	echo "TAG=dotenv" > .env
	echo "TAG=other" > other.env
	printf 'services:\n  web:\n    image: busybox:${TAG}\n' > compose.yaml
	run_config_json --env-file other.env
	assert_equal "$(json_get 'j["services"]["web"]["image"]')" "busybox:other"
	run_berth --exit 1 compose --env-file missing.env config
	assert_output_contains "couldn't find env file: $PWD/missing.env"
}

@test "compose: discovery in parent directories, file preference and override file" {
	compose_dir disc
	printf 'services:\n  a:\n    image: busybox\n' > compose.yaml
	printf 'services:\n  b:\n    image: busybox\n' > docker-compose.yml
	printf 'services:\n  a:\n    image: alpine\n' > compose.override.yaml
	mkdir -p sub/deeper
	cd sub/deeper
	run bash -c '"$0" compose config --format json 2>/dev/null' "$BERTH"
	[ "$status" -eq 0 ]
	assert_equal "$(json_get 'j["name"]')" "disc"
	assert_equal "$(json_get 'sorted(j["services"])')" "['a']"
	assert_equal "$(json_get 'j["services"]["a"]["image"]')" "alpine"
	run "$BERTH" compose config --services
	assert_output_contains "Found multiple config files with supported names"
	cd "$BATS_TEST_TMPDIR"
	mkdir -p empty && cd empty
	run_berth --exit 1 compose config
	assert_output_contains "no configuration file provided: not found"
}

@test "compose: project name from -p, COMPOSE_PROJECT_NAME, name: and the directory" {
	compose_dir "My_Proj.Dir"
	printf 'services:\n  a:\n    image: busybox\n' > compose.yaml
	run_config_json
	assert_equal "$(json_get 'j["name"]')" "my_projdir"
	assert_equal "$(json_get 'j["networks"]["default"]["name"]')" "my_projdir_default"
	printf 'name: from-file\nservices:\n  a:\n    image: busybox\n' > compose.yaml
	run_config_json
	assert_equal "$(json_get 'j["name"]')" "from-file"
	COMPOSE_PROJECT_NAME=from-env run_config_json
	assert_equal "$(json_get 'j["name"]')" "from-env"
	COMPOSE_PROJECT_NAME=from-env run_config_json -p from-flag
	assert_equal "$(json_get 'j["name"]')" "from-flag"
	run_berth --exit 1 compose -p Bad.Name config
	assert_output_contains 'invalid project name "Bad.Name"'
}

@test "compose: --project-directory resolves relative paths" {
	compose_dir projdir
	mkdir -p files other
	printf 'services:\n  a:\n    build: ./ctx\n    volumes: [./data:/data]\n' > files/compose.yaml
	run_config_json -f files/compose.yaml
	assert_equal "$(json_get 'j["services"]["a"]["build"]["context"]')" "$PWD/files/ctx"
	run_config_json -f files/compose.yaml --project-directory other
	assert_equal "$(json_get 'j["services"]["a"]["build"]["context"]')" "$PWD/other/ctx"
	assert_equal "$(json_get 'j["services"]["a"]["volumes"][0]["source"]')" "$PWD/other/data"
	assert_equal "$(json_get 'j["name"]')" "other"
}

@test "compose: several -f files merged by the spec's rules" {
	compose_dir merge
	cat > a.yaml <<'YAML'
services:
  web:
    image: busybox
    command: ["sh", "-c", "a"]
    environment: [A=1, B=2]
    ports: ["80:80"]
    volumes: ["./a:/data", "logs:/logs"]
volumes:
  logs: {}
YAML
	cat > b.yaml <<'YAML'
services:
  web:
    image: alpine
    command: echo b
    environment: {B: "3"}
    ports: ["81:81"]
    volumes: ["./b:/data"]
YAML
	run_config_json -f a.yaml -f b.yaml
	assert_equal "$(json_get 'j["services"]["web"]["image"]')" "alpine"
	assert_equal "$(json_get 'j["services"]["web"]["command"]')" "['echo', 'b']"
	assert_equal "$(json_get 'j["services"]["web"]["environment"]')" "{'A': '1', 'B': '3'}"
	assert_equal "$(json_get 'len(j["services"]["web"]["ports"])')" "2"
	assert_equal "$(json_get 'len(j["services"]["web"]["volumes"])')" "2"
	assert_equal "$(json_get 'j["services"]["web"]["volumes"][0]["source"]')" "$PWD/b"
}

@test "compose: profiles" {
	compose_dir profiles
	cat > compose.yaml <<'YAML'
services:
  web:
    image: busybox
  debug:
    image: busybox
    profiles: [debug]
  tools:
    image: busybox
    profiles: [tools, debug]
YAML
	run_berth compose config --services
	assert_equal "$output" "web"
	run_berth compose --profile tools config --services
	assert_equal "$output" "$(printf 'tools\nweb')"
	COMPOSE_PROFILES=debug run_berth compose config --services
	assert_equal "$output" "$(printf 'debug\ntools\nweb')"
	run_berth compose config --profiles
	assert_equal "$output" "$(printf 'debug\ntools')"
}

@test "compose: validation errors name the file, the path and what was expected" {
	compose_dir invalid
	printf 'services:\n  web:\n    image: busybox\n    ports:\n      - [1]\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains "validating $PWD/compose.yaml: services.web.ports[0]: expected"
	printf 'services:\n  web:\n    image: busybox\n    bogus: 1\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains "services.web: additional property 'bogus' is not allowed"
	printf 'services:\n  web:\n    image: busybox\n    restart: [always]\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains "services.web.restart: expected string, got array"
	printf 'services:\n  web:\n    image: busybox\n    networks: [front]\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains 'service "web" refers to undefined network front'
	printf 'services:\n  web: [\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains "failed to parse $PWD/compose.yaml"
}

@test "compose: compose-go testdata: depends_on cycles are rejected" {
	cd "$COMPOSE_DATA/compose-go-testdata"
	run_berth --exit 1 compose -f compose-depends-on-cycle.yaml config
	assert_output_contains "dependency cycle detected: service1 -> service2 -> service3 -> service1"
	run_berth --exit 1 compose -f compose-depends-on-self.yaml config
	assert_output_contains "dependency cycle detected: service1 -> service1"
}

@test "compose: compose-go testdata: include cycle rejected, include resolved" {
	cd "$COMPOSE_DATA/compose-go-testdata"
	run_berth --exit 1 compose -f compose-include-cycle.yaml config
	assert_output_contains "include cycle detected"
	run_config_json -f compose-include.yaml
	assert_equal "$(json_get 'sorted(j["services"])')" "['bar', 'imported']"
	# env_file was read relative to the included file, then merged into environment (and dropped)
	assert_equal "$(json_get '"env_file" in j["services"]["imported"]')" "False"
	assert_equal "$(json_get 'j["services"]["imported"]["environment"]["SOURCE"]')" "extends"
	assert_equal "$(json_get 'j["services"]["bar"]["environment"]["FOO"]')" "BAR"
	run_config_json -f include/compose.yaml
	assert_equal "$(json_get 'j["services"]["included"]["build"]["context"]')" "$PWD/include"
	assert_equal "$(json_get 'j["services"]["included"]["volumes"][0]["source"]')" "$PWD/include"
	run_config_json -f include/project-directory.yaml
	assert_equal "$(json_get 'j["services"]["service"]["build"]["context"]')" "$PWD/subdir"
	assert_equal "$(json_get 'j["services"]["service"]["volumes"][0]["source"]')" "$PWD/subdir/compose-test-extends-imported.yaml"
	assert_equal "$(json_get 'j["services"]["service"]["environment"]["SOURCE"]')" "extends"
}

@test "compose: compose-go testdata: extends resolved relative to the extended file" {
	cd "$COMPOSE_DATA/compose-go-testdata"
	run_config_json -f compose-test-extends.yaml
	assert_equal "$(json_get 'j["services"]["importer"]["image"]')" "nginx"
	assert_equal "$(json_get 'j["services"]["importer"]["container_name"]')" "imported"
	# ./extra.env is relative to the extended file (subdir/), not to the extending one
	assert_equal "$(json_get 'j["services"]["importer"]["environment"]["SOURCE"]')" "extends"
	assert_equal "$(json_get 'j["services"]["importer"]["volumes"][0]["source"]')" "/opt/data"
	run_config_json -f extends/nested.yaml
	assert_equal "$(json_get 'j["services"]["with-build"]["build"]["context"]')" "$PWD/extends"
	run_config_json -f combined/compose.yaml
	assert_equal "$(json_get 'j["services"]["service"]["build"]["context"]')" "$PWD/combined/dir"
	run_config_json -f extends/reset.yaml
	assert_equal "$(json_get '"command" in j["services"]["base"]')" "False"
	assert_equal "$(json_get 'j["services"]["init"]["command"]')" "['sleep', 'infinity']"
	SOURCE=/tmp/src run_config_json -f extends/interpolated.yaml
	assert_equal "$(json_get 'j["services"]["foo"]["volumes"][0]["source"]')" "/tmp/src"
	assert_equal "$(json_get 'j["services"]["foo"]["volumes"][0]["read_only"]')" "True"
}

@test "compose: compose-go testdata: env files applied" {
	cd "$COMPOSE_DATA/compose-go-testdata/env-file"
	# .env here names the file and the project
	run_config_json
	assert_equal "$(json_get 'j["name"]')" "my_project_from_dot_env"
	assert_equal "$(json_get 'j["services"]["simple"]["environment"]["DEFAULT_PORT"]')" "8080"
	assert_equal "$(json_get 'j["services"]["simple"]["ports"][0]["published"]')" "8000"
	run_config_json -f compose-with-env-files.yaml --env-file override.env
	assert_equal "$(json_get 'j["services"]["simple"]["environment"]["DEFAULT_PORT"]')" "9090"
	assert_equal "$(json_get 'j["services"]["simple"]["ports"][0]["published"]')" "9000"
	[[ "$stderr_out" == *"the attribute \`version\` is obsolete"* ]]
}

@test "compose: compose-go testdata: version, volumes_from and build string" {
	cd "$COMPOSE_DATA/compose-go-testdata"
	run_config_json -f compose-test-with-version.yaml
	assert_equal "$(json_get 'j["name"]')" "compose-test-with-version"
	assert_equal "$(json_get 'j["services"]["web"]["build"]["context"]')" "$PWD/Dockerfile"
	assert_equal "$(json_get 'j["services"]["web"]["volumes_from"]')" "['other']"
	assert_equal "$(json_get 'sorted(j["services"]["web"]["networks"])')" "['default', 'front']"
	assert_equal "$(json_get 'j["volumes"]["data"]["driver"]')" "local"
	run_berth --exit 1 compose -f empty.yaml config
	assert_output_contains "empty compose file"
}

@test "compose: YAML output reads back; --images; -o" {
	compose_dir out
	printf 'services:\n  web:\n    image: busybox\n    ports: ["8080:80"]\n  app:\n    build: .\n' > compose.yaml
	run_berth compose config
	assert_output_contains 'published: "8080"'
	assert_output_contains "name: out"
	python3 -c 'import sys; import json' # python is there for the JSON checks
	run_berth compose config --images
	assert_equal "$output" "$(printf 'out-app\nbusybox')"
	run_berth compose config -o rendered.yaml
	assert_equal "$output" ""
	grep -q 'name: out' rendered.yaml
	run_berth compose -f rendered.yaml config --services
	assert_equal "$output" "$(printf 'app\nweb')"
}

@test "compose: unknown sub-verb and version" {
	run_berth --exit 1 compose frobnicate
	assert_output_contains 'unknown berth command: "compose frobnicate"'
	run_berth compose version
	assert_output_contains "version v"
	run_berth compose --help
	assert_output_contains "config"
}

@test "compose: an override file need not be valid alone; null keeps the base; kind mismatch" {
	compose_dir override
	printf 'services:\n  web:\n    image: busybox\n    user: root\n    ports: ["80:80"]\n' > compose.yaml
	printf 'services:\n  web:\n    user: null\n    ports: ["80:80", "81:81"]\n' > compose.override.yaml
	run_config_json
	assert_equal "$(json_get 'j["services"]["web"]["user"]')" "root"
	assert_equal "$(json_get 'len(j["services"]["web"]["ports"])')" "2"
	printf 'services:\n  web:\n    ports: {a: 1}\n' > compose.override.yaml
	run_berth --exit 1 compose config
	assert_output_contains "cannot override services.web.ports"
}

@test "compose: env_file merged into environment, environment wins, env_file dropped" {
	compose_dir envfiles
	printf 'A=from-file\nB=from-file\nC=${TAG:-x}\n' > app.env
	printf 'TAG=dotenv\n' > .env
	cat > compose.yaml <<'YAML'
services:
  web:
    image: busybox
    env_file: app.env
    environment:
      B: from-environment
      D:
YAML
	run_config_json
	assert_equal "$(json_get 'j["services"]["web"]["environment"]')" "{'A': 'from-file', 'B': 'from-environment', 'C': 'dotenv', 'D': None}"
	assert_equal "$(json_get '"env_file" in j["services"]["web"]')" "False"
	D=from-env run_config_json
	assert_equal "$(json_get 'j["services"]["web"]["environment"]["D"]')" "from-env"
	printf 'services:\n  web:\n    image: busybox\n    env_file: [missing.env]\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains "env file $PWD/missing.env not found"
	printf 'services:\n  web:\n    image: busybox\n    env_file: [{path: missing.env, required: false}]\n' > compose.yaml
	run_berth compose config -q
}

@test "compose: implied dependencies, secrets target, build args and consistency errors" {
	compose_dir consistency
	cat > compose.yaml <<'YAML'
services:
  db:
    image: busybox
  web:
    image: busybox
    links: [db]
    volumes_from: [db]
    secrets: [token]
    build:
      context: .
      args: [SET_ARG, UNSET_ARG, FIXED=1]
secrets:
  token:
    file: ./token.txt
YAML
	SET_ARG=yes run_config_json
	assert_equal "$(json_get 'j["services"]["web"]["depends_on"]["db"]["restart"]')" "True"
	assert_equal "$(json_get 'j["services"]["web"]["secrets"][0]["target"]')" "/run/secrets/token"
	assert_equal "$(json_get 'j["secrets"]["token"]["file"]')" "$PWD/token.txt"
	assert_equal "$(json_get 'j["services"]["web"]["build"]["args"]')" "{'SET_ARG': 'yes', 'FIXED': '1'}"
	printf 'services:\n  a:\n    image: x\n    container_name: same\n  b:\n    image: x\n    container_name: same\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains 'container name "same" is already in use'
	printf 'services:\n  a:\n    build: .\n    network_mode: host\n    networks: [default]\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains "declares mutually exclusive \`network_mode\` and \`networks\`"
	printf 'services:\n  a:\n    environment: [A=1]\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains 'service "a" has neither an image nor a build context specified'
	printf 'services:\n  a:\n    image: x\n    volumes: [data:/data]\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains 'service "a" refers to undefined volume data'
	printf 'services:\n  a:\n    image: x\n    depends_on: [ghost]\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains 'service "a" depends on undefined service "ghost": invalid compose project'
	printf 'services:\n  a:\n    image: x\n    privileged: "${PRIV}"\n' > compose.yaml
	PRIV=maybe run_berth --exit 1 compose config
	assert_output_contains "error while interpolating services.a.privileged: failed to cast to expected type: invalid boolean: maybe"
	PRIV=true run_config_json
	assert_equal "$(json_get 'j["services"]["a"]["privileged"]')" "True"
}

@test "compose: extends cycles and missing bases are errors" {
	compose_dir extcycle
	printf 'services:\n  a:\n    extends: b\n    image: x\n  b:\n    extends: a\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains "Circular reference:"
	assert_output_contains "extends b in $PWD/compose.yaml"
	printf 'services:\n  a:\n    extends: nope\n    image: x\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains "cannot extend service \"a\" in $PWD/compose.yaml: service \"nope\" not found"
}

@test "compose: ports short syntax: ranges, host IPs, protocols" {
	compose_dir ports
	cat > compose.yaml <<'YAML'
services:
  web:
    image: busybox
    ports:
      - "127.0.0.1:8080:80"
      - "9000-9001:9000-9001/udp"
      - 3000
      - "[::1]:5353:53/udp"
      - target: 443
        published: 8443
YAML
	run_config_json
	assert_equal "$(json_get 'j["services"]["web"]["ports"][0]')" "{'mode': 'ingress', 'host_ip': '127.0.0.1', 'target': 80, 'published': '8080', 'protocol': 'tcp'}"
	assert_equal "$(json_get 'j["services"]["web"]["ports"][2]["published"]')" "9001"
	assert_equal "$(json_get 'j["services"]["web"]["ports"][2]["protocol"]')" "udp"
	assert_equal "$(json_get '"published" in j["services"]["web"]["ports"][3]')" "False"
	assert_equal "$(json_get 'j["services"]["web"]["ports"][4]["host_ip"]')" "::1"
	assert_equal "$(json_get 'j["services"]["web"]["ports"][5]["published"]')" "8443"
}

@test "compose: several YAML documents in one file are merged in order; '...' in column 0 ends one" {
	compose_dir multidoc
	printf -- '---\nservices:\n  web:\n    image: busybox\n    environment: [A=1]\n...\n---\nservices:\n  web:\n    environment: [B=2]\n  db:\n    image: alpine\n' > compose.yaml
	run_config_json
	assert_equal "$(json_get 'sorted(j["services"])')" "['db', 'web']"
	assert_equal "$(json_get 'j["services"]["web"]["environment"]')" "{'A': '1', 'B': '2'}"
}

@test "compose: config SERVICE renders that service and its dependencies, even profile-disabled" {
	compose_dir select
	cat > compose.yaml <<'YAML'
services:
  web:
    image: busybox
    depends_on: [db]
  db:
    image: busybox
  other:
    image: busybox
  tool:
    image: busybox
    profiles: [tools]
YAML
	run bash -c '"$0" compose config --format json web 2>/dev/null' "$BERTH"
	[ "$status" -eq 0 ]
	assert_equal "$(json_get 'sorted(j["services"])')" "['db', 'web']"
	run bash -c '"$0" compose config --format json tool 2>/dev/null' "$BERTH"
	[ "$status" -eq 0 ]
	assert_equal "$(json_get 'sorted(j["services"])')" "['tool']"
	run_berth --exit 1 compose config nope
	assert_output_contains "no such service: nope"
}

@test "compose: include: relative to the including file, own .env, local definitions win" {
	compose_dir inc
	mkdir -p lib
	printf 'LIBTAG=from-lib-env\n' > lib/.env
	printf 'services:\n  db:\n    image: "postgres:${LIBTAG}"\n    volumes: [./data:/var/lib/data]\n    environment: {A: "1"}\n' > lib/db.yaml
	printf 'include:\n  - lib/db.yaml\nservices:\n  web:\n    image: busybox\n  db:\n    environment: {B: "2"}\n' > compose.yaml
	run_config_json
	assert_equal "$(json_get 'j["services"]["db"]["image"]')" "postgres:from-lib-env"
	assert_equal "$(json_get 'j["services"]["db"]["volumes"][0]["source"]')" "$PWD/lib/data"
	assert_equal "$(json_get 'j["services"]["db"]["environment"]')" "{'A': '1', 'B': '2'}"
	LIBTAG=from-process run_config_json
	assert_equal "$(json_get 'j["services"]["db"]["image"]')" "postgres:from-process"
}

@test "compose: durations and byte sizes printed as compose prints them" {
	compose_dir durations
	cat > compose.yaml <<'YAML'
services:
  web:
    image: busybox
    mem_limit: 512m
    deploy:
      resources:
        limits:
          memory: 1.5GiB
    stop_grace_period: 90s
    healthcheck:
      test: ["CMD", "true"]
      interval: 1m
      timeout: 1.5s
YAML
	run_config_json
	assert_equal "$(json_get 'j["services"]["web"]["stop_grace_period"]')" "1m30s"
	assert_equal "$(json_get 'j["services"]["web"]["healthcheck"]["interval"]')" "1m0s"
	assert_equal "$(json_get 'j["services"]["web"]["healthcheck"]["timeout"]')" "1.5s"
	assert_equal "$(json_get 'j["services"]["web"]["mem_limit"]')" "536870912"
	assert_equal "$(json_get 'j["services"]["web"]["deploy"]["resources"]["limits"]["memory"]')" "1610612736"
	printf 'services:\n  web:\n    image: busybox\n    stop_grace_period: soon\n' > compose.yaml
	run_berth --exit 1 compose config
	assert_output_contains 'services.web.stop_grace_period: invalid duration "soon"'
}
