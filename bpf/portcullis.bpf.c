// SPDX-License-Identifier: GPL-2.0-only
/*
 * portcullis datapath: XDP (or TC) on ingress, TC on egress, one set of maps. The
 * two entry points only adapt their context; the packet's path is
 * pipeline.h's pc_process(): parse -> conntrack -> classify -> count ->
 * verdict.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"
#include "maps.h"
#include "pipeline.h"

/* Bytes of headers TC makes linear before parsing (Ethernet, two tags,
 * IPv6 with extension headers, L4, an ICMP error's inner headers). */
#define PC_TC_PULL_LEN 512

SEC("xdp")
int pc_xdp_ingress(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	return pc_process(data, data_end, data_end - data, 0, PC_DIR_IN) ?
		       XDP_PASS : XDP_DROP;
}

static __always_inline int pc_tc(struct __sk_buff *skb, __u32 dir)
{
	__u32 want = skb->len < PC_TC_PULL_LEN ? skb->len : PC_TC_PULL_LEN;
	void *data, *data_end;

	if (skb->data_end - skb->data < want)
		bpf_skb_pull_data(skb, want);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	/* A tag the kernel moved into the skb still counts towards the two
	 * a frame may carry. */
	return pc_process(data, data_end, skb->len, skb->vlan_present ? 1 : 0, dir) ?
		       TC_ACT_OK : TC_ACT_SHOT;
}

SEC("tc")
int pc_tc_egress(struct __sk_buff *skb)
{
	return pc_tc(skb, PC_DIR_OUT);
}

/* The same ingress judgement as pc_xdp_ingress, on clsact ingress (attach
 * --ingress tc): after GRO, so a driver whose XDP path gives up GRO/GSO
 * (veth) keeps it; costs an skb per dropped packet. */
SEC("tc")
int pc_tc_ingress(struct __sk_buff *skb)
{
	return pc_tc(skb, PC_DIR_IN);
}

char LICENSE[] SEC("license") = "GPL";
