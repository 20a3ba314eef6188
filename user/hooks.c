// SPDX-License-Identifier: GPL-2.0-only
#include "hooks.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "portcullis.h"

/* The programs of bpf/portcullis.bpf.c, as the kernel names them (at
 * most 15 characters). */
static const char *const our_names[] = { "pc_xdp_ingress", "pc_tc_ingress",
					 "pc_tc_egress", "pc_tc_vlan" };

int pc_hooks_prog_info(uint32_t prog_id, struct bpf_prog_info *info)
{
	uint32_t len = sizeof(*info);
	int fd, err = 0;

	memset(info, 0, sizeof(*info));
	if (!prog_id)
		return -ENOENT;
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		err = -errno;
	close(fd);
	return err;
}

bool pc_hooks_is_ours(uint32_t prog_id)
{
	struct bpf_prog_info info;

	if (pc_hooks_prog_info(prog_id, &info))
		return false;
	for (size_t i = 0; i < sizeof(our_names) / sizeof(*our_names); i++)
		if (!strncmp(info.name, our_names[i], sizeof(info.name)))
			return true;
	return false;
}

/* The id of the XDP link that attaches prog_id to ifindex, 0 if none.
 * Links are listed for every namespace, where the same ifindex names
 * other interfaces: the program id (unique) tells ours apart. */
static uint32_t xdp_link_id(int ifindex, uint32_t prog_id)
{
	uint32_t id = 0;

	while (bpf_link_get_next_id(id, &id) == 0) {
		struct bpf_link_info info = { 0 };
		uint32_t len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);
		bool match;

		if (fd < 0)
			continue;
		match = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
			info.type == BPF_LINK_TYPE_XDP && info.xdp.ifindex == (uint32_t)ifindex &&
			info.prog_id == prog_id;
		close(fd);
		if (match)
			return id;
	}
	return 0;
}

int pc_hooks_xdp_link(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t id;
	int fd;

	if (bpf_xdp_query(ifindex, 0, &q) || !q.prog_id)
		return -ENOENT;
	id = xdp_link_id(ifindex, q.prog_id);
	if (!id)
		return -ENOENT;
	fd = bpf_link_get_fd_by_id(id);
	return fd < 0 ? -errno : fd;
}

static uint32_t tc_prog(int ifindex, enum bpf_tc_attach_point point, uint32_t prio)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, q, .handle = PC_TC_HANDLE, .priority = prio);

	return bpf_tc_query(&hook, &q) == 0 ? q.prog_id : 0;
}

int pc_hooks_find(int ifindex, struct pc_iface_hooks *h)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t ids[PC_HOOKS];

	memset(h, 0, sizeof(*h));
	h->ifindex = ifindex;
	if (!if_indextoname((unsigned)ifindex, h->name))
		return -errno;
	ids[PC_HOOK_XDP] = bpf_xdp_query(ifindex, 0, &q) == 0 ? q.prog_id : 0;
	ids[PC_HOOK_TC_INGRESS] = tc_prog(ifindex, BPF_TC_INGRESS, PC_TC_PRIORITY);
	ids[PC_HOOK_TC_EGRESS] = tc_prog(ifindex, BPF_TC_EGRESS, PC_TC_PRIORITY);
	ids[PC_HOOK_TC_VLAN] = tc_prog(ifindex, BPF_TC_INGRESS, PC_TC_VLAN_PRIORITY);
	for (int i = 0; i < PC_HOOKS; i++)
		h->prog_id[i] = pc_hooks_is_ours(ids[i]) ? ids[i] : 0;
	/* portcullis attaches XDP only through a link: a program of the same
	 * name attached by netlink is someone else's doing. */
	if (h->prog_id[PC_HOOK_XDP])
		h->xdp_link_id = xdp_link_id(ifindex, h->prog_id[PC_HOOK_XDP]);
	if (!h->xdp_link_id)
		h->prog_id[PC_HOOK_XDP] = 0;
	return 0;
}

static bool any_hook(const struct pc_iface_hooks *h)
{
	for (int i = 0; i < PC_HOOKS; i++)
		if (h->prog_id[i])
			return true;
	return false;
}

int pc_hooks_scan(struct pc_iface_hooks **out, size_t *n)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index; i++)
		count++;
	*out = pc_xcalloc(count ? count : 1, sizeof(**out));
	for (i = ifs; i->if_index; i++)
		if (pc_hooks_find((int)i->if_index, &(*out)[*n]) == 0 && any_hook(&(*out)[*n]))
			(*n)++;
	if_freenameindex(ifs);
	return 0;
}

int pc_hooks_remove(const struct pc_iface_hooks *h)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = h->ifindex);
	LIBBPF_OPTS(bpf_tc_opts, t, .handle = PC_TC_HANDLE, .priority = PC_TC_PRIORITY);
	int err = 0;

	if (h->prog_id[PC_HOOK_XDP]) {
		int fd = bpf_link_get_fd_by_id(h->xdp_link_id);

		if (fd < 0 || bpf_link_detach(fd))
			err = -errno;
		if (fd >= 0)
			close(fd);
	}
	if (h->prog_id[PC_HOOK_TC_INGRESS]) {
		hook.attach_point = BPF_TC_INGRESS;
		if (bpf_tc_detach(&hook, &t))
			err = -errno;
	}
	if (h->prog_id[PC_HOOK_TC_EGRESS]) {
		LIBBPF_OPTS(bpf_tc_opts, e, .handle = PC_TC_HANDLE, .priority = PC_TC_PRIORITY);

		hook.attach_point = BPF_TC_EGRESS;
		if (bpf_tc_detach(&hook, &e))
			err = -errno;
	}
	if (h->prog_id[PC_HOOK_TC_VLAN]) {
		LIBBPF_OPTS(bpf_tc_opts, v, .handle = PC_TC_HANDLE, .priority = PC_TC_VLAN_PRIORITY);

		hook.attach_point = BPF_TC_INGRESS;
		if (bpf_tc_detach(&hook, &v))
			err = -errno;
	}
	return err;
}

const char *pc_hooks_describe(const struct pc_iface_hooks *h, char *buf, size_t len)
{
	static const char *const names[PC_HOOKS] = { "xdp", "tc ingress", "tc egress",
						     "tc vlan" };

	buf[0] = '\0';
	for (int i = 0; i < PC_HOOKS; i++) {
		size_t used = strlen(buf);

		if (h->prog_id[i])
			snprintf(buf + used, len - used, "%s%s", used ? ", " : "", names[i]);
	}
	return buf;
}
