// SPDX-License-Identifier: GPL-2.0-only
#include "table.h"

#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "diag.h"

/* The code point at s (UTF-8) and its length; a stray byte is itself. */
static size_t utf8_next(const unsigned char *s, wchar_t *cp)
{
	size_t n = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc0 ? 2 : 1;
	uint32_t c = n == 1 ? *s : *s & (0x7f >> n);

	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = *s;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*cp = (wchar_t)c;
	return n;
}

size_t pc_text_width(const char *s)
{
	/* wcwidth() follows LC_CTYPE: a UTF-8 one for this thread only. */
	static locale_t utf8;
	locale_t old;
	size_t w = 0;

	if (!utf8)
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	old = utf8 ? uselocale(utf8) : (locale_t)0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		wchar_t cp;
		int cw;

		p += utf8_next(p, &cp);
		cw = utf8 ? wcwidth(cp) : 1;
		w += cw < 0 ? 1 : (size_t)cw;
	}
	if (old)
		uselocale(old);
	return w;
}

void pc_table_init(struct pc_table *t, size_t ncols, const char *const *header)
{
	t->ncols = ncols;
	t->nrows = 0;
	t->cells = NULL;
	t->right = 0;
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
			size_t cw = pc_text_width(t->cells[r * t->ncols + c]);

			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			int pad = (int)(w[c] - pc_text_width(cell));
			bool right = c < 8 * sizeof(t->right) && (t->right >> c & 1);

			if (c > 0)
				fputs("  ", out);
			if (right)
				fprintf(out, "%*s", pad, "");
			fputs(cell, out);
			if (!right && c + 1 < t->ncols)
				fprintf(out, "%*s", pad, "");
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
