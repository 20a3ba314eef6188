/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exports of a compiled rule set for hosts that cannot load the datapath:
 * an nftables ruleset (any Linux) and a PowerShell script of Windows
 * Defender Firewall rules. Both say the same as the rule set: documented
 * flows open in their initiating direction, replies through the
 * firewall's own connection tracking, everything else blocked.
 */
#ifndef PC_EXPORT_H
#define PC_EXPORT_H

#include <stdio.h>

#include "compile.h"

/* The nftables table the export owns, in family inet. */
#define PC_NFT_TABLE "portcullis"
/* Names of the named counters that are not paths. */
#define PC_NFT_DROPPED_IN "dropped_in"
#define PC_NFT_DROPPED_OUT "dropped_out"
#define PC_NFT_ECHO_IN "echo_in"
#define PC_NFT_ECHO_OUT "echo_out"
#define PC_NFT_DROPPED_FWD "dropped_fwd"
#define PC_NFT_ECHO_FWD "echo_fwd"
#define PC_NFT_NAME_LEN 80

/* The first comment line of an export: which host or role, which site. */
void pc_export_banner(const struct pc_ruleset *rs, FILE *out);
/* Every remote address of every rule, once each, in rule order: the
 * documented peers that echo is allowed with (settings: icmp-echo), as
 * the datapath's address maps hold them. The caller frees *out. */
size_t pc_export_peers(const struct pc_ruleset *rs, struct pc_addr **out);

/* The named counter of a path in a direction: "in_A-2.3-ssh-linux". */
const char *pc_nft_counter_name(const struct pc_flow *f, enum pc_dir dir,
				char buf[PC_NFT_NAME_LEN]);
/* A whole ruleset for `nft -f`: replaces the table, leaves others alone.
 * A gateway's rule set (pc_compile_gateway) goes to pc_export_nft_gateway. */
int pc_export_nft(const struct pc_ruleset *rs, FILE *out);
/* The pieces: the banner and the table's opening line; a host's counters,
 * sets and input/output chains inside the table. */
void pc_nft_header(const struct pc_ruleset *rs, FILE *out);
void pc_nft_host_body(const struct pc_ruleset *rs, FILE *out);
/* A gateway's ruleset: a forward chain of the forward rules (routed, and
 * bridged through br_netfilter), and its own input/output chains when the
 * gateway is a host of the site. */
int pc_export_nft_gateway(const struct pc_ruleset *rs, FILE *out);
/* Shared by the two: a '#' comment's text (one line, printable ASCII); a
 * named interval set of the addresses of one family; a port match unless
 * the range is every port. */
void pc_nft_comment(const char *s, char *buf, size_t len);
void pc_nft_set(FILE *out, const char *name, const struct pc_addr *a, size_t n,
		int family);
void pc_nft_ports(FILE *out, const char *proto, const char *field,
		  struct pc_port_range r);

/* The Windows rule name of rule i: "portcullis <path> <in|out> <n>". */
const char *pc_windows_rule_name(const struct pc_ruleset *rs, size_t i,
				 char *buf, size_t len);
/* A PowerShell script of New-NetFirewallRule commands. */
int pc_export_windows(const struct pc_ruleset *rs, FILE *out);

#endif
