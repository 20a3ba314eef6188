/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Classification, kernel side: the bit-vector search over the maps of one
 * policy bank, in three steps the pipeline calls one by one so that each
 * lookup is made at most once per packet and not at all when an earlier
 * step has decided. Contract:
 *
 * pc_port_rules(bank, row, lport, rport, w) fills w with the rules of one
 * port row (PC_PORT_ROW: direction, broadcast, protocol) whose local and
 * remote ranges hold the ports (host order): two array lookups for the
 * ports' class ids, and two more for the classes' masks unless a class is
 * the empty one. Returns whether any rule is left (none: PC_DROP_NO_RULE,
 * before any address lookup).
 * pc_peer_rules(bank, set, key, w, st) returns the rules that name the
 * connection's remote address (struct pc_ct_key, network order): the
 * bank's exact-address hash (through pc_addr, map-in-map) and its
 * pc_masks entry, or on a miss the CIDR trie, which is only asked when
 * a rule of w has a CIDR (set->cidr_rules); NULL when no rule names it.
 * st (zeroed flags) remembers both answers for a second call.
 * pc_pick_rule(bank, w, am, &slot) picks the lowest bit of w AND am, the
 * first matching rule as in the reference classifier, and sets *slot to
 * its path slot: PC_DROP_NONE, or PC_DROP_WRONG_PEER when none is left.
 * Cost is independent of the number of rules, addresses and the width of
 * port ranges.
 *
 * pc_lport_in_rows(bank, pi, lport) says whether any port row of the
 * protocol holds the local port at all (pc_lport_used, one lookup).
 *
 * pc_addr_marked(bank, family, addr, kind) says whether the loader marked
 * the address (PC_ADDR_NOT_PEER, PC_ADDR_ROUTER).
 * pc_echo_peer(bank, family, raddr) says whether ICMP echo may be
 * exchanged with raddr: some rule names it, and not only as a broadcast
 * or unspecified address (pc_not_peer: the loader's PC_ADDR_NOT_PEER
 * marks, and multicast, limited broadcast and unspecified by their form).
 */
#ifndef PC_BPF_CLASSIFY_H
#define PC_BPF_CLASSIFY_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "maps.h"
#include "portcullis.h"

/* The bank's hash of exact addresses (NULL: none loaded yet). */
static __always_inline void *pc_addr_bank(__u32 bank)
{
	return bpf_map_lookup_elem(&pc_addr, &bank);
}

/* The address's entry in the bank's hash (portcullis.h: IPv4 as
 * ::ffff:a.b.c.d), as the bytes of its struct pc_addr_value, 0 when there
 * is none (an entry has a kind). An IPv6 address of that form is
 * nobody's: it would pass for the IPv4 one. Global, so verified once and
 * not at each of its callers (a scalar out: a global returns no pointer). */
__attribute__((noinline)) __u64 pc_addr_get(__u32 bank, __u8 family,
					    const struct pc_host_key *a)
{
	struct pc_addr_value *v;
	struct pc_host_key k;
	__u32 w[3];
	__u64 r = 0;
	void *h;

	if (!a)
		return 0;
	if (family == PC_AF_INET) {
		w[0] = w[1] = 0;
		w[2] = bpf_htonl(0xffff);
		__builtin_memcpy(k.addr, w, 12);
		__builtin_memcpy(k.addr + 12, a->addr, 4);
	} else {
		__builtin_memcpy(w, a->addr, 12);
		if (!w[0] && !w[1] && w[2] == bpf_htonl(0xffff))
			return 0;
		__builtin_memcpy(k.addr, a->addr, 16);
	}
	h = pc_addr_bank(bank);
	v = h ? bpf_map_lookup_elem(h, &k) : NULL;
	if (v)
		__builtin_memcpy(&r, v, sizeof(*v));
	return r;
}

/* The address's entry (a: 16 bytes), all zero when there is none. */
static __always_inline struct pc_addr_value pc_addr_find(__u32 bank, __u8 family,
							 const __u8 *a)
{
	__u64 r = pc_addr_get(bank, family, (const struct pc_host_key *)a);
	struct pc_addr_value v;

	__builtin_memcpy(&v, &r, sizeof(v));
	return v;
}

/* Whether the address's entry says kind (PC_ADDR_*). */
static __always_inline int pc_addr_is(struct pc_addr_value v, __u8 kind)
{
	return v.kinds & (1u << kind);
}

/* Whether the loader marked address a with kind (PC_ADDR_NOT_PEER,
 * PC_ADDR_ROUTER). */
static __always_inline int pc_addr_marked(__u32 bank, __u8 family,
					  const __u8 *a, __u8 kind)
{
	return pc_addr_is(pc_addr_find(bank, family, a), kind);
}

/* The rules of pc_masks id of a bank (NULL only if the map is short). */
static __always_inline struct pc_mask *pc_mask_of(__u32 bank, __u32 id)
{
	__u32 key = bank * PC_MAX_MASKS + (id & (PC_MAX_MASKS - 1));

	return bpf_map_lookup_elem(&pc_masks, &key);
}

/* An address that is never a unicast peer: by its form (multicast, the
 * limited broadcast, unspecified) or by the loader's mark. */
static __always_inline int pc_not_peer(__u32 bank, __u8 family, const __u8 *a)
{

	if (family == PC_AF_INET) {
		if (a[0] >= 224 || !(a[0] | a[1] | a[2] | a[3]))
			return 1;
	} else if (a[0] == 0xff) {
		return 1;
	}
	return pc_addr_marked(bank, family, a, PC_ADDR_NOT_PEER);
}

static __always_inline int pc_echo_peer(__u32 bank, __u8 family,
					const __u8 *raddr)
{
	struct pc_cidr_key ck = {};

	if (pc_not_peer(bank, family, raddr))
		return 0;
	if (pc_addr_is(pc_addr_find(bank, family, raddr), PC_ADDR_RULES))
		return 1;
	ck.a.bank = bank;
	ck.a.family = family;
	__builtin_memcpy(ck.a.addr, raddr, 16);
	ck.prefixlen = PC_CIDR_KEY_PREFIX_BASE + (family == PC_AF_INET ? 32 : 128);
	return bpf_map_lookup_elem(&pc_cidr, &ck) != NULL;
}

/* Whether some port row of the protocol (pi: 0 TCP, 1 UDP) has a rule
 * whose local range holds lport (host order): one lookup that rules out
 * all three rows a packet may ask. A missing word says yes (ask them). */
static __always_inline int pc_lport_in_rows(__u32 bank, __u32 pi, __u16 lport)
{
	__u32 k = PC_LPORT_USED_INDEX(bank, pi, lport);
	__u64 *w = bpf_map_lookup_elem(&pc_lport_used, &k);

	return !w || ((*w >> (lport % PC_LPORT_WORD_BITS)) & 1);
}

/* Rules of one port row whose local and remote ranges hold the ports. */
static __always_inline int pc_port_rules(__u32 bank, __u32 row, __u16 lport,
					 __u16 rport, __u64 *w)
{
	__u32 li = PC_PORT_INDEX(bank, row, lport);
	__u32 ri = PC_PORT_INDEX(bank, row, rport);
	__u32 lk = li / PC_PORT_LANES, rk = ri / PC_PORT_LANES;
	struct pc_port_classes *lc, *rc;
	struct pc_mask *lm = NULL, *rm = NULL;
	__u64 any = 0;
	__u32 i;

	lc = bpf_map_lookup_elem(&pc_lport, &lk);
	rc = bpf_map_lookup_elem(&pc_rport, &rk);
	/* Class 0 holds no rule: most denied ports stop here. */
	if (lc && rc && lc->c[li % PC_PORT_LANES] && rc->c[ri % PC_PORT_LANES]) {
		lm = pc_mask_of(bank, lc->c[li % PC_PORT_LANES]);
		rm = pc_mask_of(bank, rc->c[ri % PC_PORT_LANES]);
	}
#pragma unroll
	for (i = 0; i < PC_MASK_WORDS; i++) {
		w[i] = lm && rm ? lm->w[i] & rm->w[i] : 0;
		any |= w[i];
	}
	return any != 0;
}

/* Whether two masks share a rule. */
static __always_inline int pc_mask_meets(const __u64 *a, const __u64 *b)
{
	__u64 any = 0;
	__u32 i;

#pragma unroll
	for (i = 0; i < PC_MASK_WORDS; i++)
		any |= a[i] & b[i];
	return any != 0;
}

/* What one packet has learnt about its remote address so far. */
struct pc_peer {
	struct pc_cidr_key ck;
	struct pc_mask *m; /* the rules naming it (NULL: none found yet) */
	__u8 exact_done;   /* pc_addr asked */
	__u8 cidr_done;    /* pc_cidr asked */
};

/* The remote's rules, for a packet whose port rules are w; st starts
 * zeroed and carries what earlier calls for the same packet found. */
static __always_inline struct pc_mask *
pc_peer_rules(__u32 bank, const struct pc_bank_settings *set,
	      const struct pc_ct_key *k, const __u64 *w, struct pc_peer *st)
{
	struct pc_addr_value v;

	if (!st->exact_done) {
		st->exact_done = 1;
		v = pc_addr_find(bank, k->family, k->raddr);
		st->m = pc_addr_is(v, PC_ADDR_RULES) ? pc_mask_of(bank, v.mask) : NULL;
	}
	if (st->m || st->cidr_done || !pc_mask_meets(w, set->cidr_rules.w))
		return st->m;
	st->cidr_done = 1;
	st->ck.a.bank = bank;
	st->ck.a.kind = 0;
	st->ck.a._pad[0] = st->ck.a._pad[1] = 0;
	st->ck.a.family = k->family;
	__builtin_memcpy(st->ck.a.addr, k->raddr, 16);
	st->ck.prefixlen = PC_CIDR_KEY_PREFIX_BASE + (k->family == PC_AF_INET ? 32 : 128);
	st->m = bpf_map_lookup_elem(&pc_cidr, &st->ck);
	return st->m;
}

/* Index of the lowest set bit of a non-zero word. */
static __always_inline __u32 pc_lowest_bit(__u64 w)
{
	__u32 n = 0;

	if (!(w & 0xffffffffull)) { n += 32; w >>= 32; }
	if (!(w & 0xffffull)) { n += 16; w >>= 16; }
	if (!(w & 0xffull)) { n += 8; w >>= 8; }
	if (!(w & 0xfull)) { n += 4; w >>= 4; }
	if (!(w & 0x3ull)) { n += 2; w >>= 2; }
	if (!(w & 0x1ull)) { n += 1; }
	return n;
}

/* The first rule of w AND am, as the reference classifier picks it:
 * PC_DROP_NONE with its path slot, or PC_DROP_WRONG_PEER. */
static __always_inline int pc_pick_rule(__u32 bank, const __u64 *w,
					const struct pc_mask *am, __u32 *slot)
{
	__u32 rule = PC_MAX_RULES, key, i;
	__u32 *s;

	if (!am)
		return PC_DROP_WRONG_PEER;
#pragma unroll
	for (i = PC_MASK_WORDS; i-- > 0;) {
		__u64 x = w[i] & am->w[i];

		if (x)
			rule = i * 64 + pc_lowest_bit(x);
	}
	if (rule >= PC_MAX_RULES)
		return PC_DROP_WRONG_PEER;
	key = bank * PC_MAX_RULES + rule;
	s = bpf_map_lookup_elem(&pc_rule_path, &key);
	*slot = s ? *s : PC_PATH_OTHER;
	return PC_DROP_NONE;
}

#endif
