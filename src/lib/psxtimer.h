/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpsxtimer: POSIX timers served by the psxtimer module (/dev/psxtimer),
 * with the POSIX signatures and errno conventions (-1 and errno on
 * failure), plus illumos's event ports.
 *
 * Timer ids (psx_timer_t) are the module's: small non-negative integers,
 * lowest free first. SIGEV_PORT takes a psx_port_notify_t through
 * sigev_value.sival_ptr, as illumos's port_notify_t.
 *
 * SIGEV_THREAD, as illumos libc builds it: each such timer has a port of
 * its own and one helper thread, which waits on the port and calls
 * sigev_notify_function(sigev_value) once per event, one call at a time.
 * The timer holds two close-on-exec fds (the port, and an eventfd that
 * wakes the helper on delete) until its helper ends.
 * Fires while a call runs are not lost: they coalesce into the next event,
 * and psx_timer_getoverrun() (in the function, or until the next event is
 * taken) is that event's count less one. The helper is created with
 * sigev_notify_attributes (NULL: the defaults), read when psx_timer_create
 * runs, with two rules from illumos: it is always detached, and it starts
 * with every signal blocked unless the attributes carry a signal mask
 * (pthread_attr_setsigmask_np); a stack address is allowed, since one
 * thread uses it. Each call starts with the helper's initial signal mask
 * and cancellation enabled and deferred, as a new thread would.
 * psx_timer_delete() does not wait for a call in progress (illumos does
 * not either), so a function may delete its own timer; once delete has
 * returned, no further call begins (one running finishes). A function
 * that ends its thread (pthread_exit) ends the calls for its timer, which
 * stays, silent, until deleted. A function given as NULL is EINVAL; the
 * errors of pthread_create (EAGAIN, EINVAL, EPERM) are create's.
 *
 * fork: the child has no timers (the module's table is per process) and no
 * helpers; the library forgets the parent's SIGEV_THREAD timers in the
 * child (pthread_atfork), so their ids are EINVAL there, like every other
 * timer's. A child forked inside a notification function goes on in it;
 * when it returns, its thread, the child's only one, ends.
 *
 * The public types are typedefs on purpose, as POSIX's timer_t and
 * illumos's port_notify_t and port_event_t are. checkpatch-ignore: NEW_TYPEDEFS
 */
#ifndef PSXTIMER_LIB_H
#define PSXTIMER_LIB_H

#include <signal.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int psx_timer_t;

/* illumos SIGEV_PORT (Linux has none): sigev_value.sival_ptr -> psx_port_notify_t */
#define PSX_SIGEV_PORT 5

typedef struct psx_port_notify {
	int portnfy_port;	/* from psx_port_create() */
	void *portnfy_user;	/* the cookie each event carries */
} psx_port_notify_t;

/* What psx_port_get() returns for a timer event (illumos port_event_t). */
typedef struct psx_port_event {
	int portev_events;		/* expirations since the last retrieval */
	unsigned short portev_source;	/* PSX_PORT_SOURCE_TIMER */
	unsigned long long portev_object;	/* the timer id */
	void *portev_user;		/* portnfy_user */
} psx_port_event_t;

#define PSX_PORT_SOURCE_TIMER 1

int psx_timer_create(clockid_t clock, struct sigevent *sev, psx_timer_t *timerid);
int psx_timer_settime(psx_timer_t timerid, int flags, const struct itimerspec *value,
		      struct itimerspec *ovalue);
int psx_timer_gettime(psx_timer_t timerid, struct itimerspec *value);
int psx_timer_delete(psx_timer_t timerid);
int psx_timer_getoverrun(psx_timer_t timerid);

/*
 * Many timers in one call (PSXTIMER_IOC_BATCH; no POSIX system has this):
 * the call on timerids[i] for each i < n, in order, each as the call above
 * would make it, with the arrays indexed alike (ovalues may be NULL; an
 * overrun that failed is -1). errors[i], unless errors is NULL, is 0 or
 * that call's errno. 0 when every call succeeded, else -1 with errno the
 * first failure's. Up to 64 calls go to the module at a time, from the
 * stack: no lock, no allocation.
 */
int psx_timer_settime_n(unsigned int n, const psx_timer_t *timerids, int flags,
			const struct itimerspec *values, struct itimerspec *ovalues, int *errors);
int psx_timer_gettime_n(unsigned int n, const psx_timer_t *timerids, struct itimerspec *values,
			int *errors);
int psx_timer_getoverrun_n(unsigned int n, const psx_timer_t *timerids, int *overruns,
			   int *errors);

int psx_clock_gettime(clockid_t clock, struct timespec *ts);
int psx_clock_settime(clockid_t clock, const struct timespec *ts);
int psx_clock_getres(clockid_t clock, struct timespec *res);

/* An event port: a file descriptor (close() it when done). */
int psx_port_create(void);
/*
 * Wait for at least *nget (at least 1) events, at most max, up to timeout
 * (NULL: forever); *nget says how many came. 0, or -1 with errno: ETIME
 * when the timeout passed first, EINTR, EACCES (another process's events).
 */
int psx_port_getn(int port, psx_port_event_t *list, unsigned int max, unsigned int *nget,
		  const struct timespec *timeout);
int psx_port_get(int port, psx_port_event_t *ev, const struct timespec *timeout);

#ifdef __cplusplus
}
#endif

#endif /* PSXTIMER_LIB_H */
