// SPDX-License-Identifier: GPL-2.0
/*
 * The structure attached to each process that uses psxtimer, and the
 * process lifecycle: illumos calls timer_exit() from exit and exec; here
 * tracepoint probes on sched_process_exit and sched_process_exec notice
 * them, and the sleeping part (deleting timers) runs in the same task's
 * context through task_work, since probes run atomically.
 *
 * Lifetime. A table belongs to a thread group (keyed by its signal_struct,
 * which exec keeps) and is created by its first timer_create. The task_work
 * queued when the group's last thread exits unhashes it, deletes its timers
 * and drops the group's reference, so any thread of the group that is
 * inside psxtimer keeps it alive: its own lookups need RCU only to walk the
 * hash. Another process looking in (psxtimer stat) holds a reference of its
 * own, and so does an open /dev/psxtimer that keeps it for its owner's
 * calls (psx_proc_of_file). A fork starts without one, whatever fd it
 * holds. Each table holds a module reference until its process exits and
 * the files that keep it are closed, timers or not: rmmod is refused until
 * then.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/rculist.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/sched.h>

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "compat.h"
#include "psxtimer.h"
#include "trace.h"

/*
 * The probes' prototypes must be their tracepoints' (compat.h says which
 * this kernel has), checked against the kernel's own declarations: a probe
 * that disagreed would be called with other arguments than it takes.
 */
static_assert(__same_type(&__traceiter_sched_process_exit,
			  int (*)(void *, PSX_PROCESS_EXIT_PROTO)));
static_assert(__same_type(&__traceiter_sched_process_exec,
			  int (*)(void *, struct task_struct *, pid_t, struct linux_binprm *)));

static DEFINE_HASHTABLE(psx_procs, 10);
static DEFINE_SPINLOCK(psx_procs_lock);	/* writers of psx_procs */

/*
 * A process half with the core's table in it, attached to no process yet
 * (the KUnit suites keep it that way, for a table of their own).
 * psx_kproc_free() expects timer_exit() to have run.
 */
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

/* RCU read side or psx_procs_lock held. */
static struct psx_kproc *lookup(const struct signal_struct *sig)
{
	struct psx_kproc *kp;

	hash_for_each_possible_rcu(psx_procs, kp, node, (unsigned long)sig)
		if (kp->key == sig)
			return kp;
	return NULL;
}

static void psx_proc_work(struct callback_head *cb);

/*
 * The last reference pins the module, and is often dropped by the exiting
 * task's own work (psx_proc_work), which then still returns through module
 * text: if it is preempted there, rmmod could free the text under it.
 * psx_lifecycle_exit() closes that window with an RCU-tasks grace period.
 */
void psx_kproc_put(struct psx_kproc *kp)
{
	if (refcount_dec_and_test(&kp->ref)) {
		kfree_rcu(kp, rcu);	/* lookups walk the hash under RCU */
		module_put(THIS_MODULE);
	}
}

/*
 * The table of process nr (0: the caller's) with a reference, for a look
 * from outside; NULL if it has none. -ESRCH when no such process in the
 * caller's pid namespace, -EPERM when it is another process and the caller
 * lacks CAP_SYS_PTRACE (a process sees its own timers; root sees all).
 */
struct psx_kproc *psx_kproc_get_pid(pid_t nr)
{
	struct task_struct *t;
	struct psx_kproc *kp;

	if (nr) {
		rcu_read_lock();
		t = get_pid_task(find_vpid(nr), PIDTYPE_TGID);
		rcu_read_unlock();
	} else {
		t = current;
		get_task_struct(t);
	}
	if (!t)
		return ERR_PTR(-ESRCH);
	if (!same_thread_group(t, current) && !capable(CAP_SYS_PTRACE)) {
		put_task_struct(t);
		return ERR_PTR(-EPERM);
	}
	/* t's reference keeps t->signal, the key, from being reused. */
	rcu_read_lock();
	kp = lookup(t->signal);
	if (kp && !refcount_inc_not_zero(&kp->ref))
		kp = NULL;
	rcu_read_unlock();
	put_task_struct(t);
	return kp;
}

/*
 * The calling process's table; with create, made on first use. NULL when
 * there is none and create is false; ERR_PTR(-ENOMEM).
 */
static struct psx_kproc *kproc_current(bool create)
{
	const struct signal_struct *sig = current->signal;
	struct psx_kproc *kp, *new;

	rcu_read_lock();
	kp = lookup(sig);
	rcu_read_unlock();
	if (kp || !create)
		return kp;

	new = psx_kproc_alloc();
	if (!new)
		return ERR_PTR(-ENOMEM);
	new->key = sig;
	init_task_work(&new->work, psx_proc_work);

	spin_lock(&psx_procs_lock);
	kp = lookup(sig);
	if (!kp) {
		/* The caller holds an open /dev/psxtimer: the module is live. */
		__module_get(THIS_MODULE);
		hash_add_rcu(psx_procs, &new->node, (unsigned long)sig);
		psx_count_proc(1);
		kp = new;
		new = NULL;
	}
	spin_unlock(&psx_procs_lock);
	if (new)
		psx_kproc_free(new);	/* another thread of ours won */
	return kp;
}

static struct psx_proc *psx_proc_current(bool create)
{
	struct psx_kproc *kp = kproc_current(create);

	return IS_ERR_OR_NULL(kp) ? ERR_CAST(kp) : psx_kproc_table(kp);
}

/*
 * psx_proc_of_file()'s slow path (psxtimer.h): the hash, and f's first
 * table kept in it, with a reference that psx_file_release() drops.
 */
struct psx_proc *psx_proc_of_file_slow(struct file *f, bool create)
{
	struct psx_kproc *kp;

	if (READ_ONCE(f->private_data))
		return psx_proc_current(create);	/* f keeps another's */
	kp = kproc_current(create);
	if (IS_ERR_OR_NULL(kp))
		return ERR_CAST(kp);
	/* The process's own reference stands while one of its threads calls. */
	refcount_inc(&kp->ref);
	if (cmpxchg(&f->private_data, NULL, kp))
		psx_kproc_put(kp);	/* another thread kept one first */
	return psx_kproc_table(kp);
}

void psx_file_release(struct file *f)
{
	if (f->private_data)
		psx_kproc_put(f->private_data);
}

/*
 * Runs in the task that queued it, on its way back to user mode (exec) or
 * in exit_task_work() (exit). PSX_KP_WORK stays set once the table is being
 * freed, so no other exiting thread queues it again.
 */
static void psx_proc_work(struct callback_head *cb)
{
	struct psx_kproc *kp = container_of(cb, struct psx_kproc, work);
	/* Counted only for the event, and only while it is enabled. */
	int n = trace_psxtimer_cleanup_enabled() ? psx_proc_ntimers(psx_kproc_table(kp)) : 0;

	if (test_bit(PSX_KP_EXIT, &kp->flags)) {
		spin_lock(&psx_procs_lock);
		hash_del_rcu(&kp->node);
		spin_unlock(&psx_procs_lock);
		timer_exit(psx_kproc_table(kp));
		trace_psxtimer_cleanup(PSX_TRACE_EXIT, n);
		psx_count_proc(-1);
		psx_kproc_put(kp);
		return;
	}
	clear_bit(PSX_KP_WORK, &kp->flags);
	if (test_and_clear_bit(PSX_KP_EXEC, &kp->flags)) {
		timer_exit(psx_kproc_table(kp));	/* POSIX: exec deletes timers */
		trace_psxtimer_cleanup(PSX_TRACE_EXEC, n);
		/*
		 * Linux drops every timer signal queued before exec
		 * (begin_new_exec() runs flush_itimer_signals()); ours went
		 * too, but our timers ran on until now and may have queued
		 * more into the new image, whose default actions would kill
		 * it. They are all stopped: the same flush again drops what
		 * they queued. Only ours can be there: the kernel deleted its
		 * own timers before its flush, and nobody else sends SI_TIMER
		 * to a process that has not run yet.
		 */
		static_call(psx_flush_itimer_signals)();
	}
}

static void queue_cleanup(struct task_struct *p, struct psx_kproc *kp, int why,
		       enum task_work_notify_mode mode)
{
	set_bit(why, &kp->flags);
	if (!test_and_set_bit(PSX_KP_WORK, &kp->flags) &&
	    task_work_add(p, &kp->work, mode))
		WARN_ONCE(1, "psxtimer: cannot queue cleanup for pid %d\n", p->pid);
}

/*
 * After signal->live is decremented, before exit_task_work(). Two threads
 * exiting together may both see 0: the WORK bit picks one.
 */
static void probe_exit(void *data, PSX_PROCESS_EXIT_PROTO)
{
	struct psx_kproc *kp;

	if (atomic_read(&p->signal->live))
		return;
	rcu_read_lock();
	kp = lookup(p->signal);
	if (kp)
		queue_cleanup(p, kp, PSX_KP_EXIT, TWA_NONE);
	rcu_read_unlock();
}

/* After a successful exec, the group down to this one thread. */
static void probe_exec(void *data, struct task_struct *p, pid_t old_pid,
		       struct linux_binprm *bprm)
{
	struct psx_kproc *kp;

	rcu_read_lock();
	kp = lookup(p->signal);
	if (kp)
		queue_cleanup(p, kp, PSX_KP_EXEC, TWA_RESUME);
	rcu_read_unlock();
}

static struct tracepoint *tp_exit, *tp_exec;

static void find_tracepoints(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_exit"))
		tp_exit = tp;
	else if (!strcmp(tp->name, "sched_process_exec"))
		tp_exec = tp;
}

int psx_lifecycle_init(void)
{
	int err;

	for_each_kernel_tracepoint(find_tracepoints, NULL);
	if (!tp_exit || !tp_exec) {
		pr_err("tracepoints sched_process_exit/exec not found (needs CONFIG_TRACEPOINTS)\n");
		return -ENOENT;
	}
	err = tracepoint_probe_register(tp_exit, probe_exit, NULL);
	if (err)
		return err;
	err = tracepoint_probe_register(tp_exec, probe_exec, NULL);
	if (err) {
		tracepoint_probe_unregister(tp_exit, probe_exit, NULL);
		return err;
	}
	return 0;
}

/*
 * No table is left: each holds a module reference. What may still run
 * module code: a probe that started before the unregister, and a task
 * that dropped the last reference of its table in psx_proc_work() and was
 * preempted before returning from it. tracepoint_synchronize_unregister()
 * waits for the first. An RCU-tasks grace period ends only once every task
 * has switched voluntarily or run in user mode, never while one is
 * preempted anywhere in the kernel, so synchronize_rcu_tasks() waits for
 * the second (as ftrace does before freeing a trampoline). Without
 * CONFIG_TASKS_RCU (which KPROBES, required, selects on every preemptible
 * kernel) no task can be preempted in the kernel, and rcupdate.h makes it
 * a plain grace period, which then suffices.
 */
void psx_lifecycle_exit(void)
{
	tracepoint_probe_unregister(tp_exec, probe_exec, NULL);
	tracepoint_probe_unregister(tp_exit, probe_exit, NULL);
	tracepoint_synchronize_unregister();
	synchronize_rcu_tasks();
}
