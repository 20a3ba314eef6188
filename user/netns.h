/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The network namespace a command runs in. Interfaces are numbered per
 * namespace, so an attachment is recorded with its namespace and commands
 * refuse to act on interfaces of another one (an ifindex there names a
 * different interface, and TC filters are found by ifindex).
 */
#ifndef PC_NETNS_H
#define PC_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A namespace's identity: the device and inode of its nsfs file. */
struct pc_netns {
	uint64_t dev;
	uint64_t ino; /* 0: unknown (a record from before namespaces were kept) */
};

/* The namespace of this process. Returns 0 or -errno. */
int pc_netns_self(struct pc_netns *ns);
/* Whether a and b are the same namespace; an unknown one matches any. */
bool pc_netns_same(const struct pc_netns *a, const struct pc_netns *b);
/* "net:[4026532280]", with " (ip netns NAME)" when a name under /run/netns
 * refers to it: what an operator needs to get there. */
const char *pc_netns_describe(const struct pc_netns *ns, char *buf, size_t len);

#endif
