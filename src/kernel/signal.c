// SPDX-License-Identifier: GPL-2.0
/*
 * Signal notification through a preallocated sigqueue, the way the
 * kernel's own POSIX timers deliver: allocated (and charged to the
 * creator's RLIMIT_SIGPENDING) at create, queued from the hrtimer callback,
 * let go at delete. How a module gets one depends on the kernel:
 *
 * - up to 6.12, sigqueue_alloc(), send_sigqueue() and sigqueue_free(),
 *   which the kernel's timers use (unexported: ksyms.c);
 * - since 6.13 those are gone: the kernel embeds its sigqueue in a struct
 *   k_itimer and hands every preallocated SI_TIMER sigqueue it dequeues to
 *   posixtimer_deliver_signal(), which takes it for part of a k_itimer and
 *   drops a reference on it. A module may queue such a sigqueue only if it
 *   really is inside a k_itimer. So each signal timer has a k_itimer of its
 *   own (struct k_itimer is public), set up and sent with the kernel's own
 *   posixtimer_init_sigqueue() and posixtimer_send_sigqueue(), freed with
 *   posixtimer_free_timer() when the last reference goes (ours at delete,
 *   or the queue's when a signal still queued at delete is taken). Its
 *   it_interval stays 0, so dequeuing never calls back into a clock (its
 *   kclock would be a private struct k_clock), and it is in no kernel
 *   table, so nothing else finds it.
 *
 * The other design, an ordinary siginfo sent through the kernel's usual
 * path with psxtimer coalescing its own entries, was not taken: it
 * allocates at every send (GFP_ATOMIC, under the rlimit then, so an
 * RLIMIT_SIGPENDING refusal would come at fire time instead of EAGAIN at
 * create), and a refused non-RT signal would arrive without its siginfo.
 *
 * Overruns, as illumos counts them, on either kernel: while a timer's
 * signal is queued, further expirations only count (si_overrun, saturating
 * at INT_MAX); once the process has taken it, timer_getoverrun reports the
 * si_overrun it carried until the next one is taken. Linux tells nobody
 * when a signal is taken, so "taken" is seen lazily: the sigqueue is off
 * every pending list (under the siglock) while we last queued it
 * (sig_inflight). si_sys_private stays 0, so the kernel never takes the
 * signal for one of its own timers' and rearms nothing.
 */
#include <linux/limits.h>
#include <linux/pid.h>
#include <linux/posix-timers.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <asm/barrier.h>

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "compat.h"
#include "psxtimer.h"
#include "trace.h"

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

/*
 * The preallocated signal of each kernel (see the top of this file):
 * sig_q() its sigqueue, NULL when there is none; sig_alloc() makes it,
 * charged to the caller's RLIMIT_SIGPENDING (-EAGAIN when refused);
 * sig_free() lets it go; sig_send() queues it to the timer's target t,
 * then takes t's siglock and says whether it may have been queued (1: it
 * may even have been taken already) or was refused as ignored or for want
 * of a target (0: nothing counts); -1 when t has no siglock any more.
 */
#if PSX_HAVE_SEND_SIGQUEUE
static struct sigqueue *sig_q(struct psx_ktimer *kt)
{
	return kt->sigq;
}

static int sig_alloc(struct psx_ktimer *kt, struct pid *pid, enum pid_type type)
{
	kt->sigq = psx_should_fail_alloc() ? NULL : static_call(psx_sigqueue_alloc)();
	return kt->sigq ? 0 : -EAGAIN;
}

static void sig_free(struct psx_ktimer *kt)
{
	static_call(psx_sigqueue_free)(kt->sigq);
	kt->sigq = NULL;
}

/* send_sigqueue: 0, queued; 1, ignored; -1, no target. */
static int sig_send(struct psx_ktimer *kt, struct task_struct *t, unsigned long *flags)
{
	int ret = static_call(psx_send_sigqueue)(kt->sigq, kt->sig_pid, kt->sig_type);

	if (!psx_lock_task_sighand(t, flags))
		return -1;
	return ret == 0;
}
#else
static struct sigqueue *sig_q(struct psx_ktimer *kt)
{
	return kt->ktmr ? &kt->ktmr->sigq : NULL;
}

static int sig_alloc(struct psx_ktimer *kt, struct pid *pid, enum pid_type type)
{
	struct k_itimer *tmr;

	if (psx_should_fail_alloc())
		return -EAGAIN;	/* the sigqueue's allocation, as before 6.13 */
	tmr = kzalloc(sizeof(*tmr), GFP_KERNEL_ACCOUNT);
	if (!tmr)
		return -ENOMEM;
	if (!static_call(psx_posixtimer_init_sigqueue)(&tmr->sigq)) {
		kfree(tmr);
		return -EAGAIN;
	}
	spin_lock_init(&tmr->it_lock);	/* posixtimer_deliver_signal() takes it */
	rcuref_init(&tmr->rcuref, 1);	/* ours; the queue takes its own */
	tmr->it_pid = get_pid(pid);	/* put by posixtimer_free_timer() */
	tmr->it_pid_type = type;
	/* posixtimer_valid() looks at the low bit of it_signal only. */
	tmr->it_signal = current->signal;
	tmr->it_sigev_notify = type == PIDTYPE_PID ? SIGEV_SIGNAL | SIGEV_THREAD_ID :
						   SIGEV_SIGNAL;
	kt->ktmr = tmr;
	return 0;
}

/* posixtimer_putref(), whose posixtimer_free_timer() is not exported. */
static void sig_free(struct psx_ktimer *kt)
{
	if (rcuref_put(&kt->ktmr->rcuref))
		static_call(psx_posixtimer_free_timer)(kt->ktmr);
	kt->ktmr = NULL;
}

/*
 * What prepare_signal() takes for ignored when it queues a signal to t:
 * not blocked, not traced, and SIG_IGN or a default action of ignore (the
 * global init's SIG_DFL too). t's siglock held. The kernel's own test is
 * static to kernel/signal.c.
 */
static bool signal_ignored(struct task_struct *t, int sig)
{
	void __user *handler = t->sighand->action[sig - 1].sa.sa_handler;

	if (sigismember(&t->blocked, sig) || sigismember(&t->real_blocked, sig) || t->ptrace)
		return false;
	if ((t->signal->flags & SIGNAL_UNKILLABLE) && handler == SIG_DFL)
		return true;
	return handler == SIG_IGN || (handler == SIG_DFL && sig_kernel_ignore(sig));
}

/*
 * posixtimer_send_sigqueue() says nothing: a sigqueue that is not on a
 * list afterwards was refused as ignored, or has been taken already (then
 * with an si_overrun of 0, which latch_taken() will find). For a process
 * signal the kernel may have looked at another thread's mask than t's:
 * a signal that only that thread blocks would read as taken here.
 */
static int sig_send(struct psx_ktimer *kt, struct task_struct *t, unsigned long *flags)
{
	struct sigqueue *q = &kt->ktmr->sigq;

	static_call(psx_posixtimer_send_sigqueue)(kt->ktmr);
	if (!psx_lock_task_sighand(t, flags))
		return -1;
	return !list_empty(&q->list) || !signal_ignored(t, q->info.si_signo);
}
#endif

int psx_sig_setup(struct psx_ktimer *kt, int signo, int timer_id,
		  unsigned long long value, int tid)
{
	struct sigqueue *q;
	struct pid *target;
	enum pid_type type = PIDTYPE_TGID;
	int err;

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

	err = sig_alloc(kt, target, type);
	if (err) {
		put_pid(target);
		return err;
	}
	/*
	 * The slab hands back old contents: clear it all, si_sys_private
	 * above all (non-zero would make dequeue_signal() rearm a timer of
	 * the kernel's own with our si_tid).
	 */
	q = sig_q(kt);
	clear_siginfo(&q->info);
	q->info.si_signo = signo;
	q->info.si_code = SI_TIMER;
	q->info.si_tid = timer_id;
	q->info.si_overrun = 0;
	q->info.si_value.sival_ptr = (void __user *)(unsigned long)value;

	kt->sig_pid = target;
	/* A process-directed timer's target is the process already. */
	kt->sig_tgid = tid ? get_pid(task_tgid(current)) : NULL;
	kt->sig_type = type;
	spin_lock_init(&kt->sig_lock);
	return 0;
}

/* 6.12: in the owning process's context (sigqueue_free uses its siglock). */
void psx_sig_teardown(struct psx_ktimer *kt)
{
	if (!sig_q(kt))
		return;
	sig_free(kt);
	put_pid(kt->sig_pid);
	if (kt->sig_tgid)	/* NULL for a process-directed timer */
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
	struct sigqueue *q = sig_q(kt);

	if (kt->sig_inflight && list_empty(&q->list)) {
		WRITE_ONCE(kt->sig_overrun_last, q->info.si_overrun);
		/* The count before the flag: pairs with psx_sig_getoverrun(). */
		smp_store_release(&kt->sig_inflight, false);
		trace_psxtimer_signal_taken(kt, q->info.si_overrun);
	}
}

/*
 * A fire holds the timer's sig_lock throughout, so that a getoverrun (or
 * stat) that finds a signal in flight waits for the fire to finish: the
 * signal may be taken as soon as it is sent, before the fire has said so,
 * and its receiver's getoverrun must see its count, not the one before.
 */
int psx_sig_fire(struct psx_ktimer *kt, unsigned long long count)
{
	struct sigqueue *q = sig_q(kt);
	const enum pid_type type = kt->sig_type;
	struct pid *pid = kt->sig_pid;
	unsigned long flags, sflags;
	struct task_struct *t;
	int heard = 1, sent;

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
	spin_lock_irqsave(&kt->sig_lock, sflags);
	/* Periods an earlier signal could not carry (see below) count now. */
	count += kt->sig_carry;
	kt->sig_carry = 0;
	if (!psx_lock_task_sighand(t, &flags))
		goto out_unlock;
	if (!list_empty(&q->list)) {
		/* Still queued: these expirations are overruns. */
		q->info.si_overrun = psx_count_add(q->info.si_overrun, count);
		trace_psxtimer_signal_overrun(kt, count, q->info.si_overrun);
		unlock_task_sighand(t, &flags);
		goto out_unlock;
	}
	latch_taken(kt);
	/*
	 * A new signal; periods missed before this callback ran are its
	 * overruns. (Up to 6.12 send_sigqueue() zeroes the count again.)
	 */
	q->info.si_overrun = psx_count_add(0, count - 1);
	WRITE_ONCE(kt->sig_inflight, true);	/* before it can be taken */
	unlock_task_sighand(t, &flags);

	sent = sig_send(kt, t, &flags);
	if (sent < 0)
		goto out_unlock;
	/*
	 * Ignored, or nobody to take it: nothing counts after all. Divergence:
	 * illumos discards an ignored signal through timer_signal(), which
	 * sets the overrun to 0; here the last signal taken's still stands.
	 */
	if (!sent)
		WRITE_ONCE(kt->sig_inflight, false);
	else if (PSX_HAVE_SEND_SIGQUEUE && count > 1) {
		/*
		 * send_sigqueue() zeroed the missed periods: add them back, or,
		 * if the signal was taken in the instant between, let the next
		 * fire count them, so that no expiration goes uncounted.
		 */
		if (!list_empty(&q->list))
			q->info.si_overrun = psx_count_add(q->info.si_overrun, count - 1);
		else
			kt->sig_carry = count - 1;
	}
	/* Taken at once, it carried no overruns: the next fire counts them. */
	if (sent)
		trace_psxtimer_signal_queued(kt, q->info.si_signo,
					     kt->sig_carry ? 0 : psx_count_add(0, count - 1));
	unlock_task_sighand(t, &flags);
out_unlock:
	spin_unlock_irqrestore(&kt->sig_lock, sflags);
out:
	rcu_read_unlock();
	return heard;
}

int psx_sig_getoverrun(struct psx_ktimer *kt)
{
	unsigned long flags, sflags;
	int overrun;

	/*
	 * Nothing sent since the last latch: no need for the siglock. The
	 * acquire pairs with latch_taken()'s release, so the count read is
	 * at least the one latched when the flag was cleared.
	 */
	if (!smp_load_acquire(&kt->sig_inflight))
		return READ_ONCE(kt->sig_overrun_last);
	/* In flight: once any fire under way has finished (psx_sig_fire). */
	spin_lock_irqsave(&kt->sig_lock, sflags);
	if (psx_lock_task_sighand(current, &flags)) {
		latch_taken(kt);
		unlock_task_sighand(current, &flags);
	}
	overrun = kt->sig_overrun_last;
	spin_unlock_irqrestore(&kt->sig_lock, sflags);
	return overrun;
}

/*
 * From any process: the timer's process shares one siglock among its
 * threads, reached through its leader. If it has none any more (it is
 * exiting), what was last latched is all there is.
 */
void psx_sig_stat(struct psx_ktimer *kt, struct psx_timer_stat *st)
{
	struct sigqueue *q = sig_q(kt);
	unsigned long flags, sflags;
	struct task_struct *t;

	st->signo = q->info.si_signo;
	st->value = (unsigned long)q->info.si_value.sival_ptr;
	rcu_read_lock();
	t = pid_task(kt->sig_tgid ?: kt->sig_pid, PIDTYPE_TGID);
	spin_lock_irqsave(&kt->sig_lock, sflags);
	if (t && psx_lock_task_sighand(t, &flags)) {
		latch_taken(kt);
		/* Still in flight after the latch: queued, not yet taken. */
		if (kt->sig_inflight)
			st->pending = (unsigned int)q->info.si_overrun + 1;
		st->overrun = kt->sig_overrun_last;
		unlock_task_sighand(t, &flags);
	} else {
		st->overrun = READ_ONCE(kt->sig_overrun_last);
	}
	spin_unlock_irqrestore(&kt->sig_lock, sflags);
	rcu_read_unlock();
}
