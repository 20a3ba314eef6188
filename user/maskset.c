// SPDX-License-Identifier: GPL-2.0-only
/* Distinct rule masks, numbered (maskset.h). */
#include "maskset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static uint64_t mask_hash(const struct pc_mask *m)
{
	uint64_t h = 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < PC_MASK_WORDS; i++) {
		h ^= m->w[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 33;
	}
	return h;
}

void pc_maskset_init(struct pc_maskset *s)
{
	struct pc_mask none = { { 0 } };
	uint32_t id;

	s->nslots = 64;
	s->slots = pc_xcalloc(s->nslots, sizeof(*s->slots));
	s->masks = pc_xcalloc(s->nslots / 2, sizeof(*s->masks));
	s->n = 0;
	pc_maskset_id(s, &none, &id); /* id 0 */
}

void pc_maskset_free(struct pc_maskset *s)
{
	free(s->slots);
	free(s->masks);
	memset(s, 0, sizeof(*s));
}

static void place(uint32_t *slots, size_t nslots, const struct pc_mask *m, uint32_t id)
{
	size_t i = mask_hash(m) & (nslots - 1);

	while (slots[i])
		i = (i + 1) & (nslots - 1);
	slots[i] = id + 1;
}

/* Doubles the table when half full: masks stay at their ids. */
static void grow(struct pc_maskset *s)
{
	size_t nslots = s->nslots * 2;
	uint32_t *slots = pc_xcalloc(nslots, sizeof(*slots));

	for (uint32_t id = 0; id < s->n; id++)
		place(slots, nslots, &s->masks[id], id);
	free(s->slots);
	s->slots = slots;
	s->nslots = nslots;
	s->masks = pc_xrealloc(s->masks, nslots / 2, sizeof(*s->masks));
}

int pc_maskset_id(struct pc_maskset *s, const struct pc_mask *m, uint32_t *id)
{
	size_t i = mask_hash(m) & (s->nslots - 1);

	for (; s->slots[i]; i = (i + 1) & (s->nslots - 1)) {
		if (!memcmp(&s->masks[s->slots[i] - 1], m, sizeof(*m))) {
			*id = s->slots[i] - 1;
			return 0;
		}
	}
	if (s->n == PC_MAX_MASKS)
		return -E2BIG;
	*id = s->n++;
	s->masks[*id] = *m;
	s->slots[i] = *id + 1;
	if (s->n * 2 >= s->nslots)
		grow(s);
	return 0;
}
