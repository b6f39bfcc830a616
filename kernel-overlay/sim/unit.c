// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the kmap_local core on the simulated machine: every
 * operation and every report. Reports are printed as they happen, so the
 * output, compared with golden/unit*.out, checks their exact text; CHECK()
 * checks the machine state and prints a FAIL line when it is wrong.
 */
#include <stdio.h>
#include <stdlib.h>

#include "machine.h"

static int checks, failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		checks++;                                                      \
		if (!(cond)) {                                                 \
			failures++;                                            \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                              \
	} while (0)

static struct task_struct tasks[3];
static struct task_struct *const t1 = &tasks[0], *const t2 = &tasks[1],
				 *const t3 = &tasks[2];

static void print_report(const char *line)
{
	printf("%s\n", line);
}

static void begin(const char *name)
{
	int i;

	printf("== %s\n", name);
	sim_machine_reset(2);
	sim_report_hook = print_report;
	memset(tasks, 0, sizeof(tasks));
	for (i = 0; i < 3; i++) {
		snprintf(tasks[i].comm, sizeof(tasks[i].comm), "t%d", i + 1);
		tasks[i].pid = i + 1;
	}
	sim_cpus[0].curr = t1;
	sim_cpus[1].curr = t3;
}

static void run_on(int cpu)
{
	sim_this_cpu = cpu;
}

static unsigned long fix_addr(int cpu, int nr)
{
	return klp_fixmap_addr(cpu * KM_MAX_IDX + nr * KLP_SLOT_STEP +
			       KLP_SLOT_STEP - 1);
}

/* The task holds nothing: no slot, no pinned CPU, no preemption off */
static void check_clean(struct task_struct *t)
{
	CHECK(t->kmap_ctrl.idx == 0);
	CHECK(t->migrate_disable == 0);
	CHECK(t->preempt_count == 0);
	CHECK(t->kmap_ctrl.track.prot_depth == 0);
}

static void check_no_ptes(void)
{
	int idx, mapped = 0;

	for (idx = 0; idx < SIM_NR_FIX; idx++)
		mapped += !pte_none(sim_fixmap[idx]);
	CHECK(mapped == 0);
}

/* The kernel's context switch: sched_out, switch_to, sched_in */
static void context_switch(struct task_struct *next)
{
	struct sim_cpu *cpu = sim_cpu();

	if (cpu->curr->kmap_ctrl.idx)
		__kmap_local_sched_out();
	if (sim_point_hook)
		sim_point_hook("switch_to");
	cpu->curr = next;
	if (sim_point_hook)
		sim_point_hook("switch_to");
	if (next->kmap_ctrl.idx)
		__kmap_local_sched_in();
}

static void test_map_unmap(void)
{
	unsigned long a;

	begin("map, read, unmap");
	a = sim_kmap_local(20, "site_a");
	CHECK(a == fix_addr(0, 0));
	CHECK(sim_check_frame(a, 20) == SIM_READ_OK);
	CHECK(sim_check_frame(a + 1000, 20) == SIM_READ_OK);
	CHECK(t1->kmap_ctrl.idx == KLP_SLOT_STEP);
	CHECK(t1->migrate_disable == 1);
	CHECK(t1->preempt_count == 0);
	sim_kunmap_local(a + 1000, "site_a_unmap");
	CHECK(sim_check_frame(a, 20) == SIM_NOT_MAPPED);
	check_clean(t1);
	check_no_ptes();
	CHECK(kmap_local_high_water(t1) == 1);
}

static void test_nested(void)
{
	unsigned long a, b, c;

	begin("nested LIFO");
	a = sim_kmap_local(20, "site_a");
	b = sim_kmap_local(21, "site_b");
	c = sim_kmap_local(22, "site_c");
	CHECK(a == fix_addr(0, 0) && b == fix_addr(0, 1) &&
	      c == fix_addr(0, 2));
	CHECK(sim_check_frame(a, 20) == SIM_READ_OK);
	CHECK(sim_check_frame(b, 21) == SIM_READ_OK);
	CHECK(sim_check_frame(c, 22) == SIM_READ_OK);
	CHECK(t1->migrate_disable == 3);
	sim_kunmap_local(c, "site_c_unmap");
	sim_kunmap_local(b, "site_b_unmap");
	CHECK(sim_check_frame(a, 20) == SIM_READ_OK);
	sim_kunmap_local(a, "site_a_unmap");
	check_clean(t1);
	check_no_ptes();
	CHECK(kmap_local_high_water(t1) == 3);
	CHECK(sim_warn_count == 0);
}

static void test_per_cpu(void)
{
	unsigned long a, b;

	begin("each CPU has its own slots");
	a = sim_kmap_local(20, "site_a");
	run_on(1);
	b = sim_kmap_local(30, "site_b");
	CHECK(a == fix_addr(0, 0));
	CHECK(b == fix_addr(1, 0));
	CHECK(sim_check_frame(b, 30) == SIM_READ_OK);
	/* One page table: CPU 0's slot reads the same from CPU 1 */
	CHECK(sim_check_frame(a, 20) == SIM_READ_OK);
	sim_kunmap_local(b, "site_b_unmap");
	run_on(0);
	CHECK(sim_check_frame(a, 20) == SIM_READ_OK);
	sim_kunmap_local(a, "site_a_unmap");
	check_clean(t1);
	check_clean(t3);
}

static void test_lowmem(void)
{
	unsigned long a;

	begin("low memory is not mapped");
	a = sim_kmap_local(3, "site_low");
	CHECK(a == sim_direct_addr(3));
	CHECK(sim_check_frame(a, 3) == SIM_READ_OK);
	CHECK(t1->kmap_ctrl.idx == 0);
	sim_kunmap_local(a, "site_low_unmap");
	check_clean(t1);
}

static void test_tlb_flush(void)
{
	unsigned long a, b;

	begin("unmap flushes the TLB entry");
	a = sim_kmap_local(20, "site_a");
	CHECK(sim_check_frame(a, 20) == SIM_READ_OK);
	sim_kunmap_local(a, "site_a_unmap");
	b = sim_kmap_local(21, "site_b");
	CHECK(a == b);
	CHECK(sim_check_frame(b, 21) == SIM_READ_OK);
	sim_kunmap_local(b, "site_b_unmap");
}

static void test_out_of_order(void)
{
	unsigned long a, b, c;

	begin("out-of-order unmap");
	a = sim_kmap_local(20, "site_a");
	b = sim_kmap_local(21, "site_b");
	c = sim_kmap_local(22, "site_c");
	sim_kunmap_local(a, "site_a_unmap");
	CHECK(sim_warn_count == 1);
	/* The mappings above stay usable; the unmapped one is gone */
	CHECK(sim_check_frame(a, 20) == SIM_NOT_MAPPED);
	CHECK(sim_check_frame(b, 21) == SIM_READ_OK);
	CHECK(sim_check_frame(c, 22) == SIM_READ_OK);
	CHECK(t1->migrate_disable == 2);
	CHECK(t1->kmap_ctrl.idx == 3 * KLP_SLOT_STEP);
	sim_kunmap_local(c, "site_c_unmap");
	CHECK(t1->kmap_ctrl.idx == 2 * KLP_SLOT_STEP);
	/* b was the last live one: the hole under it goes with it */
	sim_kunmap_local(b, "site_b_unmap");
	check_clean(t1);
	check_no_ptes();
	CHECK(sim_warn_count == 1);
}

static void test_out_of_order_middle(void)
{
	unsigned long a, b, c, d;

	begin("out-of-order unmap in the middle");
	a = sim_kmap_local(20, "site_a");
	b = sim_kmap_local(21, "site_b");
	c = sim_kmap_local(22, "site_c");
	sim_kunmap_local(b, "site_b_unmap");
	/* A new mapping goes above the hole */
	d = sim_kmap_local(23, "site_d");
	CHECK(d == fix_addr(0, 3));
	sim_kunmap_local(a, "site_a_unmap");
	sim_kunmap_local(d, "site_d_unmap");
	CHECK(sim_check_frame(c, 22) == SIM_READ_OK);
	sim_kunmap_local(c, "site_c_unmap");
	check_clean(t1);
	check_no_ptes();
}

static void test_unmap_unmapped(void)
{
	unsigned long a;

	begin("unmap of an address that is not mapped");
	sim_kunmap_local(fix_addr(0, 0), "site_nothing_mapped");
	a = sim_kmap_local(20, "site_a");
	sim_kunmap_local(a, "site_a_unmap");
	sim_kunmap_local(a, "site_a_unmap_again");
	a = sim_kmap_local(20, "site_a2");
	sim_kunmap_local(fix_addr(0, 1), "site_above_top");
	/* Another CPU's slot */
	sim_kunmap_local(fix_addr(1, 0), "site_other_cpu");
	CHECK(sim_check_frame(a, 20) == SIM_READ_OK);
	sim_kunmap_local(a, "site_a2_unmap");
	check_clean(t1);
	CHECK(sim_warn_count == 4);
}

static const char *const overflow_sites[] = {
	"site_0",  "site_1",  "site_2",	 "site_3",  "site_4",  "site_5",
	"site_6",  "site_7",  "site_8",	 "site_9",  "site_10", "site_11",
	"site_12", "site_13", "site_14", "site_15", "site_16",
};

static void test_overflow(void)
{
	volatile int n = 0;
	jmp_buf die;

	begin("depth overflow");
	sim_die_jmp = &die;
	if (!setjmp(die)) {
		for (; n < 17; n++)
			sim_kmap_local(20 + n, overflow_sites[n]);
		CHECK(!"no overflow");
	}
	sim_die_jmp = NULL;
	printf("died at mapping %d\n", n);
	CHECK(t1->kmap_ctrl.idx == n * KLP_SLOT_STEP);
	/* The BUG() leaves the map path's preempt/migrate disable behind */
	t1->preempt_count = 0;
	t1->migrate_disable = n;
	kmap_local_exit(t1);
	check_clean(t1);
	check_no_ptes();
}

static void test_exit(void)
{
	unsigned long a, b, c;

	begin("leak at exit");
	a = sim_kmap_local(20, "site_a");
	b = sim_kmap_local(21, "site_b");
	kmap_local_exit(t1);
	check_clean(t1);
	check_no_ptes();
	CHECK(sim_check_frame(a, 20) == SIM_NOT_MAPPED);
	CHECK(sim_check_frame(b, 21) == SIM_NOT_MAPPED);
	/* A second task as deep is no record; a deeper one is */
	sim_cpus[0].curr = t2;
	a = sim_kmap_local(20, "site_c");
	sim_kunmap_local(a, "site_c_unmap");
	kmap_local_exit(t2);
	sim_cpus[0].curr = t3;
	a = sim_kmap_local(20, "site_d");
	b = sim_kmap_local(21, "site_e");
	sim_kunmap_local(b, "site_e_unmap");
	b = sim_kmap_local(22, "site_f");
	c = sim_kmap_local(23, "site_g");
	sim_kunmap_local(c, "site_g_unmap");
	sim_kunmap_local(b, "site_f_unmap");
	sim_kunmap_local(a, "site_d_unmap");
	kmap_local_exit(t3);
	CHECK(kmap_local_high_water(t3) == 3);
	CHECK(sim_warn_count == 1);
}

static void test_exit_with_hole(void)
{
	unsigned long a, b, c;

	begin("leak at exit after an out-of-order unmap");
	a = sim_kmap_local(20, "site_a");
	b = sim_kmap_local(21, "site_b");
	c = sim_kmap_local(22, "site_c");
	sim_kunmap_local(b, "site_b_unmap");
	kmap_local_exit(t1);
	check_clean(t1);
	check_no_ptes();
	CHECK(sim_check_frame(a, 20) == SIM_NOT_MAPPED);
	CHECK(sim_check_frame(c, 22) == SIM_NOT_MAPPED);
}

static void test_fork(void)
{
	unsigned long a;

	begin("leak at fork");
	/* A clean fork says nothing */
	*t2 = *t1;
	kmap_local_fork(t2);
	a = sim_kmap_local(20, "site_a");
	/* dup_task_struct() copies the parent, mappings and all */
	*t2 = *t1;
	strcpy(t2->comm, "t2");
	t2->pid = 2;
	kmap_local_fork(t2);
	CHECK(t2->kmap_ctrl.idx == 0);
	CHECK(kmap_local_high_water(t2) == 0);
	/* The parent's mapping is untouched */
	CHECK(sim_check_frame(a, 20) == SIM_READ_OK);
	CHECK(t1->kmap_ctrl.idx == KLP_SLOT_STEP);
	sim_kunmap_local(a, "site_a_unmap");
	check_clean(t1);
}

static void test_user_return(void)
{
	unsigned long a;

	begin("leak at return to user");
	kmap_local_user_return();
	a = sim_kmap_local(20, "site_a");
	sim_kmap_local(21, "site_b");
	kmap_local_user_return();
	check_clean(t1);
	check_no_ptes();
	CHECK(sim_check_frame(a, 20) == SIM_NOT_MAPPED);
	/* Nothing left to report */
	kmap_local_user_return();
}

static void test_switch(void)
{
	unsigned long a, b, c;

	begin("context switch");
	a = sim_kmap_local(20, "site_a");
	b = sim_kmap_local(21, "site_b");
	context_switch(t2);
	CHECK(sim_check_frame(a, 20) == SIM_NOT_MAPPED);
	CHECK(sim_check_frame(b, 21) == SIM_NOT_MAPPED);
	/* t2's first slot has the address of t1's first slot */
	c = sim_kmap_local(30, "site_c");
	CHECK(c == a);
	CHECK(sim_check_frame(c, 30) == SIM_READ_OK);
	context_switch(t1);
	CHECK(sim_check_frame(a, 20) == SIM_READ_OK);
	CHECK(sim_check_frame(b, 21) == SIM_READ_OK);
	context_switch(t2);
	CHECK(sim_check_frame(c, 30) == SIM_READ_OK);
	sim_kunmap_local(c, "site_c_unmap");
	context_switch(t1);
	sim_kunmap_local(b, "site_b_unmap");
	sim_kunmap_local(a, "site_a_unmap");
	check_clean(t1);
	check_clean(t2);
	check_no_ptes();
	CHECK(sim_pte_overwrites == 0);
}

/* Interrupts: one handler, injected at a chosen injection point */

static int point_nr, irq_at_point;
static int irq_runs, irq_bad;

static void irq_handler(void)
{
	unsigned long x, y;

	/* A low protected frame and a high one */
	x = sim_kmap_local(4, "irq_site_x");
	y = sim_kmap_local(40, "irq_site_y");
	irq_bad += sim_check_frame(x, 4) != SIM_READ_OK;
	irq_bad += sim_check_frame(y, 40) != SIM_READ_OK;
	sim_kunmap_local(y, "irq_site_y_unmap");
	sim_kunmap_local(x, "irq_site_x_unmap");
	irq_runs++;
}

static void inject_hook(const char *what)
{
	struct sim_cpu *cpu = sim_cpu();

	if (cpu->irq_depth || point_nr++ != irq_at_point)
		return;
	cpu->irq_depth++;
	irq_handler();
	cpu->irq_depth--;
}

/*
 * t1 holds @n1 mappings and t2 @n2, some protected; switch from t1 to t2
 * with an interrupt at injection point @at (counted from the start of the
 * switch; -1: none), then check both tasks' mappings and unmap them.
 * Returns the number of points the switch passed; *bad counts what went
 * wrong.
 */
static int switch_with_irq(int n1, int n2, int at, int *bad)
{
	unsigned long a[4], b[4];
	int i, points;

	sim_machine_reset(2);
	memset(tasks, 0, sizeof(tasks));
	strcpy(t1->comm, "t1");
	strcpy(t2->comm, "t2");
	sim_frame_protected[4] = sim_frame_protected[21] = true;
	sim_frame_protected[31] = true;
	sim_cpus[0].curr = t2;
	for (i = 0; i < n2; i++)
		b[i] = sim_kmap_local(30 + i, "site_b");
	context_switch(t1);
	for (i = 0; i < n1; i++)
		a[i] = sim_kmap_local(20 + i, "site_a");

	point_nr = 0;
	irq_at_point = at;
	irq_runs = irq_bad = 0;
	sim_point_hook = inject_hook;
	context_switch(t2);
	sim_point_hook = NULL;
	points = point_nr;

	*bad = irq_bad + (at >= 0 && irq_runs != 1);
	for (i = n2 - 1; i >= 0; i--) {
		*bad += sim_check_frame(b[i], 30 + i) != SIM_READ_OK;
		*bad += sim_cpu()->prot_reg != (i >= 1);
		sim_kunmap_local(b[i], "site_b_unmap");
	}
	context_switch(t1);
	for (i = n1 - 1; i >= 0; i--) {
		*bad += sim_check_frame(a[i], 20 + i) != SIM_READ_OK;
		*bad += sim_cpu()->prot_reg != (i >= 1);
		sim_kunmap_local(a[i], "site_a_unmap");
	}
	*bad += sim_cpu()->prot_reg;
	*bad += t1->kmap_ctrl.idx + t2->kmap_ctrl.idx +
		sim_cpu()->kl.prot_count;
	*bad += sim_pte_overwrites + sim_log_count();
	return points;
}

/*
 * Whichever task is deeper, an interrupt that maps anywhere in the switch,
 * including between sched_out and sched_in, disturbs neither task.
 */
static void test_switch_irq_everywhere(void)
{
	static const int depth[][2] = { { 3, 2 }, { 2, 3 }, { 0, 3 }, { 3, 0 } };
	int d, at, points, bad, bad_points;

	printf("== interrupt at every point of a context switch\n");
	for (d = 0; d < 4; d++) {
		points = switch_with_irq(depth[d][0], depth[d][1], -1, &bad);
		CHECK(bad == 0);
		bad_points = 0;
		for (at = 0; at < points; at++) {
			switch_with_irq(depth[d][0], depth[d][1], at, &bad);
			if (bad)
				printf("%d to %d deep: bad with interrupt at point %d\n",
				       depth[d][0], depth[d][1], at);
			bad_points += !!bad;
		}
		printf("%d to %d deep: %d points\n", depth[d][0], depth[d][1],
		       points);
		CHECK(bad_points == 0);
	}
}

static void test_protection(void)
{
	unsigned long a, b, c, d;

	begin("protected memory");
	sim_frame_protected[5] = sim_frame_protected[25] = true;
	sim_frame_protected[26] = true;
	a = sim_kmap_local(20, "site_a");
	CHECK(!sim_cpu()->prot_reg);
	/* Protected low memory goes through a slot too */
	b = sim_kmap_local(5, "site_b");
	CHECK(b == fix_addr(0, 1));
	CHECK(sim_cpu()->prot_reg);
	CHECK(sim_check_frame(b, 5) == SIM_READ_OK);
	c = sim_kmap_local(25, "site_c");
	d = sim_kmap_local(26, "site_d");
	CHECK(t1->kmap_ctrl.track.prot_depth == 3);
	sim_kunmap_local(d, "site_d_unmap");
	sim_kunmap_local(c, "site_c_unmap");
	CHECK(sim_cpu()->prot_reg);
	context_switch(t2);
	CHECK(!sim_cpu()->prot_reg);
	CHECK(sim_check_frame(b, 5) == SIM_NOT_MAPPED);
	c = sim_kmap_local(25, "site_c2");
	CHECK(sim_cpu()->prot_reg);
	context_switch(t1);
	CHECK(sim_cpu()->prot_reg);
	CHECK(sim_check_frame(b, 5) == SIM_READ_OK);
	sim_kunmap_local(b, "site_b_unmap");
	CHECK(!sim_cpu()->prot_reg);
	sim_kunmap_local(a, "site_a_unmap");
	context_switch(t2);
	CHECK(sim_cpu()->prot_reg);
	CHECK(sim_check_frame(c, 25) == SIM_READ_OK);
	sim_kunmap_local(c, "site_c2_unmap");
	CHECK(!sim_cpu()->prot_reg);
	CHECK(sim_cpu()->kl.prot_count == 0);
	check_clean(t1);
	check_clean(t2);
}

static void test_protection_leak(void)
{
	begin("protection ends with a leak");
	sim_frame_protected[25] = true;
	sim_kmap_local(25, "site_a");
	CHECK(sim_cpu()->prot_reg);
	kmap_local_user_return();
	CHECK(!sim_cpu()->prot_reg);
	CHECK(sim_cpu()->kl.prot_count == 0);
	check_clean(t1);
}

static void test_register_twice(void)
{
	static const struct kmap_local_prot_ops other;

	begin("one protection provider");
	CHECK(kmap_local_register_prot(&other) == -EBUSY);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	sim_register_prot();
	test_map_unmap();
	test_nested();
	test_per_cpu();
	test_lowmem();
	test_tlb_flush();
	test_out_of_order();
	test_out_of_order_middle();
	test_unmap_unmapped();
	test_overflow();
	test_exit();
	test_exit_with_hole();
	test_fork();
	test_user_return();
	test_switch();
	test_switch_irq_everywhere();
	test_protection();
	test_protection_leak();
	test_register_twice();
	printf("unit: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
