// SPDX-License-Identifier: GPL-2.0-only
#include "classify.h"

bool pc_port_in_range(struct pc_port_range r, uint16_t port)
{
	return port >= r.lo && port <= r.hi;
}

bool pc_verdict_offer(struct pc_verdict *v, const struct pc_rule *r, bool peers_match)
{
	if (peers_match) {
		v->kind = PC_VERDICT_PASS;
		v->rule = r;
		return true;
	}
	if (v->kind == PC_VERDICT_NO_RULE) {
		v->kind = PC_VERDICT_WRONG_PEER;
		v->rule = r;
	}
	return false;
}

static bool ports_match(const struct pc_rule *r, const struct pc_tuple *t)
{
	unsigned cls = t->to_broadcast ? PC_LOCAL_BROADCAST : PC_LOCAL_UNICAST;

	return r->dir == t->dir && r->proto == t->proto &&
	       (r->dir == PC_DIR_EGRESS || (r->local_class & cls)) &&
	       pc_port_in_range(r->local, t->local_port) &&
	       pc_port_in_range(r->remote, t->remote_port);
}

void pc_classify(const struct pc_ruleset *rs, const struct pc_tuple *t,
		 struct pc_verdict *v)
{
	v->kind = PC_VERDICT_NO_RULE;
	v->rule = NULL;
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];

		if (ports_match(r, t) &&
		    pc_verdict_offer(v, r, pc_rule_has_remote(r, &t->remote)))
			return;
	}
}

const char *pc_verdict_name(enum pc_verdict_kind kind)
{
	switch (kind) {
	case PC_VERDICT_PASS:
		return "pass";
	case PC_VERDICT_NO_RULE:
		return "no-rule";
	default:
		return "wrong-peer";
	}
}
