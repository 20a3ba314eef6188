// SPDX-License-Identifier: GPL-2.0-only
/*
 * Malformed site files: odd YAML shapes end in positioned errors, never a
 * crash. The last case crashed the loader when written (see the report);
 * it runs last so that the others report first.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static void expect_error(const char *site, int line, int col, const char *needles)
{
	int err = tu_load(&tu_fx.p, &tu_fx.d, site);

	assert_int_equal(err, -EINVAL);
	if (!tu_find_diag(&tu_fx.d, TU_SITE_FILE, line, col, needles)) {
		tu_print_diags(&tu_fx.d);
		fail_msg("expected %s:%d:%d: [%s]", TU_SITE_FILE, line, col, needles);
	}
}

static void test_list_as_host_key(void **state)
{
	(void)state;
	expect_error("hosts:\n  - ? [x]\n    : 1\n    name: mgr\n"
		     "    kinds: [management-server]\n    addresses: [192.0.2.10]\n",
		     2, 7, "a key in a host must be a word");
}

static void test_list_as_part_key(void **state)
{
	(void)state;
	expect_error("parts:\n  ? [x]\n  : on\n  deployment-manager: on\n", 2, 5, "part");
}

static void test_deep_nesting(void **state)
{
	char site[512];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(site + n, sizeof(site) - n, "site: ");
	for (int i = 0; i < 60; i++)
		site[n++] = '[';
	for (int i = 0; i < 60; i++)
		site[n++] = ']';
	site[n++] = '\n';
	site[n] = '\0';
	expect_error(site, 1, 0, "nested");
}

static void test_huge_numbers(void **state)
{
	(void)state;
	expect_error("parameters:\n  smtp-port: 99999999999999999999999\n", 2, 14, "smtp-port");
	pc_policy_free(&tu_fx.p);
	pc_diags_free(&tu_fx.d);
	expect_error("settings:\n  conntrack:\n    udp: 18446744073709551616\n", 3, 10, "udp");
}

static void test_bad_flow_id(void **state)
{
	(void)state;
	expect_error("flows:\n  - id: my flow\n    purpose: x\n    protocols: [tcp]\n"
		     "    initiator: {kinds: [linux], port: auto}\n"
		     "    responder: {kinds: [management-server], port: 80}\n",
		     2, 9, "'my flow'");
}

static void test_too_many_kinds(void **state)
{
	char site[4096];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(site + n, sizeof(site) - n, "kinds: [");
	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(site + n, sizeof(site) - n, "%sextra-kind-%d",
				      i ? ", " : "", i);
	snprintf(site + n, sizeof(site) - n, "]\n");
	expect_error(site, 1, 0, "at most 64 kinds");
}

static void test_binary_garbage(void **state)
{
	static const char site[] = "site: \x01\x02\xff\xfe\n";
	int err;

	(void)state;
	err = tu_load(&tu_fx.p, &tu_fx.d, site);
	assert_int_equal(err, -EINVAL);
	assert_true(tu_fx.d.count >= 1);
}

/* parameters: with a key that is not a word, before a valid one. */
static void test_list_as_parameter_key(void **state)
{
	(void)state;
	expect_error("parameters:\n  ? [a]\n  : 1\n  smtp-port: 25\n", 2, 5,
		     "a parameter name must be a single value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_as_host_key, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_list_as_part_key, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_deep_nesting, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_huge_numbers, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_bad_flow_id, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_too_many_kinds, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_binary_garbage, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_list_as_parameter_key, tu_setup, tu_teardown),
	};

	return cmocka_run_group_tests_name("site_robustness", tests, NULL, NULL);
}
