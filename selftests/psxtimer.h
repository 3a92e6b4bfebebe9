/* SPDX-License-Identifier: GPL-2.0 */
/* Small wrappers over the /dev/psxtimer ioctls for the selftests. */
#ifndef PSXTIMER_SELFTEST_H
#define PSXTIMER_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/psxtimer.h>

#define NSEC_PER_SEC 1000000000LL

/* The ABI is one layout for 32- and 64-bit programs: built both ways. */
#define ABI_SIZE(type, size) _Static_assert(sizeof(type) == (size), #type)
#define ABI_AT(type, field, off) \
	_Static_assert(__builtin_offsetof(type, field) == (off), #type "." #field)
ABI_SIZE(struct psxtimer_timespec, 16);
ABI_SIZE(struct psxtimer_itimerspec, 32);
ABI_AT(struct psxtimer_itimerspec, it_value, 16);
ABI_SIZE(struct psxtimer_sigevent, 32);
ABI_AT(struct psxtimer_sigevent, sigev_signo, 8);
ABI_AT(struct psxtimer_sigevent, sigev_tid, 16);
ABI_SIZE(struct psxtimer_info, 64);
ABI_SIZE(struct psxtimer_create, 48);
ABI_AT(struct psxtimer_create, sigevent, 8);
ABI_AT(struct psxtimer_create, timer_id, 40);
ABI_SIZE(struct psxtimer_settime, 72);
ABI_AT(struct psxtimer_settime, new_value, 8);
ABI_AT(struct psxtimer_settime, old_value, 40);
ABI_SIZE(struct psxtimer_gettime, 40);
ABI_AT(struct psxtimer_gettime, value, 8);
ABI_SIZE(struct psxtimer_timer, 16);
ABI_AT(struct psxtimer_timer, overrun, 4);
ABI_SIZE(struct psxtimer_clock, 24);
ABI_AT(struct psxtimer_clock, ts, 8);
ABI_AT(struct psxtimer_sigevent, sigev_port, 20);
ABI_SIZE(struct psxtimer_port_create, 16);
ABI_SIZE(struct psxtimer_port_event, 24);
ABI_AT(struct psxtimer_port_event, timer_id, 8);
ABI_AT(struct psxtimer_port_event, source, 16);
ABI_AT(struct psxtimer_info, nr_timers, 24);
ABI_AT(struct psxtimer_info, nr_procs, 28);
ABI_SIZE(struct psxtimer_stat, 32);
ABI_AT(struct psxtimer_stat, timers, 8);
ABI_AT(struct psxtimer_stat, flags, 16);
ABI_SIZE(struct psxtimer_stat_timer, 64);
ABI_AT(struct psxtimer_stat_timer, pending, 20);
ABI_AT(struct psxtimer_stat_timer, sigev_value, 24);
ABI_AT(struct psxtimer_stat_timer, value, 32);
ABI_SIZE(struct psxtimer_batch, 16);
ABI_AT(struct psxtimer_batch, count, 8);
ABI_AT(struct psxtimer_batch, flags, 12);
ABI_SIZE(struct psxtimer_batch_op, 80);
ABI_AT(struct psxtimer_batch_op, timer_id, 4);
ABI_AT(struct psxtimer_batch_op, flags, 8);
ABI_AT(struct psxtimer_batch_op, result, 12);
ABI_AT(struct psxtimer_batch_op, value, 16);
ABI_AT(struct psxtimer_batch_op, old_value, 48);

/* Write s to a control file (debugfs, /proc): 0, or -1 with errno. */
static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

static inline int psx_open(void)
{
	return open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC);
}

/* Returns the id, or -errno. sev NULL: the default (SIGALRM, value = id). */
static inline int psx_create(int fd, int clock, const struct psxtimer_sigevent *sev)
{
	struct psxtimer_create c = { .clock_id = clock };

	if (sev) {
		c.flags = PSXTIMER_CREATE_SIGEVENT;
		c.sigevent = *sev;
	}
	if (ioctl(fd, PSXTIMER_IOC_TIMER_CREATE, &c))
		return -errno;
	return c.timer_id;
}

/*
 * PSXTIMER_IOC_STAT of pid into buf[max]: the number of timers the process
 * has (which may exceed max), or -errno.
 */
static inline int psx_stat(int fd, int pid, struct psxtimer_stat_timer *buf, unsigned int max)
{
	struct psxtimer_stat s = { .pid = pid, .count = max, .timers = (uintptr_t)buf };

	return ioctl(fd, PSXTIMER_IOC_STAT, &s) ? -errno : (int)s.count;
}

/* The module's counters: timers and processes alive now. */
static inline int psx_counters(int fd, unsigned int *timers, unsigned int *procs)
{
	struct psxtimer_info info;

	if (ioctl(fd, PSXTIMER_IOC_INFO, &info))
		return -errno;
	*timers = info.nr_timers;
	*procs = info.nr_procs;
	return 0;
}

static inline struct psxtimer_sigevent psx_sev(int notify, int signo, __u64 value)
{
	struct psxtimer_sigevent sev = {
		.sigev_notify = notify, .sigev_signo = signo, .sigev_value = value,
	};
	return sev;
}

/* A new port fd, or -errno. */
static inline int psx_port(int fd, unsigned int flags)
{
	struct psxtimer_port_create p = { .flags = flags };

	return ioctl(fd, PSXTIMER_IOC_PORT_CREATE, &p) ? -errno : p.fd;
}

/* A timer that notifies port with cookie; its id or -errno. */
static inline int psx_port_timer(int fd, int clock, int port, __u64 cookie)
{
	struct psxtimer_sigevent sev = {
		.sigev_notify = PSXTIMER_SIGEV_PORT, .sigev_port = port,
		.sigev_value = cookie,
	};

	return psx_create(fd, clock, &sev);
}

static inline int psx_settime(int fd, int id, int flags, long long value_ns,
			      long long interval_ns, struct psxtimer_itimerspec *old)
{
	struct psxtimer_settime s = { .timer_id = id, .flags = flags };

	s.new_value.it_value.tv_sec = value_ns / NSEC_PER_SEC;
	s.new_value.it_value.tv_nsec = value_ns % NSEC_PER_SEC;
	s.new_value.it_interval.tv_sec = interval_ns / NSEC_PER_SEC;
	s.new_value.it_interval.tv_nsec = interval_ns % NSEC_PER_SEC;
	if (ioctl(fd, PSXTIMER_IOC_TIMER_SETTIME, &s))
		return -errno;
	if (old)
		*old = s.old_value;
	return 0;
}

static inline int psx_gettime(int fd, int id, struct psxtimer_itimerspec *v)
{
	struct psxtimer_gettime g = { .timer_id = id };

	if (ioctl(fd, PSXTIMER_IOC_TIMER_GETTIME, &g))
		return -errno;
	*v = g.value;
	return 0;
}

static inline int psx_delete(int fd, int id)
{
	struct psxtimer_timer t = { .timer_id = id };

	return ioctl(fd, PSXTIMER_IOC_TIMER_DELETE, &t) ? -errno : 0;
}

/* The overrun count, or -errno. */
static inline int psx_getoverrun(int fd, int id)
{
	struct psxtimer_timer t = { .timer_id = id };

	return ioctl(fd, PSXTIMER_IOC_TIMER_GETOVERRUN, &t) ? -errno : t.overrun;
}

static inline int psx_clock(int fd, unsigned long cmd, int clock, struct psxtimer_timespec *ts)
{
	struct psxtimer_clock c = { .clock_id = clock };

	if (ts)
		c.ts = *ts;
	if (ioctl(fd, cmd, &c))
		return -errno;
	if (ts)
		*ts = c.ts;
	return 0;
}

static inline long long ts_ns(const struct psxtimer_timespec *ts)
{
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static inline long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

#endif
