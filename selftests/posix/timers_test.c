// SPDX-License-Identifier: GPL-2.0
/*
 * What POSIX specifies for timer_create, timer_settime, timer_gettime,
 * timer_delete and timer_getoverrun, written against plain <time.h>: no
 * psxtimer header. It runs as it is, natively, and under
 * LD_PRELOAD=psxtimer-preload.so, and must pass both ways.
 *
 * PSX_EXPECT says which way it runs, so the run proves who served it:
 *   native       no interposer
 *   module       the interposer, with /dev/psxtimer: REALTIME/MONOTONIC
 *                timers must be the module's, CPU-time ones the kernel's
 *   passthrough  the interposer, no module: every timer the kernel's
 * "The kernel's" is read from /proc/self/timers (when the kernel has it),
 * "the module's" from PSX_PROBE PID, which must be given (psxtimer_count:
 * the module's PSXTIMER_IOC_STAT count for PID, or "absent").
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define NSEC_PER_SEC 1000000000LL
#define MSEC 1000000LL

enum mode { NATIVE, MODULE, PASSTHROUGH };

static enum mode expected_mode(void)
{
	const char *e = getenv("PSX_EXPECT");

	if (e && !strcmp(e, "module"))
		return MODULE;
	if (e && !strcmp(e, "passthrough"))
		return PASSTHROUGH;
	return NATIVE;
}

/* Is timer_create the interposer's? (dladdr names the object it is in.) */
static int interposed(void)
{
	Dl_info info;

	if (!dladdr((void *)timer_create, &info) || !info.dli_fname)
		return 0;
	return strstr(info.dli_fname, "psxtimer-preload") != NULL;
}

/* Kernel POSIX timers of this process; -1 when the kernel does not list them. */
static int kernel_timers(void)
{
	char line[128];
	FILE *f = fopen("/proc/self/timers", "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "ID:", 3))
			n++;
	fclose(f);
	return n;
}

/*
 * The module's timers of this process, by PSX_PROBE (0 when there is no
 * module); -2 without a probe, -3 when it failed. Run without a shell, so
 * that the interposer does not load into one.
 */
static int module_timers(void)
{
	const char *probe = getenv("PSX_PROBE");
	char pid[16], out[32] = "";
	int fd[2], status;
	ssize_t n;
	pid_t child;

	if (!probe)
		return -2;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (pipe(fd))
		return -3;
	child = fork();
	if (child == 0) {
		dup2(fd[1], STDOUT_FILENO);
		execl(probe, probe, pid, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	n = child > 0 ? read(fd[0], out, sizeof(out) - 1) : -1;
	close(fd[0]);
	if (child < 0 || waitpid(child, &status, 0) != child || status != 0 || n <= 0)
		return -3;
	out[n] = 0;
	if (!strncmp(out, "absent", 6))
		return 0;
	return atoi(out);
}

static long long ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts_ns(&ts);
}

static struct timespec ns_ts(long long ns)
{
	struct timespec ts = { .tv_sec = ns / NSEC_PER_SEC, .tv_nsec = ns % NSEC_PER_SEC };

	return ts;
}

static struct itimerspec its(long long value_ns, long long interval_ns)
{
	struct itimerspec v = { .it_value = ns_ts(value_ns), .it_interval = ns_ts(interval_ns) };

	return v;
}

static void block(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* Wait for sig (blocked), at most 10 s: a missing signal fails, never hangs. */
static int wait_sig(int sig, siginfo_t *si)
{
	struct timespec limit = { .tv_sec = 10 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, si, &limit);
}

static int sig_pending(int sig)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, sig);
}

static void nap(long long ns)
{
	struct timespec ts = ns_ts(ns);

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int make_timer(clockid_t clock, int notify, int sig, void *value, timer_t *t)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = notify;
	sev.sigev_signo = sig;
	sev.sigev_value.sival_ptr = value;
	return timer_create(clock, &sev, t);
}

TEST(mode_is_as_expected)
{
	enum mode m = expected_mode();

	ASSERT_EQ(m != NATIVE, interposed());
	/* The interposer serves with the module there, passes through without. */
	ASSERT_TRUE(m == NATIVE || (m == MODULE) == (access("/dev/psxtimer", R_OK | W_OK) == 0));
}

TEST(signal_carries_value_and_si_timer)
{
	int sig = SIGRTMIN + 1, cookie;
	struct itimerspec v = its(MSEC, 0);
	siginfo_t si;
	timer_t t;

	block(sig);
	ASSERT_EQ(0, make_timer(CLOCK_MONOTONIC, SIGEV_SIGNAL, sig, &cookie, &t));
	ASSERT_EQ(0, timer_settime(t, 0, &v, NULL));
	ASSERT_EQ(sig, wait_sig(sig, &si));
	EXPECT_EQ(sig, si.si_signo);
	EXPECT_EQ(SI_TIMER, si.si_code);
	EXPECT_EQ((uintptr_t)&cookie, (uintptr_t)si.si_value.sival_ptr);
	ASSERT_EQ(0, timer_delete(t));
}

/* Burn CPU (in syscalls) until sig is pending; at most 10 s of CPU. */
static int burn_until(int sig)
{
	long long start = now_ns(CLOCK_PROCESS_CPUTIME_ID);

	while (!sig_pending(sig))
		if (now_ns(CLOCK_PROCESS_CPUTIME_ID) - start > 10 * NSEC_PER_SEC)
			return 0;
	return 1;
}

/*
 * No sigevent: SIGALRM, with si_value the timer ID (POSIX), on a clock the
 * module serves and on one it passes through. glibc gets the value wrong:
 * it hands the kernel a sigevent of its own with sival_ptr NULL (strace
 * shows it), so natively si_value is 0; the interposer passes the id.
 */
static void null_sigevent(struct __test_metadata *_metadata, int check_value)
{
	static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_PROCESS_CPUTIME_ID };
	struct itimerspec v = its(MSEC, 0);
	timer_t t, other;
	unsigned int i;
	siginfo_t si;

	block(SIGALRM);
	/* Another timer first, so that no timer_t here is 0. */
	ASSERT_EQ(0, make_timer(CLOCK_MONOTONIC, SIGEV_NONE, 0, NULL, &other));
	for (i = 0; i < ARRAY_SIZE(clocks); i++) {
		ASSERT_EQ(0, timer_create(clocks[i], NULL, &t));
		ASSERT_NE(0, (int)(intptr_t)t);
		ASSERT_EQ(0, timer_settime(t, 0, &v, NULL));
		ASSERT_TRUE(burn_until(SIGALRM));
		ASSERT_EQ(SIGALRM, wait_sig(SIGALRM, &si));
		EXPECT_EQ(SI_TIMER, si.si_code);
		if (check_value)
			EXPECT_EQ((int)(intptr_t)t, si.si_value.sival_int);
		ASSERT_EQ(0, timer_delete(t));
	}
	ASSERT_EQ(0, timer_delete(other));
}

TEST(null_sigevent_is_sigalrm)
{
	null_sigevent(_metadata, 0);
}

TEST(null_sigevent_value_is_the_id)
{
	if (!interposed())
		SKIP(return, "glibc sends si_value 0 for a NULL sigevent");
	null_sigevent(_metadata, 1);
}

TEST(new_timer_is_disarmed)
{
	struct itimerspec v;
	timer_t t;

	ASSERT_EQ(0, make_timer(CLOCK_MONOTONIC, SIGEV_NONE, 0, NULL, &t));
	memset(&v, 0xa5, sizeof(v));
	ASSERT_EQ(0, timer_gettime(t, &v));
	EXPECT_EQ(0, ts_ns(&v.it_value));
	EXPECT_EQ(0, ts_ns(&v.it_interval));
	ASSERT_EQ(0, timer_delete(t));
}

/* SIGEV_NONE: no notification, but gettime counts down, and a one-shot ends at 0. */
TEST(sigev_none_counts_down_and_expires)
{
	struct itimerspec v = its(60 * NSEC_PER_SEC, 0), g;
	timer_t t;

	block(SIGALRM);
	ASSERT_EQ(0, make_timer(CLOCK_MONOTONIC, SIGEV_NONE, SIGALRM, NULL, &t));
	ASSERT_EQ(0, timer_settime(t, 0, &v, NULL));
	ASSERT_EQ(0, timer_gettime(t, &g));
	EXPECT_GT(ts_ns(&g.it_value), 0);
	EXPECT_LE(ts_ns(&g.it_value), 60 * NSEC_PER_SEC);
	EXPECT_EQ(0, ts_ns(&g.it_interval));

	v = its(MSEC, 0);
	ASSERT_EQ(0, timer_settime(t, 0, &v, NULL));
	nap(20 * MSEC);
	ASSERT_EQ(0, timer_gettime(t, &g));
	EXPECT_EQ(0, ts_ns(&g.it_value));
	EXPECT_FALSE(sig_pending(SIGALRM));
	ASSERT_EQ(0, timer_delete(t));
}

/* The old value comes back: the time that was left, and the reload value last set. */
TEST(settime_returns_the_old_value)
{
	struct itimerspec v = its(100 * NSEC_PER_SEC, 3 * NSEC_PER_SEC), old;
	int sig = SIGRTMIN + 5;
	timer_t t;

	block(sig);
	ASSERT_EQ(0, make_timer(CLOCK_MONOTONIC, SIGEV_SIGNAL, sig, NULL, &t));
	memset(&old, 0xa5, sizeof(old));
	ASSERT_EQ(0, timer_settime(t, 0, &v, &old));
	EXPECT_EQ(0, ts_ns(&old.it_value));
	EXPECT_EQ(0, ts_ns(&old.it_interval));

	v = its(50 * NSEC_PER_SEC, 0);
	ASSERT_EQ(0, timer_settime(t, 0, &v, &old));
	EXPECT_GT(ts_ns(&old.it_value), 0);
	EXPECT_LE(ts_ns(&old.it_value), 100 * NSEC_PER_SEC);
	EXPECT_EQ(3 * NSEC_PER_SEC, ts_ns(&old.it_interval));

	/* it_value 0 disarms. */
	v = its(0, 0);
	ASSERT_EQ(0, timer_settime(t, 0, &v, &old));
	EXPECT_GT(ts_ns(&old.it_value), 0);
	EXPECT_LE(ts_ns(&old.it_value), 50 * NSEC_PER_SEC);
	EXPECT_EQ(0, ts_ns(&old.it_interval));
	ASSERT_EQ(0, timer_gettime(t, &old));
	EXPECT_EQ(0, ts_ns(&old.it_value));
	EXPECT_EQ(0, ts_ns(&old.it_interval));
	ASSERT_EQ(0, timer_delete(t));
}

/*
 * POSIX: gettime's it_interval is "the reload value last set by
 * timer_settime()", armed or not. Linux clears it when it_value is 0
 * (posix_timer_set_common()); the module keeps it, as illumos does.
 */
TEST(disarmed_timer_keeps_the_reload_value)
{
	struct itimerspec v = its(0, 7 * NSEC_PER_SEC);
	timer_t t;

	if (expected_mode() != MODULE)
		SKIP(return, "Linux clears it_interval on disarm");
	ASSERT_EQ(0, make_timer(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGRTMIN + 5, NULL, &t));
	ASSERT_EQ(0, timer_settime(t, 0, &v, NULL));
	ASSERT_EQ(0, timer_gettime(t, &v));
	EXPECT_EQ(0, ts_ns(&v.it_value));
	EXPECT_EQ(7 * NSEC_PER_SEC, ts_ns(&v.it_interval));
	ASSERT_EQ(0, timer_delete(t));
}

/*
 * A SIGEV_NONE timer disarmed with it_value 0 reads 0. Linux keeps
 * counting down the old expiry: common_timer_get() computes the remaining
 * time of any SIGEV_NONE timer, armed or not.
 */
TEST(sigev_none_disarm_reads_zero)
{
	struct itimerspec v = its(100 * NSEC_PER_SEC, 0);
	timer_t t;

	if (expected_mode() != MODULE)
		SKIP(return, "Linux reports a disarmed SIGEV_NONE timer still running");
	ASSERT_EQ(0, make_timer(CLOCK_MONOTONIC, SIGEV_NONE, 0, NULL, &t));
	ASSERT_EQ(0, timer_settime(t, 0, &v, NULL));
	v = its(0, 0);
	ASSERT_EQ(0, timer_settime(t, 0, &v, NULL));
	ASSERT_EQ(0, timer_gettime(t, &v));
	EXPECT_EQ(0, ts_ns(&v.it_value));
	ASSERT_EQ(0, timer_delete(t));
}

/* TIMER_ABSTIME on each clock: a time ahead fires, a time past fires at once. */
TEST(absolute_expiry)
{
	static const clockid_t clocks[] = {
		CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_TAI,
	};
	int sig = SIGRTMIN + 2;
	struct itimerspec v;
	unsigned int i;
	siginfo_t si;
	timer_t t;

	block(sig);
	for (i = 0; i < ARRAY_SIZE(clocks); i++) {
		ASSERT_EQ(0, make_timer(clocks[i], SIGEV_SIGNAL, sig, (void *)(uintptr_t)(i + 1), &t));
		v = its(now_ns(clocks[i]) + 2 * MSEC, 0);
		ASSERT_EQ(0, timer_settime(t, TIMER_ABSTIME, &v, NULL));
		ASSERT_EQ(sig, wait_sig(sig, &si));
		EXPECT_EQ(i + 1, (uintptr_t)si.si_value.sival_ptr);
		EXPECT_GE(now_ns(clocks[i]), ts_ns(&v.it_value));

		v = its(now_ns(clocks[i]) - NSEC_PER_SEC, 0);
		ASSERT_EQ(0, timer_settime(t, TIMER_ABSTIME, &v, NULL));
		ASSERT_EQ(sig, wait_sig(sig, &si));
		ASSERT_EQ(0, timer_gettime(t, &v));
		EXPECT_EQ(0, ts_ns(&v.it_value));
		ASSERT_EQ(0, timer_delete(t));
	}
}

/*
 * Periodic, signal blocked: one signal stays queued, and the expirations
 * that found it queued are the overrun count. 50 ms of a 1 ms period is at
 * least 49 expirations, so at least one overrun, however slow the machine.
 */
TEST(periodic_overruns_while_blocked)
{
	struct itimerspec v = its(MSEC, MSEC);
	int sig = SIGRTMIN + 3, overrun;
	siginfo_t si;
	timer_t t;

	block(sig);
	ASSERT_EQ(0, make_timer(CLOCK_MONOTONIC, SIGEV_SIGNAL, sig, NULL, &t));
	EXPECT_EQ(0, timer_getoverrun(t));
	ASSERT_EQ(0, timer_settime(t, 0, &v, NULL));
	nap(50 * MSEC);
	ASSERT_EQ(sig, wait_sig(sig, &si));
	overrun = timer_getoverrun(t);
	EXPECT_GE(overrun, 1);
	v = its(0, 0);
	ASSERT_EQ(0, timer_settime(t, 0, &v, NULL));
	ASSERT_EQ(0, timer_delete(t));
}

/* Every call on t fails with EINVAL. */
static void all_calls_einval(struct __test_metadata *_metadata, timer_t t)
{
	struct itimerspec v = its(NSEC_PER_SEC, 0);

	errno = 0;
	EXPECT_EQ(-1, timer_settime(t, 0, &v, NULL));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, timer_gettime(t, &v));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, timer_getoverrun(t));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, timer_delete(t));
	EXPECT_EQ(EINVAL, errno);
}

TEST(deleted_id_is_einval)
{
	struct itimerspec v = its(NSEC_PER_SEC, 0);
	timer_t t;

	ASSERT_EQ(0, make_timer(CLOCK_MONOTONIC, SIGEV_NONE, 0, NULL, &t));
	ASSERT_EQ(0, timer_settime(t, 0, &v, NULL));
	ASSERT_EQ(0, timer_delete(t));
	all_calls_einval(_metadata, t);
}

/*
 * A deleted timer's id stays invalid when the next timer is made: Linux
 * numbers its timers on, the module reuses its lowest free id at once, and
 * the interposer's handles carry a generation.
 */
TEST(deleted_id_stays_einval_after_a_new_timer)
{
	struct itimerspec v;
	timer_t t, u;

	ASSERT_EQ(0, make_timer(CLOCK_MONOTONIC, SIGEV_NONE, 0, NULL, &t));
	ASSERT_EQ(0, timer_delete(t));
	ASSERT_EQ(0, make_timer(CLOCK_MONOTONIC, SIGEV_NONE, 0, NULL, &u));
	ASSERT_NE((uintptr_t)t, (uintptr_t)u);
	errno = 0;
	EXPECT_EQ(-1, timer_gettime(t, &v));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, timer_gettime(u, &v));
	ASSERT_EQ(0, timer_delete(u));
}

TEST(bad_values_are_einval)
{
	/* tv_nsec of it_value and it_interval; 0 is a good one. */
	static const long bad[][2] = {
		{ NSEC_PER_SEC, 0 }, { -1, 0 }, { 0, NSEC_PER_SEC }, { 0, -1 },
	};
	struct itimerspec v;
	struct sigevent sev;
	unsigned int i;
	timer_t t;

	ASSERT_EQ(0, make_timer(CLOCK_MONOTONIC, SIGEV_NONE, 0, NULL, &t));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		v.it_value.tv_sec = 1;
		v.it_value.tv_nsec = bad[i][0];
		v.it_interval.tv_sec = 1;
		v.it_interval.tv_nsec = bad[i][1];
		errno = 0;
		EXPECT_EQ(-1, timer_settime(t, 0, &v, NULL));
		EXPECT_EQ(EINVAL, errno);
	}
	/* Nothing was set. */
	ASSERT_EQ(0, timer_gettime(t, &v));
	EXPECT_EQ(0, ts_ns(&v.it_value));
	EXPECT_EQ(0, ts_ns(&v.it_interval));
	/*
	 * No new value: EINVAL, as the kernel says; nowhere to put the
	 * value: EFAULT. (glibc's 32-bit time_t calls would dereference
	 * them: natively, only where time_t is 64-bit.)
	 */
	if (interposed() || sizeof(time_t) == 8) {
		errno = 0;
		EXPECT_EQ(-1, timer_settime(t, 0, NULL, NULL));
		EXPECT_EQ(EINVAL, errno);
		errno = 0;
		EXPECT_EQ(-1, timer_gettime(t, NULL));
		EXPECT_EQ(EFAULT, errno);
	}
	ASSERT_EQ(0, timer_delete(t));

	/* A clock that is none, a signal out of range, a notification that is none. */
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGALRM;
	errno = 0;
	EXPECT_EQ(-1, timer_create((clockid_t)12345, &sev, &t));
	EXPECT_EQ(EINVAL, errno);
	sev.sigev_signo = SIGRTMAX + 1;
	errno = 0;
	EXPECT_EQ(-1, timer_create(CLOCK_MONOTONIC, &sev, &t));
	EXPECT_EQ(EINVAL, errno);
	sev.sigev_signo = SIGALRM;
	sev.sigev_notify = 42;
	errno = 0;
	EXPECT_EQ(-1, timer_create(CLOCK_MONOTONIC, &sev, &t));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * A timer_t that was never handed out: EINVAL. glibc itself dereferences a
 * negative one (its SIGEV_THREAD encoding), so those only with the interposer.
 */
TEST(garbage_timer_t_is_einval)
{
	static const intptr_t garbage[] = { 0x12345, INT32_MAX, -1, INT32_MIN, -0x12345 };
	unsigned int i, n = interposed() ? 5 : 2;

	for (i = 0; i < n; i++)
		all_calls_einval(_metadata, (timer_t)garbage[i]);
}

/* CPU-time clocks, the process's, the thread's, and by id: the kernel's timers. */
TEST(cpu_clock_timers)
{
	clockid_t clocks[4] = { CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID };
	int sig = SIGRTMIN + 4, before = kernel_timers();
	struct itimerspec v = its(MSEC, 0);
	unsigned int i;
	siginfo_t si;
	timer_t t;

	ASSERT_EQ(0, clock_getcpuclockid(getpid(), &clocks[2]));
	ASSERT_EQ(0, pthread_getcpuclockid(pthread_self(), &clocks[3]));
	EXPECT_LT(clocks[2], 0);
	EXPECT_LT(clocks[3], 0);
	block(sig);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, make_timer(clocks[i], SIGEV_SIGNAL, sig, (void *)(uintptr_t)(i + 7), &t));
		/* The kernel's, under the interposer too (-1: it does not list them). */
		EXPECT_EQ(before < 0 ? -1 : before + 1, kernel_timers());
		ASSERT_EQ(0, timer_settime(t, 0, &v, NULL));
		ASSERT_TRUE(burn_until(sig));
		ASSERT_EQ(sig, wait_sig(sig, &si));
		EXPECT_EQ(SI_TIMER, si.si_code);
		EXPECT_EQ(i + 7, (uintptr_t)si.si_value.sival_ptr);
		ASSERT_EQ(0, timer_gettime(t, &v));
		EXPECT_EQ(0, ts_ns(&v.it_value));
		ASSERT_EQ(0, timer_delete(t));
		v = its(MSEC, 0);
	}
}

/*
 * CPU-clock (kernel) and wall-clock (module, under the interposer) timers
 * in one process: distinct timer_t values, each call acting on its own
 * timer, and the timers held where they should be.
 */
TEST(mixed_cpu_and_wall_clock_timers)
{
	static const clockid_t clocks[] = {
		CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_REALTIME, CLOCK_THREAD_CPUTIME_ID,
		CLOCK_BOOTTIME, CLOCK_PROCESS_CPUTIME_ID,
	};
	enum { N = ARRAY_SIZE(clocks) };
	int kbefore = kernel_timers(), wall = 0, cpu;
	enum mode m = expected_mode();
	struct itimerspec v;
	timer_t t[N];
	int i, j;

	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, make_timer(clocks[i], SIGEV_NONE, 0, NULL, &t[i]));
		for (j = 0; j < i; j++)
			ASSERT_NE((uintptr_t)t[i], (uintptr_t)t[j]);
		wall += clocks[i] == CLOCK_MONOTONIC || clocks[i] == CLOCK_REALTIME ||
			clocks[i] == CLOCK_BOOTTIME;
	}
	cpu = N - wall;
	/* Each one its own value: 100 s + i s, interval i + 1 s. */
	for (i = 0; i < N; i++) {
		v = its((100 + i) * NSEC_PER_SEC, (i + 1) * NSEC_PER_SEC);
		ASSERT_EQ(0, timer_settime(t[i], 0, &v, NULL));
	}
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, timer_gettime(t[i], &v));
		EXPECT_EQ((i + 1) * NSEC_PER_SEC, ts_ns(&v.it_interval));
		EXPECT_LE(ts_ns(&v.it_value), (100 + i) * NSEC_PER_SEC);
		EXPECT_GT(ts_ns(&v.it_value), 0);
		EXPECT_EQ(0, timer_getoverrun(t[i]));
	}

	/* Who holds them: kernel_timers() is -1 where the kernel does not list them. */
	EXPECT_EQ(kbefore < 0 ? -1 : kbefore + (m == MODULE ? cpu : N), kernel_timers());
	EXPECT_EQ(m == MODULE ? wall : 0, module_timers());

	/* Delete every other one: the rest keep their values, the deleted are EINVAL. */
	for (i = 0; i < N; i += 2)
		ASSERT_EQ(0, timer_delete(t[i]));
	for (i = 0; i < N; i++) {
		errno = 0;
		if (i % 2 == 0) {
			EXPECT_EQ(-1, timer_gettime(t[i], &v));
			EXPECT_EQ(EINVAL, errno);
			continue;
		}
		ASSERT_EQ(0, timer_gettime(t[i], &v));
		EXPECT_EQ((i + 1) * NSEC_PER_SEC, ts_ns(&v.it_interval));
	}
	for (i = 1; i < N; i += 2)
		ASSERT_EQ(0, timer_delete(t[i]));
	EXPECT_EQ(kbefore, kernel_timers());
	EXPECT_EQ(0, module_timers());
}

/* Timers are not inherited: the parent's timer_t means nothing in the child. */
TEST(fork_child_has_no_timers)
{
	struct itimerspec v = its(100 * NSEC_PER_SEC, 0);
	int status;
	timer_t t;
	pid_t pid;

	ASSERT_EQ(0, make_timer(CLOCK_MONOTONIC, SIGEV_NONE, 0, NULL, &t));
	ASSERT_EQ(0, timer_settime(t, 0, &v, NULL));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		timer_t c;

		if (timer_gettime(t, &v) != -1 || errno != EINVAL)
			_exit(1);
		if (kernel_timers() > 0)
			_exit(2);
		if (expected_mode() == MODULE && module_timers() != 0)
			_exit(3);
		/* The child makes its own, which works, and is not the parent's. */
		if (make_timer(CLOCK_MONOTONIC, SIGEV_NONE, 0, NULL, &c))
			_exit(4);
		v = its(5 * NSEC_PER_SEC, 0);
		if (timer_settime(c, 0, &v, NULL) || timer_gettime(c, &v) ||
		    ts_ns(&v.it_value) > 5 * NSEC_PER_SEC || ts_ns(&v.it_value) <= 0)
			_exit(5);
		if (timer_delete(c))
			_exit(6);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The parent's is untouched. */
	ASSERT_EQ(0, timer_gettime(t, &v));
	EXPECT_GT(ts_ns(&v.it_value), 50 * NSEC_PER_SEC);
	ASSERT_EQ(0, timer_delete(t));
}

static pthread_mutex_t thread_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t thread_cond = PTHREAD_COND_INITIALIZER;
static int thread_calls;
static void *thread_value;
static pthread_t thread_self;

static void notify(union sigval v)
{
	pthread_mutex_lock(&thread_lock);
	thread_calls++;
	thread_value = v.sival_ptr;
	thread_self = pthread_self();
	pthread_cond_signal(&thread_cond);
	pthread_mutex_unlock(&thread_lock);
}

/*
 * SIGEV_THREAD: the function runs, with the value, in a thread of its own.
 * glibc's is a kernel timer signalling a helper thread; libpsxtimer's a
 * module timer on a port.
 */
TEST(sigev_thread_calls_the_function)
{
	struct itimerspec v = its(MSEC, 0);
	int cookie, rc = 0, before = kernel_timers();
	enum mode m = expected_mode();
	struct timespec limit;
	struct sigevent sev;
	timer_t t;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = notify;
	sev.sigev_value.sival_ptr = &cookie;
	ASSERT_EQ(0, timer_create(CLOCK_MONOTONIC, &sev, &t));
	EXPECT_EQ(before < 0 ? -1 : before + (m == MODULE ? 0 : 1), kernel_timers());
	EXPECT_EQ(m == MODULE ? 1 : 0, module_timers());
	ASSERT_EQ(0, timer_settime(t, 0, &v, NULL));
	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += 10;
	pthread_mutex_lock(&thread_lock);
	while (!thread_calls && rc == 0)
		rc = pthread_cond_timedwait(&thread_cond, &thread_lock, &limit);
	pthread_mutex_unlock(&thread_lock);
	ASSERT_EQ(1, thread_calls);
	EXPECT_EQ((uintptr_t)&cookie, (uintptr_t)thread_value);
	EXPECT_FALSE(pthread_equal(thread_self, pthread_self()));
	ASSERT_EQ(0, timer_delete(t));
}

struct tid_wait {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pid_t tid;
	int sig;
	siginfo_t si;
	int got;
};

static void *tid_waiter(void *arg)
{
	struct tid_wait *w = arg;

	pthread_mutex_lock(&w->lock);
	w->tid = gettid();
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	w->got = wait_sig(w->sig, &w->si);
	return NULL;
}

/*
 * SIGEV_THREAD_ID (Linux's, which glibc passes on): the signal goes to
 * that thread, not to the process. The module serves it.
 */
TEST(sigev_thread_id_signals_that_thread)
{
	struct tid_wait w = {
		PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, SIGRTMIN + 6,
	};
	struct itimerspec v = its(MSEC, 0);
	struct sigevent sev;
	pthread_t th;
	timer_t t;

	block(w.sig);
	ASSERT_EQ(0, pthread_create(&th, NULL, tid_waiter, &w));
	pthread_mutex_lock(&w.lock);
	while (!w.tid)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = w.sig;
	sev.sigev_value.sival_int = 77;
	sev._sigev_un._tid = w.tid;
	ASSERT_EQ(0, timer_create(CLOCK_MONOTONIC, &sev, &t));
	ASSERT_EQ(0, timer_settime(t, 0, &v, NULL));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(w.sig, w.got);
	EXPECT_EQ(SI_TIMER, w.si.si_code);
	EXPECT_EQ(77, w.si.si_value.sival_int);
	EXPECT_FALSE(sig_pending(w.sig));
	ASSERT_EQ(0, timer_delete(t));
}

/* Many timers (CPU-clock ones: the module has a per-process limit), each its own. */
TEST(a_thousand_timers)
{
	enum { N = 1100 };
	timer_t *t = calloc(N, sizeof(*t));
	struct itimerspec v;
	int i, before = kernel_timers();

	ASSERT_TRUE(t != NULL);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, make_timer(CLOCK_PROCESS_CPUTIME_ID, SIGEV_NONE, 0, NULL, &t[i]));
		v = its(1000 * NSEC_PER_SEC, (i + 1) * MSEC);
		ASSERT_EQ(0, timer_settime(t[i], 0, &v, NULL));
	}
	EXPECT_EQ(before < 0 ? -1 : before + N, kernel_timers());
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, timer_gettime(t[i], &v));
		ASSERT_EQ((i + 1) * MSEC, ts_ns(&v.it_interval));
	}
	for (i = 0; i < N; i++)
		ASSERT_EQ(0, timer_delete(t[i]));
	EXPECT_EQ(before, kernel_timers());
	free(t);
}

#define THREADS 4
#define ROUNDS 100

/* Each thread makes, checks and deletes timers of its own, all at once. */
static void *churn(void *arg)
{
	long k = (long)arg, ok = 1;
	struct itimerspec v;
	timer_t t[2];
	int r, j;

	for (r = 0; r < ROUNDS && ok; r++) {
		for (j = 0; j < 2; j++) {
			clockid_t c = j ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC;

			v = its(1000 * NSEC_PER_SEC, (k * 2 + j + 1) * MSEC);
			ok &= !make_timer(c, SIGEV_NONE, 0, NULL, &t[j]) &&
			      !timer_settime(t[j], 0, &v, NULL);
		}
		for (j = 0; j < 2; j++) {
			ok &= !timer_gettime(t[j], &v) &&
			      ts_ns(&v.it_interval) == (k * 2 + j + 1) * MSEC;
			ok &= !timer_delete(t[j]);
		}
	}
	return (void *)ok;
}

TEST(threads_make_and_delete_at_once)
{
	int before = kernel_timers();
	pthread_t th[THREADS];
	void *ok;
	long k;

	for (k = 0; k < THREADS; k++)
		ASSERT_EQ(0, pthread_create(&th[k], NULL, churn, (void *)k));
	for (k = 0; k < THREADS; k++) {
		ASSERT_EQ(0, pthread_join(th[k], &ok));
		EXPECT_EQ(1, (long)ok);
	}
	EXPECT_EQ(before, kernel_timers());
	EXPECT_EQ(0, module_timers());
}

TEST_HARNESS_MAIN
