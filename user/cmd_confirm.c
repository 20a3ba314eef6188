// SPDX-License-Identifier: GPL-2.0-only
/* portcullis confirm: keep the policy applied with --confirm; and the
 * --confirm steps of attach and reload. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "confirm.h"
#include "controller.h"
#include "datapath.h"

struct confirm_args {
	const char *pin_root;
};

#define ARGS struct confirm_args
static const struct pc_opt confirm_opts[] = {
	PC_OPT_PIN_ROOT(ARGS, pin_root),
	{ 0 },
};
#undef ARGS

const struct pc_cmd_opts pc_confirm_cmd = {
	.cmd = "confirm",
	.about =
	"Keeps the policy that attach or reload put in force with --confirm\n"
	"SECONDS: the rollback to the policy in force before (or the detach, if\n"
	"nothing was attached) is cancelled. Without it in time, the rollback\n"
	"happens by itself, also when the terminal or the SSH connection that\n"
	"ran the command is gone. Exit status 1 when no rollback is pending\n"
	"(none was asked for, or it has happened).",
	.opts = confirm_opts,
};

static const char *clock_of(time_t t, char buf[16])
{
	struct tm tm;

	strftime(buf, 16, "%H:%M:%S", localtime_r(&t, &tm));
	return buf;
}

int pc_cli_confirm_start(const struct pc_ctl_req *rq, struct pc_confirm *c)
{
	int err;

	if (rq->confirm <= 0)
		return PC_EXIT_OK;
	err = pc_confirm_start(rq, c);
	if (err == -ENOENT)
		pc_err("cannot --confirm: the policy in force under %s is not recorded (%s is gone?), so there is nothing to roll back to; nothing was changed",
		       rq->pin_root ? rq->pin_root : PC_DEFAULT_PIN_ROOT, PC_STATE_DIR);
	else if (err)
		pc_err("cannot start the --confirm rollback: %s; nothing was changed",
		       pc_strerror(err));
	return err ? PC_EXIT_POLICY : PC_EXIT_OK;
}

int pc_cli_confirm_arm(const struct pc_ctl_req *rq, struct pc_confirm *c, bool applied)
{
	const char *root = rq->pin_root ? rq->pin_root : PC_DEFAULT_PIN_ROOT;
	char log[PATH_MAX + 64], at[16];
	int err;

	if (rq->confirm <= 0)
		return PC_EXIT_OK;
	err = pc_confirm_arm(c, applied);
	if (!applied)
		return PC_EXIT_OK;
	if (err) {
		pc_confirm_log_path(root, log, sizeof(log));
		pc_err("the --confirm rollback could not be armed (%s): it rolls back at once; see %s",
		       pc_strerror(err), log);
		return PC_EXIT_POLICY;
	}
	pc_info("rolls back at %s (in %ld s) unless 'portcullis confirm%s%s' comes first",
		clock_of(c->deadline, at), rq->confirm, rq->pin_root ? " --pin-root " : "",
		rq->pin_root ? rq->pin_root : "");
	return PC_EXIT_OK;
}

int pc_cmd_confirm(int argc, char **argv)
{
	struct confirm_args a = { 0 };
	char log[PATH_MAX + 64], at[16];
	time_t deadline;
	int rc, err;

	rc = pc_opts_parse(&pc_confirm_cmd, argc, argv, &a);
	if (rc >= 0)
		return rc;
	err = pc_confirm_cancel(a.pin_root, &deadline);
	if (err) {
		pc_confirm_log_path(a.pin_root, log, sizeof(log));
		pc_err("no rollback is pending under %s: none was asked for (--confirm), or it has happened (see %s)",
		       a.pin_root ? a.pin_root : PC_DEFAULT_PIN_ROOT, log);
		return PC_EXIT_POLICY;
	}
	pc_info("confirmed: the policy in force stays (the rollback due at %s is cancelled)",
		clock_of(deadline, at));
	return PC_EXIT_OK;
}
