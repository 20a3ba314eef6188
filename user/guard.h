/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the daemon holds so that enforcement never rests on pins alone: an
 * fd of every pinned map, XDP link and the setsockopt guard's link. If the pin root is removed (rm -rf,
 * bpffs unmounted) the hooks keep running on these fds, and
 * pc_guard_check() pins everything again and says so.
 */
#ifndef PC_GUARD_H
#define PC_GUARD_H

#include <limits.h>
#include <stddef.h>

#include "portcullis.h"

#define PC_GUARD_MAX_MAPS 32

struct pc_guard {
	char root[PATH_MAX];
	size_t nmaps, nlinks;
	char map_name[PC_GUARD_MAX_MAPS][64];
	int map_fd[PC_GUARD_MAX_MAPS];
	int ifaces_fd; /* one of map_fd: pc_ifaces */
	int link_ifindex[PC_MAX_IFACES];
	int link_fd[PC_MAX_IFACES];
	int sockopt_fd; /* the setsockopt guard's link, -1: none */
};

/* Takes an fd of everything pinned under root. Returns 0 or -errno. */
int pc_guard_open(struct pc_guard *g, const char *root);
/* Pins again what is missing while interfaces are still recorded (a
 * detach empties the record: then nothing is restored). Returns 0 when
 * all was in place, 1 after a repair, or -errno when it could not. */
int pc_guard_check(struct pc_guard *g);
void pc_guard_close(struct pc_guard *g);

#endif
