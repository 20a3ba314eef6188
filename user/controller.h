/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The controller: the one path by which attach, reload and the daemon put
 * a policy in force. Each call is a transaction under the pin root's lock:
 * it stops at the first step that fails and leaves nothing of what it did
 * (policy, hooks, pins, record). It returns 0 or -errno and says in
 * res->step where it stopped; the command turns that into words and an
 * exit code. (Hook and pin failures are also described where they happen,
 * by datapath.c, which knows the program ids and paths.)
 */
#ifndef PC_CONTROLLER_H
#define PC_CONTROLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath.h"
#include "diag.h"
#include "ruleset_diff.h"
#include "sessions.h"
#include "state.h"

/* What to put in force. */
struct pc_ctl_req {
	const char *pin_root; /* NULL: the default */
	const char *site;     /* NULL: the built-in catalog alone (attach), the
				 recorded site (reload) */
	const char *host;     /* NULL: the recorded one (reload), else the host
				 owning one of this machine's addresses */
	const char *role;
	bool gateway;         /* gateway mode: host (or the local host) is the
				 gateway, forwarded packets judged too
				 (reload: also when the record says so) */
	int mode;             /* -1: the recorded one (reload), or the site's */
	char *const *ifaces;  /* attach: the interfaces */
	size_t nifaces;
	struct pc_attach_opts hook; /* attach: how to hook them */
	bool dry_run;         /* reload: compile and compare, change nothing */
	bool allow_empty;     /* enforce even a policy with no peer at all */
	bool cut_sessions;    /* enforce even if sessions in progress are cut */
	long confirm;         /* > 0: roll back after this many seconds unless
				 `portcullis confirm` (the command arms it) */
	const struct pc_state *restore; /* reload: put exactly this record back
				 (its site text, host or role, mode) */
};

/* Where a transaction stopped. */
enum pc_ctl_step {
	PC_CTL_DONE = 0,
	PC_CTL_IFACE,        /* res->iface does not exist (-ENODEV) */
	PC_CTL_NOT_ATTACHED, /* reload: nothing pinned (-ENOENT) */
	PC_CTL_NO_RECORD,    /* reload: no record of the policy in force and no
				-c, --host or --role to go by (-ENOENT) */
	PC_CTL_POLICY,       /* the catalog or site has errors: res->diags */
	PC_CTL_ROLE,         /* --role names no kind (-ENOENT) */
	PC_CTL_HOST,         /* --host names no host of the site (-ENOENT) */
	PC_CTL_LOCAL_HOST,   /* -ENOENT: none of this machine's addresses is a
				host's; -EEXIST: several hosts'; else errno */
	PC_CTL_NO_PEERS,     /* enforce mode and no rule has a peer: all but
				ARP/ND would be dropped (-ENOTCONN) */
	PC_CTL_SESSIONS,     /* enforce mode would cut res->sessions (-EBUSY) */
	PC_CTL_PINS,         /* opening or locking the pin root (printed) */
	PC_CTL_OBJECT,       /* the kernel refused the programs or maps:
				res->refusal */
	PC_CTL_MAPS,         /* opening the pinned maps */
	PC_CTL_NETNS,        /* the pin root's interfaces are in another
				network namespace (-EXDEV, printed) */
	PC_CTL_FILL,         /* writing the rules; -E2BIG: a map is full */
	PC_CTL_HOOK,         /* res->iface: a hook is in the way or failed (printed) */
	PC_CTL_FLIP,         /* the atomic store that makes the rules live */
};

struct pc_ctl_res {
	enum pc_ctl_step step;
	int err;              /* -errno of the failed step */
	const char *iface;    /* PC_CTL_IFACE, PC_CTL_HOOK */
	const char *root;     /* the pin root */
	char *host, *role;    /* as asked for or recorded (compile errors) */
	char *site;           /* the site file used (NULL: the catalog alone) */
	enum pc_dp_refusal refusal; /* PC_CTL_OBJECT: what the kernel refused */
	struct pc_diags diags; /* PC_CTL_POLICY: the errors found */
	/* What is in force after success. */
	char *name;           /* host or role */
	size_t nrules;
	bool audit;
	uint32_t old_generation;
	uint32_t generation;
	bool have_diff;       /* reload: false when the old policy is unknown */
	bool dry_run;         /* reload: nothing was changed (generation is the
				 one in force) */
	bool mode_changed;    /* reload: audit <-> enforce (with have_diff) */
	struct pc_ruleset_diff diff;
	double ms_compile;    /* reading, validating and compiling */
	double ms_to_flip;    /* from the start to the new policy being live */
	/* Done, with something left undone that does not undo the rest. */
	size_t seeded;        /* attach: existing connections kept */
	int seed_err;         /* attach: reading the socket table failed */
	int record_err;       /* the record under /run could not be written */
	int state_err;        /* reload: the record could not be read */
	struct pc_sessions sessions; /* sessions the policy cuts (PC_CTL_SESSIONS;
				 a dry run: would cut) */
	int sessions_err;     /* the socket table could not be read for them */
};

/* Puts the policy in force on rq->ifaces (attaching, or updating hooks
 * already ours) and records what it was made from. */
int pc_ctl_attach(const struct pc_ctl_req *rq, struct pc_ctl_res *res);
/* Puts a changed policy in force where it is attached; fields of rq left
 * empty come from the record of the policy in force. */
int pc_ctl_reload(const struct pc_ctl_req *rq, struct pc_ctl_res *res);
void pc_ctl_res_free(struct pc_ctl_res *res);
/* Whether a reload changed (or, dry, would change) what is enforced; true
 * when the policy that was in force is not known. */
bool pc_ctl_changed(const struct pc_ctl_res *res);

/* Whether an interface is attached under pin_root (NULL: the default). */
bool pc_ctl_attached(const char *pin_root);
/* The interfaces the pinned maps record: their count, *ifindex (freed by
 * the caller) their indexes. */
size_t pc_ctl_pinned_ifaces(const struct pc_maps *m, int **ifindex);

struct pc_policy;
struct pc_ruleset;
/* Gateway mode's rules (pc_compile_gateway) for the gateway host, or the
 * host owning one of this machine's addresses: PC_CTL_DONE, PC_CTL_HOST or
 * PC_CTL_LOCAL_HOST with *err. */
enum pc_ctl_step pc_ctl_compile_gateway(const struct pc_policy *p, const char *host,
					struct pc_ruleset *rs, int *err);
/* Compiles the rules of host, of role, or of the host owning one of this
 * machine's addresses. Returns PC_CTL_DONE or PC_CTL_ROLE, PC_CTL_HOST,
 * PC_CTL_LOCAL_HOST with *err. */
enum pc_ctl_step pc_ctl_compile(const struct pc_policy *p, const char *host,
				const char *role, struct pc_ruleset *rs, int *err);

#endif
