// SPDX-License-Identifier: GPL-2.0-only
/*
 * leak: a path leaves the function with a mapping still live that is
 * neither returned nor stored where its owner can release it.
 */
#include <stdio.h>

#include "../checks.h"
#include "../model.h"

static void on_exit_path(struct audit *a, const struct exit_event *ev)
{
	int i;

	for (i = 0; i < a->w->nstack; i++) {
		const struct mapping *m = &a->w->stack[i];
		struct note note;
		char msg[512];

		if (m->flags & (M_MAYBE_EMPTY | M_ESCAPED | M_RETURNED))
			continue;
		/* A loop mapping into an array and a loop unmapping from it
		 * pair up by their counters, which are not tracked. */
		if (m->arr >= 0 && a->f->holders[m->arr].unmapped_here)
			continue;
		snprintf(msg, sizeof(msg),
			 "the mapping from %s at line %d is still live when "
			 "the function %s",
			 audit_call_name(a, m->site), audit_line(a, m->site),
			 ev->site == a->f->body_end_site ? "ends" :
							   "returns here");
		note.site = m->site;
		note.msg = "mapped here";
		audit_report(a, "leak", ev->site, msg, &note, 1);
	}
}

static const struct check leak = {
	.kind = "leak",
	.on_exit = on_exit_path,
};

REGISTER_CHECK(leak)
