// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for src/core/clock_timer.cpp: tunables and the info query.
 * Also built for userspace by kunit/host/ and run under ASan/UBSan.
 */
#include <kunit/test.h>

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>
#include <psxtimer/version.h>

static void resolve(struct kunit *test, int timer_max, unsigned int ncpus,
		    int want_err, int want_max)
{
	struct psx_tunables in = { .timer_max = timer_max, .ncpus = ncpus };
	struct psx_tunables out = { .timer_max = -7, .ncpus = 7 };
	int err = psx_tunables_resolve(&in, &out);

	KUNIT_EXPECT_EQ(test, err, want_err);
	if (!want_err) {
		KUNIT_EXPECT_EQ(test, out.timer_max, want_max);
		KUNIT_EXPECT_EQ(test, out.ncpus, ncpus);
	} else {
		/* A refused input leaves the output alone. */
		KUNIT_EXPECT_EQ(test, out.timer_max, -7);
	}
}

static void timer_max_default_is_illumos(struct kunit *test)
{
	resolve(test, 0, 1, 0, 32);	/* _TIMER_MAX floor */
	resolve(test, 0, 8, 0, 32);
	resolve(test, 0, 9, 0, 36);	/* 4 * ncpus */
	resolve(test, 0, 64, 0, 256);
	/* A huge CPU count cannot push the default past the ceiling. */
	resolve(test, 0, 0xffffffffu, 0, PSX_TIMER_MAX_CEILING);
}

static void timer_max_explicit(struct kunit *test)
{
	resolve(test, 1, 2, 0, 1);
	resolve(test, 100000, 2, 0, 100000);
	resolve(test, PSX_TIMER_MAX_CEILING, 2, 0, PSX_TIMER_MAX_CEILING);
}

static void timer_max_invalid(struct kunit *test)
{
	resolve(test, -1, 2, -PSX_EINVAL, 0);
	resolve(test, PSX_TIMER_MAX_CEILING + 1, 2, -PSX_EINVAL, 0);
	resolve(test, 0x7fffffff, 2, -PSX_EINVAL, 0);
	resolve(test, 32, 0, -PSX_EINVAL, 0);	/* no CPUs is a caller bug */
}

static void info_reports_version(struct kunit *test)
{
	struct psx_info info;

	psx_core_info(&info);
	KUNIT_EXPECT_EQ(test, info.version_major, PSXTIMER_VERSION_MAJOR);
	KUNIT_EXPECT_EQ(test, info.version_minor, PSXTIMER_VERSION_MINOR);
	KUNIT_EXPECT_EQ(test, info.version_patch, PSXTIMER_VERSION_PATCH);
	/* Whatever was loaded, the effective limit is a valid one. */
	KUNIT_EXPECT_GE(test, info.timer_max, 1u);
	KUNIT_EXPECT_LE(test, info.timer_max, (unsigned int)PSX_TIMER_MAX_CEILING);
}

static struct kunit_case psx_core_cases[] = {
	KUNIT_CASE(timer_max_default_is_illumos),
	KUNIT_CASE(timer_max_explicit),
	KUNIT_CASE(timer_max_invalid),
	KUNIT_CASE(info_reports_version),
	{}
};

static struct kunit_suite psx_core_suite = {
	.name = "psxtimer_core",
	.test_cases = psx_core_cases,
};

kunit_test_suites(&psx_core_suite);
