/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The reference classifier: (rule set, packet tuple) -> verdict and path.
 * Written to be obviously right, not fast: a linear walk in rule order, the
 * first match wins. The kernel datapath is tested against it.
 */
#ifndef PC_CLASSIFY_H
#define PC_CLASSIFY_H

#include "compile.h"

/* A packet as the host sees it. */
struct pc_tuple {
	enum pc_dir dir;
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
	struct pc_addr remote;
	uint16_t local_port;
	uint16_t remote_port;
	bool to_broadcast; /* ingress: sent to a broadcast address (L2 or IPv4
			      255.255.255.255), not to the host itself */
};

enum pc_verdict_kind {
	PC_VERDICT_PASS,
	PC_VERDICT_NO_RULE,   /* no rule has this protocol, direction and ports */
	PC_VERDICT_WRONG_PEER /* a rule has the ports, but not this remote */
};

struct pc_verdict {
	enum pc_verdict_kind kind;
	const struct pc_rule *rule; /* PASS: the matching rule; WRONG_PEER:
				       the first rule whose ports matched */
};

void pc_classify(const struct pc_ruleset *rs, const struct pc_tuple *t,
		 struct pc_verdict *v);
const char *pc_verdict_name(enum pc_verdict_kind kind);

bool pc_port_in_range(struct pc_port_range r, uint16_t port);
/* One step of the walk, for a rule whose ports match: it wins (true) when
 * its peers match too; else the first such rule makes it a wrong peer. */
bool pc_verdict_offer(struct pc_verdict *v, const struct pc_rule *r, bool peers_match);

#endif
