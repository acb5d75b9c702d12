#!/bin/bash
# umoci.sh: berth <-> umoci (no daemon needed): an OCI layout saved by berth is unpacked by
# umoci with the same files as berth's layer; umoci modifies and repacks it (a new layer) and
# berth loads the result with umoci's diff IDs; then berth pushes it to a local registry and
# skopeo reads it back.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
BERTH=$src/berth
. "$src/tests/lib/registry.bash"
tmp=$(mktemp -d /tmp/berth-umoci.XXXXXX)
export BERTH_ROOT=$tmp/root BERTH_RUNROOT=$tmp/run XDG_CONFIG_HOME=$tmp/xdg
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: want [$2] got [$3]"; fi; }
command -v umoci >/dev/null || { echo "umoci is not installed (scripts/install-deps.sh)"; exit 1; }
registry_start "$tmp/reg" || { echo "cannot start docker-registry"; exit 1; }
trap 'registry_stop "$REG_PID"; rm -rf "$tmp"' EXIT
"$src/tests/fixtures/mkbusybox" "$tmp/bb.tar" >/dev/null
"$BERTH" import "$tmp/bb.tar" umoci/bb:1 >/dev/null
"$BERTH" save --format oci-dir -o "$tmp/oci" umoci/bb:1 && ok "berth save --format oci-dir" || bad "berth save"
umoci unpack --rootless --image "$tmp/oci:1" "$tmp/bundle" >/dev/null 2>&1 && ok "umoci unpack" || bad "umoci unpack"
chain=$("$BERTH" inspect -f '{{index .RootFS.Layers 0}}' umoci/bb:1)
if diff -r --no-dereference "$BERTH_ROOT/layers/${chain#sha256:}/diff" "$tmp/bundle/rootfs" >/dev/null 2>&1; then
	ok "umoci's rootfs == berth's layer"
else
	bad "umoci's rootfs differs from berth's layer"
fi
echo "from umoci" >"$tmp/bundle/rootfs/umoci.txt"
umoci repack --image "$tmp/oci:2" "$tmp/bundle" >/dev/null 2>&1 && ok "umoci repack" || bad "umoci repack"
umoci config --image "$tmp/oci:2" --config.cmd cat --config.cmd /umoci.txt >/dev/null 2>&1
umoci tag --image "$tmp/oci:2" umoci/bb:2 >/dev/null 2>&1
# umoci copies berth's io.containerd.image.name onto its new entries (all would say
# umoci/bb:1); name them by their ref.name instead
jq '.manifests |= map(.annotations |= del(."io.containerd.image.name"))' "$tmp/oci/index.json" >"$tmp/index.json" &&
	mv "$tmp/index.json" "$tmp/oci/index.json"
out=$("$BERTH" load -i "$tmp/oci" 2>&1)
[[ "$out" == *"Loaded image: umoci/bb:2"* ]] && ok "berth load of umoci's layout" || bad "berth load: $out"
check "umoci's repack added a layer" 2 "$("$BERTH" inspect -f '{{len .RootFS.Layers}}' umoci/bb:2 2>/dev/null)"
check "umoci's Cmd" '["cat","/umoci.txt"]' "$("$BERTH" inspect -f '{{json .Config.Cmd}}' umoci/bb:2 2>/dev/null)"
d2=$("$BERTH" inspect -f '{{index .RootFS.Layers 1}}' umoci/bb:2 2>/dev/null)
chain2=$(printf '%s %s' "$chain" "$d2" | sha256sum | cut -d' ' -f1)
check "berth extracted umoci's layer" "from umoci" "$(cat "$BERTH_ROOT/layers/$chain2/diff/umoci.txt" 2>&1)"
"$BERTH" tag umoci/bb:2 "127.0.0.1:$REG_PORT/umoci/bb:2"
"$BERTH" push -q "127.0.0.1:$REG_PORT/umoci/bb:2" >/dev/null 2>&1 && ok "berth push of umoci's image" || bad "berth push"
check "skopeo reads it" 2 "$(skopeo inspect --tls-verify=false "docker://127.0.0.1:$REG_PORT/umoci/bb:2" 2>/dev/null | jq '.Layers | length')"
"$BERTH" system check -q >/dev/null && ok "berth system check clean" || bad "system check"
echo "umoci.sh: $fails failure(s)"
[ "$fails" -eq 0 ]
