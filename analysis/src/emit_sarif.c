// SPDX-License-Identifier: GPL-2.0-only
/*
 * SARIF 2.1.0, for code-scanning dashboards.
 */
#include <string.h>

#include "findings.h"
#include "json.h"

static const struct {
	const char *id, *text;
} rules[] = {
	{ "lifo-order", "kmap_local mappings released out of order" },
	{ "leak", "a path leaves the function with a live mapping" },
	{ "use-after-unmap", "the mapped address used after its unmap" },
	{ "double-unmap", "a mapping released twice" },
	{ "unmap-unmapped", "unmapping a pointer that is not mapped" },
	{ "unmap-arg", "wrong argument for the unmap function" },
	{ "depth", "more live mappings than the kmap_local stack holds" },
	{ "escape", "a local mapping used outside its thread" },
	{ "parse-error", "the file could not be parsed" },
	{ "not-audited", "a function using the mapping API was not audited" },
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
	for (r = 0; r < sizeof(rules) / sizeof(rules[0]); r++)
		fprintf(out,
			"%s\n      {\"id\": \"kmap-%s\", "
			"\"shortDescription\": {\"text\": \"%s\"}}",
			r ? "," : "", rules[r].id, rules[r].text);
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
