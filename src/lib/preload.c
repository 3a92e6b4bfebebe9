// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * psxtimer-preload.so: LD_PRELOAD=psxtimer-preload.so PROGRAM runs an
 * unmodified, dynamically linked program with timer_create, timer_settime,
 * timer_gettime, timer_delete and timer_getoverrun served by the psxtimer
 * module through libpsxtimer (linked in).
 *
 * Who serves a timer. The module serves CLOCK_REALTIME, CLOCK_MONOTONIC,
 * CLOCK_BOOTTIME and CLOCK_TAI with SIGEV_SIGNAL (and a NULL sigevent),
 * SIGEV_NONE, SIGEV_THREAD_ID and SIGEV_THREAD (libpsxtimer's helper
 * threads). Everything else goes to the
 * native implementation (glibc and the kernel): the CPU-time clocks
 * (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID and the negative ids of
 * clock_getcpuclockid() and pthread_getcpuclockid()), the alarm clocks, and
 * whatever the kernel refuses anyway (bad clocks, bad sigev_notify), so that
 * it refuses them with its own errno.
 *
 * timer_t values: a handle table. glibc 2.36 hands out the kernel's timer
 * id, a non-negative int, and for SIGEV_THREAD a pointer to its helper
 * thread shifted right by one with the sign bit set; together they cover
 * all of a 32-bit timer_t, so no encoding could tell a module id from a
 * native timer_t on i386, and glibc dereferences any negative timer_t it is
 * given (a garbage one crashes it). So the program never sees either: every
 * timer_t this module returns, module or native, is a handle
 *
 *	generation << 22 | index	(1 .. INT_MAX; generation 1..511, never 0)
 *
 * into a table of slots that says which implementation serves the timer and
 * under which id. A value that is not a live handle (out of range, a free
 * slot, a stale generation: a deleted timer) is EINVAL before any backend
 * sees it, on 64- and 32-bit alike, and the two kinds of ids cannot meet.
 * Handles fit in an int, so with a NULL sigevent si_value.sival_int is the
 * timer_t, as the kernel makes it. The table grows in chunks that are
 * never freed, so a lookup needs no lock (timer_settime, timer_gettime and
 * timer_getoverrun are async-signal-safe); create and delete take a mutex,
 * never held across a backend call. Slots: 2^22, the module's largest
 * timer_max; beyond that timer_create fails with EAGAIN. Only a program
 * that hands a glibc timer_t to the raw syscalls, or reads si_timerid (the
 * kernel's or the module's own id, not the timer_t), can tell.
 *
 * Symbol versions. The entry points are exported as glibc exports them
 * (timer_create@@GLIBC_2.34, and @GLIBC_2.3.3 on x86-64 or @GLIBC_2.2 on
 * i386 for programs linked before glibc 2.34), so every program built
 * against the timer_t-is-a-pointer ABI binds here. x86-64's GLIBC_2.2.5
 * versions are a different ABI (int ids into a table of glibc's own); they
 * are not defined here, so such programs keep glibc's, all five calls of
 * them. For the same reason the native calls are looked up with dlvsym()
 * by the version whose ABI this file is written for, never the oldest one
 * a plain dlsym() could return with some other library first in line. On
 * i386 the build uses 64-bit time_t, calls glibc's __timer_settime64 and
 * __timer_gettime64, and exports both those and the 32-bit time_t entry
 * points.
 *
 * Without the module (opening /dev/psxtimer fails, whatever the errno, or
 * the module speaks another ABI than this build: abi.h), every call goes
 * to the native implementation and the process says so in
 * one line on stderr when it loads this module. With PSXTIMER_STRICT set
 * (to anything but "" or "0") the process exits at load instead, status
 * 127 and one line on stderr, before the program runs: a program that falls
 * back to alarm() or setitimer() when timer_create fails (coreutils timeout
 * does) would otherwise run without psxtimer and no one would know. The
 * check is made once per process image: a forked child inherits the
 * verdict, an exec'd program makes its own.
 *
 * fork: the child has no timers (POSIX), so it forgets every handle.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/psxtimer.h>

#include "abi.h"
#include "psxtimer.h"

#if __TIMESIZE == 32 && !defined(__USE_TIME_BITS64)
#error "build the 32-bit interposer with -D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64"
#endif

/*
 * The exports are reached only through the asm aliases at the end. Userspace
 * has no <linux/compiler_attributes.h>: checkpatch-ignore: PREFER_DEFINED_ATTRIBUTE_MACRO
 */
#define __used __attribute__((__used__))

#define IDX_BITS	22
#define NR_SLOTS	(1u << IDX_BITS)
#define CHUNK_BITS	10
#define CHUNK_SLOTS	(1u << CHUNK_BITS)
#define GEN_MAX		((unsigned int)INT_MAX >> IDX_BITS)	/* 511 */

struct slot {
	unsigned int handle;	/* the live timer_t; 0 while free or being deleted */
	unsigned int gen;	/* of the next handle given out from this slot */
	unsigned int next_free;	/* free list link, index + 1 (0: end) */
	int native;		/* served by glibc */
	int psx_id;		/* the module's id */
	timer_t native_id;	/* glibc's timer_t */
};

static struct slot *chunks[NR_SLOTS / CHUNK_SLOTS];
/*
 * table_lock guards slot allocation and freeing, the free list and
 * nr_slots; lookups read chunks[] and a slot's handle without it (acquire,
 * paired with the release that publishes them).
 */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int nr_slots;
static unsigned int free_head, free_tail;	/* index + 1; FIFO, so stale handles stay stale longer */

static int module_ok;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static int (*native_create)(clockid_t clock, struct sigevent *sev, timer_t *timerid);
static int (*native_settime)(timer_t timerid, int flags, const struct itimerspec *value,
			     struct itimerspec *ovalue);
static int (*native_gettime)(timer_t timerid, struct itimerspec *value);
static int (*native_delete)(timer_t timerid);
static int (*native_getoverrun)(timer_t timerid);

#ifdef __x86_64__
#define GLIBC_OLD "GLIBC_2.3.3"
#else
#define GLIBC_OLD "GLIBC_2.2"
#endif

/* glibc's, by the version of the ABI this file implements: see the top. */
static void *native_sym(const char *name)
{
	void *sym = dlvsym(RTLD_NEXT, name, "GLIBC_2.34");

	if (!sym)
		sym = dlvsym(RTLD_NEXT, name, GLIBC_OLD);
	return sym;
}

static void table_fork_prepare(void)
{
	pthread_mutex_lock(&table_lock);
}

static void table_fork_parent(void)
{
	pthread_mutex_unlock(&table_lock);
}

/* The child has no timers: every slot becomes free and its handle stale. */
static void table_fork_child(void)
{
	unsigned int i;

	free_head = 0;
	free_tail = 0;
	for (i = 0; i < nr_slots; i++) {
		struct slot *s = &chunks[i >> CHUNK_BITS][i & (CHUNK_SLOTS - 1)];

		if (s->handle) {
			s->handle = 0;
			s->gen = s->gen % GEN_MAX + 1;
		}
		s->next_free = 0;
		if (free_tail)
			chunks[(free_tail - 1) >> CHUNK_BITS][(free_tail - 1) & (CHUNK_SLOTS - 1)]
				.next_free = i + 1;
		else
			free_head = i + 1;
		free_tail = i + 1;
	}
	pthread_mutex_unlock(&table_lock);
}

static int strict_mode(void)
{
	const char *s = getenv("PSXTIMER_STRICT");

	return s && *s && strcmp(s, "0");
}

/* One line on stderr, in one write(). */
static void say(const char *why, const char *what)
{
	char msg[256];
	int len;

	len = snprintf(msg, sizeof(msg), "psxtimer-preload: %s; %s\n", why, what);
	if (len > 0 && write(STDERR_FILENO, msg, len) < 0)
		return;
}

static void init(void)
{
	char why[128];
	int fd, rc;

	native_create = native_sym("timer_create");
	native_delete = native_sym("timer_delete");
	native_getoverrun = native_sym("timer_getoverrun");
#if __TIMESIZE == 32
	native_settime = native_sym("__timer_settime64");
	native_gettime = native_sym("__timer_gettime64");
#else
	native_settime = native_sym("timer_settime");
	native_gettime = native_sym("timer_gettime");
#endif
	if (!native_create || !native_delete || !native_getoverrun || !native_settime ||
	    !native_gettime) {
		say(dlerror() ?: "dlvsym", "glibc's POSIX timer calls are not there: exiting");
		_exit(127);
	}
	pthread_atfork(table_fork_prepare, table_fork_parent, table_fork_child);

	/*
	 * Only a probe: libpsxtimer opens the device for itself on the first
	 * call, so a process that never makes a timer holds no extra fd.
	 */
	fd = open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		/* A module of another ABI is as good as none (abi.h). */
		rc = psx_abi_check(fd, why, sizeof(why));
		close(fd);
		if (!rc) {
			module_ok = 1;
			return;
		}
	} else {
		snprintf(why, sizeof(why), "%s: %s", PSXTIMER_DEVICE, strerror(errno));
	}
	if (strict_mode()) {
		say(why, "PSXTIMER_STRICT is set: exiting");
		_exit(127);
	}
	say(why, "timers are the kernel's own (PSXTIMER_STRICT=1 makes this an error)");
}

__attribute__((constructor)) static void preload_load(void)
{
	pthread_once(&init_once, init);
}

static struct slot *slot_at(unsigned int idx)
{
	struct slot *chunk = __atomic_load_n(&chunks[idx >> CHUNK_BITS], __ATOMIC_ACQUIRE);

	return chunk ? &chunk[idx & (CHUNK_SLOTS - 1)] : NULL;
}

/* A free slot, not yet visible to lookups; NULL when all NR_SLOTS are live. */
static struct slot *slot_alloc(unsigned int *idx)
{
	struct slot *s = NULL, *chunk;

	pthread_mutex_lock(&table_lock);
	if (free_head) {
		*idx = free_head - 1;
		s = slot_at(*idx);
		free_head = s->next_free;
		if (!free_head)
			free_tail = 0;
	} else if (nr_slots < NR_SLOTS) {
		*idx = nr_slots;
		if (!chunks[*idx >> CHUNK_BITS]) {
			chunk = calloc(CHUNK_SLOTS, sizeof(*chunk));
			if (!chunk)
				goto out_unlock;
			__atomic_store_n(&chunks[*idx >> CHUNK_BITS], chunk, __ATOMIC_RELEASE);
		}
		s = slot_at(*idx);
		s->gen = 1;
		nr_slots++;
	}
out_unlock:
	pthread_mutex_unlock(&table_lock);
	return s;
}

static void slot_free(struct slot *s, unsigned int idx)
{
	pthread_mutex_lock(&table_lock);
	s->gen = s->gen % GEN_MAX + 1;
	s->next_free = 0;
	if (free_tail)
		slot_at(free_tail - 1)->next_free = idx + 1;
	else
		free_head = idx + 1;
	free_tail = idx + 1;
	pthread_mutex_unlock(&table_lock);
}

/*
 * What a timer_t stands for, copied out: the slot may be freed the moment
 * after, by a timer_delete() racing with this call on the same timer, which
 * POSIX leaves undefined; the table's memory stays, so it cannot crash here.
 */
static int lookup(timer_t timerid, struct slot *out)
{
	uintptr_t h = (uintptr_t)timerid;
	struct slot *s;

	if (h == 0 || h > INT_MAX)
		goto out_einval;
	s = slot_at(h & (NR_SLOTS - 1));
	if (!s || __atomic_load_n(&s->handle, __ATOMIC_ACQUIRE) != h)
		goto out_einval;
	*out = *s;
	return 0;
out_einval:
	errno = EINVAL;
	return -1;
}

static int module_serves(clockid_t clock, const struct sigevent *sev)
{
	if (!module_ok)
		return 0;
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		break;
	default:
		return 0;
	}
	if (!sev)
		return 1;
	switch (sev->sigev_notify) {
	case SIGEV_SIGNAL:
	case SIGEV_NONE:
	case SIGEV_THREAD_ID:
	case SIGEV_THREAD:	/* libpsxtimer's helper threads on a port */
		return 1;
	default:
		return 0;
	}
}

static int __used preload_timer_create(clockid_t clock, struct sigevent *sev, timer_t *timerid)
{
	struct sigevent dflt;
	unsigned int idx, h;
	struct slot *s;
	int psx, ret;

	pthread_once(&init_once, init);
	psx = module_serves(clock, sev);
	s = slot_alloc(&idx);
	if (!s) {
		errno = EAGAIN;
		return -1;
	}
	h = s->gen << IDX_BITS | idx;
	/* POSIX's default: SIGALRM, and si_value the timer_t (the kernel's int). */
	if (!sev) {
		memset(&dflt, 0, sizeof(dflt));
		dflt.sigev_notify = SIGEV_SIGNAL;
		dflt.sigev_signo = SIGALRM;
		dflt.sigev_value.sival_ptr = (void *)(uintptr_t)h;
		sev = &dflt;
	}
	s->native = !psx;
	if (psx)
		ret = psx_timer_create(clock, sev, &s->psx_id);
	else
		ret = native_create(clock, sev, &s->native_id);
	if (ret) {
		ret = errno;
		slot_free(s, idx);
		errno = ret;
		return -1;
	}
	__atomic_store_n(&s->handle, h, __ATOMIC_RELEASE);
	*timerid = (timer_t)(uintptr_t)h;
	return 0;
}

static int __used preload_timer_delete(timer_t timerid)
{
	uintptr_t h = (uintptr_t)timerid;
	struct slot t, *s;
	int ret, err;

	if (lookup(timerid, &t))
		return -1;
	s = slot_at(h & (NR_SLOTS - 1));
	/* The first of two racing deletes wins; the other sees EINVAL. */
	if (!__atomic_compare_exchange_n(&s->handle, &(unsigned int){ h }, 0, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		errno = EINVAL;
		return -1;
	}
	ret = t.native ? native_delete(t.native_id) : psx_timer_delete(t.psx_id);
	/* Gone either way: a backend that refused has no such timer. */
	err = errno;
	slot_free(s, h & (NR_SLOTS - 1));
	errno = err;
	return ret;
}

static int __used preload_timer_settime(timer_t timerid, int flags, const struct itimerspec *value,
				 struct itimerspec *ovalue)
{
	struct slot t;

	if (lookup(timerid, &t))
		return -1;
	/* As the kernel: no new value is EINVAL, and flags but TIMER_ABSTIME are ignored. */
	if (!value) {
		errno = EINVAL;
		return -1;
	}
	if (t.native)
		return native_settime(t.native_id, flags, value, ovalue);
	return psx_timer_settime(t.psx_id, flags & TIMER_ABSTIME, value, ovalue);
}

static int __used preload_timer_gettime(timer_t timerid, struct itimerspec *value)
{
	struct itimerspec v;
	struct slot t;

	if (lookup(timerid, &t))
		return -1;
	if (t.native)
		return native_gettime(t.native_id, value);
	if (psx_timer_gettime(t.psx_id, &v))
		return -1;
	/* The kernel's order: a bad timer first, then EFAULT. */
	if (!value) {
		errno = EFAULT;
		return -1;
	}
	*value = v;
	return 0;
}

static int __used preload_timer_getoverrun(timer_t timerid)
{
	struct slot t;

	if (lookup(timerid, &t))
		return -1;
	return t.native ? native_getoverrun(t.native_id) : psx_timer_getoverrun(t.psx_id);
}

/*
 * The exports, under glibc's versions (see the top); the Makefile declares
 * the version nodes and builds with -fvisibility=hidden, so nothing else
 * (libpsxtimer's psx_*) is exported.
 */
/* fn as name@@GLIBC_2.34 and name@GLIBC_OLD: two aliases, versioned and renamed. */
#define EXPORT(fn, name)							\
	__asm__(".globl " #fn "_new, " #fn "_old\n"				\
		".type " #fn "_new, @function\n"				\
		".type " #fn "_old, @function\n"				\
		".set " #fn "_new, " #fn "\n"					\
		".set " #fn "_old, " #fn "\n"					\
		".symver " #fn "_new, " #name "@@GLIBC_2.34, remove\n"		\
		".symver " #fn "_old, " #name "@" GLIBC_OLD ", remove")

EXPORT(preload_timer_create, timer_create);
EXPORT(preload_timer_delete, timer_delete);
EXPORT(preload_timer_getoverrun, timer_getoverrun);

#if __TIMESIZE == 32
/*
 * i386: __timer_settime64 and __timer_gettime64 take glibc's 64-bit time_t
 * itimerspec, the struct itimerspec of this build; timer_settime and
 * timer_gettime the 32-bit one, converted here as glibc converts it.
 */
struct itimerspec32 {
	struct {
		int32_t tv_sec;
		int32_t tv_nsec;
	} it_interval, it_value;
};

static void its_from32(struct itimerspec *to, const struct itimerspec32 *from)
{
	memset(to, 0, sizeof(*to));
	to->it_interval.tv_sec = from->it_interval.tv_sec;
	to->it_interval.tv_nsec = from->it_interval.tv_nsec;
	to->it_value.tv_sec = from->it_value.tv_sec;
	to->it_value.tv_nsec = from->it_value.tv_nsec;
}

static int its_to32(struct itimerspec32 *to, const struct itimerspec *from)
{
	if (from->it_interval.tv_sec != (int32_t)from->it_interval.tv_sec ||
	    from->it_value.tv_sec != (int32_t)from->it_value.tv_sec) {
		errno = EOVERFLOW;
		return -1;
	}
	to->it_interval.tv_sec = from->it_interval.tv_sec;
	to->it_interval.tv_nsec = from->it_interval.tv_nsec;
	to->it_value.tv_sec = from->it_value.tv_sec;
	to->it_value.tv_nsec = from->it_value.tv_nsec;
	return 0;
}

static int __used preload_timer_settime32(timer_t timerid, int flags, const struct itimerspec32 *value,
				   struct itimerspec32 *ovalue)
{
	struct itimerspec v, ov;

	if (value)
		its_from32(&v, value);
	if (preload_timer_settime(timerid, flags, value ? &v : NULL, ovalue ? &ov : NULL))
		return -1;
	return ovalue ? its_to32(ovalue, &ov) : 0;
}

static int __used preload_timer_gettime32(timer_t timerid, struct itimerspec32 *value)
{
	struct itimerspec v;

	if (preload_timer_gettime(timerid, &v))
		return -1;
	if (!value) {
		errno = EFAULT;
		return -1;
	}
	return its_to32(value, &v);
}

EXPORT(preload_timer_settime32, timer_settime);
EXPORT(preload_timer_gettime32, timer_gettime);
__asm__(".globl preload_timer_settime64, preload_timer_gettime64\n"
	".type preload_timer_settime64, @function\n"
	".type preload_timer_gettime64, @function\n"
	".set preload_timer_settime64, preload_timer_settime\n"
	".set preload_timer_gettime64, preload_timer_gettime\n"
	".symver preload_timer_settime64, __timer_settime64@@GLIBC_2.34, remove\n"
	".symver preload_timer_gettime64, __timer_gettime64@@GLIBC_2.34, remove");
#else
EXPORT(preload_timer_settime, timer_settime);
EXPORT(preload_timer_gettime, timer_gettime);
#endif
