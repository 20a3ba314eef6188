// SPDX-License-Identifier: GPL-2.0-only
/* The loader: rule set -> inactive policy bank (its own address map) ->
 * one flip -> the old bank's address map let go. */
#include "loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bank_addrs.h"
#include "gateway_load.h"
#include "maskset.h"
#include "portcullis.skel.h"
#include "prefix_index.h"

#define PC_MAP_STRING(field) PC_MAP_NAME(field),
const char *const pc_map_names[PC_NMAPS] = { PC_MAPS(PC_MAP_STRING) };
#undef PC_MAP_STRING

/* The object's maps are PC_MAPS and the per-object state never shared
 * (pc_clock, pc_icmp_budget, pc_ct_cache, and .bss: the cache's epochs): a
 * map added to the BPF object and not to the list stops the build here. */
_Static_assert(sizeof(((struct portcullis *)0)->maps) ==
		       (PC_NMAPS + 4) * sizeof(struct bpf_map *),
	       "PC_MAPS must list every shared map of the BPF object");
_Static_assert(sizeof(((struct pc_maps *)0)->fd) ==
		       offsetof(struct pc_maps, owned),
	       "struct pc_maps: one fd per map of PC_MAPS");

void pc_maps_from_skel(struct pc_maps *m, const struct portcullis *skel)
{
#define PC_MAP_SKEL_FD(field) m->field = bpf_map__fd(skel->maps.pc_##field);
	PC_MAPS(PC_MAP_SKEL_FD)
#undef PC_MAP_SKEL_FD
	m->owned = 0;
}

int pc_maps_open_pinned(struct pc_maps *m, const char *pin_root)
{
	for (size_t i = 0; i < PC_NMAPS; i++)
		m->fd[i] = -1;
	m->owned = 1;
	for (size_t i = 0; i < PC_NMAPS; i++) {
		char path[PATH_MAX];
		int fd, err;

		snprintf(path, sizeof(path), "%s/maps/%s", pin_root, pc_map_names[i]);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			pc_maps_close(m);
			return err;
		}
		m->fd[i] = fd;
	}
	return 0;
}

void pc_maps_close(struct pc_maps *m)
{
	if (!m->owned)
		return;
	for (size_t i = 0; i < PC_NMAPS; i++) {
		if (m->fd[i] >= 0)
			close(m->fd[i]);
		m->fd[i] = -1;
	}
}

static void *map_mmap(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

int pc_loader_state(const struct pc_maps *m, uint32_t *bank, uint32_t *gen)
{
	struct pc_config c;
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(m->config, &zero, &c))
		return -errno;
	*bank = PC_CONFIG_BANK(c.bank_gen);
	*gen = PC_CONFIG_GEN(c.bank_gen);
	return 0;
}

struct spread {
	const struct pc_addr_rules *cidrs;
	const struct pc_addr_rules *self; /* a prefix does not hold itself */
	struct pc_mask mask;
};

static void spread_one(size_t j, void *arg)
{
	struct spread *s = arg;

	if (&s->cidrs[j] != s->self)
		pc_mask_or(&s->mask, &s->cidrs[j].mask);
}

/* Each prefix's rules from the masks as they were on entry: the result
 * does not depend on the order entries are visited. */
static void spread_into(const struct pc_prefix_index *ix,
			const struct pc_addr_rules *cidrs,
			struct pc_addr_rules *e, bool is_cidr,
			struct pc_mask *out)
{
	struct spread s = { cidrs, is_cidr ? e : NULL, e->mask };

	pc_prefix_index_each(ix, &e->a, spread_one, &s);
	*out = s.mask;
}

void pc_spread_prefix_rules(struct pc_addr_rules *exact, size_t nexact,
			    struct pc_addr_rules *cidrs, size_t ncidr)
{
	struct pc_prefix_index ix;
	struct pc_addr *nets;
	struct pc_mask *out;

	if (!ncidr)
		return;
	nets = pc_xcalloc(ncidr, sizeof(*nets));
	for (size_t i = 0; i < ncidr; i++)
		nets[i] = cidrs[i].a;
	pc_prefix_index_init(&ix, nets, ncidr);
	free(nets);
	out = pc_xcalloc(ncidr, sizeof(*out));
	for (size_t i = 0; i < ncidr; i++)
		spread_into(&ix, cidrs, &cidrs[i], true, &out[i]);
	for (size_t i = 0; i < nexact; i++)
		spread_into(&ix, cidrs, &exact[i], false, &exact[i].mask);
	for (size_t i = 0; i < ncidr; i++)
		cidrs[i].mask = out[i];
	free(out);
	pc_prefix_index_free(&ix);
}

static void addr_key(struct pc_addr_key *k, uint32_t bank, const struct pc_addr *a)
{
	memset(k, 0, sizeof(*k));
	k->bank = bank;
	k->family = a->family == AF_INET ? PC_AF_INET : PC_AF_INET6;
	memcpy(k->addr, a->bytes, a->family == AF_INET ? 4 : 16);
}

/* The walk for maps without batch lookups (LPM tries): it restarts from
 * the first key when the current one goes away, so only for maps that
 * change by the loader alone. */
static long keys_by_walk(int fd, size_t key_size, unsigned char **keys)
{
	unsigned char cur[64], next[64];
	size_t n = 0, cap = 0;
	void *prev = NULL;

	*keys = NULL;
	if (key_size > sizeof(cur))
		return -EINVAL;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			*keys = pc_xrealloc(*keys, cap, key_size);
		}
		memcpy(*keys + n * key_size, next, key_size);
		n++;
		memcpy(cur, next, key_size);
		prev = cur;
	}
	return (long)n;
}

static bool is_percpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

#define KEY_BATCH 8192

/*
 * Every key of a map (*keys to free), and the map's max_entries. Batch
 * lookups walk the buckets once however the map changes meanwhile: a walk
 * by next key restarts whenever the datapath evicts the current key,
 * which under churn took seconds and met entries several times. Returns
 * the number of keys or -errno.
 */
static long map_keys(int fd, size_t key_size, unsigned char **keys, long *max)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info), in[16], out[16];
	size_t vsize, n = 0, cap = 0;
	bool first = true;
	void *vals;
	int ncpu;

	*keys = NULL;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.key_size != key_size || key_size > sizeof(in))
		return -EINVAL;
	*max = info.max_entries;
	vsize = info.value_size;
	if (is_percpu(info.type)) {
		ncpu = libbpf_num_possible_cpus();
		if (ncpu < 0)
			return ncpu;
		vsize = ((vsize + 7) & ~(size_t)7) * (size_t)ncpu;
	}
	vals = pc_xcalloc(KEY_BATCH, vsize ? vsize : 1);
	for (;;) {
		__u32 count = KEY_BATCH;
		int err;

		if (cap < n + KEY_BATCH) { /* doubling: a million keys, few copies */
			cap = cap * 2 > n + KEY_BATCH ? cap * 2 : n + KEY_BATCH;
			*keys = pc_xrealloc(*keys, cap, key_size);
		}
		err = bpf_map_lookup_batch(fd, first ? NULL : in, out,
					   *keys + n * key_size, vals, &count, NULL);
		if (err && errno != ENOENT) {
			err = -errno;
			free(vals);
			free(*keys);
			*keys = NULL;
			/* No batch operations for this map type or kernel. */
			if (first && (err == -EINVAL || err == -ENOTSUP ||
				      err == -524 /* ENOTSUPP */))
				return keys_by_walk(fd, key_size, keys);
			return err;
		}
		n += count;
		if (err) /* ENOENT: the last batch */
			break;
		memcpy(in, out, sizeof(in));
		first = false;
	}
	free(vals);
	return (long)n;
}

long pc_map_keys(int fd, size_t key_size, unsigned char **keys)
{
	long max;

	return map_keys(fd, key_size, keys, &max);
}

/* Deletes every key of one bank from a hash or trie map. */
#define EVERY_BANK SIZE_MAX /* clear_bank's bank_off: every key goes */

static int clear_bank(int fd, size_t key_size, size_t bank_off, uint32_t bank)
{
	unsigned char *keys;
	long max, n = map_keys(fd, key_size, &keys, &max);
	size_t kept = 0;
	bool batch = true;
	int err = 0;

	if (n < 0)
		return (int)n;
	for (long i = 0; i < n; i++) {
		uint32_t b = bank;

		if (bank_off != EVERY_BANK)
			memcpy(&b, keys + i * key_size + bank_off, 4);
		if (b == bank)
			memmove(keys + kept++ * key_size, keys + i * key_size, key_size);
	}
	for (size_t i = 0; i < kept && !err; i += KEY_BATCH) {
		__u32 cnt = (__u32)(kept - i < KEY_BATCH ? kept - i : KEY_BATCH);

		if (batch && bpf_map_delete_batch(fd, keys + i * key_size, &cnt, NULL) == 0)
			continue;
		batch = false; /* tries have none; a key gone meanwhile stops it */
		cnt = (__u32)(kept - i < KEY_BATCH ? kept - i : KEY_BATCH);
		for (__u32 j = 0; j < cnt; j++) {
			if (bpf_map_delete_elem(fd, keys + (i + j) * key_size) &&
			    errno != ENOENT) {
				err = -errno;
				break;
			}
		}
	}
	free(keys);
	return err;
}

/* The entries into a bank's own hash. */
static int write_entries(int fd, const struct pc_bank_entry *v, size_t n)
{
	const size_t chunk = 8192;
	struct pc_host_key *keys = pc_xcalloc(chunk, sizeof(*keys));
	struct pc_addr_value *vals = pc_xcalloc(chunk, sizeof(*vals));
	bool batch = true;
	int err = 0;

	for (size_t i = 0; i < n && !err; i += chunk) {
		__u32 cnt = (__u32)(n - i < chunk ? n - i : chunk);

		for (__u32 j = 0; j < cnt; j++) {
			keys[j] = v[i + j].k;
			vals[j] = v[i + j].v;
		}
		if (batch && bpf_map_update_batch(fd, keys, vals, &cnt, NULL) == 0)
			continue;
		if (batch && errno != EINVAL && errno != 524 /* ENOTSUPP */ && errno != EOPNOTSUPP) {
			err = -errno;
			break;
		}
		batch = false;
		cnt = (__u32)(n - i < chunk ? n - i : chunk);
		for (__u32 j = 0; j < cnt && !err; j++)
			if (bpf_map_update_elem(fd, &keys[j], &vals[j], BPF_ANY))
				err = -errno;
	}
	free(keys);
	free(vals);
	return err == -ENOSPC ? -E2BIG : err;
}

/* Room a bank's address hash keeps beyond its addresses and marks: marks
 * of kinds added later need no change of size here. */
#define PC_ADDR_SPARE 64

/*
 * A new address hash for one bank, for n entries (the loader's own fd;
 * pc_addr holds it once installed). Returns the fd or -errno. Room for
 * twice as many: the kernel gives a hash a bucket for each entry it may
 * hold (rounded up to a power of two), and a lookup that misses (a wrong
 * peer) walks its whole bucket, so buckets at most half full keep that
 * walk as short at a million addresses as at ten. Entries are allocated
 * as they are added (BPF_F_NO_PREALLOC): the room costs buckets only.
 */
static int make_addr_bank(size_t n)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	int fd;

	if (2 * n + PC_ADDR_SPARE > UINT32_MAX)
		return -E2BIG;
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "pc_addr_bank", sizeof(struct pc_host_key),
			    sizeof(struct pc_addr_value), (uint32_t)(2 * n + PC_ADDR_SPARE), &o);
	return fd < 0 ? -errno : fd;
}

/* The address map in a bank's slot (a new fd) and its max_entries, or -1. */
static int bank_map(const struct pc_maps *m, uint32_t bank, uint32_t *max)
{
	struct bpf_map_info info = { 0 };
	uint32_t id, len = sizeof(info);
	int fd;

	if (bpf_map_lookup_elem(m->addr, &bank, &id))
		return -1;
	fd = bpf_map_get_fd_by_id(id);
	if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		fd = -1;
	}
	*max = info.max_entries;
	return fd;
}

/* A bank's map this large is let go after a flip (loader.h
 * pc_loader_release); smaller ones stay for the next fill to reuse. */
#define PC_ADDR_KEEP_MAX 65536

/* Path slots for the rules' path ids, existing slots kept. */
static int assign_slots(int fd, const struct pc_ruleset *rs, uint32_t *slots)
{
	struct pc_path_name *names = pc_xcalloc(PC_MAX_PATHS, sizeof(*names));
	bool *dirty = pc_xcalloc(PC_MAX_PATHS, sizeof(*dirty));
	int err = 0;

	for (uint32_t i = 0; i < PC_MAX_PATHS; i++) {
		if (bpf_map_lookup_elem(fd, &i, &names[i])) {
			err = -errno;
			goto out;
		}
		names[i].id[PC_PATH_ID_LEN - 1] = '\0';
	}
	for (size_t r = 0; r < rs->nrules && !err; r++) {
		const char *id = rs->rules[r].flow->id;
		uint32_t found = 0, free_slot = 0;

		for (uint32_t i = 1; i < PC_MAX_PATHS; i++) {
			if (!strncmp(names[i].id, id, PC_PATH_ID_LEN - 1) && names[i].id[0]) {
				found = i;
				break;
			}
			if (!free_slot && !names[i].id[0])
				free_slot = i;
		}
		if (!found) {
			if (!free_slot) {
				err = -E2BIG;
				break;
			}
			found = free_slot;
			snprintf(names[found].id, PC_PATH_ID_LEN, "%s", id);
			dirty[found] = true;
		}
		slots[r] = found;
	}
	for (uint32_t i = 0; i < PC_MAX_PATHS && !err; i++)
		if (dirty[i] && bpf_map_update_elem(fd, &i, &names[i], BPF_ANY))
			err = -errno;
out:
	free(names);
	free(dirty);
	return err;
}

/* One port row of one side, rule i's bit on each port of its range:
 * whether any rule is in the row. */
static bool row_masks(const struct pc_ruleset *rs, uint32_t row, int which,
		      struct pc_mask *out)
{
	bool any = false;

	memset(out, 0, PC_PORTS * sizeof(*out));
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];
		struct pc_port_range pr = which ? r->remote : r->local;
		uint32_t pi = r->proto == IPPROTO_TCP ? 0 : 1;
		bool in = false;

		for (uint32_t bcast = 0; bcast < 2; bcast++) {
			if ((r->dir == PC_DIR_EGRESS || r->forward) && bcast)
				continue; /* forward rules: their sets say the addressing */
			if (r->dir == PC_DIR_INGRESS && !r->forward &&
			    !(r->local_class & (bcast ? PC_LOCAL_BROADCAST :
							PC_LOCAL_UNICAST)))
				continue;
			in |= PC_PORT_ROW(r->dir == PC_DIR_EGRESS, bcast, pi) == row;
		}
		if (!in)
			continue;
		any = true;
		for (uint32_t p = pr.lo; p <= pr.hi; p++)
			pc_mask_set(&out[p], i);
	}
	return any;
}

/* One bank of a port map, built in memory: the class id of each (row,
 * port) of the local (which = 0) or remote (1) side, ids from set. */
static int build_ports(const struct pc_ruleset *rs, int which,
		       struct pc_maskset *set, uint16_t *out)
{
	struct pc_mask *row = pc_xcalloc(PC_PORTS, sizeof(*row));
	int err = 0;

	memset(out, 0, PC_PORT_BANK_ENTRIES * sizeof(*out));
	for (uint32_t r = 0; r < PC_PORT_ROWS && !err; r++) {
		uint16_t *ids = out + (size_t)r * PC_PORTS;
		uint32_t id = 0;

		if (!row_masks(rs, r, which, row))
			continue;
		for (uint32_t p = 0; p < PC_PORTS && !err; p++) {
			/* Ranges make long runs of one mask. */
			if (p == 0 || memcmp(&row[p], &row[p - 1], sizeof(*row)))
				err = pc_maskset_id(set, &row[p], &id);
			ids[p] = (uint16_t)id;
		}
	}
	free(row);
	return err;
}

static int write_ports(int fd, uint32_t bank, const uint16_t *src)
{
	size_t size = (size_t)PC_BANKS * PC_PORT_BANK_ENTRIES * sizeof(*src);
	uint16_t *map = map_mmap(fd, size);

	if (!map)
		return -errno;
	memcpy(map + (size_t)bank * PC_PORT_BANK_ENTRIES, src,
	       (size_t)PC_PORT_BANK_ENTRIES * sizeof(*src));
	munmap(map, size);
	return 0;
}

/* The bank's part of pc_lport_used from its local port classes: a port's
 * bit is set when a row of the protocol gives it a class other than the
 * empty one. */
static int write_lport_used(int fd, uint32_t bank, const uint16_t *lports)
{
	size_t words = PC_PORTS / PC_LPORT_WORD_BITS;
	size_t size = (size_t)PC_LPORT_USED_ENTRIES * sizeof(uint64_t);
	uint64_t *map = map_mmap(fd, size);

	if (!map)
		return -errno;
	for (uint32_t pi = 0; pi < 2; pi++) {
		uint64_t *w = map + PC_LPORT_USED_INDEX(bank, pi, 0);

		memset(w, 0, words * sizeof(*w));
		/* The protocol's rows: PC_PORT_ROW keeps it in the low bit. */
		for (uint32_t row = pi; row < PC_PORT_ROWS; row += 2) {
			const uint16_t *ids = lports + (size_t)row * PC_PORTS;

			for (uint32_t p = 0; p < PC_PORTS; p++)
				if (ids[p])
					w[p / PC_LPORT_WORD_BITS] |=
						1ull << (p % PC_LPORT_WORD_BITS);
		}
	}
	munmap(map, size);
	return 0;
}

/* The bank's part of pc_masks: set's masks by id, the rest empty. */
static int write_masks(int fd, uint32_t bank, const struct pc_maskset *set)
{
	size_t size = (size_t)PC_BANKS * PC_MAX_MASKS * sizeof(struct pc_mask);
	struct pc_mask *map = map_mmap(fd, size), *b;

	if (!map)
		return -errno;
	b = map + (size_t)bank * PC_MAX_MASKS;
	memcpy(b, set->masks, set->n * sizeof(*b));
	memset(b + set->n, 0, (PC_MAX_MASKS - set->n) * sizeof(*b));
	munmap(map, size);
	return 0;
}

/* The bank's address hash: a new one, filled, then put in the bank's
 * slot of pc_addr (the one it replaces goes when nothing uses it). */
/*
 * The bank's address map, filled. The one in the bank's slot is emptied
 * and used again when its size fits (within 4x of what make_addr_bank
 * would make): putting a map in pc_addr makes the kernel wait for a
 * grace period (it waits for the programs after any change of an array
 * of maps), which a reload of the same policy need not pay. Otherwise a
 * new map goes in the slot; the one it replaces goes when unused.
 */
static int install_addrs(const struct pc_maps *m, uint32_t bank,
			 const struct pc_bank_addrs *b)
{
	size_t n = b->n, want = 2 * n + PC_ADDR_SPARE;
	uint32_t max = 0;
	int fd = bank_map(m, bank, &max), err;
	bool reuse = fd >= 0 && max >= want && max / 4 <= want;

	if (fd >= 0 && !reuse)
		close(fd);
	if (!reuse && (fd = make_addr_bank(n)) < 0)
		return fd;
	err = reuse ? clear_bank(fd, sizeof(struct pc_host_key), EVERY_BANK, 0) : 0;
	if (!err)
		err = write_entries(fd, b->e, b->n);
	if (!err && !reuse && bpf_map_update_elem(m->addr, &bank, &fd, BPF_ANY))
		err = -errno;
	close(fd);
	return err;
}

int pc_loader_fill(const struct pc_maps *m, const struct pc_ruleset *rs,
		   const struct pc_settings *s, struct pc_load_info *info)
{
	uint16_t *lports = NULL, *rports = NULL;
	struct pc_maskset masks;
	struct pc_bank_addrs addrs;
	uint32_t *slots = NULL, bank = 0, gen = 0, nbank, ngen;
	struct pc_bank_settings bs = { 0 };
	int err;

	if (rs->nrules > PC_MAX_RULES)
		return -E2BIG;
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];

		if ((r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP) ||
		    r->local.lo > r->local.hi || r->remote.lo > r->remote.hi)
			return -EINVAL;
	}
	err = pc_loader_state(m, &bank, &gen);
	if (err)
		return err;
	nbank = gen ? !bank : 0;
	ngen = gen + 1 >= (1u << 31) ? 1 : gen + 1;

	/* Everything that can fail for lack of room is decided first. Port
	 * classes first: their ids fit pc_lport's 16 bits. */
	pc_maskset_init(&masks);
	pc_bank_addrs_init(&addrs, &masks);
	lports = pc_xcalloc(PC_PORT_BANK_ENTRIES, sizeof(*lports));
	rports = pc_xcalloc(PC_PORT_BANK_ENTRIES, sizeof(*rports));
	err = build_ports(rs, 0, &masks, lports);
	if (!err)
		err = build_ports(rs, 1, &masks, rports);
	if (!err)
		err = pc_bank_add_rules(&addrs, rs, PC_ADDR_RULES);
	if (!err && rs->gateway)
		err = pc_gateway_fill(&addrs, rs);
	if (err)
		goto out;
	pc_bank_add_marks(&addrs, rs->policy);
	pc_bank_addrs_done(&addrs);
	bs.cidr_rules = addrs.cidr_rules;

	slots = pc_xcalloc(rs->nrules ? rs->nrules : 1, sizeof(*slots));
	err = assign_slots(m->path_names, rs, slots);
	if (err)
		goto out;

	/* The inactive bank: ports, masks, addresses, rule -> path, settings. */
	err = write_ports(m->lport, nbank, lports);
	if (!err)
		err = write_ports(m->rport, nbank, rports);
	if (!err)
		err = write_lport_used(m->lport_used, nbank, lports);
	if (!err)
		err = write_masks(m->masks, nbank, &masks);
	if (!err)
		err = install_addrs(m, nbank, &addrs);
	if (!err)
		err = clear_bank(m->cidr, sizeof(struct pc_cidr_key),
				 offsetof(struct pc_cidr_key, a.bank), nbank);
	for (size_t i = 0; i < addrs.np && !err; i++) {
		struct pc_cidr_key k;

		addr_key(&k.a, nbank, &addrs.p[i].r.a);
		k.a.kind = addrs.p[i].kind;
		k.prefixlen = PC_CIDR_KEY_PREFIX_BASE + addrs.p[i].r.a.prefix;
		if (bpf_map_update_elem(m->cidr, &k, &addrs.p[i].r.mask, BPF_ANY))
			err = errno == ENOSPC ? -E2BIG : -errno;
	}
	for (uint32_t i = 0; i < PC_MAX_RULES && !err; i++) {
		uint32_t key = nbank * PC_MAX_RULES + i;
		uint32_t slot = i < rs->nrules ? slots[i] : PC_PATH_OTHER;

		if (bpf_map_update_elem(m->rule_path, &key, &slot, BPF_ANY))
			err = -errno;
	}
	if (err)
		goto out;
	bs.mode = s->mode == PC_MODE_AUDIT ? PC_MODE_VALUE_AUDIT : PC_MODE_VALUE_ENFORCE;
	bs.flags = (s->icmp_echo ? PC_SET_ICMP_ECHO : 0) |
		   (s->non_ip != PC_NON_IP_PERMISSIVE ? PC_SET_NON_IP_STRICT : 0) |
		   (s->non_ip == PC_NON_IP_LINK_LAYER ? PC_SET_NON_IP_LINK : 0) |
		   (s->keep_established ? PC_SET_KEEP_ESTABLISHED : 0) |
		   (s->ipv6_ra == PC_RA_ANY ? PC_SET_RA_ANY : 0) |
		   (s->ipv6_ra == PC_RA_SITE_ROUTERS ? PC_SET_RA_SITE : 0) |
		   (s->log_denied == PC_LOG_DENIED_OFF ? PC_SET_LOG_DENIED_OFF : 0) |
		   (s->log_denied == PC_LOG_DENIED_ALL ? PC_SET_LOG_DENIED_ALL : 0) |
		   (s->raw_bypass_allow ? PC_SET_RAW_BYPASS_ALLOW : 0) |
		   (rs->gateway ? PC_SET_GATEWAY : 0);
	bs.nrules = (uint32_t)rs->nrules;
	bs.naddrs = (uint32_t)addrs.naddrs;
	bs.ncidrs = (uint32_t)addrs.np;
	bs.ct_tcp_established = s->ct_tcp_established;
	bs.ct_tcp_transitory = s->ct_tcp_transitory;
	bs.ct_udp = s->ct_udp;
	bs.ct_icmp = s->ct_icmp;
	if (bpf_map_update_elem(m->settings, &nbank, &bs, BPF_ANY)) {
		err = -errno;
		goto out;
	}

	info->bank = nbank;
	info->generation = ngen;
	info->nrules = rs->nrules;
	info->naddrs = addrs.naddrs;
	info->ncidrs = addrs.np;
out:
	pc_bank_addrs_free(&addrs);
	pc_maskset_free(&masks);
	free(slots);
	free(lports);
	free(rports);
	return err;
}

/*
 * After a flip, the other bank's address hash, when it is a large one
 * (a big policy's worth of memory), is let go; small ones stay for the
 * next fill to reuse (install_addrs), which saves it two grace periods.
 * A packet that read the old bank before the flip may
 * still be on its way through the programs; they run inside RCU read-side
 * sections (softirq, or rcu_read_lock for TC and test runs), so a grace
 * period, which membarrier(MEMBARRIER_CMD_GLOBAL) waits for, sees them
 * all out. Where membarrier is refused the old hash stays until the next
 * reload replaces it: correct, only larger.
 */
static void release_bank(const struct pc_maps *m, uint32_t bank)
{
	uint32_t max = 0;
	int fd = bank_map(m, bank, &max);

	if (fd < 0)
		return; /* nothing there */
	close(fd);
	if (max <= PC_ADDR_KEEP_MAX)
		return; /* small: kept for the next fill */
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		return;
	if (bpf_map_delete_elem(m->addr, &bank) && errno != ENOENT)
		pc_debug("could not let go of bank %u's addresses: %s", bank,
			 pc_strerror(-errno));
}

int pc_loader_flip(const struct pc_maps *m, const struct pc_load_info *info)
{
	long page = sysconf(_SC_PAGESIZE);
	struct pc_config *cfg = map_mmap(m->config, (size_t)page);

	if (!cfg)
		return -errno;
	/* One aligned 32-bit store the programs read once. */
	__atomic_store_n(&cfg->bank_gen, (info->generation << 1) | info->bank,
			 __ATOMIC_RELEASE);
	munmap(cfg, (size_t)page);
	return 0;
}

void pc_loader_release(const struct pc_maps *m, const struct pc_load_info *info)
{
	release_bank(m, !info->bank);
}

int pc_loader_load(const struct pc_maps *m, const struct pc_ruleset *rs,
		   const struct pc_settings *s, struct pc_load_info *info)
{
	struct pc_load_info local;
	int err;

	if (!info)
		info = &local;
	err = pc_loader_fill(m, rs, s, info);
	if (!err)
		err = pc_loader_flip(m, info);
	if (!err)
		pc_loader_release(m, info);
	return err;
}

/* Every CPU's value of one per-CPU array entry (free() it), or NULL with
 * *err set. */
static void *percpu_lookup(int fd, uint32_t key, size_t size, int *ncpu, int *err)
{
	void *v;

	*ncpu = libbpf_num_possible_cpus();
	if (*ncpu < 0) {
		*err = *ncpu;
		return NULL;
	}
	v = pc_xcalloc((size_t)*ncpu, size);
	if (bpf_map_lookup_elem(fd, &key, v)) {
		*err = -errno;
		free(v);
		return NULL;
	}
	*err = 0;
	return v;
}

int pc_counter_read(int fd, uint32_t key, struct pc_counter *out)
{
	int ncpu, err;
	struct pc_counter *v = percpu_lookup(fd, key, sizeof(*v), &ncpu, &err);

	memset(out, 0, sizeof(*out));
	if (!v)
		return err;
	for (int i = 0; i < ncpu; i++) {
		out->packets += v[i].packets;
		out->bytes += v[i].bytes;
	}
	free(v);
	return 0;
}

/* One pc_ct_stats counter summed over the CPUs, and all CPUs' values if
 * percpu is not NULL (free() them). */
static int ct_stat_read(int fd, uint32_t stat, uint64_t *sum, uint64_t **percpu)
{
	int ncpu, err;
	uint64_t *v = percpu_lookup(fd, stat, sizeof(*v), &ncpu, &err);

	*sum = 0;
	if (!v)
		return err;
	for (int i = 0; i < ncpu; i++)
		*sum += v[i];
	if (percpu)
		*percpu = v;
	else
		free(v);
	return 0;
}

int pc_ct_stat_add(const struct pc_maps *m, uint32_t stat, uint64_t n)
{
	uint64_t sum, *v = NULL;
	int err = ct_stat_read(m->ct_stats, stat, &sum, &v);

	if (err)
		return err;
	v[0] += n;
	if (bpf_map_update_elem(m->ct_stats, &stat, v, BPF_ANY))
		err = -errno;
	free(v);
	return err;
}

static uint32_t map_max_entries(int fd)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}

int pc_ct_pressure_read(const struct pc_maps *m, struct pc_ct_pressure *out)
{
	static const uint32_t created[2] = { PC_CTS_EST_CREATED, PC_CTS_NEW_CREATED };
	static const uint32_t deleted[2] = { PC_CTS_EST_DELETED, PC_CTS_NEW_DELETED };
	int fds[2] = { m->ct, m->ct_new };
	uint64_t seeded;
	int err;

	memset(out, 0, sizeof(*out));
	err = ct_stat_read(m->ct_stats, PC_CTS_SEEDED, &seeded, NULL);
	if (!err)
		err = ct_stat_read(m->ct_stats, PC_CTS_INSERT_FAILED, &out->insert_failed, NULL);
	for (int t = 0; t < 2 && !err; t++) {
		uint64_t in;

		out->live[t] = pc_map_count(fds[t], sizeof(struct pc_ct_key));
		out->max[t] = map_max_entries(fds[t]);
		err = ct_stat_read(m->ct_stats, created[t], &out->created[t], NULL);
		if (!err)
			err = ct_stat_read(m->ct_stats, deleted[t], &out->deleted[t], NULL);
		/* Counted per CPU without a lock: the live count is read
		 * later than the counters, so a busy table may show a few
		 * evictions too many or too few; never below zero. */
		in = out->created[t] + (t == 0 ? seeded : 0);
		if (out->live[t] >= 0 && in > out->deleted[t] + (uint64_t)out->live[t])
			out->evicted[t] = in - out->deleted[t] - (uint64_t)out->live[t];
	}
	return err;
}

/* Entries that move to a later bucket during a batch walk can be met
 * twice, so the count is capped at what the map can hold. */
long pc_map_count(int fd, size_t key_size)
{
	unsigned char *keys;
	long max = 0, n = map_keys(fd, key_size, &keys, &max);

	free(keys);
	return n > max ? max : n;
}
