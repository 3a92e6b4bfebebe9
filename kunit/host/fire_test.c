// SPDX-License-Identifier: GPL-2.0
/*
 * Host-only KUnit suites: what needs the fake kernel's knobs (a clock the
 * test moves, hrtimers it expires, capabilities, allocation failures) or
 * many threads at once. Run under ASan/UBSan with the rest of the host tier.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include <kunit/test.h>
#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "../psxtimer_kunit.h"
#include "host.h"

#define MS 1000000LL

static struct psx_kproc *kp;

static int fire_init(struct kunit *test)
{
	kp = psx_kproc_alloc();
	return kp ? 0 : -1;
}

static void fire_exit(struct kunit *test)
{
	timer_exit(psx_kproc_table(kp));
	psx_kproc_free(kp);
}

static struct psx_proc *P(void)
{
	return psx_kproc_table(kp);
}

/*
 * The fake kernel half of each timer this suite made, by id: the fake
 * allocator remembers the last one (host_last_ktimer).
 */
static struct psx_ktimer *kts[64];

static int make(int clock, const struct psx_sigevent *sev, int *id)
{
	int err = psx_test_create(P(), clock, sev, id);

	if (!err && *id >= 0 && *id < 64)
		kts[*id] = host_last_ktimer;
	return err;
}

static struct psx_ktimer *kt_of(int id)
{
	return id >= 0 && id < 64 ? kts[id] : NULL;
}

static int create(struct kunit *test, int clock, int notify, int signo)
{
	struct psx_sigevent sev = { .notify = notify, .signo = signo, .value = 99 };
	int id = -1;

	KUNIT_ASSERT_EQ(test, 0, make(clock, &sev, &id));
	return id;
}

static int arm(int id, int flags, long long value, long long interval)
{
	struct psx_itimerspec v = {
		.it_value = { value / 1000000000LL, value % 1000000000LL },
		.it_interval = { interval / 1000000000LL, interval % 1000000000LL },
	};

	return psx_timer_settime(P(), id, flags, &v, NULL);
}

static void overruns_count_while_queued(struct kunit *test)
{
	int id = create(test, PSX_CLOCK_MONOTONIC, PSX_SIGEV_SIGNAL, 10);
	struct psx_ktimer *kt = kt_of(id);

	host_cap_sys_nice = 1;
	KUNIT_ASSERT_EQ(test, 0, arm(id, 0, MS, MS));
	KUNIT_EXPECT_EQ(test, kt->signo, 10);
	KUNIT_EXPECT_EQ(test, kt->sig_id, id);
	KUNIT_EXPECT_EQ(test, kt->sig_value, 99ULL);
	/* 10 periods pass before the callback runs: one signal, 9 overruns. */
	host_now_ns[PSX_BASE_MONOTONIC] += 10 * MS;
	KUNIT_EXPECT_EQ(test, host_hrtimer_run(kt), 10ULL);
	KUNIT_EXPECT_EQ(test, kt->sig_sent, 1);
	KUNIT_EXPECT_EQ(test, kt->si_overrun, 9);
	/* Two more while it is still queued. */
	host_now_ns[PSX_BASE_MONOTONIC] += 2 * MS;
	KUNIT_EXPECT_EQ(test, host_hrtimer_run(kt), 2ULL);
	KUNIT_EXPECT_EQ(test, kt->sig_sent, 1);
	/* Not taken yet: the last taken count (none) is reported. */
	KUNIT_EXPECT_EQ(test, psx_timer_getoverrun(P(), id), 0);
	KUNIT_EXPECT_EQ(test, host_sig_accept(kt), 11);
	KUNIT_EXPECT_EQ(test, psx_timer_getoverrun(P(), id), 11);
	/* The next one starts from 0, and replaces the count once taken. */
	host_now_ns[PSX_BASE_MONOTONIC] += MS;
	host_hrtimer_run(kt);
	KUNIT_EXPECT_EQ(test, kt->sig_sent, 2);
	KUNIT_EXPECT_EQ(test, psx_timer_getoverrun(P(), id), 11);
	KUNIT_EXPECT_EQ(test, host_sig_accept(kt), 0);
	KUNIT_EXPECT_EQ(test, psx_timer_getoverrun(P(), id), 0);
}

static void overruns_saturate_at_int_max(struct kunit *test)
{
	int id = create(test, PSX_CLOCK_MONOTONIC, PSX_SIGEV_SIGNAL, 10);
	struct psx_ktimer *kt = kt_of(id);

	timer_fire((struct psx_itimer *)kt->core, 1);
	timer_fire((struct psx_itimer *)kt->core, 0xffffffffULL);
	timer_fire((struct psx_itimer *)kt->core, 5);
	KUNIT_EXPECT_EQ(test, host_sig_accept(kt), 0x7fffffff);
	KUNIT_EXPECT_EQ(test, psx_timer_getoverrun(P(), id), 0x7fffffff);
}

static void ignored_signal_counts_nothing(struct kunit *test)
{
	int id = create(test, PSX_CLOCK_MONOTONIC, PSX_SIGEV_SIGNAL, 10);
	struct psx_ktimer *kt = kt_of(id);

	host_signal_ignored = 1;
	timer_fire((struct psx_itimer *)kt->core, 3);
	timer_fire((struct psx_itimer *)kt->core, 3);
	KUNIT_EXPECT_EQ(test, kt->sig_sent, 0);
	host_signal_ignored = 0;
	timer_fire((struct psx_itimer *)kt->core, 1);
	KUNIT_EXPECT_EQ(test, host_sig_accept(kt), 0);
}

static void port_events_count_until_retrieved(struct kunit *test)
{
	struct psx_sigevent sev = { .notify = PSX_SIGEV_PORT, .port = 3, .value = 7 };
	struct psx_ktimer *kt;
	int id = -1;

	sev.port = 4;
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, make(PSX_CLOCK_MONOTONIC, &sev, &id));
	KUNIT_EXPECT_EQ(test, psx_test_ntimers(P()), 0);
	sev.port = host_port_fd;
	KUNIT_ASSERT_EQ(test, 0, make(PSX_CLOCK_MONOTONIC, &sev, &id));
	kt = kt_of(id);
	KUNIT_EXPECT_EQ(test, kt->port_cookie, 7ULL);
	KUNIT_EXPECT_EQ(test, kt->port_id, id);
	timer_fire((struct psx_itimer *)kt->core, 2);
	timer_fire((struct psx_itimer *)kt->core, 3);
	KUNIT_EXPECT_EQ(test, kt->port_pending, 5);
	KUNIT_EXPECT_EQ(test, kt->sig_sent, 0);
	/*
	 * getoverrun asks the port (the last retrieved count minus one),
	 * not the signal half: the fake's retrieval of 6 fires says 5.
	 */
	KUNIT_EXPECT_EQ(test, 0, psx_timer_getoverrun(P(), id));
	kt->port_overrun_last = 5;
	KUNIT_EXPECT_EQ(test, 5, psx_timer_getoverrun(P(), id));
	/* Deleting dissociates (and drops a queued event). */
	KUNIT_EXPECT_EQ(test, 0, psx_timer_delete(P(), id));
}

/* What psxtimer stat shows of a queued notification and its overruns. */
static void stat_reports_pending_and_overrun(struct kunit *test)
{
	struct psx_sigevent sev = { .notify = PSX_SIGEV_PORT, .port = 0, .value = 7 };
	int sig = create(test, PSX_CLOCK_MONOTONIC, PSX_SIGEV_SIGNAL, 10);
	struct psx_ktimer *kt = kt_of(sig);
	struct psx_timer_stat st[2];
	int port = -1, next = 0;

	host_cap_sys_nice = 1;
	sev.port = host_port_fd;
	KUNIT_ASSERT_EQ(test, 0, make(PSX_CLOCK_MONOTONIC, &sev, &port));
	KUNIT_ASSERT_EQ(test, 0, arm(sig, 0, MS, MS));
	host_now_ns[PSX_BASE_MONOTONIC] += 10 * MS;
	KUNIT_EXPECT_EQ(test, host_hrtimer_run(kt), 10ULL);
	timer_fire((struct psx_itimer *)kt_of(port)->core, 2);
	timer_fire((struct psx_itimer *)kt_of(port)->core, 3);

	KUNIT_ASSERT_EQ(test, 2, psx_timer_stat(P(), &next, st, 2));
	KUNIT_EXPECT_EQ(test, 10U, st[0].pending);
	KUNIT_EXPECT_EQ(test, 0, st[0].overrun);
	KUNIT_EXPECT_EQ(test, 10, st[0].signo);
	KUNIT_EXPECT_EQ(test, PSX_SIGEV_PORT, st[1].notify);
	KUNIT_EXPECT_EQ(test, 5U, st[1].pending);
	KUNIT_EXPECT_EQ(test, 7ULL, st[1].value);
	KUNIT_EXPECT_EQ(test, 0, st[1].signo);

	/* Taken: nothing pending, and the overruns it carried are reported. */
	KUNIT_EXPECT_EQ(test, host_sig_accept(kt), 9);
	next = 0;
	KUNIT_ASSERT_EQ(test, 2, psx_timer_stat(P(), &next, st, 2));
	KUNIT_EXPECT_EQ(test, 0U, st[0].pending);
	KUNIT_EXPECT_EQ(test, 9, st[0].overrun);
}

/*
 * As on Linux, a SIGEV_NONE timer never arms its hrtimer: gettime computes
 * where it stands from what settime armed, periodic or not.
 */
static void sigev_none_is_never_armed_and_counts_down(struct kunit *test)
{
	int id = create(test, PSX_CLOCK_BOOTTIME, PSX_SIGEV_NONE, 0);
	struct psx_ktimer *kt = kt_of(id);
	struct psx_itimerspec v;

	host_cap_sys_nice = 1;
	KUNIT_ASSERT_EQ(test, 0, arm(id, 0, MS, 3 * MS));
	KUNIT_EXPECT_EQ(test, kt->armed, 0);
	KUNIT_EXPECT_EQ(test, host_hrtimer_run(kt), 0ULL);
	host_now_ns[PSX_BASE_BOOTTIME] += MS / 2;
	KUNIT_ASSERT_EQ(test, 0, psx_timer_gettime(P(), id, &v));
	KUNIT_EXPECT_EQ(test, v.it_value.tv_nsec, MS / 2);
	KUNIT_EXPECT_EQ(test, v.it_interval.tv_nsec, 3 * MS);
	/* 1.5 ms in: 0.5 ms past the first expiry, 2.5 ms to the next. */
	host_now_ns[PSX_BASE_BOOTTIME] += MS;
	KUNIT_ASSERT_EQ(test, 0, psx_timer_gettime(P(), id, &v));
	KUNIT_EXPECT_EQ(test, v.it_value.tv_nsec, 5 * MS / 2);
	/* Exactly on a period's boundary: a whole period left, never 0. */
	host_now_ns[PSX_BASE_BOOTTIME] += 17 * MS / 2;
	KUNIT_ASSERT_EQ(test, 0, psx_timer_gettime(P(), id, &v));
	KUNIT_EXPECT_EQ(test, v.it_value.tv_nsec, 3 * MS);
	KUNIT_EXPECT_EQ(test, kt->sig_setup, 0);
	KUNIT_EXPECT_EQ(test, kt->sig_sent, 0);
	KUNIT_EXPECT_EQ(test, psx_timer_getoverrun(P(), id), 0);
	/* A one-shot one past its time reads disarmed, interval kept. */
	KUNIT_ASSERT_EQ(test, 0, arm(id, 0, MS, 0));
	KUNIT_ASSERT_EQ(test, 0, psx_timer_gettime(P(), id, &v));
	KUNIT_EXPECT_EQ(test, v.it_value.tv_nsec, MS);
	host_now_ns[PSX_BASE_BOOTTIME] += MS;
	KUNIT_ASSERT_EQ(test, 0, psx_timer_gettime(P(), id, &v));
	KUNIT_EXPECT_EQ(test, v.it_value.tv_sec, 0LL);
	KUNIT_EXPECT_EQ(test, v.it_value.tv_nsec, 0LL);
	KUNIT_EXPECT_EQ(test, kt->armed, 0);
}

/*
 * A timer nobody can hear any more (its port closed, its target gone)
 * stops its hrtimer at the next fire, and still reads as armed.
 */
static void unheard_timers_stop_their_hrtimer(struct kunit *test)
{
	struct psx_sigevent sev = { .notify = PSX_SIGEV_PORT, .port = host_port_fd };
	int sig = create(test, PSX_CLOCK_MONOTONIC, PSX_SIGEV_SIGNAL, 10);
	struct psx_itimerspec v;
	int port = -1, i, ids[2];

	host_cap_sys_nice = 1;
	KUNIT_ASSERT_EQ(test, 0, make(PSX_CLOCK_MONOTONIC, &sev, &port));
	ids[0] = sig;
	ids[1] = port;
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_EQ(test, 0, arm(ids[i], 0, MS, MS));
		host_now_ns[PSX_BASE_MONOTONIC] += MS;
		KUNIT_EXPECT_EQ(test, host_hrtimer_run(kt_of(ids[i])), 1ULL);
		KUNIT_EXPECT_EQ(test, kt_of(ids[i])->armed, 1);
	}
	kt_of(port)->port_assoc = 0;	/* the port was closed */
	host_sig_target_gone = 1;
	for (i = 0; i < 2; i++) {
		host_now_ns[PSX_BASE_MONOTONIC] += MS;
		KUNIT_EXPECT_GT(test, host_hrtimer_run(kt_of(ids[i])), 0ULL);
		KUNIT_EXPECT_EQ(test, kt_of(ids[i])->armed, 0);
		host_now_ns[PSX_BASE_MONOTONIC] += MS / 4;
		KUNIT_ASSERT_EQ(test, 0, psx_timer_gettime(P(), ids[i], &v));
		KUNIT_EXPECT_GT(test, v.it_value.tv_nsec, 0LL);
		KUNIT_EXPECT_LE(test, v.it_value.tv_nsec, MS);
		KUNIT_EXPECT_EQ(test, v.it_interval.tv_nsec, MS);
	}
}

static void default_sigevent_is_sigalrm_with_id(struct kunit *test)
{
	int id0 = -1, id1 = -1;

	KUNIT_ASSERT_EQ(test, 0, make(PSX_CLOCK_REALTIME, NULL, &id0));
	KUNIT_ASSERT_EQ(test, 0, make(PSX_CLOCK_REALTIME, NULL, &id1));
	KUNIT_EXPECT_EQ(test, kt_of(id1)->signo, 14);
	KUNIT_EXPECT_EQ(test, kt_of(id1)->sig_value, 1ULL);
	KUNIT_EXPECT_EQ(test, kt_of(id1)->sig_tid, 0);
}

static void thread_id_must_be_ours(struct kunit *test)
{
	struct psx_sigevent sev = { .notify = PSX_SIGEV_THREAD_ID, .signo = 10, .tid = 7 };
	int id = -1;

	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, make(PSX_CLOCK_MONOTONIC, &sev, &id));
	KUNIT_EXPECT_EQ(test, psx_test_ntimers(P()), 0);
	sev.tid = host_valid_tid;
	KUNIT_ASSERT_EQ(test, 0, make(PSX_CLOCK_MONOTONIC, &sev, &id));
	KUNIT_EXPECT_EQ(test, kt_of(id)->sig_tid, host_valid_tid);
}

static void refused_sigqueue_is_eagain_and_leaves_nothing(struct kunit *test)
{
	struct psx_sigevent sev = { .notify = PSX_SIGEV_SIGNAL, .signo = 10 };
	int id = -1;

	host_sigqueue_refused = 1;
	KUNIT_EXPECT_EQ(test, -PSX_EAGAIN, make(PSX_CLOCK_MONOTONIC, &sev, &id));
	KUNIT_EXPECT_EQ(test, psx_test_ntimers(P()), 0);
	host_sigqueue_refused = 0;
	KUNIT_EXPECT_EQ(test, create(test, PSX_CLOCK_MONOTONIC, PSX_SIGEV_SIGNAL, 10), 0);
}

static void allocation_failures_are_enomem(struct kunit *test)
{
	struct psx_sigevent sev = { .notify = PSX_SIGEV_NONE };
	int n, id, err;

	/* Each allocation create makes, failed in turn (timer, id array, bitmap). */
	for (n = 0; n < 3; n++) {
		host_fail_alloc_after = n;
		err = make(PSX_CLOCK_MONOTONIC, &sev, &id);
		KUNIT_EXPECT_EQ(test, err, -PSX_ENOMEM);
		KUNIT_EXPECT_EQ(test, psx_test_ntimers(P()), 0);
	}
	host_fail_alloc_after = -1;
	KUNIT_EXPECT_EQ(test, 0, make(PSX_CLOCK_MONOTONIC, &sev, &id));
	KUNIT_EXPECT_EQ(test, id, 0);
	/* Growth past the first 8 slots fails cleanly too. */
	for (n = 1; n < 8; n++)
		KUNIT_ASSERT_EQ(test, 0, make(PSX_CLOCK_MONOTONIC, &sev, &id));
	host_fail_alloc_after = 1;
	KUNIT_EXPECT_EQ(test, -PSX_ENOMEM, make(PSX_CLOCK_MONOTONIC, &sev, &id));
	host_fail_alloc_after = -1;
	KUNIT_EXPECT_EQ(test, psx_test_ntimers(P()), 8);
	KUNIT_EXPECT_EQ(test, 0, make(PSX_CLOCK_MONOTONIC, &sev, &id));
	KUNIT_EXPECT_EQ(test, id, 8);
}

/* The timers below signal: a SIGEV_NONE one never arms its hrtimer. */
static void highres_clamp_unless_cap_sys_nice(struct kunit *test)
{
	int id = create(test, PSX_CLOCK_HIGHRES, PSX_SIGEV_SIGNAL, 10);
	int rt = create(test, PSX_CLOCK_REALTIME, PSX_SIGEV_SIGNAL, 10);
	struct psx_ktimer *kt = kt_of(id);
	long long now = host_now_ns[PSX_BASE_MONOTONIC];

	KUNIT_ASSERT_EQ(test, 0, arm(id, 0, 1000, 1000));
	KUNIT_EXPECT_EQ(test, kt->interval, 200000LL);
	KUNIT_EXPECT_EQ(test, kt->expires, now + 200000);
	/* An absolute time is a point, not a length: left alone. */
	KUNIT_ASSERT_EQ(test, 0, arm(id, PSX_TIMER_ABSTIME, now + 1000, 0));
	KUNIT_EXPECT_EQ(test, kt->expires, now + 1000);
	/* A second or more, or zero, is never touched. */
	KUNIT_ASSERT_EQ(test, 0, arm(id, 0, 1000000000LL + 5, 0));
	KUNIT_EXPECT_EQ(test, kt->expires, now + 1000000005LL);
	/* Short intervals on the other clocks get the floor too. */
	KUNIT_ASSERT_EQ(test, 0, arm(rt, 0, MS, 10));
	KUNIT_EXPECT_EQ(test, kt_of(rt)->interval, 200000LL);
	host_cap_sys_nice = 1;
	KUNIT_ASSERT_EQ(test, 0, arm(id, 0, 1000, 1000));
	KUNIT_EXPECT_EQ(test, kt->interval, 1000LL);
	KUNIT_EXPECT_EQ(test, kt->expires, now + 1000);
}

static void bases_and_pinning(struct kunit *test)
{
	int rt = create(test, PSX_CLOCK_REALTIME, PSX_SIGEV_SIGNAL, 10);
	int hr = create(test, PSX_CLOCK_HIGHRES, PSX_SIGEV_SIGNAL, 10);
	int tai = create(test, PSX_CLOCK_TAI, PSX_SIGEV_SIGNAL, 10);

	/* Relative REALTIME runs on MONOTONIC; absolute stays on REALTIME. */
	KUNIT_ASSERT_EQ(test, 0, arm(rt, 0, MS, 0));
	KUNIT_EXPECT_EQ(test, kt_of(rt)->base, PSX_BASE_MONOTONIC);
	KUNIT_ASSERT_EQ(test, 0, arm(rt, PSX_TIMER_ABSTIME, host_now_ns[0] + MS, 0));
	KUNIT_EXPECT_EQ(test, kt_of(rt)->base, PSX_BASE_REALTIME);
	KUNIT_EXPECT_EQ(test, kt_of(rt)->expires, host_now_ns[0] + MS);
	KUNIT_ASSERT_EQ(test, 0, arm(tai, 0, MS, 0));
	KUNIT_EXPECT_EQ(test, kt_of(tai)->base, PSX_BASE_TAI);
	/* HIGHRES from a thread bound to one CPU: pinned; others never. */
	host_bound_cpu = 1;
	KUNIT_ASSERT_EQ(test, 0, arm(hr, 0, MS, 0));
	KUNIT_EXPECT_EQ(test, kt_of(hr)->pinned, 1);
	KUNIT_ASSERT_EQ(test, 0, arm(rt, 0, MS, 0));
	KUNIT_EXPECT_EQ(test, kt_of(rt)->pinned, 0);
	host_bound_cpu = -1;
	KUNIT_ASSERT_EQ(test, 0, arm(hr, 0, MS, 0));
	KUNIT_EXPECT_EQ(test, kt_of(hr)->pinned, 0);
}

static void gettime_never_zero_while_armed(struct kunit *test)
{
	int id = create(test, PSX_CLOCK_MONOTONIC, PSX_SIGEV_SIGNAL, 10);
	struct psx_itimerspec v;

	KUNIT_ASSERT_EQ(test, 0, arm(id, 0, MS, 0));
	/* Due but its callback has not run yet. */
	host_now_ns[PSX_BASE_MONOTONIC] += 2 * MS;
	KUNIT_ASSERT_EQ(test, 0, psx_timer_gettime(P(), id, &v));
	KUNIT_EXPECT_EQ(test, v.it_value.tv_sec, 0LL);
	KUNIT_EXPECT_EQ(test, v.it_value.tv_nsec, 1LL);
	host_hrtimer_run(kt_of(id));
	KUNIT_ASSERT_EQ(test, 0, psx_timer_gettime(P(), id, &v));
	KUNIT_EXPECT_EQ(test, v.it_value.tv_nsec, 0LL);
}

/*
 * In a time namespace, clock reads and absolute MONOTONIC/BOOTTIME
 * deadlines are on the caller's clock; the hrtimer runs on the host's.
 * REALTIME and TAI have no offset; relative times need none.
 */
static void time_namespace_offsets(struct kunit *test)
{
	const long long off = 36000 * 1000000000LL; /* ten hours */
	int mono = create(test, PSX_CLOCK_MONOTONIC, PSX_SIGEV_SIGNAL, 10);
	int boot = create(test, PSX_CLOCK_BOOTTIME, PSX_SIGEV_SIGNAL, 10);
	int rt = create(test, PSX_CLOCK_REALTIME, PSX_SIGEV_SIGNAL, 10);
	long long host_mono = host_now_ns[PSX_BASE_MONOTONIC];
	struct psx_itimerspec v;
	struct psx_timespec ts;

	host_timens_offset_ns[PSX_BASE_MONOTONIC] = off;
	host_timens_offset_ns[PSX_BASE_BOOTTIME] = off / 2;
	KUNIT_ASSERT_EQ(test, 0, psx_clock_gettime(PSX_CLOCK_MONOTONIC, &ts));
	KUNIT_EXPECT_EQ(test, ts.tv_sec * 1000000000LL + ts.tv_nsec, host_mono + off);
	KUNIT_ASSERT_EQ(test, 0, psx_clock_gettime(PSX_CLOCK_REALTIME, &ts));
	KUNIT_EXPECT_EQ(test, ts.tv_sec * 1000000000LL + ts.tv_nsec, host_now_ns[0]);
	/* 5 ms from now on the caller's clock is 5 ms from now on the host's. */
	KUNIT_ASSERT_EQ(test, 0, arm(mono, PSX_TIMER_ABSTIME, host_mono + off + 5 * MS, 0));
	KUNIT_EXPECT_EQ(test, kt_of(mono)->expires, host_mono + 5 * MS);
	KUNIT_ASSERT_EQ(test, 0, psx_timer_gettime(P(), mono, &v));
	KUNIT_EXPECT_EQ(test, v.it_value.tv_nsec, 5 * MS);
	KUNIT_ASSERT_EQ(test, 0, arm(boot, PSX_TIMER_ABSTIME,
				     host_now_ns[PSX_BASE_BOOTTIME] + off / 2 + MS, 0));
	KUNIT_EXPECT_EQ(test, kt_of(boot)->expires, host_now_ns[PSX_BASE_BOOTTIME] + MS);
	/* Before the offset: long past, due at once. */
	KUNIT_ASSERT_EQ(test, 0, arm(mono, PSX_TIMER_ABSTIME, MS, 0));
	KUNIT_EXPECT_EQ(test, kt_of(mono)->expires, 0LL);
	/* Relative, and REALTIME: no offset. */
	KUNIT_ASSERT_EQ(test, 0, arm(mono, 0, MS, 0));
	KUNIT_EXPECT_EQ(test, kt_of(mono)->expires, host_mono + MS);
	KUNIT_ASSERT_EQ(test, 0, arm(rt, PSX_TIMER_ABSTIME, host_now_ns[0] + MS, 0));
	KUNIT_EXPECT_EQ(test, kt_of(rt)->expires, host_now_ns[0] + MS);
}

/* The floor's privilege is asked only when the floor would bite. */
static void floor_privilege_asked_only_when_it_matters(struct kunit *test)
{
	int hr = create(test, PSX_CLOCK_HIGHRES, PSX_SIGEV_SIGNAL, 10);
	int rt = create(test, PSX_CLOCK_REALTIME, PSX_SIGEV_SIGNAL, 10);
	long long now = host_now_ns[PSX_BASE_MONOTONIC];

	KUNIT_ASSERT_EQ(test, 0, arm(hr, 0, MS, MS));
	KUNIT_ASSERT_EQ(test, 0, arm(rt, 0, 1000, 0));	/* a value: only HIGHRES's */
	KUNIT_ASSERT_EQ(test, 0, arm(hr, PSX_TIMER_ABSTIME, now + 1000, 0));
	KUNIT_ASSERT_EQ(test, 0, arm(hr, 0, 0, 0));	/* a disarm */
	KUNIT_EXPECT_EQ(test, host_floor_asked, 0);
	KUNIT_ASSERT_EQ(test, 0, arm(hr, 0, 1000, 0));
	KUNIT_EXPECT_EQ(test, host_floor_asked, 1);
	KUNIT_ASSERT_EQ(test, 0, arm(rt, 0, MS, 1000));
	KUNIT_EXPECT_EQ(test, host_floor_asked, 2);
}

/*
 * clock_settime in illumos's order: an unknown clock is EINVAL without a
 * privilege check; then the privilege (EPERM); then the value (EINVAL).
 */
static void clock_settime_order(struct kunit *test)
{
	struct psx_timespec ok = { 1234, 5 }, bad = { 1, 1000000000LL };

	host_cap_sys_time = 0;
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_clock_settime(5, &bad));
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_clock_settime(-1, &ok));
	KUNIT_EXPECT_EQ(test, host_settime_asked, 0);
	KUNIT_EXPECT_EQ(test, -PSX_EPERM, psx_clock_settime(PSX_CLOCK_REALTIME, &bad));
	KUNIT_EXPECT_EQ(test, -PSX_EPERM, psx_clock_settime(PSX_CLOCK_MONOTONIC, &ok));
	KUNIT_EXPECT_EQ(test, host_settime_asked, 2);
	host_cap_sys_time = 1;
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_clock_settime(PSX_CLOCK_REALTIME, &bad));
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_clock_settime(PSX_CLOCK_MONOTONIC, &ok));
	KUNIT_EXPECT_EQ(test, 0, psx_clock_settime(PSX_CLOCK_REALTIME, &ok));
}

static void clock_settime_realtime(struct kunit *test)
{
	struct psx_timespec ts = { 1234, 5 }, got;

	KUNIT_EXPECT_EQ(test, 0, psx_clock_settime(PSX_CLOCK_REALTIME, &ts));
	KUNIT_EXPECT_EQ(test, 0, psx_clock_gettime(PSX_CLOCK_REALTIME, &got));
	KUNIT_EXPECT_EQ(test, got.tv_sec, 1234LL);
	KUNIT_EXPECT_EQ(test, got.tv_nsec, 5LL);
}

/* Many threads on one table: nothing but success or EINVAL/EAGAIN. */
struct racer {
	int bad;
	unsigned int seed;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct psx_sigevent sev = { .notify = PSX_SIGEV_SIGNAL, .signo = 10 };
	struct psx_itimerspec v = { .it_value = { 1, 0 } }, old;
	int i, ret, id;

	for (i = 0; i < 20000; i++) {
		id = rand_r(&r->seed) % 24;
		switch (rand_r(&r->seed) % 5) {
		case 0:
			ret = psx_test_create(P(), PSX_CLOCK_MONOTONIC, &sev, &id);
			r->bad += ret && ret != -PSX_EAGAIN;
			break;
		case 1:
			ret = psx_timer_settime(P(), id, 0, &v, &old);
			r->bad += ret && ret != -PSX_EINVAL;
			break;
		case 2:
			ret = psx_timer_delete(P(), id);
			r->bad += ret && ret != -PSX_EINVAL;
			break;
		case 3:
			ret = psx_timer_getoverrun(P(), id);
			r->bad += ret < 0 && ret != -PSX_EINVAL;
			break;
		default:
			ret = psx_timer_gettime(P(), id, &old);
			r->bad += ret && ret != -PSX_EINVAL;
			break;
		}
	}
	return NULL;
}

static void eight_threads_race_on_one_table(struct kunit *test)
{
	struct psx_itimerspec v;
	struct racer r[8];
	pthread_t th[8];
	int i, live = 0;

	for (i = 0; i < 8; i++) {
		r[i] = (struct racer){ .seed = i + 1 };
		KUNIT_ASSERT_EQ(test, 0, pthread_create(&th[i], NULL, race, &r[i]));
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		KUNIT_EXPECT_EQ(test, r[i].bad, 0);
	}
	/* The count and the ids agree, and nothing is left half made. */
	for (i = 0; i < 64; i++)
		live += psx_timer_gettime(P(), i, &v) == 0;
	KUNIT_EXPECT_EQ(test, live, psx_test_ntimers(P()));
}

struct stat_arg {
	int n, next;
	struct psx_timer_stat st[4];
};

static void *stat_thread(void *arg)
{
	struct stat_arg *a = arg;

	a->n = psx_timer_stat(P(), &a->next, a->st, ARRAY_SIZE(a->st));
	return NULL;
}

/*
 * stat waits for a timer that is still being created (born locked); the
 * creation fails (its id could not be copied out), so the timer goes
 * while stat waits: the deleter waits out the blocker, which finds the
 * timer being removed and skips it, and stat reports the others only.
 */
static void stat_skips_a_timer_deleted_while_it_waits(struct kunit *test)
{
	struct psx_sigevent none = { .notify = PSX_SIGEV_NONE };
	struct stat_arg a = { 0 };
	struct psx_itimer *it;
	int id, waiters;
	pthread_t th;

	KUNIT_ASSERT_EQ(test, 0, make(PSX_CLOCK_MONOTONIC, &none, &id));
	KUNIT_ASSERT_EQ(test, 0, id);
	KUNIT_ASSERT_EQ(test, 0, psx_timer_create(P(), PSX_CLOCK_MONOTONIC, &none, &id, &it));
	KUNIT_ASSERT_EQ(test, 1, id);
	waiters = __atomic_load_n(&host_cv_waits, __ATOMIC_ACQUIRE);
	KUNIT_ASSERT_EQ(test, 0, pthread_create(&th, NULL, stat_thread, &a));
	while (__atomic_load_n(&host_cv_waits, __ATOMIC_ACQUIRE) == waiters)
		sched_yield();
	psx_timer_create_done(P(), it, -PSX_EFAULT);
	KUNIT_ASSERT_EQ(test, 0, pthread_join(th, NULL));
	KUNIT_EXPECT_EQ(test, 1, a.n);
	KUNIT_EXPECT_EQ(test, 0, a.st[0].timer_id);
	KUNIT_EXPECT_EQ(test, 2, a.next);
	KUNIT_EXPECT_EQ(test, 1, psx_test_ntimers(P()));
	KUNIT_EXPECT_EQ(test, -PSX_EINVAL, psx_timer_delete(P(), 1));
	KUNIT_EXPECT_EQ(test, 0, psx_timer_delete(P(), 0));
}

static struct kunit_case fire_cases[] = {
	KUNIT_CASE(overruns_count_while_queued),
	KUNIT_CASE(overruns_saturate_at_int_max),
	KUNIT_CASE(ignored_signal_counts_nothing),
	KUNIT_CASE(port_events_count_until_retrieved),
	KUNIT_CASE(stat_reports_pending_and_overrun),
	KUNIT_CASE(sigev_none_is_never_armed_and_counts_down),
	KUNIT_CASE(unheard_timers_stop_their_hrtimer),
	KUNIT_CASE(default_sigevent_is_sigalrm_with_id),
	KUNIT_CASE(thread_id_must_be_ours),
	KUNIT_CASE(refused_sigqueue_is_eagain_and_leaves_nothing),
	KUNIT_CASE(allocation_failures_are_enomem),
	KUNIT_CASE(highres_clamp_unless_cap_sys_nice),
	KUNIT_CASE(bases_and_pinning),
	KUNIT_CASE(gettime_never_zero_while_armed),
	KUNIT_CASE(time_namespace_offsets),
	KUNIT_CASE(floor_privilege_asked_only_when_it_matters),
	KUNIT_CASE(clock_settime_order),
	KUNIT_CASE(clock_settime_realtime),
	KUNIT_CASE(eight_threads_race_on_one_table),
	KUNIT_CASE(stat_skips_a_timer_deleted_while_it_waits),
	{}
};

static struct kunit_suite fire_suite = {
	.name = "psxtimer_host_fire",
	.init = fire_init,
	.exit = fire_exit,
	.test_cases = fire_cases,
};

kunit_test_suites(&fire_suite);
