// SPDX-License-Identifier: GPL-2.0-only
/* portcullis stats: packets and bytes per path and direction, drops. */
#include <bpf/bpf.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ct_pressure.h"
#include "datapath.h"
#include "loader.h"

static const char usage_text[] =
	"Usage: portcullis stats [-j] [-c SITE] [--all] [--pin-root DIR]\n\n"
	"Per-path counters (path id, table and row, purpose, direction, packets,\n"
	"bytes) and drop counters by reason, summed over the CPUs. Paths are\n"
	"named by their stable id; table, row and purpose come from the catalog\n"
	"and the site file (-c) for site flows. Lines with no packets are left\n"
	"out unless --all. Then the connection tables: entries, size, inserts\n"
	"and evictions (entries pushed out to make room), and refused inserts.\n\n"
	"  -j, --json             machine-readable output (\"paths\", \"drops\",\n"
	"                         \"conntrack\")\n"
	"  -c, --config SITE      the site file, to describe site flows\n"
	"      --all              show counters that are zero too\n"
	"      --pin-root DIR     where pins live (default " PC_DEFAULT_PIN_ROOT ")\n"
	"  -h, --help             this text\n";

enum { OPT_PIN_ROOT = 256, OPT_ALL };

struct stats_opts {
	const char *pin_root;
	bool all;
};

static int stats_option(int opt, const char *arg, void *ctx)
{
	struct stats_opts *so = ctx;

	if (opt == OPT_PIN_ROOT)
		so->pin_root = arg;
	else if (opt == OPT_ALL)
		so->all = true;
	else
		return PC_EXIT_USAGE;
	return 0;
}

static const char *const dirs[2] = { "ingress", "egress" };

static struct json_object *stats_json(const struct pc_maps *m,
				      const struct pc_policy *p, bool all)
{
	static const char *const reasons[] = PC_DROP_REASON_NAMES;
	struct json_object *o = json_object_new_object();
	struct json_object *paths = json_object_new_array();
	struct json_object *drops = json_object_new_array();

	for (uint32_t s = 0; s < PC_MAX_PATHS; s++) {
		const struct pc_flow *f = NULL;
		struct pc_path_name n = { 0 };

		if (s != PC_PATH_OTHER &&
		    (bpf_map_lookup_elem(m->path_names, &s, &n) || !n.id[0]))
			continue;
		n.id[PC_PATH_ID_LEN - 1] = '\0';
		if (s != PC_PATH_OTHER && p)
			f = pc_policy_find_flow(p, n.id);
		for (uint32_t d = 0; d < 2; d++) {
			struct json_object *e;
			struct pc_counter c;
			char row[32];

			if (pc_counter_read(m->path_stats, s * 2 + d, &c))
				continue;
			if (!all && !c.packets)
				continue;
			e = json_object_new_object();
			json_object_object_add(e, "path", json_object_new_string(
						       s == PC_PATH_OTHER ? "(other)" : n.id));
			if (f) {
				snprintf(row, sizeof(row), "%s.%d", f->table, f->row);
				json_object_object_add(e, "row", json_object_new_string(row));
				json_object_object_add(e, "purpose", f->purpose_en ?
							json_object_new_string(f->purpose_en) : NULL);
			} else {
				json_object_object_add(e, "row", NULL);
				json_object_object_add(e, "purpose", json_object_new_string(
							       s == PC_PATH_OTHER ?
							       "ARP, neighbour discovery, ICMP echo, other non-IP" :
							       "(not in this policy)"));
			}
			json_object_object_add(e, "direction", json_object_new_string(dirs[d]));
			json_object_object_add(e, "packets", json_object_new_uint64(c.packets));
			json_object_object_add(e, "bytes", json_object_new_uint64(c.bytes));
			json_object_array_add(paths, e);
		}
	}
	for (uint32_t r = 1; r < PC_DROP_REASONS; r++) {
		for (uint32_t d = 0; d < 2; d++) {
			struct json_object *e;
			struct pc_counter c;

			if (pc_counter_read(m->drops, r * 2 + d, &c) || (!all && !c.packets))
				continue;
			e = json_object_new_object();
			json_object_object_add(e, "reason", json_object_new_string(reasons[r]));
			json_object_object_add(e, "direction", json_object_new_string(dirs[d]));
			json_object_object_add(e, "packets", json_object_new_uint64(c.packets));
			json_object_object_add(e, "bytes", json_object_new_uint64(c.bytes));
			json_object_array_add(drops, e);
		}
	}
	json_object_object_add(o, "paths", paths);
	json_object_object_add(o, "drops", drops);
	json_object_object_add(o, "conntrack", pc_ct_pressure_json(m));
	return o;
}

static const char *str(struct json_object *o, const char *key)
{
	const char *s = json_object_get_string(json_object_object_get(o, key));

	return s ? s : "-";
}

static void print_stats(struct json_object *o)
{
	struct json_object *paths = json_object_object_get(o, "paths");
	struct json_object *drops = json_object_object_get(o, "drops");

	printf("%-34s %-7s %-8s %12s %14s  %s\n", "PATH", "ROW", "DIR", "PACKETS",
	       "BYTES", "PURPOSE");
	for (size_t i = 0; i < json_object_array_length(paths); i++) {
		struct json_object *e = json_object_array_get_idx(paths, i);

		printf("%-34s %-7s %-8s %12s %14s  %s\n", str(e, "path"), str(e, "row"),
		       str(e, "direction"), str(e, "packets"), str(e, "bytes"),
		       str(e, "purpose"));
	}
	printf("\n%-34s %-7s %-8s %12s %14s\n", "DROPPED", "", "DIR", "PACKETS", "BYTES");
	for (size_t i = 0; i < json_object_array_length(drops); i++) {
		struct json_object *e = json_object_array_get_idx(drops, i);

		printf("%-34s %-7s %-8s %12s %14s\n", str(e, "reason"), "",
		       str(e, "direction"), str(e, "packets"), str(e, "bytes"));
	}
	printf("\n");
	pc_ct_pressure_print(json_object_object_get(o, "conntrack"));
}

int pc_cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "pin-root", required_argument, NULL, OPT_PIN_ROOT },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct stats_opts so = { 0 };
	const struct pc_cli_spec spec = {
		.cmd = "stats", .usage = usage_text, .shortopts = "jc:h",
		.longopts = opts, .extra = stats_option, .ctx = &so,
	};
	struct json_object *st;
	struct pc_cli_common o;
	struct pc_policy p;
	struct pc_pins pins;
	struct pc_maps m;
	bool have_policy;
	int rc, err;

	rc = pc_cli_parse(&spec, argc, argv, &o);
	if (rc >= 0)
		return rc;
	err = pc_pins_open(&pins, so.pin_root, false);
	if (!err)
		err = pc_maps_open_pinned(&m, pins.root);
	if (err) {
		pc_err("no counters: %s", err == -ENOENT ?
		       "portcullis is not attached (nothing pinned)" : pc_strerror(err));
		return PC_EXIT_POLICY;
	}
	have_policy = pc_cli_load_policy(o.site, &p, NULL, NULL) == PC_EXIT_OK;
	st = stats_json(&m, have_policy ? &p : NULL, so.all);
	if (o.json) {
		pc_cli_print_json(st);
	} else {
		print_stats(st);
		json_object_put(st);
	}
	if (have_policy)
		pc_policy_free(&p);
	pc_maps_close(&m);
	return PC_EXIT_OK;
}
