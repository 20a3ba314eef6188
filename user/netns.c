// SPDX-License-Identifier: GPL-2.0-only
#include "netns.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

int pc_netns_self(struct pc_netns *ns)
{
	struct stat st;

	ns->dev = ns->ino = 0;
	if (stat("/proc/self/ns/net", &st))
		return -errno;
	ns->dev = (uint64_t)st.st_dev;
	ns->ino = (uint64_t)st.st_ino;
	return 0;
}

bool pc_netns_same(const struct pc_netns *a, const struct pc_netns *b)
{
	if (!a->ino || !b->ino)
		return true;
	return a->ino == b->ino && a->dev == b->dev;
}

/* The name under /run/netns (ip netns) that refers to ns, if any. */
static const char *netns_name(const struct pc_netns *ns, char *buf, size_t len)
{
	const char *found = NULL;
	struct dirent *ent;
	DIR *dir = opendir("/run/netns");

	while (dir && !found && (ent = readdir(dir))) {
		char path[300];
		struct stat st;

		if (ent->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", ent->d_name);
		if (stat(path, &st) == 0 && (uint64_t)st.st_ino == ns->ino &&
		    (uint64_t)st.st_dev == ns->dev) {
			snprintf(buf, len, "%s", ent->d_name);
			found = buf;
		}
	}
	if (dir)
		closedir(dir);
	return found;
}

const char *pc_netns_describe(const struct pc_netns *ns, char *buf, size_t len)
{
	char name[256];

	if (netns_name(ns, name, sizeof(name)))
		snprintf(buf, len, "net:[%" PRIu64 "] (ip netns %s)", ns->ino, name);
	else
		snprintf(buf, len, "net:[%" PRIu64 "]", ns->ino);
	return buf;
}
