// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Prometheus text format of stats and status. The values come from
 * the same reports as `stats -j` and `status -j`, so that the three cannot
 * disagree; this file only names and shapes them.
 */
#include <string.h>

#include "cli.h"
#include "datapath.h"
#include "diag.h"
#include "loader.h"
#include "metrics.h"
#include "state.h"

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value with \, " and newlines escaped, as the format asks. */
static void label_value(FILE *out, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', out);
		if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
}

/* name{k1="v1",...} value; labels: pairs of key and value, NULL ends. */
static void sample(FILE *out, const char *name, const char *const *labels, long long v)
{
	fputs(name, out);
	for (size_t i = 0; labels && labels[i]; i += 2) {
		fprintf(out, "%s%s=\"", i ? "," : "{", labels[i]);
		label_value(out, labels[i + 1]);
		fputc('"', out);
		if (!labels[i + 2])
			fputc('}', out);
	}
	fprintf(out, " %lld\n", v);
}

static const char *jstr(struct json_object *o, const char *key)
{
	const char *s = json_object_get_string(json_object_object_get(o, key));

	return s ? s : "";
}

static long long jint(struct json_object *o, const char *key)
{
	return (long long)json_object_get_uint64(json_object_object_get(o, key));
}

/* Per path, table, row and direction: stats' "paths" ("table" and "row"
 * are null for paths of no policy flow), and the host when the policy is
 * a host's. */
static void paths(FILE *out, struct json_object *arr, const char *host,
		  const char *name, const char *help, const char *field)
{
	family(out, name, "counter", help);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		const char *labels[] = { "path", jstr(e, "path"), "table", jstr(e, "table"),
					 "row", jstr(e, "row"),
					 "direction", jstr(e, "direction"),
					 host ? "host" : NULL, host, NULL };

		sample(out, name, labels, jint(e, field));
	}
}

static void drops(FILE *out, struct json_object *arr, const char *name,
		  const char *help, const char *field)
{
	family(out, name, "counter", help);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		const char *labels[] = { "reason", jstr(e, "reason"),
					 "direction", jstr(e, "direction"), NULL };

		sample(out, name, labels, jint(e, field));
	}
}

static void maps(FILE *out, struct json_object *maps, struct json_object *ct)
{
	static const char *const tables[] = { "established", "new" };

	family(out, "portcullis_map_entries", "gauge", "Entries in a map (status' maps).");
	json_object_object_foreach(maps, n1, v1) {
		const char *labels[] = { "map", n1, NULL };

		sample(out, "portcullis_map_entries", labels, jint(v1, "entries"));
	}
	family(out, "portcullis_map_max_entries", "gauge", "Entries a map can hold.");
	json_object_object_foreach(maps, n2, v2) {
		const char *labels[] = { "map", n2, NULL };

		sample(out, "portcullis_map_max_entries", labels, jint(v2, "max"));
	}
	if (!ct)
		return;
	family(out, "portcullis_conntrack_evictions_total", "counter",
	       "Connections pushed out of a full connection table to make room.");
	for (size_t i = 0; i < 2; i++) {
		const char *labels[] = { "table", tables[i], NULL };

		sample(out, "portcullis_conntrack_evictions_total", labels,
		       jint(json_object_object_get(ct, tables[i]), "evicted"));
	}
	family(out, "portcullis_conntrack_insert_failed_total", "counter",
	       "Connection inserts the kernel refused.");
	sample(out, "portcullis_conntrack_insert_failed_total", NULL, jint(ct, "insert_failed"));
}

/* status' map_memory: bytes of each map as the kernel accounts them. */
static void memory(FILE *out, struct json_object *mem)
{
	struct json_object *by = json_object_object_get(mem, "maps");

	if (!by)
		return;
	family(out, "portcullis_map_memory_bytes", "gauge",
	       "Kernel memory of a map (fdinfo memlock; pc_addr with each bank's address map).");
	json_object_object_foreach(by, name, v) {
		const char *labels[] = { "map", name, NULL };

		sample(out, "portcullis_map_memory_bytes", labels, json_object_get_int64(v));
	}
}

/* 1 where a hook is in place; interfaces in another network namespace
 * cannot be probed from here and are left out. */
static void interfaces(FILE *out, struct json_object *ifs)
{
	family(out, "portcullis_interface_attached", "gauge",
	       "1 when the hook (ingress: XDP or TC, egress: TC) is in place on the interface.");
	for (size_t i = 0; i < json_object_array_length(ifs); i++) {
		struct json_object *it = json_object_array_get_idx(ifs, i);
		const char *in = jstr(it, "ingress");
		const char *ingress[] = { "interface", jstr(it, "name"), "hook", "ingress", NULL };
		const char *egress[] = { "interface", jstr(it, "name"), "hook", "egress", NULL };

		if (json_object_object_get(it, "netns"))
			continue;
		sample(out, "portcullis_interface_attached", ingress,
		       strcmp(in, "xdp") == 0 || strcmp(in, "tc") == 0);
		sample(out, "portcullis_interface_attached", egress,
		       strcmp(jstr(it, "tc_egress"), "attached") == 0);
	}
}

void pc_metrics_render(FILE *out, struct json_object *st, struct json_object *status,
		       unsigned long long suppressed, const char *host)
{
	struct json_object *p = json_object_object_get(st, "paths");
	struct json_object *d = json_object_object_get(st, "drops");

	paths(out, p, host, "portcullis_path_packets_total", "Packets passed on a documented path.", "packets");
	paths(out, p, host, "portcullis_path_bytes_total", "Bytes passed on a documented path.", "bytes");
	drops(out, d, "portcullis_drops_total", "Packets dropped, by reason (in audit mode: that would have been dropped).", "packets");
	drops(out, d, "portcullis_drop_bytes_total", "Bytes dropped, by reason (in audit mode: that would have been dropped).", "bytes");
	family(out, "portcullis_policy_generation", "gauge", "Generation of the policy in force.");
	sample(out, "portcullis_policy_generation", NULL, jint(status, "generation"));
	maps(out, json_object_object_get(status, "maps"), json_object_object_get(status, "conntrack"));
	memory(out, json_object_object_get(status, "map_memory"));
	interfaces(out, json_object_object_get(status, "interfaces"));
	family(out, "portcullis_events_suppressed_total", "counter",
	       "Drop events left out of the ring buffer by its rate limit.");
	sample(out, "portcullis_events_suppressed_total", NULL, (long long)suppressed);
}

/* The policy names the table and row of each path. A scrape says nothing
 * of a bad site file: the daemon's reload already did, once. */
static bool load_policy(const char *site, struct pc_policy *p, bool quiet)
{
	struct pc_diags diags = { 0 };
	int err;

	if (!quiet)
		return pc_cli_load_policy(site, p, NULL, NULL) == PC_EXIT_OK;
	err = pc_policy_load(p, site, &diags);
	pc_diags_free(&diags);
	if (err)
		pc_policy_free(p);
	return !err;
}

int pc_metrics_print(FILE *out, const char *pin_root, const char *site, bool quiet)
{
	struct json_object *st, *status;
	struct pc_state rec = { 0 };
	struct pc_policy p;
	struct pc_pins pins;
	struct pc_maps m;
	bool have_policy;

	if (pc_stats_open(pin_root, &pins, &m))
		return PC_EXIT_POLICY;
	have_policy = load_policy(site, &p, quiet);
	/* Every counter, zero or not: a series that comes and goes breaks
	 * rate() and alerts on absence. */
	st = pc_stats_json(&m, have_policy ? &p : NULL, true);
	status = pc_status_json(&pins, &m);
	/* The record of what was put in force names the host (not a role). */
	if (pc_state_load(pins.root, &rec))
		memset(&rec, 0, sizeof(rec));
	pc_metrics_render(out, st, status, pc_events_suppressed(m.event_budget), rec.host);
	pc_state_free(&rec);
	json_object_put(status);
	json_object_put(st);
	if (have_policy)
		pc_policy_free(&p);
	pc_maps_close(&m);
	return PC_EXIT_OK;
}
