// SPDX-License-Identifier: GPL-2.0-only
/*
 * The same address in hosts of different kinds (check warns: the peer
 * there gets the flows of both roles). Each case: hosts as "name kinds
 * addresses" lines, and the pairs expected as "address first other".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void test_shared_addrs(void **state)
{
	static const struct {
		const char *name;
		const char *hosts[5]; /* name|kinds|addresses */
		const char *want;     /* "addr first other; ..." in the other's order */
	} cases[] = {
		{ "none", { "a|linux|198.51.100.1", "b|windows|198.51.100.2" }, "" },
		{ "different roles", { "a|linux|198.51.100.1", "b|windows|198.51.100.1" },
		  "198.51.100.1 a b" },
		{ "same role is not warned", { "a|linux|198.51.100.1", "b|linux|198.51.100.1" }, "" },
		{ "a prefix and an address in it are not equal",
		  { "a|linux|198.51.100.0/24", "b|windows|198.51.100.1" }, "" },
		{ "equal prefixes", { "a|linux|198.51.100.0/24", "b|windows|198.51.100.0/24" },
		  "198.51.100.0/24 a b" },
		{ "IPv6", { "a|linux|2001:db8::1", "b|esxi|2001:db8::1" }, "2001:db8::1 a b" },
		{ "three hosts, the same-role one paired with the first unlike it",
		  { "a|linux|198.51.100.1", "b|linux|198.51.100.1", "c|windows|198.51.100.1" },
		  "198.51.100.1 a c" },
		{ "first unlike for a later like host",
		  { "a|linux|198.51.100.1", "c|windows|198.51.100.1", "b|linux|198.51.100.1" },
		  "198.51.100.1 a c; 198.51.100.1 c b" },
		{ "kinds that overlap still differ",
		  { "a|linux|198.51.100.1", "b|linux, esxi|198.51.100.1" }, "198.51.100.1 a b" },
		{ "several addresses", { "a|linux|198.51.100.1, 198.51.100.2",
					 "b|windows|198.51.100.2, 198.51.100.1" },
		  "198.51.100.1 a b; 198.51.100.2 a b" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char site[2048] = "site: unit\nhosts:\n", got[512] = "";
		struct pc_shared_addr *v;
		struct pc_policy p;
		size_t n;

		for (size_t h = 0; h < 5 && cases[i].hosts[h]; h++) {
			char name[32], kinds[64], addrs[128];

			assert_int_equal(sscanf(cases[i].hosts[h], "%31[^|]|%63[^|]|%127[^\n]",
						name, kinds, addrs), 3);
			char *save, *tok;
			const char *sep = "";

			snprintf(site + strlen(site), sizeof(site) - strlen(site),
				 "  - {name: %s, kinds: [%s], addresses: [", name, kinds);
			for (tok = strtok_r(addrs, ", ", &save); tok;
			     tok = strtok_r(NULL, ", ", &save), sep = ", ")
				snprintf(site + strlen(site), sizeof(site) - strlen(site),
					 "%s\"%s\"", sep, tok);
			snprintf(site + strlen(site), sizeof(site) - strlen(site), "]}\n");
		}
		tu_load_ok(&p, site);
		n = pc_policy_shared_addrs(&p, &v);
		for (size_t j = 0; j < n; j++) {
			char a[PC_ADDR_STRLEN];

			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s %s %s",
				 j ? "; " : "", pc_addr_format(&v[j].addr, a),
				 v[j].first->name, v[j].other->name);
		}
		if (strcmp(got, cases[i].want))
			fail_msg("%s: got '%s', want '%s'", cases[i].name, got, cases[i].want);
		free(v);
		pc_policy_free(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_addrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
