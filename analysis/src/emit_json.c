// SPDX-License-Identifier: GPL-2.0-only
/*
 * JSON lines, one object per finding (the interface other tools read),
 * and the reader for them.
 */
#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "json.h"

void emit_json(FILE *out, const struct findings *fs)
{
	int i, j;

	for (i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];

		fputs("{\"file\": ", out);
		json_string(out, f->file);
		fprintf(out, ", \"line\": %d, \"column\": %d, \"function\": ",
			f->line, f->col);
		json_string(out, f->function);
		fputs(", \"kind\": ", out);
		json_string(out, f->kind);
		fputs(", \"message\": ", out);
		json_string(out, f->message);
		fputs(", \"related\": [", out);
		for (j = 0; j < f->nrel; j++) {
			fputs(j ? ", {\"file\": " : "{\"file\": ", out);
			json_string(out, f->rel[j].file);
			fprintf(out,
				", \"line\": %d, \"column\": %d, "
				"\"message\": ",
				f->rel[j].line, f->rel[j].col);
			json_string(out, f->rel[j].message);
			fputc('}', out);
		}
		fputs("]}\n", out);
	}
}

static const char *str_of(const struct json *o, const char *key)
{
	const struct json *v = json_get(o, key);

	return v && v->type == J_STR ? v->str : NULL;
}

static int int_of(const struct json *o, const char *key)
{
	const struct json *v = json_get(o, key);

	return v && v->type == J_NUM ? (int)v->num : 0;
}

static int add_object(struct findings *fs, const struct json *o, char *err,
		      int errlen)
{
	const struct json *rel = json_get(o, "related");
	const char *file = str_of(o, "file"), *kind = str_of(o, "kind");
	const char *msg = str_of(o, "message");
	struct related *r = NULL;
	int i, n = 0;

	if (!file || !kind || !msg || !json_get(o, "line")) {
		snprintf(err, errlen,
			 "a finding lacks file, line, kind or "
			 "message");
		return -1;
	}
	if (rel && rel->type == J_ARR && rel->n) {
		r = xcalloc(rel->n, sizeof(*r));
		for (i = 0; i < rel->n; i++) {
			const char *m = str_of(&rel->items[i], "message");

			r[n].file = (char *)str_of(&rel->items[i], "file");
			r[n].line = int_of(&rel->items[i], "line");
			r[n].col = int_of(&rel->items[i], "column");
			r[n].message = (char *)(m ? m : "");
			n++;
		}
	}
	findings_add(fs, file, int_of(o, "line"), int_of(o, "column"),
		     str_of(o, "function"), kind, msg, r, n);
	free(r);
	return 0;
}

int findings_read_json(FILE *in, struct findings *fs, char *err, int errlen)
{
	size_t cap = 0;
	char *line = NULL;
	long lineno = 0;
	ssize_t len;
	int rc = 0;

	while ((len = getline(&line, &cap, in)) >= 0) {
		struct json o;
		char why[200];

		lineno++;
		if (len == 0 || strspn(line, " \t\r\n") == (size_t)len)
			continue;
		if (json_parse(line, &o, why, sizeof(why))) {
			snprintf(err, errlen, "line %ld: %s", lineno, why);
			rc = -1;
			break;
		}
		if (o.type != J_OBJ) {
			snprintf(err, errlen, "line %ld: not an object",
				 lineno);
			json_free(&o);
			rc = -1;
			break;
		}
		rc = add_object(fs, &o, why, sizeof(why));
		json_free(&o);
		if (rc) {
			snprintf(err, errlen, "line %ld: %s", lineno, why);
			break;
		}
	}
	free(line);
	return rc;
}
