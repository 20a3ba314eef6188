// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: any bytes as a site file next to the built-in catalog.
 * Whatever the input, loading must end in success or positioned errors,
 * never a crash, hang or leak; a policy that loads must also compile for
 * each of its hosts and judge a packet.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "classify.h"
#include "packet_spec.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A small catalog with every feature, so that runs are fast. */
static const char catalog[] =
	"catalog: fuzz\n"
	"kind-groups:\n  managed-server: [windows, linux]\n"
	"parameters:\n"
	"  - {name: auto-ports, default: 1024-65535}\n"
	"  - {name: http-port, default: 22015}\n"
	"  - {name: trap-port, default: 162, fallback: 22601}\n"
	"  - {name: eph, default: 49152-65535}\n"
	"parts:\n  - {name: deployment-manager}\n  - {name: separate-dhcp-server}\n"
	"flows:\n"
	"  - {id: A-1.1-http, table: A-1, row: 1, purpose: {ja: x, en: y}, protocols: [tcp],\n"
	"     initiator: {kinds: [management-client], port: auto},\n"
	"     responder: {kinds: [management-server], process: cjstartsv, port: $http-port}}\n"
	"  - {id: A-2.1-wmi, table: A-2, row: 1, purpose: w, protocols: [tcp, udp],\n"
	"     initiator: {kinds: [management-server], port: auto},\n"
	"     responder: {kinds: [windows], port: [135, $eph]}}\n"
	"  - {id: A-2.11-wol, table: A-2, row: 11, purpose: w, protocols: udp,\n"
	"     addressing: [limited-broadcast, directed-broadcast],\n"
	"     initiator: {kinds: [management-server], port: auto},\n"
	"     responder: {kinds: [managed-server], port: 5561}}\n"
	"  - {id: A-3.1-dhcp, table: A-3, row: 1, purpose: d, protocols: [udp],\n"
	"     addressing: [limited-broadcast, unicast], unspecified-source: true,\n"
	"     parts: [deployment-manager, separate-dhcp-server],\n"
	"     initiator: {kinds: [managed-server], port: 68},\n"
	"     responder: {kinds: [management-server], port: 67}}\n";

/* The catalog itself must load, or every run would stop at it. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pc_diags diags = { 0 };
	struct pc_policy p;

	(void)argc;
	(void)argv;
	if (pc_policy_load_text(&p, "catalog.yaml", catalog, sizeof(catalog) - 1,
				NULL, NULL, 0, &diags)) {
		pc_diags_print(&diags);
		abort();
	}
	pc_diags_free(&diags);
	pc_policy_free(&p);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pc_diags diags = { 0 };
	struct pc_policy p;

	if (pc_policy_load_text(&p, "catalog.yaml", catalog,
				sizeof(catalog) - 1, "fuzz.yaml",
				(const char *)data, size, &diags) == 0) {
		for (size_t i = 0; i < p.nhosts; i++) {
			struct pc_ruleset rs;
			struct pc_tuple t = { .dir = PC_DIR_INGRESS, .proto = IPPROTO_TCP,
					      .local_port = 22, .remote_port = 40000 };
			struct pc_verdict v;

			pc_compile_host(&p, p.hosts[i].name, &rs);
			t.remote = p.hosts[i].addrs[0];
			pc_classify(&rs, &t, &v);
			pc_ruleset_free(&rs);
		}
	} else if (diags.count == 0) {
		abort(); /* a failure must always say why */
	}
	pc_diags_free(&diags);
	pc_policy_free(&p);
	return 0;
}
