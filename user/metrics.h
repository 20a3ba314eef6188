/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The counters and fill levels of stats and status in the Prometheus text
 * format (version 0.0.4): for `stats --prometheus` (node_exporter's
 * textfile collector) and the daemon's GET /metrics. Read from the pinned
 * maps at each call; no per-packet labels.
 */
#ifndef PC_METRICS_H
#define PC_METRICS_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

struct pc_maps;
struct pc_pins;
struct pc_policy;

/*
 * Writes the metrics of what is pinned under pin_root (NULL: the default);
 * site (NULL: the catalog alone) names the table and row of site paths;
 * quiet: its errors are not printed (paths of a bad site get no row).
 * Returns PC_EXIT_OK, or PC_EXIT_POLICY with the error printed when
 * nothing is attached.
 */
int pc_metrics_print(FILE *out, const char *pin_root, const char *site, bool quiet);

/* The text of a stats -j --all report, a status -j report and the count
 * of suppressed events; host (NULL: not known) labels the paths. */
void pc_metrics_render(FILE *out, struct json_object *stats, struct json_object *status,
		       unsigned long long suppressed, const char *host);

/* The reports the metrics are made from, one source with the commands:
 * stats -j and its maps (cmd_stats.c), status -j (cmd_status.c), and
 * the ring-buffer events the rate limit left out, summed over CPUs
 * (cmd_monitor.c). */
/* Opens the pinned maps; says why not (-errno). */
int pc_stats_open(const char *pin_root, struct pc_pins *pins, struct pc_maps *m);
struct json_object *pc_stats_json(const struct pc_maps *m, const struct pc_policy *p, bool all);
struct json_object *pc_status_json(struct pc_pins *pins, const struct pc_maps *m);
unsigned long long pc_events_suppressed(int fd);

#endif
