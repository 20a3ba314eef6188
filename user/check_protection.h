/* SPDX-License-Identifier: GPL-2.0-only */
/* check: where each host is protected, and what nothing enforces. */
#ifndef PC_CHECK_PROTECTION_H
#define PC_CHECK_PROTECTION_H

#include <json-c/json.h>

#include "policy.h"

/* ["itself", "gateway G"], either, both or none (nowhere). */
struct json_object *pc_check_protected_by(const struct pc_policy *p,
					  const struct pc_host *h);
/* [{path, pair_count, initiator_host, responder_host}]: enabled rows with pairs of hosts
 * neither of which is protected (one example pair). */
struct json_object *pc_check_unenforced(const struct pc_policy *p);
/* [{name, behind_count, management_declared}] for each gateway named. */
struct json_object *pc_check_gateways(const struct pc_policy *p);
void pc_check_print_protection(struct json_object *unenforced,
			       struct json_object *gateways);

#endif
