// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which prefixes hold an address (prefix_index.c), and the loader's spread
 * of prefix rules built on it, against the pairwise computation it
 * replaced: a table of cases, then random sets compared entry by entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "prefix_index.h"
#include "testutil.h"

static void collect(size_t idx, void *arg)
{
	uint64_t *found = arg;

	*found |= 1ull << idx;
}

static void test_containing(void **state)
{
	static const char *const set[] = {
		/* 0 */ "198.51.100.0/24", /* 1 */ "198.51.100.0/25",
		/* 2 */ "198.51.100.128/25", /* 3 */ "0.0.0.0/0",
		/* 4 */ "203.0.113.0/24", /* 5 */ "2001:db8::/32",
		/* 6 */ "2001:db8:1::/48", /* 7 */ "::/0",
		/* 8 */ "198.51.100.7", /* 9 */ "2001:db8:1::7",
	};
	static const struct {
		const char *addr;
		uint64_t want; /* bit i: set[i] holds it */
	} cases[] = {
		{ "198.51.100.7", 1u << 0 | 1u << 1 | 1u << 3 | 1u << 8 },
		{ "198.51.100.200", 1u << 0 | 1u << 2 | 1u << 3 },
		{ "198.51.100.0/24", 1u << 0 | 1u << 3 },
		{ "198.51.100.0/23", 1u << 3 },
		{ "203.0.113.255", 1u << 3 | 1u << 4 },
		{ "192.0.2.1", 1u << 3 },
		{ "2001:db8:1::7", 1u << 5 | 1u << 6 | 1u << 7 | 1u << 9 },
		{ "2001:db8:2::7", 1u << 5 | 1u << 7 },
		{ "2001:db9::1", 1u << 7 },
		{ "::/0", 1u << 7 },
	};
	struct pc_addr nets[sizeof(set) / sizeof(*set)];
	struct pc_prefix_index ix;

	(void)state;
	for (size_t i = 0; i < sizeof(set) / sizeof(*set); i++)
		nets[i] = tu_addr(set[i]);
	pc_prefix_index_init(&ix, nets, sizeof(set) / sizeof(*set));
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct pc_addr a = tu_addr(cases[i].addr);
		uint64_t found = 0;

		pc_prefix_index_each(&ix, &a, collect, &found);
		if (found != cases[i].want)
			fail_msg("%s: held by %#llx, want %#llx", cases[i].addr,
				 (unsigned long long)found,
				 (unsigned long long)cases[i].want);
	}
	pc_prefix_index_free(&ix);
}

/* The computation of loader.c before the index: every pair. */
static void spread_pairwise(struct pc_addr_rules *exact, size_t nexact,
			    struct pc_addr_rules *cidrs, size_t ncidr)
{
	for (size_t i = 0; i < ncidr; i++)
		for (size_t j = 0; j < ncidr; j++)
			if (j != i && pc_addr_contains(&cidrs[j].a, &cidrs[i].a))
				for (size_t w = 0; w < PC_MASK_WORDS; w++)
					cidrs[i].mask.w[w] |= cidrs[j].mask.w[w];
	for (size_t i = 0; ncidr && i < nexact; i++)
		for (size_t j = 0; j < ncidr; j++)
			if (pc_addr_contains(&cidrs[j].a, &exact[i].a))
				for (size_t w = 0; w < PC_MASK_WORDS; w++)
					exact[i].mask.w[w] |= cidrs[j].mask.w[w];
}

static uint64_t rng = 88172645463325252ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Addresses from a small space so that prefixes nest and overlap often. */
static struct pc_addr random_addr(bool host)
{
	struct pc_addr a = { 0 };
	bool v6 = next_rand() % 3 == 0;
	int max = v6 ? 128 : 32;

	a.family = v6 ? AF_INET6 : AF_INET;
	if (v6) {
		a.bytes[0] = 0x20;
		a.bytes[1] = 0x01;
		a.bytes[2] = 0x0d;
		a.bytes[3] = 0xb8;
		a.bytes[4] = (uint8_t)(next_rand() % 4);
		a.bytes[15] = (uint8_t)(next_rand() % 8);
	} else {
		a.bytes[0] = 198;
		a.bytes[1] = 51;
		a.bytes[2] = (uint8_t)(100 + next_rand() % 2);
		a.bytes[3] = (uint8_t)(next_rand() % 16 * 16 + next_rand() % 4);
	}
	a.prefix = (uint8_t)(host ? (uint64_t)max : next_rand() % (uint64_t)(max + 1));
	/* Network address only, as the policy reader guarantees. */
	for (int bit = a.prefix; bit < 128; bit++)
		a.bytes[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
	return a;
}

static int cmp_entry(const void *x, const void *y)
{
	const struct pc_addr_rules *a = x, *b = y;

	return pc_addr_cmp(&a->a, &b->a);
}

/* Random entries, unique like the loader's, each naming one or two rules. */
static size_t random_set(struct pc_addr_rules *v, size_t n, bool host)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].a = random_addr(host);
		v[i].mask.w[next_rand() % PC_MASK_WORDS] |= 1ull << (next_rand() % 64);
		v[i].mask.w[0] |= 1ull << (next_rand() % 64);
	}
	qsort(v, n, sizeof(*v), cmp_entry);
	for (size_t i = 0; i < n; i++)
		if (!out || cmp_entry(&v[out - 1], &v[i]))
			v[out++] = v[i];
	return out;
}

static void test_spread_matches_pairwise(void **state)
{
	enum { ROUNDS = 300, MAXN = 200 };
	struct pc_addr_rules ex[MAXN], cx[MAXN], ey[MAXN], cy[MAXN], ez[MAXN], cz[MAXN];
	size_t grown = 0; /* entries that took rules from a prefix */

	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		size_t nexact = random_set(ex, next_rand() % MAXN, true);
		size_t ncidr = random_set(cx, next_rand() % (round % 4 ? 40 : MAXN), false);

		memcpy(ey, ex, sizeof(ex));
		memcpy(cy, cx, sizeof(cx));
		memcpy(ez, ex, sizeof(ex));
		memcpy(cz, cx, sizeof(cx));
		spread_pairwise(ex, nexact, cx, ncidr);
		pc_spread_prefix_rules(ey, nexact, cy, ncidr);
		for (size_t i = 0; i < nexact; i++) {
			assert_memory_equal(&ex[i].mask, &ey[i].mask, sizeof(ex[i].mask));
			grown += memcmp(&ex[i].mask, &ez[i].mask, sizeof(ex[i].mask)) != 0;
		}
		for (size_t i = 0; i < ncidr; i++) {
			assert_memory_equal(&cx[i].mask, &cy[i].mask, sizeof(cx[i].mask));
			grown += memcmp(&cx[i].mask, &cz[i].mask, sizeof(cx[i].mask)) != 0;
		}
	}
	/* The random sets must exercise containment, or the test shows nothing. */
	printf("# %zu entries took rules from prefixes\n", grown);
	assert_true(grown > ROUNDS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_containing),
		cmocka_unit_test(test_spread_matches_pairwise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
