// SPDX-License-Identifier: GPL-2.0-only
/* portcullis stats: packets and bytes per path and direction, drops. */
#include <bpf/bpf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ct_pressure.h"
#include "datapath.h"
#include "loader.h"
#include "metrics.h"
#include "table.h"

struct stats_opts {
	const char *pin_root, *site;
	bool all, json, prometheus;
};

static const struct pc_opt stats_opts[] = {
	PC_OPT_JSON("machine-readable output (\"paths\", \"drops\",\n\"conntrack\")", struct stats_opts, json),
	PC_OPT_SITE("the site file, to describe site flows", struct stats_opts, site),
	PC_OPT_FLAG("all", 0, "show counters that are zero too", struct stats_opts, all),
	PC_OPT_FLAG("prometheus", 0, "the Prometheus text format (node_exporter's\ntextfile collector)",
		    struct stats_opts, prometheus),
	PC_OPT_PIN_ROOT(struct stats_opts, pin_root),
	{ 0 },
};

const struct pc_cmd_opts pc_stats_cmd = {
	.cmd = "stats",
	.about =
	"Per-path counters (path id, table and row, purpose, direction, packets,\n"
	"bytes) and drop counters by reason, summed over the CPUs. The direction\n"
	"is ingress or egress, or on a gateway forward: a packet it forwards\n"
	"(counted once, where it came in), apart from its own. Paths are\n"
	"named by their stable id; table, row and purpose come from the catalog\n"
	"and the site file (-c) for site flows. Lines with no packets are left\n"
	"out unless --all. Then the connection tables: entries, size, inserts\n"
	"and evictions (entries pushed out to make room), and refused inserts.",
	.opts = stats_opts,
};

/* By PC_DIR_*: "forward" is a gateway's forwarded packet, judged as it came in. */
static const char *const dirs[3] = { "ingress", "egress", "forward" };

/* Path slot s's (drop reason r's, if drop) counter in direction d. */
static int counter(const struct pc_maps *m, bool drop, uint32_t i, uint32_t d,
		   struct pc_counter *c)
{
	if (d == PC_DIR_FWD)
		return pc_counter_read(m->fwd_stats, drop ? PC_FWD_DROP(i) : PC_FWD_PATH(i), c);
	return pc_counter_read(drop ? m->drops : m->path_stats, i * 2 + d, c);
}

struct json_object *pc_stats_json(const struct pc_maps *m,
				  const struct pc_policy *p, bool all)
{
	static const char *const reasons[] = PC_DROP_REASON_NAMES;
	struct json_object *o = json_object_new_object();
	struct json_object *paths = json_object_new_array();
	struct json_object *drops = json_object_new_array();
	struct pc_bank_settings set = { 0 };
	uint32_t bank = 0, gen = 0, ndirs;

	/* Forwarded counters on a gateway; elsewhere only if some moved. */
	pc_loader_state(m, &bank, &gen);
	bpf_map_lookup_elem(m->settings, &bank, &set);
	ndirs = set.flags & PC_SET_GATEWAY ? 3 : 2;
	for (uint32_t s = 0; s < PC_MAX_PATHS; s++) {
		const struct pc_flow *f = NULL;
		struct pc_path_name n = { 0 };

		if (s != PC_PATH_OTHER &&
		    (bpf_map_lookup_elem(m->path_names, &s, &n) || !n.id[0]))
			continue;
		n.id[PC_PATH_ID_LEN - 1] = '\0';
		if (s != PC_PATH_OTHER && p)
			f = pc_policy_find_flow(p, n.id);
		for (uint32_t d = 0; d < 3; d++) {
			struct json_object *e;
			struct pc_counter c;

			if (counter(m, false, s, d, &c))
				continue;
			if ((!all || d >= ndirs) && !c.packets)
				continue;
			e = json_object_new_object();
			json_object_object_add(e, "path", json_object_new_string(
						       s == PC_PATH_OTHER ? "(other)" : n.id));
			if (f) {
				json_object_object_add(e, "table", json_object_new_string(f->table));
				json_object_object_add(e, "row", json_object_new_int(f->row));
				json_object_object_add(e, "purpose", f->purpose_en ?
							json_object_new_string(f->purpose_en) : NULL);
			} else {
				json_object_object_add(e, "table", NULL);
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
		for (uint32_t d = 0; d < 3; d++) {
			struct json_object *e;
			struct pc_counter c;

			if (counter(m, true, r, d, &c) || ((!all || d >= ndirs) && !c.packets))
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
	static const char *const path_header[] = { "PATH", "ROW", "DIR", "PACKETS", "BYTES", "PURPOSE" };
	static const char *const drop_header[] = { "DROPPED", "DIR", "PACKETS", "BYTES" };
	struct json_object *paths = json_object_object_get(o, "paths");
	struct json_object *drops = json_object_object_get(o, "drops");
	struct pc_table t;

	pc_table_init(&t, 6, path_header);
	t.right = 1u << 3 | 1u << 4;
	for (size_t i = 0; i < json_object_array_length(paths); i++) {
		struct json_object *e = json_object_array_get_idx(paths, i);
		struct json_object *table = json_object_object_get(e, "table");
		char row[32] = "-";
		const char *cells[] = { str(e, "path"), row, str(e, "direction"),
					str(e, "packets"), str(e, "bytes"), str(e, "purpose") };

		if (table)
			snprintf(row, sizeof(row), "%s.%s", json_object_get_string(table),
				 str(e, "row"));
		pc_table_row(&t, cells);
	}
	pc_table_print(&t, stdout);
	pc_table_free(&t);
	putchar('\n');
	pc_table_init(&t, 4, drop_header);
	t.right = 1u << 2 | 1u << 3;
	for (size_t i = 0; i < json_object_array_length(drops); i++) {
		struct json_object *e = json_object_array_get_idx(drops, i);
		const char *cells[] = { str(e, "reason"), str(e, "direction"),
					str(e, "packets"), str(e, "bytes") };

		pc_table_row(&t, cells);
	}
	pc_table_print(&t, stdout);
	pc_table_free(&t);
	printf("\n");
	pc_ct_pressure_print(json_object_object_get(o, "conntrack"));
}

int pc_stats_open(const char *pin_root, struct pc_pins *pins, struct pc_maps *m)
{
	int err = pc_pins_open(pins, pin_root, false);

	if (!err)
		err = pc_maps_open_pinned(m, pins->root);
	if (err)
		pc_err("no counters: %s", err == -ENOENT ?
		       "portcullis is not attached (nothing pinned)" : pc_strerror(err));
	return err;
}

int pc_cmd_stats(int argc, char **argv)
{
	struct stats_opts so = { 0 };
	struct json_object *st;
	struct pc_policy p;
	struct pc_pins pins;
	struct pc_maps m;
	int rc;

	rc = pc_opts_parse(&pc_stats_cmd, argc, argv, &so);
	if (rc >= 0)
		return rc;
	if (so.prometheus && so.json)
		return pc_cli_usage_error(pc_stats_cmd.cmd, "give -j or --prometheus, not both");
	/* A site file that does not load is an error, attached or not. */
	rc = pc_cli_load_policy(so.site, &p, NULL, NULL);
	if (rc)
		return rc;
	if (so.prometheus) {
		pc_policy_free(&p);
		return pc_metrics_print(stdout, so.pin_root, so.site, false);
	}
	if (pc_stats_open(so.pin_root, &pins, &m)) {
		pc_policy_free(&p);
		return PC_EXIT_POLICY;
	}
	st = pc_stats_json(&m, &p, so.all);
	if (so.json) {
		pc_cli_print_json(st);
	} else {
		print_stats(st);
		json_object_put(st);
	}
	pc_policy_free(&p);
	pc_maps_close(&m);
	return PC_EXIT_OK;
}
