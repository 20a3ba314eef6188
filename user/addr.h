/* SPDX-License-Identifier: GPL-2.0-only */
/* IPv4/IPv6 addresses and prefixes as written in policy files. */
#ifndef PC_ADDR_H
#define PC_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* An address with a prefix length: a single host has the full length. */
struct pc_addr {
	uint8_t family;    /* AF_INET or AF_INET6 */
	uint8_t prefix;    /* 0..32 or 0..128 */
	uint8_t bytes[16]; /* network byte order; IPv4 in the first 4 */
};

#define PC_ADDR_STRLEN 64

/*
 * Parses "192.0.2.1", "198.51.100.0/24", "2001:db8::1", "2001:db8::/32".
 * Returns 0, or -EINVAL with a reason in *why (static text).
 */
int pc_addr_parse(const char *s, struct pc_addr *out, const char **why);
/* Writes the address, with "/len" unless it is a single host. */
const char *pc_addr_format(const struct pc_addr *a, char buf[PC_ADDR_STRLEN]);

static inline int pc_addr_maxlen(const struct pc_addr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

bool pc_addr_is_host(const struct pc_addr *a);
/* Whether net (a prefix) contains a (a prefix or host). */
bool pc_addr_contains(const struct pc_addr *net, const struct pc_addr *a);
bool pc_addr_equal(const struct pc_addr *a, const struct pc_addr *b);
/* Order by family, prefix length, then bytes (for sorting and searching). */
int pc_addr_cmp(const struct pc_addr *a, const struct pc_addr *b);
/* The directed broadcast of an IPv4 prefix (its last address). */
struct pc_addr pc_addr_broadcast(const struct pc_addr *net);
struct pc_addr pc_addr_v4(uint32_t host_order);
/* The host address of an AF_INET or AF_INET6 socket address (getifaddrs);
 * false for other families. */
bool pc_addr_from_sockaddr(const struct sockaddr *sa, struct pc_addr *out);

#endif
