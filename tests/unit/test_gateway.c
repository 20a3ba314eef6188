// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gateway mode's compiler and reference judgement: a router gw between a
 * management segment (mgr, cli) and an appliance segment (bmc, svp, lin)
 * whose hosts sit behind it. Forwarded packets as a table of cases, then
 * the shape of the rule set: the gateway's own rules first, one forward
 * rule per flow, protocol and port range whatever the number of hosts,
 * and the gateway's addresses in no forward set.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "gateway.h"
#include "gateway_site.h"
#include "portcullis.h"
#include "testutil.h"


#define PASS PC_VERDICT_PASS
#define NORULE PC_VERDICT_NO_RULE
#define PEER PC_VERDICT_WRONG_PEER

struct fwd_case {
	const char *what;
	uint8_t proto;
	const char *src;
	uint16_t sport;
	const char *dst;
	uint16_t dport;
	enum pc_verdict_kind verdict;
	const char *flow; /* of the rule found (NULL: no rule) */
};

static const struct fwd_case cases[] = {
	{ "server to BMC web", IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.41", 443, PASS, "A-2.5" },
	{ "server to the other BMC", IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.42", 443, PASS, "A-2.5" },
	{ "server to SVP web", IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.40", 443, PASS, "A-2.5" },
	{ "client to BMC console", IPPROTO_TCP, "192.0.2.20", 40000, "198.51.100.41", 443, PASS, "A-5.4" },
	{ "server to BMC over IPv6", IPPROTO_TCP, "2001:db8:a::10", 40000, "2001:db8:b::41", 443, PASS, "A-2.5" },
	{ "server to BMC ssh", IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.41", 22, PASS, "A-2.6" },
	{ "server to linux ssh", IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.20", 22, PASS, "A-2.3" },
	{ "BMC RMCP to server", IPPROTO_UDP, "198.51.100.41", 623, "192.0.2.10", 50000, PASS, "A-2.7" },
	{ "BMC alert to server", IPPROTO_TCP, "198.51.100.41", 40000, "192.0.2.10", 22611, PASS, "A-2.13" },
	{ "WoL to the limited broadcast", IPPROTO_UDP, "192.0.2.10", 50000, "255.255.255.255", 0, PASS, "A-2.9" },
	{ "WoL magicsend to the directed broadcast", IPPROTO_UDP, "192.0.2.10", 50000, "198.51.100.255", 5561, PASS, "A-2.11" },
	{ "DHCP from 0.0.0.0", IPPROTO_UDP, "0.0.0.0", 68, "255.255.255.255", 67, PASS, "A-3.1" },
	{ "PXE reply to the broadcast", IPPROTO_UDP, "192.0.2.10", 67, "255.255.255.255", 68, PASS, "A-3.7" },
	{ "DHCP server reply to the broadcast", IPPROTO_UDP, "192.0.2.53", 67, "255.255.255.255", 68, PASS, "A-6.1" },
	{ "DHCP to the server, unicast", IPPROTO_UDP, "198.51.100.20", 68, "192.0.2.53", 67, PASS, "A-6.2" },
	{ "DHCP reply from a BMC", IPPROTO_UDP, "198.51.100.41", 67, "255.255.255.255", 68, PEER, "A-3.7" },
	/* wrong initiator or responder kind */
	{ "client to BMC ssh", IPPROTO_TCP, "192.0.2.20", 40000, "198.51.100.41", 22, PEER, "A-2.3" },
	{ "server to SVP ssh", IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.40", 22, PEER, "A-2.3" },
	{ "BMC to SVP web", IPPROTO_TCP, "198.51.100.41", 40000, "198.51.100.40", 443, PEER, "A-2.5" },
	{ "BMC to the other BMC", IPPROTO_TCP, "198.51.100.41", 40000, "198.51.100.42", 443, PEER, "A-2.5" },
	{ "unknown source to BMC web", IPPROTO_TCP, "203.0.113.9", 40000, "198.51.100.41", 443, PEER, "A-2.5" },
	{ "WoL (port 0) to a directed broadcast", IPPROTO_UDP, "192.0.2.10", 50000, "198.51.100.255", 0, PEER, "A-2.9" },
	{ "the gateway's own ssh is not forwarded", IPPROTO_TCP, "192.0.2.20", 40000, "192.0.2.1", 22, PEER, "A-2.3" },
	{ "from the gateway's address", IPPROTO_TCP, "192.0.2.1", 40000, "198.51.100.41", 443, PEER, "A-2.5" },
	/* undocumented ports */
	{ "server to BMC telnet", IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.41", 23, NORULE, NULL },
	{ "RMCP over TCP", IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.41", 623, NORULE, NULL },
	{ "RMCP from a low port", IPPROTO_UDP, "198.51.100.41", 624, "192.0.2.10", 50000, NORULE, NULL },
};

static void test_forward_cases(void **state)
{
	struct pc_ruleset *rs = &tu_fx.rs[0];
	const struct pc_host *gw;

	(void)state;
	tu_load_ok(&tu_fx.p, gw_site);
	gw = pc_policy_find_host(&tu_fx.p, "gw");
	assert_non_null(gw);
	assert_int_equal(pc_compile_gateway(&tu_fx.p, gw, rs), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct fwd_case *c = &cases[i];
		struct pc_fwd_tuple t = {
			.proto = c->proto,
			.src = tu_addr(c->src),
			.dst = tu_addr(c->dst),
			.sport = c->sport,
			.dport = c->dport,
		};
		struct pc_verdict v;

		pc_gateway_classify(rs, &t, &v);
		if (v.kind != c->verdict ||
		    (c->flow ? !v.rule || !tu_flow_is(v.rule->flow, c->flow) : v.rule != NULL)) {
			fail_msg("%s: got %s (%s), want %s (%s)", c->what,
				 pc_verdict_name(v.kind), v.rule ? v.rule->flow->id : "-",
				 pc_verdict_name(c->verdict), c->flow ? c->flow : "-");
		}
	}
}

static const struct pc_rule *find_forward(const struct pc_ruleset *rs,
					  const char *flow, uint8_t proto)
{
	for (size_t i = rs->nown; i < rs->nrules; i++)
		if (tu_flow_is(rs->rules[i].flow, flow) && rs->rules[i].proto == proto)
			return &rs->rules[i];
	return NULL;
}

static void test_shape(void **state)
{
	struct pc_ruleset *rs = &tu_fx.rs[0], *own = &tu_fx.rs[1];
	const struct pc_host *gw;
	const struct pc_rule *r;
	size_t per_flow;

	(void)state;
	tu_load_ok(&tu_fx.p, gw_site);
	gw = pc_policy_find_host(&tu_fx.p, "gw");
	assert_int_equal(pc_compile_gateway(&tu_fx.p, gw, rs), 0);
	assert_int_equal(pc_compile_host(&tu_fx.p, "gw", own), 0);
	assert_true(rs->gateway);
	assert_ptr_equal(rs->host, gw);
	/* The gateway's own rules first, as its host compile has them. */
	assert_int_equal(rs->nown, own->nrules);
	assert_true(rs->nown >= 1);
	for (size_t i = 0; i < rs->nown; i++) {
		assert_false(rs->rules[i].forward);
		assert_ptr_equal(rs->rules[i].flow, own->rules[i].flow);
	}
	assert_true(rs->nrules > rs->nown);
	assert_true(rs->nrules <= PC_MAX_RULES);
	for (size_t i = rs->nown; i < rs->nrules; i++) {
		r = &rs->rules[i];
		assert_true(r->forward);
		assert_int_equal(r->dir, PC_DIR_INGRESS);
		assert_true(r->nremote > 0 && r->nlocal > 0);
		for (size_t j = 0; j < gw->naddrs; j++) {
			assert_false(pc_rule_has_remote(r, &gw->addrs[j]));
			assert_false(pc_rule_has_local(r, &gw->addrs[j]));
		}
	}
	/* Every responder host of a flow in one rule: svp and both BMCs. */
	r = find_forward(rs, "A-2.5", IPPROTO_TCP);
	assert_non_null(r);
	assert_int_equal(r->nlocal, 4); /* 3 IPv4, bmc's IPv6 */
	assert_int_equal(r->nremote, 2);
	assert_int_equal(r->local.lo, 443);
	assert_int_equal(r->remote.lo, 1024);
	assert_int_equal(r->remote.hi, 65535);
	per_flow = 0;
	for (size_t i = rs->nown; i < rs->nrules; i++)
		per_flow += tu_flow_is(rs->rules[i].flow, "A-2.5");
	assert_int_equal(per_flow, 1);
	/* Broadcast addressing: the local set and its class. */
	r = find_forward(rs, "A-2.11", IPPROTO_UDP);
	assert_non_null(r);
	assert_int_equal(r->local_class, PC_LOCAL_BROADCAST);
	assert_int_equal(r->local_extra, PC_REMOTE_LIMITED_BCAST | PC_REMOTE_DIRECTED_BCAST);
	assert_int_equal(r->nlocal, 2);
	r = find_forward(rs, "A-3.1", IPPROTO_UDP);
	assert_non_null(r);
	assert_int_equal(r->remote_extra, PC_REMOTE_UNSPECIFIED);
	assert_int_equal(r->local_class, PC_LOCAL_UNICAST | PC_LOCAL_BROADCAST);
	/* The gateway's own flow forwards nothing: its only responder is gw. */
	assert_null(find_forward(rs, "site-gw-ssh", IPPROTO_TCP));
}

static void test_no_gateway_host(void **state)
{
	struct pc_ruleset *rs = &tu_fx.rs[0];

	(void)state;
	tu_load_ok(&tu_fx.p, gw_site);
	assert_int_equal(pc_compile_gateway(&tu_fx.p, NULL, rs), 0);
	assert_null(rs->host);
	assert_int_equal(rs->nown, 0);
	/* Without a gateway host, gw is an ordinary responder. */
	assert_non_null(find_forward(rs, "site-gw-ssh", IPPROTO_TCP));
}

struct site_case {
	const char *what;
	const char *host_line;
	const char *needles; /* of the error; NULL: loads */
};

static const struct site_case site_cases[] = {
	{ "a gateway of the site", "  - { name: b, kinds: [bmc], gateway: g, addresses: [198.51.100.2] }\n", NULL },
	{ "an unknown gateway", "  - { name: b, kinds: [bmc], gateway: nope, addresses: [198.51.100.2] }\n",
	  "gateway 'nope' of host 'b' is not a host of the site" },
	{ "its own gateway", "  - { name: b, kinds: [bmc], gateway: b, addresses: [198.51.100.2] }\n",
	  "host 'b' cannot be its own gateway" },
	{ "not a name", "  - { name: b, kinds: [bmc], gateway: [g], addresses: [198.51.100.2] }\n",
	  "gateway" },
};

static void test_site_gateway_field(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(site_cases) / sizeof(*site_cases); i++) {
		const struct site_case *c = &site_cases[i];
		struct pc_policy p;
		struct pc_diags d;
		char site[512];
		int err;

		snprintf(site, sizeof(site),
			 "hosts:\n  - { name: g, kinds: [linux], addresses: [198.51.100.1] }\n%s",
			 c->host_line);
		err = tu_load(&p, &d, site);
		if (!c->needles) {
			if (err)
				tu_print_diags(&d);
			assert_int_equal(err, 0);
			assert_string_equal(pc_policy_find_host(&p, "b")->gateway, "g");
		} else if (err != -EINVAL || !tu_find_diag(&d, TU_SITE_FILE, 3, 0, c->needles)) {
			tu_print_diags(&d);
			fail_msg("%s: no error '%s' at line 3", c->what, c->needles);
		}
		pc_policy_free(&p);
		pc_diags_free(&d);
	}
}

/* Where each host is protected, what nothing enforces, and whether the
 * gateway can be managed. */
static const char prot_site[] =
	"kinds: [router]\n"
	"hosts:\n"
	"  - { name: mgr, kinds: [management-server], os: windows, runs-portcullis: true,\n"
	"      addresses: [192.0.2.10] }\n"
	"  - { name: cli, kinds: [management-client], addresses: [192.0.2.20] }\n"
	"  - { name: cli2, kinds: [management-client], addresses: [192.0.2.21] }\n"
	"  - { name: bmc, kinds: [bmc], gateway: gw, addresses: [198.51.100.41] }\n"
	"  - { name: svp, kinds: [svp], addresses: [198.51.100.40] }\n"
	"  - { name: lin, kinds: [linux], addresses: [198.51.100.31], gateway: gw }\n"
	"  - { name: win, kinds: [windows], os: linux, addresses: [198.51.100.32] }\n"
	"  - { name: gw, kinds: [router], addresses: [192.0.2.1] }\n";

static const struct {
	const char *host;
	unsigned protection;
} prot_cases[] = {
	{ "mgr", PC_PROTECTED_SELF },    /* said so, whatever its os */
	{ "cli", 0 },                    /* a management client: Windows */
	{ "bmc", PC_PROTECTED_GATEWAY },
	{ "svp", 0 },                    /* an appliance, no gateway */
	{ "lin", PC_PROTECTED_SELF | PC_PROTECTED_GATEWAY },
	{ "win", PC_PROTECTED_SELF },    /* os: linux wins over the kind */
	{ "gw", PC_PROTECTED_SELF },
};

static const struct {
	const char *flow;
	size_t pairs;
	const char *init, *resp;
} unenforced_cases[] = {
	{ "A-5.1", 2, "cli", "svp" },  /* cli and cli2 to svp */
	{ "A-5.3", 0, NULL, NULL },    /* bmc is behind gw */
	{ "A-2.5", 0, NULL, NULL },    /* mgr runs portcullis */
	{ "A-1.1", 0, NULL, NULL },
};

static void test_protection(void **state)
{
	const struct pc_host *a, *b;

	(void)state;
	tu_load_ok(&tu_fx.p, prot_site);
	for (size_t i = 0; i < sizeof(prot_cases) / sizeof(*prot_cases); i++) {
		const struct pc_host *h = pc_policy_find_host(&tu_fx.p, prot_cases[i].host);

		if (pc_host_protection(&tu_fx.p, h) != prot_cases[i].protection)
			fail_msg("%s: protection %u, want %u", prot_cases[i].host,
				 pc_host_protection(&tu_fx.p, h), prot_cases[i].protection);
	}
	for (size_t i = 0; i < sizeof(unenforced_cases) / sizeof(*unenforced_cases); i++) {
		const struct pc_flow *f = NULL;
		size_t n;

		for (size_t j = 0; j < tu_fx.p.nflows && !f; j++)
			if (tu_flow_is(&tu_fx.p.flows[j], unenforced_cases[i].flow))
				f = &tu_fx.p.flows[j];
		assert_non_null(f);
		n = pc_flow_unenforced(&tu_fx.p, f, &a, &b);
		if (n != unenforced_cases[i].pairs)
			fail_msg("%s: %zu unenforced pairs, want %zu", unenforced_cases[i].flow,
				 n, unenforced_cases[i].pairs);
		if (n) {
			assert_string_equal(a->name, unenforced_cases[i].init);
			assert_string_equal(b->name, unenforced_cases[i].resp);
		}
	}
	/* gw's management is not declared; mgr's GUI is reachable. */
	assert_false(pc_host_reachable_tcp(&tu_fx.p, pc_policy_find_host(&tu_fx.p, "gw")));
	assert_true(pc_host_reachable_tcp(&tu_fx.p, pc_policy_find_host(&tu_fx.p, "mgr")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forward_cases, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_shape, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_no_gateway_host, tu_setup, tu_teardown),
		cmocka_unit_test(test_site_gateway_field),
		cmocka_unit_test_setup_teardown(test_protection, tu_setup, tu_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
