/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gateway mode, kernel side (settings flag PC_SET_GATEWAY): the judgement
 * of packets the machine forwards, against the whole site's flow matrix
 * (user/gateway.h compiles it). It uses pipeline.h's helpers, and
 * pipeline.h's pc_process calls it (declared there). Contract:
 *
 * pc_gateway_judge(p, dir, bank_gen, set, slot) returns PC_GW_AS_HOST when
 * pc_judge is to judge the packet: the gateway's own (to one of its
 * addresses on ingress, from one on egress; a broadcast the forward rules
 * refuse is offered to the host rules too, as the gateway receives it),
 * not IP, or a later fragment (found by its first one whichever way it
 * went); an ICMP error the gateway sends about a forwarded connection
 * passes as a router's would; PC_GW_FORWARDED for a
 * forwarded packet on egress (judged where it came in: passes uncounted),
 * or else the verdict on a forwarded packet (PC_DROP_*, with *slot).
 *
 * A forwarded packet S -> D is looked up in conntrack as the responder D
 * would see it, first as D's egress (laddr S: a reply), then as D's
 * ingress (laddr D, raddr S: the initiating direction). A new one passes when
 * a forward rule has its protocol and ports (port row PC_DIR_IN, unicast,
 * (dport, sport)), S among its initiators (its pc_addr entry's kind
 * PC_ADDR_FWD_INIT and fwd_init id, or a pc_cidr prefix of that kind) and
 * D among its destinations (PC_ADDR_FWD_RESP, fwd_resp); the connection is then
 * created with the first key. Forward rules sit only in the unicast
 * ingress row: the destination sets carry the addressing (broadcast rows
 * list broadcast addresses). Their address kinds are not the host rules'
 * PC_ADDR_RULES, so a host rule never matches a forwarded packet nor a
 * forward rule the gateway's own.
 *
 * The pc_addr entries of a TCP or UDP packet's source and destination
 * are looked up once, by pc_gateway_judge for the own-address marks; the
 * forward rules' ids come from the same values (vs, vd).
 */
#ifndef PC_BPF_GATEWAY_H
#define PC_BPF_GATEWAY_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "classify.h"
#include "conntrack.h"
#include "maps.h"
#include "parsing.h"
#include "pipeline.h"
#include "portcullis.h"

/* Address a's pc_addr entry as pc_addr_get returns it (0: none). */
static __always_inline __u64 pc_fwd_entry(__u32 bank, __u8 family, const __u8 *a)
{
	return pc_addr_get(bank, family, (const struct pc_host_key *)a);
}

/* The entry r as its struct. */
static __always_inline struct pc_addr_value pc_fwd_value(__u64 r)
{
	struct pc_addr_value v;

	__builtin_memcpy(&v, &r, sizeof(v));
	return v;
}

/* The forward rules that list a as kind's address (exact: its entry r's
 * fwd_init or fwd_resp id in pc_masks, else the longest prefix holding
 * it), or NULL. */
static __always_inline struct pc_mask *pc_fwd_addr_rules(__u32 bank, __u8 kind,
							 __u8 family, const __u8 *a,
							 __u64 r)
{
	struct pc_addr_value v = pc_fwd_value(r);
	struct pc_cidr_key ck = {};

	if (pc_addr_is(v, kind))
		return pc_mask_of(bank, kind == PC_ADDR_FWD_INIT ? v.fwd_init : v.fwd_resp);
	ck.a.bank = bank;
	ck.a.family = family;
	ck.a.kind = kind;
	__builtin_memcpy(ck.a.addr, a, 16);
	ck.prefixlen = PC_CIDR_KEY_PREFIX_BASE + (family == PC_AF_INET ? 32 : 128);
	return bpf_map_lookup_elem(&pc_cidr, &ck);
}

/* Whether the rules of ms and md meet (am: those in both, or NULL). */
static __always_inline int pc_fwd_both(const struct pc_mask *ms,
				       const struct pc_mask *md, struct pc_mask *am)
{
	__u64 any = 0;
	__u32 i;

#pragma unroll
	for (i = 0; i < PC_MASK_WORDS; i++) {
		any |= ms->w[i] & md->w[i];
		if (am)
			am->w[i] = ms->w[i] & md->w[i];
	}
	return any != 0;
}

/* Whether some forward rule has src among its initiators and dst among
 * its destinations (am: the rules with both); vsrc, vdst: their pc_addr
 * entries. */
static __always_inline int pc_fwd_pair(__u32 bank, __u8 family, const __u8 *src,
				       const __u8 *dst, __u64 vsrc, __u64 vdst,
				       struct pc_mask *am)
{
	struct pc_mask *ms, *md;

	ms = pc_fwd_addr_rules(bank, PC_ADDR_FWD_INIT, family, src, vsrc);
	if (!ms)
		return 0;
	md = pc_fwd_addr_rules(bank, PC_ADDR_FWD_RESP, family, dst, vdst);
	return md && pc_fwd_both(ms, md, am);
}

/* The same for ends whose entries are not known (ICMP echo, rare): each
 * looked up when it is needed. */
static __always_inline int pc_fwd_pair_find(__u32 bank, __u8 family, const __u8 *src,
					    const __u8 *dst)
{
	struct pc_mask *ms, *md;

	ms = pc_fwd_addr_rules(bank, PC_ADDR_FWD_INIT, family, src,
			       pc_fwd_entry(bank, family, src));
	if (!ms)
		return 0;
	md = pc_fwd_addr_rules(bank, PC_ADDR_FWD_RESP, family, dst,
			       pc_fwd_entry(bank, family, dst));
	return md && pc_fwd_both(ms, md, NULL);
}

/* The forward rule for the initiating packet of connection k (laddr: its
 * destination, lport its destination port; vr, vl: raddr's and laddr's
 * pc_addr entries): PC_DROP_NONE with *slot, PC_DROP_NO_RULE or
 * PC_DROP_WRONG_PEER. Global: called three ways (a new connection, a
 * re-check after a reload, a reply without one), each verified as one
 * call. */
__attribute__((noinline)) int pc_fwd_pick(__u32 bank, const struct pc_ct_key *k,
					  __u32 *slot, __u64 vr, __u64 vl)
{
	__u32 pi;
	__u64 w[PC_MASK_WORDS];
	struct pc_mask am;

	if (!k || !slot)
		return PC_DROP_MALFORMED;
	pi = k->proto == IPPROTO_TCP ? 0 : 1;
	if (!pc_port_rules(bank, PC_PORT_ROW(PC_DIR_IN, 0, pi), bpf_ntohs(k->lport),
			   bpf_ntohs(k->rport), w))
		return PC_DROP_NO_RULE;
	if (!pc_fwd_pair(bank, k->family, k->raddr, k->laddr, vr, vl, &am))
		return PC_DROP_WRONG_PEER;
	return pc_pick_rule(bank, w, &am, slot);
}

/* A forwarded packet's connection key as the responder sees it, the
 * packet crossing the responder's interface in direction dir. */
static __always_inline void pc_fwd_key(const struct pc_pkt *p, __u32 dir,
				       struct pc_ct_key *k)
{
	pc_ct_key_of(p, dir, k);
	if (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP) {
		k->lport = p->sport; /* ICMP echo: the identifier */
		k->rport = 0;
	}
}

/* The connection of a forwarded packet: its entry and the packet's
 * direction as the responder sees it (PC_DIR_IN: from the initiator),
 * asked first as a reply (PC_DIR_OUT), then as from the initiator. k
 * is left as the entry's key, or the initiating key when none. */
static __always_inline struct pc_ct_value *
pc_fwd_ct(const struct pc_pkt *p, const struct pc_bank_settings *set, __u64 now,
	  struct pc_ct_key *k, __u32 *dir)
{
	struct pc_ct_value *ct;

	*dir = PC_DIR_OUT;
	pc_fwd_key(p, PC_DIR_OUT, k);
	ct = pc_ct_lookup(k, set, now);
	if (ct)
		return ct;
	*dir = PC_DIR_IN;
	pc_fwd_key(p, PC_DIR_IN, k);
	return pc_ct_lookup(k, set, now);
}

/* What pc_fwd_known leaves to its caller (no verdict yet). */
enum {
	PC_FWD_NEW = -1,       /* no connection: judge the packet as a new one */
	PC_FWD_NEW_STALE = -2, /* the same, after deleting a stale entry of its key */
	PC_FWD_RECHECK = -4,   /* - dir: an entry allowed under an older policy */
};

/*
 * A forwarded TCP or UDP packet of a connection in the table: followed,
 * PC_DROP_NONE with *slot; or what is left to pc_fwd_l4, which asks the
 * rules (pc_fwd_pick) and calls pc_fwd_rechecked for an entry the rules
 * still allow. Each is a frame of its own under pc_gateway_judge's, and
 * none under another's: 6.1 allows 512 bytes of stack to the deepest
 * chain of calls, and this chain keeps 64 of them free
 * (tests/prog/test_prog_verifier.c). Global: verified once.
 */
__attribute__((noinline)) int pc_fwd_known(const struct pc_pkt *p, __u32 bank_gen,
					   const struct pc_bank_settings *set, __u32 *slot)
{
	struct pc_ct_value *ct;
	struct pc_ct_key k = {};
	__u32 dir, stale = 0;
	__u64 now;
	int v;

	if (!p || !set || !slot)
		return PC_DROP_MALFORMED;
	if (p->proto == IPPROTO_TCP && pc_tcp_flags_bad(p->tcp_flags))
		return PC_DROP_TCP_FLAGS;
	now = pc_now();
	ct = pc_fwd_ct(p, set, now, &k, &dir);
	if (ct && pc_tcp_opening(p)) {
		v = pc_ct_syn(ct, dir);
		if (v == PC_CT_RESTART)
			pc_ct_delete(&k);
		else if (v == PC_CT_MISS)
			stale = 1;
		if (v != PC_CT_PASS) {
			ct = NULL;
			if (dir != PC_DIR_IN) /* a SYN the other way: a new connection */
				stale = 0;
		}
	}
	if (!ct)
		return stale ? PC_FWD_NEW_STALE : PC_FWD_NEW;
	if (ct->generation != PC_CONFIG_GEN(bank_gen)) {
		/* Allowed under an older policy: judge its first packet again. */
		if (!(set->flags & PC_SET_KEEP_ESTABLISHED))
			return PC_FWD_RECHECK - (int)dir;
		ct->generation = PC_CONFIG_GEN(bank_gen);
	}
	*slot = ct->path_slot;
	pc_ct_follow(&k, ct, dir, p->proto, p->tcp_flags, now);
	return PC_DROP_NONE;
}

/* The connection of an entry pc_fwd_known sent back for judging again
 * (dir: PC_FWD_RECHECK - its return), which the rules in force allow on
 * path slot *slot: kept on it, and followed. PC_FWD_NEW if the entry has
 * gone meanwhile. Global: verified once. */
__attribute__((noinline)) int pc_fwd_rechecked(const struct pc_pkt *p, __u32 bank_gen,
					       const struct pc_bank_settings *set,
					       __u32 *slot, __u32 dir)
{
	struct pc_ct_value *ct;
	struct pc_ct_key k = {};
	__u64 now;

	if (!p || !set || !slot || dir > 1)
		return PC_DROP_MALFORMED;
	now = pc_now();
	pc_fwd_key(p, dir, &k);
	ct = pc_ct_lookup(&k, set, now);
	if (!ct)
		return PC_FWD_NEW;
	ct->path_slot = *slot;
	ct->generation = PC_CONFIG_GEN(bank_gen);
	pc_ct_follow(&k, ct, dir, p->proto, p->tcp_flags, now);
	return PC_DROP_NONE;
}

/* A new forwarded connection k, out of pc_gateway_judge's frame. */
static __attribute__((noinline)) void pc_fwd_create(const struct pc_ct_key *k, __u32 slot,
						    __u32 gen, __u8 flags)
{
	pc_ct_create(k, PC_DIR_IN, 0, slot, gen, flags, pc_now());
}

static __always_inline int pc_fwd_l4(const struct pc_pkt *p, __u32 bank_gen,
				     const struct pc_bank_settings *set, __u64 vs,
				     __u64 vd, __u32 *slot)
{
	__u32 bank = PC_CONFIG_BANK(bank_gen), dir, s;
	struct pc_ct_key k = {};
	int known = pc_fwd_known(p, bank_gen, set, slot), reason;

	if (known >= 0)
		return known;
	if (known <= PC_FWD_RECHECK) {
		dir = (__u32)(PC_FWD_RECHECK - known) & 1;
		pc_fwd_key(p, dir, &k);
		if (pc_fwd_pick(bank, &k, slot, dir == PC_DIR_IN ? vs : vd,
				dir == PC_DIR_IN ? vd : vs) == PC_DROP_NONE) {
			known = pc_fwd_rechecked(p, bank_gen, set, slot, dir);
			if (known >= 0)
				return known;
		} else {
			pc_ct_delete(&k);
		}
	}
	pc_ct_key_of(p, PC_DIR_IN, &k);
	reason = pc_fwd_pick(bank, &k, slot, vs, vd);
	if (reason == PC_DROP_NONE) {
		if (known == PC_FWD_NEW_STALE)
			pc_ct_delete(&k);
		if (!(p->proto == IPPROTO_TCP && (p->tcp_flags & PC_TCP_RST)))
			pc_fwd_create(&k, *slot, PC_CONFIG_GEN(bank_gen), p->tcp_flags);
		return PC_DROP_NONE;
	}
	/* Would it start a documented connection the other way? Then it is a
	 * reply whose connection we do not know. */
	pc_ct_key_of(p, PC_DIR_OUT, &k);
	if (pc_fwd_pick(bank, &k, &s, vd, vs) == PC_DROP_NONE)
		return PC_DROP_NO_CONNTRACK;
	return reason;
}

/* An ICMP error about a forwarded connection goes back to the sender of
 * the packet it quotes, from that packet's destination or from a router
 * on the path (rate-limited). k: the caller's zeroed key (one key in
 * pc_fwd_icmp's frame keeps the calls' stacks within 512 bytes on 6.1). */
static __always_inline int pc_fwd_icmp_error(const struct pc_pkt *p,
					     const struct pc_bank_settings *set,
					     __u64 now, struct pc_ct_key *k, __u32 *slot)
{
	const struct pc_inner *in = &p->inner;
	struct pc_ct_value *ct;
	int echo = in->proto == IPPROTO_ICMP || in->proto == IPPROTO_ICMPV6;

	if (!pc_addr_eq(p->daddr, in->saddr))
		return PC_DROP_ICMP;
	k->family = p->family;
	k->proto = in->proto;
	/* The quoted packet went initiator -> responder ... */
	k->lport = echo ? in->sport : in->dport;
	k->rport = echo ? 0 : in->sport;
	__builtin_memcpy(k->laddr, in->daddr, 16);
	__builtin_memcpy(k->raddr, in->saddr, 16);
	ct = pc_ct_lookup(k, set, now);
	if (!ct) {
		/* ... or it was a reply. */
		k->lport = in->sport;
		k->rport = echo ? 0 : in->dport;
		__builtin_memcpy(k->laddr, in->saddr, 16);
		__builtin_memcpy(k->raddr, in->daddr, 16);
		ct = pc_ct_lookup(k, set, now);
	}
	if (!ct)
		return PC_DROP_ICMP;
	if (!pc_addr_eq(p->saddr, in->daddr) && !pc_router_error_ok(now))
		return PC_DROP_ICMP_RATE;
	*slot = ct->path_slot;
	return PC_DROP_NONE;
}

/* Global, verified once: ICMP is rare next to TCP and UDP. */
__attribute__((noinline)) int pc_fwd_icmp(const struct pc_pkt *p, __u32 bank_gen,
					  const struct pc_bank_settings *set, __u32 *slot)
{
	__u32 bank = PC_CONFIG_BANK(bank_gen), gen = PC_CONFIG_GEN(bank_gen);
	struct pc_ct_value *ct;
	struct pc_ct_key k = {};
	__u64 now;
	__u8 t, v4;
	__u32 dir;

	if (!p || !set || !slot)
		return PC_DROP_MALFORMED;
	t = p->icmp_type;
	v4 = p->family == PC_AF_INET;
	now = pc_now();

	/* Bridged: the link's own messages cross as between hosts. */
	if (!v4 && t >= PC_ND_FIRST && t <= PC_ND_LAST)
		return pc_judge_nd(p, bank, set);
	if (!v4 && ((t >= ICMPV6_MGM_QUERY && t <= ICMPV6_MGM_REDUCTION) ||
		    t == ICMPV6_MLD2_REPORT))
		return PC_DROP_NONE;
	if (t == (v4 ? ICMP_ECHO : ICMPV6_ECHO_REQUEST) ||
	    t == (v4 ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY)) {
		ct = pc_fwd_ct(p, set, now, &k, &dir);
		if (t == (v4 ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY)) {
			if (!ct || ct->init_dir == dir)
				return PC_DROP_NO_CONNTRACK;
		} else if (!ct) {
			/* Only between the two ends of some forward rule,
			 * whichever initiates it, and never to a broadcast. */
			if (!(set->flags & PC_SET_ICMP_ECHO) || p->eth_dst_broadcast ||
			    pc_not_peer(bank, p->family, p->daddr) ||
			    pc_not_peer(bank, p->family, p->saddr) ||
			    (!pc_fwd_pair_find(bank, p->family, p->saddr, p->daddr) &&
			     !pc_fwd_pair_find(bank, p->family, p->daddr, p->saddr)))
				return PC_DROP_ICMP;
			pc_ct_create(&k, PC_DIR_IN, 0, PC_PATH_OTHER, gen, 0, now);
			return PC_DROP_NONE;
		}
		*slot = ct->path_slot;
		pc_ct_follow(&k, ct, dir, k.proto, 0, now);
		return PC_DROP_NONE;
	}
	if (pc_is_icmp_error(p->family, t) && p->has_inner)
		return pc_fwd_icmp_error(p, set, now, &k, slot);
	return PC_DROP_ICMP;
}

/* Out of pc_gateway_judge's frame: first fragments are rare. */
static __attribute__((noinline)) void pc_fwd_frag_record(const struct pc_pkt *p, __u32 slot)
{
	pc_frag_record(p, slot, pc_now());
}

/* A forwarded TCP, UDP or ICMP packet (or the gateway's own ICMP error
 * about one). */
static __always_inline int pc_judge_forward(const struct pc_pkt *p, __u32 bank_gen,
					    const struct pc_bank_settings *set, __u64 vs,
					    __u64 vd, __u32 *slot)
{
	int reason;

	if (p->eth_src_multicast || pc_bad_source(p))
		return PC_DROP_BAD_SOURCE;
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP)
		reason = pc_fwd_l4(p, bank_gen, set, vs, vd, slot);
	else if ((p->proto == IPPROTO_ICMP && p->family == PC_AF_INET) ||
		 (p->proto == IPPROTO_ICMPV6 && p->family == PC_AF_INET6))
		reason = pc_fwd_icmp(p, bank_gen, set, slot);
	else
		reason = PC_DROP_PROTOCOL;
	if (reason == PC_DROP_NONE && p->frag == PC_FRAG_FIRST)
		pc_fwd_frag_record(p, *slot);
	return reason;
}

/* Global, so verified once and not once per parsing path of the caller;
 * pc_process calls it beside pc_judge, so their stacks do not add up. */
__attribute__((noinline)) int pc_gateway_judge(const struct pc_pkt *p, __u32 dir,
					       __u32 bank_gen,
					       const struct pc_bank_settings *set,
					       __u32 *slot)
{
	__u32 bank = PC_CONFIG_BANK(bank_gen);
	__u64 vs, vd;
	int reason;

	if (!p || !set || !slot || dir > 1)
		return PC_DROP_MALFORMED;
	if (!p->family || p->frag == PC_FRAG_LATER)
		return PC_GW_AS_HOST;
	/* Each end's entry once, in the order that decides soonest. */
	if (dir == PC_DIR_OUT) {
		vs = pc_fwd_entry(bank, p->family, p->saddr);
		if (!pc_addr_is(pc_fwd_value(vs), PC_ADDR_OWN))
			return PC_GW_FORWARDED;
		/* The gateway's own ICMP errors about what it forwards (PMTU,
		 * TTL, unreachable) pass as a router's would; the rest of its
		 * own traffic is the host rules'. */
		if (!p->has_inner)
			return PC_GW_AS_HOST;
		vd = 0; /* an ICMP error: judged by its connection, no rule */
	} else {
		vd = pc_fwd_entry(bank, p->family, p->daddr);
		if (pc_addr_is(pc_fwd_value(vd), PC_ADDR_OWN))
			return PC_GW_AS_HOST;
		vs = pc_fwd_entry(bank, p->family, p->saddr);
		if (pc_addr_is(pc_fwd_value(vs), PC_ADDR_OWN))
			return PC_DROP_BAD_SOURCE; /* from outside with its address: forged */
	}
	reason = pc_judge_forward(p, bank_gen, set, vs, vd, slot);
	if (reason == PC_DROP_NONE)
		return reason;
	if (dir == PC_DIR_OUT || p->eth_dst_broadcast || pc_not_peer(bank, p->family, p->daddr))
		return PC_GW_AS_HOST;
	return reason;
}

#endif
