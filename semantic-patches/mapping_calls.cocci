// SPDX-License-Identifier: GPL-2.0-only
/// List, per function, the multiset of page-mapping calls it makes:
/// the legacy kmap()/kmap_atomic() family and the local-mapping APIs
/// that replace it.  make eval runs it over the 6.1 tree, our patched
/// copy and upstream's 6.12 tree to tell which functions upstream
/// converted and whether we converted them the same way.
///
/// Output: one JSON object per function, {"file", "function", "calls"},
/// with calls a {name: count} object.  Every function definition is
/// listed, even one without mapping calls ("calls": {}), so a function
/// that still exists can be told from one that is gone.
//
// Confidence: High
// Options: --no-includes

@initialize:python@
@@
import json
# (file, function) -> {call: count}; printed once at the end, because a
# per-call line would leave the aggregation to every consumer.
functions = {}

def note(p, name=None):
    calls = functions.setdefault((p[0].file, p[0].current_element), {})
    if name is not None:
        calls[name] = calls.get(name, 0) + 1

@def@
identifier fn;
position p;
@@
fn@p(...) { ... }

@script:python@
p << def.p;
@@
note(p)

@call@
identifier f = {kmap, kmap_atomic, kunmap, kunmap_atomic,
		kmap_local_page, kmap_local_folio, kunmap_local,
		memcpy_to_page, memcpy_from_page, memzero_page, memcpy_page,
		memcpy_from_folio, memcpy_to_folio, folio_zero_range,
		folio_zero_segment, folio_zero_segments, folio_zero_tail,
		folio_release_kmap, clear_highpage};
position p;
@@
f@p(...)

@script:python@
p << call.p;
f << call.f;
@@
note(p, f)

@finalize:python@
@@
for (path, function), calls in sorted(functions.items()):
    print(json.dumps({"file": path, "function": function,
                      "calls": dict(sorted(calls.items()))}))
