/* SPDX-License-Identifier: GPL-2.0-only */
/* explain --gateway: forward rules and forwarded packets in words. */
#ifndef PC_EXPLAIN_GATEWAY_H
#define PC_EXPLAIN_GATEWAY_H

#include <stdbool.h>

#include "gateway.h"
#include "packet_spec.h"

/* The gateway to explain: host, else the one owning this machine's
 * addresses, else the one host the site names as a gateway; NULL when
 * none (forward rules only). */
const struct pc_host *pc_explain_gateway_host(const struct pc_policy *p,
					      const char *host);
/* The forward rules of rs as a table. */
void pc_explain_gateway_rules(const struct pc_ruleset *rs);
/* The verdict on forwarded packet pk (written as text); PC_EXIT_DROP for
 * a drop when exit_verdict, else PC_EXIT_OK. */
int pc_explain_forward_packet(const struct pc_ruleset *rs,
			      const struct pc_packet_spec *pk, const char *text,
			      bool json, bool exit_verdict);

#endif
