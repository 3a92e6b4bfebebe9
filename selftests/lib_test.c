// SPDX-License-Identifier: GPL-2.0
/*
 * libpsxtimer (src/lib): the POSIX signatures and errno conventions over
 * the module, and its event ports. Built 64-bit and -m32 with the library
 * compiled in.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/psxtimer.h>

#include "../src/lib/psxtimer.h"
#include "kselftest_harness.h"

#define MS 1000000L

static int wait_sig(int sig, siginfo_t *si, int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * MS };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, si, &ts) == sig ? 0 : -1;
}

TEST(timer_calls_have_posix_shapes)
{
	struct itimerspec v = { { 0, 0 }, { 0, 5 * MS } }, old, cur;
	sigset_t set;
	siginfo_t si;
	psx_timer_t id;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	ASSERT_EQ(0, psx_timer_create(CLOCK_MONOTONIC, NULL, &id));
	EXPECT_EQ(0, id);
	ASSERT_EQ(0, psx_timer_settime(id, 0, &v, &old));
	EXPECT_EQ(0, old.it_value.tv_sec + old.it_value.tv_nsec);
	ASSERT_EQ(0, wait_sig(SIGALRM, &si, 2000));
	EXPECT_EQ(id, si.si_value.sival_int);
	EXPECT_EQ(0, psx_timer_getoverrun(id));
	ASSERT_EQ(0, psx_timer_gettime(id, &cur));
	EXPECT_EQ(0, cur.it_value.tv_sec + cur.it_value.tv_nsec);
	/* Bad input: -1 and errno, as POSIX. */
	v.it_value.tv_nsec = 1000000000;
	EXPECT_EQ(-1, psx_timer_settime(id, 0, &v, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, psx_timer_settime(id, 0, NULL, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* The ioctl's no-old-value flag is the library's, not a caller's. */
	v.it_value.tv_nsec = 0;
	EXPECT_EQ(-1, psx_timer_settime(id, 2, &v, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, psx_timer_settime(id, 2, &v, &old));
	EXPECT_EQ(EINVAL, errno);
	/* Without ovalue, the new value is set all the same. */
	v.it_value.tv_sec = 30;
	ASSERT_EQ(0, psx_timer_settime(id, 0, &v, NULL));
	ASSERT_EQ(0, psx_timer_gettime(id, &cur));
	EXPECT_LE(29, cur.it_value.tv_sec);
	EXPECT_EQ(0, psx_timer_delete(id));
	EXPECT_EQ(-1, psx_timer_delete(id));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, psx_timer_getoverrun(id));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, psx_timer_create(5, NULL, &id));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * The _n calls, on more ops than one ioctl of the library takes (64): 150
 * ops on 30 timers (the default timer_max is 32 on two CPUs), each timer
 * set five times in order.
 */
TEST(timer_calls_in_batches)
{
	enum { K = 30, N = 150 };
	struct itimerspec v[N], old[N], cur[N];
	struct psxtimer_settime far = { .flags = PSXTIMER_TIMER_ABSTIME };
	psx_timer_t t[K], ids[N];
	int i, err[N], over[N], fd;

	for (i = 0; i < K; i++)
		ASSERT_EQ(0, psx_timer_create(CLOCK_MONOTONIC, NULL, &t[i]));
	for (i = 0; i < N; i++) {
		ids[i] = t[i % K];
		v[i] = (struct itimerspec){ { i, 0 }, { 100 + i, 0 } };
	}
	EXPECT_EQ(0, psx_timer_settime_n(N, ids, 0, v, old, err));
	for (i = 0; i < N; i++) {
		EXPECT_EQ(0, err[i]);
		/* The previous op on the same timer, or none. */
		EXPECT_EQ(i < K ? 0 : i - K, old[i].it_interval.tv_sec);
		EXPECT_EQ(i < K ? 0 : 1, old[i].it_value.tv_sec + old[i].it_value.tv_nsec > 0);
	}
	EXPECT_EQ(0, psx_timer_gettime_n(N, ids, cur, NULL));
	for (i = 0; i < N; i++) {
		EXPECT_EQ(N - K + i % K, cur[i].it_interval.tv_sec);
		EXPECT_GE(100 + N - K + i % K, cur[i].it_value.tv_sec);
		EXPECT_LE(99 + N - K + i % K, cur[i].it_value.tv_sec);
	}
	/* Failures, also past the first ioctl: each op's errno, the first in errno. */
	ASSERT_EQ(0, psx_timer_delete(t[10]));
	v[101].it_value.tv_nsec = 1000000000;
	EXPECT_EQ(-1, psx_timer_settime_n(N, ids, 0, v, old, err));
	EXPECT_EQ(EINVAL, errno);
	for (i = 0; i < N; i++) {
		EXPECT_EQ(i % K == 10 || i == 101 ? EINVAL : 0, err[i]);
		if (i < K && i != 10)
			EXPECT_EQ(N - K + i, old[i].it_interval.tv_sec);
	}
	EXPECT_EQ(-1, psx_timer_getoverrun_n(N, ids, over, err));
	EXPECT_EQ(EINVAL, errno);
	for (i = 0; i < N; i++) {
		EXPECT_EQ(i % K == 10 ? -1 : 0, over[i]);
		EXPECT_EQ(i % K == 10 ? EINVAL : 0, err[i]);
	}
	EXPECT_EQ(-1, psx_timer_settime_n(N, ids, 2, v, NULL, err));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(EINVAL, err[0]);
	/* Nothing to do; no arrays. */
	EXPECT_EQ(0, psx_timer_gettime_n(0, NULL, NULL, NULL));
	EXPECT_EQ(-1, psx_timer_settime_n(1, ids, 0, NULL, NULL, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, psx_timer_gettime_n(1, NULL, cur, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, psx_timer_getoverrun_n(1, ids, NULL, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* 2^33 s away: more seconds than a 32-bit time_t holds, that op alone. */
	fd = open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	far.timer_id = t[1];
	far.new_value.it_value.tv_sec = 1LL << 33;
	ASSERT_EQ(0, ioctl(fd, PSXTIMER_IOC_TIMER_SETTIME, &far));
	close(fd);
	if (sizeof(time_t) < 8) {
		EXPECT_EQ(-1, psx_timer_gettime_n(3, t, cur, err));
		EXPECT_EQ(EOVERFLOW, errno);
		EXPECT_EQ(EOVERFLOW, err[1]);
	} else {
		EXPECT_EQ(0, psx_timer_gettime_n(3, t, cur, err));
		EXPECT_EQ(0, err[1]);
	}
	EXPECT_EQ(0, err[0]);
	EXPECT_EQ(0, err[2]);
}

TEST(clock_calls)
{
	struct timespec ts, libc;

	ASSERT_EQ(0, psx_clock_gettime(CLOCK_MONOTONIC, &ts));
	clock_gettime(CLOCK_MONOTONIC, &libc);
	EXPECT_GE(libc.tv_sec, ts.tv_sec);
	EXPECT_LE(libc.tv_sec - 1, ts.tv_sec);
	EXPECT_EQ(0, psx_clock_getres(CLOCK_REALTIME, &ts));
	EXPECT_EQ(0, psx_clock_getres(CLOCK_REALTIME, NULL));
	EXPECT_EQ(-1, psx_clock_gettime(4, &ts));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, psx_clock_settime(CLOCK_MONOTONIC, &ts));
	EXPECT_EQ(EINVAL, errno);
	/* No value to set: EFAULT, before the module is asked. */
	errno = 0;
	EXPECT_EQ(-1, psx_clock_settime(CLOCK_REALTIME, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/*
 * A value past what a 32-bit time_t holds (set through the module's own
 * ioctl, which is 64-bit everywhere): gettime and settime's old value are
 * EOVERFLOW in the -m32 build, as glibc's 32-bit calls are; the new value
 * is set all the same. The 64-bit build reads it back.
 */
TEST(seconds_past_time_t_are_eoverflow)
{
	struct psxtimer_settime s = { .new_value.it_value.tv_sec = 3000000000LL };
	struct itimerspec v = { { 0, 0 }, { 0, 0 } }, old;
	int fd = open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC);
	int small = sizeof(time_t) < 8;
	psx_timer_t id;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, psx_timer_create(CLOCK_MONOTONIC, NULL, &id));
	s.timer_id = id;
	ASSERT_EQ(0, ioctl(fd, PSXTIMER_IOC_TIMER_SETTIME, &s));
	errno = 0;
	EXPECT_EQ(small ? -1 : 0, psx_timer_gettime(id, &old));
	EXPECT_EQ(small ? EOVERFLOW : 0, errno);
	if (!small)
		EXPECT_LT(2999999990LL, (long long)old.it_value.tv_sec);
	errno = 0;
	EXPECT_EQ(small ? -1 : 0, psx_timer_settime(id, 0, &v, &old));
	EXPECT_EQ(small ? EOVERFLOW : 0, errno);
	/* Disarmed either way. */
	ASSERT_EQ(0, psx_timer_gettime(id, &old));
	EXPECT_EQ(0, old.it_value.tv_sec + old.it_value.tv_nsec);
	EXPECT_EQ(0, psx_timer_delete(id));
	close(fd);
}

TEST(port_events_through_the_library)
{
	psx_port_notify_t pn = { .portnfy_user = (void *)(uintptr_t)0xbeef };
	struct sigevent sev = { .sigev_notify = PSX_SIGEV_PORT };
	struct itimerspec v = { { 0, 2 * MS }, { 0, 2 * MS } };
	struct timespec wait = { 1, 0 }, brief = { 0, 20 * MS };
	psx_port_event_t ev[4];
	unsigned int n = 2;
	psx_timer_t id;

	pn.portnfy_port = psx_port_create();
	ASSERT_LE(0, pn.portnfy_port);
	sev.sigev_value.sival_ptr = &pn;
	ASSERT_EQ(0, psx_timer_create(CLOCK_MONOTONIC, &sev, &id));
	ASSERT_EQ(0, psx_timer_settime(id, 0, &v, NULL));
	ASSERT_EQ(0, psx_port_get(pn.portnfy_port, &ev[0], &wait));
	EXPECT_EQ((uintptr_t)0xbeef, (uintptr_t)ev[0].portev_user);
	EXPECT_EQ(id, (int)ev[0].portev_object);
	EXPECT_EQ(PSX_PORT_SOURCE_TIMER, ev[0].portev_source);
	EXPECT_LE(1, ev[0].portev_events);
	/* Two retrievals of the same timer need two fires. */
	ASSERT_EQ(0, psx_port_getn(pn.portnfy_port, ev, 4, &n, &wait));
	EXPECT_LE(2, n);
	/* Disarmed and drained: a short wait times out. */
	v = (struct itimerspec){ { 0, 0 }, { 0, 0 } };
	ASSERT_EQ(0, psx_timer_settime(id, 0, &v, NULL));
	n = 4;
	psx_port_getn(pn.portnfy_port, ev, 4, &n, &brief);	/* drain */
	EXPECT_EQ(-1, psx_port_get(pn.portnfy_port, &ev[0], &brief));
	EXPECT_EQ(ETIME, errno);
	/* getn: room for none, or fewer than asked for, is EINVAL. */
	n = 1;
	errno = 0;
	EXPECT_EQ(-1, psx_port_getn(pn.portnfy_port, ev, 0, &n, &brief));
	EXPECT_EQ(EINVAL, errno);
	n = 5;
	errno = 0;
	EXPECT_EQ(-1, psx_port_getn(pn.portnfy_port, ev, 4, &n, &brief));
	EXPECT_EQ(EINVAL, errno);
	/* No notify pointer; SIGEV_THREAD without a function (lib_thread_test has the rest). */
	sev.sigev_value.sival_ptr = NULL;
	EXPECT_EQ(-1, psx_timer_create(CLOCK_MONOTONIC, &sev, &id));
	EXPECT_EQ(EFAULT, errno);
	sev.sigev_notify = SIGEV_THREAD;
	EXPECT_EQ(-1, psx_timer_create(CLOCK_MONOTONIC, &sev, &id));
	EXPECT_EQ(EINVAL, errno);
	close(pn.portnfy_port);
}

TEST_HARNESS_MAIN
