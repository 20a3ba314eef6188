/* SPDX-License-Identifier: GPL-2.0-only */
/* Diagnostics: messages for operators, and positioned policy errors. */
#ifndef PC_DIAG_H
#define PC_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Where a piece of policy text came from: 1-based line and column. */
struct pc_pos {
	const char *file; /* borrowed: owned by the tree that was parsed */
	int line;
	int col;
};

struct pc_diag {
	char *file;
	int line;
	int col;
	char *msg;
};

/* Errors found while reading a policy; all of them, not just the first. */
struct pc_diags {
	struct pc_diag *items;
	size_t count;
	size_t cap;
};

void pc_diags_add(struct pc_diags *d, struct pc_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pc_diags_print(const struct pc_diags *d);
void pc_diags_free(struct pc_diags *d);

/* Messages of the shape "portcullis: what went wrong". */
extern int pc_verbosity;
void pc_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pc_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pc_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Plain-words explanation of a negative errno from a BPF or netlink call. */
const char *pc_strerror(int err);

/* Allocation that exits with a message instead of returning NULL. */
void *pc_xcalloc(size_t n, size_t size);
void *pc_xrealloc(void *p, size_t n, size_t size);
char *pc_xstrdup(const char *s);
char *pc_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
