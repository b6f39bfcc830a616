/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal JSON: writing strings, and reading back the objects that
 * emit_json() writes (for --render, which merges per-file outputs).
 */
#ifndef KMAP_AUDIT_JSON_H
#define KMAP_AUDIT_JSON_H

#include <stdio.h>

void json_string(FILE *out, const char *s);

enum json_type { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct json {
	enum json_type type;
	double num;
	char *str;
	struct json *items; /* array elements or object values */
	char **keys; /* object keys */
	int n;
};

/* Parses one JSON value from text; returns 0 or -1 with err set. */
int json_parse(const char *text, struct json *out, char *err, int errlen);
const struct json *json_get(const struct json *obj, const char *key);
void json_free(struct json *j);

#endif
