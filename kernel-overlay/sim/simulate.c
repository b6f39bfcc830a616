// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmap-sim: run the scheduler simulation over a range of seeds.
 *
 *   kmap-sim [--seeds FIRST:COUNT] [--expect-failure] [--quiet]
 *
 * Exit status 0 when every seed passed; with --expect-failure, 0 when
 * some seed failed (the build has a deliberately wrong switch ordering
 * and the simulation must catch it). 2 for bad arguments.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workload.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: kmap-sim [--seeds FIRST:COUNT] [--expect-failure] [--quiet]\n");
	exit(2);
}

static void print_totals(const struct wl_totals *t, double secs)
{
	int v;

	printf("kmap-sim: %ld seeds, %ld failed, %.0f seeds/s\n", t->seeds,
	       t->failed, secs > 0 ? t->seeds / secs : 0.0);
	printf("kmap-sim: %ld tasks, %ld operations, %ld reads checked, %ld injection points\n",
	       t->tasks, t->ops, t->reads, t->points);
	printf("kmap-sim: %ld context switches, %ld migrations, %ld interrupts (%ld during a switch)\n",
	       t->switches, t->migrations, t->irqs, t->irqs_in_switch);
	printf("kmap-sim: violations injected, each with its exact report:");
	for (v = 0; v < WL_NR_VIOLATIONS; v++)
		printf("%s %s %ld", v ? "," : "", wl_violation_names[v],
		       t->violations[v]);
	printf("\n");
}

int main(int argc, char **argv)
{
	unsigned long long first = 1, count = 1000, seed;
	bool expect_failure = false, quiet = false;
	struct wl_totals totals = { 0 };
	struct timespec t0, t1;
	char why[1024];
	double secs;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seeds") && i + 1 < argc) {
			if (sscanf(argv[++i], "%llu:%llu", &first, &count) !=
				    2 ||
			    !count) {
				fprintf(stderr,
					"kmap-sim: bad --seeds %s, want FIRST:COUNT\n",
					argv[i]);
				exit(2);
			}
		} else if (!strcmp(argv[i], "--expect-failure")) {
			expect_failure = true;
		} else if (!strcmp(argv[i], "--quiet")) {
			quiet = true;
		} else {
			usage();
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (seed = first; seed < first + count; seed++) {
		if (!wl_run_seed(seed, &totals, why, sizeof(why)))
			continue;
		/* A broken build fails many seeds: show a few */
		if (!expect_failure || totals.failed <= 3)
			printf("kmap-sim: seed %llu failed: %s\n", seed, why);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (!quiet || (totals.failed > 0) != expect_failure)
		print_totals(&totals, secs);
	if (expect_failure) {
		printf("kmap-sim: %ld of %ld seeds failed; this build must fail\n",
		       totals.failed, totals.seeds);
		return totals.failed ? 0 : 1;
	}
	return totals.failed ? 1 : 0;
}
