/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Classification, kernel side: the bit-vector search over the maps of one
 * policy bank. Contract:
 *
 * pc_classify(bank, dir, bcast, key, &slot) judges the initiating packet of
 * a connection: dir is PC_DIR_IN or PC_DIR_OUT, bcast whether an ingress
 * packet was sent to a broadcast address (Ethernet ff:ff:ff:ff:ff:ff or
 * 255.255.255.255) rather than to the host itself, key the connection as the
 * host sees it (struct pc_ct_key: proto IPPROTO_TCP or IPPROTO_UDP, ports
 * and remote address in network order). Two array lookups give the rules whose port
 * ranges hold the ports (an empty AND is PC_DROP_NO_RULE, before any
 * address lookup); the exact-address hash, or on a miss the CIDR trie,
 * gives the rules that name the remote (none left: PC_DROP_WRONG_PEER).
 * The lowest remaining bit is the first matching rule, as in the
 * reference classifier; *slot is its path slot. Returns PC_DROP_NONE,
 * PC_DROP_NO_RULE or PC_DROP_WRONG_PEER. Cost is independent of the number
 * of rules, addresses and the width of port ranges.
 *
 * pc_remote_mask() returns whether any rule names the address at all
 * (documented peers, for ICMP echo).
 */
#ifndef PC_BPF_CLASSIFY_H
#define PC_BPF_CLASSIFY_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"

static __always_inline struct pc_mask *pc_remote_mask(__u32 bank, __u8 family,
						      const __u8 *raddr)
{
	struct pc_cidr_key ck = {};
	struct pc_mask *m;

	ck.a.bank = bank;
	ck.a.family = family;
	__builtin_memcpy(ck.a.addr, raddr, 16);
	m = bpf_map_lookup_elem(&pc_addr, &ck.a);
	if (m)
		return m;
	ck.prefixlen = PC_CIDR_KEY_PREFIX_BASE + (family == PC_AF_INET ? 32 : 128);
	return bpf_map_lookup_elem(&pc_cidr, &ck);
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

/*
 * A global (separately verified) function: it is called up to three times
 * per packet, and verifying it once keeps the programs small. k holds the
 * family, proto, ports (network order) and remote address.
 */
__attribute__((noinline)) int pc_classify(__u32 bank, __u32 dir, __u32 bcast,
					  const struct pc_ct_key *k, __u32 *slot)
{
	__u32 pi, row, li, ri, rule = PC_MAX_RULES, key, i;
	struct pc_mask *lm, *rm, *am;
	__u64 w[PC_MASK_WORDS], any = 0;
	__u32 *s;

	if (!k || !slot || bank >= PC_BANKS || dir > 1)
		return PC_DROP_NO_RULE;
	pi = k->proto == IPPROTO_TCP ? 0 : 1;
	row = PC_PORT_ROW(dir, !!bcast, pi);
	li = PC_PORT_INDEX(bank, row, bpf_ntohs(k->lport));
	ri = PC_PORT_INDEX(bank, row, bpf_ntohs(k->rport));
	lm = bpf_map_lookup_elem(&pc_lport, &li);
	if (!lm)
		return PC_DROP_NO_RULE;
	rm = bpf_map_lookup_elem(&pc_rport, &ri);
	if (!rm)
		return PC_DROP_NO_RULE;
#pragma unroll
	for (i = 0; i < PC_MASK_WORDS; i++) {
		w[i] = lm->w[i] & rm->w[i];
		any |= w[i];
	}
	if (!any)
		return PC_DROP_NO_RULE;
	am = pc_remote_mask(bank, k->family, k->raddr);
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
