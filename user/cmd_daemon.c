// SPDX-License-Identifier: GPL-2.0-only
/*
 * portcullis daemon: attach (or adopt what is pinned), then reload whenever
 * the site file is saved or SIGHUP arrives. A bad file is reported and the
 * last good policy stays in force. SIGTERM ends the daemon, not the
 * enforcement: that lives in the kernel until `portcullis detach`.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli.h"
#include "controller.h"
#include "datapath.h"
#include "guard.h"
#include "http_metrics.h"
#include "journal.h"
#include "notify.h"
#include "watch.h"

/* Attach's request, then the daemon's own options. */
struct daemon_req {
	struct pc_ctl_req rq;
	const char *metrics;
};

static const struct pc_opt daemon_opts[] = {
	PC_OPT_STRING("metrics", 0, "ADDR:PORT",
		      "serve the Prometheus metrics (as stats --prometheus)\n"
		      "on GET /metrics there, and the page of report --html\n"
		      "on GET /report; off by default", struct daemon_req, metrics),
	{ 0 },
};

const struct pc_cmd_opts pc_daemon_cmd = {
	.cmd = "daemon",
	.args = "IFACE...",
	.about =
	"Attaches like 'portcullis attach' (adopting what is already pinned, with\n"
	"no gap), then stays in the foreground: it reloads when the site file is\n"
	"saved (also when an editor replaces it) and on SIGHUP, logs every reload\n"
	"with what changed, and keeps the last good policy when the file is bad.\n"
	"SIGTERM or SIGINT end the daemon and leave enforcement in place; if the\n"
	"daemon is killed, enforcement goes on and a restart adopts it.\n"
	"dist/portcullis.service runs it under systemd. It takes attach's options.",
	.opts = pc_attach_opts,
	.more = daemon_opts,
};

/* Policy changes and denied packets, for the journal. */
static struct pc_journal journal;

static void reload_now(const struct pc_ctl_req *rq, const char *why)
{
	struct pc_ctl_res res;

	fprintf(stderr, "portcullis: daemon: %s: reloading\n", why);
	pc_notify_reloading();
	if (pc_cli_reload(rq, false, stderr, &res)) {
		fprintf(stderr, "portcullis: daemon: the new policy was refused; the policy in force is unchanged\n");
		pc_notify_ready("enforcing; the last reload was refused, the policy in force is unchanged");
		pc_journal_refused(&journal, why, rq->site);
		return;
	}
	pc_journal_policy(&journal, why, res.site, &res);
	pc_notify_ready("enforcing generation %u (%zu rules)", res.generation, res.nrules);
	pc_ctl_res_free(&res);
}

/* Checks that the pins are there; restores them when they were removed
 * (the hooks ran on the daemon's fds meanwhile). Says so loudly, once
 * per event. */
static void guard_pins(struct pc_guard *g, bool *failing)
{
	int err = pc_guard_check(g);

	if (err == 1)
		pc_warn("daemon: the pins under %s were removed; pinned again from the daemon's own references (enforcement did not stop)",
			g->root);
	if (err < 0 && !*failing)
		pc_err("daemon: the pins under %s are gone and cannot be restored: %s; enforcement goes on, but only this daemon can still reach it",
		       g->root, pc_strerror(err));
	*failing = err < 0;
}

/* Follows the policy's log-denied setting: (re)opens the ring buffer of
 * denied packets when it changed. Returns the fd to poll (-1: none). */
static int journal_follow(const struct pc_ctl_req *rq, int fd)
{
	enum pc_log_denied want = pc_log_denied_in_force(rq->pin_root);

	if (fd >= 0 && want == journal.denied)
		return fd;
	if (fd >= 0 || journal.events_fd >= 0)
		pc_journal_close(&journal);
	pc_journal_init(&journal, want);
	fd = pc_journal_denied_open(&journal, rq->pin_root);
	return fd < 0 ? -1 : fd;
}

static int run_loop(const struct pc_ctl_req *rq, const char *site)
{
	struct pc_watch w = { .fd = -1 };
	struct pc_guard guard;
	bool guard_failing = false;
	struct pollfd fds[3];
	sigset_t mask;
	int sfd, err;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) || (sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
		pc_err("daemon: cannot take signals: %s", strerror(errno));
		return PC_EXIT_POLICY;
	}
	if (site && (err = pc_watch_open(&w, site))) {
		pc_err("daemon: cannot watch %s: %s", site, strerror(-err));
		close(sfd);
		return PC_EXIT_POLICY;
	}
	fprintf(stderr, "portcullis: daemon: running (pid %d)%s%s; SIGHUP reloads\n",
		(int)getpid(), site ? ", watching " : "", site ? site : "");
	if ((err = pc_guard_open(&guard, rq->pin_root ? rq->pin_root : PC_DEFAULT_PIN_ROOT)))
		pc_warn("daemon: cannot hold the pinned maps and links: %s", pc_strerror(err));
	pc_notify_ready("enforcing; SIGHUP or a change of the site file reloads");
	fds[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = w.fd, .events = POLLIN };
	pc_journal_init(&journal, PC_LOG_DENIED_OFF);
	fds[2] = (struct pollfd){ .fd = journal_follow(rq, -1), .events = POLLIN };
	for (;;) {
		struct signalfd_siginfo si;

		/* Wakes up each second to see that the pins are still there.
		 * A negative fd (no site, no denied logging) is skipped. */
		int ready = poll(fds, 3, 1000);

		if (ready < 0) {
			if (errno == EINTR)
				continue;
			pc_err("daemon: poll: %s", strerror(errno));
			break;
		}
		guard_pins(&guard, &guard_failing);
		if (ready == 0)
			continue;
		if (fds[2].revents & POLLIN)
			pc_journal_denied_read(&journal);
		if (fds[0].revents & POLLIN) {
			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGHUP) {
				char who[64]; /* for the log: who asked */

				snprintf(who, sizeof(who), "SIGHUP from pid %u (uid %u)", si.ssi_pid, si.ssi_uid);
				reload_now(rq, who);
				fds[2].fd = journal_follow(rq, fds[2].fd);
				continue;
			}
			fprintf(stderr, "portcullis: daemon: %s: exiting; enforcement stays in place ('portcullis detach' removes it)\n",
				strsignal((int)si.ssi_signo));
			pc_notify_stopping();
			break;
		}
		if (site && (fds[1].revents & POLLIN) && pc_watch_changed(&w)) {
			/* Editors often write in several steps: let them finish. */
			usleep(100 * 1000);
			pc_watch_changed(&w);
			reload_now(rq, "the site file changed");
			fds[2].fd = journal_follow(rq, fds[2].fd);
		}
	}
	pc_guard_close(&guard);
	pc_watch_close(&w);
	pc_journal_close(&journal);
	close(sfd);
	return PC_EXIT_OK;
}

int pc_cmd_daemon(int argc, char **argv)
{
	struct daemon_req dr = { .metrics = NULL };
	struct pc_http_metrics *http = NULL;
	struct pc_ctl_req rq;
	int rc;

	rc = pc_attach_parse(&pc_daemon_cmd, argc, argv, &dr.rq);
	if (rc >= 0)
		return rc;
	rq = dr.rq;
	if (rq.confirm)
		return pc_cli_usage_error("daemon", "--confirm is for attach and reload: confirm the site file with 'portcullis reload --confirm' first");
	/* Before attaching, so that a bad address changes nothing. */
	if (dr.metrics && (rc = pc_http_metrics_start(dr.metrics, rq.pin_root, rq.site, &http)))
		return rc == -EINVAL ? PC_EXIT_USAGE : PC_EXIT_POLICY;
	/* The same transaction as attach: a restart adopts the pins. */
	rc = pc_cli_attach(&rq);
	if (!rc)
		rc = run_loop(&rq, rq.site);
	pc_http_metrics_stop(http);
	return rc;
}
