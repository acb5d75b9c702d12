# dockerfile-plan.bash: compare `berth debug plan` with the corpus' expected.json
# (tests/corpus/cases/NAME). Used by 012-dockerfile-plan.bats.

CORPUS_DIR="${BATS_TEST_DIRNAME}/../corpus/cases"

# Base images of the corpus: imported images (no config), as tests/fixtures/mk* make them.
PLAN_IMAGES=(--image busybox:latest --image python:3.11-slim)

# Failures that happen while running the build, not in the front end: the planner must
# accept these Dockerfiles (the builder reports them).
PLAN_RUNTIME_FAILURES="err-missing-copy-source err-run-exit"

# The error text berth must print for the front-end failures (a fragment of BuildKit's).
plan_expected_error() {
	case "$1" in
	err-no-from) echo "no build stage in current context" ;;
	err-unknown-flag) echo "dockerfile parse error on line 2: Unknown flag: bogus" ;;
	err-unknown-instruction) echo "dockerfile parse error on line 2: unknown instruction: FROBNICATE" ;;
	err-unknown-target) echo 'target stage "three" could not be found' ;;
	err-copy-from-unknown) echo 'no stage named "nosuchstage"' ;;
	err-duplicate-stage) echo 'duplicate stage name "dup"' ;;
	notes-env-vs-arg) echo "dockerfile parse error on line 8: ARG requires at least one argument" ;;
	*) echo "" ;;
	esac
}

# plan_flags CASE: the case's docker build flags, one per line in `flags`.
plan_flags() {
	local f="$CORPUS_DIR/$1/flags"
	[ -f "$f" ] || return 0
	grep -v '^$' "$f"
}

# plan_check CASE: prints a diff and fails if berth's plan differs from expected.json.
plan_check() {
	local name=$1 dir="$CORPUS_DIR/$1" exp status out rc
	exp="$dir/expected.json"
	status=$(jq -r .status "$exp")
	local -a flags=()
	while IFS= read -r l; do flags+=("$l"); done < <(plan_flags "$name")
	out=$("$BERTH" debug plan --compact "${PLAN_IMAGES[@]}" "${flags[@]}" "$dir" 2>&1)
	rc=$?
	local want_err
	want_err=$(plan_expected_error "$name")
	if [ "$status" != 0 ] && [[ " $PLAN_RUNTIME_FAILURES " != *" $name "* ]] || [ -n "$want_err" ]; then
		if [ "$rc" = 0 ]; then
			echo "$name: berth accepted a Dockerfile that must fail"
			return 1
		fi
		if [[ "$out" != *"$want_err"* ]]; then
			echo "$name: error differs"
			echo "  want: ...$want_err..."
			echo "  got:  $out"
			return 1
		fi
		return 0
	fi
	if [ "$rc" != 0 ]; then
		echo "$name: berth failed: $out"
		return 1
	fi
	[ "$status" != 0 ] && return 0   # runtime failure: the plan exists, the builder fails
	local got_cfg want_cfg got_h want_h
	got_cfg=$(jq -S .config <<<"$out")
	want_cfg=$(jq -S .config "$exp")
	got_h=$(jq -c '[.history[] | [.created_by, .empty_layer]]' <<<"$out")
	want_h=$(jq -c '[.history[] | select(.comment == "buildkit.dockerfile.v0") | [.created_by, .empty_layer]]' "$exp")
	local bad=0
	if [ "$got_cfg" != "$want_cfg" ]; then
		echo "$name: config differs"
		diff <(echo "$want_cfg") <(echo "$got_cfg") | sed 's/^/  /'
		bad=1
	fi
	if [ "$got_h" != "$want_h" ]; then
		echo "$name: history differs"
		diff <(jq '.[]' -c <<<"$want_h") <(jq '.[]' -c <<<"$got_h") | sed 's/^/  /'
		bad=1
	fi
	return $bad
}
