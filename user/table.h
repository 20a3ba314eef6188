/* SPDX-License-Identifier: GPL-2.0-only */
/* Text tables with columns as wide as their widest cell. */
#ifndef PC_TABLE_H
#define PC_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct pc_table {
	size_t ncols;
	size_t nrows;
	char **cells; /* row-major, nrows * ncols; row 0 is the header */
	unsigned long right; /* bit c: column c is right-aligned (numbers) */
};

void pc_table_init(struct pc_table *t, size_t ncols, const char *const *header);
/* Adds a row of ncols strings (copied; NULL prints as "-"). */
void pc_table_row(struct pc_table *t, const char *const *cells);
void pc_table_print(const struct pc_table *t, FILE *out);
/* Columns a UTF-8 string takes on a terminal (wcwidth of each character). */
size_t pc_text_width(const char *s);
void pc_table_free(struct pc_table *t);

#endif
