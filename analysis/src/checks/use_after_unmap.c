// SPDX-License-Identifier: GPL-2.0-only
/*
 * use-after-unmap: the address, or a pointer derived from it, used after
 * the mapping was released.
 */
#include <stdio.h>

#include "../checks.h"
#include "../model.h"

static void on_use(struct audit *a, struct rval v, int site, const char *how)
{
	char msg[512], name[320];
	struct note notes[2];

	int foreign = v.v.sub == DEAD_FOREIGN;

	snprintf(name, sizeof(name), "%s", audit_value_name(a, v));
	snprintf(msg, sizeof(msg),
		 "%s %s after %s at line %d released its "
		 "mapping%s",
		 name, how, audit_call_name(a, v.v.b), audit_line(a, v.v.b),
		 foreign ? " (made outside this function)" : "");
	notes[0].site = v.v.b;
	notes[0].msg = "unmapped here";
	notes[1].site = v.v.a;
	notes[1].msg = "mapped here";
	audit_report(a, "use-after-unmap", site, msg, notes, foreign ? 1 : 2);
}

static const struct check use_after_unmap = {
	.kind = "use-after-unmap",
	.on_use = on_use,
};

REGISTER_CHECK(use_after_unmap)
