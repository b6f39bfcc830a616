// SPDX-License-Identifier: GPL-2.0-only
/*
 * kunmap_local() and kunmap_atomic() are macros that assert their
 * argument is not a struct page: BUILD_BUG_ON(__same_type((__addr),
 * struct page *)).  With the kernel's own definition the failure is a
 * call to a function with the "error" attribute, which clang reports only
 * when generating code, so the audit (which parses) never sees it.  Other
 * definitions fail while parsing (_Static_assert, negative array sizes or
 * bit-field widths, as BUILD_BUG_ON() was in older kernels).  Such an
 * error is the unmap-arg defect itself, which the audit reports from the
 * argument's type: it must not hide the function from the audit.  An
 * assertion that no unmap-arg finding explains is kept as a parse error,
 * so that a file that does not build is still named.
 */
#include <stdlib.h>
#include <string.h>

#include "build_assert.h"

int build_assert_is(const char *diag)
{
	/* clang 14's wording for each way to make an assertion fail. */
	static const char *const texts[] = {
		"static_assert failed",
		"static assertion failed",
		"array size is negative",
		"declared as an array with a negative size",
		"has negative width",
		"declared with 'error' attribute",
		NULL,
	};
	int i;

	for (i = 0; diag && texts[i]; i++)
		if (strstr(diag, texts[i]))
			return 1;
	return 0;
}

void build_assert_add(struct build_asserts *ba, int line, int col,
		      const char *diag)
{
	grow((void **)&ba->v, &ba->cap, ba->n, sizeof(*ba->v));
	ba->v[ba->n].line = line;
	ba->v[ba->n].col = col;
	ba->v[ba->n].msg = xstrdup(diag);
	ba->n++;
}

static int explained(const struct findings *out, const char *display, int line)
{
	int i;

	for (i = 0; i < out->n; i++)
		if (out->v[i].line == line &&
		    !strcmp(out->v[i].kind, "unmap-arg") &&
		    !strcmp(out->v[i].file, display))
			return 1;
	return 0;
}

int build_assert_report(const struct build_asserts *ba, const char *display,
			struct findings *out)
{
	int i, n = 0;

	for (i = 0; i < ba->n; i++) {
		char *m;

		if (explained(out, display, ba->v[i].line))
			continue;
		m = xasprintf("a build-time assertion fails here, the file "
			      "does not build (the function is audited "
			      "anyway): %s",
			      ba->v[i].msg);
		findings_add(out, display, ba->v[i].line, ba->v[i].col, "",
			     "parse-error", m, NULL, 0);
		free(m);
		n++;
	}
	return n;
}

void build_asserts_free(struct build_asserts *ba)
{
	int i;

	for (i = 0; i < ba->n; i++)
		free(ba->v[i].msg);
	free(ba->v);
	memset(ba, 0, sizeof(*ba));
}
