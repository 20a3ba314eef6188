// SPDX-License-Identifier: GPL-2.0-only
/* Pin root, object loading, and attach/detach of one interface. */
#include "datapath.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"
#include "netns.h"
#include "portcullis.skel.h"
#include "sockguard.h"
#include "state.h"
#include "upgrade.h"

/* The end of the last verifier log libbpf reported: what the operator
 * sees when the kernel refuses the programs (-v prints the whole log). */
static char verifier_tail[2048];

static void keep_verifier_tail(const char *fmt, va_list ap)
{
	const char *begin;
	char *msg = NULL;
	size_t len;

	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	begin = strstr(msg, "-- BEGIN PROG LOAD LOG --\n");
	if (begin) {
		char *end = strstr(begin, "-- END PROG LOAD LOG --");

		begin += strlen("-- BEGIN PROG LOAD LOG --\n");
		if (end)
			*end = '\0';
		len = strlen(begin);
		if (len >= sizeof(verifier_tail))
			begin += len - (sizeof(verifier_tail) - 1);
		snprintf(verifier_tail, sizeof(verifier_tail), "%s", begin);
	}
	free(msg);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Netlink's own notes on probes that are expected to miss ("Cannot
	 * find specified filter chain" while looking for our TC filter,
	 * "Exclusivity flag on"): noise even with -v, shown with -vv. */
	if (level == LIBBPF_WARN && strstr(fmt, "Kernel error message") && pc_verbosity < 2)
		return 0;
	if (level == LIBBPF_WARN) {
		va_list copy;

		va_copy(copy, ap);
		keep_verifier_tail(fmt, copy);
		va_end(copy);
	}
	if ((level == LIBBPF_WARN && pc_verbosity >= 1) ||
	    (level == LIBBPF_INFO && pc_verbosity >= 2) ||
	    (level == LIBBPF_DEBUG && pc_verbosity >= 3))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

const char *pc_dp_verifier_log(void)
{
	return verifier_tail;
}

void pc_libbpf_logging(void)
{
	libbpf_set_print(libbpf_print);
}

static bool on_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* The nearest directory that exists on the way to path: where bpffs must be. */
static void existing_ancestor(const char *path, char *buf, size_t len)
{
	char *slash;

	snprintf(buf, len, "%s", path);
	while (access(buf, F_OK) != 0) {
		slash = strrchr(buf, '/');
		if (!slash || slash == buf) {
			snprintf(buf, len, "/");
			return;
		}
		*slash = '\0';
	}
}

int pc_pins_open(struct pc_pins *p, const char *root, bool create)
{
	char parent[PATH_MAX], sub[PATH_MAX + 16];
	int err;

	memset(p, 0, sizeof(*p));
	p->lock_fd = -1;
	snprintf(p->root, sizeof(p->root), "%s", root ? root : PC_DEFAULT_PIN_ROOT);
	existing_ancestor(p->root, parent, sizeof(parent));
	if (!create) {
		if (access(p->root, F_OK))
			return -ENOENT;
		return 0;
	}
	if (!on_bpffs(parent)) {
		if (strcmp(parent, "/sys/fs/bpf") == 0) {
			if (mount("bpf", parent, "bpf", 0, "mode=0700")) {
				err = -errno;
				pc_err("bpffs is not mounted on /sys/fs/bpf and mounting it failed: %s",
				       pc_strerror(err));
				return err;
			}
			pc_info("mounted bpffs on /sys/fs/bpf");
		} else {
			pc_err("%s is not on a BPF filesystem (bpffs not mounted; mount it: mount -t bpf bpf %s)",
			       parent, parent);
			return -ENOTDIR;
		}
	}
	err = mkdir_p(p->root);
	if (!err) {
		snprintf(sub, sizeof(sub), "%s/maps", p->root);
		err = mkdir_p(sub);
	}
	if (!err) {
		snprintf(sub, sizeof(sub), "%s/links", p->root);
		err = mkdir_p(sub);
	}
	if (err) {
		pc_err("cannot create the pin root %s: %s", p->root, pc_strerror(err));
		return err;
	}
	p->lock_fd = open(p->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->lock_fd < 0) {
		err = -errno;
		pc_err("cannot open the pin root %s: %s", p->root, pc_strerror(err));
		return err;
	}
	if (flock(p->lock_fd, LOCK_EX | LOCK_NB)) {
		pc_info("waiting for another portcullis command holding %s", p->root);
		if (flock(p->lock_fd, LOCK_EX)) {
			err = -errno;
			pc_err("cannot lock %s: %s", p->root, pc_strerror(err));
			close(p->lock_fd);
			p->lock_fd = -1;
			return err;
		}
	}
	return 0;
}

void pc_pins_close(struct pc_pins *p)
{
	if (p->lock_fd >= 0)
		close(p->lock_fd); /* releases the lock */
	p->lock_fd = -1;
}

int pc_pins_remove_all(struct pc_pins *p)
{
	char path[PATH_MAX + 64];
	struct dirent *ent;
	int err = 0;
	DIR *dir;

	pc_state_remove(p->root);
	if (pc_sockguard_detach(p))
		err = -EBUSY;

	/* Every map the object pinned, also those no loader map names. */
	snprintf(path, sizeof(path), "%s/maps", p->root);
	dir = opendir(path);
	while (dir && (ent = readdir(dir))) {
		char file[PATH_MAX + 320];

		if (ent->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, ent->d_name);
		if (unlink(file) && errno != ENOENT)
			err = -errno;
	}
	if (dir)
		closedir(dir);
	if (rmdir(path) && errno != ENOENT)
		err = -errno;
	snprintf(path, sizeof(path), "%s/links", p->root);
	if (rmdir(path) && errno != ENOENT)
		err = -errno;
	if (rmdir(p->root) && errno != ENOENT)
		err = -errno;
	if (err)
		pc_warn("could not remove everything under %s: %s", p->root,
			pc_strerror(err));
	return err;
}

void pc_dp_ct_sizes(uint32_t max_connections, uint32_t *established, uint32_t *fresh)
{
	uint32_t n = max_connections ? max_connections : PC_CT_ENTRIES;

	*established = n;
	*fresh = n == PC_CT_ENTRIES ? PC_CT_NEW_ENTRIES : n / PC_CT_NEW_DIVISOR;
	if (*fresh < PC_CT_MIN_ENTRIES)
		*fresh = PC_CT_MIN_ENTRIES;
}

int pc_dp_size_ct(struct portcullis *skel, uint32_t max_connections)
{
	uint32_t est, fresh;
	int err;

	pc_dp_ct_sizes(max_connections, &est, &fresh);
	err = bpf_map__set_max_entries(skel->maps.pc_ct, est);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.pc_ct_new, fresh);
	return err;
}

/* A map pinned at path keeps its size: libbpf reuses it only if ours is
 * the same, and a table in use is not resized under its connections. */
static int keep_pinned_size(struct bpf_map *map, const char *path)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);
	int fd = bpf_obj_get(path), err = 0;

	if (fd < 0)
		return 0;
	/* One of another layout is replaced (upgrade.h): sized as asked. */
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.type == bpf_map__type(map) &&
	    info.key_size == bpf_map__key_size(map) &&
	    info.value_size == bpf_map__value_size(map) &&
	    info.max_entries != bpf_map__max_entries(map))
		err = bpf_map__set_max_entries(map, info.max_entries);
	close(fd);
	return err;
}

static bool is_fresh(const struct pc_upgrade *up, const char *name)
{
	for (size_t i = 0; i < PC_NMAPS; i++)
		if ((up->fresh & (1u << i)) && !strcmp(pc_map_names[i], name))
			return true;
	return false;
}

/* Per-object state, never pinned or shared: the clock, the ICMP budget,
 * the cache of established connections and its epochs (.bss). */
static bool per_object(const struct portcullis *skel, const struct bpf_map *map)
{
	return map == skel->maps.pc_clock || map == skel->maps.pc_icmp_budget ||
	       map == skel->maps.pc_ct_cache || map == skel->maps.bss;
}

int pc_dp_load(struct pc_pins *p, uint32_t max_connections, struct portcullis **out,
	       enum pc_dp_refusal *why, struct pc_upgrade *up)
{
	struct portcullis *skel;
	struct bpf_map *map;
	int err;

	*out = NULL;
	*why = PC_DP_REFUSED_OTHER;
	skel = portcullis__open();
	if (!skel)
		return -errno;
	err = pc_dp_size_ct(skel, max_connections);
	if (err) {
		portcullis__destroy(skel);
		return err;
	}
	bpf_object__for_each_map(map, skel->obj) {
		char path[PATH_MAX + 64];

		if (per_object(skel, map))
			continue;

		snprintf(path, sizeof(path), "%s/maps/%s", p->root, bpf_map__name(map));
		if (map == skel->maps.pc_ct || map == skel->maps.pc_ct_new)
			err = keep_pinned_size(map, path);
		if (err) {
			pc_err("cannot read the pinned map %s: %s", path, pc_strerror(err));
			portcullis__destroy(skel);
			return err;
		}
	}
	/* An older build's pins: what differs is built anew, pinned later. */
	err = pc_upgrade_plan(skel->obj, p->root, up);
	bpf_object__for_each_map(map, skel->obj) {
		char path[PATH_MAX + 64];

		if (err || per_object(skel, map) || is_fresh(up, bpf_map__name(map)))
			continue;
		snprintf(path, sizeof(path), "%s/maps/%s", p->root, bpf_map__name(map));
		err = bpf_map__set_pin_path(map, path);
	}
	if (err) {
		portcullis__destroy(skel);
		return err;
	}
	verifier_tail[0] = '\0';
	err = portcullis__load(skel);
	if (!err && up->active && (err = pc_upgrade_carry(skel->obj, p->root, up))) {
		portcullis__destroy(skel); /* said; the older build goes on */
		return err;
	}
	if (err) {
		char probe[PATH_MAX + 64];

		snprintf(probe, sizeof(probe), "%s/maps/%s", p->root, PC_MAP_NAME(config));
		if (verifier_tail[0] || err == -E2BIG)
			*why = PC_DP_REFUSED_VERIFIER; /* EACCES, E2BIG or EINVAL */
		else if (err == -EINVAL && access(probe, F_OK) == 0)
			*why = PC_DP_REFUSED_PINS;
		else if (err == -EINVAL)
			*why = PC_DP_REFUSED_MAPS;
		portcullis__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

void pc_dp_link_path(const struct pc_pins *p, int ifindex, char *buf, size_t len)
{
	snprintf(buf, len, "%s/links/xdp-%d", p->root, ifindex);
}

/* The program id and ifindex of our pinned XDP link, 0 if none. */
static uint32_t our_link(const struct pc_pins *p, int ifindex, int *fd_out,
			 uint32_t *link_ifindex)
{
	struct bpf_link_info info = { 0 };
	uint32_t len = sizeof(info);
	char path[PATH_MAX + 64];
	int fd;

	*fd_out = -1;
	*link_ifindex = 0;
	pc_dp_link_path(p, ifindex, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return 0;
	}
	*fd_out = fd;
	*link_ifindex = info.xdp.ifindex;
	return info.prog_id;
}

/* Another XDP program on the interface: refused unless --force. */
static int foreign_xdp(const char *name, uint32_t prog_id, bool force)
{
	if (force)
		return 0;
	pc_err("cannot attach to %s: another XDP program (id %u) is attached; portcullis did not attach it (use --force to replace it)",
	       name, prog_id);
	return -EBUSY;
}

/* The TC filter with our handle and priority on one side of the
 * interface: whether it is there, and its program. -EBUSY (said) when it
 * is neither ours (recorded, or a portcullis program) nor --force'd. */
static int foreign_tc(int ifindex, const char *name, bool ours, bool force,
		      enum bpf_tc_attach_point point, uint32_t prio, bool *present,
		      uint32_t *prog_id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, q, .handle = PC_TC_HANDLE, .priority = prio);

	*present = bpf_tc_query(&hook, &q) == 0;
	*prog_id = *present ? q.prog_id : 0;
	if (*present && !ours && !pc_hooks_is_ours(*prog_id) && !force) {
		pc_err("cannot attach to %s: a TC %s filter with handle 0x%x, priority %u is already there and portcullis did not add it (use --force to replace it)",
		       name, point == BPF_TC_INGRESS ? "ingress" : "egress",
		       PC_TC_HANDLE, prio);
		return -EBUSY;
	}
	return 0;
}

/* Whether the program attached as prog_id is the same build as prog_fd:
 * the kernel's tag hashes the instructions with map references left out,
 * so a reload of the same object has the same tag. Then a hook need not
 * be touched at all (a daemon restart loses no packet at the driver). */
static bool same_build(uint32_t prog_id, int prog_fd)
{
	struct bpf_prog_info a, b = { 0 };
	uint32_t lb = sizeof(b);

	if (pc_hooks_prog_info(prog_id, &a) || bpf_obj_get_info_by_fd(prog_fd, &b, &lb))
		return false;
	return a.type == b.type && !memcmp(a.tag, b.tag, sizeof(a.tag)) &&
	       !strncmp(a.name, b.name, sizeof(a.name));
}

static int attach_xdp(struct pc_pins *p, int prog_fd, int ifindex,
		      const char *name, const struct pc_attach_opts *o,
		      bool *created, bool *generic)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	char path[PATH_MAX + 64];
	uint32_t ours, link_if;
	int link_fd, err;

	*created = false;
	ours = our_link(p, ifindex, &link_fd, &link_if);
	if (bpf_xdp_query(ifindex, 0, &q)) {
		err = -errno;
		pc_err("cannot query XDP on %s: %s", name, pc_strerror(err));
		if (link_fd >= 0)
			close(link_fd);
		return err;
	}
	if (link_fd >= 0 && link_if == (uint32_t)ifindex && ours && q.prog_id == ours) {
		/* Ours already: swap in the new program, keep the link (or
		 * leave both alone when it is the same build). */
		err = 0;
		if ((o->swap || !same_build(ours, prog_fd)) && bpf_link_update(link_fd, prog_fd, NULL))
			err = -errno;
		*generic = q.attach_mode == XDP_ATTACHED_SKB;
		close(link_fd);
		if (err)
			pc_err("cannot update the XDP program on %s: %s", name, pc_strerror(err));
		return err;
	}
	if (link_fd >= 0) { /* a stale pin: its link is gone */
		close(link_fd);
		pc_dp_link_path(p, ifindex, path, sizeof(path));
		unlink(path);
	}
	if (q.prog_id && pc_hooks_is_ours(q.prog_id) && (link_fd = pc_hooks_xdp_link(ifindex)) >= 0) {
		/* Our program on a link whose pin is gone (a daemon holds it):
		 * take it over without a gap and pin it again. */
		err = 0;
		if ((o->swap || !same_build(q.prog_id, prog_fd)) && bpf_link_update(link_fd, prog_fd, NULL))
			err = -errno;
		pc_dp_link_path(p, ifindex, path, sizeof(path));
		if (!err && bpf_obj_pin(link_fd, path))
			err = -errno;
		close(link_fd);
		*generic = q.attach_mode == XDP_ATTACHED_SKB;
		if (err)
			pc_err("cannot take over the XDP link on %s: %s", name, pc_strerror(err));
		else
			pc_info("%s: took over portcullis' XDP link, whose pin was gone", name);
		return err;
	}
	if (q.prog_id) {
		if ((err = foreign_xdp(name, q.prog_id, o->force)))
			return err;
		__u32 mode = q.attach_mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE :
			     q.attach_mode == XDP_ATTACHED_HW ? XDP_FLAGS_HW_MODE :
							       XDP_FLAGS_DRV_MODE;

		if (bpf_xdp_detach(ifindex, mode, NULL)) {
			err = -errno;
			pc_err("cannot remove the XDP program (id %u) on %s: %s (a program attached through a link can only be removed by its owner)",
			       q.prog_id, name, pc_strerror(err));
			return err;
		}
		pc_warn("replaced XDP program id %u on %s (--force)", q.prog_id, name);
	}
	*generic = o->xdp_mode == PC_XDP_GENERIC;
	lo.flags = *generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	link_fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &lo);
	if (link_fd < 0 && o->xdp_mode == PC_XDP_AUTO) {
		pc_info("%s: native XDP not available (%s), using generic XDP", name,
			pc_strerror(-errno));
		*generic = true;
		lo.flags = XDP_FLAGS_SKB_MODE;
		link_fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &lo);
	}
	if (link_fd < 0) {
		err = -errno;
		pc_err("cannot attach XDP to %s: %s", name, pc_strerror(err));
		return err;
	}
	pc_dp_link_path(p, ifindex, path, sizeof(path));
	if (bpf_obj_pin(link_fd, path)) {
		err = -errno;
		pc_err("cannot pin the XDP link of %s at %s: %s", name, path, pc_strerror(err));
		bpf_link_detach(link_fd);
		close(link_fd);
		return err;
	}
	close(link_fd);
	*created = true;
	return 0;
}

static void detach_xdp(struct pc_pins *p, int ifindex)
{
	char path[PATH_MAX + 64];
	int fd;

	pc_dp_link_path(p, ifindex, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		bpf_link_detach(fd);
		close(fd);
	}
	unlink(path);
}

static int attach_tc(int prog_fd, int ifindex, const char *name, bool ours,
		     const struct pc_attach_opts *o, enum bpf_tc_attach_point point,
		     uint32_t prio, bool *qdisc_created, bool *filter_created)
{
	const char *side = point == BPF_TC_INGRESS ? "ingress" : "egress";
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, a, .handle = PC_TC_HANDLE, .priority = prio,
		    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	uint32_t prog_id;
	bool present;
	int err;

	*qdisc_created = false;
	*filter_created = false;
	err = bpf_tc_hook_create(&hook);
	if (err == 0)
		*qdisc_created = true;
	else if (err != -EEXIST) {
		pc_err("cannot add a clsact qdisc to %s: %s", name, pc_strerror(err));
		return err;
	}
	err = foreign_tc(ifindex, name, ours, o->force, point, prio, &present, &prog_id);
	if (err)
		goto fail;
	if (present && !ours && pc_hooks_is_ours(prog_id)) {
		pc_info("%s: taking over portcullis' TC %s filter, whose record was gone", name, side);
		ours = true;
	}
	*filter_created = !present;
	if (present && ours && !o->swap && same_build(prog_id, prog_fd))
		return 0; /* the same build is in place: leave the filter alone */
	err = bpf_tc_attach(&hook, &a);
	if (err) {
		pc_err("cannot attach the TC %s program to %s: %s", side, name, pc_strerror(err));
		*filter_created = false;
		goto fail;
	}
	return 0;
fail:
	if (*qdisc_created) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
		*qdisc_created = false;
	}
	return err;
}

/* Removes our filter with priority prio from one side. */
static void detach_tc_filter(int ifindex, enum bpf_tc_attach_point point, uint32_t prio)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = PC_TC_HANDLE, .priority = prio);

	bpf_tc_detach(&hook, &o);
}

/* Removes our filter from the egress side, and from ingress too when
 * ingress is set; then the clsact qdisc if we created it. */
static void detach_tc(int ifindex, bool ingress, bool remove_qdisc)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = PC_TC_HANDLE, .priority = PC_TC_PRIORITY);

	bpf_tc_detach(&hook, &o);
	if (ingress) {
		LIBBPF_OPTS(bpf_tc_opts, i, .handle = PC_TC_HANDLE, .priority = PC_TC_PRIORITY);

		hook.attach_point = BPF_TC_INGRESS;
		bpf_tc_detach(&hook, &i);
	}
	if (remove_qdisc) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
}

/* Our TC filters: egress, --ingress tc's, and the VLAN one on ingress. */
static const struct {
	enum bpf_tc_attach_point point;
	uint32_t prio;
} tc_filters[PC_DP_TC_FILTERS] = {
	{ BPF_TC_EGRESS, PC_TC_PRIORITY },
	{ BPF_TC_INGRESS, PC_TC_PRIORITY },
	{ BPF_TC_INGRESS, PC_TC_VLAN_PRIORITY },
};

void pc_dp_save(struct pc_pins *p, int ifindex, struct pc_dp_saved *s)
{
	uint32_t prog, link_if;

	s->ifindex = ifindex;
	s->xdp_prog = -1;
	s->lost = false;
	prog = our_link(p, ifindex, &s->xdp_link, &link_if);
	if (s->xdp_link >= 0 && prog)
		s->xdp_prog = bpf_prog_get_fd_by_id(prog);
	s->lost = prog && s->xdp_prog < 0; /* an fd by id needs CAP_SYS_ADMIN */
	for (size_t k = 0; k < PC_DP_TC_FILTERS; k++) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = tc_filters[k].point);
		LIBBPF_OPTS(bpf_tc_opts, q, .handle = PC_TC_HANDLE, .priority = tc_filters[k].prio);

		s->tc_prog[k] = bpf_tc_query(&hook, &q) == 0 && q.prog_id ?
					bpf_prog_get_fd_by_id(q.prog_id) : -1;
		s->lost = s->lost || (q.prog_id && s->tc_prog[k] < 0);
	}
}

void pc_dp_restore(struct pc_dp_saved *s)
{
	if (s->lost)
		pc_warn("the older programs on ifindex %d could not be kept to be put back (needs CAP_SYS_ADMIN): it may run the new ones; 'portcullis reload' finishes the upgrade",
			s->ifindex);
	if (s->xdp_link >= 0 && s->xdp_prog >= 0 && bpf_link_update(s->xdp_link, s->xdp_prog, NULL))
		pc_warn("could not put the older XDP program back on ifindex %d: %s", s->ifindex,
			pc_strerror(-errno));
	for (size_t k = 0; k < PC_DP_TC_FILTERS; k++) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = s->ifindex,
			    .attach_point = tc_filters[k].point);
		LIBBPF_OPTS(bpf_tc_opts, a, .handle = PC_TC_HANDLE, .priority = tc_filters[k].prio,
			    .prog_fd = s->tc_prog[k], .flags = BPF_TC_F_REPLACE);
		int err;

		if (s->tc_prog[k] >= 0 && (err = bpf_tc_attach(&hook, &a)))
			pc_warn("could not put the older TC program back on ifindex %d: %s",
				s->ifindex, pc_strerror(err));
	}
}

void pc_dp_saved_close(struct pc_dp_saved *s)
{
	int *fds[] = { &s->xdp_link, &s->xdp_prog, &s->tc_prog[0], &s->tc_prog[1], &s->tc_prog[2] };

	for (size_t k = 0; k < sizeof(fds) / sizeof(fds[0]); k++) {
		if (*fds[k] >= 0)
			close(*fds[k]);
		*fds[k] = -1;
	}
}

int pc_dp_check(struct pc_pins *p, const struct pc_maps *m, int ifindex,
		const char *name, const struct pc_attach_opts *o)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct pc_iface rec = { 0 };
	uint32_t key = (uint32_t)ifindex, ours, link_if, prog_id;
	bool had, present;
	int fd, err;

	had = bpf_map_lookup_elem(m->ifaces, &key, &rec) == 0;
	if (o->ingress == PC_INGRESS_TC) {
		err = foreign_tc(ifindex, name, had && (rec.flags & PC_IF_TC_INGRESS),
				 o->force, BPF_TC_INGRESS, PC_TC_PRIORITY, &present, &prog_id);
	} else {
		ours = our_link(p, ifindex, &fd, &link_if);
		if (fd >= 0)
			close(fd);
		if (bpf_xdp_query(ifindex, 0, &q)) {
			err = -errno;
			pc_err("cannot query XDP on %s: %s", name, pc_strerror(err));
			return err;
		}
		err = 0;
		/* Ours: our pinned link, or our program on a link a daemon
		 * still holds (attach takes it over). */
		if (q.prog_id && !(ours && link_if == (uint32_t)ifindex && q.prog_id == ours) &&
		    !(pc_hooks_is_ours(q.prog_id) && (fd = pc_hooks_xdp_link(ifindex)) >= 0 &&
		      !close(fd)))
			err = foreign_xdp(name, q.prog_id, o->force);
	}
	if (!err)
		err = foreign_tc(ifindex, name, had && (rec.flags & PC_IF_TC), o->force,
				 BPF_TC_EGRESS, PC_TC_PRIORITY, &present, &prog_id);
	if (!err)
		err = foreign_tc(ifindex, name, had && (rec.flags & PC_IF_TC_VLAN), o->force,
				 BPF_TC_INGRESS, PC_TC_VLAN_PRIORITY, &present, &prog_id);
	return err;
}

int pc_dp_attach(struct pc_pins *p, struct portcullis *skel,
		 const struct pc_maps *m, int ifindex, const char *name,
		 const struct pc_attach_opts *o, bool *added)
{
	struct pc_iface rec = { 0 };
	bool had = false, xdp_new = false, generic = false, qdisc_new = false,
	     filter_new = false, in_new = false, q2 = false, vlan_new = false;
	uint32_t key = (uint32_t)ifindex;
	int err;

	*added = false;
	if (bpf_map_lookup_elem(m->ifaces, &key, &rec) == 0)
		had = true;
	err = pc_dp_check_netns(m);
	if (err)
		return err;
	if (o->ingress == PC_INGRESS_TC)
		err = attach_tc(bpf_program__fd(skel->progs.pc_tc_ingress), ifindex, name,
				had && (rec.flags & PC_IF_TC_INGRESS), o, BPF_TC_INGRESS,
				PC_TC_PRIORITY, &qdisc_new, &in_new);
	else
		err = attach_xdp(p, bpf_program__fd(skel->progs.pc_xdp_ingress), ifindex,
				 name, o, &xdp_new, &generic);
	if (err)
		return err;
	err = attach_tc(bpf_program__fd(skel->progs.pc_tc_egress), ifindex, name,
			had && (rec.flags & PC_IF_TC), o, BPF_TC_EGRESS, PC_TC_PRIORITY,
			&q2, &filter_new);
	qdisc_new = qdisc_new || q2;
	if (err)
		goto undo;
	/* A third VLAN tag partly outside XDP's view (pc_tc_vlan). */
	err = attach_tc(bpf_program__fd(skel->progs.pc_tc_vlan), ifindex, name,
			had && (rec.flags & PC_IF_TC_VLAN), o, BPF_TC_INGRESS,
			PC_TC_VLAN_PRIORITY, &q2, &vlan_new);
	if (err)
		goto undo;
	if (!had) {
		struct pc_netns self;

		rec.ifindex = (uint32_t)ifindex;
		rec.tc_handle = PC_TC_HANDLE;
		rec.tc_priority = PC_TC_PRIORITY;
		rec.attached_at = (uint64_t)time(NULL);
		if (pc_netns_self(&self) == 0) {
			rec.netns_dev = self.dev;
			rec.netns_ino = self.ino;
		}
	}
	snprintf(rec.name, sizeof(rec.name), "%s", name);
	if (qdisc_new)
		rec.flags |= PC_IF_QDISC_CREATED;
	rec.flags |= PC_IF_TC_VLAN;
	if (o->ingress == PC_INGRESS_TC) {
		uint32_t old = rec.flags;

		rec.flags = (rec.flags & ~(PC_IF_XDP | PC_IF_XDP_GENERIC)) |
			    PC_IF_TC | PC_IF_TC_INGRESS;
		if (bpf_map_update_elem(m->ifaces, &key, &rec, BPF_ANY))
			goto record_failed;
		/* The other ingress hook goes only once this one is in place. */
		if (old & PC_IF_XDP)
			detach_xdp(p, ifindex);
		*added = !had;
		return 0;
	}
	rec.flags |= PC_IF_XDP | PC_IF_TC;
	rec.flags = (rec.flags & ~PC_IF_XDP_GENERIC) | (generic ? PC_IF_XDP_GENERIC : 0);
	if (bpf_map_update_elem(m->ifaces, &key, &rec, BPF_ANY))
		goto record_failed;
	if (rec.flags & PC_IF_TC_INGRESS) {
		detach_tc_filter(ifindex, BPF_TC_INGRESS, PC_TC_PRIORITY);
		rec.flags &= ~PC_IF_TC_INGRESS;
		bpf_map_update_elem(m->ifaces, &key, &rec, BPF_ANY);
	}
	*added = !had;
	return 0;
record_failed:
	err = -errno;
	pc_err("cannot record %s: %s", name, pc_strerror(err));
undo:
	if (in_new)
		detach_tc_filter(ifindex, BPF_TC_INGRESS, PC_TC_PRIORITY);
	if (vlan_new)
		detach_tc_filter(ifindex, BPF_TC_INGRESS, PC_TC_VLAN_PRIORITY);
	if (filter_new || qdisc_new)
		detach_tc(ifindex, false, qdisc_new);
	if (xdp_new)
		detach_xdp(p, ifindex);
	return err;
}

int pc_dp_detach(struct pc_pins *p, const struct pc_maps *m,
		 const struct pc_iface *rec)
{
	uint32_t key = rec->ifindex;

	if (rec->flags & PC_IF_XDP)
		detach_xdp(p, (int)rec->ifindex);
	if (rec->flags & PC_IF_TC_VLAN)
		detach_tc_filter((int)rec->ifindex, BPF_TC_INGRESS, PC_TC_VLAN_PRIORITY);
	if (rec->flags & PC_IF_TC)
		detach_tc((int)rec->ifindex, rec->flags & PC_IF_TC_INGRESS,
			  rec->flags & PC_IF_QDISC_CREATED);
	if (bpf_map_delete_elem(m->ifaces, &key) && errno != ENOENT) {
		int err = -errno;

		pc_err("cannot forget %s: %s", rec->name, pc_strerror(err));
		return err;
	}
	return 0;
}

void pc_dp_probe(struct pc_pins *p, const struct pc_iface *rec, bool *xdp_ok,
		 bool *tc_ok)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)rec->ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, t, .handle = rec->tc_handle, .priority = rec->tc_priority);
	uint32_t ours, link_if;
	int fd;

	*tc_ok = bpf_tc_query(&hook, &t) == 0;
	if (rec->flags & PC_IF_TC_INGRESS) { /* --ingress tc: xdp_ok is that hook */
		LIBBPF_OPTS(bpf_tc_opts, i, .handle = rec->tc_handle, .priority = rec->tc_priority);

		hook.attach_point = BPF_TC_INGRESS;
		*xdp_ok = bpf_tc_query(&hook, &i) == 0;
		return;
	}
	ours = our_link(p, (int)rec->ifindex, &fd, &link_if);
	if (fd >= 0)
		close(fd);
	*xdp_ok = ours && bpf_xdp_query((int)rec->ifindex, 0, &q) == 0 &&
		  q.prog_id == ours;
}

bool pc_dp_iface_here(const struct pc_iface *rec)
{
	struct pc_netns self, there = { rec->netns_dev, rec->netns_ino };

	return pc_netns_self(&self) || pc_netns_same(&self, &there);
}

int pc_dp_check_netns(const struct pc_maps *m)
{
	uint32_t key, next;
	void *prev = NULL;

	while (bpf_map_get_next_key(m->ifaces, prev, &next) == 0) {
		struct pc_iface rec;
		struct pc_netns self, there;
		char a[320], b[320];

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(m->ifaces, &key, &rec) || pc_dp_iface_here(&rec))
			continue;
		there = (struct pc_netns){ rec.netns_dev, rec.netns_ino };
		pc_netns_self(&self);
		pc_err("%s (ifindex %u) was attached in another network namespace, %s; this command runs in %s, where that ifindex is another interface: nothing was changed; run it in that namespace (nsenter --net=...) or use another --pin-root",
		       rec.name, rec.ifindex, pc_netns_describe(&there, a, sizeof(a)),
		       pc_netns_describe(&self, b, sizeof(b)));
		return -EXDEV;
	}
	return 0;
}
