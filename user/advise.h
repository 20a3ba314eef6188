/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rollout advisor: what a flow the datapath denied on one host
 * probably is, and the lines of the site file that would document it.
 * Pure: a policy, the host and the flow in, advice out; nothing applied.
 *
 * - an address outside the site on a port this host's flows use: a host
 *   missing from hosts:, with the kind it behaves like;
 * - a site host on a port that its flows with this host would use if a
 *   port parameter were changed: the parameter to set;
 * - a site host on a port no row explains: a candidate flows: entry;
 * - a flow the policy already allows between these hosts (a reply whose
 *   connection was not seen), one nothing can explain, or a broadcast no
 *   row sends to this host (meant for others): said, no snippet.
 */
#ifndef PC_ADVISE_H
#define PC_ADVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compile.h"
#include "policy.h"

enum pc_advice_kind {
	PC_ADVICE_MISSING_HOST,
	PC_ADVICE_PORT_PARAMETER,
	PC_ADVICE_NEW_FLOW,
	PC_ADVICE_DOCUMENTED,
	PC_ADVICE_UNEXPLAINED,
	PC_ADVICE_BROADCAST,
	PC_ADVICE_FORWARDED,
};
/* "missing-host", "port-parameter", "new-flow", "documented",
 * "unexplained", "broadcast", "forwarded" */
const char *pc_advice_name(enum pc_advice_kind k);

/* A denied flow as the host saw it; a folded port is a client's random
 * one (any port >= PC_DENIED_EPHEMERAL). */
struct pc_seen {
	enum pc_dir dir;
	uint8_t proto;          /* IPPROTO_*; 0: not IP */
	struct pc_addr remote;
	uint16_t lport, rport;
	bool lport_folded, rport_folded;
	bool broadcast;         /* ingress to a broadcast address */
	bool forwarded;         /* a gateway's forwarded packet (dir: ingress) */
};

#define PC_ADVICE_MAX_PATHS 8

struct pc_advice {
	enum pc_advice_kind kind;
	bool host_initiates;          /* this host opens the flow */
	uint16_t service_port;        /* the responder's port */
	uint16_t client_port;         /* the initiator's, 0: a random one */
	const struct pc_host *peer;   /* the site host at the remote address */
	pc_kindset like;              /* missing-host: the kind it behaves like
				       * most (the snippet's) */
	pc_kindset also_like;         /* ... and the other kinds whose rows
				       * match its ports and direction */
	const struct pc_param *param; /* port-parameter */
	const struct pc_flow *paths[PC_ADVICE_MAX_PATHS]; /* rows behind it */
	size_t npaths;
	char explanation[512];        /* one sentence for people */
	char *snippet;                /* YAML to add to the site, or NULL */
};

/*
 * Classifies s seen on host self. used: path ids with packets on this
 * host (a changed port's row is likely one nobody uses), may be NULL.
 * Returns 0 or -ENOMEM; free with pc_advice_free.
 */
int pc_advise(const struct pc_policy *p, const struct pc_host *self,
	      const struct pc_seen *s, const char *const *used, size_t nused,
	      struct pc_advice *out);
void pc_advice_free(struct pc_advice *a);

/* The site host holding address a (its own address before a CIDR), not
 * self; NULL when the site has none. */
const struct pc_host *pc_advise_host_of(const struct pc_policy *p,
					const struct pc_host *self,
					const struct pc_addr *a);

#endif
