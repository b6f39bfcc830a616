// SPDX-License-Identifier: GPL-2.0-only
/// Test helper: list the functions that call a legacy or local mapping API,
/// to tell which functions upstream converted between two trees.

@call@
identifier f = {kmap, kmap_atomic, kmap_local_page, kmap_local_folio,
		kunmap_local, memcpy_to_page, memcpy_from_page, memzero_page,
		memcpy_page};
position p;
@@
f@p(...)

@script:python@
p << call.p;
f << call.f;
@@
print('%s\t%s\t%s' % (p[0].file, p[0].current_element, f))
