/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The core's data structures, after illumos <sys/timer.h>: the timer
 * (itimer_t), the per-process timer table (proc_t's p_itimer), and the
 * clock backend interface (clock_backend_t).
 */
#ifndef PSXTIMER_CORE_TIMER_H
#define PSXTIMER_CORE_TIMER_H

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "object.h"

namespace psx {

class TimerBackend;

/* it_lock bits. ITLK_WANTED is not needed: it_blockers counts waiters. */
enum : unsigned short {
	ITLK_LOCKED = 0x1,
	ITLK_REMOVE = 0x4,
};

inline constexpr long long NANOSEC = 1000000000LL;
inline constexpr long long INT64_MAX_ = 0x7fffffffffffffffLL;
inline constexpr int PSX_NSIG = 65; /* Linux: signals 1..64 */
inline constexpr int PSX_SIGALRM = 14;

/* Tunables fixed at load (clock_timer.cpp). */
const psx_tunables &tunables();

} // namespace psx

/*
 * A timer. Lives in one allocation with the glue's half (kt), created by
 * timer_create() and freed by timer_destroy().
 */
struct psx_itimer : psx::Object {
	struct psx_ktimer *kt; /* glue half: hrtimer, it_cv, sigqueue */
	struct psx_proc *it_proc;
	const psx::TimerBackend *it_backend;
	int it_id;
	int it_clock;  /* the clock id it was created on */
	int it_notify; /* PSX_SIGEV_* */

	/* Under p_lock. */
	unsigned short it_lock; /* ITLK_* */
	int it_blockers;	/* threads sleeping in timer_lock() */

	/*
	 * Backend state, under the timer lock (ITLK_LOCKED): what the last
	 * settime armed. gettime computes from it, so a timer whose hrtimer
	 * stopped, or never ran (SIGEV_NONE), still reads as armed.
	 */
	struct psx_timespec it_interval; /* the one last set (POSIX gettime) */
	long long it_expires;		 /* the first expiry, ns on it_base */
	long long it_period;		 /* ns; 0: one-shot */
	int it_base;			 /* PSX_BASE_* */
	bool it_armed;
};

/*
 * A process's timer table. p_lock (the glue's, in kp) protects the id
 * array, the bitmap, the hint and every timer's it_lock/it_blockers.
 * Ids are indices: the array starts at PSX_TIMER_ALLOC_INIT slots and
 * doubles up to timer_max. p_used has one bit per slot so that the lowest
 * free id is found without walking the timers; p_free_hint is a lower
 * bound for it, which makes creating N timers O(N) in all.
 */
struct psx_proc : psx::Object {
	struct psx_kproc *kp;
	psx_itimer **p_itimer;
	unsigned long long *p_used;
	int p_itimer_sz;
	int p_free_hint;
	int p_ntimers;
};

namespace psx {

/*
 * illumos's clock_backend_t, as two C++ interfaces. Every clock can be read
 * and maybe set (ClockBackend); a clock that carries timers is also a
 * TimerBackend. illumos's CPU-time clocks fill their clk_timer_* slots with
 * functions that fail; here they simply have no timer half. Backends are
 * constant objects (no constructor runs at load). Timer ops are called
 * with the timer locked and p_lock not held.
 */
class ClockBackend {
public:
	virtual int clock_settime(const psx_timespec *ts) const = 0;
	virtual int clock_gettime(psx_timespec *ts) const = 0;
	virtual int clock_getres(psx_timespec *ts) const = 0;
};

class TimerBackend : public ClockBackend {
public:
	virtual int timer_create(psx_itimer *it) const = 0;
	virtual int timer_settime(psx_itimer *it, int flags,
				  const psx_itimerspec *when) const = 0;
	virtual void timer_gettime(psx_itimer *it,
				   psx_itimerspec *when) const = 0;
	/* After it returns, the fire callback has finished and never runs. */
	virtual void timer_delete(psx_itimer *it) const = 0;
};

/* The lock protocol (timer_table.cpp); see there for the lock rules. */
int timer_publish(psx_proc *p, psx_itimer *it);
psx_itimer *timer_grab(psx_proc *p, int id);
void timer_release(psx_proc *p, psx_itimer *it);
void timer_delete_grabbed(psx_proc *p, int id, psx_itimer *it);
int timer_delete_id(psx_proc *p, int id);
int timer_next_used(psx_proc *p, int id);

/* op(it) with the timer grabbed, as illumos makes every call. */
template <typename Op> int timer_grabbed(psx_proc *p, int id, Op op)
{
	psx_itimer *it = timer_grab(p, id);

	if (!it)
		return -PSX_EINVAL;
	int ret = op(it);

	timer_release(p, it);
	return ret;
}

/*
 * op(it) for a call that neither sleeps nor takes p_lock (gettime,
 * getoverrun, most settimes), as if it had grabbed the timer. While nobody
 * holds the timer's ITLK, p_lock keeps anyone from taking it, so op runs
 * under p_lock alone: one round trip of p_lock instead of timer_grab's and
 * timer_release's two. If somebody holds it, op waits for it through
 * timer_grab, as in illumos. -EINVAL for an id timer_grab refuses.
 */
template <typename Op> int timer_quick(psx_proc *p, int id, Op op)
{
	{
		PLockGuard guard(p->kp);

		if (id < 0 || id >= p->p_itimer_sz || !p->p_itimer[id])
			return -PSX_EINVAL;
		psx_itimer *it = p->p_itimer[id];

		if (!it->it_lock) /* neither ITLK_LOCKED nor ITLK_REMOVE */
			return op(it);
	}
	return timer_grabbed(p, id, op);
}

/* Undo what timer_create set up for notification (timer.cpp). */
void notify_teardown(psx_itimer *it);

/*
 * The backend for a clock id, or nullptr; the timer half of it, or nullptr
 * when the clock carries no timers (clock_backend.cpp).
 */
const ClockBackend *clock_get_backend(int clock);
const TimerBackend *timer_get_backend(int clock);

/*
 * Below the interval floor: a settime with such a value or interval asks
 * the caller's privilege (clock_backend.cpp), which may sleep.
 */
bool below_floor(const psx_timespec &ts);

/* timespec helpers (timer.cpp). */
bool timespec_valid(const psx_timespec &ts);
bool timespec_isset(const psx_timespec &ts);
/* ts as nanoseconds; false if it does not fit in 64 bits. */
bool timespec_to_ns(const psx_timespec &ts, long long *ns);
psx_timespec ns_to_timespec(long long ns);

} // namespace psx

#endif /* PSXTIMER_CORE_TIMER_H */
