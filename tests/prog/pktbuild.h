/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small packet builder for the BPF program tests: calls in the order of
 * the headers, so a case reads like the packet it describes:
 *
 *   pkt_eth(&p, 0); pkt_ip(&p, "198.51.100.7", "192.0.2.10");
 *   pkt_tcp(&p, 40000, 22, TH_SYN); pkt_finish(&p);
 *
 * pkt_finish() fills the IP and UDP length fields; tests that want them
 * wrong change the bytes afterwards (offsets l3 and l4 are kept).
 */
#ifndef PC_PKTBUILD_H
#define PC_PKTBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 2048

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

struct pkt {
	uint8_t b[PKT_MAX];
	size_t len;
	size_t l3, l4;  /* offsets of the IP and L4 headers */
	size_t nh;      /* offset of the last "next header"/protocol byte */
	int family;     /* 4 or 6 */
	bool udp;
};

/* Ethernet (source 02:00:00:00:00:01 unless src_multicast) with nvlans
 * tags (first 802.1ad when two); the EtherType is set by pkt_ip. */
void pkt_eth(struct pkt *p, int nvlans);
void pkt_eth_src_multicast(struct pkt *p);
void pkt_eth_dst_broadcast(struct pkt *p);
/* EtherType for a frame that is not IP (ARP: 0x0806). */
void pkt_ethertype(struct pkt *p, uint16_t type);
/* IPv4 or IPv6 header, by the syntax of the addresses. */
void pkt_ip(struct pkt *p, const char *src, const char *dst);
/* IPv4 options (n bytes, a multiple of 4): call right after pkt_ip. */
void pkt_ipv4_options(struct pkt *p, size_t n);
/* IPv4: fragment offset in 8-byte units and the MF flag. */
void pkt_ipv4_frag(struct pkt *p, uint16_t offset8, bool mf, uint16_t id);
/* IPv6 extension header of the given type (len: bytes, multiple of 8;
 * AH: multiple of 4). */
void pkt_ipv6_ext(struct pkt *p, uint8_t type, size_t len);
void pkt_ipv6_frag(struct pkt *p, uint16_t offset8, bool mf, uint32_t id);
void pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags);
void pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport);
/* ICMP or ICMPv6 (by the family): type, code and echo identifier. */
void pkt_icmp(struct pkt *p, uint8_t type, uint8_t code, uint16_t id);
/* A raw next-header value with no header (unknown protocols). */
void pkt_proto(struct pkt *p, uint8_t proto);
void pkt_payload(struct pkt *p, size_t n);
/* Appends another packet from its IP header on (an ICMP error's inner). */
void pkt_append_ip(struct pkt *p, const struct pkt *inner);
void pkt_finish(struct pkt *p);

/* The initiating packet of a connection seen from the host: dir 0 is
 * ingress (remote -> local), 1 egress; proto 6 or 17. Finished. An ingress
 * packet to 255.255.255.255 also gets the Ethernet broadcast address. */
void pkt_flow(struct pkt *p, int dir, uint8_t proto, const char *local,
	      uint16_t lport, const char *remote, uint16_t rport, uint8_t flags);

#endif
