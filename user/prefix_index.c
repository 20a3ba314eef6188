// SPDX-License-Identifier: GPL-2.0-only
#include "prefix_index.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

static struct pc_addr masked(const struct pc_addr *a, int len)
{
	struct pc_addr m = { .family = a->family, .prefix = (uint8_t)len };
	int full = len / 8;

	memcpy(m.bytes, a->bytes, (size_t)full);
	if (len % 8)
		m.bytes[full] = a->bytes[full] & (uint8_t)(0xff00 >> (len % 8));
	return m;
}

static int cmp_entry(const void *x, const void *y)
{
	const struct pc_prefix_entry *a = x, *b = y;
	int c = pc_addr_cmp(&a->net, &b->net);

	return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

static int fam(const struct pc_addr *a)
{
	return a->family == AF_INET ? 0 : 1;
}

void pc_prefix_index_init(struct pc_prefix_index *ix,
			  const struct pc_addr *prefixes, size_t n)
{
	memset(ix, 0, sizeof(*ix));
	ix->v = pc_xcalloc(n ? n : 1, sizeof(*ix->v));
	for (size_t i = 0; i < n; i++) {
		const struct pc_addr *p = &prefixes[i];

		if ((p->family != AF_INET && p->family != AF_INET6) ||
		    p->prefix > pc_addr_maxlen(p))
			continue;
		ix->v[ix->n].net = masked(p, p->prefix);
		ix->v[ix->n++].idx = i;
		ix->lens[fam(p)][p->prefix / 64] |= 1ull << (p->prefix % 64);
	}
	qsort(ix->v, ix->n, sizeof(*ix->v), cmp_entry);
}

void pc_prefix_index_each(const struct pc_prefix_index *ix,
			  const struct pc_addr *a,
			  void (*fn)(size_t idx, void *arg), void *arg)
{
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    a->prefix > pc_addr_maxlen(a))
		return;
	for (int len = 0; len <= a->prefix; len++) {
		struct pc_addr key;
		size_t lo = 0, hi = ix->n;

		if (!(ix->lens[fam(a)][len / 64] & (1ull << (len % 64))))
			continue;
		key = masked(a, len);
		while (lo < hi) { /* the first entry not below key */
			size_t mid = lo + (hi - lo) / 2;

			if (pc_addr_cmp(&ix->v[mid].net, &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < ix->n && pc_addr_cmp(&ix->v[lo].net, &key) == 0; lo++)
			fn(ix->v[lo].idx, arg);
	}
}

void pc_prefix_index_free(struct pc_prefix_index *ix)
{
	free(ix->v);
	memset(ix, 0, sizeof(*ix));
}
