#!/bin/bash
# docker.sh: berth <-> Docker interop, against a reference registry started here on 127.0.0.1
# (Docker treats 127.0.0.0/8 registries as insecure, so plain HTTP works without config):
#  1. an image made by berth (import) is pushed by berth, pulled by `docker pull`, and run by
#     `docker run` with the output berth's layer promises (and `berth run`'s, when it exists);
#  2. an image built by Docker is pushed by `docker push` and pulled by berth: same image ID;
#  3. `docker save` -> `berth load`: same ID and diff IDs; `berth save` -> `docker load` ->
#     `docker run`.
# Only images tagged 127.0.0.1:<port>/berth-interop/* are created in Docker, and removed again.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
BERTH=$src/berth
. "$src/tests/lib/registry.bash"
tmp=$(mktemp -d /tmp/berth-interop.XXXXXX)
export BERTH_ROOT=$tmp/root BERTH_RUNROOT=$tmp/run XDG_CONFIG_HOME=$tmp/xdg
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { # DESC WANT GOT
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: want [$2] got [$3]"; fi
}
registry_start "$tmp/reg" || { echo "cannot start docker-registry"; exit 1; }
R=127.0.0.1:$REG_PORT/berth-interop
cleanup() {
	docker images --format '{{.Repository}}:{{.Tag}}' | grep "^127.0.0.1:$REG_PORT/berth-interop/" | xargs -r docker rmi -f >/dev/null 2>&1
	docker rmi -f berth-interop-loaded:1 >/dev/null 2>&1
	registry_stop "$REG_PID"
	rm -rf "$tmp"
}
trap cleanup EXIT
have_run=false
"$BERTH" run --help >/dev/null 2>&1 && have_run=true

# 1. berth -> registry -> docker
"$src/tests/fixtures/mkbusybox" "$tmp/bb.tar" >/dev/null
id=$("$BERTH" import -c 'CMD ["/bin/sh","-c","echo hello from berth; cat /etc/hostname-free 2>/dev/null; id -u"]' "$tmp/bb.tar" "$R/bb:1")
"$BERTH" push "$R/bb:1" >"$tmp/push.out" 2>&1 && ok "berth push" || { bad "berth push"; cat "$tmp/push.out"; }
docker pull -q "$R/bb:1" >/dev/null 2>"$tmp/dpull.err" && ok "docker pull of berth's push" || { bad "docker pull"; cat "$tmp/dpull.err"; }
check "docker sees berth's image ID" "$id" "$(docker image inspect -f '{{.Id}}' "$R/bb:1" 2>/dev/null)"
dout=$(docker run --rm "$R/bb:1" 2>&1)
check "docker run output" "hello from berth
0" "$dout"
if $have_run; then
	check "berth run output == docker run output" "$dout" "$("$BERTH" run --rm "$R/bb:1" 2>&1)"
fi
chain=$("$BERTH" inspect -f '{{index .RootFS.Layers 0}}' "$R/bb:1")
check "docker run cat /etc/passwd == berth's layer" "$(cat "$BERTH_ROOT/layers/${chain#sha256:}/diff/etc/passwd")" \
	"$(docker run --rm "$R/bb:1" cat /etc/passwd)"

# 2. docker build -> docker push -> berth pull
printf 'FROM %s\nRUN echo built-by-docker > /built && mkdir -p /d && echo x > /d/f\nCMD ["cat", "/built"]\n' "$R/bb:1" >"$tmp/Dockerfile"
if docker build -q -t "$R/built:1" "$tmp" >"$tmp/build.out" 2>&1; then
	ok "docker build FROM berth's image"
else
	bad "docker build"; cat "$tmp/build.out"
fi
docker push "$R/built:1" >/dev/null 2>&1 && ok "docker push" || bad "docker push"
did=$(docker image inspect -f '{{.Id}}' "$R/built:1" 2>/dev/null)
"$BERTH" pull "$R/built:1" >"$tmp/bpull.out" 2>&1 && ok "berth pull of docker's push" || { bad "berth pull"; cat "$tmp/bpull.out"; }
check "berth pulled docker's image ID" "$did" "$("$BERTH" inspect -f '{{.Id}}' "$R/built:1" 2>/dev/null)"
check "same diff IDs" "$(docker image inspect -f '{{json .RootFS.Layers}}' "$R/built:1")" \
	"$("$BERTH" inspect -f '{{json .RootFS.Layers}}' "$R/built:1" 2>/dev/null)"
top=$("$BERTH" inspect -f '{{range .RootFS.Layers}}{{.}} {{end}}' "$R/built:1" 2>/dev/null | wc -w)
check "two layers" 2 "$top"
if $have_run; then
	check "berth run of docker's image" "built-by-docker" "$("$BERTH" run --rm "$R/built:1" 2>&1)"
fi
"$BERTH" system check -q >/dev/null && ok "berth system check clean" || bad "berth system check"

# 3. docker save -> berth load, berth save -> docker load
docker save -o "$tmp/dsave.tar" "$R/built:1" && ok "docker save" || bad "docker save"
"$BERTH" rmi "$R/built:1" >/dev/null
out=$("$BERTH" load -i "$tmp/dsave.tar" 2>&1)
check "berth load of docker save" "Loaded image: $R/built:1" "$out"
check "berth load keeps docker's ID" "$did" "$("$BERTH" inspect -f '{{.Id}}' "$R/built:1" 2>/dev/null)"
check "berth load keeps Cmd" '["cat","/built"]' "$("$BERTH" inspect -f '{{json .Config.Cmd}}' "$R/built:1" 2>/dev/null)"
if $have_run; then
	check "berth run after load" "built-by-docker" "$("$BERTH" run --rm "$R/built:1" 2>&1)"
fi
# what berth loaded from docker save (uncompressed Docker schema 2 layers) pushes and runs too
"$BERTH" tag "$R/built:1" "$R/reloaded:1"
"$BERTH" push -q "$R/reloaded:1" >/dev/null 2>&1 && ok "berth push of a docker-save image" || bad "berth push of a loaded image"
docker pull -q "$R/reloaded:1" >/dev/null 2>&1 && check "docker run of it" "built-by-docker" "$(docker run --rm "$R/reloaded:1" 2>&1)" \
	|| bad "docker pull of a loaded image"
"$BERTH" tag "$R/built:1" berth-interop-loaded:1
"$BERTH" save -o "$tmp/bsave.tar" berth-interop-loaded:1 && ok "berth save" || bad "berth save"
docker rmi -f "$R/built:1" >/dev/null 2>&1
out=$(docker load -i "$tmp/bsave.tar" 2>&1)
check "docker load of berth save" "Loaded image: berth-interop-loaded:1" "$out"
check "docker load keeps the ID" "$did" "$(docker image inspect -f '{{.Id}}' berth-interop-loaded:1 2>/dev/null)"
check "docker run of berth save" "built-by-docker" "$(docker run --rm berth-interop-loaded:1 2>&1)"
# an OCI archive from berth, through skopeo into Docker's format
"$BERTH" save --format oci-archive -o "$tmp/boci.tar" "$R/bb:1"
if skopeo copy -q "oci-archive:$tmp/boci.tar" "docker-archive:$tmp/fromoci.tar:$R/fromoci:1" 2>"$tmp/sk.err"; then
	docker load -i "$tmp/fromoci.tar" >/dev/null 2>&1
	check "berth oci-archive -> skopeo -> docker run" "hello from berth
0" "$(docker run --rm "$R/fromoci:1" 2>&1)"
else
	bad "skopeo copy of berth's oci-archive"; cat "$tmp/sk.err"
fi
$have_run || echo "note: berth run is not in this tree; outputs compared with the layer contents instead"
echo "docker.sh: $fails failure(s)"
[ "$fails" -eq 0 ]
