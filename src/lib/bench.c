// SPDX-License-Identifier: GPL-2.0
/*
 * psxtimer-bench: the same workloads through psxtimer's ioctls and through
 * the kernel's own POSIX timers, in one process, one boot. Prints two
 * comment lines, "# kernel RELEASE" and "# mode icount|wall", then one row
 * a measurement: "name<TAB>unit<TAB>psxtimer<TAB>native". scripts/bench
 * turns the rows into a table, bench/results.json and a plot.
 *
 *   psxtimer-bench [--smoke] [--icount] [GROUP...]
 *
 * GROUPs: percall, scale, batch, latency, cpu, memory, blocked; all of
 * them when none is named. --smoke: seconds long, for make check.
 *
 * --icount: the guest runs under QEMU's -icount shift=0 (scripts/vm-run
 * --icount), where the TSC advances by one for each instruction the guest
 * executes, on any vCPU. The per-call and scaling rows then count TSC
 * ticks ("insn"); the program stays on the last CPU, and each measured loop
 * starts at the same point between two ticks after the guest has been idle
 * (settle()). The latency and CPU rows measure wall time and idle CPU,
 * which icount skips: they refuse --icount.
 *
 * Needs root (RLIMIT_SIGPENDING is raised for 100,000 native timers, and
 * the memory row writes vm/stat_refresh and the slab caches' shrink) and
 * psxtimer loaded with timer_max >= 100000 (>= 1000 with --smoke).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#endif

#include <linux/psxtimer.h>

#define NSEC 1000000000LL
#define SIGT (SIGRTMIN + 1)

static int smoke, icount, dev;

static void die(const char *what)
{
	fprintf(stderr, "psxtimer-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

/* What a measured loop counts: instructions under --icount, else nanoseconds. */
static inline long long stamp(void)
{
#ifdef HAVE_TSC
	if (icount)
		return __rdtsc();
#endif
	return now();
}

static const char *unit_per_call(void)
{
	return icount ? "insn" : "ns";
}

static void write_1(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, "1", 1) != 1)
		die(path);
	close(fd);
}

/*
 * Empty slabs that a cache keeps for later would take new timers without
 * adding a page: give them back first (SLUB's sysfs; merged caches are
 * links to one folder, so some are shrunk twice).
 */
static void shrink_slabs(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *e;
	char path[300];

	if (!d)
		die("/sys/kernel/slab");
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", e->d_name);
		write_1(path);
	}
	closedir(d);
}

/*
 * Under --icount, before a measured loop: give the empty slabs back, and
 * idle until 502 ms into the next second of CLOCK_MONOTONIC (half a second
 * or more away).
 * The idle time costs nothing (icount skips it) and lets the deferred work
 * of the loop before (RCU callbacks, kworkers) finish outside this one.
 * The tick runs on a grid of whole jiffies from 0 (4 ms at HZ=250), so
 * the loop starts halfway between two ticks and meets them at the same
 * points in every run, and away from the whole seconds that the kernel
 * rounds its housekeeping timers to.
 */
static void settle(void)
{
	struct timespec ts;

	if (!icount)
		return;
	shrink_slabs();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += 1;
	ts.tv_nsec = 502000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* The calling thread on every CPU (workers), or on the last one (--icount's main thread). */
static void set_cpus(int all)
{
	int n = sysconf(_SC_NPROCESSORS_ONLN), i;
	cpu_set_t set;

	CPU_ZERO(&set);
	for (i = all ? 0 : n - 1; i < n; i++)
		CPU_SET(i, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static void row(const char *name, const char *unit, double psx, double native)
{
	printf("%s\t%s\t%.1f\t%.1f\n", name, unit, psx, native);
	fflush(stdout);
}

/* --- the two implementations behind one interface ----------------------- */

struct impl {
	int (*create)(int notify, int tid, int port, long *id);
	void (*settime)(long id, long long value, long long interval, int abs);
	void (*gettime)(long id);
	int (*getoverrun)(long id);
	void (*delete)(long id);
};

static int psx_create(int notify, int tid, int port, long *id)
{
	struct psxtimer_create c = {
		.clock_id = PSXTIMER_CLOCK_MONOTONIC,
		.flags = PSXTIMER_CREATE_SIGEVENT,
		.sigevent = { .sigev_notify = notify, .sigev_signo = SIGT,
			      .sigev_tid = tid, .sigev_port = port },
	};

	if (ioctl(dev, PSXTIMER_IOC_TIMER_CREATE, &c))
		return -errno;
	*id = c.timer_id;
	return 0;
}

static void psx_settime(long id, long long value, long long interval, int abs)
{
	/* As libpsxtimer for a NULL ovalue, and as the native side calls it. */
	struct psxtimer_settime s = {
		.timer_id = id,
		.flags = (abs ? PSXTIMER_TIMER_ABSTIME : 0) | PSXTIMER_SETTIME_NO_OLD,
	};

	s.new_value.it_value = (struct psxtimer_timespec){ value / NSEC, value % NSEC };
	s.new_value.it_interval = (struct psxtimer_timespec){ interval / NSEC, interval % NSEC };
	if (ioctl(dev, PSXTIMER_IOC_TIMER_SETTIME, &s))
		die("psxtimer settime");
}

static void psx_gettime(long id)
{
	struct psxtimer_gettime g = { .timer_id = id };

	if (ioctl(dev, PSXTIMER_IOC_TIMER_GETTIME, &g))
		die("psxtimer gettime");
}

static int psx_getoverrun(long id)
{
	int overrun = ioctl(dev, PSXTIMER_IOC_TIMER_GETOVERRUN_ID, (unsigned long)id);

	if (overrun < 0)
		die("psxtimer getoverrun");
	return overrun;
}

static void psx_delete(long id)
{
	if (ioctl(dev, PSXTIMER_IOC_TIMER_DELETE_ID, (unsigned long)id))
		die("psxtimer delete");
}

/* Native timers through the raw syscalls (glibc's ids are the kernel's). */
static int nat_create(int notify, int tid, int port, long *id)
{
	struct sigevent sev = { .sigev_notify = notify, .sigev_signo = SIGT };
	int kid;

	(void)port;	/* native timers have no ports; see latency_fd */
	if (notify == SIGEV_THREAD_ID)
		sev._sigev_un._tid = tid;
	if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &kid))
		return -errno;
	*id = kid;
	return 0;
}

static void nat_settime(long id, long long value, long long interval, int abs)
{
	struct itimerspec v = {
		.it_value = { value / NSEC, value % NSEC },
		.it_interval = { interval / NSEC, interval % NSEC },
	};

	if (syscall(SYS_timer_settime, (int)id, abs ? TIMER_ABSTIME : 0, &v, NULL))
		die("native settime");
}

static void nat_gettime(long id)
{
	struct itimerspec v;

	if (syscall(SYS_timer_gettime, (int)id, &v))
		die("native gettime");
}

static int nat_getoverrun(long id)
{
	long r = syscall(SYS_timer_getoverrun, (int)id);

	if (r < 0)
		die("native getoverrun");
	return r;
}

static void nat_delete(long id)
{
	if (syscall(SYS_timer_delete, (int)id))
		die("native delete");
}

static const struct impl psx = { psx_create, psx_settime, psx_gettime, psx_getoverrun, psx_delete };
static const struct impl nat = { nat_create, nat_settime, nat_gettime, nat_getoverrun, nat_delete };

/* --- statistics --------------------------------------------------------- */

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v; its value at quantile q (0..1). */
static double quantile(long long *v, int n, double q)
{
	qsort(v, n, sizeof(*v), cmp_ll);
	return v[(int)(q * (n - 1))];
}

/* --- 1. per-call cost ---------------------------------------------------- */

/*
 * OP_CREATE_DELETE_NONE: the pair again with SIGEV_NONE, which needs no
 * signal: what the signal costs each side (on 6.13 and later psxtimer
 * allocates a struct k_itimer for one, the kernel's own timer is one).
 */
enum op { OP_CREATE_DELETE, OP_CREATE_DELETE_NONE, OP_SETTIME, OP_GETTIME, OP_GETOVERRUN,
	OP_FLOOR };

static void percall_run(const struct impl *im, enum op which, long long *t, int n)
{
	long id = -1;
	int i;

	if (which != OP_CREATE_DELETE && which != OP_CREATE_DELETE_NONE && which != OP_FLOOR &&
	    im->create(SIGEV_SIGNAL, 0, 0, &id))
		die("create");
	settle();
	for (i = 0; i < n; i++) {
		long long t0 = stamp();
		long tmp;

		switch (which) {
		case OP_CREATE_DELETE:
		case OP_CREATE_DELETE_NONE:
			if (im->create(which == OP_CREATE_DELETE ? SIGEV_SIGNAL : SIGEV_NONE, 0, 0,
				       &tmp))
				die("create");
			im->delete(tmp);
			break;
		case OP_SETTIME:
			im->settime(id, 100 * NSEC, 0, 0);
			break;
		case OP_GETTIME:
			im->gettime(id);
			break;
		case OP_GETOVERRUN:
			im->getoverrun(id);
			break;
		case OP_FLOOR:
			/*
			 * What every call of the side pays before it does
			 * anything: for psxtimer, an ioctl on the door that the
			 * module turns away at once (ENOTTY); for the kernel,
			 * a syscall number that the table dispatches to
			 * sys_ni_syscall (ENOSYS), the entry and exit of a
			 * syscall with nothing in it.
			 */
			if (im == &psx)
				ioctl(dev, 0, 0);
			else
				syscall(SYS_tuxcall);
			break;
		}
		t[i] = stamp() - t0;
	}
	if (id >= 0)
		im->delete(id);
}

/*
 * Medians (and, in wall time, the 99th percentile): under --icount the
 * median is the same number in every run, while the tail is where the
 * interrupts that land in a call are.
 */
static void percall(void)
{
	static const char * const names[] = { "create+delete", "create+delete-none", "settime",
				       "gettime", "getoverrun", "floor" };
	int n = smoke ? 2000 : 100000, op;
	long long *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b));
	char name[96];

	for (op = 0; op <= OP_FLOOR; op++) {
		percall_run(&psx, op, a, n);
		percall_run(&nat, op, b, n);
		snprintf(name, sizeof(name), "call %s median", names[op]);
		row(name, unit_per_call(), quantile(a, n, 0.5), quantile(b, n, 0.5));
		if (icount)
			continue;
		snprintf(name, sizeof(name), "call %s p99", names[op]);
		row(name, unit_per_call(), quantile(a, n, 0.99), quantile(b, n, 0.99));
	}
	free(a);
	free(b);
}

/* --- 2. scaling with many timers --------------------------------------- */

/*
 * Each way (the calling thread alone, or each of several threads or
 * processes) creates n timers, then takes getoverrun on each, then deletes
 * them. With several ways the phases are fenced by a barrier, so that each
 * is timed by the main thread from the moment every way may start it to
 * the moment the last way has finished it.
 */
enum { PH_CREATE, PH_OVERRUN, PH_DELETE, NR_PHASES };

struct scale_ctl {
	pthread_barrier_t bar;	/* process-shared: ways + the main thread */
	int waiting[NR_PHASES];	/* ways done with everything before the phase */
	const struct impl *im;
	int n;
	long long t[NR_PHASES][2];	/* start and end of each phase */
};

static void scale_fence(struct scale_ctl *c, int alone, int phase, int end)
{
	if (alone) {
		if (!end)
			settle();
		c->t[phase][end] = stamp();
		return;
	}
	if (!end)
		__atomic_add_fetch(&c->waiting[phase], 1, __ATOMIC_RELEASE);
	pthread_barrier_wait(&c->bar);
}

static void scale_way(struct scale_ctl *c, int alone)
{
	long *ids = malloc(c->n * sizeof(*ids));
	int i, ph;

	if (!ids)
		die("malloc");
	memset(ids, 0, c->n * sizeof(*ids));	/* its page faults before any clock runs */
	for (ph = 0; ph < NR_PHASES; ph++) {
		scale_fence(c, alone, ph, 0);
		for (i = 0; i < c->n; i++) {
			if (ph == PH_CREATE && c->im->create(SIGEV_SIGNAL, 0, 0, &ids[i]))
				die("create (scaling)");
			else if (ph == PH_OVERRUN)
				c->im->getoverrun(ids[i]);
			else if (ph == PH_DELETE)
				c->im->delete(ids[i]);
		}
		scale_fence(c, alone, ph, 1);
	}
	free(ids);
}

static void *scale_thread(void *arg)
{
	set_cpus(1);
	scale_way(arg, 0);
	return NULL;
}

/* ways: 1 (the calling thread), or that many threads or processes; n timers each. */
static void scaling_case(const char *label, int ways, int procs, int n)
{
	static const char * const phase_names[] = { "create", "getoverrun each", "delete" };
	const struct impl *ims[2] = { &psx, &nat };
	double per_call[2][NR_PHASES];
	pthread_barrierattr_t attr;
	struct scale_ctl *c;
	int k, w, ph;

	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		die("mmap");
	for (k = 0; k < 2; k++) {
		pthread_t th[8];

		memset(c, 0, sizeof(*c));
		c->im = ims[k];
		c->n = n;
		if (ways == 1) {
			scale_way(c, 1);
		} else {
			pthread_barrierattr_init(&attr);
			pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
			pthread_barrier_init(&c->bar, &attr, ways + 1);
			for (w = 0; w < ways; w++) {
				if (!procs) {
					pthread_create(&th[w], NULL, scale_thread, c);
				} else if (fork() == 0) {
					set_cpus(1);
					scale_way(c, 0);
					_exit(0);
				}
			}
			/*
			 * The clock starts before the main thread releases the
			 * ways, not after: a woken way may run before the
			 * thread that woke it (on one CPU, it always does).
			 */
			for (ph = 0; ph < NR_PHASES; ph++) {
				while (__atomic_load_n(&c->waiting[ph], __ATOMIC_ACQUIRE) < ways)
					usleep(1000);
				settle();
				c->t[ph][0] = stamp();
				pthread_barrier_wait(&c->bar);
				pthread_barrier_wait(&c->bar);
				c->t[ph][1] = stamp();
			}
			for (w = 0; w < ways; w++) {
				if (procs)
					wait(NULL);
				else
					pthread_join(th[w], NULL);
			}
			pthread_barrier_destroy(&c->bar);
			pthread_barrierattr_destroy(&attr);
		}
		for (ph = 0; ph < NR_PHASES; ph++)
			per_call[k][ph] = (double)(c->t[ph][1] - c->t[ph][0]) / ((double)ways * n);
	}
	for (ph = 0; ph < NR_PHASES; ph++) {
		char name[96];

		snprintf(name, sizeof(name), "scale %s: %s", label, phase_names[ph]);
		row(name, icount ? "insn/call" : "ns/call", per_call[0][ph], per_call[1][ph]);
	}
	munmap(c, sizeof(*c));
}

static void scaling(void)
{
	int sizes[] = { 1000, 20000, 100000 }, i, per = smoke ? 250 : 20000;
	char label[64];

	for (i = 0; i < (smoke ? 1 : 3); i++) {
		snprintf(label, sizeof(label), "1 x %d", sizes[i]);
		scaling_case(label, 1, 0, sizes[i]);
	}
	snprintf(label, sizeof(label), "4 threads x %d", per);
	scaling_case(label, 4, 0, per);
	snprintf(label, sizeof(label), "4 processes x %d", per);
	scaling_case(label, 4, 1, per);
}

/* --- 2b. many timers in one call (PSXTIMER_IOC_BATCH) ------------------ */

/*
 * A program arming (reading, taking the overrun of) 1,000 timers: one
 * PSXTIMER_IOC_BATCH for psxtimer, 1,000 syscalls for the kernel, which has
 * no batch; and, to show what the batch saves, psxtimer's 1,000 ioctls of
 * one op each against the same syscalls. Every way fills its arguments
 * inside the measured loop, as such a program would. Per op, the median
 * of BATCH_REPS rounds.
 */
#define BATCH_N 1000
#define BATCH_REPS 11

enum batch_way { WAY_BATCH, WAY_SINGLE, WAY_NATIVE };

static long long batch_round(enum batch_way way, unsigned int which, const long *ids,
			     struct psxtimer_batch_op *ops)
{
	struct psxtimer_batch b = { .ops = (uintptr_t)ops, .count = BATCH_N };
	const struct impl *im = way == WAY_SINGLE ? &psx : &nat;
	long long t0 = stamp();
	int i;

	if (way == WAY_BATCH) {
		for (i = 0; i < BATCH_N; i++) {
			ops[i] = (struct psxtimer_batch_op){ .op = which, .timer_id = ids[i] };
			if (which == PSXTIMER_BATCH_SETTIME)
				ops[i].value.it_value.tv_sec = 100;
		}
		if (ioctl(dev, PSXTIMER_IOC_BATCH, &b))
			die("psxtimer batch");
		for (i = 0; i < BATCH_N; i++)
			if (ops[i].result < 0)
				die("psxtimer batch op");
	} else {
		for (i = 0; i < BATCH_N; i++) {
			if (which == PSXTIMER_BATCH_SETTIME)
				im->settime(ids[i], 100 * NSEC, 0, 0);
			else if (which == PSXTIMER_BATCH_GETTIME)
				im->gettime(ids[i]);
			else
				im->getoverrun(ids[i]);
		}
	}
	return stamp() - t0;
}

static void batch_rows(void)
{
	static const unsigned int which[] = { PSXTIMER_BATCH_SETTIME, PSXTIMER_BATCH_GETTIME,
		PSXTIMER_BATCH_GETOVERRUN };
	static const char * const names[] = { "settime", "gettime", "getoverrun" };
	struct psxtimer_batch_op *ops = calloc(BATCH_N, sizeof(*ops));
	const struct impl *ims[2] = { &psx, &nat };
	int reps = smoke ? 2 : BATCH_REPS, k, w, r, i;
	const char *unit = icount ? "insn/op" : "ns/op";
	long ids[2][BATCH_N];
	long long t[BATCH_REPS];
	double per[3];
	char name[96];

	if (!ops)
		die("calloc");
	for (k = 0; k < 2; k++)
		for (i = 0; i < BATCH_N; i++)
			if (ims[k]->create(SIGEV_SIGNAL, 0, 0, &ids[k][i]))
				die("create (batch)");
	for (w = 0; w < 3; w++) {
		for (k = WAY_BATCH; k <= WAY_NATIVE; k++) {
			settle();
			for (r = 0; r < reps; r++)
				t[r] = batch_round(k, which[w], ids[k == WAY_NATIVE], ops);
			per[k] = quantile(t, reps, 0.5) / BATCH_N;
		}
		snprintf(name, sizeof(name), "batch %d %s, per op", BATCH_N, names[w]);
		row(name, unit, per[WAY_BATCH], per[WAY_NATIVE]);
		snprintf(name, sizeof(name), "batch %d %s, one ioctl each, per op", BATCH_N,
			 names[w]);
		row(name, unit, per[WAY_SINGLE], per[WAY_NATIVE]);
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i < BATCH_N; i++)
			ims[k]->delete(ids[k][i]);
	free(ops);
}

/* --- 3. fire-to-delivery latency -------------------------------------- */

struct lat {
	const struct impl *im;
	int periods;
	long long *samples;
	pid_t tid;
	pthread_barrier_t ready;
};

static void *lat_thread(void *arg)
{
	struct lat *l = arg;
	sigset_t set;
	siginfo_t si;
	long long start, expiry;
	long id;
	int k = 0, got = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGT);
	l->tid = syscall(SYS_gettid);
	if (l->im->create(SIGEV_THREAD_ID, l->tid, 0, &id))
		die("create (latency)");
	start = now() + 10000000;
	l->im->settime(id, start, 1000000, 1);
	while (got < l->periods) {
		if (sigwaitinfo(&set, &si) != SIGT)
			continue;
		expiry = start + (long long)(k + si.si_overrun) * 1000000;
		l->samples[got++] = now() - expiry;
		k += 1 + si.si_overrun;
	}
	l->im->delete(id);
	return NULL;
}

static void latency_signal(void)
{
	int n = smoke ? 200 : 10000, k;
	const struct impl *ims[2] = { &psx, &nat };
	double med[2], p99[2], max[2];
	struct lat l;
	pthread_t th;

	for (k = 0; k < 2; k++) {
		l = (struct lat){ .im = ims[k], .periods = n, .samples = malloc(n * sizeof(long long)) };
		pthread_create(&th, NULL, lat_thread, &l);
		pthread_join(th, NULL);
		med[k] = quantile(l.samples, n, 0.5);
		p99[k] = quantile(l.samples, n, 0.99);
		max[k] = l.samples[n - 1];
		free(l.samples);
	}
	row("latency signal median", "us", med[0] / 1e3, med[1] / 1e3);
	row("latency signal p99", "us", p99[0] / 1e3, p99[1] / 1e3);
	row("latency signal max", "us", max[0] / 1e3, max[1] / 1e3);
}

/* Through a port fd with epoll; native: a timerfd with epoll. */
static void latency_fd(void)
{
	int n = smoke ? 200 : 10000, k, got, ep;
	double res[2][3];
	long long *s = malloc(n * sizeof(long long));

	for (k = 0; k < 2; k++) {
		struct epoll_event ee = { .events = EPOLLIN };
		long long start = now() + 10000000, done = 0;
		int fd;
		long id = -1;

		ep = epoll_create1(0);
		if (k == 0) {
			struct psxtimer_port_create pc = { .flags = PSXTIMER_PORT_NONBLOCK };

			if (ioctl(dev, PSXTIMER_IOC_PORT_CREATE, &pc))
				die("port create");
			fd = pc.fd;
			if (psx_create(PSXTIMER_SIGEV_PORT, 0, fd, &id))
				die("port timer");
			psx_settime(id, start, 1000000, 1);
		} else {
			struct itimerspec v = { { 0, 1000000 }, { start / NSEC, start % NSEC } };

			fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
			timerfd_settime(fd, TFD_TIMER_ABSTIME, &v, NULL);
		}
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ee);
		for (got = 0; got < n;) {
			unsigned long long fires = 0;

			if (epoll_wait(ep, &ee, 1, 1000) != 1)
				continue;
			if (k == 0) {
				struct psxtimer_port_event ev;

				if (read(fd, &ev, sizeof(ev)) != sizeof(ev))
					continue;
				fires = ev.events;
			} else if (read(fd, &fires, sizeof(fires)) != sizeof(fires)) {
				continue;
			}
			/* The last of the fires read is the one that woke us. */
			done += fires;
			s[got++] = now() - (start + (done - 1) * 1000000);
		}
		if (id >= 0)
			psx_delete(id);
		close(fd);
		close(ep);
		res[k][0] = quantile(s, n, 0.5);
		res[k][1] = quantile(s, n, 0.99);
		res[k][2] = s[n - 1];
	}
	row("latency port/timerfd epoll median", "us", res[0][0] / 1e3, res[1][0] / 1e3);
	row("latency port/timerfd epoll p99", "us", res[0][1] / 1e3, res[1][1] / 1e3);
	row("latency port/timerfd epoll max", "us", res[0][2] / 1e3, res[1][2] / 1e3);
	free(s);
}

static void latency(void)
{
	latency_signal();
	latency_fd();
}

/* --- 4. many timers firing: CPU time from /proc/stat's idle ------------- */

/*
 * Every CPU's idle and iowait time, in ms. The kernel (NO_HZ) measures
 * idle time with the clock at idle entry and exit, and stops it while an
 * interrupt runs on the idle CPU; user and system time are only sampled at
 * the tick, and the tick never sees the hrtimer interrupts of an otherwise
 * idle CPU (it runs in one of them, and counts idle). So the busy time is
 * what the CPUs' wall time less this leaves, interrupts included.
 */
static double cpu_idle_ms(void)
{
	long long user, nice, sys, idle, iowait;
	FILE *f = fopen("/proc/stat", "r");

	if (!f || fscanf(f, "cpu %lld %lld %lld %lld %lld", &user, &nice, &sys, &idle,
			 &iowait) != 5)
		die("/proc/stat");
	fclose(f);
	return (double)(idle + iowait) * 1000 / sysconf(_SC_CLK_TCK);
}

static int draining;

static void *drain(void *arg)
{
	sigset_t set;
	struct timespec ts = { 0, 100000000 };
	siginfo_t si;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGT);
	while (__atomic_load_n(&draining, __ATOMIC_RELAXED))
		sigtimedwait(&set, &si, &ts);
	return NULL;
}

/*
 * n periodic timers of one kind, phases spread over the period, for secs
 * seconds: the CPU time the machine spent meanwhile. Signals are drained
 * by a thread of their own.
 */
static double firing_cpu(const struct impl *im, int n, int notify, long long period,
			 long long secs)
{
	long *ids = malloc(n * sizeof(*ids));
	long long t0, elapsed, start = now() + 50000000;
	double idle0, cpu;
	pthread_t th;
	int i;

	if (notify == SIGEV_SIGNAL) {
		__atomic_store_n(&draining, 1, __ATOMIC_RELAXED);
		pthread_create(&th, NULL, drain, NULL);
	}
	for (i = 0; i < n; i++) {
		if (im->create(notify, 0, 0, &ids[i]))
			die("create (firing)");
		im->settime(ids[i], start + (period * i) / n, period, 1);
	}
	t0 = now();
	idle0 = cpu_idle_ms();
	usleep(secs * 1000000);
	elapsed = now() - t0;
	/* Scaled to secs: on a loaded host the sleep may end late. */
	cpu = ((double)elapsed / 1e6 * sysconf(_SC_NPROCESSORS_ONLN) - (cpu_idle_ms() - idle0)) *
	      secs * NSEC / elapsed;
	for (i = 0; i < n; i++)
		im->delete(ids[i]);
	if (notify == SIGEV_SIGNAL) {
		__atomic_store_n(&draining, 0, __ATOMIC_RELAXED);
		pthread_join(th, NULL);
	}
	free(ids);
	return cpu;
}

/* The module's interval floor (clock_highres_interval_min), in ns. */
static long long interval_floor(void)
{
	struct psxtimer_info info = { 0 };

	if (ioctl(dev, PSXTIMER_IOC_INFO, &info))
		die("psxtimer info");
	return info.highres_interval_min_ns;
}

static void cpu_rows(void)
{
	int n = smoke ? 100 : 10000, none = smoke ? 100 : 1000;
	long long secs = smoke ? 1 : 5, floor_ns = interval_floor();
	char name[96];

	snprintf(name, sizeof(name), "firing %d x 100 Hz, %lld s: CPU", n, secs);
	row(name, "ms", firing_cpu(&psx, n, SIGEV_SIGNAL, 10000000, secs),
	    firing_cpu(&nat, n, SIGEV_SIGNAL, 10000000, secs));
	/*
	 * Timers nobody hears (issue #11, item 7): the kernel never arms an
	 * hrtimer for a SIGEV_NONE timer, it computes what gettime and
	 * getoverrun ask for. At the module's interval floor.
	 */
	snprintf(name, sizeof(name), "SIGEV_NONE %d x %lld us (the floor), %lld s: CPU", none,
		 floor_ns / 1000, secs);
	row(name, "ms", firing_cpu(&psx, none, SIGEV_NONE, floor_ns, secs),
	    firing_cpu(&nat, none, SIGEV_NONE, floor_ns, secs));
}

/* --- 4b. periodic timers whose signal is blocked --------------------------- */

/* Iterations of a loop that reads the clock, for ns of CLOCK_MONOTONIC. */
static long long spin(long long ns)
{
	long long end = now() + ns, n = 0;

	while (now() < end)
		n++;
	return n;
}

/*
 * n periodic timers at period whose signal the process blocks (main
 * blocks SIGT): what share of its quiet rate a spinning loop keeps while
 * they run, in percent. The kernel's own timers stop once their signal is
 * queued and start again when it is taken (the rearm at dequeue); a
 * psxtimer timer's hrtimer goes on expiring, each expiry an interrupt
 * that only counts an overrun (README, "Known limits").
 */
static double blocked_share(const struct impl *im, int n, long long period, long long ns)
{
	struct timespec zero = { 0, 0 };
	long long quiet, busy, start;
	long *ids = malloc(n * sizeof(*ids));
	sigset_t set;
	int i;

	settle();
	quiet = spin(ns);
	start = now() + 1000000;
	for (i = 0; i < n; i++) {
		if (im->create(SIGEV_SIGNAL, 0, 0, &ids[i]))
			die("create (blocked)");
		im->settime(ids[i], start + (period * i) / n, period, 1);
	}
	while (now() < start + period)
		;
	busy = spin(ns);
	for (i = 0; i < n; i++)
		im->delete(ids[i]);
	/* A signal still queued at delete is still delivered: take them. */
	sigemptyset(&set);
	sigaddset(&set, SIGT);
	while (sigtimedwait(&set, NULL, &zero) == SIGT)
		;
	free(ids);
	return 100.0 * busy / quiet;
}

static void blocked_rows(void)
{
	long long floor_ns = interval_floor(), ns = smoke ? 20000000 : 200000000;
	char name[96];

	snprintf(name, sizeof(name), "32 x %lld us, signal blocked: a loop's rate", floor_ns / 1000);
	row(name, "% of quiet", blocked_share(&psx, 32, floor_ns, ns),
	    blocked_share(&nat, 32, floor_ns, ns));
}

/* --- 5. memory per timer ----------------------------------------------------- */

static long long meminfo_kb(const char *key)
{
	char line[128];
	long long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			sscanf(line + strlen(key), " %lld", &v);
	if (f)
		fclose(f);
	return v;
}

/*
 * Slab and VmallocUsed. Each CPU keeps its changes to the slab counters to
 * itself until they pass a threshold (16 pages on the 2-CPU guest), then
 * adds them in one step: without the refresh, 1,000 timers of any size
 * read as a multiple of 68 kB. Writing vm/stat_refresh folds every CPU's
 * share in first (root only, as this program is).
 */
static long long kernel_mem_kb(void)
{
	write_1("/proc/sys/vm/stat_refresh");
	return meminfo_kb("Slab:") + meminfo_kb("VmallocUsed:");
}

static void memory_per_timer(void)
{
	int n = smoke ? 1000 : 100000, k, i;
	const struct impl *ims[2] = { &psx, &nat };
	long *ids = malloc(n * sizeof(*ids));
	double per[2];

	for (k = 0; k < 2; k++) {
		long long m0;

		shrink_slabs();
		m0 = kernel_mem_kb();

		for (i = 0; i < n; i++)
			if (ims[k]->create(SIGEV_SIGNAL, 0, 0, &ids[i]))
				die("create (memory)");
		per[k] = (kernel_mem_kb() - m0) * 1024.0 / n;
		for (i = 0; i < n; i++)
			ims[k]->delete(ids[i]);
	}
	row(smoke ? "memory per timer (1000 timers)" : "memory per timer (100000 timers)", "bytes",
	    per[0], per[1]);
	free(ids);
}

static const struct group {
	const char *name;
	void (*run)(void);
	int wall_only;	/* measures wall time or idle CPU: meaningless under icount */
} groups[] = {
	{ "percall", percall, 0 },
	{ "scale", scaling, 0 },
	{ "batch", batch_rows, 0 },
	{ "latency", latency, 1 },
	{ "cpu", cpu_rows, 1 },
	{ "memory", memory_per_timer, 0 },
	{ "blocked", blocked_rows, 0 },
};

#define NR_GROUPS (sizeof(groups) / sizeof(*groups))

static void print_usage(void)
{
	fprintf(stderr, "usage: psxtimer-bench [--smoke] [--icount] [percall|scale|batch|latency|cpu|memory|blocked]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct rlimit many = { RLIM_INFINITY, RLIM_INFINITY };
	int want[NR_GROUPS] = { 0 }, any = 0, i;
	struct utsname uts;
	size_t g;
	sigset_t set;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--smoke")) {
			smoke = 1;
			continue;
		}
		if (!strcmp(argv[i], "--icount")) {
			icount = 1;
			continue;
		}
		for (g = 0; g < NR_GROUPS && strcmp(argv[i], groups[g].name); g++)
			;
		if (g == NR_GROUPS)
			print_usage();
		want[g] = any = 1;
	}
	for (g = 0; g < NR_GROUPS; g++) {
		if (!any)
			want[g] = 1;
		if (want[g] && icount && groups[g].wall_only) {
			if (any) {
				fprintf(stderr, "psxtimer-bench: %s measures wall time, not under --icount\n",
					groups[g].name);
				exit(2);
			}
			want[g] = 0;
		}
	}
#ifndef HAVE_TSC
	if (icount) {
		fprintf(stderr, "psxtimer-bench: --icount reads the TSC, which this CPU has not\n");
		exit(2);
	}
#endif
	dev = open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die(PSXTIMER_DEVICE);
	if (setrlimit(RLIMIT_SIGPENDING, &many))
		die("RLIMIT_SIGPENDING");
	/* Timer signals are taken with sigwaitinfo, never by a handler. */
	sigemptyset(&set);
	sigaddset(&set, SIGT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (icount) {
		set_cpus(0);
		/* settle() wakes at the whole second, not up to 50 us after it. */
		prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	}

	uname(&uts);
	printf("# kernel %s\n# mode %s\n", uts.release, icount ? "icount" : "wall");
	for (g = 0; g < NR_GROUPS; g++)
		if (want[g])
			groups[g].run();
	return 0;
}
