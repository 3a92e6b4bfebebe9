// SPDX-License-Identifier: GPL-2.0
/*
 * libpsxtimer's SIGEV_THREAD (src/lib): a helper thread per timer calls
 * the function once per event; its attributes; a slow function's fires
 * coalesce into the overrun; delete from inside the function and from
 * another thread while it runs; fork with live timers; the error paths.
 * Built 64-bit and -m32 with the library compiled in.
 *
 * Nothing here is timed: every wait is for an event, with a generous
 * timeout that only a broken library reaches.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/lib/psxtimer.h"
#include "kselftest_harness.h"

#define MS 1000000L
#define WAIT_MS 5000	/* for an event that is due in a few ms */
#define MAXC 8

static int wait_sem(sem_t *sem, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * MS;
	if (ts.tv_nsec >= 1000 * MS) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000 * MS;
	}
	while (sem_timedwait(sem, &ts)) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * MS };

	while (nanosleep(&ts, &ts))
		;
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Threads of this process. */
static int nthreads(void)
{
	return count_dir("/proc/self/task");
}

/* Open fds of this process (the count's own included). */
static int nfds(void)
{
	return count_dir("/proc/self/fd");
}

/* Wait until the process has n threads (helpers end after delete). */
static int wait_nthreads(int n)
{
	int i, now = nthreads();

	for (i = 0; i < WAIT_MS && now != n; i++) {
		sleep_ms(1);
		now = nthreads();
	}
	return now;
}

/* The lowest free fd: a leaked port would take it. */
static int lowest_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	close(fd);
	return fd;
}

static int arm(psx_timer_t id, long first_ns, long interval_ns)
{
	struct itimerspec v = { { 0, interval_ns }, { 0, first_ns } };

	return psx_timer_settime(id, 0, &v, NULL);
}

static int create_thread_timer(void (*fn)(union sigval), void *value,
			       pthread_attr_t *attr, psx_timer_t *id)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD,
		.sigev_value.sival_ptr = value,
		.sigev_notify_function = fn,
		.sigev_notify_attributes = attr,
	};

	return psx_timer_create(CLOCK_MONOTONIC, &sev, id);
}

/* What each call of record() saw. */
struct rec {
	sem_t called;
	psx_timer_t id;
	int n;
	pid_t tid[MAXC], pid[MAXC];
	int overrun[MAXC];
	int all_blocked[MAXC];		/* the helper's signal mask */
	int cancellable[MAXC];		/* enabled and deferred */
};

static struct rec recs[2];
static int stray;			/* calls with a value that is no rec */

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	sem_init(&r->called, 0, 0);
}

static void record(union sigval v)
{
	struct rec *r = v.sival_ptr;
	int i, state, type;
	sigset_t mask;

	if (r != &recs[0] && r != &recs[1]) {
		__atomic_add_fetch(&stray, 1, __ATOMIC_SEQ_CST);
		return;
	}
	i = __atomic_fetch_add(&r->n, 1, __ATOMIC_SEQ_CST);
	if (i < MAXC) {
		r->tid[i] = gettid();
		r->pid[i] = getpid();
		r->overrun[i] = psx_timer_getoverrun(r->id);
		pthread_sigmask(SIG_SETMASK, NULL, &mask);
		r->all_blocked[i] = sigismember(&mask, SIGALRM) && sigismember(&mask, SIGTERM) &&
				    sigismember(&mask, SIGUSR1) && sigismember(&mask, SIGRTMAX);
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &state);
		pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, &type);
		r->cancellable[i] = state == PTHREAD_CANCEL_ENABLE && type == PTHREAD_CANCEL_DEFERRED;
	}
	sem_post(&r->called);
}

static int calls(struct rec *r)
{
	return __atomic_load_n(&r->n, __ATOMIC_SEQ_CST);
}

TEST(each_event_calls_the_function_once_in_its_helper)
{
	int base = nthreads(), k, round, i;

	ASSERT_LT(0, base);
	for (k = 0; k < 2; k++) {
		rec_init(&recs[k]);
		ASSERT_EQ(0, create_thread_timer(record, &recs[k], NULL, &recs[k].id));
	}
	/* One helper per timer, there from the start. */
	EXPECT_EQ(base + 2, nthreads());
	for (round = 0; round < 3; round++) {
		for (k = 0; k < 2; k++)
			ASSERT_EQ(0, arm(recs[k].id, (k + 1) * MS, 0));
		for (k = 0; k < 2; k++)
			ASSERT_EQ(0, wait_sem(&recs[k].called, WAIT_MS));
	}
	/* One-shot fires: a call each, and none more once they are all in. */
	sleep_ms(20);
	EXPECT_EQ(0, __atomic_load_n(&stray, __ATOMIC_SEQ_CST));
	for (k = 0; k < 2; k++) {
		struct rec *r = &recs[k];

		EXPECT_EQ(3, calls(r));
		for (i = 0; i < 3; i++) {
			EXPECT_NE(gettid(), r->tid[i]);
			EXPECT_EQ(r->tid[0], r->tid[i]);
			EXPECT_EQ(getpid(), r->pid[i]);
			EXPECT_EQ(0, r->overrun[i]);
			EXPECT_TRUE(r->all_blocked[i]);
			EXPECT_TRUE(r->cancellable[i]);
		}
	}
	EXPECT_NE(recs[0].tid[0], recs[1].tid[0]);
	for (k = 0; k < 2; k++)
		EXPECT_EQ(0, psx_timer_delete(recs[k].id));
	EXPECT_EQ(base, wait_nthreads(base));
}

/* What the helper's thread looks like from inside the function. */
struct seen {
	sem_t called;
	size_t stacksize;
	int detach;
	int policy;
	int cpu0_only;
	uintptr_t local;		/* an address on the helper's stack */
};

static void look(union sigval v)
{
	struct seen *s = v.sival_ptr;
	struct sched_param sp;
	pthread_attr_t attr;
	cpu_set_t cpus;

	s->local = (uintptr_t)&attr;
	if (!pthread_getattr_np(pthread_self(), &attr)) {
		pthread_attr_getstacksize(&attr, &s->stacksize);
		pthread_attr_getdetachstate(&attr, &s->detach);
		pthread_attr_destroy(&attr);
	}
	pthread_getschedparam(pthread_self(), &s->policy, &sp);
	s->cpu0_only = !sched_getaffinity(0, sizeof(cpus), &cpus) &&
		       CPU_COUNT(&cpus) == 1 && CPU_ISSET(0, &cpus);
	sem_post(&s->called);
}

TEST(the_helper_is_made_with_the_attributes)
{
	/* A real-time policy needs privilege: as root (the VM), SCHED_FIFO. */
	int policy = geteuid() ? SCHED_OTHER : SCHED_FIFO;
	struct sched_param sp = { .sched_priority = sched_get_priority_min(policy) };
	const size_t size = 256 * 1024;
	struct seen a = {}, b = {};
	int base = nthreads();
	pthread_attr_t attr;
	cpu_set_t cpus;
	psx_timer_t ta, tb;
	void *stack;

	/*
	 * A stack size, explicit scheduling, one CPU, joinable (the default):
	 * destroyed at once, so only a copy taken at create can count.
	 */
	sem_init(&a.called, 0, 0);
	ASSERT_EQ(0, pthread_attr_init(&attr));
	ASSERT_EQ(0, pthread_attr_setstacksize(&attr, size));
	ASSERT_EQ(0, pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED));
	ASSERT_EQ(0, pthread_attr_setschedpolicy(&attr, policy));
	ASSERT_EQ(0, pthread_attr_setschedparam(&attr, &sp));
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	ASSERT_EQ(0, pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus));
	ASSERT_EQ(0, create_thread_timer(look, &a, &attr, &ta));
	pthread_attr_destroy(&attr);
	ASSERT_EQ(0, arm(ta, MS, 0));
	ASSERT_EQ(0, wait_sem(&a.called, WAIT_MS));
	EXPECT_EQ(size, a.stacksize);
	EXPECT_EQ(policy, a.policy);
	EXPECT_TRUE(a.cpu0_only);
	/* Always detached, as illumos makes them: nobody could join it. */
	EXPECT_EQ(PTHREAD_CREATE_DETACHED, a.detach);

	/* A stack of the caller's own (one thread uses it), asked detached. */
	sem_init(&b.called, 0, 0);
	ASSERT_EQ(0, posix_memalign(&stack, 4096, 2 * size));
	ASSERT_EQ(0, pthread_attr_init(&attr));
	ASSERT_EQ(0, pthread_attr_setstack(&attr, stack, 2 * size));
	ASSERT_EQ(0, pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED));
	ASSERT_EQ(0, create_thread_timer(look, &b, &attr, &tb));
	pthread_attr_destroy(&attr);
	ASSERT_EQ(0, arm(tb, MS, 0));
	ASSERT_EQ(0, wait_sem(&b.called, WAIT_MS));
	EXPECT_LE((uintptr_t)stack, b.local);
	EXPECT_GT((uintptr_t)stack + 2 * size, b.local);
	EXPECT_EQ(PTHREAD_CREATE_DETACHED, b.detach);
	EXPECT_EQ(SCHED_OTHER, b.policy);

	EXPECT_EQ(0, psx_timer_delete(ta));
	EXPECT_EQ(0, psx_timer_delete(tb));
	/* The helper has left the caller's stack before it is freed. */
	ASSERT_EQ(base, wait_nthreads(base));
	free(stack);
}

static void never(union sigval v)
{
	(void)v;
	abort();
}

/* In a child, as nobody: 0, or the bits that failed. */
static int nobody_checks(int fd)
{
	struct sched_param sp = { .sched_priority = sched_get_priority_min(SCHED_FIFO) };
	pthread_attr_t attr;
	psx_timer_t id;
	int fail = 0;

	if (setgid(65534) || setuid(65534))
		return 1;
	if (pthread_attr_init(&attr) ||
	    pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED) ||
	    pthread_attr_setschedpolicy(&attr, SCHED_FIFO) ||
	    pthread_attr_setschedparam(&attr, &sp))
		return 2;
	if (create_thread_timer(never, NULL, &attr, &id) != -1 || errno != EPERM)
		fail |= 4;
	if (wait_nthreads(1) != 1)
		fail |= 8;
	if (lowest_fd() != fd)
		fail |= 16;
	return fail;
}

TEST(errors_leave_no_thread_port_or_timer)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD };
	int base = nthreads(), fd, n;
	psx_timer_t id, ids[1024];
	pthread_attr_t attr;
	cpu_set_t cpus;

	/* The library's own fd for /dev/psxtimer opens on first use. */
	ASSERT_EQ(0, psx_clock_getres(CLOCK_MONOTONIC, NULL));
	fd = lowest_fd();

	/* No function. */
	EXPECT_EQ(-1, psx_timer_create(CLOCK_MONOTONIC, &sev, &id));
	EXPECT_EQ(EINVAL, errno);
	/* A clock the module does not serve. */
	sev.sigev_notify_function = never;
	EXPECT_EQ(-1, psx_timer_create(5, &sev, &id));
	EXPECT_EQ(EINVAL, errno);
	/* Attributes pthread_create refuses: only a CPU that does not exist. */
	CPU_ZERO(&cpus);
	CPU_SET(CPU_SETSIZE - 1, &cpus);
	ASSERT_EQ(0, pthread_attr_init(&attr));
	ASSERT_EQ(0, pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus));
	EXPECT_EQ(-1, create_thread_timer(never, NULL, &attr, &id));
	EXPECT_EQ(EINVAL, errno);
	pthread_attr_destroy(&attr);
	/*
	 * None of it left a helper, a port or a module timer behind (glibc's
	 * thread that failed its affinity exits on its own, soon after).
	 */
	EXPECT_EQ(base, wait_nthreads(base));
	EXPECT_EQ(fd, lowest_fd());
	ASSERT_EQ(0, create_thread_timer(never, NULL, NULL, &id));
	EXPECT_EQ(0, id);
	EXPECT_EQ(0, psx_timer_delete(id));
	/* Its helper closes its port and eventfd on its way out: let it go. */
	EXPECT_EQ(base, wait_nthreads(base));

	/* As nobody: a real-time policy is pthread_create's EPERM. */
	if (!geteuid()) {
		int status;
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid)
			_exit(nobody_checks(fd));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}

	/* The module's EAGAIN at timer_max, after the port was made. */
	sev.sigev_notify = SIGEV_NONE;
	for (n = 0; n < 1024; n++)
		if (psx_timer_create(CLOCK_MONOTONIC, &sev, &ids[n]))
			break;
	ASSERT_GT(1024, n);
	ASSERT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, create_thread_timer(never, NULL, NULL, &id));
	EXPECT_EQ(EAGAIN, errno);
	while (n--)
		EXPECT_EQ(0, psx_timer_delete(ids[n]));

	/*
	 * No fd left for the port, then one for the port but none for the
	 * helper's eventfd: EMFILE, and the port made first is closed again.
	 * Every fd below fd is open, so a limit of fd (+1) leaves none (one).
	 */
	for (n = 0; n <= 1; n++) {
		struct rlimit old, low;

		ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
		low = old;
		low.rlim_cur = fd + n;
		ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &low));
		errno = 0;
		EXPECT_EQ(-1, create_thread_timer(never, NULL, NULL, &id));
		EXPECT_EQ(EMFILE, errno);
		ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
		EXPECT_EQ(fd, lowest_fd());
	}
	EXPECT_EQ(base, wait_nthreads(base));
	EXPECT_EQ(fd, lowest_fd());
}

/* The first call blocks until released; every call records its overrun. */
struct slow {
	sem_t entered, release, called;
	psx_timer_t id;
	int n;
	int overrun[MAXC];
	int deleted, delete_errno;	/* psx_timer_delete() from inside */
	int gone;			/* then its id was EINVAL */
	int self_delete;
};

static void slow_init(struct slow *s)
{
	memset(s, 0, sizeof(*s));
	sem_init(&s->entered, 0, 0);
	sem_init(&s->release, 0, 0);
	sem_init(&s->called, 0, 0);
}

static void slow_fn(union sigval v)
{
	struct slow *s = v.sival_ptr;
	int i = __atomic_fetch_add(&s->n, 1, __ATOMIC_SEQ_CST);
	struct itimerspec cur;

	if (i < MAXC)
		s->overrun[i] = psx_timer_getoverrun(s->id);
	if (i == 0 && s->self_delete) {
		s->deleted = psx_timer_delete(s->id);
		s->delete_errno = errno;
		s->gone = psx_timer_gettime(s->id, &cur) == -1 && errno == EINVAL;
	}
	if (i == 0) {
		sem_post(&s->entered);
		wait_sem(&s->release, 4 * WAIT_MS);
	}
	sem_post(&s->called);
}

static int slow_calls(struct slow *s)
{
	return __atomic_load_n(&s->n, __ATOMIC_SEQ_CST);
}

TEST(fires_during_a_slow_call_coalesce_into_the_overrun)
{
	struct slow s;

	slow_init(&s);
	ASSERT_EQ(0, create_thread_timer(slow_fn, &s, NULL, &s.id));
	ASSERT_EQ(0, arm(s.id, 2 * MS, 2 * MS));
	ASSERT_EQ(0, wait_sem(&s.entered, WAIT_MS));
	/* At least 30 periods pass while the first call runs. */
	sleep_ms(60);
	sem_post(&s.release);
	ASSERT_EQ(0, wait_sem(&s.called, WAIT_MS));
	ASSERT_EQ(0, wait_sem(&s.called, WAIT_MS));
	ASSERT_EQ(0, arm(s.id, 0, 0));
	/* Not one call each: one event, its count less one in the overrun. */
	EXPECT_LE(10, s.overrun[1]);
	EXPECT_EQ(0, psx_timer_delete(s.id));
}

TEST(delete_from_inside_the_function)
{
	int base = nthreads();
	struct slow s;

	slow_init(&s);
	s.self_delete = 1;
	sem_post(&s.release);	/* the first call does not block */
	ASSERT_EQ(0, create_thread_timer(slow_fn, &s, NULL, &s.id));
	ASSERT_EQ(0, arm(s.id, MS, MS));
	ASSERT_EQ(0, wait_sem(&s.called, WAIT_MS));
	EXPECT_EQ(0, s.deleted);
	EXPECT_TRUE(s.gone);
	/* The helper ended when the function returned: no call after. */
	EXPECT_EQ(base, wait_nthreads(base));
	EXPECT_EQ(1, slow_calls(&s));
	EXPECT_EQ(-1, psx_timer_delete(s.id));
	EXPECT_EQ(EINVAL, errno);
}

TEST(delete_from_another_thread_while_the_function_runs)
{
	int base = nthreads();
	struct itimerspec cur;
	struct slow s;
	psx_timer_t id;

	slow_init(&s);
	rec_init(&recs[0]);
	ASSERT_EQ(0, create_thread_timer(slow_fn, &s, NULL, &s.id));
	ASSERT_EQ(0, arm(s.id, MS, MS));
	ASSERT_EQ(0, wait_sem(&s.entered, WAIT_MS));
	/* It returns with the call still blocked (waiting would deadlock). */
	EXPECT_EQ(0, psx_timer_delete(s.id));
	EXPECT_EQ(-1, psx_timer_gettime(s.id, &cur));
	EXPECT_EQ(EINVAL, errno);
	/* The id is free again, and the new timer's calls are its own. */
	ASSERT_EQ(0, create_thread_timer(record, &recs[0], NULL, &id));
	EXPECT_EQ(s.id, id);
	recs[0].id = id;
	ASSERT_EQ(0, arm(id, MS, 0));
	ASSERT_EQ(0, wait_sem(&recs[0].called, WAIT_MS));
	EXPECT_EQ(1, calls(&recs[0]));
	sem_post(&s.release);
	ASSERT_EQ(0, wait_sem(&s.called, WAIT_MS));
	/* The old helper ends after its call, and calls nothing more. */
	EXPECT_EQ(base + 1, wait_nthreads(base + 1));
	EXPECT_EQ(1, slow_calls(&s));
	EXPECT_EQ(0, psx_timer_delete(id));
	EXPECT_EQ(base, wait_nthreads(base));
}

static void exit_fn(union sigval v)
{
	sem_post(v.sival_ptr);
	pthread_exit(NULL);
}

TEST(a_function_that_ends_its_thread_ends_the_calls)
{
	int base = nthreads(), fd;
	psx_timer_t id;
	sem_t called;

	sem_init(&called, 0, 0);
	ASSERT_EQ(0, psx_clock_getres(CLOCK_MONOTONIC, NULL));
	fd = lowest_fd();
	ASSERT_EQ(0, create_thread_timer(exit_fn, &called, NULL, &id));
	ASSERT_EQ(0, arm(id, MS, MS));
	ASSERT_EQ(0, wait_sem(&called, WAIT_MS));
	EXPECT_EQ(base, wait_nthreads(base));
	/* The timer lives on, silent; delete frees what the helper left. */
	EXPECT_LE(0, psx_timer_getoverrun(id));
	EXPECT_EQ(0, psx_timer_delete(id));
	EXPECT_EQ(fd, lowest_fd());
	EXPECT_EQ(-1, sem_trywait(&called));
}

#define RACES 12
static int counts[RACES];

static void count(union sigval v)
{
	__atomic_add_fetch(&counts[v.sival_int], 1, __ATOMIC_SEQ_CST);
}

TEST(delete_races_with_fires)
{
	int base = nthreads(), at_delete[RACES], i, j;
	psx_timer_t id;

	for (i = 0; i < RACES; i++) {
		struct sigevent sev = {
			.sigev_notify = SIGEV_THREAD,
			.sigev_value.sival_int = i,
			.sigev_notify_function = count,
		};

		ASSERT_EQ(0, psx_timer_create(CLOCK_MONOTONIC, &sev, &id));
		/* Odd: firing every 200 us; even: the helper idle in read(). */
		if (i % 2) {
			ASSERT_EQ(0, arm(id, 200000, 200000));
			for (j = 0; j < WAIT_MS && !__atomic_load_n(&counts[i], __ATOMIC_SEQ_CST); j++)
				sleep_ms(1);
			ASSERT_LT(0, counts[i]);
		}
		ASSERT_EQ(0, psx_timer_delete(id));
		at_delete[i] = __atomic_load_n(&counts[i], __ATOMIC_SEQ_CST);
	}
	ASSERT_EQ(base, wait_nthreads(base));
	/* At most the call already begun when delete returned. */
	for (i = 0; i < RACES; i++)
		EXPECT_GE(at_delete[i] + 1, counts[i]);
}

/* Four threads creating, firing and deleting SIGEV_THREAD timers at once. */
struct churner {
	sem_t called;
	int fails;
};

static void post(union sigval v)
{
	sem_post(v.sival_ptr);
}

static void *churn(void *arg)
{
	struct churner *c = arg;
	psx_timer_t id;
	int i;

	for (i = 0; i < 5; i++) {
		if (create_thread_timer(post, &c->called, NULL, &id) || arm(id, 200000, 0) ||
		    wait_sem(&c->called, WAIT_MS) || psx_timer_delete(id))
			c->fails++;
	}
	return NULL;
}

TEST(threads_create_and_delete_at_once)
{
	struct churner c[4] = {};
	int base = nthreads(), i;
	pthread_t t[4];

	for (i = 0; i < 4; i++) {
		sem_init(&c[i].called, 0, 0);
		ASSERT_EQ(0, pthread_create(&t[i], NULL, churn, &c[i]));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(0, c[i].fails);
	}
	EXPECT_EQ(base, wait_nthreads(base));
}

/*
 * In a child: none of the parent's timers, nor the fds of their helpers
 * (it has the fds its parent had before making them); its own SIGEV_THREAD
 * timer works. 0, or the bits that failed.
 */
static int child_checks(psx_timer_t parent_a, psx_timer_t parent_b, int parent_fds)
{
	struct itimerspec cur;
	int fail = 0;

	if (nthreads() != 1 || nfds() != parent_fds)
		fail |= 1;
	if (psx_timer_gettime(parent_a, &cur) != -1 || errno != EINVAL)
		fail |= 2;
	if (psx_timer_getoverrun(parent_b) != -1 || errno != EINVAL)
		fail |= 4;
	if (psx_timer_delete(parent_b) != -1 || errno != EINVAL)
		fail |= 8;
	rec_init(&recs[1]);
	if (create_thread_timer(record, &recs[1], NULL, &recs[1].id) || recs[1].id != 0)
		return fail | 16;
	if (arm(recs[1].id, MS, 0) || wait_sem(&recs[1].called, WAIT_MS))
		return fail | 32;
	if (recs[1].pid[0] != getpid() || recs[1].tid[0] == getpid())
		fail |= 64;
	if (psx_timer_delete(recs[1].id) || wait_nthreads(1) != 1)
		fail |= 128;
	return fail;
}

TEST(fork_with_live_timers)
{
	int base = nthreads(), status, fds, n;
	struct slow s, gone;
	pid_t pid;

	/*
	 * At the fork: a helper inside a call; one inside a call whose timer
	 * is deleted already (its port still open until the call returns);
	 * and one between fires.
	 */
	slow_init(&s);
	slow_init(&gone);
	rec_init(&recs[0]);
	ASSERT_EQ(0, psx_clock_getres(CLOCK_MONOTONIC, NULL));	/* the device's fd */
	fds = nfds();
	ASSERT_EQ(0, create_thread_timer(slow_fn, &s, NULL, &s.id));
	ASSERT_EQ(0, create_thread_timer(slow_fn, &gone, NULL, &gone.id));
	ASSERT_EQ(0, create_thread_timer(record, &recs[0], NULL, &recs[0].id));
	ASSERT_EQ(0, arm(s.id, 2 * MS, 2 * MS));
	ASSERT_EQ(0, arm(gone.id, 2 * MS, 2 * MS));
	ASSERT_EQ(0, arm(recs[0].id, 2 * MS, 2 * MS));
	ASSERT_EQ(0, wait_sem(&s.entered, WAIT_MS));
	ASSERT_EQ(0, wait_sem(&gone.entered, WAIT_MS));
	ASSERT_EQ(0, wait_sem(&recs[0].called, WAIT_MS));
	ASSERT_EQ(0, psx_timer_delete(gone.id));
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(child_checks(s.id, recs[0].id, fds));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* The parent's timers go on. */
	n = calls(&recs[0]);
	ASSERT_EQ(0, wait_sem(&recs[0].called, WAIT_MS));
	while (calls(&recs[0]) == n)
		ASSERT_EQ(0, wait_sem(&recs[0].called, WAIT_MS));
	sem_post(&s.release);
	ASSERT_EQ(0, wait_sem(&s.called, WAIT_MS));
	ASSERT_EQ(0, wait_sem(&s.called, WAIT_MS));
	EXPECT_LE(2, slow_calls(&s));
	sem_post(&gone.release);
	ASSERT_EQ(0, wait_sem(&gone.called, WAIT_MS));
	EXPECT_EQ(0, psx_timer_delete(s.id));
	EXPECT_EQ(0, psx_timer_delete(recs[0].id));
	EXPECT_EQ(base, wait_nthreads(base));
	EXPECT_EQ(1, slow_calls(&gone));
}

/*
 * fork() inside the function: the child returns from it, and so ends. The
 * timer is one-shot, so a child helper that went on waiting on the port
 * would wait forever: the parent gives it WAIT_MS, then kills it.
 */
struct forker {
	sem_t called;
	psx_timer_t id;
	int n;
	int status;
};

static void fork_fn(union sigval v)
{
	struct forker *f = v.sival_ptr;
	struct itimerspec cur;
	pid_t pid;
	int i;

	if (__atomic_fetch_add(&f->n, 1, __ATOMIC_SEQ_CST) == 0) {
		pid = fork();
		if (!pid) {
			if (psx_timer_gettime(f->id, &cur) != -1 || errno != EINVAL)
				_exit(1);
			if (nthreads() != 1)
				_exit(2);
			return;	/* the child's last thread ends: exit status 0 */
		}
		f->status = -1;
		for (i = 0; pid > 0 && i < WAIT_MS; i++) {
			if (waitpid(pid, &f->status, WNOHANG) == pid)
				break;
			sleep_ms(1);
		}
		if (pid > 0 && i == WAIT_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
	}
	sem_post(&f->called);
}

TEST(fork_inside_the_function)
{
	struct forker f = {};
	int base = nthreads();

	sem_init(&f.called, 0, 0);
	fflush(NULL);
	ASSERT_EQ(0, create_thread_timer(fork_fn, &f, NULL, &f.id));
	ASSERT_EQ(0, arm(f.id, 2 * MS, 0));
	ASSERT_EQ(0, wait_sem(&f.called, 2 * WAIT_MS));
	EXPECT_TRUE(WIFEXITED(f.status));
	EXPECT_EQ(0, WEXITSTATUS(f.status));
	/* The parent's helper goes on calling. */
	ASSERT_EQ(0, arm(f.id, 2 * MS, 0));
	ASSERT_EQ(0, wait_sem(&f.called, WAIT_MS));
	EXPECT_EQ(0, psx_timer_delete(f.id));
	EXPECT_EQ(base, wait_nthreads(base));
}

TEST_HARNESS_MAIN
