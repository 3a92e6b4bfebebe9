/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel services the C++ core may use, and nothing more. Implemented by
 * the C glue in src/kernel/; the host test build implements them on libc in
 * kunit/host/host_kapi.c so the core runs under ASan/UBSan.
 */
#ifndef PSXTIMER_KAPI_H
#define PSXTIMER_KAPI_H

#ifdef __cplusplus
extern "C" {
#endif

struct psx_kproc;
struct psx_ktimer;
struct psx_itimer;
struct psx_timespec;
struct psx_timer_stat;

/* errno values the core returns (negated), as the kernel defines them. */
#define PSX_EPERM 1
#define PSX_EBADF 9
#define PSX_EAGAIN 11
#define PSX_ENOMEM 12
#define PSX_EFAULT 14
#define PSX_EINVAL 22
#define PSX_EOVERFLOW 75

/* Sleeping allocations (mem.c); NULL on failure. Memory is zeroed. */
void *psx_kzalloc(unsigned long size);
void psx_kfree(const void *p);
/* For arrays that may outgrow kmalloc (the id array). */
void *psx_kvzalloc(unsigned long size);
void psx_kvfree(const void *p);

/* A broken invariant the core can survive (main.c): WARN, with the message. */
void psx_warn(const char *msg);
/*
 * One it cannot (a pure virtual call): BUG. Not declared noreturn, so that
 * objtool, which does not know it, sees its callers end normally.
 */
void psx_bug(const char *msg);

/*
 * p_lock, the per-process lock (sync.c; a spinlock: held only for table and
 * ITLK_* updates, never across a sleep or a backend call, and nothing is
 * taken under it: a leaf).
 */
void psx_p_lock(struct psx_kproc *kp);
void psx_p_unlock(struct psx_kproc *kp);

/*
 * it_cv, a timer's condition variable. psx_it_cv_wait() is called with
 * p_lock held; it drops it while asleep and takes it again (illumos
 * cv_wait(&it->it_cv, &p->p_lock)). Wakeups may be spurious: callers loop.
 */
void psx_it_cv_wait(struct psx_ktimer *kt, struct psx_kproc *kp);
void psx_it_cv_broadcast(struct psx_ktimer *kt);

/*
 * ITLK_LOCKED as lockdep sees it: the core calls acquire once it holds the
 * bit (p_lock already dropped) and release before it clears it, so that
 * lockdep learns ITLK's place in the lock order and reports a future
 * ordering mistake. Only a build that tracks locks has them: the glue with
 * CONFIG_DEBUG_LOCK_ALLOC, the C++ core built for it (Kbuild defines
 * PSX_ITLK_TRACKED from the same option), the host tests' fake; anywhere
 * else they are empty inlines, not calls.
 */
#if defined(CONFIG_DEBUG_LOCK_ALLOC) || defined(PSX_ITLK_TRACKED)
void psx_itlk_acquire(struct psx_ktimer *kt);
void psx_itlk_release(struct psx_ktimer *kt);
#else
static inline void psx_itlk_acquire(struct psx_ktimer *kt)
{
	(void)kt;
}

static inline void psx_itlk_release(struct psx_ktimer *kt)
{
	(void)kt;
}
#endif

/*
 * A timer's memory (mem.c): one allocation holds the glue's half (hrtimer, it_cv,
 * sigqueue) and core_size zeroed bytes for the core's psx_itimer, returned.
 */
void *psx_ktimer_alloc(unsigned long core_size, struct psx_ktimer **ktp);
void psx_ktimer_free(struct psx_ktimer *kt);

/*
 * Privileges of the calling task (cred.c), asked only when they decide the
 * answer, so that neither an audit record nor the task's "used superuser
 * privileges" flag appears when they do not.
 * may_exceed_floor: the caller may arm below clock_highres_interval_min
 * (illumos secpolicy_clock_highres; here CAP_SYS_NICE, never audited: an
 * unprivileged caller hitting the floor is normal).
 * may_settime: 0 if the caller may set the realtime clock to ts, or the
 * -errno of the check the kernel's own clock_settime makes (the settime LSM
 * hook: CAP_SYS_TIME and any LSM's policy).
 */
int psx_may_exceed_floor(void);
int psx_may_settime(const struct psx_timespec *ts);
/* The CPU the calling thread is bound to, or -1 if it may run on several. */
int psx_current_bound_cpu(void);

/*
 * Signal delivery (signal.c), through the kernel's preallocated sigqueue.
 * setup: in the creator's context; allocates the sigqueue (charged to its
 * RLIMIT_SIGPENDING: -EAGAIN when refused) and fixes the target: tid 0 for
 * the process, else a thread of the caller's process (-EINVAL otherwise).
 * teardown: frees the sigqueue; a signal still queued is still delivered.
 * fire: hrtimer callback; queue the signal, or count the expirations as
 * overruns of the one still queued (saturating at INT_MAX); an ignored
 * signal counts nothing. Returns 0 when the target is gone (nobody will
 * ever hear this timer), else 1. getoverrun: si_overrun of the last signal
 * that was accepted.
 */
int psx_sig_setup(struct psx_ktimer *kt, int signo, int timer_id,
		  unsigned long long value, int tid);
void psx_sig_teardown(struct psx_ktimer *kt);
int psx_sig_fire(struct psx_ktimer *kt, unsigned long long count);
int psx_sig_getoverrun(struct psx_ktimer *kt);
/*
 * For stat, from any process: signo, value, overrun (as getoverrun) and
 * pending (the expirations the queued signal stands for; 0 if none queued).
 */
void psx_sig_stat(struct psx_ktimer *kt, struct psx_timer_stat *st);

/*
 * Event port notification (port.c), illumos's port_associate_ksource,
 * port_send_event, timer_port_callback and the dissociate paths.
 * setup: associate the timer with the port behind fd (the association
 * holds a reference on the port): -EBADF if fd is not open, -EINVAL if it
 * is not a psxtimer port, -EACCES if another process made the port. teardown: dissociate, dropping a queued event.
 * fire: hrtimer callback; queue the timer's event, or count the
 * expirations while it is queued (saturating); once the port is closed,
 * nothing, and 0 (else 1).
 * getoverrun: the count of the last retrieved event minus one.
 */
int psx_port_setup(struct psx_ktimer *kt, int fd, unsigned long long cookie,
		   int timer_id);
void psx_port_teardown(struct psx_ktimer *kt);
int psx_port_fire(struct psx_ktimer *kt, unsigned long long count);
int psx_port_getoverrun(struct psx_ktimer *kt);
/* For stat: value (the cookie), overrun, and pending (fires in the queued event). */
void psx_port_stat(struct psx_ktimer *kt, struct psx_timer_stat *st);

/*
 * Clocks and hrtimers (hrtimer_clock.c). Bases are the hrtimer clock bases
 * the core's backends sit on.
 */
enum { PSX_BASE_REALTIME, PSX_BASE_MONOTONIC, PSX_BASE_BOOTTIME, PSX_BASE_TAI };
long long psx_clock_now_ns(int base);
/*
 * The calling task's time-namespace offset on that base, in ns: what its
 * clock_gettime adds to the host's clock (MONOTONIC and BOOTTIME; 0 for
 * the others, and outside a time namespace).
 */
long long psx_timens_offset_ns(int base);
long long psx_clock_res_ns(void);
int psx_clock_set_realtime(const struct psx_timespec *ts);
/* CPU time of the calling thread or its whole process, in ns. */
long long psx_cputime_ns(int process);

/*
 * Arm the timer's hrtimer on `base` to expire at `expires_ns` (absolute on
 * that base), then every `interval_ns` (0: once); pinned to the current CPU
 * when `pinned`. The hrtimer must not be armed (cancel first). cancel:
 * returns once the callback is not running and will not run again.
 * remaining: 0 when the hrtimer is neither queued nor running its
 * callback; else 1, with *ns the time to its expiry (<= 0 when it is due
 * and its callback has not finished).
 */
void psx_hrtimer_start(struct psx_ktimer *kt, int base, long long expires_ns,
		       long long interval_ns, int pinned);
void psx_hrtimer_cancel(struct psx_ktimer *kt);
int psx_hrtimer_remaining(struct psx_ktimer *kt, long long *ns);

#ifdef __cplusplus
}
#endif

#endif /* PSXTIMER_KAPI_H */
