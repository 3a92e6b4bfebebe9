// SPDX-License-Identifier: GPL-2.0
/*
 * One port, 1,000 periodic timers, epoll: every expiration of every timer
 * is accounted for in the events read. Needs timer_max >= 1000, so it runs
 * in the scale step of scripts/guest-check (timer_max=100000).
 */
#include <stdlib.h>
#include <sys/epoll.h>

#include "psxtimer.h"
#include "kselftest_harness.h"

#define N 1000
#define PERIOD 50000000LL	/* 50 ms */

FIXTURE(scale) {
};

FIXTURE_SETUP(scale)
{
}

FIXTURE_TEARDOWN(scale)
{
}

TEST_F_TIMEOUT(scale, thousand_timers_one_port_under_epoll, 600)
{
	static long long events[N], expected[N], expected_hi[N];
	struct psxtimer_port_event ev[64];
	struct epoll_event ee = { .events = EPOLLIN };
	int fd = psx_open(), port, ep, i, n, reads = 0;
	long long t0, stop;

	ASSERT_LE(0, fd);
	port = psx_port(fd, PSXTIMER_PORT_NONBLOCK);
	ASSERT_LE(0, port);
	ep = epoll_create1(0);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, port, &ee));
	for (i = 0; i < N; i++)
		ASSERT_EQ(i, psx_port_timer(fd, CLOCK_MONOTONIC, port, 1000 + i));
	/* All on one absolute grid: T0 + k * PERIOD, each timer offset by i us. */
	t0 = now_ns(CLOCK_MONOTONIC) + 100000000;
	for (i = 0; i < N; i++)
		ASSERT_EQ(0, psx_settime(fd, i, PSXTIMER_TIMER_ABSTIME, t0 + i * 1000LL,
					 PERIOD, NULL));
	stop = t0 + 20 * PERIOD;
	while (now_ns(CLOCK_MONOTONIC) < stop) {
		if (epoll_wait(ep, &ee, 1, 100) != 1)
			continue;
		while ((n = read(port, ev, sizeof(ev))) > 0) {
			for (i = 0; i < n / (int)sizeof(ev[0]); i++) {
				ASSERT_EQ(1000 + ev[i].timer_id, ev[i].cookie);
				events[ev[i].timer_id] += ev[i].events;
			}
			reads++;
		}
	}
	/*
	 * Disarm each; its old value says where it was on its grid. Not near
	 * an expiry, though: one that is due but not yet handled reads as 1 ns
	 * and is then cancelled, which the grid cannot tell apart.
	 */
	/*
	 * The settime happened between before and after: the count it implies
	 * is between what each gives, one and the same unless the thread was
	 * held up for a large part of a period.
	 */
	for (i = 0; i < N; i++) {
		struct psxtimer_itimerspec v = { 0 }, old = { 0 };
		long long before, after, start = t0 + i * 1000LL;

		do {
			ASSERT_EQ(0, psx_gettime(fd, i, &v));
		} while (ts_ns(&v.it_value) < PERIOD / 5 && !usleep(2000));
		before = now_ns(CLOCK_MONOTONIC);
		ASSERT_EQ(0, psx_settime(fd, i, 0, 0, 0, &old));
		after = now_ns(CLOCK_MONOTONIC);
		expected[i] = (before + ts_ns(&old.it_value) - start + PERIOD / 2) / PERIOD;
		expected_hi[i] = (after + ts_ns(&old.it_value) - start + PERIOD / 2) / PERIOD;
	}
	while ((n = read(port, ev, sizeof(ev))) > 0)
		for (i = 0; i < n / (int)sizeof(ev[0]); i++)
			events[ev[i].timer_id] += ev[i].events;
	for (i = 0; i < N; i++) {
		EXPECT_LE(expected[i], events[i]) TH_LOG("timer %d", i);
		EXPECT_GE(expected_hi[i], events[i]) TH_LOG("timer %d", i);
		if (events[i] < expected[i] || events[i] > expected_hi[i])
			break;
	}
	EXPECT_LE(20, expected[0]);
	TH_LOG("%d reads, %lld expirations each", reads, expected[0]);
	close(ep);
	close(port);
	close(fd);
}

TEST_HARNESS_MAIN
