// SPDX-License-Identifier: GPL-2.0-only
/*
 * The verifier's cost of each program stays well under the kernel's limit
 * of 1,000,000 processed instructions, so a small change to the parser or
 * another kernel's verifier does not tip it over.
 */
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progutil.h"
#include "portcullis.skel.h"

#define HEADROOM_LIMIT 200000 /* a fifth of the limit; 171k today */

static char xdp_log[1 << 24], tc_log[1 << 16]; /* big enough for -v (level 1) */

static long processed(const char *log)
{
	const char *p = strstr(log, "processed ");

	return p ? strtol(p + 10, NULL, 10) : -1;
}

static void test_verifier_cost(void **state)
{
	struct portcullis *skel = portcullis__open();

	(void)state;
	assert_non_null(skel);
	bpf_program__set_log_level(skel->progs.pc_xdp_ingress, getenv("PC_TEST_VERBOSE") ? 1 | 4 : 4);
	bpf_program__set_log_buf(skel->progs.pc_xdp_ingress, xdp_log, sizeof(xdp_log));
	bpf_program__set_log_level(skel->progs.pc_tc_egress, 4);
	bpf_program__set_log_buf(skel->progs.pc_tc_egress, tc_log, sizeof(tc_log));
	if (portcullis__load(skel)) {
		size_t n = strlen(xdp_log);

		print_error("%s\n", xdp_log + (n > 3000 ? n - 3000 : 0));
		fail_msg("the programs do not load");
	}
	printf("# verifier: xdp %ld, tc %ld instructions processed\n",
	       processed(xdp_log), processed(tc_log));
	assert_in_range(processed(xdp_log), 1, HEADROOM_LIMIT);
	assert_in_range(processed(tc_log), 1, HEADROOM_LIMIT);
	portcullis__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verifier_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
