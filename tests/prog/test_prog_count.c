// SPDX-License-Identifier: GPL-2.0-only
/*
 * Counting the connection table while the datapath churns it (status):
 * the real LRU map of PC_CT_ENTRIES entries, filled, then counted while a
 * second thread keeps inserting new connections (each evicts one). The
 * count never exceeds what the map holds and stays near full; the time of
 * each count is printed (a walk by next key took seconds here).
 */
#include <bpf/bpf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "progutil.h"

struct churn {
	int fd;
	atomic_bool stop;
	uint64_t inserted;
};

static void make_key(struct pc_ct_key *k, uint64_t i)
{
	memset(k, 0, sizeof(*k));
	memcpy(k, &i, sizeof(i));
}

static void *churn_main(void *arg)
{
	struct churn *c = arg;
	struct pc_ct_value v = { 0 };
	uint64_t i = PC_CT_ENTRIES; /* past the keys of the fill */

	while (!atomic_load(&c->stop)) {
		struct pc_ct_key k;

		make_key(&k, i++);
		if (bpf_map_update_elem(c->fd, &k, &v, BPF_ANY) == 0)
			c->inserted++;
	}
	return NULL;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_count_under_churn(void **state)
{
	const size_t chunk = 4096;
	struct fx *f = *state;
	struct pc_ct_key *keys = calloc(chunk, sizeof(*keys));
	struct pc_ct_value *vals = calloc(chunk, sizeof(*vals));
	struct churn c = { .fd = f->maps.ct };
	pthread_t thread;
	long full;

	for (uint64_t i = 0; i < PC_CT_ENTRIES; i += chunk) {
		__u32 n = (__u32)chunk;

		for (size_t j = 0; j < chunk; j++)
			make_key(&keys[j], i + j);
		assert_int_equal(bpf_map_update_batch(c.fd, keys, vals, &n, NULL), 0);
	}
	full = pc_map_count(c.fd, sizeof(struct pc_ct_key));
	printf("# filled: %ld of %d\n", full, PC_CT_ENTRIES);
	assert_true(full > PC_CT_ENTRIES / 2 && full <= PC_CT_ENTRIES);

	assert_int_equal(pthread_create(&thread, NULL, churn_main, &c), 0);
	for (int round = 0; round < 5; round++) {
		double t0 = now();
		long n = pc_map_count(c.fd, sizeof(struct pc_ct_key));
		double t1 = now();

		printf("# count under churn: %ld entries in %.3f s\n", n, t1 - t0);
		if (n < 0 || n > PC_CT_ENTRIES || n < PC_CT_ENTRIES / 2) {
			atomic_store(&c.stop, true);
			pthread_join(thread, NULL);
			fail_msg("count %ld outside (%d, %d]", n, PC_CT_ENTRIES / 2,
				 PC_CT_ENTRIES);
		}
	}
	atomic_store(&c.stop, true);
	pthread_join(thread, NULL);
	printf("# %llu insertions during the counts\n", (unsigned long long)c.inserted);
	assert_true(c.inserted > 0);
	free(keys);
	free(vals);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_count_under_churn, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
