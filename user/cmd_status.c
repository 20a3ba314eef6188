// SPDX-License-Identifier: GPL-2.0-only
/* portcullis status: interfaces, hooks, mode, policy generation, fill. */
#include <bpf/bpf.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ct_pressure.h"
#include "datapath.h"
#include "loader.h"

static const char usage_text[] =
	"Usage: portcullis status [-j] [--pin-root DIR]\n\n"
	"Shows where portcullis is attached (interfaces, XDP mode, whether each\n"
	"hook is really in place), the mode, the policy generation and how full\n"
	"the maps are.\n\n"
	"  -j, --json             machine-readable output\n"
	"      --pin-root DIR     where pins live (default " PC_DEFAULT_PIN_ROOT ")\n"
	"  -h, --help             this text\n";

enum { OPT_PIN_ROOT = 256 };

static int status_option(int opt, const char *arg, void *ctx)
{
	if (opt != OPT_PIN_ROOT)
		return PC_EXIT_USAGE;
	*(const char **)ctx = arg;
	return 0;
}

static struct json_object *fill(long n, long max)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "entries", json_object_new_int64(n));
	json_object_object_add(o, "max", json_object_new_int64(max));
	return o;
}

static long ct_max(struct json_object *ct, const char *table)
{
	return json_object_get_int64(json_object_object_get(
		json_object_object_get(ct, table), "max"));
}

static struct json_object *status_json(struct pc_pins *pins, const struct pc_maps *m)
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
	json_object_object_add(o, "generation", json_object_new_int64(gen));
	json_object_object_add(o, "bank", json_object_new_int64(bank));
	json_object_object_add(o, "rules", json_object_new_int64(set.nrules));
	ifs = json_object_new_array();
	while (bpf_map_get_next_key(m->ifaces, prev, &next) == 0) {
		struct json_object *i = json_object_new_object();
		struct pc_iface rec;
		bool xdp_ok, tc_ok;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(m->ifaces, &key, &rec))
			continue;
		pc_dp_probe(pins, &rec, &xdp_ok, &tc_ok);
		json_object_object_add(i, "name", json_object_new_string(rec.name));
		json_object_object_add(i, "ifindex", json_object_new_int64(rec.ifindex));
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
		json_object_object_add(i, "qdisc_created",
				       json_object_new_boolean(rec.flags & PC_IF_QDISC_CREATED));
		json_object_object_add(i, "attached_at", json_object_new_int64((int64_t)rec.attached_at));
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
	json_object_object_add(maps, "addresses", fill(pc_map_count(m->addr, sizeof(struct pc_addr_key)), PC_BANKS * (long)PC_MAX_ADDRS));
	json_object_object_add(maps, "prefixes", fill(pc_map_count(m->cidr, sizeof(struct pc_cidr_key)), PC_BANKS * PC_MAX_CIDRS));
	json_object_object_add(maps, "paths", fill(paths, PC_MAX_PATHS - 1));
	json_object_object_add(o, "maps", maps);
	json_object_object_add(o, "conntrack", ct);
	return o;
}

static void print_status(struct json_object *o)
{
	struct json_object *ifs = json_object_object_get(o, "interfaces");
	struct json_object *maps = json_object_object_get(o, "maps");

	printf("mode:        %s\n", json_object_get_string(json_object_object_get(o, "mode")));
	printf("generation:  %s (bank %s, %s rules)\n",
	       json_object_get_string(json_object_object_get(o, "generation")),
	       json_object_get_string(json_object_object_get(o, "bank")),
	       json_object_get_string(json_object_object_get(o, "rules")));
	printf("pin root:    %s\n", json_object_get_string(json_object_object_get(o, "pin_root")));
	printf("interfaces:\n");
	for (size_t i = 0; i < json_object_array_length(ifs); i++) {
		struct json_object *it = json_object_array_get_idx(ifs, i);

		const char *hook = json_object_get_string(json_object_object_get(it, "ingress"));

		printf("  %-16s ingress %s %-8s tc egress %-9s%s\n",
		       json_object_get_string(json_object_object_get(it, "name")), hook,
		       strcmp(hook, "tc") == 0 ? "" :
		       json_object_get_string(json_object_object_get(it, "xdp")),
		       json_object_get_string(json_object_object_get(it, "tc_egress")),
		       json_object_get_boolean(json_object_object_get(it, "qdisc_created")) ?
			       " (clsact added by portcullis)" : "");
	}
	printf("maps:\n");
	json_object_object_foreach(maps, name, v) {
		printf("  %-12s %s / %s\n", name,
		       json_object_get_string(json_object_object_get(v, "entries")),
		       json_object_get_string(json_object_object_get(v, "max")));
	}
	pc_ct_pressure_print(json_object_object_get(o, "conntrack"));
}

int pc_cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pin-root", required_argument, NULL, OPT_PIN_ROOT },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *pin_root = NULL;
	const struct pc_cli_spec spec = {
		.cmd = "status", .usage = usage_text, .shortopts = "jh",
		.longopts = opts, .extra = status_option, .ctx = &pin_root,
	};
	struct json_object *st;
	struct pc_cli_common o;
	struct pc_pins pins;
	struct pc_maps m;
	int rc, err;

	rc = pc_cli_parse(&spec, argc, argv, &o);
	if (rc >= 0)
		return rc;
	err = pc_pins_open(&pins, pin_root, false);
	if (!err)
		err = pc_maps_open_pinned(&m, pins.root);
	if (err == -ENOENT) {
		if (o.json) {
			st = json_object_new_object();
			json_object_object_add(st, "attached", json_object_new_boolean(0));
			json_object_object_add(st, "pin_root", json_object_new_string(pins.root));
			json_object_object_add(st, "interfaces", json_object_new_array());
			pc_cli_print_json(st);
		} else {
			printf("not attached (nothing pinned under %s)\n", pins.root);
		}
		return PC_EXIT_OK;
	}
	if (err) {
		pc_err("cannot read the maps pinned under %s: %s", pins.root, pc_strerror(err));
		return PC_EXIT_POLICY;
	}
	st = status_json(&pins, &m);
	if (o.json) {
		pc_cli_print_json(st);
	} else {
		print_status(st);
		json_object_put(st);
	}
	pc_maps_close(&m);
	return PC_EXIT_OK;
}
