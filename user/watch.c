// SPDX-License-Identifier: GPL-2.0-only
#include "watch.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "diag.h"

int pc_watch_open(struct pc_watch *w, const char *path)
{
	char *a = pc_xstrdup(path), *b = pc_xstrdup(path);
	int err;

	w->dir = pc_xstrdup(dirname(a));
	w->name = pc_xstrdup(basename(b));
	free(a);
	free(b);
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0)
		goto fail;
	/* Close-after-write and renames into the directory: a finished save. */
	if (inotify_add_watch(w->fd, w->dir,
			      IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0)
		goto fail;
	return 0;
fail:
	err = -errno;
	pc_watch_close(w);
	return err;
}

bool pc_watch_changed(struct pc_watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			/* IN_CREATE alone is an empty new file: wait for its close. */
			if (ev->len && strcmp(ev->name, w->name) == 0 &&
			    (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)))
				changed = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	return changed;
}

void pc_watch_close(struct pc_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->dir);
	free(w->name);
	w->fd = -1;
	w->dir = w->name = NULL;
}
