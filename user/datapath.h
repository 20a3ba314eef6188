/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The datapath's life on this machine: the pin root (bpffs, lock), loading
 * the BPF object with its maps pinned (or reused), and attaching and
 * detaching the XDP link and the TC egress filter of one interface.
 * Functions return 0 or a negative errno and print what went wrong in
 * plain words, naming the interface.
 */
#ifndef PC_DATAPATH_H
#define PC_DATAPATH_H

#include <limits.h>
#include <stdbool.h>

#include "loader.h"
#include "upgrade.h"

#define PC_DEFAULT_PIN_ROOT "/sys/fs/bpf/portcullis"

struct portcullis;

/* An open pin root; lock_fd holds an exclusive flock when locked. */
struct pc_pins {
	char root[PATH_MAX];
	int lock_fd;
};

/*
 * Opens the pin root. create: mounts bpffs on /sys/fs/bpf if it is missing
 * there, makes the directories, and takes the lock (state-changing
 * commands). Without create, -ENOENT when nothing was ever attached.
 */
int pc_pins_open(struct pc_pins *p, const char *root, bool create);
void pc_pins_close(struct pc_pins *p);
/* Removes the map pins and the pin root's directories. */
int pc_pins_remove_all(struct pc_pins *p);

/* Routes libbpf's messages through our logger: warnings (the verifier
 * log) with -v, debug output with -vv. */
void pc_libbpf_logging(void);

/* Why the kernel refused the object. */
enum pc_dp_refusal {
	PC_DP_REFUSED_OTHER,    /* the error says it */
	PC_DP_REFUSED_VERIFIER, /* the verifier rejected a program: see
				   pc_dp_verifier_log() */
	PC_DP_REFUSED_PINS,     /* the maps pinned under the root do not fit
				   this build (another version) */
	PC_DP_REFUSED_MAPS,     /* a map could not be created (a type or size
				   this kernel does not support) */
};

/* Opens and loads the object with every map pinned under the pin root,
 * reusing maps already pinned there (a second attach or a reload).
 * max_connections (0: PC_CT_ENTRIES) sizes the connection tables when
 * they are created; pinned ones keep their size until detach. Over an
 * older build's pins (up->active, upgrade.h) the maps that differ are
 * built anew without pins and get the older contents; the caller hooks
 * the programs everywhere (opts.swap), then pc_upgrade_pin. On failure,
 * *why says what the kernel refused; nothing is printed but libbpf's own
 * log (with -v) and what could not be carried over. */
int pc_dp_load(struct pc_pins *p, uint32_t max_connections, struct portcullis **skel,
	       enum pc_dp_refusal *why, struct pc_upgrade *up);
/* The end of the verifier's log of the last refused load ("" if none). */
const char *pc_dp_verifier_log(void);
/* Sizes of the established and new connection tables for a setting. */
void pc_dp_ct_sizes(uint32_t max_connections, uint32_t *established, uint32_t *fresh);
/* Applies them to an opened, not yet loaded object. Returns 0 or -errno. */
int pc_dp_size_ct(struct portcullis *skel, uint32_t max_connections);

enum pc_xdp_mode { PC_XDP_AUTO, PC_XDP_NATIVE, PC_XDP_GENERIC };
/* Where ingress is judged: XDP, or clsact ingress (after GRO). */
enum pc_ingress_hook { PC_INGRESS_XDP, PC_INGRESS_TC };

struct pc_attach_opts {
	enum pc_xdp_mode xdp_mode;
	enum pc_ingress_hook ingress;
	bool force;      /* replace a program we do not own */
	bool swap;       /* replace ours even when it is the same build: its
			    maps are new (an upgrade) */
	const char *cgroup; /* the setsockopt guard's cgroup (sockguard.h);
			       NULL: where it is, or the cgroup2 root */
};

/* Whether attach can go ahead on one interface without --force: no XDP
 * program or TC filter there that portcullis did not add. Changes nothing;
 * -EBUSY (printed) when something is in the way. */
int pc_dp_check(struct pc_pins *p, const struct pc_maps *m, int ifindex,
		const char *name, const struct pc_attach_opts *o);
/* Attaches (or updates) both hooks on one interface and records it in
 * pc_ifaces; *added: the interface was not ours before (pc_dp_detach
 * undoes it). On failure, removes what this call added. */
int pc_dp_attach(struct pc_pins *p, struct portcullis *skel,
		 const struct pc_maps *m, int ifindex, const char *name,
		 const struct pc_attach_opts *o, bool *added);
/* Removes what attach added on the interface of rec, nothing else. */
int pc_dp_detach(struct pc_pins *p, const struct pc_maps *m,
		 const struct pc_iface *rec);

/* The programs on one interface's hooks before an upgrade swaps them
 * (fds, -1: none), to put back if the upgrade fails halfway. */
#define PC_DP_TC_FILTERS 3
struct pc_dp_saved {
	int ifindex;
	int xdp_link, xdp_prog;
	int tc_prog[PC_DP_TC_FILTERS];
	bool lost; /* a program was there that could not be kept */
};
void pc_dp_save(struct pc_pins *p, int ifindex, struct pc_dp_saved *s);
/* Puts the saved programs back on the hooks they were on (said if not). */
void pc_dp_restore(struct pc_dp_saved *s);
void pc_dp_saved_close(struct pc_dp_saved *s);

/* Whether our hooks are really in place: XDP link attached, TC filter
 * there (for status). */
void pc_dp_probe(struct pc_pins *p, const struct pc_iface *rec, bool *xdp_ok,
		 bool *tc_ok);

/* Whether the interface of rec was attached in this network namespace. */
bool pc_dp_iface_here(const struct pc_iface *rec);
/* Refuses (-EXDEV, said in words) when any interface of the pin root was
 * attached in another network namespace: its ifindex means another
 * interface here, so nothing may be attached, detached or probed. */
int pc_dp_check_netns(const struct pc_maps *m);

/* Path of the XDP link pin of an interface. */
void pc_dp_link_path(const struct pc_pins *p, int ifindex, char *buf, size_t len);

#endif
