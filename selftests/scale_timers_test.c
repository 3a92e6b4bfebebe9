// SPDX-License-Identifier: GPL-2.0
/*
 * timer_max timers in one process, with the module loaded with
 * timer_max=100000 (scripts/guest-check does that; 20000 on the debug
 * kernel, where KASAN makes each call slow): ids are dense and
 * lowest-free-first all the way up, EAGAIN past the limit, and the table
 * survives growth to its full size. Run only by that step.
 */
#include "psxtimer.h"
#include "kselftest_harness.h"


FIXTURE(scale) {
};

FIXTURE_SETUP(scale)
{
}

FIXTURE_TEARDOWN(scale)
{
}

/* Minutes, not seconds, on the debug kernel (KASAN, lockdep) under TCG. */
TEST_F_TIMEOUT(scale, timer_max_timers, 1200)
{
	struct psxtimer_sigevent none = { .sigev_notify = PSXTIMER_SIGEV_NONE };
	struct psxtimer_info info;
	struct psxtimer_itimerspec v = { 0 };
	int fd = psx_open(), i, N;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, PSXTIMER_IOC_INFO, &info));
	N = info.timer_max;
	ASSERT_LE(20000, N);
	for (i = 0; i < N; i++)
		ASSERT_EQ(i, psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, &none));
	EXPECT_EQ(-EAGAIN, psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, &none));
	/* Every one is reachable by its id; arm a spread of them. */
	for (i = 0; i < N; i += 997)
		EXPECT_EQ(0, psx_settime(fd, i, 0, 3600 * NSEC_PER_SEC, 0, NULL));
	EXPECT_EQ(0, psx_gettime(fd, N - 1, &v));
	EXPECT_EQ(0, psx_gettime(fd, 997 * (N / 997 / 2), &v));
	EXPECT_LT(3500 * NSEC_PER_SEC, ts_ns(&v.it_value));
	/* Free a few low ids; they come back first, lowest first. */
	EXPECT_EQ(0, psx_delete(fd, 5000));
	EXPECT_EQ(0, psx_delete(fd, 17));
	EXPECT_EQ(17, psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, &none));
	EXPECT_EQ(5000, psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, &none));
	/* Half deleted by hand, the rest by exit. */
	for (i = 0; i < N; i += 2)
		ASSERT_EQ(0, psx_delete(fd, i));
	close(fd);
}

TEST_HARNESS_MAIN
