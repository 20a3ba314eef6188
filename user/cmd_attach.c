// SPDX-License-Identifier: GPL-2.0-only
/* portcullis attach: fill the maps, then hook XDP ingress and TC egress. */
#include <bpf/bpf.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "datapath.h"
#include "kernel_version.h"
#include "loader.h"
#include "portcullis.skel.h"
#include "reload.h"
#include "seed.h"

static const char usage_text[] =
	"Usage: portcullis attach [-c SITE] [--host NAME | --role KIND]\n"
	"                         [--mode enforce|audit] [--xdp-mode native|generic]\n"
	"                         [--ingress xdp|tc]\n"
	"                         [--pin-root DIR] [--force] IFACE...\n\n"
	"Compiles the rules of this host, fills every policy map, then attaches\n"
	"the XDP program (ingress, through a bpf_link pinned under the pin root)\n"
	"and the TC program (egress, clsact) to each interface. Enforcement goes\n"
	"on after the command exits. Run again to load a changed policy: the new\n"
	"rules replace the old ones in one step. Documented TCP connections that\n"
	"exist when enforcement starts are read from the socket table and kept;\n"
	"others are taken over by their next packet in the direction that opened\n"
	"them.\n\n"
	"  -c, --config SITE      the site file\n"
	"      --host NAME        the site host this machine is\n"
	"      --role KIND        enforce the rules of any host of this kind\n"
	"      --mode MODE        enforce (drop, default: the site's setting) or\n"
	"                         audit (pass everything, count would-be drops)\n"
	"      --xdp-mode MODE    native or generic (default: native, generic when\n"
	"                         the driver has no native XDP)\n"
	"      --ingress HOOK     xdp (default) or tc: judge ingress on clsact\n"
	"                         ingress instead, after GRO (faster for bulk TCP\n"
	"                         where the driver's XDP path gives up GRO, as on\n"
	"                         veth; slower to drop floods)\n"
	"      --pin-root DIR     where pins live (default " PC_DEFAULT_PIN_ROOT ")\n"
	"      --force            replace an XDP program portcullis did not attach\n"
	"  -h, --help             this text\n";

const struct option pc_attach_longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "host", required_argument, NULL, PC_OPT_HOST },
	{ "role", required_argument, NULL, PC_OPT_ROLE },
	{ "mode", required_argument, NULL, PC_OPT_MODE },
	{ "xdp-mode", required_argument, NULL, PC_OPT_XDP_MODE },
	{ "ingress", required_argument, NULL, PC_OPT_INGRESS },
	{ "pin-root", required_argument, NULL, PC_OPT_PIN_ROOT },
	{ "force", no_argument, NULL, PC_OPT_FORCE },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

struct attach_opts {
	const char *host, *role, *pin_root;
	int mode; /* -1: the site's */
	struct pc_attach_opts a;
};

static int attach_option(int opt, const char *arg, void *ctx)
{
	struct attach_opts *ao = ctx;

	switch (opt) {
	case PC_OPT_HOST:
		ao->host = arg;
		return 0;
	case PC_OPT_ROLE:
		ao->role = arg;
		return 0;
	case PC_OPT_PIN_ROOT:
		ao->pin_root = arg;
		return 0;
	case PC_OPT_FORCE:
		ao->a.force = true;
		return 0;
	case PC_OPT_MODE:
		if (!strcmp(arg, "enforce"))
			ao->mode = PC_MODE_ENFORCE;
		else if (!strcmp(arg, "audit"))
			ao->mode = PC_MODE_AUDIT;
		else
			return pc_cli_usage_error("attach", "--mode is enforce or audit, not '%s'", arg);
		return 0;
	case PC_OPT_INGRESS:
		if (!strcmp(arg, "xdp") || !strcmp(arg, "tc"))
			ao->a.tc_ingress = !strcmp(arg, "tc");
		else
			return pc_cli_usage_error("attach", "--ingress is xdp or tc, not '%s'", arg);
		return 0;
	case PC_OPT_XDP_MODE:
		if (!strcmp(arg, "native"))
			ao->a.xdp_mode = PC_XDP_NATIVE;
		else if (!strcmp(arg, "generic") || !strcmp(arg, "skb"))
			ao->a.xdp_mode = PC_XDP_GENERIC;
		else
			return pc_cli_usage_error("attach", "--xdp-mode is native or generic, not '%s'", arg);
		return 0;
	default:
		return PC_EXIT_USAGE;
	}
}

/* Whether the pinned maps record any interface. */
static bool any_attached(const struct pc_pins *pins)
{
	struct pc_maps m;
	uint32_t key;
	bool any;

	if (pc_maps_open_pinned(&m, pins->root))
		return false;
	any = bpf_map_get_next_key(m.ifaces, NULL, &key) == 0;
	pc_maps_close(&m);
	return any;
}

int pc_cmd_attach(int argc, char **argv)
{
	struct attach_opts ao = { .mode = -1 };
	const struct pc_cli_spec spec = {
		.cmd = "attach", .usage = usage_text, .shortopts = "c:h",
		.longopts = pc_attach_longopts, .extra = attach_option, .ctx = &ao,
		.takes_args = true,
	};
	struct portcullis *skel = NULL;
	struct pc_load_info info;
	struct pc_cli_common o;
	struct pc_settings set;
	struct pc_ruleset rs;
	struct pc_policy p;
	struct pc_pins pins;
	struct pc_maps m;
	char probe[PATH_MAX + 32];
	size_t seeded, site_len;
	char *site_text;
	bool existed;
	int rc, err, first;

	rc = pc_cli_parse(&spec, argc, argv, &o);
	if (rc >= 0)
		return rc;
	first = optind;
	if (first >= argc)
		return pc_cli_usage_error("attach", "name at least one interface");
	if (ao.host && ao.role)
		return pc_cli_usage_error("attach", "give --host or --role, not both");
	for (int i = first; i < argc; i++) {
		if (!if_nametoindex(argv[i])) {
			pc_err("cannot attach to %s: the interface does not exist", argv[i]);
			return PC_EXIT_POLICY;
		}
	}
	if (geteuid() != 0)
		pc_warn("not running as root: attaching needs CAP_BPF and CAP_NET_ADMIN");
	if (pc_kernel_check())
		return PC_EXIT_POLICY;
	rc = pc_cli_load_policy(o.site, &p, &site_text, &site_len);
	if (rc)
		return rc;
	rc = pc_cli_compile("attach", &p, ao.host, ao.role, &rs);
	if (rc) {
		pc_policy_free(&p);
		free(site_text);
		return rc;
	}
	set = p.settings;
	if (ao.mode >= 0)
		set.mode = (enum pc_mode)ao.mode;

	pc_libbpf_logging();
	rc = PC_EXIT_POLICY;
	existed = true;
	if (pc_pins_open(&pins, ao.pin_root, true))
		goto out;
	snprintf(probe, sizeof(probe), "%s/maps/%s", pins.root, PC_MAP_CONFIG);
	existed = access(probe, F_OK) == 0;
	if (pc_dp_load(&pins, set.ct_max_connections, &skel))
		goto out_unlock;
	pc_maps_from_skel(&m, skel);
	if (pc_dp_check_netns(&m))
		goto out_skel;
	/* Every map first: no moment of deny-all without the allow rules. */
	err = pc_loader_load(&m, &rs, &set, &info);
	if (err) {
		pc_err("cannot load the rules of %s into the maps: %s", rs.name,
		       err == -E2BIG ? "a map is full (more than 256 rules, 1,048,576 addresses or 16,384 prefixes, or 1,023 paths)" :
				       pc_strerror(err));
		goto out_skel;
	}
	/* Connections that are already up keep working whoever speaks next. */
	err = pc_seed_connections(&m, &rs, &seeded);
	if (err)
		pc_warn("cannot read the socket table to keep existing connections: %s",
			pc_strerror(err));
	else if (seeded)
		pc_info("kept %zu existing connection%s", seeded, seeded == 1 ? "" : "s");
	rc = PC_EXIT_OK;
	for (int i = first; i < argc; i++) {
		int ifindex = (int)if_nametoindex(argv[i]);

		if (!ifindex) {
			pc_err("cannot attach to %s: the interface does not exist", argv[i]);
			rc = PC_EXIT_POLICY;
			continue;
		}
		if (pc_dp_attach(&pins, skel, &m, ifindex, argv[i], &ao.a)) {
			rc = PC_EXIT_POLICY;
			continue;
		}
		pc_info("%s: enforcing %s (%zu rules), %s mode, policy generation %u",
			argv[i], rs.name, rs.nrules,
			set.mode == PC_MODE_AUDIT ? "audit" : "enforce", info.generation);
	}
	/* What reload needs to know: where this policy came from. */
	if (rc == PC_EXIT_OK &&
	    (err = pc_reload_record(pins.root, o.site, site_text, site_len,
				    rs.host ? rs.host->name : NULL,
				    rs.host ? NULL : rs.name, ao.mode)))
		pc_warn("cannot record the loaded policy: %s", strerror(-err));
out_skel:
	portcullis__destroy(skel);
out_unlock:
	/* A first attach that attached nothing leaves nothing behind. */
	if (rc != PC_EXIT_OK && !existed && !any_attached(&pins))
		pc_pins_remove_all(&pins);
	pc_pins_close(&pins);
out:
	pc_ruleset_free(&rs);
	pc_policy_free(&p);
	free(site_text);
	return rc;
}
