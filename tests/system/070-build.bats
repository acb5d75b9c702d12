#!/usr/bin/env bats
# 070-build: berth build: multi-stage builds, --target, build args, the step cache (CACHED, why a
# step missed, --no-cache), failing RUN and missing COPY sources, -q/--iidfile/-t.
load ../lib/build

setup_file() { build_setup_file; }
setup() { berth_setup_root; }

@test "a multi-stage build runs RUN, copies between stages and commits config and history" {
	ctx=$(build_ctx multi)
	echo 'hello from the context' > "$ctx/msg.txt"
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox AS build
RUN echo built > /out.txt && hostname > /host.txt
COPY msg.txt /msg.txt
FROM busybox
ENV GREETING=hi
WORKDIR /app
COPY --from=build /out.txt /host.txt /msg.txt ./
CMD ["cat", "/app/out.txt"]
D
	run_berth build -t app:1 -t app:2 "$ctx"
	assert_line_matches '^#[0-9]+ \[build 2/3\] RUN echo built'
	assert_line_matches '^#[0-9]+ \[stage-1 3/3\] COPY --from=build'
	assert_line_matches '^#[0-9]+ naming to docker.io/library/app:2 done'
	run_berth run --rm app:1
	assert_equal "$output" "built"
	run_berth run --rm app:2 cat /app/host.txt /app/msg.txt
	assert_equal "$output" "buildkitsandbox
hello from the context"
	run_berth image inspect --format '{{json .Config.Env}} {{.Config.WorkingDir}} {{json .Config.Cmd}}' app:1
	assert_equal "$output" '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","GREETING=hi"] /app ["cat","/app/out.txt"]'
	run_berth history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' app:1
	assert_equal "${lines[0]}" 'CMD ["cat" "/app/out.txt"]|buildkit.dockerfile.v0'
	assert_equal "${lines[1]}" 'COPY /out.txt /host.txt /msg.txt ./ # buildkit|buildkit.dockerfile.v0'
	assert_equal "${lines[2]}" 'WORKDIR /app|buildkit.dockerfile.v0'
	assert_equal "${lines[3]}" 'ENV GREETING=hi|buildkit.dockerfile.v0'
	# the image has busybox's layer + WORKDIR + COPY
	run_berth image inspect --format '{{len .RootFS.Layers}}' app:1
	assert_equal "$output" 3
}

@test "--target builds only the stages the target needs" {
	ctx=$(build_ctx target)
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox AS broken
RUN exit 7
FROM busybox AS dev
RUN echo dev > /stage.txt
FROM busybox AS prod
RUN echo prod > /stage.txt
D
	run_berth build --target dev -t t:dev "$ctx"
	[[ "$output" != *"RUN exit 7"* ]]
	[[ "$output" != *"echo prod"* ]]
	run_berth run --rm t:dev cat /stage.txt
	assert_equal "$output" dev
	run_berth --exit 1 build --target nosuch "$ctx"
	assert_output_contains 'target stage nosuch could not be found'
}

@test "build args reach RUN but are not persisted in the image's Env" {
	ctx=$(build_ctx args)
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox
ARG V=default
RUN echo "$V" > /v.txt
D
	run_berth build -t a:1 "$ctx"
	run_berth build --build-arg V=given -t a:2 "$ctx"
	assert_output_contains 'cache miss: RUN echo "$V" > /v.txt: --build-arg V changed'
	run_berth run --rm a:1 cat /v.txt
	assert_equal "$output" default
	run_berth run --rm a:2 cat /v.txt
	assert_equal "$output" given
	run_berth image inspect --format '{{json .Config.Env}}' a:2
	assert_equal "$output" '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]'
	run_berth history --no-trunc --format '{{.CreatedBy}}' a:2
	assert_equal "${lines[0]}" 'RUN |1 V=given /bin/sh -c echo "$V" > /v.txt # buildkit'
}

@test "the cache: CACHED on a rebuild, a source change rebuilds only from the COPY and says why" {
	ctx=$(build_ctx cache)
	mkdir "$ctx/src"
	echo 'print(1)' > "$ctx/src/main.py"
	echo 'util' > "$ctx/src/util.py"
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox
RUN echo deps > /deps.txt
COPY src/ /app/
RUN cat /app/main.py > /app/built.txt
D
	run_berth build -q "$ctx"
	id1=$output
	[[ "$id1" =~ ^sha256:[0-9a-f]{64}$ ]]
	run_berth build --progress=plain "$ctx"
	[ "$(grep -c '^#[0-9]* CACHED$' <<<"$output")" -eq 4 ] # FROM + 3 steps
	run_berth build -q "$ctx"
	assert_equal "$output" "$id1"
	# the cache does not depend on where the context lives
	cp -a "$ctx" "$BATS_TEST_TMPDIR/elsewhere"
	run_berth build -q "$BATS_TEST_TMPDIR/elsewhere"
	assert_equal "$output" "$id1"
	echo 'print(2)' > "$ctx/src/main.py"
	run_berth build --progress=plain -t c:2 "$ctx"
	assert_line_matches '^#[0-9]+ \[2/4\] RUN echo deps'
	assert_output_contains 'cache miss: COPY src/ /app/: src/main.py changed'
	assert_output_contains 'cache miss: RUN cat /app/main.py > /app/built.txt: a previous step changed'
	[ "$(grep -c '^#[0-9]* CACHED$' <<<"$output")" -eq 2 ] # FROM + RUN echo deps
	run_berth run --rm c:2 cat /app/built.txt
	assert_equal "$output" 'print(2)'
	run_berth build --no-cache --progress=plain "$ctx"
	[ "$(grep -c '^#[0-9]* CACHED$' <<<"$output")" -eq 1 ] # FROM only
	assert_output_contains 'cache miss: RUN echo deps > /deps.txt: --no-cache'
}

@test "a failing RUN prints its output and exit code, and the build exits 1" {
	ctx=$(build_ctx fail)
	printf 'FROM busybox\nRUN echo before; exit 3\n' > "$ctx/Dockerfile"
	run_berth --exit 1 build -t failed:1 "$ctx"
	assert_line_matches '^#[0-9]+ [0-9.]+ before$'
	assert_output_contains ' > [2/2] RUN echo before; exit 3:'
	assert_equal "${lines[-1]}" 'executor failed running [/bin/sh -c echo before; exit 3]: exit code: 3'
	run_berth --exit 1 image inspect failed:1
}

@test "a COPY of a missing file names it" {
	ctx=$(build_ctx missing)
	printf 'FROM busybox\nCOPY does-not-exist.txt /\n' > "$ctx/Dockerfile"
	run_berth --exit 1 build "$ctx"
	assert_line_matches '^#[0-9]+ ERROR: "/does-not-exist.txt" not found: not found$'
	assert_equal "${lines[-1]}" 'failed to compute cache key: "/does-not-exist.txt" not found: not found'
}

@test "--iidfile writes the image ID; COPY --chown and ADD of a tar archive" {
	ctx=$(build_ctx iid)
	mkdir "$ctx/t"
	echo a > "$ctx/t/a.txt"
	tar -C "$ctx/t" -czf "$ctx/arch.tar.gz" a.txt
	echo f > "$ctx/f.txt"
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox
COPY --chown=user:users f.txt /owned.txt
ADD arch.tar.gz /x/
D
	run_berth build --iidfile "$BATS_TEST_TMPDIR/iid.txt" -t iid "$ctx"
	run_berth image inspect --format '{{.Id}}' iid
	assert_equal "$output" "$(cat "$BATS_TEST_TMPDIR/iid.txt")"
	run_berth run --rm iid sh -c 'stat -c "%u:%g" /owned.txt; cat /x/a.txt'
	assert_equal "$output" "1000:100
a"
}

@test "a context tarball or a bare Dockerfile on stdin" {
	ctx=$(build_ctx stdin)
	echo 'from the tarball' > "$ctx/f.txt"
	printf 'FROM busybox\nCOPY f.txt /f.txt\n' > "$ctx/Dockerfile"
	tar -C "$ctx" -czf "$BATS_TEST_TMPDIR/ctx.tar.gz" .
	run bash -c "'$BERTH' build -q -t fromtar - < '$BATS_TEST_TMPDIR/ctx.tar.gz'"
	[ "$status" -eq 0 ]
	run_berth run --rm fromtar cat /f.txt
	assert_equal "$output" "from the tarball"
	run bash -c "printf 'FROM busybox\nRUN echo bare > /b.txt\n' | '$BERTH' build -q -t bare -"
	[ "$status" -eq 0 ]
	run_berth run --rm bare cat /b.txt
	assert_equal "$output" bare
}

@test "an interrupted build stops its RUN, exits 130 and leaves no container behind" {
	ctx=$(build_ctx intr)
	printf 'FROM busybox\nRUN echo started; sleep 60\n' > "$ctx/Dockerfile"
	"$BERTH" build --no-cache "$ctx" > "$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do grep -q started "$BATS_TEST_TMPDIR/out" && break; sleep 0.1; done
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ]
	[ -z "$(ls -A "$BERTH_ROOT/containers" 2>/dev/null)" ]
	run_berth ps -aq
	assert_equal "$output" ""
}

@test "COPY heredocs write files; a heredoc that would expand variables is refused" {
	ctx=$(build_ctx heredoc)
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox
COPY <<EOF /etc/conf.txt
hello
EOF
COPY --chmod=755 <<A <<"B" /dir/
a
A
b $X
B
D
	run_berth build -t hd "$ctx"
	run_berth run --rm hd sh -c 'cat /etc/conf.txt /dir/A /dir/B; stat -c %a /dir/B'
	assert_equal "$output" 'hello
a
b $X
755'
	printf 'FROM busybox\nCOPY <<EOF /x\n$HOME\nEOF\n' > "$ctx/Dockerfile"
	run_berth --exit 1 build "$ctx"
	assert_output_contains 'heredocs with variables are not supported'
}

@test "a changed base image and --no-cache-filter STAGE are named as reasons" {
	ctx=$(build_ctx base)
	printf 'FROM base:1 AS one\nRUN echo x > /x\nFROM busybox\nCOPY --from=one /x /x\nRUN echo y > /y\n' > "$ctx/Dockerfile"
	run_berth tag busybox:latest base:1
	run_berth build -q "$ctx"
	run_berth build --no-cache-filter one "$ctx"
	assert_output_contains 'cache miss: RUN echo x > /x: --no-cache-filter'
	run_berth tag python:3.11-slim base:1
	run_berth build "$ctx"
	assert_output_contains 'cache miss: RUN echo x > /x: base image changed'
}

@test "builder prune empties the cache; system prune includes it" {
	ctx=$(build_ctx prune)
	printf 'FROM busybox\nRUN --mount=type=cache,target=/c echo x > /c/x; cat /c/x > /x\n' > "$ctx/Dockerfile"
	run_berth build -q "$ctx"
	run_berth build "$ctx"
	assert_line_matches '^#[0-9]+ CACHED$'
	[ -n "$(ls -A "$BERTH_ROOT/cache/mounts")" ]
	run bash -c "echo n | '$BERTH' builder prune"
	assert_output_contains "WARNING! This will remove all dangling build cache."
	run_berth build "$ctx"
	assert_line_matches 'CACHED' # nothing was pruned without a yes
	run_berth builder prune -a -f
	assert_output_contains "Deleted build cache objects:"
	assert_output_contains "Total reclaimed space:"
	[ ! -e "$BERTH_ROOT/cache/mounts" ]
	run_berth build "$ctx"
	assert_output_contains "cache miss: RUN --mount=type=cache,target=/c echo x > /c/x; cat /c/x > /x: not built before"
	run bash -c "echo n | '$BERTH' system prune"
	assert_output_contains "  - all dangling build cache"
}
