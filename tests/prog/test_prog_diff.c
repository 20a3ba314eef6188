// SPDX-License-Identifier: GPL-2.0-only
/*
 * Differential test: random and mutated packets through the BPF program
 * (BPF_PROG_TEST_RUN) and through the reference classifier (pc_classify);
 * verdicts, drop reasons and paths must be identical. Packets start from a
 * rule's own initiating packet and are mutated (ports, edges of ranges,
 * peer, protocol, direction, broadcast destination) or are drawn at random;
 * the encapsulation (VLAN tags, IPv4 options, IPv6 extension headers) is
 * varied too and must not change the verdict. The seed is printed;
 * PC_DIFF_SEED replays a run.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progutil.h"

#define PACKETS_PER_HOST 30000

static const char *const hosts[] = { "mgr", "web", "desk", "bmc" };

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: small, fast, reproducible from the seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static uint16_t rnd_in(struct pc_port_range r)
{
	return (uint16_t)(r.lo + rnd() % ((uint32_t)r.hi - r.lo + 1));
}

/* Addresses to draw peers from: every rule's remotes and some strangers. */
struct pool {
	char (*addr)[64];
	size_t n;
};

static void pool_add(struct pool *p, const char *a)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->addr[i], a))
			return;
	p->addr = realloc(p->addr, (p->n + 1) * sizeof(*p->addr));
	assert_non_null(p->addr);
	snprintf(p->addr[p->n++], 64, "%s", a);
}

static void pool_fill(struct pool *p, const struct pc_ruleset *rs)
{
	static const char *const strangers[] = {
		"192.0.2.1", "192.0.2.127", "192.0.2.255", "198.51.100.1",
		"198.51.100.200", "203.0.113.15", "203.0.113.16", "203.0.113.99",
		"2001:db8::1", "2001:db8:100::", "2001:db8:101::1", "2001:db8:0:2::12",
		"2001:db8:1::89", "0.0.0.0", "198.51.100.255", "192.0.2.63",
		"192.0.2.64", "192.0.2.128",
	};

	for (size_t i = 0; i < sizeof(strangers) / sizeof(*strangers); i++)
		pool_add(p, strangers[i]);
	for (size_t i = 0; i < rs->nrules; i++) {
		for (size_t j = 0; j < rs->rules[i].nremote; j++) {
			char buf[64];

			px_addr_inside(&rs->rules[i].remote_addrs[j], buf, sizeof(buf));
			if (strcmp(buf, "255.255.255.255"))
				pool_add(p, buf);
		}
	}
}

struct gen {
	struct pc_tuple t;
	char remote[64];
	uint8_t tcp_flags;
	int vlans, ip_opts, v6_exts;
};

static void generate(const struct pc_ruleset *rs, const struct pool *pool,
		     struct gen *g)
{
	static const uint8_t flags[] = { TH_SYN, TH_ACK, TH_ACK | TH_PSH, TH_SYN };
	const char *why;

	memset(g, 0, sizeof(*g));
	if (rs->nrules && rnd() % 4 != 0) {
		const struct pc_rule *r = &rs->rules[rnd() % rs->nrules];
		int mutations = (int)(rnd() % 3);

		g->t.dir = r->dir;
		g->t.proto = r->proto;
		g->t.local_port = rnd_in(r->local);
		g->t.remote_port = rnd_in(r->remote);
		if (r->nremote)
			px_addr_inside(&r->remote_addrs[rnd() % r->nremote], g->remote,
				       sizeof(g->remote));
		else
			snprintf(g->remote, sizeof(g->remote), "%s", pool->addr[rnd() % pool->n]);
		g->t.to_broadcast = r->dir == PC_DIR_INGRESS &&
				    !(r->local_class & PC_LOCAL_UNICAST);
		for (int m = 0; m < mutations; m++) {
			switch (rnd() % 8) {
			case 0: g->t.local_port = (uint16_t)rnd(); break;
			case 1: g->t.remote_port = (uint16_t)rnd(); break;
			case 2: g->t.local_port = rnd() & 1 ? r->local.lo - 1 : r->local.hi + 1; break;
			case 3: g->t.remote_port = rnd() & 1 ? r->remote.lo - 1 : r->remote.hi + 1; break;
			case 4: snprintf(g->remote, sizeof(g->remote), "%s", pool->addr[rnd() % pool->n]); break;
			case 5: g->t.proto = g->t.proto == IPPROTO_TCP ? IPPROTO_UDP : IPPROTO_TCP; break;
			case 6: g->t.dir = !g->t.dir; break;
			default: g->t.to_broadcast = !g->t.to_broadcast; break;
			}
		}
	} else {
		g->t.dir = (enum pc_dir)(rnd() & 1);
		g->t.proto = rnd() & 1 ? IPPROTO_TCP : IPPROTO_UDP;
		g->t.local_port = (uint16_t)(rnd() & 1 ? rnd() : rnd() % 1024);
		g->t.remote_port = (uint16_t)(rnd() & 1 ? rnd() : rnd() % 1024);
		snprintf(g->remote, sizeof(g->remote), "%s", pool->addr[rnd() % pool->n]);
		g->t.to_broadcast = rnd() % 8 == 0;
	}
	assert_int_equal(pc_addr_parse(g->remote, &g->t.remote, &why), 0);
	if (g->t.dir != PC_DIR_INGRESS || g->t.remote.family != AF_INET)
		g->t.to_broadcast = false;
	g->tcp_flags = flags[rnd() % 4];
	g->vlans = (int)(rnd() % 3);
	g->ip_opts = (int)(rnd() % 4) * 4;
	g->v6_exts = (int)(rnd() % 4);
}

static void build(const struct pc_ruleset *rs, const struct gen *g, struct pkt *p)
{
	char local[64];
	const char *src, *dst;
	uint16_t sport, dport;
	bool in = g->t.dir == PC_DIR_INGRESS;

	px_local_addr(rs, g->t.remote.family, local, sizeof(local));
	if (g->t.to_broadcast)
		snprintf(local, sizeof(local), "%s",
			 rnd() & 1 ? "255.255.255.255" : local);
	src = in ? g->remote : local;
	dst = in ? local : g->remote;
	sport = in ? g->t.remote_port : g->t.local_port;
	dport = in ? g->t.local_port : g->t.remote_port;
	pkt_eth(p, g->vlans);
	if (g->t.to_broadcast)
		pkt_eth_dst_broadcast(p);
	pkt_ip(p, src, dst);
	if (p->family == 4 && g->ip_opts)
		pkt_ipv4_options(p, (size_t)g->ip_opts);
	for (int i = 0; p->family == 6 && i < g->v6_exts; i++)
		pkt_ipv6_ext(p, i == 0 ? 0 : 60, 8 * (size_t)(1 + i));
	if (g->t.proto == IPPROTO_TCP)
		pkt_tcp(p, sport, dport, g->tcp_flags);
	else
		pkt_udp(p, sport, dport);
	pkt_payload(p, rnd() % 64);
	pkt_finish(p);
}

static bool bad_source(const struct pc_addr *a)
{
	return a->family == AF_INET ? a->bytes[0] >= 224 : a->bytes[0] == 0xff;
}

static void test_differential(void **state)
{
	struct fx *f = *state;
	const char *env = getenv("PC_DIFF_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : 0x5eed0001ull;
	size_t total = 0, passes = 0, reasons[PC_DROP_REASONS] = { 0 };

	rng_state = seed ? seed : 1;
	printf("# differential seed 0x%llx (PC_DIFF_SEED replays)\n",
	       (unsigned long long)seed);
	fx_load(f, px_site, hosts[0], PC_MODE_ENFORCE);
	for (size_t h = 0; h < sizeof(hosts) / sizeof(*hosts); h++) {
		struct pool pool = { 0 };

		fx_load_host(f, hosts[h], PC_MODE_ENFORCE);
		pool_fill(&pool, &f->rs);
		for (int i = 0; i < PACKETS_PER_HOST; i++) {
			const char *path = NULL;
			uint64_t before, after;
			struct gen g;
			struct pkt p;
			bool passed;
			int reason;

			generate(&f->rs, &pool, &g);
			build(&f->rs, &g, &p);
			if (g.t.dir == PC_DIR_INGRESS && bad_source(&g.t.remote))
				reason = PC_DROP_BAD_SOURCE;
			else
				reason = px_expect(&f->rs, &g.t, &path);
			if (reason == PC_DROP_NONE)
				before = fx_path_packets(f, path, g.t.dir);
			else
				before = fx_drop_packets(f, reason, g.t.dir);
			passed = fx_run(f, g.t.dir, &p);
			if (reason == PC_DROP_NONE)
				after = fx_path_packets(f, path, g.t.dir);
			else
				after = fx_drop_packets(f, reason, g.t.dir);
			PX_CHECK(passed == (reason == PC_DROP_NONE) && after == before + 1,
				 "packet %d of %s: %s %s remote %s lport %u rport %u%s: "
				 "bpf %s, reference %s (reason %d, path %s), counter +%llu",
				 i, hosts[h], pc_dir_name(g.t.dir), pc_proto_name(g.t.proto),
				 g.remote, g.t.local_port, g.t.remote_port,
				 g.t.to_broadcast ? " to broadcast" : "",
				 passed ? "pass" : "drop",
				 reason == PC_DROP_NONE ? "pass" : "drop", reason,
				 path ? path : "-", (unsigned long long)(after - before));
			/* Each packet is judged as the first of its connection. */
			if (passed)
				fx_clear_tracking(f);
			total++;
			if (reason == PC_DROP_NONE)
				passes++;
			reasons[reason]++;
		}
		free(pool.addr);
	}
	printf("# %zu packets: %zu passed, %zu no-rule, %zu wrong-peer, %zu no-conntrack, %zu bad-source\n",
	       total, passes, reasons[PC_DROP_NO_RULE], reasons[PC_DROP_WRONG_PEER],
	       reasons[PC_DROP_NO_CONNTRACK], reasons[PC_DROP_BAD_SOURCE]);
	assert_true(total >= 100000);
	/* The generator must exercise every outcome, or it proves little. */
	assert_true(passes > total / 10);
	assert_true(reasons[PC_DROP_NO_RULE] > total / 20);
	assert_true(reasons[PC_DROP_WRONG_PEER] > total / 50);
	assert_true(reasons[PC_DROP_NO_CONNTRACK] > total / 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_differential, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
