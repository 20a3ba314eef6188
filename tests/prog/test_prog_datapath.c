// SPDX-License-Identifier: GPL-2.0-only
/*
 * The datapath through BPF_PROG_TEST_RUN: documented flows of every role
 * with their replies, mutated flows, a table of cases for the management
 * server, malformed packets, fragments, conntrack, ICMP, modes, reloads.
 * No pins: each test loads its own skeleton and destroys it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <bpf/bpf.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progutil.h"

/* Runs p and checks verdict and the one counter that must move. */
static void expect(struct fx *f, const char *desc, int dir, const struct pkt *p,
		   int reason, const char *path)
{
	uint64_t before, after;
	bool passed;

	if (reason == PC_DROP_NONE)
		before = fx_path_packets(f, path, dir);
	else
		before = fx_drop_packets(f, reason, dir);
	passed = fx_run(f, dir, p);
	if (reason == PC_DROP_NONE)
		after = fx_path_packets(f, path, dir);
	else
		after = fx_drop_packets(f, reason, dir);
	PX_CHECK(passed == (reason == PC_DROP_NONE), "%s: %s, expected %s", desc,
		 passed ? "passed" : "dropped",
		 reason == PC_DROP_NONE ? "pass" : "drop");
	PX_CHECK(after == before + 1, "%s: counter %s/%d moved by %llu, expected 1",
		 desc, path ? path : "(reason)", reason,
		 (unsigned long long)(after - before));
}

static const char *swap_flags_reply(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "syn-ack" : "udp";
}

/* A tuple and its packet for rule r with given ports and remote. */
static void judge_tuple(struct fx *f, const char *desc, int dir, uint8_t proto,
			const char *local, uint16_t lport, const char *remote,
			uint16_t rport)
{
	struct pc_tuple t = { .dir = (enum pc_dir)dir, .proto = proto,
			      .local_port = lport, .remote_port = rport };
	const char *why, *path;
	struct pkt p;
	int reason;

	assert_int_equal(pc_addr_parse(remote, &t.remote, &why), 0);
	t.to_broadcast = dir == 0 && !strcmp(local, "255.255.255.255");
	reason = px_expect(&f->rs, &t, &path);
	pkt_flow(&p, dir, proto, local, lport, remote, rport, TH_SYN);
	expect(f, desc, dir, &p, reason, path);
}

/*
 * For every host of the site (one per role): each rule's initiating packet
 * at the ends of its port ranges and from each remote passes and counts on
 * the path the reference names; its reply passes the other way through
 * conntrack; the same packet with another protocol, an unknown peer, a
 * port of no rule, or the other direction gets the reference's verdict.
 */
static void test_documented_flows_every_role(void **state)
{
	struct fx *f = *state;
	size_t checked = 0;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	for (size_t h = 0; h < f->policy.nhosts; h++) {
		const char *host = f->policy.hosts[h].name;

		fx_load_host(f, host, PC_MODE_ENFORCE);
		for (size_t i = 0; i < f->rs.nrules; i++) {
			const struct pc_rule *r = &f->rs.rules[i];
			uint16_t lports[2] = { r->local.lo, r->local.hi };
			uint16_t rports[2] = { r->remote.lo, r->remote.hi };

			for (size_t a = 0; a < r->nremote; a++) {
				char remote[64], local[64], desc[256];
				int fam = r->remote_addrs[a].family;

				px_addr_inside(&r->remote_addrs[a], remote, sizeof(remote));
				px_local_addr(&f->rs, fam, local, sizeof(local));
				for (int pi = 0; pi < 2; pi++) {
					struct pc_tuple t = { .dir = r->dir, .proto = r->proto,
							      .local_port = lports[pi],
							      .remote_port = rports[pi] };
					const char *why, *path;
					struct pkt p, reply;
					int reason;

					assert_int_equal(pc_addr_parse(remote, &t.remote, &why), 0);
					if (r->dir == PC_DIR_INGRESS &&
					    !(r->local_class & PC_LOCAL_UNICAST)) {
						/* Broadcast-only rows: sent to 255.255.255.255. */
						if (fam != AF_INET)
							continue;
						snprintf(local, sizeof(local), "255.255.255.255");
						t.to_broadcast = true;
					}
					fx_clear_tracking(f);
					reason = px_expect(&f->rs, &t, &path);
					PX_CHECK(reason == PC_DROP_NONE,
						 "%s rule %zu (%s): the reference refuses its own rule",
						 host, i, r->flow->id);
					snprintf(desc, sizeof(desc), "%s: %s %s %s %s:%u <-> %s:%u",
						 host, r->flow->id, pc_dir_name(r->dir),
						 pc_proto_name(r->proto), local, lports[pi],
						 remote, rports[pi]);
					pkt_flow(&p, r->dir, r->proto, local, lports[pi],
						 remote, rports[pi], TH_SYN);
					expect(f, desc, r->dir, &p, PC_DROP_NONE, path);
					if (t.to_broadcast || !strcmp(remote, "255.255.255.255"))
						continue; /* replies come from a real address */
					/* The reply, the other way, via conntrack. */
					pkt_flow(&reply, !r->dir, r->proto, local, lports[pi],
						 remote, rports[pi], TH_SYN | TH_ACK);
					strncat(desc, " reply ", sizeof(desc) - strlen(desc) - 1);
					strncat(desc, swap_flags_reply(r->proto),
						sizeof(desc) - strlen(desc) - 1);
					expect(f, desc, !r->dir, &reply, PC_DROP_NONE, path);

					/* Mutations: judged as the reference says. */
					fx_clear_tracking(f);
					judge_tuple(f, "other protocol", r->dir,
						    r->proto == IPPROTO_TCP ? IPPROTO_UDP : IPPROTO_TCP,
						    local, lports[pi], remote, rports[pi]);
					judge_tuple(f, "unknown peer", r->dir, r->proto, local,
						    lports[pi], fam == AF_INET ? "203.0.113.250" :
						    "2001:db8:ffff::1", rports[pi]);
					judge_tuple(f, "port 7", r->dir, r->proto, local, 7,
						    remote, rports[pi]);
					judge_tuple(f, "other direction", !r->dir, r->proto,
						    local, lports[pi], remote, rports[pi]);
					checked++;
				}
			}
		}
	}
	PX_CHECK(checked > 300, "only %zu flows checked", checked);
}

enum mut { M_NONE, M_VLAN, M_QINQ, M_IPOPTS, M_ETH_MCAST, M_ETH_BCAST };

struct pcase {
	const char *desc;
	int dir;
	uint8_t proto;
	const char *local;
	uint16_t lport;
	const char *remote;
	uint16_t rport;
	uint8_t flags;
	enum mut mut;
	int reason;
	const char *path; /* on pass */
};

#define IN 0
#define OUT 1
#define TCP IPPROTO_TCP
#define UDP IPPROTO_UDP
#define MGR4 "192.0.2.10"
#define MGR6 "2001:db8::10"
#define WEB4 "198.51.100.11"
#define WEB6 "2001:db8:0:2::11"
#define OK PC_DROP_NONE

/* The management server (Windows: Deployment Manager rows on). */
static const struct pcase mgr_cases[] = {
	{ "ssh to the linux host", OUT, TCP, MGR4, 40000, "198.51.100.11", 22, TH_SYN, M_NONE, OK, "A-2.3-ssh-linux" },
	{ "ssh to the linux host, IPv6", OUT, TCP, MGR6, 40000, "2001:db8:0:2::11", 22, TH_SYN, M_NONE, OK, "A-2.3-ssh-linux" },
	{ "ssh in 802.1Q", OUT, TCP, MGR4, 40001, "198.51.100.11", 22, TH_SYN, M_VLAN, OK, "A-2.3-ssh-linux" },
	{ "ssh in QinQ", OUT, TCP, MGR4, 40002, "198.51.100.11", 22, TH_SYN, M_QINQ, OK, "A-2.3-ssh-linux" },
	{ "ssh with 40 bytes of IPv4 options", OUT, TCP, MGR4, 40003, "198.51.100.11", 22, TH_SYN, M_IPOPTS, OK, "A-2.3-ssh-linux" },
	{ "ssh to the windows host", OUT, TCP, MGR4, 40000, "198.51.100.21", 22, TH_SYN, M_NONE, PC_DROP_WRONG_PEER, NULL },
	{ "telnet to the linux host", OUT, TCP, MGR4, 40000, "198.51.100.11", 23, TH_SYN, M_NONE, PC_DROP_NO_RULE, NULL },
	{ "ssh from a privileged port", OUT, TCP, MGR4, 1023, "198.51.100.11", 22, TH_SYN, M_NONE, PC_DROP_NO_RULE, NULL },
	{ "ssh from the linux host (wrong direction)", IN, TCP, MGR4, 40000, "198.51.100.11", 22, TH_SYN, M_NONE, PC_DROP_NO_CONNTRACK, NULL },
	{ "GUI from the client CIDR", IN, TCP, MGR4, 22015, "192.0.2.70", 50000, TH_SYN, M_NONE, OK, "A-1.1-http-gui" },
	{ "GUI from the client IPv6 prefix", IN, TCP, MGR6, 22016, "2001:db8:100::5", 50000, TH_SYN, M_NONE, OK, "A-1.2-https-gui" },
	{ "GUI from outside the client CIDR", IN, TCP, MGR4, 22015, "192.0.2.200", 50000, TH_SYN, M_NONE, PC_DROP_WRONG_PEER, NULL },
	{ "GUI from a privileged client port", IN, TCP, MGR4, 22015, "192.0.2.70", 1000, TH_SYN, M_NONE, PC_DROP_NO_RULE, NULL },
	{ "GUI over UDP", IN, UDP, MGR4, 22015, "192.0.2.70", 50000, 0, M_NONE, PC_DROP_NO_RULE, NULL },
	{ "SNMP trap from the linux host", IN, UDP, MGR4, 162, "198.51.100.11", 40000, 0, M_NONE, OK, "A-2.12-snmp-trap" },
	{ "SNMP trap from the esxi host", IN, UDP, MGR4, 162, "198.51.100.23", 40000, 0, M_NONE, PC_DROP_WRONG_PEER, NULL },
	{ "SNMP trap over TCP", IN, TCP, MGR4, 162, "198.51.100.11", 40000, TH_SYN, M_NONE, PC_DROP_NO_RULE, NULL },
	{ "WMI to the windows ephemeral range, low end", OUT, TCP, MGR4, 50000, "198.51.100.21", 49152, TH_SYN, M_NONE, OK, "A-2.1-wmi-dcom-windows" },
	{ "WMI to the windows ephemeral range, high end", OUT, TCP, MGR4, 50000, "198.51.100.22", 65535, TH_SYN, M_NONE, OK, "A-2.1-wmi-dcom-windows" },
	{ "WMI just below the ephemeral range", OUT, TCP, MGR4, 50000, "198.51.100.21", 49151, TH_SYN, M_NONE, PC_DROP_NO_RULE, NULL },
	{ "Wake-on-LAN broadcast to port 0", OUT, UDP, MGR4, 40000, "255.255.255.255", 0, 0, M_NONE, OK, "A-2.9-wol-limited-broadcast" },
	{ "Wake-on-LAN unicast to port 0", OUT, UDP, MGR4, 40000, "198.51.100.11", 0, 0, M_NONE, OK, "A-2.10-wol-unicast" },
	{ "Wake-on-LAN directed broadcast, magicsend", OUT, UDP, MGR4, 40000, "198.51.100.255", 5561, 0, M_NONE, OK, "A-2.11-wol-magicsend" },
	{ "alert from the BMC CIDR", IN, TCP, MGR4, 22611, "203.0.113.5", 40000, TH_SYN, M_NONE, OK, "A-2.13-alert" },
	{ "PXE DHCP discover from 0.0.0.0 to broadcast", IN, UDP, "255.255.255.255", 67, "0.0.0.0", 68, 0, M_NONE, OK, "A-3.1-pxe-dhcp-request" },
	{ "Kerberos to the auth server over IPv6", OUT, UDP, MGR6, 50000, "2001:db8:1::88", 88, 0, M_NONE, OK, "A-4.4-kerberos" },
	{ "Kerberos to the auth server over IPv4 address", OUT, UDP, MGR4, 50000, "192.0.2.88", 88, 0, M_NONE, PC_DROP_WRONG_PEER, NULL },
	{ "SMTP to the mail server", OUT, TCP, MGR4, 50000, "192.0.2.25", 25, TH_SYN, M_NONE, OK, "A-4.1-smtp" },
	{ "SMTP, mid-stream ACK (taken over)", OUT, TCP, MGR4, 50001, "192.0.2.25", 25, TH_ACK | TH_PSH, M_NONE, OK, "A-4.1-smtp" },
	{ "multicast source", IN, UDP, MGR4, 162, "224.0.0.1", 40000, 0, M_NONE, PC_DROP_BAD_SOURCE, NULL },
	{ "broadcast source", IN, UDP, MGR4, 162, "255.255.255.255", 40000, 0, M_NONE, PC_DROP_BAD_SOURCE, NULL },
	{ "IPv6 multicast source", IN, UDP, MGR6, 162, "ff02::1", 40000, 0, M_NONE, PC_DROP_BAD_SOURCE, NULL },
	{ "Ethernet multicast source", IN, UDP, MGR4, 162, "198.51.100.11", 40000, 0, M_ETH_MCAST, PC_DROP_BAD_SOURCE, NULL },
	{ "SNMP trap to the Ethernet broadcast (unicast-only row)", IN, UDP, MGR4, 162, "198.51.100.11", 40000, 0, M_ETH_BCAST, PC_DROP_NO_RULE, NULL },
	{ "TCP NULL scan", OUT, TCP, MGR4, 40000, "198.51.100.11", 22, 0, M_NONE, PC_DROP_TCP_FLAGS, NULL },
	{ "TCP SYN+FIN", OUT, TCP, MGR4, 40000, "198.51.100.11", 22, TH_SYN | TH_FIN, M_NONE, PC_DROP_TCP_FLAGS, NULL },
	{ "TCP SYN+RST", OUT, TCP, MGR4, 40000, "198.51.100.11", 22, TH_SYN | TH_RST, M_NONE, PC_DROP_TCP_FLAGS, NULL },
	{ "TCP XMAS", IN, TCP, MGR4, 22015, "192.0.2.70", 50000, TH_FIN | TH_PSH | TH_URG, M_NONE, PC_DROP_TCP_FLAGS, NULL },
	{ "TCP FIN without ACK", IN, TCP, MGR4, 22015, "192.0.2.70", 50000, TH_FIN, M_NONE, PC_DROP_TCP_FLAGS, NULL },
	/* To a local port of no row (pc_lport_used clear, test_lport_used):
	 * the checks that come first still decide. */
	{ "multicast source, undocumented port", IN, UDP, MGR4, 161, "224.0.0.1", 40000, 0, M_NONE, PC_DROP_BAD_SOURCE, NULL },
	{ "IPv6 multicast source, undocumented port", IN, UDP, MGR6, 161, "ff02::1", 40000, 0, M_NONE, PC_DROP_BAD_SOURCE, NULL },
	{ "Ethernet multicast source, undocumented port", IN, UDP, MGR4, 161, "198.51.100.11", 40000, 0, M_ETH_MCAST, PC_DROP_BAD_SOURCE, NULL },
	{ "TCP XMAS to an undocumented port", IN, TCP, MGR4, 23, "192.0.2.70", 50000, TH_FIN | TH_PSH | TH_URG, M_NONE, PC_DROP_TCP_FLAGS, NULL },
	{ "TCP NULL scan to an undocumented port", IN, TCP, MGR4, 23, "198.51.100.11", 40000, 0, M_NONE, PC_DROP_TCP_FLAGS, NULL },
	{ "UDP to an undocumented port", IN, UDP, MGR4, 161, "198.51.100.11", 40000, 0, M_NONE, PC_DROP_NO_RULE, NULL },
	{ "TCP SYN to an undocumented port, IPv6", IN, TCP, MGR6, 23, "2001:db8:0:2::11", 40000, TH_SYN, M_NONE, PC_DROP_NO_RULE, NULL },
	{ "TCP SYN to an undocumented port in QinQ", IN, TCP, MGR4, 23, "198.51.100.11", 40000, TH_SYN, M_QINQ, PC_DROP_NO_RULE, NULL },
};

static void build_case(const struct pcase *c, struct pkt *p)
{
	const char *src = c->dir ? c->local : c->remote;
	const char *dst = c->dir ? c->remote : c->local;
	uint16_t sport = c->dir ? c->lport : c->rport;
	uint16_t dport = c->dir ? c->rport : c->lport;

	pkt_eth(p, c->mut == M_VLAN ? 1 : c->mut == M_QINQ ? 2 : 0);
	if (c->mut == M_ETH_MCAST)
		pkt_eth_src_multicast(p);
	if (c->mut == M_ETH_BCAST || !strcmp(dst, "255.255.255.255"))
		pkt_eth_dst_broadcast(p);
	pkt_ip(p, src, dst);
	if (c->mut == M_IPOPTS)
		pkt_ipv4_options(p, 40);
	if (c->proto == TCP)
		pkt_tcp(p, sport, dport, c->flags);
	else
		pkt_udp(p, sport, dport);
	pkt_payload(p, 32);
	pkt_finish(p);
}

static void test_mgr_table(void **state)
{
	struct fx *f = *state;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	for (size_t i = 0; i < sizeof(mgr_cases) / sizeof(*mgr_cases); i++) {
		const struct pcase *c = &mgr_cases[i];
		struct pkt p;

		fx_clear_tracking(f);
		build_case(c, &p);
		expect(f, c->desc, c->dir, &p, c->reason, c->path);
		if (c->reason == OK && strcmp(c->remote, "255.255.255.255") &&
		    strcmp(c->local, "255.255.255.255")) {
			struct pcase r = *c;

			r.dir = !c->dir;
			r.flags = c->proto == TCP ? TH_SYN | TH_ACK : 0;
			build_case(&r, &p);
			expect(f, c->desc, r.dir, &p, OK, c->path);
		}
	}
}

/* Ports 0, 1 and 256: a byte-order mistake would swap 1 and 256. */
static void test_port_byte_order(void **state)
{
	static const char site[] =
		"hosts:\n"
		"  - name: mgr\n    kinds: [management-server]\n    addresses: [192.0.2.10]\n"
		"  - name: web\n    kinds: [linux]\n    addresses: [198.51.100.11]\n"
		"  - name: bmc\n    kinds: [bmc]\n    addresses: [198.51.100.30]\n"
		"parameters:\n  linux-ssh-port: 256\n  bmc-ssh-port: 1\n";
	struct fx *f = *state;
	struct pkt p;

	fx_load(f, site, "mgr", PC_MODE_ENFORCE);
	pkt_flow(&p, OUT, TCP, MGR4, 40000, "198.51.100.11", 256, TH_SYN);
	expect(f, "linux ssh on 256", OUT, &p, OK, "A-2.3-ssh-linux");
	pkt_flow(&p, OUT, TCP, MGR4, 40000, "198.51.100.30", 1, TH_SYN);
	expect(f, "bmc ssh on 1", OUT, &p, OK, "A-2.6-ssh-bmc");
	pkt_flow(&p, OUT, TCP, MGR4, 40001, "198.51.100.11", 1, TH_SYN);
	expect(f, "linux on 1 (the bmc's port)", OUT, &p, PC_DROP_WRONG_PEER, NULL);
	pkt_flow(&p, OUT, TCP, MGR4, 40001, "198.51.100.30", 256, TH_SYN);
	expect(f, "bmc on 256 (the linux port)", OUT, &p, PC_DROP_WRONG_PEER, NULL);
	pkt_flow(&p, OUT, TCP, MGR4, 40002, "198.51.100.11", 22, TH_SYN);
	expect(f, "linux on 22 (moved away)", OUT, &p, PC_DROP_NO_RULE, NULL);
	pkt_flow(&p, OUT, UDP, MGR4, 40000, "198.51.100.11", 0, 0);
	expect(f, "WoL to port 0", OUT, &p, OK, "A-2.10-wol-unicast");
	pkt_flow(&p, OUT, TCP, MGR4, 0, "198.51.100.11", 256, TH_SYN);
	expect(f, "from local port 0", OUT, &p, PC_DROP_NO_RULE, NULL);
}

/* Malformed and unusual packets, each built by a small function. */
struct mcase {
	const char *desc;
	void (*build)(struct pkt *p);
	int dir;
	int reason;
	const char *path;
};

#define SSH_OUT(p) pkt_tcp(p, 40000, 22, TH_SYN)
static void ssh_v4(struct pkt *p) { pkt_eth(p, 0); pkt_ip(p, MGR4, "198.51.100.11"); }
static void ssh_v6(struct pkt *p) { pkt_eth(p, 0); pkt_ip(p, MGR6, "2001:db8:0:2::11"); }

/* (A frame shorter than an Ethernet header never reaches the programs:
 * BPF_PROG_TEST_RUN refuses it as the drivers do.) */
static void b_trunc_vlan(struct pkt *p) { pkt_eth(p, 1); p->len = 16; pkt_ethertype(p, 0x0800); }
static void b_three_tags(struct pkt *p)
{
	pkt_eth(p, 2);
	pkt_ethertype(p, 0x8100);
	pkt_payload(p, 4);
	p->b[p->len - 2] = 0x08;
	p->b[p->len - 1] = 0x00;
	pkt_payload(p, 40);
}
static void b_trunc_ip(struct pkt *p) { ssh_v4(p); SSH_OUT(p); pkt_finish(p); p->len = 14 + 12; }
static void b_ihl4(struct pkt *p) { ssh_v4(p); SSH_OUT(p); pkt_finish(p); p->b[p->l3] = 0x44; }
static void b_ihl15_cut(struct pkt *p) { ssh_v4(p); pkt_finish(p); p->b[p->l3] = 0x4f; }
static void b_totlen_beyond(struct pkt *p) { ssh_v4(p); SSH_OUT(p); pkt_finish(p); p->b[p->l3 + 2] = 0x05; }
static void b_totlen_short(struct pkt *p) { ssh_v4(p); SSH_OUT(p); pkt_finish(p); p->b[p->l3 + 2] = 0; p->b[p->l3 + 3] = 16; }
static void b_version5(struct pkt *p) { ssh_v4(p); SSH_OUT(p); pkt_finish(p); p->b[p->l3] = 0x55; }
static void b_trunc_tcp(struct pkt *p) { ssh_v4(p); SSH_OUT(p); p->len -= 10; pkt_finish(p); }
static void b_tcp_doff4(struct pkt *p) { ssh_v4(p); SSH_OUT(p); pkt_finish(p); p->b[p->l4 + 12] = 4 << 4; }
static void b_tcp_doff_beyond(struct pkt *p) { ssh_v4(p); SSH_OUT(p); pkt_finish(p); p->b[p->l4 + 12] = 15 << 4; }
static void b_trunc_udp(struct pkt *p) { ssh_v4(p); pkt_udp(p, 40000, 623); p->len -= 4; pkt_finish(p); }
static void b_udp_len_beyond(struct pkt *p) { ssh_v4(p); pkt_udp(p, 40000, 623); pkt_finish(p); p->b[p->l4 + 4] = 2; }
static void b_trunc_icmp(struct pkt *p) { ssh_v4(p); pkt_icmp(p, 8, 0, 1); p->len -= 4; pkt_finish(p); }
static void b_ip_opts_ok(struct pkt *p) { ssh_v4(p); pkt_ipv4_options(p, 12); SSH_OUT(p); pkt_finish(p); }
static void b_gre(struct pkt *p) { ssh_v4(p); pkt_proto(p, 47); pkt_payload(p, 8); pkt_finish(p); }
static void b_v6_trunc(struct pkt *p) { ssh_v6(p); SSH_OUT(p); pkt_finish(p); p->len = 14 + 30; }
static void b_v6_plen_beyond(struct pkt *p) { ssh_v6(p); SSH_OUT(p); pkt_finish(p); p->b[p->l3 + 4] = 0x10; }
static void b_v6_chain(struct pkt *p)
{
	ssh_v6(p);
	pkt_ipv6_ext(p, 0, 8);
	pkt_ipv6_ext(p, 60, 16);
	pkt_ipv6_ext(p, 43, 24);
	pkt_ipv6_ext(p, 60, 8);
	SSH_OUT(p);
	pkt_finish(p);
}
static void b_v6_ah(struct pkt *p) { ssh_v6(p); pkt_ipv6_ext(p, 51, 24); SSH_OUT(p); pkt_finish(p); }
static void b_v6_long(struct pkt *p)
{
	ssh_v6(p);
	for (int i = 0; i < 9; i++)
		pkt_ipv6_ext(p, 60, 8);
	SSH_OUT(p);
	pkt_finish(p);
}
static void b_v6_eight(struct pkt *p)
{
	ssh_v6(p);
	for (int i = 0; i < 8; i++)
		pkt_ipv6_ext(p, 60, 8);
	SSH_OUT(p);
	pkt_finish(p);
}
static void b_v6_hop_late(struct pkt *p) { ssh_v6(p); pkt_ipv6_ext(p, 60, 8); pkt_ipv6_ext(p, 0, 8); SSH_OUT(p); pkt_finish(p); }
static void b_v6_unknown(struct pkt *p) { ssh_v6(p); pkt_proto(p, 253); pkt_payload(p, 16); pkt_finish(p); }
static void b_v6_none(struct pkt *p) { ssh_v6(p); pkt_proto(p, 59); pkt_finish(p); }
static void b_v6_ext_beyond(struct pkt *p) { ssh_v6(p); pkt_ipv6_ext(p, 60, 8); SSH_OUT(p); pkt_finish(p); p->b[p->l4 - 7] = 200; }
static void b_v6_ext_trunc(struct pkt *p) { ssh_v6(p); pkt_ipv6_ext(p, 60, 8); pkt_finish(p); p->len -= 4; p->b[p->l3 + 5] -= 4; }
static void b_arp(struct pkt *p) { pkt_eth(p, 0); pkt_ethertype(p, 0x0806); pkt_payload(p, 28); }
static void b_ipx(struct pkt *p) { pkt_eth(p, 0); pkt_ethertype(p, 0x8137); pkt_payload(p, 30); }
static void b_eapol(struct pkt *p) { pkt_eth(p, 0); pkt_ethertype(p, 0x888e); pkt_payload(p, 30); }
static void b_lldp(struct pkt *p) { pkt_eth(p, 0); pkt_ethertype(p, 0x88cc); pkt_payload(p, 30); }

static const struct mcase malformed_cases[] = {
	{ "truncated VLAN tag", b_trunc_vlan, OUT, PC_DROP_MALFORMED, NULL },
	{ "three VLAN tags", b_three_tags, OUT, PC_DROP_MALFORMED, NULL },
	{ "truncated IPv4 header (XDP: TC test runs need a whole IP header)", b_trunc_ip, IN, PC_DROP_MALFORMED, NULL },
	{ "IPv4 IHL 4", b_ihl4, OUT, PC_DROP_MALFORMED, NULL },
	{ "IPv4 IHL 15 beyond the frame", b_ihl15_cut, OUT, PC_DROP_MALFORMED, NULL },
	{ "IPv4 total length beyond the frame", b_totlen_beyond, OUT, PC_DROP_MALFORMED, NULL },
	{ "IPv4 total length below the header", b_totlen_short, OUT, PC_DROP_MALFORMED, NULL },
	{ "IPv4 EtherType, version 5", b_version5, OUT, PC_DROP_MALFORMED, NULL },
	{ "truncated TCP header", b_trunc_tcp, OUT, PC_DROP_MALFORMED, NULL },
	{ "TCP data offset 4", b_tcp_doff4, OUT, PC_DROP_MALFORMED, NULL },
	{ "TCP data offset beyond the packet", b_tcp_doff_beyond, OUT, PC_DROP_MALFORMED, NULL },
	{ "truncated UDP header", b_trunc_udp, OUT, PC_DROP_MALFORMED, NULL },
	{ "UDP length beyond the packet", b_udp_len_beyond, OUT, PC_DROP_MALFORMED, NULL },
	{ "truncated ICMP header", b_trunc_icmp, OUT, PC_DROP_MALFORMED, NULL },
	{ "IPv4 options", b_ip_opts_ok, OUT, OK, "A-2.3-ssh-linux" },
	{ "GRE", b_gre, OUT, PC_DROP_PROTOCOL, NULL },
	{ "truncated IPv6 header", b_v6_trunc, IN, PC_DROP_MALFORMED, NULL },
	{ "IPv6 payload length beyond the frame", b_v6_plen_beyond, OUT, PC_DROP_MALFORMED, NULL },
	{ "IPv6 hop-by-hop, dest, routing, dest, TCP", b_v6_chain, OUT, OK, "A-2.3-ssh-linux" },
	{ "IPv6 AH, TCP", b_v6_ah, OUT, OK, "A-2.3-ssh-linux" },
	{ "IPv6 eight destination-options headers", b_v6_eight, OUT, OK, "A-2.3-ssh-linux" },
	{ "IPv6 nine destination-options headers (long/looping)", b_v6_long, OUT, PC_DROP_MALFORMED, NULL },
	{ "IPv6 hop-by-hop not first", b_v6_hop_late, OUT, PC_DROP_MALFORMED, NULL },
	{ "IPv6 unknown next header 253", b_v6_unknown, OUT, PC_DROP_PROTOCOL, NULL },
	{ "IPv6 no next header", b_v6_none, OUT, PC_DROP_PROTOCOL, NULL },
	{ "IPv6 extension header longer than the payload", b_v6_ext_beyond, OUT, PC_DROP_MALFORMED, NULL },
	{ "IPv6 truncated extension header", b_v6_ext_trunc, OUT, PC_DROP_MALFORMED, NULL },
	{ "ARP", b_arp, IN, OK, NULL },
	{ "IPX (non-IP: dropped by default)", b_ipx, IN, PC_DROP_NON_IP, NULL },
};

static void test_malformed(void **state)
{
	struct fx *f = *state;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	for (size_t i = 0; i < sizeof(malformed_cases) / sizeof(*malformed_cases); i++) {
		const struct mcase *c = &malformed_cases[i];
		struct pkt p;

		fx_clear_tracking(f);
		memset(&p, 0, sizeof(p));
		c->build(&p);
		expect(f, c->desc, c->dir, &p, c->reason, c->path);
	}
}

/* settings: non-ip, each value against each kind of frame, both ways. */
static void test_non_ip(void **state)
{
	static const struct {
		const char *setting; /* NULL: the default */
		const char *desc;
		void (*build)(struct pkt *);
		int reason;
	} cases[] = {
		{ NULL, "default: ARP", b_arp, OK },
		{ NULL, "default: 802.1X (EAPOL)", b_eapol, OK },
		{ NULL, "default: LLDP", b_lldp, OK },
		{ NULL, "default: IPX", b_ipx, PC_DROP_NON_IP },
		{ "link-layer", "link-layer: 802.1X", b_eapol, OK },
		{ "link-layer", "link-layer: IPX", b_ipx, PC_DROP_NON_IP },
		{ "strict", "strict: ARP", b_arp, OK },
		{ "strict", "strict: 802.1X", b_eapol, PC_DROP_NON_IP },
		{ "strict", "strict: LLDP", b_lldp, PC_DROP_NON_IP },
		{ "strict", "strict: IPX", b_ipx, PC_DROP_NON_IP },
		{ "permissive", "permissive: IPX", b_ipx, OK },
		{ "permissive", "permissive: ARP", b_arp, OK },
	};
	struct fx *f = *state;
	char site[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct pkt p;

		snprintf(site, sizeof(site),
			 "hosts:\n  - name: mgr\n    kinds: [management-server]\n    addresses: [192.0.2.10]\n"
			 "%s%s\n", cases[i].setting ? "settings:\n  non-ip: " : "",
			 cases[i].setting ? cases[i].setting : "");
		fx_load(f, site, "mgr", PC_MODE_ENFORCE);
		memset(&p, 0, sizeof(p));
		cases[i].build(&p);
		expect(f, cases[i].desc, IN, &p, cases[i].reason, NULL);
		memset(&p, 0, sizeof(p));
		cases[i].build(&p);
		expect(f, cases[i].desc, OUT, &p, cases[i].reason, NULL);
	}
}

/* A UDP datagram to the SNMP trap port in fragments. */
static void snmp_frag(struct pkt *p, const char *src, uint16_t off8, bool mf,
		      uint16_t id, bool v6)
{
	pkt_eth(p, 0);
	pkt_ip(p, src, v6 ? MGR6 : MGR4);
	if (v6)
		pkt_ipv6_frag(p, off8, mf, id);
	else
		pkt_ipv4_frag(p, off8, mf, id);
	if (off8 == 0) {
		pkt_udp(p, 40000, 162);
		pkt_payload(p, 64);
		pkt_finish(p);
		p->b[p->l4 + 4] = 0x05; /* the whole datagram's length */
		p->b[p->l4 + 5] = 0xdc;
	} else {
		pkt_proto(p, 17);
		pkt_payload(p, 64);
		pkt_finish(p);
	}
	if (v6) /* the fragment header names UDP, not the chain before */
		p->b[p->nh] = 17;
}

static void test_fragments(void **state)
{
	struct fx *f = *state;
	const char *trap = "A-2.12-snmp-trap";
	struct pkt p;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	for (int v6 = 0; v6 < 2; v6++) {
		const char *peer = v6 ? "2001:db8:0:2::11" : "198.51.100.11";
		const char *stranger = v6 ? "2001:db8:ffff::9" : "203.0.113.99";

		fx_clear_tracking(f);
		/* In order: first, middle, last. */
		snmp_frag(&p, peer, 0, true, 7, v6);
		expect(f, "first fragment", IN, &p, OK, trap);
		snmp_frag(&p, peer, 9, true, 7, v6);
		expect(f, "middle fragment", IN, &p, OK, trap);
		snmp_frag(&p, peer, 18, false, 7, v6);
		expect(f, "last fragment", IN, &p, OK, trap);
		/* Out of order: the last before the first is refused, after
		 * the first it passes. */
		snmp_frag(&p, peer, 18, false, 8, v6);
		expect(f, "last fragment before the first", IN, &p, PC_DROP_FRAGMENT, NULL);
		snmp_frag(&p, peer, 0, true, 8, v6);
		expect(f, "first fragment, late", IN, &p, OK, trap);
		snmp_frag(&p, peer, 18, false, 8, v6);
		expect(f, "last fragment again", IN, &p, OK, trap);
		/* Another datagram id from the same peer is unknown. */
		snmp_frag(&p, peer, 9, true, 9, v6);
		expect(f, "fragment of an unseen datagram", IN, &p, PC_DROP_FRAGMENT, NULL);
		/* An undocumented peer: first refused, later ones too. */
		snmp_frag(&p, stranger, 0, true, 10, v6);
		expect(f, "first fragment from a stranger", IN, &p, PC_DROP_WRONG_PEER, NULL);
		snmp_frag(&p, stranger, 9, false, 10, v6);
		expect(f, "later fragment from a stranger", IN, &p, PC_DROP_FRAGMENT, NULL);
	}

	/* Tiny first fragment: TCP header cut at 8 bytes. */
	pkt_eth(&p, 0);
	pkt_ip(&p, MGR4, "198.51.100.11");
	pkt_ipv4_frag(&p, 0, true, 11);
	SSH_OUT(&p);
	p.len -= 12;
	pkt_finish(&p);
	expect(f, "tiny first fragment", OUT, &p, PC_DROP_BAD_FRAGMENT, NULL);
	/* Overlapping: offset 1 rewrites the TCP flags (RFC 1858). */
	pkt_eth(&p, 0);
	pkt_ip(&p, MGR4, "198.51.100.11");
	pkt_ipv4_frag(&p, 1, true, 12);
	pkt_proto(&p, 6);
	pkt_payload(&p, 24);
	pkt_finish(&p);
	expect(f, "fragment at offset 1", OUT, &p, PC_DROP_BAD_FRAGMENT, NULL);
	/* IPv6 first fragment whose header chain goes past it (RFC 7112). */
	pkt_eth(&p, 0);
	pkt_ip(&p, MGR6, "2001:db8:0:2::11");
	pkt_ipv6_frag(&p, 0, true, 13);
	pkt_ipv6_ext(&p, 60, 8);
	pkt_finish(&p);
	p.b[p.nh + 1] = 3; /* claims 32 bytes, 8 present */
	expect(f, "IPv6 first fragment without the whole chain", OUT, &p,
	       PC_DROP_BAD_FRAGMENT, NULL);
	/* IPv6 tiny first fragment: the TCP header cut. */
	pkt_eth(&p, 0);
	pkt_ip(&p, MGR6, "2001:db8:0:2::11");
	pkt_ipv6_frag(&p, 0, true, 14);
	SSH_OUT(&p);
	p.len -= 12;
	pkt_finish(&p);
	expect(f, "IPv6 tiny first fragment", OUT, &p, PC_DROP_BAD_FRAGMENT, NULL);
}

static void test_conntrack_and_icmp(void **state)
{
	struct fx *f = *state;
	struct pkt p, inner;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	/* A reply with no connection. */
	pkt_flow(&p, IN, TCP, MGR4, 40000, "198.51.100.11", 22, TH_SYN | TH_ACK);
	expect(f, "SYN-ACK without a SYN", IN, &p, PC_DROP_NO_CONNTRACK, NULL);
	/* Handshake, data, close. */
	pkt_flow(&p, OUT, TCP, MGR4, 40000, "198.51.100.11", 22, TH_SYN);
	expect(f, "SYN", OUT, &p, OK, "A-2.3-ssh-linux");
	pkt_flow(&p, IN, TCP, MGR4, 40000, "198.51.100.11", 22, TH_SYN | TH_ACK);
	expect(f, "SYN-ACK", IN, &p, OK, "A-2.3-ssh-linux");
	pkt_flow(&p, IN, TCP, MGR4, 40000, "198.51.100.11", 22, TH_ACK | TH_PSH);
	expect(f, "data from the server", IN, &p, OK, "A-2.3-ssh-linux");
	/* A reply to another local port is not this connection. */
	pkt_flow(&p, IN, TCP, MGR4, 40009, "198.51.100.11", 22, TH_ACK);
	expect(f, "reply to another port", IN, &p, PC_DROP_NO_CONNTRACK, NULL);

	/* ICMP fragmentation needed about our SSH packet: PMTU works. */
	pkt_flow(&inner, OUT, TCP, MGR4, 40000, "198.51.100.11", 22, TH_ACK);
	pkt_eth(&p, 0);
	pkt_ip(&p, "198.51.100.1", MGR4);
	pkt_icmp(&p, 3, 4, 0);
	pkt_append_ip(&p, &inner);
	pkt_finish(&p);
	expect(f, "ICMP frag-needed for a tracked flow", IN, &p, OK, "A-2.3-ssh-linux");
	pkt_flow(&inner, OUT, TCP, MGR4, 40001, "198.51.100.11", 22, TH_ACK);
	pkt_eth(&p, 0);
	pkt_ip(&p, "198.51.100.1", MGR4);
	pkt_icmp(&p, 3, 4, 0);
	pkt_append_ip(&p, &inner);
	pkt_finish(&p);
	expect(f, "ICMP frag-needed for an unknown flow", IN, &p, PC_DROP_ICMP, NULL);
	/* ICMPv6 packet too big about an IPv6 SSH connection. */
	pkt_flow(&p, OUT, TCP, MGR6, 40000, "2001:db8:0:2::11", 22, TH_SYN);
	expect(f, "IPv6 SYN", OUT, &p, OK, "A-2.3-ssh-linux");
	pkt_flow(&inner, OUT, TCP, MGR6, 40000, "2001:db8:0:2::11", 22, TH_ACK);
	pkt_eth(&p, 0);
	pkt_ip(&p, "2001:db8:0:2::1", MGR6);
	pkt_icmp(&p, 2, 0, 0);
	pkt_append_ip(&p, &inner);
	pkt_finish(&p);
	expect(f, "ICMPv6 packet too big for a tracked flow", IN, &p, OK, "A-2.3-ssh-linux");

	/* Echo with a documented peer, and with a stranger. */
	pkt_eth(&p, 0);
	pkt_ip(&p, MGR4, "198.51.100.11");
	pkt_icmp(&p, 8, 0, 77);
	pkt_finish(&p);
	expect(f, "echo request to a documented peer", OUT, &p, OK, NULL);
	pkt_eth(&p, 0);
	pkt_ip(&p, "198.51.100.11", MGR4);
	pkt_icmp(&p, 0, 0, 77);
	pkt_finish(&p);
	expect(f, "its echo reply", IN, &p, OK, NULL);
	pkt_eth(&p, 0);
	pkt_ip(&p, "198.51.100.11", MGR4);
	pkt_icmp(&p, 0, 0, 78);
	pkt_finish(&p);
	expect(f, "unsolicited echo reply", IN, &p, PC_DROP_NO_CONNTRACK, NULL);
	pkt_eth(&p, 0);
	pkt_ip(&p, "203.0.113.99", MGR4);
	pkt_icmp(&p, 8, 0, 79);
	pkt_finish(&p);
	expect(f, "echo request from a stranger", IN, &p, PC_DROP_ICMP, NULL);
	pkt_eth(&p, 0);
	pkt_ip(&p, "198.51.100.11", MGR4);
	pkt_icmp(&p, 5, 0, 0);
	pkt_finish(&p);
	expect(f, "ICMP redirect", IN, &p, PC_DROP_ICMP, NULL);
	/* Neighbour solicitation from anyone passes. */
	pkt_eth(&p, 0);
	pkt_ip(&p, "fe80::1", "ff02::1:ff00:10");
	pkt_icmp(&p, 135, 0, 0);
	pkt_payload(&p, 16);
	pkt_finish(&p);
	p.b[p.l3 + 7] = 255; /* RFC 4861: never routed */
	expect(f, "neighbour solicitation", IN, &p, OK, NULL);
}

/*
 * TCP connection states (issue 9: a stale connection opened backwards).
 * Every step is a packet of mgr:40000 <-> web:22 (documented: mgr opens),
 * or the clock moving on; each sequence starts with an empty table.
 */
enum { AGE = -1, CLEAR = -2 };

struct tstep {
	const char *desc;
	int dir;        /* IN, OUT, AGE (flags: seconds), CLEAR */
	uint8_t flags;
	int reason;
};

static const struct tstep tcp_steps[] = {
	{ "closed, then opened backwards", CLEAR, 0, OK },
	{ "SYN", OUT, TH_SYN, OK },
	{ "SYN-ACK", IN, TH_SYN | TH_ACK, OK },
	{ "ACK", OUT, TH_ACK, OK },
	{ "FIN", OUT, TH_FIN | TH_ACK, OK },
	{ "FIN back", IN, TH_FIN | TH_ACK, OK },
	{ "SYN from the peer, backwards, on the closed entry", IN, TH_SYN, PC_DROP_NO_CONNTRACK },
	{ "last ACK", OUT, TH_ACK, OK },
	{ "a late ACK from the peer, closed 0 s ago", IN, TH_ACK, OK },
	{ "", AGE, 4, OK },
	{ "a late ACK, 4 s after the close", IN, TH_ACK, OK },
	{ "", AGE, 2, OK },
	{ "a late ACK 6 s after the close (not renewed)", IN, TH_ACK, PC_DROP_NO_CONNTRACK },
	{ "SYN from the peer, backwards, after expiry", IN, TH_SYN, PC_DROP_NO_CONNTRACK },

	{ "SYN backwards on a live connection", CLEAR, 0, OK },
	{ "SYN", OUT, TH_SYN, OK },
	{ "SYN-ACK", IN, TH_SYN | TH_ACK, OK },
	{ "ACK", OUT, TH_ACK, OK },
	{ "SYN from the peer, backwards", IN, TH_SYN, PC_DROP_NO_CONNTRACK },
	{ "data from the peer still passes", IN, TH_ACK | TH_PSH, OK },

	{ "RST ends the entry", CLEAR, 0, OK },
	{ "SYN", OUT, TH_SYN, OK },
	{ "SYN-ACK", IN, TH_SYN | TH_ACK, OK },
	{ "RST from the peer", IN, TH_RST | TH_ACK, OK },
	{ "data after the RST", IN, TH_ACK | TH_PSH, PC_DROP_NO_CONNTRACK },
	{ "SYN again, opening direction: judged again", OUT, TH_SYN, OK },
	{ "SYN-ACK", IN, TH_SYN | TH_ACK, OK },

	{ "reopened after a close", CLEAR, 0, OK },
	{ "SYN", OUT, TH_SYN, OK },
	{ "SYN-ACK", IN, TH_SYN | TH_ACK, OK },
	{ "FIN", OUT, TH_FIN | TH_ACK, OK },
	{ "FIN back", IN, TH_FIN | TH_ACK, OK },
	{ "SYN in the opening direction starts over", OUT, TH_SYN, OK },
	{ "SYN-ACK", IN, TH_SYN | TH_ACK, OK },
	{ "", AGE, 30, OK },
	{ "data 30 s later (a new connection, not a closed one)", IN, TH_ACK, OK },

	/* The closed entry is in pc_ct (established first): the new SYN,
	 * which asks pc_ct_new only, must still end it. */
	{ "reopened after an established connection closed", CLEAR, 0, OK },
	{ "SYN", OUT, TH_SYN, OK },
	{ "SYN-ACK", IN, TH_SYN | TH_ACK, OK },
	{ "ACK", OUT, TH_ACK, OK },
	{ "FIN", OUT, TH_FIN | TH_ACK, OK },
	{ "FIN back", IN, TH_FIN | TH_ACK, OK },
	{ "SYN in the opening direction starts over", OUT, TH_SYN, OK },
	{ "SYN-ACK", IN, TH_SYN | TH_ACK, OK },
	{ "", AGE, 30, OK },
	{ "data 30 s later (the new connection, not the closed one)", IN, TH_ACK, OK },

	{ "SYN retransmitted", CLEAR, 0, OK },
	{ "SYN", OUT, TH_SYN, OK },
	{ "SYN again", OUT, TH_SYN, OK },
	{ "SYN-ACK", IN, TH_SYN | TH_ACK, OK },
};

static void test_tcp_states(void **state)
{
	struct fx *f = *state;
	const char *seq = "";

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	for (size_t i = 0; i < sizeof(tcp_steps) / sizeof(*tcp_steps); i++) {
		const struct tstep *s = &tcp_steps[i];
		char desc[256];
		struct pkt p;

		if (s->dir == CLEAR) {
			seq = s->desc;
			fx_clear_tracking(f);
			continue;
		}
		if (s->dir == AGE) {
			fx_age_tracking(f, s->flags);
			continue;
		}
		snprintf(desc, sizeof(desc), "%s: %s", seq, s->desc);
		pkt_flow(&p, s->dir, TCP, MGR4, 40000, "198.51.100.11", 22, s->flags);
		expect(f, desc, s->dir, &p, s->reason,
		       s->reason == OK ? "A-2.3-ssh-linux" : NULL);
	}
}

/*
 * A flood of new connections from documented peers (issue 10): the GUI
 * clients' /26 sends allowed SYNs to the GUI port, which the server
 * answers, many times more than both tables hold, then echo requests
 * with ever new identifiers; an idle established SSH connection
 * survives, and the evictions of the new-connection table are counted.
 */
static void test_conntrack_flood(void **state)
{
	struct fx *f = *state;
	const uint32_t max = 1024, syns = 6000;
	struct pc_ct_pressure before, after;
	uint32_t passed = 0;
	struct pkt p;

	fx_close(f);
	fx_open_sized(f, max);
	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	assert_int_equal(pc_ct_pressure_read(&f->maps, &before), 0);
	assert_int_equal(before.max[0], max);
	assert_int_equal(before.max[1], max / PC_CT_NEW_DIVISOR);
	pkt_flow(&p, OUT, TCP, MGR4, 40000, WEB4, 22, TH_SYN);
	expect(f, "ssh SYN", OUT, &p, OK, "A-2.3-ssh-linux");
	pkt_flow(&p, IN, TCP, MGR4, 40000, WEB4, 22, TH_SYN | TH_ACK);
	expect(f, "ssh SYN-ACK", IN, &p, OK, "A-2.3-ssh-linux");
	pkt_flow(&p, OUT, TCP, MGR4, 40000, WEB4, 22, TH_ACK);
	expect(f, "ssh ACK: established", OUT, &p, OK, "A-2.3-ssh-linux");
	for (uint32_t i = 0; i < syns; i++) {
		char peer[32];

		snprintf(peer, sizeof(peer), "192.0.2.%u", 65 + i % 62);
		pkt_flow(&p, IN, TCP, MGR4, 22015, peer, (uint16_t)(1024 + i / 62), TH_SYN);
		passed += fx_run(f, IN, &p);
		/* The server answers; the client never completes. */
		pkt_flow(&p, OUT, TCP, MGR4, 22015, peer, (uint16_t)(1024 + i / 62),
			 TH_SYN | TH_ACK);
		passed += fx_run(f, OUT, &p);
	}
	PX_CHECK(passed == 2 * syns, "flood: %u of %u SYNs and SYN-ACKs passed",
		 passed, 2 * syns);
	/* Echo with ever new identifiers, every one answered. */
	passed = 0;
	for (uint32_t i = 0; i < 2000; i++) {
		pkt_eth(&p, 0);
		pkt_ip(&p, "192.0.2.70", MGR4);
		pkt_icmp(&p, 8, 0, (uint16_t)i);
		pkt_finish(&p);
		passed += fx_run(f, IN, &p);
		pkt_eth(&p, 0);
		pkt_ip(&p, MGR4, "192.0.2.70");
		pkt_icmp(&p, 0, 0, (uint16_t)i);
		pkt_finish(&p);
		passed += fx_run(f, OUT, &p);
	}
	PX_CHECK(passed == 4000, "echo flood: %u of 4000 requests and replies passed", passed);
	pkt_flow(&p, IN, TCP, MGR4, 40000, WEB4, 22, TH_ACK | TH_PSH);
	expect(f, "ssh data after the flood", IN, &p, OK, "A-2.3-ssh-linux");
	pkt_flow(&p, OUT, TCP, MGR4, 40000, WEB4, 22, TH_ACK);
	expect(f, "ssh ACK after the flood", OUT, &p, OK, "A-2.3-ssh-linux");

	assert_int_equal(pc_ct_pressure_read(&f->maps, &after), 0);
	/* The server's SYN-ACKs and the ssh SYN; the SYNs from outside and
	 * the echo exchanges insert nothing. */
	PX_CHECK(after.created[1] - before.created[1] == syns + 1,
		 "new-table inserts: %llu, expected %u",
		 (unsigned long long)(after.created[1] - before.created[1]), syns + 1);
	PX_CHECK(after.created[0] - before.created[0] == 1,
		 "established inserts: %llu, expected 1 (the ssh connection)",
		 (unsigned long long)(after.created[0] - before.created[0]));
	PX_CHECK(after.evicted[1] >= syns - after.max[1] && after.evicted[0] == 0,
		 "evictions: new %llu (expected >= %u), established %llu (expected 0)",
		 (unsigned long long)after.evicted[1], syns - after.max[1],
		 (unsigned long long)after.evicted[0]);
	PX_CHECK(after.live[0] == 1 && after.live[1] <= (long)after.max[1],
		 "live: established %ld, new %ld", after.live[0], after.live[1]);
}

/*
 * Ingress never inserts (issue 14): a peer's allowed packet of no known
 * connection leaves a stamp, and the host's first answer on egress makes
 * the entry, judged by the rules in force. Each step is a packet (or a
 * clear, an age, a reload) with its verdict, its path, how many entries
 * it created in pc_ct_new and pc_ct, and how many stamps are left.
 */
enum skind { S_GUI, S_WRONG, S_TRAP, S_ECHO_REQ, S_ECHO_REPLY, S_UNREACH,
	     S_CLEAR, S_AGE, S_LOAD };

struct sstep {
	const char *desc;
	enum skind kind;
	int dir;
	uint8_t flags;      /* TCP flags; S_AGE: seconds */
	int reason;
	const char *path;   /* on pass; NULL for echo (other) */
	int new_created, est_created, stamps;
	const char *host;   /* S_LOAD */
};

#define GUI "A-1.1-http-gui"
#define TRAP "A-2.12-snmp-trap"

static const struct sstep stamp_steps[] = {
	{ "the peer opens, the host answers", S_CLEAR, 0, 0, 0, NULL, 0, 0, 0, NULL },
	{ "SYN in: no entry, a stamp", S_GUI, IN, TH_SYN, OK, GUI, 0, 0, 1, NULL },
	{ "SYN retransmitted: still no entry", S_GUI, IN, TH_SYN, OK, GUI, 0, 0, 1, NULL },
	{ "SYN-ACK out answers it: REPLIED, stamp cleared", S_GUI, OUT, TH_SYN | TH_ACK, OK, GUI, 1, 0, 0, NULL },
	{ "SYN retransmitted after the answer: stamps again", S_GUI, IN, TH_SYN, OK, GUI, 0, 0, 1, NULL },
	{ "SYN-ACK retransmitted: on its REPLIED entry", S_GUI, OUT, TH_SYN | TH_ACK, OK, GUI, 0, 0, 1, NULL },
	{ "the initiator's ACK promotes it", S_GUI, IN, TH_ACK, OK, GUI, 0, 1, 1, NULL },
	{ "data out", S_GUI, OUT, TH_ACK | TH_PSH, OK, GUI, 0, 0, 1, NULL },
	{ "FIN in", S_GUI, IN, TH_FIN | TH_ACK, OK, GUI, 0, 0, 1, NULL },
	{ "FIN out: closed", S_GUI, OUT, TH_FIN | TH_ACK, OK, GUI, 0, 0, 1, NULL },
	{ "the port reused: SYN in stamps", S_GUI, IN, TH_SYN, OK, GUI, 0, 0, 1, NULL },
	{ "SYN-ACK out ends the closed entry, REPLIED anew", S_GUI, OUT, TH_SYN | TH_ACK, OK, GUI, 1, 0, 0, NULL },
	{ "", S_AGE, 0, 30, 0, NULL, 0, 0, 0, NULL },
	{ "ACK in 30 s later: the new connection, not the closed one", S_GUI, IN, TH_ACK, OK, GUI, 0, 1, 0, NULL },

	{ "answers with no stamp", S_CLEAR, 0, 0, 0, NULL, 0, 0, 0, NULL },
	{ "SYN-ACK out", S_GUI, OUT, TH_SYN | TH_ACK, PC_DROP_NO_CONNTRACK, NULL, 0, 0, 0, NULL },
	{ "UDP reply out", S_TRAP, OUT, 0, PC_DROP_NO_CONNTRACK, NULL, 0, 0, 0, NULL },
	{ "echo reply out", S_ECHO_REPLY, OUT, 0, PC_DROP_NO_CONNTRACK, NULL, 0, 0, 0, NULL },
	{ "port unreachable out", S_UNREACH, OUT, 0, PC_DROP_ICMP, NULL, 0, 0, 0, NULL },

	{ "UDP: a request, its answer", S_CLEAR, 0, 0, 0, NULL, 0, 0, 0, NULL },
	{ "trap in: a stamp", S_TRAP, IN, 0, OK, TRAP, 0, 0, 1, NULL },
	{ "reply out: established in pc_ct", S_TRAP, OUT, 0, OK, TRAP, 0, 1, 0, NULL },
	{ "the next trap finds it", S_TRAP, IN, 0, OK, TRAP, 0, 0, 0, NULL },

	{ "UDP: the stamp expires", S_CLEAR, 0, 0, 0, NULL, 0, 0, 0, NULL },
	{ "trap in", S_TRAP, IN, 0, OK, TRAP, 0, 0, 1, NULL },
	{ "", S_AGE, 0, 61 + 2, 0, NULL, 0, 0, 0, NULL },
	{ "reply out after the UDP timeout", S_TRAP, OUT, 0, PC_DROP_NO_CONNTRACK, NULL, 0, 0, 1, NULL },

	{ "a port unreachable for a request the host does not serve", S_CLEAR, 0, 0, 0, NULL, 0, 0, 0, NULL },
	{ "trap in", S_TRAP, IN, 0, OK, TRAP, 0, 0, 1, NULL },
	{ "port unreachable out", S_UNREACH, OUT, 0, OK, NULL, 0, 0, 1, NULL },

	{ "echo", S_CLEAR, 0, 0, 0, NULL, 0, 0, 0, NULL },
	{ "request in: a stamp", S_ECHO_REQ, IN, 0, OK, NULL, 0, 0, 1, NULL },
	{ "reply out: passes, creates nothing", S_ECHO_REPLY, OUT, 0, OK, NULL, 0, 0, 1, NULL },

	{ "a RST answers and creates nothing", S_CLEAR, 0, 0, 0, NULL, 0, 0, 0, NULL },
	{ "SYN in", S_GUI, IN, TH_SYN, OK, GUI, 0, 0, 1, NULL },
	{ "RST out", S_GUI, OUT, TH_RST | TH_ACK, OK, GUI, 0, 0, 0, NULL },

	{ "a reload closes the port between request and answer", S_CLEAR, 0, 0, 0, NULL, 0, 0, 0, NULL },
	{ "SYN in", S_GUI, IN, TH_SYN, OK, GUI, 0, 0, 1, NULL },
	{ "", S_LOAD, 0, 0, 0, NULL, 0, 0, 0, "web" },
	{ "SYN-ACK out under web's rules", S_GUI, OUT, TH_SYN | TH_ACK, PC_DROP_NO_RULE, NULL, 0, 0, 1, NULL },
	{ "", S_LOAD, 0, 0, 0, NULL, 0, 0, 0, "mgr" },

	{ "the wrong peer, with an empty table", S_CLEAR, 0, 0, 0, NULL, 0, 0, 0, NULL },
	{ "SYN in", S_WRONG, IN, TH_SYN, PC_DROP_WRONG_PEER, NULL, 0, 0, 0, NULL },
	{ "UDP in from an undocumented port", S_WRONG, IN, 0, PC_DROP_NO_RULE, NULL, 0, 0, 0, NULL },
};

static void stamp_packet(const struct sstep *s, struct pkt *p)
{
	struct pkt inner;

	switch (s->kind) {
	case S_GUI:
	case S_WRONG:
		pkt_flow(p, s->dir, s->flags || s->kind == S_GUI ? TCP : UDP, MGR4, 22015,
			 s->kind == S_GUI ? "192.0.2.70" : "192.0.2.200", 50000, s->flags);
		return;
	case S_TRAP:
		pkt_flow(p, s->dir, UDP, MGR4, 162, "198.51.100.11", 40000, 0);
		return;
	case S_UNREACH: /* about the trap the peer sent */
		pkt_flow(&inner, IN, UDP, MGR4, 162, "198.51.100.11", 40000, 0);
		pkt_eth(p, 0);
		pkt_ip(p, MGR4, "198.51.100.11");
		pkt_icmp(p, 3, 3, 0);
		pkt_append_ip(p, &inner);
		pkt_finish(p);
		return;
	default: /* echo, identifier 91 */
		pkt_eth(p, 0);
		pkt_ip(p, s->dir ? MGR4 : "198.51.100.11", s->dir ? "198.51.100.11" : MGR4);
		pkt_icmp(p, s->kind == S_ECHO_REQ ? 8 : 0, 0, 91);
		pkt_finish(p);
	}
}

static void test_stamps(void **state)
{
	struct fx *f = *state;
	const char *seq = "";

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	for (size_t i = 0; i < sizeof(stamp_steps) / sizeof(*stamp_steps); i++) {
		const struct sstep *s = &stamp_steps[i];
		struct pc_ct_pressure before, after;
		char desc[256];
		struct pkt p;
		uint32_t left;

		if (s->kind == S_CLEAR) {
			seq = s->desc;
			fx_clear_tracking(f);
			continue;
		}
		if (s->kind == S_AGE) {
			fx_age_tracking(f, s->flags);
			continue;
		}
		if (s->kind == S_LOAD) {
			fx_load_host(f, s->host, PC_MODE_ENFORCE);
			continue;
		}
		snprintf(desc, sizeof(desc), "%s: %s", seq, s->desc);
		stamp_packet(s, &p);
		assert_int_equal(pc_ct_pressure_read(&f->maps, &before), 0);
		expect(f, desc, s->dir, &p, s->reason, s->path);
		assert_int_equal(pc_ct_pressure_read(&f->maps, &after), 0);
		left = fx_stamps(f);
		PX_CHECK(after.created[1] - before.created[1] == (uint64_t)s->new_created &&
			 after.created[0] - before.created[0] == (uint64_t)s->est_created,
			 "%s: created %llu new, %llu established; expected %d, %d", desc,
			 (unsigned long long)(after.created[1] - before.created[1]),
			 (unsigned long long)(after.created[0] - before.created[0]),
			 s->new_created, s->est_created);
		PX_CHECK(left == (uint32_t)s->stamps, "%s: %u stamps, expected %d", desc,
			 left, s->stamps);
	}
}

/*
 * Two stamps share one 8-byte value of pc_ct_seen (slots 2n and 2n+1):
 * stamping or clearing one leaves the other as it was. Two peer ports
 * whose keys land in the two halves of one value are found by stamping
 * and looking where each stamp went; then each case stamps both, in its
 * order, and answers both, in its order: every answer finds its stamp.
 */
struct hstep {
	const char *desc;
	int stamp_upper_first, answer_upper_first;
};

static const struct hstep half_steps[] = {
	{ "lower then upper stamped, lower answered first", 0, 0 },
	{ "lower then upper stamped, upper answered first", 0, 1 },
	{ "upper then lower stamped, lower answered first", 1, 0 },
	{ "upper then lower stamped, upper answered first", 1, 1 },
};

static void gui_flow(struct pkt *p, int dir, uint16_t peer_port, uint8_t flags)
{
	pkt_flow(p, dir, TCP, MGR4, 22015, "192.0.2.70", peer_port, flags);
}

/* The stamp slot of the GUI connection from peer port sport, as
 * bpf/conntrack.h's pc_ct_seen_slot computes it (checked against the
 * kernel's stamps by find_halves). */
static uint32_t gui_slot(uint16_t sport)
{
	struct pc_ct_key k = { .family = PC_AF_INET, .proto = TCP };
	uint64_t w[sizeof(k) / 8], h = 0;

	k.lport = htons(22015);
	k.rport = htons(sport);
	assert_int_equal(inet_pton(AF_INET, MGR4, k.laddr), 1);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.70", k.raddr), 1);
	memcpy(w, &k, sizeof(w));
	for (size_t i = 0; i < sizeof(w) / 8; i++)
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ull;
	h ^= h >> 32;
	return (uint32_t)h & (PC_CT_SEEN_SLOTS - 1);
}

/* Peer ports whose SYNs stamp the lower (port[0]) and the upper half of
 * one value: the slot of a peer's port is a bijection of the port, so
 * every port has one partner. */
static void find_halves(struct fx *f, uint16_t port[2])
{
	static uint32_t slots[PC_CT_SEEN_SLOTS];
	static int32_t owner[PC_CT_SEEN_SLOTS];
	struct pkt p;
	uint32_t i = 0;

	memset(owner, -1, sizeof(owner));
	for (uint32_t sport = 1024; sport < 65536; sport++) { /* the rule's peer ports */
		i = gui_slot((uint16_t)sport);
		owner[i] = (int32_t)sport;
		if (owner[i ^ 1] >= 0)
			break;
	}
	assert_true(owner[i] >= 0 && owner[i ^ 1] >= 0);
	port[0] = (uint16_t)owner[i & ~1u];
	port[1] = (uint16_t)owner[i | 1];
	for (int k = 0; k < 2; k++) {
		fx_clear_tracking(f);
		gui_flow(&p, IN, port[k], TH_SYN);
		assert_true(fx_run(f, IN, &p));
		fx_stamp_slots(f, slots);
		PX_CHECK(slots[(i & ~1u) + (uint32_t)k] != 0,
			 "port %u's stamp is not in slot %u", port[k], (i & ~1u) + k);
	}
}

static void test_stamp_halves(void **state)
{
	struct fx *f = *state;
	uint16_t port[2];
	struct pkt p;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	find_halves(f, port);
	for (size_t c = 0; c < sizeof(half_steps) / sizeof(*half_steps); c++) {
		const struct hstep *h = &half_steps[c];
		struct pc_ct_pressure before, after;
		char desc[256];

		fx_clear_tracking(f);
		for (int k = 0; k < 2; k++) {
			gui_flow(&p, IN, port[k ^ h->stamp_upper_first], TH_SYN);
			snprintf(desc, sizeof(desc), "%s: SYN %d in", h->desc, k + 1);
			expect(f, desc, IN, &p, OK, GUI);
			PX_CHECK(fx_stamps(f) == (uint32_t)k + 1, "%s: %u stamps, expected %d",
				 desc, fx_stamps(f), k + 1);
		}
		for (int k = 0; k < 2; k++) {
			gui_flow(&p, OUT, port[k ^ h->answer_upper_first], TH_SYN | TH_ACK);
			snprintf(desc, sizeof(desc), "%s: SYN-ACK %d out", h->desc, k + 1);
			assert_int_equal(pc_ct_pressure_read(&f->maps, &before), 0);
			expect(f, desc, OUT, &p, OK, GUI);
			assert_int_equal(pc_ct_pressure_read(&f->maps, &after), 0);
			PX_CHECK(after.created[1] - before.created[1] == 1,
				 "%s: created %llu new entries, expected 1", desc,
				 (unsigned long long)(after.created[1] - before.created[1]));
			PX_CHECK(fx_stamps(f) == 1u - (uint32_t)k, "%s: %u stamps, expected %d",
				 desc, fx_stamps(f), 1 - k);
		}
	}
}

/* An ICMP error (v4 type 3 / v6 type 1, code 4 / 0) from src to dst about
 * the inner packet isrc:isport -> idst:idport (TCP ACK), with pad bytes. */
static void icmp_error(struct pkt *p, const char *src, const char *dst,
		       const char *isrc, uint16_t isport, const char *idst,
		       uint16_t idport, size_t pad)
{
	bool v6 = strchr(src, ':') != NULL;
	struct pkt inner;

	pkt_eth(&inner, 0);
	pkt_ip(&inner, isrc, idst);
	pkt_tcp(&inner, isport, idport, TH_ACK);
	pkt_finish(&inner);
	pkt_eth(p, 0);
	pkt_ip(p, src, dst);
	pkt_icmp(p, v6 ? 1 : 3, v6 ? 0 : 4, 0);
	pkt_append_ip(p, &inner);
	pkt_payload(p, pad);
	pkt_finish(p);
}

/* An ICMP error about a tracked connection goes only between the host and
 * that connection's peer, about a packet that went the other way; on
 * ingress a router on the path (any other source) is let through at a
 * limited rate (issue 9: errors are not a covert channel). */
struct errcase {
	const char *desc;
	int dir;
	const char *src, *dst;             /* outer */
	const char *isrc, *idst;           /* inner */
	uint16_t isport, idport;
	int reason;
};

static const struct errcase err_cases[] = {
	{ "egress, to the peer, about its packet", OUT, MGR4, WEB4, WEB4, MGR4, 22, 40000, OK },
	{ "egress, to an outsider", OUT, MGR4, "203.0.113.66", WEB4, MGR4, 22, 40000, PC_DROP_ICMP },
	{ "egress, to another documented peer", OUT, MGR4, "198.51.100.21", WEB4, MGR4, 22, 40000, PC_DROP_ICMP },
	{ "egress, from another local address", OUT, "192.0.2.11", WEB4, WEB4, MGR4, 22, 40000, PC_DROP_ICMP },
	{ "egress, inner packet the host's own (wrong direction)", OUT, MGR4, WEB4, MGR4, WEB4, 40000, 22, PC_DROP_ICMP },
	{ "egress IPv6, to the peer", OUT, MGR6, WEB6, WEB6, MGR6, 22, 40000, OK },
	{ "egress IPv6, to an outsider", OUT, MGR6, "2001:db8:ffff::66", WEB6, MGR6, 22, 40000, PC_DROP_ICMP },
	{ "ingress, from the peer", IN, WEB4, MGR4, MGR4, WEB4, 40000, 22, OK },
	{ "ingress, from a router on the path", IN, "198.51.100.1", MGR4, MGR4, WEB4, 40000, 22, OK },
	{ "ingress, to another local address", IN, WEB4, "192.0.2.11", MGR4, WEB4, 40000, 22, PC_DROP_ICMP },
	{ "ingress, inner packet the peer's (wrong direction)", IN, WEB4, MGR4, WEB4, MGR4, 22, 40000, PC_DROP_ICMP },
	{ "ingress IPv6, from a router", IN, "2001:db8:0:2::1", MGR6, MGR6, WEB6, 40000, 22, OK },
};

static void test_icmp_errors(void **state)
{
	struct fx *f = *state;
	uint64_t before, refused;
	struct pkt p;
	int passed = 0;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	pkt_flow(&p, OUT, TCP, MGR4, 40000, WEB4, 22, TH_SYN);
	expect(f, "ssh SYN", OUT, &p, OK, "A-2.3-ssh-linux");
	pkt_flow(&p, OUT, TCP, MGR6, 40000, WEB6, 22, TH_SYN);
	expect(f, "ssh SYN, IPv6", OUT, &p, OK, "A-2.3-ssh-linux");
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(*err_cases); i++) {
		const struct errcase *c = &err_cases[i];

		icmp_error(&p, c->src, c->dst, c->isrc, c->isport, c->idst,
			   c->idport, 400);
		expect(f, c->desc, c->dir, &p, c->reason,
		       c->reason == OK ? "A-2.3-ssh-linux" : NULL);
	}
	/* A router's errors: a burst passes, a flood is cut and counted. */
	before = fx_drop_packets(f, PC_DROP_ICMP_RATE, IN);
	icmp_error(&p, "198.51.100.1", MGR4, MGR4, 40000, WEB4, 22, 0);
	for (int i = 0; i < 1000; i++)
		passed += fx_run(f, IN, &p);
	refused = fx_drop_packets(f, PC_DROP_ICMP_RATE, IN) - before;
	PX_CHECK(passed >= 50 && passed < 1000 && refused == (uint64_t)(1000 - passed),
		 "router errors: %d of 1000 passed, %llu counted as icmp-rate",
		 passed, (unsigned long long)refused);
	/* The peer's own errors are not limited. */
	icmp_error(&p, WEB4, MGR4, MGR4, 40000, WEB4, 22, 0);
	expect(f, "the peer during a router flood", IN, &p, OK, "A-2.3-ssh-linux");
}

/* ICMP echo passes only with unicast documented peers (settings:
 * icmp-echo), never with an address a rule names only as a broadcast or
 * unspecified remote, and never towards a broadcast or multicast
 * destination (issue 9). */
struct ecase {
	const char *desc;
	int dir;
	const char *src, *dst;
	bool eth_bcast;
	int reason;
};

static const struct ecase echo_cases[] = {
	{ "to a documented peer", OUT, MGR4, "198.51.100.11", false, OK },
	{ "to a peer of a client CIDR", OUT, MGR4, "192.0.2.70", false, OK },
	{ "to 255.255.255.255 (a WoL rule names it)", OUT, MGR4, "255.255.255.255", false, PC_DROP_ICMP },
	{ "to a directed broadcast (magicsend names it)", OUT, MGR4, "198.51.100.255", false, PC_DROP_ICMP },
	{ "to the own segment's broadcast", OUT, MGR4, "192.0.2.255", false, PC_DROP_ICMP },
	{ "to 0.0.0.0 (a DHCP rule names it)", OUT, MGR4, "0.0.0.0", false, PC_DROP_ICMP },
	{ "to a multicast group", OUT, MGR4, "224.0.0.1", false, PC_DROP_ICMP },
	{ "to IPv6 all-nodes", OUT, MGR6, "ff02::1", false, PC_DROP_ICMP },
	{ "to a stranger", OUT, MGR4, "203.0.113.99", false, PC_DROP_ICMP },
	{ "from a documented peer", IN, "198.51.100.11", MGR4, false, OK },
	{ "from a documented IPv6 peer", IN, "2001:db8:0:2::11", MGR6, false, OK },
	{ "from 0.0.0.0", IN, "0.0.0.0", MGR4, false, PC_DROP_ICMP },
	{ "from a peer to 255.255.255.255", IN, "198.51.100.11", "255.255.255.255", true, PC_DROP_ICMP },
	{ "from a peer to the segment broadcast", IN, "198.51.100.11", "192.0.2.255", true, PC_DROP_ICMP },
	{ "from a peer to the segment broadcast, unicast frame", IN, "198.51.100.11", "192.0.2.255", false, PC_DROP_ICMP },
	{ "from a peer to the own address in a broadcast frame", IN, "198.51.100.11", MGR4, true, PC_DROP_ICMP },
	{ "from a peer to IPv6 all-nodes", IN, "2001:db8:0:2::11", "ff02::1", false, PC_DROP_ICMP },
};

static void test_icmp_echo_peers(void **state)
{
	struct fx *f = *state;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	for (size_t i = 0; i < sizeof(echo_cases) / sizeof(*echo_cases); i++) {
		const struct ecase *c = &echo_cases[i];
		bool v6 = strchr(c->src, ':') != NULL;
		struct pkt p;

		fx_clear_tracking(f);
		pkt_eth(&p, 0);
		if (c->eth_bcast)
			pkt_eth_dst_broadcast(&p);
		pkt_ip(&p, c->src, c->dst);
		pkt_icmp(&p, v6 ? 128 : 8, 0, (uint16_t)(100 + i));
		pkt_finish(&p);
		expect(f, c->desc, c->dir, &p, c->reason, NULL);
	}
}

/*
 * Neighbour discovery (issue 9): RFC 4861 (hop limit 255; router
 * solicitations, advertisements and redirects from a link-local source,
 * a solicitation also from ::) and RA Guard (RFC 6105): advertisements and
 * redirects only from the routers the site names, as settings: ipv6-ra
 * says.
 */
struct ndcase {
	const char *desc;
	const char *ra;  /* settings: ipv6-ra, NULL: the default */
	uint8_t type;
	const char *src, *dst;
	uint8_t hops;
	int reason;
};

static const struct ndcase nd_cases[] = {
	{ "neighbour solicitation", NULL, 135, "fe80::1", "ff02::1:ff00:10", 255, OK },
	{ "neighbour solicitation, hop limit 64", NULL, 135, "fe80::1", "ff02::1:ff00:10", 64, PC_DROP_ND },
	{ "neighbour advertisement from a global address", NULL, 136, "2001:db8::20", MGR6, 255, OK },
	{ "neighbour advertisement, hop limit 254", NULL, 136, "2001:db8::20", MGR6, 254, PC_DROP_ND },
	{ "router solicitation from a link-local address", NULL, 133, "fe80::5", "ff02::2", 255, OK },
	{ "router solicitation from ::", NULL, 133, "::", "ff02::2", 255, OK },
	{ "router solicitation from a global address", NULL, 133, "2001:db8::5", "ff02::2", 255, PC_DROP_ND },
	{ "RA from the site's router (default: site-routers)", NULL, 134, "fe80::1", "ff02::1", 255, OK },
	{ "RA from another link-local address", NULL, 134, "fe80::66", "ff02::1", 255, PC_DROP_ND },
	{ "RA from the router, hop limit 64 (from off the link)", NULL, 134, "fe80::1", "ff02::1", 64, PC_DROP_ND },
	{ "RA from a global address", NULL, 134, "2001:db8::1", "ff02::1", 255, PC_DROP_ND },
	{ "redirect from the site's router", NULL, 137, "fe80::1", MGR6, 255, OK },
	{ "redirect from another link-local address", NULL, 137, "fe80::66", MGR6, 255, PC_DROP_ND },
	{ "RA from the site's router, ipv6-ra: deny", "deny", 134, "fe80::1", "ff02::1", 255, PC_DROP_ND },
	{ "redirect, ipv6-ra: deny", "deny", 137, "fe80::1", MGR6, 255, PC_DROP_ND },
	{ "neighbour solicitation, ipv6-ra: deny", "deny", 135, "fe80::1", "ff02::1:ff00:10", 255, OK },
	{ "RA from any link-local address, ipv6-ra: any", "any", 134, "fe80::66", "ff02::1", 255, OK },
	{ "RA from a global address, ipv6-ra: any", "any", 134, "2001:db8::1", "ff02::1", 255, PC_DROP_ND },
	{ "RA, hop limit 64, ipv6-ra: any", "any", 134, "fe80::66", "ff02::1", 64, PC_DROP_ND },
};

static void test_neighbour_discovery(void **state)
{
	static const char base[] =
		"hosts:\n  - name: mgr\n    kinds: [management-server]\n"
		"    addresses: [192.0.2.10, \"2001:db8::10\"]\n"
		"routers: [\"fe80::1\"]\n";
	struct fx *f = *state;
	const char *loaded = "";

	for (size_t i = 0; i < sizeof(nd_cases) / sizeof(*nd_cases); i++) {
		const struct ndcase *c = &nd_cases[i];
		const char *ra = c->ra ? c->ra : "";
		struct pkt p;

		if (i == 0 || strcmp(ra, loaded)) {
			char site[512];

			snprintf(site, sizeof(site), "%s%s%s%s", base,
				 c->ra ? "settings:\n  ipv6-ra: " : "", ra, c->ra ? "\n" : "");
			if (f->have_rs)
				pc_ruleset_free(&f->rs);
			if (f->have_policy)
				pc_policy_free(&f->policy);
			f->have_rs = f->have_policy = false;
			fx_load(f, site, "mgr", PC_MODE_ENFORCE);
			loaded = ra;
		}
		pkt_eth(&p, 0);
		pkt_ip(&p, c->src, c->dst);
		pkt_icmp(&p, c->type, 0, 0);
		pkt_payload(&p, 16);
		pkt_finish(&p);
		p.b[p.l3 + 7] = c->hops;
		expect(f, c->desc, IN, &p, c->reason, NULL);
	}
}

/* Whether pc_lport_used of the bank in force has proto's local port. */
static bool lport_used(struct fx *f, uint8_t proto, uint16_t port)
{
	uint32_t bank, gen, key;
	uint64_t w;

	assert_int_equal(pc_loader_state(&f->maps, &bank, &gen), 0);
	key = PC_LPORT_USED_INDEX(bank, proto == IPPROTO_TCP ? 0 : 1, port);
	assert_int_equal(bpf_map_lookup_elem(f->maps.lport_used, &key, &w), 0);
	return (w >> (port % PC_LPORT_WORD_BITS)) & 1;
}

/* The loader's one bit a local port: set where some row of the protocol
 * (ingress, broadcast or egress) has a rule for it, clear elsewhere. */
static void test_lport_used(void **state)
{
	static const struct {
		uint8_t proto;
		uint16_t port;
		bool used;
	} cases[] = {
		{ TCP, 22015, true },  /* GUI, ingress */
		{ UDP, 162, true },    /* SNMP trap, ingress */
		{ UDP, 67, true },     /* PXE, to the broadcast address */
		{ TCP, 40000, true },  /* a client's port of an egress rule */
		{ TCP, 23, false },
		{ UDP, 161, false },
		{ UDP, 1023, false },  /* below every client's range */
		{ TCP, 162, false },   /* the trap port, the other protocol */
	};
	struct fx *f = *state;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		PX_CHECK(lport_used(f, cases[i].proto, cases[i].port) == cases[i].used,
			 "%s port %u: %s, expected %s", cases[i].proto == TCP ? "TCP" : "UDP",
			 cases[i].port, cases[i].used ? "clear" : "set",
			 cases[i].used ? "set" : "clear");
}

/* Loads another site text into the same maps (a reload). */
static void load_again(struct fx *f, const char *site, const char *host)
{
	struct pc_diags d = { 0 };
	struct pc_policy keep = f->policy;
	struct pc_settings s;

	assert_int_equal(pc_policy_load_text(&f->policy, "catalog.yaml", pc_builtin_catalog,
					     pc_builtin_catalog_len, "site.yaml", site,
					     strlen(site), &d), 0);
	pc_diags_free(&d);
	pc_ruleset_free(&f->rs);
	pc_policy_free(&keep);
	assert_int_equal(pc_compile_host(&f->policy, host, &f->rs), 0);
	s = f->policy.settings;
	assert_int_equal(pc_loader_load(&f->maps, &f->rs, &s, NULL), 0);
}

/* A flow to a local port, answered by the host, that the new policy takes
 * out of every row (the SNMP trap port moved to 22601): cut at its next
 * packet, or with on-reload: keep-established kept, which the one-lookup
 * answer for such ports must leave to the connection table. */
static void test_reload_port_gone(void **state)
{
	static const char *const on_reload[] = { "recheck", "keep-established" };
	struct fx *f = *state;

	for (size_t i = 0; i < 2; i++) {
		char site[4096];
		struct pkt p;

		snprintf(site, sizeof(site), "%ssettings:\n  on-reload: %s\n", px_site,
			 on_reload[i]);
		if (f->have_rs)
			pc_ruleset_free(&f->rs);
		if (f->have_policy)
			pc_policy_free(&f->policy);
		f->have_rs = f->have_policy = false;
		fx_clear_tracking(f);
		fx_load(f, site, "mgr", PC_MODE_ENFORCE);
		pkt_flow(&p, IN, UDP, MGR4, 162, "198.51.100.11", 40000, 0);
		expect(f, "trap before", IN, &p, OK, "A-2.12-snmp-trap");
		/* Answered: only a flow the host answered has an entry to keep. */
		pkt_flow(&p, OUT, UDP, MGR4, 162, "198.51.100.11", 40000, 0);
		expect(f, "its answer", OUT, &p, OK, "A-2.12-snmp-trap");
		snprintf(site, sizeof(site),
			 "%sparameters:\n  snmp-trap-port: 22601\nsettings:\n  on-reload: %s\n",
			 px_site, on_reload[i]);
		load_again(f, site, "mgr");
		assert_false(lport_used(f, UDP, 162));
		pkt_flow(&p, IN, UDP, MGR4, 162, "198.51.100.11", 40000, 0);
		if (i == 0)
			expect(f, "trap to 162 after the move, recheck", IN, &p,
			       PC_DROP_NO_RULE, NULL);
		else
			expect(f, "trap to 162 after the move, keep-established", IN, &p,
			       OK, "A-2.12-snmp-trap");
	}
}

/*
 * Packets of established connections (pc_established, passed without
 * pc_judge) and the ones it must leave to pc_judge: a forged source, a
 * first fragment (recorded for the later ones), an entry idle past its
 * timeout, an entry of an older policy after a reload. mgr opens
 * mgr:40000 -> web:22 and answers web's SNMP trap to mgr:162
 * each step is a packet of one of them, or the clock, or a
 * reload that moves the SSH port (on-reload: recheck).
 */
enum est_step {
	EST_SSH, EST_SSH_MCAST, EST_TRAP, EST_TRAP_FRAG, /* a packet */
	EST_AGE, EST_MOVE_SSH, EST_HOLD, EST_MOVE_WEB,   /* the clock, a reload */
	EST_EVICT,                                        /* pc_ct emptied, a tick */
};

struct ecase_step {
	const char *desc;
	enum est_step what;
	int dir;
	uint8_t flags;    /* EST_SSH*: TCP flags; EST_TRAP_FRAG: offset (8 bytes); EST_AGE: seconds */
	/* EST_HOLD: every cached verdict holds for hours (fx_hold_cached);
	 * EST_MOVE_WEB: a reload that moves web to 198.51.100.12;
	 * EST_EVICT: pc_ct emptied as its LRU would, then 25 ms (a clock
	 * tick at any HZ) pass */
	int reason;
	const char *path;
};

static const struct ecase_step est_steps[] = {
	{ "SYN", EST_SSH, OUT, TH_SYN, OK, "A-2.3-ssh-linux" },
	{ "SYN-ACK", EST_SSH, IN, TH_SYN | TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "ACK", EST_SSH, OUT, TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "data in", EST_SSH, IN, TH_ACK | TH_PSH, OK, "A-2.3-ssh-linux" },
	{ "data out", EST_SSH, OUT, TH_ACK | TH_PSH, OK, "A-2.3-ssh-linux" },
	{ "data in from a multicast Ethernet source", EST_SSH_MCAST, IN, TH_ACK, PC_DROP_BAD_SOURCE, NULL },
	{ "a flag combination no stack sends", EST_SSH, IN, TH_FIN | TH_PSH | TH_URG, PC_DROP_TCP_FLAGS, NULL },
	{ "trap", EST_TRAP, IN, 0, OK, "A-2.12-snmp-trap" },
	{ "its answer", EST_TRAP, OUT, 0, OK, "A-2.12-snmp-trap" },
	{ "another trap, established", EST_TRAP, IN, 0, OK, "A-2.12-snmp-trap" },
	{ "first fragment of a trap", EST_TRAP_FRAG, IN, 0, OK, "A-2.12-snmp-trap" },
	{ "its last fragment (the first was recorded)", EST_TRAP_FRAG, IN, 9, OK, "A-2.12-snmp-trap" },
	{ "", EST_AGE, 0, 5, OK, NULL },
	{ "data in, 5 s idle", EST_SSH, IN, TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "", EST_AGE, 0, 15, OK, NULL },
	{ "data in, 15 s idle (past tcp-established: 10)", EST_SSH, IN, TH_ACK, PC_DROP_NO_CONNTRACK, NULL },
	{ "SYN again", EST_SSH, OUT, TH_SYN, OK, "A-2.3-ssh-linux" },
	{ "SYN-ACK", EST_SSH, IN, TH_SYN | TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "ACK", EST_SSH, OUT, TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "SSH moves to 2222", EST_MOVE_SSH, 0, 0, OK, NULL },
	{ "data in on 22, cut by the reload", EST_SSH, IN, TH_ACK, PC_DROP_NO_RULE, NULL },
	{ "another trap, rechecked and allowed", EST_TRAP, IN, 0, OK, "A-2.12-snmp-trap" },
};

/* Runs steps against the loaded site; moved_ssh and moved_web are the
 * sites EST_MOVE_SSH and EST_MOVE_WEB reload. */
static void run_est_steps(struct fx *f, const struct ecase_step *steps, size_t n,
			  const char *moved_ssh, const char *moved_web)
{
	for (size_t i = 0; i < n; i++) {
		const struct ecase_step *s = &steps[i];
		struct pkt p;

		switch (s->what) {
		case EST_AGE:
			fx_age_tracking(f, s->flags);
			continue;
		case EST_HOLD:
			fx_hold_cached(f);
			continue;
		case EST_EVICT:
			fx_evict_established(f);
			usleep(25000);
			continue;
		case EST_MOVE_SSH:
			load_again(f, moved_ssh, "mgr");
			continue;
		case EST_MOVE_WEB:
			load_again(f, moved_web, "mgr");
			continue;
		case EST_SSH:
		case EST_SSH_MCAST:
			pkt_flow(&p, s->dir, TCP, MGR4, 40000, WEB4, 22, s->flags);
			if (s->what == EST_SSH_MCAST)
				pkt_eth_src_multicast(&p);
			break;
		case EST_TRAP:
			pkt_flow(&p, s->dir, UDP, MGR4, 162, WEB4, 40000, 0);
			break;
		case EST_TRAP_FRAG:
			snmp_frag(&p, WEB4, s->flags, s->flags == 0, 21, false);
			break;
		}
		expect(f, s->desc, s->dir, &p, s->reason, s->path);
	}
}

/* The site with these settings appended (and web moved: its address
 * 198.51.100.11 -> .12). */
static void site_with(char *out, size_t size, const char *extra, bool move_web)
{
	const char *at = move_web ? strstr(px_site, "198.51.100.11") : NULL;

	if (!at) {
		snprintf(out, size, "%s%s", px_site, extra);
		return;
	}
	snprintf(out, size, "%.*s198.51.100.12%s%s", (int)(at - px_site), px_site,
		 at + strlen("198.51.100.11"), extra);
}

static void test_established(void **state)
{
	/* A timeout of seconds: the clock of a machine booted a minute ago
	 * (make check-kernels) cannot be set back by hours. */
	static const char timeout[] = "settings:\n  conntrack:\n    tcp-established: 10\n";
	static const char moved[] = "parameters:\n  linux-ssh-port: 2222\n";
	struct fx *f = *state;
	char site[4096], moved_ssh[4096 + sizeof(moved)];

	site_with(site, sizeof(site), timeout, false);
	fx_load(f, site, "mgr", PC_MODE_ENFORCE);
	snprintf(moved_ssh, sizeof(moved_ssh), "%s%s", site, moved);
	run_est_steps(f, est_steps, sizeof(est_steps) / sizeof(*est_steps), moved_ssh, NULL);
}

/*
 * The cache of established connections (bpf/ctcache.h): a verdict it holds
 * answers the packets that follow (EST_HOLD makes them follow within its
 * clock tick, however slow the test), and ends when pc_judge ends the
 * connection (a RST) or a reload changes the policy. The test stays on one
 * CPU: the cache is per CPU.
 */
static const struct ecase_step cache_steps[] = {
	{ "SYN", EST_SSH, OUT, TH_SYN, OK, "A-2.3-ssh-linux" },
	{ "SYN-ACK", EST_SSH, IN, TH_SYN | TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "ACK", EST_SSH, OUT, TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "data in, asks pc_ct and fills the cache", EST_SSH, IN, TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "", EST_HOLD, 0, 0, OK, NULL },
	{ "data in, from the cache", EST_SSH, IN, TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "data out, from the cache", EST_SSH, OUT, TH_ACK | TH_PSH, OK, "A-2.3-ssh-linux" },
	{ "RST in (pc_judge ends the connection)", EST_SSH, IN, TH_RST | TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "data in after the RST: no verdict held", EST_SSH, IN, TH_ACK, PC_DROP_NO_CONNTRACK, NULL },
	{ "SYN again", EST_SSH, OUT, TH_SYN, OK, "A-2.3-ssh-linux" },
	{ "SYN-ACK", EST_SSH, IN, TH_SYN | TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "ACK", EST_SSH, OUT, TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "data in, fills the cache again", EST_SSH, IN, TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "pc_ct evicts the entry; a tick passes", EST_EVICT, 0, 0, OK, NULL },
	{ "data in: the verdict ended with its tick", EST_SSH, IN, TH_ACK, PC_DROP_NO_CONNTRACK, NULL },
	{ "SYN again", EST_SSH, OUT, TH_SYN, OK, "A-2.3-ssh-linux" },
	{ "SYN-ACK", EST_SSH, IN, TH_SYN | TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "ACK", EST_SSH, OUT, TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "data in, fills the cache again", EST_SSH, IN, TH_ACK, OK, "A-2.3-ssh-linux" },
	{ "", EST_HOLD, 0, 0, OK, NULL },
	{ "web moves to .12 (port 22 keeps its rule)", EST_MOVE_WEB, 0, 0, OK, NULL },
	{ "data in from .11 after the reload: rechecked, cut", EST_SSH, IN, TH_ACK, PC_DROP_NO_RULE, NULL },
};

static void test_established_cache(void **state)
{
	struct fx *f = *state;
	char site[4096], moved_web[4096];
	cpu_set_t all, one;

	assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
	CPU_ZERO(&one);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &all)) {
			CPU_SET(c, &one);
			break;
		}
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	site_with(site, sizeof(site), "", false);
	site_with(moved_web, sizeof(moved_web), "", true);
	fx_load(f, site, "mgr", PC_MODE_ENFORCE);
	run_est_steps(f, cache_steps, sizeof(cache_steps) / sizeof(*cache_steps), NULL,
		      moved_web);
	assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
}

/* Reload: counters stay on their slots; connections no longer allowed are
 * cut, others continue. */
static void test_reload(void **state)
{
	static const char moved[] =
		"hosts:\n"
		"  - name: mgr\n    kinds: [management-server]\n    addresses: [192.0.2.10]\n"
		"  - name: web\n    kinds: [linux]\n    addresses: [198.51.100.11]\n"
		"  - name: mail\n    kinds: [smtp-server]\n    addresses: [192.0.2.25]\n"
		"parameters:\n  linux-ssh-port: 2222\n";
	struct fx *f = *state;
	uint64_t smtp_before;
	struct pkt p;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	pkt_flow(&p, OUT, TCP, MGR4, 40000, "198.51.100.11", 22, TH_SYN);
	expect(f, "ssh before", OUT, &p, OK, "A-2.3-ssh-linux");
	pkt_flow(&p, OUT, TCP, MGR4, 40001, "192.0.2.25", 25, TH_SYN);
	expect(f, "smtp before", OUT, &p, OK, "A-4.1-smtp");
	smtp_before = fx_path_packets(f, "A-4.1-smtp", OUT);

	/* Load the moved-port policy into the same maps. */
	load_again(f, moved, "mgr");

	assert_int_equal(fx_path_packets(f, "A-4.1-smtp", OUT), smtp_before);
	pkt_flow(&p, IN, TCP, MGR4, 40001, "192.0.2.25", 25, TH_ACK);
	expect(f, "smtp reply after the reload", IN, &p, OK, "A-4.1-smtp");
	pkt_flow(&p, IN, TCP, MGR4, 40000, "198.51.100.11", 22, TH_ACK);
	expect(f, "ssh on 22 cut by the reload", IN, &p, PC_DROP_NO_RULE, NULL);
	pkt_flow(&p, OUT, TCP, MGR4, 40002, "198.51.100.11", 2222, TH_SYN);
	expect(f, "ssh on the new port", OUT, &p, OK, "A-2.3-ssh-linux");
}

static void test_audit_mode(void **state)
{
	struct fx *f = *state;
	struct pkt p;

	fx_load(f, px_site, "mgr", PC_MODE_AUDIT);
	pkt_flow(&p, OUT, TCP, MGR4, 40000, "198.51.100.11", 23, TH_SYN);
	{
		uint64_t before = fx_drop_packets(f, PC_DROP_NO_RULE, OUT);

		assert_true(fx_run(f, OUT, &p));
		assert_int_equal(fx_drop_packets(f, PC_DROP_NO_RULE, OUT), before + 1);
	}
	pkt_flow(&p, OUT, TCP, MGR4, 40000, "198.51.100.11", 22, TH_SYN);
	expect(f, "documented in audit mode", OUT, &p, OK, "A-2.3-ssh-linux");
	/* Back to enforce: the same undocumented packet is dropped. */
	fx_load_host(f, "mgr", PC_MODE_ENFORCE);
	pkt_flow(&p, OUT, TCP, MGR4, 40000, "198.51.100.11", 23, TH_SYN);
	expect(f, "undocumented in enforce mode", OUT, &p, PC_DROP_NO_RULE, NULL);
}

/* Before any policy is loaded everything passes (generation 0). */
static void test_nothing_loaded(void **state)
{
	struct fx *f = *state;
	struct pkt p;

	pkt_flow(&p, OUT, TCP, MGR4, 40000, "198.51.100.11", 23, TH_SYN);
	assert_true(fx_run(f, OUT, &p));
	assert_true(fx_run(f, IN, &p));
}

/* More rules than the datapath has bits: refused, nothing touched. */
static void test_too_many_rules(void **state)
{
	struct fx *f = *state;
	struct pc_ruleset big = { 0 };
	uint32_t bank, gen;

	fx_load(f, px_site, "mgr", PC_MODE_ENFORCE);
	assert_int_equal(pc_loader_state(&f->maps, &bank, &gen), 0);
	big = f->rs;
	big.nrules = PC_MAX_RULES + 1;
	big.rules = calloc(big.nrules, sizeof(*big.rules));
	for (size_t i = 0; i < big.nrules; i++)
		big.rules[i] = f->rs.rules[i % f->rs.nrules];
	assert_int_equal(pc_loader_load(&f->maps, &big, &f->policy.settings, NULL), -E2BIG);
	free(big.rules);
	{
		uint32_t bank2, gen2;

		assert_int_equal(pc_loader_state(&f->maps, &bank2, &gen2), 0);
		assert_int_equal(bank2, bank);
		assert_int_equal(gen2, gen);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_loaded, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mgr_table, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_port_byte_order, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_malformed, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_non_ip, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fragments, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_conntrack_and_icmp, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_states, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_conntrack_flood, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stamps, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stamp_halves, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_icmp_echo_peers, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_icmp_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_neighbour_discovery, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reload, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_established, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_established_cache, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_lport_used, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reload_port_gone, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_audit_mode, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_too_many_rules, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_documented_flows_every_role, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
