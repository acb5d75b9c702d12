# registry.bash: start and stop Debian's reference registry (docker-registry, distribution 2.x)
# on 127.0.0.1 for the registry tests: plain HTTP, or htpasswd auth + TLS with a CA the test
# makes with openssl. Each registry gets its own config file and storage dir under $1.
#
#   registry_start DIR            -> REG_PORT, REG_PID (plain HTTP)
#   registry_start_auth DIR USER PASS -> REG_AUTH_PORT, REG_AUTH_PID, REG_CA (TLS + htpasswd)
#   registry_stop PID             -> stop one started above
#   free_port                     -> print a free TCP port on 127.0.0.1

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT [SECS]: wait until something listens on 127.0.0.1:PORT.
wait_port() {
	local i
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "nothing listens on 127.0.0.1:$1" >&2
	return 1
}

_registry_config() { # DIR PORT [extra yaml]
	mkdir -p "$1/storage"
	cat >"$1/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $1/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$2
${3:-}
EOF
}

registry_start() {
	local dir=$1
	command -v docker-registry >/dev/null || { echo "docker-registry is not installed (scripts/install-deps.sh)" >&2; return 1; }
	REG_PORT=$(free_port)
	_registry_config "$dir" "$REG_PORT"
	docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
	REG_PID=$!
	wait_port "$REG_PORT"
}

# make_ca DIR: a CA and a server certificate for 127.0.0.1/localhost signed by it.
make_ca() {
	local d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=berth test CA" \
		-keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
		-extfile "$d/ext.cnf" -out "$d/server.crt" 2>/dev/null
}

registry_start_auth() {
	local dir=$1 user=$2 pass=$3
	command -v htpasswd >/dev/null || { echo "htpasswd is not installed (apache2-utils)" >&2; return 1; }
	make_ca "$dir/certs"
	htpasswd -Bbn "$user" "$pass" >"$dir/htpasswd" 2>/dev/null
	REG_AUTH_PORT=$(free_port)
	REG_CA=$dir/certs/ca.crt
	_registry_config "$dir" "$REG_AUTH_PORT" "  tls:
    certificate: $dir/certs/server.crt
    key: $dir/certs/server.key
auth:
  htpasswd:
    realm: berth-test
    path: $dir/htpasswd"
	docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
	REG_AUTH_PID=$!
	wait_port "$REG_AUTH_PORT"
}

registry_stop() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# mk_oci_layout DIR SIZE_MB...: an OCI image layout (one image, tag "latest") whose layers are
# uncompressed tars each holding one file of SIZE_MB MiB of random bytes (/layerN.bin), plus
# a busybox-free config with Cmd ["/bin/sh"]. Layer digests are printed, bottom first.
mk_oci_layout() {
	python3 - "$@" <<'PY'
import hashlib, io, json, os, sys, tarfile
out, sizes = sys.argv[1], [float(x) for x in sys.argv[2:]]
os.makedirs(out + "/blobs/sha256", exist_ok=True)
def put(data):
    d = hashlib.sha256(data).hexdigest()
    with open(f"{out}/blobs/sha256/{d}", "wb") as f: f.write(data)
    return "sha256:" + d
layers, diffs = [], []
for i, mb in enumerate(sizes):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        data = os.urandom(int(mb * 1048576))
        ti = tarfile.TarInfo(f"layer{i}.bin"); ti.size = len(data); ti.mode = 0o644; ti.mtime = 0
        t.addfile(ti, io.BytesIO(data))
    b = buf.getvalue()
    dg = put(b)
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": dg, "size": len(b)})
    diffs.append(dg)
    print(dg)
cfg = json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
                  "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/usr/bin:/bin"]},
                  "rootfs": {"type": "layers", "diff_ids": diffs}}).encode()
cd = put(cfg)
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": len(cfg)},
                  "layers": layers}).encode()
md = put(man)
with open(out + "/index.json", "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
               "digest": md, "size": len(man), "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}, f)
with open(out + "/oci-layout", "w") as f: f.write('{"imageLayoutVersion": "1.0.0"}')
PY
}

# mk_oci_multiarch DIR: an OCI layout whose "latest" is an image index with linux/amd64 and
# linux/arm64/v8 images (tiny layers; configs differ in architecture).
mk_oci_multiarch() {
	python3 - "$1" <<'PY'
import hashlib, io, json, os, sys, tarfile
out = sys.argv[1]
os.makedirs(out + "/blobs/sha256", exist_ok=True)
def put(data):
    d = hashlib.sha256(data).hexdigest()
    with open(f"{out}/blobs/sha256/{d}", "wb") as f: f.write(data)
    return "sha256:" + d, len(data)
ms = []
for arch, variant in (("amd64", None), ("arm64", "v8")):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        data = ("I am " + arch + "\n").encode()
        ti = tarfile.TarInfo("arch.txt"); ti.size = len(data); ti.mtime = 0
        t.addfile(ti, io.BytesIO(data))
    ld, ls = put(buf.getvalue())
    cfg = {"architecture": arch, "os": "linux", "created": "2024-01-01T00:00:00Z",
           "config": {"Cmd": ["/bin/sh"]}, "rootfs": {"type": "layers", "diff_ids": [ld]}}
    if variant: cfg["variant"] = variant
    cd, cs = put(json.dumps(cfg).encode())
    md, mz = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls}]}).encode())
    p = {"os": "linux", "architecture": arch}
    if variant: p["variant"] = variant
    ms.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": mz, "platform": p})
idx = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": ms}).encode()
xd, xs = put(idx)
with open(out + "/index.json", "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
               "digest": xd, "size": xs, "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}, f)
with open(out + "/oci-layout", "w") as f: f.write('{"imageLayoutVersion": "1.0.0"}')
print(xd)
PY
}

# proxy_start LOG [faultproxy args...] -> PROXY_PORT, PROXY_PID (in front of $REG_PORT)
proxy_start() {
	local log=$1 pf
	shift
	pf=$(mktemp -u "$BATS_TEST_TMPDIR/proxyport.XXXXXX")
	python3 "$BERTH_SRC/tests/lib/faultproxy.py" "$pf" "$REG_PORT" "$log" "$@" &
	PROXY_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		[ -s "$pf" ] && break
		sleep 0.05
	done
	PROXY_PORT=$(cat "$pf")
	wait_port "$PROXY_PORT"
}

# registry_env: private credentials files for a test (no real ~/.docker or ~/.config).
registry_env() {
	export HOME="$BATS_TEST_TMPDIR/home" XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/xdg"
	unset DOCKER_CONFIG
	mkdir -p "$HOME" "$XDG_CONFIG_HOME"
}
