#!/usr/bin/env bats
# 070-registry: pull, push, login/logout against Debian's reference registry (docker-registry)
# started by the tests on 127.0.0.1: plain HTTP, and htpasswd + TLS with a test-made CA.
# Round trips with skopeo; an interrupted pull resumes; a corrupted blob is refused.
load ../lib/helpers
load ../lib/images
load ../lib/registry

setup_file() {
	registry_start "$BATS_FILE_TMPDIR/reg"
	registry_start_auth "$BATS_FILE_TMPDIR/regauth" tester s3cret
	export REG_PORT REG_PID REG_AUTH_PORT REG_AUTH_PID REG_CA
	export REG_LOG="$BATS_FILE_TMPDIR/reg/registry.log"
	export REG_CERTS="$BATS_FILE_TMPDIR/regauth/certs"
}

teardown_file() {
	registry_stop "$REG_PID"
	registry_stop "$REG_AUTH_PID"
}

setup() {
	images_setup
	registry_env
	R=127.0.0.1:$REG_PORT
	A=127.0.0.1:$REG_AUTH_PORT
}

teardown() {
	[ -z "${PROXY_PID:-}" ] || { kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null; } || true
}

# a second, empty store for the pulling side
other_root() {
	export BERTH_ROOT="$BATS_TEST_TMPDIR/root2"
	mkdir -p "$BERTH_ROOT"
}

@test "push: Docker's lines; skopeo inspect and skopeo copy read what berth pushed" {
	import_busybox "$R/t/busybox:1"
	local diff
	diff=$("$BERTH" inspect -f '{{index .RootFS.Layers 0}}' "$R/t/busybox:1")
	run_berth push "$R/t/busybox:1"
	assert_output_contains "The push refers to repository [$R/t/busybox]"
	assert_output_contains "${diff:7:12}: Preparing"
	assert_output_contains "${diff:7:12}: Pushed"
	[[ "${lines[-1]}" =~ ^1:\ digest:\ (sha256:[0-9a-f]{64})\ size:\ [0-9]+$ ]]
	local digest=${BASH_REMATCH[1]}
	run skopeo inspect --tls-verify=false "docker://$R/t/busybox:1"
	[ "$status" -eq 0 ]
	[ "$(jq -r .Digest <<<"$output")" = "$digest" ]
	[ "$(jq -r '.Layers[0]' <<<"$output")" = "$diff" ] # stored uncompressed: blob digest == diff ID
	run skopeo inspect --tls-verify=false --config "docker://$R/t/busybox:1"
	[ "$(jq -r '.rootfs.diff_ids[0]' <<<"$output")" = "$diff" ]
	# skopeo copies it out; loaded into another store it is the same image
	skopeo copy -q --src-tls-verify=false "docker://$R/t/busybox:1" "oci:$BATS_TEST_TMPDIR/oci:x"
	BERTH_ROOT="$BATS_TEST_TMPDIR/root3" run_berth load -i "$BATS_TEST_TMPDIR/oci"
	assert_equal "$output" "Loaded image ID: $BUSYBOX_ID"
	# the repo digest is recorded locally, as Docker does after a push
	run_berth images --digests --format '{{.Digest}}' "$R/t/busybox"
	assert_equal "$output" "$digest"
}

@test "push: blobs the registry has are skipped, another repository mounts them, chunked uploads" {
	import_busybox "$R/t/bb2:1"
	local diff
	diff=$("$BERTH" inspect -f '{{index .RootFS.Layers 0}}' "$R/t/bb2:1")
	run_berth push "$R/t/bb2:1"
	run_berth push "$R/t/bb2:1"
	assert_output_contains "${diff:7:12}: Layer already exists"
	run_berth tag "$R/t/bb2:1" "$R/t/mounted:1"
	run_berth push "$R/t/mounted:1"
	assert_output_contains "${diff:7:12}: Mounted from t/bb2"
	grep -q "POST /v2/t/mounted/blobs/uploads/?mount=sha256%3A${diff:7}&from=t%2Fbb2" "$REG_LOG"
	# chunked: PATCH pieces of 300000 bytes (a layer the registry does not have yet)
	cp "$(busybox_tarball)" "$BATS_TEST_TMPDIR/bb-extra.tar"
	head -c 500000 /dev/urandom >"$BATS_TEST_TMPDIR/extra.bin"
	tar -rf "$BATS_TEST_TMPDIR/bb-extra.tar" -C "$BATS_TEST_TMPDIR" extra.bin
	run_berth import "$BATS_TEST_TMPDIR/bb-extra.tar" "$R/t/chunked:1"
	diff=$("$BERTH" inspect -f '{{index .RootFS.Layers 0}}' "$R/t/chunked:1")
	before=$(grep -c '"PATCH /v2/t/chunked/' "$REG_LOG" || true)
	BERTH_PUSH_CHUNK_SIZE=300000 run_berth push "$R/t/chunked:1"
	assert_output_contains "Pushed"
	after=$(grep -c '"PATCH /v2/t/chunked/' "$REG_LOG")
	[ $((after - before)) -ge 3 ]
	run skopeo inspect --tls-verify=false "docker://$R/t/chunked:1"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.Layers[0]' <<<"$output")" = "$diff" ]
	# push of an image that is not here
	run_berth --exit 1 push "$R/t/none:1"
	assert_output_contains "An image does not exist locally with the tag: $R/t/none"
}

@test "skopeo copy pushes (oci-archive and docker-archive from berth save) -> berth pull gets the same image" {
	import_busybox bb:src
	local diff
	diff=$("$BERTH" inspect -f '{{index .RootFS.Layers 0}}' bb:src)
	run_berth save --format oci-archive -o "$BATS_TEST_TMPDIR/bb-oci.tar" bb:src
	run_berth save -o "$BATS_TEST_TMPDIR/bb-docker.tar" bb:src
	skopeo copy -q --dest-tls-verify=false "oci-archive:$BATS_TEST_TMPDIR/bb-oci.tar" "docker://$R/t/fromoci:2"
	skopeo copy -q --dest-tls-verify=false "docker-archive:$BATS_TEST_TMPDIR/bb-docker.tar" "docker://$R/t/fromarchive:3"
	other_root
	run_berth pull "$R/t/fromoci:2"
	assert_equal "${lines[0]}" "2: Pulling from t/fromoci"
	assert_output_contains ": Pulling fs layer"
	assert_output_contains ": Download complete"
	assert_output_contains ": Pull complete"
	assert_output_contains "Status: Downloaded newer image for $R/t/fromoci:2"
	assert_equal "${lines[-1]}" "$R/t/fromoci:2"
	[[ "${lines[-3]}" =~ ^Digest:\ sha256:[0-9a-f]{64}$ ]]
	run_berth inspect -f '{{.Id}} {{index .RootFS.Layers 0}}' "$R/t/fromoci:2"
	assert_equal "$output" "$BUSYBOX_ID $diff"
	# the layer is usable: its files are extracted
	[ -x "$BERTH_ROOT/layers/${diff:7}/diff/bin/busybox" ]
	run_berth pull "$R/t/fromarchive:3"
	run_berth inspect -f '{{index .RootFS.Layers 0}}' "$R/t/fromarchive:3"
	assert_equal "$output" "$diff"
	# again: nothing to do
	run_berth pull "$R/t/fromoci:2"
	assert_output_contains "Status: Image is up to date for $R/t/fromoci:2"
	[[ "$output" != *"Pull complete"* ]]
	# by digest: no tag is created, the digest is recorded
	dg=$(skopeo inspect --tls-verify=false "docker://$R/t/fromoci:2" | jq -r .Digest)
	run_berth rmi "$R/t/fromoci:2" "$R/t/fromarchive:3"
	run_berth pull "$R/t/fromoci@$dg"
	assert_equal "${lines[0]}" "$dg: Pulling from t/fromoci"
	assert_equal "${lines[-1]}" "$R/t/fromoci@$dg"
	run_berth images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}'
	assert_equal "$(grep fromoci <<<"$output")" "$R/t/fromoci <none> $dg"
	assert_check_clean
}

@test "pull: a manifest list / OCI index picks linux/amd64, --platform picks another, -a pulls every tag" {
	local idx
	mk_oci_multiarch "$BATS_TEST_TMPDIR/multi" >/dev/null
	skopeo copy -q --all --dest-tls-verify=false "oci:$BATS_TEST_TMPDIR/multi:latest" "docker://$R/t/multi:latest"
	idx=sha256:$(skopeo inspect --raw --tls-verify=false "docker://$R/t/multi:latest" | sha256sum | cut -d' ' -f1)
	[[ "$(skopeo inspect --raw --tls-verify=false "docker://$R/t/multi:latest")" == *manifests* ]]
	run_berth pull "$R/t/multi"
	assert_equal "${lines[0]}" "Using default tag: latest"
	assert_output_contains "Digest: $idx"
	run_berth inspect -f '{{.Architecture}}' "$R/t/multi"
	assert_equal "$output" "amd64"
	run_berth pull --platform linux/arm64 "$R/t/multi:latest"
	run_berth inspect -f '{{.Architecture}} {{.Variant}}' "$R/t/multi"
	assert_equal "$output" "arm64 v8"
	run_berth --exit 1 pull --platform linux/s390x "$R/t/multi"
	assert_output_contains "Error response from daemon: no matching manifest for linux/s390x in the manifest list entries"
	# -a
	import_busybox "$R/t/tags:a"
	run_berth tag "$R/t/tags:a" "$R/t/tags:b"
	run_berth push -a "$R/t/tags"
	assert_output_contains "a: digest: "
	assert_output_contains "b: digest: "
	other_root
	run_berth pull -a "$R/t/tags"
	run_berth images --format '{{.Repository}}:{{.Tag}}'
	assert_equal "$(sort <<<"$output")" "$R/t/tags:a
$R/t/tags:b"
	run_berth --exit 1 pull "$R/t/tags:nope"
	assert_equal "$output" "Error response from daemon: manifest for $R/t/tags:nope not found: manifest unknown: manifest unknown"
}

@test "pull: SIGKILL in the middle of a large layer, then the pull resumes without re-downloading finished blobs" {
	local small big
	mk_oci_layout "$BATS_TEST_TMPDIR/big" 0.2 24 >/dev/null
	skopeo copy -q --dest-tls-verify=false "oci:$BATS_TEST_TMPDIR/big:latest" "docker://$R/t/big:1"
	# (skopeo may compress the layers: take the digests the registry has)
	mapfile -t ds < <(skopeo inspect --tls-verify=false "docker://$R/t/big:1" | jq -r '.Layers[]')
	small=${ds[0]} big=${ds[1]}
	proxy_start "$BATS_TEST_TMPDIR/proxy1.log" --throttle "$big:2000000"
	other_root
	"$BERTH" pull "127.0.0.1:$PROXY_PORT/t/big:1" >"$BATS_TEST_TMPDIR/pull1.out" 2>&1 &
	local pid=$! part="$BERTH_ROOT/tmp/pull-${big:7}.partial" i
	for ((i = 0; i < 200; i++)); do
		[ -f "$part" ] && [ "$(stat -c %s "$part")" -gt 3000000 ] && [ -f "$BERTH_ROOT/blobs/sha256/${small:7}" ] && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" || true
	[ -f "$BERTH_ROOT/blobs/sha256/${small:7}" ]
	local had
	had=$(stat -c %s "$part")
	[ "$had" -gt 3000000 ] && [ "$had" -lt $((24 * 1048576)) ]
	[ ! -f "$BERTH_ROOT/blobs/sha256/${big:7}" ]
	run_berth images -q
	assert_equal "$output" ""
	kill "$PROXY_PID"; wait "$PROXY_PID" || true
	proxy_start "$BATS_TEST_TMPDIR/proxy2.log"
	run_berth pull "127.0.0.1:$PROXY_PORT/t/big:1"
	assert_output_contains "${small:7:12}: Already exists"
	assert_output_contains "${big:7:12}: Pull complete"
	# the finished blob was not fetched again; the big one resumed where it stopped
	! grep -q "GET /v2/t/big/blobs/$small" "$BATS_TEST_TMPDIR/proxy2.log"
	run grep "GET /v2/t/big/blobs/$big" "$BATS_TEST_TMPDIR/proxy2.log"
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ bytes=([0-9]+)- ]]
	[ "${BASH_REMATCH[1]}" -ge "$had" ]
	[ -f "$BERTH_ROOT/blobs/sha256/${big:7}" ]
	[ ! -e "$part" ]
	assert_check_clean
	[ "$(sha256sum <"$BERTH_ROOT/blobs/sha256/${big:7}" | cut -d' ' -f1)" = "${big:7}" ]
}

@test "pull: a connection dropped in the middle of a blob is resumed with a Range request" {
	mk_oci_layout "$BATS_TEST_TMPDIR/drop" 3 >/dev/null
	skopeo copy -q --dest-tls-verify=false "oci:$BATS_TEST_TMPDIR/drop:latest" "docker://$R/t/drop:1"
	local d
	d=$(skopeo inspect --tls-verify=false "docker://$R/t/drop:1" | jq -r '.Layers[0]')
	proxy_start "$BATS_TEST_TMPDIR/proxy.log" --drop "$d:1000000"
	other_root
	run_berth pull "127.0.0.1:$PROXY_PORT/t/drop:1"
	assert_output_contains "${d:7:12}: Retrying"
	assert_output_contains "${d:7:12}: Pull complete"
	run grep "GET /v2/t/drop/blobs/$d" "$BATS_TEST_TMPDIR/proxy.log"
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == *" -" ]]
	[[ "${lines[1]}" =~ bytes=([0-9]+)- ]] && [ "${BASH_REMATCH[1]}" -gt 0 ]
	[ "$(sha256sum <"$BERTH_ROOT/blobs/sha256/${d:7}" | cut -d' ' -f1)" = "${d:7}" ]
	assert_check_clean
}

@test "pull: a blob whose bytes do not match its digest is refused and nothing is stored" {
	local d
	mk_oci_layout "$BATS_TEST_TMPDIR/bad" 0.5 >/dev/null
	skopeo copy -q --dest-tls-verify=false "oci:$BATS_TEST_TMPDIR/bad:latest" "docker://$R/t/bad:1"
	d=$(skopeo inspect --tls-verify=false "docker://$R/t/bad:1" | jq -r '.Layers[0]')
	proxy_start "$BATS_TEST_TMPDIR/proxy.log" --corrupt "$d"
	other_root
	run_berth --exit 1 pull "127.0.0.1:$PROXY_PORT/t/bad:1"
	assert_output_contains "Error response from daemon: filesystem layer verification failed for digest $d"
	[[ "$output" != *"Pull complete"* ]]
	run_berth images -qa
	assert_equal "$output" ""
	[ ! -e "$BERTH_ROOT/blobs/sha256/${d:7}" ]
	[ -z "$(ls "$BERTH_ROOT/tmp")" ]
	assert_check_clean
	# a manifest whose bytes do not match the digest the registry announces is refused too
	kill "$PROXY_PID"; wait "$PROXY_PID" || true
	local md
	md=sha256:$(skopeo inspect --raw --tls-verify=false "docker://$R/t/bad:1" | sha256sum | cut -d' ' -f1)
	proxy_start "$BATS_TEST_TMPDIR/proxy2.log" --corrupt-manifest
	run_berth --exit 1 pull "127.0.0.1:$PROXY_PORT/t/bad:1"
	assert_equal "$output" "Error response from daemon: manifest verification failed for digest $md"
	run_berth --exit 1 pull "127.0.0.1:$PROXY_PORT/t/bad@$md"
	assert_equal "$output" "Error response from daemon: manifest verification failed for digest $md"
	run_berth images -qa
	assert_equal "$output" ""
	# through the honest registry the same pull works
	run_berth pull "$R/t/bad:1"
	[ -e "$BERTH_ROOT/blobs/sha256/${d:7}" ]
}

@test "auth: missing credentials and a wrong password give Docker's messages; login, push, pull over TLS; logout" {
	import_busybox "$A/t/secret:1"
	run_berth --exit 1 push "$A/t/secret:1"
	assert_output_contains "no basic auth credentials"
	run_berth --exit 1 pull "$A/t/secret:1"
	assert_equal "$output" "Error response from daemon: no basic auth credentials"
	run bash -c "echo wrong | '$BERTH' login -u tester --password-stdin $A"
	[ "$status" -eq 1 ]
	assert_equal "$output" "Error response from daemon: login attempt to https://$A/v2/ failed with status: 401 Unauthorized"
	[ ! -e "$XDG_CONFIG_HOME/berth/auth.json" ]
	run bash -c "echo s3cret | '$BERTH' login -u tester --password-stdin $A"
	[ "$status" -eq 0 ]
	assert_equal "$output" "Login Succeeded"
	[ "$(stat -c %a "$XDG_CONFIG_HOME/berth/auth.json")" = 600 ]
	[ "$(jq -r --arg h "$A" '.auths[$h].auth' "$XDG_CONFIG_HOME/berth/auth.json" | base64 -d)" = "tester:s3cret" ]
	run_berth push "$A/t/secret:1"
	assert_output_contains "1: digest: sha256:"
	other_root
	run_berth pull "$A/t/secret:1"
	assert_output_contains "Status: Downloaded newer image for $A/t/secret:1"
	# certificates: --tls-verify=true refuses the test CA's certificate unless --cert-dir has it
	run_berth rmi "$A/t/secret:1"
	run_berth --exit 1 pull --tls-verify=true "$A/t/secret:1"
	assert_equal "$output" "Error response from daemon: Get \"https://$A/v2/\": x509: certificate signed by unknown authority"
	mkdir -p "$BATS_TEST_TMPDIR/certs" && cp "$REG_CA" "$BATS_TEST_TMPDIR/certs/ca.crt"
	run_berth pull --tls-verify=true --cert-dir "$BATS_TEST_TMPDIR/certs" "$A/t/secret:1"
	assert_output_contains "Status: Downloaded newer image"
	# Docker's /etc/docker/certs.d/<host:port>/ is read without --cert-dir (a directory for
	# this test's random port only, removed again)
	run_berth rmi "$A/t/secret:1"
	if [ "$(id -u)" = 0 ]; then
		local made=""
		[ -d /etc/docker/certs.d ] || made=1
		mkdir -p "/etc/docker/certs.d/$A"
		cp "$REG_CA" "/etc/docker/certs.d/$A/ca.crt"
		run "$BERTH" pull --tls-verify=true "$A/t/secret:1"
		rm -rf "/etc/docker/certs.d/$A"
		[ -z "$made" ] || rmdir /etc/docker/certs.d
		[ "$status" -eq 0 ]
		assert_output_contains "Status: Downloaded newer image"
	fi
	# a wrong password in the auth file
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$A" "$(printf tester:nope | base64)" >"$XDG_CONFIG_HOME/berth/auth.json"
	run_berth rmi "$A/t/secret:1"
	run_berth --exit 1 pull "$A/t/secret:1"
	assert_equal "$output" "Error response from daemon: unauthorized: authentication required"
	run_berth --exit 1 push "$A/t/secret2:1"
	# Docker's ~/.docker/config.json is read too
	rm "$XDG_CONFIG_HOME/berth/auth.json"
	mkdir -p "$HOME/.docker"
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$A" "$(printf tester:s3cret | base64)" >"$HOME/.docker/config.json"
	run_berth pull "$A/t/secret:1"
	rm "$HOME/.docker/config.json"
	# logout
	run bash -c "echo s3cret | '$BERTH' login -u tester --password-stdin $A"
	run_berth logout "$A"
	assert_equal "$output" "Removing login credentials for $A"
	[ "$(jq -r --arg h "$A" '.auths[$h]' "$XDG_CONFIG_HOME/berth/auth.json")" = null ]
	run_berth logout "$A"
	assert_equal "$output" "Not logged in to $A"
}

@test "plain HTTP is refused with --tls-verify=true; allowed for 127.0.0.1 by default" {
	import_busybox "$R/t/plain:1"
	run_berth push "$R/t/plain:1"
	run_berth --exit 1 pull --tls-verify=true "$R/t/plain:1"
	assert_equal "$output" "Error response from daemon: Get \"https://$R/v2/\": http: server gave HTTP response to HTTPS client"
}

@test "registry_ensure_image (run / FROM): a missing image is pulled the way Docker does" {
	import_busybox "$R/t/ensure:1"
	run_berth push "$R/t/ensure:1"
	other_root
	run "$BERTH" debug ensure-image "$R/t/ensure:1"
	[ "$status" -eq 0 ]
	assert_equal "${lines[0]}" "Unable to find image '$R/t/ensure:1' locally"
	assert_output_contains "Status: Downloaded newer image for $R/t/ensure:1"
	assert_equal "${lines[-1]}" "$BUSYBOX_ID"
	run "$BERTH" debug ensure-image "$R/t/ensure:1"
	assert_equal "$output" "$BUSYBOX_ID"
	run "$BERTH" debug ensure-image "$R/t/absent"
	[ "$status" -ne 0 ]
	assert_output_contains "Unable to find image '$R/t/absent:latest' locally"
	assert_output_contains "manifest unknown"
}

@test "run: a missing image is pulled first, as docker run does" {
	import_busybox "$R/t/runpull:1"
	run_berth push "$R/t/runpull:1"
	other_root
	run "$BERTH" run --rm --network none "$R/t/runpull:1" echo ran-after-pull
	[ "$status" -eq 0 ]
	assert_equal "${lines[0]}" "Unable to find image '$R/t/runpull:1' locally"
	assert_equal "${lines[-1]}" "ran-after-pull"
	run "$BERTH" run --rm --network none "$R/t/runpull:1" echo again
	assert_equal "$output" "again"
	run "$BERTH" run --rm --network none "$R/t/nothere:1" true
	[ "$status" -eq 125 ]
	assert_output_contains "Unable to find image '$R/t/nothere:1' locally"
	assert_output_contains "manifest unknown"
}

@test "auth: Bearer tokens following the WWW-Authenticate challenge (token server on loopback)" {
	proxy_start "$BATS_TEST_TMPDIR/proxy.log" --bearer tester:tokpass
	local P=127.0.0.1:$PROXY_PORT
	import_busybox "$P/t/bearer:1"
	run_berth --exit 1 push "$P/t/bearer:1"
	assert_output_contains "unauthorized: authentication required"
	run bash -c "echo wrong | '$BERTH' login -u tester --password-stdin $P"
	[ "$status" -eq 1 ]
	assert_equal "$output" "Error response from daemon: Get \"http://$P/v2/\": unauthorized: incorrect username or password"
	run bash -c "echo tokpass | '$BERTH' login -u tester --password-stdin $P"
	assert_equal "$output" "Login Succeeded"
	run_berth push "$P/t/bearer:1"
	assert_output_contains "1: digest: sha256:"
	grep -q 'GET /token?service=faultproxy&scope=repository%3At%2Fbearer%3Apull%2Cpush' "$BATS_TEST_TMPDIR/proxy.log"
	other_root
	run_berth pull "$P/t/bearer:1"
	assert_output_contains "Status: Downloaded newer image for $P/t/bearer:1"
	grep -q 'GET /token?service=faultproxy&scope=repository%3At%2Fbearer%3Apull ' "$BATS_TEST_TMPDIR/proxy.log"
	run_berth logout "$P"
	run_berth rmi "$P/t/bearer:1"
	run_berth --exit 1 pull "$P/t/bearer:1"
	assert_equal "$output" "Error response from daemon: unauthorized: authentication required"
}

@test "auth: a Bearer token that expires in the middle of a pull is renewed" {
	mk_oci_layout "$BATS_TEST_TMPDIR/many" 0.1 0.1 0.1 0.1 0.1 0.1 >/dev/null
	skopeo copy -q --dest-tls-verify=false "oci:$BATS_TEST_TMPDIR/many:latest" "docker://$R/t/many:1"
	proxy_start "$BATS_TEST_TMPDIR/proxy.log" --bearer tester:tokpass --token-uses 3
	local P=127.0.0.1:$PROXY_PORT
	run bash -c "echo tokpass | '$BERTH' login -u tester --password-stdin $P"
	other_root
	run_berth pull "$P/t/many:1"
	assert_output_contains "Status: Downloaded newer image for $P/t/many:1"
	[ "$(grep -c '^expired ' "$BATS_TEST_TMPDIR/proxy.log")" -ge 1 ]
	[ "$(grep -c 'GET /token' "$BATS_TEST_TMPDIR/proxy.log")" -ge 3 ]
	run_berth inspect -f '{{len .RootFS.Layers}}' "$P/t/many:1"
	assert_equal "$output" 6
	assert_check_clean
}

@test "pull: two pulls of the same image at once both succeed and share the blobs" {
	mk_oci_layout "$BATS_TEST_TMPDIR/conc" 2 2 2 >/dev/null
	skopeo copy -q --dest-tls-verify=false "oci:$BATS_TEST_TMPDIR/conc:latest" "docker://$R/t/conc:1"
	other_root
	"$BERTH" pull -q "$R/t/conc:1" >"$BATS_TEST_TMPDIR/a.out" 2>&1 &
	local a=$!
	"$BERTH" pull -q "$R/t/conc:1" >"$BATS_TEST_TMPDIR/b.out" 2>&1 &
	local b=$!
	wait "$a" || { cat "$BATS_TEST_TMPDIR/a.out"; false; }
	wait "$b" || { cat "$BATS_TEST_TMPDIR/b.out"; false; }
	assert_equal "$(cat "$BATS_TEST_TMPDIR/a.out")" "$R/t/conc:1"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/b.out")" "$R/t/conc:1"
	[ "$(ls "$BERTH_ROOT/layers" | wc -l)" -eq 3 ]
	[ -z "$(ls "$BERTH_ROOT/tmp")" ]
	assert_check_clean
}

@test "pull/push/login usage errors are Docker's" {
	run_berth --exit 1 pull
	assert_equal "${lines[0]}" "\"berth pull\" requires exactly 1 argument."
	run_berth --exit 1 image push a b
	assert_equal "${lines[0]}" "\"berth image push\" requires exactly 1 argument."
	run_berth pull --help
	assert_output_contains "Usage:  berth pull [OPTIONS] NAME[:TAG|@DIGEST]"
	run_berth --exit 1 pull -a "$R/t/x:tag"
	assert_equal "$output" "tag can't be used with --all-tags/-a"
	run bash -c "'$BERTH' login -u x $R </dev/null"
	[ "$status" -eq 1 ]
	assert_equal "$output" "Error: Cannot perform an interactive login from a non TTY device"
	run bash -c "echo pw | '$BERTH' login --password-stdin $R"
	assert_equal "$output" "Error: Must provide --username with --password-stdin"
}
