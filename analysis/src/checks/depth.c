// SPDX-License-Identifier: GPL-2.0-only
/*
 * depth: more live mappings than the per-task stack holds (KM_MAX_IDX),
 * typically a mapping inside a loop without an unmap in the same
 * iteration.
 */
#include <stdio.h>

#include "../checks.h"
#include "../model.h"

static void on_map(struct audit *a, int slot)
{
	char msg[512];
	int i, live = 0;

	for (i = 0; i < a->w->nstack; i++)
		if (!(a->w->stack[i].flags & M_MAYBE_EMPTY))
			live++;
	if (live <= KM_MAX_IDX)
		return;
	snprintf(msg, sizeof(msg),
		 "%s makes more than %d local mappings live at once on this "
		 "path (the per-task kmap_local stack holds %d)",
		 audit_call_name(a, a->w->stack[slot].site), KM_MAX_IDX,
		 KM_MAX_IDX);
	audit_report(a, "depth", a->w->stack[slot].site, msg, NULL, 0);
}

static void on_multi(struct audit *a, int slot, int site)
{
	char msg[512];
	struct note note = { site, "stored here, one per iteration" };
	int arr = a->w->stack[slot].arr;

	/* An array of at most KM_MAX_IDX elements bounds the mappings kept
	 * in it. */
	if (arr >= 0 && a->f->holders[arr].array_len > 0 &&
	    a->f->holders[arr].array_len <= KM_MAX_IDX)
		return;
	snprintf(msg, sizeof(msg),
		 "%s inside a loop keeps every iteration's mapping live: "
		 "their number is bounded only by the loop (the per-task "
		 "kmap_local stack holds %d)",
		 audit_call_name(a, a->w->stack[slot].site), KM_MAX_IDX);
	audit_report(a, "depth", a->w->stack[slot].site, msg, &note, 1);
}

static const struct check depth = {
	.kind = "depth",
	.on_map = on_map,
	.on_multi = on_multi,
};

REGISTER_CHECK(depth)
