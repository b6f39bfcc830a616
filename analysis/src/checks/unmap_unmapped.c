// SPDX-License-Identifier: GPL-2.0-only
/*
 * unmap-unmapped: kunmap_local()/kunmap_atomic() of a pointer that is
 * known not to be a local mapping on this path (NULL, never assigned, an
 * address from page_address() or of a variable).
 */
#include <stdio.h>

#include "../checks.h"
#include "../model.h"

static void on_unmap(struct audit *a, const struct unmap_event *ev)
{
	char msg[512], name[320], call[160];
	struct note note;
	const char *why;

	if (ev->api != API_UNMAP || (ev->call->flags & IRF_PAGE_ARG))
		return;
	switch (ev->v.v.kind) {
	case V_NULL:
		why = "which is NULL here";
		break;
	case V_NOTMAP:
		why = ev->v.v.sub == NM_UNINIT ?
			      "which was never assigned a mapping" :
		      ev->v.v.sub == NM_PAGE_ADDRESS ?
			      "an address from page_address(), not a local "
			      "mapping" :
			      "which is not a mapped address";
		break;
	default:
		return;
	}
	snprintf(name, sizeof(name), "%s", audit_value_name(a, ev->v));
	snprintf(call, sizeof(call), "%s", audit_call_name(a, ev->call->site));
	snprintf(msg, sizeof(msg), "%s of %s, %s", call, name, why);
	note.site = ev->v.v.a;
	note.msg = ev->v.v.sub == NM_UNINIT ? "declared here" : "assigned here";
	/* Where a NULL or a variable's address came from is plain to see. */
	audit_report(a, "unmap-unmapped", ev->call->site, msg, &note,
		     ev->v.v.kind == V_NOTMAP && ev->v.v.sub != NM_ADDRESS_OF);
}

static const struct check unmap_unmapped = {
	.kind = "unmap-unmapped",
	.on_unmap = on_unmap,
};

REGISTER_CHECK(unmap_unmapped)
