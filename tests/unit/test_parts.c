// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parts: without a site every part is on. With one, deployment-manager is
 * on only with a Windows management server, separate-dhcp-server only with
 * a DHCP server that is not a management server; parts: switches override.
 */
#include <string.h>

#include "testutil.h"

struct parts_case {
	const char *name;
	const char *site;
	bool dm, sep;
};

#define MGR(os) "  - name: mgr\n    kinds: [management-server]\n" os "    addresses: [192.0.2.10]\n"
#define WIN "    os: windows\n"
#define LNX "    os: linux\n"
#define DHCP_HOST "  - name: dhcp\n    kinds: [dhcp-server]\n    addresses: [192.0.2.67]\n"
#define WEB "  - name: web\n    kinds: [linux]\n    os: linux\n    addresses: [198.51.100.11]\n"

static const struct parts_case cases[] = {
	{ "empty_site", "site: nothing\n", false, false },
	{ "linux_server", "hosts:\n" MGR(LNX) WEB, false, false },
	{ "server_without_os", "hosts:\n" MGR("") WEB, false, false },
	{ "windows_server", "hosts:\n" MGR(WIN) WEB, true, false },
	{ "windows_only_managed", "hosts:\n" MGR(LNX)
	  "  - name: win\n    kinds: [windows]\n    os: windows\n    addresses: [198.51.100.21]\n", false, false },
	{ "windows_server_separate_dhcp", "hosts:\n" MGR(WIN) WEB DHCP_HOST, true, true },
	{ "linux_server_separate_dhcp", "hosts:\n" MGR(LNX) DHCP_HOST, false, true },
	{ "server_is_dhcp", "hosts:\n"
	  "  - name: mgr\n    kinds: [management-server, dhcp-server]\n    os: windows\n    addresses: [192.0.2.10]\n",
	  true, false },
	{ "two_servers_one_windows", "hosts:\n" MGR(LNX)
	  "  - name: mgr2\n    kinds: [management-server]\n    os: windows\n    addresses: [192.0.2.11]\n",
	  true, false },
	{ "switch_dm_off", "hosts:\n" MGR(WIN) DHCP_HOST "parts:\n  deployment-manager: off\n", false, true },
	{ "switch_dm_on", "hosts:\n" MGR(LNX) "parts:\n  deployment-manager: on\n", true, false },
	{ "switch_sep_on", "hosts:\n" MGR(WIN) "parts:\n  separate-dhcp-server: yes\n", true, true },
	{ "switch_sep_off", "hosts:\n" MGR(WIN) DHCP_HOST "parts:\n  separate-dhcp-server: false\n", true, false },
};

static bool part_on(const struct pc_policy *p, const char *name)
{
	for (size_t i = 0; i < p->nparts; i++)
		if (strcmp(p->parts[i].name, name) == 0)
			return p->parts[i].enabled;
	fail_msg("no part %s", name);
	return false;
}

static bool row_on(const struct pc_policy *p, const char *row)
{
	for (size_t i = 0; i < p->nflows; i++)
		if (tu_flow_is(&p->flows[i], row))
			return pc_flow_enabled(p, &p->flows[i]);
	fail_msg("no row %s", row);
	return false;
}

static void run_case(void **state)
{
	const struct parts_case *c = *state;
	const struct pc_policy *p = &tu_fx.p;

	tu_load_ok(&tu_fx.p, c->site);
	if (part_on(p, "deployment-manager") != c->dm ||
	    part_on(p, "separate-dhcp-server") != c->sep)
		fail_msg("%s: deployment-manager %d separate-dhcp-server %d, expected %d %d",
			 c->name, part_on(p, "deployment-manager"),
			 part_on(p, "separate-dhcp-server"), c->dm, c->sep);
	/* The rows follow their parts. */
	for (size_t i = 0; i < p->nflows; i++) {
		const struct pc_flow *f = &p->flows[i];
		bool want = true;

		if (strcmp(f->table, "A-3") == 0 || strcmp(f->table, "A-6") == 0)
			want = c->dm;
		if (tu_flow_is(f, "A-3.1") || tu_flow_is(f, "A-3.7"))
			want = c->dm && c->sep;
		if (pc_flow_enabled(p, f) != want)
			fail_msg("%s: %s enabled %d, expected %d", c->name, f->id,
				 pc_flow_enabled(p, f), want);
	}
	assert_true(row_on(p, "A-2.9"));
}

/* A site flow can depend on a part too. */
static void test_site_flow_part(void **state)
{
	const char *site = "hosts:\n" MGR(LNX) WEB
			   "flows:\n"
			   "  - id: site-pxe-extra\n    purpose: x\n    protocols: [udp]\n"
			   "    parts: [deployment-manager]\n"
			   "    initiator: {kinds: [linux], port: auto}\n"
			   "    responder: {kinds: [management-server], port: 6969}\n";
	const struct pc_flow *f;

	(void)state;
	tu_load_ok(&tu_fx.p, site);
	f = pc_policy_find_flow(&tu_fx.p, "site-pxe-extra");
	assert_non_null(f);
	assert_false(pc_flow_enabled(&tu_fx.p, f));
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(*cases) + 1];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		tests[n++] = (struct CMUnitTest){ cases[i].name, run_case, tu_setup,
						  tu_teardown, (void *)&cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(test_site_flow_part, tu_setup, tu_teardown);
	return _cmocka_run_group_tests("parts", tests, n, NULL, NULL);
}
