// SPDX-License-Identifier: GPL-2.0
/*
 * The module's side of process lifecycle: a process that owns timers pins
 * the module (rmmod refused), even with /dev/psxtimer closed, and its exit
 * releases everything (the module's reference count goes back down).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <pthread.h>

#include "psxtimer.h"
#include "kselftest_harness.h"

static int module_refs(void)
{
	FILE *f = fopen("/sys/module/psxtimer/refcnt", "r");
	int n = -1;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* Wait up to 2 s for the reference count to reach want. */
static int refcnt_settles_at(int want)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (module_refs() == want)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* A child that owns armed timers, with its fd closed, until killed. */
static pid_t spawn_owner(int *ready_fd)
{
	int pipefd[2];
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd = psx_open(), i;

		signal(SIGALRM, SIG_IGN);
		for (i = 0; i < 4; i++)
			if (psx_create(fd, PSXTIMER_CLOCK_MONOTONIC, NULL) != i ||
			    psx_settime(fd, i, 0, 1000000, 1000000, NULL))
				_exit(1);
		close(fd);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	*ready_fd = pipefd[0];
	return pid;
}

TEST(owner_pins_module_until_it_exits)
{
	int base = module_refs(), ready, status;
	char c;
	pid_t pid;

	ASSERT_LE(0, base);
	pid = spawn_owner(&ready);
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, read(ready, &c, 1));
	/* Its fd is closed; its timer table still holds the module. */
	EXPECT_EQ(base + 1, module_refs());
	EXPECT_EQ(-1, syscall(SYS_delete_module, "psxtimer", O_NONBLOCK));
	/* The kernel's answer for a module in use. */
	EXPECT_EQ(EWOULDBLOCK, errno);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(refcnt_settles_at(base));
	close(ready);
}

TEST(many_owners_exit_together)
{
	int base = module_refs(), i, status;
	pid_t pids[8];
	int ready[8];
	char c;

	for (i = 0; i < 8; i++) {
		pids[i] = spawn_owner(&ready[i]);
		ASSERT_LT(0, pids[i]);
	}
	for (i = 0; i < 8; i++)
		ASSERT_EQ(1, read(ready[i], &c, 1));
	EXPECT_EQ(base + 8, module_refs());
	for (i = 0; i < 8; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < 8; i++) {
		waitpid(pids[i], &status, 0);
		close(ready[i]);
	}
	EXPECT_TRUE(refcnt_settles_at(base));
}

/* exit_group with several threads, each possibly the last one out. */
static void *spin(void *arg)
{
	for (;;)
		pause();
	return arg;
}

TEST(multithreaded_owner_exits)
{
	int base = module_refs(), status;
	pid_t pid = fork();

	if (pid == 0) {
		int fd = psx_open(), i;
		pthread_t th;

		signal(SIGALRM, SIG_IGN);
		for (i = 0; i < 4; i++)
			pthread_create(&th, NULL, spin, NULL);
		for (i = 0; i < 8; i++)
			if (psx_create(fd, PSXTIMER_CLOCK_REALTIME, NULL) != i ||
			    psx_settime(fd, i, 0, 100000, 100000, NULL))
				_exit(1);
		usleep(5000);
		exit(0);	/* exit_group: all threads at once */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_TRUE(refcnt_settles_at(base));
}

TEST_HARNESS_MAIN
