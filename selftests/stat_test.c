// SPDX-License-Identifier: GPL-2.0
/*
 * PSXTIMER_IOC_STAT and the module's counters in PSXTIMER_IOC_INFO: what a
 * process's timers look like from the outside (the ioctl behind
 * `psxtimer stat`), who may look, and every bad argument's errno.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "psxtimer.h"
#include "kselftest_harness.h"

#define MS 1000000LL

/* The entry of timer id in buf[n], or NULL. */
static struct psxtimer_stat_timer *entry(struct psxtimer_stat_timer *buf, int n, int id)
{
	int i;

	for (i = 0; i < n; i++)
		if (buf[i].timer_id == id)
			return &buf[i];
	return NULL;
}

/* Stat ourselves until timer id has at least want expirations pending (2 s at most). */
static int wait_pending(int fd, int id, unsigned int want, struct psxtimer_stat_timer *buf, int max)
{
	struct psxtimer_stat_timer *e;
	int i, n;

	for (i = 0; i < 2000; i++) {
		n = psx_stat(fd, 0, buf, max);
		e = n > 0 ? entry(buf, n < max ? n : max, id) : NULL;
		if (e && e->pending >= want)
			return n;
		usleep(1000);
	}
	return -1;
}

/* A child with n armed SIGEV_NONE timers, until killed; its pid. */
static pid_t spawn_holder(int n)
{
	int pipefd[2], i;
	pid_t pid;
	char c;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct psxtimer_sigevent none = psx_sev(PSXTIMER_SIGEV_NONE, 0, 0);
		int fd = psx_open();

		for (i = 0; i < n; i++)
			if (psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, &none) != i ||
			    psx_settime(fd, i, 0, 3600 * NSEC_PER_SEC, 0, NULL))
				_exit(1);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	if (pid < 0 || read(pipefd[0], &c, 1) != 1) {
		close(pipefd[0]);
		return -1;
	}
	close(pipefd[0]);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

FIXTURE(stat) {
	int fd;
};

FIXTURE_SETUP(stat)
{
	self->fd = psx_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(stat)
{
	close(self->fd);
}

TEST_F(stat, every_field_of_each_kind)
{
	struct psxtimer_sigevent sig = psx_sev(PSXTIMER_SIGEV_SIGNAL, SIGUSR1, 0x55);
	struct psxtimer_sigevent none = psx_sev(PSXTIMER_SIGEV_NONE, 0, 0);
	struct psxtimer_stat_timer buf[4], *e;
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	sigset_t set;
	int port, n;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	port = psx_port(self->fd, 0);
	ASSERT_LE(0, port);
	ASSERT_EQ(0, psx_create(self->fd, PSXTIMER_CLOCK_REALTIME, &none));
	ASSERT_EQ(1, psx_create(self->fd, PSXTIMER_CLOCK_MONOTONIC, &sig));
	ASSERT_EQ(2, psx_port_timer(self->fd, PSXTIMER_CLOCK_BOOTTIME, port, 0x77));
	ASSERT_EQ(0, psx_settime(self->fd, 0, 0, 3600 * NSEC_PER_SEC, 5 * NSEC_PER_SEC, NULL));
	ASSERT_EQ(0, psx_settime(self->fd, 1, 0, MS, MS, NULL));
	ASSERT_EQ(0, psx_settime(self->fd, 2, 0, MS, 0, NULL));

	/* The signal stays blocked: its expirations pile up as pending. */
	ASSERT_EQ(3, wait_pending(self->fd, 1, 3, buf, 4));
	ASSERT_EQ(3, wait_pending(self->fd, 2, 1, buf, 4));
	e = entry(buf, 3, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(PSXTIMER_CLOCK_REALTIME, e->clock_id);
	EXPECT_EQ(PSXTIMER_SIGEV_NONE, e->sigev_notify);
	EXPECT_EQ(0, e->sigev_signo);
	EXPECT_EQ(0U, e->pending);
	EXPECT_EQ(5, e->value.it_interval.tv_sec);
	EXPECT_LT(3000, e->value.it_value.tv_sec);	/* armed, an hour away */

	e = entry(buf, 3, 1);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(PSXTIMER_CLOCK_MONOTONIC, e->clock_id);
	EXPECT_EQ(PSXTIMER_SIGEV_SIGNAL, e->sigev_notify);
	EXPECT_EQ(SIGUSR1, e->sigev_signo);
	EXPECT_EQ(0x55ULL, e->sigev_value);
	EXPECT_EQ(0, e->overrun);
	EXPECT_EQ(MS, ts_ns(&e->value.it_interval));

	e = entry(buf, 3, 2);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(PSXTIMER_CLOCK_BOOTTIME, e->clock_id);
	EXPECT_EQ(PSXTIMER_SIGEV_PORT, e->sigev_notify);
	EXPECT_EQ(0x77ULL, e->sigev_value);
	EXPECT_EQ(1U, e->pending);			/* one-shot: fired once */
	EXPECT_EQ(0, ts_ns(&e->value.it_value));	/* and now disarmed */

	/* Taking the signal empties pending; its overruns are the overrun. */
	ASSERT_EQ(0, psx_settime(self->fd, 1, 0, 0, 0, NULL));
	ASSERT_EQ(SIGUSR1, sigtimedwait(&set, &si, &zero));
	n = psx_stat(self->fd, 0, buf, 4);
	ASSERT_EQ(3, n);
	e = entry(buf, 3, 1);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(0U, e->pending);
	EXPECT_EQ(si.si_overrun, e->overrun);
	EXPECT_LE(2, e->overrun);
	EXPECT_EQ(psx_getoverrun(self->fd, 1), e->overrun);
	close(port);
}

TEST_F(stat, short_buffer_gets_the_full_count)
{
	struct psxtimer_stat_timer buf[3];
	int i;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(i, psx_create(self->fd, PSXTIMER_CLOCK_MONOTONIC, NULL));
	memset(buf, 0xff, sizeof(buf));
	EXPECT_EQ(5, psx_stat(self->fd, 0, buf, 2));
	EXPECT_EQ(0, buf[0].timer_id);
	EXPECT_EQ(1, buf[1].timer_id);
	EXPECT_EQ(-1, buf[2].timer_id);	/* past count: untouched */
	/* The default sigevent: SIGALRM, si_value the id. */
	EXPECT_EQ(SIGALRM, buf[1].sigev_signo);
	EXPECT_EQ(1ULL, buf[1].sigev_value);
	EXPECT_EQ(5, psx_stat(self->fd, 0, NULL, 0));
	ASSERT_EQ(0, psx_delete(self->fd, 3));
	EXPECT_EQ(4, psx_stat(self->fd, getpid(), buf, 3));
	EXPECT_EQ(2, buf[2].timer_id);
}

TEST_F(stat, beyond_one_batch)
{
	struct psxtimer_info info;
	struct psxtimer_stat_timer *buf;
	int i, n;

	ASSERT_EQ(0, ioctl(self->fd, PSXTIMER_IOC_INFO, &info));
	n = info.timer_max;
	buf = calloc(n, sizeof(*buf));
	ASSERT_TRUE(buf != NULL);
	for (i = 0; i < n; i++)
		ASSERT_EQ(i, psx_create(self->fd, PSXTIMER_CLOCK_MONOTONIC, NULL));
	ASSERT_EQ(0, psx_delete(self->fd, 17));
	ASSERT_EQ(n - 1, psx_stat(self->fd, 0, buf, n));
	for (i = 0; i < n - 1; i++)
		ASSERT_EQ(i < 17 ? i : i + 1, buf[i].timer_id);
	free(buf);
}

TEST_F(stat, a_process_without_timers_has_none)
{
	struct psxtimer_stat_timer buf[1];
	pid_t pid = spawn_holder(0);

	ASSERT_LT(0, pid);
	EXPECT_EQ(0, psx_stat(self->fd, 0, buf, 1));
	EXPECT_EQ(0, psx_stat(self->fd, pid, buf, 1));
	reap(pid);
}

TEST_F(stat, root_sees_another_process)
{
	struct psxtimer_stat_timer buf[4];
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root");
	pid = spawn_holder(3);
	ASSERT_LT(0, pid);
	ASSERT_EQ(3, psx_stat(self->fd, pid, buf, 4));
	EXPECT_EQ(2, buf[2].timer_id);
	EXPECT_LT(3000, buf[2].value.it_value.tv_sec);
	/* Its exit takes them all; the pid is then gone. */
	reap(pid);
	EXPECT_EQ(-ESRCH, psx_stat(self->fd, pid, buf, 4));
}

/* The rest of the unprivileged view is in security_test. */
TEST_F(stat, others_need_cap_sys_ptrace)
{
	struct psxtimer_stat_timer buf[4];
	pid_t holder, pid;
	int status;

	if (geteuid() != 0)
		SKIP(return, "needs root to drop to uid 65534");
	holder = spawn_holder(2);
	ASSERT_LT(0, holder);
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (psx_stat(self->fd, holder, buf, 4) != -EPERM)
			_exit(11);
		if (psx_stat(self->fd, 1, buf, 4) != -EPERM)
			_exit(12);
		if (psx_create(self->fd, PSXTIMER_CLOCK_MONOTONIC, NULL) != 0 ||
		    psx_stat(self->fd, getpid(), buf, 4) != 1)
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	reap(holder);
}

TEST_F(stat, bad_arguments)
{
	struct psxtimer_stat s = { .count = 4 };
	struct psxtimer_stat_timer buf[4];
	long page = sysconf(_SC_PAGESIZE);
	void *ro;
	pid_t gone;

	ASSERT_EQ(0, psx_create(self->fd, PSXTIMER_CLOCK_MONOTONIC, NULL));
	s.timers = (uintptr_t)buf;
	s.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_STAT, &s));
	EXPECT_EQ(EINVAL, errno);
	s.flags = 0;
	s.__reserved[2] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_STAT, &s));
	EXPECT_EQ(EINVAL, errno);
	s.__reserved[2] = 0;
	s.pid = -1;
	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_STAT, &s));
	EXPECT_EQ(EINVAL, errno);

	gone = fork();
	if (gone == 0)
		_exit(0);
	ASSERT_EQ(gone, waitpid(gone, NULL, 0));
	EXPECT_EQ(-ESRCH, psx_stat(self->fd, gone, buf, 4));

	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_STAT, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-EFAULT, psx_stat(self->fd, 0, (void *)8, 4));
	EXPECT_EQ(-EFAULT, psx_stat(self->fd, 0, (void *)-4096L, 1));
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(ro != MAP_FAILED);
	EXPECT_EQ(-EFAULT, psx_stat(self->fd, 0, ro, 1));
	/* Nothing to write: a zero count never looks at the buffer. */
	EXPECT_EQ(1, psx_stat(self->fd, 0, ro, 0));
	munmap(ro, page);
}

TEST_F(stat, counters_follow_timers_and_processes)
{
	unsigned int t0 = 0, p0 = 0, t = 0, p = 0;
	pid_t pid;

	ASSERT_EQ(0, psx_counters(self->fd, &t0, &p0));
	pid = spawn_holder(4);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, psx_counters(self->fd, &t, &p));
	EXPECT_EQ(t0 + 4, t);
	EXPECT_EQ(p0 + 1, p);
	ASSERT_EQ(0, psx_create(self->fd, PSXTIMER_CLOCK_MONOTONIC, NULL));
	ASSERT_EQ(0, psx_counters(self->fd, &t, &p));
	EXPECT_EQ(t0 + 5, t);
	EXPECT_EQ(p0 + 2, p);
	ASSERT_EQ(0, psx_delete(self->fd, 0));
	/* Exit frees the table before the parent can reap the child. */
	reap(pid);
	ASSERT_EQ(0, psx_counters(self->fd, &t, &p));
	EXPECT_EQ(t0, t);
	EXPECT_EQ(p0 + 1, p);	/* ours stays, empty, until we exit */
}

TEST_HARNESS_MAIN
