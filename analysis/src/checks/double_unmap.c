// SPDX-License-Identifier: GPL-2.0-only
/*
 * double-unmap: releasing a mapping that this path already released.
 */
#include <stdio.h>

#include "../checks.h"
#include "../model.h"

static void on_unmap(struct audit *a, const struct unmap_event *ev)
{
	char msg[512], name[320], call[160];
	struct note notes[2];

	if (ev->v.v.kind != V_DEAD)
		return;
	snprintf(name, sizeof(name), "%s", audit_value_name(a, ev->v));
	snprintf(call, sizeof(call), "%s", audit_call_name(a, ev->call->site));
	if (ev->v.v.sub == DEAD_FOREIGN)
		snprintf(msg, sizeof(msg),
			 "%s of %s, whose mapping (made outside this "
			 "function) was already released at line %d",
			 call, name, audit_line(a, ev->v.v.b));
	else
		snprintf(msg, sizeof(msg),
			 "%s of %s, whose mapping from line %d was already "
			 "released at line %d",
			 call, name, audit_line(a, ev->v.v.a),
			 audit_line(a, ev->v.v.b));
	notes[0].site = ev->v.v.b;
	notes[0].msg = "first released here";
	notes[1].site = ev->v.v.a;
	notes[1].msg = "mapped here";
	audit_report(a, "double-unmap", ev->call->site, msg, notes,
		     ev->v.v.sub == DEAD_FOREIGN ? 1 : 2);
}

static const struct check double_unmap = {
	.kind = "double-unmap",
	.on_unmap = on_unmap,
};

REGISTER_CHECK(double_unmap)
