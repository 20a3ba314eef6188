/* SPDX-License-Identifier: GPL-2.0-only */
/* Internal to the policy reader: shared between catalog and site parsing. */
#ifndef PC_POLICY_PARSE_H
#define PC_POLICY_PARSE_H

#include "policy.h"
#include "portcullis.h"
#include "yaml_tree.h"

/* The longest flow id: a path id with its NUL fills a pc_path_name. */
#define PC_MAX_ID_LEN 63
_Static_assert(PC_MAX_ID_LEN + 1 == PC_PATH_ID_LEN,
	       "a flow id must fit a path slot name (PC_PATH_ID_LEN)");

struct pc_parse {
	struct pc_policy *p;
	struct pc_diags *d;
	bool site; /* reading the site file, not the catalog */
};

int pc_parse_port_range(const char *s, struct pc_port_range *out,
			const char **why);
int pc_parse_port_spec(struct pc_parse *ctx, const struct pc_ynode *n,
		       const char *what, struct pc_port_spec *out);
int pc_parse_param_ref(struct pc_parse *ctx, const struct pc_ynode *n,
		       const char *name, size_t *out);
void pc_report_unknown_param(struct pc_parse *ctx, struct pc_pos pos,
			     const char *name);
int pc_parse_kinds(struct pc_parse *ctx, const struct pc_ynode *n,
		   const char *what, pc_kindset *out);
int pc_parse_flow(struct pc_parse *ctx, const struct pc_ynode *n,
		  struct pc_flow *f);
/* Appends the flows of a list to p->flows, refusing duplicate ids. */
int pc_parse_flows(struct pc_parse *ctx, const struct pc_ynode *n);

int pc_parse_catalog(struct pc_parse *ctx, const struct pc_ynode *root);
int pc_parse_site(struct pc_parse *ctx, const struct pc_ynode *root);

#endif
