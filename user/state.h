/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the running policy was made from: the site file, the host or role,
 * the mode, and a copy of the site text as it was loaded. Kept under
 * /run/portcullis/ (gone at reboot, like the pins), one file per pin root,
 * so that `reload` knows what to reload and can tell what changed.
 */
#ifndef PC_STATE_H
#define PC_STATE_H

#include <stdbool.h>
#include <stddef.h>

struct pc_state {
	char *site; /* absolute path, or NULL: the built-in catalog alone */
	char *host; /* or NULL */
	char *role; /* or NULL */
	int mode;   /* -1: the site's setting; else enum pc_mode */
	bool gateway; /* gateway mode (attach --gateway): host is the gateway */
	char *build;  /* the BPF object in force (pc_dp_build_id), NULL: not
			 recorded (an older build's record) */
	char *site_text; /* the text that was loaded (NULL without a site) */
	size_t site_len;
};

#define PC_STATE_DIR "/run/portcullis"

int pc_state_save(const char *pin_root, const struct pc_state *s);
/* Returns 0, -ENOENT when nothing was recorded, or another -errno. */
int pc_state_load(const char *pin_root, struct pc_state *s);
void pc_state_remove(const char *pin_root);
void pc_state_free(struct pc_state *s);
/* PC_STATE_DIR/<pin root with '/' as '_'><ext>: the files of a pin root. */
void pc_state_path(const char *pin_root, const char *ext, char *buf, size_t len);
/* Writes a file whole or not at all: a temporary file renamed over it. */
int pc_write_atomic(const char *path, const char *data, size_t len);

#endif
