// SPDX-License-Identifier: GPL-2.0-only
/* portcullis datapath: XDP on ingress, TC on egress, one set of maps. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"

SEC("xdp")
int portcullis_ingress(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

SEC("tc")
int portcullis_egress(struct __sk_buff *skb)
{
	(void)skb;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
