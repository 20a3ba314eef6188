/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Seeding the connection table from the kernel's socket table, so that
 * documented TCP connections that exist when enforcement starts keep
 * working whichever side speaks first.
 */
#ifndef PC_SEED_H
#define PC_SEED_H

#include <stddef.h>

#include "classify.h"
#include "compile.h"
#include "loader.h"

struct inet_diag_msg;
/* Calls fn for each TCP socket of this network namespace whose state is in
 * states (a mask of 1 << TCP_*). Returns 0 or -errno. */
int pc_tcp_dump(uint32_t states, void (*fn)(void *ctx, const struct inet_diag_msg *d),
		void *ctx);
/* The connection of d as the host sees it (an IPv4-mapped pair as IPv4),
 * its direction left to pc_tcp_judge; local gets the local address. */
void pc_tcp_tuple(const struct inet_diag_msg *d, struct pc_tuple *t,
		  struct pc_addr *local);
/* Whether rs passes the connection's opening packet in either direction
 * (which side opened it the socket table does not say), as seeding keeps
 * it: egress first. t->dir and v say how it passed, or the last refusal. */
bool pc_tcp_judge(const struct pc_ruleset *rs, struct pc_tuple *t,
		  struct pc_verdict *v);

/*
 * Adds a connection entry for every TCP socket of this network namespace
 * (established or closing) that rs allows, in the direction that opened
 * it, under the policy generation now in force. Entries already there are
 * left alone. Returns 0 or -errno; *seeded counts the entries added.
 */
int pc_seed_connections(const struct pc_maps *m, const struct pc_ruleset *rs,
			size_t *seeded);

#endif
