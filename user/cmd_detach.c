// SPDX-License-Identifier: GPL-2.0-only
/* portcullis detach: remove what attach added, nothing else. */
#include <bpf/bpf.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datapath.h"
#include "hooks.h"
#include "loader.h"

struct detach_opts {
	const char *pin_root;
	bool all;
};

static const struct pc_opt detach_opts[] = {
	PC_OPT_FLAG("all", 0, "every interface portcullis is attached to (instead\nof naming them)", struct detach_opts, all),
	PC_OPT_PIN_ROOT(struct detach_opts, pin_root),
	{ 0 },
};

const struct pc_cmd_opts pc_detach_cmd = {
	.cmd = "detach",
	.args = "[IFACE...]",
	.about =
	"Removes the XDP link and the TC filters portcullis attached to each\n"
	"interface, and the clsact qdisc if portcullis created it (one that\n"
	"was there before stays). When no interface is left, the setsockopt\n"
	"hook, the maps and the pin root go too: enforcement ends and nothing\n"
	"remains.",
	.opts = detach_opts,
};

/* The record of an interface by name (its ifindex now, or the name kept
 * at attach time when the interface is gone). */
static int find_iface(const struct pc_maps *m, const char *name, struct pc_iface *out)
{
	uint32_t key = if_nametoindex(name), next;
	void *prev = NULL;

	if (key && bpf_map_lookup_elem(m->ifaces, &key, out) == 0)
		return 0;
	while (bpf_map_get_next_key(m->ifaces, prev, &next) == 0) {
		if (bpf_map_lookup_elem(m->ifaces, &next, out) == 0 &&
		    !strncmp(out->name, name, sizeof(out->name)))
			return 0;
		key = next;
		prev = &key;
	}
	return -ENOENT;
}

/*
 * Nothing pinned: remove what the interfaces still carry of ours (hooks
 * whose pins were removed), found by program name. The clsact qdisc
 * stays: without the record nobody knows whether portcullis added it.
 */
static int detach_orphans(bool all, char **names, int count, const char *root)
{
	struct pc_iface_hooks *found = NULL;
	size_t n = 0;
	int rc = PC_EXIT_OK;
	char what[64];

	if (all) {
		pc_hooks_scan(&found, &n);
	} else {
		found = pc_xcalloc((size_t)count, sizeof(*found));
		for (int i = 0; i < count; i++) {
			int ifindex = (int)if_nametoindex(names[i]);

			if (!ifindex || pc_hooks_find(ifindex, &found[n]) ||
			    !pc_hooks_describe(&found[n], what, sizeof(what))[0]) {
				pc_err("cannot detach from %s: portcullis is not attached (no %s, and no portcullis program on it)",
				       names[i], root);
				rc = PC_EXIT_POLICY;
				continue;
			}
			n++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		int err = pc_hooks_remove(&found[i]);

		if (err) {
			pc_err("cannot remove the orphaned portcullis hooks (%s) of %s: %s",
			       pc_hooks_describe(&found[i], what, sizeof(what)), found[i].name,
			       pc_strerror(err));
			rc = PC_EXIT_POLICY;
			continue;
		}
		pc_info("%s: detached orphaned hooks (%s; their pins were gone); a clsact qdisc stays",
			found[i].name, pc_hooks_describe(&found[i], what, sizeof(what)));
	}
	free(found);
	return rc;
}

int pc_cmd_detach(int argc, char **argv)
{
	struct detach_opts d = { 0 };
	struct pc_pins pins;
	struct pc_maps m;
	uint32_t key, next;
	int rc, first, err;

	rc = pc_opts_parse(&pc_detach_cmd, argc, argv, &d);
	if (rc >= 0)
		return rc;
	first = optind;
	if (d.all == (first < argc))
		return pc_cli_usage_error("detach", "name the interfaces or give --all");
	err = pc_pins_open(&pins, d.pin_root, false);
	if (err == -ENOENT)
		return detach_orphans(d.all, argv + first, argc - first, pins.root);
	pc_pins_close(&pins);
	if (pc_pins_open(&pins, d.pin_root, true))
		return PC_EXIT_POLICY;
	err = pc_maps_open_pinned(&m, pins.root);
	if (err == -ENOENT && d.all) {
		/* A pin root without maps: nothing is attached; tidy up. */
		rc = pc_pins_remove_all(&pins) ? PC_EXIT_POLICY : PC_EXIT_OK;
		pc_pins_close(&pins);
		return rc;
	}
	if (err) {
		pc_err("cannot open the maps pinned under %s: %s", pins.root, pc_strerror(err));
		pc_pins_close(&pins);
		return PC_EXIT_POLICY;
	}
	/* All or nothing: never half an enforcement left behind. */
	if (pc_dp_check_netns(&m)) {
		pc_maps_close(&m);
		pc_pins_close(&pins);
		return PC_EXIT_POLICY;
	}
	rc = PC_EXIT_OK;
	if (d.all) {
		while (bpf_map_get_next_key(m.ifaces, NULL, &next) == 0) {
			struct pc_iface rec;

			if (bpf_map_lookup_elem(m.ifaces, &next, &rec) ||
			    pc_dp_detach(&pins, &m, &rec)) {
				rc = PC_EXIT_POLICY;
				break;
			}
			pc_info("%s: detached", rec.name);
		}
	} else {
		for (int i = first; i < argc; i++) {
			struct pc_iface rec;

			if (find_iface(&m, argv[i], &rec)) {
				pc_err("cannot detach from %s: portcullis is not attached there",
				       argv[i]);
				rc = PC_EXIT_POLICY;
				continue;
			}
			if (pc_dp_detach(&pins, &m, &rec))
				rc = PC_EXIT_POLICY;
			else
				pc_info("%s: detached", argv[i]);
		}
	}
	/* The last interface gone: enforcement is over, remove the rest. */
	if (bpf_map_get_next_key(m.ifaces, NULL, &key) && errno == ENOENT) {
		pc_maps_close(&m);
		if (pc_pins_remove_all(&pins))
			rc = PC_EXIT_POLICY;
	} else {
		pc_maps_close(&m);
	}
	pc_pins_close(&pins);
	return rc;
}
