/* SPDX-License-Identifier: GPL-2.0-only */
/* explain --packet's answer, one shape for a host's and a gateway's. */
#ifndef PC_EXPLAIN_VERDICT_H
#define PC_EXPLAIN_VERDICT_H

#include <stdbool.h>

#include "classify.h"

/*
 * Prints the verdict v on the packet written as text: as JSON (host,
 * role, gateway when gateway is true, packet, direction, verdict,
 * reason, path, table, row, rule, explanation) or as lines ("at:" says
 * at). reason is the explanation in words.
 */
void pc_explain_print_verdict(const struct pc_ruleset *rs, const struct pc_verdict *v,
			      const char *text, const char *direction, const char *at,
			      const char *reason, bool gateway, bool json);

#endif
