// SPDX-License-Identifier: GPL-2.0
/*
 * psxtimer_stress: several processes of several threads each do, at random,
 * every timer and port call on /dev/psxtimer while signals and port events
 * flow, fork, exec themselves, lose threads and exit with timers armed; each
 * process keeps a shadow of its timers and checks every answer and every
 * notification against it. The supervisor never creates a timer, so that
 * once all are gone the module's counters must read zero.
 *
 *   psxtimer_stress [--seconds S] [--procs N] [--threads N] [--seed N]
 *   psxtimer_stress --counters	only check that INFO's counters read zero
 *
 * What each check allows, from the README's semantics:
 *   - ids: a create returns the lowest free id (creates and deletes hold the
 *     shadow's write lock, so the shadow knows exactly which are free); a
 *     live id answers settime/gettime/getoverrun, a free id is EINVAL; a
 *     full table (timer_max) is EAGAIN.
 *   - signals: si_code SI_TIMER, si_timerid and si_signo of the timer that
 *     sigev_value (epoch and generation) names, a timer created in this
 *     image with signal notification and armed at least once. One signal per
 *     timer is queued at a time and a queued one survives disarm and delete,
 *     so at most one may be taken by the sigtimedwait() calls that began
 *     after a disarm (until the next arming) or the delete returned (one
 *     taken before may be checked after). SIGEV_THREAD_ID signals are taken
 *     by their thread only: once it has exited, nobody gets them (Linux's
 *     rule).
 *   - port events: cookie, timer_id, source and port of a port timer of
 *     this process; deleting drops the queued event, so none may be read by
 *     a read() that began after the delete returned; at most one by those
 *     that began after a disarm returned.
 *   - overruns: after taking a signal of its own SIGEV_THREAD_ID timer (no
 *     other thread can take the next one), getoverrun returns exactly the
 *     signal's si_overrun; after reading a port event under the port's
 *     lock, getoverrun returns events - 1.
 *   - fork: the child has no timers (the parent's ids are EINVAL), its
 *     first timer is id 0 (a failed create leaves no id taken), and the
 *     parent's port refuses it (EACCES) for read and for a timer.
 *   - stat: under the read lock (no create or delete can run), the table
 *     the module shows is the shadow's: the same ids, clocks, notification,
 *     signal and value.
 *   - exec: the new image finds every old id EINVAL and its first timer at
 *     id 0; an inherited port holds no event; no signal of an old timer is
 *     pending (exec drops them, as Linux does).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/psxtimer.h>

#define NSEC		1000000000LL
#define MAX_THREADS	16
#define MAX_PORTS	4
#define MAX_TIMERS	4096	/* shadow slots; timer_max must not exceed it */
#define MAX_THREAD_RECS	4096
#define VALUE_MAGIC	0xa5ULL
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Counters shared by every process, in a memfd that exec keeps. */
struct shared {
	unsigned long ops, procs, forks, execs, signals, events, violations;
	unsigned long eagain_sigpending, late_signals, thread_exits;
	unsigned int epoch;
	unsigned long op_n[16], op_ns[16];	/* per kind of step: count, wall time */
};

static const char *const op_names[16] = {
	"create", "delete", "settime", "query", "racy-query", "signals", "port-read",
	"port-create", "port-close", "fork", "exec", "sleep", "stat",
};

static struct shared *sh;
static long long deadline;	/* CLOCK_MONOTONIC ns: everyone stops */
static unsigned int timer_max;
static char self_exe[PATH_MAX];
static int shm_fd = -1;

static void add(unsigned long *c, unsigned long n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

static long long now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

/* Async-signal-safe enough for a forked child: no stdio locks. */
static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(2, buf, n) < 0)
		return;
}

#define violation(fmt, ...) do {					\
	add(&sh->violations, 1);					\
	say("# VIOLATION pid %d: " fmt, getpid(), ##__VA_ARGS__);	\
} while (0)

/* xorshift64*: a seeded generator per thread. */
static unsigned long long rnd(unsigned long long *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static unsigned int below(unsigned long long *s, unsigned int n)
{
	return n ? (unsigned int)((rnd(s) >> 32) % n) : 0;
}

static long long range(unsigned long long *s, long long lo, long long hi)
{
	return lo + (long long)((rnd(s) >> 1) % (unsigned long long)(hi - lo + 1));
}

static int psx_ioctl(int fd, unsigned long cmd, void *arg)
{
	add(&sh->ops, 1);
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static int op_gettime(int fd, int id, struct psxtimer_itimerspec *v)
{
	struct psxtimer_gettime g = { .timer_id = id };
	int err = psx_ioctl(fd, PSXTIMER_IOC_TIMER_GETTIME, &g);

	if (!err && v)
		*v = g.value;
	return err;
}

static int op_timer(int fd, unsigned long cmd, int id, int *overrun)
{
	struct psxtimer_timer t = { .timer_id = id };
	int err = psx_ioctl(fd, cmd, &t);

	if (!err && overrun)
		*overrun = t.overrun;
	return err;
}

static int op_settime(int fd, int id, int flags, long long value, long long interval,
		      struct psxtimer_itimerspec *old)
{
	struct psxtimer_settime s = {
		.timer_id = id, .flags = flags,
		.new_value.it_value = { value / NSEC, value % NSEC },
		.new_value.it_interval = { interval / NSEC, interval % NSEC },
	};
	int err = psx_ioctl(fd, PSXTIMER_IOC_TIMER_SETTIME, &s);

	if (!err && old)
		*old = s.old_value;
	return err;
}

static bool ts_ok(const struct psxtimer_timespec *ts, long long max_ns)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NSEC &&
	       ts->tv_sec * NSEC + ts->tv_nsec <= max_ns;
}

/* Every value this program sets is at most LONGEST from now. */
#define LONGEST (10 * NSEC)

static bool its_ok(const struct psxtimer_itimerspec *v)
{
	return ts_ok(&v->it_value, LONGEST + NSEC) && ts_ok(&v->it_interval, LONGEST);
}

/* sigev_value: magic, the image's epoch, the timer's generation. */
static unsigned long long make_value(unsigned int epoch, unsigned int gen)
{
	return VALUE_MAGIC << 56 | (unsigned long long)(epoch & 0xffffff) << 32 | gen;
}

static bool split_value(unsigned long long v, unsigned int *epoch, unsigned int *gen)
{
	if (v >> 56 != VALUE_MAGIC)
		return false;
	*epoch = (v >> 32) & 0xffffff;
	*gen = (unsigned int)v;
	return true;
}

/* --- one worker process: the shadow of its timers ------------------------- */

enum kind { K_DEFAULT, K_SIGNAL, K_THREAD_ID, K_NONE, K_PORT, K_NKINDS };

/* One timer generation: a create that succeeded. */
struct rec {
	int id;
	int clock;
	unsigned char kind;
	unsigned char deleted;
	unsigned char quiet;		/* disarmed or deleted since last armed */
	unsigned char armed;		/* armed at least once */
	int signo;
	int thread;			/* K_THREAD_ID: target's thread record */
	int port;			/* K_PORT: port serial */
	int notify;			/* the sigevent's, for stat */
	unsigned int late;		/* notifications taken wholly while quiet */
	unsigned long quiet_seq;	/* seq when the disarm or delete returned */
	unsigned long del_seq;		/* seq when the delete returned */
};

struct port {
	int fd;				/* -1: closed */
	int serial;
	pthread_mutex_t lock;		/* read + getoverrun, for the exact check */
};

struct thread_rec {
	pid_t tid;
	int exiting;
	int done;
	pthread_t handle;
};

static struct {
	int fd;				/* /dev/psxtimer */
	unsigned int epoch;
	/* Creates, deletes, port create/close and thread exit: write. */
	pthread_rwlock_t lock;
	pthread_mutex_t id_lock[MAX_TIMERS];	/* settime on an id */
	int live[MAX_TIMERS];		/* generation + 1, or 0 when free */
	int ntimers;
	struct rec *recs;
	unsigned int nrecs, caprecs;
	struct port ports[MAX_PORTS];
	int port_serials;
	struct thread_rec threads[MAX_THREAD_RECS];
	int nthreads_ever;
	int slot_thread[MAX_THREADS];	/* thread record in each slot */
	unsigned long seq;		/* deletes */
	int other_fd;			/* an fd that is no port */
	unsigned long long seed;
} w;

static int sig_for(int k)
{
	return SIGRTMIN + k;
}

static sigset_t timer_sigs;

/* Write lock held. */
static struct rec *new_rec(void)
{
	if (w.nrecs == w.caprecs) {
		unsigned int cap = w.caprecs ? w.caprecs * 2 : 1024;
		struct rec *r = realloc(w.recs, cap * sizeof(*r));

		if (!r) {
			say("# out of memory for the shadow");
			_exit(2);
		}
		w.recs = r;
		w.caprecs = cap;
	}
	memset(&w.recs[w.nrecs], 0, sizeof(struct rec));
	return &w.recs[w.nrecs++];
}

static int lowest_free(void)
{
	unsigned int i;

	for (i = 0; i < timer_max; i++)
		if (!w.live[i])
			return i;
	return -1;
}

/* A live id three times in four, else any id from -1 to timer_max. */
static int pick_id(unsigned long long *rs)
{
	unsigned int i, start = below(rs, timer_max);

	if (w.ntimers && below(rs, 4)) {
		for (i = 0; i < timer_max; i++)
			if (w.live[(start + i) % timer_max])
				return (start + i) % timer_max;
	}
	return (int)below(rs, timer_max + 2) - 1;
}

static __thread int tl_thread;
static __thread unsigned long long tl_rnd;

/*
 * Take a notification of gen from this image; read lock held. seq_before:
 * w.seq before the sigtimedwait() or read() that took it began. Only one
 * taken by a call that began after the disarm or delete returned counts as
 * late: one that began before may have dequeued its notification before
 * the disarm, and only be checked after it.
 */
static struct rec *notified(unsigned int gen, int id, const char *what,
			    unsigned long seq_before)
{
	struct rec *r;

	if (gen >= w.nrecs) {
		violation("%s names generation %u, never created", what, gen);
		return NULL;
	}
	r = &w.recs[gen];
	if (r->id != id)
		violation("%s for generation %u carries id %d, created as %d",
			  what, gen, id, r->id);
	if (!__atomic_load_n(&r->armed, __ATOMIC_SEQ_CST))
		violation("%s for timer %d (gen %u) that was never armed", what, id, gen);
	if (__atomic_load_n(&r->quiet, __ATOMIC_SEQ_CST) &&
	    __atomic_load_n(&r->quiet_seq, __ATOMIC_SEQ_CST) <= seq_before &&
	    __atomic_add_fetch(&r->late, 1, __ATOMIC_SEQ_CST) > 1)
		violation("%s: a second notification of timer %d (gen %u) after its %s",
			  what, id, gen, r->deleted ? "delete" : "disarm");
	return r;
}

static void check_signal(const siginfo_t *si, unsigned long seq_before)
{
	unsigned int epoch, gen;
	struct rec *r;
	int overrun, err;

	add(&sh->signals, 1);
	if (si->si_code != SI_TIMER) {
		violation("signal %d with si_code %d, not SI_TIMER", si->si_signo, si->si_code);
		return;
	}
	if (si->si_signo == SIGALRM) {
		/* The default sigevent: si_value is the id. */
		if (si->si_value.sival_int != si->si_timerid)
			violation("SIGALRM si_value %d for timer %d",
				  si->si_value.sival_int, si->si_timerid);
		return;
	}
	if (!split_value((unsigned long)si->si_value.sival_ptr, &epoch, &gen)) {
		violation("signal %d with foreign si_value %p", si->si_signo,
			  si->si_value.sival_ptr);
		return;
	}
	if (epoch != w.epoch) {
		violation("signal of timer %d from image %u in image %u",
			  si->si_timerid, epoch, w.epoch);
		return;
	}
	r = notified(gen, si->si_timerid, "signal", seq_before);
	if (!r)
		return;
	if (r->kind != K_SIGNAL && r->kind != K_THREAD_ID)
		violation("signal for timer %d (gen %u) created with kind %d",
			  r->id, gen, r->kind);
	if (si->si_signo != r->signo)
		violation("signal %d for timer %d (gen %u) created with signal %d",
			  si->si_signo, r->id, gen, r->signo);
	if (si->si_overrun < 0)
		violation("negative si_overrun %d", si->si_overrun);
	if (r->kind != K_THREAD_ID)
		return;
	if (r->thread != tl_thread) {
		violation("thread %d took the signal of timer %d aimed at thread %d",
			  w.threads[tl_thread].tid, r->id, w.threads[r->thread].tid);
		return;
	}
	/* Ours: nobody else can take its next signal, so the count stands. */
	if (r->deleted)
		return;
	err = op_timer(w.fd, PSXTIMER_IOC_TIMER_GETOVERRUN, r->id, &overrun);
	if (err)
		violation("getoverrun of live timer %d: %s", r->id, strerror(err));
	else if (overrun != si->si_overrun)
		violation("getoverrun of timer %d is %d after its signal carried %d",
			  r->id, overrun, si->si_overrun);
}

/* Take the signals pending for this thread or the process. */
static void drain_signals(void)
{
	static const struct timespec zero;
	siginfo_t si;
	int i;

	pthread_rwlock_rdlock(&w.lock);
	for (i = 0; i < 64; i++) {
		unsigned long seq = __atomic_load_n(&w.seq, __ATOMIC_SEQ_CST);

		if (sigtimedwait(&timer_sigs, &si, &zero) < 0)
			break;
		check_signal(&si, seq);
	}
	pthread_rwlock_unlock(&w.lock);
}

/* Read lock held. */
static void check_event(const struct psxtimer_port_event *ev, struct port *p,
			unsigned long seq_before, bool exact)
{
	unsigned int epoch, gen;
	struct rec *r;
	int overrun, err;

	add(&sh->events, 1);
	if (ev->source != PSXTIMER_PORT_SOURCE_TIMER || ev->events < 1 || ev->__pad ||
	    ev->__reserved)
		violation("port event source %u events %u pad %u reserved %u",
			  ev->source, ev->events, ev->__pad, ev->__reserved);
	if (!split_value(ev->cookie, &epoch, &gen) || epoch != w.epoch) {
		violation("port event with foreign cookie %llx", (unsigned long long)ev->cookie);
		return;
	}
	r = notified(gen, ev->timer_id, "port event", seq_before);
	if (!r)
		return;
	if (r->kind != K_PORT || r->port != p->serial)
		violation("event of timer %d (gen %u, kind %d, port %d) on port %d",
			  r->id, gen, r->kind, r->port, p->serial);
	if (r->deleted && r->del_seq <= seq_before)
		violation("event of timer %d (gen %u) read after its delete returned",
			  r->id, gen);
	if (!exact || r->deleted)
		return;
	err = op_timer(w.fd, PSXTIMER_IOC_TIMER_GETOVERRUN, r->id, &overrun);
	if (err)
		violation("getoverrun of live port timer %d: %s", r->id, strerror(err));
	else if (overrun != (int)ev->events - 1 && !(ev->events > INT_MAX && overrun == INT_MAX - 1))
		violation("getoverrun of port timer %d is %d after an event of %u",
			  r->id, overrun, ev->events);
}

static void port_read(unsigned long long *rs)
{
	struct psxtimer_port_event evs[8];
	struct port *p;
	unsigned long seq;
	bool exact;
	ssize_t n;
	int i;

	pthread_rwlock_rdlock(&w.lock);
	p = &w.ports[below(rs, MAX_PORTS)];
	if (p->fd < 0)
		goto out;
	/* Ports 0 and 1 are read one thread at a time, 2 and 3 by any. */
	exact = p < &w.ports[2];
	if (exact)
		pthread_mutex_lock(&p->lock);
	seq = __atomic_load_n(&w.seq, __ATOMIC_SEQ_CST);
	add(&sh->ops, 1);
	n = read(p->fd, evs, sizeof(evs[0]) * (1 + below(rs, 8)));
	if (n < 0) {
		if (errno != EAGAIN)
			violation("read of port %d: %s", p->serial, strerror(errno));
	} else if (n % sizeof(evs[0]) || !n) {
		violation("read of port %d returned %zd bytes", p->serial, n);
	} else {
		for (i = 0; i < n / (int)sizeof(evs[0]); i++)
			check_event(&evs[i], p, seq, exact);
	}
	if (exact)
		pthread_mutex_unlock(&p->lock);
out:
	pthread_rwlock_unlock(&w.lock);
}

static void port_create(unsigned long long *rs)
{
	struct psxtimer_port_create pc = {
		.flags = PSXTIMER_PORT_NONBLOCK | (below(rs, 2) ? PSXTIMER_PORT_CLOEXEC : 0),
	};
	struct port *p;
	int err;

	pthread_rwlock_wrlock(&w.lock);
	p = &w.ports[below(rs, MAX_PORTS)];
	if (p->fd >= 0)
		goto out;
	err = psx_ioctl(w.fd, PSXTIMER_IOC_PORT_CREATE, &pc);
	if (err) {
		violation("port create: %s", strerror(err));
		goto out;
	}
	p->fd = pc.fd;
	p->serial = ++w.port_serials;
out:
	pthread_rwlock_unlock(&w.lock);
}

static void port_close(unsigned long long *rs)
{
	struct port *p;

	pthread_rwlock_wrlock(&w.lock);
	p = &w.ports[below(rs, MAX_PORTS)];
	if (p->fd >= 0) {
		add(&sh->ops, 1);
		if (close(p->fd))
			violation("close of port %d: %s", p->serial, strerror(errno));
		/* Its timers stay, silent; a new port gets a new serial. */
		p->fd = -1;
	}
	pthread_rwlock_unlock(&w.lock);
}

static const int good_clocks[] = {
	PSXTIMER_CLOCK_REALTIME, PSXTIMER_CLOCK_MONOTONIC,
	PSXTIMER_CLOCK_BOOTTIME, PSXTIMER_CLOCK_TAI,
};
/* No such clock: EINVAL before anything else. */
static const int bad_clocks[] = {
	4, 5, 6, 8, 9, 10, 12, 15, 16, -1, INT_MAX, INT_MIN,
};

static void timer_create_op(unsigned long long *rs)
{
	struct psxtimer_create c = { .flags = PSXTIMER_CREATE_SIGEVENT };
	struct psxtimer_sigevent *sev = &c.sigevent;
	unsigned int kind = below(rs, K_NKINDS);
	int expect = 0, late = 0, target = -1, err, id;
	struct port *port = NULL;
	unsigned int clock_kind = below(rs, 32);
	struct rec *r;

	if (clock_kind == 0) {
		c.clock_id = bad_clocks[below(rs, ARRAY_SIZE(bad_clocks))];
		expect = EINVAL;
	} else if (clock_kind == 1) {
		/* A CPU clock: its backend refuses timers, once all else is set up. */
		c.clock_id = below(rs, 2) ? PSXTIMER_CLOCK_PROCESS_CPUTIME_ID :
			PSXTIMER_CLOCK_THREAD_CPUTIME_ID;
	} else {
		c.clock_id = good_clocks[below(rs, ARRAY_SIZE(good_clocks))];
	}
	pthread_rwlock_wrlock(&w.lock);
	sev->sigev_value = make_value(w.epoch, w.nrecs);
	switch (kind) {
	case K_DEFAULT:
		c.flags = 0;
		memset(sev, 0, sizeof(*sev));
		break;
	case K_SIGNAL:
		sev->sigev_notify = PSXTIMER_SIGEV_SIGNAL;
		sev->sigev_signo = sig_for(below(rs, 3));
		break;
	case K_THREAD_ID:
		sev->sigev_notify = PSXTIMER_SIGEV_THREAD_ID;
		sev->sigev_signo = sig_for(below(rs, 3));
		switch (below(rs, 16)) {
		case 0:	/* no thread: refused before an id is taken */
			sev->sigev_tid = below(rs, 2) ? 0 : -1;
			if (!expect)
				expect = EINVAL;
			break;
		case 1:	/* a thread of another process: refused after */
			sev->sigev_tid = getppid();
			late = EINVAL;
			break;
		default:
			target = w.slot_thread[below(rs, MAX_THREADS)];
			if (target < 0)
				target = tl_thread;
			sev->sigev_tid = w.threads[target].tid;
			break;
		}
		break;
	case K_NONE:
		sev->sigev_notify = PSXTIMER_SIGEV_NONE;
		break;
	case K_PORT:
		/* SIGEV_THREAD is a port underneath, as in illumos's libc. */
		sev->sigev_notify = below(rs, 4) ? PSXTIMER_SIGEV_PORT : PSXTIMER_SIGEV_THREAD;
		port = &w.ports[below(rs, MAX_PORTS)];
		if (port->fd >= 0 && below(rs, 8)) {
			sev->sigev_port = port->fd;
		} else if (below(rs, 2)) {
			sev->sigev_port = below(rs, 2) ? w.fd : w.other_fd;
			late = EINVAL;
			port = NULL;
		} else {
			sev->sigev_port = 1000 + below(rs, 1000);	/* not open */
			late = EBADF;
			port = NULL;
		}
		break;
	}
	/*
	 * The order, as illumos's: the clock id, the sigevent, a free id, the
	 * notification, then the clock's own timer_create.
	 */
	if (!expect)
		expect = w.ntimers == (int)timer_max ? EAGAIN : late ? late :
			clock_kind == 1 ? EINVAL : 0;
	err = psx_ioctl(w.fd, PSXTIMER_IOC_TIMER_CREATE, &c);
	if (err == EAGAIN && !expect && (kind == K_DEFAULT || kind == K_SIGNAL ||
					 kind == K_THREAD_ID)) {
		/* RLIMIT_SIGPENDING is per user, shared with every process. */
		add(&sh->eagain_sigpending, 1);
		goto out;
	}
	if (err == EINVAL && !expect && target >= 0 && w.threads[target].exiting)
		goto out;	/* the target is on its way out */
	if (err != expect) {
		violation("create clock %d kind %d (tid %d port %d): %s, expected %s",
			  c.clock_id, kind, sev->sigev_tid, sev->sigev_port,
			  strerror(err), strerror(expect));
		if (err)
			goto out;
	}
	if (err)
		goto out;
	id = c.timer_id;
	if (id != lowest_free()) {
		violation("create returned id %d, the lowest free is %d", id, lowest_free());
		if (id < 0 || id >= (int)timer_max || w.live[id])
			goto out;
	}
	r = new_rec();
	r->id = id;
	r->clock = c.clock_id;
	r->kind = kind;
	r->notify = kind == K_DEFAULT ? PSXTIMER_SIGEV_SIGNAL : sev->sigev_notify;
	r->signo = kind == K_DEFAULT ? SIGALRM : sev->sigev_signo;
	r->thread = target;
	r->port = port ? port->serial : 0;
	r->quiet = 1;
	w.live[id] = w.nrecs;	/* gen + 1 */
	w.ntimers++;
out:
	pthread_rwlock_unlock(&w.lock);
}

static void timer_delete_op(unsigned long long *rs)
{
	int id, gen, err;

	pthread_rwlock_wrlock(&w.lock);
	id = pick_id(rs);
	gen = id >= 0 && id < (int)timer_max ? w.live[id] - 1 : -1;
	err = op_timer(w.fd, PSXTIMER_IOC_TIMER_DELETE, id, NULL);
	if (gen >= 0) {
		struct rec *r = &w.recs[gen];

		if (err) {
			violation("delete of live timer %d: %s", id, strerror(err));
		} else {
			__atomic_store_n(&r->late, 0, __ATOMIC_SEQ_CST);
			__atomic_store_n(&r->quiet, 1, __ATOMIC_SEQ_CST);
			r->deleted = 1;
			r->del_seq = __atomic_add_fetch(&w.seq, 1, __ATOMIC_SEQ_CST);
			__atomic_store_n(&r->quiet_seq, r->del_seq, __ATOMIC_SEQ_CST);
			w.live[id] = 0;
			w.ntimers--;
		}
	} else if (err != EINVAL) {
		violation("delete of free id %d: %s", id, err ? strerror(err) : "success");
	}
	pthread_rwlock_unlock(&w.lock);
}

static void timer_settime_op(unsigned long long *rs)
{
	struct psxtimer_itimerspec old;
	long long value = 0, interval = 0;
	int id, gen, err, flags = 0, expect = 0;
	int how = below(rs, 16);
	struct rec *r = NULL;

	pthread_rwlock_rdlock(&w.lock);
	id = pick_id(rs);
	gen = id >= 0 && id < (int)timer_max ? w.live[id] - 1 : -1;
	if (gen >= 0) {
		r = &w.recs[gen];
		pthread_mutex_lock(&w.id_lock[id]);
	} else {
		expect = EINVAL;
	}
	switch (how) {
	case 0 ... 3:	/* disarm */
		interval = below(rs, 2) ? range(rs, 0, 20000000) : 0;
		break;
	case 4 ... 7:	/* one-shot, soon */
		value = range(rs, 20000, 20000000);
		break;
	case 8:		/* one-shot, later */
		value = range(rs, NSEC, LONGEST);
		break;
	case 9 ... 12:	/* periodic */
		value = range(rs, 50000, 5000000);
		/* Mostly milliseconds: a flood of sub-millisecond fires starves TCG. */
		interval = below(rs, 16) ? range(rs, 2000000, 50000000) : range(rs, 200000, 2000000);
		break;
	case 13 ... 14:	/* absolute: just past, now, or soon */
		flags = PSXTIMER_TIMER_ABSTIME;
		value = range(rs, -NSEC, 20000000);
		if (below(rs, 2))
			interval = range(rs, 1000000, 20000000);
		break;
	default:	/* invalid: nanoseconds out of range */
		value = range(rs, 0, 5) * NSEC + NSEC;	/* tv_nsec set below */
		expect = EINVAL;
		break;
	}
	if (flags) {
		/* Linux's clock ids are psxtimer's. */
		value += now_ns(r ? r->clock : CLOCK_MONOTONIC);
		if (value <= 0)
			value = 1;
	}
	if (how == 15) {
		struct psxtimer_settime s = { .timer_id = id };

		s.new_value.it_value.tv_sec = value / NSEC;
		s.new_value.it_value.tv_nsec = NSEC + below(rs, 3);
		err = psx_ioctl(w.fd, PSXTIMER_IOC_TIMER_SETTIME, &s);
		if (err != EINVAL)
			violation("settime of timer %d with tv_nsec %lld: %s", id,
				  (long long)s.new_value.it_value.tv_nsec,
				  err ? strerror(err) : "success");
		goto out;
	}
	if (r && value)
		__atomic_store_n(&r->armed, 1, __ATOMIC_SEQ_CST), __atomic_store_n(&r->quiet, 0,
										  __ATOMIC_SEQ_CST);
	err = op_settime(w.fd, id, flags, value, interval, &old);
	if (err != expect) {
		violation("settime of %s id %d (value %lld interval %lld flags %d): %s",
			  r ? "live" : "free", id, value, interval, flags,
			  err ? strerror(err) : "success");
	} else if (!err && !its_ok(&old)) {
		violation("settime of timer %d: old value %lld.%09lld / %lld.%09lld", id,
			  (long long)old.it_value.tv_sec, (long long)old.it_value.tv_nsec,
			  (long long)old.it_interval.tv_sec, (long long)old.it_interval.tv_nsec);
	}
	if (r && !err && !value) {
		__atomic_store_n(&r->late, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&r->quiet, 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&r->quiet_seq, __atomic_add_fetch(&w.seq, 1, __ATOMIC_SEQ_CST),
				 __ATOMIC_SEQ_CST);
	}
out:
	if (r)
		pthread_mutex_unlock(&w.id_lock[id]);
	pthread_rwlock_unlock(&w.lock);
}

static void timer_query_op(unsigned long long *rs, bool locked)
{
	struct psxtimer_itimerspec v;
	int id, gen = -1, err, overrun = 0;
	bool get = below(rs, 2);

	if (locked)
		pthread_rwlock_rdlock(&w.lock);
	id = pick_id(rs);
	if (below(rs, 16) == 0)
		id = below(rs, 2) ? INT_MAX : INT_MIN;
	if (locked)
		gen = id >= 0 && id < (int)timer_max ? w.live[id] - 1 : -1;
	if (get)
		err = op_gettime(w.fd, id, &v);
	else
		err = op_timer(w.fd, PSXTIMER_IOC_TIMER_GETOVERRUN, id, &overrun);
	if (err && err != EINVAL)
		violation("%s of id %d: %s", get ? "gettime" : "getoverrun", id, strerror(err));
	else if (!err && get && !its_ok(&v))
		violation("gettime of timer %d: %lld.%09lld / %lld.%09lld", id,
			  (long long)v.it_value.tv_sec, (long long)v.it_value.tv_nsec,
			  (long long)v.it_interval.tv_sec, (long long)v.it_interval.tv_nsec);
	else if (!err && overrun < 0)
		violation("getoverrun of timer %d: %d", id, overrun);
	if (locked) {
		if (gen >= 0 && err)
			violation("%s of live timer %d: %s", get ? "gettime" : "getoverrun",
				  id, strerror(err));
		else if (gen < 0 && !err)
			violation("%s of free id %d succeeded", get ? "gettime" : "getoverrun", id);
		pthread_rwlock_unlock(&w.lock);
	}
}

/* PSXTIMER_IOC_STAT of this process against the shadow. */
static void stat_op(void)
{
	static __thread struct psxtimer_stat_timer st[MAX_TIMERS];
	struct psxtimer_stat arg = {
		.count = timer_max, .timers = (unsigned long)st,
	};
	unsigned int i, n = 0;
	int err;

	pthread_rwlock_rdlock(&w.lock);
	err = psx_ioctl(w.fd, PSXTIMER_IOC_STAT, &arg);
	if (err) {
		violation("stat: %s", strerror(err));
		goto out;
	}
	if (arg.count != (unsigned int)w.ntimers)
		violation("stat shows %u timers, the shadow %d", arg.count, w.ntimers);
	for (i = 0; i < arg.count && i < timer_max; i++) {
		const struct psxtimer_stat_timer *t = &st[i];
		const struct rec *r;

		if (t->timer_id < 0 || t->timer_id >= (int)timer_max || !w.live[t->timer_id] ||
		    (i && t->timer_id <= st[i - 1].timer_id)) {
			violation("stat entry %u: id %d is not live (or out of order)", i,
				  t->timer_id);
			continue;
		}
		n++;
		r = &w.recs[w.live[t->timer_id] - 1];
		if (t->clock_id != r->clock || t->sigev_notify != r->notify ||
		    ((r->kind == K_SIGNAL || r->kind == K_THREAD_ID || r->kind == K_DEFAULT) &&
		     t->sigev_signo != r->signo) ||
		    (r->kind == K_DEFAULT ? t->sigev_value != (unsigned int)r->id :
		     r->kind != K_NONE &&
		     t->sigev_value != make_value(w.epoch, r - w.recs)) ||
		    t->overrun < 0 || !its_ok(&t->value))
			violation("stat of timer %d: clock %d notify %d signo %d value %llx overrun %d, created clock %d kind %d signo %d",
				  t->timer_id, t->clock_id, t->sigev_notify, t->sigev_signo,
				  (unsigned long long)t->sigev_value, t->overrun, r->clock,
				  r->kind, r->signo);
	}
out:
	pthread_rwlock_unlock(&w.lock);
}

/* --- fork and exec ---------------------------------------------------------- */

static void child_after_fork(const int *ids, int n, int port_fd)
{
	struct psxtimer_port_event ev;
	struct psxtimer_itimerspec v;
	int i, err, id, port;

	for (i = 0; i < n; i++) {
		err = op_gettime(w.fd, ids[i], &v);
		if (err != EINVAL)
			violation("fork child: gettime of the parent's id %d: %s", ids[i],
				  err ? strerror(err) : "success");
		err = op_timer(w.fd, PSXTIMER_IOC_TIMER_DELETE, ids[i], NULL);
		if (err != EINVAL)
			violation("fork child: delete of the parent's id %d: %s", ids[i],
				  err ? strerror(err) : "success");
	}
	/* A port belongs to the process that made it. */
	if (port_fd >= 0 && read(port_fd, &ev, sizeof(ev)) >= 0)
		violation("fork child: read an event of timer %d from the parent's port",
			  ev.timer_id);
	else if (port_fd >= 0 && errno != EACCES)
		violation("fork child: read of the parent's port: %s", strerror(errno));
	if (port_fd >= 0) {
		struct psxtimer_create c = {
			.clock_id = PSXTIMER_CLOCK_MONOTONIC, .flags = PSXTIMER_CREATE_SIGEVENT,
			.sigevent = { .sigev_notify = PSXTIMER_SIGEV_PORT, .sigev_port = port_fd },
		};

		err = psx_ioctl(w.fd, PSXTIMER_IOC_TIMER_CREATE, &c);
		if (err != EACCES)
			violation("fork child: a timer on the parent's port: %s", strerror(err));
	}
	{
		struct psxtimer_create c = { .clock_id = PSXTIMER_CLOCK_MONOTONIC };

		err = psx_ioctl(w.fd, PSXTIMER_IOC_TIMER_CREATE, &c);
		id = c.timer_id;
	}
	if (err || id != 0)
		violation("fork child: first create: %s, id %d", strerror(err), id);
	/* A port of its own, a timer on it, and exit with it armed. */
	{
		struct psxtimer_port_create pc = { .flags = PSXTIMER_PORT_NONBLOCK };
		struct psxtimer_create c = {
			.clock_id = PSXTIMER_CLOCK_MONOTONIC, .flags = PSXTIMER_CREATE_SIGEVENT,
			.sigevent = { .sigev_notify = PSXTIMER_SIGEV_PORT, .sigev_value = 42 },
		};

		if (psx_ioctl(w.fd, PSXTIMER_IOC_PORT_CREATE, &pc)) {
			violation("fork child: port create");
			_exit(1);
		}
		port = pc.fd;
		c.sigevent.sigev_port = port;
		err = psx_ioctl(w.fd, PSXTIMER_IOC_TIMER_CREATE, &c);
		if (err || c.timer_id != 1)
			violation("fork child: port timer: %s, id %d", strerror(err), c.timer_id);
		op_settime(w.fd, c.timer_id, 0, 100000, 1000000, NULL);
		op_settime(w.fd, 0, 0, 1000000, 1000000, NULL);
		/* Wait on poll, which must mean an event is there to read. */
		{
			struct pollfd pfd = { .fd = port, .events = POLLIN };
			long long ms = (deadline - now_ns(CLOCK_MONOTONIC)) / 1000000;

			if (ms > 200)
				ms = 200;
			if (ms > 0 && poll(&pfd, 1, ms) == 1) {
				if (read(port, &ev, sizeof(ev)) != sizeof(ev))
					violation("fork child: poll said readable, read: %s",
						  strerror(errno));
				else if (ev.cookie != 42 || ev.timer_id != c.timer_id)
					violation("fork child: event %llu of timer %d",
						  (unsigned long long)ev.cookie, ev.timer_id);
				else
					add(&sh->events, 1);
			}
		}
	}
	_exit(0);
}

static void fork_op(void)
{
	int ids[MAX_TIMERS], n = 0, port_fd = -1, status;
	unsigned int i;
	pid_t pid;

	pthread_rwlock_rdlock(&w.lock);
	for (i = 0; i < timer_max; i++)
		if (w.live[i])
			ids[n++] = i;
	for (i = 0; i < MAX_PORTS; i++)
		if (w.ports[i].fd >= 0)
			port_fd = w.ports[i].fd;
	/* The child must not wait for a lock another thread held at fork. */
	pid = fork();
	if (pid == 0)
		child_after_fork(ids, n, port_fd);
	pthread_rwlock_unlock(&w.lock);
	if (pid < 0) {
		say("# fork: %s", strerror(errno));
		return;
	}
	add(&sh->forks, 1);
	add(&sh->procs, 1);
	if (waitpid(pid, &status, 0) == pid && (!WIFEXITED(status) || WEXITSTATUS(status)))
		violation("fork child %d: status %#x", pid, status);
}

static void exec_op(void)
{
	char epoch[16], fd[16], shm[16], max[16], ports[64] = "", seed[32], dl[32];
	char *argv[10];
	size_t len = 0;
	int i;

	/* Hold the write lock: nothing half-done is left in the shadow. */
	pthread_rwlock_wrlock(&w.lock);
	snprintf(epoch, sizeof(epoch), "%u", w.epoch);
	/* A close-on-exec door: the new image opens its own. */
	snprintf(fd, sizeof(fd), "%d", fcntl(w.fd, F_GETFD) & FD_CLOEXEC ? -1 : w.fd);
	snprintf(shm, sizeof(shm), "%d", shm_fd);
	snprintf(max, sizeof(max), "%u", timer_max);
	snprintf(seed, sizeof(seed), "%llu", w.seed);
	snprintf(dl, sizeof(dl), "%lld", deadline);
	for (i = 0; i < MAX_PORTS; i++) {
		if (w.ports[i].fd >= 0 && !(fcntl(w.ports[i].fd, F_GETFD) & FD_CLOEXEC))
			len += snprintf(ports + len, sizeof(ports) - len, "%d,", w.ports[i].fd);
	}
	argv[0] = self_exe;
	argv[1] = "--exec-child";
	argv[2] = epoch;
	argv[3] = fd;
	argv[4] = shm;
	argv[5] = max;
	argv[6] = ports;
	argv[7] = seed;
	argv[8] = dl;
	argv[9] = NULL;
	add(&sh->execs, 1);
	execv(self_exe, argv);
	violation("exec %s: %s", self_exe, strerror(errno));
	pthread_rwlock_unlock(&w.lock);
}

/* The new image: a few calls, then exit with a timer armed. */
static int exec_child(char **argv)
{
	unsigned int i;	/* argv[0], the old image's epoch, is not needed */
	char *p = argv[4];
	static const struct timespec zero;
	struct psxtimer_port_event ev;
	struct psxtimer_create c = {
		.clock_id = PSXTIMER_CLOCK_REALTIME, .flags = PSXTIMER_CREATE_SIGEVENT,
		.sigevent = { .sigev_notify = PSXTIMER_SIGEV_SIGNAL },
	};
	siginfo_t si;
	int err;

	w.fd = atoi(argv[1]);
	if (w.fd < 0)
		w.fd = open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC);
	shm_fd = atoi(argv[2]);
	timer_max = atoi(argv[3]);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, shm_fd, 0);
	if (sh == MAP_FAILED)
		return 2;
	w.epoch = __atomic_add_fetch(&sh->epoch, 1, __ATOMIC_RELAXED);
	for (i = 0; i < timer_max; i++) {
		err = op_gettime(w.fd, i, NULL);
		if (err != EINVAL)
			violation("exec: gettime of old id %u: %s", i, err ? strerror(err) : "success");
	}
	while (*p) {
		int fd = strtol(p, &p, 10);
		ssize_t n = read(fd, &ev, sizeof(ev));

		add(&sh->ops, 1);
		if (n >= 0)
			violation("exec: an inherited port still holds an event of timer %d",
				  ev.timer_id);
		else if (errno != EAGAIN)
			violation("exec: read of an inherited port: %s", strerror(errno));
		if (*p == ',')
			p++;
	}
	/*
	 * Exec drops every timer signal of the old image (Linux's rule),
	 * including those its timers queued during the exec itself.
	 */
	sigemptyset(&timer_sigs);
	for (i = 0; i < 3; i++)
		sigaddset(&timer_sigs, SIGRTMIN + i);
	sigaddset(&timer_sigs, SIGALRM);
	while (sigtimedwait(&timer_sigs, &si, &zero) > 0) {
		add(&sh->signals, 1);
		add(&sh->late_signals, 1);
		violation("exec: signal %d (si_code %d, value %p) of the old image is pending",
			  si.si_signo, si.si_code, si.si_value.sival_ptr);
	}
	c.sigevent.sigev_signo = SIGRTMIN;
	c.sigevent.sigev_value = make_value(w.epoch, 0);
	err = psx_ioctl(w.fd, PSXTIMER_IOC_TIMER_CREATE, &c);
	if (err || c.timer_id != 0)
		violation("exec: first create: %s, id %d", strerror(err), c.timer_id);
	else if (op_settime(w.fd, 0, 0, 1000000, 1000000, NULL))
		violation("exec: settime of timer 0");
	return 0;
}

/* --- threads and processes -------------------------------------------------- */

struct thread_arg {
	int slot;
	int rec;
};

static long long proc_end;

static void *worker(void *p)
{
	struct thread_arg *a = p;
	unsigned long long *rs = &tl_rnd;

	tl_thread = a->rec;
	tl_rnd = w.seed ^ ((unsigned long long)getpid() << 20) ^ (a->rec * 0x9E3779B97F4A7C15ULL);
	if (!tl_rnd)
		tl_rnd = 1;
	for (;;) {
		long long t = now_ns(CLOCK_MONOTONIC), t1;
		unsigned int op = below(rs, 1000), kind;

		if (t >= proc_end)
			break;
		kind = op < 150 ? 0 : op < 270 ? 1 : op < 450 ? 2 : op < 550 ? 3 : op < 610 ? 4 :
			op < 620 ? 12 : op < 760 ? 5 : op < 860 ? 6 : op < 880 ? 7 : op < 890 ? 8 :
			op < 893 ? 9 : op < 894 ? 10 : 11;
		if (op < 150)
			timer_create_op(rs);
		else if (op < 270)
			timer_delete_op(rs);
		else if (op < 450)
			timer_settime_op(rs);
		else if (op < 550)
			timer_query_op(rs, true);
		else if (op < 610)
			timer_query_op(rs, false);
		else if (op < 620)
			stat_op();
		else if (op < 760)
			drain_signals();
		else if (op < 860)
			port_read(rs);
		else if (op < 880)
			port_create(rs);
		else if (op < 890)
			port_close(rs);
		else if (op < 893)
			fork_op();
		else if (op < 894 && !below(rs, 4))
			exec_op();
		else if (op < 896) {
			/* Thread exit: its SIGEV_THREAD_ID timers signal nobody now. */
			pthread_rwlock_wrlock(&w.lock);
			__atomic_store_n(&w.threads[tl_thread].exiting, 1, __ATOMIC_SEQ_CST);
			pthread_rwlock_unlock(&w.lock);
			add(&sh->thread_exits, 1);
			break;
		} else if (op < 897 && !below(rs, 8)) {
			_exit(0);	/* process exit from a thread, timers armed */
		} else {
			usleep(below(rs, 2000));
		}
		t1 = now_ns(CLOCK_MONOTONIC);
		add(&sh->op_n[kind], 1);
		add(&sh->op_ns[kind], t1 - t);
	}
	__atomic_store_n(&w.threads[tl_thread].exiting, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&w.threads[tl_thread].done, 1, __ATOMIC_SEQ_CST);
	free(a);
	return NULL;
}

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

static void *worker_start(void *p)
{
	struct thread_arg *a = p;

	w.threads[a->rec].tid = gettid_();
	__atomic_store_n(&w.slot_thread[a->slot], a->rec, __ATOMIC_SEQ_CST);
	return worker(p);
}

static int spawn(int slot)
{
	struct thread_arg *a = malloc(sizeof(*a));
	int rec;

	pthread_rwlock_wrlock(&w.lock);
	if (!a || w.nthreads_ever == MAX_THREAD_RECS) {
		pthread_rwlock_unlock(&w.lock);
		free(a);
		return -1;
	}
	rec = w.nthreads_ever++;
	a->slot = slot;
	a->rec = rec;
	w.slot_thread[slot] = -1;
	pthread_rwlock_unlock(&w.lock);
	if (pthread_create(&w.threads[rec].handle, NULL, worker_start, a)) {
		free(a);
		return -1;
	}
	return rec;
}

static void worker_process(int nthreads, unsigned long long seed)
{
	int slot_rec[MAX_THREADS];
	unsigned long long rs = seed;
	int i;

	add(&sh->procs, 1);
	w.seed = seed;
	w.epoch = __atomic_add_fetch(&sh->epoch, 1, __ATOMIC_RELAXED);
	w.fd = open(PSXTIMER_DEVICE, O_RDWR | (below(&rs, 2) ? O_CLOEXEC : 0));
	if (w.fd < 0) {
		say("# open %s: %s", PSXTIMER_DEVICE, strerror(errno));
		_exit(2);
	}
	w.other_fd = shm_fd;
	{
		pthread_rwlockattr_t attr;

		/* Creates and deletes must not starve behind the readers. */
		pthread_rwlockattr_init(&attr);
		pthread_rwlockattr_setkind_np(&attr,
					      PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&w.lock, &attr);
	}
	for (i = 0; i < MAX_TIMERS; i++)
		pthread_mutex_init(&w.id_lock[i], NULL);
	for (i = 0; i < MAX_PORTS; i++) {
		w.ports[i].fd = -1;
		pthread_mutex_init(&w.ports[i].lock, NULL);
	}
	for (i = 0; i < MAX_THREADS; i++)
		w.slot_thread[i] = -1;
	/* Between 0.3 and 3 s, and never past the deadline. */
	proc_end = now_ns(CLOCK_MONOTONIC) + range(&rs, 300000000, 3 * NSEC);
	if (proc_end > deadline)
		proc_end = deadline;
	for (i = 0; i < nthreads; i++)
		slot_rec[i] = spawn(i);
	while (now_ns(CLOCK_MONOTONIC) < proc_end) {
		usleep(5000);
		for (i = 0; i < nthreads; i++) {
			if (slot_rec[i] < 0 ||
			    !__atomic_load_n(&w.threads[slot_rec[i]].done, __ATOMIC_SEQ_CST))
				continue;
			pthread_join(w.threads[slot_rec[i]].handle, NULL);
			slot_rec[i] = spawn(i);
		}
	}
	/* Exit with timers armed and threads in the middle of calls. */
	_exit(0);
}

/* --- the supervisor --------------------------------------------------------- */

static int read_info(struct psxtimer_info *info)
{
	int fd = open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC), err;

	if (fd < 0)
		return errno;
	memset(info, 0, sizeof(*info));
	err = ioctl(fd, PSXTIMER_IOC_INFO, info) ? errno : 0;
	close(fd);
	return err;
}

static void bad_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--seconds S] [--procs N] [--threads N] [--seed N]\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "procs", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 'r' },
		{ "exec-child", no_argument, NULL, 'x' },
		{ "counters", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int seconds = 10, procs = 4, threads = 4, c, i, running = 0, failed_exits = 0;
	pid_t workers[64] = { 0 };
	unsigned long long seed = 0, rs;
	struct psxtimer_info info;
	long long t0;
	sigset_t all;
	int status, err;
	pid_t pid;

	if (readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1) < 0)
		snprintf(self_exe, sizeof(self_exe), "%s", argv[0]);
	while ((c = getopt_long(argc, argv, "s:p:t:r:xc", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			seconds = atoi(optarg);
			break;
		case 'p':
			procs = atoi(optarg);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 'r':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			/* Only the check: for a runner, once everything has exited. */
			err = read_info(&info);
			printf("# module counters: %s, nr_timers %u, nr_procs %u\n",
			       strerror(err), info.nr_timers, info.nr_procs);
			return err || info.nr_timers || info.nr_procs;
		case 'x':
			if (argc - optind < 7)
				bad_usage(argv[0]);
			return exec_child(argv + optind);
		default:
			bad_usage(argv[0]);
		}
	}
	if (seconds < 1 || procs < 1 || procs > (int)ARRAY_SIZE(workers) || threads < 1 ||
	    threads > MAX_THREADS)
		bad_usage(argv[0]);
	if (!seed)
		seed = (unsigned long long)now_ns(CLOCK_REALTIME) ^ getpid();
	rs = seed;

	printf("TAP version 13\n1..3\n");
	printf("# psxtimer_stress --seconds %d --procs %d --threads %d --seed %llu\n",
	       seconds, procs, threads, seed);
	fflush(stdout);
	err = read_info(&info);
	if (err) {
		printf("Bail out! %s: %s\n", PSXTIMER_DEVICE, strerror(err));
		return 1;
	}
	timer_max = info.timer_max;
	if (timer_max > MAX_TIMERS) {
		printf("Bail out! timer_max %u is above this program's %d\n", timer_max,
		       MAX_TIMERS);
		return 1;
	}
	shm_fd = memfd_create("psxtimer-stress", 0);
	if (shm_fd < 0 || ftruncate(shm_fd, sizeof(*sh)))
		return 1;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, shm_fd, 0);
	if (sh == MAP_FAILED)
		return 1;
	/* Orphans (a fork child whose parent exited) come back here. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	/* Timer signals are only ever taken by sigtimedwait. */
	sigemptyset(&timer_sigs);
	for (i = 0; i < 3; i++)
		sigaddset(&timer_sigs, SIGRTMIN + i);
	sigaddset(&timer_sigs, SIGALRM);
	all = timer_sigs;
	sigprocmask(SIG_BLOCK, &all, NULL);

	t0 = now_ns(CLOCK_MONOTONIC);
	deadline = t0 + seconds * NSEC;
	for (;;) {
		while (running < procs && now_ns(CLOCK_MONOTONIC) < deadline) {
			unsigned long long s = rnd(&rs);

			fflush(stdout);
			pid = fork();
			if (pid == 0)
				worker_process(threads, s ? s : 1);
			if (pid < 0) {
				printf("# fork: %s\n", strerror(errno));
				break;
			}
			for (i = 0; workers[i]; i++)
				;
			workers[i] = pid;
			running++;
		}
		pid = wait(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;	/* ECHILD: everyone is gone */
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			failed_exits++;
			printf("# process %d ended with status %#x\n", pid, status);
		}
		/* Orphaned fork children also come here; only workers count. */
		for (i = 0; i < procs; i++) {
			if (workers[i] == pid) {
				workers[i] = 0;
				running--;
			}
		}
	}

	printf("# ran %.1f s\n", (now_ns(CLOCK_MONOTONIC) - t0) / 1e9);
	printf("%sok 1 stress: no invariant violated\n", sh->violations ? "not " : "");
	printf("%sok 2 stress: every process exited cleanly\n", failed_exits ? "not " : "");
	err = read_info(&info);
	if (err || info.nr_timers || info.nr_procs)
		printf("not ok 3 stress: module counters zero after the run (%s, nr_timers %u, nr_procs %u)\n",
		       strerror(err), info.nr_timers, info.nr_procs);
	else
		printf("ok 3 stress: module counters zero after the run\n");
	printf("# operations %lu, processes %lu, forks %lu, execs %lu, signals %lu, events %lu, violations %lu\n",
	       sh->ops, sh->procs, sh->forks, sh->execs, sh->signals, sh->events, sh->violations);
	printf("# thread exits %lu, signals after exec %lu, EAGAIN from RLIMIT_SIGPENDING %lu\n",
	       sh->thread_exits, sh->late_signals, sh->eagain_sigpending);
	printf("# steps (count, mean wall ms):");
	for (i = 0; op_names[i]; i++)
		printf(" %s %lu %.2f%s", op_names[i], sh->op_n[i],
		       sh->op_n[i] ? sh->op_ns[i] / 1e6 / sh->op_n[i] : 0.0, op_names[i + 1] ? "," : "\n");
	return sh->violations || failed_exits || err || info.nr_timers || info.nr_procs;
}
