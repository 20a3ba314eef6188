/* SPDX-License-Identifier: GPL-2.0-only */
/* "Did you mean ...?": the nearest of a set of known words. */
#ifndef PC_SUGGEST_H
#define PC_SUGGEST_H

#include <stddef.h>

/* Edit distance (insert, delete, substitute, swap of neighbours). */
size_t pc_edit_distance(const char *a, const char *b);
/* The nearest candidate close enough to be a likely typo, or NULL. */
const char *pc_suggest(const char *word, const char *const *candidates,
		       size_t n);

#endif
