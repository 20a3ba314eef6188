// SPDX-License-Identifier: GPL-2.0-only
/* portcullis status: interfaces, hooks, mode, policy generation, fill. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ct_pressure.h"
#include "datapath.h"
#include "hooks.h"
#include "loader.h"
#include "metrics.h"
#include "netns.h"
#include "sockguard.h"

struct status_opts {
	const char *pin_root;
	bool json;
};

static const struct pc_opt status_opts[] = {
	PC_OPT_JSON("machine-readable output", struct status_opts, json),
	PC_OPT_PIN_ROOT(struct status_opts, pin_root),
	{ 0 },
};

const struct pc_cmd_opts pc_status_cmd = {
	.cmd = "status",
	.about =
	"Shows where portcullis is attached (interfaces, XDP mode, whether each\n"
	"hook is really in place), the mode, the policy generation and how full\n"
	"the maps are.",
	.opts = status_opts,
};

static struct json_object *fill(long n, long max)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "entries", json_object_new_int64(n));
	json_object_object_add(o, "max", json_object_new_int64(max));
	return o;
}

static const char *const non_ip_names[] = PC_NON_IP_NAMES;

/* The non-ip setting of a bank, from its flags. */
static enum pc_non_ip non_ip_of(uint32_t flags)
{
	if (!(flags & PC_SET_NON_IP_STRICT))
		return PC_NON_IP_PERMISSIVE;
	return flags & PC_SET_NON_IP_LINK ? PC_NON_IP_LINK_LAYER : PC_NON_IP_STRICT;
}

static long ct_max(struct json_object *ct, const char *table)
{
	return json_object_get_int64(json_object_object_get(
		json_object_object_get(ct, table), "max"));
}

/* The setsockopt guard: the setting in force, and whether the hook is there. */
static struct json_object *guard_json(const struct pc_pins *pins, uint32_t flags)
{
	struct json_object *g = json_object_new_object();
	struct pc_sockguard_info info;

	pc_sockguard_probe(pins, &info);
	json_object_object_add(g, "setting", json_object_new_string(
				       flags & PC_SET_RAW_BYPASS_ALLOW ? "allow" : "refuse"));
	json_object_object_add(g, "hook", json_object_new_string(
				       info.prog_id ? "attached" : "missing"));
	json_object_object_add(g, "cgroup", info.cgroup[0] ?
				       json_object_new_string(info.cgroup) : NULL);
	json_object_object_add(g, "cgroup_id", json_object_new_int64((int64_t)info.cgroup_id));
	return g;
}

/* pc_tc_vlan on clsact ingress: "none" when attach did not add it. */
static const char *vlan_hook(const struct pc_iface *rec)
{
	struct pc_iface_hooks h;

	if (!(rec->flags & PC_IF_TC_VLAN))
		return "none";
	return pc_hooks_find((int)rec->ifindex, &h) == 0 && h.prog_id[PC_HOOK_TC_VLAN] ?
		       "attached" : "missing";
}

struct json_object *pc_status_json(struct pc_pins *pins, const struct pc_maps *m)
{
	struct json_object *o = json_object_new_object(), *ifs, *maps, *ct;
	struct pc_bank_settings set = { 0 };
	uint32_t bank = 0, gen = 0, key, next;
	void *prev = NULL;
	long paths = 0;

	pc_loader_state(m, &bank, &gen);
	bpf_map_lookup_elem(m->settings, &bank, &set);
	json_object_object_add(o, "attached", json_object_new_boolean(1));
	json_object_object_add(o, "pin_root", json_object_new_string(pins->root));
	json_object_object_add(o, "mode", json_object_new_string(
				       set.mode == PC_MODE_VALUE_AUDIT ? "audit" : "enforce"));
	json_object_object_add(o, "gateway", json_object_new_boolean(set.flags & PC_SET_GATEWAY));
	json_object_object_add(o, "generation", json_object_new_int64(gen));
	json_object_object_add(o, "bank", json_object_new_int64(bank));
	json_object_object_add(o, "rule_count", json_object_new_int64(set.nrules));
	json_object_object_add(o, "non_ip", json_object_new_string(non_ip_names[non_ip_of(set.flags)]));
	json_object_object_add(o, "non_ip_meaning", json_object_new_string(
				       pc_non_ip_meaning(non_ip_of(set.flags))));
	json_object_object_add(o, "raw_socket_bypass", guard_json(pins, set.flags));
	ifs = json_object_new_array();
	while (bpf_map_get_next_key(m->ifaces, prev, &next) == 0) {
		struct json_object *i = json_object_new_object();
		struct pc_iface rec;
		bool xdp_ok, tc_ok;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(m->ifaces, &key, &rec))
			continue;
		json_object_object_add(i, "name", json_object_new_string(rec.name));
		json_object_object_add(i, "ifindex", json_object_new_int64(rec.ifindex));
		if (!pc_dp_iface_here(&rec)) {
			/* Its ifindex is another interface here: nothing to probe. */
			char ns[320];
			struct pc_netns there = { rec.netns_dev, rec.netns_ino };

			json_object_object_add(i, "netns", json_object_new_string(
						       pc_netns_describe(&there, ns, sizeof(ns))));
			json_object_object_add(i, "ingress", json_object_new_string("other-netns"));
			json_object_object_add(i, "xdp", json_object_new_string("other-netns"));
			json_object_object_add(i, "tc_egress", json_object_new_string("other-netns"));
			json_object_object_add(i, "qdisc_created",
					       json_object_new_boolean(rec.flags & PC_IF_QDISC_CREATED));
			json_object_object_add(i, "attached_at", json_object_new_double((double)rec.attached_at));
			json_object_array_add(ifs, i);
			continue;
		}
		pc_dp_probe(pins, &rec, &xdp_ok, &tc_ok);
		json_object_object_add(i, "netns", NULL);
		/* The ingress hook: an XDP link, or a filter on clsact ingress. */
		json_object_object_add(i, "ingress", json_object_new_string(
					       !xdp_ok ? "missing" :
					       rec.flags & PC_IF_TC_INGRESS ? "tc" : "xdp"));
		json_object_object_add(i, "xdp", json_object_new_string(
					       rec.flags & PC_IF_TC_INGRESS ? "none" :
					       !xdp_ok ? "missing" :
					       rec.flags & PC_IF_XDP_GENERIC ? "generic" : "native"));
		json_object_object_add(i, "tc_egress", json_object_new_string(
					       tc_ok ? "attached" : "missing"));
		json_object_object_add(i, "tc_vlan", json_object_new_string(vlan_hook(&rec)));
		json_object_object_add(i, "qdisc_created",
				       json_object_new_boolean(rec.flags & PC_IF_QDISC_CREATED));
		json_object_object_add(i, "attached_at", json_object_new_double((double)rec.attached_at));
		json_object_array_add(ifs, i);
	}
	json_object_object_add(o, "interfaces", ifs);
	for (uint32_t s = 1; s < PC_MAX_PATHS; s++) {
		struct pc_path_name n;

		if (bpf_map_lookup_elem(m->path_names, &s, &n) == 0 && n.id[0])
			paths++;
	}
	maps = json_object_new_object();
	ct = pc_ct_pressure_json(m);
	json_object_object_add(maps, "conntrack", fill(pc_map_count(m->ct, sizeof(struct pc_ct_key)),
						       ct_max(ct, "established")));
	json_object_object_add(maps, "conntrack_new", fill(pc_map_count(m->ct_new, sizeof(struct pc_ct_key)),
							   ct_max(ct, "new")));
	json_object_object_add(maps, "fragments", fill(pc_map_count(m->frags, sizeof(struct pc_frag_key)), PC_FRAG_ENTRIES));
	/* The policy in force's own counts, kept by the loader: walking two
	 * banks of up to a million addresses would take seconds. */
	json_object_object_add(maps, "addresses", fill(set.naddrs, PC_MAX_ADDRS));
	json_object_object_add(maps, "prefixes", fill(set.ncidrs, PC_MAX_CIDRS));
	json_object_object_add(maps, "paths", fill(paths, PC_MAX_PATHS - 1));
	json_object_object_add(o, "maps", maps);
	json_object_object_add(o, "conntrack", ct);
	return o;
}

static void print_status(struct json_object *o)
{
	struct json_object *ifs = json_object_object_get(o, "interfaces");
	struct json_object *maps = json_object_object_get(o, "maps");
	struct json_object *guard = json_object_object_get(o, "raw_socket_bypass");

	printf("mode:        %s%s\n", json_object_get_string(json_object_object_get(o, "mode")),
	       json_object_get_boolean(json_object_object_get(o, "gateway")) ?
		       ", gateway (forwarded packets judged too)" : "");
	printf("generation:  %s (bank %s, %s rules)\n",
	       json_object_get_string(json_object_object_get(o, "generation")),
	       json_object_get_string(json_object_object_get(o, "bank")),
	       json_object_get_string(json_object_object_get(o, "rule_count")));
	printf("pin root:    %s\n", json_object_get_string(json_object_object_get(o, "pin_root")));
	printf("non-ip:      %s (%s)\n", json_object_get_string(json_object_object_get(o, "non_ip")),
	       json_object_get_string(json_object_object_get(o, "non_ip_meaning")));
	printf("raw-socket-bypass: %s, setsockopt hook %s on %s\n",
	       json_object_get_string(json_object_object_get(guard, "setting")),
	       json_object_get_string(json_object_object_get(guard, "hook")),
	       json_object_object_get(guard, "cgroup") ?
		       json_object_get_string(json_object_object_get(guard, "cgroup")) :
		       "no cgroup found");
	printf("interfaces:\n");
	for (size_t i = 0; i < json_object_array_length(ifs); i++) {
		struct json_object *it = json_object_array_get_idx(ifs, i);

		const char *hook = json_object_get_string(json_object_object_get(it, "ingress"));

		if (json_object_object_get(it, "netns")) {
			printf("  %-16s in another network namespace: %s (run status there)\n",
			       json_object_get_string(json_object_object_get(it, "name")),
			       json_object_get_string(json_object_object_get(it, "netns")));
			continue;
		}
		printf("  %-16s ingress %s %-8s tc egress %-9s%s\n",
		       json_object_get_string(json_object_object_get(it, "name")), hook,
		       strcmp(hook, "tc") == 0 ? "" :
		       json_object_get_string(json_object_object_get(it, "xdp")),
		       json_object_get_string(json_object_object_get(it, "tc_egress")),
		       json_object_get_boolean(json_object_object_get(it, "qdisc_created")) ?
			       " (clsact added by portcullis)" : "");
		if (!strcmp(json_object_get_string(json_object_object_get(it, "tc_vlan")), "missing"))
			printf("  %-16s the third-VLAN-tag filter (pc_tc_vlan) is missing\n", "");
	}
	printf("maps:\n");
	json_object_object_foreach(maps, name, v) {
		printf("  %-12s %s / %s\n", name,
		       json_object_get_string(json_object_object_get(v, "entries")),
		       json_object_get_string(json_object_object_get(v, "max")));
	}
	pc_ct_pressure_print(json_object_object_get(o, "conntrack"));
}

/*
 * Nothing pinned: either nothing is attached, or the pins were removed
 * under hooks that still run (orphans: TC filters on maps nobody can read,
 * an XDP link a process holds). The interfaces say which; orphans are an
 * error, so that nobody takes half an enforcement for none or for all.
 */
static int status_unpinned(const char *root, bool json)
{
	struct pc_iface_hooks *found;
	struct json_object *st, *arr;
	size_t n = 0;
	char what[64];

	pc_hooks_scan(&found, &n);
	if (json) {
		st = json_object_new_object();
		json_object_object_add(st, "attached", json_object_new_boolean(0));
		json_object_object_add(st, "pin_root", json_object_new_string(root));
		json_object_object_add(st, "interfaces", json_object_new_array());
		arr = json_object_new_array();
		for (size_t i = 0; i < n; i++) {
			struct json_object *h = json_object_new_object();

			json_object_object_add(h, "name", json_object_new_string(found[i].name));
			json_object_object_add(h, "ifindex", json_object_new_int64(found[i].ifindex));
			json_object_object_add(h, "hooks", json_object_new_string(
						       pc_hooks_describe(&found[i], what, sizeof(what))));
			json_object_array_add(arr, h);
		}
		json_object_object_add(st, "orphaned", arr);
		pc_cli_print_json(st);
	} else if (!n) {
		printf("not attached (nothing pinned under %s)\n", root);
	}
	for (size_t i = 0; i < n; i++)
		pc_err("%s carries portcullis programs (%s) but nothing is pinned under %s: they enforce a policy nobody can read or change%s; run 'portcullis detach --all' and attach again",
		       found[i].name, pc_hooks_describe(&found[i], what, sizeof(what)), root,
		       found[i].prog_id[PC_HOOK_XDP] || found[i].prog_id[PC_HOOK_TC_INGRESS] ?
			       "" : ", and ingress is NOT enforced");
	free(found);
	return n ? PC_EXIT_POLICY : PC_EXIT_OK;
}

int pc_cmd_status(int argc, char **argv)
{
	struct status_opts o = { 0 };
	struct json_object *st;
	struct pc_pins pins;
	struct pc_maps m;
	int rc, err;

	rc = pc_opts_parse(&pc_status_cmd, argc, argv, &o);
	if (rc >= 0)
		return rc;
	err = pc_pins_open(&pins, o.pin_root, false);
	if (!err)
		err = pc_maps_open_pinned(&m, pins.root);
	if (err == -ENOENT)
		return status_unpinned(pins.root, o.json);
	if (err) {
		pc_err("cannot read the maps pinned under %s: %s", pins.root, pc_strerror(err));
		return PC_EXIT_POLICY;
	}
	st = pc_status_json(&pins, &m);
	if (o.json) {
		pc_cli_print_json(st);
	} else {
		print_status(st);
		json_object_put(st);
	}
	pc_maps_close(&m);
	return PC_EXIT_OK;
}
