// SPDX-License-Identifier: GPL-2.0-only
/*
 * Micro-programs that price the pieces of portcullis' datapath, one piece
 * each, through the same BPF_PROG_TEST_RUN loop as pktcost (bench/run.sh
 * runs them as `micro` candidates: obj:FILE:PROGRAM). Each reads a word of
 * the frame into its key so that nothing folds to a constant. Maps mirror
 * the datapath's: LRU hashes of 262,144 entries with its 40-byte key
 * (struct pc_ct_key) and with a 16-byte IPv4 key.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key40 {
	__u8 b[40];
};
struct key16 {
	__u8 b[16];
};
struct val {
	__u64 w[3];
};

#define CT_ENTRIES 262144
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CT_ENTRIES);
	__type(key, struct key40);
	__type(value, struct val);
} h40 SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CT_ENTRIES);
	__type(key, struct key16);
	__type(value, struct val);
} h16 SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CT_ENTRIES);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, struct key16);
	__type(value, struct val);
} h16pcpu SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CT_ENTRIES);
	__type(key, struct key16);
	__type(value, struct val);
} h16hash SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CT_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct key16);
	__type(value, struct val);
} h16dyn SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct key40);
} arr SEC(".maps");

/* A word of the frame (its Ethernet source), so keys are not constants. */
static __always_inline __u32 frame_word(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	if (data + 12 > end)
		return 0;
	return *(__u32 *)(data + 6);
}

/* A fresh number each run on this CPU (for keys of new flows). */
static __always_inline __u64 next_seq(void)
{
	__u32 z = 3;
	__u64 *c = bpf_map_lookup_elem(&pcpu, &z);

	return c ? ++*c : 0;
}

SEC("xdp") int m_empty(struct xdp_md *ctx) { (void)ctx; return XDP_PASS; }

SEC("xdp") int m_jiffies(struct xdp_md *ctx)
{
	return bpf_jiffies64() + frame_word(ctx) ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int m_ktime(struct xdp_md *ctx)
{
	return bpf_ktime_get_ns() + frame_word(ctx) ? XDP_PASS : XDP_DROP;
}

/* A BPF-to-BPF call and its return (pc_judge, pc_denied_record and
 * pc_addr_get are such calls): what a return costs depends on the CPU's
 * mitigations (e.g. a return thunk). */
static __attribute__((noinline)) __u32 m_sub(__u32 x)
{
	return x + 1;
}

SEC("xdp") int m_call(struct xdp_md *ctx)
{
	return m_sub(frame_word(ctx)) ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int m_pcpu(struct xdp_md *ctx)
{
	__u32 z = frame_word(ctx) & 1;
	__u64 *c = bpf_map_lookup_elem(&pcpu, &z);

	if (c)
		*c += 1;
	return XDP_PASS;
}

SEC("xdp") int m_array32(struct xdp_md *ctx)
{
	__u32 i = frame_word(ctx) & 0xffff;
	struct key40 *v = bpf_map_lookup_elem(&arr, &i);

	return v && v->b[0] ? XDP_DROP : XDP_PASS;
}

#define LOOKUP(name, map, type, hit)                                            \
	SEC("xdp") int name(struct xdp_md *ctx)                                 \
	{                                                                       \
		struct type k = {};                                             \
		struct val v = {};                                              \
		*(__u32 *)&k.b[4] = frame_word(ctx) ^ (hit ? 0 : 0x5a5a5a5a);   \
		if (hit && !bpf_map_lookup_elem(&map, &k))                      \
			bpf_map_update_elem(&map, &k, &v, BPF_ANY);             \
		return bpf_map_lookup_elem(&map, &k) ? XDP_PASS : XDP_DROP;     \
	}
/* The hit programs look up twice (the first also primes): halve the
 * difference to the miss program for one lookup's cost. */
LOOKUP(m_h40_miss, h40, key40, 0)
LOOKUP(m_h40_hit2, h40, key40, 1)
LOOKUP(m_h16_miss, h16, key16, 0)
LOOKUP(m_h16_hit2, h16, key16, 1)

#define INSERT(name, map, type)                                                 \
	SEC("xdp") int name(struct xdp_md *ctx)                                 \
	{                                                                       \
		struct type k = {};                                             \
		struct val v = {};                                              \
		*(__u64 *)&k.b[8] = next_seq() + frame_word(ctx);               \
		bpf_map_update_elem(&map, &k, &v, BPF_NOEXIST);                 \
		return XDP_PASS;                                                \
	}
/* A new key each run: an LRU insert that, once the table is full, evicts. */
INSERT(m_ins40, h40, key40)
INSERT(m_ins16, h16, key16)
INSERT(m_ins16_pcpu_lru, h16pcpu, key16)
/* Plain hashes: no eviction, so runs must stay below CT_ENTRIES inserts. */
INSERT(m_ins16_hash, h16hash, key16)
INSERT(m_ins16_dyn, h16dyn, key16)

char LICENSE[] SEC("license") = "GPL";
