// SPDX-License-Identifier: GPL-2.0-only
#include "gateway.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* One forward rule's address sets, from the flow alone. */
static void forward_sets(const struct pc_policy *p, const struct pc_host *gw,
			 const struct pc_flow *f, struct pc_rule *r)
{
	struct pc_addr a;

	r->remote_kinds = f->initiator.kinds;
	r->local_kinds = f->responder.kinds;
	pc_side_hosts(p, gw, &f->initiator, &r->remote_addrs, &r->nremote);
	if (f->unspecified_source) {
		a = pc_addr_v4(0);
		pc_addrs_push(&r->remote_addrs, &r->nremote, &a);
		r->remote_extra |= PC_REMOTE_UNSPECIFIED;
	}
	if (f->addressing & PC_ADDRESSING_UNICAST) {
		pc_side_hosts(p, gw, &f->responder, &r->local_addrs, &r->nlocal);
		r->local_class |= PC_LOCAL_UNICAST;
	}
	if (f->addressing & PC_ADDRESSING_LIMITED_BCAST) {
		a = pc_addr_v4(0xffffffffu);
		pc_addrs_push(&r->local_addrs, &r->nlocal, &a);
		r->local_extra |= PC_REMOTE_LIMITED_BCAST;
		r->local_class |= PC_LOCAL_BROADCAST;
	}
	if (f->addressing & PC_ADDRESSING_DIRECTED_BCAST) {
		pc_side_broadcasts(p, gw, &f->responder, &r->local_addrs, &r->nlocal);
		r->local_extra |= PC_REMOTE_DIRECTED_BCAST;
		r->local_class |= PC_LOCAL_BROADCAST;
	}
	pc_addrs_unique(r->remote_addrs, &r->nremote);
	pc_addrs_unique(r->local_addrs, &r->nlocal);
}

static void add_forward_rules(struct pc_ruleset *rs, const struct pc_host *gw,
			      const struct pc_flow *f)
{
	struct pc_rule tmpl = { .flow = f, .forward = true, .dir = PC_DIR_INGRESS };

	forward_sets(rs->policy, gw, f, &tmpl);
	if (tmpl.nremote > 0 && tmpl.nlocal > 0)
		pc_rules_expand(rs, &tmpl, &f->responder.ports, &f->initiator.ports);
	free(tmpl.remote_addrs);
	free(tmpl.local_addrs);
}

int pc_compile_gateway(const struct pc_policy *p, const struct pc_host *gw,
		       struct pc_ruleset *out)
{
	int err;

	if (gw) {
		err = pc_compile_host(p, gw->name, out);
		if (err)
			return err;
	} else {
		memset(out, 0, sizeof(*out));
		out->policy = p;
		out->name = pc_xstrdup("gateway");
	}
	out->gateway = true;
	out->nown = out->nrules;
	for (size_t i = 0; i < p->nflows; i++)
		if (pc_flow_enabled(p, &p->flows[i]))
			add_forward_rules(out, gw, &p->flows[i]);
	return 0;
}

bool pc_rule_has_local(const struct pc_rule *r, const struct pc_addr *a)
{
	for (size_t i = 0; i < r->nlocal; i++)
		if (pc_addr_contains(&r->local_addrs[i], a))
			return true;
	return false;
}

void pc_gateway_classify(const struct pc_ruleset *rs,
			 const struct pc_fwd_tuple *t, struct pc_verdict *v)
{
	v->kind = PC_VERDICT_NO_RULE;
	v->rule = NULL;
	for (size_t i = rs->nown; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];

		if (!r->forward || r->proto != t->proto ||
		    !pc_port_in_range(r->local, t->dport) ||
		    !pc_port_in_range(r->remote, t->sport))
			continue;
		if (pc_verdict_offer(v, r, pc_rule_has_remote(r, &t->src) &&
					   pc_rule_has_local(r, &t->dst)))
			return;
	}
}

bool pc_gateway_own(const struct pc_host *gw, const struct pc_addr *a)
{
	if (!gw)
		return false;
	for (size_t i = 0; i < gw->naddrs; i++)
		if (pc_addr_contains(&gw->addrs[i], a))
			return true;
	return false;
}

const struct pc_host *pc_host_gateway(const struct pc_policy *p,
				      const struct pc_host *h)
{
	return h->gateway ? pc_policy_find_host(p, h->gateway) : NULL;
}

const struct pc_ruleset *pc_gateway_own_rules(const struct pc_ruleset *rs,
					      struct pc_ruleset *tmp)
{
	if (!rs->gateway)
		return rs;
	*tmp = *rs;
	tmp->nrules = rs->nown;
	tmp->gateway = false;
	return tmp;
}

bool pc_host_runs_portcullis(const struct pc_policy *p, const struct pc_host *h)
{
	static const char *const cannot[] = { "windows", "hyper-v", "esxi", "svp",
					      "bmc", "hvm", "management-client" };

	if (h->runs_portcullis >= 0)
		return h->runs_portcullis;
	if (h->os)
		return strcmp(h->os, "windows") != 0;
	for (size_t i = 0; i < sizeof(cannot) / sizeof(*cannot); i++) {
		int k = pc_policy_find_kind(p, cannot[i]);

		if (k >= 0 && (h->kinds & (1ull << k)))
			return false;
	}
	return true;
}

unsigned pc_host_protection(const struct pc_policy *p, const struct pc_host *h)
{
	return (pc_host_runs_portcullis(p, h) ? PC_PROTECTED_SELF : 0) |
	       (pc_host_gateway(p, h) ? PC_PROTECTED_GATEWAY : 0);
}

size_t pc_flow_unenforced(const struct pc_policy *p, const struct pc_flow *f,
			  const struct pc_host **ex_init,
			  const struct pc_host **ex_resp)
{
	size_t ni = 0, nr = 0, both = 0;
	const struct pc_host *i2 = NULL, *r2 = NULL;

	*ex_init = *ex_resp = NULL;
	/* In n: pairs = initiators x responders, less a host with itself. */
	for (size_t i = 0; i < p->nhosts; i++) {
		const struct pc_host *h = &p->hosts[i];
		bool a = pc_endpoint_has_host(&f->initiator, h);
		bool b = pc_endpoint_has_host(&f->responder, h);

		if ((!a && !b) || pc_host_protection(p, h))
			continue;
		ni += a;
		nr += b;
		both += a && b;
		if (a && !*ex_init)
			*ex_init = h;
		else if (a && !i2)
			i2 = h;
		if (b && !*ex_resp)
			*ex_resp = h;
		else if (b && !r2)
			r2 = h;
	}
	if (ni * nr == both) {
		*ex_init = *ex_resp = NULL;
		return 0;
	}
	if (*ex_init == *ex_resp) { /* the same host: pair it with another */
		if (r2)
			*ex_resp = r2;
		else
			*ex_init = i2;
	}
	return ni * nr - both;
}

bool pc_host_reachable_tcp(const struct pc_policy *p, const struct pc_host *h)
{
	struct pc_ruleset rs;
	bool any = false;

	if (pc_compile_host(p, h->name, &rs))
		return false;
	for (size_t i = 0; i < rs.nrules && !any; i++)
		any = rs.rules[i].dir == PC_DIR_INGRESS && rs.rules[i].proto == IPPROTO_TCP &&
		      rs.rules[i].nremote > 0;
	pc_ruleset_free(&rs);
	return any;
}
