// SPDX-License-Identifier: GPL-2.0
/*
 * psxtimer: the command-line tool. For now it reports what the module says
 * about itself; `stat` and `demo` come with the timer subsystem.
 *
 *   psxtimer info      version and limits of the loaded module
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
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

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "info"))
		return cmd_info();
	fprintf(stderr, "usage: psxtimer info\n");
	return 2;
}
