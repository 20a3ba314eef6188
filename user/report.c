// SPDX-License-Identifier: GPL-2.0-only
/* The report's model: which flows the page draws, their counters summed
 * over the stats reports, and the colours that say how they are used. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "gateway.h"
#include "report.h"

void pc_report_init(struct pc_report *r, const struct pc_policy *p,
		    const struct pc_host *host)
{
	memset(r, 0, sizeof(*r));
	r->policy = p;
	r->host = host;
	for (size_t i = 0; host && i < p->nhosts && !r->forwards; i++)
		if (pc_host_gateway(p, &p->hosts[i]) == host)
			pc_report_gateway(r);
}

void pc_report_gateway(struct pc_report *r)
{
	struct pc_ruleset rs;

	if (r->forwards || !r->host || pc_compile_gateway(r->policy, r->host, &rs))
		return;
	r->forwards = pc_xcalloc(r->policy->nflows + 1, sizeof(*r->forwards));
	for (size_t i = rs.nown; i < rs.nrules; i++)
		r->forwards[rs.rules[i].flow - r->policy->flows] = true;
	pc_ruleset_free(&rs);
}

static void free_counts(struct pc_report_count *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].name);
	free(c);
}

void pc_report_free(struct pc_report *r)
{
	for (size_t i = 0; i < r->nsources; i++)
		free(r->sources[i]);
	free(r->sources);
	free_counts(r->paths, r->npaths);
	free_counts(r->drops, r->ndrops);
	free(r->forwards);
	memset(r, 0, sizeof(*r));
}

const char *const pc_report_dirs[PC_REPORT_DIRS] = { "ingress", "egress", "forward" };

static int direction(struct json_object *e)
{
	const char *d = json_object_get_string(json_object_object_get(e, "direction"));

	if (!d)
		return -1;
	for (int i = 0; i < PC_REPORT_DIRS; i++)
		if (!strcmp(d, pc_report_dirs[i]))
			return i;
	return -1;
}

static bool is_count(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0;
}

/* Every element an object with a string key, a direction and counters. */
static bool well_formed(struct json_object *arr, const char *key)
{
	if (!json_object_is_type(arr, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(e, json_type_object) ||
		    !json_object_is_type(json_object_object_get(e, key), json_type_string) ||
		    direction(e) < 0 || !is_count(json_object_object_get(e, "packets")) ||
		    !is_count(json_object_object_get(e, "bytes")))
			return false;
	}
	return true;
}

static void add_counts(struct pc_report_count **out, size_t *n, struct json_object *arr,
		       const char *key, size_t source)
{
	size_t len = json_object_array_length(arr);

	if (!len)
		return;
	*out = pc_xrealloc(*out, *n + len, sizeof(**out));
	for (size_t i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct pc_report_count *c = &(*out)[(*n)++];

		c->source = source;
		c->name = pc_xstrdup(json_object_get_string(json_object_object_get(e, key)));
		c->dir = direction(e);
		c->packets = json_object_get_uint64(json_object_object_get(e, "packets"));
		c->bytes = json_object_get_uint64(json_object_object_get(e, "bytes"));
	}
}

int pc_report_add_stats(struct pc_report *r, struct json_object *stats,
			const char *source)
{
	struct json_object *paths = json_object_object_get(stats, "paths");
	struct json_object *drops = json_object_object_get(stats, "drops");

	if (!json_object_is_type(stats, json_type_object) ||
	    !well_formed(paths, "path") || !well_formed(drops, "reason"))
		return -EINVAL;
	r->sources = pc_xrealloc(r->sources, r->nsources + 1, sizeof(*r->sources));
	r->sources[r->nsources] = pc_xstrdup(source);
	add_counts(&r->paths, &r->npaths, paths, "path", r->nsources);
	add_counts(&r->drops, &r->ndrops, drops, "reason", r->nsources);
	r->nsources++;
	return 0;
}

void pc_report_total(const struct pc_report *r, bool drops, const char *name,
		     int dir, uint64_t *packets, uint64_t *bytes)
{
	const struct pc_report_count *c = drops ? r->drops : r->paths;
	size_t n = drops ? r->ndrops : r->npaths;

	*packets = *bytes = 0;
	for (size_t i = 0; i < n; i++) {
		if (c[i].dir != dir || strcmp(c[i].name, name))
			continue;
		*packets += c[i].packets;
		*bytes += c[i].bytes;
	}
}

/* Whether a host of the page's scope is at end e. */
static bool scope_at(const struct pc_report *r, const struct pc_endpoint *e)
{
	if (r->host)
		return pc_endpoint_has_host(e, r->host);
	for (size_t i = 0; i < r->policy->nhosts; i++)
		if (pc_endpoint_has_host(e, &r->policy->hosts[i]))
			return true;
	return false;
}

/* Whether end e has a host of the site other than the page's host. */
static bool peer_at(const struct pc_report *r, const struct pc_endpoint *e)
{
	for (size_t i = 0; i < r->policy->nhosts; i++) {
		const struct pc_host *h = &r->policy->hosts[i];

		if (h != r->host && pc_endpoint_has_host(e, h))
			return true;
	}
	return false;
}

bool pc_report_draws(const struct pc_report *r, const struct pc_flow *f)
{
	return pc_flow_enabled(r->policy, f) &&
	       (scope_at(r, &f->initiator) || scope_at(r, &f->responder) ||
		(r->forwards && r->forwards[f - r->policy->flows]));
}

enum pc_report_use pc_report_flow_use(const struct pc_report *r,
				      const struct pc_flow *f)
{
	for (int d = 0; d < PC_REPORT_DIRS; d++) {
		uint64_t packets, bytes;

		pc_report_total(r, false, f->id, d, &packets, &bytes);
		if (packets)
			return PC_REPORT_USED;
	}
	/* The host's own end counts as present; the other needs a peer. */
	if (r->host) {
		bool init = pc_endpoint_has_host(&f->initiator, r->host);
		bool resp = pc_endpoint_has_host(&f->responder, r->host);

		if ((init && !resp && !peer_at(r, &f->responder)) ||
		    (resp && !init && !peer_at(r, &f->initiator)))
			return PC_REPORT_NO_PEER;
		return PC_REPORT_UNUSED;
	}
	return scope_at(r, &f->initiator) && scope_at(r, &f->responder) ?
	       PC_REPORT_UNUSED : PC_REPORT_NO_PEER;
}

const char *pc_report_use_colour(enum pc_report_use u)
{
	switch (u) {
	case PC_REPORT_USED:
		return "#2e7d32";
	case PC_REPORT_UNUSED:
		return "#8d8d8d";
	default:
		return "#c9c9c9";
	}
}

/* Drop reasons in the order of PC_DROP_REASON_NAMES, each its own colour
 * (reds and oranges: a drop is news). */
static const struct {
	const char *reason, *colour;
} reason_colours[] = {
	{ "no-rule", "#c62828" },      { "wrong-peer", "#ad1457" },
	{ "malformed", "#6a1b9a" },    { "fragment", "#4527a0" },
	{ "no-conntrack", "#ef6c00" }, { "non-ip", "#795548" },
	{ "icmp", "#f9a825" },         { "tcp-flags", "#d84315" },
	{ "bad-source", "#880e4f" },   { "protocol", "#5d4037" },
	{ "bad-fragment", "#311b92" }, { "icmp-rate", "#ff8f00" },
	{ "nd", "#00838f" },           { "raw-bypass", "#b71c1c" },
};

const char *pc_report_reason_colour(const char *reason)
{
	for (size_t i = 0; i < sizeof(reason_colours) / sizeof(*reason_colours); i++)
		if (reason && !strcmp(reason, reason_colours[i].reason))
			return reason_colours[i].colour;
	return "#424242";
}

static void append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s", s);
}

const char *pc_report_ports(const struct pc_policy *p, const struct pc_port_spec *s,
			    char *buf, size_t len)
{
	char one[16];

	buf[0] = '\0';
	for (size_t i = 0; i < s->count; i++) {
		const struct pc_port_item *it = &s->items[i];

		if (i)
			append(buf, len, ",");
		if (it->type == PC_PORT_AUTO) {
			append(buf, len, "auto");
			continue;
		}
		if (it->type == PC_PORT_FIXED) {
			append(buf, len, pc_range_format(it->range, one));
			continue;
		}
		for (size_t j = 0; j < p->params[it->param].nvalues; j++) {
			if (j)
				append(buf, len, "+");
			append(buf, len, pc_range_format(p->params[it->param].values[j], one));
		}
	}
	return buf;
}
