/* SPDX-License-Identifier: GPL-2.0-only */
/* What a reload changes: paths added, removed, and how the others moved. */
#ifndef PC_RULESET_DIFF_H
#define PC_RULESET_DIFF_H

#include "compile.h"

enum pc_change_kind { PC_PATH_ADDED, PC_PATH_REMOVED, PC_PATH_CHANGED };

struct pc_path_change {
	char *path;
	enum pc_change_kind kind;
	char *detail; /* "local ports 22015 -> 22115; peers +192.0.2.9" */
};

struct pc_ruleset_diff {
	struct pc_path_change *changes;
	size_t count;
	size_t added, removed, changed, unchanged;
};

void pc_ruleset_diff(const struct pc_ruleset *old, const struct pc_ruleset *new,
		     struct pc_ruleset_diff *out);
/* One line: "paths: 2 changed, 1 added, 0 removed, 40 unchanged". */
char *pc_ruleset_diff_summary(const struct pc_ruleset_diff *d);
void pc_ruleset_diff_free(struct pc_ruleset_diff *d);
const char *pc_change_kind_name(enum pc_change_kind k);

#endif
