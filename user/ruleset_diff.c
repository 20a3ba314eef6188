// SPDX-License-Identifier: GPL-2.0-only
#include "ruleset_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A set of strings: items are appended, then set_seal() sorts them and drops
 * duplicates once, so that a path with 100,000 peers costs n log n. */
struct strset {
	char **items;
	size_t count;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_add(struct strset *s, char *item)
{
	size_t n = s->count;

	/* Capacity doubles: it is full exactly when n is a power of two. */
	if (n == 0 || (n & (n - 1)) == 0)
		s->items = pc_xrealloc(s->items, n ? n * 2 : 1, sizeof(*s->items));
	s->items[s->count++] = item;
}

static void set_seal(struct strset *s)
{
	size_t out = 0;

	if (s->count == 0)
		return;
	qsort(s->items, s->count, sizeof(*s->items), cmp_str);
	for (size_t i = 0; i < s->count; i++) {
		if (out && strcmp(s->items[out - 1], s->items[i]) == 0)
			free(s->items[i]);
		else
			s->items[out++] = s->items[i];
	}
	s->count = out;
}

/* Only on a sealed set. */
static bool set_has(const struct strset *s, const char *item)
{
	return s->count && bsearch(&item, s->items, s->count, sizeof(*s->items), cmp_str);
}

static bool set_equal(const struct strset *a, const struct strset *b)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->items[i], b->items[i]) != 0)
			return false;
	return true;
}

static void set_free(struct strset *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

/* The ports and the peers of one path in a rule set. */
struct path_shape {
	struct strset ports; /* "ingress tcp 22015<-1024-65535" */
	struct strset peers; /* addresses */
};

static void path_shape(const struct pc_ruleset *rs, const char *path,
		       struct path_shape *out)
{
	char addr[PC_ADDR_STRLEN], lp[16], rp[16];

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];

		if (strcmp(r->flow->id, path) != 0)
			continue;
		set_add(&out->ports, pc_xasprintf("%s %s %s%s%s", pc_dir_name(r->dir),
						  pc_proto_name(r->proto),
						  pc_range_format(r->local, lp),
						  r->dir == PC_DIR_INGRESS ? "<-" : "->",
						  pc_range_format(r->remote, rp)));
		for (size_t a = 0; a < r->nremote; a++)
			set_add(&out->peers, pc_xstrdup(pc_addr_format(&r->remote_addrs[a], addr)));
	}
	set_seal(&out->ports);
	set_seal(&out->peers);
}

static void shape_free(struct path_shape *s)
{
	set_free(&s->ports);
	set_free(&s->peers);
}

static bool has_path(const struct pc_ruleset *rs, const char *path)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (strcmp(rs->rules[i].flow->id, path) == 0)
			return true;
	return false;
}

/* "a, b" of the items of x that are not in y, with a prefix. */
static void list_missing(FILE *f, const char *prefix, const struct strset *x,
			 const struct strset *y)
{
	for (size_t i = 0; i < x->count; i++)
		if (!set_has(y, x->items[i]))
			fprintf(f, " %s%s", prefix, x->items[i]);
}

static char *describe(const struct path_shape *o, const struct path_shape *n)
{
	char *out;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return pc_xstrdup("changed");
	if (!set_equal(&o->ports, &n->ports)) {
		fputs("ports", f);
		list_missing(f, "-", &o->ports, &n->ports);
		list_missing(f, "+", &n->ports, &o->ports);
	}
	if (!set_equal(&o->peers, &n->peers)) {
		if (ftell(f))
			fputs("; ", f);
		fputs("peers", f);
		list_missing(f, "-", &o->peers, &n->peers);
		list_missing(f, "+", &n->peers, &o->peers);
	}
	if (ftell(f) == 0)
		fputs("rule order or addressing", f);
	fclose(f);
	return out;
}

static void add_change(struct pc_ruleset_diff *d, const char *path,
		       enum pc_change_kind kind, char *detail)
{
	d->changes = pc_xrealloc(d->changes, d->count + 1, sizeof(*d->changes));
	d->changes[d->count++] = (struct pc_path_change){ pc_xstrdup(path), kind, detail };
}

/* Whether path's rules, in order, are the same in both sets. */
static bool same_rules(const struct pc_ruleset *a, const struct pc_ruleset *b,
		       const char *path)
{
	const struct pc_rule *x, *y;
	size_t i = 0, j = 0;

	for (;;) {
		while (i < a->nrules && strcmp(a->rules[i].flow->id, path))
			i++;
		while (j < b->nrules && strcmp(b->rules[j].flow->id, path))
			j++;
		if (i == a->nrules || j == b->nrules)
			return i == a->nrules && j == b->nrules;
		x = &a->rules[i++];
		y = &b->rules[j++];

		if (x->dir != y->dir || x->proto != y->proto ||
		    x->local.lo != y->local.lo || x->local.hi != y->local.hi ||
		    x->remote.lo != y->remote.lo || x->remote.hi != y->remote.hi ||
		    x->local_class != y->local_class || x->nremote != y->nremote)
			return false;
		for (size_t k = 0; k < x->nremote; k++)
			if (!pc_addr_equal(&x->remote_addrs[k], &y->remote_addrs[k]))
				return false;
	}
}

/* Whether rule i is the first of its path in rs. */
static bool first_of_path(const struct pc_ruleset *rs, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(rs->rules[j].flow->id, rs->rules[i].flow->id) == 0)
			return false;
	return true;
}

void pc_ruleset_diff(const struct pc_ruleset *old, const struct pc_ruleset *new,
		     struct pc_ruleset_diff *d)
{
	memset(d, 0, sizeof(*d));
	for (size_t i = 0; i < new->nrules; i++) {
		const char *path = new->rules[i].flow->id;
		struct path_shape o, n;

		if (!first_of_path(new, i))
			continue;
		if (!has_path(old, path)) {
			add_change(d, path, PC_PATH_ADDED, NULL);
			d->added++;
			continue;
		}
		if (same_rules(old, new, path)) {
			d->unchanged++;
			continue;
		}
		path_shape(old, path, &o);
		path_shape(new, path, &n);
		add_change(d, path, PC_PATH_CHANGED, describe(&o, &n));
		d->changed++;
		shape_free(&o);
		shape_free(&n);
	}
	for (size_t i = 0; i < old->nrules; i++) {
		const char *path = old->rules[i].flow->id;

		if (!first_of_path(old, i) || has_path(new, path))
			continue;
		add_change(d, path, PC_PATH_REMOVED, NULL);
		d->removed++;
	}
}

char *pc_ruleset_diff_summary(const struct pc_ruleset_diff *d)
{
	return pc_xasprintf("paths: %zu changed, %zu added, %zu removed, %zu unchanged",
			    d->changed, d->added, d->removed, d->unchanged);
}

void pc_ruleset_diff_free(struct pc_ruleset_diff *d)
{
	for (size_t i = 0; i < d->count; i++) {
		free(d->changes[i].path);
		free(d->changes[i].detail);
	}
	free(d->changes);
	memset(d, 0, sizeof(*d));
}

const char *pc_change_kind_name(enum pc_change_kind k)
{
	switch (k) {
	case PC_PATH_ADDED:
		return "added";
	case PC_PATH_REMOVED:
		return "removed";
	default:
		return "changed";
	}
}
