#!/usr/bin/env bats
# 035-volumes: -v host binds (rw/ro), named volumes seeded from the image, --mount, --tmpfs.
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "-v /host:/ctr binds read-write; :ro is read-only; a missing host dir is created" {
	local h="$BATS_TEST_TMPDIR/host"
	mkdir -p "$h"
	echo from-host > "$h/in"
	run_berth run --rm -v "$h:/data" busybox sh -c 'cat /data/in; echo from-ctr > /data/out'
	assert_equal "$output" "from-host"
	[ "$(cat "$h/out")" = from-ctr ]
	run_berth --exit 1 run --rm -v "$h:/data:ro" busybox touch /data/x
	assert_output_contains "Read-only file system"
	run_berth run --rm -v "$BATS_TEST_TMPDIR/made/by/v:/m" busybox true
	[ -d "$BATS_TEST_TMPDIR/made/by/v" ]
	# nothing stays mounted on the host
	! grep -q "$BATS_TEST_TMPDIR" /proc/self/mountinfo
}

@test "named volumes: created on demand, seeded from the image, persistent" {
	run_berth run --rm -v webdata:/var/www busybox sh -c 'cat /var/www/index.html; echo more > /var/www/extra'
	assert_equal "$output" "hello from busybox"
	[ -f "$BERTH_ROOT/volumes/webdata/_data/index.html" ]
	run_berth run --rm -v webdata:/srv busybox cat /srv/extra /srv/index.html
	assert_equal "$output" "more
hello from busybox"
	run_berth run --rm -v webdata:/var/www:ro busybox sh -c 'touch /var/www/x 2>&1; true'
	assert_output_contains "Read-only file system"
	run_berth --exit 125 run --rm -v 'bad name!:/x' busybox true
}

@test "--mount type=bind|volume|tmpfs and validation" {
	local h="$BATS_TEST_TMPDIR/m"
	mkdir -p "$h"
	run_berth run --rm --mount type=bind,source="$h",target=/b --mount type=volume,source=mv,target=/v \
		--mount type=tmpfs,target=/t,tmpfs-size=1m busybox sh -c 'touch /b/ok /v/ok; grep -E " /(b|v|t) " /proc/mounts | cut -d" " -f2,3 | sort'
	assert_equal "$output" "/b ext4
/t tmpfs
/v ext4"
	[ -f "$h/ok" ] && [ -f "$BERTH_ROOT/volumes/mv/_data/ok" ]
	run_berth --exit 125 run --rm --mount type=bind,source=/does/not/exist,target=/x busybox true
	assert_output_contains "bind source path does not exist: /does/not/exist"
	run_berth --exit 125 run --rm --mount type=bind,source="$h",target=relative busybox true
	run_berth --exit 125 run --rm --mount type=bogus,target=/x busybox true
	run_berth run --rm --mount type=bind,source="$h",target=/ro,readonly busybox sh -c 'touch /ro/x 2>&1; true'
	assert_output_contains "Read-only file system"
}

@test "--tmpfs mounts are noexec,nosuid,nodev by default" {
	run_berth run --rm --tmpfs /scratch:size=2m busybox grep " /scratch " /proc/mounts
	assert_output_contains "tmpfs rw,nosuid,nodev,noexec"
	assert_output_contains "size=2048k"
}

@test "anonymous volumes and rm -v" {
	run_berth run --name av -v /anon busybox sh -c 'echo x > /anon/f'
	local vol
	vol=$("$BERTH" container inspect -f '{{range .Mounts}}{{.Name}}{{end}}' av)
	[ ${#vol} = 64 ]
	[ -f "$BERTH_ROOT/volumes/$vol/_data/f" ]
	run_berth rm -v av
	[ ! -e "$BERTH_ROOT/volumes/$vol" ]
}

@test "inspect shows Mounts as Docker does" {
	run_berth create --name mi -v named1:/n -v "$BATS_TEST_TMPDIR:/h:ro" busybox true
	run_berth container inspect -f '{{range .Mounts}}{{.Type}}:{{.Destination}}:{{.RW}} {{end}}' mi
	assert_equal "$output" "volume:/n:true bind:/h:false "
	run_berth rm mi
}

@test "volume create, ls, inspect, rm (refused while in use), prune" {
	run_berth volume create vv1
	assert_equal "$output" "vv1"
	run_berth volume ls --format '{{.Driver}} {{.Name}}'
	assert_output_contains "local vv1"
	run_berth volume inspect -f '{{.Name}} {{.Driver}} {{.Mountpoint}}' vv1
	assert_equal "$output" "vv1 local $BERTH_ROOT/volumes/vv1/_data"
	run_berth run -d --name vuser -v vv1:/d busybox sleep 100
	local id=$output
	run_berth --exit 1 volume rm vv1
	assert_output_contains "volume is in use - [$id]"
	run_berth rm -f vuser
	run_berth volume rm vv1
	run_berth --exit 1 volume inspect vv1
	run_berth volume create vv2
	run_berth volume prune -f
	assert_output_contains "Deleted Volumes:"
	assert_output_contains "vv2"
	run_berth volume ls -q
	[[ "$output" != *vv2* ]]
}

@test "--volumes-from shares another container's volumes and binds" {
	run_berth create --name vsrc -v shared1:/shared -v "$BATS_TEST_TMPDIR:/hostdir" busybox true
	run_berth run --rm --volumes-from vsrc busybox sh -c 'echo via-from > /shared/f; ls -d /hostdir'
	assert_equal "$output" "/hostdir"
	[ "$(cat "$BERTH_ROOT/volumes/shared1/_data/f")" = via-from ]
	run_berth run --rm --volumes-from vsrc:ro busybox sh -c 'touch /shared/g 2>&1; true'
	assert_output_contains "Read-only file system"
	run_berth --exit 125 run --rm --volumes-from nosuch busybox true
	run_berth rm vsrc
}

@test "an image's VOLUME gets an anonymous volume seeded from the image" {
	"$BERTH" import --change 'VOLUME /var/www' "$(busybox_tarball)" volimg >/dev/null
	run_berth run --name vi volimg sh -c 'cat /var/www/index.html; grep " /var/www " /proc/mounts | wc -l'
	assert_equal "$output" "hello from busybox
1"
	run_berth container inspect -f '{{range .Mounts}}{{.Type}} {{.Destination}}{{end}}' vi
	assert_equal "$output" "volume /var/www"
	# an explicit mount at the same path wins
	run_berth run --rm -v "$BATS_TEST_TMPDIR:/var/www" volimg sh -c 'ls /var/www | wc -l'
	run_berth rm -v vi
	run_berth rmi volimg
}
