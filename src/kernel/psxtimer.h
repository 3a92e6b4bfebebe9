/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C glue's own structures and functions, which the C++ core never
 * sees: the kernel halves of a process and of a timer, and what the glue's
 * files offer each other. What the core may call is include/psxtimer/kapi.h.
 */
#ifndef PSXTIMER_KERNEL_H
#define PSXTIMER_KERNEL_H

#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/limits.h>
#include <linux/lockdep.h>
#include <linux/pid.h>
#include <linux/posix-timers.h>
#include <linux/refcount.h>
#include <linux/sched/cputime.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/spinlock.h>
#include <linux/static_call.h>
#include <linux/task_work.h>
#include <linux/wait.h>

#include "compat.h"

struct psx_proc;
struct psx_itimer;

/*
 * The kernel half of a process's timer table, keyed by its signal_struct
 * (one per thread group, kept across exec) in an RCU hash. The core's
 * struct psx_proc follows it in the same allocation.
 */
struct psx_kproc {
	struct hlist_node node;
	const struct signal_struct *key;
	spinlock_t p_lock;
	struct callback_head work;	/* exec/exit cleanup in process context */
	unsigned long flags;		/* PSX_KP_* bits */
	refcount_t ref;			/* the process, and each psxtimer stat of it */
	struct rcu_head rcu;
	unsigned long long core[];	/* struct psx_proc */
};

enum { PSX_KP_WORK, PSX_KP_EXEC, PSX_KP_EXIT };

struct psx_port;

/*
 * A timer's port event (port.c). Written at create; then, while the timer
 * is associated, its fields change under the port's lock only.
 */
struct psx_portev {
	struct psx_port __rcu *port;	/* NULL once dissociated */
	struct list_head anode;		/* on port->timers */
	struct list_head qnode;		/* on port->queue while queued */
	unsigned long long cookie;
	int timer_id;
	int pending;			/* fires since the last retrieval */
	int overrun_last;		/* events of the last retrieval - 1 */
	bool queued;
};

/*
 * The kernel half of a timer, from psx_ktimer_cache; the core's struct
 * psx_itimer follows it in the same object. A timer notifies by signal or
 * by port, never both: the two sets of fields share memory, and only the
 * core's it_notify says which is live. The signal fields are written at
 * create and read by the hrtimer callback; sig_inflight and
 * sig_overrun_last change under sig_lock and the process's siglock.
 */
struct psx_ktimer {
	struct hrtimer hrt;
	ktime_t interval;		/* 0: one-shot */
	pid_t trace_tgid;		/* whose timer, for the trace events (trace.h): */
	int trace_id;			/* set at create, before it can fire */
	wait_queue_head_t it_cv;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	struct lockdep_map itlk_map;	/* ITLK_LOCKED, for lockdep (sync.c) */
#endif
	union {
		struct {
#if PSX_HAVE_SEND_SIGQUEUE
			struct sigqueue *sigq;
#else
			struct k_itimer *ktmr;	/* for its sigq (signal.c) */
#endif
			struct pid *sig_pid;	/* the target: a thread, or the process */
			struct pid *sig_tgid;	/* SIGEV_THREAD_ID: the process, whose
						 * siglock stat takes; else NULL
						 */
			enum pid_type sig_type;
			spinlock_t sig_lock;	/* a fire, and a latch (signal.c) */
			u64 sig_carry;		/* expirations for the next fire to count */
			bool sig_inflight;	/* queued since we last looked */
			int sig_overrun_last;	/* si_overrun of the last signal taken */
		};
		struct psx_portev portev;
	};
	unsigned long long core[];	/* struct psx_itimer */
};

/*
 * n more expirations on a count of n (a signal's si_overrun, a port
 * event's fires), saturating at INT_MAX as illumos's it_pending does.
 */
static inline int psx_count_add(int n, u64 count)
{
	u64 sum = (u64)n + count;

	return sum > INT_MAX ? INT_MAX : (int)sum;
}

/* The glue's half of a core timer: one allocation holds both (mem.c). */
static inline struct psx_ktimer *psx_ktimer_of(struct psx_itimer *it)
{
	return container_of((void *)it, struct psx_ktimer, core);
}

/* sync.c: a new timer's ITLK lockdep map. */
#ifdef CONFIG_DEBUG_LOCK_ALLOC
void psx_itlk_init(struct psx_ktimer *kt);
#else
static inline void psx_itlk_init(struct psx_ktimer *kt)
{
}
#endif

/* mem.c: the slab cache of timers, sized at load. */
int psx_ktimer_cache_init(void);
void psx_ktimer_cache_exit(void);

/*
 * counters.c: timers and tables alive, for PSXTIMER_IOC_INFO. The timer
 * count is an inline, for it changes in every create and delete.
 */
extern atomic_t psx_ntimers;

static inline void psx_count_timer(int delta)
{
	atomic_add(delta, &psx_ntimers);
}

void psx_count_proc(int delta);
unsigned int psx_nr_timers(void);
unsigned int psx_nr_procs(void);

/*
 * fault.c: the module's own fault-injection switch, checked before each of
 * its allocations. Without CONFIG_FAULT_INJECTION_DEBUG_FS it is always
 * false, and an inline: no call on the kernels users run.
 */
void psx_debugfs_init(void);
void psx_debugfs_exit(void);
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
bool psx_should_fail_alloc(void);
#else
static inline bool psx_should_fail_alloc(void)
{
	return false;
}
#endif

/*
 * ksyms.c: kernel functions psxtimer needs but the kernel does not export,
 * each called through a static call of its own, static_call(psx_NAME)(...),
 * typed by the prototype its kernel header declares:
 *   sigqueue_alloc, sigqueue_free, send_sigqueue up to 6.12, and
 *     posixtimer_init_sigqueue, posixtimer_send_sigqueue,
 *     posixtimer_free_timer since 6.13: the preallocated-sigqueue delivery
 *     of the kernel's own POSIX timers (signal.c);
 *   flush_itimer_signals: exec's drop of queued timer signals (lifecycle.c);
 *   task_sched_runtime, thread_group_cputime: the CPU-time clocks;
 *   security_settime64: the settime LSM hook (cred.c), where there are LSMs.
 */
#if PSX_HAVE_SEND_SIGQUEUE
DECLARE_STATIC_CALL(psx_sigqueue_alloc, sigqueue_alloc);
DECLARE_STATIC_CALL(psx_sigqueue_free, sigqueue_free);
DECLARE_STATIC_CALL(psx_send_sigqueue, send_sigqueue);
#else
DECLARE_STATIC_CALL(psx_posixtimer_init_sigqueue, posixtimer_init_sigqueue);
DECLARE_STATIC_CALL(psx_posixtimer_send_sigqueue, posixtimer_send_sigqueue);
DECLARE_STATIC_CALL(psx_posixtimer_free_timer, posixtimer_free_timer);
#endif
DECLARE_STATIC_CALL(psx_flush_itimer_signals, flush_itimer_signals);
DECLARE_STATIC_CALL(psx_task_sched_runtime, task_sched_runtime);
DECLARE_STATIC_CALL(psx_thread_group_cputime, thread_group_cputime);
#ifdef CONFIG_SECURITY
DECLARE_STATIC_CALL(psx_security_settime64, security_settime64);
#endif
int psx_ksyms_resolve(void);

/*
 * signal.c: t's siglock, taken through its sighand pointer, which exec
 * and exit may change or clear under RCU; NULL when t has none any more.
 * (The kernel's lock_task_sighand(), which is not exported.)
 */
struct sighand_struct *psx_lock_task_sighand(struct task_struct *t,
					     unsigned long *flags);

/*
 * lifecycle.c: process halves and their tables; the table of the calling
 * process; another process's, with a reference; the exit/exec hooks.
 * psx_kproc_alloc/free/table also serve the KUnit suites (kunit/psxtimer_kunit.h).
 */
struct psx_kproc *psx_kproc_alloc(void);
void psx_kproc_free(struct psx_kproc *kp);
struct psx_proc *psx_kproc_table(struct psx_kproc *kp);
struct psx_proc *psx_proc_of_file_slow(struct file *f, bool create);
void psx_file_release(struct file *f);

/*
 * The calling process's table for a call on /dev/psxtimer file f (with
 * create, made on first use; NULL when there is none and create is false;
 * ERR_PTR(-ENOMEM)), without the hash when it can: the first table looked
 * up through f is kept in f->private_data, and is the answer whenever the
 * process that owns it calls on f again. A caller of another process (a
 * fork, a process the fd was passed to) takes the hash, as before. The key alone cannot say that
 * the caller owns it: once the owner has exited, its signal_struct may be
 * reused by a process that inherited f. PSX_KP_EXIT can, set as the owner's
 * last thread exits, before its signal_struct can be freed, let alone
 * reused; while the owner lives, only its own exit unhashes the table, so
 * a table found here is the one in the hash.
 */
static inline struct psx_proc *psx_proc_of_file(struct file *f, bool create)
{
	struct psx_kproc *kp = READ_ONCE(f->private_data);

	if (likely(kp) && kp->key == current->signal &&
	    !test_bit(PSX_KP_EXIT, &kp->flags))
		return (struct psx_proc *)kp->core;
	return psx_proc_of_file_slow(f, create);
}

struct psx_kproc *psx_kproc_get_pid(pid_t nr);
void psx_kproc_put(struct psx_kproc *kp);
int psx_lifecycle_init(void);
void psx_lifecycle_exit(void);

/* port.c */
struct file *psx_port_file(unsigned int flags);

/* dev.c: /dev/psxtimer, the misc device 10:PSX_MISC_MINOR (see there). */
#define PSX_MISC_MINOR 248
int psx_dev_register(void);
void psx_dev_unregister(void);
long psx_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* PSXTIMER_KERNEL_H */
