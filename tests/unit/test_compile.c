// SPDX-License-Identifier: GPL-2.0-only
/*
 * The compiler, rule by rule, for the management server, a management
 * client and a Linux managed host of a small site (testutil.c), then
 * parameter overrides, roles, broadcasts and the host's own addresses.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define I PC_DIR_INGRESS
#define E PC_DIR_EGRESS
#define T IPPROTO_TCP
#define U IPPROTO_UDP
#define P(n) n, n
#define AUTO TU_AUTO

#define MGR "192.0.2.10 2001:db8::10"
#define DESK "192.0.2.64/26"
#define WEB "198.51.100.11 2001:db8:0:2::11"
#define WIN "198.51.100.21"
#define BMC "203.0.113.0/28"
#define SVP "203.0.113.20"
#define MAIL "192.0.2.25"
#define DHCP "192.0.2.67"
#define MANAGED WEB " " WIN
#define BC "255.255.255.255"

static const struct tu_rule mgr_rules[] = {
	{ "A-1.1", I, T, P(22015), AUTO, DESK },
	{ "A-1.2", I, T, P(22016), AUTO, DESK },
	{ "A-2.1", E, T, AUTO, P(135), WIN },
	{ "A-2.1", E, T, AUTO, 49152, 65535, WIN },
	{ "A-2.1", E, U, AUTO, P(135), WIN },
	{ "A-2.1", E, U, AUTO, 49152, 65535, WIN },
	{ "A-2.2", E, T, AUTO, P(5985), WIN },
	{ "A-2.3", E, T, AUTO, P(22), WEB },
	{ "A-2.4", E, T, AUTO, P(443), "" },
	{ "A-2.5", E, T, AUTO, P(443), SVP " " BMC },
	{ "A-2.6", E, T, AUTO, P(22), BMC },
	{ "A-2.7", I, U, AUTO, P(623), BMC },
	{ "A-2.8", E, U, AUTO, P(623), BMC },
	{ "A-2.9", E, U, AUTO, P(0), BC },
	{ "A-2.10", E, U, AUTO, P(0), MANAGED },
	{ "A-2.11", E, U, AUTO, P(5561), BC " 198.51.100.255" },
	{ "A-2.12", I, U, P(162), AUTO, MANAGED },
	{ "A-2.13", I, T, P(22611), AUTO, SVP " " BMC },
	{ "A-2.14", E, T, AUTO, P(23401), "" },
	{ "A-3.1", I, U, P(67), P(68), MANAGED " 0.0.0.0" },
	{ "A-3.2", I, U, P(4011), P(68), MANAGED },
	{ "A-3.3", I, U, P(4011), P(4011), MANAGED },
	{ "A-3.4", I, U, P(69), AUTO, MANAGED },
	{ "A-3.5", I, T, P(26503), AUTO, MANAGED },
	{ "A-3.6", I, T, P(26502), AUTO, MANAGED },
	{ "A-3.7", E, U, P(67), P(68), MANAGED " " BC },
	{ "A-3.8", E, U, P(67), P(68), MANAGED },
	{ "A-3.9", E, U, P(67), P(4011), MANAGED },
	{ "A-3.10", E, U, P(69), AUTO, MANAGED },
	{ "A-3.11", I, T, P(26508), AUTO, MANAGED },
	{ "A-3.12", I, T, P(26508), AUTO, MANAGED },
	{ "A-3.13", I, T, P(26508), AUTO, MANAGED },
	{ "A-3.14", I, U, P(4011), P(68), MANAGED " 0.0.0.0" },
	{ "A-3.15", I, U, P(69), AUTO, MANAGED },
	{ "A-3.16", E, U, P(67), P(68), BC },
	{ "A-3.17", E, U, P(69), AUTO, MANAGED },
	{ "A-3.18", I, T, P(26508), AUTO, MANAGED },
	{ "A-3.19", I, T, P(26501), AUTO, MANAGED },
	{ "A-3.20", I, T, P(26508), AUTO, MANAGED },
	{ "A-3.21", I, T, P(26501), AUTO, MANAGED },
	{ "A-4.1", E, T, AUTO, P(25), MAIL },
	{ "A-4.2", E, T, AUTO, P(2001), "" },
	{ "A-4.3", E, T, AUTO, P(2443), "" },
	{ "A-4.4", E, T, AUTO, P(88), "" },
	{ "A-4.4", E, U, AUTO, P(88), "" },
	{ "A-4.5", E, T, AUTO, P(389), "" },
	{ "A-4.5", E, U, AUTO, P(389), "" },
};

static const struct tu_rule desk_rules[] = {
	{ "A-1.1", E, T, AUTO, P(22015), MGR },
	{ "A-1.2", E, T, AUTO, P(22016), MGR },
	{ "A-5.1", E, T, AUTO, P(80), SVP },
	{ "A-5.2", E, T, AUTO, P(443), SVP },
	{ "A-5.3", E, T, AUTO, P(80), BMC },
	{ "A-5.4", E, T, AUTO, P(443), BMC },
	{ "A-5.5", E, T, AUTO, P(5001), BMC },
};

static const struct tu_rule web_rules[] = {
	{ "A-2.3", I, T, P(22), AUTO, MGR },
	{ "A-2.9", I, U, P(0), AUTO, MGR },
	{ "A-2.10", I, U, P(0), AUTO, MGR },
	{ "A-2.11", I, U, P(5561), AUTO, MGR },
	{ "A-2.12", E, U, AUTO, P(162), MGR },
	{ "A-3.1", E, U, P(68), P(67), MGR " " BC },
	{ "A-3.2", E, U, P(68), P(4011), MGR },
	{ "A-3.3", E, U, P(4011), P(4011), MGR },
	{ "A-3.4", E, U, AUTO, P(69), MGR },
	{ "A-3.5", E, T, AUTO, P(26503), MGR },
	{ "A-3.6", E, T, AUTO, P(26502), MGR },
	{ "A-3.7", I, U, P(68), P(67), MGR },
	{ "A-3.8", I, U, P(68), P(67), MGR },
	{ "A-3.9", I, U, P(4011), P(67), MGR },
	{ "A-3.10", I, U, AUTO, P(69), MGR },
	{ "A-3.11", E, T, AUTO, P(26508), MGR },
	{ "A-3.12", E, T, AUTO, P(26508), MGR },
	{ "A-3.13", E, T, AUTO, P(26508), MGR },
	{ "A-3.14", E, U, P(68), P(4011), BC },
	{ "A-3.15", E, U, AUTO, P(69), MGR },
	{ "A-3.16", I, U, P(68), P(67), MGR },
	{ "A-3.17", I, U, AUTO, P(69), MGR },
	{ "A-3.18", E, T, AUTO, P(26508), MGR },
	{ "A-3.19", E, T, AUTO, P(26501), MGR },
	{ "A-3.20", E, T, AUTO, P(26508), MGR },
	{ "A-3.21", E, T, AUTO, P(26501), MGR },
	{ "A-6.1", I, U, P(68), P(67), DHCP },
	{ "A-6.2", E, U, P(68), P(67), DHCP " " BC },
};

#define N(a) (sizeof(a) / sizeof(*(a)))

static void compile_host(const char *site, const char *host, struct pc_ruleset *rs)
{
	if (!tu_fx.p.nflows)
		tu_load_ok(&tu_fx.p, site);
	assert_int_equal(pc_compile_host(&tu_fx.p, host, rs), 0);
	assert_non_null(rs->host);
	assert_string_equal(rs->name, host);
	assert_ptr_equal(rs->host, pc_policy_find_host(&tu_fx.p, host));
}

static void test_management_server(void **state)
{
	(void)state;
	compile_host(tu_small_site, "mgr", &tu_fx.rs[0]);
	tu_check_rules(&tu_fx.rs[0], mgr_rules, N(mgr_rules));
}

static void test_management_client(void **state)
{
	(void)state;
	compile_host(tu_small_site, "desk", &tu_fx.rs[0]);
	tu_check_rules(&tu_fx.rs[0], desk_rules, N(desk_rules));
}

static void test_linux_managed_host(void **state)
{
	(void)state;
	compile_host(tu_small_site, "web", &tu_fx.rs[0]);
	tu_check_rules(&tu_fx.rs[0], web_rules, N(web_rules));
}

/* A Linux management server: no Deployment Manager, no. */
static void test_linux_server_no_deployment_manager(void **state)
{
	static const char site[] =
		"hosts:\n"
		"  - name: mgr\n    kinds: [management-server]\n    os: linux\n    addresses: [192.0.2.10]\n"
		"  - name: web\n    kinds: [linux]\n    addresses: [198.51.100.11]\n"
		"  - name: dhcp\n    kinds: [dhcp-server]\n    addresses: [192.0.2.67]\n";
	static const struct tu_rule web[] = {
		{ "A-2.3", I, T, P(22), AUTO, "192.0.2.10" },
		{ "A-2.9", I, U, P(0), AUTO, "192.0.2.10" },
		{ "A-2.10", I, U, P(0), AUTO, "192.0.2.10" },
		{ "A-2.11", I, U, P(5561), AUTO, "192.0.2.10" },
		{ "A-2.12", E, U, AUTO, P(162), "192.0.2.10" },
	};

	(void)state;
	compile_host(site, "web", &tu_fx.rs[0]);
	tu_check_rules(&tu_fx.rs[0], web, N(web));
	compile_host(site, "dhcp", &tu_fx.rs[1]);
	assert_int_equal(tu_fx.rs[1].nrules, 0);
}

static const struct pc_rule *find_rule(const struct pc_ruleset *rs, const char *flow,
				       enum pc_dir dir, uint8_t proto, uint16_t llo,
				       uint16_t lhi, uint16_t rlo, uint16_t rhi)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];

		if (tu_flow_is(r->flow, flow) && r->dir == dir && r->proto == proto &&
		    r->local.lo == llo && r->local.hi == lhi &&
		    r->remote.lo == rlo && r->remote.hi == rhi)
			return r;
	}
	return NULL;
}

static const char *with(const char *extra)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf), "%s%s", tu_small_site, extra);
	return buf;
}

#define EPH 32768, 60999

static void test_parameter_overrides(void **state)
{
	const char *site = with("parameters:\n"
				"  hcsm-http-port: 22115\n"
				"  snmp-trap-port: 22601\n"
				"  windows-ephemeral-ports: 50000-60000\n"
				"  linux-ssh-port: [22, 2222]\n"
				"  auto-ports: 32768-60999\n");
	struct pc_ruleset *mgr = &tu_fx.rs[0], *desk = &tu_fx.rs[1], *web = &tu_fx.rs[2];
	const struct pc_rule *r;

	(void)state;
	compile_host(site, "mgr", mgr);
	compile_host(site, "desk", desk);
	compile_host(site, "web", web);

	r = find_rule(mgr, "A-1.1", I, T, P(22115), EPH);
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, DESK));
	assert_int_equal(tu_count_flow_rules(mgr, "A-1.1"), 1);
	assert_non_null(find_rule(mgr, "A-1.2", I, T, P(22016), EPH));
	assert_non_null(find_rule(desk, "A-1.1", E, T, EPH, P(22115)));
	assert_int_equal(tu_count_flow_rules(desk, "A-1.1"), 1);

	assert_non_null(find_rule(mgr, "A-2.12", I, U, P(22601), EPH));
	assert_int_equal(tu_count_flow_rules(mgr, "A-2.12"), 1);
	assert_non_null(find_rule(web, "A-2.12", E, U, EPH, P(22601)));

	assert_int_equal(tu_count_flow_rules(mgr, "A-2.1"), 4);
	assert_non_null(find_rule(mgr, "A-2.1", E, T, EPH, P(135)));
	assert_non_null(find_rule(mgr, "A-2.1", E, T, EPH, 50000, 60000));
	assert_non_null(find_rule(mgr, "A-2.1", E, U, EPH, P(135)));
	assert_non_null(find_rule(mgr, "A-2.1", E, U, EPH, 50000, 60000));

	/* A list value: one rule per value. */
	assert_int_equal(tu_count_flow_rules(mgr, "A-2.3"), 2);
	r = find_rule(mgr, "A-2.3", E, T, EPH, P(22));
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, WEB));
	r = find_rule(mgr, "A-2.3", E, T, EPH, P(2222));
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, WEB));
	assert_int_equal(tu_count_flow_rules(web, "A-2.3"), 2);
	assert_non_null(find_rule(web, "A-2.3", I, T, P(22), EPH));
	assert_non_null(find_rule(web, "A-2.3", I, T, P(2222), EPH));

	/* Fixed ports stay as the catalog has them. */
	assert_non_null(find_rule(mgr, "A-3.1", I, U, P(67), P(68)));
	assert_non_null(find_rule(mgr, "A-3.10", E, U, P(69), EPH));
}

/* Two ranges on each side multiply: local x remote, per protocol. */
static void test_range_product(void **state)
{
	const char *site = with("flows:\n"
				"  - id: site-multi\n    purpose: x\n    protocols: [tcp, udp]\n"
				"    initiator: {hosts: [web], port: [1000, 2000-2001]}\n"
				"    responder: {hosts: [mgr], port: [7000, 8000-8100, $alert-port]}\n");
	struct pc_ruleset *web = &tu_fx.rs[0];
	static const uint16_t local[][2] = { { 1000, 1000 }, { 2000, 2001 } };
	static const uint16_t remote[][2] = { { 7000, 7000 }, { 8000, 8100 }, { 22611, 22611 } };

	(void)state;
	compile_host(site, "web", web);
	assert_int_equal(tu_count_flow_rules(web, "site-multi"), 2 * 2 * 3);
	for (int pr = 0; pr < 2; pr++)
		for (int l = 0; l < 2; l++)
			for (int r = 0; r < 3; r++) {
				const struct pc_rule *rule = find_rule(
					web, "site-multi", E, pr ? U : T, local[l][0],
					local[l][1], remote[r][0], remote[r][1]);

				assert_non_null(rule);
				assert_true(tu_addrs_equal(rule, MGR));
			}
}

/* The flows touching a Linux managed host, without a site. */
static void test_role_linux(void **state)
{
	static const char *const rows[] = {
		"A-2.3", "A-2.9", "A-2.10", "A-2.11", "A-2.12",
		"A-3.1", "A-3.2", "A-3.3", "A-3.4", "A-3.5", "A-3.6", "A-3.7",
		"A-3.8", "A-3.9", "A-3.10", "A-3.11", "A-3.12", "A-3.13",
		"A-3.14", "A-3.15", "A-3.16", "A-3.17", "A-3.18", "A-3.19",
		"A-3.20", "A-3.21", "A-6.1", "A-6.2",
	};
	struct pc_ruleset *rs = &tu_fx.rs[0];
	const struct pc_rule *r;

	(void)state;
	tu_load_ok(&tu_fx.p, NULL);
	assert_int_equal(pc_compile_role(&tu_fx.p, "linux", rs), 0);
	assert_null(rs->host);
	assert_string_equal(rs->name, "linux");
	for (size_t i = 0; i < rs->nrules; i++) {
		bool listed = false;

		for (size_t j = 0; j < N(rows); j++)
			listed |= tu_flow_is(rs->rules[i].flow, rows[j]);
		if (!listed)
			fail_msg("%s should not be among the linux role's flows",
				 rs->rules[i].flow->id);
	}
	for (size_t j = 0; j < N(rows); j++)
		if (tu_count_flow_rules(rs, rows[j]) != 1)
			fail_msg("%s: %zu rules for the linux role, expected 1", rows[j],
				 tu_count_flow_rules(rs, rows[j]));
	assert_int_equal(rs->nrules, N(rows));

	/* No hosts: only the broadcast and unspecified extras. */
	r = find_rule(rs, "A-3.1", E, U, P(68), P(67));
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, BC));
	assert_true(r->remote_extra & PC_REMOTE_LIMITED_BCAST);
	r = find_rule(rs, "A-2.3", I, T, P(22), AUTO);
	assert_non_null(r);
	assert_int_equal(r->nremote, 0);
}

static void test_role_others(void **state)
{
	struct pc_ruleset *rs = &tu_fx.rs[0];
	const struct pc_rule *r;

	(void)state;
	tu_load_ok(&tu_fx.p, NULL);
	assert_int_equal(pc_compile_role(&tu_fx.p, "management-client", rs), 0);
	tu_check_rules(rs, (const struct tu_rule[]){
		{ "A-1.1", E, T, AUTO, P(22015), "" },
		{ "A-1.2", E, T, AUTO, P(22016), "" },
		{ "A-5.1", E, T, AUTO, P(80), "" },
		{ "A-5.2", E, T, AUTO, P(443), "" },
		{ "A-5.3", E, T, AUTO, P(80), "" },
		{ "A-5.4", E, T, AUTO, P(443), "" },
		{ "A-5.5", E, T, AUTO, P(5001), "" },
	}, 7);
	pc_ruleset_free(rs);

	assert_int_equal(pc_compile_role(&tu_fx.p, "management-server", rs), 0);
	r = find_rule(rs, "A-3.1", I, U, P(67), P(68));
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, "0.0.0.0"));
	assert_true(r->remote_extra & PC_REMOTE_UNSPECIFIED);
	r = find_rule(rs, "A-2.11", E, U, AUTO, P(5561));
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, BC));
	pc_ruleset_free(rs);

	assert_int_equal(pc_compile_role(&tu_fx.p, "dhcp-server", rs), 0);
	tu_check_rules(rs, (const struct tu_rule[]){
		{ "A-6.1", E, U, P(67), P(68), BC },
		{ "A-6.2", I, U, P(67), P(68), "0.0.0.0" },
	}, 2);
	pc_ruleset_free(rs);

	assert_int_equal(pc_compile_role(&tu_fx.p, "no-such-kind", rs), -ENOENT);
	assert_int_equal(pc_compile_host(&tu_fx.p, "no-such-host", rs), -ENOENT);
}

/* Directed broadcasts: only segments that hold a responder peer. */
static void test_directed_broadcasts(void **state)
{
	static const char site[] =
		"hosts:\n"
		"  - name: mgr\n    kinds: [management-server]\n    os: windows\n    addresses: [192.0.2.10]\n"
		"  - name: a\n    kinds: [linux]\n    addresses: [198.51.100.11]\n"
		"  - name: b\n    kinds: [windows]\n    addresses: [198.51.100.200, \"2001:db8:2::5\"]\n"
		"  - name: c\n    kinds: [esxi]\n    addresses: [203.0.113.16/28]\n"
		"  - name: mail\n    kinds: [smtp-server]\n    addresses: [192.0.2.25]\n"
		"segments: [198.51.100.0/25, 198.51.100.128/25, 203.0.113.0/24, 192.0.2.0/24, 192.0.2.0/30]\n";
	struct pc_ruleset *rs = &tu_fx.rs[0];
	const struct pc_rule *r;

	(void)state;
	compile_host(site, "mgr", rs);
	r = find_rule(rs, "A-2.11", E, U, AUTO, P(5561));
	assert_non_null(r);
	if (!tu_addrs_equal(r, BC " 198.51.100.127 198.51.100.255 203.0.113.255"))
		fail_msg("A-2.11 should reach 255.255.255.255 and the broadcasts of the three managed segments");
	assert_true(r->remote_extra & PC_REMOTE_DIRECTED_BCAST);
	assert_true(r->remote_extra & PC_REMOTE_LIMITED_BCAST);
	/* Limited broadcast only: no unicast, no segments. */
	r = find_rule(rs, "A-2.9", E, U, AUTO, P(0));
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, BC));
	/* Unicast only. */
	r = find_rule(rs, "A-2.10", E, U, AUTO, P(0));
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, "198.51.100.11 198.51.100.200 2001:db8:2::5 203.0.113.16/28"));
	assert_int_equal(r->remote_extra, 0);
}

/* A host is never its own peer, whatever kinds it has. */
static void test_own_addresses_not_remote(void **state)
{
	static const char site[] =
		"hosts:\n"
		"  - name: both\n    kinds: [management-server, management-client, linux]\n"
		"    os: windows\n    addresses: [192.0.2.10, \"2001:db8::10\"]\n"
		"  - name: mgr2\n    kinds: [management-server]\n    addresses: [192.0.2.11]\n"
		"  - name: desk\n    kinds: [management-client]\n    addresses: [192.0.2.70]\n"
		"  - name: web\n    kinds: [linux]\n    addresses: [198.51.100.11]\n"
		"segments: [192.0.2.0/24, 198.51.100.0/24]\n"
		"flows:\n"
		"  - id: site-peer\n    purpose: linux to linux\n    protocols: [tcp]\n"
		"    initiator: {kinds: [linux], port: auto}\n"
		"    responder: {kinds: [linux], port: 7000}\n";
	struct pc_ruleset *rs = &tu_fx.rs[0];
	const struct pc_host *h;
	const struct pc_rule *r;

	(void)state;
	compile_host(site, "both", rs);
	h = rs->host;
	for (size_t i = 0; i < rs->nrules; i++)
		for (size_t j = 0; j < h->naddrs; j++)
			if (pc_rule_has_remote(&rs->rules[i], &h->addrs[j])) {
				char a[PC_ADDR_STRLEN];

				fail_msg("%s %s: own address %s is a remote",
					 rs->rules[i].flow->id, pc_dir_name(rs->rules[i].dir),
					 pc_addr_format(&h->addrs[j], a));
			}
	r = find_rule(rs, "A-1.1", E, T, AUTO, P(22015));
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, "192.0.2.11"));
	r = find_rule(rs, "A-1.1", I, T, P(22015), AUTO);
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, "192.0.2.70"));
	r = find_rule(rs, "site-peer", E, T, AUTO, P(7000));
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, "198.51.100.11"));
	r = find_rule(rs, "site-peer", I, T, P(7000), AUTO);
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, "198.51.100.11"));
	/* The server is also a linux managed server: both ways. */
	r = find_rule(rs, "A-2.3", E, T, AUTO, P(22));
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, "198.51.100.11"));
	r = find_rule(rs, "A-2.3", I, T, P(22), AUTO);
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, "192.0.2.11"));
}

/* Site flows naming hosts reach exactly those hosts. */
static void test_site_flow_hosts(void **state)
{
	const char *site = with("kinds: [dns-server]\n"
				"flows:\n"
				"  - id: site-backup\n    purpose: backup\n    protocols: [tcp]\n"
				"    initiator: {hosts: [web, win], port: auto}\n"
				"    responder: {hosts: [mail], kinds: [dhcp-server], port: 873}\n");
	struct pc_ruleset *rs = &tu_fx.rs[0];
	const struct pc_rule *r;

	(void)state;
	compile_host(site, "web", rs);
	r = find_rule(rs, "site-backup", E, T, AUTO, P(873));
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, MAIL " " DHCP));
	assert_int_equal(tu_count_flow_rules(rs, "site-backup"), 1);
	compile_host(site, "mail", &tu_fx.rs[1]);
	r = find_rule(&tu_fx.rs[1], "site-backup", I, T, P(873), AUTO);
	assert_non_null(r);
	assert_true(tu_addrs_equal(r, MANAGED));
	compile_host(site, "mgr", &tu_fx.rs[2]);
	assert_int_equal(tu_count_flow_rules(&tu_fx.rs[2], "site-backup"), 0);
}

/* Ingress rules accept what the row's addressing sends: unicast to the
 * host, broadcast, or both. Egress rules accept both. */
static void test_local_class(void **state)
{
	static const struct {
		const char *host, *row;
		enum pc_dir dir;
		unsigned cls;
	} cases[] = {
		{ "web", "A-2.9", I, PC_LOCAL_BROADCAST },
		{ "web", "A-2.10", I, PC_LOCAL_UNICAST },
		{ "web", "A-2.11", I, PC_LOCAL_BROADCAST },
		{ "web", "A-2.3", I, PC_LOCAL_UNICAST },
		{ "web", "A-3.7", I, PC_LOCAL_UNICAST | PC_LOCAL_BROADCAST },
		{ "web", "A-3.16", I, PC_LOCAL_BROADCAST },
		{ "web", "A-6.1", I, PC_LOCAL_UNICAST | PC_LOCAL_BROADCAST },
		{ "mgr", "A-3.1", I, PC_LOCAL_UNICAST | PC_LOCAL_BROADCAST },
		{ "mgr", "A-3.14", I, PC_LOCAL_BROADCAST },
		{ "mgr", "A-1.1", I, PC_LOCAL_UNICAST },
		{ "mgr", "A-2.9", E, PC_LOCAL_UNICAST | PC_LOCAL_BROADCAST },
		{ "mgr", "A-2.3", E, PC_LOCAL_UNICAST | PC_LOCAL_BROADCAST },
	};

	(void)state;
	compile_host(tu_small_site, "web", &tu_fx.rs[0]);
	compile_host(tu_small_site, "mgr", &tu_fx.rs[1]);
	for (size_t i = 0; i < N(cases); i++) {
		const struct pc_ruleset *rs = &tu_fx.rs[strcmp(cases[i].host, "web") ? 1 : 0];
		size_t seen = 0;

		for (size_t j = 0; j < rs->nrules; j++) {
			const struct pc_rule *r = &rs->rules[j];

			if (!tu_flow_is(r->flow, cases[i].row) || r->dir != cases[i].dir)
				continue;
			seen++;
			if ((r->local_class & (PC_LOCAL_UNICAST | PC_LOCAL_BROADCAST)) != cases[i].cls)
				fail_msg("%s %s: local_class %#x, expected %#x", cases[i].host,
					 cases[i].row, r->local_class, cases[i].cls);
		}
		if (!seen)
			fail_msg("%s %s: no rule", cases[i].host, cases[i].row);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_management_server, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_management_client, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_linux_managed_host, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_linux_server_no_deployment_manager, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_parameter_overrides, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_range_product, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_role_linux, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_role_others, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_directed_broadcasts, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_own_addresses_not_remote, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_site_flow_hosts, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_local_class, tu_setup, tu_teardown),
	};

	return cmocka_run_group_tests_name("compile", tests, NULL, NULL);
}
