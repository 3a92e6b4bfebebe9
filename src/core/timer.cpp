// SPDX-License-Identifier: GPL-2.0
/*
 * The timer and clock syscalls, after illumos timer.c: timer_create,
 * timer_settime, timer_gettime, timer_delete, timer_getoverrun,
 * clock_settime/gettime/getres, and timer_fire.
 *
 * The glue has copied every argument in; results go back through pointers
 * to kernel memory. Errors are negative errno values.
 */
#include "timer.h"

namespace psx {

/* illumos itimerspecfix(): no negative seconds, nanoseconds in [0, 1e9). */
bool timespec_valid(const psx_timespec &ts)
{
	return ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < NANOSEC;
}

bool timespec_isset(const psx_timespec &ts)
{
	return ts.tv_sec || ts.tv_nsec;
}

bool timespec_to_ns(const psx_timespec &ts, long long *ns)
{
	if (ts.tv_sec > (INT64_MAX_ - ts.tv_nsec) / NANOSEC)
		return false;
	*ns = ts.tv_sec * NANOSEC + ts.tv_nsec;
	return true;
}

psx_timespec ns_to_timespec(long long ns)
{
	return psx_timespec{ns / NANOSEC, ns % NANOSEC};
}

static bool is_signal(int notify)
{
	return notify == PSX_SIGEV_SIGNAL || notify == PSX_SIGEV_THREAD_ID;
}

/* SIGEV_THREAD is a port underneath, as in illumos libc. */
static bool is_port(int notify)
{
	return notify == PSX_SIGEV_PORT || notify == PSX_SIGEV_THREAD;
}

/* Process context. */
void notify_teardown(psx_itimer *it)
{
	if (is_signal(it->it_notify))
		psx_sig_teardown(it->kt);
	else if (is_port(it->it_notify))
		psx_port_teardown(it->kt);
}

/* given: the caller passed a sigevent (else si_value is the id). */
static int notify_setup(psx_itimer *it, const psx_sigevent &ev, bool given)
{
	int tid = ev.notify == PSX_SIGEV_THREAD_ID ? ev.tid : 0;
	unsigned long long value = given ? ev.value : it->it_id;

	if (is_signal(ev.notify))
		return psx_sig_setup(it->kt, ev.signo, it->it_id, value, tid);
	if (is_port(ev.notify))
		return psx_port_setup(it->kt, ev.port, ev.value, it->it_id);
	return 0;
}

static int sigevent_check(const psx_sigevent &ev)
{
	switch (ev.notify) {
	case PSX_SIGEV_NONE:
		return 0;
	case PSX_SIGEV_SIGNAL:
	case PSX_SIGEV_THREAD_ID:
		if (ev.signo < 1 || ev.signo >= PSX_NSIG)
			return -PSX_EINVAL;
		if (ev.notify == PSX_SIGEV_THREAD_ID && ev.tid <= 0)
			return -PSX_EINVAL;
		return 0;
	case PSX_SIGEV_PORT:
	case PSX_SIGEV_THREAD:
		return 0; /* the port fd is checked when associating */
	default:
		return -PSX_EINVAL;
	}
}

} // namespace psx

using namespace psx;

extern "C" int psx_timer_create(psx_proc *p, int clock, const psx_sigevent *sev,
				int *idp, psx_itimer **itp)
{
	/*
	 * nullptr for a clock without timers (CPU time): illumos refuses it
	 * in clk_timer_create, after the notification is set up, so that a
	 * bad port is EBADF first; here too. An unknown clock is EINVAL now.
	 */
	const TimerBackend *backend = timer_get_backend(clock);

	if (!backend && !clock_get_backend(clock))
		return -PSX_EINVAL;
	/* No sigevent: illumos's clk_default, SIGALRM carrying the id. */
	psx_sigevent ev = {0, PSX_SIGALRM, PSX_SIGEV_SIGNAL, 0, -1};

	if (sev)
		ev = *sev;
	int err = sigevent_check(ev);

	if (err)
		return err;

	psx_ktimer *kt;
	void *mem = psx_ktimer_alloc(sizeof(psx_itimer), &kt);

	if (!mem)
		return -PSX_ENOMEM;
	psx_itimer *it = new (mem) psx_itimer();

	it->kt = kt;
	it->it_clock = clock;
	it->it_notify = PSX_SIGEV_NONE; /* nothing to tear down yet */
	err = timer_publish(p, it);
	if (err) {
		it->~psx_itimer();
		psx_ktimer_free(kt);
		return err;
	}
	/* Born locked: from here on, failure is a full timer delete. */
	int id = it->it_id;

	err = notify_setup(it, ev, sev != nullptr);
	if (err)
		goto out_delete;
	it->it_notify = ev.notify;
	err = backend ? backend->timer_create(it) : -PSX_EINVAL;
	if (err)
		goto out_delete;
	it->it_backend = backend;
	*idp = id;
	*itp = it; /* still locked: psx_timer_create_done() */
	return 0;

out_delete:
	timer_delete_grabbed(p, id, it);
	return err;
}

/* timer.c: "if (copyout(&i, tid, sizeof (timer_t)) != 0) error = EFAULT" */
extern "C" void psx_timer_create_done(psx_proc *p, psx_itimer *it, int err)
{
	if (err)
		timer_delete_grabbed(p, it->it_id, it);
	else
		timer_release(p, it);
}

/*
 * Unlike illumos, which does a separate timer_gettime() first, the old
 * value is read under the same timer lock as the new one is set.
 */
extern "C" int psx_timer_settime(psx_proc *p, int id, int flags,
				 const psx_itimerspec *value,
				 psx_itimerspec *ovalue)
{
	/* Divergence: illumos (and Linux) ignore unknown flags. */
	if (flags & ~PSX_TIMER_ABSTIME)
		return -PSX_EINVAL;
	/* The interval only matters, and is only checked, when arming. */
	if (!timespec_valid(value->it_value) ||
	    (timespec_isset(value->it_value) &&
	     !timespec_valid(value->it_interval)))
		return -PSX_EINVAL;

	auto set = [flags, value, ovalue](psx_itimer *it) {
		if (ovalue)
			it->it_backend->timer_gettime(it, ovalue);
		return it->it_backend->timer_settime(it, flags, value);
	};

	/*
	 * Divergence: the hrtimer's cancel and start do not sleep (on
	 * PREEMPT_RT p_lock is a sleeping lock itself) nor take p_lock, so
	 * they run under p_lock alone while nobody holds the timer's lock
	 * (timer_quick); illumos always grabs it. A value or interval below
	 * the floor asks the caller's privilege, an LSM hook that may sleep:
	 * that settime grabs the timer, as in illumos.
	 */
	if (below_floor(value->it_value) || below_floor(value->it_interval))
		return timer_grabbed(p, id, set);
	return timer_quick(p, id, set);
}

extern "C" int psx_timer_gettime(psx_proc *p, int id, psx_itimerspec *value)
{
	return timer_quick(p, id, [value](psx_itimer *it) {
		it->it_backend->timer_gettime(it, value);
		return 0;
	});
}

extern "C" int psx_timer_delete(psx_proc *p, int id)
{
	return timer_delete_id(p, id);
}

extern "C" int psx_timer_getoverrun(psx_proc *p, int id)
{
	return timer_quick(p, id, [](psx_itimer *it) {
		if (is_signal(it->it_notify))
			return psx_sig_getoverrun(it->kt);
		/* Divergence: illumos's is it_overrun, 0 for a port timer. */
		if (is_port(it->it_notify))
			return psx_port_getoverrun(it->kt);
		return 0;
	});
}

/* Not in illumos: what /proc/PID/timers is to Linux, for `psxtimer stat`. */
extern "C" int psx_timer_stat(psx_proc *p, int *next,
			      struct psx_timer_stat *out, int max)
{
	int n = 0;

	while (n < max) {
		int id = timer_next_used(p, *next);

		if (id < 0)
			break;
		*next = id + 1;
		psx_itimer *it = timer_grab(p, id);

		if (!it)
			continue; /* deleted since we looked */
		struct psx_timer_stat *st = &out[n++];

		*st = {};
		st->timer_id = id;
		st->clock_id = it->it_clock;
		st->notify = it->it_notify;
		it->it_backend->timer_gettime(it, &st->when);
		if (is_signal(it->it_notify))
			psx_sig_stat(it->kt, st);
		else if (is_port(it->it_notify))
			psx_port_stat(it->kt, st);
		timer_release(p, it);
	}
	return n;
}

/*
 * The hrtimer expired `count` times. A signal timer queues its signal, or
 * counts overruns while the last one is still queued (illumos's
 * it_pending, kept with the sigqueue under the kernel's siglock since Linux
 * tells nobody when a signal is taken); a port timer does the same with its
 * port event, under the port's lock. 0 when nobody can hear the timer any
 * more (its port is closed, its thread or process gone): the hrtimer then
 * stops, and gettime still reads the timer as armed.
 */
extern "C" int timer_fire(psx_itimer *it, unsigned long long count)
{
	if (is_signal(it->it_notify))
		return psx_sig_fire(it->kt, count);
	if (is_port(it->it_notify))
		return psx_port_fire(it->kt, count);
	return 0; /* SIGEV_NONE: never armed */
}

extern "C" int psx_clock_gettime(int clock, psx_timespec *ts)
{
	const ClockBackend *backend = clock_get_backend(clock);

	return backend ? backend->clock_gettime(ts) : -PSX_EINVAL;
}

/*
 * illumos's order: unknown clock, then privilege, then the value (the
 * kernel's clock_settime checks the value before the privilege). The
 * privilege is the kernel's own settime check, LSM hook included.
 */
extern "C" int psx_clock_settime(int clock, const psx_timespec *ts)
{
	const ClockBackend *backend = clock_get_backend(clock);

	if (!backend)
		return -PSX_EINVAL;
	int err = psx_may_settime(ts);

	if (err)
		return err;
	if (!timespec_valid(*ts))
		return -PSX_EINVAL;
	return backend->clock_settime(ts);
}

extern "C" int psx_clock_getres(int clock, psx_timespec *ts)
{
	const ClockBackend *backend = clock_get_backend(clock);

	return backend ? backend->clock_getres(ts) : -PSX_EINVAL;
}
