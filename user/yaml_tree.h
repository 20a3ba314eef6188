/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A YAML document as a small tree whose every node knows its file, line and
 * column, so that policy errors can point at the text. Built from libyaml's
 * event stream; aliases are refused (they would allow cycles and
 * exponential expansion), and nesting is bounded.
 */
#ifndef PC_YAML_TREE_H
#define PC_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum pc_ynode_type { PC_YSCALAR, PC_YSEQ, PC_YMAP };

/* Small on purpose: a site of a million hosts is some ten million nodes. */
struct pc_ynode {
	struct pc_pos pos;
	char *scalar;           /* PC_YSCALAR: the text, NUL-terminated */
	struct pc_ynode **items; /* PC_YSEQ: items; PC_YMAP: key, value, ... */
	uint32_t nitems;        /* entries in items */
	uint32_t count;         /* PC_YSEQ: items; PC_YMAP: pairs */
	uint8_t type;           /* enum pc_ynode_type */
	bool quoted;            /* PC_YSCALAR: written in quotes */
};

struct pc_yarena;

struct pc_ytree {
	char *file;             /* name used in messages */
	struct pc_ynode *root;  /* NULL for an empty document */
	struct pc_yarena *arena; /* every node, scalar and item list */
};

/* Parse len bytes; errors go to diags. Returns 0 or -EINVAL. */
int pc_ytree_parse(struct pc_ytree *t, const char *file, const char *text,
		   size_t len, struct pc_diags *diags);
void pc_ytree_free(struct pc_ytree *t);

static inline struct pc_ynode *pc_ymap_key(const struct pc_ynode *m, size_t i)
{
	return m->items[2 * i];
}

static inline struct pc_ynode *pc_ymap_value(const struct pc_ynode *m, size_t i)
{
	return m->items[2 * i + 1];
}

/* "a single value", "a list", "a mapping" (NULL: "nothing"). */
const char *pc_ynode_type_name(enum pc_ynode_type t);
const char *pc_ynode_kind(const struct pc_ynode *n);
/* No document, or one with nothing in it ("---" alone). */
bool pc_ynode_is_empty(const struct pc_ynode *n);

#endif
