/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Loading a benchmark XDP object with plain libbpf, and configuring
 * Debian's xdp-filter object (xdp-tools) the way `xdp-filter port/ip`
 * would, without its pins or libxdp's dispatcher.
 */
#ifndef BENCH_XDPFILT_H
#define BENCH_XDPFILT_H

struct bpf_object;

/* Opens and loads OBJ with every pin path cleared (xdp-filter's maps ask
 * for LIBBPF_PIN_BY_NAME; a benchmark must leave nothing in bpffs). If
 * RULES is not NULL the object is xdp-filter's and the file configures it.
 * PROG names the program to run (NULL: the object's first). Returns its
 * fd, or -errno; *objp must be closed. */
int bench_load_xdp(const char *obj, const char *prog, const char *rules,
		   struct bpf_object **objp);

#endif
