/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Connection-table pressure for `stats` and `status`: entries, size,
 * inserts and evictions of the established and new tables, and inserts
 * the kernel refused, as one JSON object and as text.
 */
#ifndef PC_CT_PRESSURE_H
#define PC_CT_PRESSURE_H

#include <json-c/json.h>

#include "loader.h"

/* {"established": {entries, max, created, evicted}, "new": {...},
 *  "insert_failed": n}, or NULL when the maps cannot be read. */
struct json_object *pc_ct_pressure_json(const struct pc_maps *m);
/* Prints such an object as a few lines for people. */
void pc_ct_pressure_print(struct json_object *ct);

#endif
