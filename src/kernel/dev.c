// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/psxtimer: the misc device and its ioctl dispatch. Each ioctl copies
 * its argument in (the two by id take the id itself), checks the ABI's
 * reserved fields, calls the C++ core on the calling process's own table,
 * and copies the result out. The fd is only a door: all state belongs to
 * the calling process, though the fd remembers its first user's table
 * (psx_proc_of_file).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include <linux/psxtimer.h>
#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "psxtimer.h"
#include "trace.h"

/* One layout for 32- and 64-bit callers: compat_ptr_ioctl is enough. */
static_assert(sizeof(struct psxtimer_info) == 64);
static_assert(sizeof(struct psxtimer_timespec) == 16);
static_assert(sizeof(struct psxtimer_itimerspec) == 32);
static_assert(sizeof(struct psxtimer_sigevent) == 32);
static_assert(sizeof(struct psxtimer_create) == 48);
static_assert(sizeof(struct psxtimer_settime) == 72);
static_assert(sizeof(struct psxtimer_gettime) == 40);
static_assert(sizeof(struct psxtimer_timer) == 16);
static_assert(sizeof(struct psxtimer_clock) == 24);
static_assert(sizeof(struct psxtimer_port_create) == 16);
static_assert(sizeof(struct psxtimer_port_event) == 24);
static_assert(sizeof(struct psxtimer_stat) == 32);
static_assert(sizeof(struct psxtimer_stat_timer) == 64);
static_assert(sizeof(struct psxtimer_batch) == 16);
static_assert(sizeof(struct psxtimer_batch_op) == 80);
static_assert(offsetof(struct psxtimer_batch_op, value) == 16);
static_assert(offsetof(struct psxtimer_batch_op, old_value) == 48);
/* The core's mirrors of the uapi types. */
static_assert(sizeof(struct psx_timespec) == sizeof(struct psxtimer_timespec));
static_assert(sizeof(struct psx_itimerspec) == sizeof(struct psxtimer_itimerspec));
static_assert(offsetof(struct psx_itimerspec, it_value) ==
	      offsetof(struct psxtimer_itimerspec, it_value));
/* STAT copies the core's entries out as they are. */
#define SAME_FIELD(c, u) \
	static_assert(offsetof(struct psx_timer_stat, c) == \
		      offsetof(struct psxtimer_stat_timer, u) && \
		      sizeof_field(struct psx_timer_stat, c) == \
		      sizeof_field(struct psxtimer_stat_timer, u))
static_assert(sizeof(struct psx_timer_stat) == sizeof(struct psxtimer_stat_timer));
SAME_FIELD(timer_id, timer_id);
SAME_FIELD(clock_id, clock_id);
SAME_FIELD(notify, sigev_notify);
SAME_FIELD(signo, sigev_signo);
SAME_FIELD(overrun, overrun);
SAME_FIELD(pending, pending);
SAME_FIELD(value, sigev_value);
SAME_FIELD(when, value);
/* The core's constants are the uapi's. */
#define SAME(a, b) static_assert((a) == (b), #a " != " #b)
SAME(PSX_CLOCK_REALTIME, PSXTIMER_CLOCK_REALTIME);
SAME(PSX_CLOCK_MONOTONIC, PSXTIMER_CLOCK_MONOTONIC);
SAME(PSX_CLOCK_PROCESS_CPUTIME_ID, PSXTIMER_CLOCK_PROCESS_CPUTIME_ID);
SAME(PSX_CLOCK_THREAD_CPUTIME_ID, PSXTIMER_CLOCK_THREAD_CPUTIME_ID);
SAME(PSX_CLOCK_BOOTTIME, PSXTIMER_CLOCK_BOOTTIME);
SAME(PSX_CLOCK_TAI, PSXTIMER_CLOCK_TAI);
SAME(PSX_SIGEV_SIGNAL, PSXTIMER_SIGEV_SIGNAL);
SAME(PSX_SIGEV_NONE, PSXTIMER_SIGEV_NONE);
SAME(PSX_SIGEV_THREAD, PSXTIMER_SIGEV_THREAD);
SAME(PSX_SIGEV_THREAD_ID, PSXTIMER_SIGEV_THREAD_ID);
SAME(PSX_SIGEV_PORT, PSXTIMER_SIGEV_PORT);
SAME(PSX_TIMER_ABSTIME, PSXTIMER_TIMER_ABSTIME);
/* ... and Linux's, and signals are 1.._NSIG as the core assumes. */
SAME(SIGEV_SIGNAL, PSX_SIGEV_SIGNAL);
SAME(SIGEV_NONE, PSX_SIGEV_NONE);
SAME(SIGEV_THREAD_ID, PSX_SIGEV_THREAD_ID);
SAME(_NSIG, 64);

static bool all_zero(const __u32 *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (words[i])
			return false;
	return true;
}

#define RESERVED_ZERO(field) all_zero((const __u32 *)(field), sizeof(field) / sizeof(__u32))

/*
 * copy_from_user() and copy_to_user() for the timer calls' small structs, a
 * word at a time in one user-access window. Below 64 bytes the kernel's
 * copy (rep_movs_alternative without ERMS) loops over 8-byte words at 7
 * instructions each, after its own checks: for settime that was more than a
 * tenth of the call. size is a constant multiple of 8. 0, or -EFAULT, dst
 * then half written.
 */
static __always_inline int get_words(void *dst, const void __user *src, size_t size)
{
	const u64 __user *s = src;
	u64 *d = dst;
	size_t i;

	BUILD_BUG_ON(size % sizeof(u64));
	if (!user_read_access_begin(src, size))
		return -EFAULT;
	for (i = 0; i < size / sizeof(u64); i++)
		unsafe_get_user(d[i], &s[i], efault);
	user_read_access_end();
	return 0;
efault:
	user_read_access_end();
	return -EFAULT;
}

static __always_inline int put_words(void __user *dst, const void *src, size_t size)
{
	const u64 *s = src;
	u64 __user *d = dst;
	size_t i;

	BUILD_BUG_ON(size % sizeof(u64));
	if (!user_write_access_begin(dst, size))
		return -EFAULT;
	for (i = 0; i < size / sizeof(u64); i++)
		unsafe_put_user(s[i], &d[i], efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

static long psx_ioctl_info(void __user *uarg)
{
	struct psxtimer_info info = { .abi_version = PSXTIMER_ABI_VERSION };
	struct psx_info ci;

	psx_core_info(&ci);
	info.version_major = ci.version_major;
	info.version_minor = ci.version_minor;
	info.version_patch = ci.version_patch;
	info.timer_max = ci.timer_max;
	info.highres_interval_min_ns = ci.highres_interval_min_ns;
	info.nr_timers = psx_nr_timers();
	info.nr_procs = psx_nr_procs();
	info.features = PSXTIMER_FEATURES_ALL;
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long psx_ioctl_create(struct file *file, void __user *uarg)
{
	struct psxtimer_create arg;
	struct psx_sigevent sev;
	struct psx_itimer *it;
	struct psx_proc *p;
	int err, id;

	if (get_words(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~PSXTIMER_CREATE_SIGEVENT) || arg.__reserved ||
	    !RESERVED_ZERO(arg.sigevent.__reserved))
		return -EINVAL;
	if (!(arg.flags & PSXTIMER_CREATE_SIGEVENT) &&
	    (arg.sigevent.sigev_value || arg.sigevent.sigev_signo ||
	     arg.sigevent.sigev_notify || arg.sigevent.sigev_tid ||
	     arg.sigevent.sigev_port))
		return -EINVAL;
	sev.value = arg.sigevent.sigev_value;
	sev.signo = arg.sigevent.sigev_signo;
	sev.notify = arg.sigevent.sigev_notify;
	sev.tid = arg.sigevent.sigev_tid;
	sev.port = arg.sigevent.sigev_port;

	p = psx_proc_of_file(file, true);
	if (IS_ERR(p))
		return PTR_ERR(p);
	err = psx_timer_create(p, arg.clock_id,
			       (arg.flags & PSXTIMER_CREATE_SIGEVENT) ? &sev : NULL, &id, &it);
	if (err)
		return err;
	psx_ktimer_of(it)->trace_tgid = task_tgid_nr(current);
	psx_ktimer_of(it)->trace_id = id;
	/*
	 * Write only the id back, while the timer is still locked: on a
	 * fault, that very timer goes, before any other thread could reach it.
	 */
	err = put_user(id, (__s32 __user *)(uarg + offsetof(struct psxtimer_create, timer_id)));
	if (!err)
		trace_psxtimer_create(id, &arg);	/* before anything else can */
	psx_timer_create_done(p, it, err);
	return err;
}

/* The calling process's table for an existing timer, or -EINVAL. */
static struct psx_proc *table_of_current(struct file *file)
{
	struct psx_proc *p = psx_proc_of_file(file, false);

	return p ? p : ERR_PTR(-EINVAL);
}

static long psx_ioctl_settime(struct file *file, void __user *uarg)
{
	struct psxtimer_settime arg;
	struct psx_proc *p;
	bool no_old;
	int err;

	if (get_words(&arg, uarg, offsetof(struct psxtimer_settime, old_value)))
		return -EFAULT;
	/* Not the core's: timer_settime(2) with a NULL old value. */
	no_old = arg.flags & PSXTIMER_SETTIME_NO_OLD;
	p = table_of_current(file);
	if (IS_ERR(p))
		return PTR_ERR(p);
	err = psx_timer_settime(p, arg.timer_id, arg.flags & ~PSXTIMER_SETTIME_NO_OLD,
				(struct psx_itimerspec *)&arg.new_value,
				no_old ? NULL : (struct psx_itimerspec *)&arg.old_value);
	if (err)
		return err;
	trace_psxtimer_settime(arg.timer_id, arg.flags, &arg.new_value,
			       no_old ? NULL : &arg.old_value);
	if (no_old)
		return 0;
	/*
	 * Divergence: the new value is set when a bad old-value buffer fails
	 * here (Linux's order); illumos copies the old value out first.
	 */
	if (put_words(uarg + offsetof(struct psxtimer_settime, old_value),
		      &arg.old_value, sizeof(arg.old_value)))
		return -EFAULT;
	return 0;
}

static long psx_ioctl_gettime(struct file *file, void __user *uarg)
{
	struct psxtimer_gettime arg;
	struct psx_proc *p;
	int err;

	if (get_words(&arg, uarg, offsetof(struct psxtimer_gettime, value)))
		return -EFAULT;
	if (arg.__reserved)
		return -EINVAL;
	p = table_of_current(file);
	if (IS_ERR(p))
		return PTR_ERR(p);
	err = psx_timer_gettime(p, arg.timer_id, (struct psx_itimerspec *)&arg.value);
	if (err)
		return err;
	if (put_words(uarg, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;
}

/* Delete (0) or getoverrun (the count), or -errno. */
static __always_inline long timer_id_op(struct file *file, unsigned int cmd, int id)
{
	struct psx_proc *p = table_of_current(file);
	int ret;

	if (IS_ERR(p))
		return PTR_ERR(p);
	if (cmd == PSXTIMER_IOC_TIMER_DELETE || cmd == PSXTIMER_IOC_TIMER_DELETE_ID) {
		ret = psx_timer_delete(p, id);
		if (!ret)
			trace_psxtimer_delete(id);
		return ret;
	}
	return psx_timer_getoverrun(p, id);
}

/*
 * Delete and getoverrun, the two cheapest calls: their few words are moved
 * with get_user/put_user, which cost a fraction of a copy_*_user's checks.
 */
static long psx_ioctl_timer(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct psxtimer_timer __user *u = uarg;
	u64 reserved;
	long ret;
	int id;

	static_assert(offsetof(struct psxtimer_timer, __reserved) == 8);
	if (get_user(id, &u->timer_id) || get_user(reserved, (u64 __user *)u->__reserved))
		return -EFAULT;
	if (reserved)
		return -EINVAL;
	ret = timer_id_op(file, cmd, id);
	if (ret < 0 || cmd == PSXTIMER_IOC_TIMER_DELETE)
		return ret;
	if (put_user(ret, &u->overrun))
		return -EFAULT;
	return 0;
}

static long psx_ioctl_clock(unsigned int cmd, void __user *uarg)
{
	struct psxtimer_clock arg;
	struct psx_timespec *ts = (struct psx_timespec *)&arg.ts;
	int err;

	/* POSIX: clock_getres with res == NULL succeeds. */
	if (cmd == PSXTIMER_IOC_CLOCK_GETRES && !uarg)
		return 0;
	/*
	 * Divergence: the clock id is in the argument, so a bad pointer is
	 * EFAULT before an unknown clock's EINVAL or settime's EPERM (illumos
	 * checks both before its copyin).
	 */
	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.__reserved)
		return -EINVAL;
	switch (cmd) {
	case PSXTIMER_IOC_CLOCK_SETTIME:
		return psx_clock_settime(arg.clock_id, ts);
	case PSXTIMER_IOC_CLOCK_GETTIME:
		err = psx_clock_gettime(arg.clock_id, ts);
		break;
	default:
		err = psx_clock_getres(arg.clock_id, ts);
		break;
	}
	if (err)
		return err;
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;
}

static long psx_ioctl_port_create(void __user *uarg)
{
	struct psxtimer_port_create arg;
	struct file *file;
	int fd;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~(PSXTIMER_PORT_CLOEXEC | PSXTIMER_PORT_NONBLOCK)) ||
	    !RESERVED_ZERO(arg.__reserved))
		return -EINVAL;
	fd = get_unused_fd_flags(arg.flags & PSXTIMER_PORT_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0)
		return fd;
	file = psx_port_file(arg.flags);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	/* Published only once userspace has its number: nothing to undo. */
	if (put_user(fd, (__s32 __user *)(uarg + offsetof(struct psxtimer_port_create, fd)))) {
		fput(file);
		put_unused_fd(fd);
		return -EFAULT;
	}
	fd_install(fd, file);
	return 0;
}

/* Entries taken from the core at a time; each batch is copied out before the next. */
#define STAT_BATCH 16

static long psx_ioctl_stat(void __user *uarg)
{
	struct psxtimer_stat arg;
	struct psxtimer_stat_timer __user *out;
	struct psx_timer_stat *batch;
	struct psx_kproc *kp;
	u32 total = 0;
	long err = 0;
	int next = 0, n;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || !RESERVED_ZERO(arg.__reserved) || arg.pid < 0)
		return -EINVAL;
	out = u64_to_user_ptr(arg.timers);
	if (!access_ok(out, array_size(arg.count, sizeof(*out))))
		return -EFAULT;
	kp = psx_kproc_get_pid(arg.pid);
	if (IS_ERR(kp))
		return PTR_ERR(kp);
	if (!kp)
		goto out_count;	/* never created a timer */
	batch = psx_should_fail_alloc() ? NULL :
		kmalloc_array(STAT_BATCH, sizeof(*batch), GFP_KERNEL);
	if (!batch) {
		err = -ENOMEM;
		goto out_put;
	}
	do {
		n = psx_timer_stat(psx_kproc_table(kp), &next, batch, STAT_BATCH);
		if (total < arg.count &&
		    copy_to_user(out + total, batch,
				 min_t(u32, n, arg.count - total) * sizeof(*batch))) {
			err = -EFAULT;
			break;
		}
		total += n;
	} while (n == STAT_BATCH);
	kfree(batch);
out_put:
	psx_kproc_put(kp);
	if (err)
		return err;
out_count:
	if (put_user(total, (__u32 __user *)(uarg + offsetof(struct psxtimer_stat, count))))
		return -EFAULT;
	return 0;
}

/*
 * Ops copied in, carried out and copied back at a time: on the stack (640
 * bytes, kept off the other ioctls' stack by noinline_for_stack), so a
 * batch allocates nothing however long it is.
 */
#define BATCH_CHUNK 8

/*
 * One op of a batch, as its own ioctl would do it, trace event included;
 * p NULL: no timers yet.
 */
static int batch_do(struct psx_proc *p, struct psxtimer_batch_op *op)
{
	struct psx_itimerspec *old = (struct psx_itimerspec *)&op->old_value;
	int err;

	switch (op->op) {
	case PSXTIMER_BATCH_SETTIME:
		if (!p)
			return -EINVAL;
		err = psx_timer_settime(p, op->timer_id, op->flags,
					(struct psx_itimerspec *)&op->value, old);
		if (!err)
			trace_psxtimer_settime(op->timer_id, op->flags, &op->value, &op->old_value);
		return err;
	case PSXTIMER_BATCH_GETTIME:
		if (op->flags || !p)
			return -EINVAL;
		return psx_timer_gettime(p, op->timer_id, old);
	case PSXTIMER_BATCH_GETOVERRUN:
		if (op->flags || !p)
			return -EINVAL;
		return psx_timer_getoverrun(p, op->timer_id);
	default:
		return -EINVAL;
	}
}

/*
 * old_value is zero unless the op succeeded and has one (a failed settime
 * may have read it, but its own ioctl would not write it back).
 */
static void batch_op(struct psx_proc *p, struct psxtimer_batch_op *op)
{
	memset(&op->old_value, 0, sizeof(op->old_value));
	op->result = batch_do(p, op);
	if (op->result < 0)
		memset(&op->old_value, 0, sizeof(op->old_value));
}

static noinline_for_stack long psx_ioctl_batch(struct file *file, void __user *uarg)
{
	struct psxtimer_batch_op ops[BATCH_CHUNK];
	struct psxtimer_batch_op __user *uops;
	struct psxtimer_batch arg;
	struct psx_proc *p;
	u32 done, n, i;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.count > PSXTIMER_BATCH_MAX)
		return -EINVAL;
	uops = u64_to_user_ptr(arg.ops);
	/* Once for the whole batch: the table lives as long as the process. */
	p = psx_proc_of_file(file, false);
	for (done = 0; done < arg.count; done += n) {
		n = min_t(u32, arg.count - done, BATCH_CHUNK);
		if (copy_from_user(ops, uops + done, n * sizeof(*ops)))
			return -EFAULT;
		for (i = 0; i < n; i++)
			batch_op(p, &ops[i]);
		if (copy_to_user(uops + done, ops, n * sizeof(*ops)))
			return -EFAULT;
		cond_resched();
	}
	return 0;
}

/* The calls whose argument is a struct, each copied onto this frame. */
static noinline long psx_ioctl_struct(struct file *file, unsigned int cmd, void __user *uarg)
{
	switch (cmd) {
	case PSXTIMER_IOC_INFO:
		return psx_ioctl_info(uarg);
	case PSXTIMER_IOC_TIMER_CREATE:
		return psx_ioctl_create(file, uarg);
	case PSXTIMER_IOC_TIMER_SETTIME:
		return psx_ioctl_settime(file, uarg);
	case PSXTIMER_IOC_TIMER_GETTIME:
		return psx_ioctl_gettime(file, uarg);
	case PSXTIMER_IOC_TIMER_DELETE:
	case PSXTIMER_IOC_TIMER_GETOVERRUN:
		return psx_ioctl_timer(file, cmd, uarg);
	case PSXTIMER_IOC_CLOCK_GETTIME:
	case PSXTIMER_IOC_CLOCK_SETTIME:
	case PSXTIMER_IOC_CLOCK_GETRES:
		return psx_ioctl_clock(cmd, uarg);
	case PSXTIMER_IOC_PORT_CREATE:
		return psx_ioctl_port_create(uarg);
	case PSXTIMER_IOC_STAT:
		return psx_ioctl_stat(uarg);
	case PSXTIMER_IOC_BATCH:
		return psx_ioctl_batch(file, uarg);
	default:
		return -ENOTTY;
	}
}

long psx_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	/*
	 * The id is the argument (uapi): nothing to copy, and none of the
	 * stack frame the struct calls need.
	 */
	if (cmd == PSXTIMER_IOC_TIMER_GETOVERRUN_ID || cmd == PSXTIMER_IOC_TIMER_DELETE_ID)
		return arg <= INT_MAX ? timer_id_op(file, cmd, arg) : -EINVAL;
	return psx_ioctl_struct(file, cmd, (void __user *)arg);
}

static int psx_dev_open(struct inode *inode, struct file *file)
{
	/* misc_open() left the miscdevice there; ours is a table. */
	file->private_data = NULL;
	return nonseekable_open(inode, file);
}

static int psx_dev_release(struct inode *inode, struct file *file)
{
	psx_file_release(file);
	return 0;
}

static const struct file_operations psx_fops = {
	.owner = THIS_MODULE,
	.open = psx_dev_open,
	.release = psx_dev_release,
	.unlocked_ioctl = psx_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * A fixed minor, so that the module loads on first use: depmod turns the
 * two aliases into a modules.devname line, from which kmod static-nodes has
 * /dev/psxtimer (c 10:248) made at boot, and the first open() of that node
 * makes misc_open() request "char-major-10-248", which modprobe finds here.
 * 248 is in 243-254, which Documentation/admin-guide/devices.txt reserves
 * "for local use": no minor of include/linux/miscdevice.h or devices.txt is
 * there (the last one assigned is RFKILL_MINOR, 242), and the kernel hands
 * out dynamic minors below 128 (6.1) or above MISC_DYNAMIC_MINOR (255),
 * never in between, so no driver of the kernel's can hold it. Another
 * module of the local range might (OpenZFS's /dev/zfs is 249): then
 * misc_register() fails with -EBUSY and psxtimer does not load, rather than
 * take a dynamic minor that a static /dev/psxtimer would not point to.
 */
static struct miscdevice psx_miscdev = {
	.minor = PSX_MISC_MINOR,
	.name = "psxtimer",
	.fops = &psx_fops,
	.mode = 0666,
};
MODULE_ALIAS_MISCDEV(PSX_MISC_MINOR);
MODULE_ALIAS("devname:psxtimer");

int psx_dev_register(void)
{
	int err = misc_register(&psx_miscdev);

	if (err == -EBUSY)
		pr_err("misc minor %d is taken by another driver (see /proc/misc): no /dev/psxtimer\n",
		       PSX_MISC_MINOR);
	else if (err)
		pr_err("cannot register /dev/psxtimer: %d\n", err);
	return err;
}

void psx_dev_unregister(void)
{
	misc_deregister(&psx_miscdev);
}
