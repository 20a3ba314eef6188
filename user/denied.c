// SPDX-License-Identifier: GPL-2.0-only
/* Reads the table of denied flows the datapath keeps (bpf/denied.h). */
#include "denied.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

time_t pc_denied_wall(uint64_t mono_ns)
{
	struct timespec mono, real;
	int64_t now_ns;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	now_ns = (int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec;
	return real.tv_sec - (time_t)((now_ns - (int64_t)mono_ns) / 1000000000);
}

static int by_key(const void *a, const void *b)
{
	const struct pc_denied_flow *x = a, *y = b;

	return memcmp(&x->key, &y->key, sizeof(x->key));
}

static int by_packets(const void *a, const void *b)
{
	const struct pc_denied_flow *x = a, *y = b;

	if (x->val.packets != y->val.packets)
		return x->val.packets < y->val.packets ? 1 : -1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

int pc_denied_read(const struct pc_maps *m, struct pc_denied_table *t)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info), zero = 0;
	struct pc_denied_key k, next;
	void *prev = NULL;
	size_t cap, kept = 0;
	int ncpu;

	memset(t, 0, sizeof(*t));
	if (bpf_obj_get_info_by_fd(m->denied, &info, &len))
		return -errno;
	t->max = info.max_entries;
	cap = t->max;
	t->flows = calloc(cap ? cap : 1, sizeof(*t->flows));
	if (!t->flows)
		return -ENOMEM;
	/* The LRU may drop the key we stand on: then the walk starts over
	 * from what it has not seen, bounded by the table's size. */
	while (t->n < cap && bpf_map_get_next_key(m->denied, prev, &next) == 0) {
		struct pc_denied_flow *f = &t->flows[t->n];

		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(m->denied, &k, &f->val))
			continue; /* evicted between the two calls */
		f->key = k;
		f->first = pc_denied_wall(f->val.first_ns);
		f->last = pc_denied_wall(f->val.last_ns);
		t->n++;
	}
	/* A walk that started over saw some keys twice. */
	qsort(t->flows, t->n, sizeof(*t->flows), by_key);
	for (size_t i = 0; i < t->n; i++)
		if (!kept || by_key(&t->flows[kept - 1], &t->flows[i]))
			t->flows[kept++] = t->flows[i];
	t->n = kept;
	qsort(t->flows, t->n, sizeof(*t->flows), by_packets);

	ncpu = libbpf_num_possible_cpus();
	if (ncpu > 0) {
		struct pc_denied_stats *per = calloc((size_t)ncpu, sizeof(*per));

		if (per && bpf_map_lookup_elem(m->denied_stats, &zero, per) == 0)
			for (int i = 0; i < ncpu; i++) {
				t->created += per[i].created;
				t->unrecorded += per[i].unrecorded;
			}
		free(per);
	}
	t->evicted = t->created > t->n ? t->created - t->n : 0;
	return 0;
}

void pc_denied_free(struct pc_denied_table *t)
{
	free(t->flows);
	memset(t, 0, sizeof(*t));
}
