// SPDX-License-Identifier: GPL-2.0-only
#include "suggest.h"

#include <stdlib.h>
#include <string.h>

#define MAX_WORD 64

size_t pc_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[MAX_WORD + 1][MAX_WORD + 1];

	if (la > MAX_WORD || lb > MAX_WORD)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

const char *pc_suggest(const char *word, const char *const *candidates,
		       size_t n)
{
	size_t best = (size_t)-1, limit = strlen(word) / 3 + 1;
	const char *found = NULL;

	if (limit > 3)
		limit = 3;
	for (size_t i = 0; i < n; i++) {
		size_t dist = pc_edit_distance(word, candidates[i]);

		if (dist < best) {
			best = dist;
			found = candidates[i];
		}
	}
	return best <= limit ? found : NULL;
}
