/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An upgrade in place: a new build's object loaded over the pins of an
 * older build that is still enforcing. Maps whose pinned definition
 * matches are shared as always. The others are built anew, unpinned, and
 * get what the older ones hold where it means the same (counters by path
 * slot and drop reason, connection tables of the same layout). While
 * upgrading, pc_config and the policy maps are new too: the new policy is
 * filled and flipped in maps the older programs never read, so they go on
 * judging with theirs until the new programs replace them on every hook;
 * only then do the pins move to the new maps (pc_upgrade_pin).
 * Functions return 0 or a negative errno and say what went wrong.
 */
#ifndef PC_UPGRADE_H
#define PC_UPGRADE_H

#include <stdbool.h>
#include <stdint.h>

struct bpf_object;

struct pc_upgrade {
	bool active;      /* an older build's pins: some map is built anew */
	uint32_t fresh;   /* bit i: pc_map_names[i] is built anew (not pinned
			     until pc_upgrade_pin) */
	uint32_t missing; /* bit i: the older build had no such map */
	uint32_t changed; /* bit i: its pinned definition differs */
};

/* Before load: compares each map of obj with the one pinned under
 * root/maps. An upgrade only when a build is in force there (pc_config
 * pinned, pc_ifaces recording an interface) and some map is missing or
 * differs. Changes nothing. */
int pc_upgrade_plan(struct bpf_object *obj, const char *root, struct pc_upgrade *up);
/* Whether the maps pinned under root differ from this build's (reload's
 * question; opens the object without loading it). */
bool pc_upgrade_needed(const char *root);
/* This build's BPF object, as a short hex string: reload compares it with
 * the record's to tell that the programs in force are another build's. */
const char *pc_upgrade_build_id(void);
/* After load: copies into the new maps what the older ones hold where its
 * meaning is the same; says in one line what starts empty. */
int pc_upgrade_carry(struct bpf_object *obj, const char *root, const struct pc_upgrade *up);
/* After the new programs are on every hook: each new map takes its pin
 * (bpffs has no rename: unlink, then pin). Says what was upgraded. */
int pc_upgrade_pin(struct bpf_object *obj, const char *root, const struct pc_upgrade *up);

#endif
