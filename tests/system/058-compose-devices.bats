#!/usr/bin/env bats
# 058-compose-devices: a service's devices (short and long syntax) and device_cgroup_rules
# reach the container as `run --device` / `--device-cgroup-rule` would.
load ../lib/compose-up

setup_file() { compose_up_setup_file; }
teardown_file() { compose_up_teardown_file; }
setup() { berth_setup_root; }
teardown() { compose_teardown; }

@test "compose devices: short and long syntax create the nodes; rules land in HostConfig" {
	compose_dir dv
	cat > compose.yaml <<'YAML'
services:
  app:
    image: busybox:latest
    command: sleep 300
    stop_signal: KILL
    devices:
      - "/dev/null:/dev/mynull:rw"
      - source: /dev/zero
        target: /dev/myzero
        permissions: r
    device_cgroup_rules:
      - "c 1:3 rmw"
YAML
	run_compose up -d
	run_berth exec dv-app-1 sh -c 'stat -c "%t:%T" /dev/mynull /dev/myzero; echo hi > /dev/mynull && echo wrote'
	assert_equal "$(echo "$output" | head -2 | tr '\n' ' ')" "1:3 1:5 "
	assert_output_contains "wrote"
	run_berth inspect -f '{{json .HostConfig.Devices}}' dv-app-1
	assert_equal "$(jq -c '[.[] | [.PathOnHost, .PathInContainer, .CgroupPermissions]]' <<<"$output")" \
		'[["/dev/null","/dev/mynull","rw"],["/dev/zero","/dev/myzero","r"]]'
	run_berth inspect -f '{{json .HostConfig.DeviceCgroupRules}}' dv-app-1
	assert_equal "$output" '["c 1:3 rmw"]'
}
