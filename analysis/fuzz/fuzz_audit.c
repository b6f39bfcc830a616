// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer entry: the input is a C file, parsed from memory (an unsaved
 * file) and audited like any other.  Malformed C must give diagnostics,
 * never a crash.  FUZZ_INCLUDE is the mock kernel header directory.
 */
#include <stddef.h>
#include <stdint.h>

#include "../src/audit.h"

#ifndef FUZZ_INCLUDE
#define FUZZ_INCLUDE "tests/analysis/include"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static CXIndex idx;
	static const char *const args[] = { "-x", "c", "-std=gnu11",
					    ("-I" FUZZ_INCLUDE) };
	struct CXUnsavedFile file = { "fuzz-input.c", (const char *)data,
				      (unsigned long)size };
	struct audit_stats st = { 0 };
	struct findings fs = { 0 };

	if (!idx)
		idx = clang_createIndex(0, 0);
	audit_file(idx, "fuzz-input.c", NULL, "fuzz-input.c", args, 4, &file, 1, &fs,
		   &st);
	findings_sort(&fs);
	findings_free(&fs);
	return 0;
}
