// SPDX-License-Identifier: GPL-2.0-only
/* The one apply path: compile -> lock -> check -> fill -> hook -> flip -> record. */
#include "controller.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compile.h"
#include "loader.h"
#include "policy.h"
#include "portcullis.skel.h"
#include "seed.h"
#include "sockguard.h"
#include "state.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int fail(struct pc_ctl_res *res, enum pc_ctl_step step, int err)
{
	res->step = step;
	res->err = err ? err : -EINVAL;
	return res->err;
}

enum pc_ctl_step pc_ctl_compile(const struct pc_policy *p, const char *host,
				const char *role, struct pc_ruleset *rs, int *err)
{
	const struct pc_host *h;

	*err = 0;
	if (role) {
		*err = pc_compile_role(p, role, rs);
		return *err ? PC_CTL_ROLE : PC_CTL_DONE;
	}
	if (host) {
		*err = pc_compile_host(p, host, rs);
		return *err ? PC_CTL_HOST : PC_CTL_DONE;
	}
	*err = pc_find_local_host(p, &h);
	if (!*err)
		*err = pc_compile_host(p, h->name, rs);
	return *err ? PC_CTL_LOCAL_HOST : PC_CTL_DONE;
}

/* What a transaction works on, from the policy to the open maps. */
struct txn {
	struct pc_policy p;
	struct pc_ruleset rs;
	struct pc_settings set;
	char *text;            /* the site text as loaded */
	size_t len;
	const char *site;      /* the site file (NULL: catalog alone) */
	int mode;              /* -1: the site's */
	bool have_policy, have_rules;
	struct pc_pins pins;
	bool locked;
	struct pc_maps m;
	bool have_maps;
	struct portcullis *skel;
};

/* Reads, validates and compiles: nothing on the machine changes. */
static int compile(struct txn *t, const char *site, const char *host,
		   const char *role, int mode, struct pc_ctl_res *res)
{
	enum pc_ctl_step step;
	int err;

	t->site = site;
	t->mode = mode;
	res->host = host ? pc_xstrdup(host) : NULL;
	res->role = role ? pc_xstrdup(role) : NULL;
	res->site = site ? pc_xstrdup(site) : NULL;
	err = pc_policy_load_keep(&t->p, site, &res->diags, &t->text, &t->len);
	if (err) {
		pc_policy_free(&t->p);
		return fail(res, PC_CTL_POLICY, err);
	}
	t->have_policy = true;
	step = pc_ctl_compile(&t->p, host, role, &t->rs, &err);
	if (step)
		return fail(res, step, err);
	t->have_rules = true;
	t->set = t->p.settings;
	if (mode >= 0)
		t->set.mode = (enum pc_mode)mode;
	res->name = pc_xstrdup(t->rs.name);
	res->nrules = t->rs.nrules;
	res->audit = t->set.mode == PC_MODE_AUDIT;
	return 0;
}

/* The record reload reads: where the policy in force came from. */
static int record(const struct txn *t)
{
	char abs[PATH_MAX];
	struct pc_state s = {
		.site = (char *)(t->site && realpath(t->site, abs) ? abs : t->site),
		.host = (char *)(t->rs.host ? t->rs.host->name : NULL),
		.role = (char *)(t->rs.host ? NULL : t->rs.name),
		.mode = t->mode,
		.site_text = t->text,
		.site_len = t->len,
	};

	return pc_state_save(t->pins.root, &s);
}

/* Whether the pinned maps record any interface. */
static bool any_attached(const struct pc_pins *pins)
{
	struct pc_maps m;
	uint32_t key;
	bool any;

	if (pc_maps_open_pinned(&m, pins->root))
		return false;
	any = bpf_map_get_next_key(m.ifaces, NULL, &key) == 0;
	pc_maps_close(&m);
	return any;
}

static void txn_end(struct txn *t)
{
	if (t->have_maps)
		pc_maps_close(&t->m);
	portcullis__destroy(t->skel);
	if (t->locked)
		pc_pins_close(&t->pins);
	if (t->have_rules)
		pc_ruleset_free(&t->rs);
	if (t->have_policy)
		pc_policy_free(&t->p);
	free(t->text);
}

/* Removes the hooks of the interfaces this transaction added. */
static void unhook(struct txn *t, const int *ifindex, const bool *added, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t key = (uint32_t)ifindex[i];
		struct pc_iface rec;

		if (added[i] && bpf_map_lookup_elem(t->m.ifaces, &key, &rec) == 0)
			pc_dp_detach(&t->pins, &t->m, &rec);
	}
}

/* Under the lock: checks every interface, fills the inactive bank, hooks
 * every interface, and only then flips. */
static int attach_locked(struct txn *t, const struct pc_ctl_req *rq,
			 const int *ifindex, bool *added, struct pc_ctl_res *res)
{
	struct pc_load_info info;
	size_t i;
	int err;

	err = pc_dp_load(&t->pins, t->set.ct_max_connections, &t->skel, &res->refusal);
	if (err)
		return fail(res, PC_CTL_OBJECT, err);
	pc_maps_from_skel(&t->m, t->skel);
	err = pc_dp_check_netns(&t->m);
	if (err)
		return fail(res, PC_CTL_NETNS, err);
	for (i = 0; i < rq->nifaces; i++) {
		err = pc_dp_check(&t->pins, &t->m, ifindex[i], rq->ifaces[i], &rq->hook);
		if (err) {
			res->iface = rq->ifaces[i];
			return fail(res, PC_CTL_HOOK, err);
		}
	}
	pc_loader_state(&t->m, &info.bank, &res->old_generation);
	err = pc_loader_fill(&t->m, &t->rs, &t->set, &info);
	if (err)
		return fail(res, PC_CTL_FILL, err);
	for (i = 0; i < rq->nifaces; i++) {
		err = pc_dp_attach(&t->pins, t->skel, &t->m, ifindex[i], rq->ifaces[i],
				   &rq->hook, &added[i]);
		if (err) {
			unhook(t, ifindex, added, i);
			res->iface = rq->ifaces[i];
			return fail(res, PC_CTL_HOOK, err);
		}
	}
	/* Sockets that would send below TC egress: refused (sockguard.h). */
	err = pc_sockguard_attach(&t->pins, bpf_program__fd(t->skel->progs.pc_setsockopt),
				  rq->hook.cgroup);
	if (err) {
		unhook(t, ifindex, added, rq->nifaces);
		return fail(res, PC_CTL_HOOK, err);
	}
	err = pc_loader_flip(&t->m, &info);
	if (err) {
		unhook(t, ifindex, added, rq->nifaces);
		return fail(res, PC_CTL_FLIP, err);
	}
	res->generation = info.generation;
	/* Connections that are already up keep working whoever speaks next. */
	res->seed_err = pc_seed_connections(&t->m, &t->rs, &res->seeded);
	res->record_err = record(t);
	return 0;
}

int pc_ctl_attach(const struct pc_ctl_req *rq, struct pc_ctl_res *res)
{
	double start = now_ms();
	struct txn t = { 0 };
	char probe[PATH_MAX + 64];
	int *ifindex = NULL;
	bool *added = NULL, existed;
	int err;

	memset(res, 0, sizeof(*res));
	res->root = rq->pin_root ? rq->pin_root : PC_DEFAULT_PIN_ROOT;
	ifindex = pc_xcalloc(rq->nifaces ? rq->nifaces : 1, sizeof(*ifindex));
	added = pc_xcalloc(rq->nifaces ? rq->nifaces : 1, sizeof(*added));
	for (size_t i = 0; i < rq->nifaces; i++) {
		ifindex[i] = (int)if_nametoindex(rq->ifaces[i]);
		if (!ifindex[i]) {
			res->iface = rq->ifaces[i];
			err = fail(res, PC_CTL_IFACE, -ENODEV);
			goto out;
		}
	}
	err = compile(&t, rq->site, rq->host, rq->role, rq->mode, res);
	if (err)
		goto out;
	res->ms_compile = now_ms() - start;

	err = pc_pins_open(&t.pins, rq->pin_root, true);
	if (err) {
		fail(res, PC_CTL_PINS, err);
		goto out;
	}
	t.locked = true;
	snprintf(probe, sizeof(probe), "%s/maps/%s", t.pins.root, PC_MAP_NAME(config));
	existed = access(probe, F_OK) == 0;
	err = attach_locked(&t, rq, ifindex, added, res);
	res->ms_to_flip = now_ms() - start;
	/* A first attach that attached nothing leaves nothing behind. */
	if (err && !existed && !any_attached(&t.pins))
		pc_pins_remove_all(&t.pins);
out:
	txn_end(&t);
	free(ifindex);
	free(added);
	return err;
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

/* The change list against the policy in force (as recorded). */
static void diff_against(const struct pc_state *st, const struct pc_ruleset *rs,
			 struct pc_ctl_res *res)
{
	struct pc_ruleset oldrs;
	struct pc_policy oldp;

	if (!old_rules(st, &oldp, &oldrs))
		return;
	pc_ruleset_diff(&oldrs, rs, &res->diff);
	res->have_diff = true;
	pc_ruleset_free(&oldrs);
	pc_policy_free(&oldp);
}

int pc_ctl_reload(const struct pc_ctl_req *rq, struct pc_ctl_res *res)
{
	double start = now_ms();
	struct pc_state st = { .mode = -1 };
	struct pc_load_info info;
	struct txn t = { 0 };
	bool have_state;
	uint32_t bank;
	int err;

	memset(res, 0, sizeof(*res));
	res->root = rq->pin_root ? rq->pin_root : PC_DEFAULT_PIN_ROOT;
	if (pc_pins_open(&t.pins, res->root, false))
		return fail(res, PC_CTL_NOT_ATTACHED, -ENOENT);
	err = pc_pins_open(&t.pins, res->root, true);
	if (err)
		return fail(res, PC_CTL_PINS, err);
	t.locked = true;
	/* The record is read under the lock: a reload that waited for
	 * another sees what that one put in force. */
	err = pc_state_load(t.pins.root, &st);
	have_state = err == 0;
	if (err && err != -ENOENT)
		res->state_err = err;
	if (!have_state && !rq->site && !rq->host && !rq->role) {
		fail(res, PC_CTL_NO_RECORD, -ENOENT);
		goto out;
	}
	err = compile(&t, rq->site ? rq->site : st.site,
		      rq->host ? rq->host : rq->role ? NULL : st.host,
		      rq->role ? rq->role : rq->host ? NULL : st.role,
		      rq->mode >= 0 ? rq->mode : st.mode, res);
	if (err)
		goto out;
	res->ms_compile = now_ms() - start;

	err = pc_maps_open_pinned(&t.m, t.pins.root);
	if (err) {
		fail(res, PC_CTL_MAPS, err);
		goto out;
	}
	t.have_maps = true;
	pc_loader_state(&t.m, &bank, &res->old_generation);
	err = pc_loader_fill(&t.m, &t.rs, &t.set, &info);
	if (err) {
		fail(res, PC_CTL_FILL, err);
		goto out;
	}
	err = pc_loader_flip(&t.m, &info);
	if (err) {
		fail(res, PC_CTL_FLIP, err);
		goto out;
	}
	res->ms_to_flip = now_ms() - start;
	res->generation = info.generation;
	if (have_state)
		diff_against(&st, &t.rs, res);
	res->record_err = record(&t);
out:
	txn_end(&t);
	pc_state_free(&st);
	return err;
}

void pc_ctl_res_free(struct pc_ctl_res *res)
{
	free(res->name);
	free(res->host);
	free(res->role);
	free(res->site);
	pc_diags_free(&res->diags);
	pc_ruleset_diff_free(&res->diff);
	memset(res, 0, sizeof(*res));
}
