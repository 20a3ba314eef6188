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
/* A whole ruleset for `nft -f`: replaces the table, leaves others alone. */
int pc_export_nft(const struct pc_ruleset *rs, FILE *out);

/* The Windows rule name of rule i: "portcullis <path> <in|out> <n>". */
const char *pc_windows_rule_name(const struct pc_ruleset *rs, size_t i,
				 char *buf, size_t len);
/* A PowerShell script of New-NetFirewallRule commands. */
int pc_export_windows(const struct pc_ruleset *rs, FILE *out);

#endif
