// SPDX-License-Identifier: GPL-2.0
/*
 * psxtimer: the command-line tool (psxtimer(1)).
 *
 *   psxtimer info        version, limits and counters of the loaded module
 *   psxtimer stat [PID]  a process's timers (PSXTIMER_IOC_STAT); without a
 *                        PID, every process with timers that we may see
 *   psxtimer trace [PID] the module's trace events (events/psxtimer/ in
 *                        tracefs) of a process, readably, until it exits;
 *                        without a PID, of every process
 *   psxtimer demo        what `make run` shows: a periodic timer with signals
 *                        and overruns, a port with several timers, and the
 *                        stat table of the demo's own timers
 *
 * The demo is a program of libpsxtimer (linked in statically); stat and info
 * use the ioctls directly, as the library has no call for them.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/psxtimer.h>

#include "psxtimer.h"

#define NSEC 1000000000LL
#define MSEC 1000000LL

static int dev_open(int flags)
{
	int fd = open(PSXTIMER_DEVICE, flags | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "psxtimer: %s: %s (is the module loaded?)\n",
			PSXTIMER_DEVICE, strerror(errno));
	return fd;
}

static int fail(const char *what)
{
	fprintf(stderr, "psxtimer: %s: %s\n", what, strerror(errno));
	return 1;
}

/* ---- info ---------------------------------------------------------------- */

static int cmd_info(void)
{
	struct psxtimer_info info;
	int fd = dev_open(O_RDONLY);

	if (fd < 0)
		return 1;
	if (ioctl(fd, PSXTIMER_IOC_INFO, &info) < 0) {
		fail("PSXTIMER_IOC_INFO");
		close(fd);
		return 1;
	}
	close(fd);
	printf("psxtimer %u.%u.%u (ABI %u): %s answers, timer_max=%u timers per process\n",
	       info.version_major, info.version_minor, info.version_patch,
	       info.abi_version, PSXTIMER_DEVICE, info.timer_max);
	printf("clock_highres_interval_min=%u ns; now %u timer%s in %u process%s\n",
	       info.highres_interval_min_ns, info.nr_timers, info.nr_timers == 1 ? "" : "s",
	       info.nr_procs, info.nr_procs == 1 ? "" : "es");
	/* The additions to the ABI (uapi's PSXTIMER_FEATURE_*); 0: none. */
	printf("features 0x%x:%s%s%s\n", info.features,
	       info.features & PSXTIMER_FEATURE_SETTIME_NO_OLD ? " settime-no-old" : "",
	       info.features & PSXTIMER_FEATURE_BATCH ? " batch" : "",
	       info.features & PSXTIMER_FEATURE_ID_ARG ? " id-arg" : "");
	return 0;
}

/* ---- stat ---------------------------------------------------------------- */

static const char *clock_name(int clock)
{
	switch (clock) {
	case PSXTIMER_CLOCK_REALTIME:
		return "REALTIME";
	case PSXTIMER_CLOCK_MONOTONIC:
		return "MONOTONIC";
	case PSXTIMER_CLOCK_PROCESS_CPUTIME_ID:
		return "PROCESS_CPUTIME";
	case PSXTIMER_CLOCK_THREAD_CPUTIME_ID:
		return "THREAD_CPUTIME";
	case PSXTIMER_CLOCK_BOOTTIME:
		return "BOOTTIME";
	case PSXTIMER_CLOCK_TAI:
		return "TAI";
	}
	return NULL;
}

/* SIGALRM, SIGRTMIN+3, SIGRTMAX-1 (as bash's kill -l), or SIG40 outside libc's range. */
static void signal_name(char *buf, size_t len, int sig)
{
	const char *abbrev;

	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		if (sig == SIGRTMIN)
			snprintf(buf, len, "SIGRTMIN");
		else if (sig - SIGRTMIN <= (SIGRTMAX - SIGRTMIN) / 2)
			snprintf(buf, len, "SIGRTMIN+%d", sig - SIGRTMIN);
		else if (sig == SIGRTMAX)
			snprintf(buf, len, "SIGRTMAX");
		else
			snprintf(buf, len, "SIGRTMAX-%d", SIGRTMAX - sig);
		return;
	}
	abbrev = sigabbrev_np(sig);
	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "SIG%d", sig);
}

static void notify_name(char *buf, size_t len, const struct psxtimer_stat_timer *t)
{
	char sig[24];

	switch (t->sigev_notify) {
	case PSXTIMER_SIGEV_SIGNAL:
		signal_name(buf, len, t->sigev_signo);
		return;
	case PSXTIMER_SIGEV_THREAD_ID:
		signal_name(sig, sizeof(sig), t->sigev_signo);
		snprintf(buf, len, "%s/tid", sig);
		return;
	case PSXTIMER_SIGEV_THREAD:
		snprintf(buf, len, "thread");
		return;
	case PSXTIMER_SIGEV_PORT:
		snprintf(buf, len, "port");
		return;
	case PSXTIMER_SIGEV_NONE:
		snprintf(buf, len, "none");
		return;
	}
	snprintf(buf, len, "notify %d", t->sigev_notify);
}

/* A duration, three significant decimals in the largest fitting unit; "-" for 0. */
static void duration(char *buf, size_t len, const struct psxtimer_timespec *ts)
{
	unsigned long long ns;

	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC) {
		snprintf(buf, len, "?");
		return;
	}
	if (ts->tv_sec >= 1000000) {
		snprintf(buf, len, "%llds", (long long)ts->tv_sec);
		return;
	}
	ns = ts->tv_sec * NSEC + ts->tv_nsec;
	if (!ns)
		snprintf(buf, len, "-");
	else if (ns < 1000)
		snprintf(buf, len, "%lluns", ns);
	else if (ns < MSEC)
		snprintf(buf, len, "%llu.%03lluus", ns / 1000, ns % 1000);
	else if (ns < NSEC)
		snprintf(buf, len, "%llu.%03llums", ns / MSEC, ns / 1000 % 1000);
	else
		snprintf(buf, len, "%llu.%03llus", ns / NSEC, ns / MSEC % 1000);
}

/*
 * The timers of pid (0: this process) into a malloc'ed array (NULL when it
 * has none). The first call, with no room, learns how many there are; the
 * count comes back as the number the process has, which may have grown by
 * the next call: ask again with room for all, until they fit.
 */
static int stat_get(int fd, pid_t pid, struct psxtimer_stat_timer **timers, unsigned int *count)
{
	struct psxtimer_stat_timer *buf = NULL, *bigger;
	struct psxtimer_stat st;
	unsigned int room = 0;
	int err;

	for (;;) {
		memset(&st, 0, sizeof(st));
		st.pid = pid;
		st.count = room;
		st.timers = (uintptr_t)buf;
		if (ioctl(fd, PSXTIMER_IOC_STAT, &st)) {
			err = errno;
			goto out_free;
		}
		if (st.count <= room)
			break;
		room = st.count;
		bigger = realloc(buf, room * sizeof(*buf));
		if (!bigger) {
			err = ENOMEM;
			goto out_free;
		}
		buf = bigger;
	}
	*timers = buf;
	*count = st.count;
	return 0;

out_free:
	free(buf);
	errno = err;
	return -1;
}

static void comm_of(char *buf, size_t len, pid_t pid)
{
	char path[64];
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/comm");
	f = fopen(path, "re");
	if (!f || !fgets(buf, len, f))
		snprintf(buf, len, "?");
	else
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

static void stat_print(pid_t pid, const struct psxtimer_stat_timer *t, unsigned int count)
{
	char comm[32], clock[24], notify[48], next[24], interval[24];
	unsigned int i;

	comm_of(comm, sizeof(comm), pid);
	printf("pid %d (%s): %u timer%s\n", pid ? pid : getpid(), comm, count, count == 1 ? "" : "s");
	if (!count)
		return;
	printf("%4s  %-9s  %-15s  %-5s  %9s  %9s  %7s  %7s  %s\n", "ID", "CLOCK", "NOTIFY",
	       "ARMED", "NEXT", "INTERVAL", "OVERRUN", "PENDING", "VALUE");
	for (i = 0; i < count; i++, t++) {
		bool armed = t->value.it_value.tv_sec || t->value.it_value.tv_nsec;
		const char *name = clock_name(t->clock_id);

		if (name)
			snprintf(clock, sizeof(clock), "%s", name);
		else
			snprintf(clock, sizeof(clock), "clock %d", t->clock_id);
		notify_name(notify, sizeof(notify), t);
		duration(next, sizeof(next), &t->value.it_value);
		duration(interval, sizeof(interval), &t->value.it_interval);
		printf("%4d  %-9s  %-15s  %-5s  %9s  %9s  %7d  %7u  ", t->timer_id, clock,
		       notify, armed ? "yes" : "no", next, interval, t->overrun, t->pending);
		if (t->sigev_notify == PSXTIMER_SIGEV_NONE)
			printf("-\n");
		else
			printf("%#llx\n", (unsigned long long)t->sigev_value);
	}
}

/* One process; its errors are the command's. */
static int stat_one(int fd, pid_t pid)
{
	struct psxtimer_stat_timer *timers;
	unsigned int count;
	char what[32];

	if (stat_get(fd, pid, &timers, &count)) {
		if (errno == ENOTTY)
			return fail("PSXTIMER_IOC_STAT (the loaded module predates it)");
		snprintf(what, sizeof(what), "pid %d", pid);
		return fail(what);
	}
	stat_print(pid, timers, count);
	free(timers);
	return 0;
}

/*
 * Every process in /proc with at least one timer. Processes we may not
 * inspect (EPERM) or that exit while we look (ESRCH) are skipped; any other
 * error ends the scan.
 */
static int stat_all(int fd)
{
	struct psxtimer_stat_timer *timers;
	unsigned int count, shown = 0, denied = 0;
	struct dirent *de;
	char *end;
	DIR *proc;
	long pid;
	int rc = 0;

	proc = opendir("/proc");
	if (!proc)
		return fail("/proc");
	while ((de = readdir(proc))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid > INT_MAX || pid == getpid())
			continue;
		if (stat_get(fd, pid, &timers, &count)) {
			if (errno == EPERM) {
				denied++;
				continue;
			}
			if (errno == ESRCH)
				continue;
			rc = fail(errno == ENOTTY ? "PSXTIMER_IOC_STAT (the loaded module predates it)"
						  : "PSXTIMER_IOC_STAT");
			break;
		}
		if (count) {
			if (shown++)
				putchar('\n');
			stat_print(pid, timers, count);
		}
		free(timers);
	}
	closedir(proc);
	if (!rc && !shown)
		printf("no process has psxtimer timers%s\n",
		       denied ? " that we may see (other processes need CAP_SYS_PTRACE)" : "");
	return rc;
}

/*
 * arg as a process id, 1 to INT_MAX, decimal digits only; 0, and a line on
 * stderr naming the command, when it is none.
 */
static long parse_pid(const char *cmd, const char *arg)
{
	char *end;
	long pid;

	errno = 0;
	pid = strtol(arg, &end, 10);
	if (!isdigit((unsigned char)*arg) || *end || errno || pid <= 0 || pid > INT_MAX) {
		fprintf(stderr, "psxtimer: %s: '%s' is not a process id\n", cmd, arg);
		return 0;
	}
	return pid;
}

static int cmd_stat(const char *arg)
{
	long pid = 0;
	int fd, rc;

	if (arg) {
		pid = parse_pid("stat", arg);
		if (!pid)
			return 2;
	}
	fd = dev_open(O_RDONLY);
	if (fd < 0)
		return 1;
	rc = arg ? stat_one(fd, pid) : stat_all(fd);
	close(fd);
	return rc;
}

/* ---- demo ---------------------------------------------------------------- */

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

static struct itimerspec every(long long ns)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = ns / NSEC, .tv_nsec = ns % NSEC },
		.it_interval = { .tv_sec = ns / NSEC, .tv_nsec = ns % NSEC },
	};

	return its;
}

/* A 10 ms CLOCK_HIGHRES timer: five signals taken on time, then one taken late. */
static int demo_signal(psx_timer_t *timer, sigset_t *set)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGRTMIN,
		.sigev_value.sival_int = 42,
	};
	struct itimerspec its = every(10 * MSEC);
	siginfo_t si;
	int i;

	sigemptyset(set);
	sigaddset(set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, set, NULL);
	if (psx_timer_create(CLOCK_MONOTONIC, &sev, timer))
		return fail("timer_create");
	if (psx_timer_settime(*timer, 0, &its, NULL))
		return fail("timer_settime");
	printf("timer %d: CLOCK_HIGHRES, every 10 ms, SIGRTMIN with value 42\n", *timer);
	for (i = 0; i < 5; i++) {
		if (sigwaitinfo(set, &si) < 0)
			return fail("sigwaitinfo");
		printf("  signal %d: si_timerid=%d si_value=%d si_overrun=%d\n",
		       si.si_signo, si.si_timerid, si.si_value.sival_int, si.si_overrun);
	}
	printf("not taking signals for 100 ms...\n");
	usleep(100000);
	if (sigwaitinfo(set, &si) < 0)
		return fail("sigwaitinfo");
	printf("  one signal for all of them: si_overrun=%d, timer_getoverrun=%d\n",
	       si.si_overrun, psx_timer_getoverrun(*timer));
	return 0;
}

struct demo_timer {
	const char *name;
	long long period;
	psx_timer_t id;
	unsigned long long expirations;	/* the sum of portev_events */
	unsigned int reads;		/* port events retrieved */
	int most;			/* the largest portev_events */
};

/* Retrieve the port's events until the deadline (or until none is queued, for 0). */
static int demo_port_read(int port, long long deadline)
{
	psx_port_event_t ev[8];
	struct demo_timer *dt;
	unsigned int n, i;
	long long left;

	for (;;) {
		struct timespec ts = { 0 };

		left = deadline ? deadline - mono_ns() : 0;
		if (left > 0) {
			ts.tv_sec = left / NSEC;
			ts.tv_nsec = left % NSEC;
		}
		n = 1;
		if (psx_port_getn(port, ev, 8, &n, &ts) && errno != ETIME)
			return fail("port_getn");
		for (i = 0; i < n; i++) {
			dt = ev[i].portev_user;
			dt->expirations += ev[i].portev_events;
			dt->reads++;
			if (ev[i].portev_events > dt->most)
				dt->most = ev[i].portev_events;
		}
		if (!n)
			return 0;
	}
}

static int demo_stat(int fd)
{
	printf("psxtimer stat, this process's timers now:\n");
	return stat_one(fd, 0);
}

/*
 * Three periodic timers on one port, read in a loop: every expiration is
 * counted, also while nobody reads (one event per timer stays queued and
 * counts the fires). A disarmed and a far-away timer complete the table.
 */
static int demo_port(int fd)
{
	struct demo_timer dts[] = {
		{ .name = "fast", .period = 10 * MSEC },
		{ .name = "medium", .period = 25 * MSEC },
		{ .name = "slow", .period = 40 * MSEC },
	};
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	struct itimerspec its, stop = { 0 };
	psx_port_notify_t pn[3];
	psx_timer_t idle, hour;
	struct timespec now;
	long long start, end;
	int port, i, stat_rc, rc = 1;

	port = psx_port_create();
	if (port < 0)
		return fail("port_create");
	for (i = 0; i < 3; i++) {
		struct sigevent sev = { .sigev_notify = PSX_SIGEV_PORT };

		pn[i].portnfy_port = port;
		pn[i].portnfy_user = &dts[i];
		sev.sigev_value.sival_ptr = &pn[i];
		if (psx_timer_create(CLOCK_MONOTONIC, &sev, &dts[i].id)) {
			fail("timer_create");
			goto out_close;
		}
	}
	/* SIGEV_NONE: one never armed, one absolute an hour from now. */
	if (psx_timer_create(CLOCK_BOOTTIME, &none, &idle) ||
	    psx_timer_create(CLOCK_REALTIME, &none, &hour)) {
		fail("timer_create");
		goto out_close;
	}
	psx_clock_gettime(CLOCK_REALTIME, &now);
	its = (struct itimerspec){ .it_value = { .tv_sec = now.tv_sec + 3600 } };
	if (psx_timer_settime(hour, TIMER_ABSTIME, &its, NULL)) {
		fail("timer_settime");
		goto out_close;
	}

	printf("\nport %d: timers %d, %d, %d on CLOCK_MONOTONIC every 10, 25, 40 ms (SIGEV_PORT)\n",
	       port, dts[0].id, dts[1].id, dts[2].id);
	start = mono_ns();
	for (i = 0; i < 3; i++) {
		its = every(dts[i].period);
		if (psx_timer_settime(dts[i].id, 0, &its, NULL)) {
			fail("timer_settime");
			goto out_close;
		}
	}
	printf("reading the port for 200 ms, then not for 100 ms, then for 100 ms\n");
	if (demo_port_read(port, start + 200 * MSEC))
		goto out_close;
	usleep(100000);
	/* Without the table (an older module), the demo still runs to the end. */
	stat_rc = demo_stat(fd);
	if (demo_port_read(port, mono_ns() + 100 * MSEC))
		goto out_close;
	for (i = 0; i < 3; i++) {
		if (psx_timer_settime(dts[i].id, 0, &stop, NULL)) {
			fail("timer_settime");
			goto out_close;
		}
	}
	end = mono_ns();
	if (demo_port_read(port, 0))
		goto out_close;
	printf("after %lld ms, disarmed:\n", (end - start) / MSEC);
	for (i = 0; i < 3; i++)
		printf("  timer %d (%s, every %lld ms): %llu expirations (about %lld expected) in %u port events, up to %d in one\n",
		       dts[i].id, dts[i].name, dts[i].period / MSEC, dts[i].expirations,
		       (end - start) / dts[i].period, dts[i].reads, dts[i].most);
	rc = stat_rc;
out_close:
	close(port);
	return rc;
}

static int cmd_demo(void)
{
	int fd = dev_open(O_RDONLY), rc;
	psx_timer_t timer;
	sigset_t set;

	if (fd < 0)
		return 1;
	rc = demo_signal(&timer, &set);
	if (!rc) {
		/* The signal timer keeps running, its signal untaken: see its overrun grow. */
		rc = demo_port(fd);
	}
	/* Exit deletes every timer anyway; delete the signal one by hand to show it. */
	if (!rc && psx_timer_delete(timer))
		rc = fail("timer_delete");
	close(fd);
	return rc;
}

/* ---- trace --------------------------------------------------------------- */

/*
 * psxtimer's trace events (the module's src/kernel/trace.h) through an
 * instance of tracefs of our own, so that nobody else's tracing changes:
 * the events enabled there, filtered on the process, on the "global"
 * trace clock, read from its trace_pipe and printed readably until a
 * signal, or until the process traced exits. The instance goes when we do.
 */
static const char *const tracefs_dirs[] = {
	"/sys/kernel/tracing", "/sys/kernel/debug/tracing", NULL
};
static char trace_dir[128];
static int trace_stop;		/* a signal came: atomics, safe in a handler */

static void trace_on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&trace_stop, 1, __ATOMIC_RELAXED);
}

static int trace_write(const char *file, const char *what)
{
	char path[192];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", trace_dir, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "psxtimer: trace: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = write(fd, what, strlen(what)) == (ssize_t)strlen(what);
	if (!ok)
		fprintf(stderr, "psxtimer: trace: writing '%s' to %s: %s\n", what, path,
			strerror(errno));
	close(fd);
	return ok ? 0 : -1;
}

/* The value of KEY= in an event's fields, as a number; dflt without it. */
static long long field(const char *fields, const char *key, long long dflt)
{
	size_t len = strlen(key);
	const char *p = fields;

	while ((p = strstr(p, key))) {
		if ((p == fields || p[-1] == ' ') && p[len] == '=')
			return strtoll(p + len + 1, NULL, 0);
		p += len;
	}
	return dflt;
}

/* The word after KEY=, for the fields the kernel prints symbolically. */
static void field_word(const char *fields, const char *key, char *buf, size_t len)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(fields - 1, pat);
	buf[0] = 0;
	if (!p)
		return;
	p += strlen(pat);
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\t\n "), p);
}

/* A trace event's nanoseconds, as stat prints a duration. */
static void duration_ns(char *buf, size_t len, long long ns)
{
	struct psxtimer_timespec ts = { .tv_sec = ns / NSEC, .tv_nsec = ns % NSEC };

	duration(buf, len, &ts);
}

static const char *plural(long long n)
{
	return n == 1 ? "" : "s";
}

/*
 * One line of trace_pipe ("task-pid [cpu] flags 12.345678: psxtimer_fire:
 * tgid=.. timer=.. count=..") as "+12.345 ms pid 123 timer 0: fire, 1
 * expiration": time since the first event, the process unless we trace
 * just one, the timer, what happened.
 */
static void trace_print(const char *line, bool one)
{
	static double first = -1;
	char what[200], a[32], b[32], c[32], d[32], sig[32];
	const char *ev = strstr(line, ": psxtimer_"), *fields, *ts;
	long long timer, tgid;
	double t;

	if (!ev)
		return;
	for (ts = ev; ts > line && ts[-1] != ' '; ts--)
		;
	t = strtod(ts, NULL);
	if (first < 0)
		first = t;
	ev += strlen(": psxtimer_");
	fields = strchr(ev, ':');
	if (!fields)
		return;
	fields += 2;
	timer = field(fields, "timer", -1);
	tgid = field(fields, "tgid", 0);

	if (!strncmp(ev, "create:", 7)) {
		field_word(fields, "clock", a, sizeof(a));
		field_word(fields, "notify", b, sizeof(b));
		signal_name(sig, sizeof(sig), field(fields, "signo", 0));
		if (!strcmp(b, "SIGNAL") || !strcmp(b, "THREAD_ID"))
			snprintf(what, sizeof(what), "create, CLOCK_%s, %s to %s, value %#llx", a, sig,
				 strcmp(b, "SIGNAL") ? "thread" : "the process",
				 field(fields, "value", 0));
		else
			snprintf(what, sizeof(what), "create, CLOCK_%s, SIGEV_%s, value %#llx", a, b,
				 field(fields, "value", 0));
	} else if (!strncmp(ev, "settime:", 8)) {
		long long flags = field(fields, "flags", 0), old = field(fields, "old_value", -1);
		char was[80] = "";

		duration_ns(a, sizeof(a), field(fields, "value", 0));
		duration_ns(b, sizeof(b), field(fields, "interval", 0));
		/* -1: the caller did not ask for the old value. */
		if (old >= 0) {
			duration_ns(c, sizeof(c), old);
			duration_ns(d, sizeof(d), field(fields, "old_interval", 0));
			snprintf(was, sizeof(was), "; was %s, interval %s", c, d);
		}
		if (!field(fields, "value", 0))
			snprintf(what, sizeof(what), "settime, disarmed%s", was);
		else
			snprintf(what, sizeof(what), "settime, %s %s, interval %s%s",
				 flags & TIMER_ABSTIME ? "at" : "in", a, b, was);
	} else if (!strncmp(ev, "fire:", 5)) {
		long long n = field(fields, "count", 0);

		snprintf(what, sizeof(what), "fire, %lld expiration%s", n, plural(n));
	} else if (!strncmp(ev, "signal_queued:", 14)) {
		long long tid = field(fields, "tid", 0);

		signal_name(sig, sizeof(sig), field(fields, "signo", 0));
		if (tid)
			snprintf(a, sizeof(a), "thread %lld", tid);
		else
			snprintf(a, sizeof(a), "the process");
		snprintf(what, sizeof(what), "signal queued, %s to %s, overrun %lld", sig, a,
			 field(fields, "overrun", 0));
	} else if (!strncmp(ev, "signal_overrun:", 15)) {
		long long n = field(fields, "count", 0);

		snprintf(what, sizeof(what), "overrun, %lld expiration%s more on the queued signal: %lld",
			 n, plural(n), field(fields, "overrun", 0));
	} else if (!strncmp(ev, "signal_taken:", 13)) {
		snprintf(what, sizeof(what), "signal taken, overrun %lld", field(fields, "overrun", 0));
	} else if (!strncmp(ev, "port_queued:", 12)) {
		long long n = field(fields, "count", 0);

		snprintf(what, sizeof(what), "port event queued, %lld expiration%s", n, plural(n));
	} else if (!strncmp(ev, "port_read:", 10)) {
		long long n = field(fields, "count", 0);

		snprintf(what, sizeof(what), "port event read, %lld expiration%s", n, plural(n));
	} else if (!strncmp(ev, "delete:", 7)) {
		snprintf(what, sizeof(what), "delete");
	} else if (!strncmp(ev, "cleanup:", 8)) {
		long long n = field(fields, "timers", 0);

		field_word(fields, "why", a, sizeof(a));
		snprintf(what, sizeof(what), "%s, %lld timer%s deleted", a, n, plural(n));
	} else {
		snprintf(what, sizeof(what), "%.*s", (int)strcspn(ev, "\n"), ev);
	}
	printf("+%.3f ms ", (t - first) * 1e3);
	if (!one)
		printf("pid %lld ", tgid);
	if (timer >= 0)
		printf("timer %lld: ", timer);
	printf("%s\n", what);
	fflush(stdout);
}

static int cmd_trace(const char *arg)
{
	struct sigaction sa = { .sa_handler = trace_on_signal };
	char path[192], buf[4096], filter[32];
	size_t used = 0;
	unsigned int i;
	long pid = 0;
	int fd, rc = 1;

	if (arg) {
		pid = parse_pid("trace", arg);
		if (!pid)
			return 2;
		/* Else it would wait for events that never come. */
		if (kill(pid, 0) && errno == ESRCH) {
			fprintf(stderr, "psxtimer: pid %ld: %s\n", pid, strerror(errno));
			return 1;
		}
	}
	for (i = 0; tracefs_dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/events/psxtimer", tracefs_dirs[i]);
		if (!access(path, F_OK))
			break;
	}
	if (!tracefs_dirs[i]) {
		fprintf(stderr, "psxtimer: trace: no events/psxtimer in %s or %s (tracefs not mounted, or the module not loaded)\n",
			tracefs_dirs[0], tracefs_dirs[1]);
		return 1;
	}
	snprintf(trace_dir, sizeof(trace_dir), "%s/instances/psxtimer-%d", tracefs_dirs[i],
		 (int)getpid());
	if (mkdir(trace_dir, 0700)) {
		fprintf(stderr, "psxtimer: trace: %s: %s\n", trace_dir, strerror(errno));
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	snprintf(filter, sizeof(filter), pid ? "tgid == %ld" : "0", pid);
	/*
	 * The default clock, "local", is each CPU's own and need not agree
	 * across CPUs: a fire on one could be printed after the delete that
	 * followed it on another. "global" orders them as they happened.
	 */
	if (trace_write("trace_clock", "global") ||
	    (pid && trace_write("events/psxtimer/filter", filter)) ||
	    trace_write("events/psxtimer/enable", "1"))
		goto out;
	snprintf(path, sizeof(path), "%s/trace_pipe", trace_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "psxtimer: trace: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (pid)
		printf("# psxtimer events of pid %ld, until it exits or a signal\n", pid);
	else
		printf("# psxtimer events of every process, until a signal\n");
	fflush(stdout);
	rc = 0;
	while (!__atomic_load_n(&trace_stop, __ATOMIC_RELAXED)) {
		ssize_t n = read(fd, buf + used, sizeof(buf) - 1 - used);
		char *line, *nl;

		if (n <= 0) {
			if (n < 0 && errno != EINTR)
				rc = fail("trace: read trace_pipe");
			break;
		}
		used += n;
		buf[used] = 0;
		for (line = buf; (nl = strchr(line, '\n')); line = nl + 1) {
			*nl = 0;
			trace_print(line, pid);
			/* Its exit is the last event a process has. */
			if (pid && strstr(line, ": psxtimer_cleanup:") && strstr(line, "why=exit"))
				__atomic_store_n(&trace_stop, 1, __ATOMIC_RELAXED);
		}
		used -= line - buf;
		memmove(buf, line, used);
		if (used == sizeof(buf) - 1)
			used = 0;	/* no line is this long */
	}
	close(fd);
out:
	trace_write("events/psxtimer/enable", "0");
	if (rmdir(trace_dir))
		fprintf(stderr, "psxtimer: trace: rmdir %s: %s\n", trace_dir, strerror(errno));
	return rc;
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: psxtimer info | stat [PID] | trace [PID] | demo\n"
		"  info        the loaded module's version, limits and counters\n"
		"  stat [PID]  a process's timers; without PID, every process with timers\n"
		"              (other processes than the caller need CAP_SYS_PTRACE)\n"
		"  trace [PID] the module's trace events of a process, until it exits;\n"
		"              without PID, of every process (root, tracefs)\n"
		"  demo        signals and overruns, a port with three timers, the stat table\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "info"))
		return cmd_info();
	if ((argc == 2 || argc == 3) && !strcmp(argv[1], "stat"))
		return cmd_stat(argv[2]);
	if ((argc == 2 || argc == 3) && !strcmp(argv[1], "trace"))
		return cmd_trace(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "demo"))
		return cmd_demo();
	if (argc == 2 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		print_usage(stdout);
		return 0;
	}
	print_usage(stderr);
	return 2;
}
