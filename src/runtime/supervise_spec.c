/* supervise_spec.c: --restart, --health-*, --no-healthcheck, --log-driver, --log-opt for
 * run/create, as Docker's CLI and daemon validate them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/supervise.h"
#include "util/cleanup.h"
#include "util/units.h"

static int dur(const char *flag, const char *v, json_t *hc, const char *key, berr *err)
{
	if (!v)
		return 0;
	int64_t ns;
	if (units_parse_duration(v, &ns, err) < 0) {
		berr_wrap(err, "invalid argument \"%s\" for \"--%s\" flag", v, flag);
		return -1;
	}
	if (ns < 0)
		return berr_set(err, EINVAL, "--%s cannot be negative", flag);
	json_object_set_new(hc, key, json_integer(ns));
	return 0;
}

void log_opts_of(json_t *cfg, struct log_opts *lo)
{
	json_t *lc = json_object_get(json_object_get(cfg, "HostConfig"), "LogConfig");
	memset(lo, 0, sizeof *lo);
	snprintf(lo->driver, sizeof lo->driver, "%s", json_string_value(json_object_get(lc, "Type")) ?: "json-file");
	json_t *c = json_object_get(lc, "Config");
	const char *ms = json_string_value(json_object_get(c, "max-size"));
	const char *mf = json_string_value(json_object_get(c, "max-file"));
	berr e;
	if (ms && units_ram_in_bytes(ms, &lo->max_size, &e) < 0)
		lo->max_size = 0;
	lo->max_file = mf ? atoi(mf) : 1;
	if (lo->max_file < 1)
		lo->max_file = 1;
}

int log_config_build(const char *driver, struct strvec *opts, json_t **out, berr *err)
{
	if (!driver || !*driver)
		driver = "json-file";
	if (strcmp(driver, "json-file") && strcmp(driver, "none") && strcmp(driver, "journald"))
		return berr_set(err, EINVAL, "logger: no log driver named '%s' is registered", driver);
	json_t *cfgo = json_object();
	const char *ms = NULL, *mf = NULL;
	for (size_t i = 0; i < opts->n; i++) {
		char *eq = strchr(opts->v[i], '=');
		if (!eq) {
			json_decref(cfgo);
			return berr_set(err, EINVAL, "invalid key value pair format in log-opt: %s", opts->v[i]);
		}
		_cleanup_free_ char *k = xstrndup(opts->v[i], (size_t)(eq - opts->v[i]));
		bool ok = !strcmp(k, "tag") || !strcmp(k, "labels") || !strcmp(k, "env") || !strcmp(k, "env-regex");
		if (!strcmp(driver, "json-file"))
			ok = ok || !strcmp(k, "max-size") || !strcmp(k, "max-file") || !strcmp(k, "compress") ||
			     !strcmp(k, "labels-regex");
		if (!strcmp(driver, "none"))
			ok = false;
		if (!ok) {
			json_decref(cfgo);
			return berr_set(err, EINVAL, "unknown log opt '%s' for %s log driver", k, driver);
		}
		json_object_set_new(cfgo, k, json_string(eq + 1));
		if (!strcmp(k, "max-size"))
			ms = json_string_value(json_object_get(cfgo, k));
		if (!strcmp(k, "max-file"))
			mf = json_string_value(json_object_get(cfgo, k));
	}
	if (ms) {
		int64_t b;
		if (units_ram_in_bytes(ms, &b, err) < 0) {
			json_decref(cfgo);
			return -1;
		}
	}
	if (mf) {
		char *end;
		long n = strtol(mf, &end, 10);
		if (!*mf || *end) {
			json_decref(cfgo);
			return berr_set(err, EINVAL, "strconv.Atoi: parsing \"%s\": invalid syntax", mf);
		}
		if (n < 1) {
			json_decref(cfgo);
			return berr_set(err, EINVAL, "max-file cannot be less than 1");
		}
		if (n > 1 && !ms) {
			json_decref(cfgo);
			return berr_set(err, EINVAL, "max-file cannot be set without max-size");
		}
	}
	if (!strcmp(driver, "journald") && access("/run/systemd/journal/socket", W_OK) < 0) {
		json_decref(cfgo);
		return berr_set(err, EINVAL, "failed to initialize logging driver: journald is not enabled on this host");
	}
	*out = json_pack("{s:s,s:o}", "Type", driver, "Config", cfgo);
	return 0;
}

int supervise_spec(const char *restart, struct sup_flags *sf, json_t *cfg, berr *err)
{
	json_t *hostc = json_object_get(cfg, "HostConfig");
	struct restart_policy rp;
	if (restart_policy_parse(restart, &rp, err) < 0) {
		err->status = 125;
		return -1;
	}
	json_object_set_new(hostc, "RestartPolicy", json_pack("{s:s,s:i}", "Name", rp.name, "MaximumRetryCount", rp.max));
	json_t *lc = NULL;
	if (log_config_build(sf->log_driver, &sf->log_opt, &lc, err) < 0) {
		err->status = 125;
		return -1;
	}
	json_object_set_new(hostc, "LogConfig", lc);
	json_t *conf = json_object_get(cfg, "Config");
	bool any = sf->health_cmd || sf->health_interval || sf->health_timeout || sf->health_start_period ||
		   sf->health_start_interval || sf->health_retries;
	if (sf->no_healthcheck) {
		if (any) {
			err->status = 125;
			return berr_set(err, EINVAL, "--no-healthcheck conflicts with --health-* options");
		}
		json_object_set_new(conf, "Healthcheck", json_pack("{s:[s]}", "Test", "NONE"));
		return 0;
	}
	if (!any)
		return 0;
	json_t *hc = json_object_get(conf, "Healthcheck");
	hc = json_is_object(hc) ? json_deep_copy(hc) : json_object();
	if (sf->health_cmd)
		json_object_set_new(hc, "Test", json_pack("[s,s]", "CMD-SHELL", sf->health_cmd));
	if (dur("health-interval", sf->health_interval, hc, "Interval", err) < 0 ||
	    dur("health-timeout", sf->health_timeout, hc, "Timeout", err) < 0 ||
	    dur("health-start-period", sf->health_start_period, hc, "StartPeriod", err) < 0 ||
	    dur("health-start-interval", sf->health_start_interval, hc, "StartInterval", err) < 0) {
		json_decref(hc);
		err->status = 125;
		return -1;
	}
	if (sf->health_retries) {
		char *end;
		long n = strtol(sf->health_retries, &end, 10);
		if (!*sf->health_retries || *end) {
			json_decref(hc);
			err->status = 125;
			return berr_set(err, EINVAL, "invalid argument \"%s\" for \"--health-retries\" flag: strconv.ParseInt: parsing \"%s\": invalid syntax",
					sf->health_retries, sf->health_retries);
		}
		if (n < 0) {
			json_decref(hc);
			err->status = 125;
			return berr_set(err, EINVAL, "--health-retries cannot be negative");
		}
		json_object_set_new(hc, "Retries", json_integer(n));
	}
	json_object_set_new(conf, "Healthcheck", hc);
	return 0;
}
