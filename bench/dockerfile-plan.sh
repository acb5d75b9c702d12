#!/bin/bash
# dockerfile-plan.sh: parse + plan a generated 10,000-line Dockerfile (20 stages, each FROM the
# previous one, of ENV, ARG, RUN, COPY, LABEL, WORKDIR, EXPOSE, multi-line RUN continuations,
# COPY --from), as the builder does: load (parse, typed instructions, stages), plan every stage
# the target needs with its config, and free it all. Target (issue 3): under 10 ms.
#
#   inproc   mean CPU time of that work inside one process (`berth debug plan --bench RUNS`:
#            CLOCK_PROCESS_CPUTIME_ID around the calls; no process start-up, no file read)
#   command  mean CPU time (user+sys) of the whole command `berth debug plan --bench 1`
#            (start-up, reading the file, the work once), and of the same command on a
#            one-line Dockerfile (berth_empty: the start-up alone)
# Usage: bench/dockerfile-plan.sh [LINES] [RUNS]   (KEEP=DIR keeps the Dockerfile in DIR)
. "$(dirname "$0")/lib.sh"

LINES=${1:-10000}
RUNS=${2:-20}
dir=${KEEP:-$BENCH_TMP/df}
mkdir -p "$dir" "$BENCH_TMP/empty"
awk -v lines="$LINES" 'BEGIN {
	print "ARG BASE=busybox"
	print "ARG VERSION=1.0"
	n = 2; stage = 0
	while (n < lines) {
		if (n % 500 == 2) {
			if (stage > 0) printf "FROM s%d AS s%d\n", stage - 1, stage
			else printf "FROM $BASE AS s0\n"
			stage++; n++
			print "ARG VERSION"; n++
			continue
		}
		k = n % 9
		if (k == 0) printf "ENV VAR_%d=value-%d OPT_%d=/opt/%d/bin\n", n, n, n, n
		else if (k == 1) printf "ARG A_%d=default-$VERSION\n", n
		else if (k == 2) printf "RUN echo \"step %d\" $VAR_%d && \\\n    touch /tmp/f%d\n", n, n - 2, n
		else if (k == 3) printf "COPY --chown=1000:1000 src/file%d.txt /app/dir-${VERSION}/\n", n
		else if (k == 4) printf "LABEL org.example.l%d=\"value %d\"\n", n, n
		else if (k == 5) printf "WORKDIR /app/w%d\n", n
		else if (k == 6) printf "EXPOSE %d/tcp\n", 1000 + n % 60000
		else if (k == 7 && stage > 1) printf "COPY --from=s%d /app /from-%d\n", stage - 2, n
		else printf "RUN [\"/bin/true\", \"%d\"]\n", n
		n += (k == 2) ? 2 : 1
	}
}' >"$dir/Dockerfile"
echo "FROM busybox" >"$BENCH_TMP/empty/Dockerfile"
note "Dockerfile: $(wc -l <"$dir/Dockerfile") lines, $(wc -c <"$dir/Dockerfile") bytes"

# in-process
out=$("$BERTH" debug plan --image busybox --bench "$RUNS" "$dir")
note "$out"
total=$(sed -n 's/^parse+plan+free: \([0-9.]*\) ms.*/\1/p' <<<"$out")
parse=$(sed -n 's/.*(parse \([0-9.]*\) ms.*/\1/p' <<<"$out")
plan=$(sed -n 's/.*, plan \([0-9.]*\) ms.*/\1/p' <<<"$out")
free=$(sed -n 's/.*, free \([0-9.]*\) ms.*/\1/p' <<<"$out")
result dockerfile-plan.inproc ms lower 'berth<10' "berth=${total:-n/a}" \
	"note=parse_${parse}_plan_${plan}_free_${free}_ms_CPU,_mean_of_${RUNS}"

# whole command: CPU of the children (user+sys), mean of RUNS runs
cmd_cpu() {
	python3 - "$RUNS" "$@" <<'PY'
import resource, subprocess, sys
n, cmd = int(sys.argv[1]), sys.argv[2:]
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
for _ in range(n):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % ((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000 / n))
PY
}
full=$(cmd_cpu "$BERTH" debug plan --image busybox --bench 1 "$dir" || echo n/a)
empty=$(cmd_cpu "$BERTH" debug plan --image busybox --bench 1 "$BENCH_TMP/empty" || echo n/a)
note "whole command: $full ms CPU; on a one-line Dockerfile (start-up): $empty ms"
result dockerfile-plan.command ms lower - "berth=$full" \
	"note=CPU_(user+sys)_of_berth_debug_plan_--bench_1_on_the_${LINES}-line_Dockerfile"
result dockerfile-plan.startup ms lower - "berth=$empty" \
	"note=the_same_command_on_a_1-line_Dockerfile"
