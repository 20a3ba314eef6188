/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Counters, kernel side. Contract: pc_count_path(slot, dir, bytes) adds one
 * packet of `bytes` bytes to the path slot's counter for direction dir
 * (PC_DIR_IN/PC_DIR_OUT, or PC_DIR_FWD: a gateway's forwarded packet, in
 * pc_fwd_stats); pc_count_drop(reason, dir, bytes) does the same for a drop
 * reason (in audit mode: a packet that would have been dropped).
 * Both are per-CPU, so plain additions; out-of-range indexes are ignored.
 * pc_report_drop(..., now) puts the packet on the pc_events ring for
 * `monitor`, at most PC_EVENTS_PER_SEC a second on each CPU; the rest are
 * counted as suppressed; a PC_DIR_FWD drop is an ingress event marked
 * forwarded. now is pc_now(), read once by the caller for the
 * whole drop path.
 */
#ifndef PC_BPF_COUNTERS_H
#define PC_BPF_COUNTERS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "conntrack.h"
#include "maps.h"
#include "parsing.h"
#include "portcullis.h"

static __always_inline void pc_count(void *map, __u32 key, __u32 bytes)
{
	struct pc_counter *c = bpf_map_lookup_elem(map, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void pc_count_path(__u32 slot, __u32 dir, __u32 bytes)
{
	if (dir == PC_DIR_FWD)
		pc_count(&pc_fwd_stats, PC_FWD_PATH(slot), bytes);
	else
		pc_count(&pc_path_stats, slot * 2 + dir, bytes);
}

static __always_inline void pc_count_drop(__u32 reason, __u32 dir, __u32 bytes)
{
	if (dir == PC_DIR_FWD)
		pc_count(&pc_fwd_stats, PC_FWD_DROP(reason), bytes);
	else
		pc_count(&pc_drops, reason * 2 + dir, bytes);
}

static __always_inline void pc_report_drop(const struct pc_pkt *p, __u32 reason,
					   __u32 dir, __u32 bytes, __u8 audit, __u64 now)
{
	struct pc_event_budget *b;
	struct pc_event *e;
	__u32 zero = 0;
	__u64 window;

	b = bpf_map_lookup_elem(&pc_event_budget, &zero);
	if (!b)
		return;
	window = b->window;
	if (now - window >= 1000000000ull) { /* no division: it costs here */
		b->window = now;
		b->sent = 0;
	}
	if (b->sent >= PC_EVENTS_PER_SEC) {
		b->suppressed++;
		return;
	}
	e = bpf_ringbuf_reserve(&pc_events, sizeof(*e), 0);
	if (!e) {
		b->suppressed++;
		return;
	}
	b->sent++;
	e->ts_ns = now;
	e->family = p->family;
	e->proto = p->proto;
	e->dir = dir == PC_DIR_FWD ? PC_DIR_IN : (__u8)dir;
	e->forwarded = dir == PC_DIR_FWD;
	e->reason = (__u8)reason;
	e->audit = audit;
	e->tcp_flags = p->tcp_flags;
	e->_pad = 0;
	e->sport = p->sport;
	e->dport = p->dport;
	e->len = bytes;
	__builtin_memcpy(e->saddr, p->saddr, 16);
	__builtin_memcpy(e->daddr, p->daddr, 16);
	bpf_ringbuf_submit(e, 0);
}

#endif
