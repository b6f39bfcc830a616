// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workload, model and properties of the scheduler simulation.
 *
 * Properties, checked throughout a run:
 * - every live mapping of the running task reads the frame it mapped
 *   (checked before each operation, after every interrupt that lands
 *   between operations, and inside interrupts for their own mappings);
 * - access to protected frames is on exactly while the running task holds
 *   a protected mapping, and on for interrupts that map one;
 * - each operation produces exactly the report lines the model expects:
 *   none for correct use, the exact evidence for an injected violation;
 *   interrupts produce none;
 * - the core's bookkeeping agrees with the model (stack depth, pinned CPU,
 *   high-water mark) and no pte is ever written over a present one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "scheduler.h"
#include "workload.h"

#define WL_MAX_NEST 6
#define WL_MAX_DIRECT 4
#define WL_NR_SITES 16
#define WL_MAX_TASKS 24
#define WL_MAX_LINES 40
/* Slots a task can fill before the next map overflows */
#define WL_USABLE ((KM_MAX_IDX - 1) / KLP_SLOT_STEP)

const char *const wl_violation_names[WL_NR_VIOLATIONS] = {
	[WL_OUT_OF_ORDER] = "out-of-order unmap",
	[WL_UNMAPPED] = "unmap of unmapped address",
	[WL_LEAK_USER] = "leak at return to user",
	[WL_LEAK_FORK] = "leak at fork",
	[WL_LEAK_EXIT] = "leak at exit",
	[WL_OVERFLOW] = "depth overflow",
};

struct wl_map {
	unsigned long vaddr, pfn;
	const char *site;
	bool hole, prot;
};

struct wl_task {
	struct sim_task *st;
	/* The model of the task's slot stack, holes included */
	struct wl_map stack[KM_MAX_IDX];
	int depth;
	/* Low frames mapped without a slot */
	struct wl_map direct[WL_MAX_DIRECT];
	int ndirect;
	int ops_left;
	/* Deepest by its own mappings, and by interrupts on top of them */
	int max_depth, irq_peak;
	/* Between operations: its mappings must all read right */
	bool stable;
	bool leak_at_exit;
	bool expect_die;
	jmp_buf die;
	char *seen[WL_MAX_LINES], *expected[WL_MAX_LINES];
	int nseen, nexpected;
	const char *op;
};

static char map_sites[WL_NR_SITES][24], unmap_sites[WL_NR_SITES][24];
static char irq_map_sites[4][24], irq_unmap_sites[4][24];

/* One seed's state */
static struct wl_task wl_tasks[WL_MAX_TASKS];
static int wl_nr_tasks, wl_greatest;
static int violation_permille;
static struct wl_totals *totals;
static char *fail_why;
static size_t fail_len;
static bool failed;

static void wl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void wl_fail(const char *fmt, ...)
{
	struct sim_task *t = sim_current_task();
	struct wl_task *w = t->data;
	int n;
	va_list ap;

	n = snprintf(fail_why, fail_len, "cpu %d, %s%s%s: ", sim_this_cpu,
		     t->ts.comm, w && w->op ? " in " : "",
		     w && w->op ? w->op : "");
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < fail_len)
		vsnprintf(fail_why + n, fail_len - n, fmt, ap);
	va_end(ap);
	failed = true;
	sim_halt();
}

static void init_sites(void)
{
	int i;

	for (i = 0; i < WL_NR_SITES; i++) {
		snprintf(map_sites[i], sizeof(map_sites[i]), "map_site_%d", i);
		snprintf(unmap_sites[i], sizeof(unmap_sites[i]),
			 "unmap_site_%d", i);
	}
	for (i = 0; i < 4; i++) {
		snprintf(irq_map_sites[i], sizeof(irq_map_sites[i]),
			 "irq_map_site_%d", i);
		snprintf(irq_unmap_sites[i], sizeof(irq_unmap_sites[i]),
			 "irq_unmap_site_%d", i);
	}
}

static const char *pick(char (*sites)[24], int n)
{
	return sites[sim_rand_below(n)];
}

/* Reports */

static void add_line(char **lines, int *n, const char *line)
{
	if (*n == WL_MAX_LINES)
		wl_fail("more than %d report lines", WL_MAX_LINES);
	lines[*n] = strdup(line);
	if (!lines[*n])
		abort();
	(*n)++;
}

static void expect(struct wl_task *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void expect(struct wl_task *w, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	add_line(w->expected, &w->nexpected, line);
}

static void capture_report(const char *line)
{
	struct sim_task *t = sim_current_task();

	if (sim_cpu()->irq_depth || !t->data)
		wl_fail("report outside a task: %s", line);
	add_line(((struct wl_task *)t->data)->seen,
		 &((struct wl_task *)t->data)->nseen, line);
}

static void free_lines(char **lines, int *n)
{
	while (*n)
		free(lines[--*n]);
}

/* The operation is over: it must have reported exactly what was expected */
static void compare_reports(struct wl_task *w)
{
	int i;

	for (i = 0; i < w->nseen || i < w->nexpected; i++) {
		if (i >= w->nseen)
			wl_fail("missing report line: %s", w->expected[i]);
		if (i >= w->nexpected)
			wl_fail("unexpected report line: %s", w->seen[i]);
		if (strcmp(w->seen[i], w->expected[i]))
			wl_fail("report line %d: got \"%s\", want \"%s\"", i,
				w->seen[i], w->expected[i]);
	}
	free_lines(w->seen, &w->nseen);
	free_lines(w->expected, &w->nexpected);
}

/* The model */

static int live_count(const struct wl_task *w)
{
	int i, n = 0;

	for (i = 0; i < w->depth; i++)
		n += !w->stack[i].hole;
	return n;
}

/* The slots from the top down to @from, as the core lists them */
static void expect_slots(struct wl_task *w, int from, const char *why)
{
	int i;

	for (i = w->depth - 1; i >= from; i--) {
		if (!w->stack[i].hole)
			expect(w, "kmap_local:   mapping %d from %s%s", i,
			       w->stack[i].site, why);
	}
}

static void expect_leak(struct wl_task *w, struct task_struct *ts,
			const char *where)
{
	expect(w, "kmap_local: leak at %s in %s/%d: %d still mapped", where,
	       ts->comm, ts->pid, live_count(w));
	expect_slots(w, 0, "");
}

static void pop_top(struct wl_task *w)
{
	w->depth--;
	while (w->depth && w->stack[w->depth - 1].hole)
		w->depth--;
}

static enum sim_access read_map(const struct wl_map *m)
{
	return sim_check_frame(m->vaddr + (sim_rand() & ~PAGE_MASK), m->pfn);
}

static const char *const access_names[] = {
	[SIM_READ_OK] = "ok",
	[SIM_NOT_MAPPED] = "not mapped",
	[SIM_PROT_FAULT] = "protection fault",
	[SIM_WRONG_FRAME] = "another frame",
};

static void check_map(const struct wl_map *m, const char *who)
{
	enum sim_access res = read_map(m);

	totals->reads++;
	if (res != SIM_READ_OK)
		wl_fail("%s mapping of frame %lu from %s at %#lx reads %s", who,
			m->pfn, m->site, m->vaddr, access_names[res]);
}

/* Tasks switched out between operations kept their saved ptes */
static void check_saved(void)
{
	const struct kmap_ctrl *kctrl;
	struct wl_task *w;
	int n, i;
	pte_t pte;

	for (n = 0; n < wl_nr_tasks; n++) {
		w = &wl_tasks[n];
		if (!w->st || !w->stable || w->st->on_cpu)
			continue;
		kctrl = &w->st->ts.kmap_ctrl;
		if (kctrl->idx != w->depth * KLP_SLOT_STEP)
			wl_fail("switched-out %s: stack index %d, model depth %d",
				w->st->ts.comm, kctrl->idx, w->depth);
		for (i = 0; i < w->depth; i++) {
			pte = kctrl->pteval[i * KLP_SLOT_STEP + KLP_SLOT_STEP -
					    1];
			if (w->stack[i].hole ?
				    pte_none(pte) :
				    !pte_none(pte) &&
					    pte_pfn(pte) == w->stack[i].pfn)
				continue;
			wl_fail("switched-out %s: saved mapping %d is not frame %lu",
				w->st->ts.comm, i, w->stack[i].pfn);
		}
	}
}

/* Everything the running task holds reads right; the core agrees */
static void check_task(struct sim_task *t, struct wl_task *w)
{
	int i, prot = 0;

	check_saved();

	for (i = 0; i < w->depth; i++) {
		if (w->stack[i].hole)
			continue;
		check_map(&w->stack[i], "live");
		prot += w->stack[i].prot;
	}
	for (i = 0; i < w->ndirect; i++)
		check_map(&w->direct[i], "direct");
	if (sim_cpu()->prot_reg != (prot > 0))
		wl_fail("protection %s with %d protected mappings",
			sim_cpu()->prot_reg ? "on" : "off", prot);
	if (t->ts.kmap_ctrl.idx != w->depth * KLP_SLOT_STEP)
		wl_fail("stack index %d, model depth %d", t->ts.kmap_ctrl.idx,
			w->depth);
	if (t->ts.migrate_disable != live_count(w))
		wl_fail("migration disabled %d times for %d mappings",
			t->ts.migrate_disable, live_count(w));
	if (t->ts.preempt_count)
		wl_fail("preempt count %d between operations",
			t->ts.preempt_count);
	if (sim_pte_overwrites)
		wl_fail("a present pte was overwritten");
}

static bool frame_protected(unsigned long pfn)
{
	return sim_frame_protected[pfn];
}

/* A frame to map: low ones map directly unless protected */
static unsigned long pick_frame(struct wl_task *w)
{
	unsigned long pfn;

	do {
		pfn = sim_rand_below(SIM_NR_FRAMES);
	} while (w && pfn < SIM_NR_LOWMEM && !frame_protected(pfn) &&
		 w->ndirect == WL_MAX_DIRECT);
	return pfn;
}

static unsigned long slot_addr(int nr)
{
	return klp_fixmap_addr(sim_this_cpu * KM_MAX_IDX + nr * KLP_SLOT_STEP +
			       KLP_SLOT_STEP - 1);
}

/* Operations of a task */

static void op_map(struct wl_task *w)
{
	struct wl_map m = { .pfn = pick_frame(w) };

	w->op = "map";
	m.site = pick(map_sites, WL_NR_SITES);
	m.prot = frame_protected(m.pfn);
	w->stable = false;
	m.vaddr = sim_kmap_local(m.pfn, m.site);
	w->stable = true;
	if (m.pfn < SIM_NR_LOWMEM && !m.prot) {
		if (m.vaddr != sim_direct_addr(m.pfn))
			wl_fail("low frame %lu mapped at %#lx", m.pfn, m.vaddr);
		w->direct[w->ndirect++] = m;
	} else {
		if (m.vaddr != slot_addr(w->depth))
			wl_fail("mapping %d at %#lx, not %#lx", w->depth,
				m.vaddr, slot_addr(w->depth));
		w->stack[w->depth++] = m;
		if (w->depth > w->max_depth)
			w->max_depth = w->depth;
	}
	check_map(&m, "new");
}

static void op_unmap_direct(struct wl_task *w)
{
	int i = sim_rand_below(w->ndirect);

	w->op = "unmap direct";
	sim_kunmap_local(w->direct[i].vaddr, pick(unmap_sites, WL_NR_SITES));
	w->direct[i] = w->direct[--w->ndirect];
}

static void op_unmap_top(struct wl_task *w)
{
	w->op = "unmap";
	w->stable = false;
	sim_kunmap_local(w->stack[w->depth - 1].vaddr +
				 (sim_rand() & ~PAGE_MASK),
			 pick(unmap_sites, WL_NR_SITES));
	w->stable = true;
	pop_top(w);
}

static void op_read(struct wl_task *w)
{
	int i;

	w->op = "read";
	for (i = 0; i < w->depth; i++) {
		if (!w->stack[i].hole)
			check_map(&w->stack[i], "live");
	}
}

static void wl_body(struct sim_task *t);

static void op_fork(struct sim_task *t, struct wl_task *w)
{
	struct wl_task *cw;
	struct sim_task *child;
	char name[16];

	w->op = "fork";
	if (w->depth)
		expect_leak(w, &t->ts, "fork");
	cw = &wl_tasks[wl_nr_tasks++];
	memset(cw, 0, sizeof(*cw));
	cw->ops_left = w->ops_left / 2;
	snprintf(name, sizeof(name), "t%d", wl_nr_tasks);
	child = sim_task_fork(t, name, wl_body, cw);
	cw->st = child;
	if (child->ts.kmap_ctrl.idx || child->ts.kmap_ctrl.track.high_water)
		wl_fail("the child inherited the slot stack");
	totals->tasks++;
}

static void op_user_return(struct sim_task *t, struct wl_task *w)
{
	w->op = "return to user";
	if (w->depth)
		expect_leak(w, &t->ts, "return to user");
	w->stable = false;
	kmap_local_user_return();
	w->stable = true;
	w->depth = 0;
}

/* Violations */

static void violate_order(struct sim_task *t, struct wl_task *w)
{
	const char *site = pick(unmap_sites, WL_NR_SITES);
	int below[KM_MAX_IDX], i, k, n = 0;

	/* Any live mapping but the top one */
	for (i = 0; i < w->depth - 1; i++) {
		if (!w->stack[i].hole)
			below[n++] = i;
	}
	k = below[sim_rand_below(n)];
	w->op = "out-of-order unmap";
	expect(w,
	       "kmap_local: out-of-order unmap at %s in %s/%d of mapping %d from %s",
	       site, t->ts.comm, t->ts.pid, k, w->stack[k].site);
	expect_slots(w, k + 1, " must be unmapped first");
	w->stable = false;
	sim_kunmap_local(w->stack[k].vaddr, site);
	w->stable = true;
	w->stack[k].hole = true;
}

static void violate_unmapped(struct sim_task *t, struct wl_task *w)
{
	const char *site = pick(unmap_sites, WL_NR_SITES);
	unsigned long vaddr;
	int i, idx;

	do {
		idx = sim_rand_below(sim_nr_cpus * KM_MAX_IDX);
		vaddr = klp_fixmap_addr(idx);
		for (i = 0; i < w->depth; i++) {
			if (!w->stack[i].hole && w->stack[i].vaddr == vaddr)
				break;
		}
	} while (i < w->depth);
	w->op = "unmap of an unmapped address";
	expect(w, "kmap_local: unmap of unmapped address at %s in %s/%d", site,
	       t->ts.comm, t->ts.pid);
	w->stable = false;
	sim_kunmap_local(vaddr, site);
	w->stable = true;
}

static void violate_overflow(struct sim_task *t, struct wl_task *w)
{
	const char *site;

	while (w->depth < WL_USABLE) {
		op_map(w);
		if (w->ndirect)
			op_unmap_direct(w);
	}
	w->op = "overflow";
	site = pick(map_sites, WL_NR_SITES);
	expect(w,
	       "kmap_local: depth overflow at %s in %s/%d: all %d mappings in use",
	       site, t->ts.comm, t->ts.pid, w->depth);
	expect_slots(w, 0, "");
	w->expect_die = true;
	w->stable = false;
	if (!setjmp(w->die)) {
		sim_kmap_local(SIM_NR_LOWMEM + sim_rand_below(4), site);
		wl_fail("no overflow at depth %d", w->depth);
	}
	/* BUG(): the task dies in an oops, with what it held */
	w->expect_die = false;
	t->ts.preempt_count = 0;
	t->ts.migrate_disable = live_count(w);
	compare_reports(w);
	w->leak_at_exit = true;
	w->ops_left = 0;
}

static void wl_die(void)
{
	struct sim_task *t = sim_current_task();
	struct wl_task *w = t->data;

	if (!sim_cpu()->irq_depth && w && w->expect_die)
		longjmp(w->die, 1);
	wl_fail("BUG() in the core");
}

static void violate(struct sim_task *t, struct wl_task *w)
{
	enum wl_violation v = sim_rand_below(WL_NR_VIOLATIONS);

	if ((v == WL_OUT_OF_ORDER && live_count(w) < 2) ||
	    ((v == WL_LEAK_USER || v == WL_LEAK_FORK || v == WL_LEAK_EXIT) &&
	     !w->depth) ||
	    (v == WL_LEAK_FORK && wl_nr_tasks == WL_MAX_TASKS))
		return;
	totals->violations[v]++;
	switch (v) {
	case WL_OUT_OF_ORDER:
		violate_order(t, w);
		break;
	case WL_UNMAPPED:
		violate_unmapped(t, w);
		break;
	case WL_LEAK_USER:
		op_user_return(t, w);
		break;
	case WL_LEAK_FORK:
		op_fork(t, w);
		break;
	case WL_LEAK_EXIT:
		w->leak_at_exit = true;
		w->ops_left = 0;
		break;
	case WL_OVERFLOW:
		violate_overflow(t, w);
		break;
	default:
		break;
	}
}

static void step(struct sim_task *t, struct wl_task *w)
{
	unsigned int r = sim_rand_below(100);

	totals->ops++;
	if (sim_chance(violation_permille)) {
		violate(t, w);
		return;
	}
	if (r < 35 && live_count(w) < WL_MAX_NEST && w->depth < WL_USABLE - 1)
		op_map(w);
	else if (r < 70 && w->depth)
		op_unmap_top(w);
	else if (r < 75 && w->ndirect)
		op_unmap_direct(w);
	else if (r < 85)
		op_read(w);
	else if (r < 92) {
		w->op = "cond_resched";
		sim_schedule();
	} else if (r < 96 && !w->depth)
		op_user_return(t, w);
	else if (r < 97 && !w->depth && wl_nr_tasks < WL_MAX_TASKS)
		op_fork(t, w);
	else {
		w->op = "compute";
		sim_point_hook("compute");
	}
}

static void wl_exit(struct sim_task *t, struct wl_task *w)
{
	int hwm, want;

	w->op = "exit";
	if (!w->leak_at_exit) {
		while (w->depth)
			op_unmap_top(w);
		w->op = "exit";
	}
	if (w->depth)
		expect_leak(w, &t->ts, "exit");
	hwm = kmap_local_high_water(&t->ts);
	want = w->max_depth > w->irq_peak ? w->max_depth : w->irq_peak;
	if (hwm != want)
		wl_fail("high-water mark %d, model %d (own %d, interrupts %d)",
			hwm, want, w->max_depth, w->irq_peak);
	if (hwm > wl_greatest) {
		expect(w, "kmap_local: %s/%d used greatest depth: %d mappings",
		       t->ts.comm, t->ts.pid, hwm);
		wl_greatest = hwm;
	}
	w->stable = false;
	kmap_local_exit(&t->ts);
	compare_reports(w);
	w->depth = 0;
	check_task(t, w);
}

static void wl_body(struct sim_task *t)
{
	struct wl_task *w = t->data;

	w->stable = true;
	while (w->ops_left-- > 0) {
		w->op = "between operations";
		check_task(t, w);
		step(t, w);
		compare_reports(w);
	}
	wl_exit(t, w);
}

/* Interrupts: map a few frames on top of whatever runs, use, unmap */
static void wl_irq(void)
{
	struct task_struct *cur = sim_cpu()->curr;
	struct sim_task *t = sim_current_task();
	struct wl_task *cw = ((struct sim_task *)cur->sim)->data;
	struct wl_map m[3];
	int i, n, depth = cur->kmap_ctrl.idx / KLP_SLOT_STEP;

	n = 1 + sim_rand_below(3);
	if (n > WL_USABLE - depth)
		n = WL_USABLE - depth;
	for (i = 0; i < n; i++) {
		m[i].pfn = pick_frame(NULL);
		m[i].site = irq_map_sites[i];
		m[i].vaddr = sim_kmap_local(m[i].pfn, m[i].site);
		check_map(&m[i], "interrupt's new");
	}
	if (cw && cur->kmap_ctrl.idx / KLP_SLOT_STEP > cw->irq_peak)
		cw->irq_peak = cur->kmap_ctrl.idx / KLP_SLOT_STEP;
	for (i = n - 1; i >= 0; i--) {
		check_map(&m[i], "interrupt's");
		sim_kunmap_local(m[i].vaddr, irq_unmap_sites[i]);
	}
	/* Back to a task between operations: all it holds must be intact */
	if (sim_cpu()->irq_depth == 1 && &t->ts == cur && t->data &&
	    ((struct wl_task *)t->data)->stable && !sim_in_switch())
		check_task(t, t->data);
}

static void wl_seed_params(struct sim_sched_config *cfg, int *ntasks, int *ops)
{
	cfg->nr_cpus = 1 + sim_rand_below(SIM_MAX_CPUS);
	cfg->irq_permille = 10 + sim_rand_below(150);
	cfg->preempt_permille = 10 + sim_rand_below(100);
	cfg->yield_permille = 10 + sim_rand_below(100);
	cfg->migrate_permille = 50 + sim_rand_below(500);
	cfg->irq_nesting = 1 + sim_rand_below(2);
	cfg->max_turns = 5000000;
	*ntasks = 2 + sim_rand_below(6);
	*ops = 20 + sim_rand_below(150);
	violation_permille = sim_rand_below(4) ? sim_rand_below(40) : 0;
}

int wl_run_seed(uint64_t seed, struct wl_totals *tot, char *why, size_t whylen)
{
	struct sim_sched_config cfg;
	int i, ntasks, ops, res;
	unsigned long pfn;
	static bool sites_done;

	if (!sites_done) {
		init_sites();
		sim_register_prot();
		sites_done = true;
	}
	/* The parameters come from the seed too */
	sim_seed(seed);
	wl_seed_params(&cfg, &ntasks, &ops);
	sim_sched_init(&cfg);
	for (pfn = 0; pfn < SIM_NR_FRAMES; pfn++)
		sim_frame_protected[pfn] = sim_chance(200);
	sim_report_hook = capture_report;
	sim_die_hook = wl_die;
	sim_irq_handler = wl_irq;
	totals = tot;
	fail_why = why;
	fail_len = whylen;
	failed = false;
	wl_greatest = 0;
	memset(wl_tasks, 0, sizeof(wl_tasks));
	wl_nr_tasks = 0;
	for (i = 0; i < ntasks; i++) {
		char name[16];

		wl_tasks[i].ops_left = ops;
		snprintf(name, sizeof(name), "t%d", i + 1);
		wl_tasks[i].st = sim_task_create(name, wl_body,
						 &wl_tasks[wl_nr_tasks++],
						 sim_rand_below(cfg.nr_cpus));
	}
	tot->tasks += ntasks;
	res = sim_sched_run();
	if (res && !failed)
		snprintf(why, whylen, "no progress after %ld turns",
			 sim_stats.turns);
	for (i = 0; i < wl_nr_tasks; i++) {
		free_lines(wl_tasks[i].seen, &wl_tasks[i].nseen);
		free_lines(wl_tasks[i].expected, &wl_tasks[i].nexpected);
	}
	sim_sched_free();
	tot->seeds++;
	tot->failed += !!res;
	tot->switches += sim_stats.switches;
	tot->migrations += sim_stats.migrations;
	tot->irqs += sim_stats.irqs;
	tot->irqs_in_switch += sim_stats.irqs_in_switch;
	tot->points += sim_stats.points;
	return res ? -1 : 0;
}
