/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Map memory as the kernel accounts it (the memlock line of a map's
 * fdinfo, what bpftool map show prints): every shared map, and the
 * per-bank maps that pc_addr holds (map-in-map, never pinned).
 */
#ifndef PC_MAPMEM_H
#define PC_MAPMEM_H

#include <stdint.h>

#include "loader.h"

struct pc_map_memory {
	uint64_t bytes;              /* all of them */
	uint64_t map_bytes[PC_NMAPS]; /* by PC_MAPS index; pc_addr with its banks' */
};

/* Returns 0 or -errno (a map whose fdinfo cannot be read counts 0). */
int pc_map_memory_read(const struct pc_maps *m, struct pc_map_memory *out);

#endif
