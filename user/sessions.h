/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Management sessions a new policy would cut: the established TCP
 * connections of this network namespace on the interfaces being enforced
 * (their local address is one of theirs), and the operator's own SSH
 * connection ($SSH_CONNECTION), each judged as the datapath would judge
 * it when enforcement starts (pc_tcp_judge, as seeding keeps connections).
 */
#ifndef PC_SESSIONS_H
#define PC_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "compile.h"

struct pc_session {
	char text[160]; /* "192.0.2.10:22016 <- 192.0.2.66:40000 (no-rule)" */
	bool own_ssh;   /* the connection of $SSH_CONNECTION */
};

struct pc_sessions {
	struct pc_session *v;
	size_t n;
};

/* Fills out with the sessions on the interfaces ifindex[0..n) that rs
 * would cut and old (the policy enforced now, NULL: none) does not cut
 * already. Returns 0 or -errno (the socket table unreadable). */
int pc_sessions_cut(const struct pc_ruleset *rs, const struct pc_ruleset *old,
		    const int *ifindex, size_t n, struct pc_sessions *out);
void pc_sessions_free(struct pc_sessions *s);

#endif
