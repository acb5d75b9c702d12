#!/usr/bin/env bats
# 012-dockerfile-plan: the build planner (`berth debug plan`) against the differential
# corpus (tests/corpus/cases, produced by Docker 20.10 + BuildKit): every case's image
# config and history created_by/empty_layer list; front-end errors; scoping details.
load ../lib/helpers
load ../lib/dockerfile-plan

setup() { berth_setup_root; }

@test "every corpus case plans as Docker 20.10 + BuildKit built it" {
	local failed=() n=0 name
	for d in "$CORPUS_DIR"/*/; do
		name=$(basename "$d")
		n=$((n + 1))
		if ! plan_check "$name" >"$BATS_TEST_TMPDIR/$name.out" 2>&1; then
			failed+=("$name")
			cat "$BATS_TEST_TMPDIR/$name.out"
		fi
	done
	echo "corpus: $((n - ${#failed[@]})) of $n cases match (runtime failures left to the builder: $PLAN_RUNTIME_FAILURES); failing: ${failed[*]:-none}" >&3
	[ "$n" -ge 58 ]
	[ "${#failed[@]}" -eq 0 ]
}

@test "unknown target lists the stages" {
	run_berth --exit 1 debug plan --image busybox --target nope "$CORPUS_DIR/err-unknown-target"
	assert_output_contains 'target stage "nope" could not be found; the stages are: one, two'
}

@test "stages a target needs, in waves for parallel builds" {
	mkdir -p "$BATS_TEST_TMPDIR/ctx"
	cat >"$BATS_TEST_TMPDIR/ctx/Dockerfile" <<'DF'
FROM busybox AS a
RUN echo a
FROM busybox AS b
RUN echo b
FROM busybox AS unused
RUN echo u
FROM a AS final
COPY --from=b /x /y
RUN --mount=type=bind,from=1,target=/m true
DF
	run_berth debug plan --compact --image busybox "$BATS_TEST_TMPDIR/ctx"
	assert_equal "$(jq -c '[.stages[] | [.index, .needed, .wave, .deps]]' <<<"$output")" \
		'[[0,true,0,[]],[1,true,0,[]],[2,false,null,null],[3,true,1,[0,1]]]'
}

@test "cycles between stages are rejected" {
	mkdir -p "$BATS_TEST_TMPDIR/ctx"
	printf 'FROM b AS a\nRUN true\nFROM a AS b\n' >"$BATS_TEST_TMPDIR/ctx/Dockerfile"
	run_berth --exit 1 debug plan --image busybox "$BATS_TEST_TMPDIR/ctx"
	assert_output_contains 'circular dependency detected on stage'
}

@test "global ARG in FROM, build-arg override, predefined platform args" {
	mkdir -p "$BATS_TEST_TMPDIR/ctx"
	cat >"$BATS_TEST_TMPDIR/ctx/Dockerfile" <<'DF'
ARG IMG=nothere
FROM $IMG
ARG TARGETARCH
ARG HTTP_PROXY
ENV ARCH=$TARGETARCH
RUN true
DF
	run_berth debug plan --compact --image busybox --build-arg IMG=busybox --build-arg http_proxy=p "$BATS_TEST_TMPDIR/ctx"
	assert_equal "$(jq -r '.config.Env[1]' <<<"$output")" "ARCH=$(uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')"
	assert_equal "$(jq -r '.stages[0].steps[-1].env | map(select(startswith("http_proxy"))) | .[0]' <<<"$output")" "http_proxy=p"
	[[ "$(jq -r '.history[-1].created_by' <<<"$output")" != *http_proxy* ]]
}

@test "RUN --mount keys are validated" {
	mkdir -p "$BATS_TEST_TMPDIR/ctx"
	printf 'FROM busybox\nRUN --mount=type=cache,target=/c,sharing=bogus true\n' >"$BATS_TEST_TMPDIR/ctx/Dockerfile"
	run_berth --exit 1 debug plan --image busybox "$BATS_TEST_TMPDIR/ctx"
	assert_output_contains 'Dockerfile:2: dockerfile parse error on line 2: unsupported sharing value "bogus"'
	printf 'FROM busybox\nRUN --mount=type=bind,target=/c,color=red true\n' >"$BATS_TEST_TMPDIR/ctx/Dockerfile"
	run_berth --exit 1 debug plan --image busybox "$BATS_TEST_TMPDIR/ctx"
	assert_output_contains "unexpected key 'color' in 'color=red'"
	printf 'FROM busybox\nRUN --mount=type=secret,id=tok,required cat /run/secrets/tok\nRUN --mount=type=tmpfs,target=/t,size=64m --network=none --security=sandbox true\n' >"$BATS_TEST_TMPDIR/ctx/Dockerfile"
	run_berth debug plan --image busybox "$BATS_TEST_TMPDIR/ctx"
}

@test "every instruction and flag Docker documents is accepted" {
	mkdir -p "$BATS_TEST_TMPDIR/ctx"
	cat >"$BATS_TEST_TMPDIR/ctx/Dockerfile" <<'DF'
FROM --platform=$BUILDPLATFORM busybox AS base
ONBUILD RUN echo trig
FROM base
MAINTAINER someone
LABEL a=b
EXPOSE 80/udp 8000-8001
ENV A=1
ADD --chown=1:1 --chmod=644 --link --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 --keep-git-dir=true --exclude=*.md x /x
COPY --from=base --chown=1 --chmod=755 --link --parents --exclude=a --exclude=b x /y/
RUN --mount=type=ssh --mount=type=bind,source=.,target=/src,rw --network=host echo hi
VOLUME /v
USER 1:1
WORKDIR rel
ARG X=1 Y
STOPSIGNAL SIGINT
HEALTHCHECK --interval=1m30s --timeout=500ms --start-period=2s --start-interval=1s --retries=65 CMD true
SHELL ["/bin/bash", "-c"]
CMD run
ENTRYPOINT ["e"]
DF
	run_berth debug plan --compact --image busybox "$BATS_TEST_TMPDIR/ctx"
	assert_equal "$(jq -r '.history[0].created_by' <<<"$output")" "RUN /bin/sh -c echo trig # buildkit"
	assert_equal "$(jq -r '.history | map(select(.created_by | startswith("HEALTHCHECK")))[0].created_by' <<<"$output")" \
		"HEALTHCHECK &{[\"CMD-SHELL\" \"true\"] \"1m30s\" \"500ms\" \"2s\" 'A'}"
	assert_equal "$(jq -c '.config | [.WorkingDir, .User, .StopSignal, .Cmd, .Entrypoint, .Shell, (.ExposedPorts|keys)]' <<<"$output")" \
		'["/rel","1:1","SIGINT",["/bin/bash","-c","run"],["e"],["/bin/bash","-c"],["80/udp","8000/tcp","8001/tcp"]]'
	assert_equal "$(jq -cS '.config.Healthcheck' <<<"$output")" \
		'{"Interval":90000000000,"Retries":65,"StartInterval":1000000000,"StartPeriod":2000000000,"Test":["CMD-SHELL","true"],"Timeout":500000000}'
}

@test "unknown flags on any instruction, bad HEALTHCHECK and ONBUILD" {
	mkdir -p "$BATS_TEST_TMPDIR/ctx"
	local df="$BATS_TEST_TMPDIR/ctx/Dockerfile"
	printf 'FROM busybox\nENV --x=1 A=1\n' >"$df"
	run_berth --exit 1 debug plan --image busybox "$BATS_TEST_TMPDIR/ctx"
	assert_output_contains 'line 2: Unknown flag: x'
	printf 'FROM busybox\nHEALTHCHECK FOO\n' >"$df"
	run_berth --exit 1 debug plan --image busybox "$BATS_TEST_TMPDIR/ctx"
	assert_output_contains 'Unknown type "FOO" in HEALTHCHECK (try CMD)'
	printf 'FROM busybox\nONBUILD ONBUILD RUN x\n' >"$df"
	run_berth --exit 1 debug plan --image busybox "$BATS_TEST_TMPDIR/ctx"
	assert_output_contains "Chaining ONBUILD via \`ONBUILD ONBUILD\` isn't allowed"
	printf 'FROM busybox\nCOPY --link=maybe a b\n' >"$df"
	run_berth --exit 1 debug plan --image busybox "$BATS_TEST_TMPDIR/ctx"
	assert_output_contains 'expecting boolean value for flag link, not: maybe'
	printf 'FROM busybox AS 1bad\n' >"$df"
	run_berth --exit 1 debug plan --image busybox "$BATS_TEST_TMPDIR/ctx"
	assert_output_contains "invalid name for build stage: \"1bad\", name can't start with a number or contain symbols"
}
