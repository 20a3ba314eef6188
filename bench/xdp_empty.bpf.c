// SPDX-License-Identifier: GPL-2.0-only
/* The floor: an XDP program that does nothing but pass. Every per-packet
 * cost is reported above this one. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_empty(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
