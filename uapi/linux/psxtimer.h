/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * psxtimer: the illumos POSIX timer subsystem as a Linux module.
 *
 * The ioctl ABI of /dev/psxtimer, the one contract with userspace. Every
 * structure has the same layout for 32- and 64-bit processes (fixed-width
 * fields, explicit padding), so the module's compat_ioctl is compat_ptr_ioctl.
 * Reserved fields are zero on output, and must be zero on input.
 */
#ifndef _UAPI_LINUX_PSXTIMER_H
#define _UAPI_LINUX_PSXTIMER_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PSXTIMER_DEVICE "/dev/psxtimer"

/* Bumped on any incompatible change; additions use reserved fields. */
#define PSXTIMER_ABI_VERSION 1

#define PSXTIMER_IOC_MAGIC 0xE7

/* Clocks: Linux's ids. CLOCK_HIGHRES (illumos) is CLOCK_MONOTONIC. */
#define PSXTIMER_CLOCK_REALTIME			0
#define PSXTIMER_CLOCK_MONOTONIC		1
#define PSXTIMER_CLOCK_PROCESS_CPUTIME_ID	2
#define PSXTIMER_CLOCK_THREAD_CPUTIME_ID	3
#define PSXTIMER_CLOCK_BOOTTIME			7
#define PSXTIMER_CLOCK_TAI			11
#define PSXTIMER_CLOCK_HIGHRES			PSXTIMER_CLOCK_MONOTONIC

/* Notification: Linux's values; SIGEV_PORT is psxtimer's own. */
#define PSXTIMER_SIGEV_SIGNAL		0
#define PSXTIMER_SIGEV_NONE		1
#define PSXTIMER_SIGEV_THREAD		2
#define PSXTIMER_SIGEV_THREAD_ID	4
#define PSXTIMER_SIGEV_PORT		5

/* timer_settime flags */
#define PSXTIMER_TIMER_ABSTIME		1
/* psxtimer's own: no old value wanted; old_value is not written (or read). */
#define PSXTIMER_SETTIME_NO_OLD		2

struct psxtimer_timespec {
	__s64 tv_sec;
	__s64 tv_nsec;
};

struct psxtimer_itimerspec {
	struct psxtimer_timespec it_interval;
	struct psxtimer_timespec it_value;
};

/*
 * struct sigevent, with fixed-width fields. SIGEV_PORT and SIGEV_THREAD
 * (illumos's port_notify_t): sigev_port is a port fd (PSXTIMER_IOC_PORT_CREATE)
 * and sigev_value the cookie its events carry.
 */
struct psxtimer_sigevent {
	__u64 sigev_value;	/* si_value (sival_ptr, or sival_int in the low 32 bits), or the cookie */
	__s32 sigev_signo;
	__s32 sigev_notify;	/* PSXTIMER_SIGEV_* */
	__s32 sigev_tid;	/* SIGEV_THREAD_ID: a thread of the caller's process */
	__s32 sigev_port;	/* SIGEV_PORT, SIGEV_THREAD: a port fd */
	__u32 __reserved[2];	/* zero */
};

/*
 * Event ports. A port is a file descriptor of its own (not /dev/psxtimer):
 * read() returns whole struct psxtimer_port_event records, as many as fit
 * (a smaller buffer: EINVAL), blocking unless O_NONBLOCK (EAGAIN); poll,
 * select and epoll report EPOLLIN while events are queued. One event per
 * timer is queued at a time; fires while it is queued only count.
 */
#define PSXTIMER_PORT_CLOEXEC		1	/* O_CLOEXEC */
#define PSXTIMER_PORT_NONBLOCK		2	/* O_NONBLOCK */

struct psxtimer_port_create {
	__u32 flags;		/* in: PSXTIMER_PORT_* */
	__s32 fd;		/* out: the port */
	__u32 __reserved[2];	/* zero */
};

#define PSXTIMER_PORT_SOURCE_TIMER	1

struct psxtimer_port_event {
	__u64 cookie;		/* sigev_value given at timer_create */
	__s32 timer_id;
	__u32 events;		/* expirations since the last retrieval, >= 1 */
	__u16 source;		/* PSXTIMER_PORT_SOURCE_TIMER */
	__u16 __pad;
	__u32 __reserved;
};

/* PSXTIMER_IOC_INFO: the module's version, limits and counters. */
struct psxtimer_info {
	__u32 abi_version;	/* PSXTIMER_ABI_VERSION */
	__u32 version_major;	/* module version */
	__u32 version_minor;
	__u32 version_patch;
	__u32 timer_max;	/* timers per process (module param) */
	__u32 highres_interval_min_ns;	/* module param clock_highres_interval_min */
	__u32 nr_timers;	/* timers alive now, in every process */
	__u32 nr_procs;		/* processes with a timer table now */
	__u32 features;		/* PSXTIMER_FEATURE_*: what this module has */
	__u32 __reserved[7];	/* zero */
};

/*
 * Additions to ABI 1, each a bit of psxtimer_info.features (a module that
 * predates them all says 0): a library that uses one checks for it.
 */
#define PSXTIMER_FEATURE_SETTIME_NO_OLD	0x1	/* PSXTIMER_SETTIME_NO_OLD */
#define PSXTIMER_FEATURE_BATCH		0x2	/* PSXTIMER_IOC_BATCH */
#define PSXTIMER_FEATURE_ID_ARG		0x4	/* PSXTIMER_IOC_TIMER_*_ID */
#define PSXTIMER_FEATURES_ALL		0x7

/* Create flags. */
#define PSXTIMER_CREATE_SIGEVENT	1	/* sigevent is given; else SIGALRM, si_value = id */

struct psxtimer_create {
	__s32 clock_id;		/* in */
	__u32 flags;		/* in: PSXTIMER_CREATE_* */
	struct psxtimer_sigevent sigevent;	/* in, with PSXTIMER_CREATE_SIGEVENT */
	__s32 timer_id;		/* out */
	__u32 __reserved;	/* zero */
};

/*
 * timer_settime: the new value, and the old one in the same call,
 * atomically; with PSXTIMER_SETTIME_NO_OLD, the new value only, and the
 * argument may end before old_value.
 */
struct psxtimer_settime {
	__s32 timer_id;		/* in */
	__u32 flags;		/* in: PSXTIMER_TIMER_ABSTIME, PSXTIMER_SETTIME_NO_OLD */
	struct psxtimer_itimerspec new_value;	/* in */
	struct psxtimer_itimerspec old_value;	/* out, unless PSXTIMER_SETTIME_NO_OLD */
};

struct psxtimer_gettime {
	__s32 timer_id;		/* in */
	__u32 __reserved;	/* zero */
	struct psxtimer_itimerspec value;	/* out */
};

/* timer_delete and timer_getoverrun. */
struct psxtimer_timer {
	__s32 timer_id;		/* in */
	__s32 overrun;		/* out (getoverrun) */
	__u32 __reserved[2];	/* zero */
};

/* clock_gettime, clock_settime, clock_getres. */
struct psxtimer_clock {
	__s32 clock_id;		/* in */
	__u32 __reserved;	/* zero */
	struct psxtimer_timespec ts;	/* out (in for settime) */
};

/*
 * PSXTIMER_IOC_STAT: a process's timers, in id order, as `psxtimer stat`
 * shows them. pid 0 (or the caller's own) is the calling process; any other
 * process needs CAP_SYS_PTRACE (EPERM), and must exist in the caller's pid
 * namespace (ESRCH). At most count entries are written to timers; count
 * comes back as the number of timers the process has, so a caller whose
 * buffer was too small can retry with a larger one. A process that never
 * created a timer has none.
 */
struct psxtimer_stat_timer {
	__s32 timer_id;
	__s32 clock_id;
	__s32 sigev_notify;	/* PSXTIMER_SIGEV_* */
	__s32 sigev_signo;	/* signal notification; else 0 */
	__s32 overrun;		/* what timer_getoverrun() returns now */
	__u32 pending;		/* expirations waiting in the notification still queued; 0: none queued */
	__u64 sigev_value;	/* si_value or port cookie */
	struct psxtimer_itimerspec value;	/* timer_gettime(): it_value 0 = disarmed */
};

struct psxtimer_stat {
	__s32 pid;		/* in: a process id, 0 for the caller */
	__u32 count;		/* in: entries at timers; out: timers the process has */
	__u64 timers;		/* in: user pointer to struct psxtimer_stat_timer[count] */
	__u32 flags;		/* zero */
	__u32 __reserved[3];	/* zero */
};

/*
 * PSXTIMER_IOC_BATCH: many settime, gettime and getoverrun operations on
 * the calling process's timers in one call (no POSIX system has this).
 * The ops are carried out in array order, each exactly as its own ioctl
 * would be, each with its own result: 0 (GETOVERRUN: the overrun count)
 * or a negative errno; an unknown op, or nonzero flags where the op takes
 * none, is -EINVAL in that op's result. The ioctl itself fails only when
 * the header is bad (EINVAL: nonzero flags, count above
 * PSXTIMER_BATCH_MAX) or when the header or the ops cannot be read, or the
 * results written (EFAULT). Count 0 does nothing and succeeds. On an EFAULT
 * midway, the ops before the fault may have been carried out, with or
 * without their results written back. Each op is written back whole, its
 * input fields as the kernel read them.
 */
#define PSXTIMER_BATCH_SETTIME		1	/* value in, old_value out */
#define PSXTIMER_BATCH_GETTIME		2	/* old_value out: the value now */
#define PSXTIMER_BATCH_GETOVERRUN	3	/* result: the overrun count */

#define PSXTIMER_BATCH_MAX		4096	/* ops per call */

struct psxtimer_batch_op {
	__u32 op;		/* in: PSXTIMER_BATCH_* */
	__s32 timer_id;		/* in */
	__u32 flags;		/* in: SETTIME: PSXTIMER_TIMER_ABSTIME; else zero */
	__s32 result;		/* out: 0, the overrun (GETOVERRUN), or -errno */
	struct psxtimer_itimerspec value;	/* in: SETTIME's new value; else ignored */
	struct psxtimer_itimerspec old_value;	/* out: the setting before (SETTIME), now (GETTIME); else 0 */
};

struct psxtimer_batch {
	__u64 ops;		/* in: user pointer to struct psxtimer_batch_op[count] */
	__u32 count;		/* in: at most PSXTIMER_BATCH_MAX */
	__u32 flags;		/* zero */
};

#define PSXTIMER_IOC_INFO _IOR(PSXTIMER_IOC_MAGIC, 0x00, struct psxtimer_info)
#define PSXTIMER_IOC_TIMER_CREATE _IOWR(PSXTIMER_IOC_MAGIC, 0x01, struct psxtimer_create)
#define PSXTIMER_IOC_TIMER_SETTIME _IOWR(PSXTIMER_IOC_MAGIC, 0x02, struct psxtimer_settime)
#define PSXTIMER_IOC_TIMER_GETTIME _IOWR(PSXTIMER_IOC_MAGIC, 0x03, struct psxtimer_gettime)
#define PSXTIMER_IOC_TIMER_DELETE _IOW(PSXTIMER_IOC_MAGIC, 0x04, struct psxtimer_timer)
#define PSXTIMER_IOC_TIMER_GETOVERRUN _IOWR(PSXTIMER_IOC_MAGIC, 0x05, struct psxtimer_timer)
#define PSXTIMER_IOC_CLOCK_GETTIME _IOWR(PSXTIMER_IOC_MAGIC, 0x06, struct psxtimer_clock)
#define PSXTIMER_IOC_CLOCK_SETTIME _IOW(PSXTIMER_IOC_MAGIC, 0x07, struct psxtimer_clock)
/* A NULL argument succeeds without looking at the clock, as POSIX's res == NULL. */
#define PSXTIMER_IOC_CLOCK_GETRES _IOWR(PSXTIMER_IOC_MAGIC, 0x08, struct psxtimer_clock)
#define PSXTIMER_IOC_PORT_CREATE _IOWR(PSXTIMER_IOC_MAGIC, 0x09, struct psxtimer_port_create)
#define PSXTIMER_IOC_STAT _IOWR(PSXTIMER_IOC_MAGIC, 0x0a, struct psxtimer_stat)
#define PSXTIMER_IOC_BATCH _IOW(PSXTIMER_IOC_MAGIC, 0x0b, struct psxtimer_batch)
/*
 * timer_delete and timer_getoverrun with the id itself as the argument, as
 * a syscall takes it in a register: no memory is read or written. An
 * argument outside [0, INT_MAX] is no timer's id (EINVAL). GETOVERRUN_ID
 * returns the overrun count as the ioctl's result.
 */
#define PSXTIMER_IOC_TIMER_DELETE_ID _IO(PSXTIMER_IOC_MAGIC, 0x0c)
#define PSXTIMER_IOC_TIMER_GETOVERRUN_ID _IO(PSXTIMER_IOC_MAGIC, 0x0d)

#endif /* _UAPI_LINUX_PSXTIMER_H */
