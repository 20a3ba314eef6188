// SPDX-License-Identifier: GPL-2.0-only
#include "guard.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "datapath.h"
#include "diag.h"
#include "sockguard.h"

int pc_guard_open(struct pc_guard *g, const char *root)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 300];
	struct pc_pins pins = { .lock_fd = -1 };
	struct dirent *ent;
	DIR *d;

	memset(g, 0, sizeof(*g));
	g->ifaces_fd = -1;
	snprintf(g->root, sizeof(g->root), "%s", root);
	snprintf(pins.root, sizeof(pins.root), "%s", root);
	pc_sockguard_path(&pins, path, sizeof(path));
	g->sockopt_fd = bpf_obj_get(path);
	snprintf(dir, sizeof(dir), "%s/maps", root);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((ent = readdir(d)) && g->nmaps < PC_GUARD_MAX_MAPS) {
		int fd;

		if (ent->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, ent->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		snprintf(g->map_name[g->nmaps], sizeof(g->map_name[0]), "%.63s", ent->d_name);
		g->map_fd[g->nmaps++] = fd;
		if (!strcmp(ent->d_name, PC_MAP_NAME(ifaces)))
			g->ifaces_fd = fd;
	}
	closedir(d);
	/* The XDP links of the recorded interfaces. */
	for (uint32_t key = 0, next; g->ifaces_fd >= 0 &&
	     bpf_map_get_next_key(g->ifaces_fd, key ? &key : NULL, &next) == 0; key = next) {
		int fd;

		pc_dp_link_path(&pins, (int)next, path, sizeof(path));
		fd = bpf_obj_get(path);
		if (fd >= 0 && g->nlinks < PC_MAX_IFACES) {
			g->link_ifindex[g->nlinks] = (int)next;
			g->link_fd[g->nlinks++] = fd;
		} else if (fd >= 0) {
			close(fd);
		}
	}
	return g->ifaces_fd >= 0 ? 0 : -ENOENT;
}

/* Pins fd at path unless something is there already; 1 when it pinned. */
static int pin_missing(int fd, const char *path)
{
	if (access(path, F_OK) == 0)
		return 0;
	return bpf_obj_pin(fd, path) ? -errno : 1;
}

int pc_guard_check(struct pc_guard *g)
{
	char path[PATH_MAX + 300];
	struct pc_pins pins;
	int repaired = 0, err;
	uint32_t key;

	snprintf(path, sizeof(path), "%s/maps/%s", g->root, PC_MAP_NAME(ifaces));
	if (access(path, F_OK) == 0 || g->ifaces_fd < 0)
		return 0;
	/* Detached on purpose: the record is empty, nothing to restore. */
	if (bpf_map_get_next_key(g->ifaces_fd, NULL, &key))
		return 0;
	err = pc_pins_open(&pins, g->root, true);
	if (err)
		return err;
	for (size_t i = 0; i < g->nmaps && err >= 0; i++) {
		snprintf(path, sizeof(path), "%s/maps/%s", g->root, g->map_name[i]);
		err = pin_missing(g->map_fd[i], path);
		repaired |= err > 0;
	}
	for (size_t i = 0; i < g->nlinks && err >= 0; i++) {
		struct bpf_link_info info = { 0 };
		uint32_t len = sizeof(info);

		/* A link detached on purpose has no interface any more. */
		if (bpf_obj_get_info_by_fd(g->link_fd[i], &info, &len) || !info.xdp.ifindex)
			continue;
		pc_dp_link_path(&pins, g->link_ifindex[i], path, sizeof(path));
		err = pin_missing(g->link_fd[i], path);
		repaired |= err > 0;
	}
	if (g->sockopt_fd >= 0 && err >= 0) {
		struct bpf_link_info info = { 0 };
		uint32_t len = sizeof(info);

		/* cgroup id 0: detached on purpose, or its cgroup is gone. */
		if (bpf_obj_get_info_by_fd(g->sockopt_fd, &info, &len) == 0 &&
		    info.cgroup.cgroup_id) {
			pc_sockguard_path(&pins, path, sizeof(path));
			err = pin_missing(g->sockopt_fd, path);
			repaired |= err > 0;
		}
	}
	pc_pins_close(&pins);
	return err < 0 ? err : repaired;
}

void pc_guard_close(struct pc_guard *g)
{
	for (size_t i = 0; i < g->nmaps; i++)
		close(g->map_fd[i]);
	for (size_t i = 0; i < g->nlinks; i++)
		close(g->link_fd[i]);
	if (g->sockopt_fd >= 0)
		close(g->sockopt_fd);
	g->sockopt_fd = -1;
	g->nmaps = g->nlinks = 0;
	g->ifaces_fd = -1;
}
