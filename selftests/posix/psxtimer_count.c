// SPDX-License-Identifier: GPL-2.0
/*
 * psxtimer_count PID: how many timers the psxtimer module holds for PID
 * (PSXTIMER_IOC_STAT), or "absent" without /dev/psxtimer. The POSIX
 * tests run it to prove who served their timers; static, so an
 * LD_PRELOAD in the environment does not reach it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/psxtimer.h>

int main(int argc, char **argv)
{
	struct psxtimer_stat st = { 0 };
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: psxtimer_count PID\n");
		return 2;
	}
	fd = open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT && errno != ENODEV && errno != ENXIO) {
			perror(PSXTIMER_DEVICE);
			return 1;
		}
		printf("absent\n");
		return 0;
	}
	st.pid = atoi(argv[1]);
	if (ioctl(fd, PSXTIMER_IOC_STAT, &st)) {
		perror("PSXTIMER_IOC_STAT");
		return 1;
	}
	printf("%u\n", st.count);
	return 0;
}
