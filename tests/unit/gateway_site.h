/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The gateway site of the gateway tests (unit and prog): a router gw
 * (192.0.2.1, 198.51.100.1) between the management segment (mgr, cli,
 * dhcp) and the appliances behind it (bmc, bmc2, svp, a linux group);
 * its own management is a site flow from the management clients.
 */
#ifndef PC_GATEWAY_SITE_H
#define PC_GATEWAY_SITE_H

static const char gw_site[] =
	"site: gw-test\n"
	"kinds: [router]\n"
	"hosts:\n"
	"  - { name: mgr, kinds: [management-server], os: windows,\n"
	"      addresses: [192.0.2.10, \"2001:db8:a::10\"] }\n"
	"  - { name: cli, kinds: [management-client], addresses: [192.0.2.20] }\n"
	"  - { name: dhcp, kinds: [dhcp-server], addresses: [192.0.2.53] }\n"
	"  - { name: bmc, kinds: [bmc], gateway: gw,\n"
	"      addresses: [198.51.100.41, \"2001:db8:b::41\"] }\n"
	"  - { name: bmc2, kinds: [bmc], gateway: gw, addresses: [198.51.100.42] }\n"
	"  - { name: svp, kinds: [svp], gateway: gw, addresses: [198.51.100.40] }\n"
	"  - { name: lin, kinds: [linux], gateway: gw, addresses: [198.51.100.16/28] }\n"
	"  - { name: gw, kinds: [router], addresses: [192.0.2.1, 198.51.100.1] }\n"
	"segments: [192.0.2.0/24, 198.51.100.0/24]\n"
	"flows:\n"
	"  - id: site-gw-ssh\n"
	"    purpose: the gateway's own management\n"
	"    protocols: [tcp]\n"
	"    initiator: { kinds: [management-client], port: auto }\n"
	"    responder: { hosts: [gw], port: 22 }\n";

#endif
