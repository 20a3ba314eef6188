// SPDX-License-Identifier: GPL-2.0-only
#include "explain_verdict.h"

#include <stdio.h>

#include "cli.h"

void pc_explain_print_verdict(const struct pc_ruleset *rs, const struct pc_verdict *v,
			      const char *text, const char *direction, const char *at,
			      const char *reason, bool gateway, bool json)
{
	const struct pc_flow *f = v->kind == PC_VERDICT_PASS ? v->rule->flow : NULL;

	if (json) {
		struct json_object *o = json_object_new_object();

		pc_json_target(o, rs);
		if (gateway)
			json_object_object_add(o, "gateway", json_object_new_boolean(1));
		json_object_object_add(o, "packet", json_object_new_string(text));
		json_object_object_add(o, "direction", json_object_new_string(direction));
		json_object_object_add(o, "verdict", json_object_new_string(f ? "pass" : "drop"));
		json_object_object_add(o, "reason", f ? NULL :
					json_object_new_string(pc_verdict_name(v->kind)));
		json_object_object_add(o, "path", f ? json_object_new_string(f->id) : NULL);
		json_object_object_add(o, "table", f ? json_object_new_string(f->table) : NULL);
		json_object_object_add(o, "row", f ? json_object_new_int(f->row) : NULL);
		json_object_object_add(o, "rule", f ? json_object_new_int((int)(v->rule - rs->rules)) : NULL);
		json_object_object_add(o, "explanation", json_object_new_string(reason));
		pc_cli_print_json(o);
		return;
	}
	printf("packet:    %s\n", text);
	printf("at:        %s\n", at);
	if (f) {
		printf("verdict:   pass\n");
		printf("path:      %s (table %s row %d: %s)\n", f->id, f->table, f->row,
		       f->purpose_en ? f->purpose_en : "");
		printf("matched:   %s\n", reason);
	} else {
		printf("verdict:   drop (%s)\n", pc_verdict_name(v->kind));
		printf("why:       %s\n", reason);
	}
}
