/* endpoints.c: what a container is attached to, read from the store (inspect, ps, resolv.conf). */
#include <string.h>
#include "net/internal.h"
#include "util/cleanup.h"

int net_endpoints_of(struct store *st, const char *container_id, struct net_endpoint_info **out, size_t *n, berr *err)
{
	*out = NULL;
	*n = 0;
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT n.name, n.id, e.endpoint_id, e.ip, n.prefix, n.gateway, e.mac, n.internal, e.aliases"
			  " FROM net_endpoints e JOIN networks n ON n.id = e.network_id WHERE e.container_id = ? ORDER BY e.rowid", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, container_id, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		struct net_endpoint_info *e = &(*out)[(*n)++];
		memset(e, 0, sizeof *e);
		snprintf(e->network, sizeof e->network, "%s", (const char *)sqlite3_column_text(s, 0));
		snprintf(e->network_id, sizeof e->network_id, "%s", (const char *)sqlite3_column_text(s, 1));
		snprintf(e->endpoint_id, sizeof e->endpoint_id, "%s", (const char *)sqlite3_column_text(s, 2));
		net_ip_str((uint32_t)sqlite3_column_int64(s, 3), e->ip);
		e->prefix = sqlite3_column_int(s, 4);
		e->internal = sqlite3_column_int(s, 7) != 0;
		if (!e->internal)
			net_ip_str((uint32_t)sqlite3_column_int64(s, 5), e->gateway);
		snprintf(e->mac, sizeof e->mac, "%s", (const char *)sqlite3_column_text(s, 6));
		e->user = strcmp(e->network, NET_DEFAULT) != 0;
		e->aliases = json_loads((const char *)sqlite3_column_text(s, 8), 0, NULL);
		if (!json_is_array(e->aliases)) {
			json_decref(e->aliases);
			e->aliases = json_array();
		}
	}
	return 0;
}

void net_endpoints_free(struct net_endpoint_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(v[i].aliases);
	free(v);
}

bool net_has_endpoints(struct store *st, const char *container_id)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	berr e;
	if (store_prepare(st, &s, "SELECT 1 FROM net_endpoints WHERE container_id = ? LIMIT 1", &e) < 0)
		return false;
	sqlite3_bind_text(s, 1, container_id, -1, SQLITE_STATIC);
	return sqlite3_step(s) == SQLITE_ROW;
}
