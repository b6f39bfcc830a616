// SPDX-License-Identifier: GPL-2.0-only
/*
 * SARIF 2.1.0, for code-scanning dashboards.
 */
#include <string.h>

#include "findings.h"
#include "json.h"

/* analysis/rules.tsv, the one source of the rules' words. */
static const struct {
	const char *id, *level, *text, *full;
} rules[] = {
#include "rules.inc"
};

/* The members of a location object (without its braces). */
static void physical(FILE *out, const char *file, int line, int col)
{
	fputs("\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", out);
	json_string(out, file);
	fprintf(out, "}, \"region\": {\"startLine\": %d", line > 0 ? line : 1);
	if (col > 0)
		fprintf(out, ", \"startColumn\": %d", col);
	fputs("}}", out);
}

void emit_sarif(FILE *out, const struct findings *fs)
{
	size_t r;
	int i, j;

	fputs("{\n  \"version\": \"2.1.0\",\n  \"$schema\": "
	      "\"https://json.schemastore.org/sarif-2.1.0.json\",\n"
	      "  \"runs\": [{\n    \"tool\": {\"driver\": {\"name\": "
	      "\"kmap-audit\", \"rules\": [",
	      out);
	for (r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		fprintf(out, "%s\n      {\"id\": \"kmap-%s\", ", r ? "," : "",
			rules[r].id);
		fputs("\"shortDescription\": {\"text\": ", out);
		json_string(out, rules[r].text);
		fputs("}, \"fullDescription\": {\"text\": ", out);
		json_string(out, rules[r].full);
		fprintf(out,
			"}, \"defaultConfiguration\": {\"level\": \"%s\"}}",
			rules[r].level);
	}
	fputs("]}},\n    \"results\": [", out);
	for (i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];

		fprintf(out, "%s\n      {\"ruleId\": ", i ? "," : "");
		{
			char id[64];

			snprintf(id, sizeof(id), "kmap-%s", f->kind);
			json_string(out, id);
		}
		fprintf(out, ", \"level\": \"%s\", \"message\": {\"text\": ",
			!strcmp(f->kind, "parse-error") ? "error" :
			findings_is_note(f)		? "note" :
							  "warning");
		json_string(out, f->message);
		fputs("}, \"locations\": [{", out);
		physical(out, f->file, f->line, f->col);
		if (*f->function) {
			fputs(", \"logicalLocations\": [{\"name\": ", out);
			json_string(out, f->function);
			fputs(", \"kind\": \"function\"}]", out);
		}
		fputs("}]", out);
		if (f->nrel) {
			fputs(", \"relatedLocations\": [", out);
			for (j = 0; j < f->nrel; j++) {
				fprintf(out, "%s{\"id\": %d, ", j ? ", " : "",
					j + 1);
				physical(out, f->rel[j].file, f->rel[j].line,
					 f->rel[j].col);
				fputs(", \"message\": {\"text\": ", out);
				json_string(out, f->rel[j].message);
				fputs("}}", out);
			}
			fputs("]", out);
		}
		fputs("}", out);
	}
	fputs("\n    ]\n  }]\n}\n", out);
}
