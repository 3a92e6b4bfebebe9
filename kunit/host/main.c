// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the KUnit suites registered by kunit_test_suites() in the host build
 * and prints KTAP, so the host tier is counted exactly like the VM tiers.
 * Exit status: 0 when every case passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kunit/test.h>
#include <psxtimer/core.h>

#include "host.h"

#define MAX_SUITES 64

static struct kunit_suite *suites[MAX_SUITES];
static int nsuites;

void psx_host_register_suites(struct kunit_suite **s)
{
	for (; *s; s++) {
		if (nsuites == MAX_SUITES) {
			fprintf(stderr, "too many suites\n");
			exit(2);
		}
		suites[nsuites++] = *s;
	}
}

/* Freed when the case ends, as KUnit's resource-managed allocations. */
static void *case_allocs[64];
static int ncase_allocs;

void *kunit_kzalloc(struct kunit *test, size_t size, int gfp)
{
	void *p;

	if (ncase_allocs == 64)
		return NULL;
	p = calloc(1, size);
	case_allocs[ncase_allocs++] = p;
	return p;
}

void psx_host_fail(struct kunit *test, int fatal, const char *file, int line,
		   const char *expr, long long left, long long right,
		   const char *msg)
{
	printf("        # %s: %s FAILED at %s:%d\n        # %s (%lld vs %lld)%s%s\n",
	       test->name, fatal ? "ASSERTION" : "EXPECTATION", file, line,
	       expr, left, right, msg ? ": " : "", msg ? msg : "");
	test->failed = 1;
	if (fatal)
		longjmp(test->abort, 1);
}

/* Its own frame, so nothing the caller keeps lives across the longjmp. */
static int run_case(struct kunit_suite *s, struct kunit_case *c)
{
	struct kunit test = { .name = c->name };
	int ktimers = host_ktimers;

	host_reset();
	if (!setjmp(test.abort)) {
		if (!s->init || !s->init(&test))
			c->run_case(&test);
		else
			test.failed = 1;
	}
	if (s->exit)
		s->exit(&test);
	while (ncase_allocs)
		free(case_allocs[--ncase_allocs]);
	if (host_ktimers != ktimers) {
		printf("        # %s: %d timer(s) leaked\n", c->name,
		       host_ktimers - ktimers);
		test.failed = 1;
	}
	if (psx_host_warnings) {
		printf("        # %s: %d core warning(s)\n", c->name,
		       psx_host_warnings);
		test.failed = 1;
	}
	return test.failed;
}

static int run_suite(struct kunit_suite *s, int index)
{
	struct kunit_case *c;
	int n = 0, i = 0, failed_cases = 0;

	for (c = s->test_cases; c->run_case; c++)
		n++;
	printf("    KTAP version 1\n    # Subtest: %s\n    1..%d\n", s->name, n);
	if (s->suite_init && s->suite_init(s)) {
		printf("    # %s: suite_init failed\n", s->name);
		printf("not ok %d %s\n", index, s->name);
		return 1;
	}
	for (c = s->test_cases; c->run_case; c++) {
		int failed = run_case(s, c);

		printf("    %sok %d %s\n", failed ? "not " : "", ++i, c->name);
		failed_cases += failed;
	}
	if (s->suite_exit)
		s->suite_exit(s);
	printf("%sok %d %s\n", failed_cases ? "not " : "", index, s->name);
	return failed_cases != 0;
}

int main(void)
{
	int i, failed = 0;

	/* What insmod with default parameters does, on a 2-CPU machine. */
	struct psx_tunables load = {
		.timer_max = 0,
		.ncpus = 2,
		.highres_interval_min_ns = PSX_HIGHRES_INTERVAL_MIN_DEFAULT,
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (clock_timer_init(&load)) {
		printf("Bail out! clock_timer_init failed\n");
		return 1;
	}
	printf("KTAP version 1\n1..%d\n", nsuites);
	for (i = 0; i < nsuites; i++)
		failed |= run_suite(suites[i], i + 1);
	clock_timer_fini();
	return failed;
}
