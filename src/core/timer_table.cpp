// SPDX-License-Identifier: GPL-2.0
/*
 * The per-process timer table and its lock protocol, after illumos
 * timer.c: timer_lock/timer_unlock, timer_grab/timer_release,
 * timer_delete_locked, timer_get_id and timer_exit.
 *
 * Locking. p_lock (a spinlock in the glue's half of the process) protects
 * the table and every timer's it_lock and it_blockers. ITLK_LOCKED is a
 * sleeping lock built on p_lock and the timer's it_cv: whoever holds it may
 * call the timer's backend with p_lock dropped. ITLK_REMOVE marks a timer
 * being deleted: whoever locks it and sees the bit must unlock at once and
 * treat the id as invalid.
 *
 * The real nesting, outermost first. ITLK_LOCKED is held across the
 * allocations of create (the sigqueue, the port association), across
 * hrtimer_cancel and hrtimer_start, and across the glue's signal and port
 * calls, which take the kernel's siglock or the port's lock inside it.
 * p_lock is taken alone, or under ITLK (to release it, or to delete), and
 * held around nothing but table and ITLK_* updates, except that a call that
 * neither sleeps nor takes p_lock (timer_quick: gettime, getoverrun, a
 * settime that asks no privilege) does its work under p_lock while nobody
 * holds the timer's ITLK: then the hrtimer base locks (hrtimer_cancel,
 * hrtimer_start, and on PREEMPT_RT the softirq expiry lock a cancel may
 * wait on), the timer's sig_lock and the siglock (getoverrun of a signal
 * in flight) nest inside p_lock, and nothing ever takes p_lock inside
 * those. The hrtimer callback (timer_fire) takes neither. A thread never
 * holds two timers' ITLK. lockdep sees ITLK through psx_itlk_acquire and
 * psx_itlk_release, called once the bit is ours with p_lock dropped (a
 * delete: once the timer is also out of the table) and before it is given
 * back, so an ordering mistake is a lockdep report, not a deadlock.
 */
#include "timer.h"

namespace psx {

constexpr int BITS = 64;

static int words(int slots)
{
	return (slots + BITS - 1) / BITS;
}

/* p_lock must be held on entry; it may be dropped and reacquired. */
static void timer_lock(psx_proc *p, psx_itimer *it)
{
	while (it->it_lock & ITLK_LOCKED) {
		it->it_blockers++;
		psx_it_cv_wait(it->kt, p->kp);
		it->it_blockers--;
	}
	it->it_lock |= ITLK_LOCKED;
}

/*
 * p_lock must be held; it is not dropped. Only blockers and a deleter
 * (which waits with ITLK_REMOVE set) sleep on it_cv: nobody else to wake.
 */
static void timer_unlock(psx_proc *, psx_itimer *it)
{
	it->it_lock &= ~ITLK_LOCKED;
	if (it->it_blockers || (it->it_lock & ITLK_REMOVE))
		psx_it_cv_broadcast(it->kt);
}

static void slot_set(psx_proc *p, int id, psx_itimer *it)
{
	unsigned long long bit = 1ULL << (id % BITS);

	p->p_itimer[id] = it;
	if (it) {
		p->p_used[id / BITS] |= bit;
		p->p_ntimers++;
	} else {
		p->p_used[id / BITS] &= ~bit;
		p->p_ntimers--;
		p->p_free_hint = min(p->p_free_hint, id);
	}
}

/*
 * The lowest free id at or above p_free_hint, or p_itimer_sz if the table
 * is full. p_lock held.
 */
static int lowest_free(psx_proc *p)
{
	int w = p->p_free_hint / BITS;

	for (; w < words(p->p_itimer_sz); w++) {
		unsigned long long used = p->p_used[w];

		if (w == p->p_free_hint / BITS)
			used |= (1ULL << (p->p_free_hint % BITS)) - 1;
		if (~used) {
			int id = w * BITS + __builtin_ctzll(~used);

			return min(id, p->p_itimer_sz);
		}
	}
	return p->p_itimer_sz;
}

/*
 * Find a free id, growing the table if needed. p_lock must be held on
 * entry; it is dropped and reacquired around allocations (which sleep).
 * Returns 0 with *id set, -EAGAIN when timer_max timers exist, or -ENOMEM.
 */
static int timer_get_id(psx_proc *p, int *id)
{
	for (;;) {
		int sz = p->p_itimer_sz;
		int free = lowest_free(p);

		/*
		 * Divergence: the lowest free id, even just after a growth
		 * (illumos hands out the first slot of the new half).
		 */
		if (free < sz) {
			*id = free;
			p->p_free_hint = free + 1;
			return 0;
		}
		p->p_free_hint = sz;

		int max_sz = tunables().timer_max;

		if (sz >= max_sz)
			return -PSX_EAGAIN;
		/*
		 * illumos only doubles, so its real limit is the largest
		 * INIT * 2^k <= timer_max; the last step here lands on
		 * timer_max itself, so that timer_max timers fit.
		 */
		int new_sz = sz ? min(sz * 2, max_sz)
				: min(PSX_TIMER_ALLOC_INIT, max_sz);
		unsigned long long ptr_bytes =
			sizeof(psx_itimer *) * (unsigned long long)new_sz;

		psx_p_unlock(p->kp);
		auto **itimer =
			static_cast<psx_itimer **>(psx_kvzalloc(ptr_bytes));
		auto *used = static_cast<unsigned long long *>(psx_kvzalloc(
			sizeof(unsigned long long) * words(new_sz)));
		psx_p_lock(p->kp);

		if (!itimer || !used || p->p_itimer_sz >= new_sz) {
			/* Out of memory, or another thread grew it first. */
			bool nomem = !itimer || !used;

			psx_p_unlock(p->kp);
			psx_kvfree(itimer);
			psx_kvfree(used);
			psx_p_lock(p->kp);
			if (nomem)
				return -PSX_ENOMEM;
			continue;
		}
		for (int i = 0; i < p->p_itimer_sz; i++)
			itimer[i] = p->p_itimer[i];
		for (int w = 0; w < words(p->p_itimer_sz); w++)
			used[w] = p->p_used[w];
		psx_itimer **old_itimer = p->p_itimer;
		unsigned long long *old_used = p->p_used;

		p->p_itimer = itimer;
		p->p_used = used;
		p->p_itimer_sz = new_sz;
		/* vfree may sleep: never under p_lock. */
		psx_p_unlock(p->kp);
		psx_kvfree(old_itimer);
		psx_kvfree(old_used);
		psx_p_lock(p->kp);
	}
}

/*
 * Publish a new timer at a free id, born locked (ITLK_LOCKED) so that a
 * thread that guesses the id sleeps until its creation has finished or
 * failed. p_lock not held on entry or exit.
 */
int timer_publish(psx_proc *p, psx_itimer *it)
{
	{
		PLockGuard guard(p->kp);
		int id;
		int err = timer_get_id(p, &id);

		if (err)
			return err;
		it->it_id = id;
		it->it_proc = p;
		it->it_lock = ITLK_LOCKED;
		slot_set(p, id, it);
	}
	psx_itlk_acquire(it->kt);
	return 0;
}

/*
 * Lock the timer with this id. p_lock not held on entry or exit. nullptr
 * for a negative, out-of-range, unused or being-removed id: the caller
 * says EINVAL.
 */
psx_itimer *timer_grab(psx_proc *p, int id)
{
	psx_itimer *it;

	{
		PLockGuard guard(p->kp);

		if (id < 0 || id >= p->p_itimer_sz || !p->p_itimer[id])
			return nullptr;
		it = p->p_itimer[id];
		timer_lock(p, it);
		if (it->it_lock & ITLK_REMOVE) {
			timer_unlock(p, it);
			return nullptr;
		}
	}
	psx_itlk_acquire(it->kt);
	return it;
}

/* Unlock a grabbed timer. p_lock not held on entry or exit. */
void timer_release(psx_proc *p, psx_itimer *it)
{
	psx_itlk_release(it->kt);

	PLockGuard guard(p->kp);

	timer_unlock(p, it);
}

/*
 * The first half of deleting a locked timer (illumos timer_delete_locked).
 * p_lock must be held on entry and is held on return, though it may be
 * dropped and reacquired. Marks ITLK_REMOVE, waits out the blockers (each
 * wakes, sees the mark and leaves) and clears the slot, so that nobody can
 * find the timer any more: timer_destroy() finishes it.
 */
static void timer_unpublish(psx_proc *p, int id, psx_itimer *it)
{
	it->it_lock |= ITLK_REMOVE;
	while (it->it_blockers) {
		timer_unlock(p, it);
		psx_it_cv_wait(it->kt, p->kp);
		timer_lock(p, it);
	}
	if (p->p_itimer[id] != it)
		psx_warn("psxtimer: timer slot changed under ITLK_REMOVE");
	slot_set(p, id, nullptr);
}

/*
 * The second half: the timer is out of the table and its ITLK is ours
 * (lockdep told), p_lock not held. The backend's delete guarantees that the
 * fire callback has finished and will not run again before the memory is
 * freed.
 */
static void timer_destroy(psx_itimer *it)
{
	if (it->it_backend) /* nullptr: its creation failed before */
		it->it_backend->timer_delete(it);
	notify_teardown(it);
	struct psx_ktimer *kt = it->kt;

	psx_itlk_release(kt); /* gone with the timer */
	it->~psx_itimer();
	psx_ktimer_free(kt);
}

/*
 * The lowest id >= id that has a timer, or -1. p_lock not held on entry or
 * exit; the answer may be stale by the time the caller grabs it.
 */
int timer_next_used(psx_proc *p, int id)
{
	PLockGuard guard(p->kp);

	if (id < 0)
		id = 0;
	for (int w = id / BITS; w < words(p->p_itimer_sz); w++) {
		unsigned long long used = p->p_used[w];

		if (w == id / BITS)
			used &= ~((1ULL << (id % BITS)) - 1);
		if (used)
			return w * BITS + __builtin_ctzll(used);
	}
	return -1;
}

/* Delete a grabbed timer. p_lock not held on entry or exit. */
void timer_delete_grabbed(psx_proc *p, int id, psx_itimer *it)
{
	psx_p_lock(p->kp);
	timer_unpublish(p, id, it);
	psx_p_unlock(p->kp);
	timer_destroy(it);
}

/*
 * timer_delete(): timer_grab and timer_delete_grabbed under one hold of
 * p_lock, where taking them in turn would drop and retake it twice. 0, or
 * -EINVAL for an id timer_grab refuses. p_lock not held on entry or exit.
 */
int timer_delete_id(psx_proc *p, int id)
{
	psx_itimer *it;

	{
		PLockGuard guard(p->kp);

		if (id < 0 || id >= p->p_itimer_sz || !p->p_itimer[id])
			return -PSX_EINVAL;
		it = p->p_itimer[id];
		timer_lock(p, it);
		if (it->it_lock & ITLK_REMOVE) {
			timer_unlock(p, it);
			return -PSX_EINVAL;
		}
		timer_unpublish(p, id, it);
	}
	/* As in timer_grab: lockdep hears of ITLK with p_lock dropped. */
	psx_itlk_acquire(it->kt);
	timer_destroy(it);
	return 0;
}

} // namespace psx

using namespace psx;

extern "C" unsigned long psx_proc_size(void)
{
	return sizeof(psx_proc);
}

extern "C" unsigned long psx_itimer_size(void)
{
	return sizeof(psx_itimer);
}

extern "C" void psx_proc_init(psx_proc *p, psx_kproc *kp)
{
	new (p) psx_proc();
	p->kp = kp;
}

extern "C" int psx_proc_ntimers(psx_proc *p)
{
	PLockGuard guard(p->kp);

	return p->p_ntimers;
}

/*
 * Delete every timer and free the table (process exit and exec). The
 * process has one thread left, or none running in psxtimer; p_lock not
 * held. Like illumos, which calls its timer_delete() on every id.
 */
extern "C" void timer_exit(psx_proc *p)
{
	for (int id = 0;; id++) {
		{
			PLockGuard guard(p->kp);

			if (id >= p->p_itimer_sz)
				break;
		}
		timer_delete_id(p, id); /* -EINVAL: an empty slot */
	}
	psx_p_lock(p->kp);
	psx_itimer **itimer = p->p_itimer;
	unsigned long long *used = p->p_used;

	p->p_itimer = nullptr;
	p->p_used = nullptr;
	p->p_itimer_sz = 0;
	p->p_free_hint = 0;
	psx_p_unlock(p->kp);
	psx_kvfree(itimer);
	psx_kvfree(used);
}
