/* test_net: the parts of the network layer that need no root: -p parsing, CIDR parsing, subnet
 * and address allocation in the store, network create/lookup/remove, the --format subset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net/internal.h"
#include "util/fs.h"

static void test_port_parse(void **state)
{
	(void)state;
	struct net_port *v = NULL;
	size_t n = 0;
	berr e = { 0 };
	assert_int_equal(net_port_parse("8080:80", &v, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].proto, "tcp");
	assert_int_equal(v[0].host_port, 8080);
	assert_int_equal(v[0].container_port, 80);
	assert_int_equal(v[0].host_ip, 0);
	assert_int_equal(net_port_parse("127.0.0.1:5353:53/udp", &v, &n, &e), 0);
	assert_string_equal(v[1].proto, "udp");
	assert_int_equal(v[1].host_ip, 0x7f000001);
	assert_int_equal(net_port_parse("127.0.0.1::81", &v, &n, &e), 0);
	assert_int_equal(v[2].host_port, 0);
	assert_int_equal(net_port_parse("9000-9002:90-92", &v, &n, &e), 0);
	assert_int_equal(n, 6);
	assert_int_equal(v[5].host_port, 9002);
	assert_int_equal(v[5].container_port, 92);
	assert_int_equal(net_port_parse("100-101", &v, &n, &e), 0);
	assert_int_equal(n, 8);
	assert_int_equal(v[7].host_port, 0);
	assert_int_equal(net_port_parse("7000-7010:80", &v, &n, &e), 0);
	assert_int_equal(n, 9);
	assert_int_equal(v[8].host_port, 7000);
	assert_int_equal(v[8].host_port_end, 7010);
	assert_int_equal(v[8].container_port, 80);
	size_t before = n;
	assert_int_equal(net_port_parse("80/sctp", &v, &n, &e), -1);
	assert_non_null(strstr(e.msg, "invalid proto"));
	assert_int_equal(net_port_parse("70000:80", &v, &n, &e), -1);
	assert_int_equal(net_port_parse("1-3:1-2", &v, &n, &e), -1);
	assert_int_equal(net_port_parse("x:80", &v, &n, &e), -1);
	assert_int_equal(net_port_parse("1.2.3:80:80", &v, &n, &e), -1);
	assert_int_equal(net_port_parse(":0", &v, &n, &e), -1);
	assert_int_equal(n, before);
	free(v);
}

static void test_cidr(void **state)
{
	(void)state;
	uint32_t ip;
	int p;
	char b[16];
	assert_int_equal(net_cidr_parse("10.211.3.0/24", &ip, &p), 0);
	assert_int_equal(p, 24);
	assert_string_equal(net_ip_str(ip, b), "10.211.3.0");
	assert_int_equal(net_cidr_parse("10.211.3.0", &ip, &p), -1);
	assert_int_equal(net_cidr_parse("10.211.3.0/33", &ip, &p), -1);
	assert_int_equal(net_cidr_parse("10.211.3.0/", &ip, &p), -1);
	assert_int_equal(net_cidr_parse("300.1.1.1/8", &ip, &p), -1);
	assert_int_equal(net_mask(24), 0xffffff00u);
	assert_int_equal(net_mask(0), 0);
}

/* the temp store of the running test, removed by its teardown even when an assertion fails */
static char tmp_dir[64];

static int rm_tmp_dir(void **state)
{
	(void)state;
	berr e;
	if (tmp_dir[0])
		rm_rf(tmp_dir, &e);
	tmp_dir[0] = 0;
	return 0;
}

static struct store *tmp_store(char *dir)
{
	strcpy(dir, "/tmp/berth-test-net-XXXXXX");
	assert_non_null(mkdtemp(dir));
	strcpy(tmp_dir, dir);
	struct store *st;
	berr e = { 0 };
	char run[300];
	snprintf(run, sizeof run, "%s/run", dir);
	assert_int_equal(store_open(&st, dir, run, &e), 0);
	return st;
}

static void test_networks_and_ipam(void **state)
{
	(void)state;
	char dir[64];
	struct store *st = tmp_store(dir);
	berr e = { 0 };
	char id[65], b[16];
	struct net_create_opts o = { 0 };
	assert_int_equal(net_create(st, "a", &o, id, &e), 0);
	struct net_network n;
	assert_int_equal(net_lookup(st, "a", &n, &e), 0);
	assert_int_equal(n.prefix, 24);
	/* never Docker's or podman's default pools */
	assert_true((n.subnet & 0xffff0000u) != 0xac110000u && (n.subnet & 0xffff0000u) != 0x0a580000u);
	assert_int_equal(n.gateway, n.subnet + 1);
	assert_memory_equal(n.bridge, "berth-", 6);
	net_network_free(&n);
	/* a second network gets a different subnet; the default bridge has its own too */
	assert_int_equal(net_create(st, "b", &o, id, &e), 0);
	struct net_network a, bb, br;
	assert_int_equal(net_lookup(st, "a", &a, &e), 0);
	assert_int_equal(net_lookup(st, id, &bb, &e), 0);
	assert_int_equal(net_lookup(st, "bridge", &br, &e), 0);
	assert_true(a.subnet != bb.subnet && a.subnet != br.subnet && bb.subnet != br.subnet);
	/* a root other than /var/lib/berth gets its own default bridge and table names */
	struct net_names nm;
	net_names(st, &nm);
	assert_string_equal(br.bridge, nm.default_bridge);
	assert_int_equal(strlen(nm.default_bridge), 11);
	assert_memory_equal(nm.table, "berth_", 6);
	struct store fake = { .root = (char *)"/var/lib/berth" };
	net_names(&fake, &nm);
	assert_string_equal(nm.table, "berth");
	assert_string_equal(nm.default_bridge, "berth0");
	assert_int_equal(net_create(st, "a", &o, id, &e), -1);
	assert_non_null(strstr(e.msg, "already exists"));
	assert_int_equal(net_create(st, "bad name", &o, id, &e), -1);
	assert_int_equal(net_lookup(st, "nope", &n, &e), -1);
	assert_int_equal(e.status, 1);

	/* addresses: lowest free, skipping the gateway, inside --ip-range, never twice */
	struct net_create_opts r = { .subnet = "10.213.90.0/24", .gateway = "10.213.90.2", .ip_range = "10.213.90.0/30" };
	assert_int_equal(net_create(st, "r", &r, id, &e), 0);
	struct net_network rn;
	assert_int_equal(net_lookup(st, "r", &rn, &e), 0);
	uint32_t ip;
	assert_int_equal(store_begin(st, &e), 0);
	assert_int_equal(ipam_alloc_ip(st, &rn, NULL, &ip, &e), 0);
	assert_string_equal(net_ip_str(ip, b), "10.213.90.1");
	assert_int_equal(store_exec(st, "INSERT INTO net_endpoints (network_id, container_id, endpoint_id, ip, mac, host_veth)"
				       " SELECT id, 'c1', 'e', 181754369, 'm', 'v1' FROM networks WHERE name = 'r'", &e), 0);
	assert_int_equal(ipam_alloc_ip(st, &rn, NULL, &ip, &e), 0); /* .1 used, .2 is the gateway */
	assert_string_equal(net_ip_str(ip, b), "10.213.90.3");
	assert_int_equal(store_exec(st, "INSERT INTO net_endpoints (network_id, container_id, endpoint_id, ip, mac, host_veth)"
				       " SELECT id, 'c3', 'e', 181754371, 'm', 'v3' FROM networks WHERE name = 'r'", &e), 0);
	assert_int_equal(ipam_alloc_ip(st, &rn, NULL, &ip, &e), -1); /* the range is full */
	assert_non_null(strstr(e.msg, "no available IPv4 addresses"));
	assert_int_equal(ipam_alloc_ip(st, &rn, "10.213.90.50", &ip, &e), 0);
	assert_int_equal(ipam_alloc_ip(st, &rn, "10.213.90.2", &ip, &e), -1);
	assert_int_equal(ipam_alloc_ip(st, &rn, "10.213.91.5", &ip, &e), -1);
	assert_int_equal(ipam_alloc_ip(st, &a, "10.211.0.9", &ip, &e), -1);
	assert_non_null(strstr(e.msg, "user configured subnets"));
	/* the UNIQUE constraint refuses a duplicate even if the allocator were wrong */
	assert_int_not_equal(store_exec(st, "INSERT INTO net_endpoints (network_id, container_id, endpoint_id, ip, mac, host_veth)"
					   " SELECT id, 'c2', 'e', 181754369, 'm', 'v2' FROM networks WHERE name = 'r'", &e), 0);
	store_rollback(st);

	/* remove: predefined networks stay */
	char name[256];
	assert_int_equal(net_remove(st, "bridge", name, &e), -1);
	assert_non_null(strstr(e.msg, "pre-defined"));
	struct net_network *v;
	size_t cnt;
	assert_int_equal(net_list(st, &v, &cnt, &e), 0);
	assert_int_equal(cnt, 6);
	assert_string_equal(v[0].name, "a");
	net_list_free(v, cnt);

	net_network_free(&a);
	net_network_free(&bb);
	net_network_free(&br);
	net_network_free(&rn);
	store_close(st);
	rm_rf(dir, &e);
}

static void test_dns_messages(void **state)
{
	(void)state;
	/* id 0x1234, RD, one question: "Web.Net" A IN */
	static const uint8_t q[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
				     3, 'W', 'e', 'b', 3, 'N', 'e', 't', 0, 0, 1, 0, 1 };
	char name[256];
	uint16_t qt;
	int qend = dns_parse_question(q, sizeof q, name, &qt);
	assert_int_equal(qend, (int)sizeof q);
	assert_string_equal(name, "web.net");
	assert_int_equal(qt, 1);
	uint8_t out[512];
	uint32_t addrs[2] = { 0x0ad30102, 0x0ad30103 };
	size_t n = dns_build_reply(q, (size_t)qend, 0, addrs, 2, true, out, sizeof out);
	assert_int_equal(n, sizeof q + 32);
	assert_int_equal(out[0], 0x12);
	assert_int_equal(out[2] & 0x80, 0x80); /* a response */
	assert_int_equal(out[2] & 0x01, 0x01); /* RD kept */
	assert_int_equal(out[3], 0x80);        /* RA, NOERROR */
	assert_int_equal(out[7], 2);           /* two answers */
	assert_int_equal(out[sizeof q + 12], 10);
	assert_int_equal(out[sizeof q + 15], 2);
	n = dns_build_reply(q, (size_t)qend, 5, NULL, 0, false, out, sizeof out);
	assert_int_equal(n, sizeof q);
	assert_int_equal(out[3], 5); /* REFUSED */
	/* malformed: truncated, a response, a label running past the end */
	assert_int_equal(dns_parse_question(q, 20, name, &qt), -1);
	uint8_t r[sizeof q];
	memcpy(r, q, sizeof q);
	r[2] |= 0x80;
	assert_int_equal(dns_parse_question(r, sizeof r, name, &qt), -1);
	memcpy(r, q, sizeof q);
	r[12] = 60;
	assert_int_equal(dns_parse_question(r, sizeof r, name, &qt), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_parse),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test_teardown(test_networks_and_ipam, rm_tmp_dir),
		cmocka_unit_test(test_dns_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
