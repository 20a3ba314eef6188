/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logs an operator can keep: every policy change and the denied packets,
 * as journal entries with a priority and PORTCULLIS_* fields, so that
 * `journalctl -p warning -u portcullis`, `journalctl PORTCULLIS_EVENT=policy`
 * and a SIEM can select them. Without journald (not under systemd) the
 * entries go nowhere and nothing fails: the daemon's stderr says it all.
 */
#ifndef PC_JOURNAL_H
#define PC_JOURNAL_H

#include <stdint.h>
#include <sys/uio.h>

#include "portcullis.h"
#include "controller.h"

/* sample: at most this many entries a second, then one summary. */
#define PC_LOG_DENIED_PER_SEC 10

struct ring_buffer;

struct pc_journal {
	enum pc_log_denied denied;
	uint64_t window;          /* the second being sampled (event clock) */
	unsigned int in_window;   /* denied entries written in it */
	unsigned long long left_out; /* not written since the last summary */
	struct ring_buffer *rb;
	int events_fd;
	/* Where entries go: sd_journal_sendv, or a test's capture. */
	int (*sendv)(const struct iovec *iov, int n);
};

/* "off", "sample" or "all". Returns 0 or -EINVAL. */
int pc_log_denied_parse(const char *s, enum pc_log_denied *out);
const char *pc_log_denied_name(enum pc_log_denied m);

void pc_journal_init(struct pc_journal *j, enum pc_log_denied denied);
/* The log-denied setting of the policy in force under pin_root (kept in
 * its bank settings, so a restarted daemon finds it too). */
enum pc_log_denied pc_log_denied_in_force(const char *pin_root);
/* A policy put in force: one NOTICE entry with the summary (who: what
 * caused it, site: the file), then one INFO entry per path changed. */
int pc_journal_policy(struct pc_journal *j, const char *who, const char *site,
		      const struct pc_ctl_res *res);
/* A policy refused: one ERR entry; the one in force stays. */
int pc_journal_refused(struct pc_journal *j, const char *who, const char *site);
/* A denied packet's direction as monitor and the journal name it:
 * "ingress", "egress", or "forward" (a gateway's forwarded packet). */
const char *pc_event_direction(const struct pc_event *e);
/* One denied packet: a WARNING entry, as the log-denied setting allows. */
int pc_journal_denied(struct pc_journal *j, const struct pc_event *e);

/* Denied packets from the pinned ring buffer (pin_root NULL: the default).
 * Returns an fd to poll for POLLIN, or -errno. */
int pc_journal_denied_open(struct pc_journal *j, const char *pin_root);
/* Logs what the ring buffer holds; call on POLLIN. */
void pc_journal_denied_read(struct pc_journal *j);
void pc_journal_close(struct pc_journal *j);

#endif
