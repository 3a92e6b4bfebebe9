// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the core's timer table and timer syscalls
 * (src/core/timer_table.cpp, timer.cpp, clock_backend.cpp) on a private
 * table: ids, growth, EAGAIN, the errno of every bad argument, settime and
 * gettime. Built into psxtimer_kunit.ko and, unchanged, for the host under
 * ASan/UBSan (kunit/host/).
 */
#include <kunit/test.h>

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "psxtimer_kunit.h"

#define NSEC 1000000000LL

struct table {
	struct psx_kproc *kp;
	struct psx_proc *p;
};

static const struct psx_sigevent sev_none = { .notify = PSX_SIGEV_NONE };

static int timer_init(struct kunit *test)
{
	struct table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->kp = psx_kproc_alloc();
	KUNIT_ASSERT_NOT_NULL(test, t->kp);
	t->p = psx_kproc_table(t->kp);
	test->priv = t;
	return 0;
}

static void timer_exit_case(struct kunit *test)
{
	struct table *t = test->priv;

	if (t && t->kp) {
		timer_exit(t->p);
		KUNIT_EXPECT_EQ(test, psx_test_ntimers(t->p), 0);
		psx_kproc_free(t->kp);
	}
}

static struct psx_proc *table(struct kunit *test)
{
	return ((struct table *)test->priv)->p;
}

static int timer_max(void)
{
	struct psx_info info;

	psx_core_info(&info);
	return info.timer_max;
}

static int create_none(struct kunit *test, int clock)
{
	int id = -1;

	KUNIT_ASSERT_EQ(test, 0, psx_test_create(table(test), clock, &sev_none, &id));
	return id;
}

static void ids_lowest_free_first(struct kunit *test)
{
	struct psx_proc *p = table(test);
	int i;

	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, create_none(test, PSX_CLOCK_MONOTONIC), i);
	KUNIT_EXPECT_EQ(test, 0, psx_timer_delete(p, 3));
	KUNIT_EXPECT_EQ(test, 0, psx_timer_delete(p, 1));
	KUNIT_EXPECT_EQ(test, create_none(test, PSX_CLOCK_MONOTONIC), 1);
	KUNIT_EXPECT_EQ(test, create_none(test, PSX_CLOCK_MONOTONIC), 3);
	KUNIT_EXPECT_EQ(test, create_none(test, PSX_CLOCK_MONOTONIC), 5);
	KUNIT_EXPECT_EQ(test, psx_test_ntimers(p), 6);
}

static void table_grows_to_timer_max_then_eagain(struct kunit *test)
{
	struct psx_proc *p = table(test);
	int max = timer_max(), i, id;

	for (i = 0; i < max; i++)
		KUNIT_ASSERT_EQ(test, create_none(test, PSX_CLOCK_REALTIME), i);
	KUNIT_EXPECT_EQ(test, -PSX_EAGAIN,
			psx_test_create(p, PSX_CLOCK_REALTIME, &sev_none, &id));
	/* A freed id in the middle is found again, and only it. */
	KUNIT_EXPECT_EQ(test, 0, psx_timer_delete(p, max / 2));
	KUNIT_EXPECT_EQ(test, create_none(test, PSX_CLOCK_REALTIME), max / 2);
	KUNIT_EXPECT_EQ(test, -PSX_EAGAIN,
			psx_test_create(p, PSX_CLOCK_REALTIME, &sev_none, &id));
	KUNIT_EXPECT_EQ(test, psx_test_ntimers(p), max);
	/* The table is reusable after timer_exit (exec). */
	timer_exit(p);
	KUNIT_EXPECT_EQ(test, psx_test_ntimers(p), 0);
	KUNIT_EXPECT_EQ(test, create_none(test, PSX_CLOCK_REALTIME), 0);
}

static void bad_ids_are_einval(struct kunit *test)
{
	struct psx_proc *p = table(test);
	struct psx_itimerspec v = {};
	int bad[] = { -1, -2147483647 - 1, 1, 7, 8, 1000000 };
	int i, id = create_none(test, PSX_CLOCK_MONOTONIC);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_gettime(p, bad[i], &v));
		KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_settime(p, bad[i], 0, &v, NULL));
		KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_getoverrun(p, bad[i]));
		KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_delete(p, bad[i]));
	}
	KUNIT_EXPECT_EQ(test, 0, psx_timer_delete(p, id));
	/* A deleted id is gone for every call. */
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_gettime(p, id, &v));
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_settime(p, id, 0, &v, NULL));
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_getoverrun(p, id));
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_delete(p, id));
}

static void bad_clocks_and_sigevents_are_einval(struct kunit *test)
{
	struct psx_proc *p = table(test);
	int clocks[] = { -1, 4, 5, 6, 8, 12, 16, 1000 };
	struct psx_sigevent bad[] = {
		{ .notify = 3 }, { .notify = 6 }, { .notify = -1 },
		{ .notify = PSX_SIGEV_SIGNAL, .signo = 0 },
		{ .notify = PSX_SIGEV_SIGNAL, .signo = 65 },
		{ .notify = PSX_SIGEV_SIGNAL, .signo = -1 },
		{ .notify = PSX_SIGEV_THREAD_ID, .signo = 10, .tid = 0 },
		{ .notify = PSX_SIGEV_THREAD_ID, .signo = 10, .tid = -5 },
	};
	int i, id = -1;

	for (i = 0; i < ARRAY_SIZE(clocks); i++)
		KUNIT_EXPECT_EQ(test, -PSX_EINVAL,
				psx_test_create(p, clocks[i], &sev_none, &id));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, -PSX_EINVAL,
				    psx_test_create(p, PSX_CLOCK_MONOTONIC, &bad[i], &id),
				    "sigevent %d", i);
	/* A port notification needs a port: no fd at all is EBADF. */
	bad[0] = (struct psx_sigevent){ .notify = PSX_SIGEV_PORT, .port = -1 };
	KUNIT_EXPECT_EQ(test, -PSX_EBADF, psx_test_create(p, PSX_CLOCK_MONOTONIC, &bad[0], &id));
	bad[0].notify = PSX_SIGEV_THREAD;
	KUNIT_EXPECT_EQ(test, -PSX_EBADF, psx_test_create(p, PSX_CLOCK_MONOTONIC, &bad[0], &id));
	/* CPU-time clocks read, but carry no timers (illumos). */
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL,
			psx_test_create(p, PSX_CLOCK_PROCESS_CPUTIME_ID, &sev_none, &id));
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL,
			psx_test_create(p, PSX_CLOCK_THREAD_CPUTIME_ID, &sev_none, &id));
	/* ... refused where illumos's clk_timer_create is: after the port. */
	KUNIT_EXPECT_EQ(test, -PSX_EBADF,
			psx_test_create(p, PSX_CLOCK_THREAD_CPUTIME_ID, &bad[0], &id));
	KUNIT_EXPECT_EQ(test, id, -1);
	/* Nothing half-made is left behind. */
	KUNIT_EXPECT_EQ(test, psx_test_ntimers(p), 0);
	KUNIT_EXPECT_EQ(test, create_none(test, PSX_CLOCK_MONOTONIC), 0);
}

static void settime_validates_like_itimerspecfix(struct kunit *test)
{
	static const struct psx_timespec bad[] = { { 0, -1 }, { 0, NSEC }, { -1, 0 } };
	struct psx_proc *p = table(test);
	int id = create_none(test, PSX_CLOCK_MONOTONIC);
	struct psx_itimerspec v = { .it_value = { 1, NSEC } }, got;
	int i;

	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_settime(p, id, 0, &v, NULL));
	v.it_value = (struct psx_timespec){ 1, -1 };
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_settime(p, id, 0, &v, NULL));
	v.it_value = (struct psx_timespec){ -1, 0 };
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_settime(p, id, 0, &v, NULL));
	/*
	 * A bad interval counts only when arming (POSIX, itimerspecfix); a
	 * disarm keeps the interval it is given for gettime, but not a bad
	 * one: that reads back as 0.
	 */
	v.it_value = (struct psx_timespec){ 0, 0 };
	v.it_interval = (struct psx_timespec){ 3, 5 };
	KUNIT_EXPECT_EQ(test, 0, psx_timer_settime(p, id, 0, &v, NULL));
	KUNIT_EXPECT_EQ(test, 0, psx_timer_gettime(p, id, &got));
	KUNIT_EXPECT_EQ(test, got.it_interval.tv_sec, 3LL);
	KUNIT_EXPECT_EQ(test, got.it_interval.tv_nsec, 5LL);
	for (i = 0; i < 3; i++) {
		v.it_interval = bad[i];
		KUNIT_EXPECT_EQ(test, 0, psx_timer_settime(p, id, 0, &v, NULL));
		KUNIT_EXPECT_EQ(test, 0, psx_timer_gettime(p, id, &got));
		KUNIT_EXPECT_EQ(test, got.it_interval.tv_sec, 0LL);
		KUNIT_EXPECT_EQ(test, got.it_interval.tv_nsec, 0LL);
		KUNIT_EXPECT_EQ(test, got.it_value.tv_sec, 0LL);
		KUNIT_EXPECT_EQ(test, got.it_value.tv_nsec, 0LL);
	}
	v.it_interval = (struct psx_timespec){ 0, NSEC };
	v.it_value = (struct psx_timespec){ 100, 0 };
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_settime(p, id, 0, &v, NULL));
	v.it_interval = (struct psx_timespec){ -1, 0 };
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_settime(p, id, 0, &v, NULL));
	/* Unknown flags. */
	v.it_interval = (struct psx_timespec){ 0, 0 };
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_settime(p, id, 2, &v, NULL));
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_settime(p, id, 0x80000000, &v, NULL));
}

static void settime_overflow_is_eoverflow(struct kunit *test)
{
	struct psx_proc *p = table(test);
	int id = create_none(test, PSX_CLOCK_MONOTONIC);
	struct psx_itimerspec v = {}, got;

	/* Seconds that do not fit in 64-bit nanoseconds. */
	v.it_value = (struct psx_timespec){ 0x7fffffffffffffffLL, 0 };
	KUNIT_EXPECT_EQ(test, -PSX_EOVERFLOW, psx_timer_settime(p, id, 0, &v, NULL));
	/* now + value past INT64. */
	v.it_value = (struct psx_timespec){ 9223372036LL, 854775807 };
	KUNIT_EXPECT_EQ(test, -PSX_EOVERFLOW, psx_timer_settime(p, id, 0, &v, NULL));
	/* start + interval past INT64. */
	v.it_value = (struct psx_timespec){ 9223372035LL, 0 };
	v.it_interval = (struct psx_timespec){ 2, 0 };
	KUNIT_EXPECT_EQ(test, -PSX_EOVERFLOW,
			psx_timer_settime(p, id, PSX_TIMER_ABSTIME, &v, NULL));
	/* A refused settime leaves the timer disarmed. */
	KUNIT_EXPECT_EQ(test, 0, psx_timer_gettime(p, id, &got));
	KUNIT_EXPECT_EQ(test, got.it_value.tv_sec + got.it_value.tv_nsec, 0LL);
}

static void gettime_and_atomic_old_value(struct kunit *test)
{
	struct psx_proc *p = table(test);
	int id = create_none(test, PSX_CLOCK_MONOTONIC);
	struct psx_itimerspec v = {}, old, got;
	long long left;

	KUNIT_EXPECT_EQ(test, 0, psx_timer_gettime(p, id, &got));
	KUNIT_EXPECT_EQ(test, got.it_value.tv_sec + got.it_value.tv_nsec +
			got.it_interval.tv_sec + got.it_interval.tv_nsec, 0LL);

	v.it_value = (struct psx_timespec){ 100, 0 };
	v.it_interval = (struct psx_timespec){ 3, 500 };
	KUNIT_EXPECT_EQ(test, 0, psx_timer_settime(p, id, 0, &v, &old));
	KUNIT_EXPECT_EQ(test, old.it_value.tv_sec + old.it_value.tv_nsec, 0LL);
	KUNIT_EXPECT_EQ(test, 0, psx_timer_gettime(p, id, &got));
	left = got.it_value.tv_sec * NSEC + got.it_value.tv_nsec;
	KUNIT_EXPECT_GT(test, left, 99 * NSEC);
	KUNIT_EXPECT_LE(test, left, 100 * NSEC);
	KUNIT_EXPECT_EQ(test, got.it_interval.tv_sec, 3LL);
	KUNIT_EXPECT_EQ(test, got.it_interval.tv_nsec, 500LL);

	/* Disarm, getting the armed value back in the same call. */
	v = (struct psx_itimerspec){};
	KUNIT_EXPECT_EQ(test, 0, psx_timer_settime(p, id, 0, &v, &old));
	KUNIT_EXPECT_GT(test, old.it_value.tv_sec, 98LL);
	KUNIT_EXPECT_EQ(test, old.it_interval.tv_sec, 3LL);
	KUNIT_EXPECT_EQ(test, 0, psx_timer_gettime(p, id, &got));
	KUNIT_EXPECT_EQ(test, got.it_value.tv_sec + got.it_value.tv_nsec +
			got.it_interval.tv_sec + got.it_interval.tv_nsec, 0LL);

	/* POSIX: a disarmed timer reports the interval last set. */
	v.it_interval = (struct psx_timespec){ 7, 0 };
	KUNIT_EXPECT_EQ(test, 0, psx_timer_settime(p, id, 0, &v, NULL));
	KUNIT_EXPECT_EQ(test, 0, psx_timer_gettime(p, id, &got));
	KUNIT_EXPECT_EQ(test, got.it_value.tv_sec + got.it_value.tv_nsec, 0LL);
	KUNIT_EXPECT_EQ(test, got.it_interval.tv_sec, 7LL);
}

static void getoverrun_of_sigev_none_is_zero(struct kunit *test)
{
	int id = create_none(test, PSX_CLOCK_BOOTTIME);

	KUNIT_EXPECT_EQ(test, 0, psx_timer_getoverrun(table(test), id));
}

static void clock_calls(struct kunit *test)
{
	struct psx_timespec ts = { 5, 5 }, res;
	int clocks[] = { PSX_CLOCK_REALTIME, PSX_CLOCK_MONOTONIC, PSX_CLOCK_BOOTTIME,
			 PSX_CLOCK_TAI, PSX_CLOCK_PROCESS_CPUTIME_ID,
			 PSX_CLOCK_THREAD_CPUTIME_ID };
	int i;

	for (i = 0; i < ARRAY_SIZE(clocks); i++) {
		KUNIT_EXPECT_EQ(test, 0, psx_clock_gettime(clocks[i], &ts));
		KUNIT_EXPECT_TRUE(test, ts.tv_nsec >= 0 && ts.tv_nsec < NSEC);
		KUNIT_EXPECT_EQ(test, 0, psx_clock_getres(clocks[i], &res));
		KUNIT_EXPECT_GT(test, res.tv_sec * NSEC + res.tv_nsec, 0LL);
	}
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_clock_gettime(5, &ts));
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_clock_getres(-1, &res));
	/*
	 * settime as a privileged caller (KUnit runs as root; the host
	 * suite's clock_settime_order tries the unprivileged cases): an
	 * unknown clock, a bad value, a clock that cannot be set.
	 */
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_clock_settime(5, &ts));
	ts.tv_nsec = NSEC;
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_clock_settime(PSX_CLOCK_REALTIME, &ts));
	ts.tv_nsec = 0;
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_clock_settime(PSX_CLOCK_MONOTONIC, &ts));
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_clock_settime(PSX_CLOCK_TAI, &ts));
	/* The CPU-time clocks are read-only: their backend refuses. */
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL,
			psx_clock_settime(PSX_CLOCK_PROCESS_CPUTIME_ID, &ts));
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL,
			psx_clock_settime(PSX_CLOCK_THREAD_CPUTIME_ID, &ts));
}

/* psx_timer_stat: id order, batches, what each entry says. */
static void stat_walks_timers_in_batches(struct kunit *test)
{
	struct table *t = test->priv;
	struct psx_sigevent sev = { .value = 0x1234, .signo = 10, .notify = PSX_SIGEV_SIGNAL };
	struct psx_itimerspec v = { .it_interval = { 2, 0 }, .it_value = { 100, 0 } };
	struct psx_timer_stat st[4];
	int id, i, next = 0;

	/* Ids 0..5; 1 deleted and made again as a signal timer. */
	for (i = 0; i < 5; i++)
		create_none(test, i == 3 ? PSX_CLOCK_BOOTTIME : PSX_CLOCK_MONOTONIC);
	KUNIT_ASSERT_EQ(test, 0, psx_timer_delete(t->p, 1));
	KUNIT_ASSERT_EQ(test, 0, psx_timer_settime(t->p, 2, 0, &v, NULL));
	KUNIT_ASSERT_EQ(test, 0, psx_test_create(t->p, PSX_CLOCK_REALTIME, &sev, &id));
	KUNIT_ASSERT_EQ(test, 1, id);
	KUNIT_ASSERT_EQ(test, 5, create_none(test, PSX_CLOCK_TAI));

	KUNIT_ASSERT_EQ(test, 3, psx_timer_stat(t->p, &next, st, 3));
	KUNIT_EXPECT_EQ(test, 3, next);
	KUNIT_EXPECT_EQ(test, 0, st[0].timer_id);
	KUNIT_EXPECT_EQ(test, PSX_SIGEV_NONE, st[0].notify);
	KUNIT_EXPECT_EQ(test, 0, st[0].signo);
	KUNIT_EXPECT_EQ(test, 0LL, st[0].when.it_value.tv_sec + st[0].when.it_value.tv_nsec);
	KUNIT_EXPECT_EQ(test, 1, st[1].timer_id);
	KUNIT_EXPECT_EQ(test, PSX_CLOCK_REALTIME, st[1].clock_id);
	KUNIT_EXPECT_EQ(test, PSX_SIGEV_SIGNAL, st[1].notify);
	KUNIT_EXPECT_EQ(test, 10, st[1].signo);
	KUNIT_EXPECT_EQ(test, 0x1234ULL, st[1].value);
	KUNIT_EXPECT_EQ(test, 0U, st[1].pending);
	KUNIT_EXPECT_EQ(test, 0, st[1].overrun);
	KUNIT_EXPECT_EQ(test, 2, st[2].timer_id);
	KUNIT_EXPECT_EQ(test, PSX_CLOCK_MONOTONIC, st[2].clock_id);
	KUNIT_EXPECT_EQ(test, 2LL, st[2].when.it_interval.tv_sec);
	KUNIT_EXPECT_TRUE(test, st[2].when.it_value.tv_sec > 0 ||
			  st[2].when.it_value.tv_nsec > 0);
	KUNIT_EXPECT_LE(test, st[2].when.it_value.tv_sec, 100LL);

	KUNIT_ASSERT_EQ(test, 3, psx_timer_stat(t->p, &next, st, 4));
	KUNIT_EXPECT_EQ(test, 3, st[0].timer_id);
	KUNIT_EXPECT_EQ(test, PSX_CLOCK_BOOTTIME, st[0].clock_id);
	KUNIT_EXPECT_EQ(test, 5, st[2].timer_id);
	KUNIT_EXPECT_EQ(test, PSX_CLOCK_TAI, st[2].clock_id);
	KUNIT_EXPECT_EQ(test, 0, psx_timer_stat(t->p, &next, st, 4));
	next = 0;
	KUNIT_EXPECT_EQ(test, 0, psx_timer_stat(t->p, &next, st, 0));

	/* After exit the table has nothing to show. */
	timer_exit(t->p);
	next = 0;
	KUNIT_EXPECT_EQ(test, 0, psx_timer_stat(t->p, &next, st, 4));
}

/*
 * The glue's half of create: the id could not be copied out. That timer
 * goes, and no other; its id is free again.
 */
static void failed_copyout_deletes_that_timer(struct kunit *test)
{
	struct psx_proc *p = table(test);
	struct psx_itimerspec v;
	struct psx_itimer *it;
	int keep, id;

	keep = create_none(test, PSX_CLOCK_MONOTONIC);
	KUNIT_ASSERT_EQ(test, 0, psx_timer_create(p, PSX_CLOCK_MONOTONIC, &sev_none, &id, &it));
	KUNIT_EXPECT_EQ(test, id, keep + 1);
	psx_timer_create_done(p, it, -PSX_EFAULT);
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_gettime(p, id, &v));
	KUNIT_EXPECT_EQ(test, 0, psx_timer_gettime(p, keep, &v));
	KUNIT_EXPECT_EQ(test, psx_test_ntimers(p), 1);
	KUNIT_EXPECT_EQ(test, create_none(test, PSX_CLOCK_MONOTONIC), id);
}

static struct kunit_case psx_timer_cases[] = {
	KUNIT_CASE(ids_lowest_free_first),
	KUNIT_CASE(failed_copyout_deletes_that_timer),
	KUNIT_CASE(table_grows_to_timer_max_then_eagain),
	KUNIT_CASE(bad_ids_are_einval),
	KUNIT_CASE(bad_clocks_and_sigevents_are_einval),
	KUNIT_CASE(settime_validates_like_itimerspecfix),
	KUNIT_CASE(settime_overflow_is_eoverflow),
	KUNIT_CASE(gettime_and_atomic_old_value),
	KUNIT_CASE(getoverrun_of_sigev_none_is_zero),
	KUNIT_CASE(clock_calls),
	KUNIT_CASE(stat_walks_timers_in_batches),
	{}
};

static struct kunit_suite psx_timer_suite = {
	.name = "psxtimer_timer",
	.init = timer_init,
	.exit = timer_exit_case,
	.test_cases = psx_timer_cases,
};

kunit_test_suites(&psx_timer_suite);
