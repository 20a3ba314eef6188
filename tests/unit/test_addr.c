// SPDX-License-Identifier: GPL-2.0-only
/* Addresses and prefixes: parse, format, contains, broadcast. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "testutil.h"

static void test_parse_ok(void **state)
{
	static const struct {
		const char *in;
		int family, prefix;
		const char *out; /* formatted back */
	} cases[] = {
		{ "192.0.2.1", AF_INET, 32, "192.0.2.1" },
		{ "192.0.2.1/32", AF_INET, 32, "192.0.2.1" },
		{ "198.51.100.0/24", AF_INET, 24, "198.51.100.0/24" },
		{ "192.0.2.64/26", AF_INET, 26, "192.0.2.64/26" },
		{ "203.0.113.0/30", AF_INET, 30, "203.0.113.0/30" },
		{ "0.0.0.0", AF_INET, 32, "0.0.0.0" },
		{ "0.0.0.0/0", AF_INET, 0, "0.0.0.0/0" },
		{ "255.255.255.255", AF_INET, 32, "255.255.255.255" },
		{ "2001:db8::1", AF_INET6, 128, "2001:db8::1" },
		{ "2001:db8::/32", AF_INET6, 32, "2001:db8::/32" },
		{ "2001:db8:0:2::/64", AF_INET6, 64, "2001:db8:0:2::/64" },
		{ "2001:0db8:0000:0000:0000:0000:0000:0010", AF_INET6, 128, "2001:db8::10" },
		{ "2001:db8::1/128", AF_INET6, 128, "2001:db8::1" },
		{ "::/0", AF_INET6, 0, "::/0" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct pc_addr a;
		const char *why = "unset";
		char buf[PC_ADDR_STRLEN];

		if (pc_addr_parse(cases[i].in, &a, &why) != 0)
			fail_msg("'%s' should parse: %s", cases[i].in, why ? why : "?");
		assert_int_equal(a.family, cases[i].family);
		assert_int_equal(a.prefix, cases[i].prefix);
		assert_string_equal(pc_addr_format(&a, buf), cases[i].out);
		assert_int_equal(pc_addr_is_host(&a), cases[i].prefix == (cases[i].family == AF_INET ? 32 : 128));
	}
}

static void test_parse_bad(void **state)
{
	static const struct {
		const char *in;
		const char *why; /* a word the reason must hold */
	} cases[] = {
		{ "", "address" },
		{ "192.0.2", "address" },
		{ "192.0.2.256", "address" },
		{ "192.0.2.1.5", "address" },
		{ "mgr.example", "address" },
		{ " 192.0.2.1", "address" },
		{ "192.0.2.1 ", "address" },
		{ "/24", "address" },
		{ "198.51.100.1/24", "host bits" },
		{ "192.0.2.1/31", "host bits" },
		{ "192.0.2.0/33", "32" },
		{ "192.0.2.0/", "prefix" },
		{ "192.0.2.0/a", "prefix" },
		{ "192.0.2.0/-1", "prefix" },
		{ "192.0.2.0/24/8", "prefix" },
		{ "192.0.2.0/1000", "prefix" },
		{ "2001:db8::/129", "128" },
		{ "2001:db8::1/64", "host bits" },
		{ "2001:db8:::1", "address" },
		{ "2001:db8::g", "address" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct pc_addr a;
		const char *why = NULL;

		if (pc_addr_parse(cases[i].in, &a, &why) != -EINVAL)
			fail_msg("'%s' should be refused", cases[i].in);
		if (!why || !strstr(why, cases[i].why))
			fail_msg("'%s': reason '%s' should mention '%s'", cases[i].in,
				 why ? why : "(none)", cases[i].why);
	}
}

static void test_contains(void **state)
{
	static const struct {
		const char *net, *a;
		bool want;
	} cases[] = {
		{ "198.51.100.0/24", "198.51.100.7", true },
		{ "198.51.100.0/24", "198.51.100.0", true },
		{ "198.51.100.0/24", "198.51.100.255", true },
		{ "198.51.100.0/24", "198.51.101.0", false },
		{ "198.51.100.0/24", "198.51.99.255", false },
		{ "198.51.100.0/24", "198.51.100.128/25", true },
		{ "198.51.100.0/24", "198.51.100.0/24", true },
		{ "198.51.100.0/24", "198.51.100.0/23", false },
		{ "192.0.2.64/26", "192.0.2.127", true },
		{ "192.0.2.64/26", "192.0.2.128", false },
		{ "192.0.2.64/26", "192.0.2.63", false },
		{ "192.0.2.10", "192.0.2.10", true },
		{ "192.0.2.10", "192.0.2.11", false },
		{ "0.0.0.0/0", "203.0.113.9", true },
		{ "0.0.0.0/0", "2001:db8::1", false },
		{ "2001:db8::/32", "2001:db8:ffff::1", true },
		{ "2001:db8::/32", "2001:db9::1", false },
		{ "2001:db8::/32", "192.0.2.1", false },
		{ "2001:db8::10", "2001:db8::10", true },
		{ "2001:db8::10", "2001:db8::11", false },
		{ "::/0", "2001:db8::1", true },
		{ "::/0", "0.0.0.0", false },
		{ "203.0.113.0/28", "203.0.113.15", true },
		{ "203.0.113.0/28", "203.0.113.16", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct pc_addr net = tu_addr(cases[i].net), a = tu_addr(cases[i].a);

		if (pc_addr_contains(&net, &a) != cases[i].want)
			fail_msg("%s contains %s: should be %d", cases[i].net, cases[i].a,
				 cases[i].want);
	}
}

static void test_broadcast(void **state)
{
	static const struct {
		const char *net, *bcast;
	} cases[] = {
		{ "198.51.100.0/24", "198.51.100.255" },
		{ "192.0.2.64/26", "192.0.2.127" },
		{ "198.51.100.128/25", "198.51.100.255" },
		{ "198.51.100.0/25", "198.51.100.127" },
		{ "203.0.113.0/30", "203.0.113.3" },
		{ "203.0.113.8/29", "203.0.113.15" },
		{ "192.0.0.0/16", "192.0.255.255" },
		{ "0.0.0.0/0", "255.255.255.255" },
		{ "192.0.2.7", "192.0.2.7" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct pc_addr net = tu_addr(cases[i].net);
		struct pc_addr b = pc_addr_broadcast(&net), want = tu_addr(cases[i].bcast);
		char buf[PC_ADDR_STRLEN];

		if (!pc_addr_equal(&b, &want))
			fail_msg("broadcast of %s is %s, should be %s", cases[i].net,
				 pc_addr_format(&b, buf), cases[i].bcast);
		assert_true(pc_addr_is_host(&b));
	}
}

static void test_equal_and_v4(void **state)
{
	struct pc_addr a = tu_addr("192.0.2.1"), b = pc_addr_v4(0xc0000201u);
	struct pc_addr net = tu_addr("192.0.2.0/24"), host0 = tu_addr("192.0.2.0");
	struct pc_addr v6 = tu_addr("::ffff:192.0.2.1");
	char buf[PC_ADDR_STRLEN];

	(void)state;
	assert_true(pc_addr_equal(&a, &b));
	assert_false(pc_addr_equal(&net, &host0));
	assert_false(pc_addr_equal(&a, &v6));
	assert_false(pc_addr_contains(&net, &v6));
	b = pc_addr_v4(0);
	assert_string_equal(pc_addr_format(&b, buf), "0.0.0.0");
	b = pc_addr_v4(0xffffffffu);
	assert_string_equal(pc_addr_format(&b, buf), "255.255.255.255");
	assert_int_equal(b.family, AF_INET);
	assert_int_equal(b.prefix, 32);
	assert_int_equal(pc_addr_maxlen(&a), 32);
	assert_int_equal(pc_addr_maxlen(&v6), 128);
}

/* The order sorted sets and searches rely on: family, length, bytes. */
static void test_order(void **state)
{
	static const struct {
		const char *a, *b;
		int sign;
	} cases[] = {
		{ "192.0.2.1", "192.0.2.1", 0 },
		{ "192.0.2.1", "192.0.2.2", -1 },
		{ "198.51.100.0/24", "192.0.2.1", -1 },  /* shorter prefix first */
		{ "203.0.113.0/24", "198.51.100.0/25", -1 },
		{ "255.255.255.255", "2001:db8::1", -1 }, /* IPv4 before IPv6 */
		{ "2001:db8::2", "2001:db8::1", 1 },
		{ "::/0", "2001:db8::/32", -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct pc_addr a = tu_addr(cases[i].a), b = tu_addr(cases[i].b);
		int c = pc_addr_cmp(&a, &b), r = pc_addr_cmp(&b, &a);

		if ((c > 0) - (c < 0) != cases[i].sign || (r > 0) - (r < 0) != -cases[i].sign)
			fail_msg("%s vs %s: %d, %d", cases[i].a, cases[i].b, c, r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_broadcast),
		cmocka_unit_test(test_equal_and_v4),
		cmocka_unit_test(test_order),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
