/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The distinct rule masks of one policy bank, numbered: what pc_masks
 * holds and pc_lport/pc_rport/pc_addr refer to by id. Id 0 is the empty
 * mask. A policy has few distinct masks however many ports and addresses
 * it names, so ids stay small.
 */
#ifndef PC_MASKSET_H
#define PC_MASKSET_H

#include <stddef.h>
#include <stdint.h>

#include "portcullis.h"

struct pc_maskset {
	struct pc_mask *masks; /* by id */
	uint32_t n;            /* ids given, the empty mask's included */
	uint32_t *slots;       /* open addressing: id + 1, 0 free */
	size_t nslots;         /* a power of two */
};

void pc_maskset_init(struct pc_maskset *s);
void pc_maskset_free(struct pc_maskset *s);
/* The id of m, a new one if it is not there yet. -E2BIG when that would
 * make more than PC_MAX_MASKS. Returns 0 or -errno. */
int pc_maskset_id(struct pc_maskset *s, const struct pc_mask *m, uint32_t *id);

#endif
