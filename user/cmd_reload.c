// SPDX-License-Identifier: GPL-2.0-only
/* portcullis reload: a changed policy, in force in one step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "controller.h"
#include "datapath.h"
#include "state.h"

struct reload_args {
	struct pc_ctl_req rq;
	bool json;
};

#define ARGS struct reload_args
static const struct pc_opt reload_opts[] = {
	PC_OPT_SITE("the site file", ARGS, rq.site),
	PC_OPT_HOST("the site host this machine is", ARGS, rq.host),
	PC_OPT_ROLE("the rules of any host of this kind", ARGS, rq.role),
	PC_OPT_MODE("enforce or audit (default: as attached)", ARGS, rq.mode),
	PC_OPT_PIN_ROOT(ARGS, rq.pin_root),
	PC_OPT_JSON("machine-readable summary", ARGS, json),
	{ 0 },
};
#undef ARGS

const struct pc_cmd_opts pc_reload_cmd = {
	.cmd = "reload",
	.about =
	"Validates the site file (by default the one attach or the last reload\n"
	"loaded), compiles it, writes the rules into the inactive bank of the\n"
	"maps and makes them live with one atomic store: every packet is judged\n"
	"wholly by the old or wholly by the new policy. An invalid file changes\n"
	"nothing. Counters of paths that still exist carry on. Connections of\n"
	"the old policy are judged again on their next packet (kept when still\n"
	"allowed, cut when not), unless the site says on-reload: keep-established.\n"
	"Prints what changed: paths added, removed, ports and peers changed.",
	.opts = reload_opts,
};

struct json_object *pc_reload_json(const struct pc_ctl_res *r)
{
	struct json_object *o = json_object_new_object(), *changes;

	/* Compiled for a kind only when one was asked for (or recorded). */
	json_object_object_add(o, "host", r->role ? NULL : json_object_new_string(r->name));
	json_object_object_add(o, "role", r->role ? json_object_new_string(r->name) : NULL);
	json_object_object_add(o, "old_generation", json_object_new_int64(r->old_generation));
	json_object_object_add(o, "generation", json_object_new_int64(r->generation));
	json_object_object_add(o, "rule_count", json_object_new_int64((int64_t)r->nrules));
	json_object_object_add(o, "compile_ms", json_object_new_double(r->ms_compile));
	json_object_object_add(o, "flip_ms", json_object_new_double(r->ms_to_flip));
	if (!r->have_diff) {
		json_object_object_add(o, "changes", NULL);
		return o;
	}
	json_object_object_add(o, "changed", json_object_new_int64((int64_t)r->diff.changed));
	json_object_object_add(o, "added", json_object_new_int64((int64_t)r->diff.added));
	json_object_object_add(o, "removed", json_object_new_int64((int64_t)r->diff.removed));
	json_object_object_add(o, "unchanged", json_object_new_int64((int64_t)r->diff.unchanged));
	changes = json_object_new_array();
	for (size_t i = 0; i < r->diff.count; i++) {
		const struct pc_path_change *c = &r->diff.changes[i];
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "path", json_object_new_string(c->path));
		json_object_object_add(e, "change", json_object_new_string(pc_change_kind_name(c->kind)));
		json_object_object_add(e, "detail", c->detail ? json_object_new_string(c->detail) : NULL);
		json_object_array_add(changes, e);
	}
	json_object_object_add(o, "changes", changes);
	return o;
}

void pc_reload_print(const struct pc_ctl_res *r, FILE *out)
{
	char *summary;

	if (!r->have_diff) {
		fprintf(out, "portcullis: reload: %s: generation %u -> %u, %zu rules (the previous policy is not recorded: no change list)\n",
			r->name, r->old_generation, r->generation, r->nrules);
		return;
	}
	summary = pc_ruleset_diff_summary(&r->diff);
	fprintf(out, "portcullis: reload: %s: generation %u -> %u, %zu rules: %s\n",
		r->name, r->old_generation, r->generation, r->nrules, summary);
	free(summary);
	for (size_t i = 0; i < r->diff.count; i++) {
		const struct pc_path_change *c = &r->diff.changes[i];

		fprintf(out, "  %-8s %s%s%s\n", pc_change_kind_name(c->kind), c->path,
			c->detail ? ": " : "", c->detail ? c->detail : "");
	}
}

int pc_cli_reload(const struct pc_ctl_req *rq, bool json, FILE *out,
		  struct pc_ctl_res *kept)
{
	struct pc_ctl_res res;
	int rc;

	if (pc_ctl_reload(rq, &res)) {
		rc = pc_cli_ctl_failed("reload", &res);
		pc_ctl_res_free(&res);
		return rc;
	}
	if (res.state_err)
		pc_warn("cannot read the record of the policy in force: %s",
			strerror(-res.state_err));
	if (res.record_err)
		pc_warn("cannot record the loaded policy in %s: %s", PC_STATE_DIR,
			strerror(-res.record_err));
	if (json)
		pc_cli_print_json(pc_reload_json(&res));
	else
		pc_reload_print(&res, out);
	if (kept)
		*kept = res;
	else
		pc_ctl_res_free(&res);
	return PC_EXIT_OK;
}

int pc_cmd_reload(int argc, char **argv)
{
	struct reload_args ra = { .rq = { .mode = -1 } };
	int rc;

	rc = pc_opts_parse(&pc_reload_cmd, argc, argv, &ra);
	if (rc >= 0)
		return rc;
	if (ra.rq.host && ra.rq.role)
		return pc_cli_usage_error("reload", "give --host or --role, not both");
	return pc_cli_reload(&ra.rq, ra.json, stdout, NULL);
}
