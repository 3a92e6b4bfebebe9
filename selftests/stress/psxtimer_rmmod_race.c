// SPDX-License-Identifier: GPL-2.0
/*
 * psxtimer_rmmod_race: rmmod against the last processes' exit. Each round
 * loads psxtimer.ko, forks processes that make a timer table (a timer,
 * armed or not) and exit at scattered moments while spinning threads keep
 * every CPU busy (so an exiting task is often preempted inside the
 * module's exit work), and meanwhile retries delete_module until it
 * succeeds. The module may only refuse as a module in use does
 * (EWOULDBLOCK), then must unload, and the kernel must not notice (the
 * caller scans the console for reports): no task may return into freed
 * module text.
 *
 *   psxtimer_rmmod_race MODULE.ko [--rounds N] [--procs N]
 *
 * Needs root, and no other user of the module. Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/psxtimer.h>

static int spin_stop;	/* __atomic */

static void *spin(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&spin_stop, __ATOMIC_RELAXED))
		;
	return NULL;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A process with a table: one timer, sometimes armed; exits after delay_us. */
static void owner(unsigned int delay_us, int arm)
{
	struct psxtimer_create c = { .clock_id = PSXTIMER_CLOCK_MONOTONIC };
	struct psxtimer_settime s = { 0 };
	int fd = open(PSXTIMER_DEVICE, O_RDWR);

	signal(SIGALRM, SIG_IGN);
	if (fd < 0 || ioctl(fd, PSXTIMER_IOC_TIMER_CREATE, &c))
		_exit(1);
	if (arm) {
		s.timer_id = c.timer_id;
		s.new_value.it_value.tv_nsec = 200000;
		s.new_value.it_interval.tv_nsec = 200000;
		if (ioctl(fd, PSXTIMER_IOC_TIMER_SETTIME, &s))
			_exit(1);
	}
	close(fd);	/* the table, not the fd, is what pins the module */
	usleep(delay_us);
	_exit(0);
}

int main(int argc, char **argv)
{
	int rounds = 20, procs = 16, i, r, fd, bad = 0, ncpu;
	unsigned long refusals = 0;
	long long lag_sum = 0, lag_max = 0;
	int lags = 0;
	unsigned int seed = (unsigned int)now_ns();
	pthread_t spinners[8];
	const char *ko;

	if (argc < 2) {
		fprintf(stderr, "usage: %s MODULE.ko [--rounds N] [--procs N]\n", argv[0]);
		return 2;
	}
	ko = argv[1];
	for (i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--rounds"))
			rounds = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--procs"))
			procs = atoi(argv[i + 1]);
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu > 8)
		ncpu = 8;
	printf("TAP version 13\n1..2\n# %d rounds of %d processes, %d spinners, seed %u\n",
	       rounds, procs, ncpu, seed);
	fflush(stdout);
	for (i = 0; i < ncpu; i++)
		pthread_create(&spinners[i], NULL, spin, NULL);

	for (r = 0; r < rounds && !bad; r++) {
		long long deadline, reaped;
		pid_t pid;
		int live = procs;

		fd = open(ko, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || syscall(SYS_finit_module, fd, "", 0)) {
			printf("# round %d: load %s: %s\n", r, ko, strerror(errno));
			bad = 1;
			break;
		}
		close(fd);
		for (i = 0; i < procs; i++) {
			unsigned int delay = rand_r(&seed) % 3000;

			pid = fork();
			if (pid == 0)
				owner(delay, rand_r(&seed) % 2);
			if (pid < 0)
				live--;
		}
		/* Unload as soon as the module lets us: at the last exit. */
		deadline = now_ns() + 60 * 1000000000LL;
		reaped = 0;
		while (syscall(SYS_delete_module, "psxtimer", O_NONBLOCK)) {
			if (errno != EWOULDBLOCK && errno != EBUSY && errno != EAGAIN) {
				printf("# round %d: delete_module: %s\n", r, strerror(errno));
				bad = 1;
				break;
			}
			refusals++;
			if (now_ns() > deadline) {
				printf("# round %d: still in use after 60 s\n", r);
				bad = 1;
				break;
			}
			while (live > 0 && waitpid(-1, NULL, WNOHANG) > 0)
				if (!--live)
					reaped = now_ns();
		}
		/* How long rmmod still waited once every owner was reaped. */
		if (!bad && reaped) {
			long long lag = now_ns() - reaped;

			lag_sum += lag;
			lag_max = lag > lag_max ? lag : lag_max;
			lags++;
		}
		while (live > 0 && wait(NULL) > 0)
			live--;
	}
	__atomic_store_n(&spin_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < ncpu; i++)
		pthread_join(spinners[i], NULL);
	printf("# %d rounds, %lu refusals while in use\n", r, refusals);
	if (lags)
		printf("# unload after the last owner was reaped: mean %.1f ms, max %.1f ms (%d rounds)\n",
		       lag_sum / 1e6 / lags, lag_max / 1e6, lags);
	printf("%sok 1 rmmod_race: each unload refused as in use, then done\n",
	       bad ? "not " : "");
	/* Leave it loaded, as found. */
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0)) {
		printf("not ok 2 rmmod_race: the module loads again: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	printf("ok 2 rmmod_race: the module loads again\n");
	return bad;
}
