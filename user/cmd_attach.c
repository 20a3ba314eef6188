// SPDX-License-Identifier: GPL-2.0-only
/* portcullis attach: fill the maps, then hook XDP ingress and TC egress. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "controller.h"
#include "datapath.h"

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

static int attach_option(int opt, const char *arg, void *ctx)
{
	struct pc_ctl_req *rq = ctx;

	switch (opt) {
	case PC_OPT_HOST:
		rq->host = arg;
		return 0;
	case PC_OPT_ROLE:
		rq->role = arg;
		return 0;
	case PC_OPT_PIN_ROOT:
		rq->pin_root = arg;
		return 0;
	case PC_OPT_FORCE:
		rq->hook.force = true;
		return 0;
	case PC_OPT_MODE:
		if (!strcmp(arg, "enforce"))
			rq->mode = PC_MODE_ENFORCE;
		else if (!strcmp(arg, "audit"))
			rq->mode = PC_MODE_AUDIT;
		else
			return pc_cli_usage_error("attach", "--mode is enforce or audit, not '%s'", arg);
		return 0;
	case PC_OPT_INGRESS:
		if (!strcmp(arg, "xdp") || !strcmp(arg, "tc"))
			rq->hook.tc_ingress = !strcmp(arg, "tc");
		else
			return pc_cli_usage_error("attach", "--ingress is xdp or tc, not '%s'", arg);
		return 0;
	case PC_OPT_XDP_MODE:
		if (!strcmp(arg, "native"))
			rq->hook.xdp_mode = PC_XDP_NATIVE;
		else if (!strcmp(arg, "generic") || !strcmp(arg, "skb"))
			rq->hook.xdp_mode = PC_XDP_GENERIC;
		else
			return pc_cli_usage_error("attach", "--xdp-mode is native or generic, not '%s'", arg);
		return 0;
	default:
		return PC_EXIT_USAGE;
	}
}

int pc_attach_parse(const char *cmd, const char *usage, int argc, char **argv,
		    struct pc_ctl_req *rq)
{
	const struct pc_cli_spec spec = {
		.cmd = cmd, .usage = usage, .shortopts = "c:h",
		.longopts = pc_attach_longopts, .extra = attach_option, .ctx = rq,
		.takes_args = true,
	};
	struct pc_cli_common o;
	int rc;

	memset(rq, 0, sizeof(*rq));
	rq->mode = -1;
	rc = pc_cli_parse(&spec, argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return pc_cli_usage_error(cmd, "name at least one interface");
	if (rq->host && rq->role)
		return pc_cli_usage_error(cmd, "give --host or --role, not both");
	rq->site = o.site;
	rq->ifaces = argv + optind;
	rq->nifaces = (size_t)(argc - optind);
	return -1;
}

int pc_cli_attach(const struct pc_ctl_req *rq)
{
	struct pc_ctl_res res;
	int rc;

	if (geteuid() != 0)
		pc_warn("not running as root: attaching needs CAP_BPF and CAP_NET_ADMIN");
	pc_libbpf_logging();
	if (pc_ctl_attach(rq, &res)) {
		rc = pc_cli_ctl_failed("attach", &res);
		pc_ctl_res_free(&res);
		return rc;
	}
	if (res.seed_err)
		pc_warn("cannot read the socket table to keep existing connections: %s",
			pc_strerror(res.seed_err));
	else if (res.seeded)
		pc_info("kept %zu existing connection%s", res.seeded,
			res.seeded == 1 ? "" : "s");
	for (size_t i = 0; i < rq->nifaces; i++)
		pc_info("%s: enforcing %s (%zu rules), %s mode, policy generation %u",
			rq->ifaces[i], res.name, res.nrules,
			res.audit ? "audit" : "enforce", res.generation);
	if (res.record_err)
		pc_warn("cannot record the loaded policy: %s", strerror(-res.record_err));
	pc_ctl_res_free(&res);
	return PC_EXIT_OK;
}

int pc_cmd_attach(int argc, char **argv)
{
	struct pc_ctl_req rq;
	int rc;

	rc = pc_attach_parse("attach", usage_text, argc, argv, &rq);
	return rc >= 0 ? rc : pc_cli_attach(&rq);
}
