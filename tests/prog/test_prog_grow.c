// SPDX-License-Identifier: GPL-2.0-only
/*
 * A reload whose policy needs bigger maps (issue 14): each bank's address
 * hash is a map of its own, sized to its policy, made and swapped in with
 * the bank (map-in-map). Growing from the site's addresses to 100,000 and
 * back must keep the connections and the counters, let go of the old
 * maps, and give no packet a verdict that neither policy gives it, also
 * while packets run during the reloads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mapmem.h"
#include "portcullis.skel.h"
#include "progutil.h"

#define SSH "A-2.3-ssh-linux"
#define GROWN 100000

/* The host's rules with GROWN more peers (2001:db8:5::/96) on ssh. */
struct grown {
	struct pc_ruleset rs;
	struct pc_addr *addrs;
};

static void grow(struct fx *f, struct grown *g)
{
	size_t ssh = (size_t)-1, n0;

	for (size_t i = 0; i < f->rs.nrules; i++)
		if (!strcmp(f->rs.rules[i].flow->id, SSH))
			ssh = i;
	assert_true(ssh != (size_t)-1);
	n0 = f->rs.rules[ssh].nremote;
	g->addrs = calloc(n0 + GROWN, sizeof(*g->addrs));
	memcpy(g->addrs, f->rs.rules[ssh].remote_addrs, n0 * sizeof(*g->addrs));
	for (size_t i = 0; i < GROWN; i++) {
		struct pc_addr *a = &g->addrs[n0 + i];
		uint32_t low = htonl((uint32_t)i + 1);

		a->family = AF_INET6;
		a->prefix = 128;
		inet_pton(AF_INET6, "2001:db8:5::", a->bytes);
		memcpy(a->bytes + 12, &low, 4);
	}
	g->rs = f->rs;
	g->rs.rules = calloc(g->rs.nrules, sizeof(*g->rs.rules));
	memcpy(g->rs.rules, f->rs.rules, g->rs.nrules * sizeof(*g->rs.rules));
	g->rs.rules[ssh].remote_addrs = g->addrs;
	g->rs.rules[ssh].nremote = n0 + GROWN;
}

static void grown_free(struct grown *g)
{
	free(g->rs.rules);
	free(g->addrs);
}

/* max_entries of the address hash of bank (0: the slot is empty). */
static uint32_t bank_size(struct fx *f, uint32_t bank)
{
	struct bpf_map_info info = { 0 };
	uint32_t id, len = sizeof(info), max = 0;
	int fd;

	if (bpf_map_lookup_elem(f->maps.addr, &bank, &id))
		return 0;
	fd = bpf_map_get_fd_by_id(id);
	assert_true(fd >= 0);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
		max = info.max_entries;
	close(fd);
	return max;
}

static uint64_t addr_memory(struct fx *f)
{
	struct pc_map_memory m;

	assert_int_equal(pc_map_memory_read(&f->maps, &m), 0);
	return m.map_bytes[PC_MAP_INDEX_addr];
}

static void load(struct fx *f, const struct pc_ruleset *rs, uint32_t *bank)
{
	struct pc_load_info info;

	assert_int_equal(pc_loader_load(&f->maps, rs, &f->policy.settings, &info), 0);
	*bank = info.bank;
}

/* The id of the map in a bank's slot (0: none). */
static uint32_t bank_id(struct fx *f, uint32_t bank)
{
	uint32_t id;

	return bpf_map_lookup_elem(f->maps.addr, &bank, &id) ? 0 : id;
}

/* Reloads of a policy of the same size reuse each bank's map: a new one
 * costs the reload a grace period. */
static void test_same_size_reuses(void **state)
{
	struct fx *f = *state;
	uint32_t bank, first, again;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	pc_loader_state(&f->maps, &bank, &(uint32_t){ 0 });
	first = bank_id(f, bank);
	load(f, &f->rs, &bank);
	load(f, &f->rs, &bank);
	again = bank_id(f, bank);
	PX_CHECK(first && again == first, "map %u, then %u", first, again);
}

/* An ssh connection from mgr to web, established before the reload,
 * carries on after it on the same counter; a peer of the grown policy
 * passes, one outside both does not; the old bank's hash is gone. */
static void test_grow_keeps_connections(void **state)
{
	struct fx *f = *state;
	struct grown g;
	uint32_t bank, small_max, big_max;
	uint64_t eg, in, small_mem, big_mem, back_mem;
	long live;
	struct pkt syn, synack, ack, p;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	pc_loader_state(&f->maps, &bank, &(uint32_t){ 0 });
	small_max = bank_size(f, bank);
	small_mem = addr_memory(f);
	assert_true(small_max > 0 && small_max < 1000);

	pkt_flow(&syn, 1, IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.11", 22, TH_SYN);
	pkt_flow(&synack, 0, IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.11", 22,
		 TH_SYN | TH_ACK);
	pkt_flow(&ack, 1, IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.11", 22, TH_ACK);
	assert_true(fx_run(f, 1, &syn));
	assert_true(fx_run(f, 0, &synack));
	assert_true(fx_run(f, 1, &ack));
	eg = fx_path_packets(f, SSH, 1);
	in = fx_path_packets(f, SSH, 0);
	live = pc_map_count(f->maps.ct, sizeof(struct pc_ct_key));
	assert_int_equal(live, 1);

	grow(f, &g);
	load(f, &g.rs, &bank);
	big_max = bank_size(f, bank);
	big_mem = addr_memory(f);
	PX_CHECK(big_max >= GROWN, "the grown bank's hash holds %u", big_max);
	/* The old bank's small hash may stay, for the next fill to reuse. */
	PX_CHECK(bank_size(f, !bank) == small_max, "the old bank's hash: %u entries",
		 bank_size(f, !bank));
	PX_CHECK(big_mem > small_mem * 10, "address memory %llu after growing, %llu before",
		 (unsigned long long)big_mem, (unsigned long long)small_mem);

	/* The connection and its counters went through the swap. */
	assert_int_equal(pc_map_count(f->maps.ct, sizeof(struct pc_ct_key)), live);
	assert_true(fx_run(f, 1, &ack));
	assert_true(fx_run(f, 0, &synack));
	assert_int_equal(fx_path_packets(f, SSH, 1), eg + 1);
	assert_int_equal(fx_path_packets(f, SSH, 0), in + 1);

	pkt_flow(&p, 1, IPPROTO_TCP, "2001:db8::10", 40000, "2001:db8:5::1:86a0", 22, TH_SYN);
	assert_true(fx_run(f, 1, &p)); /* the last of the 100,000, on ssh too */
	assert_int_equal(fx_path_packets(f, SSH, 1), eg + 2);
	pkt_flow(&p, 1, IPPROTO_TCP, "2001:db8::10", 40000, "2001:db8:5::1:86a1", 22, TH_SYN);
	assert_false(fx_run(f, 1, &p));

	/* And back: the small hash again, the large one let go. */
	load(f, &f->rs, &bank);
	back_mem = addr_memory(f);
	PX_CHECK(bank_size(f, bank) == small_max && bank_size(f, !bank) == 0,
		 "after shrinking: %u and %u entries", bank_size(f, bank), bank_size(f, !bank));
	PX_CHECK(back_mem < big_mem / 10, "address memory %llu after shrinking",
		 (unsigned long long)back_mem);
	assert_true(fx_run(f, 1, &ack));
	assert_int_equal(fx_path_packets(f, SSH, 1), eg + 3);
	pkt_flow(&p, 1, IPPROTO_TCP, "2001:db8::10", 40000, "2001:db8:5::1", 22, TH_SYN);
	assert_false(fx_run(f, 1, &p));
	grown_free(&g);
}

/* Packets whose verdict both policies agree on, sent while reloads swap
 * the maps: none may get another. */
struct traffic {
	int xdp, tc;
	struct pkt pkts[4];
	int dir[4];
	bool pass[4];
	atomic_bool stop;
	atomic_ulong sent, wrong, errors;
};

static void *send_loop(void *arg)
{
	struct traffic *t = arg;
	uint8_t out[PKT_MAX + 512];

	while (!atomic_load(&t->stop)) {
		for (int i = 0; i < 4; i++) {
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = t->pkts[i].b,
				    .data_size_in = (__u32)t->pkts[i].len, .data_out = out,
				    .data_size_out = sizeof(out), .repeat = 1);
			bool passed;

			if (bpf_prog_test_run_opts(t->dir[i] ? t->tc : t->xdp, &o)) {
				atomic_fetch_add(&t->errors, 1);
				continue;
			}
			passed = t->dir[i] ? o.retval == 0 /* TC_ACT_OK */ :
					     o.retval == XDP_PASS;
			if (passed != t->pass[i])
				atomic_fetch_add(&t->wrong, 1);
			atomic_fetch_add(&t->sent, 1);
		}
	}
	return NULL;
}

static void test_grow_under_traffic(void **state)
{
	struct fx *f = *state;
	struct traffic t = { 0 };
	struct grown g;
	pthread_t th;
	uint32_t bank;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	grow(f, &g);
	t.xdp = bpf_program__fd(f->skel->progs.pc_xdp_ingress);
	t.tc = bpf_program__fd(f->skel->progs.pc_tc_egress);
	/* A connection both allow (its SYN repeated), a port neither has, a
	 * peer neither names, and a peer of the site both name (IPv4 while
	 * the grown ones are IPv6). */
	pkt_flow(&t.pkts[0], 1, IPPROTO_TCP, "192.0.2.10", 40001, "198.51.100.11", 22, TH_SYN);
	t.dir[0] = 1, t.pass[0] = true;
	pkt_flow(&t.pkts[1], 1, IPPROTO_TCP, "192.0.2.10", 40002, "198.51.100.11", 23, TH_SYN);
	t.dir[1] = 1, t.pass[1] = false;
	pkt_flow(&t.pkts[2], 1, IPPROTO_TCP, "192.0.2.10", 40003, "198.51.100.99", 22, TH_SYN);
	t.dir[2] = 1, t.pass[2] = false;
	pkt_flow(&t.pkts[3], 1, IPPROTO_TCP, "2001:db8::10", 40004, "2001:db8:0:2::11", 22, TH_SYN);
	t.dir[3] = 1, t.pass[3] = true;
	assert_int_equal(pthread_create(&th, NULL, send_loop, &t), 0);
	for (int i = 0; i < 6; i++) {
		unsigned long before = atomic_load(&t.sent);

		load(f, i % 2 ? &f->rs : &g.rs, &bank);
		/* Wait for packets on the new bank (events, not time). */
		while (atomic_load(&t.sent) < before + 64 && !atomic_load(&t.errors))
			sched_yield();
	}
	atomic_store(&t.stop, true);
	pthread_join(th, NULL);
	printf("# %lu packets during 6 reloads between the site's addresses and %d more\n",
	       atomic_load(&t.sent), GROWN);
	assert_int_equal(atomic_load(&t.errors), 0);
	assert_int_equal(atomic_load(&t.wrong), 0);
	grown_free(&g);
}

/* Addresses each named by another subset of 14 rules: more distinct sets
 * of rules than pc_masks holds. Refused, and the policy in force stays
 * (its generation, its address map, its verdicts). */
static void test_too_many_rule_sets(void **state)
{
	const size_t nbits = 14, naddr = PC_MAX_MASKS + 100;
	struct fx *f = *state;
	struct pc_ruleset big;
	struct pc_addr *addrs = calloc(nbits * naddr, sizeof(*addrs));
	uint32_t bank, gen, bank2, gen2, id, id2;
	struct pkt syn;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	assert_true(f->rs.nrules >= nbits);
	pc_loader_state(&f->maps, &bank, &gen);
	assert_int_equal(bpf_map_lookup_elem(f->maps.addr, &bank, &id), 0);
	big = f->rs;
	big.rules = calloc(big.nrules, sizeof(*big.rules));
	memcpy(big.rules, f->rs.rules, big.nrules * sizeof(*big.rules));
	for (size_t r = 0; r < nbits; r++) {
		struct pc_addr *v = addrs + r * naddr;
		size_t n = 0;

		for (size_t i = 1; i <= naddr; i++) {
			uint32_t low = htonl((uint32_t)i);

			if (!(i & (1u << r)))
				continue;
			v[n].family = AF_INET6;
			v[n].prefix = 128;
			inet_pton(AF_INET6, "2001:db8:6::", v[n].bytes);
			memcpy(v[n].bytes + 12, &low, 4);
			n++;
		}
		big.rules[r].remote_addrs = v;
		big.rules[r].nremote = n;
	}
	assert_int_equal(pc_loader_load(&f->maps, &big, &f->policy.settings, NULL), -E2BIG);
	pc_loader_state(&f->maps, &bank2, &gen2);
	assert_int_equal(bank2, bank);
	assert_int_equal(gen2, gen);
	assert_int_equal(bpf_map_lookup_elem(f->maps.addr, &bank, &id2), 0);
	assert_int_equal(id2, id);
	pkt_flow(&syn, 1, IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.11", 22, TH_SYN);
	assert_true(fx_run(f, 1, &syn));
	free(big.rules);
	free(addrs);
}

/* The address maps key an IPv4 peer as ::ffff:a.b.c.d: an IPv6 packet
 * with that address must not pass for the IPv4 peer's. */
static void test_ipv4_mapped_is_nobody(void **state)
{
	static const struct {
		const char *what, *local, *remote;
		int dir;
		uint16_t lport, rport;
		bool pass;
	} cases[] = {
		{ "IPv4 peer, ssh out", "192.0.2.10", "198.51.100.11", 1, 40000, 22, true },
		{ "its mapped form, ssh out", "2001:db8::10", "::ffff:198.51.100.11", 1, 40000, 22, false },
		{ "an IPv6 peer, ssh out", "2001:db8::10", "2001:db8:0:2::11", 1, 40000, 22, true },
		{ "another IPv4 peer's mapped form", "2001:db8::10", "::ffff:198.51.100.21", 1, 40000, 22, false },
	};
	struct fx *f = *state;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pkt p;

		pkt_flow(&p, cases[i].dir, IPPROTO_TCP, cases[i].local, cases[i].lport,
			 cases[i].remote, cases[i].rport, TH_SYN);
		PX_CHECK(fx_run(f, cases[i].dir, &p) == cases[i].pass, "%s: %s", cases[i].what,
			 cases[i].pass ? "dropped" : "passed");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_size_reuses, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_grow_keeps_connections, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_grow_under_traffic, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_too_many_rule_sets, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ipv4_mapped_is_nobody, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
