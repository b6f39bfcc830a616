// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simulation's scheduler: runqueues per CPU, context switches that
 * call the core's sched_out/sched_in hooks the way kernel/sched/core.c
 * does, preemption and migration at injection points, interrupts, and a
 * driver that lets the CPUs take turns.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "scheduler.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN
#endif
#endif
#ifdef __SANITIZE_ADDRESS__
#define SIM_ASAN
#endif
#ifdef SIM_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

#define SIM_STACK_SIZE (256 * 1024)
#define SIM_MAX_TASKS 64

#ifdef SIM_NAIVE_SWITCH
void sim_naive_switch(struct task_struct *prev, struct task_struct *next);
#endif

void (*sim_irq_handler)(void);
struct sim_sched_stats sim_stats;

static struct sim_sched_config cfg;
static uint64_t rng_state;
static struct sim_task *tasks[SIM_MAX_TASKS];
static int nr_tasks, next_pid;
static struct sim_task *idle_task[SIM_MAX_CPUS];
/* The task whose context executes on each CPU: in a switch, not curr */
static struct sim_task *running[SIM_MAX_CPUS];
static struct sim_task *switch_prev[SIM_MAX_CPUS];
static bool in_switch[SIM_MAX_CPUS];
static ucontext_t driver_ctx;
static void *driver_stack;
static size_t driver_stack_size;
static bool halted;

uint64_t sim_rand(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

unsigned int sim_rand_below(unsigned int n)
{
	return (unsigned int)(sim_rand() % n);
}

bool sim_chance(int permille)
{
	return (int)sim_rand_below(1000) < permille;
}

/* Switch host contexts; ASan must be told about the other stack */
static void ctx_switch(ucontext_t *from, ucontext_t *to, void *stack,
		       size_t size)
{
#ifdef SIM_ASAN
	void *fake = NULL;

	__sanitizer_start_switch_fiber(&fake, stack, size);
	swapcontext(from, to);
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#else
	swapcontext(from, to);
#endif
}

static void to_task(ucontext_t *from, struct sim_task *t)
{
	ctx_switch(from, &t->ctx, t->stack, SIM_STACK_SIZE);
}

static void yield_to_driver(void)
{
	ctx_switch(&running[sim_this_cpu]->ctx, &driver_ctx, driver_stack,
		   driver_stack_size);
}

struct sim_task *sim_current_task(void)
{
	return running[sim_this_cpu];
}

bool sim_in_switch(void)
{
	return in_switch[sim_this_cpu];
}

void sim_halt(void)
{
	halted = true;
	yield_to_driver();
	abort();
}

/* Candidates for this CPU: its own queue, and migratable tasks of others */
static struct sim_task *pick_next(int cpu, struct sim_task *prev)
{
	struct sim_task *cand[SIM_MAX_TASKS];
	int i, n = 0;

	for (i = 0; i < nr_tasks; i++) {
		struct sim_task *t = tasks[i];

		if (!t->queued || t->on_cpu)
			continue;
		if (t->cpu == cpu || (!t->ts.migrate_disable &&
				      sim_chance(cfg.migrate_permille)))
			cand[n++] = t;
	}
	if (n)
		return cand[sim_rand_below(n)];
	if (!prev->dead && !prev->idle)
		return prev;
	return idle_task[cpu];
}

static void enqueue(struct sim_task *t, int cpu)
{
	t->queued = true;
	t->cpu = cpu;
	if (!t->ts.migrate_disable && cfg.nr_cpus > 1 &&
	    sim_chance(cfg.migrate_permille))
		t->cpu = (cpu + 1 + sim_rand_below(cfg.nr_cpus - 1)) %
			 cfg.nr_cpus;
}

static void sched_point(const char *what);

/* finish_task_switch(): the incoming task, on its own stack */
static void finish_switch(void)
{
	int cpu = sim_this_cpu;
	struct sim_task *last = switch_prev[cpu];
	struct task_struct *curr = sim_cpus[cpu].curr;

	if (last) {
		last->on_cpu = false;
		switch_prev[cpu] = NULL;
	}
#if SIM_NAIVE_SWITCH == 2
	if (curr->kmap_ctrl.idx)
		sim_naive_switch(&last->ts, curr);
#elif !defined(SIM_NAIVE_SWITCH)
	if (curr->kmap_ctrl.idx)
		__kmap_local_sched_in();
#endif
	in_switch[sim_this_cpu] = false;
	curr->preempt_count--;
}

void sim_schedule(void)
{
	int cpu = sim_this_cpu;
	struct sim_task *prev = running[cpu], *next;

	prev->ts.preempt_count++;
	next = pick_next(cpu, prev);
	if (next == prev) {
		prev->ts.preempt_count--;
		return;
	}
	if (next->cpu != cpu)
		sim_stats.migrations++;
	sim_stats.switches++;
	next->queued = false;
	next->cpu = cpu;
	/* prepare_task(): from now on interrupts may map on top of @next */
	next->on_cpu = true;
	if (!prev->dead && !prev->idle)
		enqueue(prev, cpu);
	in_switch[cpu] = true;
#if SIM_NAIVE_SWITCH == 1
	sched_point("switch_to");
	sim_naive_switch(&prev->ts, &next->ts);
#else
	if (prev->ts.kmap_ctrl.idx)
		__kmap_local_sched_out();
	sched_point("switch_to");
#endif
	/* switch_to(): from here on current is @next */
	sim_cpus[cpu].curr = &next->ts;
	sched_point("switch_to");
	switch_prev[cpu] = prev;
	running[cpu] = next;
	to_task(&prev->ctx, next);
	/* Back, maybe on another CPU; whoever switched to us set it */
	finish_switch();
}

void sim_task_exit(void)
{
	running[sim_this_cpu]->dead = true;
	sim_schedule();
	fprintf(stderr, "sim: a dead task ran again\n");
	abort();
}

static void sched_point(const char *what)
{
	int cpu = sim_this_cpu;
	struct sim_cpu *c = &sim_cpus[cpu];

	sim_stats.points++;
	if (c->irq_depth < cfg.irq_nesting && sim_chance(cfg.irq_permille)) {
		sim_stats.irqs++;
		sim_stats.irqs_in_switch += in_switch[cpu];
		c->irq_depth++;
		sim_irq_handler();
		c->irq_depth--;
	}
	/* Preemption, on return from an interrupt or at preempt_enable() */
	if (!c->irq_depth && !running[cpu]->ts.preempt_count &&
	    sim_chance(cfg.preempt_permille))
		sim_schedule();
	if (sim_chance(cfg.yield_permille))
		yield_to_driver();
}

static void task_entry(void)
{
	struct sim_task *t;

#ifdef SIM_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	t = running[sim_this_cpu];
	finish_switch();
	t->body(t);
	sim_task_exit();
}

static struct sim_task *task_alloc(const char *name,
				   void (*body)(struct sim_task *), void *data)
{
	struct sim_task *t;

	if (nr_tasks == SIM_MAX_TASKS) {
		fprintf(stderr, "sim: more than %d tasks\n", SIM_MAX_TASKS);
		abort();
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	t->stack = malloc(SIM_STACK_SIZE);
	if (!t->stack)
		abort();
	snprintf(t->ts.comm, sizeof(t->ts.comm), "%s", name);
	t->ts.pid = next_pid++;
	/* A new task starts inside schedule(), preemption off */
	t->ts.preempt_count = 1;
	t->ts.sim = t;
	t->body = body;
	t->data = data;
	getcontext(&t->ctx);
	t->ctx.uc_stack.ss_sp = t->stack;
	t->ctx.uc_stack.ss_size = SIM_STACK_SIZE;
	t->ctx.uc_link = NULL;
	makecontext(&t->ctx, task_entry, 0);
	tasks[nr_tasks++] = t;
	return t;
}

struct sim_task *sim_task_create(const char *name,
				 void (*body)(struct sim_task *), void *data,
				 int cpu)
{
	struct sim_task *t = task_alloc(name, body, data);

	t->queued = true;
	t->cpu = cpu;
	return t;
}

struct sim_task *sim_task_fork(struct sim_task *parent, const char *name,
			       void (*body)(struct sim_task *), void *data)
{
	struct sim_task *t = task_alloc(name, body, data);

	/* dup_task_struct(): the child's kmap_ctrl is the parent's */
	t->ts.kmap_ctrl = parent->ts.kmap_ctrl;
	kmap_local_fork(&t->ts);
	t->queued = true;
	t->cpu = sim_this_cpu;
	return t;
}

static void idle_body(struct sim_task *t)
{
	for (;;) {
		sched_point("idle");
		sim_schedule();
		if (running[sim_this_cpu] == t)
			yield_to_driver();
	}
}

static void find_driver_stack(void)
{
	pthread_attr_t attr;

	if (driver_stack)
		return;
	if (pthread_getattr_np(pthread_self(), &attr) ||
	    pthread_attr_getstack(&attr, &driver_stack, &driver_stack_size)) {
		fprintf(stderr, "sim: cannot find the main stack\n");
		abort();
	}
	pthread_attr_destroy(&attr);
}

void sim_seed(uint64_t seed)
{
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	sim_rand();
}

void sim_sched_init(const struct sim_sched_config *c)
{
	int cpu;

	find_driver_stack();
	cfg = *c;
	memset(&sim_stats, 0, sizeof(sim_stats));
	nr_tasks = 0;
	next_pid = 0;
	halted = false;
	sim_machine_reset(cfg.nr_cpus);
	memset(switch_prev, 0, sizeof(switch_prev));
	memset(in_switch, 0, sizeof(in_switch));
	for (cpu = 0; cpu < cfg.nr_cpus; cpu++) {
		char name[16];

		snprintf(name, sizeof(name), "idle%d", cpu);
		idle_task[cpu] = task_alloc(name, idle_body, NULL);
		idle_task[cpu]->idle = true;
		idle_task[cpu]->cpu = cpu;
		idle_task[cpu]->on_cpu = true;
		running[cpu] = idle_task[cpu];
		sim_cpus[cpu].curr = &idle_task[cpu]->ts;
	}
	next_pid = 1;
	sim_point_hook = sched_point;
}

static bool all_exited(void)
{
	int i;

	for (i = 0; i < nr_tasks; i++) {
		if (!tasks[i]->idle && !tasks[i]->dead)
			return false;
	}
	return true;
}

int sim_sched_run(void)
{
	int cpu;

	while (!halted) {
		if (all_exited())
			return 0;
		if (++sim_stats.turns > cfg.max_turns)
			return -1;
		cpu = (int)sim_rand_below(cfg.nr_cpus);
		sim_this_cpu = cpu;
		to_task(&driver_ctx, running[cpu]);
	}
	return -1;
}

void sim_sched_free(void)
{
	while (nr_tasks) {
		struct sim_task *t = tasks[--nr_tasks];

		free(t->stack);
		free(t);
	}
	sim_point_hook = NULL;
}
