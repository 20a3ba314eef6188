// SPDX-License-Identifier: GPL-2.0-only
#include "yaml_tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 32
/* Enough for a site of a million hosts with an address or two each (some
 * ten million nodes), and about a gigabyte of memory at most. */
#define MAX_NODES 16000000
#define ARENA_CHUNK (4u << 20)

/* Nodes are allocated from chunks and freed all at once: a malloc for each
 * of ten million small nodes and scalars would double the memory. */
struct pc_yarena {
	struct pc_yarena *next;
	size_t used, size;
	max_align_t data[];
};

struct builder {
	struct pc_ytree *tree;
	struct pc_diags *diags;
	yaml_parser_t parser;
	const unsigned char *text;
	size_t len;
	size_t nodes;
	struct pc_ynode **stack; /* children of the nodes being built */
	size_t top, cap;
};

static void *arena_alloc(struct pc_ytree *t, size_t len)
{
	struct pc_yarena *a = t->arena;
	void *p;

	len = (len + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!a || a->size - a->used < len) {
		size_t size = len > ARENA_CHUNK ? len : ARENA_CHUNK;

		a = pc_xcalloc(1, sizeof(*a) + size);
		a->size = size;
		a->next = t->arena;
		t->arena = a;
	}
	p = (char *)a->data + a->used;
	a->used += len;
	return p;
}

static void arena_free(struct pc_ytree *t)
{
	while (t->arena) {
		struct pc_yarena *next = t->arena->next;

		free(t->arena);
		t->arena = next;
	}
}

static struct pc_pos mark_pos(const struct builder *b, yaml_mark_t m)
{
	return (struct pc_pos){ b->tree->file, (int)m.line + 1, (int)m.column + 1 };
}

static void push(struct builder *b, struct pc_ynode *child)
{
	if (b->top == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->stack = pc_xrealloc(b->stack, b->cap, sizeof(*b->stack));
	}
	b->stack[b->top++] = child;
}

/* The children pushed since base become the node's item list. */
static void take_children(struct builder *b, struct pc_ynode *n, size_t base)
{
	n->nitems = (uint32_t)(b->top - base);
	n->count = n->type == PC_YMAP ? n->nitems / 2 : n->nitems;
	if (n->nitems) {
		n->items = arena_alloc(b->tree, n->nitems * sizeof(*n->items));
		memcpy(n->items, b->stack + base, n->nitems * sizeof(*n->items));
	}
	b->top = base;
}

static bool continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * The reader (bad UTF-8, control characters) gives a byte offset and no
 * mark: line and column (in characters, as libyaml's marks) of that byte.
 * A bad trailing octet is reported where its sequence starts.
 */
static struct pc_pos offset_pos(const struct builder *b, size_t off)
{
	size_t line_start = 0;
	int line = 1, col = 1;

	if (off > b->len)
		off = b->len;
	if (b->parser.problem && strstr(b->parser.problem, "trailing")) {
		size_t start = off;

		while (start > 0 && off - start < 4 && continuation(b->text[start - 1]))
			start--;
		if (start > 0 && b->text[start - 1] >= 0xc0)
			off = start - 1;
	}
	for (size_t i = 0; i < off; i++)
		if (b->text[i] == '\n')
			line++, line_start = i + 1;
	for (size_t i = line_start; i < off; i++)
		col += !continuation(b->text[i]);
	return (struct pc_pos){ b->tree->file, line, col };
}

static int next_event(struct builder *b, yaml_event_t *ev)
{
	if (yaml_parser_parse(&b->parser, ev))
		return 0;
	pc_diags_add(b->diags,
		     b->parser.error == YAML_READER_ERROR ?
			     offset_pos(b, b->parser.problem_offset) :
			     mark_pos(b, b->parser.problem_mark),
		     "not valid YAML: %s%s%s",
		     b->parser.problem ? b->parser.problem : "syntax error",
		     b->parser.context ? " " : "",
		     b->parser.context ? b->parser.context : "");
	return -EINVAL;
}

/* Builds the node that starts with ev (already read); consumes to its end. */
static int build_node(struct builder *b, yaml_event_t *ev, int depth,
		      struct pc_ynode **out)
{
	yaml_event_type_t end;
	struct pc_ynode *n;
	size_t base = b->top;
	int err = 0;

	*out = NULL;
	if (ev->type == YAML_ALIAS_EVENT) {
		pc_diags_add(b->diags, mark_pos(b, ev->start_mark),
			     "YAML aliases (*%s) are not allowed in policy files",
			     (const char *)ev->data.alias.anchor);
		return -EINVAL;
	}
	if (depth > MAX_DEPTH) {
		pc_diags_add(b->diags, mark_pos(b, ev->start_mark),
			     "nested more than %d levels deep", MAX_DEPTH);
		return -EINVAL;
	}
	if (++b->nodes > MAX_NODES) {
		pc_diags_add(b->diags, mark_pos(b, ev->start_mark),
			     "more than %d YAML nodes", MAX_NODES);
		return -EINVAL;
	}
	n = arena_alloc(b->tree, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->pos = mark_pos(b, ev->start_mark);
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n->type = PC_YSCALAR;
		n->scalar = arena_alloc(b->tree, ev->data.scalar.length + 1);
		memcpy(n->scalar, ev->data.scalar.value, ev->data.scalar.length);
		n->scalar[ev->data.scalar.length] = '\0';
		n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		*out = n;
		return 0;
	case YAML_SEQUENCE_START_EVENT:
		n->type = PC_YSEQ;
		end = YAML_SEQUENCE_END_EVENT;
		break;
	case YAML_MAPPING_START_EVENT:
		n->type = PC_YMAP;
		end = YAML_MAPPING_END_EVENT;
		break;
	default:
		pc_diags_add(b->diags, mark_pos(b, ev->start_mark),
			     "unexpected YAML content");
		return -EINVAL;
	}

	for (;;) {
		struct pc_ynode *child;
		yaml_event_t cev;

		err = next_event(b, &cev);
		if (err)
			break;
		if (cev.type == end) {
			yaml_event_delete(&cev);
			break;
		}
		err = build_node(b, &cev, depth + 1, &child);
		yaml_event_delete(&cev);
		if (err)
			break;
		push(b, child);
	}
	if (err) {
		b->top = base; /* the arena goes with the tree */
		return err;
	}
	take_children(b, n, base);
	*out = n;
	return 0;
}

int pc_ytree_parse(struct pc_ytree *t, const char *file, const char *text,
		   size_t len, struct pc_diags *diags)
{
	struct builder b = { .tree = t, .diags = diags,
			     .text = (const unsigned char *)text, .len = len };
	bool done = false, have_doc = false;
	int err = 0;

	memset(t, 0, sizeof(*t));
	t->file = pc_xstrdup(file);
	if (!yaml_parser_initialize(&b.parser)) {
		pc_diags_add(diags, (struct pc_pos){ t->file, 0, 0 },
			     "cannot start the YAML parser");
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);

	while (!done && !err) {
		yaml_event_t ev;

		err = next_event(&b, &ev);
		if (err)
			break;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (have_doc) {
				pc_diags_add(diags, mark_pos(&b, ev.start_mark),
					     "a policy file holds one YAML document, this is a second");
				err = -EINVAL;
			}
			have_doc = true;
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
		case YAML_ALIAS_EVENT:
			err = build_node(&b, &ev, 0, &t->root);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&b.parser);
	free(b.stack);
	if (err) {
		arena_free(t);
		t->root = NULL;
	}
	return err;
}

void pc_ytree_free(struct pc_ytree *t)
{
	arena_free(t);
	free(t->file);
	memset(t, 0, sizeof(*t));
}

const char *pc_ynode_kind(const struct pc_ynode *n)
{
	return n ? pc_ynode_type_name(n->type) : "nothing";
}

const char *pc_ynode_type_name(enum pc_ynode_type t)
{
	switch (t) {
	case PC_YSCALAR:
		return "a single value";
	case PC_YSEQ:
		return "a list";
	default:
		return "a mapping";
	}
}

bool pc_ynode_is_empty(const struct pc_ynode *n)
{
	return !n || (n->type == PC_YSCALAR && !n->quoted && n->scalar[0] == '\0');
}
