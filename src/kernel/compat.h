/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where the glue meets kernel-version differences: each
 * wrapper is a small static inline under the name the newest kernel uses,
 * keyed on LINUX_VERSION_CODE or on a macro the kernel's headers define,
 * with a sentence of history. Call sites are written for the newest kernel.
 * The kernels psxtimer is tested on are in README.md ("Kernels").
 *
 * An out-of-tree module's compat header is where versions are compared,
 * the way lttng-modules and WireGuard's compat/ do it:
 * checkpatch-ignore: LINUX_VERSION_CODE,CONSTANT_COMPARISON
 */
#ifndef PSXTIMER_COMPAT_H
#define PSXTIMER_COMPAT_H

#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/sched.h>
#include <linux/version.h>

/*
 * The newest kernel psxtimer has been tested on. Its signal delivery uses
 * unexported kernel functions whose prototypes and rules change between
 * releases (6.13 removed the ones it used before), so a newer kernel is
 * refused at load (main.c) rather than trusted.
 */
#define PSX_NEWEST_TESTED_NAME "7.3"
#define PSX_KERNEL_TOO_NEW (LINUX_VERSION_CODE > KERNEL_VERSION(7, 3, 255))

/*
 * Linux 6.12 added fd_file() (a macro) to read the file out of a struct fd,
 * then packed struct fd into one word of pointer and flags; before it, the
 * file was the struct's .file member.
 */
#ifndef fd_file
static inline struct file *fd_file(struct fd f)
{
	return f.file;
}
#endif

/*
 * Linux 6.13 added hrtimer_setup(), which sets the callback with the rest,
 * and made .function private; 6.15 removed hrtimer_init().
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/*
 * struct hrtimer_clock_base (a timer's base, whose clockid settime looks
 * at) came with linux/hrtimer.h up to 6.12, from hrtimer_defs.h; by 7.3
 * it is in linux/hrtimer_bases.h, which hrtimer.h does not include.
 */
#if __has_include("linux/hrtimer_bases.h")
#include <linux/hrtimer_bases.h>
#endif

/*
 * Linux 6.13 made symbol namespaces string literals, as in
 * MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING"); before, a bare name.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define PSX_KUNIT_NAMESPACE "EXPORTED_FOR_KUNIT_TESTING"
#else
#define PSX_KUNIT_NAMESPACE EXPORTED_FOR_KUNIT_TESTING
#endif

/*
 * Linux 6.16 gave the sched_process_exit tracepoint a second argument,
 * group_dead. The probe is declared with what the header says: lifecycle.c
 * checks the two agree at build time.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0)
#define PSX_PROCESS_EXIT_PROTO struct task_struct *p, bool group_dead
#else
#define PSX_PROCESS_EXIT_PROTO struct task_struct *p
#endif

/*
 * A timer's preallocated signal, held as the kernel's own POSIX timers hold
 * theirs. Up to 6.12, sigqueue_alloc() made one (charged to the caller's
 * RLIMIT_SIGPENDING), send_sigqueue() queued it and said whether it did,
 * and sigqueue_free() let it go (a queued one when it is taken). 6.13
 * removed all three: the sigqueue now lives inside a struct k_itimer,
 * refcounted (the queue holds a reference), set up by
 * posixtimer_init_sigqueue(), queued by posixtimer_send_sigqueue() and
 * freed by posixtimer_free_timer() with the last reference; the kernel
 * treats every preallocated SI_TIMER sigqueue as part of a k_itimer. So
 * there, each signal timer has a k_itimer of its own, used only for
 * delivery: its it_interval stays 0, so the kernel never calls back into a
 * clock (struct k_clock is private), and it is never in the kernel's
 * timer hash, so nothing else finds it. signal.c has the rest.
 */
#define PSX_HAVE_SEND_SIGQUEUE (LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0))

/*
 * The k_itimer's reference count is an rcuref_t, whose header Linux 6.4
 * added: only the path without send_sigqueue() includes it, so 6.1 builds.
 */
#if !PSX_HAVE_SEND_SIGQUEUE
#include <linux/rcuref.h>
#endif

#endif /* PSXTIMER_COMPAT_H */
