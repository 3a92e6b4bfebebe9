// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libpsxtimer: the POSIX timer calls over /dev/psxtimer's ioctls. No lock
 * and no allocation on any call: the device is opened once (O_CLOEXEC) and
 * its fd shared; the module keys everything by the calling process, so a
 * forked child that inherits the fd simply starts with no timers.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/psxtimer.h>

#include "psxtimer.h"

#define NSEC 1000000000LL

static int dev_fd = -1;
static pthread_once_t dev_once = PTHREAD_ONCE_INIT;
static int dev_errno;

static void dev_open(void)
{
	dev_fd = open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0)
		dev_errno = errno;
}

/* The ioctl, with -1/errno; ENODEV-ish errors of open are reported as they came. */
static int dev_ioctl(unsigned long cmd, void *arg)
{
	pthread_once(&dev_once, dev_open);
	if (dev_fd < 0) {
		errno = dev_errno;
		return -1;
	}
	return ioctl(dev_fd, cmd, arg);
}

static void ts_in(struct psxtimer_timespec *to, const struct timespec *from)
{
	to->tv_sec = from->tv_sec;
	to->tv_nsec = from->tv_nsec;
}

/* EOVERFLOW where a 32-bit time_t cannot hold the seconds. */
static int ts_out(struct timespec *to, const struct psxtimer_timespec *from)
{
	if ((long long)(time_t)from->tv_sec != from->tv_sec) {
		errno = EOVERFLOW;
		return -1;
	}
	to->tv_sec = from->tv_sec;
	to->tv_nsec = from->tv_nsec;
	return 0;
}

int psx_timer_create(clockid_t clock, struct sigevent *sev, psx_timer_t *timerid)
{
	struct psxtimer_create c = { .clock_id = clock };

	if (sev) {
		c.flags = PSXTIMER_CREATE_SIGEVENT;
		c.sigevent.sigev_notify = sev->sigev_notify;
		c.sigevent.sigev_signo = sev->sigev_signo;
		c.sigevent.sigev_value = (uintptr_t)sev->sigev_value.sival_ptr;
		if (sev->sigev_notify == SIGEV_THREAD_ID)
			c.sigevent.sigev_tid = sev->_sigev_un._tid;
		if (sev->sigev_notify == PSX_SIGEV_PORT) {
			const psx_port_notify_t *pn = sev->sigev_value.sival_ptr;

			if (!pn) {
				errno = EFAULT;
				return -1;
			}
			c.sigevent.sigev_notify = PSXTIMER_SIGEV_PORT;
			c.sigevent.sigev_port = pn->portnfy_port;
			c.sigevent.sigev_value = (uintptr_t)pn->portnfy_user;
		} else if (sev->sigev_notify == SIGEV_THREAD) {
			/* Helper threads on a port come with the rest of the library. */
			errno = ENOTSUP;
			return -1;
		}
	}
	if (dev_ioctl(PSXTIMER_IOC_TIMER_CREATE, &c))
		return -1;
	*timerid = c.timer_id;
	return 0;
}

int psx_timer_settime(psx_timer_t timerid, int flags, const struct itimerspec *value,
		      struct itimerspec *ovalue)
{
	struct psxtimer_settime s = { .timer_id = timerid, .flags = flags };

	if (!value) {
		errno = EFAULT;
		return -1;
	}
	ts_in(&s.new_value.it_value, &value->it_value);
	ts_in(&s.new_value.it_interval, &value->it_interval);
	if (dev_ioctl(PSXTIMER_IOC_TIMER_SETTIME, &s))
		return -1;
	if (ovalue && (ts_out(&ovalue->it_value, &s.old_value.it_value) ||
		       ts_out(&ovalue->it_interval, &s.old_value.it_interval)))
		return -1;
	return 0;
}

int psx_timer_gettime(psx_timer_t timerid, struct itimerspec *value)
{
	struct psxtimer_gettime g = { .timer_id = timerid };

	if (dev_ioctl(PSXTIMER_IOC_TIMER_GETTIME, &g))
		return -1;
	if (ts_out(&value->it_value, &g.value.it_value) ||
	    ts_out(&value->it_interval, &g.value.it_interval))
		return -1;
	return 0;
}

int psx_timer_delete(psx_timer_t timerid)
{
	struct psxtimer_timer t = { .timer_id = timerid };

	return dev_ioctl(PSXTIMER_IOC_TIMER_DELETE, &t);
}

int psx_timer_getoverrun(psx_timer_t timerid)
{
	struct psxtimer_timer t = { .timer_id = timerid };

	return dev_ioctl(PSXTIMER_IOC_TIMER_GETOVERRUN, &t) ? -1 : t.overrun;
}

int psx_clock_gettime(clockid_t clock, struct timespec *ts)
{
	struct psxtimer_clock c = { .clock_id = clock };

	if (dev_ioctl(PSXTIMER_IOC_CLOCK_GETTIME, &c))
		return -1;
	return ts_out(ts, &c.ts);
}

int psx_clock_settime(clockid_t clock, const struct timespec *ts)
{
	struct psxtimer_clock c = { .clock_id = clock };

	if (!ts) {
		errno = EFAULT;
		return -1;
	}
	ts_in(&c.ts, ts);
	return dev_ioctl(PSXTIMER_IOC_CLOCK_SETTIME, &c);
}

int psx_clock_getres(clockid_t clock, struct timespec *res)
{
	struct psxtimer_clock c = { .clock_id = clock };

	if (!res)
		return dev_ioctl(PSXTIMER_IOC_CLOCK_GETRES, NULL);
	if (dev_ioctl(PSXTIMER_IOC_CLOCK_GETRES, &c))
		return -1;
	return ts_out(res, &c.ts);
}

int psx_port_create(void)
{
	struct psxtimer_port_create p = { .flags = PSXTIMER_PORT_CLOEXEC | PSXTIMER_PORT_NONBLOCK };

	return dev_ioctl(PSXTIMER_IOC_PORT_CREATE, &p) ? -1 : p.fd;
}

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

int psx_port_getn(int port, psx_port_event_t *list, unsigned int max, unsigned int *nget,
		  const struct timespec *timeout)
{
	struct psxtimer_port_event ev[16];
	unsigned int want = *nget ? *nget : 1, got = 0, i;
	long long deadline = timeout ? mono_ns() + timeout->tv_sec * NSEC + timeout->tv_nsec : 0;

	if (!max || want > max) {
		errno = EINVAL;
		return -1;
	}
	while (got < want) {
		unsigned int room = max - got < 16 ? max - got : 16;
		ssize_t n = read(port, ev, room * sizeof(ev[0]));
		struct pollfd pfd = { .fd = port, .events = POLLIN };
		long long left = timeout ? deadline - mono_ns() : -1;

		if (n > 0) {
			for (i = 0; i < n / sizeof(ev[0]); i++, got++) {
				list[got].portev_events = ev[i].events;
				list[got].portev_source = ev[i].source;
				list[got].portev_object = ev[i].timer_id;
				list[got].portev_user = (void *)(uintptr_t)ev[i].cookie;
			}
			continue;
		}
		if (errno != EAGAIN)
			break;
		if (timeout && left <= 0) {
			errno = ETIME;
			break;
		}
		if (poll(&pfd, 1, timeout ? (int)((left + 999999) / 1000000) : -1) < 0)
			break;
	}
	*nget = got;
	return got >= want ? 0 : -1;
}

int psx_port_get(int port, psx_port_event_t *ev, const struct timespec *timeout)
{
	unsigned int n = 1;

	return psx_port_getn(port, ev, 1, &n, timeout);
}
