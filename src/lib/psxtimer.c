// SPDX-License-Identifier: GPL-2.0
/*
 * psxtimer: the command-line tool.
 *
 *   psxtimer info      version and limits of the loaded module
 *   psxtimer demo      a periodic timer, its signals and their overruns
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/psxtimer.h>

static int cmd_info(void)
{
	struct psxtimer_info info;
	int fd = open(PSXTIMER_DEVICE, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "psxtimer: %s: %s (is the module loaded?)\n",
			PSXTIMER_DEVICE, strerror(errno));
		return 1;
	}
	if (ioctl(fd, PSXTIMER_IOC_INFO, &info) < 0) {
		fprintf(stderr, "psxtimer: PSXTIMER_IOC_INFO: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	printf("psxtimer %u.%u.%u (ABI %u): %s answers, timer_max=%u timers per process\n",
	       info.version_major, info.version_minor, info.version_patch,
	       info.abi_version, PSXTIMER_DEVICE, info.timer_max);
	return 0;
}

static int fail(const char *what)
{
	fprintf(stderr, "psxtimer: %s: %s\n", what, strerror(errno));
	return 1;
}

/* A 10 ms CLOCK_HIGHRES timer: five signals taken on time, then one taken late. */
static int cmd_demo(void)
{
	struct psxtimer_create c = {
		.clock_id = PSXTIMER_CLOCK_HIGHRES,
		.flags = PSXTIMER_CREATE_SIGEVENT,
		.sigevent = { .sigev_notify = PSXTIMER_SIGEV_SIGNAL,
			      .sigev_signo = SIGRTMIN, .sigev_value = 42 },
	};
	struct psxtimer_settime s = { 0 };
	struct psxtimer_timer t = { 0 };
	int fd = open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC), i;
	sigset_t set;
	siginfo_t si;

	if (fd < 0)
		return fail(PSXTIMER_DEVICE);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (ioctl(fd, PSXTIMER_IOC_TIMER_CREATE, &c))
		return fail("timer_create");
	s.timer_id = c.timer_id;
	s.new_value.it_value.tv_nsec = 10000000;
	s.new_value.it_interval.tv_nsec = 10000000;
	if (ioctl(fd, PSXTIMER_IOC_TIMER_SETTIME, &s))
		return fail("timer_settime");
	printf("timer %d: CLOCK_HIGHRES, every 10 ms, SIGRTMIN with value 42\n", c.timer_id);
	for (i = 0; i < 5; i++) {
		if (sigwaitinfo(&set, &si) < 0)
			return fail("sigwaitinfo");
		printf("  signal %d: si_timerid=%d si_value=%d si_overrun=%d\n",
		       si.si_signo, si.si_timerid, si.si_value.sival_int, si.si_overrun);
	}
	printf("not taking signals for 100 ms...\n");
	usleep(100000);
	if (sigwaitinfo(&set, &si) < 0)
		return fail("sigwaitinfo");
	t.timer_id = c.timer_id;
	if (ioctl(fd, PSXTIMER_IOC_TIMER_GETOVERRUN, &t))
		return fail("timer_getoverrun");
	printf("  one signal for all of them: si_overrun=%d, timer_getoverrun=%d\n",
	       si.si_overrun, t.overrun);
	if (ioctl(fd, PSXTIMER_IOC_TIMER_DELETE, &t))
		return fail("timer_delete");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "info"))
		return cmd_info();
	if (argc == 2 && !strcmp(argv[1], "demo"))
		return cmd_demo();
	fprintf(stderr, "usage: psxtimer info|demo\n");
	return 2;
}
