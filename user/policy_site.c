// SPDX-License-Identifier: GPL-2.0-only
/* Reading a site file: hosts, segments, port values, parts, flows, settings. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_parse.h"
#include "suggest.h"
#include "yaml_schema.h"

static int parse_extra_kinds(struct pc_parse *ctx, const struct pc_ynode *n)
{
	struct pc_policy *p = ctx->p;
	int err = 0;

	if (!pc_yexpect(ctx->d, n, PC_YSEQ, "kinds"))
		return -EINVAL;
	for (size_t i = 0; i < n->count; i++) {
		char *name;

		if (pc_ystring(ctx->d, n->items[i], "a kind", &name)) {
			err = -EINVAL;
			continue;
		}
		if (pc_policy_find_kind(p, name) >= 0) {
			pc_diags_add(ctx->d, n->items[i]->pos,
				     "kind '%s' is already defined", name);
			free(name);
			err = -EINVAL;
		} else if (p->nkinds == PC_MAX_KINDS) {
			pc_diags_add(ctx->d, n->items[i]->pos,
				     "at most %d kinds", PC_MAX_KINDS);
			free(name);
			return -EINVAL;
		} else {
			p->kinds[p->nkinds++] = name;
		}
	}
	return err;
}

static int parse_addresses(struct pc_parse *ctx, const struct pc_ynode *n,
			   struct pc_host *h)
{
	int err = 0;

	if (!pc_yexpect(ctx->d, n, PC_YSEQ, "addresses"))
		return -EINVAL;
	h->addrs = pc_xcalloc(n->count, sizeof(*h->addrs));
	for (size_t i = 0; i < n->count; i++) {
		const struct pc_ynode *a = n->items[i];
		const char *why;

		if (!pc_yexpect(ctx->d, a, PC_YSCALAR, "an address")) {
			err = -EINVAL;
			continue;
		}
		if (pc_addr_parse(a->scalar, &h->addrs[h->naddrs], &why)) {
			pc_diags_add(ctx->d, a->pos, "bad address '%s': %s",
				     a->scalar, why);
			err = -EINVAL;
			continue;
		}
		h->naddrs++;
	}
	return err;
}

static int parse_host(struct pc_parse *ctx, const struct pc_ynode *n,
		      struct pc_host *h)
{
	static const char *const keys[] = { "name", "kinds", "os", "addresses",
					    "description", "gateway", "runs-portcullis" };
	static const char *const oses[] = { "linux", "windows" };
	const struct pc_ynode *v;
	int err = 0, os;

	h->pos = n->pos;
	if (!pc_yexpect(ctx->d, n, PC_YMAP, "a host"))
		return -EINVAL;
	if (PC_YCHECK_KEYS(ctx->d, n, "a host", keys))
		err = -EINVAL;
	if ((v = pc_yrequire(ctx->d, n, "name", "a host")))
		err |= pc_ystring(ctx->d, v, "name", &h->name);
	else
		err = -EINVAL;
	if ((v = pc_yrequire(ctx->d, n, "kinds", "a host"))) {
		if (pc_parse_kinds(ctx, v, "kinds", &h->kinds)) {
			err = -EINVAL;
		} else if (h->kinds == 0) {
			pc_diags_add(ctx->d, v->pos, "empty role: host '%s' has no kinds",
				     h->name ? h->name : "?");
			err = -EINVAL;
		}
	} else {
		err = -EINVAL;
	}
	if ((v = pc_yrequire(ctx->d, n, "addresses", "a host"))) {
		if (parse_addresses(ctx, v, h) == 0 && h->naddrs == 0) {
			pc_diags_add(ctx->d, v->pos, "host '%s' has no addresses",
				     h->name ? h->name : "?");
			err = -EINVAL;
		} else if (h->naddrs == 0) {
			err = -EINVAL;
		}
	} else {
		err = -EINVAL;
	}
	if ((v = pc_yget(n, "os"))) {
		if (pc_yenum(ctx->d, v, "os", oses, 2, &os) == 0)
			h->os = pc_xstrdup(oses[os]);
		else
			err = -EINVAL;
	}
	h->runs_portcullis = -1;
	if ((v = pc_yget(n, "runs-portcullis"))) {
		bool b = false;

		err |= pc_ybool(ctx->d, v, "runs-portcullis", &b);
		h->runs_portcullis = b;
	}
	if ((v = pc_yget(n, "gateway"))) {
		h->gateway_pos = v->pos;
		err |= pc_ystring(ctx->d, v, "gateway", &h->gateway);
	}
	return err;
}

/* A host's gateway must be another host of the site (checked once every
 * name is known). */
static int check_gateways(struct pc_parse *ctx)
{
	const struct pc_policy *p = ctx->p;
	int err = 0;

	for (size_t i = 0; i < p->nhosts; i++) {
		const struct pc_host *h = &p->hosts[i], *g;

		if (!h->gateway)
			continue;
		g = pc_policy_find_host(p, h->gateway);
		if (!g) {
			pc_diags_add(ctx->d, h->gateway_pos,
				     "gateway '%s' of host '%s' is not a host of the site",
				     h->gateway, h->name ? h->name : "?");
			err = -EINVAL;
		} else if (g == h) {
			pc_diags_add(ctx->d, h->gateway_pos,
				     "host '%s' cannot be its own gateway", h->gateway);
			err = -EINVAL;
		}
	}
	return err;
}

static int parse_hosts(struct pc_parse *ctx, const struct pc_ynode *n)
{
	struct pc_policy *p = ctx->p;
	size_t *first;
	bool *bad;
	int err = 0;

	if (!pc_yexpect(ctx->d, n, PC_YSEQ, "hosts"))
		return -EINVAL;
	p->hosts = pc_xcalloc(n->count, sizeof(*p->hosts));
	bad = pc_xcalloc(n->count ? n->count : 1, sizeof(*bad));
	for (size_t i = 0; i < n->count; i++) {
		bad[i] = parse_host(ctx, n->items[i], &p->hosts[p->nhosts++]) != 0;
		if (bad[i])
			err = -EINVAL;
	}
	/* Names through the sorted index: a site may list a million hosts. In
	 * a run of one name the index has the first host first. */
	pc_policy_index_hosts(p);
	first = pc_xcalloc(p->nhosts ? p->nhosts : 1, sizeof(*first));
	for (size_t i = 0, run = 0; i < p->nhosts; i++) {
		const struct pc_host *h = &p->hosts[p->host_index[i]];
		const struct pc_host *r = &p->hosts[p->host_index[run]];

		if (!h->name || !r->name || strcmp(h->name, r->name))
			run = i;
		first[p->host_index[i]] = p->host_index[run];
	}
	for (size_t i = 0; i < p->nhosts; i++) {
		const struct pc_host *h = &p->hosts[i], *f = &p->hosts[first[i]];

		if (bad[i] || !h->name || f == h)
			continue;
		pc_diags_add(ctx->d, h->pos, "host name '%s' is already used at line %d",
			     h->name, f->pos.line);
		err = -EINVAL;
	}
	free(first);
	free(bad);
	return err | check_gateways(ctx);
}

/* A list of single addresses or prefixes (what: the list's key, item: one
 * entry, for messages); refuse() says why an entry does not fit, or NULL. */
static int parse_addr_list(struct pc_parse *ctx, const struct pc_ynode *n,
			   const char *what, const char *item,
			   const char *(*refuse)(const struct pc_addr *),
			   struct pc_addr **out, size_t *count)
{
	int err = 0;

	if (!pc_yexpect(ctx->d, n, PC_YSEQ, what))
		return -EINVAL;
	*out = pc_xcalloc(n->count, sizeof(**out));
	for (size_t i = 0; i < n->count; i++) {
		const struct pc_ynode *s = n->items[i];
		struct pc_addr *a = &(*out)[*count];
		const char *why;

		if (!pc_yexpect(ctx->d, s, PC_YSCALAR, item)) {
			err = -EINVAL;
			continue;
		}
		if (pc_addr_parse(s->scalar, a, &why)) {
			pc_diags_add(ctx->d, s->pos, "bad %s '%s': %s", item, s->scalar, why);
			err = -EINVAL;
		} else if ((why = refuse(a))) {
			pc_diags_add(ctx->d, s->pos, "%s '%s' %s", item, s->scalar, why);
			err = -EINVAL;
		} else {
			(*count)++;
		}
	}
	return err;
}

static const char *segment_refused(const struct pc_addr *a)
{
	if (a->family != AF_INET || a->prefix > 30)
		return "must be an IPv4 subnet of /30 or wider (segments give directed broadcast addresses)";
	return NULL;
}

/* The site's IPv6 routers: the link-local addresses their router
 * advertisements and redirects come from (RFC 4861 6.1.2, 8.1). */
static const char *router_refused(const struct pc_addr *a)
{
	if (a->family != AF_INET6 || a->prefix != 128 || a->bytes[0] != 0xfe ||
	    (a->bytes[1] & 0xc0) != 0x80)
		return "must be an IPv6 link-local address (fe80::/10): routers advertise from it";
	return NULL;
}

/* A value for a port parameter: a port, a range, `default`, `fallback`, or
 * a list of them. */
static int parse_param_value(struct pc_parse *ctx, const struct pc_ynode *n,
			     struct pc_param *prm)
{
	const struct pc_ynode *const *items = (const struct pc_ynode *const *)&n;
	size_t count = 1;
	struct pc_port_range *values;
	int err = 0;

	if (n->type == PC_YSEQ) {
		items = (const struct pc_ynode *const *)n->items;
		count = n->count;
		if (count == 0) {
			pc_diags_add(ctx->d, n->pos, "parameter '%s' is an empty list",
				     prm->name);
			return -EINVAL;
		}
	} else if (!pc_yexpect(ctx->d, n, PC_YSCALAR, "a parameter value")) {
		return -EINVAL;
	}
	values = pc_xcalloc(count, sizeof(*values));
	for (size_t i = 0; i < count; i++) {
		const char *why;

		if (!pc_yexpect(ctx->d, items[i], PC_YSCALAR, "a port")) {
			err = -EINVAL;
		} else if (strcmp(items[i]->scalar, "default") == 0) {
			values[i] = prm->def;
		} else if (strcmp(items[i]->scalar, "fallback") == 0) {
			/* "n または m": the port HCSM uses when setting n failed. */
			if (!prm->has_fallback) {
				pc_diags_add(ctx->d, items[i]->pos,
					     "parameter '%s' has no fallback port (only the \"n or m\" ports and snmp-trap-port have one)",
					     prm->name);
				err = -EINVAL;
			}
			values[i].lo = values[i].hi = prm->fallback;
		} else if (pc_parse_port_range(items[i]->scalar, &values[i], &why)) {
			pc_diags_add(ctx->d, items[i]->pos, "parameter '%s': '%s' %s",
				     prm->name, items[i]->scalar, why);
			err = -EINVAL;
		}
	}
	if (err) {
		free(values);
		return -EINVAL;
	}
	free(prm->values);
	prm->values = values;
	prm->nvalues = count;
	prm->set_at = n->pos;
	return 0;
}

static int parse_param_values(struct pc_parse *ctx, const struct pc_ynode *n)
{
	int err = 0;

	if (!pc_yexpect(ctx->d, n, PC_YMAP, "parameters"))
		return -EINVAL;
	for (size_t i = 0; i < n->count; i++) {
		const struct pc_ynode *k = pc_ymap_key(n, i);
		size_t idx;

		if (!pc_yexpect(ctx->d, k, PC_YSCALAR, "a parameter name") ||
		    pc_parse_param_ref(ctx, k, k->scalar, &idx)) {
			err = -EINVAL;
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			const struct pc_ynode *prev = pc_ymap_key(n, j);

			if (prev->type == PC_YSCALAR && strcmp(prev->scalar, k->scalar) == 0) {
				pc_diags_add(ctx->d, k->pos, "parameter '%s' is set twice",
					     k->scalar);
				err = -EINVAL;
			}
		}
		err |= parse_param_value(ctx, pc_ymap_value(n, i), &ctx->p->params[idx]);
	}
	return err;
}

static int parse_part_switches(struct pc_parse *ctx, const struct pc_ynode *n)
{
	struct pc_policy *p = ctx->p;
	const char *names[64];
	int err = 0;

	if (!pc_yexpect(ctx->d, n, PC_YMAP, "parts"))
		return -EINVAL;
	for (size_t i = 0; i < p->nparts; i++)
		names[i] = p->parts[i].name;
	for (size_t i = 0; i < n->count; i++) {
		const struct pc_ynode *k = pc_ymap_key(n, i);
		int idx;
		bool on;

		if (pc_yenum(ctx->d, k, "part", names, p->nparts, &idx) ||
		    pc_ybool(ctx->d, pc_ymap_value(n, i), "a part switch", &on)) {
			err = -EINVAL;
			continue;
		}
		p->parts[idx].enabled = on;
		p->parts[idx].set_at = k->pos;
	}
	return err;
}

static int parse_conntrack(struct pc_parse *ctx, const struct pc_ynode *n)
{
	static const char *const keys[] = { "tcp-established", "tcp-transitory",
					    "udp", "icmp", "max-connections" };
	struct pc_settings *s = &ctx->p->settings;
	uint32_t *fields[] = { &s->ct_tcp_established, &s->ct_tcp_transitory,
			       &s->ct_udp, &s->ct_icmp, &s->ct_max_connections };
	int err = 0;

	if (!pc_yexpect(ctx->d, n, PC_YMAP, "conntrack"))
		return -EINVAL;
	if (PC_YCHECK_KEYS(ctx->d, n, "conntrack", keys))
		err = -EINVAL;
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		const struct pc_ynode *v = pc_yget(n, keys[i]);
		uint64_t val;

		if (!v)
			continue;
		if (i == 4 ? pc_yuint(ctx->d, v, keys[i], 1024, 1u << 24, &val) :
			     pc_yuint(ctx->d, v, keys[i], 1, 7 * 24 * 3600, &val))
			err = -EINVAL;
		else
			*fields[i] = (uint32_t)val;
	}
	return err;
}

static int parse_settings(struct pc_parse *ctx, const struct pc_ynode *n)
{
	static const char *const keys[] = { "mode", "icmp-echo", "non-ip",
					    "conntrack", "on-reload", "ipv6-ra",
					    "raw-socket-bypass", "log-denied" };
	static const char *const log_denied[] = PC_LOG_DENIED_NAMES;
	static const char *const ra[] = { "site-routers", "deny", "any" };
	static const char *const modes[] = { "enforce", "audit" };
	static const char *const non_ip[] = PC_NON_IP_NAMES;
	static const char *const reload[] = { "recheck", "keep-established" };
	static const char *const bypass[] = { "refuse", "allow" };
	struct pc_settings *s = &ctx->p->settings;
	const struct pc_ynode *v;
	int err = 0, idx;

	if (!pc_yexpect(ctx->d, n, PC_YMAP, "settings"))
		return -EINVAL;
	if (PC_YCHECK_KEYS(ctx->d, n, "settings", keys))
		err = -EINVAL;
	if ((v = pc_yget(n, "mode"))) {
		if (pc_yenum(ctx->d, v, "mode", modes, 2, &idx) == 0)
			s->mode = idx ? PC_MODE_AUDIT : PC_MODE_ENFORCE;
		else
			err = -EINVAL;
	}
	if ((v = pc_yget(n, "icmp-echo")))
		err |= pc_ybool(ctx->d, v, "icmp-echo", &s->icmp_echo);
	if ((v = pc_yget(n, "non-ip"))) {
		if (pc_yenum(ctx->d, v, "non-ip", non_ip, sizeof(non_ip) / sizeof(*non_ip), &idx) == 0)
			s->non_ip = (enum pc_non_ip)idx;
		else
			err = -EINVAL;
	}
	if ((v = pc_yget(n, "on-reload"))) {
		if (pc_yenum(ctx->d, v, "on-reload", reload, 2, &idx) == 0)
			s->keep_established = idx == 1;
		else
			err = -EINVAL;
	}
	if ((v = pc_yget(n, "ipv6-ra"))) {
		if (pc_yenum(ctx->d, v, "ipv6-ra", ra, 3, &idx) == 0)
			s->ipv6_ra = (enum pc_ra)idx;
		else
			err = -EINVAL;
	}
	if ((v = pc_yget(n, "raw-socket-bypass"))) {
		if (pc_yenum(ctx->d, v, "raw-socket-bypass", bypass, 2, &idx) == 0)
			s->raw_bypass_allow = idx == 1;
		else
			err = -EINVAL;
	}
	if ((v = pc_yget(n, "log-denied"))) {
		if (pc_yenum(ctx->d, v, "log-denied", log_denied, 3, &idx) == 0)
			s->log_denied = (enum pc_log_denied)idx;
		else
			err = -EINVAL;
	}
	if ((v = pc_yget(n, "conntrack")))
		err |= parse_conntrack(ctx, v);
	return err;
}

/* Names in a site flow's hosts: list must be hosts of the site. */
static int check_flow_hosts(struct pc_parse *ctx, const struct pc_endpoint *e)
{
	int err = 0;

	for (size_t i = 0; i < e->nhosts; i++) {
		const char **names;
		const char *near;
		struct pc_pos pos;

		if (pc_policy_find_host(ctx->p, e->hosts[i]))
			continue;
		pos = e->host_pos[i];
		names = pc_xcalloc(ctx->p->nhosts, sizeof(*names));
		for (size_t j = 0; j < ctx->p->nhosts; j++)
			names[j] = ctx->p->hosts[j].name ? ctx->p->hosts[j].name : "";
		near = pc_suggest(e->hosts[i], names, ctx->p->nhosts);
		if (near)
			pc_diags_add(ctx->d, pos, "unknown host '%s'; did you mean '%s'?",
				     e->hosts[i], near);
		else
			pc_diags_add(ctx->d, pos, "unknown host '%s'", e->hosts[i]);
		free(names);
		err = -EINVAL;
	}
	return err;
}

/* The only host on one side, or NULL when there are none or several. */
static const struct pc_host *sole_host(const struct pc_policy *p,
				       const struct pc_endpoint *e)
{
	const struct pc_host *found = NULL;

	for (size_t i = 0; i < p->nhosts; i++) {
		if (!pc_endpoint_has_host(e, &p->hosts[i]))
			continue;
		if (found)
			return NULL;
		found = &p->hosts[i];
	}
	return found;
}

static int check_site_flows(struct pc_parse *ctx)
{
	struct pc_policy *p = ctx->p;
	int err = 0;

	for (size_t i = p->ncatalog_flows; i < p->nflows; i++) {
		const struct pc_flow *f = &p->flows[i];
		const struct pc_host *a, *b;

		if (!f->id)
			continue;
		if (check_flow_hosts(ctx, &f->initiator) ||
		    check_flow_hosts(ctx, &f->responder)) {
			err = -EINVAL;
			continue;
		}
		a = sole_host(p, &f->initiator);
		b = sole_host(p, &f->responder);
		if (a && a == b) {
			pc_diags_add(ctx->d, f->pos,
				     "flow '%s' has the same host, '%s', as initiator and responder",
				     f->id, a->name);
			err = -EINVAL;
		}
	}
	return err;
}

int pc_parse_site(struct pc_parse *ctx, const struct pc_ynode *root)
{
	static const char *const keys[] = { "site", "kinds", "hosts", "segments",
					    "routers", "parameters", "parts",
					    "flows", "settings" };
	struct pc_policy *p = ctx->p;
	const struct pc_ynode *v;
	int err = 0;

	if (pc_ynode_is_empty(root)) {
		pc_diags_add(ctx->d, (struct pc_pos){ p->files[1], 1, 1 },
			     "the site file is empty");
		return -EINVAL;
	}
	if (!pc_yexpect(ctx->d, root, PC_YMAP, "a site file"))
		return -EINVAL;
	if (PC_YCHECK_KEYS(ctx->d, root, "a site file", keys))
		err = -EINVAL;
	if ((v = pc_yget(root, "site")))
		err |= pc_ystring(ctx->d, v, "site", &p->site_name);
	if (!p->site_name)
		p->site_name = pc_xstrdup(p->files[1]);
	/* Kinds first: hosts and flows name them. */
	if ((v = pc_yget(root, "kinds")))
		err |= parse_extra_kinds(ctx, v);
	if ((v = pc_yget(root, "hosts")))
		err |= parse_hosts(ctx, v);
	if ((v = pc_yget(root, "segments")))
		err |= parse_addr_list(ctx, v, "segments", "segment", segment_refused,
				       &p->segments, &p->nsegments);
	if ((v = pc_yget(root, "routers")))
		err |= parse_addr_list(ctx, v, "routers", "router", router_refused,
				       &p->routers, &p->nrouters);
	if ((v = pc_yget(root, "parameters")))
		err |= parse_param_values(ctx, v);
	if ((v = pc_yget(root, "parts")))
		err |= parse_part_switches(ctx, v);
	if ((v = pc_yget(root, "flows")))
		err |= pc_parse_flows(ctx, v);
	if ((v = pc_yget(root, "settings")))
		err |= parse_settings(ctx, v);
	/* Even after other errors: every problem of a file is reported. */
	err |= check_site_flows(ctx);
	return err;
}
