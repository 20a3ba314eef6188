/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The maps of the portcullis object, defined once and shared by the XDP and
 * TC programs. Layouts and names are in include/portcullis.h; userspace
 * (user/loader.c) fills the policy maps of the inactive bank, then flips
 * pc_config. The maps are defined here, not declared: every header that
 * uses them includes this one, and one .bpf.c file (one object) includes
 * them all.
 */
#ifndef PC_BPF_MAPS_H
#define PC_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"

/* The active bank and policy generation: one word, which the loader flips
 * with a single atomic store through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct pc_config);
} pc_config SEC(".maps");

/* Per-bank mode, switches and conntrack timeouts. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PC_BANKS);
	__type(key, __u32);
	__type(value, struct pc_bank_settings);
} pc_settings SEC(".maps");

/* (bank, dir, proto, local port) -> the class id of the rules whose local
 * range holds it, PC_PORT_LANES ports to an entry (portcullis.h).
 * Mmapable so a whole bank is written with one memcpy. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PC_BANKS * PC_PORT_BANK_ENTRIES / PC_PORT_LANES);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct pc_port_classes);
} pc_lport SEC(".maps");

/* (bank, dir, proto, remote port) -> class of the rules whose remote
 * range holds it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PC_BANKS * PC_PORT_BANK_ENTRIES / PC_PORT_LANES);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct pc_port_classes);
} pc_rport SEC(".maps");

/* (bank, proto, local port / 64) -> bit set of the local ports some port
 * row of the protocol holds (portcullis.h, PC_LPORT_USED_INDEX). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PC_LPORT_USED_ENTRIES);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} pc_lport_used SEC(".maps");

/* bank * PC_MAX_MASKS + id -> the rules of a port class or of an address
 * (pc_addr's values). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PC_BANKS * PC_MAX_MASKS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct pc_mask);
} pc_masks SEC(".maps");

/* bank -> that bank's hash of single remote addresses (and the loader's
 * marks): address -> pc_masks id of the rules that name it, or of a CIDR
 * holding it. The loader makes each one sized to its policy (loader.c
 * make_addr_bank); the inner maps are not pinned, the outer map holds
 * them. */
struct pc_addr_bank {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* each bank's own size */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	/* Sizes, not types: BTF has only forward declarations of what an
	 * inner map's definition names through its pointer. */
	__uint(key_size, sizeof(struct pc_host_key));
	__uint(value_size, sizeof(struct pc_addr_value));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, PC_BANKS);
	__type(key, __u32);
	__array(values, struct pc_addr_bank);
} pc_addr SEC(".maps");

/* (bank, remote prefix) -> rules of that CIDR and of every wider CIDR. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, PC_BANKS * PC_MAX_CIDRS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pc_cidr_key);
	__type(value, struct pc_mask);
} pc_cidr SEC(".maps");

/* bank * PC_MAX_RULES + rule -> path slot of the rule's path. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PC_BANKS * PC_MAX_RULES);
	__type(key, __u32);
	__type(value, __u32);
} pc_rule_path SEC(".maps");

/* path slot -> path id (userspace only: keeps slots stable across loads). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PC_MAX_PATHS);
	__type(key, __u32);
	__type(value, struct pc_path_name);
} pc_path_names SEC(".maps");

/* path slot * 2 + dir -> packets and bytes, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PC_MAX_PATHS * 2);
	__type(key, __u32);
	__type(value, struct pc_counter);
} pc_path_stats SEC(".maps");

/* drop reason * 2 + dir -> packets and bytes, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PC_DROP_REASONS * 2);
	__type(key, __u32);
	__type(value, struct pc_counter);
} pc_drops SEC(".maps");

/* A gateway's forwarded packets: PC_FWD_PATH(slot) and PC_FWD_DROP(reason)
 * -> packets and bytes, per CPU (not in pc_path_stats nor pc_drops). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PC_FWD_STATS);
	__type(key, __u32);
	__type(value, struct pc_counter);
} pc_fwd_stats SEC(".maps");

/* Established connections allowed by policy, keyed as the host sees
 * them: what most packets look up, once. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PC_CT_ENTRIES);
	__type(key, struct pc_ct_key);
	__type(value, struct pc_ct_value);
} pc_ct SEC(".maps");

/* New connections (half-open TCP, one-way UDP and ICMP): a flood of them
 * evicts only its own kind. An entry moves to pc_ct when the handshake
 * completes or the other side answers. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PC_CT_NEW_ENTRIES);
	__type(key, struct pc_ct_key);
	__type(value, struct pc_ct_value);
} pc_ct_new SEC(".maps");

/* hash of a connection key -> stamp of its allowed ingress packet
 * (conntrack.h, pc_ct_stamp): ingress records here, never in the tables
 * above. Two stamps to a value: userspace sees PC_CT_SEEN_SLOTS __u32. */
struct pc_ct_seen_pair {
	__u32 half[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PC_CT_SEEN_SLOTS / 2);
	__uint(map_flags, BPF_F_MMAPABLE); /* tests clear it with one memset */
	__type(key, __u32);
	__type(value, struct pc_ct_seen_pair);
} pc_ct_seen SEC(".maps");

/* enum pc_ct_stat -> count, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PC_CT_STATS);
	__type(key, __u32);
	__type(value, __u64);
} pc_ct_stats SEC(".maps");

/* Fragmented datagrams whose first fragment was allowed. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PC_FRAG_ENTRIES);
	__type(key, struct pc_frag_key);
	__type(value, struct pc_frag_value);
} pc_frags SEC(".maps");

/* The clock the datapath stamps connections with (conntrack.h's pc_now()):
 * bpf_ktime_get_ns() read once per jiffy and CPU. Kernel only, never
 * pinned: each loaded object has its own. */
struct pc_clock {
	__u64 jiffies;
	__u64 ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_clock);
} pc_clock SEC(".maps");

/* ctcache.h's cache of established connections, per CPU: element 0 is
 * where pc_established (pipeline.h) builds a packet's connection key (a
 * map value is 8-byte aligned, so the cache's hash and compare read it in
 * words, which a key on the stack would not allow), elements 1 to
 * PC_CT_CACHE_SLOTS the cached verdicts, one cache line each. Kernel
 * only, never pinned: each loaded object has its own. */
#define PC_CT_CACHE_BITS 8
#define PC_CT_CACHE_SLOTS (1u << PC_CT_CACHE_BITS)

struct pc_ct_cached {
	struct pc_ct_key key;
	__u32 generation; /* of the policy in force when pc_ct was asked */
	__u32 path_slot;
	__u32 epoch;      /* of the key's shard when pc_ct was asked */
	__u32 _pad;
	__u64 until_jiffies; /* held while jiffies are below: the tick it was filled in */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1 + PC_CT_CACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct pc_ct_cached);
} pc_ct_cache SEC(".maps");

/* The cache's epochs, one to each shard of keys (by their ports:
 * ctcache.h's pc_ct_epoch_of) and one cache line each, shared by the
 * CPUs: a change to an established entry of pc_ct bumps its shard's,
 * which ends every verdict cached of the shard's keys on every CPU.
 * Global data (.bss): read and bumped in place, without a lookup whose
 * key would take a slot in the caller's frame. Kernel only, never
 * pinned. */
#define PC_CT_EPOCH_BITS 6

struct pc_ct_epoch {
	__u32 n;
	__u32 _line[15];
};

static struct pc_ct_epoch pc_ct_epochs[1u << PC_CT_EPOCH_BITS];

/* Per-CPU token bucket of ICMP errors from routers (pipeline.h's
 * pc_router_error_ok): credit in nanoseconds of refill. Kernel only. */
struct pc_icmp_budget {
	__u64 last_ns;
	__u64 credit_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_icmp_budget);
} pc_icmp_budget SEC(".maps");

/* ifindex -> what the controller attached there (userspace only). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PC_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct pc_iface);
} pc_ifaces SEC(".maps");

/* Denied packets for `portcullis monitor` (struct pc_event). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PC_EVENTS_BYTES);
} pc_events SEC(".maps");

/* Per-CPU rate limit of pc_events. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_event_budget);
} pc_event_budget SEC(".maps");

#endif
