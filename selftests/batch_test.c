// SPDX-License-Identifier: GPL-2.0
/*
 * PSXTIMER_IOC_BATCH: many settime/gettime/getoverrun ops in one ioctl,
 * each answering as its own ioctl would, with every error of the header,
 * of the ops array and of each op. Built 64-bit and -m32.
 */
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "psxtimer.h"
#include "kselftest_harness.h"

#define SIGT SIGRTMIN
#define POISON 0x5a5a5a5a
#define PAGE 4096

/* The ioctl on ops[count]: 0 or -errno. */
static int batch(int fd, struct psxtimer_batch_op *ops, unsigned int count)
{
	struct psxtimer_batch b = { .ops = (uintptr_t)ops, .count = count };

	return ioctl(fd, PSXTIMER_IOC_BATCH, &b) ? -errno : 0;
}

/* An op with its output fields poisoned, so that one left unwritten shows. */
static struct psxtimer_batch_op op(unsigned int which, int id, unsigned int flags,
				   long long value_ns, long long interval_ns)
{
	struct psxtimer_batch_op o = { .op = which, .timer_id = id, .flags = flags };

	o.value.it_value.tv_sec = value_ns / NSEC_PER_SEC;
	o.value.it_value.tv_nsec = value_ns % NSEC_PER_SEC;
	o.value.it_interval.tv_sec = interval_ns / NSEC_PER_SEC;
	o.value.it_interval.tv_nsec = interval_ns % NSEC_PER_SEC;
	o.result = POISON;
	memset(&o.old_value, 0x5a, sizeof(o.old_value));
	return o;
}

static bool zero_spec(const struct psxtimer_itimerspec *v)
{
	return !v->it_value.tv_sec && !v->it_value.tv_nsec && !v->it_interval.tv_sec &&
	       !v->it_interval.tv_nsec;
}

static bool armed(int fd, int id)
{
	struct psxtimer_itimerspec v = { 0 };

	return !psx_gettime(fd, id, &v) && ts_ns(&v.it_value);
}

/* A page of ops followed by an inaccessible one: *none is where it starts. */
static void *two_pages(char **none)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	*none = p + PAGE;
	return mprotect(*none, PAGE, PROT_NONE) ? NULL : p;
}

FIXTURE(batch) {
	int fd;
};

FIXTURE_SETUP(batch)
{
	self->fd = psx_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(batch)
{
	close(self->fd);
}

/* Settime's old value and gettime's value are what the single calls say. */
TEST_F(batch, settime_and_gettime_are_the_single_calls)
{
	struct psxtimer_sigevent none = psx_sev(PSXTIMER_SIGEV_NONE, 0, 0);
	struct psxtimer_batch_op ops[20];
	struct psxtimer_itimerspec v = { 0 };
	int i;

	for (i = 0; i < 20; i++)
		ASSERT_EQ(i, psx_create(self->fd, PSXTIMER_CLOCK_MONOTONIC, &none));
	/* Interval i ms, value 100 + i s; old values: disarmed, no interval. */
	for (i = 0; i < 20; i++)
		ops[i] = op(PSXTIMER_BATCH_SETTIME, i, 0, (100 + i) * NSEC_PER_SEC,
			    (i + 1) * 1000000LL);
	ASSERT_EQ(0, batch(self->fd, ops, 20));
	for (i = 0; i < 20; i++) {
		EXPECT_EQ(0, ops[i].result);
		EXPECT_TRUE(zero_spec(&ops[i].old_value));
		ASSERT_EQ(0, psx_gettime(self->fd, i, &v));
		EXPECT_EQ((i + 1) * 1000000LL, ts_ns(&v.it_interval));
		EXPECT_LT((99 + i) * NSEC_PER_SEC, ts_ns(&v.it_value));
		EXPECT_GE((100 + i) * NSEC_PER_SEC, ts_ns(&v.it_value));
	}
	/* Disarm every other one; the old value is the setting just made. */
	for (i = 0; i < 20; i += 2)
		ops[i / 2] = op(PSXTIMER_BATCH_SETTIME, i, 0, 0, 0);
	ASSERT_EQ(0, batch(self->fd, ops, 10));
	for (i = 0; i < 20; i += 2) {
		EXPECT_EQ(0, ops[i / 2].result);
		EXPECT_EQ((i + 1) * 1000000LL, ts_ns(&ops[i / 2].old_value.it_interval));
		EXPECT_LT((99 + i) * NSEC_PER_SEC, ts_ns(&ops[i / 2].old_value.it_value));
		EXPECT_FALSE(armed(self->fd, i));
	}
	/* Gettime, with an absolute settime of timer 5 in the middle... */
	for (i = 0; i < 20; i++)
		ops[i] = op(PSXTIMER_BATCH_GETTIME, i, 0, 0, 0);
	ops[5] = op(PSXTIMER_BATCH_SETTIME, 5, PSXTIMER_TIMER_ABSTIME,
		    now_ns(CLOCK_MONOTONIC) + 50 * NSEC_PER_SEC, 0);
	ASSERT_EQ(0, batch(self->fd, ops, 20));
	for (i = 0; i < 20; i++) {
		EXPECT_EQ(0, ops[i].result);
		if (i % 2 == 0) {
			/* Disarmed with no interval. */
			EXPECT_TRUE(zero_spec(&ops[i].old_value));
		} else {
			EXPECT_EQ((i + 1) * 1000000LL, ts_ns(&ops[i].old_value.it_interval));
			EXPECT_LT((99 + i) * NSEC_PER_SEC, ts_ns(&ops[i].old_value.it_value));
		}
	}
	/* ...and the gettime after it sees the new setting. */
	ASSERT_EQ(0, psx_gettime(self->fd, 5, &v));
	EXPECT_GE(50 * NSEC_PER_SEC, ts_ns(&v.it_value));
	EXPECT_LT(49 * NSEC_PER_SEC, ts_ns(&v.it_value));
	EXPECT_EQ(0, ts_ns(&v.it_interval));
}

TEST_F(batch, getoverrun_is_the_single_call)
{
	struct psxtimer_sigevent sev = psx_sev(PSXTIMER_SIGEV_SIGNAL, SIGT, 1);
	struct psxtimer_batch_op ops[2];
	struct timespec ts = { 1, 0 };
	struct psxtimer_timespec res;
	long long period = 1000000;
	sigset_t set;
	siginfo_t si;
	int id;

	ASSERT_EQ(0, psx_clock(self->fd, PSXTIMER_IOC_CLOCK_GETRES, PSXTIMER_CLOCK_MONOTONIC, &res));
	if (ts_ns(&res) > period)
		period = ts_ns(&res);
	sigemptyset(&set);
	sigaddset(&set, SIGT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	id = psx_create(self->fd, PSXTIMER_CLOCK_MONOTONIC, &sev);
	ASSERT_LE(0, id);
	/* The signal blocked for about 50 periods: it carries the overruns. */
	ASSERT_EQ(0, psx_settime(self->fd, id, 0, period, period, NULL));
	usleep(50 * period / 1000);
	ASSERT_EQ(0, psx_settime(self->fd, id, 0, 0, 0, NULL));
	ASSERT_EQ(SIGT, sigtimedwait(&set, &si, &ts));
	ASSERT_LT(0, si.si_overrun);
	ops[0] = op(PSXTIMER_BATCH_GETOVERRUN, id, 0, 0, 0);
	ops[1] = op(PSXTIMER_BATCH_GETOVERRUN, id, 0, 0, 0);
	ASSERT_EQ(0, batch(self->fd, ops, 2));
	EXPECT_EQ(si.si_overrun, ops[0].result);
	EXPECT_EQ(si.si_overrun, ops[1].result);
	EXPECT_EQ(si.si_overrun, psx_getoverrun(self->fd, id));
	EXPECT_TRUE(zero_spec(&ops[0].old_value));
}

/* Each op's own errno in its result; the others are carried out. */
TEST_F(batch, each_op_fails_alone)
{
	struct psxtimer_sigevent none = psx_sev(PSXTIMER_SIGEV_NONE, 0, 0);
	struct psxtimer_batch_op ops[16], in[16];
	int i, n = 0, ok[16];

	for (i = 0; i < 3; i++)
		ASSERT_EQ(i, psx_create(self->fd, PSXTIMER_CLOCK_MONOTONIC, &none));
	ASSERT_EQ(0, psx_settime(self->fd, 2, 0, 100 * NSEC_PER_SEC, 0, NULL));
#define ADD(o, expect) do { ops[n] = (o); ok[n++] = (expect); } while (0)
	ADD(op(PSXTIMER_BATCH_SETTIME, 0, 0, 100 * NSEC_PER_SEC, 0), 0);
	ADD(op(0, 0, 0, 0, 0), -EINVAL);			/* unknown ops */
	ADD(op(4, 0, 0, 0, 0), -EINVAL);
	ADD(op(PSXTIMER_BATCH_GETTIME, -1, 0, 0, 0), -EINVAL);	/* no such timers */
	ADD(op(PSXTIMER_BATCH_SETTIME, 3, 0, NSEC_PER_SEC, 0), -EINVAL);
	ADD(op(PSXTIMER_BATCH_GETOVERRUN, INT32_MAX, 0, 0, 0), -EINVAL);
	ADD(op(PSXTIMER_BATCH_SETTIME, 1, 2, NSEC_PER_SEC, 0), -EINVAL);	/* flags */
	ADD(op(PSXTIMER_BATCH_GETTIME, 0, 1, 0, 0), -EINVAL);
	ADD(op(PSXTIMER_BATCH_GETOVERRUN, 0, 1, 0, 0), -EINVAL);
	ADD(op(PSXTIMER_BATCH_SETTIME, 1, 0, 0, 0), -EINVAL);
	ops[n - 1].value.it_value.tv_nsec = 1000000000;
	/* Past 64-bit nanoseconds: EOVERFLOW, after settime read the old value. */
	ADD(op(PSXTIMER_BATCH_SETTIME, 2, 0, 0, 0), -EOVERFLOW);
	ops[n - 1].value.it_value.tv_sec = INT64_MAX / NSEC_PER_SEC;
	ADD(op(PSXTIMER_BATCH_GETTIME, 0, 0, 0, 0), 0);
	ADD(op(PSXTIMER_BATCH_GETOVERRUN, 1, 0, 0, 0), 0);
#undef ADD
	memcpy(in, ops, sizeof(ops));
	ASSERT_EQ(0, batch(self->fd, ops, n));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(ok[i], ops[i].result) TH_LOG("op %d", i);
		/* Written back whole: the inputs as they were. */
		EXPECT_EQ(0, memcmp(&in[i], &ops[i], offsetof(struct psxtimer_batch_op, result)));
		EXPECT_EQ(0, memcmp(&in[i].value, &ops[i].value, sizeof(ops[i].value)));
		if (i != n - 2)
			EXPECT_TRUE(zero_spec(&ops[i].old_value)) TH_LOG("op %d", i);
	}
	/* The gettime after the settime of timer 0 sees it armed. */
	EXPECT_LT(99 * NSEC_PER_SEC, ts_ns(&ops[n - 2].old_value.it_value));
	EXPECT_TRUE(armed(self->fd, 0));
	EXPECT_FALSE(armed(self->fd, 1));
}

TEST_F(batch, bad_header)
{
	struct psxtimer_batch_op *ops, one = op(PSXTIMER_BATCH_GETTIME, 0, 0, 0, 0);
	struct psxtimer_batch b = { .ops = (uintptr_t)&one, .count = 1 };
	char *none;
	void *page = two_pages(&none);

	ASSERT_TRUE(page != NULL);
	ASSERT_EQ(0, psx_create(self->fd, PSXTIMER_CLOCK_MONOTONIC, NULL));
	/* Unreadable: EFAULT. */
	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_BATCH, NULL));
	EXPECT_EQ(EFAULT, errno);
	memcpy(none - 8, &b, 8);
	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_BATCH, none - 8));
	EXPECT_EQ(EFAULT, errno);
	/* Nonzero flags: EINVAL, and no op carried out. */
	b.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	b.flags = 1U << 31;
	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(POISON, one.result);
	/* Count: 0 does nothing (the pointer is not looked at), at most the max. */
	b.flags = 0;
	b.count = 0;
	b.ops = 0;
	EXPECT_EQ(0, ioctl(self->fd, PSXTIMER_IOC_BATCH, &b));
	b.count = PSXTIMER_BATCH_MAX + 1;
	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	b.count = UINT32_MAX;
	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	ops = calloc(PSXTIMER_BATCH_MAX, sizeof(*ops));
	ASSERT_TRUE(ops != NULL);
	ops[PSXTIMER_BATCH_MAX - 1] = op(PSXTIMER_BATCH_GETOVERRUN, 0, 0, 0, 0);
	EXPECT_EQ(0, batch(self->fd, ops, PSXTIMER_BATCH_MAX));
	EXPECT_EQ(-EINVAL, ops[0].result);
	EXPECT_EQ(0, ops[PSXTIMER_BATCH_MAX - 1].result);
	free(ops);
}

/* Ops that cannot be read: EFAULT, and none of them carried out. */
TEST_F(batch, unreadable_ops)
{
	struct psxtimer_batch_op *ops;
	char *none;
	void *page = two_pages(&none);
	int i;

	ASSERT_TRUE(page != NULL);
	for (i = 0; i < 16; i++)
		ASSERT_EQ(i, psx_create(self->fd, PSXTIMER_CLOCK_MONOTONIC, NULL));
	EXPECT_EQ(-EFAULT, batch(self->fd, NULL, 1));
	EXPECT_EQ(-EFAULT, batch(self->fd, (void *)none, 3));
	EXPECT_EQ(-EFAULT, batch(self->fd, (void *)(uintptr_t)-4096, 1));
	/*
	 * Ops 0..11 readable, 12..15 not. The glue takes 8 at a time: the
	 * first 8 are carried out and written back, then the next 8 cannot be
	 * read, and none of them is carried out.
	 */
	ops = (struct psxtimer_batch_op *)none - 12;
	for (i = 0; i < 12; i++)
		ops[i] = op(PSXTIMER_BATCH_SETTIME, i, 0, 100 * NSEC_PER_SEC, 0);
	EXPECT_EQ(-EFAULT, batch(self->fd, ops, 16));
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(0, ops[i].result);
		EXPECT_TRUE(armed(self->fd, i));
	}
	for (i = 8; i < 16; i++) {
		if (i < 12)
			EXPECT_EQ(POISON, ops[i].result) TH_LOG("op %d", i);
		EXPECT_FALSE(armed(self->fd, i)) TH_LOG("timer %d", i);
	}
}

/* Results that cannot be written: EFAULT, the op carried out all the same. */
TEST_F(batch, unwritable_results)
{
	struct psxtimer_batch_op *ops;
	char *none;
	void *page = two_pages(&none);

	ASSERT_TRUE(page != NULL);
	ASSERT_EQ(0, psx_create(self->fd, PSXTIMER_CLOCK_MONOTONIC, NULL));
	ops = page;
	ops[0] = op(PSXTIMER_BATCH_SETTIME, 0, 0, 100 * NSEC_PER_SEC, 0);
	ASSERT_EQ(0, mprotect(page, PAGE, PROT_READ));
	EXPECT_EQ(-EFAULT, batch(self->fd, ops, 1));
	EXPECT_TRUE(armed(self->fd, 0));
	EXPECT_EQ(POISON, ops[0].result);
}

/* A process that never created a timer: every op is EINVAL. */
TEST_F(batch, no_timers_yet)
{
	struct psxtimer_batch_op ops[3];
	int status, fd;
	pid_t pid;

	/* The child has no table: the module keys them by process. */
	ASSERT_EQ(0, psx_create(self->fd, PSXTIMER_CLOCK_MONOTONIC, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		fd = psx_open();
		ops[0] = op(PSXTIMER_BATCH_SETTIME, 0, 0, NSEC_PER_SEC, 0);
		ops[1] = op(PSXTIMER_BATCH_GETTIME, 0, 0, 0, 0);
		ops[2] = op(PSXTIMER_BATCH_GETOVERRUN, 0, 0, 0, 0);
		if (batch(fd, ops, 3))
			_exit(1);
		for (int i = 0; i < 3; i++)
			if (ops[i].result != -EINVAL || !zero_spec(&ops[i].old_value))
				_exit(2 + i);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_FALSE(armed(self->fd, 0));
}

TEST_HARNESS_MAIN
