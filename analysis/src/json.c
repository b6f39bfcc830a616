// SPDX-License-Identifier: GPL-2.0-only
/*
 * A small recursive-descent JSON reader and a string writer.  Nesting is
 * bounded so malformed input cannot exhaust the stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

#define JSON_MAX_DEPTH 32

void json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

struct parser {
	const char *p;
	char *err;
	int errlen;
	int failed;
};

static void fail(struct parser *ps, const char *what)
{
	if (!ps->failed)
		snprintf(ps->err, ps->errlen, "%s", what);
	ps->failed = 1;
}

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	       *ps->p == '\r')
		ps->p++;
}

static void put_utf8(char **buf, size_t *len, size_t *cap, unsigned cp)
{
	char tmp[4];
	int n, i;

	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else {
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	}
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	for (i = 0; i < n; i++)
		(*buf)[(*len)++] = tmp[i];
}

static char *parse_string(struct parser *ps)
{
	size_t len = 0, cap = 16;
	char *buf = xmalloc(cap);

	ps->p++; /* opening quote */
	while (*ps->p && *ps->p != '"') {
		unsigned cp = (unsigned char)*ps->p++;

		if (cp == '\\') {
			char c = *ps->p++;

			switch (c) {
			case 'n':
				cp = '\n';
				break;
			case 't':
				cp = '\t';
				break;
			case 'r':
				cp = '\r';
				break;
			case 'b':
				cp = '\b';
				break;
			case 'f':
				cp = '\f';
				break;
			case '/':
				cp = '/';
				break;
			case '\\':
				cp = '\\';
				break;
			case '"':
				cp = '"';
				break;
			case 'u': {
				unsigned v = 0;
				int i;

				for (i = 0; i < 4; i++) {
					char h = *ps->p;

					if (h >= '0' && h <= '9')
						v = v * 16 + (h - '0');
					else if (h >= 'a' && h <= 'f')
						v = v * 16 + (h - 'a' + 10);
					else if (h >= 'A' && h <= 'F')
						v = v * 16 + (h - 'A' + 10);
					else
						break;
					ps->p++;
				}
				if (i < 4) {
					fail(ps, "bad \\u escape");
					free(buf);
					return NULL;
				}
				cp = v;
				break;
			}
			default:
				fail(ps, "bad escape");
				free(buf);
				return NULL;
			}
		}
		put_utf8(&buf, &len, &cap, cp);
	}
	if (*ps->p != '"') {
		fail(ps, "unterminated string");
		free(buf);
		return NULL;
	}
	ps->p++;
	buf[len] = 0;
	return buf;
}

static int parse_value(struct parser *ps, struct json *out, int depth);

static void append(struct json *j, char *key, struct json *v)
{
	j->items = xrealloc(j->items, sizeof(*j->items) * (j->n + 1));
	j->items[j->n] = *v;
	if (j->type == J_OBJ) {
		j->keys = xrealloc(j->keys, sizeof(*j->keys) * (j->n + 1));
		j->keys[j->n] = key;
	}
	j->n++;
}

static int parse_container(struct parser *ps, struct json *out, int depth)
{
	char close = *ps->p == '{' ? '}' : ']';

	out->type = close == '}' ? J_OBJ : J_ARR;
	ps->p++;
	skip_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		struct json v;
		char *key = NULL;

		memset(&v, 0, sizeof(v));
		skip_ws(ps);
		if (out->type == J_OBJ) {
			if (*ps->p != '"') {
				fail(ps, "expected a key");
				return -1;
			}
			key = parse_string(ps);
			if (!key)
				return -1;
			skip_ws(ps);
			if (*ps->p != ':') {
				free(key);
				fail(ps, "expected ':'");
				return -1;
			}
			ps->p++;
		}
		if (parse_value(ps, &v, depth + 1)) {
			free(key);
			json_free(&v);
			return -1;
		}
		append(out, key, &v);
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			return 0;
		}
		fail(ps, "expected ',' or a closing bracket");
		return -1;
	}
}

static int parse_value(struct parser *ps, struct json *out, int depth)
{
	memset(out, 0, sizeof(*out));
	if (depth > JSON_MAX_DEPTH) {
		fail(ps, "nested too deeply");
		return -1;
	}
	skip_ws(ps);
	switch (*ps->p) {
	case '{':
	case '[':
		return parse_container(ps, out, depth);
	case '"':
		out->type = J_STR;
		out->str = parse_string(ps);
		return out->str ? 0 : -1;
	case 't':
	case 'f':
	case 'n':
		if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "null", 4)) {
			out->type = *ps->p == 't' ? J_BOOL : J_NULL;
			out->num = *ps->p == 't';
			ps->p += 4;
			return 0;
		}
		if (!strncmp(ps->p, "false", 5)) {
			out->type = J_BOOL;
			ps->p += 5;
			return 0;
		}
		break;
	default: {
		char *end;

		out->num = strtod(ps->p, &end);
		if (end != ps->p) {
			out->type = J_NUM;
			ps->p = end;
			return 0;
		}
	}
	}
	fail(ps, "unexpected character");
	return -1;
}

int json_parse(const char *text, struct json *out, char *err, int errlen)
{
	struct parser ps = { text, err, errlen, 0 };

	if (parse_value(&ps, out, 0)) {
		json_free(out);
		return -1;
	}
	skip_ws(&ps);
	if (*ps.p) {
		json_free(out);
		snprintf(err, errlen, "trailing characters");
		return -1;
	}
	return 0;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	int i;

	if (!obj || obj->type != J_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}

void json_free(struct json *j)
{
	int i;

	for (i = 0; i < j->n; i++) {
		json_free(&j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->str);
	memset(j, 0, sizeof(*j));
}
