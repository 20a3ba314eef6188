/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Declarative options: one table per command says each option's names,
 * value, help and where it is stored. getopt_long's structures, --help and
 * the man page's option lists (portcullis --help-man) are all made from
 * it, so they cannot drift apart.
 */
#ifndef PC_OPTIONS_H
#define PC_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct pc_opt;
/* Stores arg in field; returns 0 or an exit code after a usage error. */
typedef int (*pc_opt_set_fn)(const char *cmd, const struct pc_opt *o,
			     const char *arg, void *field);

/* A word an option takes, and the int it stores. */
struct pc_opt_choice {
	const char *word; /* NULL ends the list */
	int value;
	bool alias;       /* accepted, not shown */
};

struct pc_opt {
	const char *name;     /* long name without "--"; NULL ends a table */
	char letter;          /* short name, 0: none */
	const char *arg;      /* the value's name in help ("SITE"); NULL: a flag */
	const char *help;     /* lines separated by '\n' */
	pc_opt_set_fn set;
	size_t offset;        /* of the field in the command's options struct */
	const struct pc_opt_choice *choices; /* pc_opt_choice's words */
};

/* A command's options and its help. */
struct pc_cmd_opts {
	const char *cmd;
	const char *args;  /* positional arguments ("IFACE..."), NULL: none */
	const char *about; /* what the command does, for --help and the man page */
	const struct pc_opt *opts;
	const struct pc_opt *more; /* the command's own, after a shared table */
};

int pc_opt_string(const char *cmd, const struct pc_opt *o, const char *arg, void *field);
int pc_opt_flag(const char *cmd, const struct pc_opt *o, const char *arg, void *field);
int pc_opt_choice(const char *cmd, const struct pc_opt *o, const char *arg, void *field);
int pc_opt_positive(const char *cmd, const struct pc_opt *o, const char *arg, void *field);

/* offsetof(T, f), and a build error unless f has the size the setter
 * writes. */
#define PC_OPT_FIELD(T, f, type)                                               \
	(offsetof(T, f) +                                                      \
	 0 * sizeof(char[sizeof(((T *)0)->f) == sizeof(type) ? 1 : -1]))

#define PC_OPT_STRING(name, letter, arg, help, T, f)                           \
	{ name, letter, arg, help, pc_opt_string, PC_OPT_FIELD(T, f, const char *), NULL }
#define PC_OPT_FLAG(name, letter, help, T, f)                                  \
	{ name, letter, NULL, help, pc_opt_flag, PC_OPT_FIELD(T, f, bool), NULL }
#define PC_OPT_CHOICE(name, arg, help, T, f, choices)                          \
	{ name, 0, arg, help, pc_opt_choice, PC_OPT_FIELD(T, f, int), choices }
#define PC_OPT_POSITIVE(name, arg, help, T, f)                                 \
	{ name, 0, arg, help, pc_opt_positive, PC_OPT_FIELD(T, f, long), NULL }

/* The options several commands share. */
extern const struct pc_opt_choice pc_mode_choices[];
#define PC_OPT_SITE(help, T, f) PC_OPT_STRING("config", 'c', "SITE", help, T, f)
#define PC_OPT_JSON(help, T, f) PC_OPT_FLAG("json", 'j', help, T, f)
#define PC_OPT_HOST(help, T, f) PC_OPT_STRING("host", 0, "NAME", help, T, f)
#define PC_OPT_ROLE(help, T, f) PC_OPT_STRING("role", 0, "KIND", help, T, f)
#define PC_OPT_MODE(help, T, f) PC_OPT_CHOICE("mode", "MODE", help, T, f, pc_mode_choices)
#define PC_OPT_PIN_ROOT(T, f)                                                  \
	PC_OPT_STRING("pin-root", 0, "DIR",                                    \
		      "where pins live (default " PC_DEFAULT_PIN_ROOT ")", T, f)

/*
 * Parses argv (argv[0] the command) into ctx by c's table; -h/--help is
 * every command's. Returns -1 to go on (positional arguments from optind,
 * refused when c->args is NULL), or the exit code to return at once: 0
 * after --help, PC_EXIT_USAGE after a usage error.
 */
int pc_opts_parse(const struct pc_cmd_opts *c, int argc, char **argv, void *ctx);
void pc_opts_help(const struct pc_cmd_opts *c, FILE *out);
/* The command's synopsis, text and options as a man page section (troff). */
void pc_opts_man(const struct pc_cmd_opts *c, FILE *out);

#endif
