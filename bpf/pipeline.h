/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The judgement both hooks share: parse -> conntrack -> classify -> count
 * -> verdict. Contract: pc_process(data, data_end, frame_len, dir) returns
 * 1 to let the packet through and 0 to drop it, having counted it on its
 * path (pass) or its drop reason (drop, or would-be drop in audit mode).
 * dir is PC_DIR_IN for XDP ingress and PC_DIR_OUT for TC egress. Before a
 * policy is loaded (generation 0) everything passes uncounted.
 */
#ifndef PC_BPF_PIPELINE_H
#define PC_BPF_PIPELINE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "classify.h"
#include "conntrack.h"
#include "counters.h"
#include "denied.h"
#include "parsing.h"
#include "portcullis.h"

/* Neighbour discovery (RFC 4861): router/neighbour solicitation and
 * advertisement, redirect; not named in the UAPI headers. */
#define PC_ND_FIRST 133
#define PC_ND_ROUTER_SOLICIT 133
#define PC_ND_ROUTER_ADVERT 134
#define PC_ND_REDIRECT 137
#define PC_ND_LAST 137

/* Gateway mode: bpf/gateway.h (which the object includes after this
 * header, as it uses the helpers below) judges forwarded packets;
 * pc_process asks it first, and it answers a drop reason or one of these. */
#define PC_GW_AS_HOST (-1)   /* pc_judge is to judge it */
#define PC_GW_FORWARDED (-2) /* a forwarded packet on egress: passes uncounted */
int pc_gateway_judge(const struct pc_pkt *p, __u32 dir, __u32 bank_gen,
		     const struct pc_bank_settings *set, __u32 *slot);

/* Impossible flag combinations, used by scanners (NULL, XMAS, ...). */
static __always_inline int pc_tcp_flags_bad(__u8 f)
{
	if (!(f & 0x3f))
		return 1;
	if ((f & (PC_TCP_SYN | PC_TCP_FIN)) == (PC_TCP_SYN | PC_TCP_FIN))
		return 1;
	if ((f & (PC_TCP_SYN | PC_TCP_RST)) == (PC_TCP_SYN | PC_TCP_RST))
		return 1;
	if ((f & (PC_TCP_FIN | PC_TCP_PSH | PC_TCP_URG)) ==
	    (PC_TCP_FIN | PC_TCP_PSH | PC_TCP_URG))
		return 1;
	if ((f & (PC_TCP_FIN | PC_TCP_ACK)) == PC_TCP_FIN)
		return 1;
	return 0;
}

/* A TCP SYN without ACK: opens a connection (or retransmits the opening). */
static __always_inline int pc_tcp_opening(const struct pc_pkt *p)
{
	return p->proto == IPPROTO_TCP &&
	       (p->tcp_flags & (PC_TCP_SYN | PC_TCP_ACK)) == PC_TCP_SYN;
}

static __always_inline int pc_bad_source(const struct pc_pkt *p)
{
	if (p->family == PC_AF_INET)
		return p->saddr[0] >= 224; /* multicast, class E, broadcast */
	return p->saddr[0] == 0xff;
}

/* A source no packet may have: a multicast Ethernet sender on ingress, or
 * a source address of pc_bad_source's. */
static __always_inline int pc_forged_source(const struct pc_pkt *p, __u32 dir)
{
	return (dir == PC_DIR_IN && p->eth_src_multicast) || pc_bad_source(p);
}

/* An ingress packet sent to a broadcast address, not to this host. */
static __always_inline __u32 pc_to_broadcast(const struct pc_pkt *p, __u32 dir)
{
	if (dir != PC_DIR_IN)
		return 0;
	if (p->eth_dst_broadcast)
		return 1;
	return p->family == PC_AF_INET && p->daddr[0] == 0xff &&
	       p->daddr[1] == 0xff && p->daddr[2] == 0xff && p->daddr[3] == 0xff;
}

/*
 * The stamps, for the paths that use them once each: stamp k
 * (PC_SEEN_STAMP), say whether k's stamp is fresh (PC_SEEN_ASK: 1 or 0),
 * or clear it (PC_SEEN_CLEAR, pc_ct_unstamp).
 */
enum { PC_SEEN_ASK, PC_SEEN_STAMP, PC_SEEN_CLEAR };

__attribute__((noinline)) int pc_ct_seen_op(const struct pc_ct_key *k,
					    const struct pc_bank_settings *set,
					    __u32 how, __u64 now)
{
	if (!k || !set)
		return -1;
	if (how == PC_SEEN_STAMP)
		pc_ct_stamp(k, now);
	else if (how == PC_SEEN_CLEAR)
		pc_ct_unstamp(k);
	else
		return pc_ct_stamped(k, set, now) != NULL;
	return 0;
}

/*
 * A TCP or UDP packet. The port rows are read first (array lookups, cheap)
 * so that the conntrack hash is only asked when some connection with this
 * key could exist: every entry was allowed in its first packet's row
 * (this packet's own, the reverse one, or for ingress the other of
 * unicast/broadcast) under the policy in force, or under an older one
 * whose entries are judged again by the rows in force (unless
 * keep-established keeps them as they are). With no rule in any of the
 * three rows, the verdict is no-rule whatever the table holds. The
 * table is then asked where the packet's connection most likely is
 * (pc_ct_lookup_flags), so an established packet and a SYN-ACK each pay
 * one hash lookup.
 * Ingress never inserts (conntrack.h): an allowed packet of no known
 * connection stamps, and the host's answer on egress creates the entry
 * (pc_ct_answer). An opening SYN on ingress is judged by the rules and
 * its peer only, and stamps if they allow it: it asks no table. A
 * retransmission leaves its connection's REPLIED entry alone; an older
 * connection on the same ports (or a stale one the host opened the other
 * way) goes when the host's SYN-ACK answers the new SYN's stamp. (An egress
 * packet with a fresh stamp is judged only as an answer: if the rules in
 * force no longer let the peer open it, it is not judged as the host's
 * opening either; a stamp lives for the protocol's timeout.)
 */
static __always_inline int pc_judge_l4(const struct pc_pkt *p, __u32 dir,
				       __u32 bank_gen,
				       const struct pc_bank_settings *set,
				       __u32 *slot, __u32 est_missed)
{
	__u32 bank = PC_CONFIG_BANK(bank_gen), gen = PC_CONFIG_GEN(bank_gen);
	__u64 wf[PC_MASK_WORDS], wr[PC_MASK_WORDS];
	__u32 bcast = pc_to_broadcast(p, dir);
	__u32 pi = p->proto == IPPROTO_TCP ? 0 : 1;
	struct pc_ct_key k = {};
	struct pc_ct_value *ct;
	struct pc_peer peer;
	__u32 stale = 0;
	__u16 lport, rport;
	int fwd, rev = -1, reason, answer = 0;
	__u64 now;
	__u32 s;

	if (p->proto == IPPROTO_TCP && pc_tcp_flags_bad(p->tcp_flags))
		return PC_DROP_TCP_FLAGS;
	pc_ct_key_of(p, dir, &k);
	lport = bpf_ntohs(k.lport);
	rport = bpf_ntohs(k.rport);
	fwd = pc_port_rules(bank, PC_PORT_ROW(dir, bcast, pi), lport, rport, wf);
	if (!fwd) {
		rev = pc_port_rules(bank, PC_PORT_ROW(!dir, 0, pi), lport, rport, wr);
		if (!rev && !(set->flags & PC_SET_KEEP_ESTABLISHED) &&
		    !pc_port_rules(bank, PC_PORT_ROW(PC_DIR_IN, dir == PC_DIR_IN ? !bcast : 1, pi),
				   lport, rport, wr)) /* wr is not read again: rev is 0 */
			return PC_DROP_NO_RULE;
	}

	now = pc_now();
	peer.exact_done = 0;
	peer.cidr_done = 0;
	if (dir == PC_DIR_IN && pc_tcp_opening(p))
		goto judge; /* by the rules and its peer only (see above) */
	ct = est_missed ? pc_ct_lookup_new(&k, set, now) :
			  pc_ct_lookup_flags(&k, set, now, p->tcp_flags);
	/* The host's SYN-ACK to a fresh stamp, on an entry other than the
	 * REPLIED one of its own earlier answer: the peer opened a new
	 * connection on these ports (the old one closed, or one the host
	 * opened the other way went stale), which the SYN-ACK answers. */
	if (ct && dir == PC_DIR_OUT && p->proto == IPPROTO_TCP &&
	    (p->tcp_flags & (PC_TCP_SYN | PC_TCP_ACK)) == (PC_TCP_SYN | PC_TCP_ACK) &&
	    !(ct->init_dir == PC_DIR_IN && PC_READ_ONCE(ct->state) == PC_CT_REPLIED) &&
	    (answer = pc_ct_seen_op(&k, set, PC_SEEN_ASK, now) == 1)) {
		pc_ct_delete(&k);
		ct = NULL;
	}
	if (ct && pc_tcp_opening(p)) { /* egress: the host opens */
		int v = pc_ct_syn(ct, dir);

		if (v == PC_CT_RESTART)
			pc_ct_delete(&k);
		else if (v == PC_CT_MISS)
			stale = 1; /* goes if the rules allow the SYN */
		if (v != PC_CT_PASS) /* the rules judge it as a new connection */
			ct = NULL;
	}
	if (ct && ct->generation != gen) {
		/* Allowed under an older policy: judge its first packet again
		 * (wr is recomputed afterwards if needed). */
		if (set->flags & PC_SET_KEEP_ESTABLISHED) {
			ct->generation = gen;
		} else if (pc_port_rules(bank, PC_PORT_ROW(ct->init_dir, !!ct->init_bcast, pi),
					 lport, rport, wr) &&
			   pc_pick_rule(bank, wr, pc_peer_rules(bank, set, &k, wr, &peer),
					&s) == PC_DROP_NONE) {
			ct->path_slot = s;
			ct->generation = gen;
		} else {
			pc_ct_delete(&k);
			ct = NULL;
		}
		rev = -1;
	}
	if (ct) {
		*slot = ct->path_slot;
		pc_ct_follow(&k, ct, dir, p->proto, p->tcp_flags, now);
		return PC_DROP_NONE;
	}
judge:
	reason = PC_DROP_NO_RULE;
	/* On egress, a packet whose key has a fresh stamp is the host's
	 * answer to the peer's packet (below), whatever its own rows say: a
	 * connection a rule lets either side open is the peer's if the peer
	 * spoke first. */
	if (dir == PC_DIR_OUT && !pc_tcp_opening(p) && !answer &&
	    pc_ct_seen_op(&k, set, PC_SEEN_ASK, now) == 1)
		answer = 1; /* (already 1: the port-reuse SYN-ACK above asked) */
	/* A SYN-ACK the host sends opens nothing: it can only answer. */
	if (fwd && !answer &&
	    !(dir == PC_DIR_OUT && p->proto == IPPROTO_TCP &&
	      (p->tcp_flags & (PC_TCP_SYN | PC_TCP_ACK)) == (PC_TCP_SYN | PC_TCP_ACK)))
		reason = pc_pick_rule(bank, wf, pc_peer_rules(bank, set, &k, wf, &peer), slot);
	if (reason == PC_DROP_NONE) {
		if (dir == PC_DIR_IN) {
			/* Inline, not pc_ct_seen_op: every allowed new
			 * connection's first packet comes here, and a call
			 * costs as much as the stamp. */
			if (!(p->tcp_flags & PC_TCP_RST))
				pc_ct_stamp(&k, now);
			return PC_DROP_NONE;
		}
		if (stale)
			pc_ct_delete(&k);
		if (!(p->proto == IPPROTO_TCP && (p->tcp_flags & PC_TCP_RST)))
			pc_ct_create(&k, dir, bcast, *slot, gen, p->tcp_flags, now);
		if (!stale && pc_tcp_opening(p)) /* pc_ct was not asked */
			pc_ct_delete_established(&k);
		return PC_DROP_NONE;
	}
	/* Would it start a documented connection the other way? Then it is a
	 * reply whose connection we do not know, or on egress the answer to a
	 * stamp. */
	if (rev < 0)
		rev = pc_port_rules(bank, PC_PORT_ROW(!dir, 0, pi), lport, rport, wr);
	if (rev) {
		struct pc_mask *am = pc_peer_rules(bank, set, &k, wr, &peer);

		/* The host's answer passes on the path of the rule that lets
		 * the peer open the connection, and creates its entry. */
		if (answer && pc_pick_rule(bank, wr, am, slot) == PC_DROP_NONE) {
			if (!(p->proto == IPPROTO_TCP && (p->tcp_flags & PC_TCP_RST)))
				pc_ct_answer(&k, *slot, gen, p->tcp_flags, now);
			pc_ct_seen_op(&k, set, PC_SEEN_CLEAR, now);
			return PC_DROP_NONE;
		}
		if (am && pc_mask_meets(wr, am->w))
			return PC_DROP_NO_CONNTRACK;
	}
	return reason;
}

static __always_inline int pc_addr_eq(const __u8 *a, const __u8 *b)
{
	__u64 x[2], y[2];

	__builtin_memcpy(x, a, 16);
	__builtin_memcpy(y, b, 16);
	return x[0] == y[0] && x[1] == y[1];
}

/* One more ICMP error from a router, if the CPU's bucket has the credit:
 * it refills at PC_ICMP_ROUTER_ERRORS_PER_SEC and holds a second of it. */
static __always_inline int pc_router_error_ok(__u64 now)
{
	const __u64 cost = PC_NSEC / PC_ICMP_ROUTER_ERRORS_PER_SEC;
	struct pc_icmp_budget *b;
	__u32 zero = 0;
	__u64 credit;

	b = bpf_map_lookup_elem(&pc_icmp_budget, &zero);
	if (!b)
		return 0;
	credit = b->credit_ns;
	if (now > b->last_ns)
		credit += now - b->last_ns;
	if (credit > PC_NSEC)
		credit = PC_NSEC;
	b->last_ns = now;
	if (credit < cost) {
		b->credit_ns = credit;
		return 0;
	}
	b->credit_ns = credit - cost;
	return 1;
}

/*
 * An ICMP error about a tracked connection travels between the ends of the
 * packet it quotes, the other way: on egress from the host's address in
 * the connection to its peer (so it is not a channel to anyone else), on
 * ingress to the host's address from the peer or from a router on the
 * path, which may be any address but is rate-limited. On egress the
 * connection may also be one a peer opened that has no entry yet, if the
 * quoted packet stamped (a port unreachable for a UDP request the host
 * does not serve): counted as other, since like an entry's error it is
 * not judged again by the rules.
 */
static __always_inline int pc_judge_icmp_error(const struct pc_pkt *p,
					       __u32 dir,
					       const struct pc_bank_settings *set,
					       __u64 now, struct pc_ct_key *k,
					       __u32 *slot)
{
	const struct pc_inner *in = &p->inner;
	struct pc_ct_value *ct;
	__u32 s = PC_PATH_OTHER;

	/* The quoted packet went the other way: on ingress it is ours.
	 * k: the caller's, zeroed. */
	k->family = p->family;
	k->proto = in->proto;
	if (dir == PC_DIR_IN) {
		k->lport = in->sport;
		k->rport = in->dport;
		__builtin_memcpy(k->laddr, in->saddr, 16);
		__builtin_memcpy(k->raddr, in->daddr, 16);
	} else {
		k->lport = in->dport;
		k->rport = in->sport;
		__builtin_memcpy(k->laddr, in->daddr, 16);
		__builtin_memcpy(k->raddr, in->saddr, 16);
	}
	if (in->proto == IPPROTO_ICMP || in->proto == IPPROTO_ICMPV6) {
		k->lport = in->sport;
		k->rport = 0;
	}
	if (!pc_addr_eq(dir == PC_DIR_IN ? p->daddr : p->saddr, k->laddr))
		return PC_DROP_ICMP;
	ct = pc_ct_lookup(k, set, now);
	if (ct)
		s = ct->path_slot;
	else if (dir != PC_DIR_OUT || pc_ct_seen_op(k, set, PC_SEEN_ASK, now) != 1)
		return PC_DROP_ICMP;
	if (!pc_addr_eq(dir == PC_DIR_IN ? p->saddr : p->daddr, k->raddr)) {
		if (dir == PC_DIR_OUT)
			return PC_DROP_ICMP;
		if (!pc_router_error_ok(now))
			return PC_DROP_ICMP_RATE;
	}
	*slot = s;
	return PC_DROP_NONE;
}

/*
 * Neighbour discovery as RFC 4861 has it: hop limit 255 (sent on the
 * link, not routed), router solicitations from a link-local address or
 * ::, advertisements and redirects from a router's link-local address;
 * and RA Guard (RFC 6105): advertisements and redirects, either way, only
 * from the site's routers (settings: ipv6-ra: site-routers), any router
 * (any), or none (deny).
 */
static __always_inline int pc_judge_nd(const struct pc_pkt *p, __u32 bank,
				       const struct pc_bank_settings *set)
{
	__u8 t = p->icmp_type;
	int link_local = p->saddr[0] == 0xfe && (p->saddr[1] & 0xc0) == 0x80;
	__u64 s[2];

	if (p->hop_limit != 255)
		return PC_DROP_ND;
	if (t == PC_ND_ROUTER_SOLICIT) {
		__builtin_memcpy(s, p->saddr, 16);
		return link_local || !(s[0] | s[1]) ? PC_DROP_NONE : PC_DROP_ND;
	}
	if (t != PC_ND_ROUTER_ADVERT && t != PC_ND_REDIRECT)
		return PC_DROP_NONE; /* neighbour solicitation, advertisement */
	if (!link_local)
		return PC_DROP_ND;
	if (set->flags & PC_SET_RA_ANY)
		return PC_DROP_NONE;
	if ((set->flags & PC_SET_RA_SITE) &&
	    pc_addr_marked(bank, PC_AF_INET6, p->saddr, PC_ADDR_ROUTER))
		return PC_DROP_NONE;
	return PC_DROP_ND;
}

/* Echo with the remote of k: only with a unicast documented peer, and only
 * to or from the host's own address. */
static __always_inline int pc_echo_ok(const struct pc_pkt *p,
				      const struct pc_ct_key *k, __u32 bank,
				      const struct pc_bank_settings *set, __u32 dir)
{
	return (set->flags & PC_SET_ICMP_ECHO) &&
	       !(dir == PC_DIR_IN && p->eth_dst_broadcast) &&
	       !pc_not_peer(bank, p->family, k->laddr) &&
	       pc_echo_peer(bank, p->family, k->raddr);
}

static __always_inline int pc_judge_icmp(const struct pc_pkt *p, __u32 dir,
					 __u32 bank_gen,
					 const struct pc_bank_settings *set,
					 __u32 *slot)
{
	__u32 bank = PC_CONFIG_BANK(bank_gen), gen = PC_CONFIG_GEN(bank_gen);
	__u64 now = pc_now();
	__u8 t = p->icmp_type, v4 = p->family == PC_AF_INET;
	struct pc_ct_key k = {};
	struct pc_ct_value *ct;

	if (!v4 && t >= PC_ND_FIRST && t <= PC_ND_LAST)
		return pc_judge_nd(p, bank, set);
	if (!v4 && ((t >= ICMPV6_MGM_QUERY && t <= ICMPV6_MGM_REDUCTION) ||
		    t == ICMPV6_MLD2_REPORT))
		return PC_DROP_NONE; /* MLD */
	if (t == (v4 ? ICMP_ECHO : ICMPV6_ECHO_REQUEST) ||
	    t == (v4 ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY)) {
		pc_ct_key_of(p, dir, &k);
		k.lport = p->sport; /* the identifier, whichever way */
		k.rport = 0;
		ct = pc_ct_lookup(&k, set, now);
		if (t == (v4 ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY)) {
			/* The host's reply to a peer's request that stamped:
			 * passes if echo with that peer is allowed now, and
			 * creates nothing (each request is judged afresh). */
			if (!ct && dir == PC_DIR_OUT &&
			    pc_ct_seen_op(&k, set, PC_SEEN_ASK, now) == 1 &&
			    pc_echo_ok(p, &k, bank, set, dir))
				return PC_DROP_NONE;
			if (!ct || ct->init_dir == dir)
				return PC_DROP_NO_CONNTRACK;
		} else if (!ct) {
			if (!pc_echo_ok(p, &k, bank, set, dir))
				return PC_DROP_ICMP;
			if (dir == PC_DIR_IN)
				pc_ct_seen_op(&k, set, PC_SEEN_STAMP, now);
			else
				pc_ct_create(&k, dir, 0, PC_PATH_OTHER, gen, 0, now);
			return PC_DROP_NONE;
		}
		*slot = ct->path_slot;
		pc_ct_follow(&k, ct, dir, k.proto, 0, now);
		return PC_DROP_NONE;
	}
	if (pc_is_icmp_error(p->family, t) && p->has_inner)
		return pc_judge_icmp_error(p, dir, set, now, &k, slot);
	return PC_DROP_ICMP;
}

/* Beside the direction in pc_judge's dir (BPF functions take at most
 * five arguments): pc_established found no entry of pc_ct for this TCP
 * (without SYN) or UDP packet, so pc_judge does not ask it again. */
#define PC_JUDGE_EST_MISSED 0x100

/* Global, so verified once and not once per parsing path. */
__attribute__((noinline)) int pc_judge(const struct pc_pkt *p, __u32 dir_how,
				       __u32 bank_gen,
				       const struct pc_bank_settings *set,
				       __u32 *slot)
{
	__u32 dir = dir_how & ~PC_JUDGE_EST_MISSED;
	int reason;

	if (!p || !set || !slot || dir > 1)
		return PC_DROP_MALFORMED;

	if (!p->family) {
		if (p->eth_proto == ETH_P_ARP || !(set->flags & PC_SET_NON_IP_STRICT))
			return PC_DROP_NONE;
		/* What a host's link needs: 802.1X port authentication (a port
		 * that cannot re-authenticate goes dark) and LLDP. */
		if ((set->flags & PC_SET_NON_IP_LINK) &&
		    (p->eth_proto == ETH_P_PAE || p->eth_proto == ETH_P_LLDP))
			return PC_DROP_NONE;
		return PC_DROP_NON_IP;
	}
	if (pc_forged_source(p, dir))
		return PC_DROP_BAD_SOURCE;
	if (p->frag == PC_FRAG_LATER)
		return pc_frag_lookup(p, pc_now(), slot) ? PC_DROP_FRAGMENT : PC_DROP_NONE;
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP)
		reason = pc_judge_l4(p, dir, bank_gen, set, slot,
				     dir_how & PC_JUDGE_EST_MISSED);
	else if ((p->proto == IPPROTO_ICMP && p->family == PC_AF_INET) ||
		 (p->proto == IPPROTO_ICMPV6 && p->family == PC_AF_INET6))
		reason = pc_judge_icmp(p, dir, bank_gen, set, slot);
	else
		reason = PC_DROP_PROTOCOL;
	if (reason == PC_DROP_NONE && p->frag == PC_FRAG_FIRST)
		pc_frag_record(p, *slot, pc_now());
	return reason;
}

/*
 * pc_judge's answer for a TCP or UDP packet to a local port that no port
 * row of its protocol holds, said before calling it (a call costs as much
 * as the rest of a drop): no-rule, as pc_judge_l4 finds with its three
 * rows when keep-established does not keep older connections, once the
 * checks pc_judge makes first (source, later fragment, TCP flags) have
 * passed. 0: pc_judge is to judge the packet.
 */
static __always_inline int pc_no_rule_early(const struct pc_pkt *p, __u32 dir,
					    __u32 bank,
					    const struct pc_bank_settings *set)
{
	__u16 lport = bpf_ntohs(dir == PC_DIR_IN ? p->dport : p->sport);

	/* The bit first: an allowed packet pays one lookup for all this. */
	if (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP)
		return 0;
	if (pc_lport_in_rows(bank, p->proto == IPPROTO_TCP ? 0 : 1, lport))
		return 0;
	if (!p->family || p->frag == PC_FRAG_LATER ||
	    (set->flags & PC_SET_KEEP_ESTABLISHED))
		return 0;
	if (pc_forged_source(p, dir))
		return 0;
	return !(p->proto == IPPROTO_TCP && pc_tcp_flags_bad(p->tcp_flags));
}

/* pc_established's answers. */
enum pc_est {
	PC_EST_JUDGE = 0, /* pc_judge judges the packet */
	PC_EST_PASS,      /* established: passed on *slot */
	PC_EST_MISSED,    /* pc_judge judges it, and pc_ct holds no entry */
};

/* Whether p is of the kinds pc_established passes: TCP with ACK and
 * without SYN, FIN or RST, or UDP, unfragmented. Asked before the call,
 * so that the other packets (a SYN) do not pay for it. */
static __always_inline int pc_established_kind(const struct pc_pkt *p)
{
	if (p->frag != PC_FRAG_NONE)
		return 0;
	if (p->proto == IPPROTO_TCP)
		return (p->tcp_flags & (PC_TCP_SYN | PC_TCP_FIN | PC_TCP_RST | PC_TCP_ACK)) ==
		       PC_TCP_ACK;
	return p->proto == IPPROTO_UDP;
}

/*
 * A packet of an established connection the policy in force allowed,
 * passed without pc_judge: this is the packet of bulk traffic. It covers
 * TCP with ACK and without SYN, FIN or RST, and unfragmented UDP, whose
 * entry in pc_ct is established, live and of this policy's generation:
 * what pc_judge would find, and it would only renew the idle stamp
 * (pc_ct_update). The cache of such verdicts (ctcache.h) answers first;
 * pc_ct only when it has none. Anything else (another state, an older
 * policy's entry, a source pc_judge drops first) is PC_EST_JUDGE, or
 * PC_EST_MISSED when pc_ct holds no entry for the packet (pc_judge then
 * does not ask it again, PC_JUDGE_EST_MISSED). The caller has asked
 * pc_established_kind. Global, so that its frame is not the entry
 * program's, which pc_judge's adds to.
 */
__attribute__((noinline)) int pc_established(const struct pc_pkt *p, __u32 dir, __u32 gen,
					     const struct pc_bank_settings *set,
					     __u32 *slot)
{
	struct pc_ct_cached *sc, *c;
	struct pc_ct_value *ct;
	__u32 epoch;
	__u64 j, now;

	if (!p || !set || !slot || dir > 1 || pc_forged_source(p, dir))
		return PC_EST_JUDGE;
	sc = pc_ct_cache_scratch();
	if (!sc)
		return PC_EST_JUDGE;
	pc_ct_key_of(p, dir, &sc->key);
	sc->key._pad = 0;
	c = pc_ct_cache_element(pc_ct_cache_hash(&sc->key));
	if (!c)
		return PC_EST_JUDGE;
	epoch = PC_READ_ONCE(*pc_ct_epoch_of(&sc->key)); /* before pc_ct is asked */
	j = bpf_jiffies64();
	if (pc_ct_cache_holds(c, &sc->key, gen, epoch, j)) {
		*slot = c->path_slot;
		return PC_EST_PASS;
	}
	ct = bpf_map_lookup_elem(&pc_ct, &sc->key);
	if (!ct)
		return PC_EST_MISSED;
	if (PC_READ_ONCE(ct->state) != PC_CT_ESTABLISHED || ct->generation != gen)
		return PC_EST_JUDGE;
	now = pc_now();
	if (pc_ct_idle_past(ct, p->proto, set, now))
		return PC_EST_JUDGE; /* pc_judge ends it */
	pc_ct_touch(ct, now);
	*slot = ct->path_slot;
	pc_ct_cache_fill(c, &sc->key, gen, *slot, epoch, j);
	return PC_EST_PASS;
}

/*
 * Counts the judged packet in direction dir (PC_DIR_FWD: a gateway's
 * forwarded one) on its path or its drop reason, reports a drop, and
 * returns pc_process's answer. dir is a constant at each call, so that
 * it costs no register across the calls.
 */
static __always_inline int pc_verdict(const struct pc_pkt *p, int reason, __u32 slot,
				      __u32 dir, __u32 frame_len,
				      const struct pc_bank_settings *set)
{
	int audit;
	__u64 now;

	if (reason == PC_DROP_NONE) {
		pc_count_path(slot, dir, frame_len);
		return 1;
	}
	audit = set->mode == PC_MODE_VALUE_AUDIT;
	now = pc_now(); /* one clock read for both budgets */
	pc_count_drop(reason, dir, frame_len);
	pc_report_drop(p, reason, dir, frame_len, audit, now);
	if (pc_denied_admit(now))
		pc_denied_record(p, reason, dir, pc_to_broadcast(p, dir), audit);
	return audit;
}

static __always_inline int pc_process(void *data, void *data_end,
				      __u32 frame_len, __u32 tags_outside, __u32 dir)
{
	struct pc_bank_settings *set;
	struct pc_config *cfg;
	__u32 zero = 0, slot = PC_PATH_OTHER, bank, bg;
	struct pc_pkt p = {};
	int reason;

	cfg = bpf_map_lookup_elem(&pc_config, &zero);
	if (!cfg)
		return 1;
	bg = *(volatile __u32 *)&cfg->bank_gen; /* read once: one policy */
	if (!PC_CONFIG_GEN(bg))
		return 1;
	bank = PC_CONFIG_BANK(bg);
	set = bpf_map_lookup_elem(&pc_settings, &bank);
	if (!set)
		return 1;
	reason = pc_parse(data, data_end, frame_len, tags_outside, &p);
	/* Gateway mode: forwarded packets beside (not inside) pc_judge, so
	 * that the two global functions' stacks do not add up. */
	if (reason == PC_DROP_NONE) {
		reason = PC_GW_AS_HOST;
		if (set->flags & PC_SET_GATEWAY)
			reason = pc_gateway_judge(&p, dir, bg, set, &slot);
		if (reason == PC_GW_FORWARDED)
			return 1;
		if (reason != PC_GW_AS_HOST) /* judged as forwarded */
			return pc_verdict(&p, reason, slot, PC_DIR_FWD, frame_len, set);
		if (pc_no_rule_early(&p, dir, bank, set)) {
			reason = PC_DROP_NO_RULE;
		} else {
			int est = pc_established_kind(&p) ?
					  pc_established(&p, dir, PC_CONFIG_GEN(bg), set, &slot) :
					  PC_EST_JUDGE;

			if (est == PC_EST_PASS)
				reason = PC_DROP_NONE;
			else
				reason = pc_judge(&p, dir | (est == PC_EST_MISSED ?
							     PC_JUDGE_EST_MISSED : 0),
						  bg, set, &slot);
		}
	}
	return pc_verdict(&p, reason, slot, dir, frame_len, set);
}

#endif
