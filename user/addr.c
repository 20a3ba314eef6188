// SPDX-License-Identifier: GPL-2.0-only
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static bool host_bits_clear(const struct pc_addr *a)
{
	int len = pc_addr_maxlen(a);

	for (int bit = a->prefix; bit < len; bit++)
		if (a->bytes[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

int pc_addr_parse(const char *s, struct pc_addr *out, const char **why)
{
	char buf[PC_ADDR_STRLEN];
	const char *slash;
	size_t len;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	slash = strchr(s, '/');
	len = slash ? (size_t)(slash - s) : strlen(s);
	if (len == 0 || len >= sizeof(buf)) {
		*why = "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, out->bytes) == 1) {
		out->family = AF_INET;
		out->prefix = 32;
	} else if (inet_pton(AF_INET6, buf, out->bytes) == 1) {
		out->family = AF_INET6;
		out->prefix = 128;
	} else {
		*why = "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	if (slash) {
		const char *p = slash + 1;
		long v = 0;

		if (*p == '\0' || strlen(p) > 3) {
			*why = "the prefix length after '/' is missing or too long";
			return -EINVAL;
		}
		for (; *p; p++) {
			if (*p < '0' || *p > '9') {
				*why = "the prefix length after '/' is not a number";
				return -EINVAL;
			}
			v = v * 10 + (*p - '0');
		}
		if (v > pc_addr_maxlen(out)) {
			*why = out->family == AF_INET ?
				       "an IPv4 prefix length is at most 32" :
				       "an IPv6 prefix length is at most 128";
			return -EINVAL;
		}
		out->prefix = (uint8_t)v;
		if (!host_bits_clear(out)) {
			*why = "host bits are set after the prefix length (write the network address, e.g. 198.51.100.0/24)";
			return -EINVAL;
		}
	}
	return 0;
}

const char *pc_addr_format(const struct pc_addr *a, char buf[PC_ADDR_STRLEN])
{
	char tmp[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->family, a->bytes, tmp, sizeof(tmp)))
		snprintf(tmp, sizeof(tmp), "?");
	if (pc_addr_is_host(a))
		snprintf(buf, PC_ADDR_STRLEN, "%s", tmp);
	else
		snprintf(buf, PC_ADDR_STRLEN, "%s/%u", tmp, a->prefix);
	return buf;
}

bool pc_addr_is_host(const struct pc_addr *a)
{
	return a->prefix == pc_addr_maxlen(a);
}

bool pc_addr_contains(const struct pc_addr *net, const struct pc_addr *a)
{
	if (net->family != a->family || a->prefix < net->prefix)
		return false;
	for (int bit = 0; bit < net->prefix; bit++) {
		uint8_t m = 0x80 >> (bit % 8);

		if ((net->bytes[bit / 8] & m) != (a->bytes[bit / 8] & m))
			return false;
	}
	return true;
}

bool pc_addr_equal(const struct pc_addr *a, const struct pc_addr *b)
{
	return a->family == b->family && a->prefix == b->prefix &&
	       memcmp(a->bytes, b->bytes, 16) == 0;
}

int pc_addr_cmp(const struct pc_addr *a, const struct pc_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

struct pc_addr pc_addr_broadcast(const struct pc_addr *net)
{
	struct pc_addr b = *net;

	for (int bit = net->prefix; bit < pc_addr_maxlen(net); bit++)
		b.bytes[bit / 8] |= 0x80 >> (bit % 8);
	b.prefix = (uint8_t)pc_addr_maxlen(net);
	return b;
}

struct pc_addr pc_addr_v4(uint32_t host_order)
{
	struct pc_addr a = { .family = AF_INET, .prefix = 32 };
	uint32_t be = htonl(host_order);

	memcpy(a.bytes, &be, 4);
	return a;
}

bool pc_addr_from_sockaddr(const struct sockaddr *sa, struct pc_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa && sa->sa_family == AF_INET) {
		out->family = AF_INET;
		out->prefix = 32;
		memcpy(out->bytes, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return true;
	}
	if (sa && sa->sa_family == AF_INET6) {
		out->family = AF_INET6;
		out->prefix = 128;
		memcpy(out->bytes, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}
