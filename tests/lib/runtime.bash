# runtime.bash: helpers for the container runtime system tests (03x-*.bats).
# runtime_setup_file: private store, the busybox image imported as "busybox", and its rootfs
# unpacked in $BBROOT (for --rootfs tests).
load ../lib/helpers

runtime_setup_file() {
	berth_setup_root
	local tar
	tar=$(busybox_tarball)
	"$BERTH" import "$tar" busybox >/dev/null
	export BBROOT="$BATS_FILE_TMPDIR/bbroot"
	mkdir -p "$BBROOT"
	tar -C "$BBROOT" -xf "$tar"
}

# Remove every container of this file's store; fails if a monitor or cgroup leaked.
runtime_teardown_file() {
	berth_setup_root
	local ids
	ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null)
	[ -z "$ids" ] || "$BERTH" rm -f $ids >/dev/null 2>&1 || true
}

# cgroup dirs of a container id (v1 pids controller or v2 unified)
runtime_cgroup_dir() {
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo "/sys/fs/cgroup/berth/$1"
	else
		echo "/sys/fs/cgroup/pids/berth/$1"
	fi
}

# wait_for CMD...: retry a command every 0.1 s until it succeeds, for up to 30 s of wall
# time (a state reached on a loaded machine can take seconds; a pass returns at once)
wait_for() {
	local deadline=$((${EPOCHSECONDS:-$(date +%s)} + 30))
	while :; do
		"$@" && return 0
		[ "${EPOCHSECONDS:-$(date +%s)}" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}
