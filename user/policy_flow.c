// SPDX-License-Identifier: GPL-2.0-only
/* Reading flows (catalog rows and site flows) and their port lists. */
#include "policy_parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"
#include "yaml_schema.h"

int pc_parse_port_range(const char *s, struct pc_port_range *out,
			const char **why)
{
	const char *dash = strchr(s, '-');
	uint64_t lo, hi;
	char buf[16];

	*why = NULL;
	if (!dash) {
		if (!pc_parse_u64(s, &lo)) {
			*why = "is not a port number";
			return -EINVAL;
		}
		hi = lo;
	} else {
		size_t n = (size_t)(dash - s);

		if (n == 0 || n >= sizeof(buf)) {
			*why = "is not a port range (write it as 49152-65535)";
			return -EINVAL;
		}
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (!pc_parse_u64(buf, &lo) || !pc_parse_u64(dash + 1, &hi)) {
			*why = "is not a port range (write it as 49152-65535)";
			return -EINVAL;
		}
	}
	if (lo > 65535 || hi > 65535) {
		*why = "is out of range: ports are 0 to 65535";
		return -EINVAL;
	}
	if (lo > hi) {
		*why = "is a range whose first port is above its last";
		return -EINVAL;
	}
	out->lo = (uint16_t)lo;
	out->hi = (uint16_t)hi;
	return 0;
}

static int param_index(const struct pc_policy *p, const char *name)
{
	for (size_t i = 0; i < p->nparams; i++)
		if (strcmp(p->params[i].name, name) == 0)
			return (int)i;
	return -1;
}

void pc_report_unknown_param(struct pc_parse *ctx, struct pc_pos pos,
			     const char *name)
{
	const char **names = pc_xcalloc(ctx->p->nparams, sizeof(*names));
	const char *near;

	for (size_t i = 0; i < ctx->p->nparams; i++)
		names[i] = ctx->p->params[i].name;
	near = pc_suggest(name, names, ctx->p->nparams);
	if (near)
		pc_diags_add(ctx->d, pos, "undefined parameter '%s'; did you mean '%s'?",
			     name, near);
	else
		pc_diags_add(ctx->d, pos, "undefined parameter '%s' (the catalog defines the changeable ports; 'portcullis catalog' lists them)",
			     name);
	free(names);
}

int pc_parse_param_ref(struct pc_parse *ctx, const struct pc_ynode *n,
		       const char *name, size_t *out)
{
	int idx = param_index(ctx->p, name);

	if (idx < 0) {
		pc_report_unknown_param(ctx, n->pos, name);
		return -EINVAL;
	}
	*out = (size_t)idx;
	return 0;
}

static int parse_port_item(struct pc_parse *ctx, const struct pc_ynode *n,
			   const char *what, struct pc_port_item *out)
{
	const char *why;

	if (!pc_yexpect(ctx->d, n, PC_YSCALAR, what))
		return -EINVAL;
	out->pos = n->pos;
	if (strcmp(n->scalar, "auto") == 0) {
		out->type = PC_PORT_AUTO;
		return 0;
	}
	if (n->scalar[0] == '$') {
		out->type = PC_PORT_PARAM;
		return pc_parse_param_ref(ctx, n, n->scalar + 1, &out->param);
	}
	out->type = PC_PORT_FIXED;
	if (pc_parse_port_range(n->scalar, &out->range, &why)) {
		pc_diags_add(ctx->d, n->pos, "%s '%s' %s", what, n->scalar, why);
		return -EINVAL;
	}
	return 0;
}

int pc_parse_port_spec(struct pc_parse *ctx, const struct pc_ynode *n,
		       const char *what, struct pc_port_spec *out)
{
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (n->type == PC_YSCALAR) {
		out->items = pc_xcalloc(1, sizeof(*out->items));
		out->count = 1;
		return parse_port_item(ctx, n, what, &out->items[0]);
	}
	if (!pc_yexpect(ctx->d, n, PC_YSEQ, what))
		return -EINVAL;
	if (n->count == 0) {
		pc_diags_add(ctx->d, n->pos, "%s is an empty list", what);
		return -EINVAL;
	}
	out->items = pc_xcalloc(n->count, sizeof(*out->items));
	out->count = n->count;
	for (size_t i = 0; i < n->count; i++)
		err |= parse_port_item(ctx, n->items[i], what, &out->items[i]);
	return err ? -EINVAL : 0;
}

/* Kind names to a kind set; catalog groups such as managed-server expand. */
/* An unknown kind with no near name: the built-in kinds, from the list
 * the policy starts with. */
static void unknown_kind(struct pc_parse *ctx, const struct pc_ynode *k)
{
	char list[512];
	size_t used = 0;

	list[0] = '\0';
	for (size_t i = 0; i < ctx->p->nbuiltin_kinds && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s, ",
					 ctx->p->kinds[i]);
	pc_diags_add(ctx->d, k->pos,
		     "unknown kind '%s' (kinds: %sor one the site declares under 'kinds')",
		     k->scalar, list);
}

int pc_parse_kinds(struct pc_parse *ctx, const struct pc_ynode *n,
		   const char *what, pc_kindset *out)
{
	int err = 0;

	*out = 0;
	if (!pc_yexpect(ctx->d, n, PC_YSEQ, what))
		return -EINVAL;
	for (size_t i = 0; i < n->count; i++) {
		const struct pc_ynode *k = n->items[i];
		const char *names[PC_MAX_KINDS + 16];
		size_t nnames = 0;
		const char *near;
		int idx;

		if (!pc_yexpect(ctx->d, k, PC_YSCALAR, "a kind")) {
			err = -EINVAL;
			continue;
		}
		idx = pc_policy_find_kind(ctx->p, k->scalar);
		if (idx >= 0) {
			*out |= 1ull << idx;
			continue;
		}
		for (size_t g = 0; g < ctx->p->nkind_groups; g++) {
			if (strcmp(ctx->p->kind_groups[g].name, k->scalar) == 0) {
				*out |= ctx->p->kind_groups[g].members;
				idx = 0;
			}
		}
		if (idx >= 0)
			continue;
		for (size_t j = 0; j < ctx->p->nkinds; j++)
			names[nnames++] = ctx->p->kinds[j];
		for (size_t g = 0; g < ctx->p->nkind_groups && nnames < PC_MAX_KINDS + 16; g++)
			names[nnames++] = ctx->p->kind_groups[g].name;
		near = pc_suggest(k->scalar, names, nnames);
		if (near)
			pc_diags_add(ctx->d, k->pos, "unknown kind '%s'; did you mean '%s'?",
				     k->scalar, near);
		else
			unknown_kind(ctx, k);
		err = -EINVAL;
	}
	return err;
}

static int parse_host_names(struct pc_parse *ctx, const struct pc_ynode *n,
			    struct pc_endpoint *e)
{
	if (!pc_yexpect(ctx->d, n, PC_YSEQ, "hosts"))
		return -EINVAL;
	e->hosts = pc_xcalloc(n->count, sizeof(*e->hosts));
	e->host_pos = pc_xcalloc(n->count, sizeof(*e->host_pos));
	for (size_t i = 0; i < n->count; i++) {
		if (pc_ystring(ctx->d, n->items[i], "a host name", &e->hosts[e->nhosts]))
			return -EINVAL;
		e->host_pos[e->nhosts++] = n->items[i]->pos;
	}
	return 0;
}

static int parse_endpoint(struct pc_parse *ctx, const struct pc_ynode *n,
			  const char *side, struct pc_endpoint *out)
{
	static const char *const keys[] = { "kinds", "hosts", "process", "port" };
	const struct pc_ynode *v;
	char what[64];
	int err = 0;

	out->pos = n->pos;
	snprintf(what, sizeof(what), "the %s", side);
	if (!pc_yexpect(ctx->d, n, PC_YMAP, what))
		return -EINVAL;
	if (PC_YCHECK_KEYS(ctx->d, n, what, keys))
		err = -EINVAL;
	if ((v = pc_yget(n, "kinds")))
		err |= pc_parse_kinds(ctx, v, "kinds", &out->kinds);
	if ((v = pc_yget(n, "hosts"))) {
		if (!ctx->site) {
			pc_diags_add(ctx->d, v->pos, "catalog rows name kinds, not hosts");
			err = -EINVAL;
		} else {
			err |= parse_host_names(ctx, v, out);
		}
	}
	if (!err && out->kinds == 0 && out->nhosts == 0) {
		pc_diags_add(ctx->d, n->pos,
			     "empty role: the %s names no kinds and no hosts", side);
		err = -EINVAL;
	}
	if ((v = pc_yget(n, "process")))
		err |= pc_ystring(ctx->d, v, "process", &out->process);
	v = pc_yrequire(ctx->d, n, "port", what);
	if (!v)
		err = -EINVAL;
	else
		err |= pc_parse_port_spec(ctx, v, "port", &out->ports);
	return err ? -EINVAL : 0;
}

static int parse_purpose(struct pc_parse *ctx, const struct pc_ynode *n,
			 struct pc_flow *f)
{
	static const char *const keys[] = { "ja", "en" };
	const struct pc_ynode *v;
	int err = 0;

	if (n->type == PC_YSCALAR)
		return pc_ystring(ctx->d, n, "purpose", &f->purpose_en);
	if (!pc_yexpect(ctx->d, n, PC_YMAP, "purpose"))
		return -EINVAL;
	if (PC_YCHECK_KEYS(ctx->d, n, "purpose", keys))
		err = -EINVAL;
	if ((v = pc_yget(n, "ja")))
		err |= pc_ystring(ctx->d, v, "purpose.ja", &f->purpose_ja);
	if ((v = pc_yget(n, "en")))
		err |= pc_ystring(ctx->d, v, "purpose.en", &f->purpose_en);
	return err ? -EINVAL : 0;
}

static int parse_flag_list(struct pc_parse *ctx, const struct pc_ynode *n,
			   const char *what, const char *const *names,
			   size_t count, unsigned *out)
{
	int err = 0;

	*out = 0;
	if (n->type == PC_YSCALAR) {
		int idx;

		if (pc_yenum(ctx->d, n, what, names, count, &idx))
			return -EINVAL;
		*out = 1u << idx;
		return 0;
	}
	if (!pc_yexpect(ctx->d, n, PC_YSEQ, what))
		return -EINVAL;
	if (n->count == 0) {
		pc_diags_add(ctx->d, n->pos, "%s is an empty list", what);
		return -EINVAL;
	}
	for (size_t i = 0; i < n->count; i++) {
		int idx;

		if (pc_yenum(ctx->d, n->items[i], what, names, count, &idx))
			err = -EINVAL;
		else
			*out |= 1u << idx;
	}
	return err;
}

static int parse_parts(struct pc_parse *ctx, const struct pc_ynode *n,
		       uint64_t *out)
{
	const char *names[64];
	int err = 0;

	for (size_t i = 0; i < ctx->p->nparts && i < 64; i++)
		names[i] = ctx->p->parts[i].name;
	*out = 0;
	if (!pc_yexpect(ctx->d, n, PC_YSEQ, "parts"))
		return -EINVAL;
	for (size_t i = 0; i < n->count; i++) {
		int idx;

		if (pc_yenum(ctx->d, n->items[i], "part", names, ctx->p->nparts, &idx))
			err = -EINVAL;
		else
			*out |= 1ull << idx;
	}
	return err;
}

static int parse_notes(struct pc_parse *ctx, const struct pc_ynode *n,
		       struct pc_flow *f)
{
	static const char *const keys[] = { "ref", "ja", "en" };
	int err = 0;

	if (!pc_yexpect(ctx->d, n, PC_YSEQ, "notes"))
		return -EINVAL;
	f->notes = pc_xcalloc(n->count, sizeof(*f->notes));
	for (size_t i = 0; i < n->count; i++) {
		const struct pc_ynode *item = n->items[i], *v;
		struct pc_note *note = &f->notes[f->nnotes];

		if (!pc_yexpect(ctx->d, item, PC_YMAP, "a note")) {
			err = -EINVAL;
			continue;
		}
		f->nnotes++;
		if (PC_YCHECK_KEYS(ctx->d, item, "a note", keys))
			err = -EINVAL;
		if ((v = pc_yget(item, "ref")))
			err |= pc_ystring(ctx->d, v, "note ref", &note->ref);
		if ((v = pc_yget(item, "ja")))
			err |= pc_ystring(ctx->d, v, "note ja", &note->ja);
		if ((v = pc_yget(item, "en")))
			err |= pc_ystring(ctx->d, v, "note en", &note->en);
	}
	return err ? -EINVAL : 0;
}

static bool valid_id(const char *id)
{
	for (const char *c = id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' ||
		      *c == '_'))
			return false;
	return strlen(id) <= PC_MAX_ID_LEN;
}

int pc_parse_flow(struct pc_parse *ctx, const struct pc_ynode *n,
		  struct pc_flow *f)
{
	static const char *const keys[] = {
		"id", "table", "row", "purpose", "protocols", "application",
		"addressing", "unspecified-source", "initiator", "responder",
		"parts", "notes",
	};
	static const char *const protos[] = { "tcp", "udp" };
	static const char *const addressing[] = {
		"unicast", "limited-broadcast", "directed-broadcast",
	};
	const struct pc_ynode *v;
	uint64_t row;
	int err = 0;

	f->pos = n->pos;
	f->from_site = ctx->site;
	if (!pc_yexpect(ctx->d, n, PC_YMAP, "a flow"))
		return -EINVAL;
	if (PC_YCHECK_KEYS(ctx->d, n, "a flow", keys))
		err = -EINVAL;

	if ((v = pc_yrequire(ctx->d, n, "id", "a flow"))) {
		if (pc_ystring(ctx->d, v, "id", &f->id)) {
			err = -EINVAL; /* reported; f->id stays NULL */
		} else if (!valid_id(f->id)) {
			pc_diags_add(ctx->d, v->pos,
				     "id '%s' may hold only letters, digits, '-', '.' and '_', at most %d of them",
				     f->id, PC_MAX_ID_LEN);
			err = -EINVAL;
		}
	} else {
		err = -EINVAL;
	}
	if ((v = ctx->site ? pc_yget(n, "table") : pc_yrequire(ctx->d, n, "table", "a catalog row")))
		err |= pc_ystring(ctx->d, v, "table", &f->table);
	else if (!ctx->site)
		err = -EINVAL;
	if (!f->table)
		f->table = pc_xstrdup("site");
	if ((v = ctx->site ? pc_yget(n, "row") : pc_yrequire(ctx->d, n, "row", "a catalog row"))) {
		if (pc_yuint(ctx->d, v, "row", 1, 9999, &row) == 0)
			f->row = (int)row;
		else
			err = -EINVAL;
	} else if (!ctx->site) {
		err = -EINVAL;
	}
	if ((v = pc_yrequire(ctx->d, n, "purpose", "a flow")))
		err |= parse_purpose(ctx, v, f);
	else
		err = -EINVAL;
	if ((v = pc_yrequire(ctx->d, n, "protocols", "a flow")))
		err |= parse_flag_list(ctx, v, "protocol", protos, 2, &f->protocols);
	else
		err = -EINVAL;
	if ((v = pc_yget(n, "application")))
		err |= pc_ystring(ctx->d, v, "application", &f->application);
	f->addressing = PC_ADDRESSING_UNICAST;
	if ((v = pc_yget(n, "addressing")))
		err |= parse_flag_list(ctx, v, "addressing", addressing, 3,
				       &f->addressing);
	if ((v = pc_yget(n, "unspecified-source")))
		err |= pc_ybool(ctx->d, v, "unspecified-source", &f->unspecified_source);
	if ((v = pc_yrequire(ctx->d, n, "initiator", "a flow")))
		err |= parse_endpoint(ctx, v, "initiator", &f->initiator);
	else
		err = -EINVAL;
	if ((v = pc_yrequire(ctx->d, n, "responder", "a flow")))
		err |= parse_endpoint(ctx, v, "responder", &f->responder);
	else
		err = -EINVAL;
	if ((v = pc_yget(n, "parts")))
		err |= parse_parts(ctx, v, &f->parts);
	if ((v = pc_yget(n, "notes")))
		err |= parse_notes(ctx, v, f);
	return err ? -EINVAL : 0;
}

int pc_parse_flows(struct pc_parse *ctx, const struct pc_ynode *n)
{
	struct pc_policy *p = ctx->p;
	int err = 0;

	if (!pc_yexpect(ctx->d, n, PC_YSEQ, "flows"))
		return -EINVAL;
	p->flows = pc_xrealloc(p->flows, p->nflows + n->count, sizeof(*p->flows));
	for (size_t i = 0; i < n->count; i++) {
		struct pc_flow *f = &p->flows[p->nflows];
		const struct pc_flow *dup;

		memset(f, 0, sizeof(*f));
		p->nflows++;
		if (pc_parse_flow(ctx, n->items[i], f)) {
			err = -EINVAL;
			continue;
		}
		/* Site flows without a row number are numbered in file order. */
		if (f->row == 0)
			f->row = (int)i + 1;
		dup = NULL;
		for (size_t j = 0; j + 1 < p->nflows && !dup; j++)
			if (p->flows[j].id && strcmp(p->flows[j].id, f->id) == 0)
				dup = &p->flows[j];
		if (dup) {
			pc_diags_add(ctx->d, f->pos,
				     "duplicate id '%s': already used at %s:%d:%d",
				     f->id, dup->pos.file, dup->pos.line, dup->pos.col);
			err = -EINVAL;
		}
	}
	return err;
}
