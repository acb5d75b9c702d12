# dockerfile-shell.bash: run BuildKit's shell conformance vectors through
# `berth debug expand` / `berth debug words` (parsed as BuildKit's lex_test.go does).

# trim VAR: strip leading and trailing white space
_dfs_trim() {
	local s=$1
	s="${s#"${s%%[![:space:]]*}"}"
	s="${s%"${s##*[![:space:]]}"}"
	printf '%s' "$s"
}

# dfs_run_envvartest FILE: every A and U line; prints failures, sets DFS_RUN / DFS_PASSED.
dfs_run_envvartest() {
	local file=$1 line plat src want got rc n=0
	DFS_RUN=0 DFS_PASSED=0 DFS_SKIPPED=0
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		[[ $line == \#* ]] && continue
		line=$(_dfs_trim "$line")
		[ -z "$line" ] && continue
		IFS='|' read -r plat src want <<<"$line"
		plat=$(_dfs_trim "$plat")
		src=$(_dfs_trim "$src")
		want=$(_dfs_trim "$want")
		if [ "$plat" = W ]; then
			DFS_SKIPPED=$((DFS_SKIPPED + 1))
			continue
		fi
		DFS_RUN=$((DFS_RUN + 1))
		got=$("$BERTH" debug expand -e PWD=/home -e SHELL=bash -e KOREAN=한국어 -e NULL= -- "$src" 2>&1) && rc=0 || rc=$?
		if [ "$want" = error ]; then
			if [ "$rc" = 1 ] && [[ $got == "Error: failed to process "* ]]; then
				DFS_PASSED=$((DFS_PASSED + 1))
				continue
			fi
		elif [ "$rc" = 0 ] && [ "$got" = "$want" ]; then
			DFS_PASSED=$((DFS_PASSED + 1))
			continue
		fi
		echo "envVarTest line $n: [$src] want [$want] got [$got] (exit $rc)" >&2
	done <"$file"
}

# dfs_run_wordstest FILE
dfs_run_wordstest() {
	local file=$1 line src want got rc n=0 envs=() words
	DFS_RUN=0 DFS_PASSED=0
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		[[ $line == \#* ]] && continue
		if [[ $line == "ENV "* ]]; then
			line=${line:3}
			line="${line#"${line%%[! ]*}"}"
			envs+=(-e "$line")
			continue
		fi
		src=$(_dfs_trim "${line%%|*}")
		want=${line#*|}
		want="${want#"${want%%[! ]*}"}"
		DFS_RUN=$((DFS_RUN + 1))
		words=()
		"$BERTH" debug words "${envs[@]}" -- "$src" >"$BATS_TEST_TMPDIR/words" 2>/dev/null && rc=0 || rc=$?
		mapfile -t words <"$BATS_TEST_TMPDIR/words"
		if [ "$rc" != 0 ]; then
			got=error
		else
			got=$(IFS=,; printf '%s' "${words[*]}")
		fi
		if [ "$got" = "$want" ]; then
			DFS_PASSED=$((DFS_PASSED + 1))
		else
			echo "wordsTest line $n: [$src] want [$want] got [$got]" >&2
		fi
	done <"$file"
}
