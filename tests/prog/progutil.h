/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fixture for the BPF program tests: a loaded skeleton (no pins), a policy
 * from a site text, one host's rules loaded through the real loader, and
 * BPF_PROG_TEST_RUN of one packet through the hook of its direction.
 */
#ifndef PC_PROGUTIL_H
#define PC_PROGUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "classify.h"
#include "loader.h"
#include "pktbuild.h"

struct portcullis;

struct fx {
	struct portcullis *skel;
	struct pc_maps maps;
	struct pc_policy policy;
	struct pc_ruleset rs;
	bool have_policy, have_rs;
};

/* The site used by the datapath tests: every kind, IPv4 and IPv6, CIDRs. */
extern const char px_site[];

/* Opens and loads the skeleton; fails the test on error. */
void fx_open(struct fx *f);
/* The same with connection tables sized for max_connections (the
 * setting conntrack: max-connections). */
void fx_open_sized(struct fx *f, uint32_t max_connections);
/* Loads site (catalog + text), compiles host, loads it with mode. */
void fx_load(struct fx *f, const char *site, const char *host, enum pc_mode mode);
/* Compiles and loads another host of the already loaded policy. */
void fx_load_host(struct fx *f, const char *host, enum pc_mode mode);
void fx_close(struct fx *f);
/* Empties the connection and fragment tables, the stamps and the cached
 * verdicts (fx_forget_cached). */
void fx_clear_tracking(struct fx *f);
/* Empties every CPU's cache of established connections (pc_ct_cache): what
 * a change made from userspace needs, which the datapath cannot see. */
void fx_forget_cached(struct fx *f);
/* Empties the table of established connections only, as its LRU evicts:
 * behind the datapath's back, its cache untouched. */
void fx_evict_established(struct fx *f);
/* Makes every cached verdict of an established connection hold for hours
 * (their last field is the jiffies they hold until). */
void fx_hold_cached(struct fx *f);
/* Makes every tracked connection and stamp secs seconds older (and the
 * cached verdicts, which hold for a clock tick, gone). */
void fx_age_tracking(struct fx *f, unsigned secs);
/* Slots of pc_ct_seen holding a stamp. */
uint32_t fx_stamps(struct fx *f);
/* Copies the PC_CT_SEEN_SLOTS stamps into slots. */
void fx_stamp_slots(struct fx *f, uint32_t *slots);

/* Runs p through XDP (dir 0) or TC (dir 1); returns true if it passed. */
bool fx_run(struct fx *f, int dir, const struct pkt *p);
/* Packets counted so far on a path id (NULL: the "other" slot) / reason,
 * in PC_DIR_IN, PC_DIR_OUT or PC_DIR_FWD (a gateway's forwarded ones). */
uint64_t fx_path_packets(struct fx *f, const char *path, int dir);
uint64_t fx_drop_packets(struct fx *f, int reason, int dir);

/* What the datapath must do with the first packet of t, by the reference
 * classifier: pass on *path, or drop with the reason returned (the reply
 * of a documented flow the other way is PC_DROP_NO_CONNTRACK). */
int px_expect(const struct pc_ruleset *rs, const struct pc_tuple *t,
	      const char **path);

/* An address inside a (the network address + 1 for a prefix). */
void px_addr_inside(const struct pc_addr *a, char *buf, size_t len);
/* The host's first address of a family, or a documentation address. */
const char *px_local_addr(const struct pc_ruleset *rs, int family, char *buf,
			  size_t len);

/* Asserts with a description: fails the test with desc and the values. */
#define PX_CHECK(cond, ...)                                 \
	do {                                                \
		if (!(cond)) {                              \
			print_error(__VA_ARGS__);           \
			print_error("\n");                  \
			fail_msg("check failed: %s", #cond); \
		}                                           \
	} while (0)

/* cmocka fixtures: a fresh struct fx (loaded object) per test. */
int fx_setup(void **state);
int fx_teardown(void **state);

#endif
