/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small packet builder for the benchmarks, and the packet classes they
 * measure. Packets are seen at the ingress of the lab's Linux host "lin"
 * (192.0.2.31, tests/lab/site.yaml), whose peer is the management server
 * "srv" (192.0.2.10) and whose ssh port is 22.
 */
#ifndef BENCH_PKT_H
#define BENCH_PKT_H

#include <stddef.h>
#include <stdint.h>

enum pkt_frag { FRAG_NONE, FRAG_FIRST, FRAG_LATER };

struct pkt_spec {
	const char *src, *dst;   /* IPv4 or IPv6 text; the family follows src */
	uint8_t proto;           /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t sport, dport;   /* host order */
	uint8_t tcp_flags;       /* TH_SYN etc. */
	uint16_t vlan;           /* 802.1Q VID, 0: untagged */
	int v6_ext;              /* IPv6: add hop-by-hop and destination options */
	enum pkt_frag frag;
	size_t min_len;          /* pad the frame to this length (no FCS) */
	const uint8_t *dmac, *smac; /* NULL: fixed locally administered MACs */
};

/* Builds the frame into buf. Returns its length, or 0 if it does not fit
 * or an address does not parse. Checksums are valid. */
size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap);

/* One measured packet class, with the packets that set up its state. */
struct pkt_class {
	const char *name;        /* short id, used in the tables */
	const char *what;        /* one line for people */
	struct pkt_spec pkt;
	/* Optional set-up run once before timing: an ingress packet (through
	 * the XDP program) and an egress packet (through the TC program, when
	 * the candidate has one), e.g. the SYN that opens the flow. */
	const struct pkt_spec *prime_in, *prime_out;
};

extern const struct pkt_class pkt_classes[];
extern const size_t pkt_nclasses;
const struct pkt_class *pkt_class_find(const char *name);

#endif
