// SPDX-License-Identifier: GPL-2.0-only
/*
 * escape: a local mapping is valid only in the thread that made it and
 * only until it is released; storing it in a global, or handing it (or
 * the object it is stored in) to deferred work, lets another context use
 * it.
 */
#include <stdio.h>

#include "../checks.h"
#include "../model.h"

static void on_store(struct audit *a, int holder, struct rval v, int site)
{
	const struct holder *h = &a->f->holders[holder];
	char msg[512], call[160];
	struct note note;
	int map_site;

	if (v.v.kind != V_LIVE || h->root_kind != ROOT_GLOBAL)
		return;
	map_site = a->w->stack[v.v.a].site;
	snprintf(call, sizeof(call), "%s", audit_call_name(a, map_site));
	snprintf(msg, sizeof(msg),
		 "the address from %s at line %d is stored in '%s', which "
		 "outlives this thread's use of the mapping",
		 call, audit_line(a, map_site), h->name);
	note.site = map_site;
	note.msg = "mapped here";
	audit_report(a, "escape", site, msg, &note, 1);
}

static void report_defer(struct audit *a, const struct ir *call, int slot,
			 int arg)
{
	char msg[512], map[160];
	struct note note;
	int map_site = a->w->stack[slot].site;

	snprintf(map, sizeof(map), "%s", audit_call_name(a, map_site));
	snprintf(msg, sizeof(msg),
		 "the mapping from %s at line %d is handed to %s, which uses "
		 "it later in another context",
		 map, audit_line(a, map_site), audit_call_name(a, call->site));
	note.site = map_site;
	note.msg = "mapped here";
	audit_report(a, "escape", call->kids[arg]->site, msg, &note, 1);
}

static void on_handoff(struct audit *a, const struct ir *call, int slot,
		       int arg, int global)
{
	char msg[600], map[160], callee[160];
	struct note note;
	int map_site = a->w->stack[slot].site;

	snprintf(map, sizeof(map), "%s", audit_call_name(a, map_site));
	snprintf(callee, sizeof(callee), "%s", audit_call_name(a, call->site));
	snprintf(msg, sizeof(msg),
		 global ? "the mapping from %s at line %d is handed to %s, "
			  "which stores it in a global variable that outlives "
			  "this thread's use of the mapping" :
			  "the mapping from %s at line %d is handed to %s, "
			  "which hands it to deferred work that uses it later "
			  "in another context",
		 map, audit_line(a, map_site), callee);
	note.site = map_site;
	note.msg = "mapped here";
	audit_report(a, "escape", call->kids[arg]->site, msg, &note, 1);
}

static void on_call(struct audit *a, const struct ir *call,
		    const struct rval *args)
{
	int i, j;

	for (i = 0; i < call->nkids && i < 16; i++) {
		int root;

		if (args[i].v.kind == V_LIVE) {
			report_defer(a, call, args[i].v.a, i);
			continue;
		}
		root = arg_root(a->f, call->kids[i]);
		if (root < 0)
			continue;
		for (j = 0; j < a->f->nrel; j++) {
			const struct holder *h =
				&a->f->holders[a->f->rel_holder[j]];
			struct value v = a->w->val[j];

			if (h->root == root && v.kind == V_LIVE) {
				report_defer(a, call, v.a, i);
				break;
			}
		}
	}
}

static const struct check escape = {
	.kind = "escape",
	.on_store = on_store,
	.on_call = on_call,
	.on_handoff = on_handoff,
};

REGISTER_CHECK(escape)
