/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the unit tests: load a site from a string next to the
 * built-in catalog, look for positioned errors, compare compiled rules.
 */
#ifndef PC_TESTUTIL_H
#define PC_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "classify.h"
#include "compile.h"
#include "policy.h"

#define TU_CATALOG_FILE "catalog.yaml"
#define TU_SITE_FILE "site.yaml"

/* The small site most compile and classify tests use (see testutil.c). */
extern const char tu_small_site[];

/* Loads the built-in catalog and site (NULL: none). The caller frees both
 * p (pc_policy_free) and d (pc_diags_free) whatever the result. */
int tu_load(struct pc_policy *p, struct pc_diags *d, const char *site);
/* Loads, and fails the test (printing every error) unless it loads. */
void tu_load_ok(struct pc_policy *p, const char *site);
void tu_print_diags(const struct pc_diags *d);
/* The error at line:col (0: any) of file whose message holds every one of
 * the '|'-separated needles, or NULL. */
const struct pc_diag *tu_find_diag(const struct pc_diags *d, const char *file,
				   int line, int col, const char *needles);

struct pc_addr tu_addr(const char *s);
/* A kind set from "a,b,c" (kind names only, each must exist). */
pc_kindset tu_kinds(const struct pc_policy *p, const char *csv);
/* "auto", "22", "49152-65535", "$name", joined by ",": as written. */
const char *tu_ports(const struct pc_policy *p, const struct pc_port_spec *s,
		     char *buf, size_t len);
/* Whether f is catalog row "A-2.11" (table A-2, row 11) or has id name. */
bool tu_flow_is(const struct pc_flow *f, const char *name);

/* One expected rule; addrs is a space-separated list ("" for none). */
struct tu_rule {
	const char *flow;
	enum pc_dir dir;
	uint8_t proto;
	uint16_t llo, lhi;
	uint16_t rlo, rhi;
	const char *addrs;
};

#define TU_AUTO 1024, 65535

/* Fails unless rs holds exactly the expected rules (in any order). */
void tu_check_rules(const struct pc_ruleset *rs, const struct tu_rule *exp,
		    size_t n);
/* Whether the rule's remote set is exactly addrs (any order). */
bool tu_addrs_equal(const struct pc_rule *r, const char *addrs);
/* Number of rules of the ruleset that count on flow name. */
size_t tu_count_flow_rules(const struct pc_ruleset *rs, const char *name);

/* Policy, errors and rule sets of the running test, freed by tu_teardown
 * even when the test fails half-way. */
struct tu_fx {
	struct pc_policy p;
	struct pc_diags d;
	struct pc_ruleset rs[4];
};
extern struct tu_fx tu_fx;
int tu_setup(void **state);
int tu_teardown(void **state);

#endif
