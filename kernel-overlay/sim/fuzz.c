// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: random sequences of kmap_local operations on two
 * simulated CPUs and three tasks, compared after every operation with a
 * small reference model: which frame each live mapping reads, which ptes
 * are present at all, the exact report lines, the stack index, the pinned
 * CPU, protection, and the high-water mark. Context switches take an
 * interrupt at a chosen injection point. Any mismatch aborts, which
 * libFuzzer reports with the input.
 *
 * Built with -DFUZZ_STANDALONE it has its own main(): FILE... replays
 * inputs, --runs N --seed S runs N random inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "machine.h"

#define NR_TASKS 3
#define USABLE ((KM_MAX_IDX - 1) / KLP_SLOT_STEP)

struct model_map {
	unsigned long pfn;
	const char *site;
	bool hole;
};

struct model_task {
	struct model_map stack[KM_MAX_IDX];
	int depth, hwm;
	/* The CPU it runs on, or last ran on */
	int cpu;
};

static struct task_struct tasks[NR_TASKS];
static struct model_task model[NR_TASKS];
static const uint8_t *in;
static size_t in_len;
static char expected[64][256];
static int nexpected;
static int greatest;
static jmp_buf die_jmp;
static bool die_expected;

static const char *const sites[] = { "s0", "s1", "s2", "s3",
				     "s4", "s5", "s6", "s7" };
static const char *const irq_sites[] = { "irq0", "irq1" };

static void bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void bad(const char *fmt, ...)
{
	va_list ap;

	int i;

	va_start(ap, fmt);
	fprintf(stderr, "kmap-fuzz: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	for (i = 0; i < sim_log_count(); i++)
		fprintf(stderr, "kmap-fuzz: logged: %s\n", sim_log_line(i));
	abort();
}

static unsigned int next(unsigned int n)
{
	unsigned int v = 0;

	if (in_len) {
		v = *in++;
		in_len--;
	}
	return v % n;
}

static int task_nr(const struct task_struct *t)
{
	return (int)(t - tasks);
}

static struct model_task *cur_model(void)
{
	return &model[task_nr(sim_cpu()->curr)];
}

static bool protected(unsigned long pfn)
{
	return pfn % 5 == 0;
}

static void expect(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void expect(const char *fmt, ...)
{
	va_list ap;

	if (nexpected == 64)
		bad("too many expected lines");
	va_start(ap, fmt);
	vsnprintf(expected[nexpected++], sizeof(expected[0]), fmt, ap);
	va_end(ap);
}

static int live(const struct model_task *m)
{
	int i, n = 0;

	for (i = 0; i < m->depth; i++)
		n += !m->stack[i].hole;
	return n;
}

static void expect_mappings(const struct model_task *m, int from,
			    const char *why)
{
	int i;

	for (i = m->depth - 1; i >= from; i--) {
		if (!m->stack[i].hole)
			expect("kmap_local:   mapping %d from %s%s", i,
			       m->stack[i].site, why);
	}
}

static void expect_leak(int t, const char *where)
{
	expect("kmap_local: leak at %s in %s/%d: %d still mapped", where,
	       tasks[t].comm, tasks[t].pid, live(&model[t]));
	expect_mappings(&model[t], 0, "");
}

static unsigned long slot_vaddr(int cpu, int nr)
{
	return klp_fixmap_addr(cpu * KM_MAX_IDX + nr * KLP_SLOT_STEP +
			       KLP_SLOT_STEP - 1);
}

static void pop(struct model_task *m)
{
	m->depth--;
	while (m->depth && m->stack[m->depth - 1].hole)
		m->depth--;
}

/* The core's state, the machine's and the log agree with the model */
static void check(const char *op)
{
	int cpu, t, i, prot;
	bool want[SIM_NR_FIX] = { false };

	if (sim_log_count() != nexpected)
		bad("%s: %d report lines, %d expected (first: %s)", op,
		    sim_log_count(), nexpected,
		    sim_log_count() ? sim_log_line(0) : expected[0]);
	for (i = 0; i < nexpected; i++) {
		if (strcmp(sim_log_line(i), expected[i]))
			bad("%s: got \"%s\", want \"%s\"", op, sim_log_line(i),
			    expected[i]);
	}
	sim_log_reset();
	nexpected = 0;
	for (t = 0; t < NR_TASKS; t++) {
		struct model_task *m = &model[t];

		if (tasks[t].kmap_ctrl.idx != m->depth * KLP_SLOT_STEP ||
		    tasks[t].migrate_disable != live(m) ||
		    tasks[t].preempt_count ||
		    kmap_local_high_water(&tasks[t]) != m->hwm)
			bad("%s: task %d: idx %d, pinned %d, preempt %d, hwm %d; model depth %d, live %d, hwm %d",
			    op, t, tasks[t].kmap_ctrl.idx,
			    tasks[t].migrate_disable, tasks[t].preempt_count,
			    kmap_local_high_water(&tasks[t]), m->depth, live(m),
			    m->hwm);
	}
	for (cpu = 0; cpu < 2; cpu++) {
		struct model_task *m;

		sim_this_cpu = cpu;
		m = cur_model();
		for (i = 0, prot = 0; i < m->depth; i++) {
			unsigned long vaddr = slot_vaddr(cpu, i);

			if (m->stack[i].hole)
				continue;
			want[cpu * KM_MAX_IDX + i * KLP_SLOT_STEP +
			     KLP_SLOT_STEP - 1] = true;
			prot += protected(m->stack[i].pfn);
			if (sim_check_frame(vaddr + 8 * i, m->stack[i].pfn) !=
			    SIM_READ_OK)
				bad("%s: cpu %d mapping %d does not read frame %lu",
				    op, cpu, i, m->stack[i].pfn);
		}
		if (sim_cpu()->prot_reg != (prot > 0) ||
		    sim_cpu()->kl.prot_count != prot)
			bad("%s: cpu %d protection %d, count %d, model %d", op,
			    cpu, sim_cpu()->prot_reg, sim_cpu()->kl.prot_count,
			    prot);
	}
	for (i = 0; i < 2 * KM_MAX_IDX; i++) {
		if (pte_none(sim_fixmap[i]) == want[i])
			bad("%s: fixmap entry %d is %s", op, i,
			    want[i] ? "missing" : "stale");
	}
	if (sim_pte_overwrites)
		bad("%s: a present pte was overwritten", op);
}

static void do_map(unsigned long pfn, const char *site)
{
	struct model_task *m = cur_model();
	unsigned long vaddr;

	vaddr = sim_kmap_local(pfn, site);
	if (pfn < SIM_NR_LOWMEM && !protected(pfn)) {
		if (vaddr != sim_direct_addr(pfn))
			bad("low frame %lu at %#lx", pfn, vaddr);
		return;
	}
	if (vaddr != slot_vaddr(sim_this_cpu, m->depth))
		bad("mapping %d at %#lx", m->depth, vaddr);
	m->stack[m->depth++] = (struct model_map){ .pfn = pfn, .site = site };
	if (m->depth > m->hwm)
		m->hwm = m->depth;
}

static void do_unmap(int nr, const char *site)
{
	struct model_task *m = cur_model();
	struct task_struct *t = sim_cpu()->curr;

	if (nr != m->depth - 1) {
		expect("kmap_local: out-of-order unmap at %s in %s/%d of mapping %d from %s",
		       site, t->comm, t->pid, nr, m->stack[nr].site);
		expect_mappings(m, nr + 1, " must be unmapped first");
	}
	sim_kunmap_local(slot_vaddr(sim_this_cpu, nr) + next(PAGE_SIZE), site);
	if (nr == m->depth - 1)
		pop(m);
	else
		m->stack[nr].hole = true;
}

/* An interrupt maps on top of the current task, uses, unmaps */
static void irq(void)
{
	struct model_task *m = cur_model();
	int depth = m->depth, n = 1 + next(2), i;
	unsigned long vaddr[2], pfn[2];

	/* A switch leaves the index alone while it works */
	if (sim_cpu()->curr->kmap_ctrl.idx != depth * KLP_SLOT_STEP)
		bad("interrupt: stack index %d, model depth %d",
		    sim_cpu()->curr->kmap_ctrl.idx, depth);
	if (n > USABLE - depth)
		n = USABLE - depth;
	for (i = 0; i < n; i++) {
		pfn[i] = 16 + next(48);
		vaddr[i] = sim_kmap_local(pfn[i], irq_sites[i]);
		if (vaddr[i] != slot_vaddr(sim_this_cpu, depth + i))
			bad("interrupt mapping %d at %#lx", depth + i,
			    vaddr[i]);
		if (depth + i + 1 > m->hwm)
			m->hwm = depth + i + 1;
	}
	for (i = n - 1; i >= 0; i--) {
		if (sim_check_frame(vaddr[i], pfn[i]) != SIM_READ_OK)
			bad("interrupt mapping %d does not read frame %lu", i,
			    pfn[i]);
		sim_kunmap_local(vaddr[i], irq_sites[i]);
	}
}

static int irq_point = -1, points;

static void point_hook(const char *what)
{
	if (sim_cpu()->irq_depth || points++ != irq_point)
		return;
	sim_cpu()->irq_depth++;
	irq();
	sim_cpu()->irq_depth--;
}

/* Switch @cpu to task @t, with an interrupt at an injection point */
static void do_switch(int cpu, int t)
{
	struct task_struct *prev;
	int c;

	for (c = 0; c < 2; c++) {
		if (sim_cpus[c].curr == &tasks[t])
			return;
	}
	/* A task with mappings is pinned to its CPU */
	if (model[t].cpu != cpu && tasks[t].migrate_disable)
		return;
	sim_this_cpu = cpu;
	prev = sim_cpu()->curr;
	points = 0;
	irq_point = next(40);
	sim_point_hook = point_hook;
	if (prev->kmap_ctrl.idx)
		__kmap_local_sched_out();
	point_hook("switch_to");
	sim_cpu()->curr = &tasks[t];
	point_hook("switch_to");
	if (tasks[t].kmap_ctrl.idx)
		__kmap_local_sched_in();
	sim_point_hook = NULL;
	model[t].cpu = cpu;
}

static void reset_task(int t)
{
	memset(&tasks[t].kmap_ctrl, 0, sizeof(tasks[t].kmap_ctrl));
	memset(&model[t], 0, sizeof(model[t]));
	tasks[t].pid += NR_TASKS;
	model[t].cpu = sim_this_cpu;
}

static void do_exit_task(void)
{
	int t = task_nr(sim_cpu()->curr);

	if (model[t].depth)
		expect_leak(t, "exit");
	if (model[t].hwm > greatest) {
		greatest = model[t].hwm;
		expect("kmap_local: %s/%d used greatest depth: %d mappings",
		       tasks[t].comm, tasks[t].pid, greatest);
	}
	kmap_local_exit(&tasks[t]);
	model[t].depth = 0;
	check("exit");
	/* The task's pid goes to a new one, which runs in its place */
	reset_task(t);
}

static void do_overflow(void)
{
	struct model_task *m = cur_model();
	struct task_struct *t = sim_cpu()->curr;
	volatile int i;

	for (i = m->depth; i < USABLE; i++)
		do_map(16 + next(48), sites[next(8)]);
	expect("kmap_local: depth overflow at s7 in %s/%d: all %d mappings in use",
	       t->comm, t->pid, m->depth);
	expect_mappings(m, 0, "");
	die_expected = true;
	if (!setjmp(die_jmp)) {
		sim_kmap_local(20, "s7");
		bad("no overflow at depth %d", m->depth);
	}
	die_expected = false;
	/* The oops leaves preemption and migration off; exit cleans up */
	t->preempt_count = 0;
	t->migrate_disable = live(m);
	do_exit_task();
}

static void die_hook(void)
{
	if (!die_expected)
		bad("BUG() in the core");
	longjmp(die_jmp, 1);
}

static void step(void)
{
	struct model_task *m;
	struct task_struct scratch;
	int cpu = next(2), op = next(16);

	sim_this_cpu = cpu;
	m = cur_model();
	switch (op) {
	case 0 ... 4:
		/* Holes use slots too: an overflow here would be a bug */
		if (live(m) < 8 && m->depth < USABLE)
			do_map(next(SIM_NR_FRAMES), sites[next(8)]);
		break;
	case 5 ... 7:
		if (m->depth)
			do_unmap(m->depth - 1, sites[next(8)]);
		break;
	case 8: {
		/* Any live mapping: out of order unless it is the top */
		int nr = m->depth ? next(m->depth) : 0;

		if (m->depth && !m->stack[nr].hole)
			do_unmap(nr, sites[next(8)]);
		break;
	}
	case 9: {
		int idx = next(2 * KM_MAX_IDX), i;

		for (i = 0; i < m->depth; i++) {
			if (!m->stack[i].hole &&
			    slot_vaddr(cpu, i) == klp_fixmap_addr(idx))
				return;
		}
		expect("kmap_local: unmap of unmapped address at s0 in %s/%d",
		       sim_cpu()->curr->comm, sim_cpu()->curr->pid);
		sim_kunmap_local(klp_fixmap_addr(idx), "s0");
		break;
	}
	case 10 ... 11:
		do_switch(cpu, next(NR_TASKS));
		break;
	case 12:
		if (m->depth)
			expect_leak(task_nr(sim_cpu()->curr), "return to user");
		kmap_local_user_return();
		m->depth = 0;
		break;
	case 13:
		if (m->depth)
			expect_leak(task_nr(sim_cpu()->curr), "fork");
		scratch = *sim_cpu()->curr;
		kmap_local_fork(&scratch);
		if (scratch.kmap_ctrl.idx || kmap_local_high_water(&scratch))
			bad("fork: the child inherited the stack");
		break;
	case 14:
		if (next(4))
			do_exit_task();
		else
			do_overflow();
		break;
	case 15:
		sim_cpu()->irq_depth++;
		irq();
		sim_cpu()->irq_depth--;
		break;
	}
	check("step");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long pfn;
	int t;

	sim_register_prot();
	sim_machine_reset(2);
	sim_die_hook = die_hook;
	for (pfn = 0; pfn < SIM_NR_FRAMES; pfn++)
		sim_frame_protected[pfn] = protected(pfn);
	memset(tasks, 0, sizeof(tasks));
	memset(model, 0, sizeof(model));
	for (t = 0; t < NR_TASKS; t++) {
		snprintf(tasks[t].comm, sizeof(tasks[t].comm), "f%d", t);
		tasks[t].pid = t + 1;
	}
	model[2].cpu = 1;
	sim_cpus[0].curr = &tasks[0];
	sim_cpus[1].curr = &tasks[1];
	nexpected = 0;
	greatest = 0;
	in = data;
	in_len = size;
	while (in_len)
		step();
	return 0;
}

#ifdef FUZZ_STANDALONE
static uint64_t rng = 88172645463325252ULL;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int replay(const char *path)
{
	static uint8_t buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "kmap-fuzz: cannot read %s\n", path);
		return 2;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t buf[4096];
	long runs = 0, r;
	size_t n, i;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--runs") && a + 1 < argc) {
			runs = atol(argv[++a]);
		} else if (!strcmp(argv[a], "--seed") && a + 1 < argc) {
			rng = strtoull(argv[++a], NULL, 0) | 1;
		} else if (replay(argv[a])) {
			return 2;
		}
	}
	for (r = 0; r < runs; r++) {
		n = xorshift() % sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = (uint8_t)xorshift();
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("kmap-fuzz: %ld random inputs, no mismatch\n", runs);
	return 0;
}
#endif
