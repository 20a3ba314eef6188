// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the daemon tells systemd: each call is one case, read back from a
 * datagram socket standing in for $NOTIFY_SOCKET.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"
#include "testutil.h"

static char dir[] = "/tmp/pc-notify-XXXXXX";
static char path[80];
static int sock = -1;

static int setup(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/notify", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	return setenv("NOTIFY_SOCKET", path, 1);
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	close(sock);
	unlink(path);
	rmdir(dir);
	return 0;
}

/* The one message a call sent ("" when none). */
static const char *received(void)
{
	static char msg[512];
	ssize_t n = recv(sock, msg, sizeof(msg) - 1, 0);

	msg[n > 0 ? n : 0] = '\0';
	return msg;
}

static unsigned long long now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000ULL;
}

static int ready(void) { return pc_notify_ready("enforcing generation %u (%d rules)", 3u, 45); }

static void test_messages(void **state)
{
	static const struct {
		int (*send)(void);
		const char *expect;
	} cases[] = {
		{ ready, "READY=1\nSTATUS=enforcing generation 3 (45 rules)" },
		{ pc_notify_stopping, "STOPPING=1\nSTATUS=stopping; enforcement stays in place" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cases[i].send(), 0);
		assert_string_equal(received(), cases[i].expect);
	}
}

/* systemd >= 253 pairs READY=1 with the reload by this timestamp: it must
 * be CLOCK_MONOTONIC now, in microseconds. */
static void test_reloading(void **state)
{
	unsigned long long before, after, usec = 0;
	const char *msg;

	(void)state;
	before = now_usec();
	assert_int_equal(pc_notify_reloading(), 0);
	after = now_usec();
	msg = received();
	assert_true(strncmp(msg, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0);
	usec = strtoull(msg + 27, NULL, 10);
	assert_true(usec >= before && usec <= after);
	assert_non_null(strstr(msg, "\nSTATUS=reloading"));
}

/* Outside systemd nothing is sent and nothing fails. */
static void test_no_systemd(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(pc_notify_ready("x"), 0);
	assert_int_equal(pc_notify_reloading(), 0);
	assert_string_equal(received(), "");
	setenv("NOTIFY_SOCKET", path, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_reloading),
		cmocka_unit_test(test_no_systemd),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
