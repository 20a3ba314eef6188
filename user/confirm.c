// SPDX-License-Identifier: GPL-2.0-only
/* The --confirm waiter: rolls back unless `portcullis confirm` comes in time. */
#include "confirm.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "controller.h"
#include "datapath.h"
#include "diag.h"
#include "state.h"

/* The record: "PID DEADLINE\n" (DEADLINE in seconds since the epoch). */
static void record_path(const char *root, char *buf, size_t len)
{
	pc_state_path(root, ".confirm", buf, len);
}

void pc_confirm_log_path(const char *pin_root, char *buf, size_t len)
{
	pc_state_path(pin_root ? pin_root : PC_DEFAULT_PIN_ROOT, ".confirm.log", buf, len);
}

static int read_record(const char *path, pid_t *pid, time_t *deadline)
{
	long long p, d;
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, "%lld %lld", &p, &d);
	fclose(f);
	if (n != 2)
		return -EINVAL;
	*pid = (pid_t)p;
	*deadline = (time_t)d;
	return 0;
}

/* What the waiter puts back. */
struct before {
	const char *root;
	bool attached;
	bool have_state;
	struct pc_state st;
	int *ifindex; /* the interfaces attached before */
	size_t nifaces;
};

/* After the old policy is back: detaches the interfaces the unconfirmed
 * attach added. */
static void detach_added(const struct before *b)
{
	char **argv, (*names)[sizeof(((struct pc_iface *)0)->name)];
	struct pc_maps m;
	int *now, argc = 3;
	size_t n;

	if (pc_maps_open_pinned(&m, b->root))
		return;
	n = pc_ctl_pinned_ifaces(&m, &now);
	argv = pc_xcalloc(n + 4, sizeof(*argv));
	names = pc_xcalloc(n + 1, sizeof(*names));
	argv[0] = "detach";
	argv[1] = "--pin-root";
	argv[2] = (char *)b->root;
	for (size_t i = 0; i < n; i++) {
		uint32_t key = (uint32_t)now[i];
		struct pc_iface rec;
		bool before = false;

		for (size_t j = 0; j < b->nifaces; j++)
			before |= b->ifindex[j] == now[i];
		if (before || bpf_map_lookup_elem(m.ifaces, &key, &rec))
			continue;
		memcpy(names[argc - 3], rec.name, sizeof(rec.name));
		names[argc - 3][sizeof(rec.name) - 1] = '\0';
		argv[argc] = names[argc - 3];
		argc++;
	}
	pc_maps_close(&m);
	if (argc > 3)
		pc_cmd_detach(argc, argv);
	free(now);
	free(names);
	free(argv);
}

static void roll_back(struct before *b)
{
	struct pc_ctl_req rq = { .pin_root = b->root, .mode = -1, .restore = &b->st,
				 .allow_empty = true, .cut_sessions = true };
	struct pc_ctl_res res;

	if (!b->attached) {
		char *argv[] = { "detach", "--all", "--pin-root", (char *)b->root, NULL };

		pc_warn("confirm: not confirmed in time: detaching (nothing was attached before)");
		pc_cmd_detach(4, argv);
		return;
	}

	pc_warn("confirm: not confirmed in time: putting back the policy in force before");
	if (pc_ctl_reload(&rq, &res))
		pc_cli_ctl_failed("confirm", &res);
	else
		pc_info("confirm: rolled back to %s, policy generation %u", res.name, res.generation);
	pc_ctl_res_free(&res);
	detach_added(b);
}

/* The waiter, in its own session: waits for the command's word, writes the
 * record, sleeps until the deadline and rolls back unless the record was
 * removed (or taken by a later --confirm) meanwhile. */
static void waiter(struct before *b, long seconds, int go_fd, int ready_fd)
{
	char path[PATH_MAX + 64], taken[PATH_MAX + 80], line[64];
	struct timespec until;
	time_t deadline;
	pid_t pid;
	char word = 'y';

	if (read(go_fd, &word, 1) == 1 && word != 'y')
		_exit(0);
	/* No word (the command died): the policy may be in force; rolling
	 * back to what was is safe either way. */
	close(go_fd);
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += seconds;
	deadline = time(NULL) + seconds;
	record_path(b->root, path, sizeof(path));
	snprintf(line, sizeof(line), "%d %lld\n", (int)getpid(), (long long)deadline);
	if (mkdir(PC_STATE_DIR, 0700) && errno != EEXIST)
		pc_warn("confirm: cannot create %s: %s", PC_STATE_DIR, strerror(errno));
	if (pc_write_atomic(path, line, strlen(line))) {
		pc_err("confirm: cannot write %s: rolling back at once", path);
		roll_back(b);
		_exit(1);
	}
	/* A command gone meanwhile does not read this: armed all the same. */
	(void)!write(ready_fd, &deadline, sizeof(deadline));
	close(ready_fd);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
		;
	/* Ours still? Renamed away, it is no one else's to confirm. */
	snprintf(taken, sizeof(taken), "%s.%d", path, (int)getpid());
	if (read_record(path, &pid, &deadline) || pid != getpid() || rename(path, taken))
		_exit(0);
	unlink(taken);
	roll_back(b);
	_exit(0);
}

/* In the waiter: stdio to the log, no terminal, no fds of the command. */
static void detach_self(const char *root, int keep1, int keep2)
{
	char log[PATH_MAX + 64];
	int fd;

	setsid();
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	mkdir(PC_STATE_DIR, 0700);
	pc_confirm_log_path(root, log, sizeof(log));
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	for (int i = 3; i < 1024; i++)
		if (i != keep1 && i != keep2)
			close(i);
}

int pc_confirm_start(const struct pc_ctl_req *rq, struct pc_confirm *c)
{
	struct before b = { .root = rq->pin_root ? rq->pin_root : PC_DEFAULT_PIN_ROOT };
	int go[2], ready[2], err;
	pid_t child;

	b.attached = pc_ctl_attached(b.root);
	if (b.attached) {
		struct pc_maps m;

		if (pc_maps_open_pinned(&m, b.root) == 0) {
			b.nifaces = pc_ctl_pinned_ifaces(&m, &b.ifindex);
			pc_maps_close(&m);
		}
	}
	err = pc_state_load(b.root, &b.st);
	b.have_state = err == 0;
	if (b.attached && !b.have_state)
		goto out;
	err = 0;
	if (pipe2(go, O_CLOEXEC)) {
		err = -errno;
		goto out;
	}
	if (pipe2(ready, O_CLOEXEC)) {
		err = -errno;
		close(go[0]);
		close(go[1]);
		goto out;
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		err = -errno;
	} else if (child == 0) {
		/* Twice, so that the waiter is no child of the command. */
		close(go[1]);
		close(ready[0]);
		detach_self(b.root, go[0], ready[1]);
		if (fork() == 0)
			waiter(&b, rq->confirm, go[0], ready[1]);
		_exit(0);
	} else {
		waitpid(child, NULL, 0);
	}
	close(go[0]);
	close(ready[1]);
	c->go_fd = go[1];
	c->ready_fd = ready[0];
	if (err) {
		close(go[1]);
		close(ready[0]);
	}
out:
	pc_state_free(&b.st);
	free(b.ifindex);
	return err;
}

int pc_confirm_arm(struct pc_confirm *c, bool applied)
{
	char word = applied ? 'y' : 'n';
	int err = 0;

	if (write(c->go_fd, &word, 1) != 1)
		err = -errno;
	close(c->go_fd);
	if (applied && !err &&
	    read(c->ready_fd, &c->deadline, sizeof(c->deadline)) != sizeof(c->deadline))
		err = -EPIPE; /* the waiter could not arm: it rolled back */
	close(c->ready_fd);
	return err;
}

int pc_confirm_cancel(const char *pin_root, time_t *deadline)
{
	char path[PATH_MAX + 64];
	pid_t pid;
	int err;

	record_path(pin_root ? pin_root : PC_DEFAULT_PIN_ROOT, path, sizeof(path));
	err = read_record(path, &pid, deadline);
	if (err)
		return err == -EINVAL ? err : -ENOENT;
	/* Removed, the rollback cannot happen: the waiter checks for it. */
	if (unlink(path))
		return -errno == -ENOENT ? -ENOENT : -errno;
	kill(pid, SIGTERM);
	return 0;
}
