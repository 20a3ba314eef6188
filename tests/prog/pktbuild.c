// SPDX-License-Identifier: GPL-2.0-only
#include "pktbuild.h"

#include <arpa/inet.h>
#include <string.h>

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static uint8_t *grow(struct pkt *p, size_t n)
{
	uint8_t *at = p->b + p->len;

	if (p->len + n > PKT_MAX)
		n = 0; /* tests never build that much; keep it safe */
	memset(at, 0, n);
	p->len += n;
	return at;
}

void pkt_eth(struct pkt *p, int nvlans)
{
	static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	uint8_t *e;

	memset(p, 0, sizeof(*p));
	e = grow(p, 14);
	memcpy(e, dst, 6);
	memcpy(e + 6, src, 6);
	for (int i = 0; i < nvlans; i++) {
		uint8_t *t = grow(p, 4);

		put16(t - 2, i == 0 && nvlans > 1 ? 0x88a8 : 0x8100);
		put16(t, (uint16_t)(100 + i));
	}
}

void pkt_eth_src_multicast(struct pkt *p)
{
	p->b[6] |= 1;
}

void pkt_eth_dst_broadcast(struct pkt *p)
{
	memset(p->b, 0xff, 6);
}

void pkt_ethertype(struct pkt *p, uint16_t type)
{
	put16(p->b + p->len - 2, type);
}

void pkt_ip(struct pkt *p, const char *src, const char *dst)
{
	uint8_t *h;

	p->l3 = p->len;
	if (strchr(src, ':')) {
		p->family = 6;
		pkt_ethertype(p, 0x86dd);
		h = grow(p, 40);
		h[0] = 0x60;
		h[7] = 64;
		inet_pton(AF_INET6, src, h + 8);
		inet_pton(AF_INET6, dst, h + 24);
		p->nh = p->l3 + 6;
	} else {
		p->family = 4;
		pkt_ethertype(p, 0x0800);
		h = grow(p, 20);
		h[0] = 0x45;
		h[8] = 64;
		inet_pton(AF_INET, src, h + 12);
		inet_pton(AF_INET, dst, h + 16);
		p->nh = p->l3 + 9;
	}
}

void pkt_ipv4_options(struct pkt *p, size_t n)
{
	uint8_t *o = grow(p, n);

	memset(o, 1, n); /* NOP options */
	p->b[p->l3] = (uint8_t)(0x40 | ((20 + n) / 4));
}

void pkt_ipv4_frag(struct pkt *p, uint16_t offset8, bool mf, uint16_t id)
{
	put16(p->b + p->l3 + 4, id);
	put16(p->b + p->l3 + 6, (uint16_t)((mf ? 0x2000 : 0) | (offset8 & 0x1fff)));
}

void pkt_ipv6_ext(struct pkt *p, uint8_t type, size_t len)
{
	size_t at = p->len;
	uint8_t *h = grow(p, len);

	p->b[p->nh] = type;
	h[1] = (uint8_t)(type == 51 ? len / 4 - 2 : len / 8 - 1);
	if (type != 51 && type != 44 && len >= 8) { /* PadN over the rest */
		h[2] = 1;
		h[3] = (uint8_t)(len - 4);
	}
	p->nh = at;
}

void pkt_ipv6_frag(struct pkt *p, uint16_t offset8, bool mf, uint32_t id)
{
	size_t at = p->len;
	uint8_t *h;

	pkt_ipv6_ext(p, 44, 8);
	h = p->b + at;
	h[1] = 0;
	put16(h + 2, (uint16_t)((offset8 << 3) | (mf ? 1 : 0)));
	put16(h + 4, (uint16_t)(id >> 16));
	put16(h + 6, (uint16_t)id);
}

void pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
	uint8_t *t;

	p->b[p->nh] = 6;
	p->l4 = p->len;
	t = grow(p, 20);
	put16(t, sport);
	put16(t + 2, dport);
	t[12] = 5 << 4;
	t[13] = flags;
	put16(t + 14, 65535);
}

void pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	uint8_t *u;

	p->b[p->nh] = 17;
	p->l4 = p->len;
	u = grow(p, 8);
	put16(u, sport);
	put16(u + 2, dport);
	p->udp = true;
}

void pkt_icmp(struct pkt *p, uint8_t type, uint8_t code, uint16_t id)
{
	uint8_t *i;

	p->b[p->nh] = p->family == 6 ? 58 : 1;
	p->l4 = p->len;
	i = grow(p, 8);
	i[0] = type;
	i[1] = code;
	put16(i + 4, id);
}

void pkt_proto(struct pkt *p, uint8_t proto)
{
	p->b[p->nh] = proto;
	p->l4 = p->len;
}

void pkt_payload(struct pkt *p, size_t n)
{
	uint8_t *d = grow(p, n);

	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)i;
}

void pkt_append_ip(struct pkt *p, const struct pkt *inner)
{
	size_t n = inner->len - inner->l3;

	memcpy(grow(p, n), inner->b + inner->l3, n);
}

void pkt_finish(struct pkt *p)
{
	size_t ip_len = p->len - p->l3;

	if (p->family == 4)
		put16(p->b + p->l3 + 2, (uint16_t)ip_len);
	else if (p->family == 6)
		put16(p->b + p->l3 + 4, (uint16_t)(ip_len - 40));
	if (p->udp)
		put16(p->b + p->l4 + 4, (uint16_t)(p->len - p->l4));
}

void pkt_flow(struct pkt *p, int dir, uint8_t proto, const char *local,
	      uint16_t lport, const char *remote, uint16_t rport, uint8_t flags)
{
	const char *src = dir ? local : remote, *dst = dir ? remote : local;
	uint16_t sport = dir ? lport : rport, dport = dir ? rport : lport;

	pkt_eth(p, 0);
	if (!strcmp(dst, "255.255.255.255"))
		pkt_eth_dst_broadcast(p);
	pkt_ip(p, src, dst);
	if (proto == 6)
		pkt_tcp(p, sport, dport, flags);
	else
		pkt_udp(p, sport, dport);
	pkt_payload(p, 16);
	pkt_finish(p);
}
