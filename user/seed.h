/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Seeding the connection table from the kernel's socket table, so that
 * documented TCP connections that exist when enforcement starts keep
 * working whichever side speaks first.
 */
#ifndef PC_SEED_H
#define PC_SEED_H

#include <stddef.h>

#include "compile.h"
#include "loader.h"

/*
 * Adds a connection entry for every TCP socket of this network namespace
 * (established or closing) that rs allows, in the direction that opened
 * it, under the policy generation now in force. Entries already there are
 * left alone. Returns 0 or -errno; *seeded counts the entries added.
 */
int pc_seed_connections(const struct pc_maps *m, const struct pc_ruleset *rs,
			size_t *seeded);

#endif
