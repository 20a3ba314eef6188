/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Commit-confirmed (--confirm SECONDS): before a policy is applied, a
 * waiter process is forked off, in its own session with no terminal, so
 * that a lost SSH connection does not take it along. Once the policy is in
 * force it leaves a record with its pid and deadline next to the pin
 * root's state; unless `portcullis confirm` removes that record in time,
 * it puts back what was in force before: the recorded policy, or nothing
 * (detach --all) when nothing was attached. What it does goes to a log
 * beside the record.
 */
#ifndef PC_CONFIRM_H
#define PC_CONFIRM_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

struct pc_ctl_req;

/* The command's end of a waiter. */
struct pc_confirm {
	int go_fd;    /* to the waiter: 'y' the policy is in force, 'n' not */
	int ready_fd; /* from the waiter: its record is written */
	time_t deadline;
};

/*
 * Before applying rq: forks the waiter, which knows what is in force now.
 * Returns 0, -ENOENT when something is attached but its policy is not
 * recorded (nothing to roll back to), or -errno.
 */
int pc_confirm_start(const struct pc_ctl_req *rq, struct pc_confirm *c);
/* After applying: tells the waiter whether the policy went in and, if it
 * did, waits until the rollback is armed. Returns 0 or -errno. */
int pc_confirm_arm(struct pc_confirm *c, bool applied);
/*
 * portcullis confirm: cancels the rollback pending under pin_root (NULL:
 * the default) and ends its waiter. Returns 0 with *deadline, or -ENOENT
 * when none is pending.
 */
int pc_confirm_cancel(const char *pin_root, time_t *deadline);
/* The log of the last rollback under pin_root, for messages. */
void pc_confirm_log_path(const char *pin_root, char *buf, size_t len);

#endif
