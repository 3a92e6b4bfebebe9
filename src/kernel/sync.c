// SPDX-License-Identifier: GPL-2.0
/*
 * The core's locks (kapi.h): p_lock, a process table's spinlock, and it_cv,
 * a timer's condition variable, on which the core builds ITLK_LOCKED.
 * Functions rather than inlines, since the core is C++ and cannot see
 * spinlock_t; lockdep records each acquisition here, and its reports show
 * the C++ caller in the stack.
 */
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
