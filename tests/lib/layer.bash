# layer.bash: helpers for layer tests: make hostile tars with python's tarfile (an independent
# tar writer) and describe trees for comparison.

# mk_tar OUT ENTRY...: ENTRY is f:NAME[:DATA] | d:NAME | l:NAME:TARGET | h:NAME:TARGET
mk_tar() {
	python3 - "$@" <<'PY'
import io, sys, tarfile
out, entries = sys.argv[1], sys.argv[2:]
with tarfile.open(out, 'w', format=tarfile.PAX_FORMAT) as t:
    for e in entries:
        kind, name, *rest = e.split(':', 2)
        ti = tarfile.TarInfo(name)
        ti.mtime = 1600000000
        if kind == 'f':
            data = (rest[0] if rest else '').encode()
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
            continue
        if kind == 'd':
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
        elif kind == 'l':
            ti.type, ti.linkname = tarfile.SYMTYPE, rest[0]
        elif kind == 'h':
            ti.type, ti.linkname = tarfile.LNKTYPE, rest[0]
        t.addfile(ti)
PY
}

# tree_listing DIR: one line per path: type, mode, owner, size, link target (no times of dirs).
tree_listing() {
	(cd "$1" && find . -mindepth 1 -printf '%P %y %m %U:%G %s %l\n' | awk '{ if ($2 == "d") $5 = "-"; print }' | LC_ALL=C sort)
}
