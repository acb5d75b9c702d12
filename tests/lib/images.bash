# images.bash: helpers for the image store's system tests (020-029).

# import_busybox [REF]: import the busybox fixture (default busybox:latest); sets $BUSYBOX_ID.
import_busybox() {
	local ref=${1:-busybox:latest}
	local tb
	tb=$(busybox_tarball)
	run_berth import "$tb" "$ref"
	BUSYBOX_ID=$output
	[[ "$BUSYBOX_ID" == sha256:* ]]
}

# assert_check_clean: `berth system check` finds nothing wrong.
assert_check_clean() {
	run "$BERTH" system check
	if [ "$status" -ne 0 ]; then
		echo "system check not clean: $output" >&2
		return 1
	fi
	assert_output_contains "no problems found"
}

# hostile_tar OUT KIND: write a tar with one hostile entry (dotdot, abs-symlink-write, hardlink-out).
hostile_tar() {
	python3 - "$1" "$2" <<'PY'
import io, sys, tarfile
out, kind = sys.argv[1], sys.argv[2]
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    def add(name, data=b"x", typ=tarfile.REGTYPE, link=""):
        ti = tarfile.TarInfo(name); ti.type = typ; ti.linkname = link
        if typ == tarfile.REGTYPE:
            ti.size = len(data); t.addfile(ti, io.BytesIO(data))
        else:
            t.addfile(ti)
    add("ok", b"fine")
    if kind == "dotdot":
        add("../../../../tmp/berth-escape-dotdot", b"pwned")
    elif kind == "symlink":
        add("evil", typ=tarfile.SYMTYPE, link="/tmp")
        add("evil/berth-escape-symlink", b"pwned")
    elif kind == "hardlink":
        add("h", typ=tarfile.LNKTYPE, link="../../../../etc/passwd")
PY
}

# rootfs_sha OUTFILE DIR: a listing of every path with type, mode, owner, size, link target, content hash.
tree_listing() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %l\n' | sort) | grep -v '^\. d'
}

# images_setup: a private store per test (berth_setup_root's is per file).
images_setup() {
	berth_setup_root
	export BERTH_ROOT="$BATS_TEST_TMPDIR/root"
	mkdir -p "$BERTH_ROOT"
}

# make_docker_archive OUT LAYER.tar [TAG]: a minimal `docker save` archive with one layer.
make_docker_archive() {
	python3 - "$@" <<'PY'
import hashlib, io, json, sys, tarfile
out, layer = sys.argv[1], sys.argv[2]
tag = sys.argv[3] if len(sys.argv) > 3 else "hostile:1"
data = open(layer, "rb").read()
did = "sha256:" + hashlib.sha256(data).hexdigest()
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                  "rootfs": {"type": "layers", "diff_ids": [did]},
                  "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "test"}],
                  "created": "2024-01-01T00:00:00Z"}).encode()
cid = hashlib.sha256(cfg).hexdigest()
man = json.dumps([{"Config": cid + ".json", "RepoTags": [tag], "Layers": ["layer/layer.tar"]}]).encode()
with tarfile.open(out, "w") as t:
    for name, b in ((cid + ".json", cfg), ("layer/layer.tar", data), ("manifest.json", man)):
        ti = tarfile.TarInfo(name); ti.size = len(b); t.addfile(ti, io.BytesIO(b))
PY
}

# make_multilayer_archive OUT: a `docker save` archive "multi:1" with two layers and three
# history entries (the middle one empty), as a Dockerfile build leaves them.
make_multilayer_archive() {
	python3 - "$1" <<'PY'
import hashlib, io, json, sys, tarfile
out = sys.argv[1]
def layer(files):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w") as t:
        for name, data in files:
            ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
    return b.getvalue()
l1 = layer([("base.txt", b"b" * 5000)])
l2 = layer([("app/app.txt", b"a" * 300)])
ids = ["sha256:" + hashlib.sha256(l).hexdigest() for l in (l1, l2)]
long = "/bin/sh -c echo this is a very long command line that docker truncates at forty-five"
cfg = json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-03T00:00:00Z",
                  "config": {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["sh"]},
                  "rootfs": {"type": "layers", "diff_ids": ids},
                  "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
                              {"created": "2024-01-02T00:00:00Z", "created_by": "/bin/sh -c #(nop)  ENV PATH=/usr/bin:/bin", "empty_layer": True},
                              {"created": "2024-01-03T00:00:00Z", "created_by": long}]}).encode()
cid = hashlib.sha256(cfg).hexdigest()
man = json.dumps([{"Config": cid + ".json", "RepoTags": ["multi:1"], "Layers": ["l1/layer.tar", "l2/layer.tar"]}]).encode()
with tarfile.open(out, "w") as t:
    for name, b in ((cid + ".json", cfg), ("l1/layer.tar", l1), ("l2/layer.tar", l2), ("manifest.json", man)):
        ti = tarfile.TarInfo(name); ti.size = len(b); t.addfile(ti, io.BytesIO(b))
print("sha256:" + cid)
PY
}
