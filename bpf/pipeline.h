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
#include "parsing.h"
#include "portcullis.h"

/* Neighbour discovery (RFC 4861): router/neighbour solicitation and
 * advertisement, redirect; not named in the UAPI headers. */
#define PC_ND_FIRST 133
#define PC_ND_LAST 137

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

static __always_inline int pc_bad_source(const struct pc_pkt *p)
{
	if (p->family == PC_AF_INET)
		return p->saddr[0] >= 224; /* multicast, class E, broadcast */
	return p->saddr[0] == 0xff;
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
 * A TCP or UDP packet. The port rows are read first (array lookups, cheap)
 * so that the conntrack hash is only asked when some connection with this
 * key could exist: every entry was allowed in its first packet's row
 * (this packet's own, the reverse one, or for ingress the other of
 * unicast/broadcast) under the policy in force, or under an older one
 * whose entries are judged again by the rows in force (unless
 * keep-established keeps them as they are). With no rule in any of the
 * three rows, the verdict is no-rule whatever the table holds.
 */
static __always_inline int pc_judge_l4(const struct pc_pkt *p, __u32 dir,
				       __u32 bank_gen,
				       const struct pc_bank_settings *set,
				       __u32 *slot)
{
	__u32 bank = PC_CONFIG_BANK(bank_gen), gen = PC_CONFIG_GEN(bank_gen);
	__u64 wf[PC_MASK_WORDS], wr[PC_MASK_WORDS];
	__u32 bcast = pc_to_broadcast(p, dir);
	__u32 pi = p->proto == IPPROTO_TCP ? 0 : 1;
	struct pc_ct_key k = {};
	struct pc_ct_value *ct;
	struct pc_peer peer;
	__u16 lport, rport;
	int fwd, rev = -1, reason;
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
	ct = pc_ct_lookup(&k, set, now);
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
			bpf_map_delete_elem(&pc_ct, &k);
			ct = NULL;
		}
		rev = -1;
	}
	if (ct) {
		pc_ct_update(ct, dir, p->proto, p->tcp_flags, now);
		*slot = ct->path_slot;
		return PC_DROP_NONE;
	}
	reason = PC_DROP_NO_RULE;
	if (fwd) {
		reason = pc_pick_rule(bank, wf, pc_peer_rules(bank, set, &k, wf, &peer), slot);
		if (reason == PC_DROP_NONE) {
			if (!(p->proto == IPPROTO_TCP && (p->tcp_flags & PC_TCP_RST)))
				pc_ct_create(&k, dir, bcast, *slot, gen, p->tcp_flags, now);
			return PC_DROP_NONE;
		}
	}
	/* Would it start a documented connection the other way? Then it is a
	 * reply whose connection we do not know. */
	if (rev < 0)
		rev = pc_port_rules(bank, PC_PORT_ROW(!dir, 0, pi), lport, rport, wr);
	if (rev) {
		struct pc_mask *am = pc_peer_rules(bank, set, &k, wr, &peer);

		if (am && pc_mask_meets(wr, am->w))
			return PC_DROP_NO_CONNTRACK;
	}
	return reason;
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

	if (!v4 && ((t >= PC_ND_FIRST && t <= PC_ND_LAST) ||
		    (t >= ICMPV6_MGM_QUERY && t <= ICMPV6_MGM_REDUCTION) ||
		    t == ICMPV6_MLD2_REPORT))
		return PC_DROP_NONE; /* neighbour discovery and MLD */
	if (t == (v4 ? ICMP_ECHO : ICMPV6_ECHO_REQUEST) ||
	    t == (v4 ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY)) {
		pc_ct_key_of(p, dir, &k);
		k.lport = p->sport; /* the identifier, whichever way */
		k.rport = 0;
		ct = pc_ct_lookup(&k, set, now);
		if (t == (v4 ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY)) {
			if (!ct || ct->init_dir == dir)
				return PC_DROP_NO_CONNTRACK;
		} else if (!ct) {
			if (!(set->flags & PC_SET_ICMP_ECHO) ||
			    !pc_remote_mask(bank, p->family, k.raddr))
				return PC_DROP_ICMP;
			pc_ct_create(&k, dir, 0, PC_PATH_OTHER, gen, 0, now);
			return PC_DROP_NONE;
		}
		pc_ct_update(ct, dir, k.proto, 0, now);
		*slot = ct->path_slot;
		return PC_DROP_NONE;
	}
	if (pc_is_icmp_error(p->family, t) && p->has_inner) {
		/* The inner packet went the other way: on ingress it is ours. */
		const struct pc_inner *in = &p->inner;

		k.family = p->family;
		k.proto = in->proto;
		if (dir == PC_DIR_IN) {
			k.lport = in->sport;
			k.rport = in->dport;
			__builtin_memcpy(k.laddr, in->saddr, 16);
			__builtin_memcpy(k.raddr, in->daddr, 16);
		} else {
			k.lport = in->dport;
			k.rport = in->sport;
			__builtin_memcpy(k.laddr, in->daddr, 16);
			__builtin_memcpy(k.raddr, in->saddr, 16);
		}
		if (in->proto == IPPROTO_ICMP || in->proto == IPPROTO_ICMPV6) {
			k.lport = in->sport;
			k.rport = 0;
		}
		ct = pc_ct_lookup(&k, set, now);
		if (ct) {
			*slot = ct->path_slot;
			return PC_DROP_NONE;
		}
	}
	return PC_DROP_ICMP;
}

/* Global, so verified once and not once per parsing path. */
__attribute__((noinline)) int pc_judge(const struct pc_pkt *p, __u32 dir,
				       __u32 bank_gen,
				       const struct pc_bank_settings *set,
				       __u32 *slot)
{
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
	if ((dir == PC_DIR_IN && p->eth_src_multicast) || pc_bad_source(p))
		return PC_DROP_BAD_SOURCE;
	if (p->frag == PC_FRAG_LATER)
		return pc_frag_lookup(p, pc_now(), slot) ? PC_DROP_FRAGMENT : PC_DROP_NONE;
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP)
		reason = pc_judge_l4(p, dir, bank_gen, set, slot);
	else if ((p->proto == IPPROTO_ICMP && p->family == PC_AF_INET) ||
		 (p->proto == IPPROTO_ICMPV6 && p->family == PC_AF_INET6))
		reason = pc_judge_icmp(p, dir, bank_gen, set, slot);
	else
		reason = PC_DROP_PROTOCOL;
	if (reason == PC_DROP_NONE && p->frag == PC_FRAG_FIRST)
		pc_frag_record(p, *slot, pc_now());
	return reason;
}

static __always_inline int pc_process(void *data, void *data_end,
				      __u32 frame_len, __u32 dir)
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
	reason = pc_parse(data, data_end, frame_len, &p);
	if (reason == PC_DROP_NONE)
		reason = pc_judge(&p, dir, bg, set, &slot);
	if (reason == PC_DROP_NONE) {
		pc_count_path(slot, dir, frame_len);
		return 1;
	}
	pc_count_drop(reason, dir, frame_len);
	pc_report_drop(&p, reason, dir, frame_len, set->mode == PC_MODE_VALUE_AUDIT);
	return set->mode == PC_MODE_VALUE_AUDIT;
}

#endif
