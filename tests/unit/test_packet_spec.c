// SPDX-License-Identifier: GPL-2.0-only
/* Packets written as text: "tcp 198.51.100.7:40000 > 192.0.2.10:22015". */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "packet_spec.h"
#include "testutil.h"

static void test_good(void **state)
{
	static const struct {
		const char *text;
		uint8_t proto;
		const char *src;
		uint16_t sport;
		const char *dst;
		uint16_t dport;
	} cases[] = {
		{ "tcp 198.51.100.7:40000 > 192.0.2.10:22015", IPPROTO_TCP, "198.51.100.7", 40000, "192.0.2.10", 22015 },
		{ "udp 0.0.0.0:68 > 255.255.255.255:67", IPPROTO_UDP, "0.0.0.0", 68, "255.255.255.255", 67 },
		{ "udp [2001:db8::7]:68 > [2001:db8::1]:67", IPPROTO_UDP, "2001:db8::7", 68, "2001:db8::1", 67 },
		{ "tcp [2001:db8:0:2::11]:65535 > [2001:db8::10]:0", IPPROTO_TCP, "2001:db8:0:2::11", 65535, "2001:db8::10", 0 },
		{ "udp 192.0.2.10:1 > 198.51.100.255:5561", IPPROTO_UDP, "192.0.2.10", 1, "198.51.100.255", 5561 },
		{ "tcp 203.0.113.5:1023>192.0.2.10:1024", IPPROTO_TCP, "203.0.113.5", 1023, "192.0.2.10", 1024 },
		{ "  tcp   203.0.113.5:1   >   192.0.2.10:2  ", IPPROTO_TCP, "203.0.113.5", 1, "192.0.2.10", 2 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct pc_packet_spec ps;
		const char *why = NULL;
		struct pc_addr src = tu_addr(cases[i].src), dst = tu_addr(cases[i].dst);

		if (pc_packet_spec_parse(cases[i].text, &ps, &why) != 0)
			fail_msg("'%s' should parse: %s", cases[i].text, why ? why : "?");
		assert_int_equal(ps.proto, cases[i].proto);
		assert_true(pc_addr_equal(&ps.src, &src));
		assert_true(pc_addr_equal(&ps.dst, &dst));
		assert_int_equal(ps.sport, cases[i].sport);
		assert_int_equal(ps.dport, cases[i].dport);
	}
}

static void test_bad(void **state)
{
	static const char *const cases[] = {
		"",
		"tcp",
		"icmp 198.51.100.7:1 > 192.0.2.10:2",
		"sctp 198.51.100.7:1 > 192.0.2.10:2",
		"tcp198.51.100.7:1 > 192.0.2.10:2",
		"tcp 198.51.100.7:40000 192.0.2.10:22015",
		"tcp 198.51.100.7 > 192.0.2.10:22015",
		"tcp 198.51.100.7:40000 > 192.0.2.10",
		"tcp 198.51.100.7: > 192.0.2.10:22015",
		"tcp :40000 > 192.0.2.10:22015",
		"tcp 198.51.100.7:40000 > ",
		"tcp  > 192.0.2.10:22015",
		"tcp 198.51.100.7:65536 > 192.0.2.10:22015",
		"tcp 198.51.100.7:40000 > 192.0.2.10:70000",
		"tcp 198.51.100.7:-1 > 192.0.2.10:22015",
		"tcp 198.51.100.7:4x > 192.0.2.10:22015",
		"tcp 198.51.100.7:99999999999999999999 > 192.0.2.10:22015",
		"tcp 198.51.100.300:1 > 192.0.2.10:22015",
		"tcp 198.51.100.0/24:1 > 192.0.2.10:22015",
		"tcp 198.51.100.7:40000 > 192.0.2.10:22015 extra",
		"tcp 198.51.100.7:1 > 192.0.2.10:2 > 192.0.2.11:3",
		"udp 2001:db8::7:68 > [2001:db8::1]:67",
		"udp [2001:db8::7]68 > [2001:db8::1]:67",
		"udp [2001:db8::7:68 > [2001:db8::1]:67",
		"udp [2001:db8::/64]:68 > [2001:db8::1]:67",
		"udp []:68 > [2001:db8::1]:67",
		"tcp 198.51.100.7:40000 > [2001:db8::1]:22",
		"tcp [2001:db8::7]:40000 > 192.0.2.10:22",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct pc_packet_spec ps;
		const char *why = NULL;

		if (pc_packet_spec_parse(cases[i], &ps, &why) != -EINVAL)
			fail_msg("'%s' should be refused", cases[i]);
		if (!why || !*why)
			fail_msg("'%s': refused without a reason", cases[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests_name("packet_spec", tests, NULL, NULL);
}
