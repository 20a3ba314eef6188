/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Packet parsing, kernel side. Contract:
 *
 * pc_parse(data, data_end, frame_len, tags_outside, pkt) walks Ethernet, up
 * to two VLAN tags (802.1Q, 802.1ad) counting tags_outside, the ones the
 * kernel already took out of the frame into its metadata (TC: an skb's
 * accelerated outer tag), IPv4 (options skipped), IPv6 (at most
 * PC_MAX_EXTHDRS extension headers: hop-by-hop first only, routing,
 * fragment, destination options, AH), then TCP, UDP, ICMP or ICMPv6, and
 * for ICMP errors the inner IP header and the first 8 bytes after it.
 * frame_len is the frame's length (skb->len in TC, where data_end may stop
 * short of it); IP length fields are checked against it.
 *
 * Returns PC_DROP_NONE with *pkt filled, or the drop reason:
 * PC_DROP_MALFORMED (truncated or inconsistent headers, a third VLAN tag,
 * more than PC_MAX_EXTHDRS extension headers, more than PC_MAX_L4_OFF
 * bytes before the L4 header), or
 * PC_DROP_BAD_FRAGMENT (IPv4 fragment at offset 1, a first fragment too
 * short for its L4 header or, for IPv6, for its header chain).
 *
 * In *pkt addresses, ports, the ICMP echo id and the fragment id stay in
 * network byte order; eth_proto, tcp_flags and ICMP type/code are host
 * order. family is 0 for a frame that is not IP.
 */
#ifndef PC_BPF_PARSING_H
#define PC_BPF_PARSING_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"

/* ICMPv4 types (RFC 792). Not from <linux/icmp.h>: it includes
 * <linux/if.h>, which pulls glibc's <sys/socket.h> into the BPF build. */
#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_REDIRECT 5
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12

#define PC_MAX_VLANS 2
#define PC_MAX_EXTHDRS 8
#define PC_MAX_L4_OFF 1023 /* bytes from the frame's start to L4, at most */

enum pc_frag_kind { PC_FRAG_NONE = 0, PC_FRAG_FIRST, PC_FRAG_LATER };

#define PC_TCP_FIN 0x01
#define PC_TCP_SYN 0x02
#define PC_TCP_RST 0x04
#define PC_TCP_PSH 0x08
#define PC_TCP_ACK 0x10
#define PC_TCP_URG 0x20

/* The inner header of an ICMP error: the packet that caused it. */
struct pc_inner {
	__u8 proto;
	__u8 _pad;
	__be16 sport; /* ICMP echo: the identifier */
	__be16 dport; /* ICMP echo: 0 */
	__u16 _pad2;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct pc_pkt {
	__u8 family;    /* 0, PC_AF_INET, PC_AF_INET6 */
	__u8 proto;     /* L4 protocol after the extension headers */
	__u8 frag;      /* enum pc_frag_kind */
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 eth_src_multicast;
	__u8 eth_dst_broadcast;
	__u8 has_inner; /* an ICMP error with a parsed inner header */
	__u8 hop_limit; /* IPv4 TTL, IPv6 hop limit */
	__u16 eth_proto; /* host order, after the VLAN tags */
	__be16 sport;   /* ICMP echo: the identifier */
	__be16 dport;
	__be32 frag_id;
	__u8 saddr[16];
	__u8 daddr[16];
	struct pc_inner inner;
};

struct pc_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

static __always_inline int pc_is_icmp_error(__u8 family, __u8 type)
{
	if (family == PC_AF_INET)
		return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
		       type == ICMP_PARAMETERPROB;
	return type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG ||
	       type == ICMPV6_TIME_EXCEED || type == ICMPV6_PARAMPROB;
}

/* Ports (or echo id) of an inner packet; short inner data is malformed. */
static __always_inline int pc_parse_inner_l4(void *cur, void *data_end,
					     struct pc_inner *in)
{
	__u8 *l4 = cur;

	if ((void *)(l4 + 8) > data_end)
		return PC_DROP_MALFORMED;
	if (in->proto == IPPROTO_TCP || in->proto == IPPROTO_UDP) {
		__builtin_memcpy(&in->sport, l4, 2);
		__builtin_memcpy(&in->dport, l4 + 2, 2);
	} else if (in->proto == IPPROTO_ICMP || in->proto == IPPROTO_ICMPV6) {
		__builtin_memcpy(&in->sport, l4 + 4, 2);
		in->dport = 0;
	}
	return PC_DROP_NONE;
}

static __always_inline int pc_parse_inner(void *cur, void *data_end,
					  struct pc_pkt *p)
{
	struct pc_inner *in = &p->inner;

	if (p->family == PC_AF_INET) {
		struct iphdr *ip = cur;
		__u32 hlen;

		if ((void *)(ip + 1) > data_end)
			return PC_DROP_MALFORMED;
		if (ip->version != 4 || ip->ihl < 5)
			return PC_DROP_MALFORMED;
		hlen = ip->ihl * 4;
		in->proto = ip->protocol;
		__builtin_memcpy(in->saddr, &ip->saddr, 4);
		__builtin_memcpy(in->daddr, &ip->daddr, 4);
		cur += hlen;
	} else {
		struct ipv6hdr *ip6 = cur;

		if ((void *)(ip6 + 1) > data_end)
			return PC_DROP_MALFORMED;
		if (ip6->version != 6)
			return PC_DROP_MALFORMED;
		/* Extension headers in the inner packet are not walked: the
		 * error then matches no connection and is dropped as ICMP. */
		in->proto = ip6->nexthdr;
		__builtin_memcpy(in->saddr, &ip6->saddr, 16);
		__builtin_memcpy(in->daddr, &ip6->daddr, 16);
		cur = ip6 + 1;
	}
	p->has_inner = 1;
	return pc_parse_inner_l4(cur, data_end, in);
}

/*
 * L4 header at cur with l4len bytes of IP payload in this packet. short_reason
 * is what a too-short header means: malformed, or a bad first fragment.
 */
static __always_inline int pc_parse_l4(void *cur, void *data_end, __u32 l4len,
				       int short_reason, struct pc_pkt *p)
{
	if (p->proto == IPPROTO_TCP) {
		struct tcphdr *th = cur;

		if (l4len < sizeof(*th) || (void *)(th + 1) > data_end)
			return short_reason;
		if (th->doff < 5 || th->doff * 4u > l4len)
			return short_reason;
		p->sport = th->source;
		p->dport = th->dest;
		p->tcp_flags = ((__u8 *)th)[13];
		return PC_DROP_NONE;
	}
	if (p->proto == IPPROTO_UDP) {
		struct udphdr *uh = cur;
		__u16 ulen;

		if (l4len < sizeof(*uh) || (void *)(uh + 1) > data_end)
			return short_reason;
		ulen = bpf_ntohs(uh->len);
		if (p->frag == PC_FRAG_NONE && (ulen < sizeof(*uh) || ulen > l4len))
			return PC_DROP_MALFORMED;
		p->sport = uh->source;
		p->dport = uh->dest;
		return PC_DROP_NONE;
	}
	if ((p->proto == IPPROTO_ICMP && p->family == PC_AF_INET) ||
	    (p->proto == IPPROTO_ICMPV6 && p->family == PC_AF_INET6)) {
		__u8 *ih = cur;

		if (l4len < 8 || (void *)(ih + 8) > data_end)
			return short_reason;
		p->icmp_type = ih[0];
		p->icmp_code = ih[1];
		__builtin_memcpy(&p->sport, ih + 4, 2); /* echo identifier */
		p->dport = 0;
		if (pc_is_icmp_error(p->family, p->icmp_type) &&
		    p->frag == PC_FRAG_NONE)
			return pc_parse_inner(ih + 8, data_end, p);
		return PC_DROP_NONE;
	}
	/* Another protocol: no ports; the pipeline decides. */
	return PC_DROP_NONE;
}

/*
 * Where the L4 header is, for pc_parse to parse once for both families (one
 * call site keeps the verifier's work small): offset from data, bytes of
 * IP payload, and what a too-short header means. off 0: nothing to parse.
 */
struct pc_l4_at {
	__u32 off;
	__u32 len;
	int short_reason;
};

static __always_inline int pc_parse_ipv4(void *data, void *cur, void *data_end,
					 __u32 remaining, struct pc_pkt *p,
					 struct pc_l4_at *at)
{
	struct iphdr *ip = cur;
	__u32 hlen, tot;
	__u16 frag_off;

	if ((void *)(ip + 1) > data_end)
		return PC_DROP_MALFORMED;
	if (ip->version != 4 || ip->ihl < 5)
		return PC_DROP_MALFORMED;
	hlen = ip->ihl * 4;
	tot = bpf_ntohs(ip->tot_len);
	if (tot == 0 && remaining > 0xffff)
		tot = 0xffff; /* BIG TCP GSO packet: enough for the headers */
	if (tot < hlen || tot > remaining)
		return PC_DROP_MALFORMED;
	if (cur + hlen > data_end)
		return PC_DROP_MALFORMED;
	p->family = PC_AF_INET;
	p->proto = ip->protocol;
	p->hop_limit = ip->ttl;
	__builtin_memcpy(p->saddr, &ip->saddr, 4);
	__builtin_memcpy(p->daddr, &ip->daddr, 4);

	frag_off = bpf_ntohs(ip->frag_off);
	if (frag_off & 0x3fff) { /* MF or an offset */
		__u16 offset = frag_off & 0x1fff;

		p->frag_id = (__be32)ip->id;
		if (offset == 1) /* RFC 1858: rewrites the TCP flags */
			return PC_DROP_BAD_FRAGMENT;
		if (offset) {
			p->frag = PC_FRAG_LATER;
			return PC_DROP_NONE;
		}
		p->frag = PC_FRAG_FIRST;
	}
	at->off = cur + hlen - data;
	at->len = tot - hlen;
	at->short_reason = p->frag == PC_FRAG_FIRST ? PC_DROP_BAD_FRAGMENT :
						      PC_DROP_MALFORMED;
	return PC_DROP_NONE;
}

static __always_inline int pc_parse_ipv6(void *data, void *cur, void *data_end,
					 __u32 remaining, struct pc_pkt *p,
					 struct pc_l4_at *at)
{
	struct ipv6hdr *ip6 = cur;
	__u32 left, off;
	__u8 nh;
	int i;

	if ((void *)(ip6 + 1) > data_end)
		return PC_DROP_MALFORMED;
	if (ip6->version != 6)
		return PC_DROP_MALFORMED;
	left = bpf_ntohs(ip6->payload_len);
	if (left == 0 && remaining > 0xffff + sizeof(*ip6))
		left = 0xffff; /* BIG TCP GSO packet: enough for the headers */
	if (sizeof(*ip6) + left > remaining)
		return PC_DROP_MALFORMED;
	p->family = PC_AF_INET6;
	p->hop_limit = ip6->hop_limit;
	__builtin_memcpy(p->saddr, &ip6->saddr, 16);
	__builtin_memcpy(p->daddr, &ip6->daddr, 16);
	nh = ip6->nexthdr;
	off = (void *)(ip6 + 1) - data;

	/*
	 * The walk keeps a masked offset, not a packet pointer, so every path
	 * through one header leaves the same state behind and the verifier
	 * prunes instead of following each combination of header types.
	 */
	for (i = 0; i < PC_MAX_EXTHDRS; i++) {
		__u8 *h;
		__u32 len;

		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
		    nh != IPPROTO_DSTOPTS && nh != IPPROTO_FRAGMENT &&
		    nh != IPPROTO_AH)
			break;
		if (nh == IPPROTO_HOPOPTS && i != 0) /* RFC 8200 4.1 */
			return PC_DROP_MALFORMED;
		if (off > PC_MAX_L4_OFF)
			return PC_DROP_MALFORMED;
		asm volatile("" : "+r"(off), "+r"(left));
		off &= PC_MAX_L4_OFF;
		left &= 0xffff;
		h = data + off;
		if ((void *)(h + 8) > data_end || left < 8)
			return p->frag == PC_FRAG_FIRST ? PC_DROP_BAD_FRAGMENT :
							  PC_DROP_MALFORMED;
		if (nh == IPPROTO_FRAGMENT) {
			__u16 off_m = (h[2] << 8) | h[3];

			if (p->frag != PC_FRAG_NONE) /* two fragment headers */
				return PC_DROP_MALFORMED;
			__builtin_memcpy(&p->frag_id, h + 4, 4);
			if (off_m >> 3) {
				p->frag = PC_FRAG_LATER;
				p->proto = h[0];
				return PC_DROP_NONE;
			}
			if (off_m & 1)
				p->frag = PC_FRAG_FIRST;
			len = 8;
		} else if (nh == IPPROTO_AH) {
			len = (h[1] + 2) * 4;
		} else {
			len = (h[1] + 1) * 8;
		}
		if (len > left)
			return p->frag == PC_FRAG_FIRST ? PC_DROP_BAD_FRAGMENT :
							  PC_DROP_MALFORMED;
		nh = h[0];
		off += len;
		left -= len;
	}
	if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	    nh == IPPROTO_DSTOPTS || nh == IPPROTO_FRAGMENT || nh == IPPROTO_AH)
		return PC_DROP_MALFORMED; /* too many extension headers */
	p->proto = nh;
	if (nh == IPPROTO_NONE)
		return PC_DROP_NONE;
	at->off = off;
	at->len = left;
	at->short_reason = p->frag == PC_FRAG_FIRST ? PC_DROP_BAD_FRAGMENT :
						      PC_DROP_MALFORMED;
	return PC_DROP_NONE;
}

static __always_inline int pc_parse(void *data, void *data_end, __u32 frame_len,
				    __u32 tags_outside, struct pc_pkt *p)
{
	struct ethhdr *eth = data;
	struct pc_l4_at at = {};
	__u32 off;
	void *cur;
	__be16 proto;
	int i, reason, tags = (int)tags_outside;

	if ((void *)(eth + 1) > data_end)
		return PC_DROP_MALFORMED;
	p->eth_src_multicast = eth->h_source[0] & 1;
	p->eth_dst_broadcast = (eth->h_dest[0] & eth->h_dest[1] & eth->h_dest[2] &
				eth->h_dest[3] & eth->h_dest[4] & eth->h_dest[5]) == 0xff;
	proto = eth->h_proto;
	cur = eth + 1;
#pragma unroll
	for (i = 0; i < PC_MAX_VLANS; i++) {
		struct pc_vlan_hdr *vh = cur;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end)
			return PC_DROP_MALFORMED;
		proto = vh->proto;
		cur = vh + 1;
		tags++;
	}
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD) ||
	    tags > PC_MAX_VLANS)
		return PC_DROP_MALFORMED; /* a third tag */
	p->eth_proto = bpf_ntohs(proto);
	if (frame_len < (__u32)(cur - data))
		return PC_DROP_MALFORMED;
	if (proto == bpf_htons(ETH_P_IP))
		reason = pc_parse_ipv4(data, cur, data_end, frame_len - (cur - data), p, &at);
	else if (proto == bpf_htons(ETH_P_IPV6))
		reason = pc_parse_ipv6(data, cur, data_end, frame_len - (cur - data), p, &at);
	else
		return PC_DROP_NONE;
	if (reason != PC_DROP_NONE || !at.off)
		return reason;
	/* Headers up to L4 longer than this are not walked: malformed. The
	 * mask makes every path here look alike to the verifier. */
	off = at.off;
	if (off > PC_MAX_L4_OFF)
		return PC_DROP_MALFORMED;
	asm volatile("" : "+r"(off)); /* keep the mask: clang knows the range */
	off &= PC_MAX_L4_OFF;
	return pc_parse_l4(data + off, data_end, at.len & 0xffff,
			   at.short_reason, p);
}

#endif
