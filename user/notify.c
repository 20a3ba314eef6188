// SPDX-License-Identifier: GPL-2.0-only
/* sd_notify for the daemon: see notify.h. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "notify.h"

/* sd_notify returns > 0 when sent, 0 without $NOTIFY_SOCKET, or -errno. */
static int sent(int r)
{
	return r < 0 ? r : 0;
}

int pc_notify_ready(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return sent(sd_notifyf(0, "READY=1\nSTATUS=%s", line));
}

int pc_notify_reloading(void)
{
	struct timespec ts;
	unsigned long long usec;

	/* systemd >= 253 matches READY=1 to this reload by the timestamp. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return sent(sd_notify(0, "RELOADING=1\nSTATUS=reloading"));
	usec = (unsigned long long)ts.tv_sec * 1000000ULL +
	       (unsigned long long)ts.tv_nsec / 1000ULL;
	return sent(sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading", usec));
}

int pc_notify_stopping(void)
{
	return sent(sd_notify(0, "STOPPING=1\nSTATUS=stopping; enforcement stays in place"));
}
