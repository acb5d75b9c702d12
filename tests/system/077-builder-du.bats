#!/usr/bin/env bats
# 077-builder-du: `builder du` (docker buildx du) lists the build cache as BuildKit's records
# (a regular record per cached step, exec.cachemount per RUN --mount=type=cache directory);
# the sizes add up to the summary; --filter until=; prune empties it; `system df` agrees.
load ../lib/builder-du

setup_file() {
	build_setup_file
	local ctx="$BATS_FILE_TMPDIR/ctx"
	mkdir -p "$ctx"
	cat > "$ctx/Dockerfile" <<'D'
FROM busybox
RUN --mount=type=cache,target=/c echo hi > /c/x && head -c 30000 /dev/zero > /c/big && echo a > /a
RUN head -c 20000 /dev/zero > /b
COPY Dockerfile /d
D
	"$BERTH" build -q -t du:1 "$ctx" >/dev/null
}
setup() { berth_setup_root; }

@test "builder du: a record per step and one for the cache mount; sizes add up to Total" {
	run_berth builder du
	[ "${lines[0]}" = "$(printf 'ID                           RECLAIMABLE   SIZE       LAST ACCESSED')" ]
	run_berth builder du --format '{{.Type}}'
	[ "$(grep -c '^regular$' <<<"$output")" -eq 3 ]
	[ "$(grep -c '^exec.cachemount$' <<<"$output")" -eq 1 ]
	# the cache mount: mutable (ID*), private, holds the 30 kB file
	run_berth builder du
	line=$(grep -E '^[0-9a-f]{25}\* +true ' <<<"$output")
	[ -n "$line" ]
	# the step layers are shared with du:1: SIZE*, not reclaimable
	[ "$(grep -cE '^[0-9a-f]{25} +false +[0-9.]+[kM]?B\* ' <<<"$output")" -eq 3 ]
	total=$(summary_value Total)
	[ "$total" = "$(human_size "$(du_bytes)")" ]
	mount=$("$BERTH" builder du --format '{{.Type}} {{.Bytes}}' | awk '$1 == "exec.cachemount" { print $2 }')
	[ "$mount" -ge 30000 ]
	shared=$("$BERTH" builder du --format '{{.Shared}} {{.Bytes}}' | awk '$1 == "true" { s += $2 } END { print s }')
	[ "$(summary_value Shared)" = "$(human_size "$shared")" ]
	[ "$(summary_value Private)" = "$(human_size "$mount")" ]
	[ "$(summary_value Reclaimable)" = "$(human_size "$mount")" ]
}

@test "builder du -v: BuildKit's record blocks" {
	run_berth builder du -v
	[ "$(grep -c '^ID:' <<<"$output")" -eq 4 ]
	assert_output_contains "Type:         exec.cachemount"
	assert_output_contains "Description:  RUN /bin/sh -c head -c 20000 /dev/zero > /b"
	assert_output_contains "Description:  COPY Dockerfile /d"
	# the second RUN's parent is the first RUN's record
	first=$("$BERTH" builder du --format '{{.ID}} {{.Description}}' | awk '/echo hi/ { print $1 }')
	second_parent=$("$BERTH" builder du --format '{{.Parents}}|{{.Description}}' | awk -F'|' '/head -c 20000/ { print $1 }')
	[ -n "$first" ] && [ "$first" = "$second_parent" ]
	grep -qE '^Created at: +20[0-9]{2}-' <<<"$output"
	grep -qE '^Last used: +.* ago$' <<<"$output"
	[ "$(summary_value Total)" = "$(human_size "$(du_bytes)")" ]
	run_berth --exit 125 builder du -v --format table
	assert_output_contains "mutually exclusive"
}

@test "builder du --filter until=" {
	run_berth builder du --filter until=1h --format '{{.ID}}'
	[ -z "$output" ]
	run_berth builder du --filter until=$(( $(date +%s) + 60 )) --format '{{.ID}}'
	[ "${#lines[@]}" -eq 4 ]
	run_berth --exit 125 builder du --filter dangling=true
	assert_output_contains "invalid filter 'dangling=true'"
}

@test "system df and df -v show the same build cache records" {
	ids=$("$BERTH" builder du --format '{{.ID}} {{.Type}} {{.Shared}}' | awk '{ print substr($1, 1, 12), $2, $3 }' | sort)
	run_berth system df -v
	df_ids=$(sed -n '/^Build cache usage:/,/^Store space usage:/p' <<<"$output" | awk 'length($1) == 12 && $1 ~ /^[0-9a-f]+$/ { print $1, $2, $NF }' | sort)
	[ -n "$ids" ] && [ "$ids" = "$df_ids" ]
	run_berth builder du
	private=$(summary_value Private)
	run_berth system df -v
	assert_output_contains "Build cache usage: $private"
	row=$("$BERTH" system df --format '{{.Type}}|{{.TotalCount}}|{{.Size}}|{{.Reclaimable}}' | grep '^Build Cache|')
	[ "$row" = "Build Cache|4|$private|$private (100%)" ]
	# and the rows still add up to du of the root
	sum=$("$BERTH" system df --format '{{.Bytes}}' | awk '{s += $1} END {printf "%d", s}')
	du=$(du -sB1 "$BERTH_ROOT" | cut -f1)
	diff=$(( sum > du ? sum - du : du - sum ))
	[ $((diff * 100)) -le "$du" ] || { echo "df sum $sum vs du $du" >&2; return 1; }
}

@test "builder prune: --filter until= keeps recent records, -a -f empties the cache" {
	run_berth builder prune -a -f --filter until=1h
	[ "$output" = "Total reclaimed space: 0B" ]
	run_berth builder du --format '{{.ID}}'
	[ "${#lines[@]}" -eq 4 ]
	mount=$("$BERTH" builder du --format '{{.Type}} {{.ID}}' | awk '$1 == "exec.cachemount" { print $2 }')
	run_berth builder prune -a -f
	assert_output_contains "Deleted build cache objects:"
	assert_output_contains "$mount"
	run_berth builder du
	[ "${lines[0]}" = "ID        RECLAIMABLE   SIZE      LAST ACCESSED" ]
	[ "$(summary_value Total)" = "0B" ]
	[ "${#lines[@]}" -eq 3 ]
	run_berth system df --format '{{.Type}}|{{.TotalCount}}|{{.Size}}'
	assert_output_contains "Build Cache|0|0B"
	# the image keeps its layers; the next build misses and fills the cache again
	run_berth image inspect du:1 --format '{{.Id}}'
}

@test "a failed build leaves private records: reclaimable, in the Build Cache row, freed by prune" {
	"$BERTH" builder prune -a -f >/dev/null
	ctx=$(build_ctx fail)
	printf 'FROM busybox\nRUN head -c 50000 /dev/urandom > /r\nRUN false\n' > "$ctx/Dockerfile"
	run_berth --exit 1 build -q "$ctx"
	run_berth builder du --format '{{.Type}}|{{.Shared}}|{{.Reclaimable}}|{{.Bytes}}'
	[ "${#lines[@]}" -eq 1 ]
	IFS='|' read -r type shared recl bytes <<<"${lines[0]}"
	[ "$type" = regular ] && [ "$shared" = false ] && [ "$recl" = true ] && [ "$bytes" -ge 50000 ]
	run_berth builder du
	[ "$(summary_value Reclaimable)" = "$(human_size "$bytes")" ]
	[ "$(summary_value Total)" = "$(human_size "$bytes")" ]
	[ -z "$(summary_value Shared)" ]
	row=$("$BERTH" system df --format '{{.Type}}|{{.TotalCount}}|{{.Bytes}}' | grep '^Build Cache|')
	[ "$row" = "Build Cache|1|$bytes" ]
	sum=$("$BERTH" system df --format '{{.Bytes}}' | awk '{s += $1} END {printf "%d", s}')
	du=$(du -sB1 "$BERTH_ROOT" | cut -f1)
	diff=$(( sum > du ? sum - du : du - sum ))
	[ $((diff * 100)) -le "$du" ] || { echo "df sum $sum vs du $du" >&2; return 1; }
	run_berth builder prune -f
	assert_output_contains "Deleted build cache objects:"
	freed=$(awk '/^Total reclaimed space:/ { print $4 }' <<<"$output")
	[ "$freed" != "0B" ]
	run_berth builder du --format '{{.ID}}'
	[ -z "$output" ]
}
