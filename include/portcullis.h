/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the BPF programs and userspace share: map names, fixed-size structs
 * and constants. Included by both sides; nothing else is.
 */
#ifndef PORTCULLIS_H
#define PORTCULLIS_H

#include <linux/types.h>

/* Why a packet was dropped (index of the drop counters). */
enum pc_drop_reason {
	PC_DROP_NONE = 0,
	PC_DROP_NO_RULE,     /* no rule for this protocol, direction and ports */
	PC_DROP_WRONG_PEER,  /* a rule has the ports, not this remote address */
	PC_DROP_MALFORMED,   /* truncated or inconsistent headers */
	PC_DROP_FRAGMENT,    /* fragment whose first fragment was not allowed */
	PC_DROP_NO_CONNTRACK, /* a reply-direction packet with no connection */
	PC_DROP_NON_IP,      /* non-IP frame in strict mode */
	PC_DROP_ICMP,        /* ICMP that is not allowed */
	PC_DROP_REASONS,
};

#endif
