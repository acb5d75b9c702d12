/* gc.c: bridges (and the nftables table) of berth roots that no longer exist. Every berth
 * bridge keeps its root in its alias ("berth-root:/var/lib/berth"); a root that was deleted
 * (a test's or a benchmark's private --root, rm -rf of a store) leaves bridges and a table that
 * no berth command would ever name again. The full reconcile (network rm/prune, system prune,
 * debug net-reconcile) removes them. */
#include "net/internal.h"
#include "net/netlink.h"
#include <dirent.h>
#include <errno.h>
#include <nftables/libnftables.h>
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
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		return;
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	_cleanup_free_ char *cmd = xasprintf("table ip %s\ndelete table ip %s\n", table, table);
	nft_run_cmd_from_buffer(nft, cmd);
	nft_ctx_free(nft);
}

void net_gc_orphans(struct store *st)
{
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
		struct stat sb;
		if (!*root || !strcmp(root, st->root) || stat(root, &sb) == 0 || errno != ENOENT)
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
