// SPDX-License-Identifier: GPL-2.0-only
/* The minimum kernel: uname -r strings, accepted or refused. */
#include <errno.h>

#include "kernel_version.h"
#include "testutil.h"

static void test_release(void **state)
{
	static const struct {
		const char *release;
		int want;
	} cases[] = {
		{ "6.1.0-57-cloud-amd64", 0 },          /* Debian 12 */
		{ "6.12.117+deb12-cloud-amd64", 0 },    /* Debian 12 backports */
		{ "6.18.0", 0 },
		{ "5.12.0", 0 },                        /* the floor itself */
		{ "5.12-rc1", 0 },
		{ "5.15.0-91-generic", 0 },             /* Ubuntu 22.04 */
		{ "5.14.0-362.el9.x86_64", 0 },         /* RHEL 9 */
		{ "10.0.0", 0 },
		{ "5.11.22", -EOPNOTSUPP },
		{ "5.10.0-30-amd64", -EOPNOTSUPP },     /* Debian 11 */
		{ "5.4.0-150-generic", -EOPNOTSUPP },   /* Ubuntu 20.04 */
		{ "4.19.0-26-amd64", -EOPNOTSUPP },     /* Debian 10 */
		{ "4.18.0-513.el8.x86_64", -EOPNOTSUPP },
		{ "3.10.0", -EOPNOTSUPP },
		{ "5.2", -EOPNOTSUPP },                 /* not 5.20 */
		{ "5.120", 0 },
		{ "", -EINVAL },
		{ "6", -EINVAL },
		{ "6.", -EINVAL },
		{ "v6.1", -EINVAL },
		{ "6.x", -EINVAL },
		{ "-5.12", -EINVAL },
		{ "99999999999999999999999.1", -EINVAL },
		{ NULL, -EINVAL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int got = pc_kernel_release_ok(cases[i].release);

		if (got != cases[i].want)
			fail_msg("'%s': got %d, want %d", cases[i].release ? cases[i].release : "(null)",
				 got, cases[i].want);
	}
}

/* The machine running the tests is new enough (the net tests need it). */
static void test_this_kernel(void **state)
{
	(void)state;
	assert_int_equal(pc_kernel_check(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_this_kernel),
	};

	return cmocka_run_group_tests_name("kernel_version", tests, NULL, NULL);
}
