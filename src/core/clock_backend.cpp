// SPDX-License-Identifier: GPL-2.0
/*
 * Clock backends (illumos clock_backend_t) and their registry.
 *
 * HrtimerClock serves CLOCK_REALTIME, CLOCK_MONOTONIC (= CLOCK_HIGHRES),
 * CLOCK_BOOTTIME and CLOCK_TAI with one hrtimer per timer; CputimeClock
 * serves the CPU-time clocks, which can be read but carry no timers (as in
 * illumos, where their timer_create fails): it has no timer half at all.
 * Backends are constant objects: constexpr constructors, so the registry is
 * built at compile time and the module runs no constructor.
 */
#include "timer.h"

namespace psx {

class HrtimerClock final : public TimerBackend {
public:
	constexpr HrtimerClock(int base, bool highres)
	    : base_(base)
	    , highres_(highres)
	{
	}

	int clock_settime(const psx_timespec *ts) const override
	{
		if (base_ != PSX_BASE_REALTIME)
			return -PSX_EINVAL;
		return psx_clock_set_realtime(ts);
	}

	/* As the caller's clock_gettime reads it: in its time namespace. */
	int clock_gettime(psx_timespec *ts) const override
	{
		*ts = ns_to_timespec(psx_clock_now_ns(base_) +
				     psx_timens_offset_ns(base_));
		return 0;
	}

	int clock_getres(psx_timespec *ts) const override
	{
		*ts = ns_to_timespec(psx_clock_res_ns());
		return 0;
	}

	int timer_create(psx_itimer *) const override
	{
		return 0;
	}

	int timer_settime(psx_itimer *it, int flags,
			  const psx_itimerspec *when) const override;

	void timer_gettime(psx_itimer *it, psx_itimerspec *when) const override;

	void timer_delete(psx_itimer *it) const override
	{
		psx_hrtimer_cancel(it->kt);
	}

private:
	int base_;
	bool highres_;
};

/*
 * illumos proc_clock_highres: a HIGHRES value or interval shorter than
 * clock_highres_interval_min is raised to it unless the caller may ask
 * for more (CAP_SYS_NICE). Intervals on the other clocks get the same
 * floor: illumos runs them off the clock tick, never faster, and a
 * nanosecond period would storm the CPU with interrupts.
 */
bool below_floor(const psx_timespec &ts)
{
	long long min_ns = tunables().highres_interval_min_ns;

	return !ts.tv_sec && ts.tv_nsec && ts.tv_nsec < min_ns;
}

static psx_timespec clamp(const psx_timespec &ts, bool privileged)
{
	if (privileged || !below_floor(ts))
		return ts;
	return psx_timespec{0, tunables().highres_interval_min_ns};
}

int HrtimerClock::timer_settime(psx_itimer *it, int flags,
				const psx_itimerspec *when) const
{
	psx_hrtimer_cancel(it->kt);
	it->it_armed = false;
	it->it_interval = psx_timespec{}; /* until armed again */
	if (!timespec_isset(when->it_value)) {
		/*
		 * POSIX: gettime's interval is the one last set, armed or not.
		 * It is only checked when arming (itimerspecfix), so a bad one
		 * is accepted here, but not kept: it reads back as 0.
		 */
		if (timespec_valid(when->it_interval))
			it->it_interval = when->it_interval;
		return 0;
	}

	bool abs = flags & PSX_TIMER_ABSTIME;
	bool clamp_value = highres_ && !abs;
	/* The privilege is asked only when the floor would bite. */
	bool privileged = (below_floor(when->it_interval) ||
			   (clamp_value && below_floor(when->it_value))) &&
			  psx_may_exceed_floor();
	psx_timespec value = when->it_value;
	psx_timespec interval = clamp(when->it_interval, privileged);

	if (clamp_value)
		value = clamp(value, privileged);

	/*
	 * An absolute REALTIME timer stays on the REALTIME base, so a clock
	 * step reprograms it (illumos converts it to ticks once, and a step
	 * does not move it); a relative one runs on MONOTONIC, as POSIX wants.
	 */
	int base = (base_ == PSX_BASE_REALTIME && !abs) ? PSX_BASE_MONOTONIC
							: base_;
	long long start, interval_ns;

	if (!timespec_to_ns(value, &start) ||
	    !timespec_to_ns(interval, &interval_ns))
		return -PSX_EOVERFLOW;
	if (!abs) {
		long long now = psx_clock_now_ns(base);

		if (start > INT64_MAX_ - now)
			return -PSX_EOVERFLOW;
		start += now;
	} else {
		/*
		 * An absolute time is on the caller's clock, which a time
		 * namespace offsets from the host's the hrtimer runs on. One
		 * before the offset is long past, as the kernel's
		 * timens_ktime_to_host() has it.
		 */
		long long offset = psx_timens_offset_ns(base);

		start = start < offset ? 0 : start - offset;
	}
	if (start > INT64_MAX_ - interval_ns)
		return -PSX_EOVERFLOW;

	it->it_interval = interval;
	it->it_expires = start;
	it->it_period = interval_ns;
	it->it_base = base;
	it->it_armed = true;
	/*
	 * Nobody hears a SIGEV_NONE timer: as Linux, never arm its hrtimer
	 * (illumos does, to do nothing); gettime computes where it stands.
	 */
	if (it->it_notify != PSX_SIGEV_NONE)
		psx_hrtimer_start(it->kt, base, start, interval_ns,
				  highres_ && psx_current_bound_cpu() >= 0);
	return 0;
}

/*
 * Time to the next expiry. While the hrtimer runs, as Linux does, what it
 * says: a callback that is late reads 1 ns, its expirations still to be
 * counted. Once it has stopped (nobody hears the timer any more), or if it
 * never ran (SIGEV_NONE), from what settime armed. An armed timer never
 * reports 0: that would mean disarmed.
 */
void HrtimerClock::timer_gettime(psx_itimer *it, psx_itimerspec *when) const
{
	when->it_interval = it->it_interval;
	when->it_value = psx_timespec{};
	if (!it->it_armed)
		return;

	long long rem;

	if (!psx_hrtimer_remaining(it->kt, &rem)) {
		long long now = psx_clock_now_ns(it->it_base);

		if (now < it->it_expires)
			rem = it->it_expires - now;
		else if (it->it_period)
			rem = it->it_period -
			      (now - it->it_expires) % it->it_period;
		else {
			it->it_armed = false; /* a one-shot, expired */
			return;
		}
	}
	when->it_value = ns_to_timespec(max(rem, 1LL));
}

class CputimeClock final : public ClockBackend {
public:
	constexpr explicit CputimeClock(bool process)
	    : process_(process)
	{
	}

	int clock_settime(const psx_timespec *) const override
	{
		return -PSX_EINVAL;
	}

	int clock_gettime(psx_timespec *ts) const override
	{
		*ts = ns_to_timespec(psx_cputime_ns(process_));
		return 0;
	}

	int clock_getres(psx_timespec *ts) const override
	{
		*ts = psx_timespec{0, 1};
		return 0;
	}

private:
	bool process_;
};

static constexpr HrtimerClock realtime_clock(PSX_BASE_REALTIME, false);
static constexpr HrtimerClock highres_clock(PSX_BASE_MONOTONIC, true);
static constexpr HrtimerClock boottime_clock(PSX_BASE_BOOTTIME, false);
static constexpr HrtimerClock tai_clock(PSX_BASE_TAI, false);
static constexpr CputimeClock process_clock(true);
static constexpr CputimeClock thread_clock(false);

/*
 * clock_add_backend() at compile time, indexed by Linux clock id: each
 * clock's backend, and its timer half where it has one.
 */
struct ClockEntry {
	const ClockBackend *clock;
	const TimerBackend *timer;
};

static const ClockEntry clock_backend[PSX_CLOCK_MAX] = {
	[PSX_CLOCK_REALTIME] = {&realtime_clock, &realtime_clock},
	[PSX_CLOCK_MONOTONIC] = {&highres_clock, &highres_clock},
	[PSX_CLOCK_PROCESS_CPUTIME_ID] = {&process_clock, nullptr},
	[PSX_CLOCK_THREAD_CPUTIME_ID] = {&thread_clock, nullptr},
	[4] = {},
	[5] = {},
	[6] = {},
	[PSX_CLOCK_BOOTTIME] = {&boottime_clock, &boottime_clock},
	[8] = {},
	[9] = {},
	[10] = {},
	[PSX_CLOCK_TAI] = {&tai_clock, &tai_clock},
};

const ClockBackend *clock_get_backend(int clock)
{
	if (clock < 0 || clock >= PSX_CLOCK_MAX)
		return nullptr;
	return clock_backend[clock].clock;
}

const TimerBackend *timer_get_backend(int clock)
{
	if (clock < 0 || clock >= PSX_CLOCK_MAX)
		return nullptr;
	return clock_backend[clock].timer;
}

} // namespace psx
