// SPDX-License-Identifier: GPL-2.0-only
/*
 * explain --gateway: the forward rules of a gateway, and the verdict on a
 * forwarded packet (the first packet of a connection, as the datapath
 * judges it). Packets to or from the gateway's own addresses are left to
 * the host explanation (cmd_explain.c) with the gateway's own rules.
 */
#include "explain_gateway.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "explain_verdict.h"
#include "table.h"

const struct pc_host *pc_explain_gateway_host(const struct pc_policy *p,
					      const char *host)
{
	const struct pc_host *h = NULL, *named = NULL;

	if (host)
		return pc_policy_find_host(p, host);
	if (pc_find_local_host(p, &h) == 0)
		return h;
	/* The one host the site names as a gateway, if there is one. */
	for (size_t i = 0; i < p->nhosts; i++) {
		const struct pc_host *g = pc_host_gateway(p, &p->hosts[i]);

		if (g && named && g != named)
			return NULL;
		if (g)
			named = g;
	}
	return named;
}

static char *addr_list(const struct pc_policy *p, pc_kindset kinds,
		       const struct pc_addr *v, size_t n)
{
	char kbuf[512], abuf[PC_ADDR_STRLEN];
	char *out;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return pc_xstrdup("?");
	fprintf(f, "%s (", pc_kinds_format(p, kinds, kbuf, sizeof(kbuf)));
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? ", " : "", pc_addr_format(&v[i], abuf));
	fputs(")", f);
	fclose(f);
	return out;
}

void pc_explain_gateway_rules(const struct pc_ruleset *rs)
{
	static const char *const header[] = { "PATH", "ROW", "PROTO", "DST PORT",
					      "SRC PORT", "FROM", "TO" };
	struct pc_table t;

	printf("gateway %s: %zu own rules, %zu forward rules\n\n",
	       rs->host ? rs->host->name : "(no host entry)", rs->nown,
	       rs->nrules - rs->nown);
	pc_table_init(&t, 7, header);
	for (size_t i = rs->nown; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];
		char row[32], lp[16], rp[16];
		char *from = addr_list(rs->policy, r->remote_kinds, r->remote_addrs, r->nremote);
		char *to = addr_list(rs->policy, r->local_kinds, r->local_addrs, r->nlocal);
		const char *cells[7] = { r->flow->id, row, pc_proto_name(r->proto),
					 pc_range_format(r->local, lp),
					 pc_range_format(r->remote, rp), from, to };

		snprintf(row, sizeof(row), "%s.%d", r->flow->table, r->flow->row);
		pc_table_row(&t, cells);
		free(from);
		free(to);
	}
	pc_table_print(&t, stdout);
	pc_table_free(&t);
}

static char *why_forward(const struct pc_ruleset *rs, const struct pc_fwd_tuple *t,
			 const struct pc_verdict *v)
{
	char src[PC_ADDR_STRLEN], dst[PC_ADDR_STRLEN], lp[16], rp[16];
	const struct pc_rule *r = v->rule;
	char *set, *s;

	pc_addr_format(&t->src, src);
	pc_addr_format(&t->dst, dst);
	if (v->kind == PC_VERDICT_NO_RULE)
		return pc_xasprintf("no forward rule has %s to port %u from port %u",
				    pc_proto_name(t->proto), t->dport, t->sport);
	if (v->kind == PC_VERDICT_PASS)
		return pc_xasprintf("forward rule %zu: %s to port %s from port %s, %s as initiator, %s as responder",
				    (size_t)(r - rs->rules), pc_proto_name(t->proto),
				    pc_range_format(r->local, lp), pc_range_format(r->remote, rp),
				    src, dst);
	if (!pc_rule_has_remote(r, &t->src)) {
		set = addr_list(rs->policy, r->remote_kinds, r->remote_addrs, r->nremote);
		s = pc_xasprintf("path %s has %s port %s, but %s is not one of its initiators: %s",
				 r->flow->id, pc_proto_name(t->proto),
				 pc_range_format(r->local, lp), src, set);
	} else {
		set = addr_list(rs->policy, r->local_kinds, r->local_addrs, r->nlocal);
		s = pc_xasprintf("path %s has %s port %s and %s as initiator, but %s is not one of its destinations: %s",
				 r->flow->id, pc_proto_name(t->proto),
				 pc_range_format(r->local, lp), src, dst, set);
	}
	free(set);
	return s;
}

int pc_explain_forward_packet(const struct pc_ruleset *rs,
			      const struct pc_packet_spec *pk, const char *text,
			      bool json, bool exit_verdict)
{
	struct pc_fwd_tuple t = { .proto = pk->proto, .src = pk->src, .dst = pk->dst,
				  .sport = pk->sport, .dport = pk->dport };
	const char *gw = rs->host ? rs->host->name : "(no host entry)";
	struct pc_verdict v;
	char *reason, *at;

	pc_gateway_classify(rs, &t, &v);
	reason = why_forward(rs, &t, &v);
	at = pc_xasprintf("gateway %s, forwarded", gw);
	pc_explain_print_verdict(rs, &v, text, "forward", at, reason, true, json);
	free(at);
	free(reason);
	return exit_verdict && v.kind != PC_VERDICT_PASS ? PC_EXIT_DROP : PC_EXIT_OK;
}
