#!/bin/bash
# context-10k.sh: change detection in a 10,000-file build context. Creates the context, then
# times `berth debug context DIR .` (walk + .dockerignore + digest of `COPY . .`):
#   cold     fresh store: every file is read and hashed
#   warm     nothing changed: only stat calls (the stat cache answers every digest)
#   one-edit one file changed: one file read, and the change is named
#   moved    the same project in another folder: read again (other paths), same digest
# Usage: bench/context-10k.sh [NFILES] (default 10000). Prints the numbers; exit 1 if the
# warm run read any file or a digest differs.
set -euo pipefail
N=${1:-10000}
SRC=$(cd "$(dirname "$0")/.." && pwd)
BERTH=${BERTH:-$SRC/berth}
T=$(mktemp -d /tmp/berth-bench-ctx.XXXXXX)
trap 'rm -rf "$T"' EXIT
export BERTH_ROOT=$T/root BERTH_RUNROOT=$T/run

python3 - "$T/ctx" "$N" <<'PY'
import os, sys, random
root, n = sys.argv[1], int(sys.argv[2])
random.seed(42)
for i in range(n):
    d = os.path.join(root, "pkg%02d" % (i % 50), "mod%02d" % (i // 50 % 20))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "file%05d.py" % i), "wb") as f:
        f.write(os.urandom(random.randint(200, 8000)))
with open(os.path.join(root, ".dockerignore"), "w") as f:
    f.write("**/*.pyc\n.git\n")
PY
sleep 0.2 # past the timestamp granularity, so no file is "racily" new

ms() { echo $(( ($2 - $1) / 1000000 )); }
run() { # run LABEL DIR: time one digest of `COPY . .`
	local t0 t1
	t0=$(date +%s%N)
	"$BERTH" debug context --stats "$2" . > "$T/$1.out" 2> "$T/$1.err"
	t1=$(date +%s%N)
	printf '%-9s %6s ms   %s\n' "$1" "$(ms "$t0" "$t1")" \
		"$(grep -E '^(hashed|cache hits)' "$T/$1.err" | tr '\n' ' ')"
}

echo "context: $N files, $(du -sh "$T/ctx" | cut -f1)"
run cold "$T/ctx"
run warm "$T/ctx"
run warm2 "$T/ctx"
cp "$T/warm.out" "$T/before"
f=$(find "$T/ctx" -name '*.py' | sort | sed -n 77p)
echo "edited" >> "$f"
t0=$(date +%s%N)
"$BERTH" debug context --stats --changed-since "$T/before" "$T/ctx" . > "$T/edit.out" 2> "$T/edit.err"
t1=$(date +%s%N)
printf '%-9s %6s ms   %s\n' one-edit "$(ms "$t0" "$t1")" "$(grep -E '^(hashed|cache hits)' "$T/edit.err" | tr '\n' ' ')"
grep '^changed' "$T/edit.out" | sed 's/^/          /'
cp -a "$T/ctx" "$T/moved"
run moved "$T/moved"

status=0
grep -q '^hashed: 0 files' "$T/warm2.err" || { echo "FAIL: the warm run read files"; status=1; }
[ "$(grep ^digest "$T/moved.out")" = "$(grep ^digest "$T/edit.out")" ] || { echo "FAIL: digest depends on the location"; status=1; }
grep -q "changed	.	${f#$T/ctx/} changed" "$T/edit.out" || { echo "FAIL: the edit was not named"; status=1; }
exit $status
