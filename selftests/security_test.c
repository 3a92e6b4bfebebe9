// SPDX-License-Identifier: GPL-2.0
/*
 * What an unprivileged user (uid 65534, no capabilities) can and cannot do
 * through /dev/psxtimer: no clock_settime, the HIGHRES interval floor on
 * every clock, no way to reach another process's timers (by id, through an
 * inherited fd, a port, or psxtimer stat), and the limits that bound what
 * one user can make the kernel hold: timer_max timers per process, and one
 * sigqueue per signal timer charged to the user's RLIMIT_SIGPENDING.
 *
 * Runs as root, and drops to nobody in a child for each check.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "psxtimer.h"
#include "kselftest_harness.h"

#define NOBODY 65534

static int drop_to_nobody(void)
{
	return setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ? -1 : 0;
}

/*
 * Run check(fd, arg) as nobody in a child; its result is the child's exit
 * status: 0 when every expectation held, else the bit of the first failing
 * one (the check's comments number them).
 */
static int as_nobody(int fd, int (*check)(int fd, long arg), long arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(drop_to_nobody() ? 100 : check(fd, arg));
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 101;
	return WEXITSTATUS(status);
}

static int first_bad(const int *ok, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!ok[i])
			return i + 1;
	return 0;
}

static const int clocks[] = {
	PSXTIMER_CLOCK_REALTIME, PSXTIMER_CLOCK_MONOTONIC,
	PSXTIMER_CLOCK_BOOTTIME, PSXTIMER_CLOCK_TAI,
};

static struct psxtimer_info info(int fd)
{
	struct psxtimer_info i = { 0 };

	ioctl(fd, PSXTIMER_IOC_INFO, &i);
	return i;
}

/*
 * 1-6: EPERM on every clock, CPU clocks too: illumos checks the clock
 * exists, then the privilege, then the value.
 */
static int no_clock_settime(int fd, long arg)
{
	struct psxtimer_timespec ts = { 1000, 0 };
	int ok[6], i;

	for (i = 0; i < 4; i++)
		ok[i] = psx_clock(fd, PSXTIMER_IOC_CLOCK_SETTIME, clocks[i], &ts) == -EPERM;
	ok[4] = psx_clock(fd, PSXTIMER_IOC_CLOCK_SETTIME,
			  PSXTIMER_CLOCK_PROCESS_CPUTIME_ID, &ts) == -EPERM;
	ok[5] = psx_clock(fd, PSXTIMER_IOC_CLOCK_SETTIME,
			  PSXTIMER_CLOCK_THREAD_CPUTIME_ID, &ts) == -EPERM;
	return first_bad(ok, 6);
}

/* 1-4: on each clock a 1 us period is raised to the floor. */
static int interval_floor(int fd, long floor_ns)
{
	struct psxtimer_itimerspec v = { 0 };
	int ok[4], i, id;

	for (i = 0; i < 4; i++) {
		id = psx_create(fd, clocks[i], NULL);
		ok[i] = id >= 0 &&
			!psx_settime(fd, id, 0, 3600 * NSEC_PER_SEC, 1000, NULL) &&
			!psx_gettime(fd, id, &v) && ts_ns(&v.it_interval) == floor_ns;
	}
	return first_bad(ok, 4);
}

TEST(clock_settime_is_eperm)
{
	int fd = psx_open();

	ASSERT_LE(0, fd);
	if (geteuid())
		SKIP(return, "needs root to drop to nobody");
	EXPECT_EQ(0, as_nobody(fd, no_clock_settime, 0));
	close(fd);
}

TEST(highres_floor_applies_on_every_clock)
{
	int fd = psx_open();

	ASSERT_LE(0, fd);
	if (geteuid())
		SKIP(return, "needs root to drop to nobody");
	EXPECT_EQ(0, as_nobody(fd, interval_floor, info(fd).highres_interval_min_ns));
	close(fd);
}

/*
 * The parent's timers 0..2 are armed and its port has an event queued.
 * 1-4: every timer call on its ids is EINVAL (our own table is empty);
 * 5: the same through a fresh open; 6-7: the port refuses read and
 * association; 8-9: stat of the parent and of init is EPERM; 10: our own
 * timer took id 0, in our own table.
 */
static int foreign_unreachable(int fd, long port)
{
	struct psxtimer_itimerspec v;
	struct psxtimer_port_event ev;
	struct psxtimer_stat_timer st[4];
	int ok[10], fd2 = psx_open(), open_errno = errno;

	ok[0] = psx_gettime(fd, 1, &v) == -EINVAL;
	ok[1] = psx_settime(fd, 1, 0, 0, 0, NULL) == -EINVAL;
	ok[2] = psx_getoverrun(fd, 1) == -EINVAL;
	ok[3] = psx_delete(fd, 1) == -EINVAL;
	ok[4] = fd2 >= 0 && psx_delete(fd2, 2) == -EINVAL;
	if (fd2 < 0)
		fprintf(stderr, "# open %s as nobody: %s\n", PSXTIMER_DEVICE, strerror(open_errno));
	ok[5] = read(port, &ev, sizeof(ev)) == -1 && errno == EACCES;
	ok[6] = psx_port_timer(fd, PSXTIMER_CLOCK_MONOTONIC, port, 1) == -EACCES;
	ok[7] = psx_stat(fd, getppid(), st, 4) == -EPERM;
	ok[8] = psx_stat(fd, 1, st, 4) == -EPERM;
	ok[9] = psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, NULL) == 0 &&
		psx_stat(fd, 0, st, 4) == 1;
	return first_bad(ok, 10);
}

TEST(another_process_is_unreachable)
{
	struct psxtimer_stat_timer st[4];
	struct psxtimer_port_event ev;
	int fd = psx_open(), port, i;

	ASSERT_LE(0, fd);
	if (geteuid())
		SKIP(return, "needs root to drop to nobody");
	signal(SIGALRM, SIG_IGN);
	port = psx_port(fd, PSXTIMER_PORT_NONBLOCK);
	ASSERT_LE(0, port);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(i, psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, NULL));
		ASSERT_EQ(0, psx_settime(fd, i, 0, 3600 * NSEC_PER_SEC, 0, NULL));
	}
	ASSERT_EQ(3, psx_port_timer(fd, PSXTIMER_CLOCK_MONOTONIC, port, 9));
	ASSERT_EQ(0, psx_settime(fd, 3, 0, 1000000, 0, NULL));
	usleep(20000);

	EXPECT_EQ(0, as_nobody(fd, foreign_unreachable, port));

	/* Nothing of ours was touched, and the event is still ours to take. */
	ASSERT_EQ(4, psx_stat(fd, 0, st, 4));
	for (i = 0; i < 3; i++)
		EXPECT_LT(3000, st[i].value.it_value.tv_sec);
	EXPECT_EQ(sizeof(ev), read(port, &ev, sizeof(ev)));
	EXPECT_EQ(9ULL, ev.cookie);
	close(port);
	close(fd);
}

/* 1: timer_max timers, then 2: EAGAIN, and 3: a delete makes room for one. */
static int timer_max_holds(int fd, long timer_max)
{
	struct psxtimer_sigevent none = psx_sev(PSXTIMER_SIGEV_NONE, 0, 0);
	int ok[3] = { 1, 1, 1 }, i;

	for (i = 0; i < timer_max && ok[0]; i++)
		ok[0] = psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, &none) == i;
	ok[1] = psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, &none) == -EAGAIN;
	ok[2] = !psx_delete(fd, 5) && psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, &none) == 5;
	return first_bad(ok, 3);
}

TEST(timer_max_is_enforced)
{
	int fd = psx_open();

	ASSERT_LE(0, fd);
	if (geteuid())
		SKIP(return, "needs root to drop to nobody");
	EXPECT_EQ(0, as_nobody(fd, timer_max_holds, info(fd).timer_max));
	close(fd);
}

#define SIGPENDING_LIMIT 6

/*
 * Per user, not per process: one process of nobody's holds every signal
 * timer RLIMIT_SIGPENDING allows; another of nobody's gets EAGAIN for a
 * signal timer (SIGEV_NONE and SIGEV_PORT need no sigqueue, and work),
 * and gets its signal timer once the first process has exited.
 */
static int hold_sigqueues(int fd, long ready)
{
	struct psxtimer_sigevent sev = psx_sev(PSXTIMER_SIGEV_SIGNAL, SIGUSR1, 0);
	struct rlimit lim = { SIGPENDING_LIMIT, SIGPENDING_LIMIT };
	int i;
	char c = 0;

	if (setrlimit(RLIMIT_SIGPENDING, &lim))
		return 1;
	for (i = 0; i < SIGPENDING_LIMIT; i++)
		if (psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, &sev) != i)
			return 2;
	if (psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, &sev) != -EAGAIN)
		return 3;
	if (write(ready, &c, 1) != 1)
		return 4;
	pause();
	return 0;
}

/* 1: EAGAIN while the other holds them; 2: SIGEV_NONE works; 3: not later. */
static int share_the_limit(int fd, long holder)
{
	struct psxtimer_sigevent sev = psx_sev(PSXTIMER_SIGEV_SIGNAL, SIGUSR1, 0);
	struct psxtimer_sigevent none = psx_sev(PSXTIMER_SIGEV_NONE, 0, 0);
	struct rlimit lim = { SIGPENDING_LIMIT, SIGPENDING_LIMIT };
	int ok[3], i, id = -EAGAIN;

	if (setrlimit(RLIMIT_SIGPENDING, &lim))
		return 10;
	ok[0] = psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, &sev) == -EAGAIN;
	ok[1] = psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, &none) == 0;
	/* Nobody may kill nobody's process: its exit gives the sigqueues back. */
	if (kill(holder, SIGKILL))
		return 11;
	for (i = 0; i < 500 && id == -EAGAIN; i++) {
		id = psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, &sev);
		if (id == -EAGAIN)
			usleep(10000);
	}
	ok[2] = id == 1;
	return first_bad(ok, 3);
}

TEST(rlimit_sigpending_is_per_user)
{
	int fd = psx_open(), pipefd[2], status;
	pid_t holder;
	char c;

	ASSERT_LE(0, fd);
	if (geteuid())
		SKIP(return, "needs root to drop to nobody");
	ASSERT_EQ(0, pipe(pipefd));
	holder = fork();
	if (holder == 0)
		_exit(drop_to_nobody() ? 100 : hold_sigqueues(fd, pipefd[1]));
	ASSERT_LT(0, holder);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	EXPECT_EQ(0, as_nobody(fd, share_the_limit, holder));
	ASSERT_EQ(holder, waitpid(holder, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	close(pipefd[0]);
	close(pipefd[1]);
	close(fd);
}

TEST_HARNESS_MAIN
