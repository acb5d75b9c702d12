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
