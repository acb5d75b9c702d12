#!/usr/bin/env bats
# 03e-docker-parity: details compared side by side with Docker 20.10 on this machine: inspect's
# HostConfig/Config keys, ps COMMAND quoting and SIZE, exec failure lines, logs errors, cp edge
# cases and tar streams.
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "inspect: Docker's HostConfig and Config keys in Docker's order" {
	local id
	id=$("$BERTH" create busybox sleep 60)
	run_berth inspect "$id"
	run jq -r '.[0].HostConfig | keys_unsorted | join(",")' <<<"$output"
	assert_equal "$output" "Binds,ContainerIDFile,LogConfig,NetworkMode,PortBindings,RestartPolicy,AutoRemove,VolumeDriver,VolumesFrom,CapAdd,CapDrop,CgroupnsMode,Dns,DnsOptions,DnsSearch,ExtraHosts,GroupAdd,IpcMode,Cgroup,Links,OomScoreAdj,PidMode,Privileged,PublishAllPorts,ReadonlyRootfs,SecurityOpt,UTSMode,UsernsMode,ShmSize,Runtime,ConsoleSize,Isolation,CpuShares,Memory,NanoCpus,CgroupParent,BlkioWeight,BlkioWeightDevice,BlkioDeviceReadBps,BlkioDeviceWriteBps,BlkioDeviceReadIOps,BlkioDeviceWriteIOps,CpuPeriod,CpuQuota,CpuRealtimePeriod,CpuRealtimeRuntime,CpusetCpus,CpusetMems,Devices,DeviceCgroupRules,DeviceRequests,KernelMemory,KernelMemoryTCP,MemoryReservation,MemorySwap,MemorySwappiness,OomKillDisable,PidsLimit,Ulimits,CpuCount,CpuPercent,IOMaximumIOps,IOMaximumBandwidth,MaskedPaths,ReadonlyPaths"
	run_berth inspect "$id"
	run jq -c '.[0] | [.HostConfig.Binds, .HostConfig.ShmSize, (.HostConfig.ReadonlyPaths|length), .Config.Env, (.Config|keys_unsorted|join(","))]' <<<"$output"
	assert_equal "$output" '[null,67108864,5,null,"Hostname,Domainname,User,AttachStdin,AttachStdout,AttachStderr,Tty,OpenStdin,StdinOnce,Env,Cmd,Image,Volumes,WorkingDir,Entrypoint,OnBuild,Labels"]'
	# -e goes to Config.Env; PATH, HOSTNAME and TERM only to the process
	id=$("$BERTH" create -t --init --tmpfs /t --privileged -e FOO=bar busybox true)
	run_berth inspect "$id"
	run jq -c '.[0] | [.Config.Env, .HostConfig.Tmpfs, .HostConfig.Init, .HostConfig.MaskedPaths, (.HostConfig|keys_unsorted|.[26])]' <<<"$output"
	assert_equal "$output" '[["FOO=bar"],{"/t":""},true,null,"Tmpfs"]'
	run_berth run --rm -t -e FOO=bar busybox sh -c 'echo $PATH $TERM $FOO; echo $HOSTNAME | wc -c'
	assert_output_contains "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin xterm bar"
}

@test "ps: COMMAND quotes arguments with spaces; -s and .Size as Docker's" {
	run_berth --exit 3 run --name p1 busybox sh -c 'head -c 5000 /dev/zero > /big; exit 3'
	run_berth ps -a --filter name=p1 --format '{{.Command}}|{{.Size}}'
	[[ "$output" == "\"sh -c 'head -c 5000…\"|5kB (virtual "*"MB)" ]]
	run_berth ps -a --no-trunc --filter name=p1 --format '{{.Command}}'
	assert_equal "$output" "\"sh -c 'head -c 5000 /dev/zero > /big; exit 3'\""
	run_berth ps -as --filter name=p1
	[[ "${lines[0]}" == *"NAMES     SIZE" ]]
	[[ "${lines[1]}" == *"p1        5kB (virtual "*"MB)" ]]
	run_berth ps -a --filter name=p1 --format '{{.Size}}|'
	[[ "$output" == "5kB (virtual "*"MB)|" ]]
	run_berth rm p1
}

@test "exec: failures printed as Docker's (status 126; -d: the daemon's error, status 1)" {
	run_berth run -d --name e1 busybox sleep 60
	run_berth --exit 126 exec e1 nosuchcmd
	assert_equal "$output" 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown'
	run_berth --exit 126 exec -w /nope e1 true
	assert_equal "$output" 'OCI runtime exec failed: exec failed: unable to start container process: chdir to cwd ("/nope") set in config.json failed: no such file or directory: unknown'
	run_berth --exit 1 exec -d e1 nosuchcmd
	assert_equal "$output" 'Error response from daemon: OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown'
	run_berth exec -d e1 sh -c 'sleep 0.3; echo done > /tmp/d'
	assert_equal "$output" ""
	wait_for "$BERTH" exec e1 test -f /tmp/d
	run_berth rm -f e1
}

@test "run/create: a directory as the command, create's status, a name conflict" {
	run_berth --exit 126 run --rm busybox /etc
	assert_output_contains 'exec: "/etc": permission denied'
	local id
	id=$("$BERTH" create --name q1 busybox true)
	run_berth --exit 1 create --name q1 busybox true
	assert_output_contains "The container name \"/q1\" is already in use by container \"$id\""
	run_berth --exit 125 run --name q1 busybox true
	run_berth --exit 1 create -w rel busybox true
	run_berth --exit 125 create --bogus busybox true
	run_berth rm q1
}

@test "stats: {{json .}} keys in Docker's order, .Container as named" {
	run_berth run -d --name s1 busybox sleep 60
	run_berth stats --no-stream --format '{{json .}}' s1
	run jq -r 'keys_unsorted | join(",")' <<<"$output"
	assert_equal "$output" "BlockIO,CPUPerc,Container,ID,MemPerc,MemUsage,Name,NetIO,PIDs"
	run_berth stats --no-stream --format '{{.Container}} {{.Name}}' s1
	assert_equal "$output" "s1 s1"
	run_berth rm -f s1
}

@test "container prune: reclaimed space is the containers' SizeRw" {
	run_berth --exit 0 run --name pz busybox sh -c 'head -c 3000 /dev/zero > /f; mkdir -p /a/b/c'
	run_berth container prune -f
	assert_output_contains "Total reclaimed space: 3kB"
}

@test "logs: --since/--until errors as Docker's" {
	run_berth run --name l1 busybox echo x
	run_berth --exit 1 logs --since bogus l1
	assert_equal "$output" 'invalid value for "since": failed to parse value as time or duration: "bogus"'
	run_berth --exit 1 logs --until bogus l1
	assert_equal "$output" 'invalid value for "until": failed to parse value as time or duration: "bogus"'
	run_berth rm l1
}

@test "cp: Docker's edge cases" {
	run_berth run -d --name k1 busybox sh -c 'mkdir -p /d/sub; echo a > /d/a; echo b > /d/sub/b; ln -s /d/a /lnk; sleep 60'
	wait_for "$BERTH" exec k1 test -L /lnk
	cd "$BATS_TEST_TMPDIR"
	mkdir -p h d2 d3
	echo hostf > h/f
	run_berth --exit 1 cp k1:/nope out1
	assert_output_contains "Could not find the file /nope in container k1"
	run_berth --exit 1 cp k1:/d/a nodir/x
	assert_equal "$output" "invalid output path: directory \"$BATS_TEST_TMPDIR/nodir\" does not exist"
	run_berth cp k1:/d d2
	[ -f d2/d/sub/b ]
	run_berth cp k1:/d/. d3
	[ -f d3/a ] && [ -f d3/sub/b ] && [ ! -e d3/d ]
	run_berth cp k1:/lnk l1
	[ -L l1 ]
	run_berth cp -L k1:/lnk l2
	[ -f l2 ] && [ ! -L l2 ] && [ "$(cat l2)" = a ]
	run_berth --exit 1 cp h/f k1:/nodir/x
	assert_output_contains "Could not find the file /nodir in container k1"
	run_berth --exit 1 cp h/f k1:/d/a/
	assert_equal "$output" "no such directory"
	run_berth --exit 1 cp h k1:/d/a
	assert_equal "$output" "cannot copy directory"
	run_berth --exit 1 cp h/nope k1:/x
	assert_equal "$output" "lstat $BATS_TEST_TMPDIR/h/nope: no such file or directory"
	run_berth --exit 1 cp k1:/d/a/ x12
	assert_output_contains "lstat /d/a/: not a directory"
	run_berth --exit 1 cp k1:/d/a nofile/
	assert_equal "$output" 'destination "nofile/" must be a directory'
	# tar streams
	run bash -c "'$BERTH' cp k1:/d - | tar t | sort | tr '\n' ' '"
	assert_equal "$output" "d/ d/a d/sub/ d/sub/b "
	tar -C h -c f | "$BERTH" cp - k1:/d
	run_berth exec k1 cat /d/f
	assert_equal "$output" "hostf"
	run_berth --exit 1 cp - k1:/nope </dev/null
	assert_output_contains "Could not find the file /nope in container k1"
	run_berth rm -f k1
}
