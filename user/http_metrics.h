/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's GET /metrics: the text of metrics.h, read from the pinned
 * maps at each scrape, served by libmicrohttpd on its own thread.
 */
#ifndef PC_HTTP_METRICS_H
#define PC_HTTP_METRICS_H

struct pc_http_metrics;

/*
 * Listens on listen ("ADDR:PORT", "[ADDR6]:PORT"; numeric only) and serves
 * the metrics of pin_root (NULL: the default), site flows named from site
 * (NULL: the catalog alone). Both strings must outlive the server.
 * Returns 0 or -errno (-EINVAL: not ADDR:PORT), errors printed.
 */
int pc_http_metrics_start(const char *listen, const char *pin_root, const char *site,
			  struct pc_http_metrics **out);
void pc_http_metrics_stop(struct pc_http_metrics *h);

#endif
