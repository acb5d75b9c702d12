#!/bin/sh
# dockerfile-plan.sh: parse + plan a generated 10,000-line Dockerfile (20 stages of ENV, ARG,
# RUN, COPY, LABEL, WORKDIR, EXPOSE, multi-line RUN continuations, COPY --from) with
# `berth debug plan --bench` and print the mean time. Target: under 10 ms.
# Usage: bench/dockerfile-plan.sh [LINES] [RUNS]
set -eu
cd "$(dirname "$0")/.."
LINES=${1:-10000}
RUNS=${2:-20}
BERTH=${BERTH:-./berth}
# KEEP=DIR keeps the generated Dockerfile in DIR
if [ -n "${KEEP:-}" ]; then dir=$KEEP; mkdir -p "$dir"; else dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT; fi
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
echo "Dockerfile: $(wc -l <"$dir/Dockerfile") lines, $(wc -c <"$dir/Dockerfile") bytes"
"$BERTH" debug plan --image busybox --bench "$RUNS" "$dir"
