// SPDX-License-Identifier: GPL-2.0-only
/*
 * A gateway's rule set (user/gateway.h) as nftables: a forward chain with
 * policy drop in the same table inet as a host's export, one rule per
 * forward rule and address family in compiled order (the first match is
 * the path pc_gateway_classify names), sets of initiators and of
 * destinations per flow, a named counter per path ("fwd_<id>"), replies
 * and ICMP errors through conntrack. When the gateway is a host of the
 * site, its own rules are the input and output chains of the host export.
 * Bridged frames meet the forward chain through br_netfilter
 * (net.bridge.bridge-nf-call-iptables and -ip6tables set to 1).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"

/* "fwd_<id>", the counter of a forwarded path. */
static const char *fwd_counter(const struct pc_flow *f, char buf[PC_NFT_NAME_LEN])
{
	snprintf(buf, PC_NFT_NAME_LEN, "fwd_%s", f->id);
	return buf;
}

/* "fwd_<id>_src_v4": one set per flow, side and family (the sets of a
 * flow's rules are the same, user/gateway.c computes them once). */
static const char *fwd_set(const struct pc_flow *f, const char *side, int family,
			   char *buf, size_t len)
{
	snprintf(buf, len, "fwd_%s_%s_%s", f->id, side, family == AF_INET ? "v4" : "v6");
	return buf;
}

static bool has_family(const struct pc_addr *a, size_t n, int family)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].family == family)
			return true;
	return false;
}

/* Both sides have an address of the family: the rule can match. */
static bool rule_family(const struct pc_rule *r, int family)
{
	return has_family(r->remote_addrs, r->nremote, family) &&
	       has_family(r->local_addrs, r->nlocal, family);
}

static bool first_of_flow(const struct pc_ruleset *rs, size_t i)
{
	for (size_t j = rs->nown; j < i; j++)
		if (rs->rules[j].flow == rs->rules[i].flow)
			return false;
	return true;
}

static void print_fwd_declarations(const struct pc_ruleset *rs, FILE *out)
{
	static const int families[] = { AF_INET, AF_INET6 };
	char name[PC_NFT_NAME_LEN + 16];

	for (size_t i = rs->nown; i < rs->nrules; i++)
		if (first_of_flow(rs, i))
			fprintf(out, "\tcounter %s {\n\t}\n",
				fwd_counter(rs->rules[i].flow, name));
	fputs("\tcounter " PC_NFT_DROPPED_FWD " {\n\t}\n", out);
	if (rs->policy->settings.icmp_echo)
		fputs("\tcounter " PC_NFT_ECHO_FWD " {\n\t}\n", out);
	for (size_t i = rs->nown; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];

		if (!first_of_flow(rs, i))
			continue;
		for (size_t f = 0; f < 2; f++) {
			if (!rule_family(r, families[f]))
				continue;
			pc_nft_set(out, fwd_set(r->flow, "src", families[f], name, sizeof(name)),
				   r->remote_addrs, r->nremote, families[f]);
			pc_nft_set(out, fwd_set(r->flow, "dst", families[f], name, sizeof(name)),
				   r->local_addrs, r->nlocal, families[f]);
		}
	}
}

static void print_fwd_rule(const struct pc_ruleset *rs, size_t i, FILE *out)
{
	static const int families[] = { AF_INET, AF_INET6 };
	const struct pc_rule *r = &rs->rules[i];
	const char *proto = r->proto == IPPROTO_TCP ? "tcp" : "udp";
	char purpose[160], lp[16], rp[16], counter[PC_NFT_NAME_LEN];
	char src[PC_NFT_NAME_LEN + 16], dst[PC_NFT_NAME_LEN + 16];

	pc_nft_comment(r->flow->purpose_en, purpose, sizeof(purpose));
	fprintf(out, "\t\t# rule %zu: %s (table %s row %d) %s to port %s from port %s: %s\n",
		i, r->flow->id, r->flow->table, r->flow->row, proto,
		pc_range_format(r->local, lp), pc_range_format(r->remote, rp), purpose);
	fwd_counter(r->flow, counter);
	for (size_t f = 0; f < 2; f++) {
		const char *ipf = families[f] == AF_INET ? "ip" : "ip6";

		if (!rule_family(r, families[f]))
			continue;
		fprintf(out, "\t\tmeta l4proto %s", proto);
		pc_nft_ports(out, proto, "dport", r->local);
		pc_nft_ports(out, proto, "sport", r->remote);
		fprintf(out, " %s saddr @%s %s daddr @%s counter name %s accept\n", ipf,
			fwd_set(r->flow, "src", families[f], src, sizeof(src)), ipf,
			fwd_set(r->flow, "dst", families[f], dst, sizeof(dst)), counter);
	}
}

/* settings: icmp-echo: echo between the two ends of some forward rule,
 * whichever starts it, never to a broadcast (as bpf/gateway.h). */
static void print_fwd_echo(const struct pc_ruleset *rs, FILE *out)
{
	static const int families[] = { AF_INET, AF_INET6 };
	char src[PC_NFT_NAME_LEN + 16], dst[PC_NFT_NAME_LEN + 16];

	fputs("\t\t# settings: icmp-echo: echo between the ends of a forward rule\n", out);
	for (size_t i = rs->nown; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];

		if (!first_of_flow(rs, i))
			continue;
		for (size_t f = 0; f < 2; f++) {
			bool v4 = families[f] == AF_INET;

			if (!rule_family(r, families[f]))
				continue;
			fwd_set(r->flow, "src", families[f], src, sizeof(src));
			fwd_set(r->flow, "dst", families[f], dst, sizeof(dst));
			for (int way = 0; way < 2; way++)
				fprintf(out, "\t\tmeta pkttype host %s type echo-request "
					"%s saddr @%s %s daddr @%s counter name %s accept\n",
					v4 ? "icmp" : "icmpv6", v4 ? "ip" : "ip6",
					way ? dst : src, v4 ? "ip" : "ip6", way ? src : dst,
					PC_NFT_ECHO_FWD);
		}
	}
}

static void print_forward(const struct pc_ruleset *rs, FILE *out)
{
	bool audit = rs->policy->settings.mode == PC_MODE_AUDIT;

	fprintf(out, "\n\t# Forwarded packets, routed or bridged (bridged ones with\n"
		"\t# net.bridge.bridge-nf-call-iptables=1 and -ip6tables=1).\n"
		"\tchain forward {\n\t\ttype filter hook forward priority filter; policy %s;\n"
		"\t\t# replies and ICMP errors about tracked connections\n"
		"\t\tct state established,related accept\n", audit ? "accept" : "drop");
	if (!audit)
		fputs("\t\tct state invalid counter name " PC_NFT_DROPPED_FWD " drop\n", out);
	fputs("\t\t# a bridge forwards the link's own messages between its hosts\n"
	      "\t\ticmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, "
	      "nd-neighbor-advert, nd-redirect, mld-listener-query, mld-listener-report, "
	      "mld-listener-done, mld2-listener-report } accept\n"
	      "\t\tjump fwd_rules\n", out);
	if (audit)
		fputs("\t\tcounter name " PC_NFT_DROPPED_FWD
		      " log prefix \"portcullis audit fwd: \" accept\n", out);
	else
		fputs("\t\tcounter name " PC_NFT_DROPPED_FWD " drop\n", out);
	fputs("\t}\n\n\tchain fwd_rules {\n", out);
	for (size_t i = rs->nown; i < rs->nrules; i++)
		print_fwd_rule(rs, i, out);
	if (rs->policy->settings.icmp_echo)
		print_fwd_echo(rs, out);
	fputs("\t}\n", out);
}

int pc_export_nft_gateway(const struct pc_ruleset *rs, FILE *out)
{
	struct pc_ruleset own = *rs;

	own.nrules = rs->nown;
	own.gateway = false;
	pc_nft_header(rs, out);
	fprintf(out, "\t# gateway mode: %zu forward rules of the site's flow matrix",
		rs->nrules - rs->nown);
	if (rs->host)
		fprintf(out, ", and %s's own %zu rules (input, output)\n", rs->host->name,
			rs->nown);
	else
		fputs("; no own rules (no gateway host found): input and output untouched\n",
		      out);
	if (rs->host)
		pc_nft_host_body(&own, out);
	print_fwd_declarations(rs, out);
	print_forward(rs, out);
	fputs("}\n", out);
	return ferror(out) ? -EIO : 0;
}
