// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel services behind include/psxtimer/kapi.h (memory, locks,
 * credentials, timer memory): the only way the C++ core reaches the
 * kernel, with signal.c and hrtimer_clock.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/errno.h>
#include <linux/fault-inject.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "psxtimer.h"

static_assert(PSX_EPERM == EPERM && PSX_ENOMEM == ENOMEM &&
	      PSX_EFAULT == EFAULT && PSX_EINVAL == EINVAL &&
	      PSX_EAGAIN == EAGAIN && PSX_EOVERFLOW == EOVERFLOW);

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
/*
 * Off until configured in debugfs; /proc/<tid>/fail-nth aims it at one
 * call of one thread. Failing here, rather than through failslab, hits
 * psxtimer's allocations and nothing else the kernel does in the call.
 */
static DECLARE_FAULT_ATTR(psx_fail_alloc);
static struct dentry *psx_debugfs;

bool psx_should_fail_alloc(void)
{
	return should_fail(&psx_fail_alloc, 1);
}

void psx_debugfs_init(void)
{
	psx_debugfs = debugfs_create_dir("psxtimer", NULL);
	fault_create_debugfs_attr("fail_alloc", psx_debugfs, &psx_fail_alloc);
}

void psx_debugfs_exit(void)
{
	debugfs_remove_recursive(psx_debugfs);
}
#else
bool psx_should_fail_alloc(void)
{
	return false;
}

void psx_debugfs_init(void)
{
}

void psx_debugfs_exit(void)
{
}
#endif

/* Charged to the caller's memcg: timers are per-process kernel memory. */
void *psx_kzalloc(unsigned long size)
{
	if (psx_should_fail_alloc())
		return NULL;
	return kzalloc(size, GFP_KERNEL_ACCOUNT);
}

void psx_kfree(const void *p)
{
	kfree(p);
}

void *psx_kvzalloc(unsigned long size)
{
	if (psx_should_fail_alloc())
		return NULL;
	return kvzalloc(size, GFP_KERNEL_ACCOUNT);
}

void psx_kvfree(const void *p)
{
	kvfree(p);
}

void psx_warn(const char *msg)
{
	WARN(1, "%s\n", msg);
}

void psx_bug(const char *msg)
{
	pr_emerg("%s\n", msg);
	BUG();
}

/*
 * Lock wrappers: lockdep records the acquisition here, and the full stack
 * in its reports shows the C++ caller.
 */
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

/*
 * Timers come from a cache of their exact size (kmalloc would round them
 * up to the next power of two), charged to the creator's memcg.
 */
static struct kmem_cache *psx_ktimer_cache;
atomic_t psx_ntimers = ATOMIC_INIT(0);

int psx_ktimer_cache_init(void)
{
	psx_ktimer_cache = kmem_cache_create("psxtimer_timer",
					     sizeof(struct psx_ktimer) + psx_itimer_size(),
					     0, SLAB_ACCOUNT, NULL);
	return psx_ktimer_cache ? 0 : -ENOMEM;
}

void psx_ktimer_cache_exit(void)
{
	kmem_cache_destroy(psx_ktimer_cache);
}

void *psx_ktimer_alloc(unsigned long core_size, struct psx_ktimer **ktp)
{
	struct psx_ktimer *kt;

	if (WARN_ON_ONCE(core_size > psx_itimer_size()))
		return NULL;
	if (psx_should_fail_alloc())
		return NULL;
	kt = kmem_cache_zalloc(psx_ktimer_cache, GFP_KERNEL);
	if (!kt)
		return NULL;
	atomic_inc(&psx_ntimers);
	init_waitqueue_head(&kt->it_cv);
	psx_ktimer_init_hrtimer(kt);
	*ktp = kt;
	return kt->core;
}

void psx_ktimer_free(struct psx_ktimer *kt)
{
	kmem_cache_free(psx_ktimer_cache, kt);
	atomic_dec(&psx_ntimers);
}

int psx_capable(int cap)
{
	return capable(cap == PSX_CAP_SYS_NICE ? CAP_SYS_NICE : CAP_SYS_TIME);
}

int psx_current_bound_cpu(void)
{
	if (current->nr_cpus_allowed != 1)
		return -1;
	return cpumask_first(current->cpus_ptr);
}

struct psx_kproc *psx_kproc_alloc(void)
{
	struct psx_kproc *kp;

	if (psx_should_fail_alloc())
		return NULL;
	kp = kzalloc(sizeof(*kp) + psx_proc_size(), GFP_KERNEL_ACCOUNT);
	if (!kp)
		return NULL;
	spin_lock_init(&kp->p_lock);
	refcount_set(&kp->ref, 1);
	psx_proc_init(psx_kproc_table(kp), kp);
	return kp;
}

void psx_kproc_free(struct psx_kproc *kp)
{
	kfree(kp);
}

struct psx_proc *psx_kproc_table(struct psx_kproc *kp)
{
	return (struct psx_proc *)kp->core;
}
