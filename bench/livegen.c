// SPDX-License-Identifier: GPL-2.0-only
/*
 * livegen: a live packet generator. BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES runs an XDP_TX program on a test frame and the
 * kernel really transmits the result out of ctx.ingress_ifindex, so a veth
 * end becomes a line-rate source (Debian's xdp-trafficgen fails on this
 * kernel). Run it inside the sending namespace.
 *
 *   livegen -i IFNAME -p XDP_TX_OBJ -c CLASS [-t SECONDS] [-m DSTMAC] [-l LEN]
 *
 * Prints, tab-separated: packets_sent seconds. The receiver counts what
 * arrived; the kernel counts a frame as sent even when the veth ring was
 * full, so "sent" is what was offered.
 */
#include "pkt.h"
#include "xdpfilt.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Frames per syscall: long enough to amortise it, short enough to stop on
 * time. */
#define CHUNK (1u << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *objpath = NULL, *cname = NULL;
	double secs = 3, t0, t1;
	unsigned mac[6], len = 60;
	uint8_t dmac[6], buf[256];
	int have_mac = 0, opt, fd;
	unsigned long long sent = 0;
	struct bpf_object *obj;
	struct pkt_spec spec;
	const struct pkt_class *k;
	size_t plen;

	while ((opt = getopt(argc, argv, "i:p:c:t:m:l:")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'p': objpath = optarg; break;
		case 'c': cname = optarg; break;
		case 't': secs = atof(optarg); break;
		case 'l': len = atoi(optarg); break;
		case 'm':
			if (sscanf(optarg, "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1],
				   &mac[2], &mac[3], &mac[4], &mac[5]) != 6)
				goto usage;
			for (int i = 0; i < 6; i++)
				dmac[i] = (uint8_t)mac[i];
			have_mac = 1;
			break;
		default: goto usage;
		}
	}
	if (!ifname || !objpath || !cname || secs <= 0)
		goto usage;
	if (!(k = pkt_class_find(cname))) {
		fprintf(stderr, "livegen: no packet class %s\n", cname);
		return 2;
	}
	spec = k->pkt;
	spec.min_len = len;
	if (have_mac)
		spec.dmac = dmac;
	plen = pkt_build(&spec, buf, sizeof(buf));
	if (!plen)
		goto usage;

	struct xdp_md ctx = {.data_end = plen, .ingress_ifindex = if_nametoindex(ifname)};

	if (!ctx.ingress_ifindex) {
		fprintf(stderr, "livegen: no interface %s here\n", ifname);
		return 1;
	}
	fd = bench_load_xdp(objpath, NULL, NULL, &obj);
	if (fd < 0) {
		fprintf(stderr, "livegen: cannot load %s: %s\n", objpath, strerror(-fd));
		return 1;
	}

	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = plen,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = CHUNK,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);
	t0 = now();
	do {
		if (bpf_prog_test_run_opts(fd, &o)) {
			fprintf(stderr, "livegen: live test run: %s\n", strerror(errno));
			bpf_object__close(obj);
			return 1;
		}
		sent += CHUNK;
		t1 = now();
	} while (t1 - t0 < secs);
	printf("%llu\t%.3f\n", sent, t1 - t0);
	bpf_object__close(obj);
	return 0;
usage:
	fprintf(stderr, "usage: livegen -i IFNAME -p XDP_TX_OBJ -c CLASS [-t SECONDS] "
		"[-m DSTMAC] [-l LEN]\n");
	return 2;
}
