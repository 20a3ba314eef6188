/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `portcullis report --html`: the site's flow matrix as one self-contained
 * page. The model here is the policy (roles, hosts, flows) and the
 * counters of one or more `stats -j` reports (one per host); report_svg.c
 * draws the flows, report_html.c writes the page around the drawing.
 * Everything the page shows from the site file or a stats report goes
 * through pc_html_escape.
 */
#ifndef PC_REPORT_H
#define PC_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "policy.h"

/* The directions of a stats report, by index: ingress and egress at the
 * host, forward for what a gateway forwards (counted apart from its own). */
#define PC_REPORT_DIRS 3
extern const char *const pc_report_dirs[PC_REPORT_DIRS];

/* One line of a stats report: a path's or a drop reason's counters in one
 * direction (an index of pc_report_dirs), from report sources[source]. */
struct pc_report_count {
	size_t source;
	char *name; /* the path id, or the drop reason */
	int dir;
	uint64_t packets, bytes;
};

struct pc_report {
	const struct pc_policy *policy;
	const struct pc_host *host; /* the page is this host's; NULL: the site's */
	char **sources;             /* whose stats reports (host names, files) */
	size_t nsources;
	struct pc_report_count *paths, *drops;
	size_t npaths, ndrops;
	/* A gateway's page: by flow index, whether it has forward rules for
	 * the flow (its packets count where they come in); NULL: not one. */
	bool *forwards;
};

/* How the picture colours a flow. */
enum pc_report_use {
	PC_REPORT_USED,    /* packets counted on its path */
	PC_REPORT_UNUSED,  /* documented, both ends in the site, no packets */
	PC_REPORT_NO_PEER, /* one end has no host in the site: it cannot be used */
};

/* A host that some host of the site names as its gateway gets a
 * gateway's page (pc_report_gateway). */
void pc_report_init(struct pc_report *r, const struct pc_policy *p,
		    const struct pc_host *host);
/* Makes r's page the gateway's of its host (attach --gateway): the page
 * draws the flows the host forwards too, beside its own. */
void pc_report_gateway(struct pc_report *r);
void pc_report_free(struct pc_report *r);
/*
 * Adds the "paths" and "drops" of a `stats -j` report, whose counters were
 * read on source (a host name, or a file name). Returns 0, or -EINVAL when
 * stats is not in that shape (then nothing of it is added).
 */
int pc_report_add_stats(struct pc_report *r, struct json_object *stats,
			const char *source);
/* The sum over the sources of a path's (drops: false) or a drop reason's
 * (drops: true) counters in direction dir. */
void pc_report_total(const struct pc_report *r, bool drops, const char *name,
		     int dir, uint64_t *packets, uint64_t *bytes);
/* Whether the page draws flow f: in force, with the page's host (or any
 * host of the site) at one end, or forwarded by the page's gateway. */
bool pc_report_draws(const struct pc_report *r, const struct pc_flow *f);
enum pc_report_use pc_report_flow_use(const struct pc_report *r,
				      const struct pc_flow *f);
/* The CSS colour of a use and of a drop reason (unknown reasons share one). */
const char *pc_report_use_colour(enum pc_report_use u);
const char *pc_report_reason_colour(const char *reason);
/* "auto", "22015", "162+22601": a port spec as the port table writes it,
 * parameters by their value in force; returns buf. */
const char *pc_report_ports(const struct pc_policy *p, const struct pc_port_spec *s,
			    char *buf, size_t len);

/* Text for HTML or SVG content and attribute values: & < > " ' escaped. */
void pc_html_escape(FILE *out, const char *s);
/* The picture of the flows: one <svg> element. */
void pc_report_svg(FILE *out, const struct pc_report *r);
/* The whole page: roles and hosts, the picture, drops, the counters. */
void pc_report_html(FILE *out, const struct pc_report *r);

/* The page of the running policy (pinned under pin_root, NULL: the
 * default): its counters, the site file in force unless site, the host in
 * force (or owning this machine's address) unless host; quiet: errors are
 * not printed (the daemon's GET /report). Returns a PC_EXIT_* code. */
int pc_report_live(FILE *out, const char *pin_root, const char *site,
		   const char *host, bool quiet);

#endif
