/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A deterministic scheduler for the simulated machine. Tasks are
 * user-space contexts (ucontext); all CPUs take turns on one host thread,
 * and every choice comes from one seeded generator, so a seed replays
 * exactly. At each injection point of the port the scheduler may deliver
 * an interrupt, preempt the task (and migrate it if it allows), or let
 * another CPU run.
 */
#ifndef SIM_SCHEDULER_H
#define SIM_SCHEDULER_H

#include <stdint.h>
#include <ucontext.h>

#include "machine.h"

struct sim_task {
	struct task_struct ts;
	ucontext_t ctx;
	void *stack;
	void (*body)(struct sim_task *t);
	/* The workload's state of this task */
	void *data;
	bool idle;
	bool dead;
	/* On the runqueue of CPU @cpu; @cpu is also where it last ran */
	bool queued;
	int cpu;
	/* Its context runs, or is not saved yet after a switch away */
	bool on_cpu;
};

struct sim_sched_config {
	int nr_cpus;
	/* Chances per injection point, in 1/1000 */
	int irq_permille;
	int preempt_permille;
	int yield_permille;
	int migrate_permille;
	/* Interrupts nested at most this deep */
	int irq_nesting;
	/* Give up after this many turns of the CPUs */
	long max_turns;
};

struct sim_sched_stats {
	long points, turns, switches, migrations, irqs, irqs_in_switch;
};

/* The interrupt handler: runs on this CPU, on top of whatever runs */
extern void (*sim_irq_handler)(void);
extern struct sim_sched_stats sim_stats;

uint64_t sim_rand(void);
unsigned int sim_rand_below(unsigned int n);
bool sim_chance(int permille);

/* Every choice of a run comes from this generator */
void sim_seed(uint64_t seed);
void sim_sched_init(const struct sim_sched_config *cfg);
struct sim_task *sim_task_create(const char *name,
				 void (*body)(struct sim_task *), void *data,
				 int cpu);
/* Fork: the child starts as a copy of the parent's task_struct */
struct sim_task *sim_task_fork(struct sim_task *parent, const char *name,
			       void (*body)(struct sim_task *), void *data);
struct sim_task *sim_current_task(void);
/* Give up the CPU voluntarily (cond_resched()) */
void sim_schedule(void);
/* do_exit() after the workload's exit hooks: never returns */
void sim_task_exit(void) __attribute__((noreturn));
/* Stop everything: a failure the run cannot continue from */
void sim_halt(void) __attribute__((noreturn));
/* True when the running context is inside a context switch */
bool sim_in_switch(void);
/*
 * Run until every task has exited. 0 when they did, -1 after a halt or
 * max_turns.
 */
int sim_sched_run(void);
void sim_sched_free(void);

#endif /* SIM_SCHEDULER_H */
