/* SPDX-License-Identifier: GPL-2.0-only */
/* The oldest kernel the BPF programs load on, and a refusal of older ones. */
#ifndef PC_KERNEL_VERSION_H
#define PC_KERNEL_VERSION_H

/* Linux 5.12: the verifier checks a global BPF function that takes pointers
 * (pc_judge) from then on; older ones reject the program with a long log. */
#define PC_KERNEL_MIN_MAJOR 5
#define PC_KERNEL_MIN_MINOR 12

/* 0 when RELEASE (uname -r, e.g. "6.1.0-57-cloud-amd64") is at least
 * PC_KERNEL_MIN_*, -EOPNOTSUPP when older, -EINVAL when it does not start
 * with MAJOR.MINOR. */
int pc_kernel_release_ok(const char *release);

/* Checks the running kernel; an older one gets one message that names the
 * floor. An unreadable release is let through (the verifier decides). */
int pc_kernel_check(void);

#endif
