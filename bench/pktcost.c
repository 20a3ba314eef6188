// SPDX-License-Identifier: GPL-2.0-only
/*
 * pktcost: nanoseconds per packet of XDP programs, by packet class, through
 * BPF_PROG_TEST_RUN. Candidates are measured interleaved (run 1 of every
 * candidate and class, then run 2, ...) so that a noisy moment of the shared
 * machine hits all of them alike; the median of the runs is printed.
 *
 *   pktcost [-r REPEAT] [-n RUNS] [-i IFNAME] [-c CLASS,...] CANDIDATE...
 *   CANDIDATE:  NAME=obj:FILE[:PROG]     a BPF object, its first program
 *                                        (or PROG)
 *               NAME=xdpfilt:FILE:RULES  xdp-filter's object, configured
 *               NAME=id:XDP_ID[:TC_ID]   an attached program (and its TC
 *                                        egress twin, to set up replies)
 *
 * Output, tab-separated: candidate class ns_median ns_min ns_max verdict,
 * in tenths of a ns: a repeated run is timed by the CPU time of the
 * thread around it (the kernel's own figure is whole ns per packet,
 * coarse against costs of 10-20 ns), which leaves out the time another
 * task had the CPU, as the kernel's timer does.
 * The class answer-new is measured on the TC egress program (so only for
 * an id: candidate with one), its TC verdict shown as pass or drop.
 * -i runs the packets as received on IFNAME (ctx ingress_ifindex), for
 * programs that look at their interface; run pktcost in its namespace.
 */
#include "pkt.h"
#include "xdpfilt.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CAND 16
#define MAX_RUNS 31
/* Single-shot runs per sample of the fresh-flow class. */
#define FRESH_CALLS 20000

struct cand {
	const char *name;
	int xdp_fd, tc_fd;
	struct bpf_object *obj;
};

static unsigned ifindex;

static uint64_t thread_cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* *dns: tenths of a ns per packet (repeat 1: the kernel's whole ns x 10). */
static int run_xdp(int fd, const void *pkt, size_t len, int repeat,
		   __u32 *dns, __u32 *ret)
{
	struct xdp_md ctx = {.data_end = len, .ingress_ifindex = ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
		    .repeat = repeat, .ctx_in = ifindex ? &ctx : NULL,
		    .ctx_size_in = ifindex ? sizeof(ctx) : 0);
	uint64_t t0 = thread_cpu_ns(), t1;

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	t1 = thread_cpu_ns();
	*dns = repeat > 1 ? (__u32)(((t1 - t0) * 10 + (uint64_t)repeat / 2) / (uint64_t)repeat) :
			    o.duration * 10;
	*ret = o.retval;
	return 0;
}

static int run_tc(int fd, const void *pkt, size_t len, __u32 *ns, __u32 *ret)
{
	struct __sk_buff ctx = {.ifindex = ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
		    .repeat = 1, .ctx_in = ifindex ? &ctx : NULL,
		    .ctx_size_in = ifindex ? sizeof(ctx) : 0);

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	if (ns)
		*ns = o.duration * 10; /* tenths, as run_xdp's */
	if (ret)
		*ret = o.retval;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static const char *verdict(__u32 r)
{
	static const char *const v[] = {"aborted", "drop", "pass", "tx", "redirect"};

	return r < 5 ? v[r] : "?";
}

/* The "answer-new" class: the host's SYN-ACK on TC egress answering a
 * SYN that came in through XDP (untimed) a moment before, a fresh source
 * port each time: where a connection's insert happens. Single runs, as
 * syn-new. Only for a candidate with a TC egress program. */
static int answer_new(struct cand *c, const struct pkt_class *k, __u32 *ns,
		      __u32 *ret)
{
	static unsigned port = 1024;
	struct pkt_spec in = k->pkt, out = k->pkt;
	uint64_t total = 0;
	uint8_t buf[256];
	__u32 one, r;
	size_t len;
	int err;

	in.src = k->pkt.dst;
	in.dst = k->pkt.src;
	in.dport = k->pkt.sport;
	in.tcp_flags = 0x02; /* SYN */
	for (int i = 0; i < FRESH_CALLS; i++) {
		in.sport = out.dport = port;
		port = port == 65535 ? 1024 : port + 1;
		len = pkt_build(&in, buf, sizeof(buf));
		err = run_xdp(c->xdp_fd, buf, len, 1, &one, &r);
		len = pkt_build(&out, buf, sizeof(buf));
		if (!err)
			err = run_tc(c->tc_fd, buf, len, &one, &r);
		if (err)
			return err;
		total += one;
	}
	*ret = r == 0 ? XDP_PASS : XDP_DROP; /* TC_ACT_OK, else shot */
	*ns = (__u32)((total + FRESH_CALLS / 2) / FRESH_CALLS);
	return 0;
}

/* One sample: ns per packet of one class on one candidate. The "syn-new"
 * class opens a new flow each time, so it cannot use repeat: it averages
 * single runs with a fresh source port each. */
static int sample(struct cand *c, const struct pkt_class *k, int repeat,
		  __u32 *ns, __u32 *ret)
{
	uint8_t buf[256];
	size_t len;
	int err;

	if (k->prime_in && (len = pkt_build(k->prime_in, buf, sizeof(buf))))
		run_xdp(c->xdp_fd, buf, len, 1, ns, ret);
	if (k->prime_out && c->tc_fd >= 0 &&
	    (len = pkt_build(k->prime_out, buf, sizeof(buf))))
		run_tc(c->tc_fd, buf, len, NULL, NULL);
	if (!strcmp(k->name, "answer-new"))
		return answer_new(c, k, ns, ret);
	if (strcmp(k->name, "syn-new")) {
		len = pkt_build(&k->pkt, buf, sizeof(buf));
		return len ? run_xdp(c->xdp_fd, buf, len, repeat, ns, ret) : -EINVAL;
	}

	static unsigned port = 1024;
	struct pkt_spec s = k->pkt;
	uint64_t total = 0;
	__u32 one;

	for (int i = 0; i < FRESH_CALLS; i++) {
		s.sport = port;
		port = port == 65535 ? 1024 : port + 1;
		len = pkt_build(&s, buf, sizeof(buf));
		err = run_xdp(c->xdp_fd, buf, len, 1, &one, ret);
		if (err)
			return err;
		total += one;
	}
	*ns = (__u32)((total + FRESH_CALLS / 2) / FRESH_CALLS);
	return 0;
}

static int add_cand(struct cand *c, char *spec)
{
	char *eq = strchr(spec, '='), *kind, *a, *b;
	int fd;

	if (!eq)
		return -EINVAL;
	*eq = 0;
	c->name = spec;
	c->tc_fd = -1;
	kind = eq + 1;
	a = strchr(kind, ':');
	if (!a)
		return -EINVAL;
	*a++ = 0;
	b = strchr(a, ':');
	if (b)
		*b++ = 0;
	if (!strcmp(kind, "obj") || !strcmp(kind, "xdpfilt")) {
		fd = bench_load_xdp(a, !strcmp(kind, "obj") ? b : NULL,
				    !strcmp(kind, "xdpfilt") ? b : NULL, &c->obj);
	} else if (!strcmp(kind, "id")) {
		fd = bpf_prog_get_fd_by_id(strtoul(a, NULL, 0));
		if (fd >= 0 && b && (c->tc_fd = bpf_prog_get_fd_by_id(strtoul(b, NULL, 0))) < 0)
			fd = -errno;
		else if (fd < 0)
			fd = -errno;
	} else {
		return -EINVAL;
	}
	c->xdp_fd = fd;
	return fd < 0 ? fd : 0;
}

int main(int argc, char **argv)
{
	static __u32 ns[MAX_CAND][32][MAX_RUNS], ret[MAX_CAND][32];
	const struct pkt_class *cls[32];
	struct cand cand[MAX_CAND] = {0};
	int repeat = 1000000, runs = 5, ncand = 0, ncls = 0, opt, err;
	char *classes = NULL;

	while ((opt = getopt(argc, argv, "r:n:i:c:")) != -1) {
		switch (opt) {
		case 'r': repeat = atoi(optarg); break;
		case 'n': runs = atoi(optarg); break;
		case 'c': classes = optarg; break;
		case 'i':
			ifindex = if_nametoindex(optarg);
			if (!ifindex) {
				fprintf(stderr, "pktcost: no interface %s here\n", optarg);
				return 1;
			}
			break;
		default: goto usage;
		}
	}
	if (optind >= argc || argc - optind > MAX_CAND || runs < 1 ||
	    runs > MAX_RUNS || repeat < 1)
		goto usage;
	for (int i = optind; i < argc; i++, ncand++) {
		err = add_cand(&cand[ncand], argv[i]);
		if (err) {
			fprintf(stderr, "pktcost: cannot load %s: %s\n", argv[i],
				strerror(-err));
			return 1;
		}
	}
	if (classes) {
		for (char *t = strtok(classes, ","); t && ncls < 32; t = strtok(NULL, ",")) {
			if (!(cls[ncls++] = pkt_class_find(t))) {
				fprintf(stderr, "pktcost: no packet class %s\n", t);
				return 2;
			}
		}
	} else {
		for (size_t i = 0; i < pkt_nclasses && i < 32; i++)
			cls[ncls++] = &pkt_classes[i];
	}

	for (int r = 0; r < runs; r++)
		for (int k = 0; k < ncls; k++)
			for (int c = 0; c < ncand; c++) {
				if (cand[c].tc_fd < 0 && !strcmp(cls[k]->name, "answer-new"))
					continue; /* no egress program: not printed */
				err = sample(&cand[c], cls[k], repeat, &ns[c][k][r], &ret[c][k]);
				if (err) {
					fprintf(stderr, "pktcost: test run of %s on %s: %s\n",
						cls[k]->name, cand[c].name, strerror(-err));
					return 1;
				}
			}

	printf("candidate\tclass\tns_median\tns_min\tns_max\tverdict\n");
	for (int c = 0; c < ncand; c++)
		for (int k = 0; k < ncls; k++) {
			if (cand[c].tc_fd < 0 && !strcmp(cls[k]->name, "answer-new"))
				continue;
			qsort(ns[c][k], runs, sizeof(__u32), cmp_u32);
			printf("%s\t%s\t%.1f\t%.1f\t%.1f\t%s\n", cand[c].name, cls[k]->name,
			       ns[c][k][runs / 2] / 10.0, ns[c][k][0] / 10.0,
			       ns[c][k][runs - 1] / 10.0, verdict(ret[c][k]));
		}
	for (int c = 0; c < ncand; c++)
		bpf_object__close(cand[c].obj);
	return 0;
usage:
	fprintf(stderr, "usage: pktcost [-r REPEAT] [-n RUNS] [-i IFNAME] [-c CLASS,...] "
		"NAME=obj:FILE[:PROG] | NAME=xdpfilt:FILE:RULES | NAME=id:XDP_ID[:TC_ID] ...\n");
	return 2;
}
