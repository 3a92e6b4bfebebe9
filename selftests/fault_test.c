// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation-failure injection, aimed at psxtimer's allocations alone: the
 * module checks its own fault attribute (debugfs psxtimer/fail_alloc) before
 * each allocation, and /proc/thread-self/fail-nth makes the Nth check of
 * one call fail. failslab's cache filter is turned on so that the kernel's
 * other allocations in the same call are never picked. For each call, every
 * allocation is made to fail in turn, until the call runs through with none
 * injected: each failure must be ENOMEM or EAGAIN, leave no timer, fd or
 * table entry behind, and the kmemleak scan at the end of the run must find
 * nothing. Needs the debug kernel (CONFIG_FAULT_INJECTION_DEBUG_FS); skips
 * elsewhere.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "psxtimer.h"
#include "kselftest_harness.h"

#define FAIL_ALLOC "/sys/kernel/debug/psxtimer/fail_alloc"
#define FAILSLAB "/sys/kernel/debug/failslab/"
#define MAX_POINTS 32

static void read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n > 0)
		buf[n] = 0;
}

/* Quiet injections, and failslab never picks a cache of the kernel's. */
static int setup_injection(void)
{
	if (access(FAIL_ALLOC, F_OK))
		return -1;
	if (write_file(FAIL_ALLOC "/verbose", "0") ||
	    write_file(FAILSLAB "cache-filter", "Y"))
		return -2;
	return 0;
}

/* This thread's fail-nth, opened before any fd is counted. */
static int nth_fd = -1;

static int open_nth(void)
{
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	return nth_fd < 0 ? -1 : 0;
}

/* The Nth allocation check of this thread fails (0: none). */
static void fail_nth(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	if (pwrite(nth_fd, buf, len, 0) != len)
		abort();
}

/* Whether the armed failure was injected; disarms it either way. */
static int injected(void)
{
	char buf[16] = "";

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		abort();
	if (atoi(buf) == 0)
		return 1;
	fail_nth(0);
	return 0;
}

static unsigned int timers_alive(int fd)
{
	unsigned int t = 0, p = 0;

	psx_counters(fd, &t, &p);
	return t;
}

/* The lowest fd free now. */
static int next_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

/*
 * What one call does under injection. Runs OP with the 1st, 2nd, ...
 * allocation failing until it succeeds with none injected; returns the
 * number of allocations it made, or -1 (with a diagnostic) on a violation.
 * CHECK verifies that a failed call left nothing behind.
 */
struct call {
	const char *name;
	int (*prepare)(int fd);		/* before each attempt; may be NULL */
	int (*op)(int fd);		/* 0 or -errno */
	int (*clean)(int fd);		/* after a failure: 0 if nothing was left */
	int (*undo)(int fd);		/* after the success */
	int fresh_process;		/* each attempt in a new process */
};

static int attempt(const struct call *c, int fd, int n)
{
	int err, hit;

	if (c->prepare && c->prepare(fd))
		return 'P';
	fail_nth(n);
	err = c->op(fd);
	hit = injected();
	if (!hit)
		return err ? 'E' : 'S';		/* ran through: the count */
	if (err != -ENOMEM && err != -EAGAIN) {
		fprintf(stderr, "# %s: failure %d injected, call returned %d\n", c->name, n, err);
		return 'X';
	}
	if (c->clean(fd)) {
		fprintf(stderr, "# %s: failure %d left something behind\n", c->name, n);
		return 'X';
	}
	return 'F';
}

static int points(const struct call *c, int fd)
{
	int n, r, status;
	pid_t pid;

	for (n = 1; n <= MAX_POINTS; n++) {
		if (c->fresh_process) {
			pid = fork();
			if (pid == 0) {
				close(nth_fd);	/* the parent thread's */
				if (open_nth())
					_exit('P');
				_exit(attempt(c, psx_open(), n));
			}
			if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
				return -1;
			r = WEXITSTATUS(status);
		} else {
			r = attempt(c, fd, n);
		}
		if (r == 'S') {
			if (c->undo && !c->fresh_process && c->undo(fd))
				return -1;
			return n - 1;
		}
		if (r != 'F') {
			fprintf(stderr, "# %s: attempt %d: %c\n", c->name, n, r);
			return -1;
		}
	}
	return -1;
}

/* --- the calls ---------------------------------------------------------- */

static unsigned int alive_before;
static int port_fd = -1, fd_before;

static int count_alive(int fd)
{
	alive_before = timers_alive(fd);
	return 0;
}

static int create_signal(int fd)
{
	struct psxtimer_sigevent sev = psx_sev(PSXTIMER_SIGEV_SIGNAL, SIGUSR1, 1);
	int id = psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, &sev);

	return id < 0 ? id : 0;
}

/* Nothing new: no timer alive, and no entry in our table. */
static int no_timer_left(int fd)
{
	if (timers_alive(fd) != alive_before)
		return -1;
	return psx_stat(fd, 0, NULL, 0) == 0 ? 0 : -1;
}

/* A table with 8 timers: the next create must grow it. */
static int fill_first_slots(int fd)
{
	int n = psx_stat(fd, 0, NULL, 0), i;

	for (i = n; i < 8; i++)
		if (psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, NULL) != i)
			return -1;
	alive_before = timers_alive(fd);
	return psx_stat(fd, 0, NULL, 0) == 8 ? 0 : -1;
}

/* Ids 0..7 and nothing else (a create here would grow the table). */
static int still_eight(int fd)
{
	struct psxtimer_stat_timer buf[9];

	if (timers_alive(fd) != alive_before || psx_stat(fd, 0, buf, 9) != 8)
		return -1;
	return buf[7].timer_id == 7 ? 0 : -1;
}

static int delete_last(int fd)
{
	return psx_delete(fd, 8);
}

static int note_fd(int fd)
{
	fd_before = next_fd();
	return 0;
}

static int port_create(int fd)
{
	int port = psx_port(fd, 0);

	if (port < 0)
		return port;
	port_fd = port;
	return 0;
}

/* A port that works: polled, it has nothing yet. */
static int port_is_empty(int port)
{
	struct pollfd pfd = { .fd = port, .events = POLLIN };

	return poll(&pfd, 1, 0) == 0;
}

static int no_fd_left(int fd)
{
	return next_fd() == fd_before ? 0 : -1;
}

static int close_port(int fd)
{
	return close(port_fd);
}

static int port_timer(int fd)
{
	int id = psx_port_timer(fd, PSXTIMER_CLOCK_MONOTONIC, port_fd, 7);

	return id < 0 ? id : 0;
}

static int delete_all(int fd)
{
	struct psxtimer_stat_timer buf[16];
	int n = psx_stat(fd, 0, buf, 16), i;

	for (i = 0; i < n && i < 16; i++)
		if (psx_delete(fd, buf[i].timer_id))
			return -1;
	return 0;
}

static int stat_self(int fd)
{
	struct psxtimer_stat_timer buf[4];
	int n = psx_stat(fd, 0, buf, 4);

	return n < 0 ? n : 0;
}

static int nothing(int fd)
{
	return 0;
}

static int settime_gettime_getoverrun(int fd)
{
	struct psxtimer_itimerspec v;
	int err = psx_settime(fd, 0, 0, NSEC_PER_SEC, NSEC_PER_SEC, NULL);

	if (!err)
		err = psx_gettime(fd, 0, &v);
	if (!err && psx_getoverrun(fd, 0) < 0)
		err = -errno;
	return err;
}

FIXTURE(fault) {
	int fd;
};

FIXTURE_SETUP(fault)
{
	int err = setup_injection();

	if (err == -1)
		SKIP(return, "no " FAIL_ALLOC " (not the debug kernel)");
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, open_nth());
	self->fd = psx_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(fault)
{
	close(self->fd);
	close(nth_fd);
}

/* The table, the timer, both halves of the id array, the sigqueue. */
TEST_F(fault, first_create_of_a_process)
{
	const struct call c = {
		.name = "first create", .prepare = count_alive, .op = create_signal,
		.clean = no_timer_left, .fresh_process = 1,
	};
	int n = points(&c, self->fd);

	TH_LOG("first create: %d allocations, each failed in turn", n);
	EXPECT_EQ(5, n);
}

/* The id array's two halves, the timer, its sigqueue. */
TEST_F(fault, create_that_grows_the_table)
{
	const struct call c = {
		.name = "growing create", .prepare = fill_first_slots, .op = create_signal,
		.clean = still_eight, .undo = delete_last,
	};
	int n = points(&c, self->fd);

	TH_LOG("create with table growth: %d allocations", n);
	EXPECT_EQ(4, n);
}

TEST_F(fault, port_create)
{
	const struct call c = {
		.name = "port create", .prepare = note_fd, .op = port_create,
		.clean = no_fd_left, .undo = close_port,
	};
	int n = points(&c, self->fd);

	TH_LOG("port create: %d allocations", n);
	EXPECT_EQ(1, n);
}

/*
 * The kernel's own allocations of a port create failing too (the port's
 * file, its dentry): failslab's cache filter off and GFP_KERNEL in play,
 * for this test only. A refused create must be ENOMEM with no fd left
 * behind, the file's failure included, which frees the port it was made
 * for. Some failures the kernel survives (kmemleak falls back on its pool
 * for its own records): then the port is made and works.
 */
TEST_F(fault, port_create_when_the_kernel_cannot_make_its_file)
{
	char gfp[8] = "Y", filter[8] = "Y", verbose[8] = "2";
	int n, err, hit, refused = 0, survived = 0, bad = 0;

	read_file(FAILSLAB "ignore-gfp-wait", gfp, sizeof(gfp));
	read_file(FAILSLAB "cache-filter", filter, sizeof(filter));
	read_file(FAILSLAB "verbose", verbose, sizeof(verbose));
	ASSERT_EQ(0, write_file(FAILSLAB "verbose", "0"));
	ASSERT_EQ(0, write_file(FAILSLAB "ignore-gfp-wait", "N"));
	ASSERT_EQ(0, write_file(FAILSLAB "cache-filter", "N"));
	for (n = 1; n <= MAX_POINTS; n++) {
		note_fd(self->fd);
		fail_nth(n);
		err = port_create(self->fd);
		hit = injected();
		if (!hit || !err) {
			if (err || !port_is_empty(port_fd) || close_port(self->fd))
				bad++;
			if (!hit)
				break;
			survived++;
			continue;
		}
		refused++;
		if (err != -ENOMEM || no_fd_left(self->fd)) {
			TH_LOG("failure %d: port create returned %d, fd %d free before, %d now",
			       n, err, fd_before, next_fd());
			bad++;
		}
	}
	write_file(FAILSLAB "ignore-gfp-wait", gfp);
	write_file(FAILSLAB "cache-filter", filter);
	write_file(FAILSLAB "verbose", verbose);
	TH_LOG("port create, the kernel's allocations too: %d refused, %d survived", refused,
	       survived);
	EXPECT_GT(MAX_POINTS, n);
	EXPECT_EQ(0, bad);
	/* psxtimer's check, the port's kzalloc, then at least the file. */
	EXPECT_LE(3, refused);
}

/* The association itself allocates nothing: the event lives in the timer. */
TEST_F(fault, port_association)
{
	const struct call c = {
		.name = "port timer", .prepare = count_alive, .op = port_timer,
		.clean = no_timer_left, .undo = delete_all,
	};
	int n;

	ASSERT_EQ(0, port_create(self->fd));
	/* The table exists with room: only the timer is allocated. */
	ASSERT_EQ(0, create_signal(self->fd));
	ASSERT_EQ(0, psx_delete(self->fd, 0));
	n = points(&c, self->fd);
	TH_LOG("port timer: %d allocations", n);
	EXPECT_EQ(1, n);
	close(port_fd);
}

TEST_F(fault, stat)
{
	const struct call c = {
		.name = "stat", .prepare = NULL, .op = stat_self, .clean = nothing,
	};

	ASSERT_EQ(0, create_signal(self->fd));
	EXPECT_EQ(1, points(&c, self->fd));
}

/* No allocation on the paths a running program calls most. */
TEST_F(fault, settime_gettime_getoverrun_allocate_nothing)
{
	const struct call c = {
		.name = "settime", .op = settime_gettime_getoverrun, .clean = nothing,
	};

	ASSERT_EQ(0, create_signal(self->fd));
	EXPECT_EQ(0, points(&c, self->fd));
}

TEST_HARNESS_MAIN
