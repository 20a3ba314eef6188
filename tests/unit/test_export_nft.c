// SPDX-License-Identifier: GPL-2.0-only
/*
 * The nftables export, read line by line: each case names a host of a
 * site and lines that must (or must not) be in the ruleset, a set's
 * elements, or the chain a rule line sits in. Whether nft accepts the
 * syntax is tests/cli/test_export.sh's job (nft -c); whether it judges
 * packets as the reference classifier does, tests/net/test_export_nft.sh's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "testutil.h"

/* The small site with a site flow of its own: a port range, an IPv6 CIDR
 * peer named by host, a purpose with a quote. */
static const char flow_site[] =
	"site: unit-export\n"
	"kinds: [backup-server]\n"
	"hosts:\n"
	"  - name: web\n"
	"    kinds: [linux]\n"
	"    addresses: [198.51.100.11, \"2001:db8:0:2::11\"]\n"
	"  - name: vault\n"
	"    kinds: [backup-server]\n"
	"    addresses: [\"2001:db8:5::/48\", 203.0.113.0/28, 203.0.113.9]\n"
	"flows:\n"
	"  - id: site.backup_push\n"
	"    purpose: the backup agent's \"push\"\n"
	"    protocols: [tcp, udp]\n"
	"    initiator: { hosts: [web], port: auto }\n"
	"    responder: { hosts: [vault], port: 8000-8100 }\n"
	"settings:\n"
	"  icmp-echo: off\n";

static const char audit_site[] =
	"site: unit-audit\n"
	"hosts:\n"
	"  - name: web\n"
	"    kinds: [linux]\n"
	"    addresses: [198.51.100.11]\n"
	"  - name: mgr\n"
	"    kinds: [management-server]\n"
	"    addresses: [192.0.2.10]\n"
	"settings:\n"
	"  mode: audit\n";

enum check { HAS, HAS_NOT, SET_IS, IN_CHAIN };

struct nft_case {
	const char *site;   /* NULL: tu_small_site */
	const char *host;   /* NULL: role */
	const char *role;
	enum check check;
	const char *text;   /* HAS/HAS_NOT: a whole line (tabs trimmed);
			       SET_IS: the set's name; IN_CHAIN: a rule line */
	const char *want;   /* SET_IS: its elements; IN_CHAIN: every chain
			       that holds the line, in order */
};

#define SMALL NULL

static const struct nft_case cases[] = {
	/* Table, hooks, what passes without a rule. */
	{ SMALL, "mgr", NULL, HAS, "table inet portcullis {", NULL },
	{ SMALL, "mgr", NULL, HAS, "delete table inet portcullis", NULL },
	{ SMALL, "mgr", NULL, HAS, "type filter hook input priority filter; policy drop;", NULL },
	{ SMALL, "mgr", NULL, HAS, "type filter hook output priority filter; policy drop;", NULL },
	{ SMALL, "mgr", NULL, HAS, "iif \"lo\" accept", NULL },
	{ SMALL, "mgr", NULL, HAS, "oif \"lo\" accept", NULL },
	{ SMALL, "mgr", NULL, HAS, "meta nfproto ipv4 fib saddr type local accept", NULL },
	{ SMALL, "mgr", NULL, HAS, "ct state established,related accept", NULL },
	{ SMALL, "mgr", NULL, HAS, "counter name dropped_in drop", NULL },
	{ SMALL, "mgr", NULL, HAS, "counter name dropped_out drop", NULL },
	{ SMALL, "mgr", NULL, HAS, "meta pkttype broadcast goto in_bcast", NULL },
	{ SMALL, "mgr", NULL, HAS, "ip daddr 255.255.255.255 goto in_bcast", NULL },
	/* Echo with documented peers (on by default), both families. */
	{ SMALL, "mgr", NULL, HAS, "icmp type echo-request ip saddr @peers_v4 counter name echo_in accept", NULL },
	{ SMALL, "mgr", NULL, HAS, "icmpv6 type echo-request ip6 daddr @peers_v6 counter name echo_out accept", NULL },
	/* Unicast row from a CIDR group: ports, set, counter. */
	{ SMALL, "mgr", NULL, IN_CHAIN,
	  "meta l4proto tcp tcp dport 22015 tcp sport 1024-65535 ip saddr @in_A-1.1-http-gui_v4 counter name in_A-1.1-http-gui accept",
	  "in_ucast" },
	{ SMALL, "mgr", NULL, SET_IS, "in_A-1.1-http-gui_v4", "192.0.2.64/26" },
	{ SMALL, "mgr", NULL, HAS_NOT, "set in_A-1.1-http-gui_v6 {", NULL },
	/* IPv4 and IPv6 peers: one line each, in rule order. */
	{ SMALL, "mgr", NULL, IN_CHAIN,
	  "meta l4proto tcp tcp sport 1024-65535 tcp dport 22 ip6 daddr @out_A-2.3-ssh-linux_v6 counter name out_A-2.3-ssh-linux accept",
	  "output" },
	{ SMALL, "mgr", NULL, SET_IS, "out_A-2.3-ssh-linux_v6", "2001:db8:0:2::11" },
	/* Wake-on-LAN to port 0: limited and directed broadcasts. */
	{ SMALL, "mgr", NULL, SET_IS, "out_A-2.9-wol-limited-broadcast_v4", "255.255.255.255" },
	{ SMALL, "mgr", NULL, IN_CHAIN,
	  "meta l4proto udp udp sport 1024-65535 udp dport 0 ip daddr @out_A-2.9-wol-limited-broadcast_v4 counter name out_A-2.9-wol-limited-broadcast accept",
	  "output" },
	{ SMALL, "mgr", NULL, SET_IS, "out_A-2.10-wol-unicast_v4", "198.51.100.11, 198.51.100.21" },
	/* A rule whose peers are absent matches nothing: no line at all. */
	{ SMALL, "mgr", NULL, HAS, "# no peer of this rule is in the site: it matches nothing", NULL },
	{ SMALL, "mgr", NULL, HAS_NOT, "set out_A-2.4-https-esxi_v4 {", NULL },
	/* DHCP from 0.0.0.0, sent to either; a broadcast-only row. */
	{ SMALL, "dhcp", NULL, SET_IS, "in_A-6.2-dhcp-client-request_v4", "0.0.0.0, 198.51.100.11, 198.51.100.21" },
	{ SMALL, "dhcp", NULL, IN_CHAIN,
	  "meta l4proto udp udp dport 67 udp sport 68 ip saddr @in_A-6.2-dhcp-client-request_v4 counter name in_A-6.2-dhcp-client-request accept",
	  "in_ucast in_bcast" },
	{ SMALL, "mgr", NULL, IN_CHAIN,
	  "meta l4proto udp udp dport 4011 udp sport 68 ip saddr @in_A-3.14-deploy-dhcp-fallback_v4 counter name in_A-3.14-deploy-dhcp-fallback accept",
	  "in_bcast" },
	/* Receivers of WoL: unicast and broadcast rows in their chains. */
	{ SMALL, "web", NULL, IN_CHAIN,
	  "meta l4proto udp udp dport 0 udp sport 1024-65535 ip saddr @in_A-2.9-wol-limited-broadcast_v4 counter name in_A-2.9-wol-limited-broadcast accept",
	  "in_bcast" },
	{ SMALL, "web", NULL, IN_CHAIN,
	  "meta l4proto udp udp dport 0 udp sport 1024-65535 ip saddr @in_A-2.10-wol-unicast_v4 counter name in_A-2.10-wol-unicast accept",
	  "in_ucast" },
	/* A site flow: port range, both protocols, CIDR and address peers
	 * merged into intervals, no echo. */
	{ flow_site, "web", NULL, IN_CHAIN,
	  "meta l4proto tcp tcp sport 1024-65535 tcp dport 8000-8100 ip6 daddr @out_site.backup_push_v6 counter name out_site.backup_push accept",
	  "output" },
	{ flow_site, "web", NULL, IN_CHAIN,
	  "meta l4proto udp udp sport 1024-65535 udp dport 8000-8100 ip daddr @out_site.backup_push_v4 counter name out_site.backup_push accept",
	  "output" },
	{ flow_site, "web", NULL, SET_IS, "out_site.backup_push_v6", "2001:db8:5::/48" },
	{ flow_site, "web", NULL, SET_IS, "out_site.backup_push_v4", "203.0.113.0/28, 203.0.113.9" },
	{ flow_site, "vault", NULL, IN_CHAIN,
	  "meta l4proto tcp tcp dport 8000-8100 tcp sport 1024-65535 ip saddr @in_site.backup_push_v4 counter name in_site.backup_push accept",
	  "in_ucast" },
	{ flow_site, "web", NULL, HAS_NOT, "icmp type echo-request ip saddr @peers_v4 counter name echo_in accept", NULL },
	{ flow_site, "web", NULL, HAS_NOT, "counter echo_in {", NULL },
	/* Audit: nothing dropped, what would be is counted and logged. */
	{ audit_site, "web", NULL, HAS, "type filter hook input priority filter; policy accept;", NULL },
	{ audit_site, "web", NULL, HAS, "counter name dropped_in log prefix \"portcullis audit in: \" accept", NULL },
	{ audit_site, "web", NULL, HAS_NOT, "counter name dropped_in drop", NULL },
	{ audit_site, "web", NULL, HAS_NOT, "ct state invalid counter name dropped_in drop", NULL },
	/* A role without a site: no peers, so no rule lines, drop. */
	{ "", NULL, "linux", HAS_NOT, "counter name in_A-2.3-ssh-linux accept", NULL },
	{ "", NULL, "linux", HAS, "counter name dropped_in drop", NULL },
};

static char *export_text(const struct nft_case *c)
{
	struct pc_ruleset *rs = &tu_fx.rs[0];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	tu_load_ok(&tu_fx.p, c->site ? (*c->site ? c->site : NULL) : tu_small_site);
	if (c->host)
		assert_int_equal(pc_compile_host(&tu_fx.p, c->host, rs), 0);
	else
		assert_int_equal(pc_compile_role(&tu_fx.p, c->role, rs), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(pc_export_nft(rs, f), 0);
	fclose(f);
	return buf;
}

/* The next line of text, tabs trimmed, into line; NULL at the end. */
static const char *next_line(const char *s, char *line, size_t len)
{
	size_t n;

	if (!s || !*s)
		return NULL;
	while (*s == '\t')
		s++;
	n = strcspn(s, "\n");
	snprintf(line, len, "%.*s", (int)n, s);
	return s[n] ? s + n + 1 : s + n;
}

static bool run_check(const struct nft_case *c, const char *text)
{
	char line[1024], chain[64] = "", head[128], found[256] = "";
	bool in_set = false;
	const char *s = text;

	snprintf(head, sizeof(head), "set %s {", c->text);
	while ((s = next_line(s, line, sizeof(line)))) {
		if (sscanf(line, "chain %63s", chain) == 1)
			continue;
		if (c->check == SET_IS) {
			if (!strcmp(line, head))
				in_set = true;
			else if (in_set && !strncmp(line, "elements = { ", 13)) {
				char want[512];

				snprintf(want, sizeof(want), "elements = { %s }", c->want);
				if (strcmp(line, want))
					print_message("#   set %s: %s\n", c->text, line);
				return !strcmp(line, want);
			}
			continue;
		}
		if (strcmp(line, c->text))
			continue;
		if (c->check != IN_CHAIN)
			return c->check == HAS;
		snprintf(found + strlen(found), sizeof(found) - strlen(found), "%s%s",
			 *found ? " " : "", chain);
	}
	if (c->check != IN_CHAIN)
		return c->check == HAS_NOT;
	if (strcmp(found, c->want))
		print_message("#   in chains '%s', want '%s'\n", found, c->want);
	return !strcmp(found, c->want);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct nft_case *c = &cases[i];
		char *text;
		bool ok;

		text = export_text(c);
		ok = run_check(c, text);
		if (!ok)
			print_message("# case %zu (%s): %s %s\n", i, c->host ? c->host : c->role,
				      c->check == HAS_NOT ? "unexpected" : "missing", c->text);
		free(text);
		pc_ruleset_free(&tu_fx.rs[0]);
		pc_policy_free(&tu_fx.p);
		memset(&tu_fx, 0, sizeof(tu_fx));
		assert_true(ok);
	}
}

/* Every rule with peers has a line in a chain, and every line counts on
 * the counter of its own rule's path and direction. */
static void test_every_rule_has_a_line(void **state)
{
	static const char *const hosts[] = { "mgr", "desk", "web", "win", "bmc",
					     "svp", "mail", "dhcp" };
	(void)state;
	for (size_t h = 0; h < sizeof(hosts) / sizeof(*hosts); h++) {
		struct nft_case c = { SMALL, hosts[h], NULL, HAS, NULL, NULL };
		struct pc_ruleset *rs = &tu_fx.rs[0];
		char *text = export_text(&c);

		for (size_t i = 0; i < rs->nrules; i++) {
			const struct pc_rule *r = &rs->rules[i];
			char counter[PC_NFT_NAME_LEN], needle[PC_NFT_NAME_LEN + 32];

			if (r->nremote == 0)
				continue;
			snprintf(needle, sizeof(needle), "counter name %s accept\n",
				 pc_nft_counter_name(r->flow, r->dir, counter));
			if (!strstr(text, needle))
				print_message("# %s rule %zu: no line counting on %s\n",
					      hosts[h], i, counter);
			assert_non_null(strstr(text, needle));
		}
		free(text);
		pc_ruleset_free(rs);
		pc_policy_free(&tu_fx.p);
		memset(&tu_fx, 0, sizeof(tu_fx));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cases, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_every_rule_has_a_line, tu_setup, tu_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
