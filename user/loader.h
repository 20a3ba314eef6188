/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The loader: a compiled rule set and the site's settings -> the contents of
 * the inactive policy bank of the BPF maps, then one atomic flip of the
 * active bank. Also opens the maps, from a skeleton or from pins.
 */
#ifndef PC_LOADER_H
#define PC_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "compile.h"
#include "policy.h"
#include "portcullis.h"

#define PC_MAP_INDEX(field) PC_MAP_INDEX_##field,
enum { PC_MAPS(PC_MAP_INDEX) PC_NMAPS };
#undef PC_MAP_INDEX

/* File descriptors of every map of the object (-1: not open), by name or
 * by index in PC_MAPS order. */
struct pc_maps {
	union {
		struct {
#define PC_MAP_FD(field) int field;
			PC_MAPS(PC_MAP_FD)
#undef PC_MAP_FD
		};
		int fd[PC_NMAPS];
	};
	int owned; /* opened from pins: pc_maps_close() closes them */
};

struct portcullis;
/* Borrows the fds of a loaded skeleton. */
void pc_maps_from_skel(struct pc_maps *m, const struct portcullis *skel);
/* Opens the maps pinned under PIN_ROOT/maps/. Returns 0 or -errno. */
int pc_maps_open_pinned(struct pc_maps *m, const char *pin_root);
void pc_maps_close(struct pc_maps *m);

/* Names of the maps in PC_MAPS order (the index of pc_maps.fd). */
extern const char *const pc_map_names[PC_NMAPS];

struct pc_load_info {
	uint32_t bank;       /* the bank filled (active after the flip) */
	uint32_t generation; /* its policy generation */
	size_t nrules;
	size_t naddrs;       /* exact addresses written with rules (any kind) */
	size_t ncidrs;       /* prefixes written (any kind) */
};

/*
 * Fills the inactive bank with rs and s (mode from s->mode); the packets
 * still see the active one. The bank's address map is a new one sized to
 * rs, put in the bank's slot of pc_addr. info: the bank and generation
 * that pc_loader_flip makes active. Path slots are kept by path id.
 * Nothing is written when the rule set does not fit (-E2BIG: more than
 * PC_MAX_RULES rules, addresses or prefixes, PC_MAX_MASKS distinct rule
 * sets, or path slots). Returns 0 or -errno.
 */
int pc_loader_fill(const struct pc_maps *m, const struct pc_ruleset *rs,
		   const struct pc_settings *s, struct pc_load_info *info);
/* Makes the bank pc_loader_fill filled active: one atomic store. */
int pc_loader_flip(const struct pc_maps *m, const struct pc_load_info *info);
/* After pc_loader_flip: lets go of the other bank's address map, if it is
 * large, once no packet can still be using it (two RCU grace periods,
 * some tens of milliseconds), so that only the policy in force holds
 * much memory. Never fails: without it the old map stays until the next
 * fill replaces or reuses it. */
void pc_loader_release(const struct pc_maps *m, const struct pc_load_info *info);
/* pc_loader_fill, pc_loader_flip, then pc_loader_release (info may be NULL). */
int pc_loader_load(const struct pc_maps *m, const struct pc_ruleset *rs,
		   const struct pc_settings *s, struct pc_load_info *info);

/* An address or prefix with the rules that name it. */
struct pc_addr_rules {
	struct pc_addr a;
	struct pc_mask mask;
};

/*
 * A trie gives only the longest match, and an exact hit skips the trie:
 * gives each address and prefix the rules of every (other) prefix holding
 * it. cidrs are unique. In n log n (prefix_index.h).
 */
void pc_spread_prefix_rules(struct pc_addr_rules *exact, size_t nexact,
			    struct pc_addr_rules *cidrs, size_t ncidr);

/* The active bank and generation (0: nothing loaded). */
int pc_loader_state(const struct pc_maps *m, uint32_t *bank, uint32_t *gen);

/* How full the connection tables are and what they lost: [0] pc_ct
 * (established), [1] pc_ct_new. evicted = created - deleted - live, the
 * entries the LRU pushed out to make room. */
struct pc_ct_pressure {
	long live[2];
	uint32_t max[2];
	uint64_t created[2];
	uint64_t deleted[2];
	uint64_t evicted[2];
	uint64_t insert_failed; /* inserts the kernel refused */
};
int pc_ct_pressure_read(const struct pc_maps *m, struct pc_ct_pressure *out);
/* Adds n to a pc_ct_stats counter (userspace: CPU 0's slot). */
int pc_ct_stat_add(const struct pc_maps *m, uint32_t stat, uint64_t n);

/* Sums a per-CPU counter map entry over the possible CPUs. */
int pc_counter_read(int fd, uint32_t key, struct pc_counter *out);

/* Every key of a hash, LRU or trie map (*keys to free, key_size bytes
 * each): its count, or -errno. */
long pc_map_keys(int fd, size_t key_size, unsigned char **keys);
/* Number of entries of a hash, LRU or trie map: batch lookups where the
 * map has them, at most the map's max_entries. */
long pc_map_count(int fd, size_t key_size);

#endif
