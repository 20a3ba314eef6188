/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The table of denied flows (pc_denied), userspace side: reads every entry
 * and how full the table is. The datapath writes it (bpf/denied.h);
 * nothing here writes to it.
 */
#ifndef PC_DENIED_H
#define PC_DENIED_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "loader.h"
#include "portcullis.h"

struct pc_denied_flow {
	struct pc_denied_key key;
	struct pc_denied_value val;
	time_t first, last; /* wall clock, from the monotonic stamps */
};

struct pc_denied_table {
	struct pc_denied_flow *flows; /* sorted: most packets first */
	size_t n;
	uint32_t max;      /* the table's size */
	uint64_t created;  /* entries the datapath created, ever */
	uint64_t evicted;  /* created - live: pushed out to make room */
	uint64_t unrecorded; /* drops past the datapath's rate limit */
};

/* Reads pc_denied and pc_denied_stats. Returns 0 or -errno. */
int pc_denied_read(const struct pc_maps *m, struct pc_denied_table *t);
void pc_denied_free(struct pc_denied_table *t);
/* A CLOCK_MONOTONIC stamp in nanoseconds as wall-clock seconds. */
time_t pc_denied_wall(uint64_t mono_ns);

#endif
