/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which prefixes of a set contain an address, in log time: the prefixes
 * sorted by their network address, searched once per prefix length the set
 * uses. The loader gives every address and prefix the rules of all the
 * prefixes holding it; pairwise tests took addresses x prefixes.
 */
#ifndef PC_PREFIX_INDEX_H
#define PC_PREFIX_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* At most one prefix per length and family can hold an address, unless the
 * set has the same network twice: lengths 0..32 and 0..128. */
#define PC_PREFIX_LENS (33 + 129)

struct pc_prefix_index {
	struct pc_prefix_entry {
		struct pc_addr net; /* host bits cleared */
		size_t idx;         /* into the caller's array */
	} *v;
	size_t n;
	uint64_t lens[2][3]; /* bit L of family 0 (IPv4) or 1: a prefix of length L */
};

void pc_prefix_index_init(struct pc_prefix_index *ix,
			  const struct pc_addr *prefixes, size_t n);
/*
 * Calls fn(idx, arg) for every prefix of the set that contains a (a prefix
 * contains itself), in the order of the caller's array within each length.
 */
void pc_prefix_index_each(const struct pc_prefix_index *ix,
			  const struct pc_addr *a,
			  void (*fn)(size_t idx, void *arg), void *arg);
void pc_prefix_index_free(struct pc_prefix_index *ix);

#endif
