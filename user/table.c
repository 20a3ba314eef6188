// SPDX-License-Identifier: GPL-2.0-only
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* Display width: UTF-8 continuation bytes take no column; CJK takes two. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;
		w += *p >= 0xe0 ? 2 : 1;
	}
	return w;
}

void pc_table_init(struct pc_table *t, size_t ncols, const char *const *header)
{
	t->ncols = ncols;
	t->nrows = 0;
	t->cells = NULL;
	pc_table_row(t, header);
}

void pc_table_row(struct pc_table *t, const char *const *cells)
{
	t->cells = pc_xrealloc(t->cells, (t->nrows + 1) * t->ncols, sizeof(*t->cells));
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = pc_xstrdup(cells[c] ? cells[c] : "-");
	t->nrows++;
}

void pc_table_print(const struct pc_table *t, FILE *out)
{
	size_t *w = pc_xcalloc(t->ncols, sizeof(*w));

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t cw = width(t->cells[r * t->ncols + c]);

			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];

			fputs(cell, out);
			if (c + 1 < t->ncols)
				fprintf(out, "%*s", (int)(w[c] - width(cell) + 2), "");
		}
		fputc('\n', out);
	}
	free(w);
}

void pc_table_free(struct pc_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}
