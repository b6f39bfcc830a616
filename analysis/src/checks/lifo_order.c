// SPDX-License-Identifier: GPL-2.0-only
/*
 * lifo-order: kmap_local mappings live on a per-task stack, so an unmap
 * must release the most recent live mapping.
 */
#include <stdio.h>

#include "../checks.h"
#include "../model.h"

static void on_unmap(struct audit *a, const struct unmap_event *ev)
{
	char msg[512];
	const struct mapping *m, *t;
	struct note notes[2];
	int top;

	if (ev->v.v.kind != V_LIVE || (ev->call->flags & IRF_PAGE_ARG) ||
	    ev->api != API_UNMAP)
		return;
	top = ms_top(a->w);
	if (top <= ev->v.v.a)
		return;
	m = &a->w->stack[ev->v.v.a];
	t = &a->w->stack[top];
	snprintf(msg, sizeof(msg),
		 "%s releases the mapping from line %d while the mapping "
		 "from line %d, made later, is still live; local mappings "
		 "must be released in reverse order",
		 audit_call_name(a, ev->call->site), audit_line(a, m->site),
		 audit_line(a, t->site));
	notes[0].site = m->site;
	notes[0].msg = "mapped here";
	notes[1].site = t->site;
	notes[1].msg = "mapped later here, still live";
	audit_report(a, "lifo-order", ev->call->site, msg, notes, 2);
}

static const struct check lifo_order = {
	.kind = "lifo-order",
	.on_unmap = on_unmap,
};

REGISTER_CHECK(lifo_order)
