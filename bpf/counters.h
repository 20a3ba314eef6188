/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Counters, kernel side. Contract: pc_count_path(slot, dir, bytes) adds one
 * packet of `bytes` bytes to the path slot's counter for direction dir
 * (PC_DIR_IN/PC_DIR_OUT); pc_count_drop(reason, dir, bytes) does the same
 * for a drop reason (in audit mode: a packet that would have been dropped).
 * Both are per-CPU, so plain additions; out-of-range indexes are ignored.
 */
#ifndef PC_BPF_COUNTERS_H
#define PC_BPF_COUNTERS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"

static __always_inline void pc_count_path(__u32 slot, __u32 dir, __u32 bytes)
{
	__u32 key = slot * 2 + dir;
	struct pc_counter *c = bpf_map_lookup_elem(&pc_path_stats, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void pc_count_drop(__u32 reason, __u32 dir, __u32 bytes)
{
	__u32 key = reason * 2 + dir;
	struct pc_counter *c = bpf_map_lookup_elem(&pc_drops, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

#endif
