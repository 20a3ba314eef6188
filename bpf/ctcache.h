/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cache of established connections in front of pc_ct, kernel side
 * (maps.h: the per-CPU array pc_ct_cache, the global pc_ct_epochs). Why:
 * in real traffic a lookup of pc_ct costs more than the rest of an
 * established packet's path (its bucket, its element and the kernel's
 * lookup code are out of the CPU's caches by the next packet of bulk TCP,
 * whose payload copies sweep them), while an element of an array is read
 * in place: the verifier inlines the lookup. Contract:
 *
 * A cached verdict says: connection k was established, live and of policy
 * generation gen in pc_ct when this CPU asked it, in the current clock
 * tick, and nothing has changed an established entry of k's shard of keys
 * since. pc_established (pipeline.h) passes a packet on it without asking
 * pc_ct; otherwise it asks pc_ct, and fills the element from what it
 * found (pc_ct_cache_fill). Per CPU, direct-mapped: a key has one element
 * (pc_ct_cache_hash), which a colliding connection takes over; only this
 * CPU writes it (packet programs do not nest on a CPU), so it is never
 * torn.
 *
 * pc_ct_forget(k) ends every cached verdict of k's shard, on every CPU:
 * called after each change the datapath makes to an established entry of
 * pc_ct (an end, a FIN, a delete, an overwrite; conntrack.h). It bumps
 * the shard's epoch; a verdict holds only under the epoch read before
 * pc_ct was asked, so a change between the two leaves a verdict that
 * never holds. x86 keeps those two reads in order; on a CPU that may
 * reorder loads, a verdict cached across a change lasts until the tick
 * ends. A reload changes the generation, which ends every verdict. What
 * the cache cannot see: an entry pc_ct's LRU evicts, or one userspace
 * changes; those count from the next tick.
 */
#ifndef PC_BPF_CTCACHE_H
#define PC_BPF_CTCACHE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "maps.h"
#include "portcullis.h"

/* Where a key is built (element 0): a map value, so 8-byte aligned. */
static __always_inline struct pc_ct_cached *pc_ct_cache_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&pc_ct_cache, &zero);
}

/* k: 8-byte aligned (pc_ct_cache_scratch's). Its five words mixed; the
 * high bits pick the element. */
static __always_inline __u32 pc_ct_cache_hash(const struct pc_ct_key *k)
{
	const __u64 *w = (const __u64 *)k;
	__u64 h = w[0] ^ (w[1] * 0x9e3779b97f4a7c15ull) ^ (w[2] * 0xc2b2ae3d27d4eb4full) ^
		  (w[3] * 0x165667b19e3779f9ull) ^ (w[4] * 0x27d4eb2f165667c5ull);

	h ^= h >> 31;
	h *= 0x9e3779b97f4a7c15ull;
	return (__u32)(h >> 32);
}

static __always_inline struct pc_ct_cached *pc_ct_cache_element(__u32 hash)
{
	__u32 i = 1 + (hash >> (32 - PC_CT_CACHE_BITS));

	return bpf_map_lookup_elem(&pc_ct_cache, &i);
}

/* The epoch of k's shard: by its ports, so that pc_ct_forget reads two
 * fields of a key wherever it is. */
static __always_inline __u32 *pc_ct_epoch_of(const struct pc_ct_key *k)
{
	__u32 x = ((__u32)k->lport << 16 | k->rport) * 0x9e3779b1u;

	return &pc_ct_epochs[x >> (32 - PC_CT_EPOCH_BITS)].n;
}

/* Whether element c holds a verdict for key k (aligned) at jiffies j. */
static __always_inline int pc_ct_cache_holds(const struct pc_ct_cached *c,
					     const struct pc_ct_key *k, __u32 gen,
					     __u32 epoch, __u64 j)
{
	const __u64 *a = (const __u64 *)&c->key, *b = (const __u64 *)k;

	return j < c->until_jiffies && c->generation == gen && c->epoch == epoch &&
	       a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] && a[4] == b[4];
}

/* pc_ct said connection k (aligned) is established under gen on path
 * slot, with the epoch read before it was asked, at jiffies j. It holds
 * for the rest of that clock tick (4 ms at most with Debian's HZ=250): a
 * hit reads jiffies, one load the verifier inlines, not the clock. That
 * is also how often a busy connection's entry is asked, so its idle stamp
 * (pc_ct_touch, every 10 ms) lags by at most a tick more. */
static __always_inline void pc_ct_cache_fill(struct pc_ct_cached *c,
					     const struct pc_ct_key *k, __u32 gen,
					     __u32 slot, __u32 epoch, __u64 j)
{
	const __u64 *b = (const __u64 *)k;
	__u64 *a = (__u64 *)&c->key;

	a[0] = b[0];
	a[1] = b[1];
	a[2] = b[2];
	a[3] = b[3];
	a[4] = b[4];
	c->generation = gen;
	c->path_slot = slot;
	c->epoch = epoch;
	c->until_jiffies = j + 1;
}

/* An established entry of k changed or went: no CPU's cached verdict of
 * k's shard holds any more. After the change (see above). Global: verified
 * once, not on every path of its many callers. */
__attribute__((noinline)) int pc_ct_forget(const struct pc_ct_key *k)
{
	if (k) /* fetching: a full barrier, after the change */
		(void)__sync_fetch_and_add(pc_ct_epoch_of(k), 1);
	return 0;
}

#endif
