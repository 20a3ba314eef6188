// SPDX-License-Identifier: GPL-2.0-only
/*
 * Limits and corners of classification and tracking: 256 rules (every word
 * of the rule mask), 1,000,000 remote addresses for one host, overlapping
 * CIDRs and hosts inside them, and the conntrack timeouts by state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "progutil.h"

static void run_expect(struct fx *f, const char *desc, int dir, const struct pkt *p,
		       int reason, const char *path)
{
	uint64_t before = reason ? fx_drop_packets(f, reason, dir) :
				   fx_path_packets(f, path, dir);
	bool passed = fx_run(f, dir, p);
	uint64_t after = reason ? fx_drop_packets(f, reason, dir) :
				  fx_path_packets(f, path, dir);

	PX_CHECK(passed == !reason && after == before + 1,
		 "%s: %s, counter +%llu", desc, passed ? "passed" : "dropped",
		 (unsigned long long)(after - before));
}

/* 256 rules on distinct local ports, each on a path of its own flow (the
 * catalog's flows in turn): the rule on port 20000 + i must count on the
 * flow of rule i, whichever word of the mask holds it. */
static void test_256_rules(void **state)
{
	struct fx *f = *state;
	struct pc_ruleset big;
	struct pc_addr peer = { 0 };
	const char *why;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	assert_int_equal(pc_addr_parse("198.51.100.11", &peer, &why), 0);
	big = f->rs;
	big.nrules = PC_MAX_RULES;
	big.rules = calloc(big.nrules, sizeof(*big.rules));
	for (size_t i = 0; i < big.nrules; i++) {
		struct pc_rule *r = &big.rules[i];

		r->flow = &f->policy.flows[i % f->policy.nflows];
		r->dir = PC_DIR_INGRESS;
		r->local_class = PC_LOCAL_UNICAST;
		r->proto = IPPROTO_TCP;
		r->local.lo = r->local.hi = (uint16_t)(20000 + i);
		r->remote.lo = 1024;
		r->remote.hi = 65535;
		r->remote_addrs = &peer;
		r->nremote = 1;
	}
	assert_int_equal(pc_loader_load(&f->maps, &big, &f->policy.settings, NULL), 0);
	for (size_t i = 0; i < big.nrules; i++) {
		char desc[64];
		struct pkt p;

		snprintf(desc, sizeof(desc), "rule %zu", i);
		pkt_flow(&p, 0, IPPROTO_TCP, "192.0.2.10", (uint16_t)(20000 + i),
			 "198.51.100.11", 40000, TH_SYN);
		run_expect(f, desc, 0, &p, PC_DROP_NONE, big.rules[i].flow->id);
	}
	{
		struct pkt p;

		pkt_flow(&p, 0, IPPROTO_TCP, "192.0.2.10", 20256, "198.51.100.11",
			 40000, TH_SYN);
		run_expect(f, "port after the last rule", 0, &p, PC_DROP_NO_RULE, NULL);
	}
	free(big.rules);
}

/* n addresses or prefixes in 2001:db8:5::/96: the last 32 bits are
 * first + i * step. */
static struct pc_addr *v6_run(size_t n, uint32_t first, uint32_t step, int prefix)
{
	struct pc_addr *v = calloc(n, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		uint32_t low = htonl(first + (uint32_t)i * step);

		v[i].family = AF_INET6;
		v[i].prefix = (uint8_t)prefix;
		inet_pton(AF_INET6, "2001:db8:5::", v[i].bytes);
		memcpy(v[i].bytes + 12, &low, 4);
	}
	return v;
}

/* One million single remote addresses for one rule, plus the site's. */
static void test_million_addresses(void **state)
{
	const size_t n = 1000000;
	struct fx *f = *state;
	struct pc_ruleset big;
	struct pc_load_info info;
	struct pc_addr *addrs;
	size_t ssh = (size_t)-1;
	struct pkt p;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	for (size_t i = 0; i < f->rs.nrules; i++)
		if (!strcmp(f->rs.rules[i].flow->id, "A-2.3-ssh-linux"))
			ssh = i;
	assert_true(ssh != (size_t)-1);
	addrs = v6_run(n, 1, 1, 128); /* 2001:db8:5::/96, host i + 1 */
	big = f->rs;
	big.rules = calloc(big.nrules, sizeof(*big.rules));
	memcpy(big.rules, f->rs.rules, big.nrules * sizeof(*big.rules));
	big.rules[ssh].remote_addrs = addrs;
	big.rules[ssh].nremote = n;
	assert_int_equal(pc_loader_load(&f->maps, &big, &f->policy.settings, &info), 0);
	assert_true(info.naddrs >= n);

	pkt_flow(&p, 1, IPPROTO_TCP, "2001:db8::10", 40000, "2001:db8:5::1", 22, TH_SYN);
	run_expect(f, "first of a million", 1, &p, PC_DROP_NONE, "A-2.3-ssh-linux");
	pkt_flow(&p, 1, IPPROTO_TCP, "2001:db8::10", 40000, "2001:db8:5::f:4240", 22, TH_SYN);
	run_expect(f, "the millionth", 1, &p, PC_DROP_NONE, "A-2.3-ssh-linux");
	pkt_flow(&p, 1, IPPROTO_TCP, "2001:db8::10", 40000, "2001:db8:5::f:4241", 22, TH_SYN);
	run_expect(f, "one past the million", 1, &p, PC_DROP_WRONG_PEER, NULL);
	pkt_flow(&p, 1, IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.11", 22, TH_SYN);
	run_expect(f, "the site's own linux host is gone from the rule", 1, &p,
		   PC_DROP_WRONG_PEER, NULL);
	free(big.rules);
	free(addrs);
}

/* The documented maxima of prefixes with 100,000 addresses inside them:
 * each exact entry must carry the rules of the prefix holding it. The
 * pairwise spread took a minute here (addresses x prefixes); the time is
 * printed, not asserted. */
static void test_prefixes_with_addresses(void **state)
{
	const size_t naddr = 100000, ncidr = PC_MAX_CIDRS - 8; /* the site has some */
	struct fx *f = *state;
	struct pc_ruleset big;
	struct pc_load_info info;
	struct pc_addr *addrs, *nets;
	size_t ssh = (size_t)-1, winrm = (size_t)-1;
	struct timespec t0, t1;
	struct pkt p;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	for (size_t i = 0; i < f->rs.nrules; i++) {
		if (!strcmp(f->rs.rules[i].flow->id, "A-2.3-ssh-linux"))
			ssh = i;
		if (!strcmp(f->rs.rules[i].flow->id, "A-2.2-winrm-windows"))
			winrm = i;
	}
	assert_true(ssh != (size_t)-1 && winrm != (size_t)-1);
	addrs = v6_run(naddr, 1, 1, 128);  /* 2001:db8:5::/96, host i + 1 */
	nets = v6_run(ncidr, 0, 256, 120); /* 2001:db8:5::(i << 8)/120 */
	big = f->rs;
	big.rules = calloc(big.nrules, sizeof(*big.rules));
	memcpy(big.rules, f->rs.rules, big.nrules * sizeof(*big.rules));
	big.rules[ssh].remote_addrs = addrs;
	big.rules[ssh].nremote = naddr;
	big.rules[winrm].remote_addrs = nets;
	big.rules[winrm].nremote = ncidr;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pc_loader_load(&f->maps, &big, &f->policy.settings, &info), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %zu addresses, %zu prefixes: loaded in %.2f s\n", info.naddrs,
	       info.ncidrs, (double)(t1.tv_sec - t0.tv_sec) +
				    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	assert_true(info.ncidrs >= ncidr);

	pkt_flow(&p, 1, IPPROTO_TCP, "2001:db8::10", 40000, "2001:db8:5::1", 22, TH_SYN);
	run_expect(f, "an address on its own rule", 1, &p, PC_DROP_NONE, "A-2.3-ssh-linux");
	pkt_flow(&p, 1, IPPROTO_TCP, "2001:db8::10", 40000, "2001:db8:5::1", 5985, TH_SYN);
	run_expect(f, "the same address on its prefix's rule", 1, &p, PC_DROP_NONE,
		   "A-2.2-winrm-windows");
	pkt_flow(&p, 1, IPPROTO_TCP, "2001:db8::10", 40000, "2001:db8:5::3f:f701", 5985, TH_SYN);
	run_expect(f, "inside the last prefix only", 1, &p, PC_DROP_NONE,
		   "A-2.2-winrm-windows");
	pkt_flow(&p, 1, IPPROTO_TCP, "2001:db8::10", 40000, "2001:db8:5::3f:f701", 22, TH_SYN);
	run_expect(f, "not on the address rule", 1, &p, PC_DROP_WRONG_PEER, NULL);
	free(big.rules);
	free(addrs);
	free(nets);
}

/* Overlapping prefixes and a host inside both: each lookup must carry the
 * rules of every prefix that holds the address. */
static void test_overlapping_cidrs(void **state)
{
	static const char site[] =
		"hosts:\n"
		"  - name: mgr\n    kinds: [management-server]\n    addresses: [192.0.2.10]\n"
		"  - name: linuxes\n    kinds: [linux]\n    addresses: [198.51.100.0/24]\n"
		"  - name: esxis\n    kinds: [esxi]\n    addresses: [198.51.100.0/25]\n"
		"  - name: win\n    kinds: [windows]\n    os: windows\n    addresses: [198.51.100.7]\n";
	static const struct {
		const char *remote;
		uint16_t port;
		int reason;
		const char *path;
	} cases[] = {
		{ "198.51.100.7", 22, PC_DROP_NONE, "A-2.3-ssh-linux" },
		{ "198.51.100.7", 443, PC_DROP_NONE, "A-2.4-https-esxi" },
		{ "198.51.100.7", 5985, PC_DROP_NONE, "A-2.2-winrm-windows" },
		{ "198.51.100.8", 443, PC_DROP_NONE, "A-2.4-https-esxi" },
		{ "198.51.100.8", 5985, PC_DROP_WRONG_PEER, NULL },
		{ "198.51.100.200", 22, PC_DROP_NONE, "A-2.3-ssh-linux" },
		{ "198.51.100.200", 443, PC_DROP_WRONG_PEER, NULL },
		{ "198.51.101.1", 22, PC_DROP_WRONG_PEER, NULL },
	};
	struct fx *f = *state;

	fx_load(f, site, "mgr", PC_MODE_ENFORCE);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct pc_tuple t = { .dir = PC_DIR_EGRESS, .proto = IPPROTO_TCP,
				      .local_port = 40000, .remote_port = cases[i].port };
		const char *why, *path;
		char desc[64];
		struct pkt p;

		assert_int_equal(pc_addr_parse(cases[i].remote, &t.remote, &why), 0);
		/* The table agrees with the reference classifier... */
		assert_int_equal(px_expect(&f->rs, &t, &path), cases[i].reason);
		/* ...and the datapath with both. */
		snprintf(desc, sizeof(desc), "%s:%u", cases[i].remote, cases[i].port);
		fx_clear_tracking(f);
		pkt_flow(&p, 1, IPPROTO_TCP, "192.0.2.10", 40000, cases[i].remote,
			 cases[i].port, TH_SYN);
		run_expect(f, desc, 1, &p, cases[i].reason, cases[i].path);
	}
}

/* Waits until every tracked connection has been idle for more than secs
 * by the datapath's clock: the deadline comes from the stamps in pc_ct
 * (CLOCK_MONOTONIC), plus a margin for pc_now(), which may lag by a tick. */
static void wait_ct_idle(struct fx *f, unsigned int secs)
{
	const uint64_t margin_ns = 50 * 1000 * 1000;
	struct pc_ct_key key, next;
	struct pc_ct_value v;
	uint64_t last = 0, deadline;
	struct timespec ts;
	void *prev = NULL;

	while (bpf_map_get_next_key(f->maps.ct, prev, &next) == 0) {
		if (bpf_map_lookup_elem(f->maps.ct, &next, &v) == 0 && v.last_seen_ns > last)
			last = v.last_seen_ns;
		key = next;
		prev = &key;
	}
	assert_true(last > 0);
	deadline = last + secs * 1000000000ull + margin_ns;
	ts.tv_sec = (time_t)(deadline / 1000000000ull);
	ts.tv_nsec = (long)(deadline % 1000000000ull);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Timeouts follow the state: transitory for a half-open TCP connection,
 * established once the reply came, the UDP idle timeout for UDP. */
static void test_conntrack_timeouts(void **state)
{
	static const char site[] =
		"hosts:\n"
		"  - name: mgr\n    kinds: [management-server]\n    addresses: [192.0.2.10]\n"
		"  - name: web\n    kinds: [linux]\n    addresses: [198.51.100.11]\n"
		"  - name: bmc\n    kinds: [bmc]\n    addresses: [198.51.100.30]\n"
		"settings:\n  conntrack:\n    tcp-transitory: 1\n    tcp-established: 60\n    udp: 1\n";
	struct fx *f = *state;
	struct pkt p;

	fx_load(f, site, "mgr", PC_MODE_ENFORCE);
	/* Half-open: the SYN-ACK after the transitory timeout is refused. */
	pkt_flow(&p, 1, IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.11", 22, TH_SYN);
	run_expect(f, "SYN", 1, &p, PC_DROP_NONE, "A-2.3-ssh-linux");
	/* Established (the handshake completed): survives the same wait. */
	pkt_flow(&p, 1, IPPROTO_TCP, "192.0.2.10", 40001, "198.51.100.11", 22, TH_SYN);
	run_expect(f, "SYN 2", 1, &p, PC_DROP_NONE, "A-2.3-ssh-linux");
	pkt_flow(&p, 0, IPPROTO_TCP, "192.0.2.10", 40001, "198.51.100.11", 22, TH_SYN | TH_ACK);
	run_expect(f, "SYN-ACK 2", 0, &p, PC_DROP_NONE, "A-2.3-ssh-linux");
	pkt_flow(&p, 1, IPPROTO_TCP, "192.0.2.10", 40001, "198.51.100.11", 22, TH_ACK);
	run_expect(f, "ACK 2", 1, &p, PC_DROP_NONE, "A-2.3-ssh-linux");
	/* UDP (Wake-on-LAN to port 0: no rule for the way back). */
	pkt_flow(&p, 1, IPPROTO_UDP, "192.0.2.10", 40002, "198.51.100.11", 0, 0);
	run_expect(f, "UDP request", 1, &p, PC_DROP_NONE, "A-2.10-wol-unicast");
	pkt_flow(&p, 0, IPPROTO_UDP, "192.0.2.10", 40002, "198.51.100.11", 0, 0);
	run_expect(f, "UDP reply in time", 0, &p, PC_DROP_NONE, "A-2.10-wol-unicast");

	wait_ct_idle(f, 1); /* tcp-transitory and udp */
	pkt_flow(&p, 0, IPPROTO_TCP, "192.0.2.10", 40000, "198.51.100.11", 22, TH_SYN | TH_ACK);
	run_expect(f, "SYN-ACK after the transitory timeout", 0, &p,
		   PC_DROP_NO_CONNTRACK, NULL);
	pkt_flow(&p, 0, IPPROTO_TCP, "192.0.2.10", 40001, "198.51.100.11", 22, TH_ACK);
	run_expect(f, "established data after the same wait", 0, &p, PC_DROP_NONE,
		   "A-2.3-ssh-linux");
	pkt_flow(&p, 0, IPPROTO_UDP, "192.0.2.10", 40002, "198.51.100.11", 0, 0);
	run_expect(f, "UDP reply after the UDP timeout", 0, &p, PC_DROP_NO_CONNTRACK, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_256_rules, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_overlapping_cidrs, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_conntrack_timeouts, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_million_addresses, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_prefixes_with_addresses, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
