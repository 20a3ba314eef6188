// SPDX-License-Identifier: GPL-2.0-only
/* A new build over an older build's pins: plan, carry over, move the pins. */
#include "upgrade.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "loader.h"
#include "portcullis.skel.h"

#define BIT(field) (1u << PC_MAP_INDEX_##field)

/* What the loader fills for each policy: refilled, never carried over.
 * With pc_config they are new on an upgrade, so that the older programs
 * never see the new policy half written (their bank is not ours). */
static const uint32_t policy_maps = BIT(config) | BIT(settings) | BIT(lport) |
				    BIT(rport) | BIT(lport_used) | BIT(masks) |
				    BIT(addr) | BIT(cidr) | BIT(rule_path);

_Static_assert(PC_NMAPS <= 32, "struct pc_upgrade: one bit per map");

static void pin_path(const char *root, size_t i, char *buf, size_t len)
{
	snprintf(buf, len, "%s/maps/%s", root, pc_map_names[i]);
}

/* Whether the map pinned at fd has map's definition, as libbpf asks
 * before it reuses a pin. The connection tables keep their pinned size
 * on purpose (pc_dp_load): their size is not compared. */
static bool same_definition(int fd, const struct bpf_map *map, bool any_size,
			    struct bpf_map_info *info)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return false;
	return info->type == bpf_map__type(map) && info->key_size == bpf_map__key_size(map) &&
	       info->value_size == bpf_map__value_size(map) &&
	       (any_size || info->max_entries == bpf_map__max_entries(map)) &&
	       info->map_flags == bpf_map__map_flags(map);
}

/* Whether the pins are a build's in force: pc_config there, and pc_ifaces
 * recording an interface (its key is the ifindex in every build). Other
 * pins are left to libbpf, which refuses what does not fit. */
static bool older_build_attached(const char *root)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info), key;
	char path[PATH_MAX + 64];
	bool any;
	int fd;

	pin_path(root, PC_MAP_INDEX_config, path, sizeof(path));
	if (access(path, F_OK))
		return false;
	pin_path(root, PC_MAP_INDEX_ifaces, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	any = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.key_size == sizeof(key) &&
	      bpf_map_get_next_key(fd, NULL, &key) == 0;
	close(fd);
	return any;
}

int pc_upgrade_plan(struct bpf_object *obj, const char *root, struct pc_upgrade *up)
{
	char path[PATH_MAX + 64];

	memset(up, 0, sizeof(*up));
	if (!older_build_attached(root))
		return 0; /* a first attach, or pins that are no build's in force */
	for (size_t i = 0; i < PC_NMAPS; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, pc_map_names[i]);
		struct bpf_map_info info;
		int fd;

		if (!map)
			return -ENOENT;
		pin_path(root, i, path, sizeof(path));
		fd = bpf_obj_get(path);
		if (fd < 0 && errno == ENOENT) {
			up->missing |= 1u << i;
			continue;
		}
		if (fd < 0) {
			int err = -errno;

			pc_err("cannot open the pinned map %s: %s", path, pc_strerror(err));
			return err;
		}
		if (!same_definition(fd, map,
				     i == PC_MAP_INDEX_ct || i == PC_MAP_INDEX_ct_new, &info))
			up->changed |= 1u << i;
		close(fd);
	}
	up->active = up->missing || up->changed;
	if (up->active)
		up->fresh = up->missing | up->changed | policy_maps;
	return 0;
}

bool pc_upgrade_needed(const char *root)
{
	struct portcullis *skel = portcullis__open();
	struct pc_upgrade up;
	bool needed;

	if (!skel)
		return false; /* the load that follows says why */
	needed = pc_upgrade_plan(skel->obj, root, &up) == 0 && up.active;
	portcullis__destroy(skel);
	return needed;
}

const char *pc_upgrade_build_id(void)
{
	static char id[17];
	const unsigned char *elf;
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	size_t n;

	if (id[0])
		return id;
	elf = portcullis__elf_bytes(&n);
	for (size_t i = 0; i < n; i++)
		h = (h ^ elf[i]) * 0x100000001b3ull;
	snprintf(id, sizeof(id), "%016llx", (unsigned long long)h);
	return id;
}

static bool is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static bool is_array(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* Maps with nothing to carry: a ring buffer's records are read once, and
 * an outer map's inner maps belong to the bank that made them. */
static bool holds_data(uint32_t type)
{
	return type != BPF_MAP_TYPE_RINGBUF && type != BPF_MAP_TYPE_ARRAY_OF_MAPS &&
	       type != BPF_MAP_TYPE_HASH_OF_MAPS;
}

/*
 * Copies every entry of from into to. Both have the same key and value
 * layout (a path name may have another length: it is a string). Arrays
 * go index by index up to the smaller size, hashes key by key until the
 * new one is full. Returns 0, or -EPROTO when the layouts differ.
 */
static int copy_map(int from, const struct bpf_map_info *a, int to, const struct bpf_map_info *b,
		    bool string_value)
{
	size_t vsize = b->value_size, asize = a->value_size;
	unsigned char *keys = NULL, *val;
	long n;
	int err = 0, ncpu = 1;

	if (a->key_size != b->key_size || is_percpu(a->type) != is_percpu(b->type) ||
	    is_array(a->type) != is_array(b->type) ||
	    (a->value_size != b->value_size && !string_value))
		return -EPROTO;
	if (is_percpu(b->type) && (ncpu = libbpf_num_possible_cpus()) < 0)
		return ncpu;
	vsize = ((vsize + 7) & ~(size_t)7) * (size_t)ncpu;
	asize = ((asize + 7) & ~(size_t)7) * (size_t)ncpu;
	val = pc_xcalloc(1, vsize > asize ? vsize : asize);
	if (is_array(a->type)) {
		uint32_t max = a->max_entries < b->max_entries ? a->max_entries : b->max_entries;

		for (uint32_t k = 0; k < max && !err; k++) {
			memset(val, 0, vsize > asize ? vsize : asize);
			if (bpf_map_lookup_elem(from, &k, val))
				continue;
			if (string_value)
				val[b->value_size - 1] = '\0';
			if (bpf_map_update_elem(to, &k, val, BPF_ANY))
				err = -errno;
		}
		free(val);
		return err;
	}
	n = pc_map_keys(from, a->key_size, &keys);
	if (n < 0) {
		free(val);
		return (int)n;
	}
	for (long i = 0; i < n && !err; i++) {
		if (bpf_map_lookup_elem(from, keys + i * a->key_size, val))
			continue; /* gone meanwhile (an LRU evicts) */
		if (bpf_map_update_elem(to, keys + i * a->key_size, val, BPF_ANY)) {
			if (errno == E2BIG || errno == ENOMEM)
				break; /* the new one is full: it keeps what fits */
			err = -errno;
		}
	}
	free(keys);
	free(val);
	return err;
}

/* The names of the maps of bits, comma-separated ("none"). */
static const char *map_list(uint32_t bits, char *buf, size_t len)
{
	size_t used = 0;

	snprintf(buf, len, "none");
	for (size_t i = 0; i < PC_NMAPS && used < len; i++)
		if (bits & (1u << i))
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 pc_map_names[i]);
	return buf;
}

int pc_upgrade_carry(struct bpf_object *obj, const char *root, const struct pc_upgrade *up)
{
	char path[PATH_MAX + 64], empty[512];
	uint32_t started_empty = 0;
	int first_err = 0;

	for (size_t i = 0; i < PC_NMAPS; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, pc_map_names[i]);
		struct bpf_map_info a, b;
		uint32_t len = sizeof(b);
		int from, to, err;

		/* The policy maps are filled by the loader; pc_config is
		 * carried for its generation. */
		if (!(up->fresh & (1u << i)) || (up->missing & (1u << i)) ||
		    ((policy_maps & (1u << i)) && i != PC_MAP_INDEX_config) || !map)
			continue;
		pin_path(root, i, path, sizeof(path));
		from = bpf_obj_get(path);
		to = bpf_map__fd(map);
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		if (from < 0 || bpf_obj_get_info_by_fd(to, &b, &len)) {
			err = -errno;
		} else {
			len = sizeof(a);
			err = bpf_obj_get_info_by_fd(from, &a, &len) ? -errno : 0;
		}
		if (!err && holds_data(a.type) && holds_data(b.type))
			err = copy_map(from, &a, to, &b, i == PC_MAP_INDEX_path_names);
		if (from >= 0)
			close(from);
		if (err == -EPROTO) {
			started_empty |= 1u << i;
		} else if (err) {
			pc_err("cannot carry %s over to this build: %s", pc_map_names[i],
			       pc_strerror(err));
			if (!first_err)
				first_err = err;
		}
	}
	if (started_empty)
		pc_info("upgrade: the layout of %s changed in this build: it starts empty%s",
			map_list(started_empty, empty, sizeof(empty)),
			started_empty & (BIT(ct) | BIT(ct_new)) ?
				" (connections the policy allows go on: the datapath takes them up again from their next packets)" :
				"");
	return first_err;
}

int pc_upgrade_pin(struct bpf_object *obj, const char *root, const struct pc_upgrade *up)
{
	char path[PATH_MAX + 64];
	int err = 0;

	for (size_t i = 0; i < PC_NMAPS && !err; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, pc_map_names[i]);

		if (!(up->fresh & (1u << i)) || !map)
			continue;
		pin_path(root, i, path, sizeof(path));
		/* bpffs has no rename: the old pin goes, the new one comes
		 * (again if an older daemon's guard put its own back). */
		for (int tries = 0; tries < 3; tries++) {
			err = 0;
			if ((unlink(path) && errno != ENOENT) ||
			    bpf_obj_pin(bpf_map__fd(map), path))
				err = -errno;
			if (err != -EEXIST)
				break;
		}
		if (err)
			pc_err("cannot pin the new map %s: %s; the new build enforces, some pins are still the older build's: 'portcullis reload' finishes the upgrade",
			       path, pc_strerror(err));
	}
	/* The builds before pc_ct_cache pinned their per-object key scratch
	 * by mistake: nothing reads it any more. */
	snprintf(path, sizeof(path), "%s/maps/pc_key_scratch", root);
	if (!err && unlink(path) && errno != ENOENT)
		pc_warn("cannot remove %s, which nothing uses: %s", path, pc_strerror(-errno));
	if (!err) {
		char added[512], rebuilt[512];

		pc_info("upgraded in place: the new programs are on every hook; maps added: %s; maps of another definition rebuilt: %s",
			map_list(up->missing, added, sizeof(added)),
			map_list(up->changed, rebuilt, sizeof(rebuilt)));
	}
	return err;
}
