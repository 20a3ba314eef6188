// SPDX-License-Identifier: GPL-2.0-only
/* portcullis attach: fill the maps, then hook XDP ingress and TC egress. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "confirm.h"
#include "controller.h"
#include "datapath.h"
#include "kernel_version.h"

static const struct pc_opt_choice xdp_modes[] = {
	{ "native", PC_XDP_NATIVE, false },
	{ "generic", PC_XDP_GENERIC, false },
	{ "skb", PC_XDP_GENERIC, true },
	{ NULL, 0, false },
};

static const struct pc_opt_choice ingress_hooks[] = {
	{ "xdp", PC_INGRESS_XDP, false },
	{ "tc", PC_INGRESS_TC, false },
	{ NULL, 0, false },
};

#define REQ struct pc_ctl_req
const struct pc_opt pc_attach_opts[] = {
	PC_OPT_SITE("the site file", REQ, site),
	PC_OPT_HOST("the site host this machine is", REQ, host),
	PC_OPT_ROLE("enforce the rules of any host of this kind", REQ, role),
	PC_OPT_FLAG("gateway", 0, "gateway mode: also judge the packets this machine\n"
		    "forwards (routed or bridged) against the whole\n"
		    "site's flows; its own by its host entry", REQ, gateway),
	PC_OPT_MODE("enforce (drop, default: the site's setting) or\n"
		    "audit (pass everything, count would-be drops)", REQ, mode),
	PC_OPT_CHOICE("xdp-mode", "MODE",
		      "native or generic (default: native, generic when\n"
		      "the driver has no native XDP)", REQ, hook.xdp_mode, xdp_modes),
	PC_OPT_CHOICE("ingress", "HOOK",
		      "xdp (default) or tc: judge ingress on clsact\n"
		      "ingress instead, after GRO (faster for bulk TCP\n"
		      "where the driver's XDP path gives up GRO, as on\n"
		      "veth; slower to drop floods)", REQ, hook.ingress, ingress_hooks),
	PC_OPT_STRING("cgroup", 0, "DIR",
		      "the cgroup v2 directory whose processes may not\n"
		      "open a path around TC egress (PACKET_QDISC_BYPASS,\n"
		      "AF_XDP); default: where an earlier attach put it,\n"
		      "else the root of the cgroup2 mount (every process)",
		      REQ, hook.cgroup),
	PC_OPT_PIN_ROOT(REQ, pin_root),
	PC_OPT_FLAG("force", 0, "replace an XDP program portcullis did not attach", REQ, hook.force),
	PC_OPT_FLAG("allow-empty", 0, "enforce even a policy that gives this host no peer\n"
		    "(everything but ARP and ND dropped)", REQ, allow_empty),
	PC_OPT_FLAG("cut-sessions", 0, "enforce even if it cuts TCP sessions in progress on\n"
		    "the interfaces (your own SSH session among them)", REQ, cut_sessions),
	PC_OPT_POSITIVE("confirm", "SECONDS", "roll back to what was in force before (or detach)\n"
			"unless 'portcullis confirm' comes within SECONDS", REQ, confirm),
	{ 0 },
};
#undef REQ

const struct pc_cmd_opts pc_attach_cmd = {
	.cmd = "attach",
	.args = "IFACE...",
	.about =
	"Compiles the rules of this host, fills every policy map, then attaches\n"
	"the XDP program (ingress, through a bpf_link pinned under the pin root)\n"
	"and the TC program (egress, clsact) to each interface, and a\n"
	"cgroup/setsockopt program that refuses the socket options which send\n"
	"below TC egress (settings: raw-socket-bypass). Enforcement goes\n"
	"on after the command exits. Run again to load a changed policy: the new\n"
	"rules replace the old ones in one step. Documented TCP connections that\n"
	"exist when enforcement starts are read from the socket table and kept;\n"
	"others are taken over by their next packet in the direction that opened\n"
	"them. If anything fails (a foreign XDP program on one interface, a full\n"
	"map), nothing changes: not the policy in force, nor any hook.\n"
	"A policy in which this host has no peer at all (no site file, or no\n"
	"host of it to talk to) is refused in enforce mode unless --allow-empty;\n"
	"so is one that would cut established TCP connections on the interfaces\n"
	"(an SSH session, $SSH_CONNECTION's above all): they are named, and\n"
	"--cut-sessions lets it cut them.\n"
	"With --gateway the machine is a gateway (a router, or a bridge: attach to\n"
	"the bridge ports) and the host entry it is (--host, or found by its\n"
	"addresses) is its own: packets it forwards pass when an enabled flow has\n"
	"a kind of their source as initiator and a kind of their destination as\n"
	"responder (replies through conntrack); packets to or from its own\n"
	"addresses are judged by its host rules. reload and the daemon keep it.",
	.opts = pc_attach_opts,
};

int pc_attach_parse(const struct pc_cmd_opts *c, int argc, char **argv,
		    struct pc_ctl_req *rq)
{
	int rc;

	memset(rq, 0, sizeof(*rq));
	rq->mode = -1;
	rc = pc_opts_parse(c, argc, argv, rq);
	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return pc_cli_usage_error(c->cmd, "name at least one interface");
	if (rq->host && rq->role)
		return pc_cli_usage_error(c->cmd, "give --host or --role, not both");
	if (rq->gateway && rq->role)
		return pc_cli_usage_error(c->cmd, "a gateway is a host of the site: give --host, not --role");
	rq->ifaces = argv + optind;
	rq->nifaces = (size_t)(argc - optind);
	return -1;
}

int pc_cli_attach(const struct pc_ctl_req *rq)
{
	struct pc_confirm cf;
	struct pc_ctl_res res;
	bool ok;
	int rc;

	if (geteuid() != 0)
		pc_warn("not running as root: attaching needs CAP_BPF and CAP_NET_ADMIN");
	if (pc_kernel_check())
		return PC_EXIT_POLICY;
	if (pc_cli_confirm_start(rq, &cf))
		return PC_EXIT_POLICY;
	ok = pc_ctl_attach(rq, &res) == 0;
	rc = pc_cli_confirm_arm(rq, &cf, ok);
	if (!ok) {
		rc = pc_cli_ctl_failed("attach", &res);
		pc_ctl_res_free(&res);
		return rc;
	}
	if (res.sessions_err)
		pc_warn("cannot read the socket table to find sessions the policy would cut: %s",
			pc_strerror(res.sessions_err));
	if (res.seed_err)
		pc_warn("cannot read the socket table to keep existing connections: %s",
			pc_strerror(res.seed_err));
	else if (res.seeded)
		pc_info("kept %zu existing connection%s", res.seeded,
			res.seeded == 1 ? "" : "s");
	for (size_t i = 0; i < rq->nifaces; i++)
		pc_info("%s: enforcing %s%s (%zu rules), %s mode, policy generation %u",
			rq->ifaces[i], rq->gateway ? "gateway " : "", res.name, res.nrules,
			res.audit ? "audit" : "enforce", res.generation);
	if (res.record_err)
		pc_warn("cannot record the loaded policy: %s", strerror(-res.record_err));
	pc_ctl_res_free(&res);
	return rc;
}

int pc_cmd_attach(int argc, char **argv)
{
	struct pc_ctl_req rq;
	int rc;

	rc = pc_attach_parse(&pc_attach_cmd, argc, argv, &rq);
	return rc >= 0 ? rc : pc_cli_attach(&rq);
}
