# builder-du.bash: helpers for 077-builder-du.bats.
load ../lib/build

# human_size BYTES: go-units HumanSize (4 significant digits, decimal units), as berth prints.
human_size() {
	awk -v s="$1" 'BEGIN { split("B kB MB GB TB PB", u, " "); i = 1
		while (s >= 1000 && i < 6) { s /= 1000; i++ }
		printf "%.4g%s\n", s, u[i] }'
}

# du_bytes [FILTER...]: the sum of the records' bytes of `builder du`.
du_bytes() {
	"$BERTH" builder du "$@" --format '{{.Bytes}}' | awk '{ s += $1 } END { printf "%d\n", s }'
}

# summary_value NAME: the value of the summary line NAME (Total, Shared...) in $output.
summary_value() {
	awk -v k="$1:" '$1 == k { print $2 }' <<<"$output"
}
