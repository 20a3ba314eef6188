/* SPDX-License-Identifier: GPL-2.0-only */
/* A packet written as text: "tcp 198.51.100.7:40000 > 192.0.2.10:22015". */
#ifndef PC_PACKET_SPEC_H
#define PC_PACKET_SPEC_H

#include <stdint.h>

#include "addr.h"

struct pc_packet_spec {
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
	struct pc_addr src;
	struct pc_addr dst;
	uint16_t sport;
	uint16_t dport;
};

/* IPv6 addresses go in brackets: "udp [2001:db8::7]:68 > [2001:db8::1]:67".
 * Returns 0, or -EINVAL with a reason in *why. */
int pc_packet_spec_parse(const char *text, struct pc_packet_spec *out,
			 const char **why);

#endif
