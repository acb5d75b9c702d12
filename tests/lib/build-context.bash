# build-context.bash: helpers for the build context tests.

CORPUS="$BERTH_SRC/tests/corpus/cases"

# corpus_added_paths CASE PREFIX: the paths (without PREFIX/) of the layers Docker added for a
# corpus case, sorted, directories with a trailing "/" (the form `berth debug context` prints).
corpus_added_paths() {
	python3 - "$CORPUS/$1/expected.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); pre = sys.argv[2] + "/"
out = []
for layer in d["added_layers"]:
    for e in layer:
        p = e["path"]
        if p.startswith(pre):
            out.append(p[len(pre):] + ("/" if e["type"] == "d" else ""))
print("\n".join(sorted(out)))
PY
}

# ctx_files DIR [ARGS...]: the file list printed by `berth debug context`, sorted.
ctx_files() {
	"$BERTH" debug context "$@" | grep -v -e '^digest	' -e '^match	' -e '^changed	' -e '^unchanged	' | LC_ALL=C sort
}
