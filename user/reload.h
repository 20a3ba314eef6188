/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reloading the policy in force: validate, compile, fill the inactive bank,
 * flip. Shared by `portcullis reload` and the daemon. A policy that does not
 * load or compile changes nothing.
 */
#ifndef PC_RELOAD_H
#define PC_RELOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "ruleset_diff.h"

struct pc_reload_req {
	const char *pin_root; /* NULL: the default */
	const char *site;     /* NULL: the one recorded at attach */
	const char *host;     /* NULL: the recorded one (or own addresses) */
	const char *role;
	int mode;             /* -1: the recorded one, or the site's */
};

struct pc_reload_res {
	uint32_t old_generation;
	uint32_t generation;
	size_t nrules;
	char *name;           /* host or role */
	bool have_diff;       /* false when the old policy is unknown */
	double ms_to_flip;    /* from the start to the new policy being live */
	double ms_compile;    /* of which reading, validating and compiling */
	struct pc_ruleset_diff diff;
};

/* Returns a PC_EXIT_* code; errors are printed. */
int pc_reload(const struct pc_reload_req *rq, struct pc_reload_res *res);
void pc_reload_res_free(struct pc_reload_res *res);

/* Records what attach loaded, so that reload knows it. */
int pc_reload_record(const char *pin_root, const char *site, const char *site_text,
		     size_t site_len, const char *host, const char *role, int mode);

#endif
