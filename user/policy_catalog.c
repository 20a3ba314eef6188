// SPDX-License-Identifier: GPL-2.0-only
/* Reading the vendor catalog: parameters, parts, kind groups and rows. */
#include <errno.h>
#include <string.h>

#include "policy_parse.h"
#include "yaml_schema.h"

static int parse_param(struct pc_parse *ctx, const struct pc_ynode *n,
		       struct pc_param *prm)
{
	static const char *const keys[] = { "name", "default", "fallback",
					     "description" };
	const struct pc_ynode *v;
	const char *why;
	uint64_t fb;
	int err = 0;

	if (!pc_yexpect(ctx->d, n, PC_YMAP, "a parameter"))
		return -EINVAL;
	if (PC_YCHECK_KEYS(ctx->d, n, "a parameter", keys))
		err = -EINVAL;
	if ((v = pc_yrequire(ctx->d, n, "name", "a parameter")))
		err |= pc_ystring(ctx->d, v, "name", &prm->name);
	else
		err = -EINVAL;
	if ((v = pc_yrequire(ctx->d, n, "default", "a parameter"))) {
		if (!pc_yexpect(ctx->d, v, PC_YSCALAR, "default")) {
			err = -EINVAL;
		} else if (pc_parse_port_range(v->scalar, &prm->def, &why)) {
			pc_diags_add(ctx->d, v->pos, "default '%s' %s", v->scalar, why);
			err = -EINVAL;
		}
	} else {
		err = -EINVAL;
	}
	if ((v = pc_yget(n, "fallback"))) {
		if (pc_yuint(ctx->d, v, "fallback", 0, 65535, &fb) == 0) {
			prm->has_fallback = true;
			prm->fallback = (uint16_t)fb;
		} else {
			err = -EINVAL;
		}
	}
	if ((v = pc_yget(n, "description")))
		err |= pc_ystring(ctx->d, v, "description", &prm->description);
	if (err)
		return -EINVAL;
	prm->values = pc_xcalloc(1, sizeof(*prm->values));
	prm->values[0] = prm->def;
	prm->nvalues = 1;
	return 0;
}

static int parse_params(struct pc_parse *ctx, const struct pc_ynode *n)
{
	struct pc_policy *p = ctx->p;
	int err = 0;

	if (!pc_yexpect(ctx->d, n, PC_YSEQ, "parameters"))
		return -EINVAL;
	p->params = pc_xcalloc(n->count, sizeof(*p->params));
	for (size_t i = 0; i < n->count; i++) {
		struct pc_param *prm = &p->params[p->nparams];

		if (parse_param(ctx, n->items[i], prm)) {
			err = -EINVAL;
			continue;
		}
		for (size_t j = 0; j < p->nparams; j++) {
			if (strcmp(p->params[j].name, prm->name) == 0) {
				pc_diags_add(ctx->d, n->items[i]->pos,
					     "parameter '%s' is defined twice",
					     prm->name);
				err = -EINVAL;
			}
		}
		p->nparams++;
	}
	return err;
}

static int parse_parts(struct pc_parse *ctx, const struct pc_ynode *n)
{
	static const char *const keys[] = { "name", "description" };
	struct pc_policy *p = ctx->p;
	int err = 0;

	if (!pc_yexpect(ctx->d, n, PC_YSEQ, "parts"))
		return -EINVAL;
	if (n->count > 64) {
		pc_diags_add(ctx->d, n->pos, "at most 64 parts");
		return -EINVAL;
	}
	p->parts = pc_xcalloc(n->count, sizeof(*p->parts));
	for (size_t i = 0; i < n->count; i++) {
		const struct pc_ynode *item = n->items[i], *v;
		struct pc_part *part = &p->parts[p->nparts];

		if (!pc_yexpect(ctx->d, item, PC_YMAP, "a part")) {
			err = -EINVAL;
			continue;
		}
		p->nparts++;
		part->enabled = true;
		if (PC_YCHECK_KEYS(ctx->d, item, "a part", keys))
			err = -EINVAL;
		if ((v = pc_yrequire(ctx->d, item, "name", "a part")))
			err |= pc_ystring(ctx->d, v, "name", &part->name);
		else
			err = -EINVAL;
		if (!part->name)
			part->name = pc_xstrdup("?");
		if ((v = pc_yget(item, "description")))
			err |= pc_ystring(ctx->d, v, "description", &part->description);
	}
	return err;
}

static int parse_kind_groups(struct pc_parse *ctx, const struct pc_ynode *n)
{
	struct pc_policy *p = ctx->p;
	int err = 0;

	if (!pc_yexpect(ctx->d, n, PC_YMAP, "kind-groups"))
		return -EINVAL;
	p->kind_groups = pc_xcalloc(n->count, sizeof(*p->kind_groups));
	for (size_t i = 0; i < n->count; i++) {
		struct pc_kind_group *g = &p->kind_groups[p->nkind_groups];
		const struct pc_ynode *k = pc_ymap_key(&*n, i);

		if (!pc_yexpect(ctx->d, k, PC_YSCALAR, "a kind group name") ||
		    pc_parse_kinds(ctx, pc_ymap_value(n, i), "kind group", &g->members)) {
			err = -EINVAL;
			continue;
		}
		g->name = pc_xstrdup(k->scalar);
		p->nkind_groups++;
	}
	return err;
}

int pc_parse_catalog(struct pc_parse *ctx, const struct pc_ynode *root)
{
	static const char *const keys[] = { "catalog", "source", "kind-groups",
					    "parameters", "parts", "flows" };
	struct pc_policy *p = ctx->p;
	const struct pc_ynode *v;
	int err = 0;

	if (pc_ynode_is_empty(root)) {
		pc_diags_add(ctx->d, (struct pc_pos){ p->files[0], 1, 1 },
			     "the catalog is empty");
		return -EINVAL;
	}
	if (!pc_yexpect(ctx->d, root, PC_YMAP, "the catalog"))
		return -EINVAL;
	if (PC_YCHECK_KEYS(ctx->d, root, "the catalog", keys))
		err = -EINVAL;
	if ((v = pc_yrequire(ctx->d, root, "catalog", "the catalog")))
		err |= pc_ystring(ctx->d, v, "catalog", &p->catalog_name);
	else
		err = -EINVAL;
	if ((v = pc_yget(root, "source")))
		err |= pc_ystring(ctx->d, v, "source", &p->catalog_source);
	if ((v = pc_yget(root, "kind-groups")))
		err |= parse_kind_groups(ctx, v);
	if ((v = pc_yget(root, "parameters")))
		err |= parse_params(ctx, v);
	if ((v = pc_yget(root, "parts")))
		err |= parse_parts(ctx, v);
	if ((v = pc_yrequire(ctx->d, root, "flows", "the catalog")))
		err |= pc_parse_flows(ctx, v);
	else
		err = -EINVAL;
	p->ncatalog_flows = p->nflows;
	return err;
}
