/* SPDX-License-Identifier: GPL-2.0 */
/*
 * psxtimer's trace events, events/psxtimer/ in tracefs: what happens to
 * each timer, from create to delete or to its process's exit or exec. They
 * are the glue's: the core never includes kernel headers, so each event is
 * emitted where the glue sees its moment (dev.c once the core has answered,
 * the hrtimer callback, signal.c, port.c, lifecycle.c). A disabled event
 * costs its call site one patched-out jump (a static key): the arguments
 * are plain values or pointers, and everything an event computes is done
 * in TP_fast_assign, which runs only when it is enabled.
 *
 * Every event has tgid (the process, as the initial pid namespace numbers
 * it) and timer (its id in that process; -1 for a process's cleanup), so
 * one filter, "tgid == PID" on events/psxtimer/filter, picks one process;
 * `psxtimer trace PID` (psxtimer(1)) does that and prints them readably.
 * Times are nanoseconds; fields are key=value, which the tool parses.
 *
 * A settime is traced for PSXTIMER_IOC_TIMER_SETTIME and for each settime of
 * a PSXTIMER_IOC_BATCH alike.
 *
 * Ordering. create is emitted while the new timer is still locked, so it
 * comes before anything else about that timer. settime is emitted once the
 * ioctl has armed the timer, so a timer whose first expiry falls before the
 * ioctl's return (a value shorter than the rest of the call, or a thread
 * preempted there) shows that fire first. A signal is "taken" when psxtimer
 * next looks (a fire, getoverrun or stat) and finds it off the queue:
 * Linux tells a module nothing when a signal is dequeued.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM psxtimer

#if !defined(_PSXTIMER_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PSXTIMER_TRACE_H

#include <linux/limits.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/signal.h>
#include <linux/time64.h>
#include <linux/tracepoint.h>

#include <linux/psxtimer.h>

#include "psxtimer.h"

#ifndef PSX_TRACE_HELPERS
#define PSX_TRACE_HELPERS
/* A timespec the core took as valid, in ns; past 2^63 ns, S64_MAX. */
static inline s64 psx_trace_ns(const struct psxtimer_timespec *ts)
{
	if (ts->tv_sec < 0 || ts->tv_sec >= S64_MAX / NSEC_PER_SEC)
		return ts->tv_sec < 0 ? 0 : S64_MAX;
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

/* psxtimer_cleanup's why. */
#define PSX_TRACE_EXIT 0
#define PSX_TRACE_EXEC 1
#endif

#define psx_trace_clock(c)						\
	__print_symbolic(c,						\
			 { PSXTIMER_CLOCK_REALTIME, "REALTIME" },	\
			 { PSXTIMER_CLOCK_MONOTONIC, "MONOTONIC" },	\
			 { PSXTIMER_CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME" }, \
			 { PSXTIMER_CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME" }, \
			 { PSXTIMER_CLOCK_BOOTTIME, "BOOTTIME" },	\
			 { PSXTIMER_CLOCK_TAI, "TAI" })

#define psx_trace_notify(n)						\
	__print_symbolic(n,						\
			 { PSXTIMER_SIGEV_SIGNAL, "SIGNAL" },		\
			 { PSXTIMER_SIGEV_NONE, "NONE" },		\
			 { PSXTIMER_SIGEV_THREAD, "THREAD" },		\
			 { PSXTIMER_SIGEV_THREAD_ID, "THREAD_ID" },	\
			 { PSXTIMER_SIGEV_PORT, "PORT" })

/* timer_create, as the caller asked it (without a sigevent: SIGALRM, the id). */
TRACE_EVENT(psxtimer_create,
	TP_PROTO(int timer_id, const struct psxtimer_create *arg),
	TP_ARGS(timer_id, arg),
	TP_STRUCT__entry(
		__field(pid_t, tgid)
		__field(int, timer)
		__field(int, clock)
		__field(int, notify)
		__field(int, signo)
		__field(int, tid)
		__field(u64, value)
	),
	TP_fast_assign(
		bool given = arg->flags & PSXTIMER_CREATE_SIGEVENT;

		__entry->tgid = task_tgid_nr(current);
		__entry->timer = timer_id;
		__entry->clock = arg->clock_id;
		__entry->notify = given ? arg->sigevent.sigev_notify : PSXTIMER_SIGEV_SIGNAL;
		__entry->signo = given ? arg->sigevent.sigev_signo : SIGALRM;
		__entry->tid = given ? arg->sigevent.sigev_tid : 0;
		__entry->value = given ? arg->sigevent.sigev_value : timer_id;
	),
	TP_printk("tgid=%d timer=%d clock=%s notify=%s signo=%d tid=%d value=%#llx",
		  __entry->tgid, __entry->timer, psx_trace_clock(__entry->clock),
		  psx_trace_notify(__entry->notify), __entry->signo, __entry->tid,
		  __entry->value)
);

/*
 * timer_settime: the value and interval asked (before the HIGHRES floor;
 * absolute with flags & 1, TIMER_ABSTIME) and the old ones it returned,
 * -1 when the caller asked for none (flags & 2, PSXTIMER_SETTIME_NO_OLD).
 */
TRACE_EVENT(psxtimer_settime,
	TP_PROTO(int timer_id, u32 flags, const struct psxtimer_itimerspec *value,
		 const struct psxtimer_itimerspec *old),
	TP_ARGS(timer_id, flags, value, old),
	TP_STRUCT__entry(
		__field(pid_t, tgid)
		__field(int, timer)
		__field(u32, flags)
		__field(s64, value)
		__field(s64, interval)
		__field(s64, old_value)
		__field(s64, old_interval)
	),
	TP_fast_assign(
		__entry->tgid = task_tgid_nr(current);
		__entry->timer = timer_id;
		__entry->flags = flags;
		__entry->value = psx_trace_ns(&value->it_value);
		__entry->interval = psx_trace_ns(&value->it_interval);
		__entry->old_value = old ? psx_trace_ns(&old->it_value) : -1;
		__entry->old_interval = old ? psx_trace_ns(&old->it_interval) : -1;
	),
	TP_printk("tgid=%d timer=%d flags=%u value=%lld interval=%lld old_value=%lld old_interval=%lld",
		  __entry->tgid, __entry->timer, __entry->flags, __entry->value,
		  __entry->interval, __entry->old_value, __entry->old_interval)
);

/* An explicit timer_delete (exit and exec delete through psxtimer_cleanup). */
TRACE_EVENT(psxtimer_delete,
	TP_PROTO(int timer_id),
	TP_ARGS(timer_id),
	TP_STRUCT__entry(
		__field(pid_t, tgid)
		__field(int, timer)
	),
	TP_fast_assign(
		__entry->tgid = task_tgid_nr(current);
		__entry->timer = timer_id;
	),
	TP_printk("tgid=%d timer=%d", __entry->tgid, __entry->timer)
);

/*
 * Events about a timer that happen outside its process's calls (the
 * hrtimer callback, a latch, a port read): the timer names itself.
 */
DECLARE_EVENT_CLASS(psxtimer_timer_count,
	TP_PROTO(const struct psx_ktimer *kt, u64 count),
	TP_ARGS(kt, count),
	TP_STRUCT__entry(
		__field(pid_t, tgid)
		__field(int, timer)
		__field(u64, count)
	),
	TP_fast_assign(
		__entry->tgid = kt->trace_tgid;
		__entry->timer = kt->trace_id;
		__entry->count = count;
	),
	TP_printk("tgid=%d timer=%d count=%llu", __entry->tgid, __entry->timer,
		  __entry->count)
);

/* The hrtimer expired: count expirations, the periods it missed included. */
DEFINE_EVENT(psxtimer_timer_count, psxtimer_fire,
	TP_PROTO(const struct psx_ktimer *kt, u64 count),
	TP_ARGS(kt, count)
);

/* A port timer's event was queued, standing for count expirations. */
DEFINE_EVENT(psxtimer_timer_count, psxtimer_port_queued,
	TP_PROTO(const struct psx_ktimer *kt, u64 count),
	TP_ARGS(kt, count)
);

/* read() took a port timer's event: its portev_events. */
DEFINE_EVENT(psxtimer_timer_count, psxtimer_port_read,
	TP_PROTO(const struct psx_ktimer *kt, u64 count),
	TP_ARGS(kt, count)
);

/*
 * A signal timer's signal was queued (to tid, or 0: the process), standing
 * for overrun + 1 expirations.
 */
TRACE_EVENT(psxtimer_signal_queued,
	TP_PROTO(const struct psx_ktimer *kt, int signo, int overrun),
	TP_ARGS(kt, signo, overrun),
	TP_STRUCT__entry(
		__field(pid_t, tgid)
		__field(int, timer)
		__field(int, signo)
		__field(pid_t, tid)
		__field(int, overrun)
	),
	TP_fast_assign(
		__entry->tgid = kt->trace_tgid;
		__entry->timer = kt->trace_id;
		__entry->signo = signo;
		__entry->tid = kt->sig_type == PIDTYPE_PID ? pid_nr(kt->sig_pid) : 0;
		__entry->overrun = overrun;
	),
	TP_printk("tgid=%d timer=%d signo=%d tid=%d overrun=%d", __entry->tgid,
		  __entry->timer, __entry->signo, __entry->tid, __entry->overrun)
);

/* The signal was still queued: count more expirations, overrun in all now. */
TRACE_EVENT(psxtimer_signal_overrun,
	TP_PROTO(const struct psx_ktimer *kt, u64 count, int overrun),
	TP_ARGS(kt, count, overrun),
	TP_STRUCT__entry(
		__field(pid_t, tgid)
		__field(int, timer)
		__field(u64, count)
		__field(int, overrun)
	),
	TP_fast_assign(
		__entry->tgid = kt->trace_tgid;
		__entry->timer = kt->trace_id;
		__entry->count = count;
		__entry->overrun = overrun;
	),
	TP_printk("tgid=%d timer=%d count=%llu overrun=%d", __entry->tgid,
		  __entry->timer, __entry->count, __entry->overrun)
);

/*
 * The last signal queued was found taken (at a fire, getoverrun or stat),
 * with the si_overrun it carried: what getoverrun returns from now on.
 */
TRACE_EVENT(psxtimer_signal_taken,
	TP_PROTO(const struct psx_ktimer *kt, int overrun),
	TP_ARGS(kt, overrun),
	TP_STRUCT__entry(
		__field(pid_t, tgid)
		__field(int, timer)
		__field(int, overrun)
	),
	TP_fast_assign(
		__entry->tgid = kt->trace_tgid;
		__entry->timer = kt->trace_id;
		__entry->overrun = overrun;
	),
	TP_printk("tgid=%d timer=%d overrun=%d", __entry->tgid, __entry->timer,
		  __entry->overrun)
);

/* The process exited or exec'ed: its timers, all deleted. */
TRACE_EVENT(psxtimer_cleanup,
	TP_PROTO(int why, int timers),
	TP_ARGS(why, timers),
	TP_STRUCT__entry(
		__field(pid_t, tgid)
		__field(int, timer)
		__field(int, why)
		__field(int, timers)
	),
	TP_fast_assign(
		__entry->tgid = task_tgid_nr(current);
		__entry->timer = -1;
		__entry->why = why;
		__entry->timers = timers;
	),
	TP_printk("tgid=%d timer=%d why=%s timers=%d", __entry->tgid, __entry->timer,
		  __print_symbolic(__entry->why, { PSX_TRACE_EXIT, "exit" },
				   { PSX_TRACE_EXEC, "exec" }),
		  __entry->timers)
);

#endif /* _PSXTIMER_TRACE_H */

/* define_trace.h finds this file again through -I src/kernel (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
