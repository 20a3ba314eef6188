// SPDX-License-Identifier: GPL-2.0-only
/* Connection-table pressure as JSON and text (stats, status). */
#include "ct_pressure.h"

#include <stdio.h>

static struct json_object *table_json(const struct pc_ct_pressure *p, int t)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "entries", json_object_new_int64(p->live[t]));
	json_object_object_add(o, "max", json_object_new_int64(p->max[t]));
	json_object_object_add(o, "created", json_object_new_uint64(p->created[t]));
	json_object_object_add(o, "evicted", json_object_new_uint64(p->evicted[t]));
	return o;
}

struct json_object *pc_ct_pressure_json(const struct pc_maps *m)
{
	struct json_object *o;
	struct pc_ct_pressure p;

	if (pc_ct_pressure_read(m, &p))
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "established", table_json(&p, 0));
	json_object_object_add(o, "new", table_json(&p, 1));
	json_object_object_add(o, "insert_failed", json_object_new_uint64(p.insert_failed));
	return o;
}

static const char *field(struct json_object *o, const char *table, const char *key)
{
	const char *s = json_object_get_string(
		json_object_object_get(json_object_object_get(o, table), key));

	return s ? s : "-";
}

void pc_ct_pressure_print(struct json_object *ct)
{
	static const char *const tables[2] = { "established", "new" };

	if (!ct) {
		printf("connections: (cannot read the connection tables)\n");
		return;
	}
	printf("%-14s %10s %10s %14s %12s\n", "CONNECTIONS", "ENTRIES", "MAX",
	       "CREATED", "EVICTED");
	for (int t = 0; t < 2; t++)
		printf("%-14s %10s %10s %14s %12s\n", tables[t],
		       field(ct, tables[t], "entries"), field(ct, tables[t], "max"),
		       field(ct, tables[t], "created"), field(ct, tables[t], "evicted"));
	printf("%-14s %10s\n", "refused", json_object_get_string(
		       json_object_object_get(ct, "insert_failed")));
}
