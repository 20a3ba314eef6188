// SPDX-License-Identifier: GPL-2.0-only
/* portcullis explain: the rules a host enforces, or the verdict on a packet. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "cli.h"
#include "explain_gateway.h"
#include "explain_verdict.h"
#include "packet_spec.h"
#include "table.h"

static const char *local_class_name(unsigned c)
{
	switch (c & (PC_LOCAL_UNICAST | PC_LOCAL_BROADCAST)) {
	case PC_LOCAL_UNICAST:
		return "unicast";
	case PC_LOCAL_BROADCAST:
		return "broadcast";
	default:
		return "any";
	}
}

static struct json_object *rule_json(const struct pc_ruleset *rs,
				     const struct pc_rule *r, size_t index)
{
	struct json_object *o = json_object_new_object(), *remote;
	char buf[PC_ADDR_STRLEN];

	json_object_object_add(o, "rule", json_object_new_int((int)index));
	json_object_object_add(o, "path", json_object_new_string(r->flow->id));
	json_object_object_add(o, "table", json_object_new_string(r->flow->table));
	json_object_object_add(o, "row", json_object_new_int(r->flow->row));
	json_object_object_add(o, "purpose", r->flow->purpose_en ?
				json_object_new_string(r->flow->purpose_en) : NULL);
	json_object_object_add(o, "direction", json_object_new_string(pc_dir_name(r->dir)));
	/* "initiator" is an endpoint object in catalog: a side here. */
	json_object_object_add(o, "initiator_side", json_object_new_string(
				       r->dir == PC_DIR_EGRESS ? "local" : "remote"));
	json_object_object_add(o, "protocol", json_object_new_string(pc_proto_name(r->proto)));
	json_object_object_add(o, "local_ports", pc_json_ranges(&r->local, 1));
	json_object_object_add(o, "local_addressing", json_object_new_string(
				       local_class_name(r->local_class)));
	json_object_object_add(o, "remote_ports", pc_json_ranges(&r->remote, 1));
	remote = json_object_new_array();
	for (size_t i = 0; i < r->nremote; i++)
		json_object_array_add(remote, json_object_new_string(
			pc_addr_format(&r->remote_addrs[i], buf)));
	json_object_object_add(o, "remote", remote);
	json_object_object_add(o, "remote_kinds", pc_json_kinds(rs->policy, r->remote_kinds));
	if (r->forward) { /* gateway mode: where it may go, local_ports on */
		struct json_object *local = json_object_new_array();

		for (size_t i = 0; i < r->nlocal; i++)
			json_object_array_add(local, json_object_new_string(
				pc_addr_format(&r->local_addrs[i], buf)));
		json_object_object_add(o, "forward", json_object_new_boolean(1));
		json_object_object_add(o, "local", local);
		json_object_object_add(o, "local_kinds", pc_json_kinds(rs->policy, r->local_kinds));
	}
	return o;
}

static struct json_object *rules_json(const struct pc_ruleset *rs)
{
	struct json_object *o = json_object_new_object(), *rules;

	pc_json_target(o, rs);
	json_object_object_add(o, "kinds", pc_json_kinds(rs->policy, rs->kinds));
	json_object_object_add(o, "site", rs->policy->site_name ?
				json_object_new_string(rs->policy->site_name) : NULL);
	rules = json_object_new_array();
	for (size_t i = 0; i < rs->nrules; i++)
		json_object_array_add(rules, rule_json(rs, &rs->rules[i], i));
	json_object_object_add(o, "rules", rules);
	return o;
}

static void print_rules(const struct pc_ruleset *rs)
{
	static const char *const header[] = { "PATH", "ROW", "DIR", "PROTO",
					      "LOCAL", "REMOTE", "REMOTE PORT",
					      "PURPOSE" };
	char kinds[512];
	struct pc_table t;

	printf("%s %s (%s): %zu rules\n\n", rs->host ? "host" : "role", rs->name,
	       pc_kinds_format(rs->policy, rs->kinds, kinds, sizeof(kinds)),
	       rs->nrules);
	pc_table_init(&t, 8, header);
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];
		char row[32], lp[16], rp[16], local[48];
		char *remote = pc_rule_remote_format(rs, r);
		const char *cells[8] = {
			r->flow->id, row, pc_dir_name(r->dir), pc_proto_name(r->proto),
			local, remote,
			pc_range_format(r->remote, rp), r->flow->purpose_en,
		};

		snprintf(row, sizeof(row), "%s.%d", r->flow->table, r->flow->row);
		/* Ingress rows received as broadcasts say so. */
		snprintf(local, sizeof(local), "%s%s", pc_range_format(r->local, lp),
			 r->dir == PC_DIR_EGRESS || r->local_class == PC_LOCAL_UNICAST ? "" :
			 r->local_class == PC_LOCAL_BROADCAST ? " bcast" : " ucast+bcast");
		pc_table_row(&t, cells);
		free(remote);
	}
	pc_table_print(&t, stdout);
	pc_table_free(&t);
}

static bool host_has(const struct pc_host *h, const struct pc_addr *a)
{
	for (size_t i = 0; h && i < h->naddrs; i++)
		if (pc_addr_contains(&h->addrs[i], a))
			return true;
	return false;
}

static bool is_broadcast(const struct pc_policy *p, const struct pc_addr *a)
{
	struct pc_addr all = pc_addr_v4(0xffffffffu);

	if (pc_addr_equal(a, &all))
		return true;
	for (size_t i = 0; i < p->nsegments; i++) {
		struct pc_addr b = pc_addr_broadcast(&p->segments[i]);

		if (pc_addr_equal(a, &b))
			return true;
	}
	return false;
}

static void to_tuple(const struct pc_ruleset *rs, const struct pc_packet_spec *pk,
		     enum pc_dir dir, struct pc_tuple *t)
{
	t->dir = dir;
	t->to_broadcast = dir == PC_DIR_INGRESS && is_broadcast(rs->policy, &pk->dst);
	t->proto = pk->proto;
	t->remote = dir == PC_DIR_INGRESS ? pk->src : pk->dst;
	t->local_port = dir == PC_DIR_INGRESS ? pk->dport : pk->sport;
	t->remote_port = dir == PC_DIR_INGRESS ? pk->sport : pk->dport;
}

/* Judges the packet; with no known direction, the one that passes wins. */
static enum pc_dir judge(const struct pc_ruleset *rs,
			 const struct pc_packet_spec *pk, int dir,
			 struct pc_verdict *v, const char **how)
{
	struct pc_tuple t;

	if (dir < 0) {
		if (host_has(rs->host, &pk->src)) {
			dir = PC_DIR_EGRESS;
			*how = "the source is this host";
		} else if (host_has(rs->host, &pk->dst) || is_broadcast(rs->policy, &pk->dst)) {
			dir = PC_DIR_INGRESS;
			*how = "the destination is this host";
		}
	} else {
		*how = "as given";
	}
	if (dir >= 0) {
		to_tuple(rs, pk, (enum pc_dir)dir, &t);
		pc_classify(rs, &t, v);
		return (enum pc_dir)dir;
	}
	to_tuple(rs, pk, PC_DIR_EGRESS, &t);
	pc_classify(rs, &t, v);
	if (v->kind == PC_VERDICT_PASS) {
		*how = "assumed: only egress passes";
		return PC_DIR_EGRESS;
	}
	to_tuple(rs, pk, PC_DIR_INGRESS, &t);
	pc_classify(rs, &t, v);
	*how = v->kind == PC_VERDICT_PASS ? "assumed: only ingress passes" :
					    "assumed: neither direction passes";
	return PC_DIR_INGRESS;
}

static char *reason_text(const struct pc_ruleset *rs, const struct pc_packet_spec *pk,
			 enum pc_dir dir, const struct pc_verdict *v)
{
	char addr[PC_ADDR_STRLEN], lp[16], rp[16];
	struct pc_tuple t;
	char *remote, *s;

	to_tuple(rs, pk, dir, &t);
	pc_addr_format(&t.remote, addr);
	if (v->kind == PC_VERDICT_NO_RULE)
		return pc_xasprintf("no rule of %s allows %s %s to local port %u from remote port %u",
				    rs->name, pc_dir_name(dir), pc_proto_name(t.proto),
				    t.local_port, t.remote_port);
	if (v->kind == PC_VERDICT_PASS)
		return pc_xasprintf("rule %zu: %s %s local %s remote %s",
				    (size_t)(v->rule - rs->rules), pc_dir_name(dir),
				    pc_proto_name(t.proto), pc_range_format(v->rule->local, lp),
				    pc_range_format(v->rule->remote, rp));
	remote = pc_rule_remote_format(rs, v->rule);
	s = pc_xasprintf("path %s has %s %s local port %s, but %s is not one of its peers: %s",
			 v->rule->flow->id, pc_dir_name(dir), pc_proto_name(t.proto),
			 pc_range_format(v->rule->local, lp), addr, remote);
	free(remote);
	return s;
}

/* The packet's verdict; PC_EXIT_DROP for a drop when exit_verdict. */
static int explain_packet(const struct pc_ruleset *rs, const char *text,
			  int dir_arg, bool json, bool exit_verdict)
{
	struct pc_packet_spec pk;
	struct pc_verdict v;
	const char *why, *how = "";
	enum pc_dir dir;
	char *reason, *at;

	if (pc_packet_spec_parse(text, &pk, &why))
		return pc_cli_usage_error("explain", "bad --packet '%s': %s", text, why);
	dir = judge(rs, &pk, dir_arg, &v, &how);
	reason = reason_text(rs, &pk, dir, &v);
	at = pc_xasprintf("%s %s, %s (%s)", rs->host ? "host" : "role", rs->name,
			  pc_dir_name(dir), how);
	pc_explain_print_verdict(rs, &v, text, pc_dir_name(dir), at, reason, false, json);
	free(at);
	free(reason);
	return exit_verdict && v.kind != PC_VERDICT_PASS ? PC_EXIT_DROP : PC_EXIT_OK;
}

struct explain_opts {
	const char *site, *host, *role, *packet;
	int dir; /* -1: from the addresses */
	bool json, exit_verdict, gateway;
};

static const struct pc_opt_choice directions[] = {
	{ "ingress", PC_DIR_INGRESS, false },
	{ "egress", PC_DIR_EGRESS, false },
	{ "in", PC_DIR_INGRESS, true },
	{ "out", PC_DIR_EGRESS, true },
	{ NULL, 0, false },
};

#define OPTS struct explain_opts
static const struct pc_opt explain_opts[] = {
	PC_OPT_SITE("the site file", OPTS, site),
	PC_OPT_HOST("the site host to compile for", OPTS, host),
	PC_OPT_ROLE("compile for any host of this kind", OPTS, role),
	PC_OPT_STRING("packet", 'p', "PACKET", "judge this packet: 'PROTO SRC:PORT > DST:PORT'", OPTS, packet),
	PC_OPT_CHOICE("direction", "DIR", "the packet's direction at the host (default: from\n"
		      "the host's addresses)", OPTS, dir, directions),
	PC_OPT_FLAG("exit-verdict", 0, "with --packet: exit 3 when the packet is dropped\n"
		    "(0 when it passes)", OPTS, exit_verdict),
	PC_OPT_FLAG("gateway", 0, "as gateway mode does: the forward rules, or the\n"
		    "verdict on a forwarded packet (the gateway: --host,\n"
		    "this machine, or the one the site's hosts name)", OPTS, gateway),
	PC_OPT_JSON("machine-readable output", OPTS, json),
	{ 0 },
};
#undef OPTS

/* explain --gateway: packets of the gateway itself as a host's, others
 * forwarded. */
static int explain_gateway(const struct pc_policy *p, const struct explain_opts *eo)
{
	const struct pc_host *gw = pc_explain_gateway_host(p, eo->host);
	struct pc_ruleset rs, own;
	struct pc_packet_spec pk;
	const char *why;
	int rc;

	if (eo->host && !gw)
		return pc_cli_compile("explain", p, eo->host, NULL, &rs);
	if (pc_compile_gateway(p, gw, &rs))
		return PC_EXIT_POLICY;
	if (!eo->packet) {
		if (eo->json)
			pc_cli_print_json(rules_json(&rs));
		else
			pc_explain_gateway_rules(&rs);
		rc = PC_EXIT_OK;
	} else if (pc_packet_spec_parse(eo->packet, &pk, &why)) {
		rc = pc_cli_usage_error("explain", "bad --packet '%s': %s", eo->packet, why);
	} else if (pc_gateway_own(gw, &pk.src) || pc_gateway_own(gw, &pk.dst)) {
		rc = explain_packet(pc_gateway_own_rules(&rs, &own), eo->packet, eo->dir,
				    eo->json, eo->exit_verdict);
	} else {
		rc = pc_explain_forward_packet(&rs, &pk, eo->packet, eo->json, eo->exit_verdict);
	}
	pc_ruleset_free(&rs);
	return rc;
}

const struct pc_cmd_opts pc_explain_cmd = {
	.cmd = "explain",
	.about =
	"Shows the rules compiled for one host of the site (by name, or the one\n"
	"owning this machine's addresses) or for any host of a kind. With\n"
	"--packet, judges one packet as the datapath would judge the first packet\n"
	"of a connection, and says which path it counts on or why it is dropped.\n"
	"IPv6 ends are written in brackets: 'udp [2001:db8::7]:546 > [2001:db8::1]:547'.\n"
	"With --gateway, the same for a gateway (attach --gateway): its forward\n"
	"rules, or the verdict on a packet it forwards, e.g.\n"
	"'explain --gateway --packet \"tcp 192.0.2.20:40000 > 192.0.2.41:443\"'.\n"
	"Exit status: 0, or with --exit-verdict 0 when the packet passes and 3\n"
	"when it is dropped; 1 when the host or kind is not in the policy.",
	.opts = explain_opts,
};

int pc_cmd_explain(int argc, char **argv)
{
	struct explain_opts eo = { .dir = -1 };
	struct pc_ruleset rs;
	struct pc_policy p;
	int rc;

	rc = pc_opts_parse(&pc_explain_cmd, argc, argv, &eo);
	if (rc >= 0)
		return rc;
	if (eo.host && eo.role)
		return pc_cli_usage_error("explain", "give --host or --role, not both");
	if (eo.exit_verdict && !eo.packet)
		return pc_cli_usage_error("explain", "--exit-verdict needs --packet");
	if (eo.gateway && eo.role)
		return pc_cli_usage_error("explain", "a gateway is a host of the site: give --host, not --role");
	rc = pc_cli_load_policy(eo.site, &p, NULL, NULL);
	if (rc)
		return rc;
	if (eo.gateway) {
		rc = explain_gateway(&p, &eo);
		pc_policy_free(&p);
		return rc;
	}
	rc = pc_cli_compile("explain", &p, eo.host, eo.role, &rs);
	if (rc) {
		pc_policy_free(&p);
		return rc;
	}
	if (eo.packet)
		rc = explain_packet(&rs, eo.packet, eo.dir, eo.json, eo.exit_verdict);
	else if (eo.json)
		pc_cli_print_json(rules_json(&rs));
	else
		print_rules(&rs);
	pc_ruleset_free(&rs);
	pc_policy_free(&p);
	return rc;
}
