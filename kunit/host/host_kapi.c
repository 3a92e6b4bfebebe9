// SPDX-License-Identifier: GPL-2.0
/*
 * include/psxtimer/kapi.h on libc, for the host build of the core: malloc
 * stands in for kzalloc (ASan sees every byte), a pthread mutex and
 * condition variable for p_lock and it_cv, a settable fake clock and a
 * fake hrtimer that tests expire by hand. A core WARN fails the test that
 * provoked it; a BUG aborts.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "../psxtimer_kunit.h"
#include "host.h"

/* The fake kernel's knobs (host.h); the suites' main.c and the fuzzer set them. */
int psx_host_warnings;
long long host_now_ns[4];
long long host_timens_offset_ns[4];
int host_cap_sys_nice, host_cap_sys_time, host_bound_cpu;
int host_floor_asked, host_settime_asked;
int host_sigqueue_refused, host_signal_ignored, host_valid_tid;
int host_sig_target_gone;
int host_port_fd;
int host_fail_alloc_after = -1;
int host_ktimers;
struct psx_ktimer *host_last_ktimer;
int host_cv_waits;

void *psx_kzalloc(unsigned long size)
{
	if (host_fail_alloc_after >= 0 && host_fail_alloc_after-- == 0)
		return NULL;
	return calloc(1, size);
}

void psx_kfree(const void *p)
{
	free((void *)p);
}

void *psx_kvzalloc(unsigned long size)
{
	return psx_kzalloc(size);
}

void psx_kvfree(const void *p)
{
	free((void *)p);
}

void psx_warn(const char *msg)
{
	fprintf(stderr, "WARNING: %s\n", msg);
	__atomic_add_fetch(&psx_host_warnings, 1, __ATOMIC_RELAXED);
}

void psx_bug(const char *msg)
{
	fprintf(stderr, "BUG: %s\n", msg);
	abort();
}

struct psx_kproc {
	pthread_mutex_t p_lock;
	long long core[];
};

struct psx_kproc *psx_kproc_alloc(void)
{
	struct psx_kproc *kp = psx_kzalloc(sizeof(*kp) + psx_proc_size());

	if (!kp)
		return NULL;
	pthread_mutex_init(&kp->p_lock, NULL);
	psx_proc_init(psx_kproc_table(kp), kp);
	return kp;
}

void psx_kproc_free(struct psx_kproc *kp)
{
	pthread_mutex_destroy(&kp->p_lock);
	free(kp);
}

struct psx_proc *psx_kproc_table(struct psx_kproc *kp)
{
	return (struct psx_proc *)kp->core;
}

/*
 * The lock order, checked per thread as lockdep would in the kernel:
 * p_lock is a leaf, ITLK is taken without p_lock held, never two at once,
 * and a timer is not freed while its ITLK is held.
 */
static __thread int plocks_held, itlks_held;

void psx_p_lock(struct psx_kproc *kp)
{
	if (plocks_held)
		psx_warn("p_lock taken with p_lock held");
	pthread_mutex_lock(&kp->p_lock);
	plocks_held++;
}

void psx_p_unlock(struct psx_kproc *kp)
{
	plocks_held--;
	pthread_mutex_unlock(&kp->p_lock);
}

void psx_itlk_acquire(struct psx_ktimer *kt)
{
	if (plocks_held)
		psx_warn("ITLK taken with p_lock held");
	if (itlks_held)
		psx_warn("two ITLKs held at once");
	if (kt->itlk_held)
		psx_warn("ITLK acquired twice");
	kt->itlk_held = 1;
	itlks_held++;
}

void psx_itlk_release(struct psx_ktimer *kt)
{
	if (!kt->itlk_held)
		psx_warn("ITLK released but not held");
	kt->itlk_held = 0;
	itlks_held--;
}

void psx_it_cv_wait(struct psx_ktimer *kt, struct psx_kproc *kp)
{
	plocks_held--;
	__atomic_add_fetch(&host_cv_waits, 1, __ATOMIC_RELEASE);
	pthread_cond_wait(&kt->it_cv, &kp->p_lock);
	plocks_held++;
}

void psx_it_cv_broadcast(struct psx_ktimer *kt)
{
	pthread_cond_broadcast(&kt->it_cv);
}

void *psx_ktimer_alloc(unsigned long core_size, struct psx_ktimer **ktp)
{
	if (core_size > psx_itimer_size())
		psx_warn("core_size larger than psx_itimer_size()");
	struct psx_ktimer *kt = psx_kzalloc(sizeof(*kt) + core_size);

	if (!kt)
		return NULL;
	pthread_cond_init(&kt->it_cv, NULL);
	__atomic_add_fetch(&host_ktimers, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&host_last_ktimer, kt, __ATOMIC_RELAXED);
	*ktp = kt;
	return kt->core;
}

void psx_ktimer_free(struct psx_ktimer *kt)
{
	if (kt->armed)
		psx_warn("ktimer freed while armed");
	if (kt->itlk_held)
		psx_warn("ktimer freed with its ITLK held");
	pthread_cond_destroy(&kt->it_cv);
	__atomic_sub_fetch(&host_ktimers, 1, __ATOMIC_RELAXED);
	free(kt);
}

int psx_may_exceed_floor(void)
{
	__atomic_add_fetch(&host_floor_asked, 1, __ATOMIC_RELAXED);
	return host_cap_sys_nice;
}

int psx_may_settime(const struct psx_timespec *ts)
{
	host_settime_asked++;
	return host_cap_sys_time ? 0 : -PSX_EPERM;
}

int psx_current_bound_cpu(void)
{
	return host_bound_cpu;
}

int psx_sig_setup(struct psx_ktimer *kt, int signo, int timer_id,
		  unsigned long long value, int tid)
{
	if (host_sigqueue_refused)
		return -PSX_EAGAIN;
	if (tid && tid != host_valid_tid)
		return -PSX_EINVAL;
	kt->sig_setup = 1;
	kt->signo = signo;
	kt->sig_id = timer_id;
	kt->sig_value = value;
	kt->sig_tid = tid;
	return 0;
}

void psx_sig_teardown(struct psx_ktimer *kt)
{
	kt->sig_setup = 0;
}

/* The glue's accounting, modelled: see src/kernel/signal.c. */
int psx_sig_fire(struct psx_ktimer *kt, unsigned long long count)
{
	long long overrun;

	if (host_sig_target_gone)
		return 0;
	if (kt->sig_queued) {
		overrun = kt->si_overrun + (long long)count;
		kt->si_overrun = overrun > 0x7fffffff ? 0x7fffffff : (int)overrun;
		return 1;
	}
	if (kt->sig_inflight) {
		kt->overrun_last = kt->si_overrun;
		kt->sig_inflight = 0;
	}
	if (host_signal_ignored)
		return 1;
	overrun = (long long)count - 1;
	kt->si_overrun = overrun > 0x7fffffff ? 0x7fffffff : (int)overrun;
	kt->sig_queued = 1;
	kt->sig_inflight = 1;
	kt->sig_sent++;
	return 1;
}

int psx_sig_getoverrun(struct psx_ktimer *kt)
{
	if (kt->sig_inflight && !kt->sig_queued) {
		kt->overrun_last = kt->si_overrun;
		kt->sig_inflight = 0;
	}
	return kt->overrun_last;
}

void psx_sig_stat(struct psx_ktimer *kt, struct psx_timer_stat *st)
{
	st->signo = kt->signo;
	st->value = kt->sig_value;
	st->overrun = psx_sig_getoverrun(kt);
	st->pending = kt->sig_queued ? (unsigned int)kt->si_overrun + 1 : 0;
}

int psx_port_setup(struct psx_ktimer *kt, int fd, unsigned long long cookie,
		   int timer_id)
{
	if (fd < 0)
		return -PSX_EBADF;
	if (fd != host_port_fd)
		return -PSX_EINVAL;
	kt->port_assoc = 1;
	kt->port_cookie = cookie;
	kt->port_id = timer_id;
	return 0;
}

void psx_port_teardown(struct psx_ktimer *kt)
{
	kt->port_assoc = 0;
	kt->port_queued = 0;
}

/* The glue's accounting, modelled: see src/kernel/port.c. */
int psx_port_fire(struct psx_ktimer *kt, unsigned long long count)
{
	unsigned long long n;

	if (!kt->port_assoc)
		return 0;
	n = (kt->port_queued ? (unsigned long long)kt->port_pending : 0) + count;
	kt->port_pending = n > 0x7fffffff ? 0x7fffffff : (int)n;
	kt->port_queued = 1;
	return 1;
}

int psx_port_getoverrun(struct psx_ktimer *kt)
{
	return kt->port_overrun_last;
}

void psx_port_stat(struct psx_ktimer *kt, struct psx_timer_stat *st)
{
	st->value = kt->port_cookie;
	st->overrun = kt->port_overrun_last;
	st->pending = kt->port_queued ? (unsigned int)kt->port_pending : 0;
}

long long psx_clock_now_ns(int base)
{
	return host_now_ns[base];
}

long long psx_timens_offset_ns(int base)
{
	return host_timens_offset_ns[base];
}

long long psx_clock_res_ns(void)
{
	return 1;
}

int psx_clock_set_realtime(const struct psx_timespec *ts)
{
	host_now_ns[PSX_BASE_REALTIME] = ts->tv_sec * 1000000000LL + ts->tv_nsec;
	return 0;
}

long long psx_cputime_ns(int process)
{
	return process ? 2000 : 1000;
}

void psx_hrtimer_start(struct psx_ktimer *kt, int base, long long expires_ns,
		       long long interval_ns, int pinned)
{
	if (kt->armed)
		psx_warn("hrtimer started while armed");
	kt->armed = 1;
	kt->base = base;
	kt->expires = expires_ns;
	kt->interval = interval_ns;
	kt->pinned = pinned;
}

void psx_hrtimer_cancel(struct psx_ktimer *kt)
{
	kt->armed = 0;
}

int psx_hrtimer_remaining(struct psx_ktimer *kt, long long *ns)
{
	if (!kt->armed)
		return 0;
	*ns = kt->expires - host_now_ns[kt->base];
	return 1;
}

/* What the glue's hrtimer callback does, when the fake clock says so. */
unsigned long long host_hrtimer_run(struct psx_ktimer *kt)
{
	long long now = host_now_ns[kt->base];
	unsigned long long count = 1;

	if (!kt->armed || now < kt->expires)
		return 0;
	if (kt->interval) {
		count = (unsigned long long)((now - kt->expires) / kt->interval) + 1;
		kt->expires += (long long)count * kt->interval;
	} else {
		kt->armed = 0;
	}
	/* HRTIMER_NORESTART when nobody hears the timer any more. */
	if (!timer_fire((struct psx_itimer *)kt->core, count))
		kt->armed = 0;
	return count;
}

/* The fake kernel's knobs as every test case and fuzz input starts. */
void host_reset(void)
{
	int i;

	for (i = 0; i < 4; i++) {
		host_now_ns[i] = 1000000000LL * (i + 1);
		host_timens_offset_ns[i] = 0;
	}
	/* KUnit runs as root: the shared suites may set the clock. */
	host_cap_sys_nice = 0;
	host_cap_sys_time = 1;
	host_floor_asked = host_settime_asked = 0;
	host_bound_cpu = -1;
	host_sigqueue_refused = host_signal_ignored = host_sig_target_gone = 0;
	host_valid_tid = 4242;
	host_port_fd = 3;
	host_fail_alloc_after = -1;
	psx_host_warnings = 0;
}
