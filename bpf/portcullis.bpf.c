// SPDX-License-Identifier: GPL-2.0-only
/*
 * portcullis datapath: XDP (or TC) on ingress, TC on egress, one set of maps. The
 * packet entry points only adapt their context; the packet's path is
 * pipeline.h's pc_process(): parse -> conntrack -> classify -> count ->
 * verdict.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"
#include "maps.h"
#include "pipeline.h"
#include "gateway.h"

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

/*
 * Whether an untagged TCP or UDP frame over IPv4, or over IPv6 without
 * extension headers, has every byte pc_parse reads (up to the first 20
 * bytes of TCP, 8 of UDP) in the skb's linear part already. Such a frame
 * is not pulled: the kernel's own TCP segments and GRO's aggregates keep
 * their headers there and the payload in pages, and pulling 512 bytes
 * means copying payload into the head, after making a private head for
 * the clone TCP keeps of every segment it sends (about a tenth of bulk
 * TCP's throughput on veth). Anything else is pulled as before.
 */
static __always_inline int pc_tc_headers_linear(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	__u32 l3 = sizeof(*eth), l4;
	__u8 proto;

	if ((void *)(eth + 1) > data_end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + l3;

		if ((void *)(ip + 1) > data_end)
			return 0;
		proto = ip->protocol;
		l4 = l3 + ip->ihl * 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + l3;

		if ((void *)(ip6 + 1) > data_end)
			return 0;
		proto = ip6->nexthdr;
		l4 = l3 + sizeof(*ip6);
	} else {
		return 0;
	}
	if (proto == IPPROTO_TCP)
		return data + l4 + sizeof(struct tcphdr) <= data_end;
	if (proto == IPPROTO_UDP)
		return data + l4 + sizeof(struct udphdr) <= data_end;
	return 0;
}

static __always_inline int pc_tc(struct __sk_buff *skb, __u32 dir)
{
	__u32 want = skb->len < PC_TC_PULL_LEN ? skb->len : PC_TC_PULL_LEN;
	void *data, *data_end;

	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	if (data_end - data < want && !pc_tc_headers_linear(data, data_end))
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

/* Socket options that make a socket transmit below TC egress, where
 * pc_tc_egress never sees the frames: AF_PACKET's PACKET_QDISC_BYPASS
 * (dev_direct_xmit) and the AF_XDP rings. Kernel ABI numbers. */
#define PC_SOL_PACKET 263
#define PC_PACKET_QDISC_BYPASS 20
#define PC_SOL_XDP 283
#define PC_XDP_TX_RING 3
#define PC_XDP_UMEM_REG 4
/* What a cgroup sockopt program sees of optval at most (the smallest page
 * size Linux has). */
#define PC_SOCKOPT_MAX_SEEN 4096

/* The settings of the policy in force; NULL before the first one. */
static __always_inline struct pc_bank_settings *pc_settings_in_force(void)
{
	struct pc_config *cfg;
	__u32 zero = 0, bank, bg;

	cfg = bpf_map_lookup_elem(&pc_config, &zero);
	if (!cfg)
		return 0;
	bg = *(volatile __u32 *)&cfg->bank_gen;
	if (!PC_CONFIG_GEN(bg))
		return 0;
	bank = PC_CONFIG_BANK(bg);
	return bpf_map_lookup_elem(&pc_settings, &bank);
}

/*
 * With XDP ingress, a tag the kernel moved into the skb (VLAN offload, a
 * frame from a bridge) is not in XDP's data: a third tag passes XDP
 * unseen. This filter on clsact ingress runs after XDP and drops a frame
 * whose tag in the skb comes with two more in its data, as malformed (as
 * pc_tc_ingress's parse does; there it never gets such a frame).
 */
SEC("tc")
int pc_tc_vlan(struct __sk_buff *skb)
{
	struct pc_bank_settings *set;
	void *data, *data_end;
	struct ethhdr *eth;
	__be16 proto;
	int tags = 0;

	if (!skb->vlan_present)
		return TC_ACT_OK;
	if (skb->data_end - skb->data < ETH_HLEN + 2 * 4)
		bpf_skb_pull_data(skb, ETH_HLEN + 2 * 4);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		__be16 *next = (void *)(eth + 1) + i * 4 + 2;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(next + 1) > data_end)
			break;
		proto = *next;
		tags++;
	}
	if (tags < 2 || !(set = pc_settings_in_force()))
		return TC_ACT_OK;
	pc_count_drop(PC_DROP_MALFORMED, PC_DIR_IN, skb->len);
	return set->mode == PC_MODE_VALUE_AUDIT ? TC_ACT_OK : TC_ACT_SHOT;
}

static __always_inline int pc_bypass_option(int level, int optname)
{
	if (level == PC_SOL_PACKET)
		return optname == PC_PACKET_QDISC_BYPASS;
	if (level == PC_SOL_XDP)
		return optname == PC_XDP_TX_RING || optname == PC_XDP_UMEM_REG;
	return 0;
}

/*
 * cgroup/setsockopt, on the cgroup attach names: runs for every socket
 * family before the family's handler. 0 refuses the call (EPERM), 1 lets
 * it go on. Options are never changed: optlen stays as given, except
 * that above what the program sees of optval it is set to 0, which tells
 * the kernel to use the caller's own buffer (any other value there makes
 * 6.1's kernel fail the call with EFAULT; -1 would skip the kernel's
 * handler and silently drop the option).
 */
SEC("cgroup/setsockopt")
int pc_setsockopt(struct bpf_sockopt *ctx)
{
	struct pc_bank_settings *set;

	if (ctx->optlen > PC_SOCKOPT_MAX_SEEN)
		ctx->optlen = 0;
	if (!pc_bypass_option(ctx->level, ctx->optname))
		return 1;
	set = pc_settings_in_force();
	if (!set || (set->flags & PC_SET_RAW_BYPASS_ALLOW))
		return 1;
	pc_count_drop(PC_DROP_RAW_BYPASS, PC_DIR_OUT, 0);
	return set->mode == PC_MODE_VALUE_AUDIT;
}

char LICENSE[] SEC("license") = "GPL";
