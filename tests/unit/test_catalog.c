// SPDX-License-Identifier: GPL-2.0-only
/*
 * The built-in catalog against the seed document (HCSM A.4, tables A-1 to
 * every row, every field, as the Japanese original has it.
 */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define U PC_ADDRESSING_UNICAST
#define LB PC_ADDRESSING_LIMITED_BCAST
#define DB PC_ADDRESSING_DIRECTED_BCAST
#define MS "management-server"
#define MC "management-client"
/* 管理対象サーバ */
#define MGD "windows,hyper-v,linux,esxi"
#define DM "deployment-manager"
#define DM_SEP "deployment-manager,separate-dhcp-server"

struct row {
	const char *name; /* table.row */
	const char *protos;
	const char *app;
	const char *ikinds, *iproc, *iports;
	const char *rkinds, *rproc, *rports;
	unsigned addressing;
	bool unspec;
	const char *parts;
};

/* initiator -> responder, as the seed's README rebuilds each row. */
static const struct row rows[] = {
	/* management client -> management server (cjstartsv) */
	{ "A-1.1", "tcp", "HTTP", MC, NULL, "auto", MS, "cjstartsv", "$hcsm-http-port", U, false, "" },
	{ "A-1.2", "tcp", "HTTPS", MC, NULL, "auto", MS, "cjstartsv", "$hcsm-https-port", U, false, "" },
	/* management server <-> managed resources */
	{ "A-2.1", "tcp,udp", "WMI/DCOM", MS, "cjstartsv", "auto", "windows,hyper-v", NULL, "135,$windows-ephemeral-ports", U, false, "" },
	{ "A-2.2", "tcp", "WinRM/HTTP", MS, "cjstartsv", "auto", "windows,hyper-v", NULL, "$winrm-port", U, false, "" },
	{ "A-2.3", "tcp", "SSH", MS, "cjstartsv", "auto", "linux", "sshd", "$linux-ssh-port", U, false, "" },
	{ "A-2.4", "tcp", NULL, MS, "cjstartsv", "auto", "esxi", NULL, "443", U, false, "" },
	{ "A-2.5", "tcp", "SSL", MS, "cjstartsv", "auto", "svp,bmc", NULL, "$svp-bmc-https-port", U, false, "" },
	{ "A-2.6", "tcp", "SSH", MS, "cjstartsv", "auto", "bmc", NULL, "$bmc-ssh-port", U, false, "" },
	{ "A-2.7", "udp", "RMCP", "bmc", NULL, "623", MS, "cjstartsv", "auto", U, false, "" },
	{ "A-2.8", "udp", "RMCP", MS, "cjstartsv", "auto", "bmc", NULL, "623", U, false, "" },
	{ "A-2.9", "udp", "WoL", MS, "cjstartsv", "auto", MGD, NULL, "0", LB, false, "" },
	{ "A-2.10", "udp", "WoL", MS, "cjstartsv", "auto", MGD, NULL, "0", U, false, "" },
	{ "A-2.11", "udp", "WoL", MS, "magicsend", "auto", MGD, NULL, "5561", LB | DB, false, "" },
	{ "A-2.12", "udp", NULL, "windows,linux,hyper-v", NULL, "auto", MS, "cjstartsv", "$snmp-trap-port", U, false, "" },
	{ "A-2.13", "tcp", NULL, "svp,bmc,hvm", NULL, "auto", MS, "cjstartsv", "$alert-port", U, false, "" },
	{ "A-2.14", "tcp", NULL, MS, "cjstartsv", "auto", "hvm", NULL, "23401", U, false, "" },
	/* Deployment Manager on a Windows management server */
	{ "A-3.1", "udp", "DHCP", MGD, NULL, "68", MS, "pxesvc", "67", LB | U, true, DM_SEP },
	{ "A-3.2", "udp", NULL, MGD, NULL, "68", MS, "pxesvc", "4011", U, false, DM },
	{ "A-3.3", "udp", NULL, MGD, NULL, "4011", MS, "pxesvc", "4011", U, false, DM },
	{ "A-3.4", "udp", "TFTP", MGD, NULL, "auto", MS, "pxemtftp", "69", U, false, DM },
	{ "A-3.5", "tcp", NULL, MGD, NULL, "auto", MS, "bkressvc", "$bkressvc-port-26503", U, false, DM },
	{ "A-3.6", "tcp", NULL, MGD, NULL, "auto", MS, "bkressvc", "$bkressvc-port-26502", U, false, DM },
	{ "A-3.7", "udp", "DHCP", MS, "pxesvc", "67", MGD, NULL, "68", LB | U, false, DM_SEP },
	{ "A-3.8", "udp", NULL, MS, "pxesvc", "67", MGD, NULL, "68", U, false, DM },
	{ "A-3.9", "udp", NULL, MS, "pxesvc", "67", MGD, NULL, "4011", U, false, DM },
	{ "A-3.10", "udp", "TFTP", MS, "pxemtftp", "69", MGD, NULL, "auto", U, false, DM },
	{ "A-3.11", "tcp", NULL, MGD, NULL, "auto", MS, "ftsvc", "$ftsvc-port", U, false, DM },
	{ "A-3.12", "tcp", NULL, MGD, NULL, "auto", MS, "ftsvc", "$ftsvc-port", U, false, DM },
	{ "A-3.13", "tcp", NULL, MGD, NULL, "auto", MS, "ftsvc", "$ftsvc-port", U, false, DM },
	{ "A-3.14", "udp", "DHCP", MGD, NULL, "68", MS, "pxesvc", "4011", LB, true, DM },
	{ "A-3.15", "udp", "TFTP", MGD, NULL, "auto", MS, "pxemtftp", "69", U, false, DM },
	{ "A-3.16", "udp", "DHCP", MS, "pxesvc", "67", MGD, NULL, "68", LB, false, DM },
	{ "A-3.17", "udp", "TFTP", MS, "pxemtftp", "69", MGD, NULL, "auto", U, false, DM },
	{ "A-3.18", "tcp", NULL, MGD, NULL, "auto", MS, "ftsvc", "$ftsvc-port", U, false, DM },
	{ "A-3.19", "tcp", NULL, MGD, NULL, "auto", MS, "bkressvc", "$bkressvc-port-26501", U, false, DM },
	{ "A-3.20", "tcp", NULL, MGD, NULL, "auto", MS, "ftsvc", "$ftsvc-port", U, false, DM },
	{ "A-3.21", "tcp", NULL, MGD, NULL, "auto", MS, "bkressvc", "$bkressvc-port-26501", U, false, DM },
	/* management server -> external servers */
	{ "A-4.1", "tcp", "SMTP", MS, "cjstartsv", "auto", "smtp-server", NULL, "$smtp-port", U, false, "" },
	{ "A-4.2", "tcp", "HTTP", MS, "cjstartsv", "auto", "device-manager", NULL, "$device-manager-http-port", U, false, "" },
	{ "A-4.3", "tcp", "HTTPS", MS, "cjstartsv", "auto", "device-manager", NULL, "$device-manager-https-port", U, false, "" },
	{ "A-4.4", "tcp,udp", NULL, MS, "cjstartsv", "auto", "auth-server", NULL, "$kerberos-port", U, false, "" },
	{ "A-4.5", "tcp,udp", NULL, MS, "cjstartsv", "auto", "auth-server", NULL, "$ldap-port", U, false, "" },
	/* management client -> managed resources */
	{ "A-5.1", "tcp", "HTTP", MC, NULL, "auto", "svp", NULL, "80", U, false, "" },
	{ "A-5.2", "tcp", "HTTPS", MC, NULL, "auto", "svp", NULL, "443", U, false, "" },
	{ "A-5.3", "tcp", "HTTP", MC, NULL, "auto", "bmc", NULL, "80", U, false, "" },
	{ "A-5.4", "tcp", "HTTPS", MC, NULL, "auto", "bmc", NULL, "443", U, false, "" },
	{ "A-5.5", "tcp", NULL, MC, NULL, "auto", "bmc", NULL, "$bmc-kvm-port", U, false, "" },
	/* managed resources <-> external DHCP server */
	{ "A-6.1", "udp", "DHCP", "dhcp-server", NULL, "67", MGD, NULL, "68", LB | U, false, DM },
	{ "A-6.2", "udp", "DHCP", MGD, NULL, "68", "dhcp-server", NULL, "67", LB | U, true, DM },
};

#define NROWS (sizeof(rows) / sizeof(*rows))

struct param {
	const char *name;
	uint16_t lo, hi;
	int fallback; /* -1: none */
};

/* The changeable ports (変更可) with the seed's defaults; "n または m". */
static const struct param params[] = {
	{ "auto-ports", 1024, 65535, -1 },
	{ "hcsm-http-port", 22015, 22015, -1 },
	{ "hcsm-https-port", 22016, 22016, -1 },
	{ "windows-ephemeral-ports", 49152, 65535, -1 },
	{ "winrm-port", 5985, 5985, -1 },
	{ "linux-ssh-port", 22, 22, -1 },
	{ "svp-bmc-https-port", 443, 443, -1 },
	{ "bmc-ssh-port", 22, 22, -1 },
	{ "snmp-trap-port", 162, 162, 22601 },
	{ "alert-port", 22611, 22611, -1 },
	{ "bkressvc-port-26503", 26503, 26503, 56030 },
	{ "bkressvc-port-26502", 26502, 26502, 56022 },
	{ "bkressvc-port-26501", 26501, 26501, 56020 },
	{ "ftsvc-port", 26508, 26508, 56023 },
	{ "smtp-port", 25, 25, -1 },
	{ "device-manager-http-port", 2001, 2001, -1 },
	{ "device-manager-https-port", 2443, 2443, -1 },
	{ "kerberos-port", 88, 88, -1 },
	{ "ldap-port", 389, 389, -1 },
	{ "bmc-kvm-port", 5001, 5001, -1 },
};

static const struct pc_flow *find_row(const struct pc_policy *p, const char *name)
{
	const struct pc_flow *found = NULL;

	for (size_t i = 0; i < p->nflows; i++) {
		if (!tu_flow_is(&p->flows[i], name))
			continue;
		if (found)
			fail_msg("%s: two flows", name);
		found = &p->flows[i];
	}
	if (!found)
		fail_msg("%s: no such flow in the catalog", name);
	return found;
}

static unsigned protos(const char *s)
{
	if (strcmp(s, "tcp") == 0)
		return PC_PROTO_TCP;
	if (strcmp(s, "udp") == 0)
		return PC_PROTO_UDP;
	return PC_PROTO_TCP | PC_PROTO_UDP;
}

static uint64_t parts_mask(const struct pc_policy *p, const char *csv)
{
	char buf[128];
	char *save = NULL;
	uint64_t m = 0;

	snprintf(buf, sizeof(buf), "%s", csv);
	for (char *n = strtok_r(buf, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < p->nparts; i++)
			if (strcmp(p->parts[i].name, n) == 0)
				break;
		if (i == p->nparts)
			fail_msg("part '%s' is not in the catalog", n);
		m |= 1ull << i;
	}
	return m;
}

static void check_str(const char *row, const char *field, const char *want,
		      const char *got)
{
	if (!want && !got)
		return;
	if (!want || !got || strcmp(want, got) != 0)
		fail_msg("%s: %s is '%s', the seed says '%s'", row, field,
			 got ? got : "(none)", want ? want : "(none)");
}

static void load_builtin(void)
{
	struct pc_diags d = { 0 };
	int err = pc_policy_load(&tu_fx.p, NULL, &d);

	tu_print_diags(&d);
	assert_int_equal(d.count, 0);
	pc_diags_free(&d);
	assert_int_equal(err, 0);
}

static void test_row_counts(void **state)
{
	static const struct { const char *table; int rows; } tables[] = {
		{ "A-1", 2 }, { "A-2", 14 }, { "A-3", 21 },
		{ "A-4", 5 }, { "A-5", 5 }, { "A-6", 2 },
	};
	const struct pc_policy *p = &tu_fx.p;

	(void)state;
	load_builtin();
	assert_int_equal(p->nflows, 49);
	assert_int_equal(p->ncatalog_flows, 49);
	assert_int_equal(NROWS, 49);
	for (size_t t = 0; t < 6; t++) {
		int count = 0;

		for (size_t i = 0; i < p->nflows; i++)
			count += strcmp(p->flows[i].table, tables[t].table) == 0;
		if (count != tables[t].rows)
			fail_msg("table %s has %d rows, the seed has %d",
				 tables[t].table, count, tables[t].rows);
		/* Rows 1..n, each exactly once. */
		for (int r = 1; r <= tables[t].rows; r++) {
			char name[16];

			snprintf(name, sizeof(name), "%s.%d", tables[t].table, r);
			find_row(p, name);
		}
	}
}

static void test_ids_unique(void **state)
{
	const struct pc_policy *p = &tu_fx.p;

	(void)state;
	load_builtin();
	for (size_t i = 0; i < p->nflows; i++) {
		assert_non_null(p->flows[i].id);
		assert_true(strlen(p->flows[i].id) > 0);
		assert_false(p->flows[i].from_site);
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->flows[i].id, p->flows[j].id) == 0)
				fail_msg("id '%s' is used twice", p->flows[i].id);
		/* The stable path id starts with its table and row. */
		char prefix[24];

		snprintf(prefix, sizeof(prefix), "%s.%d-", p->flows[i].table,
			 p->flows[i].row);
		if (strncmp(p->flows[i].id, prefix, strlen(prefix)) != 0)
			fail_msg("id '%s' does not start with '%s'", p->flows[i].id, prefix);
	}
}

static void check_row(const struct pc_policy *p, const struct row *x)
{
	const struct pc_flow *f = find_row(p, x->name);
	char buf[256];

	if (f->protocols != protos(x->protos))
		fail_msg("%s: protocols are %s, the seed says %s", x->name,
			 pc_protocols_format(f->protocols), x->protos);
	check_str(x->name, "application", x->app, f->application);
	if (f->initiator.kinds != tu_kinds(p, x->ikinds))
		fail_msg("%s: initiator kinds are %s, the seed says %s", x->name,
			 pc_kinds_format(p, f->initiator.kinds, buf, sizeof(buf)), x->ikinds);
	if (f->responder.kinds != tu_kinds(p, x->rkinds))
		fail_msg("%s: responder kinds are %s, the seed says %s", x->name,
			 pc_kinds_format(p, f->responder.kinds, buf, sizeof(buf)), x->rkinds);
	assert_int_equal(f->initiator.nhosts, 0);
	assert_int_equal(f->responder.nhosts, 0);
	check_str(x->name, "initiator process", x->iproc, f->initiator.process);
	check_str(x->name, "responder process", x->rproc, f->responder.process);
	check_str(x->name, "initiator port", x->iports,
		  tu_ports(p, &f->initiator.ports, buf, sizeof(buf)));
	check_str(x->name, "responder port", x->rports,
		  tu_ports(p, &f->responder.ports, buf, sizeof(buf)));
	if (f->addressing != x->addressing)
		fail_msg("%s: addressing is %s", x->name,
			 pc_addressing_format(f->addressing, buf, sizeof(buf)));
	if (f->unspecified_source != x->unspec)
		fail_msg("%s: unspecified_source is %d, should be %d", x->name,
			 f->unspecified_source, x->unspec);
	if (f->parts != parts_mask(p, x->parts))
		fail_msg("%s: parts mask is %#llx, should be %s", x->name,
			 (unsigned long long)f->parts, x->parts[0] ? x->parts : "(none)");
	assert_non_null(f->purpose_ja);
	assert_non_null(f->purpose_en);
}

static void test_every_row(void **state)
{
	(void)state;
	load_builtin();
	for (size_t i = 0; i < NROWS; i++)
		check_row(&tu_fx.p, &rows[i]);
}

static void test_parameters(void **state)
{
	const struct pc_policy *p = &tu_fx.p;

	(void)state;
	load_builtin();
	for (size_t i = 0; i < sizeof(params) / sizeof(*params); i++) {
		const struct param *x = &params[i];
		const struct pc_param *prm = NULL;

		for (size_t j = 0; j < p->nparams; j++)
			if (strcmp(p->params[j].name, x->name) == 0)
				prm = &p->params[j];
		if (!prm)
			fail_msg("parameter '%s' is missing", x->name);
		if (prm->def.lo != x->lo || prm->def.hi != x->hi)
			fail_msg("%s: default %u-%u, should be %u-%u", x->name,
				 prm->def.lo, prm->def.hi, x->lo, x->hi);
		if (prm->has_fallback != (x->fallback >= 0) ||
		    (x->fallback >= 0 && prm->fallback != x->fallback))
			fail_msg("%s: fallback %d/%u, should be %d", x->name,
				 prm->has_fallback, prm->fallback, x->fallback);
		/* Without a site, the value in force is the default. */
		assert_int_equal(prm->nvalues, 1);
		assert_int_equal(prm->values[0].lo, x->lo);
		assert_int_equal(prm->values[0].hi, x->hi);
		assert_int_equal(prm->set_at.line, 0);
	}
	assert_int_equal(p->nparams, sizeof(params) / sizeof(*params));
}

/* Ports as the compiler sees them: auto and parameters expanded. */
static void test_port_ranges(void **state)
{
	static const struct {
		const char *row;
		bool responder;
		size_t n;
		struct pc_port_range r[2];
	} cases[] = {
		{ "A-2.1", true, 2, { { 135, 135 }, { 49152, 65535 } } },
		{ "A-2.1", false, 1, { { 1024, 65535 } } },
		{ "A-2.7", false, 1, { { 623, 623 } } },
		{ "A-2.7", true, 1, { { 1024, 65535 } } },
		{ "A-2.9", true, 1, { { 0, 0 } } },
		{ "A-2.11", true, 1, { { 5561, 5561 } } },
		{ "A-2.12", true, 1, { { 162, 162 } } },
		{ "A-3.5", true, 1, { { 26503, 26503 } } },
		{ "A-3.6", true, 1, { { 26502, 26502 } } },
		{ "A-3.19", true, 1, { { 26501, 26501 } } },
		{ "A-3.11", true, 1, { { 26508, 26508 } } },
		{ "A-4.4", true, 1, { { 88, 88 } } },
		{ "A-5.5", true, 1, { { 5001, 5001 } } },
	};
	const struct pc_policy *p = &tu_fx.p;

	(void)state;
	load_builtin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct pc_flow *f = find_row(p, cases[i].row);
		const struct pc_endpoint *e = cases[i].responder ? &f->responder : &f->initiator;
		struct pc_port_range out[8];
		size_t n = pc_port_spec_ranges(p, &e->ports, out, 8);

		if (n != cases[i].n)
			fail_msg("%s %s: %zu ranges, should be %zu", cases[i].row,
				 cases[i].responder ? "responder" : "initiator", n, cases[i].n);
		for (size_t j = 0; j < n; j++)
			if (out[j].lo != cases[i].r[j].lo || out[j].hi != cases[i].r[j].hi)
				fail_msg("%s: range %zu is %u-%u, should be %u-%u",
					 cases[i].row, j, out[j].lo, out[j].hi,
					 cases[i].r[j].lo, cases[i].r[j].hi);
	}
}

static void test_parts_all_on_without_site(void **state)
{
	const struct pc_policy *p = &tu_fx.p;

	(void)state;
	load_builtin();
	assert_int_equal(p->nparts, 2);
	parts_mask(p, DM_SEP);
	for (size_t i = 0; i < p->nparts; i++)
		assert_true(p->parts[i].enabled);
	for (size_t i = 0; i < p->nflows; i++)
		assert_true(pc_flow_enabled(p, &p->flows[i]));
	assert_null(p->site_name);
	assert_int_equal(p->nhosts, 0);
}

/* The catalog's own kinds: the parties of A.4. */
static void test_builtin_kinds(void **state)
{
	static const char *const kinds[] = {
		"management-server", "management-client", "windows", "hyper-v",
		"linux", "esxi", "svp", "bmc", "hvm", "smtp-server",
		"device-manager", "auth-server", "dhcp-server",
	};
	const struct pc_policy *p = &tu_fx.p;

	(void)state;
	load_builtin();
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		assert_true(pc_policy_find_kind(p, kinds[i]) >= 0);
	assert_int_equal(pc_policy_find_kind(p, "managed-server"), -1);
	assert_int_equal(pc_policy_find_kind(p, "nonsense"), -1);
}

/* The same text through pc_policy_load_text gives the same catalog. */
static void test_load_text_same(void **state)
{
	struct pc_policy *p = &tu_fx.p;

	(void)state;
	tu_load_ok(p, NULL);
	assert_int_equal(p->nflows, 49);
	assert_non_null(pc_policy_find_flow(p, p->flows[0].id));
	assert_null(pc_policy_find_flow(p, "A-9.9-nothing"));
	assert_ptr_equal(find_row(p, "A-3.1"), pc_policy_find_flow(p, find_row(p, "A-3.1")->id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_row_counts, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_ids_unique, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_every_row, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_parameters, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_port_ranges, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_parts_all_on_without_site, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_builtin_kinds, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_load_text_same, tu_setup, tu_teardown),
	};

	return cmocka_run_group_tests_name("catalog", tests, NULL, NULL);
}
