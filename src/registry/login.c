/* login.c: `berth login`: check credentials against the registry's /v2/ endpoint (Basic, or a
 * Bearer token fetched with them) before storing them (auth.c). */
#include <errno.h>
#include <string.h>
#include "registry/client.h"
#include "util/cleanup.h"

int registry_store_creds(const char *host, const char *user, const char *pass, const struct reg_opts *o, berr *err);

int registry_login(const char *server, const char *user, const char *pass, const struct reg_opts *o0, berr *err)
{
	struct reg_opts o = REG_OPTS_INIT;
	if (o0)
		o = *o0;
	o.user = user;
	o.pass = pass;
	const char *host = server ? server : "docker.io";
	struct reg_client *c;
	if (reg_client_open(&c, host, NULL, "pull", &o, err) < 0) {
		err->status = 1;
		return -1;
	}
	struct reg_resp r;
	int ret = reg_do(c, "GET", "/v2/", NULL, NULL, &r, err);
	if (ret == 0 && r.status != 200) {
		if (r.status == 401 && c->basic)
			berr_set(err, EACCES, "login attempt to %s/v2/ failed with status: 401 Unauthorized", c->base);
		else if (r.status == 401)
			berr_set(err, EACCES, "Get \"%s/v2/\": unauthorized: authentication required", c->base);
		else
			berr_set(err, EIO, "login attempt to %s/v2/ failed with status: %ld", c->base, r.status);
		ret = -1;
	}
	if (ret == 0)
		reg_resp_release(&r);
	else if (r.status)
		reg_resp_release(&r);
	reg_client_free(c);
	if (ret == 0)
		ret = registry_store_creds(host, user, pass, &o, err);
	if (ret < 0)
		err->status = 1;
	return ret;
}
