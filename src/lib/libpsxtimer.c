// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libpsxtimer: the POSIX timer calls over /dev/psxtimer's ioctls. The
 * device is opened once (O_CLOEXEC) and its fd shared; the module keys
 * everything by the calling process, so a forked child that inherits the fd
 * simply starts with no timers. settime, gettime and getoverrun are one
 * ioctl each, and their _n forms one per 64 timers: no lock, no
 * allocation. SIGEV_THREAD (below) keeps a table of its helpers, which
 * only create, delete and fork touch.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/psxtimer.h>

#include "abi.h"
#include "psxtimer.h"

#define NSEC 1000000000LL

static int dev_fd = -1;
static pthread_once_t dev_once = PTHREAD_ONCE_INIT;
static int dev_errno;

/*
 * Opened and checked once: a module of another ABI (abi.h) is as good as
 * none, and every call fails with ENOSYS, before any ioctl of a layout it
 * may not share reaches it.
 */
static void dev_open(void)
{
	char why[128];

	dev_fd = open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0) {
		dev_errno = errno;
	} else if (psx_abi_check(dev_fd, why, sizeof(why))) {
		dev_errno = errno;
		close(dev_fd);
		dev_fd = -1;
	}
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

/*
 * SIGEV_THREAD, after illumos libc (port/rt/sigev_thread.c): the module
 * treats the timer as a port timer, and a helper thread per timer waits on
 * that port and calls the function for each event. illumos hands each event
 * to a one-thread pool and waits for it; here the helper calls the function
 * itself, which is the same sequence of calls with one thread less.
 *
 * Locking. sev_lock protects the table sev_table[] (timer id -> helper)
 * and the list sev_all of every helper alive, deleted or not (so a fork
 * closes the child's copy of every helper's port, even one a delete has
 * just let go); only create, delete, a helper's end and the fork handlers
 * touch them: settime, gettime and getoverrun never do. Each helper's own
 * lock protects its deleted and gone flags; it is what makes a delete and
 * the helper agree on who frees the struct sev_thread and closes its fds:
 * the last of the two to let go. sev_lock is never taken under a helper's
 * lock.
 *
 * Waking a helper that waits for an event: nothing the module does on
 * delete wakes a reader of the port, and closing an fd does not interrupt
 * a wait on it. illumos sends the port an alert; the module has none, so
 * each helper polls its port and an eventfd of its own, which delete
 * writes (pthread_cancel would do too, but would bring in glibc's unwinder,
 * whose first use costs a process about a second under KASAN). The port is
 * non-blocking: delete may drop the event poll saw before it is read.
 */
struct sev_thread {
	pthread_mutex_t lock;
	pthread_t thread;
	int port;			/* the helper's port (non-blocking) */
	int wake;			/* eventfd: delete writes it */
	void (*fn)(union sigval value);
	union sigval value;
	bool deleted;			/* psx_timer_delete() ran: the helper frees */
	bool gone;			/* the helper ended first: delete frees */
	struct sev_thread *next, **pprev;	/* on sev_all */
};

static pthread_mutex_t sev_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sev_thread **sev_table;	/* by timer id */
static struct sev_thread *sev_all;
static unsigned int sev_size;
static pthread_once_t sev_once = PTHREAD_ONCE_INIT;
static int sev_once_err;

/* The helper the calling thread is, if it is one (a fork from a function). */
static __thread struct sev_thread *sev_self;

/* Under sev_lock. */
static void sev_link(struct sev_thread *st)
{
	st->next = sev_all;
	if (sev_all)
		sev_all->pprev = &st->next;
	st->pprev = &sev_all;
	sev_all = st;
}

static void sev_free(struct sev_thread *st)
{
	pthread_mutex_lock(&sev_lock);
	*st->pprev = st->next;
	if (st->next)
		st->next->pprev = st->pprev;
	pthread_mutex_unlock(&sev_lock);
	close(st->port);
	close(st->wake);
	free(st);
}

/* The helper ends: by delete, or by its function ending the thread. */
static void sev_helper_exit(void *arg)
{
	struct sev_thread *st = arg;
	bool last;

	pthread_mutex_lock(&st->lock);
	last = st->deleted;
	if (!last)
		st->gone = true;
	pthread_mutex_unlock(&st->lock);
	if (last)
		sev_free(st);
}

static bool sev_deleted(struct sev_thread *st)
{
	bool deleted;

	pthread_mutex_lock(&st->lock);
	deleted = st->deleted;
	pthread_mutex_unlock(&st->lock);
	return deleted;
}

/*
 * Cancellation is off in the helper's own code (a cancel of the helper
 * from the user acts in the function, or not at all); the function runs
 * as the start routine of a new thread would, cancellable and deferred,
 * and with the helper's initial signal mask each time.
 */
static void *sev_helper(void *arg)
{
	struct sev_thread *st = arg;
	struct pollfd pfd[2] = {
		{ .fd = st->port, .events = POLLIN },
		{ .fd = st->wake, .events = POLLIN },
	};
	struct psxtimer_port_event ev;
	sigset_t mask;

	sev_self = st;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_sigmask(SIG_SETMASK, NULL, &mask);
	pthread_cleanup_push(sev_helper_exit, st);
	while (!sev_deleted(st)) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;	/* cannot happen: give up as illumos does */
		if (read(st->port, &ev, sizeof(ev)) != sizeof(ev)) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			break;	/* the same */
		}
		if (sev_deleted(st))
			break;
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
		st->fn(st->value);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, NULL);
		pthread_sigmask(SIG_SETMASK, &mask, NULL);
	}
	pthread_cleanup_pop(1);
	return NULL;
}

/*
 * Stop a helper taken out of the table. Its timer is gone from the module
 * already, so no event comes any more; a helper waiting wakes, one running
 * the function (maybe this very thread) sees deleted when it returns.
 */
static void sev_stop(struct sev_thread *st)
{
	const uint64_t one = 1;
	bool gone;
	ssize_t n = 0;

	pthread_mutex_lock(&st->lock);
	gone = st->gone;
	st->deleted = true;
	/* Only a count at its maximum fails: readable, so waking, all the same. */
	if (!gone)
		n = write(st->wake, &one, sizeof(one));
	(void)n;
	pthread_mutex_unlock(&st->lock);
	if (gone)
		sev_free(st);
}

/*
 * fork: hold sev_lock across it so the child's table and list are whole.
 * The child has none of the parent's timers and none of its helpers: drop
 * every one on sev_all, closing the child's copies of their ports (the
 * parent's stay open), those of helpers deleted but not yet ended too. A
 * helper's lock may have been held by a thread that is not in the child,
 * so it is not taken; the one helper that can be in the child, the thread
 * that forked from inside its function (never holding its own lock there),
 * gets its lock initialised afresh and is told its timer is deleted, so it
 * ends when the function returns.
 */
static void sev_prepare(void)
{
	pthread_mutex_lock(&sev_lock);
}

static void sev_parent(void)
{
	pthread_mutex_unlock(&sev_lock);
}

static void sev_child(void)
{
	struct sev_thread *st, *next;

	for (st = sev_all; st; st = next) {
		next = st->next;
		if (st != sev_self) {
			close(st->port);
			close(st->wake);
			free(st);
		}
	}
	sev_all = NULL;
	/* Its timer in the table or not (deleted, the function still running). */
	if (sev_self) {
		pthread_mutex_init(&sev_self->lock, NULL);
		sev_self->deleted = true;
		sev_link(sev_self);
	}
	free(sev_table);
	sev_table = NULL;
	sev_size = 0;
	/* Taken by sev_prepare: the child's one thread is the one that holds it. */
	pthread_mutex_unlock(&sev_lock);
}

static void sev_init(void)
{
	sev_once_err = pthread_atfork(sev_prepare, sev_parent, sev_child);
}

/* Room in sev_table for id, under sev_lock: false when out of memory. */
static bool sev_reserve(unsigned int id)
{
	unsigned int size = sev_size ? sev_size : 32;
	struct sev_thread **table;

	while (size <= id)
		size *= 2;
	if (size == sev_size)
		return true;
	table = realloc(sev_table, size * sizeof(*table));
	if (!table)
		return false;
	memset(table + sev_size, 0, (size - sev_size) * sizeof(*table));
	sev_table = table;
	sev_size = size;
	return true;
}

/* The helper of timer id, out of the table; NULL if it has none. */
static struct sev_thread *sev_take(psx_timer_t id)
{
	struct sev_thread *st = NULL;

	pthread_mutex_lock(&sev_lock);
	if (id >= 0 && (unsigned int)id < sev_size) {
		st = sev_table[id];
		sev_table[id] = NULL;
	}
	pthread_mutex_unlock(&sev_lock);
	return st;
}

static int timer_create_ioctl(struct psxtimer_create *c, psx_timer_t *timerid)
{
	if (dev_ioctl(PSXTIMER_IOC_TIMER_CREATE, c))
		return -1;
	*timerid = c->timer_id;
	return 0;
}

/*
 * The id as the ioctl's argument (nothing for the module to copy): a
 * negative one becomes a value above INT_MAX, which the module refuses
 * with EINVAL, as it does any id no timer has.
 */
static unsigned long id_arg(psx_timer_t timerid)
{
	return (unsigned long)(long)timerid;
}

static int timer_delete_ioctl(psx_timer_t timerid)
{
	return dev_ioctl(PSXTIMER_IOC_TIMER_DELETE_ID, (void *)id_arg(timerid));
}

/*
 * The helper is created from the caller's attributes themselves: pthread_create
 * reads what it needs from them, so the caller may destroy them as soon as
 * we return. It is then detached, as illumos makes every SIGEV_THREAD thread
 * (nobody could join it); glibc has no call to clone attributes, and a
 * field-by-field copy could miss one. It starts with every signal blocked
 * (illumos blocks them all in its helpers), unless the attributes set a mask.
 */
static int sev_timer_create(struct psxtimer_create *c, const struct sigevent *sev,
			    psx_timer_t *timerid)
{
	struct psxtimer_port_create p = {
		.flags = PSXTIMER_PORT_CLOEXEC | PSXTIMER_PORT_NONBLOCK,
	};
	pthread_attr_t *attr = sev->sigev_notify_attributes;
	struct sev_thread *st;
	sigset_t all, old;
	psx_timer_t id;
	int err, detach = PTHREAD_CREATE_JOINABLE;

	if (!sev->sigev_notify_function) {
		errno = EINVAL;
		return -1;
	}
	pthread_once(&sev_once, sev_init);
	if (sev_once_err) {
		errno = sev_once_err;
		return -1;
	}
	if (attr && pthread_attr_getdetachstate(attr, &detach)) {
		errno = EINVAL;
		return -1;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		errno = ENOMEM;
		return -1;
	}
	pthread_mutex_init(&st->lock, NULL);
	st->fn = sev->sigev_notify_function;
	st->value = sev->sigev_value;
	if (dev_ioctl(PSXTIMER_IOC_PORT_CREATE, &p))
		goto out_free;
	st->port = p.fd;
	st->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (st->wake < 0)
		goto out_port;
	c->sigevent.sigev_notify = PSXTIMER_SIGEV_THREAD;
	c->sigevent.sigev_port = p.fd;
	if (timer_create_ioctl(c, &id))
		goto out_wake;

	pthread_mutex_lock(&sev_lock);
	err = sev_reserve(id) ? 0 : ENOMEM;
	pthread_mutex_unlock(&sev_lock);
	if (err)
		goto out_delete;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&st->thread, attr, sev_helper, st);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		goto out_delete;
	if (detach == PTHREAD_CREATE_JOINABLE)
		pthread_detach(st->thread);

	pthread_mutex_lock(&sev_lock);
	sev_table[id] = st;
	sev_link(st);
	pthread_mutex_unlock(&sev_lock);
	*timerid = id;
	return 0;

out_delete:
	timer_delete_ioctl(id);
	errno = err;
out_wake:
	err = errno;
	close(st->wake);
	errno = err;
out_port:
	err = errno;
	close(st->port);
	errno = err;
out_free:
	free(st);
	return -1;
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
			return sev_timer_create(&c, sev, timerid);
		}
	}
	return timer_create_ioctl(&c, timerid);
}

int psx_timer_settime(psx_timer_t timerid, int flags, const struct itimerspec *value,
		      struct itimerspec *ovalue)
{
	struct psxtimer_settime s = { .timer_id = timerid, .flags = flags };

	if (!value) {
		errno = EFAULT;
		return -1;
	}
	/* An unknown flag is the module's EINVAL; NO_OLD is the library's to set. */
	if (flags & PSXTIMER_SETTIME_NO_OLD) {
		errno = EINVAL;
		return -1;
	}
	/* Without ovalue, the module neither reads the old value nor copies it. */
	if (!ovalue)
		s.flags |= PSXTIMER_SETTIME_NO_OLD;
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

/*
 * A SIGEV_THREAD timer leaves the table first, so the id cannot be reused
 * (by a create) while it still names the old helper; the helper is stopped
 * once the module has deleted the timer, so no event can come after.
 */
int psx_timer_delete(psx_timer_t timerid)
{
	struct sev_thread *st = sev_take(timerid);
	int ret = timer_delete_ioctl(timerid);

	if (st) {
		int err = errno;

		sev_stop(st);
		errno = err;
	}
	return ret;
}

int psx_timer_getoverrun(psx_timer_t timerid)
{
	return dev_ioctl(PSXTIMER_IOC_TIMER_GETOVERRUN_ID, (void *)id_arg(timerid));
}

/*
 * The _n calls: BATCH_CHUNK ops at a time in one PSXTIMER_IOC_BATCH, their
 * arguments converted from the caller's arrays into a buffer on the stack
 * (5 KB) and the results back.
 */
#define BATCH_CHUNK 64

struct batch_args {
	unsigned int op;
	const psx_timer_t *timerids;
	int flags;
	const struct itimerspec *values;	/* in (settime) */
	struct itimerspec *out;			/* ovalues (settime), values (gettime) */
	int *overruns;
	int *errors;
};

/* Each op's errno into errors[] (if any); 0, or -1 and the first one's. */
static int batch_run(unsigned int n, const struct batch_args *a)
{
	struct psxtimer_batch_op ops[BATCH_CHUNK];
	struct psxtimer_batch b = { .ops = (uintptr_t)ops };
	unsigned int done, i, k;
	int first = 0, err;

	for (done = 0; done < n; done += b.count) {
		b.count = n - done < BATCH_CHUNK ? n - done : BATCH_CHUNK;
		memset(ops, 0, b.count * sizeof(*ops));
		for (k = 0; k < b.count; k++) {
			ops[k].op = a->op;
			ops[k].timer_id = a->timerids[done + k];
			ops[k].flags = a->flags;
			if (a->values) {
				ts_in(&ops[k].value.it_value, &a->values[done + k].it_value);
				ts_in(&ops[k].value.it_interval, &a->values[done + k].it_interval);
			}
		}
		/* The call itself fails only before it does anything: this one and the rest. */
		if (dev_ioctl(PSXTIMER_IOC_BATCH, &b)) {
			err = errno;
			for (i = done; a->errors && i < n; i++)
				a->errors[i] = err;
			for (i = done; a->overruns && i < n; i++)
				a->overruns[i] = -1;
			errno = first ? first : err;
			return -1;
		}
		for (k = 0, i = done; k < b.count; k++, i++) {
			err = ops[k].result < 0 ? -ops[k].result : 0;
			if (a->overruns)
				a->overruns[i] = err ? -1 : ops[k].result;
			if (!err && a->out &&
			    (ts_out(&a->out[i].it_value, &ops[k].old_value.it_value) ||
			     ts_out(&a->out[i].it_interval, &ops[k].old_value.it_interval)))
				err = errno;
			if (a->errors)
				a->errors[i] = err;
			if (err && !first)
				first = err;
		}
	}
	if (!first)
		return 0;
	errno = first;
	return -1;
}

int psx_timer_settime_n(unsigned int n, const psx_timer_t *timerids, int flags,
			const struct itimerspec *values, struct itimerspec *ovalues, int *errors)
{
	struct batch_args a = { PSXTIMER_BATCH_SETTIME, timerids, flags, values, ovalues,
				NULL, errors };

	if (n && (!timerids || !values)) {
		errno = EFAULT;
		return -1;
	}
	return batch_run(n, &a);
}

int psx_timer_gettime_n(unsigned int n, const psx_timer_t *timerids, struct itimerspec *values,
			int *errors)
{
	struct batch_args a = { PSXTIMER_BATCH_GETTIME, timerids, 0, NULL, values, NULL, errors };

	if (n && (!timerids || !values)) {
		errno = EFAULT;
		return -1;
	}
	return batch_run(n, &a);
}

int psx_timer_getoverrun_n(unsigned int n, const psx_timer_t *timerids, int *overruns,
			   int *errors)
{
	struct batch_args a = { PSXTIMER_BATCH_GETOVERRUN, timerids, 0, NULL, NULL, overruns,
				errors };

	if (n && (!timerids || !overruns)) {
		errno = EFAULT;
		return -1;
	}
	return batch_run(n, &a);
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
