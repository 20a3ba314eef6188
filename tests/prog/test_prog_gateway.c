// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gateway mode through BPF_PROG_TEST_RUN: a router gw (192.0.2.1,
 * 198.51.100.1) between the management segment (mgr, cli, dhcp) and the
 * appliances behind it (bmc, svp, lin). Each table is a sequence: its
 * packets go through in order, so replies find the connections their
 * first packets made. Every step says the verdict and where it is
 * counted: a path (packets +1 on it, in the hook's direction, or FWD for a
 * forwarded packet: XDP ingress, counted as forwarded, not as the gateway's
 * own ingress), a drop reason, or nowhere (a forwarded packet on egress,
 * judged at ingress).
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway.h"
#include "gateway_site.h"
#include "mapmem.h"
#include "progutil.h"


#define IN PC_DIR_IN
#define OUT PC_DIR_OUT
#define FWD PC_DIR_FWD /* through XDP ingress, counted as forwarded */
#define T IPPROTO_TCP
#define U IPPROTO_UDP
#define ICMP IPPROTO_ICMP
#define BC 1 /* Ethernet broadcast destination */
#define NOWHERE (-1)

struct step {
	const char *what;
	int dir;
	uint8_t proto;
	const char *src;
	uint16_t sport; /* ICMP: the type */
	const char *dst;
	uint16_t dport; /* ICMP: the identifier */
	uint8_t flags;  /* TCP */
	int bcast;
	bool pass;
	const char *path; /* pass: the path counted (NULL: "other") */
	int reason;       /* drop: the reason counted; pass: NOWHERE for none */
};

#define MGR "192.0.2.10"
#define CLI "192.0.2.20"
#define BMC "198.51.100.41"
#define SVP "198.51.100.40"
#define LIN "198.51.100.20"
#define GW "192.0.2.1"
#define SYN TH_SYN
#define SYNACK (TH_SYN | TH_ACK)
#define ACK TH_ACK

static const struct step forwarded[] = {
	{ "server to BMC web: SYN", FWD, T, MGR, 40000, BMC, 443, SYN, 0, true, "A-2.5-ssl-svp-bmc", 0 },
	{ "... its SYN-ACK comes back", FWD, T, BMC, 443, MGR, 40000, SYNACK, 0, true, "A-2.5-ssl-svp-bmc", 0 },
	{ "... the ACK", FWD, T, MGR, 40000, BMC, 443, ACK, 0, true, "A-2.5-ssl-svp-bmc", 0 },
	{ "... leaving the gateway: passed uncounted", OUT, T, MGR, 40000, BMC, 443, ACK, 0, true, NULL, NOWHERE },
	{ "client to BMC console", FWD, T, CLI, 40001, BMC, 443, SYN, 0, true, "A-5.4-bmc-console-https", 0 },
	{ "server to a linux host of a group", FWD, T, MGR, 40002, LIN, 22, SYN, 0, true, "A-2.3-ssh-linux", 0 },
	{ "BMC's RMCP to the server", FWD, U, BMC, 623, MGR, 50000, 0, 0, true, "A-2.7-rmcp-from-bmc", 0 },
	{ "... the server's answer, via conntrack", FWD, U, MGR, 50000, BMC, 623, 0, 0, true, "A-2.7-rmcp-from-bmc", 0 },
	{ "IPv6: server to BMC web", FWD, T, "2001:db8:a::10", 40003, "2001:db8:b::41", 443, SYN, 0, true, "A-2.5-ssl-svp-bmc", 0 },
	/* wrong initiator, wrong responder, undocumented port */
	{ "client to BMC ssh", FWD, T, CLI, 40004, BMC, 22, SYN, 0, false, NULL, PC_DROP_WRONG_PEER },
	{ "server to SVP ssh", FWD, T, MGR, 40005, SVP, 22, SYN, 0, false, NULL, PC_DROP_WRONG_PEER },
	{ "BMC to SVP web", FWD, T, BMC, 40006, SVP, 443, SYN, 0, false, NULL, PC_DROP_WRONG_PEER },
	{ "a stranger to BMC web", FWD, T, "203.0.113.9", 40007, BMC, 443, SYN, 0, false, NULL, PC_DROP_WRONG_PEER },
	{ "server to BMC telnet", FWD, T, MGR, 40008, BMC, 23, SYN, 0, false, NULL, PC_DROP_NO_RULE },
	{ "a reply with no connection", FWD, T, BMC, 443, MGR, 40099, ACK, 0, false, NULL, PC_DROP_NO_CONNTRACK },
	{ "the gateway's address, forged", FWD, T, GW, 40009, BMC, 443, SYN, 0, false, NULL, PC_DROP_BAD_SOURCE },
	{ "NULL scan through the gateway", FWD, T, MGR, 40010, BMC, 443, 0, 0, false, NULL, PC_DROP_TCP_FLAGS },
};

static const struct step broadcasts[] = {
	{ "WoL to 255.255.255.255", FWD, U, MGR, 50001, "255.255.255.255", 0, 0, BC, true, "A-2.9-wol-limited-broadcast", 0 },
	{ "magicsend to the appliances' directed broadcast", FWD, U, MGR, 50002, "198.51.100.255", 5561, 0, 0, true, "A-2.11-wol-magicsend", 0 },
	{ "DHCP discover from 0.0.0.0", FWD, U, "0.0.0.0", 68, "255.255.255.255", 67, 0, BC, true, "A-3.1-pxe-dhcp-request", 0 },
	{ "DHCP server's broadcast reply", FWD, U, "192.0.2.53", 67, "255.255.255.255", 68, 0, BC, true, "A-6.1-dhcp-server-reply", 0 },
	/* Refused as forwarded, then by the gateway's own rules as a
	 * broadcast it receives: wrong-peer, since forward rules have the
	 * port (the port rows are shared). */
	{ "magicsend from a BMC", IN, U, BMC, 50003, "198.51.100.255", 5561, 0, 0, false, NULL, PC_DROP_WRONG_PEER },
	{ "WoL to a directed broadcast (limited only)", IN, U, MGR, 50004, "198.51.100.255", 0, 0, 0, false, NULL, PC_DROP_WRONG_PEER },
};

static const struct step own[] = {
	{ "client to the gateway's ssh", IN, T, CLI, 40020, GW, 22, SYN, 0, true, "site-gw-ssh", 0 },
	{ "... the gateway answers", OUT, T, GW, 22, CLI, 40020, SYNACK, 0, true, "site-gw-ssh", 0 },
	{ "server to the gateway's ssh", IN, T, MGR, 40021, GW, 22, SYN, 0, false, NULL, PC_DROP_WRONG_PEER },
	{ "the gateway to BMC web: not its flow", OUT, T, "198.51.100.1", 40022, BMC, 443, SYN, 0, false, NULL, PC_DROP_NO_RULE },
	{ "client to the gateway's telnet", IN, T, CLI, 40023, GW, 23, SYN, 0, false, NULL, PC_DROP_NO_RULE },
};

static const struct step echo[] = {
	{ "server pings a BMC", FWD, ICMP, MGR, 8, BMC, 77, 0, 0, true, NULL, 0 },
	{ "... the BMC answers", FWD, ICMP, BMC, 0, MGR, 77, 0, 0, true, NULL, 0 },
	{ "an echo reply nobody asked for", FWD, ICMP, BMC, 0, MGR, 78, 0, 0, false, NULL, PC_DROP_NO_CONNTRACK },
	{ "a BMC pings the SVP (no flow between them)", FWD, ICMP, BMC, 8, SVP, 79, 0, 0, false, NULL, PC_DROP_ICMP },
	{ "a timestamp request", FWD, ICMP, MGR, 13, BMC, 80, 0, 0, false, NULL, PC_DROP_ICMP },
};

static void build(struct pkt *p, const struct step *s)
{
	memset(p, 0, sizeof(*p));
	pkt_eth(p, 0);
	if (s->bcast)
		pkt_eth_dst_broadcast(p);
	pkt_ip(p, s->src, s->dst);
	if (s->proto == T)
		pkt_tcp(p, s->sport, s->dport, s->flags);
	else if (s->proto == U)
		pkt_udp(p, s->sport, s->dport);
	else
		pkt_icmp(p, (uint8_t)s->sport, 0, s->dport);
	pkt_payload(p, 8);
	pkt_finish(p);
}

static void load_gateway(struct fx *f)
{
	struct pc_diags d = { 0 };
	struct pc_load_info info;
	int err;

	err = pc_policy_load_text(&f->policy, "catalog.yaml", pc_builtin_catalog,
				  pc_builtin_catalog_len, "site.yaml", gw_site,
				  strlen(gw_site), &d);
	if (err)
		pc_diags_print(&d);
	pc_diags_free(&d);
	assert_int_equal(err, 0);
	f->have_policy = true;
	assert_int_equal(pc_compile_gateway(&f->policy,
					    pc_policy_find_host(&f->policy, "gw"), &f->rs), 0);
	f->have_rs = true;
	err = pc_loader_load(&f->maps, &f->rs, &f->policy.settings, &info);
	if (err)
		fail_msg("loading the gateway: %s", strerror(-err));
}

static void run_steps(struct fx *f, const struct step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct step *s = &steps[i];
		uint64_t before = 0, after, other[3];
		struct pkt p;
		bool pass;

		build(&p, s);
		if (s->pass && s->reason != NOWHERE)
			before = fx_path_packets(f, s->path, s->dir);
		else if (!s->pass)
			before = fx_drop_packets(f, s->reason, s->dir);
		for (int d = 0; d < 3; d++)
			other[d] = fx_path_packets(f, NULL, d);
		pass = fx_run(f, s->dir == OUT, &p);
		if (pass != s->pass)
			fail_msg("%s: %s, want %s", s->what, pass ? "passed" : "dropped",
				 s->pass ? "pass" : "drop");
		if (s->pass && s->reason == NOWHERE) {
			for (int d = 0; d < 3; d++)
				if (fx_path_packets(f, NULL, d) != other[d])
					fail_msg("%s: counted, want uncounted", s->what);
			continue;
		}
		after = s->pass ? fx_path_packets(f, s->path, s->dir) :
				  fx_drop_packets(f, s->reason, s->dir);
		if (after != before + 1)
			fail_msg("%s: not counted on %s", s->what,
				 s->pass ? (s->path ? s->path : "other") : "its drop reason");
	}
}

/* The denied-flow table's entry of the forwarded drop from src: keyed as
 * it came in (source, destination port), with direction forward, not as
 * a drop of the gateway's own ingress (advise would read that one as
 * traffic to the gateway itself). */
static void expect_denied_forward(struct fx *f, const char *src, uint16_t dport)
{
	struct pc_denied_key k, next;
	struct in_addr a;
	void *prev = NULL;
	int found = 0;

	assert_int_equal(inet_pton(AF_INET, src, &a), 1);
	while (bpf_map_get_next_key(f->maps.denied, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (k.family != PC_AF_INET || memcmp(k.raddr, &a, 4))
			continue;
		if (k.dir != PC_DIR_FWD || k.lport != dport)
			fail_msg("denied flow from %s: direction %u port %u, want forward %u",
				 src, k.dir, k.lport, dport);
		found = 1;
	}
	if (!found)
		fail_msg("no denied flow from %s", src);
}

static void test_forwarded(void **state)
{
	struct fx *f = *state;

	load_gateway(f);
	run_steps(f, forwarded, sizeof(forwarded) / sizeof(*forwarded));
	expect_denied_forward(f, "203.0.113.9", 443);
}

static void test_broadcasts(void **state)
{
	struct fx *f = *state;

	load_gateway(f);
	run_steps(f, broadcasts, sizeof(broadcasts) / sizeof(*broadcasts));
}

static void test_own(void **state)
{
	struct fx *f = *state;

	load_gateway(f);
	run_steps(f, own, sizeof(own) / sizeof(*own));
}

static void test_echo(void **state)
{
	struct fx *f = *state;

	load_gateway(f);
	run_steps(f, echo, sizeof(echo) / sizeof(*echo));
}

/* A reload that takes a flow away cuts its forwarded connections; those
 * of the flows it keeps go on, whichever end speaks first after it. */
static void test_reload_recheck(void **state)
{
	static const struct step open[] = {
		{ "server to BMC ssh", FWD, T, MGR, 40030, BMC, 22, SYN, 0, true, "A-2.6-ssh-bmc", 0 },
		{ "... SYN-ACK", FWD, T, BMC, 22, MGR, 40030, SYNACK, 0, true, "A-2.6-ssh-bmc", 0 },
		{ "server to BMC web", FWD, T, MGR, 40031, BMC, 443, SYN, 0, true, "A-2.5-ssl-svp-bmc", 0 },
		{ "... SYN-ACK", FWD, T, BMC, 443, MGR, 40031, SYNACK, 0, true, "A-2.5-ssl-svp-bmc", 0 },
		{ "server to BMC web again", FWD, T, MGR, 40032, BMC, 443, SYN, 0, true, "A-2.5-ssl-svp-bmc", 0 },
		{ "... SYN-ACK", FWD, T, BMC, 443, MGR, 40032, SYNACK, 0, true, "A-2.5-ssl-svp-bmc", 0 },
	};
	static const struct step cut[] = {
		{ "... after a reload without A-2.6", FWD, T, MGR, 40030, BMC, 22, ACK, 0, false, NULL, PC_DROP_WRONG_PEER },
		{ "web, the initiator first after it", FWD, T, MGR, 40031, BMC, 443, ACK, 0, true, "A-2.5-ssl-svp-bmc", 0 },
		{ "... then the BMC", FWD, T, BMC, 443, MGR, 40031, ACK, 0, true, "A-2.5-ssl-svp-bmc", 0 },
		{ "web, the BMC first after it", FWD, T, BMC, 443, MGR, 40032, SYNACK, 0, true, "A-2.5-ssl-svp-bmc", 0 },
		{ "... then the initiator", FWD, T, MGR, 40032, BMC, 443, ACK, 0, true, "A-2.5-ssl-svp-bmc", 0 },
	};
	struct fx *f = *state;
	struct pc_ruleset rs2;
	struct pc_load_info info;
	size_t w = 0;

	load_gateway(f);
	run_steps(f, open, sizeof(open) / sizeof(*open));
	/* The same rules without A-2.6's forward rule. */
	assert_int_equal(pc_compile_gateway(&f->policy,
					    pc_policy_find_host(&f->policy, "gw"), &rs2), 0);
	for (size_t i = 0; i < rs2.nrules; i++) {
		if (rs2.rules[i].forward && !strcmp(rs2.rules[i].flow->id, "A-2.6-ssh-bmc")) {
			free(rs2.rules[i].remote_addrs);
			free(rs2.rules[i].local_addrs);
			continue;
		}
		rs2.rules[w++] = rs2.rules[i];
	}
	rs2.nrules = w;
	assert_int_equal(pc_loader_load(&f->maps, &rs2, &f->policy.settings, &info), 0);
	run_steps(f, cut, sizeof(cut) / sizeof(*cut));
	pc_ruleset_free(&rs2);
}

/* ICMP errors about forwarded connections: from a router beyond, and
 * from the gateway itself (PMTU must work through it). */
static void test_icmp_errors(void **state)
{
	static const struct step open[] = {
		{ "server to BMC web", FWD, T, MGR, 40040, BMC, 443, SYN, 0, true, "A-2.5-ssl-svp-bmc", 0 },
	};
	static const struct {
		const char *what;
		int dir;
		const char *from;
		uint16_t isport; /* of the quoted packet MGR -> BMC:443 */
		bool pass;
	} cases[] = {
		/* Both passes are the forwarded connection's: counted so. */
		{ "frag-needed from a router beyond", IN, "198.51.100.254", 40040, true },
		{ "frag-needed from the gateway itself", OUT, GW, 40040, true },
		{ "about a connection nobody opened", IN, "198.51.100.254", 40041, false },
		{ "the gateway's, about nothing it forwarded", OUT, GW, 40041, false },
	};
	struct fx *f = *state;

	load_gateway(f);
	run_steps(f, open, 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		uint64_t before = fx_path_packets(f, "A-2.5-ssl-svp-bmc", FWD);
		struct pkt inner, p;
		bool pass;

		memset(&inner, 0, sizeof(inner));
		pkt_eth(&inner, 0);
		pkt_ip(&inner, MGR, BMC);
		pkt_tcp(&inner, cases[i].isport, 443, TH_ACK);
		pkt_finish(&inner);
		memset(&p, 0, sizeof(p));
		pkt_eth(&p, 0);
		pkt_ip(&p, cases[i].from, MGR);
		pkt_icmp(&p, 3, 4, 0);
		pkt_append_ip(&p, &inner);
		pkt_finish(&p);
		pass = fx_run(f, cases[i].dir, &p);
		if (pass != cases[i].pass)
			fail_msg("%s: %s", cases[i].what, pass ? "passed" : "dropped");
		if (pass && fx_path_packets(f, "A-2.5-ssl-svp-bmc", FWD) != before + 1)
			fail_msg("%s: not counted on A-2.5 as forwarded", cases[i].what);
	}
}

/*
 * Gateway mode's address sets cost memory with the site (issue 14): they
 * are in the bank's own address map, which the map memory counts, with
 * the host rules' peers, and all of a gateway's maps for this small site
 * stay within issue 14's target for the lab site, 16 MiB (no table sized
 * for the largest policy).
 */
static void test_memory(void **state)
{
	static const struct {
		const char *what, *addr;
		unsigned kind;
	} cases[] = {
		{ "an initiator through the gateway", MGR, PC_ADDR_FWD_INIT },
		{ "a destination behind it", BMC, PC_ADDR_FWD_RESP },
		{ "the gateway's own address", GW, PC_ADDR_OWN },
		{ "a peer of its own rules", CLI, PC_ADDR_RULES },
	};
	struct fx *f = *state;
	struct pc_map_memory m;
	uint32_t bank, id;
	int fd;

	load_gateway(f);
	assert_int_equal(pc_loader_state(&f->maps, &bank, &(uint32_t){ 0 }), 0);
	assert_int_equal(bpf_map_lookup_elem(f->maps.addr, &bank, &id), 0);
	fd = bpf_map_get_fd_by_id(id);
	assert_true(fd >= 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct pc_host_key k = { .addr = { [10] = 0xff, [11] = 0xff } };
		struct pc_addr_value v = { 0 };

		assert_int_equal(inet_pton(AF_INET, cases[i].addr, k.addr + 12), 1);
		if (bpf_map_lookup_elem(fd, &k, &v) || !(v.kinds & (1u << cases[i].kind)))
			fail_msg("%s (%s): not in the bank's address map", cases[i].what,
				 cases[i].addr);
	}
	close(fd);
	assert_int_equal(pc_map_memory_read(&f->maps, &m), 0);
	printf("# map memory of the gateway: %.1f MiB, pc_addr %llu bytes\n",
	       (double)m.bytes / (1 << 20), (unsigned long long)m.map_bytes[PC_MAP_INDEX_addr]);
	/* A few entries and the hash's buckets: this site's nine hosts. */
	if (!m.map_bytes[PC_MAP_INDEX_addr] || m.map_bytes[PC_MAP_INDEX_addr] > 64u << 10)
		fail_msg("pc_addr: %llu bytes, want some and at most 64 KiB",
			 (unsigned long long)m.map_bytes[PC_MAP_INDEX_addr]);
	if (m.bytes > 16u << 20)
		fail_msg("map memory %llu bytes, want at most 16 MiB", (unsigned long long)m.bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forwarded, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_broadcasts, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_own, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_echo, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reload_recheck, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_icmp_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_memory, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
