// SPDX-License-Identifier: GPL-2.0
/*
 * The core's locks (kapi.h): p_lock, a process table's spinlock, and it_cv,
 * a timer's condition variable, on which the core builds ITLK_LOCKED, the
 * timer lock, with a lockdep map of its own. Functions rather than inlines,
 * since the core is C++ and cannot see spinlock_t; lockdep records each
 * acquisition here, and its reports show the C++ caller in the stack.
 *
 * The nesting, outermost first (src/core/timer_table.cpp says why):
 *   ITLK_LOCKED  held across allocations, hrtimer_cancel/start, and calls
 *                into signal.c and port.c
 *     a timer's sig_lock (signal.c), then the siglock; port->lock;
 *     hrtimer base locks
 *     p_lock     taken under ITLK, with nothing inside, but for gettime,
 *                getoverrun and settime, which work on a timer nobody
 *                has locked under p_lock alone (timer_quick): hrtimer
 *                base locks (the softirq expiry lock on PREEMPT_RT), or
 *                sig_lock then the siglock, inside it
 * The hrtimer callback takes sig_lock then the siglock, or port->lock,
 * never ITLK or p_lock.
 */
#include <linux/lockdep.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "psxtimer.h"

void psx_p_lock(struct psx_kproc *kp)
{
	spin_lock(&kp->p_lock);
}

void psx_p_unlock(struct psx_kproc *kp)
{
	spin_unlock(&kp->p_lock);
}

/* illumos cv_wait(&it->it_cv, &p->p_lock): uninterruptible, like it. */
void psx_it_cv_wait(struct psx_ktimer *kt, struct psx_kproc *kp)
{
	DEFINE_WAIT(wait);

	prepare_to_wait(&kt->it_cv, &wait, TASK_UNINTERRUPTIBLE);
	spin_unlock(&kp->p_lock);
	schedule();
	/* Off the queue before p_lock: the deleter frees kt under it. */
	finish_wait(&kt->it_cv, &wait);
	spin_lock(&kp->p_lock);
}

void psx_it_cv_broadcast(struct psx_ktimer *kt)
{
	wake_up_all(&kt->it_cv);
}

#ifdef CONFIG_DEBUG_LOCK_ALLOC
/* One class for every timer's ITLK: no path holds two. */
static struct lock_class_key psx_itlk_key;

void psx_itlk_init(struct psx_ktimer *kt)
{
	/* A sleeping lock: taking it in atomic context is a lockdep report. */
	lockdep_init_map_wait(&kt->itlk_map, "ITLK_LOCKED", &psx_itlk_key, 0,
			      LD_WAIT_SLEEP);
}

void psx_itlk_acquire(struct psx_ktimer *kt)
{
	lock_map_acquire(&kt->itlk_map);
}

void psx_itlk_release(struct psx_ktimer *kt)
{
	lock_map_release(&kt->itlk_map);
}
#endif
