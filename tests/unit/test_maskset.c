// SPDX-License-Identifier: GPL-2.0-only
/*
 * The loader's numbering of distinct rule masks (maskset.c): the empty
 * mask is id 0, equal masks share an id, ids are dense and stay put as
 * the table grows, and the PC_MAX_MASKS-th + 1 distinct mask is refused.
 */
#include <errno.h>
#include <string.h>

#include "maskset.h"
#include "testutil.h"

static struct pc_mask bit(unsigned b)
{
	struct pc_mask m = { { 0 } };

	m.w[b / 64 % PC_MASK_WORDS] |= 1ull << (b % 64);
	return m;
}

static void test_cases(void **state)
{
	static const struct {
		const char *what;
		int bits[3]; /* -1: none */
		uint32_t id;
	} cases[] = {
		{ "empty", { -1, -1, -1 }, 0 },
		{ "rule 0", { 0, -1, -1 }, 1 },
		{ "rule 255 (last word)", { 255, -1, -1 }, 2 },
		{ "rules 0 and 255", { 0, 255, -1 }, 3 },
		{ "rule 0 again", { 0, -1, -1 }, 1 },
		{ "empty again", { -1, -1, -1 }, 0 },
		{ "rules 255 and 0, in the other order", { 255, 0, -1 }, 3 },
		{ "rule 64 (second word)", { 64, -1, -1 }, 4 },
	};
	struct pc_maskset s;

	(void)state;
	pc_maskset_init(&s);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pc_mask m = { { 0 } };
		uint32_t id = 99;

		for (int j = 0; j < 3; j++) {
			if (cases[i].bits[j] >= 0) {
				struct pc_mask b = bit((unsigned)cases[i].bits[j]);

				for (int w = 0; w < PC_MASK_WORDS; w++)
					m.w[w] |= b.w[w];
			}
		}
		assert_int_equal(pc_maskset_id(&s, &m, &id), 0);
		if (id != cases[i].id)
			fail_msg("%s: id %u, want %u", cases[i].what, id, cases[i].id);
		assert_memory_equal(&s.masks[id], &m, sizeof(m));
	}
	assert_int_equal(s.n, 5);
	pc_maskset_free(&s);
}

/* Masks of two rules each: many of them, through every growth of the
 * table, then one too many. */
static void test_fill_and_refuse(void **state)
{
	struct pc_maskset s;
	struct pc_mask m;
	uint32_t id, n = 1;

	(void)state;
	pc_maskset_init(&s);
	for (unsigned a = 0; a < 256 && n < PC_MAX_MASKS; a++) {
		for (unsigned b = a + 1; b < 256 && n < PC_MAX_MASKS; b++, n++) {
			m = bit(a);
			m.w[b / 64] |= 1ull << (b % 64);
			assert_int_equal(pc_maskset_id(&s, &m, &id), 0);
			assert_int_equal(id, n);
		}
	}
	assert_int_equal(s.n, PC_MAX_MASKS);
	/* Every one still found at its id. */
	m = bit(0);
	m.w[0] |= 2;
	assert_int_equal(pc_maskset_id(&s, &m, &id), 0);
	assert_int_equal(id, 1);
	m = bit(255); /* a new one */
	assert_int_equal(pc_maskset_id(&s, &m, &id), -E2BIG);
	assert_int_equal(s.n, PC_MAX_MASKS);
	pc_maskset_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_fill_and_refuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
