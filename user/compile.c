// SPDX-License-Identifier: GPL-2.0-only
#include "compile.h"

#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RANGES 64

void pc_addrs_push(struct pc_addr **v, size_t *n, const struct pc_addr *a)
{
	/* Capacity doubles: it is full exactly when n is a power of two. */
	if (*n == 0 || (*n & (*n - 1)) == 0)
		*v = pc_xrealloc(*v, *n ? *n * 2 : 1, sizeof(**v));
	(*v)[(*n)++] = *a;
}

static int cmp_addr(const void *x, const void *y)
{
	return pc_addr_cmp(x, y);
}

void pc_addrs_unique(struct pc_addr *v, size_t *n)
{
	size_t out = 0;

	if (*n < 2)
		return;
	qsort(v, *n, sizeof(*v), cmp_addr);
	for (size_t i = 0; i < *n; i++)
		if (out == 0 || cmp_addr(&v[out - 1], &v[i]))
			v[out++] = v[i];
	*n = out;
}

void pc_side_hosts(const struct pc_policy *p, const struct pc_host *skip,
		   const struct pc_endpoint *e, struct pc_addr **v, size_t *n)
{
	for (size_t i = 0; i < p->nhosts; i++) {
		const struct pc_host *h = &p->hosts[i];

		if (h == skip || !pc_endpoint_has_host(e, h))
			continue;
		for (size_t j = 0; j < h->naddrs; j++)
			pc_addrs_push(v, n, &h->addrs[j]);
	}
}

void pc_side_broadcasts(const struct pc_policy *p, const struct pc_host *skip,
			const struct pc_endpoint *e, struct pc_addr **v, size_t *n)
{
	for (size_t s = 0; s < p->nsegments; s++) {
		bool used = false;

		for (size_t i = 0; i < p->nhosts && !used; i++) {
			const struct pc_host *h = &p->hosts[i];

			if (h == skip || !pc_endpoint_has_host(e, h))
				continue;
			for (size_t j = 0; j < h->naddrs && !used; j++)
				used = pc_addr_contains(&p->segments[s], &h->addrs[j]);
		}
		if (used) {
			struct pc_addr b = pc_addr_broadcast(&p->segments[s]);

			pc_addrs_push(v, n, &b);
		}
	}
}

/* An exact-size copy; NULL when empty, as a rule without peers has. */
static struct pc_addr *addrs_dup(const struct pc_addr *v, size_t n)
{
	struct pc_addr *out;

	if (n == 0)
		return NULL;
	out = pc_xcalloc(n, sizeof(*out));
	memcpy(out, v, n * sizeof(*out));
	return out;
}

void pc_rules_expand(struct pc_ruleset *rs, const struct pc_rule *tmpl,
		     const struct pc_port_spec *local,
		     const struct pc_port_spec *remote)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct pc_port_range lr[MAX_RANGES], rr[MAX_RANGES];
	size_t nl, nr;

	nl = pc_port_spec_ranges(rs->policy, local, lr, MAX_RANGES);
	nr = pc_port_spec_ranges(rs->policy, remote, rr, MAX_RANGES);
	for (size_t pi = 0; pi < 2; pi++) {
		if (!(tmpl->flow->protocols & (1u << pi)))
			continue;
		for (size_t l = 0; l < nl; l++) {
			for (size_t r = 0; r < nr; r++) {
				struct pc_rule *rule;

				rs->rules = pc_xrealloc(rs->rules, rs->nrules + 1,
							sizeof(*rs->rules));
				rule = &rs->rules[rs->nrules++];
				*rule = *tmpl;
				rule->proto = protos[pi];
				rule->local = lr[l];
				rule->remote = rr[r];
				rule->remote_addrs = addrs_dup(tmpl->remote_addrs, tmpl->nremote);
				rule->local_addrs = addrs_dup(tmpl->local_addrs, tmpl->nlocal);
			}
		}
	}
}

static void remote_set(const struct pc_ruleset *rs, const struct pc_flow *f,
		       bool local_initiates, struct pc_rule *r)
{
	const struct pc_endpoint *peer = local_initiates ? &f->responder : &f->initiator;
	struct pc_addr a;

	r->remote_kinds = peer->kinds;
	if (!local_initiates || (f->addressing & PC_ADDRESSING_UNICAST))
		pc_side_hosts(rs->policy, rs->host, peer, &r->remote_addrs, &r->nremote);
	if (local_initiates && (f->addressing & PC_ADDRESSING_LIMITED_BCAST)) {
		a = pc_addr_v4(0xffffffffu);
		pc_addrs_push(&r->remote_addrs, &r->nremote, &a);
		r->remote_extra |= PC_REMOTE_LIMITED_BCAST;
	}
	if (local_initiates && (f->addressing & PC_ADDRESSING_DIRECTED_BCAST)) {
		pc_side_broadcasts(rs->policy, rs->host, peer, &r->remote_addrs,
				   &r->nremote);
		r->remote_extra |= PC_REMOTE_DIRECTED_BCAST;
	}
	if (!local_initiates && f->unspecified_source) {
		a = pc_addr_v4(0);
		pc_addrs_push(&r->remote_addrs, &r->nremote, &a);
		r->remote_extra |= PC_REMOTE_UNSPECIFIED;
	}
}

/*
 * A row sent only by broadcast is received only as a broadcast, a unicast
 * row only at the host's own address. Egress rules say it with their remote
 * addresses instead, so they accept both.
 */
static unsigned local_class(const struct pc_flow *f, bool local_initiates)
{
	unsigned c = 0;

	if (local_initiates)
		return PC_LOCAL_UNICAST | PC_LOCAL_BROADCAST;
	if (f->addressing & PC_ADDRESSING_UNICAST)
		c |= PC_LOCAL_UNICAST;
	if (f->addressing & (PC_ADDRESSING_LIMITED_BCAST | PC_ADDRESSING_DIRECTED_BCAST))
		c |= PC_LOCAL_BROADCAST;
	return c;
}

/* The remote set is the same for every port range: computed once. */
static void add_rules(struct pc_ruleset *rs, const struct pc_flow *f,
		      bool local_initiates)
{
	const struct pc_endpoint *local = local_initiates ? &f->initiator : &f->responder;
	const struct pc_endpoint *peer = local_initiates ? &f->responder : &f->initiator;
	struct pc_rule tmpl = {
		.flow = f,
		.dir = local_initiates ? PC_DIR_EGRESS : PC_DIR_INGRESS,
		.local_class = local_class(f, local_initiates),
	};

	remote_set(rs, f, local_initiates, &tmpl);
	pc_addrs_unique(tmpl.remote_addrs, &tmpl.nremote);
	pc_rules_expand(rs, &tmpl, &local->ports, &peer->ports);
	free(tmpl.remote_addrs);
}

static bool endpoint_is_local(const struct pc_ruleset *rs,
			      const struct pc_endpoint *e)
{
	if (rs->host)
		return pc_endpoint_has_host(e, rs->host);
	return (e->kinds & rs->kinds) != 0;
}

static void compile(const struct pc_policy *p, struct pc_ruleset *rs)
{
	rs->policy = p;
	for (size_t i = 0; i < p->nflows; i++) {
		const struct pc_flow *f = &p->flows[i];

		if (!pc_flow_enabled(p, f))
			continue;
		if (endpoint_is_local(rs, &f->initiator))
			add_rules(rs, f, true);
		if (endpoint_is_local(rs, &f->responder))
			add_rules(rs, f, false);
	}
}

int pc_compile_host(const struct pc_policy *p, const char *host_name,
		    struct pc_ruleset *out)
{
	const struct pc_host *h = pc_policy_find_host(p, host_name);

	memset(out, 0, sizeof(*out));
	if (!h)
		return -ENOENT;
	out->name = pc_xstrdup(h->name);
	out->host = h;
	out->kinds = h->kinds;
	compile(p, out);
	return 0;
}

int pc_compile_role(const struct pc_policy *p, const char *kind,
		    struct pc_ruleset *out)
{
	int k = pc_policy_find_kind(p, kind);

	memset(out, 0, sizeof(*out));
	if (k < 0)
		return -ENOENT;
	out->name = pc_xstrdup(kind);
	out->kinds = 1ull << k;
	compile(p, out);
	return 0;
}

int pc_find_local_host(const struct pc_policy *p, const struct pc_host **out)
{
	const struct pc_host *exact = NULL, *group = NULL;
	bool exact_twice = false, group_twice = false;
	struct ifaddrs *ifs, *ifa;

	*out = NULL;
	if (getifaddrs(&ifs) < 0)
		return -errno;
	for (ifa = ifs; ifa; ifa = ifa->ifa_next) {
		struct pc_addr a;

		if (!pc_addr_from_sockaddr(ifa->ifa_addr, &a))
			continue;
		for (size_t i = 0; i < p->nhosts; i++) {
			const struct pc_host *h = &p->hosts[i];

			for (size_t j = 0; j < h->naddrs; j++) {
				if (!pc_addr_contains(&h->addrs[j], &a))
					continue;
				/* A host's own address beats a CIDR group. */
				if (pc_addr_is_host(&h->addrs[j])) {
					exact_twice |= exact && exact != h;
					exact = h;
				} else {
					group_twice |= group && group != h;
					group = h;
				}
			}
		}
	}
	freeifaddrs(ifs);
	if (exact_twice || (!exact && group_twice))
		return -EEXIST;
	*out = exact ? exact : group;
	return *out ? 0 : -ENOENT;
}

void pc_ruleset_free(struct pc_ruleset *rs)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		free(rs->rules[i].remote_addrs);
		free(rs->rules[i].local_addrs);
	}
	free(rs->rules);
	free(rs->name);
	memset(rs, 0, sizeof(*rs));
}

bool pc_rule_has_remote(const struct pc_rule *r, const struct pc_addr *a)
{
	for (size_t i = 0; i < r->nremote; i++)
		if (pc_addr_contains(&r->remote_addrs[i], a))
			return true;
	return false;
}

static bool range_covers(struct pc_port_range a, struct pc_port_range b)
{
	return a.lo <= b.lo && b.hi <= a.hi;
}

/* Every peer of b is a peer of a (both sets are sorted and unique; an
 * empty one may be NULL, which bsearch must not be given). */
static bool peers_cover(const struct pc_rule *a, const struct pc_rule *b)
{
	for (size_t i = 0; i < b->nremote; i++)
		if ((a->nremote == 0 ||
		     !bsearch(&b->remote_addrs[i], a->remote_addrs, a->nremote,
			      sizeof(*a->remote_addrs), cmp_addr)) &&
		    !pc_rule_has_remote(a, &b->remote_addrs[i]))
			return false;
	return true;
}

const struct pc_rule *pc_rule_shadow(const struct pc_ruleset *rs,
				     const struct pc_rule *r)
{
	for (const struct pc_rule *e = rs->rules; e < r; e++) {
		if (e->flow == r->flow || e->dir != r->dir || e->proto != r->proto)
			continue;
		if ((e->local_class & r->local_class) != r->local_class)
			continue;
		if (range_covers(e->local, r->local) && range_covers(e->remote, r->remote) &&
		    (r->remote_kinds & ~e->remote_kinds) == 0 && peers_cover(e, r))
			return e;
	}
	return NULL;
}

const char *pc_dir_name(enum pc_dir dir)
{
	return dir == PC_DIR_INGRESS ? "ingress" : "egress";
}

const char *pc_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	default:
		return "?";
	}
}

char *pc_rule_remote_format(const struct pc_ruleset *rs, const struct pc_rule *r)
{
	char kinds[512], addr[PC_ADDR_STRLEN];
	char *out;
	size_t len;
	FILE *f;

	f = open_memstream(&out, &len);
	if (!f)
		return pc_xstrdup("?");
	fputs(pc_kinds_format(rs->policy, r->remote_kinds, kinds, sizeof(kinds)), f);
	if (r->nremote == 0) {
		fputs(" (no hosts declared)", f);
	} else {
		fputs(" (", f);
		for (size_t i = 0; i < r->nremote; i++)
			fprintf(f, "%s%s", i ? ", " : "",
				pc_addr_format(&r->remote_addrs[i], addr));
		fputs(")", f);
	}
	fclose(f);
	return out;
}
