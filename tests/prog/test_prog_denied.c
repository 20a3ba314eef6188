// SPDX-License-Identifier: GPL-2.0-only
/*
 * The table of denied flows (bpf/denied.h) through BPF_PROG_TEST_RUN:
 * every dropped packet lands on the entry of its flow with the right key
 * and count, a client's random source port is folded so that connections
 * from new ports share one entry, allowed packets leave no entry, and
 * audit mode records what it lets through, and a flood past the rate
 * limit is counted, not recorded.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denied.h"
#include "progutil.h"

#define IN 0
#define OUT 1
#define LF PC_DENIED_LPORT_EPHEMERAL
#define RF PC_DENIED_RPORT_EPHEMERAL

/* Packets sent, each a SYN (TCP) or a datagram (UDP), from web's view. */
struct send {
	int dir;
	uint8_t proto;
	uint16_t lport;
	const char *remote;
	uint16_t rport;
};

/* An entry the table must hold after the sends. */
struct want {
	const char *desc;
	int dir;
	uint8_t proto;
	const char *remote;
	uint16_t lport, rport; /* as stored: 0 when folded */
	uint8_t flags;
	uint64_t packets;
	int reason;
};

static const struct send sends[] = {
	/* Three connections to an undocumented port from random ports. */
	{ IN, IPPROTO_TCP, 23, "192.0.2.200", 40001 },
	{ IN, IPPROTO_TCP, 23, "192.0.2.200", 40002 },
	{ IN, IPPROTO_TCP, 23, "192.0.2.200", 61000 },
	/* The same from a low source port: the port is kept. */
	{ IN, IPPROTO_TCP, 23, "192.0.2.200", 1000 },
	/* A stranger on a documented port. */
	{ IN, IPPROTO_TCP, 22, "192.0.2.200", 45000 },
	{ IN, IPPROTO_TCP, 22, "192.0.2.200", 45001 },
	/* Egress from random local ports to one service. */
	{ OUT, IPPROTO_UDP, 45000, "192.0.2.201", 9999 },
	{ OUT, IPPROTO_UDP, 45001, "192.0.2.201", 9999 },
	/* Both ports high: the initiator's side is folded. */
	{ OUT, IPPROTO_TCP, 40000, "192.0.2.201", 50000 },
	{ OUT, IPPROTO_TCP, 40001, "192.0.2.201", 50000 },
	{ IN, IPPROTO_TCP, 50000, "192.0.2.200", 40000 },
	{ IN, IPPROTO_TCP, 50000, "192.0.2.200", 40001 },
	/* Neither port high: both kept, one entry each. */
	{ IN, IPPROTO_UDP, 161, "2001:db8::99", 1161 },
	{ IN, IPPROTO_UDP, 161, "2001:db8::99", 1162 },
	/* Allowed: the management server's SSH to web. No entry. */
	{ IN, IPPROTO_TCP, 22, "192.0.2.10", 40000 },
};

static const struct want wants[] = {
	{ "random source ports folded", IN, IPPROTO_TCP, "192.0.2.200", 23, 0, RF, 3, PC_DROP_NO_RULE },
	{ "low source port kept", IN, IPPROTO_TCP, "192.0.2.200", 23, 1000, 0, 1, PC_DROP_NO_RULE },
	{ "stranger on a documented port", IN, IPPROTO_TCP, "192.0.2.200", 22, 0, RF, 2, PC_DROP_WRONG_PEER },
	{ "egress local ports folded", OUT, IPPROTO_UDP, "192.0.2.201", 0, 9999, LF, 2, PC_DROP_NO_RULE },
	{ "egress, both high: local folded", OUT, IPPROTO_TCP, "192.0.2.201", 0, 50000, LF, 2, PC_DROP_NO_RULE },
	{ "ingress, both high: remote folded", IN, IPPROTO_TCP, "192.0.2.200", 50000, 0, RF, 2, PC_DROP_NO_RULE },
	{ "IPv6, low ports: first", IN, IPPROTO_UDP, "2001:db8::99", 161, 1161, 0, 1, PC_DROP_NO_RULE },
	{ "IPv6, low ports: second", IN, IPPROTO_UDP, "2001:db8::99", 161, 1162, 0, 1, PC_DROP_NO_RULE },
};

static void send_all(struct fx *f, bool want_pass)
{
	for (size_t i = 0; i < sizeof(sends) / sizeof(*sends); i++) {
		const struct send *s = &sends[i];
		bool v6 = strchr(s->remote, ':') != NULL;
		bool allowed = !strcmp(s->remote, "192.0.2.10");
		struct pkt p;

		pkt_flow(&p, s->dir, s->proto, v6 ? "2001:db8:0:2::11" : "198.51.100.11",
			 s->lport, s->remote, s->rport, s->proto == IPPROTO_TCP ? TH_SYN : 0);
		PX_CHECK(fx_run(f, s->dir, &p) == (allowed || want_pass),
			 "send %zu (%s %u)", i, s->remote, s->lport);
	}
}

static const struct pc_denied_flow *find(const struct pc_denied_table *t,
					 const struct want *w)
{
	struct pc_denied_key k = { 0 };
	bool v6 = strchr(w->remote, ':') != NULL;

	k.family = v6 ? PC_AF_INET6 : PC_AF_INET;
	k.proto = w->proto;
	k.dir = (uint8_t)w->dir;
	k.flags = w->flags;
	k.lport = w->lport;
	k.rport = w->rport;
	assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, w->remote, k.raddr), 1);
	for (size_t i = 0; i < t->n; i++)
		if (!memcmp(&t->flows[i].key, &k, sizeof(k)))
			return &t->flows[i];
	return NULL;
}

static void check_table(struct fx *f, uint8_t audit)
{
	struct pc_denied_table t;

	assert_int_equal(pc_denied_read(&f->maps, &t), 0);
	for (size_t i = 0; i < sizeof(wants) / sizeof(*wants); i++) {
		const struct want *w = &wants[i];
		const struct pc_denied_flow *e = find(&t, w);

		PX_CHECK(e != NULL, "%s: no entry", w->desc);
		PX_CHECK(e->val.packets == w->packets, "%s: %llu packets, want %llu", w->desc,
			 (unsigned long long)e->val.packets, (unsigned long long)w->packets);
		PX_CHECK(e->val.reason == w->reason, "%s: reason %u, want %d", w->desc,
			 e->val.reason, w->reason);
		PX_CHECK(e->val.audit == audit, "%s: audit %u", w->desc, e->val.audit);
		PX_CHECK(e->val.first_ns && e->val.first_ns <= e->val.last_ns,
			 "%s: first %llu last %llu", w->desc,
			 (unsigned long long)e->val.first_ns, (unsigned long long)e->val.last_ns);
	}
	/* Nothing else: the allowed packet made no entry. */
	PX_CHECK(t.n == sizeof(wants) / sizeof(*wants), "%zu entries", t.n);
	PX_CHECK(t.created == t.n && t.evicted == 0, "created %llu evicted %llu",
		 (unsigned long long)t.created, (unsigned long long)t.evicted);
	assert_int_equal(t.max, PC_DENIED_ENTRIES);
	pc_denied_free(&t);
}

static void test_enforce(void **state)
{
	struct fx *f = *state;

	fx_load(f, px_site, "web", PC_MODE_ENFORCE);
	send_all(f, false);
	check_table(f, 0);
}

static void test_audit(void **state)
{
	struct fx *f = *state;

	fx_load(f, px_site, "web", PC_MODE_AUDIT);
	send_all(f, true);
	check_table(f, 1);
}

/* Starts a new rate-limit window on every CPU, as a second passing would
 * (the test sends faster than PC_DENIED_PER_SEC a second). */
static void new_window(struct fx *f)
{
	int ncpu = libbpf_num_possible_cpus();
	struct pc_denied_stats *per;
	uint32_t zero = 0;

	assert_true(ncpu > 0);
	per = calloc((size_t)ncpu, sizeof(*per));
	assert_non_null(per);
	assert_int_equal(bpf_map_lookup_elem(f->maps.denied_stats, &zero, per), 0);
	for (int i = 0; i < ncpu; i++) {
		per[i].window_ns = 0;
		per[i].recorded = 0;
	}
	assert_int_equal(bpf_map_update_elem(f->maps.denied_stats, &zero, per, BPF_ANY), 0);
	free(per);
}

/* A flood within one second: the first PC_DENIED_PER_SEC drops of a CPU
 * are recorded, the rest only counted as unrecorded; the next window
 * records again. Pinned to one CPU, so that the limit is one CPU's. */
static void test_rate_limit(void **state)
{
	const uint32_t extra = 500;
	struct fx *f = *state;
	struct pc_denied_table t;
	cpu_set_t one, old;
	struct pkt p;

	assert_int_equal(sched_getaffinity(0, sizeof(old), &old), 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	fx_load(f, px_site, "web", PC_MODE_ENFORCE);
	new_window(f);
	pkt_flow(&p, IN, IPPROTO_TCP, "198.51.100.11", 23, "192.0.2.200", 40000, TH_SYN);
	for (uint32_t i = 0; i < PC_DENIED_PER_SEC + extra; i++)
		PX_CHECK(fx_run(f, IN, &p) == 0, "flood packet %u passed", i);
	assert_int_equal(pc_denied_read(&f->maps, &t), 0);
	PX_CHECK(t.n == 1 && t.flows[0].val.packets == PC_DENIED_PER_SEC,
		 "%zu entries, %llu packets", t.n,
		 (unsigned long long)(t.n ? t.flows[0].val.packets : 0));
	PX_CHECK(t.unrecorded == extra, "unrecorded %llu", (unsigned long long)t.unrecorded);
	pc_denied_free(&t);

	new_window(f);
	PX_CHECK(fx_run(f, IN, &p) == 0, "packet of the next window passed");
	assert_int_equal(pc_denied_read(&f->maps, &t), 0);
	PX_CHECK(t.n == 1 && t.flows[0].val.packets == PC_DENIED_PER_SEC + 1,
		 "next window: %llu packets",
		 (unsigned long long)(t.n ? t.flows[0].val.packets : 0));
	PX_CHECK(t.unrecorded == extra, "unrecorded %llu", (unsigned long long)t.unrecorded);
	pc_denied_free(&t);
	assert_int_equal(sched_setaffinity(0, sizeof(old), &old), 0);
}

/* A scan of every port fills the table, never more, and the evictions
 * are counted (a new window every 1,000 ports keeps the rate limit out
 * of it). */
static void test_scan_bounded(void **state)
{
	struct fx *f = *state;
	struct pc_denied_table t;

	fx_load(f, px_site, "web", PC_MODE_ENFORCE);
	for (uint32_t port = 1; port <= 2 * PC_DENIED_ENTRIES; port++) {
		struct pkt p;

		if (port % 1000 == 0)
			new_window(f);
		if (port == 22)
			continue;
		pkt_flow(&p, IN, IPPROTO_UDP, "198.51.100.11", (uint16_t)port,
			 "192.0.2.200", 40000, 0);
		fx_run(f, IN, &p);
	}
	assert_int_equal(pc_denied_read(&f->maps, &t), 0);
	printf("# %zu entries of %u, %llu created, %llu evicted\n", t.n, t.max,
	       (unsigned long long)t.created, (unsigned long long)t.evicted);
	PX_CHECK(t.n <= PC_DENIED_ENTRIES && t.n > PC_DENIED_ENTRIES / 2, "%zu entries", t.n);
	PX_CHECK(t.created == 2 * PC_DENIED_ENTRIES - 1, "created %llu",
		 (unsigned long long)t.created);
	PX_CHECK(t.evicted == t.created - t.n, "evicted %llu", (unsigned long long)t.evicted);
	pc_denied_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enforce, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_audit, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_scan_bounded, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
