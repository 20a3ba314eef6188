// SPDX-License-Identifier: GPL-2.0-only
/* Option tables: what getopt_long makes of a command line, and --help. */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "datapath.h"
#include "options.h"
#include "testutil.h"

struct args {
	const char *site, *pin_root;
	int mode;
	long count;
	bool json, force;
};

static const struct pc_opt_choice hooks[] = {
	{ "xdp", 1, false }, { "tc", 2, false }, { "skb", 3, true }, { NULL, 0, false },
};

static const struct pc_opt opts[] = {
	PC_OPT_SITE("the site file", struct args, site),
	PC_OPT_JSON("machine-readable output", struct args, json),
	PC_OPT_MODE("enforce or audit", struct args, mode),
	PC_OPT_CHOICE("ingress", "HOOK", "xdp or tc", struct args, mode, hooks),
	PC_OPT_POSITIVE("count", "N", "stop after N\nor never", struct args, count),
	PC_OPT_FLAG("force", 0, "replace", struct args, force),
	PC_OPT_PIN_ROOT(struct args, pin_root),
	{ 0 },
};

static const struct pc_cmd_opts cmd = {
	.cmd = "demo", .args = "IFACE...", .about = "A command.", .opts = opts,
};
static const struct pc_cmd_opts cmd_no_args = {
	.cmd = "demo", .about = "A command.", .opts = opts,
};

static void test_parse(void **state)
{
	static const struct {
		const char *line;   /* argv, split at spaces */
		bool args;          /* the command takes arguments */
		int rc;             /* -1: go on */
		struct args want;
		int first_arg;      /* optind after parsing */
	} cases[] = {
		{ "demo", true, -1, { .mode = -1 }, 1 },
		{ "demo -c a.yaml -j eth0", true, -1, { .site = "a.yaml", .json = true, .mode = -1 }, 4 },
		{ "demo --config=a.yaml --mode audit", true, -1, { .site = "a.yaml", .mode = PC_MODE_AUDIT }, 4 },
		{ "demo --mode enforce --force", true, -1, { .mode = PC_MODE_ENFORCE, .force = true }, 4 },
		{ "demo --ingress tc", true, -1, { .mode = 2 }, 3 },
		{ "demo --ingress skb", true, -1, { .mode = 3 }, 3 },   /* an alias */
		{ "demo --count 7 --pin-root /p", true, -1, { .count = 7, .pin_root = "/p", .mode = -1 }, 5 },
		{ "demo --mode x", true, PC_EXIT_USAGE, { .mode = -1 }, 0 },
		{ "demo --count 0", true, PC_EXIT_USAGE, { .mode = -1 }, 0 },
		{ "demo --count 3x", true, PC_EXIT_USAGE, { .mode = -1 }, 0 },
		{ "demo --bogus", true, PC_EXIT_USAGE, { .mode = -1 }, 0 },
		{ "demo -c", true, PC_EXIT_USAGE, { .mode = -1 }, 0 },
		{ "demo eth0", false, PC_EXIT_USAGE, { .mode = -1 }, 0 },
		{ "demo --help", true, PC_EXIT_OK, { .mode = -1 }, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char line[128], *argv[16], *save = NULL;
		struct args got = { .mode = -1 };
		int argc = 0, rc, saved, null;

		snprintf(line, sizeof(line), "%s", cases[i].line);
		for (char *w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save))
			argv[argc++] = w;
		argv[argc] = NULL;
		/* --help's text goes to stdout, where the test's TAP goes. */
		fflush(stdout);
		saved = dup(STDOUT_FILENO);
		null = open("/dev/null", O_WRONLY);
		assert_true(saved >= 0 && null >= 0);
		dup2(null, STDOUT_FILENO);
		rc = pc_opts_parse(cases[i].args ? &cmd : &cmd_no_args, argc, argv, &got);
		fflush(stdout);
		dup2(saved, STDOUT_FILENO);
		close(saved);
		close(null);
		if (rc != cases[i].rc)
			fail_msg("'%s': returned %d, should be %d", cases[i].line, rc, cases[i].rc);
		if (rc != -1)
			continue;
		if (optind != cases[i].first_arg)
			fail_msg("'%s': arguments from %d, should be %d", cases[i].line, optind,
				 cases[i].first_arg);
		if ((got.site == NULL) != (cases[i].want.site == NULL) ||
		    (got.site && strcmp(got.site, cases[i].want.site)) ||
		    (got.pin_root == NULL) != (cases[i].want.pin_root == NULL) ||
		    got.mode != cases[i].want.mode || got.count != cases[i].want.count ||
		    got.json != cases[i].want.json || got.force != cases[i].want.force)
			fail_msg("'%s': options not as given", cases[i].line);
	}
}

/* --help: the synopsis from the table, help aligned, continuation lines
 * indented, aliases not shown. */
static void test_help(void **state)
{
	static const char want[] =
		"Usage: portcullis demo [-c SITE] [-j] [--mode enforce|audit]\n"
		"                       [--ingress xdp|tc] [--count N] [--force]\n"
		"                       [--pin-root DIR] IFACE...\n"
		"\n"
		"A command.\n"
		"\n"
		"  -c, --config SITE      the site file\n"
		"  -j, --json             machine-readable output\n"
		"      --mode MODE        enforce or audit\n"
		"      --ingress HOOK     xdp or tc\n"
		"      --count N          stop after N\n"
		"                         or never\n"
		"      --force            replace\n"
		"      --pin-root DIR     where pins live (default " PC_DEFAULT_PIN_ROOT ")\n"
		"  -h, --help             this text\n";
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&out, &len);
	assert_non_null(f);
	pc_opts_help(&cmd, f);
	fclose(f);
	if (strcmp(out, want) != 0)
		fail_msg("help:\n%s\nshould be:\n%s", out, want);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
