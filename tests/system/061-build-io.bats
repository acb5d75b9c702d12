#!/usr/bin/env bats
# 061-build-io: the builder's inputs and outputs: --secret and RUN --mount=type=secret,
# -o/--output (local, tar, oci), --cache-to/--cache-from type=local (layers and cache mounts
# into a fresh store), ADD http(s) URLs with --checksum, COPY --parents.
load ../lib/build-io

setup_file() {
	build_setup_file
	mkdir -p "$BATS_FILE_TMPDIR/www"
	echo "remote content" > "$BATS_FILE_TMPDIR/www/f.txt"
	touch -d '2020-01-02 03:04:05 UTC' "$BATS_FILE_TMPDIR/www/f.txt"
	( cd "$BATS_FILE_TMPDIR/www" && tar -czf arc.tgz f.txt )
	http_serve "$BATS_FILE_TMPDIR/www"
	export HTTP_PORT HTTP_PID
}
teardown_file() { http_stop; }
setup() { berth_setup_root; }

@test "a --secret file is readable in RUN at /run/secrets/ID and is in no layer and no history" {
	ctx=$(build_ctx secret)
	printf 's3cr3t-value\n' > "$BATS_TEST_TMPDIR/secret.txt"
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox
RUN --mount=type=secret,id=tok cat /run/secrets/tok > /proof.txt; ls -ln /run/secrets/tok | cut -c1-10 > /mode.txt
RUN --mount=type=secret,id=tok,target=/etc/app/key,mode=0440,uid=7 stat -c '%a %u' /etc/app/key > /key.txt
D
	run_berth build --secret id=tok,src="$BATS_TEST_TMPDIR/secret.txt" -t sec:1 "$ctx"
	run_berth run --rm sec:1 cat /proof.txt /mode.txt /key.txt
	# the RUN saw it (and wrote it out on purpose, to prove it); default mode 0400, root
	assert_equal "$output" "s3cr3t-value
-r--------
440 7"
	# the mount targets themselves are not in any layer (20.10 keeps the created parents)
	run layer_files sec:1
	[[ "$output" != *"run/secrets/tok"* ]]
	[[ "$output" != *"etc/app/key"* ]]
	assert_output_contains "etc/app/"
	run_berth history --no-trunc --format '{{.CreatedBy}}' sec:1
	[[ "$output" != *"s3cr3t"* ]]
	assert_output_contains 'RUN /bin/sh -c cat /run/secrets/tok > /proof.txt'
	# nothing in the store holds the value except the layer that was asked to keep it
	run_berth run --rm sec:1 sh -c 'ls /run/secrets'
	assert_equal "$output" ""
}

@test "secrets from env=, id alone, env= targets; a changed secret does not bust the cache" {
	ctx=$(build_ctx secret-env)
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox
RUN --mount=type=secret,id=a,env=A_TOKEN --mount=type=secret,id=MYSEC echo "A=$A_TOKEN B=$(cat /run/secrets/MYSEC)"
D
	A_VAL=alpha MYSEC=beta run_berth build --progress=plain --secret id=a,env=A_VAL --secret id=MYSEC -t sec:2 "$ctx"
	assert_output_contains "A=alpha B=beta"
	# the env= value is not in the image config
	run_berth image inspect --format '{{json .Config.Env}}' sec:2
	[[ "$output" != *alpha* ]]
	# same Dockerfile, other secret values: the step is cached (secrets are not in the key)
	A_VAL=other MYSEC=changed run_berth build --progress=plain --secret id=a,env=A_VAL --secret id=MYSEC "$ctx"
	assert_line_matches '^#[0-9]+ CACHED'
	[[ "$output" != *"A=other"* ]]
	# id alone that is not an env var is a file
	printf 'fromfile' > "$BATS_TEST_TMPDIR/MYSEC"
	cd "$BATS_TEST_TMPDIR"
	A_VAL=x run_berth build --no-cache --secret id=a,env=A_VAL --secret id=MYSEC "$ctx"
	assert_output_contains "B=fromfile"
}

@test "a missing required secret fails; a missing optional one is simply not mounted" {
	ctx=$(build_ctx secret-missing)
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox
RUN --mount=type=secret,id=nope,required=true cat /run/secrets/nope
D
	run_berth --exit 1 build "$ctx"
	assert_output_contains "secret nope not found: not found"
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox
RUN --mount=type=secret,id=nope if [ -e /run/secrets/nope ]; then echo there; else echo absent; fi
D
	run_berth build --progress=plain "$ctx"
	assert_output_contains "absent"
	run_berth --exit 1 build --secret id=x,bogus=1 "$ctx"
	assert_output_contains "unexpected key 'bogus'"
}

@test "-o type=local and -o DIR export the final stage's files, not an image" {
	ctx=$(build_ctx out-local)
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox AS build
RUN mkdir -p /out/sub && echo hi > /out/a.txt && echo deep > /out/sub/b.txt && ln -s a.txt /out/link && chmod 0750 /out/sub
FROM scratch
COPY --from=build /out /
D
	run_berth build -o type=local,dest="$BATS_TEST_TMPDIR/o1" -t notstored:1 "$ctx"
	assert_line_matches '^#[0-9]+ exporting to client directory'
	assert_equal "$(cat "$BATS_TEST_TMPDIR/o1/a.txt" "$BATS_TEST_TMPDIR/o1/sub/b.txt")" "hi
deep"
	assert_equal "$(readlink "$BATS_TEST_TMPDIR/o1/link")" "a.txt"
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/o1/sub")" "750"
	# no image was stored or tagged
	run_berth images --format '{{.Repository}}'
	[[ "$output" != *notstored* ]]
	run_berth build -q -o "$BATS_TEST_TMPDIR/o2" "$ctx"
	[ -f "$BATS_TEST_TMPDIR/o2/sub/b.txt" ]
}

@test "-o type=tar,dest=FILE and -o - write the filesystem as a tar" {
	ctx=$(build_ctx out-tar)
	cat > "$ctx/Dockerfile" <<'D'
FROM scratch
COPY <<HELLO /hello.txt
hello
HELLO
D
	run_berth build -o type=tar,dest="$BATS_TEST_TMPDIR/fs.tar" "$ctx"
	run tar -tf "$BATS_TEST_TMPDIR/fs.tar"
	assert_equal "$output" "hello.txt"
	"$BERTH" build -q -o - "$ctx" > "$BATS_TEST_TMPDIR/fs2.tar"
	assert_equal "$(tar -xOf "$BATS_TEST_TMPDIR/fs2.tar" hello.txt)" "hello"
	# hard links stay links, names are sorted, and the same result gives the same bytes
	printf 'FROM busybox
RUN mkdir /out && echo hi > /out/b && ln /out/b /out/a && ln -s b /out/l
' > "$ctx/Dockerfile"
	"$BERTH" build -q -o - "$ctx" > "$BATS_TEST_TMPDIR/fs3.tar"
	run tar -tvf "$BATS_TEST_TMPDIR/fs3.tar" out/
	[[ "${lines[1]}" == *" out/a" ]]
	[[ "${lines[2]}" == *"out/b link to out/a" ]]
	[[ "${lines[3]}" == *"out/l -> b" ]]
	"$BERTH" build -q -o - "$ctx" > "$BATS_TEST_TMPDIR/fs4.tar"
	cmp "$BATS_TEST_TMPDIR/fs3.tar" "$BATS_TEST_TMPDIR/fs4.tar"
}

@test "-o type=oci,dest=FILE writes an OCI archive that berth load reads back" {
	ctx=$(build_ctx out-oci)
	printf 'FROM busybox\nRUN echo oci > /oci.txt\n' > "$ctx/Dockerfile"
	run_berth build -o type=oci,dest="$BATS_TEST_TMPDIR/img.oci.tar" -t ocitest:1 "$ctx"
	run tar -tf "$BATS_TEST_TMPDIR/img.oci.tar"
	assert_output_contains "index.json"
	assert_output_contains "oci-layout"
	run_berth rmi ocitest:1
	run_berth load -i "$BATS_TEST_TMPDIR/img.oci.tar"
	run_berth run --rm ocitest:1 cat /oci.txt
	assert_equal "$output" "oci"
	run_berth --exit 1 build -o type=registry,name=x "$ctx"
	assert_output_contains "output type registry is not supported"
}

@test "--cache-to/--cache-from type=local carry the step cache and cache mounts to a fresh store" {
	ctx=$(build_ctx cacheio)
	echo v1 > "$ctx/app.txt"
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox
COPY app.txt /app.txt
RUN --mount=type=cache,target=/var/cache/app echo warm > /var/cache/app/w.txt && cat /app.txt > /built
ARG LATE=1
RUN --mount=type=cache,target=/var/cache/app cat /var/cache/app/w.txt > /seen && echo late=$LATE
D
	run_berth build --cache-to type=local,dest="$BATS_TEST_TMPDIR/cache",mode=max -q "$ctx"
	idA=$output
	[ -f "$BATS_TEST_TMPDIR/cache/index.json" ]
	[ -f "$BATS_TEST_TMPDIR/cache/oci-layout" ]
	# the same base image in another, empty store (another machine)
	run_berth save busybox -o "$BATS_TEST_TMPDIR/bb.tar"
	export BERTH_ROOT="$BATS_TEST_TMPDIR/rootB" BERTH_RUNROOT="$BATS_TEST_TMPDIR/runB"
	mkdir -p "$BERTH_ROOT" "$BERTH_RUNROOT"
	run_berth load -i "$BATS_TEST_TMPDIR/bb.tar"
	run_berth build --progress=plain --cache-from type=local,src="$BATS_TEST_TMPDIR/cache" "$ctx"
	assert_output_contains "importing cache manifest from local:$BATS_TEST_TMPDIR/cache"
	assert_line_matches '^#[0-9]+ \[2/4\] COPY app.txt'
	[ "$(grep -c '^#[0-9]* CACHED' <<<"$output")" -eq 4 ]   # FROM + 3 steps
	[[ "$output" != *"cache miss"* ]]
	# a fully cached build gives the same image ID as on the first machine
	run_berth build -q "$ctx"
	assert_equal "$output" "$idA"
	# the cache mount came along: a step that misses sees the file written on machine A
	run_berth build --progress=plain --build-arg LATE=2 -t cacheio:b "$ctx"
	assert_output_contains "late=2"
	run_berth run --rm cacheio:b cat /seen
	assert_equal "$output" "warm"
}

@test "--cache-to mode=min exports only the target's stages; bad cache options are refused" {
	ctx=$(build_ctx cachemin)
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox AS side
RUN echo side > /side
FROM busybox
RUN echo main > /main
COPY --from=side /side /side
D
	run_berth build --cache-to type=local,dest="$BATS_TEST_TMPDIR/min" "$ctx"
	assert_output_contains "writing layers and 2 cache records"
	run_berth build --cache-to type=local,dest="$BATS_TEST_TMPDIR/max",mode=max "$ctx"
	assert_output_contains "writing layers and 3 cache records"
	run_berth --exit 1 build --cache-to type=registry,ref=x/y "$ctx"
	assert_output_contains "only type=local"
	run_berth --exit 1 build --cache-from type=local "$ctx"
	assert_output_contains "src= is required"
}

@test "ADD URL downloads as BuildKit: name from the URL, mode 0600, Last-Modified mtime, no extraction" {
	ctx=$(build_ctx addurl)
	base="http://127.0.0.1:$HTTP_PORT"
	printf 'FROM busybox\nADD %s/f.txt /d/\nADD %s/arc.tgz /arc/\nADD --chmod=644 %s/f.txt /renamed\n' \
		"$base" "$base" "$base" > "$ctx/Dockerfile"
	run_berth build -t addurl:1 "$ctx"
	run_berth run --rm addurl:1 sh -c 'stat -c "%a %Y %n" /d/f.txt /arc/arc.tgz /renamed; cat /d/f.txt'
	assert_equal "${lines[0]}" "600 1577934245 /d/f.txt"
	[[ "${lines[1]}" == "600 "*" /arc/arc.tgz" ]]
	assert_equal "${lines[2]}" "644 1577934245 /renamed"
	assert_equal "${lines[3]}" "remote content"
	# unchanged content: cached; changed content: the step runs again
	run_berth build --progress=plain "$ctx"
	[[ "$output" != *"cache miss"* ]]
	echo "new content" > "$BATS_FILE_TMPDIR/www/f.txt"
	touch -d '2020-01-02 03:04:05 UTC' "$BATS_FILE_TMPDIR/www/f.txt"
	run_berth build --progress=plain -t addurl:2 "$ctx"
	assert_output_contains "cache miss: ADD $base/f.txt /d/"
	run_berth run --rm addurl:2 cat /d/f.txt
	assert_equal "$output" "new content"
	echo "remote content" > "$BATS_FILE_TMPDIR/www/f.txt"
	touch -d '2020-01-02 03:04:05 UTC' "$BATS_FILE_TMPDIR/www/f.txt"
}

@test "ADD --checksum verifies the download; errors name both digests; 404, git and COPY URL fail" {
	ctx=$(build_ctx addsum)
	base="http://127.0.0.1:$HTTP_PORT"
	sum=$(sha256sum "$BATS_FILE_TMPDIR/www/f.txt" | cut -d' ' -f1)
	printf 'FROM busybox\nADD --checksum=sha256:%s %s/f.txt /f\n' "$sum" "$base" > "$ctx/Dockerfile"
	run_berth build -t addsum:1 "$ctx"
	run_berth run --rm addsum:1 cat /f
	assert_equal "$output" "remote content"
	bad=0000000000000000000000000000000000000000000000000000000000000000
	printf 'FROM busybox\nADD --checksum=sha256:%s %s/f.txt /f\n' "$bad" "$base" > "$ctx/Dockerfile"
	run_berth --exit 1 build "$ctx"
	assert_output_contains "digest mismatch sha256:$sum: sha256:$bad"
	printf 'FROM busybox\nADD %s/missing.txt /f\n' "$base" > "$ctx/Dockerfile"
	run_berth --exit 1 build "$ctx"
	assert_output_contains "invalid response status 404"
	printf 'FROM busybox\nADD git@example.invalid:a/b.git /src\n' > "$ctx/Dockerfile"
	run_berth --exit 1 build "$ctx"
	assert_output_contains "ADD of a git repository"
	assert_output_contains "not supported"
	printf 'FROM busybox\nCOPY %s/f.txt /f\n' "$base" > "$ctx/Dockerfile"
	run_berth --exit 1 build "$ctx"
	assert_output_contains "source can't be a URL for COPY"
	printf 'FROM busybox\nADD --checksum=sha256:%s Dockerfile /f\n' "$sum" > "$ctx/Dockerfile"
	run_berth --exit 1 build "$ctx"
	assert_output_contains "checksum can't be specified for non-HTTP(S) sources"
}

@test "ADD URL goes through http_proxy unless no_proxy names the host; --checksum hits need no request" {
	ctx=$(build_ctx addproxy)
	# python's http.server serves a proxy request "GET http://HOST/f.txt" from its directory
	# "http:/HOST/": the name below resolves nowhere, so the file can only come via the proxy
	mkdir -p "$BATS_FILE_TMPDIR/www/http:/berth-proxy-test.invalid"
	cp "$BATS_FILE_TMPDIR/www/f.txt" "$BATS_FILE_TMPDIR/www/http:/berth-proxy-test.invalid/f.txt"
	printf 'FROM busybox\nADD http://berth-proxy-test.invalid/f.txt /f\n' > "$ctx/Dockerfile"
	http_proxy=http://127.0.0.1:$HTTP_PORT no_proxy= NO_PROXY= run_berth build -t addproxy:1 "$ctx"
	run_berth run --rm addproxy:1 cat /f
	assert_equal "$output" "remote content"
	grep -q 'GET http://berth-proxy-test.invalid/f.txt' "$BATS_FILE_TMPDIR/http.log"
	# with --checksum the cache key needs no download: a cached rebuild makes no request
	sum=$(sha256sum "$BATS_FILE_TMPDIR/www/f.txt" | cut -d' ' -f1)
	printf 'FROM busybox\nADD --checksum=sha256:%s http://127.0.0.1:%s/f.txt /f\n' "$sum" "$HTTP_PORT" > "$ctx/Dockerfile"
	run_berth build "$ctx"
	before=$(grep -c 'GET /f.txt' "$BATS_FILE_TMPDIR/http.log")
	run_berth build --progress=plain "$ctx"
	assert_line_matches '^#[0-9]+ CACHED'
	[[ "$output" != *"cache miss"* ]]
	assert_equal "$(grep -c 'GET /f.txt' "$BATS_FILE_TMPDIR/http.log")" "$before"
}

@test "COPY --parents keeps parent directories, with ./ pivots, ** and --from" {
	ctx=$(build_ctx parents)
	mkdir -p "$ctx/x" "$ctx/y" "$ctx/src/x/y"
	echo xa > "$ctx/x/a.txt"; echo ya > "$ctx/y/a.txt"
	echo 1 > "$ctx/src/a.txt"; echo 2 > "$ctx/src/x/b.txt"; echo 3 > "$ctx/src/x/y/c.txt"; echo no > "$ctx/src/x/y/c.md"
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox AS b
RUN mkdir -p /app/dist/js && echo j > /app/dist/js/m.js && echo k > /app/dist/k.css
FROM busybox
COPY ./x/a.txt ./y/a.txt /no_parents/
COPY --parents ./x/a.txt ./y/a.txt /parents/
COPY --parents ./src/**/*.txt /p2/
COPY --parents ./src/./x/y/*.txt /p3/
COPY --from=b --parents /app/./dist/**/*.js /p4/
D
	run_berth build -t parents:1 "$ctx"
	run_berth run --rm parents:1 sh -c 'find /no_parents /parents /p2 /p3 /p4 -type f | sort'
	assert_equal "$output" "/no_parents/a.txt
/p2/src/a.txt
/p2/src/x/b.txt
/p2/src/x/y/c.txt
/p3/x/y/c.txt
/p4/dist/js/m.js
/parents/x/a.txt
/parents/y/a.txt"
	# a new file matching a --parents glob is a cache miss that names it
	echo 4 > "$ctx/src/x/new.txt"
	run_berth build --progress=plain "$ctx"
	assert_output_contains "cache miss: COPY --parents ./src/**/*.txt /p2/: src/x/new.txt added"
}

@test "COPY --exclude leaves out what the patterns match, from the context and --from" {
	ctx=$(build_ctx exclude)
	mkdir -p "$ctx/app"
	echo a > "$ctx/app/keep.py"; echo b > "$ctx/app/drop.txt"; echo c > "$ctx/app/notes.md"
	printf 'FROM busybox\nCOPY --exclude=*.txt --exclude=*.md app/ /app/\n' > "$ctx/Dockerfile"
	run_berth build -t excl:1 "$ctx"
	run_berth run --rm excl:1 ls /app
	assert_equal "$output" "keep.py"
	# COPY --from too; patterns are relative to the copied directory ("*.txt": its top level)
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox AS b
RUN mkdir -p /app/sub/deep && touch /app/a.py /app/b.txt /app/sub/c.txt /app/sub/d.py /app/sub/deep/e.txt
FROM busybox
COPY --from=b --exclude=*.txt --exclude=sub/deep /app /app
COPY --from=b --exclude=**/*.txt /app /all
D
	run_berth build -t excl:2 "$ctx"
	run_berth run --rm excl:2 sh -c 'cd /app && find . -type f | sort; cd /all && find . -type f | sort'
	assert_equal "$output" "./a.py
./sub/c.txt
./sub/d.py
./a.py
./sub/d.py"
}
