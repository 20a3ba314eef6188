// SPDX-License-Identifier: GPL-2.0-only
/* The TC hooks' own cost: a clsact program that does nothing but pass,
 * on ingress and egress (what `attach --ingress tc` hooks), as
 * xdp_empty.bpf.c is for XDP. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int tc_empty(struct __sk_buff *skb)
{
	(void)skb;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
