// SPDX-License-Identifier: GPL-2.0-only
/* portcullis catalog: the vendor catalog, one row per documented flow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "table.h"

struct catalog_opts {
	const char *site;
	bool json;
};

static const struct pc_opt catalog_opts[] = {
	PC_OPT_SITE("a site file (its port values and flows apply)", struct catalog_opts, site),
	PC_OPT_JSON("a JSON array of flows", struct catalog_opts, json),
	{ 0 },
};

const struct pc_cmd_opts pc_catalog_cmd = {
	.cmd = "catalog",
	.about =
	"Lists every flow of the HCSM port table (A-1 to A-6) and the site's own\n"
	"flows, with the port values in force.",
	.opts = catalog_opts,
};

static struct json_object *ports_json(const struct pc_policy *p,
				      const struct pc_port_spec *s)
{
	struct pc_port_range r[64];

	return pc_json_ranges(r, pc_port_spec_ranges(p, s, r, 64));
}

/* The fallback port ("n または m": m) of the first parameter of s that has
 * one, or -1. */
static int spec_fallback(const struct pc_policy *p, const struct pc_port_spec *s)
{
	for (size_t i = 0; i < s->count; i++) {
		const struct pc_port_item *it = &s->items[i];

		if (it->type == PC_PORT_PARAM && p->params[it->param].has_fallback)
			return p->params[it->param].fallback;
	}
	return -1;
}

static struct json_object *fallback_json(const struct pc_policy *p,
					 const struct pc_port_spec *s)
{
	int fb = spec_fallback(p, s);

	return fb < 0 ? NULL : json_object_new_int(fb);
}

/* The port cell of the text table: the spec, and its fallback if any. */
static const char *port_cell(const struct pc_policy *p, const struct pc_port_spec *s,
			     char *buf, size_t len)
{
	int fb = spec_fallback(p, s);
	size_t used;

	pc_port_spec_format(p, s, buf, len);
	used = strlen(buf);
	if (fb >= 0)
		snprintf(buf + used, len - used, " or %d", fb);
	return buf;
}

static struct json_object *endpoint_json(const struct pc_policy *p,
					 const struct pc_endpoint *e)
{
	struct json_object *o = json_object_new_object(), *params;
	char buf[256];

	json_object_object_add(o, "kinds", pc_json_kinds(p, e->kinds));
	if (e->nhosts) {
		struct json_object *hosts = json_object_new_array();

		for (size_t i = 0; i < e->nhosts; i++)
			json_object_array_add(hosts, json_object_new_string(e->hosts[i]));
		/* "hosts" is check's array of host objects. */
		json_object_object_add(o, "host_names", hosts);
	}
	json_object_object_add(o, "process",
			       e->process ? json_object_new_string(e->process) : NULL);
	json_object_object_add(o, "port", json_object_new_string(
			pc_port_spec_format(p, &e->ports, buf, sizeof(buf))));
	json_object_object_add(o, "ports", ports_json(p, &e->ports));
	json_object_object_add(o, "fallback", fallback_json(p, &e->ports));
	params = json_object_new_array();
	for (size_t i = 0; i < e->ports.count; i++)
		if (e->ports.items[i].type == PC_PORT_PARAM)
			json_object_array_add(params, json_object_new_string(
				p->params[e->ports.items[i].param].name));
	json_object_object_add(o, "parameters", params);
	return o;
}

static struct json_object *flow_json(const struct pc_policy *p,
				     const struct pc_flow *f)
{
	struct json_object *o = json_object_new_object(), *arr;
	char buf[256];

	json_object_object_add(o, "path", json_object_new_string(f->id));
	json_object_object_add(o, "table", json_object_new_string(f->table));
	json_object_object_add(o, "row", json_object_new_int(f->row));
	json_object_object_add(o, "purpose_ja",
			       f->purpose_ja ? json_object_new_string(f->purpose_ja) : NULL);
	json_object_object_add(o, "purpose",
			       f->purpose_en ? json_object_new_string(f->purpose_en) : NULL);
	arr = json_object_new_array();
	if (f->protocols & PC_PROTO_TCP)
		json_object_array_add(arr, json_object_new_string("tcp"));
	if (f->protocols & PC_PROTO_UDP)
		json_object_array_add(arr, json_object_new_string("udp"));
	json_object_object_add(o, "protocols", arr);
	json_object_object_add(o, "application",
			       f->application ? json_object_new_string(f->application) : NULL);
	json_object_object_add(o, "addressing", json_object_new_string(
			pc_addressing_format(f->addressing, buf, sizeof(buf))));
	json_object_object_add(o, "unspecified_source",
			       json_object_new_boolean(f->unspecified_source));
	json_object_object_add(o, "initiator", endpoint_json(p, &f->initiator));
	json_object_object_add(o, "responder", endpoint_json(p, &f->responder));
	json_object_object_add(o, "port", json_object_new_string(
			pc_port_spec_format(p, &f->responder.ports, buf, sizeof(buf))));
	json_object_object_add(o, "fallback", fallback_json(p, &f->responder.ports));
	/* The parts the flow belongs to, each with whether it is on. */
	arr = json_object_new_object();
	for (size_t i = 0; i < p->nparts; i++)
		if (f->parts & (1ull << i))
			json_object_object_add(arr, p->parts[i].name,
					       json_object_new_boolean(p->parts[i].enabled));
	json_object_object_add(o, "parts", arr);
	json_object_object_add(o, "enabled", json_object_new_boolean(pc_flow_enabled(p, f)));
	json_object_object_add(o, "origin", json_object_new_string(f->from_site ? "site" : "catalog"));
	arr = json_object_new_array();
	for (size_t i = 0; i < f->nnotes; i++) {
		struct json_object *n = json_object_new_object();

		json_object_object_add(n, "ref", f->notes[i].ref ? json_object_new_string(f->notes[i].ref) : NULL);
		json_object_object_add(n, "ja", f->notes[i].ja ? json_object_new_string(f->notes[i].ja) : NULL);
		json_object_object_add(n, "en", f->notes[i].en ? json_object_new_string(f->notes[i].en) : NULL);
		json_object_array_add(arr, n);
	}
	json_object_object_add(o, "notes", arr);
	return o;
}

static void endpoint_text(const struct pc_policy *p, const struct pc_endpoint *e,
			  char *buf, size_t len)
{
	char kinds[256];

	pc_kinds_format(p, e->kinds, kinds, sizeof(kinds));
	for (size_t i = 0; i < e->nhosts; i++) {
		size_t used = strlen(kinds);

		snprintf(kinds + used, sizeof(kinds) - used, "%s%s", used ? ", " : "",
			 e->hosts[i]);
	}
	if (e->process)
		snprintf(buf, len, "%s (%s)", kinds, e->process);
	else
		snprintf(buf, len, "%s", kinds);
}

static void print_text(const struct pc_policy *p)
{
	static const char *const header[] = { "ID", "ROW", "PROTO", "INITIATOR",
					      "PORT", "RESPONDER", "PORT",
					      "ADDRESSING", "PURPOSE" };
	struct pc_table t;

	pc_table_init(&t, 9, header);
	for (size_t i = 0; i < p->nflows; i++) {
		const struct pc_flow *f = &p->flows[i];
		char row[32], ini[256], resp[256], iport[128], rport[128], addr[64];
		const char *cells[9];

		snprintf(row, sizeof(row), "%s.%d%s", f->table, f->row,
			 pc_flow_enabled(p, f) ? "" : " (off)");
		endpoint_text(p, &f->initiator, ini, sizeof(ini));
		endpoint_text(p, &f->responder, resp, sizeof(resp));
		cells[0] = f->id;
		cells[1] = row;
		cells[2] = pc_protocols_format(f->protocols);
		cells[3] = ini;
		cells[4] = port_cell(p, &f->initiator.ports, iport, sizeof(iport));
		cells[5] = resp;
		cells[6] = port_cell(p, &f->responder.ports, rport, sizeof(rport));
		cells[7] = pc_addressing_format(f->addressing, addr, sizeof(addr));
		cells[8] = f->purpose_en;
		pc_table_row(&t, cells);
	}
	pc_table_print(&t, stdout);
	pc_table_free(&t);
}

int pc_cmd_catalog(int argc, char **argv)
{
	struct catalog_opts o = { 0 };
	struct pc_policy p;
	int rc;

	rc = pc_opts_parse(&pc_catalog_cmd, argc, argv, &o);
	if (rc >= 0)
		return rc;
	rc = pc_cli_load_policy(o.site, &p, NULL, NULL);
	if (rc)
		return rc;
	if (o.json) {
		struct json_object *arr = json_object_new_array();

		for (size_t i = 0; i < p.nflows; i++)
			json_object_array_add(arr, flow_json(&p, &p.flows[i]));
		pc_cli_print_json(arr);
	} else {
		print_text(&p);
	}
	pc_policy_free(&p);
	return PC_EXIT_OK;
}
