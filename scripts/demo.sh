#!/bin/sh
# demo.sh: the main job (`make demo`): import busybox and a Debian-made python:3.11-slim, build
# the notes' example (dev/prod), run prod, then the notes' compose example (up -d, curl on port
# 80, an edit under src/ seen after `compose restart` without a rebuild, down). Uses BERTH_ROOT if
# set, else a store under $TMPDIR/berth-demo-root (kept between runs).
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

# ---- compose: the notes' example (examples/seed-python/docker-compose.yml, unmodified) ----
# `up -d` builds target dev, bind-mounts ./src:/app, publishes 80:8000 (restart: unless-stopped).
# The edit happens in a copy of the example, so the user's tree stays as it is.
BERTH_ABS=$(cd "$(dirname "$BERTH")" && pwd)/$(basename "$BERTH")
work=$(mktemp -d "${TMPDIR:-/tmp}/berth-demo-compose.XXXXXX")
cp -R examples/seed-python "$work/seed-python"
cleanup() { (cd "$work/seed-python" 2>/dev/null && "$BERTH_ABS" compose down >/dev/null 2>&1) || true; rm -rf "$work"; }
trap cleanup EXIT
cd "$work/seed-python"
# cstep ARGS: print `$ berth ARGS` and run it (the binary by its absolute path, we moved)
cstep() { printf '\n$ berth %s\n' "$*"; "$BERTH_ABS" "$@"; }
"$BERTH_ABS" compose down >/dev/null 2>&1 || true   # a container left by an interrupted run
# wait_http URL: print the first answer (up to 10 s); fail if none
wait_http() {
	for _ in $(seq 1 50); do
		if out=$(curl -sf "$1"); then printf '%s\n' "$out"; return 0; fi
		sleep 0.2
	done
	echo "demo: no answer from $1" >&2
	return 1
}
echo
echo "\$ cd examples/seed-python    # (a copy in $work)"
cstep compose up -d
cstep compose ps
echo
echo "\$ curl http://127.0.0.1:80/compose"
before=$(wait_http http://127.0.0.1:80/compose)
echo "$before"
# edit the source on the host: ./src is mounted at /app, so the container sees the new file
# at once; python reads main.py when it starts, so restart the service (no rebuild)
echo
echo "\$ sed -i 's/\"app\": \"seed-python\"/\"app\": \"seed-python, edited\"/' src/main.py"
sed -i 's/"app": "seed-python"/"app": "seed-python, edited"/' src/main.py
grep -q 'seed-python, edited' src/main.py
# the running container already has the edited file (no rebuild, no copy)
cstep compose exec -T my_app grep -n edited main.py
cstep compose restart
echo
echo "\$ curl http://127.0.0.1:80/compose"
after=$(wait_http http://127.0.0.1:80/compose)
echo "$after"
case $after in
*'"app": "seed-python, edited"'*) ;;
*) echo "demo: the edit to src/main.py was not seen after a restart" >&2; exit 1 ;;
esac
cstep compose logs
cstep compose down
echo
echo "demo: done (the edit was seen without a rebuild; examples/seed-python is unchanged)"
