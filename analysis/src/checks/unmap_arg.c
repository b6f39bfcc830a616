// SPDX-License-Identifier: GPL-2.0-only
/*
 * unmap-arg: the classic conversion slips, from types and from what the
 * argument holds: kunmap_local() given the struct page, kunmap() given
 * the address, kunmap() of a page mapped with kmap_local_page(), and
 * kunmap_local() of an address that came from kmap().
 */
#include <stdio.h>

#include "../checks.h"
#include "../model.h"

static void report(struct audit *a, const struct unmap_event *ev,
		   const char *msg, int note_site, const char *note_msg)
{
	struct note note = { note_site, note_msg };

	audit_report(a, "unmap-arg", ev->call->site, msg, &note,
		     note_site >= 0 ? 1 : 0);
}

/* The slips the argument's type shows (the type before the implicit
 * conversion to const void * or struct page *); 0 if none. */
static int type_slip(const struct ir *call, char *msg, size_t len,
		     const char *name)
{
	if (call->api == API_UNMAP && (call->flags & IRF_PAGE_ARG))
		snprintf(msg, len,
			 "%s takes the mapped address, not the struct page "
			 "or folio",
			 name);
	else if (call->api == API_KUNMAP && !(call->flags & IRF_PAGE_ARG))
		snprintf(msg, len,
			 "kunmap() takes the struct page, not the mapped "
			 "address");
	else
		return 0;
	return 1;
}

static void on_unmap(struct audit *a, const struct unmap_event *ev)
{
	char msg[512], call[160], map[160];
	int slot = ev->page_slot;

	snprintf(call, sizeof(call), "%s", audit_call_name(a, ev->call->site));
	if (ev->api == API_UNMAP && (ev->call->flags & IRF_PAGE_ARG)) {
		type_slip(ev->call, msg, sizeof(msg), call);
		report(a, ev, msg, slot >= 0 ? a->w->stack[slot].site : -1,
		       "mapped here");
	} else if (ev->api == API_UNMAP && ev->v.v.kind == V_GMAP) {
		snprintf(msg, sizeof(msg),
			 "%s of an address from kmap() at line %d; a kmap() "
			 "mapping is released with kunmap(page)",
			 call, audit_line(a, ev->v.v.a));
		report(a, ev, msg, ev->v.v.a, "kmap() here");
	} else if (ev->api == API_KUNMAP && !(ev->call->flags & IRF_PAGE_ARG)) {
		type_slip(ev->call, msg, sizeof(msg), call);
		report(a, ev, msg,
		       ev->v.v.kind == V_LIVE ? a->w->stack[ev->v.v.a].site :
						-1,
		       "mapped here");
	} else if (ev->api == API_KUNMAP && slot >= 0 && !ev->page_kmapped) {
		snprintf(map, sizeof(map), "%s",
			 audit_call_name(a, a->w->stack[slot].site));
		snprintf(msg, sizeof(msg),
			 "kunmap() of a page mapped with %s at line %d; "
			 "release a local mapping with kunmap_local() on its "
			 "address",
			 map, audit_line(a, a->w->stack[slot].site));
		report(a, ev, msg, a->w->stack[slot].site, "mapped here");
	}
}

/* The type slips of calls no explored path reached (a path that did
 * reported them first, with the map site; findings are de-duplicated). */
static void on_unmap_call(struct audit *a, const struct ir *call)
{
	char msg[512], name[160];

	snprintf(name, sizeof(name), "%s", audit_call_name(a, call->site));
	if (type_slip(call, msg, sizeof(msg), name))
		audit_report(a, "unmap-arg", call->site, msg, NULL, 0);
}

static const struct check unmap_arg = {
	.kind = "unmap-arg",
	.on_unmap = on_unmap,
	.on_unmap_call = on_unmap_call,
};

REGISTER_CHECK(unmap_arg)
