// SPDX-License-Identifier: GPL-2.0-only
/*
 * leak: a path leaves the function with a mapping still live that is
 * neither returned nor stored where its owner can release it.
 */
#include <stdio.h>

#include "../checks.h"
#include "../model.h"

/*
 * A mapping stored outside the function's frame (in an object reached
 * through a parameter, or by a callee it was lent to) and still live at
 * the exit has left this function's hands: no leak here, but whether it
 * is released, and by whom, is not checked either.  A note, so that
 * nobody takes the silence for a proof (a kmap() whose address a helper
 * keeps in a caller's packet is no candidate for a local mapping).
 */
static void unchecked_release(struct audit *a, const struct exit_event *ev,
			      const struct mapping *m)
{
	struct note note;
	char msg[700];

	snprintf(msg, sizeof(msg),
		 "%s() uses %s but was not audited whole: the mapping it "
		 "makes at line %d is still live when the function %s, "
		 "stored outside its frame (in an object reached through a "
		 "parameter, or by a callee it is lent to), and whether it "
		 "is released is not checked",
		 a->f->fc->funcs[a->f->fn_id].name, audit_call_name(a, m->site),
		 audit_line(a, m->site),
		 ev->site == a->f->body_end_site ? "ends" : "returns here");
	note.site = m->site;
	note.msg = "mapped here";
	audit_report(a, "not-audited", ev->site, msg, &note, 1);
}

static void on_exit_path(struct audit *a, const struct exit_event *ev)
{
	int i;

	for (i = 0; i < a->w->nstack; i++) {
		const struct mapping *m = &a->w->stack[i];
		struct note note;
		char msg[512];

		if (m->flags & (M_MAYBE_EMPTY | M_RETURNED))
			continue;
		if (m->flags & M_ESCAPED) {
			unchecked_release(a, ev, m);
			continue;
		}
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
