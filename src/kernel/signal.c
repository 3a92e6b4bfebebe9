// SPDX-License-Identifier: GPL-2.0
/*
 * Signal notification through the kernel's preallocated sigqueue, the way
 * its own POSIX timers deliver: sigqueue_alloc at create, send_sigqueue
 * from the hrtimer callback, sigqueue_free at delete.
 *
 * Overruns, as illumos counts them: while a timer's signal is queued,
 * further expirations only count (si_overrun, saturating at INT_MAX); once
 * the process has taken it, timer_getoverrun reports the si_overrun it
 * carried until the next one is taken. Linux tells nobody when a signal is
 * taken, so "taken" is seen lazily: the sigqueue is off every pending list
 * (under the siglock) while we last queued it (sig_inflight). si_sys_private
 * stays 0, so the kernel never treats the signal as one of its own timers'.
 */
#include <linux/limits.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <asm/barrier.h>

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "psxtimer.h"

/*
 * The loop of the kernel's lock_task_sighand(): t->sighand may be replaced
 * (exec's de_thread) or cleared (exit) until its siglock is held, and
 * sighand_struct memory is SLAB_TYPESAFE_BY_RCU, so it is locked under RCU
 * and looked at again.
 */
struct sighand_struct *psx_lock_task_sighand(struct task_struct *t,
					     unsigned long *flags)
{
	struct sighand_struct *sighand;

	rcu_read_lock();
	for (;;) {
		sighand = rcu_dereference(t->sighand);
		if (!sighand)
			break;
		spin_lock_irqsave(&sighand->siglock, *flags);
		if (sighand == rcu_access_pointer(t->sighand))
			break;
		spin_unlock_irqrestore(&sighand->siglock, *flags);
	}
	rcu_read_unlock();
	return sighand;
}

int psx_sig_setup(struct psx_ktimer *kt, int signo, int timer_id,
		  unsigned long long value, int tid)
{
	struct sigqueue *q;
	struct pid *target;
	enum pid_type type = PIDTYPE_TGID;

	if (tid) {
		struct task_struct *t;

		rcu_read_lock();
		t = pid_task(find_vpid(tid), PIDTYPE_PID);
		if (!t || !same_thread_group(t, current)) {
			rcu_read_unlock();
			return -EINVAL;
		}
		target = get_pid(task_pid(t));
		rcu_read_unlock();
		type = PIDTYPE_PID;
	} else {
		target = get_pid(task_tgid(current));
	}

	/* Charged to the caller's RLIMIT_SIGPENDING. */
	q = psx_should_fail_alloc() ? NULL : static_call(psx_sigqueue_alloc)();
	if (!q) {
		put_pid(target);
		return -EAGAIN;
	}
	/*
	 * The slab hands back old contents: clear it all, si_sys_private
	 * above all (non-zero would make dequeue_signal() rearm a timer of
	 * the kernel's own with our si_tid).
	 */
	clear_siginfo(&q->info);
	q->info.si_signo = signo;
	q->info.si_code = SI_TIMER;
	q->info.si_tid = timer_id;
	q->info.si_overrun = 0;
	q->info.si_value.sival_ptr = (void __user *)(unsigned long)value;

	kt->sigq = q;
	kt->sig_pid = target;
	kt->sig_tgid = get_pid(task_tgid(current));
	kt->sig_type = type;
	return 0;
}

/* In the owning process's context (sigqueue_free uses current's siglock). */
void psx_sig_teardown(struct psx_ktimer *kt)
{
	if (!kt->sigq)
		return;
	static_call(psx_sigqueue_free)(kt->sigq);
	kt->sigq = NULL;
	put_pid(kt->sig_pid);
	put_pid(kt->sig_tgid);
}

/*
 * siglock held: if the last signal we queued has been taken, latch it.
 * getoverrun reads the pair without the siglock when nothing is in flight:
 * the release orders the count before the flag that says it is final, and
 * pairs with the acquire there.
 */
static void latch_taken(struct psx_ktimer *kt)
{
	if (kt->sig_inflight && list_empty(&kt->sigq->list)) {
		WRITE_ONCE(kt->sig_overrun_last, kt->sigq->info.si_overrun);
		/* The count before the flag: pairs with psx_sig_getoverrun(). */
		smp_store_release(&kt->sig_inflight, false);
	}
}

int psx_sig_fire(struct psx_ktimer *kt, unsigned long long count)
{
	struct sigqueue *q = kt->sigq;
	const enum pid_type type = kt->sig_type;
	struct pid *pid = kt->sig_pid;
	struct task_struct *t;
	unsigned long flags;
	int heard = 1;

	rcu_read_lock();
	t = pid_task(pid, type);
	/*
	 * The process is gone (its exit deletes us soon), or the thread of a
	 * SIGEV_THREAD_ID timer is: as on Linux, nothing is sent to anyone,
	 * ever again. (A thread that is exiting still gets it, and loses it
	 * with its own pending signals, as on Linux.)
	 */
	if (!t) {
		heard = 0;
		goto out;
	}
	if (!psx_lock_task_sighand(t, &flags))
		goto out;
	if (!list_empty(&q->list)) {
		/* Still queued: these expirations are overruns. */
		q->info.si_overrun = psx_count_add(q->info.si_overrun, count);
		unlock_task_sighand(t, &flags);
		goto out;
	}
	latch_taken(kt);
	unlock_task_sighand(t, &flags);

	/*
	 * 0: queued; 1: ignored (nothing counts); -1: no target. Divergence:
	 * illumos discards an ignored signal through timer_signal(), which
	 * sets the overrun to 0; here the last signal taken's still stands.
	 */
	if (static_call(psx_send_sigqueue)(q, pid, type) != 0)
		goto out;
	if (!psx_lock_task_sighand(t, &flags))
		goto out;
	WRITE_ONCE(kt->sig_inflight, true);
	/*
	 * Periods missed before this callback ran are overruns of the signal
	 * just queued (send_sigqueue starts it at 0). If it was taken in the
	 * instant between, its receiver saw the count without them.
	 */
	if (count > 1 && !list_empty(&q->list))
		q->info.si_overrun = psx_count_add(q->info.si_overrun, count - 1);
	unlock_task_sighand(t, &flags);
out:
	rcu_read_unlock();
	return heard;
}

int psx_sig_getoverrun(struct psx_ktimer *kt)
{
	unsigned long flags;
	int overrun;

	/*
	 * Nothing sent since the last latch: no need for the siglock. The
	 * acquire pairs with latch_taken()'s release, so the count read is
	 * at least the one latched when the flag was cleared.
	 */
	if (!smp_load_acquire(&kt->sig_inflight))
		return READ_ONCE(kt->sig_overrun_last);
	if (!psx_lock_task_sighand(current, &flags))
		return kt->sig_overrun_last;
	latch_taken(kt);
	overrun = kt->sig_overrun_last;
	unlock_task_sighand(current, &flags);
	return overrun;
}

/*
 * From any process: the timer's process shares one siglock among its
 * threads, reached through its leader. If it has none any more (it is
 * exiting), what was last latched is all there is.
 */
void psx_sig_stat(struct psx_ktimer *kt, struct psx_timer_stat *st)
{
	struct task_struct *t;
	unsigned long flags;

	st->signo = kt->sigq->info.si_signo;
	st->value = (unsigned long)kt->sigq->info.si_value.sival_ptr;
	rcu_read_lock();
	t = pid_task(kt->sig_tgid, PIDTYPE_TGID);
	if (t && psx_lock_task_sighand(t, &flags)) {
		latch_taken(kt);
		/* Still in flight after the latch: queued, not yet taken. */
		if (kt->sig_inflight)
			st->pending = (unsigned int)kt->sigq->info.si_overrun + 1;
		st->overrun = kt->sig_overrun_last;
		unlock_task_sighand(t, &flags);
	} else {
		st->overrun = READ_ONCE(kt->sig_overrun_last);
	}
	rcu_read_unlock();
}
