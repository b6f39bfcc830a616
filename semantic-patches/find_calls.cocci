// SPDX-License-Identifier: GPL-2.0-only
/// Find every kmap()/kmap_atomic() call, nothing more.
///
/// The floor that make bench measures convert against, and the reference
/// for "no site missing, none invented": one JSON object per call.
//
// Confidence: High
// Options: --no-includes

@site@
identifier mapfn = {kmap, kmap_atomic};
expression P;
position p;
@@
mapfn@p(P)

@script:python@
p << site.p;
mapfn << site.mapfn;
@@
print('{"file": "%s", "line": %s, "column": %d, "function": "%s", "api": "%s"}'
      % (p[0].file, p[0].line, int(p[0].column) + 1, p[0].current_element,
	 mapfn))
