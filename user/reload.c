// SPDX-License-Identifier: GPL-2.0-only
#include "reload.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "datapath.h"
#include "loader.h"
#include "state.h"

int pc_reload_record(const char *pin_root, const char *site, const char *site_text,
		     size_t site_len, const char *host, const char *role, int mode)
{
	char abs[PATH_MAX];
	struct pc_state s = {
		.site = (char *)(site && realpath(site, abs) ? abs : site),
		.host = (char *)host,
		.role = (char *)role,
		.mode = mode,
		.site_text = (char *)site_text,
		.site_len = site_len,
	};

	return pc_state_save(pin_root ? pin_root : PC_DEFAULT_PIN_ROOT, &s);
}

/* The rules of the policy in force, from the copy kept when it was loaded. */
static bool old_rules(const struct pc_state *st, struct pc_policy *p,
		      struct pc_ruleset *rs)
{
	struct pc_diags diags = { 0 };
	bool ok;

	ok = pc_policy_load_text(p, PC_BUILTIN_CATALOG_NAME, pc_builtin_catalog,
				 pc_builtin_catalog_len, "(policy in force)",
				 st->site_text, st->site_len, &diags) == 0;
	pc_diags_free(&diags);
	if (!ok) {
		pc_policy_free(p);
		return false;
	}
	if ((st->role ? pc_compile_role(p, st->role, rs) :
	     st->host ? pc_compile_host(p, st->host, rs) : -ENOENT) == 0)
		return true;
	pc_policy_free(p);
	return false;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int pc_reload(const struct pc_reload_req *rq, struct pc_reload_res *res)
{
	double start = now_ms();
	const char *root = rq->pin_root ? rq->pin_root : PC_DEFAULT_PIN_ROOT;
	struct pc_policy p, oldp;
	struct pc_ruleset rs, oldrs;
	struct pc_load_info info;
	struct pc_settings set;
	struct pc_state st;
	struct pc_pins pins;
	struct pc_maps m;
	const char *site, *host, *role;
	bool have_old = false;
	uint32_t bank;
	size_t len;
	char *text;
	int rc, err, mode;

	memset(res, 0, sizeof(*res));
	if (pc_pins_open(&pins, root, false)) {
		pc_err("nothing is attached under %s: use 'portcullis attach' first", root);
		return PC_EXIT_POLICY;
	}
	err = pc_state_load(root, &st);
	if (err && err != -ENOENT)
		pc_warn("cannot read the recorded state of %s: %s", root, strerror(-err));
	site = rq->site ? rq->site : st.site;
	host = rq->host ? rq->host : rq->role ? NULL : st.host;
	role = rq->role ? rq->role : rq->host ? NULL : st.role;
	mode = rq->mode >= 0 ? rq->mode : st.mode;

	/* Validate and compile before anything is touched. */
	rc = pc_cli_load_policy(site, &p, &text, &len);
	if (rc)
		goto out_state;
	rc = pc_cli_compile("reload", &p, host, role, &rs);
	if (rc)
		goto out_policy;
	set = p.settings;
	if (mode >= 0)
		set.mode = (enum pc_mode)mode;
	res->ms_compile = now_ms() - start;

	rc = PC_EXIT_POLICY;
	if (pc_pins_open(&pins, root, true))
		goto out_rules;
	err = pc_maps_open_pinned(&m, pins.root);
	if (err) {
		pc_err("cannot open the maps under %s: %s", pins.root, pc_strerror(err));
		goto out_pins;
	}
	pc_loader_state(&m, &bank, &res->old_generation);
	err = pc_loader_load(&m, &rs, &set, &info);
	if (err) {
		pc_err("cannot load the rules of %s: %s; the policy in force is unchanged",
		       rs.name, err == -E2BIG ? "a map is full" : pc_strerror(err));
		goto out_maps;
	}
	res->ms_to_flip = now_ms() - start;
	res->generation = info.generation;
	res->nrules = rs.nrules;
	res->name = pc_xstrdup(rs.name);
	have_old = old_rules(&st, &oldp, &oldrs);
	if (have_old) {
		pc_ruleset_diff(&oldrs, &rs, &res->diff);
		res->have_diff = true;
		pc_ruleset_free(&oldrs);
		pc_policy_free(&oldp);
	}
	err = pc_reload_record(root, site, text, len, rs.host ? rs.host->name : NULL,
			       rs.host ? NULL : rs.name, mode);
	if (err)
		pc_warn("cannot record the loaded policy in %s: %s", PC_STATE_DIR, strerror(-err));
	rc = PC_EXIT_OK;
out_maps:
	pc_maps_close(&m);
out_pins:
	pc_pins_close(&pins);
out_rules:
	pc_ruleset_free(&rs);
out_policy:
	pc_policy_free(&p);
	free(text);
out_state:
	pc_state_free(&st);
	return rc;
}

void pc_reload_res_free(struct pc_reload_res *res)
{
	free(res->name);
	pc_ruleset_diff_free(&res->diff);
	memset(res, 0, sizeof(*res));
}
