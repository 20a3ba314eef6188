/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Telling systemd how the daemon is doing (sd_notify, for Type=notify and
 * Type=notify-reload units). Outside systemd (no $NOTIFY_SOCKET) every call
 * does nothing and returns 0, so the daemon runs the same by hand.
 */
#ifndef PC_NOTIFY_H
#define PC_NOTIFY_H

/* The maps are filled and the hooks attached (or a reload is over): READY=1
 * with a status line for `systemctl status`. */
int pc_notify_ready(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A reload begins: RELOADING=1 with MONOTONIC_USEC (systemd >= 253 wants
 * it; older ones ignore it). pc_notify_ready() ends the reload. */
int pc_notify_reloading(void);
/* The daemon stops (enforcement stays in the kernel). */
int pc_notify_stopping(void);

#endif
