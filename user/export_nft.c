// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rule set as an nftables ruleset: one table of its own (inet, so ARP
 * is never seen and stays untouched), input and output chains with policy
 * drop, replies through nftables' conntrack, one rule per compiled rule and
 * address family in compiled order (so the first match is the path the
 * reference classifier names), counting on a named counter per path and
 * direction. Ingress rows go through the chain of their addressing:
 * a packet sent to a broadcast address (link-layer broadcast, or IPv4
 * 255.255.255.255, as the datapath decides) meets only the broadcast rows.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"

static const char *dir_prefix(enum pc_dir dir)
{
	return dir == PC_DIR_INGRESS ? "in" : "out";
}

/* Ids hold letters, digits, '-', '.' and '_' (policy_flow.c); behind a
 * prefix they are nftables identifiers and never keywords. */
const char *pc_nft_counter_name(const struct pc_flow *f, enum pc_dir dir,
				char buf[PC_NFT_NAME_LEN])
{
	snprintf(buf, PC_NFT_NAME_LEN, "%s_%s", dir_prefix(dir), f->id);
	return buf;
}

/* Text for a '#' comment line: one line, printable ASCII. */
void pc_nft_comment(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	for (; s && *s && n + 1 < len; s++)
		buf[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : ' ';
	buf[n] = '\0';
}

static bool same_remotes(const struct pc_rule *a, const struct pc_rule *b)
{
	return a->nremote == b->nremote &&
	       (a->nremote == 0 || !memcmp(a->remote_addrs, b->remote_addrs,
					   a->nremote * sizeof(*a->remote_addrs)));
}

static bool has_family(const struct pc_rule *r, int family)
{
	for (size_t i = 0; i < r->nremote; i++)
		if (r->remote_addrs[i].family == family)
			return true;
	return false;
}

/* The first rule of the same path and direction with the same peers: its
 * set serves both (rules of one path differ in protocol and ports only). */
static size_t set_owner(const struct pc_ruleset *rs, size_t i)
{
	const struct pc_rule *r = &rs->rules[i];

	for (size_t j = 0; j < i; j++) {
		const struct pc_rule *o = &rs->rules[j];

		if (o->flow == r->flow && o->dir == r->dir && same_remotes(o, r))
			return j;
	}
	return i;
}

static bool first_of_path(const struct pc_ruleset *rs, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (rs->rules[j].flow == rs->rules[i].flow &&
		    rs->rules[j].dir == rs->rules[i].dir)
			return false;
	return true;
}

static const char *set_name(const struct pc_ruleset *rs, size_t i, int family,
			    char *buf, size_t len)
{
	const struct pc_rule *r = &rs->rules[i];
	char base[PC_NFT_NAME_LEN];

	pc_nft_counter_name(r->flow, r->dir, base);
	if (first_of_path(rs, i))
		snprintf(buf, len, "%s_%s", base, family == AF_INET ? "v4" : "v6");
	else /* a path whose rules have different peers: one set each */
		snprintf(buf, len, "%s_r%zu_%s", base, i, family == AF_INET ? "v4" : "v6");
	return buf;
}

static void print_elements(FILE *out, const struct pc_addr *a, size_t n,
			   int family)
{
	char buf[PC_ADDR_STRLEN];
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		if (a[i].family != family)
			continue;
		fprintf(out, "%s%s", first ? "" : ", ", pc_addr_format(&a[i], buf));
		first = false;
	}
}

void pc_nft_set(FILE *out, const char *name, const struct pc_addr *a,
		      size_t n, int family)
{
	/* auto-merge: a CIDR and a host inside it are one interval. */
	fprintf(out, "\tset %s {\n\t\ttype %s\n\t\tflags interval\n\t\tauto-merge\n"
		"\t\telements = { ", name, family == AF_INET ? "ipv4_addr" : "ipv6_addr");
	print_elements(out, a, n, family);
	fputs(" }\n\t}\n", out);
}

static void print_declarations(const struct pc_ruleset *rs, FILE *out,
			       const struct pc_addr *peers, size_t npeers)
{
	static const int families[] = { AF_INET, AF_INET6 };
	char name[PC_NFT_NAME_LEN + 48];

	for (size_t i = 0; i < rs->nrules; i++)
		if (first_of_path(rs, i))
			fprintf(out, "\tcounter %s {\n\t}\n",
				pc_nft_counter_name(rs->rules[i].flow, rs->rules[i].dir, name));
	fputs("\tcounter " PC_NFT_DROPPED_IN " {\n\t}\n"
	      "\tcounter " PC_NFT_DROPPED_OUT " {\n\t}\n", out);
	if (rs->policy->settings.icmp_echo)
		fputs("\tcounter " PC_NFT_ECHO_IN " {\n\t}\n"
		      "\tcounter " PC_NFT_ECHO_OUT " {\n\t}\n", out);
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];

		if (set_owner(rs, i) != i)
			continue;
		for (size_t f = 0; f < 2; f++)
			if (has_family(r, families[f]))
				pc_nft_set(out, set_name(rs, i, families[f], name, sizeof(name)),
					  r->remote_addrs, r->nremote, families[f]);
	}
	if (!rs->policy->settings.icmp_echo)
		return;
	for (size_t f = 0; f < 2; f++) {
		for (size_t i = 0; i < npeers; i++) {
			if (peers[i].family == families[f]) {
				pc_nft_set(out, families[f] == AF_INET ? "peers_v4" : "peers_v6",
					  peers, npeers, families[f]);
				break;
			}
		}
	}
}

void pc_nft_ports(FILE *out, const char *proto, const char *field,
			struct pc_port_range r)
{
	if (r.lo == 0 && r.hi == 65535)
		return;
	if (r.lo == r.hi)
		fprintf(out, " %s %s %u", proto, field, r.lo);
	else
		fprintf(out, " %s %s %u-%u", proto, field, r.lo, r.hi);
}

/* The rules of one chain: ingress of one addressing class, or egress. */
static void print_rules(const struct pc_ruleset *rs, FILE *out,
			enum pc_dir dir, unsigned cls)
{
	static const int families[] = { AF_INET, AF_INET6 };
	char name[PC_NFT_NAME_LEN + 48], counter[PC_NFT_NAME_LEN];
	char purpose[160], lp[16], rp[16];

	for (size_t i = 0; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];
		const char *proto = r->proto == IPPROTO_TCP ? "tcp" : "udp";
		bool in = dir == PC_DIR_INGRESS;

		if (r->dir != dir || (in && !(r->local_class & cls)))
			continue;
		pc_nft_comment(r->flow->purpose_en, purpose, sizeof(purpose));
		fprintf(out, "\t\t# rule %zu: %s (table %s row %d) %s local %s remote %s: %s\n",
			i, r->flow->id, r->flow->table, r->flow->row, proto,
			pc_range_format(r->local, lp), pc_range_format(r->remote, rp), purpose);
		if (r->nremote == 0)
			fputs("\t\t# no peer of this rule is in the site: it matches nothing\n", out);
		pc_nft_counter_name(r->flow, r->dir, counter);
		for (size_t f = 0; f < 2; f++) {
			const char *ipf = families[f] == AF_INET ? "ip" : "ip6";

			if (!has_family(r, families[f]))
				continue;
			fputs("\t\t", out);
			fprintf(out, "meta l4proto %s", proto);
			pc_nft_ports(out, proto, in ? "dport" : "sport", r->local);
			pc_nft_ports(out, proto, in ? "sport" : "dport", r->remote);
			fprintf(out, " %s %s @%s counter name %s accept\n", ipf,
				in ? "saddr" : "daddr",
				set_name(rs, set_owner(rs, i), families[f], name, sizeof(name)),
				counter);
		}
	}
}

/* What passes without a rule, in both base chains (README "Exports"). */
static void print_common(const struct pc_ruleset *rs, FILE *out, bool in,
			 const struct pc_addr *peers, size_t npeers)
{
	const char *addr = in ? "saddr" : "daddr";
	bool v4 = false, v6 = false;

	fprintf(out, "\t\t%s \"lo\" accept\n", in ? "iif" : "oif");
	/* The kernel drops IPv4 from outside with a local source (a martian),
	 * so only the looped-back copy of an own broadcast matches. */
	if (in)
		fputs("\t\t# this host's own IPv4 broadcasts, looped back: judged on the way out\n"
		      "\t\tmeta nfproto ipv4 fib saddr type local accept\n", out);
	fputs("\t\t# replies and ICMP errors about tracked connections\n"
	      "\t\tct state established,related accept\n", out);
	/* Impossible TCP flags and the like (audit: judged and logged below). */
	if (rs->policy->settings.mode != PC_MODE_AUDIT)
		fprintf(out, "\t\tct state invalid counter name %s drop\n",
			in ? PC_NFT_DROPPED_IN : PC_NFT_DROPPED_OUT);
	fputs("\t\t# IPv6 neighbour discovery and multicast listener discovery\n"
	      "\t\ticmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, "
	      "nd-neighbor-advert, nd-redirect, mld-listener-query, mld-listener-report, "
	      "mld-listener-done, mld2-listener-report } accept\n", out);
	if (!rs->policy->settings.icmp_echo)
		return;
	for (size_t i = 0; i < npeers; i++) {
		v4 |= peers[i].family == AF_INET;
		v6 |= peers[i].family == AF_INET6;
	}
	fputs("\t\t# settings: icmp-echo: echo requests with documented peers\n", out);
	if (v4)
		fprintf(out, "\t\ticmp type echo-request ip %s @peers_v4 counter name %s accept\n",
			addr, in ? PC_NFT_ECHO_IN : PC_NFT_ECHO_OUT);
	if (v6)
		fprintf(out, "\t\ticmpv6 type echo-request ip6 %s @peers_v6 counter name %s accept\n",
			addr, in ? PC_NFT_ECHO_IN : PC_NFT_ECHO_OUT);
}

static void print_tail(FILE *out, bool audit, bool in)
{
	const char *c = in ? PC_NFT_DROPPED_IN : PC_NFT_DROPPED_OUT;

	if (audit)
		fprintf(out, "\t\tcounter name %s log prefix \"portcullis audit %s: \" accept\n",
			c, in ? "in" : "out");
	else
		fprintf(out, "\t\tcounter name %s drop\n", c);
}

void pc_nft_header(const struct pc_ruleset *rs, FILE *out)
{
	bool audit = rs->policy->settings.mode == PC_MODE_AUDIT;

	fputs("#!/usr/sbin/nft -f\n", out);
	pc_export_banner(rs, out);
	fprintf(out, "# Load with 'nft -f FILE': replaces table inet %s, touches no other.\n"
		"# Documented flows open in their initiating direction, replies pass\n"
		"# through conntrack, everything else is %s.\n\n", PC_NFT_TABLE,
		audit ? "logged and let through (settings: mode: audit)" : "dropped");
	/* Create, then delete: loads whether or not the table exists. */
	fputs("table inet " PC_NFT_TABLE "\ndelete table inet " PC_NFT_TABLE "\n\n"
	      "table inet " PC_NFT_TABLE " {\n", out);
}

int pc_export_nft(const struct pc_ruleset *rs, FILE *out)
{
	if (rs->gateway)
		return pc_export_nft_gateway(rs, out);
	pc_nft_header(rs, out);
	pc_nft_host_body(rs, out);
	fputs("}\n", out);
	return ferror(out) ? -EIO : 0;
}

void pc_nft_host_body(const struct pc_ruleset *rs, FILE *out)
{
	bool audit = rs->policy->settings.mode == PC_MODE_AUDIT;
	const char *policy = audit ? "accept" : "drop";
	struct pc_addr *peers;
	size_t npeers = pc_export_peers(rs, &peers);

	print_declarations(rs, out, peers, npeers);

	fprintf(out, "\n\tchain input {\n\t\ttype filter hook input priority filter; policy %s;\n",
		policy);
	print_common(rs, out, true, peers, npeers);
	fputs("\t\tjump in_rules\n", out);
	print_tail(out, audit, true);
	fputs("\t}\n\n\t# Broadcast rows are received only as broadcasts, unicast rows only\n"
	      "\t# at this host's own address. goto: the end of a class chain is the\n"
	      "\t# end of in_rules.\n"
	      "\tchain in_rules {\n"
	      "\t\tmeta pkttype broadcast goto in_bcast\n"
	      "\t\tip daddr 255.255.255.255 goto in_bcast\n"
	      "\t\tgoto in_ucast\n\t}\n\n\tchain in_ucast {\n", out);
	print_rules(rs, out, PC_DIR_INGRESS, PC_LOCAL_UNICAST);
	fputs("\t}\n\n\tchain in_bcast {\n", out);
	print_rules(rs, out, PC_DIR_INGRESS, PC_LOCAL_BROADCAST);
	fprintf(out, "\t}\n\n\tchain output {\n\t\ttype filter hook output priority filter; policy %s;\n",
		policy);
	print_common(rs, out, false, peers, npeers);
	print_rules(rs, out, PC_DIR_EGRESS, 0);
	print_tail(out, audit, false);
	fputs("\t}\n", out);
	free(peers);
}
