// SPDX-License-Identifier: GPL-2.0-only
#include "sockguard.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "diag.h"

void pc_sockguard_path(const struct pc_pins *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s/links/setsockopt", p->root);
}

/* The first cgroup2 mount point, or -ENOENT. */
static int cgroup2_root(char *buf, size_t len)
{
	FILE *f = setmntent("/proc/self/mounts", "r");
	struct mntent *m;
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (err && (m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2")) {
			snprintf(buf, len, "%s", m->mnt_dir);
			err = 0;
		}
	endmntent(f);
	return err;
}

/* An fd of a cgroup v2 directory and its id (the directory's inode). */
static int open_cgroup(const char *dir, uint64_t *id)
{
	struct statfs sfs;
	struct stat st;
	int fd, err;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pc_err("cannot open the cgroup %s: %s", dir, pc_strerror(err));
		return err;
	}
	if (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC || fstat(fd, &st)) {
		pc_err("%s is not a cgroup v2 directory (the setsockopt guard needs the unified hierarchy)",
		       dir);
		close(fd);
		return -ENOTDIR;
	}
	*id = (uint64_t)st.st_ino;
	return fd;
}

/* The pinned link and the cgroup it is on; -ENOENT when none. */
static int pinned_link(const struct pc_pins *p, uint64_t *cgroup_id, uint32_t *prog_id)
{
	struct bpf_link_info info = { 0 };
	uint32_t len = sizeof(info);
	char path[PATH_MAX + 32];
	int fd;

	pc_sockguard_path(p, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -ENOENT;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_LINK_TYPE_CGROUP) {
		close(fd);
		return -ENOENT;
	}
	*cgroup_id = info.cgroup.cgroup_id;
	*prog_id = info.prog_id;
	return fd;
}

static int new_link(const struct pc_pins *p, int prog_fd, const char *dir)
{
	char path[PATH_MAX + 32];
	uint64_t id;
	int cg, fd, err = 0;

	cg = open_cgroup(dir, &id);
	if (cg < 0)
		return cg;
	fd = bpf_link_create(prog_fd, cg, BPF_CGROUP_SETSOCKOPT, NULL);
	if (fd < 0) {
		err = -errno;
		pc_err("cannot attach the setsockopt guard to the cgroup %s: %s", dir,
		       pc_strerror(err));
		close(cg);
		return err;
	}
	close(cg);
	pc_sockguard_path(p, path, sizeof(path));
	if (bpf_obj_pin(fd, path)) {
		err = -errno;
		pc_err("cannot pin the setsockopt guard's link at %s: %s", path, pc_strerror(err));
	}
	close(fd); /* without the pin the link goes with its last fd */
	return err;
}

int pc_sockguard_attach(const struct pc_pins *p, int prog_fd, const char *cgroup)
{
	char root[PATH_MAX], path[PATH_MAX + 32];
	uint64_t have = 0, want = 0;
	uint32_t prog_id = 0;
	int fd, err;

	fd = pinned_link(p, &have, &prog_id);
	if (fd >= 0 && cgroup) {
		int cg = open_cgroup(cgroup, &want);

		if (cg < 0) {
			close(fd);
			return cg;
		}
		close(cg);
	}
	/* cgroup id 0: the link's cgroup was removed, the link is dead. */
	if (fd >= 0 && have && (!cgroup || want == have)) {
		err = bpf_link_update(fd, prog_fd, NULL) ? -errno : 0;
		if (err)
			pc_err("cannot update the setsockopt guard: %s", pc_strerror(err));
		close(fd);
		return err;
	}
	if (!cgroup) {
		err = cgroup2_root(root, sizeof(root));
		if (err) {
			pc_err("no cgroup2 filesystem is mounted: the setsockopt guard needs one (or --cgroup DIR)");
			if (fd >= 0)
				close(fd);
			return err;
		}
		cgroup = root;
	}
	/* Moving (or replacing a detached link): the new one goes in first. */
	pc_sockguard_path(p, path, sizeof(path));
	if (fd >= 0) {
		unlink(path);
		err = new_link(p, prog_fd, cgroup);
		if (err)
			bpf_obj_pin(fd, path); /* the old one stays */
		else
			bpf_link_detach(fd);
		close(fd);
		return err;
	}
	return new_link(p, prog_fd, cgroup);
}

int pc_sockguard_detach(const struct pc_pins *p)
{
	char path[PATH_MAX + 32];
	uint64_t id;
	uint32_t prog;
	int fd, err = 0;

	fd = pinned_link(p, &id, &prog);
	if (fd >= 0) {
		if (id && bpf_link_detach(fd)) {
			err = -errno;
			pc_err("cannot detach the setsockopt guard: %s", pc_strerror(err));
		}
		close(fd);
	}
	pc_sockguard_path(p, path, sizeof(path));
	if (!err && unlink(path) && errno != ENOENT)
		err = -errno;
	return err;
}

/* The directory under dir (depth levels at most) whose inode is id. */
static int find_cgroup(const char *dir, uint64_t id, int depth, char *out, size_t len)
{
	struct dirent *ent;
	struct stat st;
	DIR *d;
	int found = -ENOENT;

	if (stat(dir, &st) == 0 && (uint64_t)st.st_ino == id) {
		snprintf(out, len, "%s", dir);
		return 0;
	}
	if (depth == 0 || !(d = opendir(dir)))
		return -ENOENT;
	while (found && (ent = readdir(d))) {
		char sub[PATH_MAX];

		if (ent->d_type != DT_DIR || ent->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, ent->d_name) < (int)sizeof(sub))
			found = find_cgroup(sub, id, depth - 1, out, len);
	}
	closedir(d);
	return found;
}

void pc_sockguard_probe(const struct pc_pins *p, struct pc_sockguard_info *out)
{
	char root[PATH_MAX];
	int fd;

	memset(out, 0, sizeof(*out));
	fd = pinned_link(p, &out->cgroup_id, &out->prog_id);
	if (fd < 0)
		return;
	close(fd);
	/* A link whose cgroup was removed is dead: nothing is guarded. */
	if (!out->cgroup_id)
		out->prog_id = 0;
	if (out->prog_id && cgroup2_root(root, sizeof(root)) == 0)
		find_cgroup(root, out->cgroup_id, 3, out->cgroup, sizeof(out->cgroup));
}
