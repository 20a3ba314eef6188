/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * portcullis' programs as the interfaces themselves carry them, found by
 * program name whatever the pins say. The pins can be removed (rm -rf of
 * the pin root, bpffs unmounted) while hooks stay: TC filters live on
 * without them, an XDP link lives on while a process (the daemon) holds
 * it. status, detach and attach use this to see and clean up such orphans
 * instead of reporting "not attached" over a half-working enforcement.
 */
#ifndef PC_HOOKS_H
#define PC_HOOKS_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PC_HOOK_TC_VLAN: pc_tc_vlan on clsact ingress (PC_TC_VLAN_PRIORITY). */
enum pc_hook { PC_HOOK_XDP, PC_HOOK_TC_INGRESS, PC_HOOK_TC_EGRESS, PC_HOOK_TC_VLAN, PC_HOOKS };

/* What one interface of this network namespace carries of ours. */
struct pc_iface_hooks {
	int ifindex;
	char name[IF_NAMESIZE];
	uint32_t prog_id[PC_HOOKS]; /* 0: none of ours on that hook */
	uint32_t xdp_link_id;       /* the XDP link holding it */
};

struct bpf_prog_info;
/* The kernel's information on a program by id. Returns 0 or -errno. */
int pc_hooks_prog_info(uint32_t prog_id, struct bpf_prog_info *info);
/* Whether prog_id is one of portcullis' programs (by name). */
bool pc_hooks_is_ours(uint32_t prog_id);
/* The hooks of one interface. Returns 0 or -errno. */
int pc_hooks_find(int ifindex, struct pc_iface_hooks *h);
/* Every interface of this namespace with any of our programs; *out is
 * malloc'ed. Returns 0 or -errno. */
int pc_hooks_scan(struct pc_iface_hooks **out, size_t *n);
/* An fd of the XDP link of the program attached to ifindex, or -ENOENT. */
int pc_hooks_xdp_link(int ifindex);
/* Removes our programs from the interface (the XDP link, our TC filters); a clsact qdisc stays, since without the record nobody
 * can tell whether portcullis added it. Returns 0 or -errno. */
int pc_hooks_remove(const struct pc_iface_hooks *h);
/* "xdp, tc egress" for messages. */
const char *pc_hooks_describe(const struct pc_iface_hooks *h, char *buf, size_t len);

#endif
