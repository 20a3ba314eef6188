// SPDX-License-Identifier: GPL-2.0-only
#include "yaml_schema.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "suggest.h"

struct pc_ynode *pc_yget(const struct pc_ynode *map, const char *key)
{
	if (!map || map->type != PC_YMAP)
		return NULL;
	for (size_t i = 0; i < map->count; i++) {
		const struct pc_ynode *k = pc_ymap_key(map, i);

		if (k->type == PC_YSCALAR && strcmp(k->scalar, key) == 0)
			return pc_ymap_value(map, i);
	}
	return NULL;
}

int pc_ycheck_keys(struct pc_diags *d, const struct pc_ynode *map,
		   const char *what, const char *const *allowed, size_t n)
{
	int problems = 0;

	for (size_t i = 0; i < map->count; i++) {
		const struct pc_ynode *k = pc_ymap_key(map, i);
		const char *near;
		bool known = false;

		if (k->type != PC_YSCALAR) {
			pc_diags_add(d, k->pos, "a key in %s must be a word, found %s",
				     what, pc_ynode_kind(k));
			problems++;
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			const struct pc_ynode *prev = pc_ymap_key(map, j);

			if (prev->type == PC_YSCALAR &&
			    strcmp(prev->scalar, k->scalar) == 0) {
				pc_diags_add(d, k->pos,
					     "'%s' is written twice in %s (first at line %d)",
					     k->scalar, what, prev->pos.line);
				problems++;
				break;
			}
		}
		for (size_t j = 0; j < n && !known; j++)
			known = strcmp(allowed[j], k->scalar) == 0;
		if (known)
			continue;
		near = pc_suggest(k->scalar, allowed, n);
		if (near)
			pc_diags_add(d, k->pos, "unknown key '%s' in %s; did you mean '%s'?",
				     k->scalar, what, near);
		else
			pc_diags_add(d, k->pos, "unknown key '%s' in %s", k->scalar, what);
		problems++;
	}
	return problems;
}

struct pc_ynode *pc_yrequire(struct pc_diags *d, const struct pc_ynode *map,
			     const char *key, const char *what)
{
	struct pc_ynode *v = pc_yget(map, key);

	if (!v)
		pc_diags_add(d, map->pos, "%s has no '%s'", what, key);
	return v;
}

bool pc_yexpect(struct pc_diags *d, const struct pc_ynode *n,
		enum pc_ynode_type type, const char *what)
{
	if (n->type == type)
		return true;
	pc_diags_add(d, n->pos, "%s must be %s, found %s", what, pc_ynode_type_name(type),
		     pc_ynode_kind(n));
	return false;
}

int pc_ystring(struct pc_diags *d, const struct pc_ynode *n, const char *what,
	       char **out)
{
	if (!pc_yexpect(d, n, PC_YSCALAR, what))
		return -EINVAL;
	if (n->scalar[0] == '\0') {
		pc_diags_add(d, n->pos, "%s is empty", what);
		return -EINVAL;
	}
	*out = pc_xstrdup(n->scalar);
	return 0;
}

bool pc_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s || strlen(s) > 19)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

int pc_yuint(struct pc_diags *d, const struct pc_ynode *n, const char *what,
	     uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (!pc_yexpect(d, n, PC_YSCALAR, what))
		return -EINVAL;
	if (!pc_parse_u64(n->scalar, &v)) {
		pc_diags_add(d, n->pos, "%s must be a whole number, found '%s'",
			     what, n->scalar);
		return -EINVAL;
	}
	if (v < min || v > max) {
		pc_diags_add(d, n->pos, "%s must be between %llu and %llu, found %s",
			     what, (unsigned long long)min,
			     (unsigned long long)max, n->scalar);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int pc_ybool(struct pc_diags *d, const struct pc_ynode *n, const char *what,
	     bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };

	if (!pc_yexpect(d, n, PC_YSCALAR, what))
		return -EINVAL;
	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(n->scalar, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(n->scalar, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	pc_diags_add(d, n->pos, "%s must be on or off (true or false), found '%s'",
		     what, n->scalar);
	return -EINVAL;
}

int pc_yenum(struct pc_diags *d, const struct pc_ynode *n, const char *what,
	     const char *const *names, size_t count, int *out)
{
	const char *near;
	char list[256] = "";

	if (!pc_yexpect(d, n, PC_YSCALAR, what))
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		if (strcmp(n->scalar, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
		if (strlen(list) + strlen(names[i]) + 3 < sizeof(list)) {
			if (i)
				strcat(list, ", ");
			strcat(list, names[i]);
		}
	}
	near = pc_suggest(n->scalar, names, count);
	if (near)
		pc_diags_add(d, n->pos, "%s '%s' is not known; did you mean '%s'? (one of: %s)",
			     what, n->scalar, near, list);
	else
		pc_diags_add(d, n->pos, "%s '%s' is not known (one of: %s)", what,
			     n->scalar, list);
	return -EINVAL;
}
