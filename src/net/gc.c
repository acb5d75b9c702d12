/* gc.c: bridges (and the nftables table) of berth roots that no longer exist. Every berth
 * bridge keeps its root in its alias ("berth-root:/var/lib/berth"); a root that was deleted
 * (a test's or a benchmark's private --root, rm -rf of a store) leaves bridges and a table that
 * no berth command would ever name again. The full reconcile (network rm/prune, system prune,
 * debug net-reconcile) removes them. */
#include "net/internal.h"
#include "net/netlink.h"
#include <dirent.h>
#include <errno.h>
#include "util/lazy_nftables.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#define ALIAS_PREFIX "berth-root:"

void net_bridge_mark_root(const struct store *st, const char *bridge)
{
	_cleanup_free_ char *alias = xasprintf(ALIAS_PREFIX "%s", st->root);
	berr ign = { 0 };
	if (strlen(alias) < 256)
		nl_link_set_alias(bridge, alias, &ign);
}

static void drop_table(const char *table)
{
	berr e = { 0 };
	if (lazylib_load_nftables(&e) < 0)
		return;
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		return;
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	_cleanup_free_ char *cmd = xasprintf("table ip %s\ndelete table ip %s\n", table, table);
	nft_run_cmd_from_buffer(nft, cmd);
	nft_ctx_free(nft);
}

static bool root_gone(const char *root, const char *keep_root)
{
	struct stat sb;
	return *root && (!keep_root || strcmp(root, keep_root)) && stat(root, &sb) < 0 && errno == ENOENT;
}

/* The output of one nft command (malloc'd), or NULL. */
static char *nft_text(const char *cmd)
{
	berr e = { 0 };
	if (lazylib_load_nftables(&e) < 0)
		return NULL;
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		return NULL;
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	char *out = nft_run_cmd_from_buffer(nft, cmd) == 0 ? xstrdup(nft_ctx_get_output_buffer(nft)) : NULL;
	nft_ctx_free(nft);
	return out;
}

/* Tables `ip berth_*` whose comment names a root that is gone (libnftables' JSON has no table
 * comments: the text listing of each berth table is read). */
static void gc_tables(const char *keep_root)
{
	_cleanup_free_ char *tables = nft_text("list tables ip");
	char *sp = NULL;
	for (char *l = tables ? strtok_r(tables, "\n", &sp) : NULL; l; l = strtok_r(NULL, "\n", &sp)) {
		char name[64];
		if (sscanf(l, "table ip %63s", name) != 1 || strncmp(name, "berth", 5) || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name))
			continue;
		_cleanup_free_ char *cmd = xasprintf("list table ip %s", name);
		_cleanup_free_ char *text = nft_text(cmd);
		const char *c = text ? strstr(text, "comment \"" ALIAS_PREFIX) : NULL;
		if (!c)
			continue;
		c += strlen("comment \"" ALIAS_PREFIX);
		_cleanup_free_ char *root = xstrndup(c, strcspn(c, "\"\n"));
		if (root_gone(root, keep_root)) {
			log_debug("net: removing table %s of the deleted root %s", name, root);
			drop_table(name);
		}
	}
}

void net_gc_orphans(const char *keep_root)
{
	gc_tables(keep_root);
	_cleanup_closedir_ DIR *d = opendir("/sys/class/net");
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "berth", 5))
			continue;
		char p[300];
		snprintf(p, sizeof p, "/sys/class/net/%s/ifalias", e->d_name);
		_cleanup_free_ char *alias = NULL;
		size_t len = 0;
		berr ign = { 0 };
		if (read_file(p, &alias, &len, &ign) < 0 || strncmp(alias, ALIAS_PREFIX, strlen(ALIAS_PREFIX)))
			continue;
		alias[strcspn(alias, "\n")] = 0;
		const char *root = alias + strlen(ALIAS_PREFIX);
		if (!root_gone(root, keep_root))
			continue;
		log_debug("net: removing %s of the deleted root %s", e->d_name, root);
		nl_link_del(e->d_name, &ign);
		struct store fake;
		memset(&fake, 0, sizeof fake);
		fake.root = (char *)root;
		struct net_names nm;
		net_names(&fake, &nm);
		if (!strcmp(nm.default_bridge, e->d_name))
			drop_table(nm.table);
	}
}

int net_gc(berr *err)
{
	/* the host-wide lock (any root's); a store is not needed */
	struct store fake;
	memset(&fake, 0, sizeof fake);
	fake.runroot = (char *)"/run/berth";
	int lk = net_lock(&fake, err);
	if (lk < 0)
		return -1;
	net_gc_orphans(NULL);
	net_unlock(lk);
	return 0;
}

/* Everything this root made on the host, when nothing is attached any more (system prune):
 * its default bridge and its nftables table (and Docker's DOCKER-USER rule with the last
 * berth table). Kept otherwise, as Docker keeps docker0. */
int net_release_host(struct store *st, berr *err)
{
	int lk = net_lock(st, err);
	if (lk < 0)
		return -1;
	int rc = -1;
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (net_reconcile_locked(st, err) < 0)
		goto out;
	if (store_prepare(st, &s, "SELECT 1 FROM net_endpoints LIMIT 1", err) < 0)
		goto out;
	if (sqlite3_step(s) == SQLITE_ROW) {
		rc = 0; /* in use */
		goto out;
	}
	struct net_network *nets = NULL;
	size_t nn = 0;
	if (net_list(st, &nets, &nn, err) < 0)
		goto out;
	for (size_t i = 0; i < nn; i++)
		net_bridge_remove_if_unused(st, &nets[i]);
	net_list_free(nets, nn);
	rc = nat_remove_table(st, err);
out:
	net_unlock(lk);
	return rc;
}
