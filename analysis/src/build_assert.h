/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Build-time assertions (BUILD_BUG_ON() and friends) that clang reports
 * as errors while parsing.  They leave the code around them complete, so
 * unlike other errors they do not stop a function from being audited.
 */
#ifndef KMAP_AUDIT_BUILD_ASSERT_H
#define KMAP_AUDIT_BUILD_ASSERT_H

#include "findings.h"

struct build_assert {
	int line, col;
	char *msg;
};

struct build_asserts {
	struct build_assert *v;
	int n, cap;
};

/* Is this error message a failed build-time assertion? */
int build_assert_is(const char *diag);
void build_assert_add(struct build_asserts *ba, int line, int col,
		      const char *diag);
/*
 * Reports, as parse errors of file display, the assertions that no
 * unmap-arg finding on their line explains; returns how many.
 */
int build_assert_report(const struct build_asserts *ba, const char *display,
			struct findings *out);
void build_asserts_free(struct build_asserts *ba);

#endif
