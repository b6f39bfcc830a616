/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One finding kind per file under checks/, each hooking into the events
 * the engine reports along every path (smatch-style).  A check registers
 * itself from a constructor, so a new kind is one new file.
 */
#ifndef KMAP_AUDIT_CHECKS_H
#define KMAP_AUDIT_CHECKS_H

#include "engine.h"

struct unmap_event {
	const struct ir *call; /* kunmap_local(), kunmap(), or a wrapper */
	const struct ir *arg;
	struct rval v; /* what the argument holds before the unmap */
	int api; /* API_UNMAP or API_KUNMAP */
	int page_slot; /* page argument: its live local mapping, -1 */
	int page_kmapped; /* page argument: it also has a kmap() */
};

struct exit_event {
	int site;
	int has_value;
	struct rval v;
};

struct check {
	const char *kind;
	void (*on_map)(struct audit *a, int slot);
	/* A mapping stored in an array joined the mappings from earlier
	 * iterations of a loop: their number is no longer known. */
	void (*on_multi)(struct audit *a, int slot, int site);
	void (*on_unmap)(struct audit *a, const struct unmap_event *ev);
	void (*on_use)(struct audit *a, struct rval v, int site,
		       const char *how);
	void (*on_store)(struct audit *a, int holder, struct rval v, int site);
	void (*on_call)(struct audit *a, const struct ir *call,
			const struct rval *args);
	/* The mapping in stack slot goes, as argument arg of call, to a
	 * callee that stores it in a global variable (global) or hands it
	 * to deferred work. */
	void (*on_handoff)(struct audit *a, const struct ir *call, int slot,
			   int arg, int global);
	void (*on_exit)(struct audit *a, const struct exit_event *ev);
	/* Once per unmap call of the function after its paths were
	 * explored, whether a path reached it or not (code behind
	 * IS_ENABLED(CONFIG_HIGHMEM) is dead on x86_64 but compiled
	 * elsewhere): for what the call's types alone show. */
	void (*on_unmap_call)(struct audit *a, const struct ir *call);
};

void check_register(const struct check *c);

#define REGISTER_CHECK(c)                                           \
	static void __attribute__((constructor)) register_##c(void) \
	{                                                           \
		check_register(&c);                                 \
	}

#endif
