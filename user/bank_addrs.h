/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What one policy bank's address maps are to hold, built in memory before
 * any map is written (a policy that does not fit changes nothing): the
 * entries of the bank's own address hash (pc_addr[bank]: an address ->
 * what it is and the pc_masks ids of the rules naming it, one id for each
 * kind of rule set) and the prefixes of pc_cidr (kind, prefix -> rules).
 * Host rules' sets are kind PC_ADDR_RULES; gateway mode's forward rules'
 * (gateway_load.c) PC_ADDR_FWD_INIT and PC_ADDR_FWD_RESP, so that the two
 * never mix. The loader sizes the hash to the entries and writes both.
 */
#ifndef PC_BANK_ADDRS_H
#define PC_BANK_ADDRS_H

#include <stddef.h>
#include <stdint.h>

#include "loader.h"
#include "maskset.h"

struct pc_bank_entry {
	struct pc_host_key k;
	struct pc_addr_value v;
};

struct pc_bank_prefix {
	uint8_t kind; /* pc_cidr_key.a.kind */
	struct pc_addr_rules r;
};

struct pc_bank_addrs {
	struct pc_maskset *masks; /* the bank's mask ids (borrowed) */
	struct pc_bank_entry *e;  /* one an address after pc_bank_addrs_done */
	size_t n, cap;
	struct pc_bank_prefix *p;
	size_t np, pcap;
	struct pc_mask cidr_rules; /* host rules with a prefix among their peers */
	size_t naddrs;             /* addresses with rules (pc_bank_addrs_done) */
};

void pc_bank_addrs_init(struct pc_bank_addrs *b, struct pc_maskset *masks);
void pc_bank_addrs_free(struct pc_bank_addrs *b);
/*
 * The address sets of one kind of rs's rules, each address and prefix
 * with the rules naming it (wider prefixes' included): PC_ADDR_RULES the
 * remote addresses of host rules, PC_ADDR_FWD_INIT the remote (initiator)
 * and PC_ADDR_FWD_RESP the local (destination) addresses of forward
 * rules. Once a kind. Returns 0, -E2BIG (more than PC_MAX_ADDRS addresses,
 * PC_MAX_CIDRS prefixes in all, or PC_MAX_MASKS rule sets) or -EINVAL (an
 * IPv4-mapped address: portcullis.h, pc_host_key).
 */
int pc_bank_add_rules(struct pc_bank_addrs *b, const struct pc_ruleset *rs, uint8_t kind);
/* Marks address a with kind (an IPv4-mapped one is nobody's: left out). */
void pc_bank_mark(struct pc_bank_addrs *b, const struct pc_addr *a, uint8_t kind);
/* The marks of a site: PC_ADDR_NOT_PEER for the addresses rules name only
 * as broadcasts or as a DHCP client's unspecified source, which ICMP echo
 * must not treat as documented peers, and PC_ADDR_ROUTER for the site's
 * IPv6 routers (RA Guard). p may be NULL. */
void pc_bank_add_marks(struct pc_bank_addrs *b, const struct pc_policy *p);
/* Sorts the entries and makes one of each address's (kinds and ids
 * together); sets naddrs. */
void pc_bank_addrs_done(struct pc_bank_addrs *b);

#endif
