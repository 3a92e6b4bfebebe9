/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The door into the C++ core: everything the C glue may call. The core is
 * timer logic only; it never sees a kernel structure, and never user memory:
 * the glue copies arguments in and results out. Implemented in src/core/,
 * called from src/kernel/ (and from kunit/ and the host tests).
 *
 * Errors are negative errno values, as the kernel returns them.
 */
#ifndef PSXTIMER_CORE_H
#define PSXTIMER_CORE_H

#ifdef __cplusplus
extern "C" {
#endif

struct psx_kproc;	/* the glue's half of a process (kapi.h) */
struct psx_ktimer;	/* the glue's half of a timer (kapi.h) */
struct psx_proc;	/* the core's per-process timer table */
struct psx_itimer;	/* the core's timer (illumos itimer_t) */

/*
 * Tunables, fixed at load. As in illumos, timer_max "cannot be tuned on a
 * running system": the core copies it once in clock_timer_init().
 */
struct psx_tunables {
	int timer_max;		/* 0: derive from ncpus, as illumos does */
	unsigned int ncpus;	/* possible CPUs (nr_cpu_ids) */
	unsigned int highres_interval_min_ns;	/* clock_highres_interval_min */
};

/* Upper bound for timer_max: ids are ints and the id array must fit kvmalloc. */
#define PSX_TIMER_MAX_CEILING (1 << 22)
/* illumos's _TIMER_MAX floor for the derived default. */
#define PSX_TIMER_MAX_FLOOR 32
/* illumos's _TIMER_ALLOC_INIT: the id array starts this long, then doubles. */
#define PSX_TIMER_ALLOC_INIT 8
/* illumos's default clock_highres_interval_min, 200 us. */
#define PSX_HIGHRES_INTERVAL_MIN_DEFAULT 200000

/* What userspace learns from the info query (mirrored by the uapi struct). */
struct psx_info {
	unsigned int version_major;
	unsigned int version_minor;
	unsigned int version_patch;
	unsigned int timer_max;
	unsigned int highres_interval_min_ns;
};

struct psx_timespec {
	long long tv_sec;
	long long tv_nsec;
};

struct psx_itimerspec {
	struct psx_timespec it_interval;
	struct psx_timespec it_value;
};

/* Clock ids (Linux's) and notification kinds, as in the uapi. */
enum {
	PSX_CLOCK_REALTIME = 0,
	PSX_CLOCK_MONOTONIC = 1,
	PSX_CLOCK_PROCESS_CPUTIME_ID = 2,
	PSX_CLOCK_THREAD_CPUTIME_ID = 3,
	PSX_CLOCK_BOOTTIME = 7,
	PSX_CLOCK_TAI = 11,
	PSX_CLOCK_MAX = 16,
	PSX_CLOCK_HIGHRES = PSX_CLOCK_MONOTONIC,
};

enum {
	PSX_SIGEV_SIGNAL = 0,
	PSX_SIGEV_NONE = 1,
	PSX_SIGEV_THREAD = 2,
	PSX_SIGEV_THREAD_ID = 4,
	PSX_SIGEV_PORT = 5,
};

#define PSX_TIMER_ABSTIME 1

struct psx_sigevent {
	unsigned long long value; /* si_value, or a port event's cookie */
	int signo;
	int notify;
	int tid;
	int port; /* SIGEV_PORT/SIGEV_THREAD: the port fd */
};

/*
 * Validate tunables and derive the effective ones into *out. Pure: no state
 * is touched, so tests can call it with any input. Returns 0 or -EINVAL.
 */
int psx_tunables_resolve(const struct psx_tunables *in,
			 struct psx_tunables *out);

/* Module load/unload. clock_timer_init() returns 0 or a negative errno. */
int clock_timer_init(const struct psx_tunables *t);
void clock_timer_fini(void);

/* The version/limits query behind PSXTIMER_IOC_INFO. */
void psx_core_info(struct psx_info *out);

/*
 * A process's timer table lives in memory the glue allocates with its own
 * half (struct psx_kproc): psx_proc_size() bytes, zeroed, then
 * psx_proc_init(). timer_exit() deletes every timer (process exit, exec);
 * the table stays usable afterwards. Process context, may sleep.
 */
unsigned long psx_proc_size(void);
/* The core's part of each timer, for the glue's timer cache. */
unsigned long psx_itimer_size(void);
void psx_proc_init(struct psx_proc *p, struct psx_kproc *kp);
void timer_exit(struct psx_proc *p);
/* How many timers the table holds now (the glue's trace events). */
int psx_proc_ntimers(struct psx_proc *p);

/* One timer as PSXTIMER_IOC_STAT shows it (the uapi's psxtimer_stat_timer). */
struct psx_timer_stat {
	int timer_id;
	int clock_id;
	int notify;		/* PSX_SIGEV_* */
	int signo;		/* signal notification; else 0 */
	int overrun;		/* what timer_getoverrun() would return */
	unsigned int pending;	/* expirations in the notification still queued */
	unsigned long long value;	/* si_value or port cookie */
	struct psx_itimerspec when;	/* what timer_gettime() would return */
};

/*
 * Describe up to max timers with ids >= *next, in id order, and move *next
 * past the last one described. Returns how many were. Each timer is locked
 * (timer_grab) while it is read. Process context; the caller may belong to
 * another process, but must keep the table alive.
 */
int psx_timer_stat(struct psx_proc *p, int *next, struct psx_timer_stat *out, int max);

/*
 * The timer syscalls. sev == NULL: SIGALRM with si_value = the new id.
 *
 * timer_create comes in two halves, because timer.c copies the new id out
 * while the timer is still born locked, so that no other thread can reach
 * it before the caller has its id. psx_timer_create() returns the new timer
 * locked (*itp) with its id; the glue copies the id out, then calls
 * psx_timer_create_done() with the result of the copy: 0 unlocks the
 * timer, an error deletes that very timer.
 */
int psx_timer_create(struct psx_proc *p, int clock, const struct psx_sigevent *sev,
		     int *id, struct psx_itimer **itp);
void psx_timer_create_done(struct psx_proc *p, struct psx_itimer *it, int err);
int psx_timer_settime(struct psx_proc *p, int id, int flags,
		      const struct psx_itimerspec *value,
		      struct psx_itimerspec *ovalue);
int psx_timer_gettime(struct psx_proc *p, int id, struct psx_itimerspec *value);
int psx_timer_delete(struct psx_proc *p, int id);
/* The overrun count (>= 0), or a negative errno. */
int psx_timer_getoverrun(struct psx_proc *p, int id);

/* The clock syscalls. */
int psx_clock_gettime(int clock, struct psx_timespec *ts);
int psx_clock_settime(int clock, const struct psx_timespec *ts);
int psx_clock_getres(int clock, struct psx_timespec *ts);

/*
 * A timer's hrtimer expired `count` times (periods missed count too).
 * hrtimer callback context (hardirq, or softirq on PREEMPT_RT): never
 * sleeps, takes no sleeping lock. Returns 0 when nobody can hear the timer
 * any more: the hrtimer need not run again.
 */
int timer_fire(struct psx_itimer *it, unsigned long long count);

#ifdef __cplusplus
}
#endif

#endif /* PSXTIMER_CORE_H */
