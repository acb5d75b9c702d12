#!/usr/bin/env bats
# 072-build-run: how berth build executes: independent stages in parallel, the progress views
# (plain, tty through a pty, quiet), the time per stage, layer blobs that are one valid gzip
# member (or zstd), SOURCE_DATE_EPOCH reproducibility, RUN --network modes.
load ../lib/build

setup_file() { build_setup_file; }
setup() { berth_setup_root; }

# uptime_lt A B: A < B (seconds from /proc/uptime)
uptime_lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

@test "independent stages run at the same time (their RUN steps overlap)" {
	ctx=$(build_ctx par)
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox AS a
RUN cut -d' ' -f1 /proc/uptime > /a.start; sleep 2; cut -d' ' -f1 /proc/uptime > /a.end
FROM busybox AS b
RUN cut -d' ' -f1 /proc/uptime > /b.start; sleep 2; cut -d' ' -f1 /proc/uptime > /b.end
FROM busybox
COPY --from=a /a.start /a.end /
COPY --from=b /b.start /b.end /
D
	run_berth build -t par:1 "$ctx"
	assert_line_matches '^#[0-9]+ \[a 2/2\] RUN'
	assert_line_matches '^#[0-9]+ \[b 2/2\] RUN'
	run_berth run --rm par:1 cat /a.start /a.end /b.start /b.end
	read -r as ae bs be <<<"$(echo $output)"
	echo "a: $as-$ae b: $bs-$be"
	# overlap: each started before the other ended
	uptime_lt "$as" "$be"
	uptime_lt "$bs" "$ae"
	# the vertex numbers stay unique and in plan order
	run_berth build --no-cache "$ctx"
	all=$(grep -Ec '^#[0-9]+ \[' <<<"$output")
	uniq=$(grep -Eo '^#[0-9]+ \[' <<<"$output" | sort -u | wc -l)
	[ "$all" -eq 10 ] && [ "$uniq" -eq 10 ]
}

@test "a stage that depends on another waits for it" {
	ctx=$(build_ctx dep)
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox AS a
RUN sleep 1; cut -d' ' -f1 /proc/uptime > /a.end
FROM a AS b
RUN cut -d' ' -f1 /proc/uptime > /b.start
FROM busybox AS c
RUN cut -d' ' -f1 /proc/uptime > /c.start
FROM busybox
COPY --from=b /a.end /b.start /
COPY --from=c /c.start /
D
	run_berth build -t dep:1 "$ctx"
	run_berth run --rm dep:1 cat /a.end /b.start /c.start
	read -r ae bs cs <<<"$(echo $output)"
	uptime_lt "$ae" "$bs"   # b after a
	uptime_lt "$cs" "$ae"   # c alongside a
}

@test "a failing stage stops the stages running beside it; the error is the last line" {
	ctx=$(build_ctx parfail)
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox AS slow
RUN echo slow-started; sleep 30
FROM busybox AS bad
RUN sleep 1; echo failing; exit 4
FROM busybox
COPY --from=slow /etc/hostname /s
COPY --from=bad /etc/hostname /b
D
	start=$(date +%s)
	run_berth --exit 1 build "$ctx"
	[ $(( $(date +%s) - start )) -lt 25 ]
	assert_line_matches '^#[0-9]+ [0-9.]+ failing$'
	assert_equal "${lines[-1]}" 'executor failed running [/bin/sh -c sleep 1; echo failing; exit 4]: exit code: 4'
	[ -z "$(ls -A "$BERTH_ROOT/containers" 2>/dev/null)" ]
	run_berth ps -aq
	assert_equal "$output" ""
}

@test "an interrupted parallel build stops every stage and exits 130" {
	ctx=$(build_ctx parint)
	printf 'FROM busybox AS a\nRUN echo started-a; sleep 60\nFROM busybox AS b\nRUN echo started-b; sleep 60\nFROM busybox\nCOPY --from=a /etc/hostname /a\nCOPY --from=b /etc/hostname /b\n' > "$ctx/Dockerfile"
	"$BERTH" build --no-cache "$ctx" > "$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do grep -q started-b "$BATS_TEST_TMPDIR/out" && grep -q started-a "$BATS_TEST_TMPDIR/out" && break; sleep 0.1; done
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ]
	[ -z "$(ls -A "$BERTH_ROOT/containers" 2>/dev/null)" ]
}

@test "plain progress streams RUN output as #N and ends with the time per stage; -q prints only the ID" {
	ctx=$(build_ctx plain)
	printf 'FROM busybox AS one\nRUN echo line-one; echo line-two\nFROM one\nRUN true\n' > "$ctx/Dockerfile"
	run_berth build --progress=plain --no-cache -t plain:1 "$ctx"
	assert_line_matches '^#[0-9]+ [0-9]+\.[0-9]{3} line-one$'
	assert_line_matches '^#[0-9]+ [0-9]+\.[0-9]{3} line-two$'
	assert_line_matches '^Time per stage:$'
	assert_line_matches '^  one +[0-9]+\.[0-9]s  \(2 steps, 1 cached\)$'
	assert_line_matches '^  stage-1 +[0-9]+\.[0-9]s  \(1 step, 0 cached\)$'
	assert_line_matches '^  total +[0-9]+\.[0-9]s$'
	# auto without a terminal = plain
	run_berth build "$ctx"
	assert_line_matches '^#[0-9]+ CACHED$'
	run "$BERTH" build -q "$ctx"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	run "$BERTH" build --progress=quiet "$ctx"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the tty view (through a pty): redrawn in place, a running timer, output under the step, collapsed when done" {
	ctx=$(build_ctx tty)
	printf 'FROM busybox\nRUN for i in 1 2 3 4 5 6; do echo tick $i; sleep 0.3; done\n' > "$ctx/Dockerfile"
	"$BERTH_SRC/tests/lib/ptyrun.py" "$BATS_TEST_TMPDIR/tty.raw" "$BERTH" build --progress=tty --no-cache -t tty:1 "$ctx"
	run python3 "$BERTH_SRC/tests/lib/ttyview.py" "$BATS_TEST_TMPDIR/tty.raw" 'RUN for i in'
	echo "$output"
	[ "$status" -eq 0 ]
	# auto on a terminal = tty; plain on a terminal stays plain
	"$BERTH_SRC/tests/lib/ptyrun.py" "$BATS_TEST_TMPDIR/auto.raw" "$BERTH" build "$ctx"
	grep -q 'FINISHED' "$BATS_TEST_TMPDIR/auto.raw"
	"$BERTH_SRC/tests/lib/ptyrun.py" "$BATS_TEST_TMPDIR/plain.raw" "$BERTH" build --progress=plain "$ctx"
	! grep -q $'\x1b\\[' "$BATS_TEST_TMPDIR/plain.raw"
	grep -q '^#[0-9]* CACHED' "$BATS_TEST_TMPDIR/plain.raw"
	# a failure: the view ends, then the error box with the step's last output lines
	printf 'FROM busybox\nRUN echo before-fail; exit 3\n' > "$ctx/Dockerfile"
	rc=0
	"$BERTH_SRC/tests/lib/ptyrun.py" "$BATS_TEST_TMPDIR/fail.raw" "$BERTH" build --progress=tty "$ctx" || rc=$?
	[ "$rc" -eq 1 ]
	tr -d '\r' < "$BATS_TEST_TMPDIR/fail.raw" | grep -A1 '^ > \[2/2\] RUN echo before-fail; exit 3:$' | grep -q '^#[0-9]* before-fail$'
	tr -d '\r' < "$BATS_TEST_TMPDIR/fail.raw" | tail -1 | grep -q '^executor failed running .*exit code: 3$'
}

@test "a large layer is one valid gzip member (text and random data); --compression zstd" {
	ctx=$(build_ctx gz)
	printf 'FROM busybox\nRUN head -c 3000000 /dev/urandom > /rand && i=0; while [ $i -lt 40000 ]; do echo "line $i of some text"; i=$((i+1)); done > /text\n' > "$ctx/Dockerfile"
	run_berth build -t gz:1 "$ctx"
	# the layer's blob in the store (made by save: blobs are lazy): the gzip blob of more than 3 MB
	"$BERTH" save gz:1 > /dev/null
	f=$(find "$BERTH_ROOT/blobs/sha256" -type f -size +3000k | while read -r x; do
		[ "$(head -c 2 "$x" | od -An -tx1 | tr -d ' ')" = 1f8b ] && echo "$x"; done | head -1)
	[ -n "$f" ]
	gzip -t "$f"
	# one member (docker's and containerd's readers would accept several, but we promise one)
	python3 - "$f" <<'P'
import sys, zlib
d = open(sys.argv[1], "rb").read()
o = zlib.decompressobj(31)
out = o.decompress(d)
assert o.eof and not o.unused_data, "more than one gzip member"
assert b"line 39999 of some text" in out
P
	# the text compressed, the random part stored: between 3 and 4 MB
	size=$(stat -c %s "$f")
	[ "$size" -gt 3000000 ] && [ "$size" -lt 4000000 ]
	# zstd
	run_berth build --no-cache --compression zstd -t zs:1 "$ctx"
	"$BERTH" save zs:1 > /dev/null
	mt=$(ls "$BERTH_ROOT"/blobs/sha256 | while read -r h; do head -c 4 "$BERTH_ROOT/blobs/sha256/$h" | od -An -tx1 | tr -d ' \n'; echo " $h"; done | awk '$1 == "28b52ffd" { print $2 }' | head -1)
	[ -n "$mt" ]
	zstd -t -q "$BERTH_ROOT/blobs/sha256/$mt"
	run_berth run --rm zs:1 tail -1 /text
	assert_equal "$output" "line 39999 of some text"
	run_berth --exit 125 build --compression lz4 "$ctx"
	assert_output_contains 'invalid compression "lz4"'
}

@test "SOURCE_DATE_EPOCH: two --no-cache builds give the same image ID; times are the epoch" {
	ctx=$(build_ctx sde)
	echo data > "$ctx/f.txt"
	printf 'FROM busybox\nRUN echo built > /built.txt && mkdir -p /d && date > /d/now\nCOPY f.txt /f.txt\nENV X=1\n' > "$ctx/Dockerfile"
	sed -i 's/date > \/d\/now/echo fixed > \/d\/now/' "$ctx/Dockerfile"
	run "$BERTH" build --no-cache -q --build-arg SOURCE_DATE_EPOCH=1700000000 "$ctx"
	[ "$status" -eq 0 ]
	id1=$output
	sleep 1.1
	run "$BERTH" build --no-cache -q --build-arg SOURCE_DATE_EPOCH=1700000000 "$ctx"
	id2=$output
	assert_equal "$id1" "$id2"
	SOURCE_DATE_EPOCH=1700000000 run "$BERTH" build --no-cache -q "$ctx"
	assert_equal "$output" "$id1"
	run_berth image inspect --format '{{.Created}}' "$id1"
	assert_output_contains '2023-11-14T22:13:20'
	# without it, the times differ
	run "$BERTH" build --no-cache -q "$ctx"
	[ "$output" != "$id1" ]
}

@test "layer blobs are lazy: recorded at build time, made (same digest) when read" {
	ctx=$(build_ctx lazy)
	printf 'FROM busybox\nRUN echo lazy > /lazy.txt && head -c 2000000 /dev/urandom > /r\n' > "$ctx/Dockerfile"
	mkdir -p "$BERTH_ROOT/lazyblobs"
	ls "$BERTH_ROOT/lazyblobs" > "$BATS_TEST_TMPDIR/before"
	run_berth build -t lazy:1 "$ctx"
	hex=$(ls "$BERTH_ROOT/lazyblobs" | comm -13 "$BATS_TEST_TMPDIR/before" -)
	[ "$(wc -w <<<"$hex")" -eq 1 ]
	[ ! -e "$BERTH_ROOT/blobs/sha256/$hex" ]
	# a rebuild still hits the cache (the blob counts as present)
	run_berth build -t lazy:1 "$ctx"
	assert_line_matches '^#[0-9]+ CACHED$'
	# save reads the blobs: they are made, and their contents hash to their names
	"$BERTH" save lazy:1 > "$BATS_TEST_TMPDIR/lazy.tar"
	[ -e "$BERTH_ROOT/blobs/sha256/$hex" ]
	[ ! -e "$BERTH_ROOT/lazyblobs/$hex" ]
	[ "$(sha256sum < "$BERTH_ROOT/blobs/sha256/$hex" | cut -c1-64)" = "$hex" ]
	gzip -t "$BERTH_ROOT/blobs/sha256/$hex"
	# the eager mode writes it at once
	BERTH_BUILD_EAGER_BLOBS=1 run_berth build --no-cache -t eager:1 "$ctx"
	run_berth image inspect --format '{{len .RootFS.Layers}}' eager:1
	assert_equal "$output" 2
}

@test "RUN networks: default = the bridge (eth0, released after the step), --network none = lo only" {
	ctx=$(build_ctx net)
	printf 'FROM busybox\nRUN tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\\n" " "; echo\n' > "$ctx/Dockerfile"
	run_berth build --progress=plain "$ctx"
	assert_line_matches '^#[0-9]+ [0-9.]+ eth0 lo $'
	run_berth build --progress=plain --network none "$ctx"
	assert_line_matches '^#[0-9]+ [0-9.]+ lo $'
	# the mode is part of the step's key
	refute_cached=$(grep -c '^#[0-9]* CACHED$' <<<"$output" || true)
	[ "$refute_cached" -eq 1 ]   # only FROM
	printf 'FROM busybox\nRUN --network=none tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\\n" " "; echo\n' > "$ctx/Dockerfile"
	run_berth build --progress=plain "$ctx"
	assert_line_matches '^#[0-9]+ [0-9.]+ lo $'
	# no endpoint left behind
	[ "$(sqlite3 "$BERTH_ROOT/berth.db" 'SELECT count(*) FROM net_endpoints')" -eq 0 ]
}

@test "a builder killed outright (SIGKILL) stops its parallel stages; they leave no container" {
	ctx=$(build_ctx parkill)
	printf 'FROM busybox AS a\nRUN echo started-a; sleep 60\nFROM busybox AS b\nRUN echo started-b; sleep 60\nFROM busybox\nCOPY --from=a /etc/hostname /a\nCOPY --from=b /etc/hostname /b\n' > "$ctx/Dockerfile"
	"$BERTH" build --no-cache "$ctx" > "$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do grep -q started-b "$BATS_TEST_TMPDIR/out" && grep -q started-a "$BATS_TEST_TMPDIR/out" && break; sleep 0.1; done
	kill -KILL "$pid"
	wait "$pid" || true
	for _ in $(seq 1 100); do [ -z "$(ls -A "$BERTH_ROOT/containers" 2>/dev/null)" ] && break; sleep 0.1; done
	[ -z "$(ls -A "$BERTH_ROOT/containers" 2>/dev/null)" ]
}
