// SPDX-License-Identifier: GPL-2.0-only
/* Edit distance and "did you mean". */
#include <string.h>

#include "suggest.h"
#include "testutil.h"

static void test_edit_distance(void **state)
{
	static const struct {
		const char *a, *b;
		size_t d;
	} cases[] = {
		{ "", "", 0 },
		{ "linux", "linux", 0 },
		{ "", "abc", 3 },
		{ "abc", "", 3 },
		{ "linux", "linx", 1 },        /* delete */
		{ "linx", "linux", 1 },        /* insert */
		{ "mode", "made", 1 },         /* substitute */
		{ "mode", "mdoe", 1 },         /* swap of neighbours */
		{ "ab", "ba", 1 },
		{ "kitten", "sitting", 3 },
		{ "flaw", "lawn", 2 },
		{ "management-server", "managment-server", 1 },
		{ "deployment-manager", "deployment-manger", 1 },
		{ "hosts", "hostz", 1 },
		{ "abc", "xyz", 3 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		size_t d = pc_edit_distance(cases[i].a, cases[i].b);

		if (d != cases[i].d)
			fail_msg("distance '%s' '%s' is %zu, should be %zu", cases[i].a,
				 cases[i].b, d, cases[i].d);
		assert_int_equal(pc_edit_distance(cases[i].b, cases[i].a), d);
	}
}

static void test_suggest(void **state)
{
	static const char *const kinds[] = {
		"management-server", "management-client", "windows", "hyper-v",
		"linux", "esxi", "svp", "bmc", "hvm", "smtp-server",
		"device-manager", "auth-server", "dhcp-server",
	};
	static const char *const keys[] = { "name", "kinds", "os", "addresses",
					    "description" };
	static const struct {
		const char *word;
		const char *const *set;
		size_t n;
		const char *want;
	} cases[] = {
		{ "linx", kinds, 13, "linux" },
		{ "managment-server", kinds, 13, "management-server" },
		{ "management-clinet", kinds, 13, "management-client" },
		{ "hyperv", kinds, 13, "hyper-v" },
		{ "dhcp-sever", kinds, 13, "dhcp-server" },
		{ "linux", kinds, 13, "linux" },
		{ "toaster", kinds, 13, NULL },
		{ "printer-server-of-the-third-floor", kinds, 13, NULL },
		{ "adresses", keys, 5, "addresses" },
		{ "descripton", keys, 5, "description" },
		{ "kind", keys, 5, "kinds" },
		{ "colour", keys, 5, NULL },
		{ "anything", keys, 0, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const char *got = pc_suggest(cases[i].word, cases[i].set, cases[i].n);

		if ((got == NULL) != (cases[i].want == NULL) ||
		    (got && strcmp(got, cases[i].want) != 0))
			fail_msg("suggestion for '%s' is '%s', should be '%s'", cases[i].word,
				 got ? got : "(none)", cases[i].want ? cases[i].want : "(none)");
	}
}

/* Words longer than the table: no crash, no suggestion. */
static void test_long_words(void **state)
{
	static const char *const set[] = { "linux" };
	char word[200];

	(void)state;
	memset(word, 'x', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	assert_null(pc_suggest(word, set, 1));
	assert_true(pc_edit_distance(word, "linux") > 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_long_words),
	};

	return cmocka_run_group_tests_name("suggest", tests, NULL, NULL);
}
