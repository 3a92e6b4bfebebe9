// SPDX-License-Identifier: GPL-2.0
/*
 * Clocks and hrtimers for the core's backends (kapi.h): clock reads and
 * the realtime step, and one hrtimer per timer, whose callback runs in
 * hardirq context (softirq on PREEMPT_RT) and hands the expiration count to
 * the core's timer_fire.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/sched/cputime.h>
#include <linux/time.h>
#include <linux/time_namespace.h>
#include <linux/timekeeping.h>

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "compat.h"
#include "psxtimer.h"
#include "trace.h"

static const clockid_t base_clock[] = {
	[PSX_BASE_REALTIME] = CLOCK_REALTIME,
	[PSX_BASE_MONOTONIC] = CLOCK_MONOTONIC,
	[PSX_BASE_BOOTTIME] = CLOCK_BOOTTIME,
	[PSX_BASE_TAI] = CLOCK_TAI,
};

long long psx_clock_now_ns(int base)
{
	switch (base) {
	case PSX_BASE_REALTIME:
		return ktime_get_real_ns();
	case PSX_BASE_BOOTTIME:
		return ktime_get_boottime_ns();
	case PSX_BASE_TAI:
		return ktime_get_clocktai_ns();
	default:
		return ktime_get_ns();
	}
}

/* Zero plus the offset: the kernel's own inlines, so no layout is assumed. */
long long psx_timens_offset_ns(int base)
{
	struct timespec64 off = {};

	if (base == PSX_BASE_MONOTONIC)
		timens_add_monotonic(&off);
	else if (base == PSX_BASE_BOOTTIME)
		timens_add_boottime(&off);
	return timespec64_to_ns(&off);
}

long long psx_clock_res_ns(void)
{
	return hrtimer_resolution;
}

int psx_clock_set_realtime(const struct psx_timespec *ts)
{
	struct timespec64 t = { .tv_sec = ts->tv_sec, .tv_nsec = ts->tv_nsec };

	return do_settimeofday64(&t);
}

long long psx_cputime_ns(int process)
{
	struct task_cputime times;

	if (!process)
		return static_call(psx_task_sched_runtime)(current);
	static_call(psx_thread_group_cputime)(current, &times);
	return times.sum_exec_runtime;
}

/*
 * Move a periodic hrtimer past now, one period at a time, and say how many
 * expiries that was: the one due and every one missed since. Divergence:
 * hrtimer_forward(), which Linux's timers use, stretches a period shorter
 * than hrtimer_resolution to it, so with hrtimers off the tick (highres=off,
 * or no one-shot clock event) a 200 us timer expires every 4 ms and counts
 * one, where illumos, and POSIX, count 20. Here every period counts.
 */
static u64 psx_hrtimer_forward(struct hrtimer *hrt, ktime_t period)
{
	ktime_t late = ktime_sub(hrtimer_cb_get_time(hrt), hrtimer_get_expires(hrt));
	u64 count = 1;

	if (late >= period)
		count += ktime_divns(late, period);
	hrtimer_add_expires_ns(hrt, count * period);
	return count;
}

static enum hrtimer_restart psx_hrtimer_fn(struct hrtimer *hrt)
{
	struct psx_ktimer *kt = container_of(hrt, struct psx_ktimer, hrt);
	u64 count = 1;

	/* Every period that passed is an expiration: missed ones too. */
	if (kt->interval)
		count = psx_hrtimer_forward(hrt, kt->interval);
	trace_psxtimer_fire(kt, count);
	if (!timer_fire((struct psx_itimer *)kt->core, count))
		return HRTIMER_NORESTART;	/* nobody hears it any more */
	return kt->interval ? HRTIMER_RESTART : HRTIMER_NORESTART;
}

/*
 * The hrtimer is set up by its first start, not at create: a timer that is
 * never armed (a create and delete, a SIGEV_NONE timer only read) never
 * pays for it. Until then its base is NULL (the cache zeroes the object).
 * The hrtimer is not armed (the core cancelled it), so it may be set up
 * again, which only a new clock needs: the setup takes the clock (its base
 * says which it was) and whether the timer is hard or soft, never where it
 * is pinned, which is hrtimer_start()'s to say.
 */
void psx_hrtimer_start(struct psx_ktimer *kt, int base, long long expires_ns,
		       long long interval_ns, int pinned)
{
	enum hrtimer_mode mode = pinned ? HRTIMER_MODE_ABS_PINNED : HRTIMER_MODE_ABS;

	if (!kt->hrt.base || kt->hrt.base->clockid != base_clock[base])
		hrtimer_setup(&kt->hrt, psx_hrtimer_fn, base_clock[base], HRTIMER_MODE_ABS);
	kt->interval = ns_to_ktime(interval_ns);
	hrtimer_start(&kt->hrt, ns_to_ktime(expires_ns), mode);
}

void psx_hrtimer_cancel(struct psx_ktimer *kt)
{
	if (kt->hrt.base)
		hrtimer_cancel(&kt->hrt);
	kt->interval = 0;
}

int psx_hrtimer_remaining(struct psx_ktimer *kt, long long *ns)
{
	if (!kt->hrt.base || !hrtimer_active(&kt->hrt))
		return 0;
	*ns = ktime_to_ns(hrtimer_expires_remaining(&kt->hrt));
	return 1;
}
