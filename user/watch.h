/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Watching the site file for the daemon. Editors save in many ways: write
 * in place, or write a new file and rename it over the old one (vim, sed
 * -i, atomic deploy tools). Watching the directory for the file's name
 * catches all of them, and keeps working after the file was replaced.
 */
#ifndef PC_WATCH_H
#define PC_WATCH_H

#include <stdbool.h>

struct pc_watch {
	int fd;         /* inotify; poll it for POLLIN */
	char *dir;
	char *name;     /* the file's name in dir */
};

/* Starts watching path. Returns 0 or -errno. */
int pc_watch_open(struct pc_watch *w, const char *path);
/* Reads pending events; true when one of them changed the watched file. */
bool pc_watch_changed(struct pc_watch *w);
void pc_watch_close(struct pc_watch *w);

#endif
