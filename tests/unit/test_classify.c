// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference classifier on the small site (testutil.c): pass with the
 * right path, no-rule, wrong-peer; broadcasts, DHCP, IPv6, CIDR groups and
 * port edges.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define I PC_DIR_INGRESS
#define E PC_DIR_EGRESS
#define T IPPROTO_TCP
#define U IPPROTO_UDP
#define PASS PC_VERDICT_PASS
#define NO_RULE PC_VERDICT_NO_RULE
#define WRONG PC_VERDICT_WRONG_PEER

struct classify_case {
	const char *host;
	enum pc_dir dir;
	uint8_t proto;
	const char *remote;
	uint16_t local_port, remote_port;
	enum pc_verdict_kind want;
	const char *flow; /* PASS/WRONG_PEER: the rule's row; NULL for NO_RULE */
	bool bcast; /* ingress: sent to a broadcast address */
};

static const struct classify_case cases[] = {
	/* the GUI from a desk of the CIDR group 192.0.2.64/26. */
	{ "mgr", I, T, "192.0.2.70", 22015, 40000, PASS, "A-1.1", false },
	{ "mgr", I, T, "192.0.2.64", 22016, 40000, PASS, "A-1.2", false },
	{ "mgr", I, T, "192.0.2.127", 22015, 65535, PASS, "A-1.1", false },
	{ "mgr", I, T, "192.0.2.128", 22015, 40000, WRONG, "A-1.1", false },
	{ "mgr", I, T, "192.0.2.63", 22015, 40000, WRONG, "A-1.1", false },
	{ "mgr", I, T, "2001:db8::99", 22015, 40000, WRONG, "A-1.1", false },
	{ "mgr", I, T, "192.0.2.70", 22015, 1024, PASS, "A-1.1", false },
	{ "mgr", I, T, "192.0.2.70", 22015, 1023, NO_RULE, NULL, false },
	{ "mgr", I, T, "192.0.2.70", 22015, 1, NO_RULE, NULL, false },
	{ "mgr", I, T, "192.0.2.70", 22015, 0, NO_RULE, NULL, false },
	{ "mgr", I, T, "192.0.2.70", 22017, 40000, NO_RULE, NULL, false },
	{ "mgr", I, U, "192.0.2.70", 22015, 40000, NO_RULE, NULL, false },
	{ "mgr", E, T, "192.0.2.70", 40000, 22015, NO_RULE, NULL, false },
	{ "desk", E, T, "192.0.2.10", 40000, 22015, PASS, "A-1.1", false },
	{ "desk", E, T, "2001:db8::10", 65535, 22016, PASS, "A-1.2", false },
	{ "desk", E, T, "192.0.2.11", 40000, 22015, WRONG, "A-1.1", false },
	{ "desk", E, T, "203.0.113.20", 40000, 80, PASS, "A-5.1", false },
	{ "desk", E, T, "203.0.113.5", 40000, 80, PASS, "A-5.3", false },
	{ "desk", E, T, "203.0.113.15", 40000, 5001, PASS, "A-5.5", false },
	{ "desk", E, T, "203.0.113.16", 40000, 5001, WRONG, "A-5.5", false },
	/* the server to managed resources. */
	{ "mgr", E, T, "198.51.100.21", 40000, 135, PASS, "A-2.1", false },
	{ "mgr", E, U, "198.51.100.21", 40000, 135, PASS, "A-2.1", false },
	{ "mgr", E, T, "198.51.100.21", 40000, 49152, PASS, "A-2.1", false },
	{ "mgr", E, T, "198.51.100.21", 40000, 65535, PASS, "A-2.1", false },
	{ "mgr", E, T, "198.51.100.21", 40000, 49151, NO_RULE, NULL, false },
	{ "mgr", E, T, "198.51.100.11", 40000, 135, WRONG, "A-2.1", false },
	{ "mgr", E, T, "198.51.100.11", 40000, 22, PASS, "A-2.3", false },
	{ "mgr", E, T, "2001:db8:0:2::11", 40000, 22, PASS, "A-2.3", false },
	{ "mgr", E, T, "2001:db8:0:2::12", 40000, 22, WRONG, "A-2.3", false },
	{ "mgr", E, T, "198.51.100.11", 1023, 22, NO_RULE, NULL, false },
	{ "mgr", E, T, "198.51.100.11", 1024, 22, PASS, "A-2.3", false },
	{ "mgr", E, U, "198.51.100.11", 40000, 22, NO_RULE, NULL, false },
	{ "mgr", E, T, "203.0.113.1", 40000, 22, PASS, "A-2.6", false },
	{ "mgr", E, T, "203.0.113.20", 40000, 443, PASS, "A-2.5", false },
	{ "mgr", I, U, "203.0.113.5", 40000, 623, PASS, "A-2.7", false },
	{ "mgr", I, U, "203.0.113.16", 40000, 623, WRONG, "A-2.7", false },
	{ "mgr", E, U, "203.0.113.5", 40000, 623, PASS, "A-2.8", false },
	{ "mgr", I, U, "198.51.100.11", 162, 40000, PASS, "A-2.12", false },
	{ "mgr", I, U, "2001:db8:0:2::11", 162, 40000, PASS, "A-2.12", false },
	{ "mgr", I, U, "192.0.2.25", 162, 40000, WRONG, "A-2.12", false },
	{ "mgr", I, T, "203.0.113.20", 22611, 50000, PASS, "A-2.13", false },
	/* Wake-on-LAN: limited broadcast, unicast, directed broadcast. */
	{ "mgr", E, U, "255.255.255.255", 40000, 0, PASS, "A-2.9", false },
	{ "mgr", E, U, "198.51.100.11", 40000, 0, PASS, "A-2.10", false },
	{ "mgr", E, U, "198.51.100.99", 40000, 0, WRONG, "A-2.9", false },
	{ "mgr", E, U, "255.255.255.255", 40000, 5561, PASS, "A-2.11", false },
	{ "mgr", E, U, "198.51.100.255", 40000, 5561, PASS, "A-2.11", false },
	{ "mgr", E, U, "192.0.2.255", 40000, 5561, WRONG, "A-2.11", false },
	{ "mgr", E, U, "198.51.100.11", 40000, 5561, WRONG, "A-2.11", false },
	{ "mgr", E, U, "255.255.255.255", 40000, 5562, NO_RULE, NULL, false },
	{ "web", I, U, "192.0.2.10", 0, 40000, PASS, "A-2.9", true },
	{ "web", I, U, "192.0.2.10", 0, 40000, PASS, "A-2.10", false },
	{ "web", I, U, "192.0.2.10", 5561, 40000, PASS, "A-2.11", true },
	/* is only ever a broadcast. */
	{ "web", I, U, "192.0.2.10", 5561, 40000, NO_RULE, NULL, false },
	{ "web", I, U, "192.0.2.11", 5561, 40000, WRONG, "A-2.11", true },
	/* DHCP and PXE on a Windows server with a separate DHCP server. */
	/* 0.0.0.0:68 -> 255.255.255.255:67 */
	{ "mgr", I, U, "0.0.0.0", 67, 68, PASS, "A-3.1", true },
	/* relayed, unicast (A-3 note 2) */
	{ "mgr", I, U, "198.51.100.21", 67, 68, PASS, "A-3.1", false },
	{ "mgr", I, U, "0.0.0.0", 4011, 68, PASS, "A-3.14", true },
	/* is broadcast only; unicast, from a configured client */
	{ "mgr", I, U, "0.0.0.0", 4011, 68, WRONG, "A-3.2", false },
	{ "mgr", I, U, "198.51.100.11", 4011, 68, PASS, "A-3.14", true },
	{ "mgr", I, U, "198.51.100.11", 4011, 68, PASS, "A-3.2", false },
	{ "mgr", I, U, "198.51.100.11", 4011, 4011, PASS, "A-3.3", false },
	{ "mgr", I, U, "0.0.0.0", 4011, 4011, WRONG, "A-3.3", false },
	{ "mgr", E, U, "255.255.255.255", 67, 68, PASS, "A-3.7", false },
	{ "mgr", E, U, "198.51.100.11", 67, 68, PASS, "A-3.7", false },
	{ "mgr", E, U, "198.51.100.11", 67, 4011, PASS, "A-3.9", false },
	{ "mgr", E, U, "255.255.255.255", 67, 4011, WRONG, "A-3.9", false },
	{ "mgr", E, U, "198.51.100.11", 69, 50000, PASS, "A-3.10", false },
	{ "mgr", I, U, "198.51.100.11", 69, 50000, PASS, "A-3.4", false },
	{ "mgr", I, T, "198.51.100.11", 26503, 50000, PASS, "A-3.5", false },
	{ "mgr", I, T, "198.51.100.11", 26508, 50000, PASS, "A-3.11", false },
	{ "mgr", I, T, "198.51.100.11", 26501, 50000, PASS, "A-3.19", false },
	{ "mgr", I, T, "198.51.100.11", 56030, 50000, NO_RULE, NULL, false },
	{ "web", E, U, "255.255.255.255", 68, 67, PASS, "A-3.1", false },
	{ "web", E, U, "192.0.2.10", 68, 67, PASS, "A-3.1", false },
	{ "web", E, U, "192.0.2.67", 68, 67, PASS, "A-6.2", false },
	{ "web", E, U, "192.0.2.68", 68, 67, WRONG, "A-3.1", false },
	{ "web", I, U, "192.0.2.67", 68, 67, PASS, "A-6.1", false },
	{ "web", I, U, "192.0.2.67", 68, 67, PASS, "A-6.1", true },
	{ "web", I, U, "192.0.2.10", 68, 67, PASS, "A-3.7", false },
	{ "web", I, U, "192.0.2.10", 68, 67, PASS, "A-3.7", true },
	{ "web", I, U, "192.0.2.99", 68, 67, WRONG, "A-3.7", true },
	/* Unicast-only rows are not received as broadcasts. */
	{ "mgr", I, T, "192.0.2.70", 22015, 40000, NO_RULE, NULL, true },
	{ "mgr", I, U, "198.51.100.11", 162, 40000, NO_RULE, NULL, true },
	{ "mgr", I, U, "198.51.100.11", 4011, 4011, NO_RULE, NULL, true },
	{ "web", E, U, "255.255.255.255", 68, 4011, PASS, "A-3.14", false },
	{ "web", E, U, "192.0.2.10", 68, 4011, PASS, "A-3.2", false },
	{ "web", E, T, "192.0.2.10", 50000, 26502, PASS, "A-3.6", false },
	{ "web", E, U, "192.0.2.10", 50000, 162, PASS, "A-2.12", false },
	{ "web", E, U, "2001:db8::10", 65535, 162, PASS, "A-2.12", false },
	{ "web", I, T, "2001:db8::10", 22, 1024, PASS, "A-2.3", false },
	{ "web", I, T, "2001:db8::11", 22, 1024, WRONG, "A-2.3", false },
	{ "web", I, T, "192.0.2.10", 23, 1024, NO_RULE, NULL, false },
	{ "web", I, T, "192.0.2.10", 22015, 40000, NO_RULE, NULL, false },
};

#define NCASES (sizeof(cases) / sizeof(*cases))

static struct pc_ruleset *ruleset_for(const char *host)
{
	for (size_t i = 0; i < 4; i++) {
		if (tu_fx.rs[i].name && strcmp(tu_fx.rs[i].name, host) == 0)
			return &tu_fx.rs[i];
		if (!tu_fx.rs[i].name) {
			assert_int_equal(pc_compile_host(&tu_fx.p, host, &tu_fx.rs[i]), 0);
			return &tu_fx.rs[i];
		}
	}
	fail_msg("too many hosts");
	return NULL;
}

static void test_cases(void **state)
{
	int bad = 0;

	(void)state;
	tu_load_ok(&tu_fx.p, tu_small_site);
	for (size_t i = 0; i < NCASES; i++) {
		const struct classify_case *c = &cases[i];
		struct pc_tuple t = {
			.dir = c->dir,
			.proto = c->proto,
			.remote = tu_addr(c->remote),
			.local_port = c->local_port,
			.remote_port = c->remote_port,
			.to_broadcast = c->bcast,
		};
		struct pc_verdict v;
		bool ok;

		pc_classify(ruleset_for(c->host), &t, &v);
		ok = v.kind == c->want;
		if (c->want == NO_RULE)
			ok = ok && !v.rule;
		else
			ok = ok && v.rule && tu_flow_is(v.rule->flow, c->flow);
		if (!ok) {
			print_message("# case %zu: %s %s %s%s remote %s:%u local %u: %s (%s), expected %s (%s)\n",
				      i, c->host, pc_dir_name(c->dir), pc_proto_name(c->proto),
				      c->bcast ? " (broadcast)" : "",
				      c->remote, c->remote_port, c->local_port,
				      pc_verdict_name(v.kind), v.rule ? v.rule->flow->id : "-",
				      pc_verdict_name(c->want), c->flow ? c->flow : "-");
			bad++;
		}
	}
	if (bad)
		fail_msg("%d of %zu cases misjudged", bad, NCASES);
}

/* The rule of a PASS verdict holds the packet's ports and remote. */
static void test_verdict_rule_consistent(void **state)
{
	struct pc_ruleset *rs;
	struct pc_tuple t = { .dir = E, .proto = U, .local_port = 40000, .remote_port = 5561 };
	struct pc_verdict v;

	(void)state;
	tu_load_ok(&tu_fx.p, tu_small_site);
	rs = ruleset_for("mgr");
	t.remote = tu_addr("198.51.100.255");
	pc_classify(rs, &t, &v);
	assert_int_equal(v.kind, PASS);
	assert_non_null(v.rule);
	assert_int_equal(v.rule->dir, E);
	assert_int_equal(v.rule->proto, U);
	assert_true(v.rule->remote.lo <= 5561 && 5561 <= v.rule->remote.hi);
	assert_true(pc_rule_has_remote(v.rule, &t.remote));
	assert_ptr_equal(v.rule->flow, pc_policy_find_flow(&tu_fx.p, v.rule->flow->id));
}

/* Parameter values in force change what passes. */
static void test_with_overrides(void **state)
{
	static char site[8192];
	struct pc_ruleset *rs;
	struct pc_verdict v;
	struct pc_tuple t = { .dir = I, .proto = U, .local_port = 22601, .remote_port = 40000 };

	(void)state;
	snprintf(site, sizeof(site), "%s%s", tu_small_site,
		 "parameters:\n  snmp-trap-port: 22601\n  hcsm-http-port: 22115\n"
		 "  windows-ephemeral-ports: 50000-60000\n");
	tu_load_ok(&tu_fx.p, site);
	rs = ruleset_for("mgr");
	t.remote = tu_addr("198.51.100.11");
	pc_classify(rs, &t, &v);
	assert_int_equal(v.kind, PASS);
	assert_true(tu_flow_is(v.rule->flow, "A-2.12"));
	t.local_port = 162;
	pc_classify(rs, &t, &v);
	assert_int_equal(v.kind, NO_RULE);

	t = (struct pc_tuple){ .dir = I, .proto = T, .remote = tu_addr("192.0.2.70"),
			       .local_port = 22115, .remote_port = 40000 };
	pc_classify(rs, &t, &v);
	assert_int_equal(v.kind, PASS);
	t.local_port = 22015;
	pc_classify(rs, &t, &v);
	assert_int_equal(v.kind, NO_RULE);

	t = (struct pc_tuple){ .dir = E, .proto = T, .remote = tu_addr("198.51.100.21"),
			       .local_port = 40000, .remote_port = 49152 };
	pc_classify(rs, &t, &v);
	assert_int_equal(v.kind, NO_RULE);
	t.remote_port = 50000;
	pc_classify(rs, &t, &v);
	assert_int_equal(v.kind, PASS);
	t.remote_port = 60000;
	pc_classify(rs, &t, &v);
	assert_int_equal(v.kind, PASS);
	t.remote_port = 60001;
	pc_classify(rs, &t, &v);
	assert_int_equal(v.kind, NO_RULE);
}

static void test_empty_ruleset(void **state)
{
	struct pc_ruleset rs = { 0 };
	struct pc_tuple t = { .dir = I, .proto = T, .local_port = 22, .remote_port = 40000 };
	struct pc_verdict v = { .kind = PASS };

	(void)state;
	t.remote = tu_addr("192.0.2.1");
	pc_classify(&rs, &t, &v);
	assert_int_equal(v.kind, NO_RULE);
	assert_null(v.rule);
	assert_string_equal(pc_verdict_name(PASS), "pass");
	assert_string_equal(pc_verdict_name(NO_RULE), "no-rule");
	assert_string_equal(pc_verdict_name(WRONG), "wrong-peer");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cases, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_verdict_rule_consistent, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_with_overrides, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_empty_ruleset, tu_setup, tu_teardown),
	};

	return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}
