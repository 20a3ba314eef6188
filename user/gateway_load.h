/* SPDX-License-Identifier: GPL-2.0-only */
/* Gateway mode's address sets and own-address marks in a policy bank. */
#ifndef PC_GATEWAY_LOAD_H
#define PC_GATEWAY_LOAD_H

#include "loader.h"

/* Writes rs's forward address sets (PC_ADDR_FWD_INIT, PC_ADDR_FWD_RESP,
 * exact and prefixes) and the PC_ADDR_OWN marks of its host's addresses
 * and of this machine's (those of the network namespace it runs in) into
 * bank of pc_addr and pc_cidr. Returns 0 or -errno (-E2BIG: a map is full). */
int pc_gateway_fill(const struct pc_maps *m, uint32_t bank,
		    const struct pc_ruleset *rs);

#endif
