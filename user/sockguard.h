/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The setsockopt guard: pc_setsockopt on BPF_CGROUP_SETSOCKOPT of one
 * cgroup v2 directory (default: the root of the cgroup2 mount, so every
 * process), through a bpf_link pinned as PIN_ROOT/links/setsockopt. It
 * refuses the socket options that make AF_PACKET and AF_XDP sockets
 * transmit below TC egress (docs/security.md). Functions return 0 or
 * -errno and print what went wrong.
 */
#ifndef PC_SOCKGUARD_H
#define PC_SOCKGUARD_H

#include <stddef.h>
#include <stdint.h>

#include "datapath.h"

/* Path of the link pin. */
void pc_sockguard_path(const struct pc_pins *p, char *buf, size_t len);
/*
 * Puts prog_fd on the cgroup directory `cgroup`. Already pinned: the
 * link takes the new program (same cgroup, or cgroup NULL: the link
 * stays where it is), or moves to the cgroup named. NULL and nothing
 * pinned: the root of the cgroup2 mount.
 */
int pc_sockguard_attach(const struct pc_pins *p, int prog_fd, const char *cgroup);
/* Removes the link and its pin; 0 when there was none. */
int pc_sockguard_detach(const struct pc_pins *p);

struct pc_sockguard_info {
	uint32_t prog_id;   /* 0: no link pinned, or it was detached */
	uint64_t cgroup_id;
	char cgroup[4096];  /* the directory, "" when not found */
};
/* What is pinned (for status). */
void pc_sockguard_probe(const struct pc_pins *p, struct pc_sockguard_info *out);

#endif
