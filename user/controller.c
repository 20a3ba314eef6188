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
#include "gateway.h"
#include "state.h"
#include "upgrade.h"

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

enum pc_ctl_step pc_ctl_compile_gateway(const struct pc_policy *p, const char *host,
					struct pc_ruleset *rs, int *err)
{
	const struct pc_host *h = NULL;

	*err = 0;
	if (host && !(h = pc_policy_find_host(p, host))) {
		*err = -ENOENT;
		return PC_CTL_HOST;
	}
	if (!h && (*err = pc_find_local_host(p, &h)))
		return PC_CTL_LOCAL_HOST;
	*err = pc_compile_gateway(p, h, rs);
	return *err ? PC_CTL_HOST : PC_CTL_DONE;
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
	bool gateway;          /* compile for gateway mode */
	bool have_policy, have_rules;
	struct pc_pins pins;
	bool locked;
	struct pc_maps m;
	bool have_maps;
	struct portcullis *skel;
	struct pc_upgrade up;  /* the object over an older build's pins */
	bool rehook;           /* reload by another build: every recorded hook
				  takes this build's programs */
};

/* Whether any rule has a peer to pass traffic with: an address beyond
 * 255.255.255.255 and 0.0.0.0, which every such rule holds (a directed
 * broadcast is only there when a peer of its segment is). */
static bool any_peer(const struct pc_ruleset *rs)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];
		size_t extras = !!(r->remote_extra & PC_REMOTE_LIMITED_BCAST) +
				!!(r->remote_extra & PC_REMOTE_UNSPECIFIED);

		if (r->nremote > extras)
			return true;
	}
	return false;
}

/* Reads, validates and compiles: nothing on the machine changes. */
static int compile(struct txn *t, const char *site, const char *host,
		   const char *role, int mode, bool allow_empty,
		   struct pc_ctl_res *res)
{
	struct pc_ruleset own;
	enum pc_ctl_step step;
	int err;

	t->site = site;
	t->mode = mode;
	res->host = host ? pc_xstrdup(host) : NULL;
	res->role = role ? pc_xstrdup(role) : NULL;
	res->site = site ? pc_xstrdup(site) : NULL;
	if (t->text) /* a recorded text put back: the file may have changed */
		err = pc_policy_load_text(&t->p, PC_BUILTIN_CATALOG_NAME, pc_builtin_catalog,
					  pc_builtin_catalog_len, site ? site : "(policy recorded)",
					  t->text, t->len, &res->diags);
	else
		err = pc_policy_load_keep(&t->p, site, &res->diags, &t->text, &t->len);
	if (err) {
		pc_policy_free(&t->p);
		return fail(res, PC_CTL_POLICY, err);
	}
	t->have_policy = true;
	step = t->gateway ? pc_ctl_compile_gateway(&t->p, host, &t->rs, &err) :
			    pc_ctl_compile(&t->p, host, role, &t->rs, &err);
	if (step)
		return fail(res, step, err);
	t->have_rules = true;
	t->set = t->p.settings;
	if (mode >= 0)
		t->set.mode = (enum pc_mode)mode;
	res->name = pc_xstrdup(t->rs.name);
	res->nrules = t->rs.nrules;
	res->audit = t->set.mode == PC_MODE_AUDIT;
	/* Enforcing a policy without peers cuts the host off without a word
	 * (a gateway: its own rules, whatever it forwards). */
	if (!res->audit && !allow_empty && !any_peer(pc_gateway_own_rules(&t->rs, &own)))
		return fail(res, PC_CTL_NO_PEERS, -ENOTCONN);
	return 0;
}

/* Refuses to cut management sessions in progress on the interfaces unless
 * asked to; a dry run only lists them. */
static int check_sessions(const struct txn *t, const struct pc_ctl_req *rq,
			  const struct pc_ruleset *old, const int *ifindex,
			  size_t n, struct pc_ctl_res *res)
{
	if (res->audit || rq->cut_sessions)
		return 0;
	struct pc_ruleset own_new, own_old;

	/* A gateway's sessions are its own: its host rules judge them. */
	res->sessions_err = pc_sessions_cut(pc_gateway_own_rules(&t->rs, &own_new),
					    old ? pc_gateway_own_rules(old, &own_old) : NULL,
					    ifindex, n, &res->sessions);
	if (res->sessions.n && !rq->dry_run)
		return fail(res, PC_CTL_SESSIONS, -EBUSY);
	return 0;
}

size_t pc_ctl_pinned_ifaces(const struct pc_maps *m, int **ifindex)
{
	uint32_t key, next;
	size_t n = 0;
	int err;

	*ifindex = NULL;
	for (err = bpf_map_get_next_key(m->ifaces, NULL, &next); !err;
	     err = bpf_map_get_next_key(m->ifaces, &key, &next)) {
		*ifindex = pc_xrealloc(*ifindex, n + 1, sizeof(**ifindex));
		(*ifindex)[n++] = (int)next;
		key = next;
	}
	return n;
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
		.gateway = t->rs.gateway,
		.build = (char *)pc_upgrade_build_id(),
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

bool pc_ctl_attached(const char *pin_root)
{
	struct pc_pins pins;
	bool any;

	if (pc_pins_open(&pins, pin_root, false))
		return false;
	any = any_attached(&pins);
	pc_pins_close(&pins);
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

/* Loads the object over the pins: an older build's make an upgrade
 * (t->up, upgrade.h), where nothing the older programs read changes
 * until the new ones are hooked. */
static int load_object(struct txn *t, struct pc_ctl_res *res)
{
	int err;

	err = pc_dp_load(&t->pins, t->set.ct_max_connections, &t->skel, &res->refusal, &t->up);
	if (err)
		return fail(res, PC_CTL_OBJECT, err);
	pc_maps_from_skel(&t->m, t->skel);
	err = pc_dp_check_netns(&t->m);
	if (err)
		return fail(res, PC_CTL_NETNS, err);
	return 0;
}

/* An upgrade, or a reload by another build: every other interface the
 * pins record takes the new programs too, hooked as recorded, so that
 * none stays on the older build's programs or maps. */
static int hook_recorded(struct txn *t, const struct pc_ctl_req *rq, const int *ifindex,
			    struct pc_ctl_res *res)
{
	int *rec_if, err = 0;
	size_t n = pc_ctl_pinned_ifaces(&t->m, &rec_if);

	for (size_t j = 0; j < n && !err; j++) {
		struct pc_attach_opts o = { .swap = t->up.active, .cgroup = rq->hook.cgroup };
		uint32_t key = (uint32_t)rec_if[j];
		char name[IF_NAMESIZE];
		struct pc_iface rec;
		bool requested = false, added;

		for (size_t i = 0; i < rq->nifaces; i++)
			requested = requested || ifindex[i] == rec_if[j];
		/* An interface gone took its hooks with it. */
		if (requested || bpf_map_lookup_elem(t->m.ifaces, &key, &rec) ||
		    !if_indextoname(key, name))
			continue;
		o.ingress = rec.flags & PC_IF_TC_INGRESS ? PC_INGRESS_TC : PC_INGRESS_XDP;
		o.xdp_mode = rec.flags & PC_IF_XDP_GENERIC ? PC_XDP_GENERIC : PC_XDP_AUTO;
		err = pc_dp_attach(&t->pins, t->skel, &t->m, rec_if[j], name, &o, &added);
		if (err)
			fail(res, PC_CTL_HOOK, err);
	}
	free(rec_if);
	return err;
}

/* An upgrade: the programs on every hook the pins record, as they are,
 * to put back if it fails halfway (*saved to free). */
static size_t save_hooks(struct txn *t, struct pc_dp_saved **saved)
{
	int *rec_if;
	size_t n = pc_ctl_pinned_ifaces(&t->m, &rec_if);

	*saved = pc_xcalloc(n ? n : 1, sizeof(**saved));
	for (size_t j = 0; j < n; j++)
		pc_dp_save(&t->pins, rec_if[j], &(*saved)[j]);
	free(rec_if);
	return n;
}

static void saved_free(struct pc_dp_saved *saved, size_t n, bool restore)
{
	for (size_t j = 0; j < n; j++) {
		if (restore)
			pc_dp_restore(&saved[j]);
		pc_dp_saved_close(&saved[j]);
	}
	free(saved);
}

/* Under the lock, the object loaded: fills the inactive bank, hooks every
 * interface, and only then flips. An upgrade flips first (its pc_config
 * is the new programs' alone), puts the older programs back if a hook
 * fails, and moves the pins once every hook has the new ones. */
static int apply_locked(struct txn *t, const struct pc_ctl_req *rq, const int *ifindex,
			bool *added, struct pc_ctl_res *res)
{
	struct pc_attach_opts hook = rq->hook;
	struct pc_dp_saved *saved = NULL;
	struct pc_load_info info;
	size_t i, nsaved = 0;
	int err;

	hook.swap = t->up.active;
	pc_loader_state(&t->m, &info.bank, &res->old_generation);
	err = pc_loader_fill(&t->m, &t->rs, &t->set, &info);
	if (err)
		return fail(res, PC_CTL_FILL, err);
	if (t->up.active && (err = pc_loader_flip(&t->m, &info)))
		return fail(res, PC_CTL_FLIP, err);
	if (t->up.active || t->rehook)
		nsaved = save_hooks(t, &saved);
	for (i = 0; i < rq->nifaces; i++) {
		err = pc_dp_attach(&t->pins, t->skel, &t->m, ifindex[i], rq->ifaces[i],
				   &hook, &added[i]);
		if (err) {
			res->iface = rq->ifaces[i];
			fail(res, PC_CTL_HOOK, err);
			goto undo;
		}
	}
	if ((t->up.active || t->rehook) && (err = hook_recorded(t, rq, ifindex, res)))
		goto undo;
	/* Sockets that would send below TC egress: refused (sockguard.h). */
	err = pc_sockguard_attach(&t->pins, bpf_program__fd(t->skel->progs.pc_setsockopt),
				  rq->hook.cgroup);
	if (err) {
		fail(res, PC_CTL_HOOK, err);
		goto undo;
	}
	if (!t->up.active && (err = pc_loader_flip(&t->m, &info))) {
		fail(res, PC_CTL_FLIP, err);
		goto undo;
	}
	saved_free(saved, nsaved, false);
	/* The new programs are on every hook: the pins follow them. */
	if (t->up.active && (err = pc_upgrade_pin(t->skel->obj, t->pins.root, &t->up)))
		return fail(res, PC_CTL_PINS, err);
	res->generation = info.generation;
	pc_loader_release(&t->m, &info);
	/* Connections that are already up keep working whoever speaks next. */
	{
		struct pc_ruleset own;

		res->seed_err = pc_seed_connections(&t->m, pc_gateway_own_rules(&t->rs, &own),
						    &res->seeded);
	}
	res->record_err = record(t);
	return 0;
undo:
	unhook(t, ifindex, added, i);
	saved_free(saved, nsaved, true);
	return err;
}

/* Under the lock: loads the object, checks every interface, then applies. */
static int attach_locked(struct txn *t, const struct pc_ctl_req *rq,
			 const int *ifindex, bool *added, struct pc_ctl_res *res)
{
	int err;

	err = load_object(t, res);
	if (err)
		return err;
	for (size_t i = 0; i < rq->nifaces; i++) {
		err = pc_dp_check(&t->pins, &t->m, ifindex[i], rq->ifaces[i], &rq->hook);
		if (err) {
			res->iface = rq->ifaces[i];
			return fail(res, PC_CTL_HOOK, err);
		}
	}
	return apply_locked(t, rq, ifindex, added, res);
}

static int check_sessions_against(const struct txn *t, const struct pc_ctl_req *rq,
				  const struct pc_state *st, const int *ifindex,
				  size_t n, struct pc_ctl_res *res);

/* attach over an enforcement in force: sessions it cuts already do not
 * count. */
static int attach_sessions(const struct txn *t, const struct pc_ctl_req *rq,
			   const int *ifindex, struct pc_ctl_res *res)
{
	struct pc_state st;
	bool have = pc_ctl_attached(res->root) && pc_state_load(res->root, &st) == 0;
	int err;

	err = check_sessions_against(t, rq, have ? &st : NULL, ifindex, rq->nifaces, res);
	if (have)
		pc_state_free(&st);
	return err;
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
	t.gateway = rq->gateway;
	err = compile(&t, rq->site, rq->host, rq->role, rq->mode, rq->allow_empty, res);
	if (err)
		goto out;
	res->ms_compile = now_ms() - start;
	err = attach_sessions(&t, rq, ifindex, res);
	if (err)
		goto out;

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
	     st->host && st->gateway ?
		     pc_compile_gateway(p, pc_policy_find_host(p, st->host), rs) :
	     st->host ? pc_compile_host(p, st->host, rs) : -ENOENT) == 0)
		return true;
	pc_policy_free(p);
	return false;
}

/* Sessions the new policy cuts that the one in force (as recorded, when it
 * enforces) does not cut already. */
static int check_sessions_against(const struct txn *t, const struct pc_ctl_req *rq,
				 const struct pc_state *st, const int *ifindex,
				 size_t n, struct pc_ctl_res *res)
{
	struct pc_ruleset oldrs;
	struct pc_policy oldp;
	int err;

	if (!st || !old_rules(st, &oldp, &oldrs))
		return check_sessions(t, rq, NULL, ifindex, n, res);
	if ((st->mode >= 0 ? st->mode : (int)oldp.settings.mode) == PC_MODE_AUDIT)
		err = check_sessions(t, rq, NULL, ifindex, n, res);
	else
		err = check_sessions(t, rq, &oldrs, ifindex, n, res);
	pc_ruleset_free(&oldrs);
	pc_policy_free(&oldp);
	return err;
}

/* The change list against the policy in force (as recorded). */
static void diff_against(const struct pc_state *st, const struct pc_ruleset *rs,
			 struct pc_ctl_res *res)
{
	struct pc_ruleset oldrs;
	struct pc_policy oldp;
	int old_mode;

	if (!old_rules(st, &oldp, &oldrs))
		return;
	pc_ruleset_diff(&oldrs, rs, &res->diff);
	res->have_diff = true;
	old_mode = st->mode >= 0 ? st->mode : (int)oldp.settings.mode;
	res->mode_changed = (old_mode == PC_MODE_AUDIT) != res->audit;
	pc_ruleset_free(&oldrs);
	pc_policy_free(&oldp);
}

/* reload by another build than the one in force: its object on every
 * recorded interface, the maps carried over if they differ (upgrade.h).
 * A dry run loads it to compare, then lets it go: nothing changes. */
static int reload_by_object(struct txn *t, const struct pc_ctl_req *rq,
			  const struct pc_state *st, struct pc_ctl_res *res)
{
	struct pc_ctl_req all = *rq;
	int *ifindex, err;
	size_t n;

	err = load_object(t, res);
	if (err)
		return err;
	n = pc_ctl_pinned_ifaces(&t->m, &ifindex);
	err = check_sessions_against(t, rq, st, ifindex, n, res);
	free(ifindex);
	if (err)
		return err;
	if (rq->dry_run) {
		res->dry_run = true;
		pc_loader_state(&t->m, &(uint32_t){ 0 }, &res->old_generation);
		res->generation = res->old_generation;
		return 0;
	}
	all.nifaces = 0; /* every recorded interface, as recorded */
	t->rehook = true;
	return apply_locked(t, &all, NULL, NULL, res);
}

int pc_ctl_reload(const struct pc_ctl_req *rq, struct pc_ctl_res *res)
{
	double start = now_ms();
	struct pc_state st = { .mode = -1 };
	struct pc_load_info info;
	struct txn t = { 0 };
	bool have_state;
	int *ifindex;
	size_t nifaces;
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
	if (!have_state && !rq->site && !rq->host && !rq->role && !rq->restore) {
		fail(res, PC_CTL_NO_RECORD, -ENOENT);
		goto out;
	}
	if (rq->restore) {
		const struct pc_state *r = rq->restore;

		if (r->site_text) {
			t.text = pc_xcalloc(r->site_len + 1, 1);
			memcpy(t.text, r->site_text, r->site_len);
			t.len = r->site_len;
		}
		t.gateway = r->gateway;
		err = compile(&t, r->site, r->host, r->role, r->mode, true, res);
	} else {
		/* Gateway mode stays as recorded unless --role asks for a host's. */
		t.gateway = rq->gateway || (st.gateway && !rq->role);
		err = compile(&t, rq->site ? rq->site : st.site,
			      rq->host ? rq->host : rq->role ? NULL : st.host,
			      rq->role ? rq->role : rq->host ? NULL : st.role,
			      rq->mode >= 0 ? rq->mode : st.mode, rq->allow_empty, res);
	}
	if (err)
		goto out;
	res->ms_compile = now_ms() - start;
	/* Another build's programs or maps in force (a new binary installed):
	 * this build's take their place, without a gap. */
	if (!st.build || strcmp(st.build, pc_upgrade_build_id()) ||
	    pc_upgrade_needed(t.pins.root)) {
		err = reload_by_object(&t, rq, have_state ? &st : NULL, res);
		res->ms_to_flip = now_ms() - start;
		if (!err && have_state)
			diff_against(&st, &t.rs, res);
		goto out;
	}

	err = pc_maps_open_pinned(&t.m, t.pins.root);
	if (err) {
		fail(res, PC_CTL_MAPS, err);
		goto out;
	}
	t.have_maps = true;
	nifaces = pc_ctl_pinned_ifaces(&t.m, &ifindex);
	err = check_sessions_against(&t, rq, have_state ? &st : NULL, ifindex, nifaces, res);
	free(ifindex);
	if (err)
		goto out;
	pc_loader_state(&t.m, &bank, &res->old_generation);
	if (rq->dry_run) {
		res->dry_run = true;
		res->generation = res->old_generation;
		if (have_state)
			diff_against(&st, &t.rs, res);
		goto out;
	}
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
	pc_loader_release(&t.m, &info);
	res->generation = info.generation;
	if (have_state)
		diff_against(&st, &t.rs, res);
	res->record_err = record(&t);
out:
	txn_end(&t);
	pc_state_free(&st);
	return err;
}

bool pc_ctl_changed(const struct pc_ctl_res *res)
{
	return !res->have_diff || res->mode_changed || res->diff.added ||
	       res->diff.removed || res->diff.changed;
}

void pc_ctl_res_free(struct pc_ctl_res *res)
{
	free(res->name);
	free(res->host);
	free(res->role);
	free(res->site);
	pc_diags_free(&res->diags);
	pc_ruleset_diff_free(&res->diff);
	pc_sessions_free(&res->sessions);
	memset(res, 0, sizeof(*res));
}
