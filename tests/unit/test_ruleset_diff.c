// SPDX-License-Identifier: GPL-2.0-only
/* What a reload reports: paths added, removed and changed between two
 * compiled rule sets of the same host. */
#include <stdlib.h>
#include <string.h>

#include "ruleset_diff.h"
#include "testutil.h"

static const char base_site[] =
	"hosts:\n"
	"  - {name: srv, kinds: [management-server], addresses: [192.0.2.10]}\n"
	"  - {name: cli, kinds: [management-client], addresses: [192.0.2.20]}\n"
	"  - {name: lin, kinds: [linux], addresses: [192.0.2.31]}\n";

struct diff_case {
	const char *desc;
	const char *new_site_tail; /* appended to base_site */
	const char *host;
	size_t changed, added, removed;
	const char *path;   /* one change to look at, or NULL */
	enum pc_change_kind kind;
	const char *detail; /* substring of its detail, or NULL */
};

static const struct diff_case cases[] = {
	{ "nothing changes", "", "srv", 0, 0, 0, NULL, 0, NULL },
	{ "the GUI port moves", "parameters: {hcsm-http-port: 22115}\n", "srv",
	  1, 0, 0, "A-1.1-http-gui", PC_PATH_CHANGED, "ports -ingress tcp 22015<-1024-65535 +ingress tcp 22115<-1024-65535" },
	{ "the trap port moves, seen from the managed host", "parameters: {snmp-trap-port: 22601}\n", "lin",
	  1, 0, 0, "A-2.12-snmp-trap", PC_PATH_CHANGED, "+egress udp 1024-65535->22601" },
	{ "a client joins", "  - {name: cli2, kinds: [management-client], addresses: [192.0.2.21]}\n", "srv",
	  2, 0, 0, "A-1.1-http-gui", PC_PATH_CHANGED, "peers +192.0.2.21" },
	{ "Deployment Manager switched on", "parts: {deployment-manager: on}\n", "lin",
	  0, 21, 0, "A-3.4-pxe-tftp", PC_PATH_ADDED, NULL },
	{ "a site flow is added", "kinds: [ntp-server]\nflows:\n  - {id: ntp, purpose: time, protocols: [udp],"
	  " initiator: {kinds: [linux], port: auto}, responder: {hosts: [srv], port: 123}}\n", "lin",
	  0, 1, 0, "ntp", PC_PATH_ADDED, NULL },
};

static void load_ruleset(struct pc_policy *p, struct pc_ruleset *rs,
			 const char *site, const char *host)
{
	tu_load_ok(p, site);
	assert_int_equal(pc_compile_host(p, host, rs), 0);
}

static void test_diff_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct diff_case *c = &cases[i];
		struct pc_policy old_p, new_p;
		struct pc_ruleset old_rs, new_rs;
		struct pc_ruleset_diff d;
		char *site = NULL;
		bool found = false;

		/* Top-level keys after the host list; a host line extends it. */
		site = pc_xasprintf("%s%s", base_site, c->new_site_tail);
		load_ruleset(&old_p, &old_rs, base_site, c->host);
		load_ruleset(&new_p, &new_rs, site, c->host);
		pc_ruleset_diff(&old_rs, &new_rs, &d);
		print_message("# %s\n", c->desc);
		assert_int_equal(d.changed, c->changed);
		assert_int_equal(d.added, c->added);
		assert_int_equal(d.removed, c->removed);
		for (size_t k = 0; c->path && k < d.count; k++) {
			if (strcmp(d.changes[k].path, c->path) != 0)
				continue;
			found = true;
			assert_int_equal(d.changes[k].kind, c->kind);
			if (c->detail)
				assert_non_null(strstr(d.changes[k].detail, c->detail));
		}
		assert_true(!c->path || found);
		pc_ruleset_diff_free(&d);
		pc_ruleset_free(&old_rs);
		pc_ruleset_free(&new_rs);
		pc_policy_free(&old_p);
		pc_policy_free(&new_p);
		free(site);
	}
}

/* Removing works in the other direction: swap old and new. */
static void test_removed_paths(void **state)
{
	struct pc_policy a, b;
	struct pc_ruleset ra, rb;
	struct pc_ruleset_diff d;
	char *summary;

	(void)state;
	load_ruleset(&a, &ra, base_site, "lin");
	load_ruleset(&b, &rb, "hosts:\n  - {name: lin, kinds: [linux], addresses: [192.0.2.31]}\n"
			      "parts: {deployment-manager: on}\n", "lin");
	pc_ruleset_diff(&rb, &ra, &d);
	assert_int_equal(d.removed, 21);
	assert_int_equal(d.added, 0);
	summary = pc_ruleset_diff_summary(&d);
	assert_non_null(strstr(summary, "21 removed"));
	free(summary);
	pc_ruleset_diff_free(&d);
	pc_ruleset_free(&ra);
	pc_ruleset_free(&rb);
	pc_policy_free(&a);
	pc_policy_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_cases),
		cmocka_unit_test(test_removed_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
