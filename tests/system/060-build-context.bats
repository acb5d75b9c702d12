#!/usr/bin/env bats
# 060-build-context: the build context through the hidden `berth debug context` verb:
# .dockerignore as Docker applies it (checked against the corpus Docker produced), COPY globs,
# symlinks never followed out of the context, digests that do not depend on where the context
# lives, the stat cache, "what changed", and contexts on stdin.
load ../lib/helpers
load ../lib/build-context

setup() {
	berth_setup_root
	T=$BATS_TEST_TMPDIR
}

@test "the dockerignore corpus case sends exactly what Docker sent" {
	cp -a "$CORPUS/dockerignore" "$T/ctx"
	want=$(corpus_added_paths dockerignore ctx)
	got=$(ctx_files "$T/ctx")
	assert_equal "$got" "$want"
}

@test "COPY globs of the copy-glob corpus case match what Docker copied" {
	cp -a "$CORPUS/copy-glob" "$T/ctx"
	run_berth debug context --matches "$T/ctx" '*.txt' 'd?r/*.md' '[ab].conf'
	got=$(echo "$output" | awk -F'\t' '$1 == "match" { split($3, a, " -> "); n = split(a[1], b, "/"); print b[n] }' | sort | tr '\n' ' ')
	want=$(for l in txt md conf; do corpus_added_paths copy-glob $l; done | grep -v '/$' | sort | tr '\n' ' ')
	assert_equal "$got" "$want"
}

@test "Dockerfile-specific ignore file takes precedence; -f looks next to the Dockerfile" {
	mkdir -p "$T/c/src" "$T/df"
	echo a > "$T/c/src/a"; echo b > "$T/c/b"
	echo src > "$T/c/.dockerignore"
	run_berth debug context --stats "$T/c"
	assert_output_contains "ignore file: .dockerignore"
	[[ "$output" != *src/a* ]]
	echo b > "$T/c/Dockerfile.dockerignore"
	got=$(ctx_files "$T/c")
	assert_equal "$got" "$(printf '%s\n' .dockerignore Dockerfile.dockerignore src/ src/a)"
	echo 'FROM scratch' > "$T/df/x.Dockerfile"
	printf '*\n!b\n' > "$T/df/x.Dockerfile.dockerignore"
	got=$(ctx_files -f "$T/df/x.Dockerfile" "$T/c")
	assert_equal "$got" "b"
}

@test "exceptions inside an excluded directory; comments, leading / and ./" {
	mkdir -p "$T/c/node_modules/dep" "$T/c/node_modules/keep/x" "$T/c/docs"
	touch "$T/c/node_modules/dep/i.js" "$T/c/node_modules/keep/x/k.js" "$T/c/docs/README.md" "$T/c/docs/other.md" "$T/c/#notacomment"
	printf '# a comment\n/node_modules\n!./node_modules/keep\ndocs/\n!docs/README.md\n \\#notacomment\n' > "$T/c/.dockerignore"
	got=$(ctx_files "$T/c" | tr '\n' ' ')
	assert_equal "$got" ".dockerignore docs/ docs/README.md node_modules/ node_modules/keep/ node_modules/keep/x/ node_modules/keep/x/k.js "
}

@test "symlinks are recorded, never followed out of the context" {
	mkdir -p "$T/outside" "$T/c/in"
	echo secret > "$T/outside/secret"
	echo ok > "$T/c/in/file"
	ln -s "$T/outside" "$T/c/abs_out"
	ln -s ../outside "$T/c/rel_out"
	ln -s /in/file "$T/c/abs_in"
	run_berth debug context --matches "$T/c" abs_in
	assert_output_contains "abs_out -> $T/outside"
	assert_output_contains "rel_out -> ../outside"
	assert_output_contains "match	abs_in	abs_in -> in/file"
	[[ "$output" != *secret* ]]
	run_berth --exit 125 debug context "$T/c" rel_out/secret
	assert_output_contains '"/rel_out/secret" not found: not found'
	run_berth --exit 125 debug context "$T/c" abs_out
	assert_output_contains '"/abs_out" not found: not found'
}

@test "a missing COPY source is named as Docker names it" {
	cp -a "$CORPUS/err-missing-copy-source" "$T/ctx"
	run_berth --exit 125 debug context "$T/ctx" does-not-exist.txt
	assert_output_contains '"/does-not-exist.txt" not found: not found'
}

@test "digests do not depend on where the context lives; the stat cache avoids re-reading" {
	mkdir -p "$T/p1/src"
	for i in 1 2 3; do echo "v$i" > "$T/p1/src/f$i.py"; done
	echo req > "$T/p1/requirements.txt"
	sleep 0.1
	"$BERTH" debug context --stats "$T/p1" . src requirements.txt > "$T/d1" 2> "$T/s1"
	grep -q "hashed: 4 files" "$T/s1"
	cp -a "$T/p1" "$T/p2"
	"$BERTH" debug context "$T/p2" . src requirements.txt > "$T/d2"
	assert_equal "$(grep ^digest "$T/d2")" "$(grep ^digest "$T/d1")"
	# unchanged: nothing is read again
	"$BERTH" debug context --stats "$T/p1" . src > /dev/null 2> "$T/s3"
	grep -q "hashed: 0 files" "$T/s3"
	grep -q "cache hits: 4" "$T/s3"
}

@test "a changed file changes the digest and is named" {
	mkdir -p "$T/c/src"
	echo 'print(1)' > "$T/c/src/main.py"; echo x > "$T/c/src/lib.py"; echo r > "$T/c/README"
	"$BERTH" debug context "$T/c" ./src README > "$T/before"
	echo 'print(2)' > "$T/c/src/main.py"
	run_berth debug context --changed-since "$T/before" "$T/c" ./src README
	assert_output_contains "changed	./src	src/main.py changed"
	assert_output_contains "unchanged	README"
	[ "$(grep '^digest	./src' "$T/before")" != "$(echo "$output" | grep '^digest	./src')" ]
	rm "$T/c/src/lib.py"; touch "$T/c/src/new.py"
	run_berth debug context --changed-since "$T/before" "$T/c" ./src
	assert_output_contains "changed	./src	src/lib.py removed, src/main.py changed, src/new.py added"
}

@test "context from stdin: a tar (compressed or not), or a bare Dockerfile" {
	cp -a "$CORPUS/dockerignore" "$T/ctx"
	want=$(ctx_files "$T/ctx")
	tar -C "$T/ctx" -cf "$T/c.tar" .
	got=$(ctx_files - < "$T/c.tar")
	assert_equal "$got" "$want"
	tar -C "$T/ctx" -czf "$T/c.tgz" .
	assert_equal "$(ctx_files - < "$T/c.tgz")" "$want"
	d1=$("$BERTH" debug context "$T/ctx" . | grep ^digest)
	d2=$("$BERTH" debug context - . < "$T/c.tar" | grep ^digest)
	assert_equal "$d2" "$d1"
	run_berth debug context - <<< 'FROM busybox'
	assert_equal "$output" "dockerfile	13 bytes"
	# a hostile tar is refused
	python3 -c '
import tarfile, io
with tarfile.open("'"$T"'/evil.tar", "w") as t:
    ti = tarfile.TarInfo("../escape"); ti.size = 1; t.addfile(ti, io.BytesIO(b"x"))'
	run_berth --exit 125 debug context - < "$T/evil.tar"
	[ ! -e "$BERTH_ROOT/escape" ]
}

@test "bad patterns and usage errors" {
	mkdir -p "$T/c"
	printf '[\n' > "$T/c/.dockerignore"
	run_berth --exit 125 debug context "$T/c"
	assert_output_contains ".dockerignore: syntax error in pattern"
	printf '!\n' > "$T/c/.dockerignore"
	run_berth --exit 125 debug context "$T/c"
	assert_output_contains 'illegal exclusion pattern: "!"'
	run_berth --exit 125 debug context "$T/nope"
	assert_output_contains 'path "'"$T"'/nope" not found'
	run_berth --exit 1 debug context
	assert_output_contains "requires at least 1 argument"
}

@test "COPY --exclude: the digest is that of the files the COPY takes" {
	mkdir -p "$T/c1/app/t" "$T/c2/app/t"
	echo 1 > "$T/c1/app/t/b.py"; echo 1 > "$T/c2/app/t/b.py"
	echo junk > "$T/c1/app/a.pyc"
	d1=$("$BERTH" debug context --exclude '*.pyc' --exclude '**/*.pyc' "$T/c1" app | grep ^digest)
	d2=$("$BERTH" debug context "$T/c2" app | grep ^digest)
	assert_equal "$d1" "$d2"
	d3=$("$BERTH" debug context "$T/c1" app | grep ^digest)
	[ "$d3" != "$d1" ]
}
