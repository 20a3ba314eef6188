/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading typed values out of a YAML tree, each failure reported at the
 * node's file:line:column in words an operator understands.
 */
#ifndef PC_YAML_SCHEMA_H
#define PC_YAML_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "yaml_tree.h"

/* Reports keys outside allowed (with the nearest as a suggestion) and
 * keys written twice. Returns the number of problems. */
int pc_ycheck_keys(struct pc_diags *d, const struct pc_ynode *map,
		   const char *what, const char *const *allowed, size_t n);
/* The same with an array of allowed keys, counted for you. */
#define PC_YCHECK_KEYS(d, map, what, keys)                                     \
	pc_ycheck_keys(d, map, what, keys, sizeof(keys) / sizeof(*(keys)))
/* The value under key, or NULL. */
struct pc_ynode *pc_yget(const struct pc_ynode *map, const char *key);
/* Like pc_yget, but reports a missing key at the mapping. */
struct pc_ynode *pc_yrequire(struct pc_diags *d, const struct pc_ynode *map,
			     const char *key, const char *what);

bool pc_yexpect(struct pc_diags *d, const struct pc_ynode *n,
		enum pc_ynode_type type, const char *what);
/* A non-empty string. */
int pc_ystring(struct pc_diags *d, const struct pc_ynode *n, const char *what,
	       char **out);
int pc_yuint(struct pc_diags *d, const struct pc_ynode *n, const char *what,
	     uint64_t min, uint64_t max, uint64_t *out);
int pc_ybool(struct pc_diags *d, const struct pc_ynode *n, const char *what,
	     bool *out);
/* One of names[]; the index in *out. Suggests the nearest on a typo. */
int pc_yenum(struct pc_diags *d, const struct pc_ynode *n, const char *what,
	     const char *const *names, size_t count, int *out);
/* Parses a decimal number with nothing else around it. */
bool pc_parse_u64(const char *s, uint64_t *out);

#endif
