// SPDX-License-Identifier: GPL-2.0-only
/* The daemon's file watch: each way an editor saves is one case. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "watch.h"

static char dir[] = "/tmp/pc-watch-XXXXXX";
static char site[64], other[64], tmp[64];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static bool wait_changed(struct pc_watch *w)
{
	struct pollfd p = { .fd = w->fd, .events = POLLIN };

	/* Events are queued by the time the syscall returns: no real wait. */
	if (poll(&p, 1, 1000) <= 0)
		return false;
	return pc_watch_changed(w);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(site, sizeof(site), "%s/site.yaml", dir);
	snprintf(other, sizeof(other), "%s/other.yaml", dir);
	snprintf(tmp, sizeof(tmp), "%s/.site.yaml.swp", dir);
	write_file(site, "site: a\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(site);
	unlink(other);
	unlink(tmp);
	rmdir(dir);
	return 0;
}

static void test_saves(void **state)
{
	struct pc_watch w;

	(void)state;
	assert_int_equal(pc_watch_open(&w, site), 0);

	write_file(site, "site: written in place\n");
	assert_true(wait_changed(&w));

	write_file(tmp, "site: renamed over\n");
	assert_int_equal(rename(tmp, site), 0);
	assert_true(wait_changed(&w));

	/* After the rename the new file is watched as well. */
	write_file(site, "site: again in place\n");
	assert_true(wait_changed(&w));

	/* Another file of the directory is not the site file. */
	write_file(other, "x\n");
	assert_false(wait_changed(&w));
	pc_watch_close(&w);
}

static void test_missing_dir(void **state)
{
	struct pc_watch w;

	(void)state;
	assert_int_equal(pc_watch_open(&w, "/nonexistent-dir-pc/site.yaml"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_saves),
		cmocka_unit_test(test_missing_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
