#!/usr/bin/env python3
"""gen-expected.py: record what Docker 20.10 + BuildKit produces for each corpus case.

Not run by `make check` (it needs a Docker daemon). Run once, by hand, with dockerd started and a
`busybox:latest` imported from tests/fixtures/mkbusybox (and the `pyslim` stand-in below):
    tests/corpus/gen-expected.py [CASE...]
For each tests/corpus/cases/NAME/ (a Dockerfile, context files, optional `flags` with extra
`docker build` arguments, one per line) it writes NAME/expected.json: the exit status, and for a
successful build the image's Config, the history (created_by, empty_layer), the number of
layers and a listing of every entry of every layer the build added (not the base's); for a
failed build the last lines of the error.
"""
import io, re, json, os, subprocess, sys, tarfile, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DOCKER = "/usr/bin/docker"

def base_layer_count(d):
    """Layers of the final stage's base: 0 for FROM scratch, 1 for the one-layer fixtures."""
    froms = re.findall(r"(?im)^\s*FROM\s+(?:--\S+\s+)*(\S+)", open(os.path.join(d, "Dockerfile")).read())
    return 0 if froms and froms[-1].lower() == "scratch" else 1

def layer_listing(tf):
    out = []
    for m in tf.getmembers():
        name = m.name
        if name.startswith("./"):
            name = name[2:]
        kind = {tarfile.REGTYPE: "f", tarfile.AREGTYPE: "f", tarfile.DIRTYPE: "d", tarfile.SYMTYPE: "l",
                tarfile.LNKTYPE: "h", tarfile.CHRTYPE: "c", tarfile.BLKTYPE: "b", tarfile.FIFOTYPE: "p"}.get(m.type, "?")
        e = {"path": name.rstrip("/"), "type": kind, "mode": "%o" % (m.mode & 0o7777), "uid": m.uid, "gid": m.gid}
        if kind == "f":
            e["size"] = m.size
            e["sha256"] = None
        if kind in ("l", "h"):
            e["link"] = m.linkname
        out.append(e)
    return out

def run_case(name):
    d = os.path.join(HERE, "cases", name)
    flags = []
    fp = os.path.join(d, "flags")
    if os.path.exists(fp):
        flags = [l.strip() for l in open(fp) if l.strip() and not l.startswith("#")]
    tag = "corpus-" + name.lower()
    env = dict(os.environ, DOCKER_BUILDKIT="1")
    p = subprocess.run([DOCKER, "build", "--progress=plain", "-t", tag] + flags + ["."], cwd=d, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    res = {"status": p.returncode}
    if p.returncode != 0:
        res["error"] = [l for l in p.stdout.splitlines() if l.strip()][-6:]
        return res
    insp = json.loads(subprocess.check_output([DOCKER, "image", "inspect", tag]))[0]
    res["config"] = insp["Config"]
    with tempfile.TemporaryDirectory() as t:
        arch = os.path.join(t, "img.tar")
        subprocess.check_call([DOCKER, "save", "-o", arch, tag])
        tf = tarfile.open(arch)
        manifest = json.load(tf.extractfile("manifest.json"))[0]
        cfg = json.load(tf.extractfile(manifest["Config"]))
        res["history"] = [{"created_by": h.get("created_by", ""), "empty_layer": h.get("empty_layer", False),
                           **({"comment": h["comment"]} if "comment" in h else {})} for h in cfg.get("history", [])]
        res["layers"] = len(manifest["Layers"])
        res["base_layers"] = base_layer_count(d)
        added = []
        for i, l in enumerate(manifest["Layers"]):
            if i < res["base_layers"]:
                continue
            lt = tarfile.open(fileobj=io.BytesIO(tf.extractfile(l).read()))
            listing = layer_listing(lt)
            for e in listing:
                if e["type"] == "f":
                    import hashlib
                    e["sha256"] = hashlib.sha256(lt.extractfile(e["path"] if e["path"] in lt.getnames() else "./" + e["path"]).read()).hexdigest()
            added.append(sorted(listing, key=lambda e: e["path"]))
        res["added_layers"] = added
    subprocess.run([DOCKER, "rmi", "-f", tag], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return res

def main():
    cases = sys.argv[1:] or sorted(os.listdir(os.path.join(HERE, "cases")))
    for c in cases:
        res = run_case(c)
        with open(os.path.join(HERE, "cases", c, "expected.json"), "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
            f.write("\n")
        print(c, "status", res["status"], "layers", res.get("layers"))

if __name__ == "__main__":
    main()
