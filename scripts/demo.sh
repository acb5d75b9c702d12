#!/bin/sh
# demo.sh: the main job (`make demo`): build the busybox base image, import it, list it,
# inspect it. Uses BERTH_ROOT if set, else a store under $TMPDIR/berth-demo-root (kept between runs).
set -e
cd "$(dirname "$0")/.."
BERTH=${BERTH:-./berth}
export BERTH_ROOT="${BERTH_ROOT:-${TMPDIR:-/tmp}/berth-demo-root}"
export BERTH_RUNROOT="${BERTH_RUNROOT:-${TMPDIR:-/tmp}/berth-demo-run}"
mkdir -p "$BERTH_ROOT" "$BERTH_RUNROOT"
tarball=$(tests/fixtures/mkbusybox "${TMPDIR:-/tmp}/berth-demo-busybox-rootfs.tar")
step() { printf '\n$ %s\n' "$*"; "$@"; }
echo "berth demo: store at $BERTH_ROOT"
step "$BERTH" import "$tarball" busybox:latest
step "$BERTH" images
step "$BERTH" image inspect busybox

# ---- the builder: examples/seed-python on a python:3.11-slim made from Debian packages ----
pytar=$(scripts/mkpython-image "${TMPDIR:-/tmp}/berth-demo-python-rootfs.tar")
step "$BERTH" import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	--change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' "$pytar" python:3.11-slim
step "$BERTH" build --progress=plain --target dev -t seed:dev examples/seed-python
step "$BERTH" build --progress=plain --target prod -t seed:prod examples/seed-python
# a rebuild comes from the cache (every step CACHED, same image ID)
step "$BERTH" build --progress=plain --target prod -t seed:prod examples/seed-python
step "$BERTH" images
step "$BERTH" history seed:prod
# run prod and ask it something (host network until bridge networking is in the runtime;
# then: berth run --rm -p 8000:8000 seed:prod python main.py)
echo
echo "\$ $BERTH run -d --rm --name seed-prod --network host seed:prod python main.py"
"$BERTH" rm -f seed-prod >/dev/null 2>&1 || true
"$BERTH" run -d --rm --name seed-prod --network host seed:prod python main.py
ok=
for _ in $(seq 1 50); do
	if out=$(curl -sf http://127.0.0.1:8000/demo); then ok=1; break; fi
	sleep 0.2
done
echo "\$ curl http://127.0.0.1:8000/demo"
echo "$out"
step "$BERTH" logs seed-prod
step "$BERTH" stop seed-prod
[ -n "$ok" ] || { echo "demo: the prod container did not answer" >&2; exit 1; }
