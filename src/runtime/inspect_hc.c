/* inspect_hc.c: the HostConfig and Config objects of `inspect` in Docker 20.10's shape: every
 * key Docker prints, in Docker's order, with Docker's defaults for what berth does not set
 * (Blkio*, Cpu* ...), nulls where Docker has nulls (empty Binds, Env), omitempty keys (Tmpfs,
 * Init, ExposedPorts, ...) only when set, and the masked/read-only paths berth applies. */
#include <string.h>
#include "runtime/runtime.h"

static void take(json_t *out, json_t *in, const char *k, json_t *dflt)
{
	json_t *v = json_object_get(in, k);
	if (v)
		json_object_set(out, k, v);
	else
		json_object_set(out, k, dflt);
	json_decref(dflt);
}

static json_t *null_if_empty(json_t *v)
{
	if (!v || json_is_null(v) || (json_is_array(v) && !json_array_size(v)) ||
	    (json_is_object(v) && !json_object_size(v)))
		return json_null();
	return json_incref(v);
}

static json_t *strlist(const char *const *v)
{
	json_t *a = json_array();
	for (; *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

json_t *ctr_inspect_hostconfig(json_t *hc)
{
	json_t *o = json_object();
	bool priv = json_is_true(json_object_get(hc, "Privileged"));
	json_object_set_new(o, "Binds", null_if_empty(json_object_get(hc, "Binds")));
	take(o, hc, "ContainerIDFile", json_string(""));
	take(o, hc, "LogConfig", json_pack("{s:s,s:{}}", "Type", "json-file", "Config"));
	take(o, hc, "NetworkMode", json_string("default"));
	take(o, hc, "PortBindings", json_object());
	take(o, hc, "RestartPolicy", json_pack("{s:s,s:i}", "Name", "no", "MaximumRetryCount", 0));
	take(o, hc, "AutoRemove", json_false());
	take(o, hc, "VolumeDriver", json_string(""));
	json_object_set_new(o, "VolumesFrom", null_if_empty(json_object_get(hc, "VolumesFrom")));
	take(o, hc, "CapAdd", json_null());
	take(o, hc, "CapDrop", json_null());
	/* berth always gives a container its own cgroup and IPC namespaces */
	json_object_set_new(o, "CgroupnsMode", json_string("private"));
	take(o, hc, "Dns", json_array());
	take(o, hc, "DnsOptions", json_array());
	take(o, hc, "DnsSearch", json_array());
	take(o, hc, "ExtraHosts", json_null());
	take(o, hc, "GroupAdd", json_null());
	json_object_set_new(o, "IpcMode", json_string("private"));
	json_object_set_new(o, "Cgroup", json_string(""));
	take(o, hc, "Links", json_null());
	take(o, hc, "OomScoreAdj", json_integer(0));
	json_object_set_new(o, "PidMode", json_string(""));
	take(o, hc, "Privileged", json_false());
	take(o, hc, "PublishAllPorts", json_false());
	take(o, hc, "ReadonlyRootfs", json_false());
	take(o, hc, "SecurityOpt", json_null());
	json_t *tmpfs = json_object_get(hc, "Tmpfs");
	if (json_object_size(tmpfs))
		json_object_set(o, "Tmpfs", tmpfs);
	json_object_set_new(o, "UTSMode", json_string(""));
	json_object_set_new(o, "UsernsMode", json_string(""));
	json_object_set_new(o, "ShmSize", json_integer(64 << 20));
	json_object_set_new(o, "Runtime", json_string("berth"));
	json_object_set_new(o, "ConsoleSize", json_pack("[i,i]", 0, 0));
	json_object_set_new(o, "Isolation", json_string(""));
	take(o, hc, "CpuShares", json_integer(0));
	take(o, hc, "Memory", json_integer(0));
	take(o, hc, "NanoCpus", json_integer(0));
	json_object_set_new(o, "CgroupParent", json_string(""));
	json_object_set_new(o, "BlkioWeight", json_integer(0));
	static const char *const blk[] = { "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps",
		"BlkioDeviceReadIOps", "BlkioDeviceWriteIOps", NULL };
	for (const char *const *b = blk; *b; b++)
		json_object_set_new(o, *b, json_array());
	static const char *const zero[] = { "CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime", NULL };
	for (const char *const *z = zero; *z; z++)
		json_object_set_new(o, *z, json_integer(0));
	json_object_set_new(o, "CpusetCpus", json_string(""));
	json_object_set_new(o, "CpusetMems", json_string(""));
	take(o, hc, "Devices", json_array());
	take(o, hc, "DeviceCgroupRules", json_null());
	json_object_set_new(o, "DeviceRequests", json_null());
	json_object_set_new(o, "KernelMemory", json_integer(0));
	json_object_set_new(o, "KernelMemoryTCP", json_integer(0));
	json_object_set_new(o, "MemoryReservation", json_integer(0));
	take(o, hc, "MemorySwap", json_integer(0));
	json_object_set_new(o, "MemorySwappiness", json_null());
	json_object_set_new(o, "OomKillDisable", json_false());
	take(o, hc, "PidsLimit", json_null());
	json_object_set_new(o, "Ulimits", json_array());
	static const char *const zero2[] = { "CpuCount", "CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth", NULL };
	for (const char *const *z = zero2; *z; z++)
		json_object_set_new(o, *z, json_integer(0));
	json_t *m = json_object_get(hc, "Mounts");
	if (json_array_size(m))
		json_object_set(o, "Mounts", m);
	json_object_set_new(o, "MaskedPaths", priv ? json_null() : strlist(mounts_masked_paths()));
	json_object_set_new(o, "ReadonlyPaths", priv ? json_null() : strlist(mounts_readonly_paths()));
	if (json_is_true(json_object_get(hc, "Init")))
		json_object_set_new(o, "Init", json_true());
	/* anything else berth records that Docker does not have stays, at the end */
	const char *k;
	json_t *v;
	json_object_foreach(hc, k, v) if (!json_object_get(o, k) && strcmp(k, "Tmpfs") && strcmp(k, "Init") && strcmp(k, "Mounts"))
		json_object_set(o, k, v);
	return o;
}

json_t *ctr_inspect_config(json_t *conf)
{
	static const struct { const char *k; bool omitempty; } keys[] = {
		{ "Hostname", false }, { "Domainname", false }, { "User", false }, { "AttachStdin", false },
		{ "AttachStdout", false }, { "AttachStderr", false }, { "ExposedPorts", true }, { "Tty", false },
		{ "OpenStdin", false }, { "StdinOnce", false }, { "Env", false }, { "Cmd", false },
		{ "Healthcheck", true }, { "ArgsEscaped", true }, { "Image", false }, { "Volumes", false },
		{ "WorkingDir", false }, { "Entrypoint", false }, { "NetworkDisabled", true }, { "MacAddress", true },
		{ "OnBuild", false }, { "Labels", false }, { "StopSignal", true }, { "StopTimeout", true },
		{ "Shell", true },
	};
	json_t *o = json_object();
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_t *v = json_object_get(conf, keys[i].k);
		if (keys[i].omitempty && (!v || json_is_null(v)))
			continue;
		if (!strcmp(keys[i].k, "Env") || !strcmp(keys[i].k, "Cmd") || !strcmp(keys[i].k, "Entrypoint") ||
		    !strcmp(keys[i].k, "Volumes") || !strcmp(keys[i].k, "OnBuild"))
			json_object_set_new(o, keys[i].k, null_if_empty(v));
		else
			json_object_set(o, keys[i].k, v ? v : json_null());
	}
	const char *k;
	json_t *v;
	json_object_foreach(conf, k, v) if (!json_object_get(o, k) && !json_is_null(v))
		json_object_set(o, k, v);
	return o;
}
