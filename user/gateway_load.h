/* SPDX-License-Identifier: GPL-2.0-only */
/* Gateway mode's address sets and own-address marks in a policy bank. */
#ifndef PC_GATEWAY_LOAD_H
#define PC_GATEWAY_LOAD_H

#include "bank_addrs.h"

/* Adds rs's forward address sets (PC_ADDR_FWD_INIT, PC_ADDR_FWD_RESP,
 * exact and prefixes) and the PC_ADDR_OWN marks of its host's addresses
 * and of this machine's (those of the network namespace it runs in) to
 * the bank's addresses b. Returns 0 or -errno (pc_bank_add_rules). */
int pc_gateway_fill(struct pc_bank_addrs *b, const struct pc_ruleset *rs);

#endif
