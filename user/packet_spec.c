// SPDX-License-Identifier: GPL-2.0-only
#include "packet_spec.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "yaml_schema.h"

static int parse_endpoint(const char *s, size_t len, struct pc_addr *addr,
			  uint16_t *port, const char **why)
{
	char buf[80];
	const char *colon, *host, *ps;
	size_t hlen;
	uint64_t v;

	if (len == 0 || len >= sizeof(buf)) {
		*why = "an end is missing or too long (write ADDRESS:PORT)";
		return -EINVAL;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close || close[1] != ':') {
			*why = "an IPv6 end must be written [ADDRESS]:PORT";
			return -EINVAL;
		}
		*close = '\0';
		host = buf + 1;
		ps = close + 2;
	} else {
		colon = strrchr(buf, ':');
		if (!colon || strchr(buf, ':') != colon) {
			*why = "an end must be ADDRESS:PORT (IPv6 in brackets)";
			return -EINVAL;
		}
		buf[colon - buf] = '\0';
		host = buf;
		ps = colon + 1;
	}
	hlen = strlen(host);
	if (hlen == 0 || strchr(host, '/') || pc_addr_parse(host, addr, why)) {
		if (!*why || strchr(host, '/'))
			*why = "an end's address must be one IPv4 or IPv6 address";
		return -EINVAL;
	}
	if (!pc_parse_u64(ps, &v) || v > 65535) {
		*why = "a port must be a number from 0 to 65535";
		return -EINVAL;
	}
	*port = (uint16_t)v;
	return 0;
}

int pc_packet_spec_parse(const char *text, struct pc_packet_spec *out,
			 const char **why)
{
	const char *p = text, *src, *gt, *dst;
	size_t srclen, dstlen;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	while (*p == ' ')
		p++;
	if (strncmp(p, "tcp ", 4) == 0) {
		out->proto = IPPROTO_TCP;
	} else if (strncmp(p, "udp ", 4) == 0) {
		out->proto = IPPROTO_UDP;
	} else {
		*why = "a packet starts with tcp or udp, e.g. 'tcp 198.51.100.7:40000 > 192.0.2.10:22015'";
		return -EINVAL;
	}
	p += 4;
	while (*p == ' ')
		p++;
	src = p;
	gt = strchr(p, '>');
	if (!gt) {
		*why = "write the packet as 'PROTO SRC:PORT > DST:PORT'";
		return -EINVAL;
	}
	srclen = (size_t)(gt - src);
	while (srclen && src[srclen - 1] == ' ')
		srclen--;
	dst = gt + 1;
	while (*dst == ' ')
		dst++;
	dstlen = strlen(dst);
	while (dstlen && dst[dstlen - 1] == ' ')
		dstlen--;
	if (parse_endpoint(src, srclen, &out->src, &out->sport, why) ||
	    parse_endpoint(dst, dstlen, &out->dst, &out->dport, why))
		return -EINVAL;
	if (out->src.family != out->dst.family) {
		*why = "source and destination must both be IPv4 or both IPv6";
		return -EINVAL;
	}
	return 0;
}
