// SPDX-License-Identifier: GPL-2.0
/*
 * A coverage-guided fuzzer of the C++ core (libFuzzer, `make fuzz-core`):
 * each input is a byte string, decoded into a sequence of create, settime,
 * gettime, getoverrun, delete, fire, signal taken, exit, clock calls and
 * fake-kernel knobs on NTABLES tables, against the host's fake kernel
 * (host_kapi.c: a clock moved by hand, hrtimers expired by hand, failing
 * allocations on demand). A shadow of every table predicts each answer,
 * and after every step the core's invariants are checked:
 *
 * - create returns the lowest free id, or exactly the error the arguments
 *   and the fake kernel's state decide (EINVAL, EAGAIN at timer_max,
 *   ENOMEM where the allocation failed, EBADF for a bad port), and a failed
 *   create leaves no timer behind;
 * - every free id (negative, unused, past the table) is EINVAL to every
 *   call, and stat lists exactly the live ids, in order, with their clock
 *   and notification;
 * - gettime's interval is the one last set (raised to the floor without
 *   the privilege), settime's old value is what gettime said just before;
 * - an overrun is in [0, INT_MAX], grows while a signal stays queued, and
 *   getoverrun returns the one of the signal just taken;
 * - a SIGEV_NONE timer never arms an hrtimer; no core WARN, ever;
 * - after exit no timer is left (stat, every id EINVAL, no timer memory).
 *
 * A broken invariant prints what and where and aborts, which libFuzzer
 * reports as a crash with the input that did it. Built with clang and
 * -fsanitize=fuzzer,address,undefined by kunit/host/Makefile (fuzz).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "../psxtimer_kunit.h"
#include "host.h"

#define NTABLES 3
#define MAXID 40		/* ids probed: past timer_max (32 here) */
#define INT_MAX_ 0x7fffffff
#define NSEC 1000000000LL
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define CHECK(cond, fmt, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: invariant broken: %s: " fmt "\n", \
				__FILE__, __LINE__, #cond, ##__VA_ARGS__);	\
			abort();						\
		}								\
	} while (0)

struct shadow_timer {
	int live;
	int clock, notify;
	struct psx_ktimer *kt;
	int interval_known;	/* 0 after an EOVERFLOW: not predicted */
	struct psx_timespec interval;
	int queued_overrun;	/* si_overrun seen while the signal is queued */
};

struct shadow {
	struct psx_kproc *kp;
	struct shadow_timer t[MAXID];
	int n;
	int size;		/* the id array's length, as the core grows it */
};

static struct shadow tab[NTABLES];
static int timer_max, floor_ns;

struct input {
	const uint8_t *p;
	size_t n;
};

/* The next byte of the input; zeros once it has run out. */
static unsigned int u8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static unsigned int u16(struct input *in)
{
	return u8(in) | u8(in) << 8;
}

static int pick(struct input *in, const int *set, int n)
{
	unsigned int b = u8(in);

	/* Mostly from the set, sometimes any value at all. */
	if (b < 224)
		return set[b % n];
	return (int)(u16(in) | u16(in) << 16);
}

static struct psx_proc *P(struct shadow *s)
{
	return psx_kproc_table(s->kp);
}

static int lowest_free(struct shadow *s)
{
	int id;

	for (id = 0; id < timer_max && s->t[id].live; id++)
		;
	return id;
}

static int is_signal(int notify)
{
	return notify == PSX_SIGEV_SIGNAL || notify == PSX_SIGEV_THREAD_ID;
}

static int is_port(int notify)
{
	return notify == PSX_SIGEV_PORT || notify == PSX_SIGEV_THREAD;
}

static int known_clock(int clock)
{
	return clock == PSX_CLOCK_REALTIME || clock == PSX_CLOCK_MONOTONIC ||
	       clock == PSX_CLOCK_PROCESS_CPUTIME_ID ||
	       clock == PSX_CLOCK_THREAD_CPUTIME_ID ||
	       clock == PSX_CLOCK_BOOTTIME || clock == PSX_CLOCK_TAI;
}

static int cpu_clock(int clock)
{
	return clock == PSX_CLOCK_PROCESS_CPUTIME_ID || clock == PSX_CLOCK_THREAD_CPUTIME_ID;
}

static int valid_ts(const struct psx_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NSEC;
}

static int ts_isset(const struct psx_timespec *ts)
{
	return ts->tv_sec || ts->tv_nsec;
}

static int ts_eq(const struct psx_timespec *a, const struct psx_timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/*
 * What create must answer, from the arguments, the fake kernel's knobs
 * and the shadow. fail_at: which allocation of the call fails (-1: none;
 * 0 the timer, 1 and 2 the id array's growth). *grows: the call gets as
 * far as growing the table, which stays grown whatever comes after.
 */
static int expect_create(struct shadow *s, int clock, const struct psx_sigevent *sev,
			 int fail_at, int *grows)
{
	struct psx_sigevent ev = { 0, 14, PSX_SIGEV_SIGNAL, 0, -1 };
	int lowest = lowest_free(s);

	*grows = 0;
	if (sev)
		ev = *sev;
	if (!known_clock(clock))
		return -PSX_EINVAL;
	switch (ev.notify) {
	case PSX_SIGEV_SIGNAL:
	case PSX_SIGEV_THREAD_ID:
		if (ev.signo < 1 || ev.signo > 64)
			return -PSX_EINVAL;
		if (ev.notify == PSX_SIGEV_THREAD_ID && ev.tid <= 0)
			return -PSX_EINVAL;
		break;
	case PSX_SIGEV_NONE:
	case PSX_SIGEV_PORT:
	case PSX_SIGEV_THREAD:
		break;
	default:
		return -PSX_EINVAL;
	}
	if (fail_at == 0)
		return -PSX_ENOMEM;
	if (lowest >= timer_max)
		return -PSX_EAGAIN;
	if (lowest >= s->size) {
		if (fail_at == 1 || fail_at == 2)
			return -PSX_ENOMEM;
		*grows = 1;
	}
	if (is_signal(ev.notify)) {
		if (host_sigqueue_refused)
			return -PSX_EAGAIN;
		if (ev.notify == PSX_SIGEV_THREAD_ID && ev.tid != host_valid_tid)
			return -PSX_EINVAL;
	} else if (is_port(ev.notify)) {
		if (ev.port < 0)
			return -PSX_EBADF;
		if (ev.port != host_port_fd)
			return -PSX_EINVAL;
	}
	if (cpu_clock(clock))
		return -PSX_EINVAL;
	return 0;
}

static const int clocks[] = { 0, 1, 2, 3, 7, 11, 0, 1, 7, 11, 4, 16, -1 };
static const int notifies[] = { PSX_SIGEV_SIGNAL, PSX_SIGEV_NONE, PSX_SIGEV_THREAD,
				PSX_SIGEV_THREAD_ID, PSX_SIGEV_PORT, 3, -1 };
static const int signos[] = { 14, 34, 64, 1, 0, 65, -1 };

static void op_create(struct shadow *s, struct input *in)
{
	struct psx_sigevent sev = { 0 };
	unsigned int b = u8(in);
	int clock = pick(in, clocks, ARRAY_SIZE(clocks));
	int fail_at = (b & 3) == 3 ? (int)(b >> 2) % 4 - 1 : -1;
	int given = !(b & 4), copyfail = (b & 0x18) == 0x18;
	int want, grows, err, id = -1;
	struct psx_itimer *it = NULL;

	sev.notify = pick(in, notifies, ARRAY_SIZE(notifies));
	sev.signo = pick(in, signos, ARRAY_SIZE(signos));
	sev.value = u16(in);
	sev.tid = (b & 0x20) ? host_valid_tid : (b & 0x40) ? 0 : 77;
	sev.port = (b & 0x80) ? host_port_fd : u8(in) & 1 ? -1 : 9;
	want = expect_create(s, clock, given ? &sev : NULL, fail_at, &grows);

	host_fail_alloc_after = fail_at;
	err = psx_timer_create(P(s), clock, given ? &sev : NULL, &id, &it);
	host_fail_alloc_after = -1;
	CHECK(err == want, "create(clock %d, notify %d, signo %d, fail_at %d) = %d, want %d",
	      clock, given ? sev.notify : -1, sev.signo, fail_at, err, want);
	if (grows)
		s->size = s->size ? (s->size * 2 < timer_max ? s->size * 2 : timer_max)
				  : (timer_max < 8 ? timer_max : 8);
	if (err)
		return;	/* check_all(): and no timer is left behind */
	CHECK(id == lowest_free(s), "create gave id %d, the lowest free is %d", id, lowest_free(s));
	CHECK(it, "create succeeded without a timer");
	if (copyfail) {
		/* The id could not be copied out: that very timer goes. */
		psx_timer_create_done(P(s), it, -PSX_EFAULT);
		return;
	}
	psx_timer_create_done(P(s), it, 0);
	s->t[id] = (struct shadow_timer){
		.live = 1, .clock = clock, .notify = given ? sev.notify : PSX_SIGEV_SIGNAL,
		.kt = host_last_ktimer, .interval_known = 1,
	};
	s->n++;
}

static const long long secs[] = { 0, 0, 0, 1, 2, -1, 0x7fffffffffffffffLL, 9223372036LL };
static const int nsecs[] = { 0, 1, 150000, 200000, 5000000, 999999999, 1000000000, -1 };

static void pick_ts(struct input *in, struct psx_timespec *ts)
{
	unsigned int b = u8(in);

	ts->tv_sec = secs[b % ARRAY_SIZE(secs)];
	ts->tv_nsec = nsecs[(b >> 3) % ARRAY_SIZE(nsecs)];
	if (b >> 6 == 3)
		ts->tv_nsec = u16(in) * 1000LL;
}

static int pick_id(struct shadow *s, struct input *in)
{
	unsigned int b = u8(in);

	/* Mostly a live one, when there is one. */
	if (b < 192 && s->n) {
		int k = b % s->n, id;

		for (id = 0; id < MAXID; id++)
			if (s->t[id].live && !k--)
				return id;
	}
	return (int)(b % (MAXID + 2)) - 1;
}

static int live(struct shadow *s, int id)
{
	return id >= 0 && id < MAXID && s->t[id].live;
}

static void op_settime(struct shadow *s, struct input *in)
{
	struct psx_itimerspec v, ov, before = { 0 };
	unsigned int b = u8(in);
	int id = pick_id(s, in);
	int flags = b & 1 ? PSX_TIMER_ABSTIME : 0;
	int want = 0, err;

	if ((b & 6) == 6)
		flags |= 2 << (u8(in) % 30);
	pick_ts(in, &v.it_value);
	pick_ts(in, &v.it_interval);
	if (flags & ~PSX_TIMER_ABSTIME)
		want = -PSX_EINVAL;
	else if (!valid_ts(&v.it_value) ||
		 (ts_isset(&v.it_value) && !valid_ts(&v.it_interval)))
		want = -PSX_EINVAL;
	else if (!live(s, id))
		want = -PSX_EINVAL;
	if (live(s, id))
		CHECK(psx_timer_gettime(P(s), id, &before) == 0, "gettime of live id %d", id);
	err = psx_timer_settime(P(s), id, flags, &v, &ov);
	if (want) {
		CHECK(err == want, "settime(id %d, flags %#x) = %d, want %d", id, flags, err, want);
		return;
	}
	CHECK(err == 0 || err == -PSX_EOVERFLOW, "settime(id %d) = %d", id, err);
	CHECK(ov.it_value.tv_sec == before.it_value.tv_sec &&
	      ov.it_value.tv_nsec == before.it_value.tv_nsec &&
	      ts_eq(&ov.it_interval, &before.it_interval),
	      "settime's old value is not what gettime said just before");
	if (err) {
		s->t[id].interval_known = 0;
		return;
	}
	s->t[id].interval_known = 1;
	if (!ts_isset(&v.it_value)) {
		s->t[id].interval = valid_ts(&v.it_interval) ? v.it_interval
							      : (struct psx_timespec){ 0 };
		return;
	}
	s->t[id].interval = v.it_interval;
	if (!host_cap_sys_nice && !v.it_interval.tv_sec && v.it_interval.tv_nsec &&
	    v.it_interval.tv_nsec < floor_ns)
		s->t[id].interval = (struct psx_timespec){ 0, floor_ns };
	s->t[id].queued_overrun = 0;
	if (s->t[id].notify != PSX_SIGEV_NONE)
		CHECK(s->t[id].kt->armed, "an armed timer's hrtimer is not started");
}

static void op_fire(struct shadow *s, struct input *in)
{
	static const long long scale[] = { 1, 1000, 1000000, NSEC };
	int id = pick_id(s, in);
	unsigned int b = u8(in);
	long long delta = u16(in) * scale[b & 3];
	struct shadow_timer *t;
	struct psx_ktimer *kt;
	int queued, before;

	if (!live(s, id))
		return;
	t = &s->t[id];
	kt = t->kt;
	queued = kt->sig_queued;
	before = kt->si_overrun;
	host_now_ns[kt->base] += delta;
	host_hrtimer_run(kt);
	if (is_signal(t->notify) && kt->sig_queued) {
		CHECK(kt->si_overrun >= 0 && kt->si_overrun <= INT_MAX_, "overrun %d",
		      kt->si_overrun);
		if (queued)
			CHECK(kt->si_overrun >= before, "a queued signal's overrun went down");
	}
}

static void op_take(struct shadow *s, struct input *in)
{
	int id = pick_id(s, in);
	struct psx_ktimer *kt;
	int ov;

	if (!live(s, id) || !is_signal(s->t[id].notify))
		return;
	kt = s->t[id].kt;
	if (!kt->sig_queued)
		return;
	ov = host_sig_accept(kt);
	CHECK(psx_timer_getoverrun(P(s), id) == ov,
	      "getoverrun after the signal was taken is not its si_overrun %d", ov);
}

static void op_exit(struct shadow *s)
{
	int before = host_ktimers;

	timer_exit(P(s));
	CHECK(host_ktimers == before - s->n, "%d timers freed by exit, %d expected",
	      before - host_ktimers, s->n);
	memset(s->t, 0, sizeof(s->t));
	s->n = 0;
	s->size = 0;
	CHECK(psx_test_ntimers(P(s)) == 0, "timers left after exit");
}

static void op_clock(struct input *in)
{
	unsigned int b = u8(in);
	int clock = pick(in, clocks, ARRAY_SIZE(clocks));
	struct psx_timespec ts;
	int err, want;

	switch (b % 3) {
	case 0:
		err = psx_clock_gettime(clock, &ts);
		CHECK(err == (known_clock(clock) ? 0 : -PSX_EINVAL), "clock_gettime(%d) = %d",
		      clock, err);
		if (!err)
			CHECK(valid_ts(&ts), "clock_gettime(%d) gave a bad timespec", clock);
		break;
	case 1:
		err = psx_clock_getres(clock, &ts);
		CHECK(err == (known_clock(clock) ? 0 : -PSX_EINVAL), "clock_getres(%d) = %d",
		      clock, err);
		break;
	default:
		pick_ts(in, &ts);
		if (ts.tv_sec > 1000000)
			ts.tv_sec = 1000000;
		host_cap_sys_time = !(b & 8);
		if (!known_clock(clock))
			want = -PSX_EINVAL;
		else if (!host_cap_sys_time)
			want = -PSX_EPERM;
		else if (!valid_ts(&ts) || clock != PSX_CLOCK_REALTIME)
			want = -PSX_EINVAL;
		else
			want = 0;
		err = psx_clock_settime(clock, &ts);
		CHECK(err == want, "clock_settime(%d) = %d, want %d", clock, err, want);
		break;
	}
}

static void op_knob(struct input *in)
{
	unsigned int b = u8(in);

	switch (b % 6) {
	case 0:
		host_cap_sys_nice = !host_cap_sys_nice;
		break;
	case 1:
		host_signal_ignored = !host_signal_ignored;
		break;
	case 2:
		host_sig_target_gone = !host_sig_target_gone;
		break;
	case 3:
		host_sigqueue_refused = !host_sigqueue_refused;
		break;
	case 4:
		host_bound_cpu = host_bound_cpu < 0 ? 1 : -1;
		break;
	default:
		host_timens_offset_ns[1 + (b >> 7)] = (long long)u16(in) * 1000000;
		break;
	}
}

/* Every table, after every step. */
static void check_all(void)
{
	struct psx_timer_stat st[8];
	int i, id, n, next, seen, total = 0;

	CHECK(psx_host_warnings == 0, "the core warned");
	for (i = 0; i < NTABLES; i++) {
		struct shadow *s = &tab[i];

		total += s->n;
		for (id = -1; id <= MAXID; id++) {
			struct psx_itimerspec v;
			struct shadow_timer *t = id >= 0 && id < MAXID ? &s->t[id] : NULL;
			int err = psx_timer_gettime(P(s), id, &v);

			if (!t || !t->live) {
				CHECK(err == -PSX_EINVAL, "table %d: free id %d: gettime = %d",
				      i, id, err);
				continue;
			}
			CHECK(err == 0, "table %d: live id %d: gettime = %d", i, id, err);
			CHECK(valid_ts(&v.it_value) && valid_ts(&v.it_interval),
			      "table %d id %d: gettime gave a bad timespec", i, id);
			if (t->interval_known)
				CHECK(ts_eq(&v.it_interval, &t->interval),
				      "table %d id %d: interval %lld.%09lld, last set %lld.%09lld",
				      i, id, v.it_interval.tv_sec, v.it_interval.tv_nsec,
				      t->interval.tv_sec, t->interval.tv_nsec);
			if (t->notify == PSX_SIGEV_NONE)
				CHECK(!t->kt->armed, "a SIGEV_NONE timer armed its hrtimer");
			err = psx_timer_getoverrun(P(s), id);
			CHECK(err >= 0 && err <= INT_MAX_, "table %d id %d: getoverrun = %d",
			      i, id, err);
		}
		/* stat: exactly the live ids, in order, in batches. */
		next = 0;
		seen = 0;
		do {
			int k;

			n = psx_timer_stat(P(s), &next, st, ARRAY_SIZE(st));
			for (k = 0; k < n; k++) {
				id = st[k].timer_id;
				CHECK(live(s, id), "table %d: stat lists free id %d", i, id);
				CHECK(st[k].clock_id == s->t[id].clock &&
				      st[k].notify == s->t[id].notify,
				      "table %d id %d: stat's clock/notify", i, id);
				if (st[k].pending)
					CHECK(st[k].pending >= 1, "pending");
				seen++;
			}
		} while (n == (int)ARRAY_SIZE(st));
		CHECK(seen == s->n, "table %d: stat lists %d timers, %d live", i, seen, s->n);
	}
	CHECK(host_ktimers == total, "%d timers in memory, %d live", host_ktimers, total);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* insmod's defaults on a 2-CPU machine: timer_max 32. */
	struct psx_tunables load = { .timer_max = 0, .ncpus = 2,
				     .highres_interval_min_ns = PSX_HIGHRES_INTERVAL_MIN_DEFAULT };
	struct psx_info info;

	if (clock_timer_init(&load))
		abort();
	psx_core_info(&info);
	timer_max = info.timer_max;
	floor_ns = info.highres_interval_min_ns;
	if (timer_max > MAXID)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	int i, steps = 0;

	host_reset();
	for (i = 0; i < NTABLES; i++) {
		memset(&tab[i], 0, sizeof(tab[i]));
		tab[i].kp = psx_kproc_alloc();
		CHECK(tab[i].kp, "no memory for a table");
	}
	while (in.n && steps++ < 512) {
		unsigned int op = u8(&in);
		struct shadow *s = &tab[(op >> 4) % NTABLES];
		struct psx_itimerspec v;
		int id, err;

		switch (op & 15) {
		case 0:
		case 1:
		case 2:
			op_create(s, &in);
			break;
		case 3:
		case 4:
			op_settime(s, &in);
			break;
		case 5:
			id = pick_id(s, &in);
			err = psx_timer_gettime(P(s), id, &v);
			CHECK(err == (live(s, id) ? 0 : -PSX_EINVAL), "gettime(%d) = %d", id, err);
			break;
		case 6:
			id = pick_id(s, &in);
			err = psx_timer_getoverrun(P(s), id);
			CHECK(live(s, id) ? err >= 0 : err == -PSX_EINVAL, "getoverrun(%d) = %d",
			      id, err);
			break;
		case 7:
		case 8:
			id = pick_id(s, &in);
			err = psx_timer_delete(P(s), id);
			CHECK(err == (live(s, id) ? 0 : -PSX_EINVAL), "delete(%d) = %d", id, err);
			if (!err) {
				s->t[id].live = 0;
				s->n--;
			}
			break;
		case 9:
		case 10:
		case 11:
			op_fire(s, &in);
			break;
		case 12:
			op_take(s, &in);
			break;
		case 13:
			op_exit(s);
			break;
		case 14:
			op_clock(&in);
			break;
		default:
			op_knob(&in);
			break;
		}
		check_all();
	}
	host_reset();
	for (i = 0; i < NTABLES; i++) {
		op_exit(&tab[i]);
		psx_kproc_free(tab[i].kp);
	}
	CHECK(host_ktimers == 0, "%d timers left after every table exited", host_ktimers);
	CHECK(psx_host_warnings == 0, "the core warned");
	return 0;
}
