// SPDX-License-Identifier: GPL-2.0-only
/* Text tables: display widths of UTF-8 text, aligned columns. */
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "testutil.h"

static void test_text_width(void **state)
{
	static const struct {
		const char *text;
		size_t width;
	} cases[] = {
		{ "", 0 },
		{ "A-1.1-http-gui", 14 },
		{ "M\xc3\xbcnchen", 7 },             /* ü: two bytes, one column */
		{ "10 \xe2\x82\xac", 4 },           /* €: three bytes, one column */
		{ "\xe2\x80\x94", 1 },              /* em dash: three bytes, one column */
		{ "\xe7\xae\xa1\xe7\x90\x86", 4 },  /* 管理: CJK, two columns each */
		{ "\xf0\x9f\x98\x80", 2 },          /* an emoji: four bytes, two columns */
		{ "a\xffz", 3 },                    /* a stray byte takes one column */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		size_t w = pc_text_width(cases[i].text);

		if (w != cases[i].width)
			fail_msg("case %zu: width %zu, should be %zu", i, w, cases[i].width);
	}
}

/* Every column starts at the same display column on every row, numbers
 * right-aligned. */
static void test_columns(void **state)
{
	static const char *const header[] = { "PATH", "PACKETS", "PURPOSE" };
	static const char *const rows[][3] = {
		{ "A-1.1-http-gui", "5", "\xe7\xae\xa1\xe7\x90\x86" },
		{ "\xe2\x82\xac-site-flow", "12345", "-" },
	};
	static const char want[] =
		"PATH            PACKETS  PURPOSE\n"
		"A-1.1-http-gui        5  \xe7\xae\xa1\xe7\x90\x86\n"
		"\xe2\x82\xac-site-flow       12345  -\n";
	struct pc_table t;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	pc_table_init(&t, 3, header);
	t.right = 1u << 1;
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++)
		pc_table_row(&t, rows[i]);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	pc_table_print(&t, f);
	fclose(f);
	pc_table_free(&t);
	if (strcmp(out, want) != 0)
		fail_msg("table:\n%s\nshould be:\n%s", out, want);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_width),
		cmocka_unit_test(test_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
