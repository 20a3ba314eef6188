// SPDX-License-Identifier: GPL-2.0-only
/*
 * The verifier's cost of each program stays well under the kernel's limit
 * of 1,000,000 processed instructions, so a small change to the parser or
 * another kernel's verifier does not tip it over. And each chain of calls
 * keeps its margin under the 512 bytes of stack a chain may use, counted
 * as 6.1 counts it (the strictest: each frame rounded up to 32 bytes;
 * later kernels round to 16), from the frames' depths in the verifier's
 * log of the kernel the test runs on.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progutil.h"
#include "portcullis.skel.h"

#define HEADROOM_LIMIT 200000 /* a fifth of the limit; 171k today */
#define STACK_LIMIT 512 /* MAX_BPF_STACK */
#define MAX_FUNCS 64

/* The chains below the entry point's call of func (NULL: every chain) and
 * the bytes they leave under STACK_LIMIT. */
static const struct margin {
	const char *func;
	int bytes;
} margins[] = {
	{ NULL, 0 },                 /* 512 today: pc_judge's chain */
	{ "pc_gateway_judge", 64 },  /* 448 today */
};

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

/* The program's functions (subprograms, in the kernel's order), their
 * stack depths from the log's "stack depth A+B+..." line and who calls
 * whom, from the loaded program's function records and instructions. */
struct frames {
	int n;
	int depth[MAX_FUNCS];
	const char *name[MAX_FUNCS];
	unsigned char calls[MAX_FUNCS][MAX_FUNCS];
};

static void read_depths(const char *log, struct frames *f)
{
	const char *p = strstr(log, "stack depth ");
	int n = 0;

	assert_non_null(p);
	p += strlen("stack depth ");
	do {
		char *end;

		assert_true(n < MAX_FUNCS);
		f->depth[n++] = (int)strtol(p, &end, 10);
		assert_true(end != p);
		p = end;
	} while (*p++ == '+');
	f->n = n;
}

static int func_at(const struct bpf_func_info *fi, int n, long insn)
{
	for (int i = 0; i < n; i++)
		if (fi[i].insn_off == insn)
			return i;
	return -1;
}

static void read_calls(int fd, struct frames *f, struct btf **btf)
{
	struct bpf_prog_info info = { 0 };
	static struct bpf_func_info fi[MAX_FUNCS];
	static struct bpf_insn insn[1 << 18];
	__u32 len = sizeof(info), n, ninsn;

	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	n = info.nr_func_info;
	ninsn = info.xlated_prog_len / sizeof(*insn);
	assert_int_equal(n, f->n);
	assert_true(ninsn <= sizeof(insn) / sizeof(*insn));
	memset(&info, 0, sizeof(info));
	info.nr_func_info = n;
	info.func_info_rec_size = sizeof(*fi);
	info.func_info = (__u64)(unsigned long)fi;
	info.xlated_prog_len = ninsn * sizeof(*insn);
	info.xlated_prog_insns = (__u64)(unsigned long)insn;
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	*btf = btf__load_from_kernel_by_id(info.btf_id);
	assert_non_null(*btf);
	for (__u32 s = 0; s < n; s++) {
		const struct btf_type *t = btf__type_by_id(*btf, fi[s].type_id);
		__u32 end = s + 1 < n ? fi[s + 1].insn_off : ninsn;

		f->name[s] = t ? btf__name_by_offset(*btf, t->name_off) : "?";
		for (__u32 i = fi[s].insn_off; i < end; i++) {
			int callee;

			if (insn[i].code != (BPF_JMP | BPF_CALL) ||
			    insn[i].src_reg != BPF_PSEUDO_CALL)
				continue;
			/* off: the relative target; imm: the callee's index
			 * once the kernel has compiled the functions. */
			callee = func_at(fi, (int)n, (long)i + insn[i].off + 1);
			if (callee < 0 && insn[i].imm >= 0 && (__u32)insn[i].imm < n)
				callee = insn[i].imm;
			assert_true(callee > 0);
			f->calls[s][callee] = 1;
		}
	}
}

static int frame(const struct frames *f, int s)
{
	return f->depth[s] > 0 ? (f->depth[s] + 31) / 32 * 32 : 32;
}

/* Bytes of the deepest chain from function s, as 6.1 counts them; its
 * functions' names and depths into chain. */
static int deepest(const struct frames *f, int s, char *chain, size_t len)
{
	int best = 0, used;
	char sub[512] = "";

	for (int c = 0; c < f->n; c++) {
		char tmp[512];
		int d;

		if (!f->calls[s][c])
			continue;
		d = deepest(f, c, tmp, sizeof(tmp));
		if (d > best) {
			best = d;
			memcpy(sub, tmp, sizeof(sub));
		}
	}
	used = snprintf(chain, len, "%s %d", f->name[s], f->depth[s]);
	if (sub[0] && used >= 0 && (size_t)used < len)
		snprintf(chain + used, len - (size_t)used, " > %s", sub);
	return frame(f, s) + best;
}

static char prog_logs[8][1 << 16];

static void test_stack_margin(void **state)
{
	struct portcullis *skel = portcullis__open();
	struct bpf_program *prog;
	int k = 0, found[sizeof(margins) / sizeof(*margins)] = { 0 };

	(void)state;
	assert_non_null(skel);
	bpf_object__for_each_program(prog, skel->obj) {
		assert_true(k < 8);
		bpf_program__set_log_level(prog, 4);
		bpf_program__set_log_buf(prog, prog_logs[k], sizeof(prog_logs[k]));
		k++;
	}
	assert_int_equal(portcullis__load(skel), 0);
	k = 0;
	bpf_object__for_each_program(prog, skel->obj) {
		static struct frames f;
		struct btf *btf;

		memset(&f, 0, sizeof(f));
		read_depths(prog_logs[k++], &f);
		read_calls(bpf_program__fd(prog), &f, &btf);
		for (size_t m = 0; m < sizeof(margins) / sizeof(*margins); m++) {
			const char *fn = margins[m].func;
			char chain[512];
			int bytes = -1;

			if (!fn)
				bytes = deepest(&f, 0, chain, sizeof(chain));
			for (int c = 1; fn && c < f.n; c++)
				if (f.calls[0][c] && !strcmp(f.name[c], fn)) {
					snprintf(chain, sizeof(chain), "%s %d > ", f.name[0], f.depth[0]);
					bytes = frame(&f, 0) +
						deepest(&f, c, chain + strlen(chain),
							sizeof(chain) - strlen(chain));
				}
			if (bytes < 0)
				continue;
			found[m]++;
			printf("# stack: %s, %s: %d of %d bytes (%s)\n", bpf_program__name(prog),
			       fn ? fn : "every chain", bytes, STACK_LIMIT, chain);
			PX_CHECK(bytes <= STACK_LIMIT - margins[m].bytes,
				 "%s: a chain uses %d bytes of stack, more than %d - %d (%s)",
				 bpf_program__name(prog), bytes, STACK_LIMIT,
				 margins[m].bytes, chain);
		}
		btf__free(btf);
	}
	for (size_t m = 0; m < sizeof(margins) / sizeof(*margins); m++)
		PX_CHECK(found[m] > 0, "no program calls %s",
			 margins[m].func ? margins[m].func : "anything");
	portcullis__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verifier_cost),
		cmocka_unit_test(test_stack_margin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
