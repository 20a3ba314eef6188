// SPDX-License-Identifier: GPL-2.0-only
/*
 * check's account of enforcement: where each host is protected (by
 * itself, by a gateway, nowhere), the rows whose packets nothing judges
 * between some pair of hosts, and gateways whose own management access
 * the site does not declare.
 */
#include "check_protection.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gateway.h"

struct json_object *pc_check_protected_by(const struct pc_policy *p,
					  const struct pc_host *h)
{
	struct json_object *a = json_object_new_array();
	const struct pc_host *g = pc_host_gateway(p, h);
	char buf[256];

	if (pc_host_runs_portcullis(p, h))
		json_object_array_add(a, json_object_new_string("itself"));
	if (g) {
		snprintf(buf, sizeof(buf), "gateway %s", g->name);
		json_object_array_add(a, json_object_new_string(buf));
	}
	return a;
}

struct json_object *pc_check_unenforced(const struct pc_policy *p)
{
	struct json_object *rows = json_object_new_array();

	for (size_t i = 0; i < p->nflows; i++) {
		const struct pc_flow *f = &p->flows[i];
		const struct pc_host *a, *b;
		struct json_object *o;
		size_t n;

		if (!pc_flow_enabled(p, f) || !(n = pc_flow_unenforced(p, f, &a, &b)))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "path", json_object_new_string(f->id));
		json_object_object_add(o, "pair_count", json_object_new_int64((int64_t)n));
		json_object_object_add(o, "initiator_host", json_object_new_string(a->name));
		json_object_object_add(o, "responder_host", json_object_new_string(b->name));
		json_object_array_add(rows, o);
	}
	return rows;
}

struct json_object *pc_check_gateways(const struct pc_policy *p)
{
	struct json_object *gws = json_object_new_array();
	bool *seen = pc_xcalloc(p->nhosts ? p->nhosts : 1, sizeof(*seen));

	for (size_t i = 0; i < p->nhosts; i++) {
		const struct pc_host *g = pc_host_gateway(p, &p->hosts[i]);
		struct json_object *o;
		size_t behind = 0;

		if (!g || seen[g - p->hosts])
			continue;
		seen[g - p->hosts] = true;
		for (size_t j = 0; j < p->nhosts; j++)
			behind += pc_host_gateway(p, &p->hosts[j]) == g;
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(g->name));
		json_object_object_add(o, "behind_count", json_object_new_int64((int64_t)behind));
		json_object_object_add(o, "management_declared",
				       json_object_new_boolean(pc_host_reachable_tcp(p, g)));
		json_object_array_add(gws, o);
	}
	free(seen);
	return gws;
}

void pc_check_print_protection(struct json_object *unenforced,
			       struct json_object *gateways)
{
	size_t n = json_object_array_length(unenforced);

	for (size_t i = 0; i < json_object_array_length(gateways); i++) {
		struct json_object *g = json_object_array_get_idx(gateways, i);
		const char *name = json_object_get_string(json_object_object_get(g, "name"));

		if (json_object_get_boolean(json_object_object_get(g, "management_declared")))
			continue;
		printf("\nnote: gateway %s: no TCP flow reaches it, so its own management access is "
		       "not declared (attach --gateway would cut it): add a site flow with "
		       "'responder: { hosts: [%s], port: 22 }'\n", name, name);
	}
	if (!n)
		return;
	printf("\nnote: rows nothing enforces between some hosts (neither end runs portcullis nor "
	       "sits behind a gateway):\n");
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(unenforced, i);
		int64_t pairs = json_object_get_int64(json_object_object_get(r, "pair_count"));

		printf("  %s: %s -> %s", json_object_get_string(json_object_object_get(r, "path")),
		       json_object_get_string(json_object_object_get(r, "initiator_host")),
		       json_object_get_string(json_object_object_get(r, "responder_host")));
		if (pairs > 1)
			printf(" and %lld more pair%s", (long long)(pairs - 1), pairs > 2 ? "s" : "");
		printf("\n");
	}
}
