// SPDX-License-Identifier: GPL-2.0-only
/* The generator's program: with BPF_F_TEST_XDP_LIVE_FRAMES, XDP_TX sends
 * the test frame out of the ingress interface, i.e. onto the veth. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_tx(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
