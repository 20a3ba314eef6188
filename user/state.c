// SPDX-License-Identifier: GPL-2.0-only
#include "state.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "policy.h"

/* /run/portcullis/<pin root with '/' as '_'>.json and .site.yaml */
void pc_state_path(const char *pin_root, const char *ext, char *buf, size_t len)
{
	char name[PATH_MAX];

	snprintf(name, sizeof(name), "%s", pin_root);
	for (char *c = name; *c; c++)
		if (*c == '/')
			*c = '_';
	snprintf(buf, len, "%s/%s%s", PC_STATE_DIR, name, ext);
}

int pc_write_atomic(const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX + 8];
	FILE *f;
	int err = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	if (fwrite(data, 1, len, f) != len)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int pc_state_save(const char *pin_root, const struct pc_state *s)
{
	char path[PATH_MAX + 64];
	struct json_object *o;
	const char *text;
	int err;

	if (mkdir(PC_STATE_DIR, 0700) && errno != EEXIST)
		return -errno;
	pc_state_path(pin_root, ".site.yaml", path, sizeof(path));
	if (s->site_text) {
		err = pc_write_atomic(path, s->site_text, s->site_len);
		if (err)
			return err;
	} else {
		unlink(path);
	}
	o = json_object_new_object();
	json_object_object_add(o, "site", s->site ? json_object_new_string(s->site) : NULL);
	json_object_object_add(o, "host", s->host ? json_object_new_string(s->host) : NULL);
	json_object_object_add(o, "role", s->role ? json_object_new_string(s->role) : NULL);
	json_object_object_add(o, "mode", json_object_new_int(s->mode));
	if (s->gateway)
		json_object_object_add(o, "gateway", json_object_new_boolean(1));
	if (s->build)
		json_object_object_add(o, "build", json_object_new_string(s->build));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
	pc_state_path(pin_root, ".json", path, sizeof(path));
	err = pc_write_atomic(path, text, strlen(text));
	json_object_put(o);
	return err;
}

static char *dup_field(struct json_object *o, const char *key)
{
	struct json_object *v = json_object_object_get(o, key);

	return v && json_object_is_type(v, json_type_string) ?
		       pc_xstrdup(json_object_get_string(v)) : NULL;
}

int pc_state_load(const char *pin_root, struct pc_state *s)
{
	char path[PATH_MAX + 64];
	struct json_object *o;
	int err;

	memset(s, 0, sizeof(*s));
	s->mode = -1;
	pc_state_path(pin_root, ".json", path, sizeof(path));
	if (access(path, F_OK))
		return -ENOENT;
	o = json_object_from_file(path);
	if (!o)
		return -EINVAL;
	s->site = dup_field(o, "site");
	s->host = dup_field(o, "host");
	s->role = dup_field(o, "role");
	s->build = dup_field(o, "build");
	s->mode = json_object_get_int(json_object_object_get(o, "mode"));
	s->gateway = json_object_get_boolean(json_object_object_get(o, "gateway"));
	json_object_put(o);
	if (s->mode < -1 || s->mode > 1)
		s->mode = -1;
	pc_state_path(pin_root, ".site.yaml", path, sizeof(path));
	err = pc_policy_read_file(path, &s->site_text, &s->site_len);
	if (err && err != -ENOENT) {
		pc_state_free(s);
		return err;
	}
	return 0;
}

void pc_state_remove(const char *pin_root)
{
	char path[PATH_MAX + 64];

	pc_state_path(pin_root, ".json", path, sizeof(path));
	unlink(path);
	pc_state_path(pin_root, ".site.yaml", path, sizeof(path));
	unlink(path);
}

void pc_state_free(struct pc_state *s)
{
	free(s->site);
	free(s->host);
	free(s->role);
	free(s->build);
	free(s->site_text);
	memset(s, 0, sizeof(*s));
	s->mode = -1;
}
