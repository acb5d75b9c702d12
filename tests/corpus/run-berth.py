#!/usr/bin/env python3
"""run-berth.py: build corpus cases with berth and compare with expected.json (differential test).

    BERTH=./berth BERTH_ROOT=/tmp/r tests/corpus/run-berth.py [CASE...]
The store must hold busybox:latest (tests/fixtures/mkbusybox) and python:3.11-slim
(tests/fixtures/mkpyslim). For each case: exit status; for a success the image Config, history
(created_by, empty_layer, comment), layer count and the listing of every layer the build added;
for a failure the last line of the error output. Prints "PASS NAME" or "FAIL NAME: why" per
case and a summary line "passed N/M"; exits 1 if any case failed.
"""
import hashlib, io, json, os, re, subprocess, sys, tarfile, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BERTH = os.environ.get("BERTH", "berth")
ROOT = os.environ.get("BERTH_ROOT")
# cases where berth deliberately differs from Docker 20.10 (see README.md)
KNOWN = {
    "err-duplicate-stage",   # berth rejects duplicate stage names (issue 3)
    "err-copy-from-unknown", # Docker tried to pull from the registry; berth never pulls
}
# the case copies its own expected.json, which necessarily changed after Docker's build
SELF = {"ctx/expected.json", "expected.json", "app/expected.json"}


def berth(*args, **kw):
    cmd = [BERTH] + (["--root", ROOT] if ROOT else []) + list(args)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=kw.get("text", True), cwd=kw.get("cwd"))


def layer_listing(tf):
    out = []
    for m in tf.getmembers():
        name = m.name
        if name.startswith("./"):
            name = name[2:]
        if name in ("", "."):
            continue
        kind = {tarfile.REGTYPE: "f", tarfile.AREGTYPE: "f", tarfile.DIRTYPE: "d", tarfile.SYMTYPE: "l",
                tarfile.LNKTYPE: "h", tarfile.CHRTYPE: "c", tarfile.BLKTYPE: "b", tarfile.FIFOTYPE: "p"}.get(m.type, "?")
        e = {"path": name.rstrip("/"), "type": kind, "mode": "%o" % (m.mode & 0o7777), "uid": m.uid, "gid": m.gid}
        if kind == "f":
            e["size"] = m.size
            e["sha256"] = hashlib.sha256(tf.extractfile(m).read()).hexdigest()
        if kind in ("l", "h"):
            e["link"] = m.linkname
        out.append(e)
    return sorted(out, key=lambda e: e["path"])


def base_layer_count(d):
    """Layers of the final stage's base: 0 for FROM scratch, 1 for the one-layer fixtures."""
    froms = re.findall(r"(?im)^\s*FROM\s+(?:--\S+\s+)*(\S+)", open(os.path.join(d, "Dockerfile")).read())
    return 0 if froms and froms[-1].lower() == "scratch" else 1


def run_case(name):
    d = os.path.join(HERE, "cases", name)
    flags = []
    fp = os.path.join(d, "flags")
    if os.path.exists(fp):
        flags = [l.strip() for l in open(fp) if l.strip() and not l.startswith("#")]
    tag = "corpus-" + name.lower()
    p = berth("build", "--progress=plain", "-t", tag, *flags, ".", cwd=d)
    res = {"status": p.returncode, "output": p.stderr}
    if p.returncode != 0:
        res["error"] = [l for l in p.stderr.splitlines() if l.strip()][-6:]
        return res
    insp = json.loads(berth("image", "inspect", tag).stdout)[0]
    res["config"] = insp["Config"]
    with tempfile.TemporaryDirectory() as t:
        arch = os.path.join(t, "img.tar")
        s = berth("save", "-o", arch, tag)
        if s.returncode:
            raise RuntimeError("save failed: " + s.stderr)
        tf = tarfile.open(arch)
        manifest = json.load(tf.extractfile("manifest.json"))[0]
        cfg = json.load(tf.extractfile(manifest["Config"]))
        res["history"] = [{"created_by": h.get("created_by", ""), "empty_layer": h.get("empty_layer", False),
                           **({"comment": h["comment"]} if "comment" in h else {})} for h in cfg.get("history", [])]
        res["layers"] = len(manifest["Layers"])
        added = []
        for i, l in enumerate(manifest["Layers"]):
            if i < base_layer_count(d):
                continue
            lt = tarfile.open(fileobj=io.BytesIO(tf.extractfile(l).read()))
            added.append(layer_listing(lt))
        res["added_layers"] = added
    berth("rmi", "-f", tag)
    return res


def compare(exp, got):
    if exp["status"] != got["status"]:
        tail = "\n    ".join(got.get("error", [])[-3:])
        return "status %d, expected %d\n    %s" % (got["status"], exp["status"], tail)
    if exp["status"] != 0:
        want = exp["error"][-1]
        have = got["error"][-1] if got["error"] else ""
        if want != have:
            return "error %r, expected %r" % (have, want)
        return None
    for k in ("config", "history", "layers"):
        if exp[k] != got[k]:
            return "%s differs:\n    got      %s\n    expected %s" % (k, json.dumps(got[k]), json.dumps(exp[k]))
    def strip(layers):
        return [[{k: v for k, v in e.items() if not (e["path"] in SELF and k in ("size", "sha256"))} for e in l]
                for l in layers]
    if strip(exp["added_layers"]) != strip(got["added_layers"]):
        for i, (a, b) in enumerate(zip(strip(exp["added_layers"]), strip(got["added_layers"]))):
            if a != b:
                return "added layer %d differs:\n    got      %s\n    expected %s" % (i, json.dumps(b), json.dumps(a))
        return "added layer count %d, expected %d" % (len(got["added_layers"]), len(exp["added_layers"]))
    return None


def main():
    cases = sys.argv[1:] or sorted(os.listdir(os.path.join(HERE, "cases")))
    passed, failed = [], []
    for c in cases:
        exp = json.load(open(os.path.join(HERE, "cases", c, "expected.json")))
        try:
            got = run_case(c)
            why = compare(exp, got)
        except Exception as e:  # a crash of the harness is a failure of the case
            why = "harness: %s" % e
        if why and c in KNOWN:
            print("KNOWN %s: %s" % (c, why.splitlines()[0]))
            passed.append(c)
        elif why:
            print("FAIL %s: %s" % (c, why))
            failed.append(c)
        else:
            print("PASS %s" % c)
            passed.append(c)
    print("passed %d/%d" % (len(passed), len(cases)))
    if failed:
        print("failed: " + " ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
