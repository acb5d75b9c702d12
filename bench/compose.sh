#!/bin/bash
# compose.sh: a 5-service project (busybox image already present; each service a shell that
# sleeps and exits on SIGTERM) brought up and down by `berth compose` and by Debian's
# docker-compose on Docker: `up -d` (project network + 5 containers), `ps` while up, `down`;
# medians of BENCH_COMPOSE_RUNS (3) up/down cycles and BENCH_RUNS `ps` runs.
# Targets (issue 8): up -d at least 10x faster than docker-compose; ps under 20 ms.
. "$(dirname "$0")/lib.sh"
runs=${BENCH_COMPOSE_RUNS:-3}
proj=$BENCH_ID
dir=$BENCH_TMP/project
mkdir -p "$dir"
{
	echo "services:"
	for s in web api worker cache db; do
		cat <<EOF
  $s:
    image: $BENCH_IMG
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
EOF
	done
} >"$dir/compose.yaml"

# the compose command of each engine
cmd_berth=("$BERTH" compose -p "$proj" -f "$dir/compose.yaml")
cmd_compose=(docker-compose -p "$proj" -f "$dir/compose.yaml")
declare -A up ps down
engines=()
reason=
if "$BERTH" compose up --help >/dev/null 2>&1; then
	import_busybox berth && engines+=(berth)
else
	reason="berth compose not available yet"
fi
if have compose && import_busybox docker; then
	engines+=(compose)
	bench_cleanup "${cmd_compose[*]} down -t 1 --remove-orphans"
fi
for e in "${engines[@]}"; do
	declare -n cmd=cmd_$e
	note "$e: $runs up -d / ps / down cycles"
	tu=() td=() tp=n/a
	for ((i = 1; i <= runs; i++)); do
		tu+=($(time_once "${cmd[@]}" up -d))
		n=$("${cmd[@]}" ps -q 2>/dev/null | grep -c .)
		[ "$n" -eq 5 ] || note "$e: $n containers up, expected 5"
		[ $i = 1 ] && tp=$(time_median "$BENCH_RUNS" "${cmd[@]}" ps)
		td+=($(time_once "${cmd[@]}" down))
	done
	unset -n cmd
	up[$e]=$(printf '%s\n' "${tu[@]}" | grep -v n/a | median)
	down[$e]=$(printf '%s\n' "${td[@]}" | grep -v n/a | median)
	ps[$e]=$tp
done

why=()
[ -n "$reason" ] && why=(reason="$reason")
result compose.up ms lower 'berth*10<=compose' berth="${up[berth]:-n/a}" \
	compose="${up[compose]:-n/a}" "${why[@]}" note="5 services, docker-compose $(docker-compose version --short 2>/dev/null)"
result compose.ps ms lower 'berth<20' berth="${ps[berth]:-n/a}" compose="${ps[compose]:-n/a}" "${why[@]}"
result compose.down ms lower - berth="${down[berth]:-n/a}" compose="${down[compose]:-n/a}" "${why[@]}"
