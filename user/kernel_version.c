// SPDX-License-Identifier: GPL-2.0-only
/* The minimum kernel: refused by its version, before the verifier would
 * refuse it with a log nobody can act on. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "diag.h"
#include "kernel_version.h"

static int parse_number(const char **s, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)**s))
		return -EINVAL;
	errno = 0;
	*out = strtoul(*s, &end, 10);
	if (errno)
		return -EINVAL;
	*s = end;
	return 0;
}

int pc_kernel_release_ok(const char *release)
{
	unsigned long major, minor;
	const char *s = release;

	if (!s || parse_number(&s, &major) || *s++ != '.' || parse_number(&s, &minor))
		return -EINVAL;
	if (major != PC_KERNEL_MIN_MAJOR)
		return major > PC_KERNEL_MIN_MAJOR ? 0 : -EOPNOTSUPP;
	return minor >= PC_KERNEL_MIN_MINOR ? 0 : -EOPNOTSUPP;
}

int pc_kernel_check(void)
{
	struct utsname u;

	if (uname(&u) || pc_kernel_release_ok(u.release) != -EOPNOTSUPP)
		return 0;
	pc_err("Linux %s is too old: portcullis needs Linux %d.%d or later "
	       "(its BPF programs call a global function with pointer arguments)",
	       u.release, PC_KERNEL_MIN_MAJOR, PC_KERNEL_MIN_MINOR);
	return -EOPNOTSUPP;
}
