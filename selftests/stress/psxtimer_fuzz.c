// SPDX-License-Identifier: GPL-2.0
/*
 * psxtimer_fuzz: random and malformed ioctls (and reads and writes) on
 * /dev/psxtimer and on port fds, from several threads, while one of them
 * now and then closes the door or a port under the others. Every call
 * must succeed or fail with an errno its command documents (README,
 * uapi/linux/psxtimer.h, src/kernel/dev.c); where the argument makes the
 * answer certain (an unknown command, a bad pointer, a reserved field, an
 * id out of range, a valid clock read), that answer exactly.
 *
 *   psxtimer_fuzz [--calls N] [--threads N] [--seed N]
 *
 * The run is reproducible from the seed only up to thread interleaving.
 * CAP_SYS_TIME and CAP_SYS_NICE are dropped first, so a clock_settime can
 * never succeed (and never moves the guest's clock) and periods are never
 * below the HIGHRES floor; timer signals are blocked, and a fuzzed sigevent
 * never names a signal that cannot be (SIGKILL, SIGSTOP, glibc's 32 and 33).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/psxtimer.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_THREADS	16
#define NPORTS		3
#define PAGE		4096UL
#define fallthrough	__attribute__((__fallthrough__))

static unsigned int timer_max;
static bool stat_implemented;
static unsigned long violations, enomem;
static unsigned long calls_done;
static unsigned long long calls_max;

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

/* --- the fds under fuzz, which a thread may close and reopen ------------- */

enum fd_type { FD_DEV, FD_PORT };

struct slot {
	int fd;
	enum fd_type type;
	unsigned int seq;	/* odd while being replaced */
	pthread_mutex_t lock;	/* replacers only */
};

static struct slot slots[1 + NPORTS];	/* 0: /dev/psxtimer */

static int open_slot(struct slot *s)
{
	struct psxtimer_port_create pc = { .flags = PSXTIMER_PORT_NONBLOCK };

	if (s->type == FD_DEV)
		return open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC);
	/* Ports come from the door in slot 0, whatever state it is in. */
	if (ioctl(__atomic_load_n(&slots[0].fd, __ATOMIC_SEQ_CST),
		  PSXTIMER_IOC_PORT_CREATE, &pc))
		return -1;
	return pc.fd;
}

/* Close a slot's fd under the other threads, then open a new one. */
static void replace_slot(struct slot *s)
{
	int fd;

	pthread_mutex_lock(&s->lock);
	__atomic_add_fetch(&s->seq, 1, __ATOMIC_SEQ_CST);
	close(__atomic_load_n(&s->fd, __ATOMIC_SEQ_CST));
	fd = open_slot(s);
	if (fd < 0 && s->type == FD_PORT) {
		/* The door itself was being replaced: use a fresh one. */
		int dev = open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC);
		struct psxtimer_port_create pc = { .flags = PSXTIMER_PORT_NONBLOCK };

		fd = dev >= 0 && !ioctl(dev, PSXTIMER_IOC_PORT_CREATE, &pc) ? pc.fd : -1;
		if (dev >= 0)
			close(dev);
	}
	if (fd < 0) {
		fprintf(stderr, "# cannot reopen a slot: %s\n", strerror(errno));
		exit(2);
	}
	__atomic_store_n(&s->fd, fd, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&s->seq, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&s->lock);
}

/* --- commands and what they may answer ------------------------------------ */

struct cmd {
	const char *name;
	unsigned int cmd;
	unsigned int size;
	int allowed[8];			/* errnos, 0 for success; -1 ends */
	unsigned int in;		/* bytes copied in before anything is checked */
};

static struct cmd cmds[] = {
	{ "INFO", PSXTIMER_IOC_INFO, sizeof(struct psxtimer_info), { 0, EFAULT, -1 }, 0 },
	{ "TIMER_CREATE", PSXTIMER_IOC_TIMER_CREATE, sizeof(struct psxtimer_create),
	  { 0, EFAULT, EINVAL, EAGAIN, EBADF, ENOMEM, -1 },
	  sizeof(struct psxtimer_create) },
	{ "TIMER_SETTIME", PSXTIMER_IOC_TIMER_SETTIME, sizeof(struct psxtimer_settime),
	  { 0, EFAULT, EINVAL, EOVERFLOW, -1 },
	  offsetof(struct psxtimer_settime, old_value) },
	{ "TIMER_GETTIME", PSXTIMER_IOC_TIMER_GETTIME, sizeof(struct psxtimer_gettime),
	  { 0, EFAULT, EINVAL, -1 }, offsetof(struct psxtimer_gettime, value) },
	{ "TIMER_DELETE", PSXTIMER_IOC_TIMER_DELETE, sizeof(struct psxtimer_timer),
	  { 0, EFAULT, EINVAL, -1 }, sizeof(struct psxtimer_timer) },
	{ "TIMER_GETOVERRUN", PSXTIMER_IOC_TIMER_GETOVERRUN, sizeof(struct psxtimer_timer),
	  { 0, EFAULT, EINVAL, -1 }, sizeof(struct psxtimer_timer) },
	{ "CLOCK_GETTIME", PSXTIMER_IOC_CLOCK_GETTIME, sizeof(struct psxtimer_clock),
	  { 0, EFAULT, EINVAL, -1 }, sizeof(struct psxtimer_clock) },
	/* Without CAP_SYS_TIME: never success. */
	{ "CLOCK_SETTIME", PSXTIMER_IOC_CLOCK_SETTIME, sizeof(struct psxtimer_clock),
	  { EFAULT, EINVAL, EPERM, -1 }, sizeof(struct psxtimer_clock) },
	{ "CLOCK_GETRES", PSXTIMER_IOC_CLOCK_GETRES, sizeof(struct psxtimer_clock),
	  { 0, EFAULT, EINVAL, -1 }, sizeof(struct psxtimer_clock) },
	{ "PORT_CREATE", PSXTIMER_IOC_PORT_CREATE, sizeof(struct psxtimer_port_create),
	  { 0, EFAULT, EINVAL, EMFILE, ENFILE, ENOMEM, -1 },
	  sizeof(struct psxtimer_port_create) },
	{ "STAT", PSXTIMER_IOC_STAT, sizeof(struct psxtimer_stat),
	  { 0, EFAULT, EINVAL, EPERM, ESRCH, ENOMEM, -1 }, sizeof(struct psxtimer_stat) },
	/* Each op's errno is in its result, never the call's. */
	{ "BATCH", PSXTIMER_IOC_BATCH, sizeof(struct psxtimer_batch),
	  { 0, EFAULT, EINVAL, -1 }, sizeof(struct psxtimer_batch) },
};

static bool allows(const struct cmd *c, int err)
{
	int i;

	for (i = 0; c->allowed[i] >= 0; i++)
		if (c->allowed[i] == err)
			return true;
	return false;
}

static struct cmd *find_cmd(unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (cmds[i].cmd == nr)
			return &cmds[i];
	return NULL;
}

/* --- arguments ------------------------------------------------------------- */

/*
 * Each thread's memory: two rw pages, a PROT_NONE page, and a read-only page whose contents are written through a second, writable
 * mapping of the same memfd page (mprotect per call would cost a TLB
 * shootdown across CPUs each time).
 */
struct arena {
	unsigned char *rw;
	unsigned char *none;
	unsigned char *ro;
	unsigned char *ro_alias;
};

enum place { P_ALIGNED, P_MISALIGNED, P_STRADDLE, P_READONLY, P_NULL, P_UNMAPPED,
	P_KERNEL, P_NONCANONICAL, P_RANDOM, P_NPLACES };

static long long pick_ll(unsigned long long *rs)
{
	static const long long edges[] = {
		0, 1, -1, 999999999, 1000000000, 1000000001, INT_MAX, INT_MIN,
		LLONG_MAX, LLONG_MIN, LLONG_MAX / 1000000000, 200000, 1000000, 50000000,
	};

	if (below(rs, 4))
		return edges[below(rs, ARRAY_SIZE(edges))];
	return (long long)rnd(rs) >> below(rs, 64);
}

static int pick_id(unsigned long long *rs)
{
	int edges[] = { -1, 0, 1, INT_MAX, INT_MIN, (int)timer_max, (int)timer_max - 1,
		(int)timer_max + 1, INT_MAX - 1, -2 };

	if (below(rs, 2))
		return below(rs, timer_max + 1);
	if (below(rs, 4))
		return edges[below(rs, ARRAY_SIZE(edges))];
	return (int)rnd(rs);
}

static int pick_clock(unsigned long long *rs)
{
	static const int clocks[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16, -1,
		INT_MAX, INT_MIN, -6 /* a dynamic clock fd's id */ };

	return below(rs, 8) ? clocks[below(rs, 4) ? below(rs, 4) : below(rs, ARRAY_SIZE(clocks))] :
		(int)rnd(rs);
}

static unsigned int pick_bits(unsigned long long *rs, unsigned int valid)
{
	switch (below(rs, 8)) {
	case 0:
		return (unsigned int)rnd(rs);
	case 1:
		return 1U << below(rs, 32);
	default:
		return (unsigned int)rnd(rs) & valid;
	}
}

static unsigned int pick_reserved(unsigned long long *rs)
{
	return below(rs, 8) ? 0 : (below(rs, 2) ? 1U << below(rs, 32) : (unsigned int)rnd(rs));
}

static int pick_fd(unsigned long long *rs)
{
	switch (below(rs, 6)) {
	case 0:
		return -1;
	case 1:
		return slots[0].fd;
	case 2:
		return (int)rnd(rs);
	default:
		return slots[1 + below(rs, NPORTS)].fd;
	}
}

static void fill_timespec(unsigned long long *rs, struct psxtimer_timespec *ts)
{
	if (below(rs, 2)) {
		ts->tv_sec = below(rs, 2);
		ts->tv_nsec = below(rs, 1000000000);
	} else {
		ts->tv_sec = pick_ll(rs);
		ts->tv_nsec = pick_ll(rs);
	}
}

/* A struct for the command, well-formed with a few fields mutated. */
static void fill(unsigned long long *rs, unsigned int cmd, void *buf, struct arena *a,
		 pid_t self)
{
	switch (cmd) {
	case PSXTIMER_IOC_TIMER_CREATE: {
		struct psxtimer_create *c = buf;
		struct psxtimer_sigevent *s = &c->sigevent;
		static const int notify[] = { 0, 1, 2, 4, 5, 3, -1, 6, INT_MAX };

		c->clock_id = pick_clock(rs);
		c->flags = pick_bits(rs, PSXTIMER_CREATE_SIGEVENT);
		c->__reserved = pick_reserved(rs);
		s->sigev_value = rnd(rs);
		s->sigev_notify = notify[below(rs, 5) ? below(rs, 5) : below(rs, ARRAY_SIZE(notify))];
		s->sigev_signo = below(rs, 4) ? SIGRTMIN + (int)below(rs, 4) : (int)below(rs, 70) - 2;
		s->sigev_tid = below(rs, 2) ? self : (int)rnd(rs);
		s->sigev_port = pick_fd(rs);
		s->__reserved[0] = pick_reserved(rs);
		s->__reserved[1] = pick_reserved(rs);
		if (!(c->flags & PSXTIMER_CREATE_SIGEVENT) && below(rs, 2))
			memset(s, 0, sizeof(*s));
		break;
	}
	case PSXTIMER_IOC_TIMER_SETTIME: {
		struct psxtimer_settime *s = buf;

		s->timer_id = pick_id(rs);
		s->flags = pick_bits(rs, PSXTIMER_TIMER_ABSTIME | PSXTIMER_SETTIME_NO_OLD);
		fill_timespec(rs, &s->new_value.it_value);
		fill_timespec(rs, &s->new_value.it_interval);
		if (!below(rs, 4))
			memset(&s->new_value.it_value, 0, sizeof(s->new_value.it_value));
		break;
	}
	case PSXTIMER_IOC_TIMER_GETTIME: {
		struct psxtimer_gettime *g = buf;

		g->timer_id = pick_id(rs);
		g->__reserved = pick_reserved(rs);
		break;
	}
	case PSXTIMER_IOC_TIMER_DELETE:
	case PSXTIMER_IOC_TIMER_GETOVERRUN: {
		struct psxtimer_timer *t = buf;

		t->timer_id = pick_id(rs);
		t->overrun = below(rs, 4) ? 0 : (int)rnd(rs);
		t->__reserved[0] = pick_reserved(rs);
		t->__reserved[1] = pick_reserved(rs);
		break;
	}
	case PSXTIMER_IOC_CLOCK_GETTIME:
	case PSXTIMER_IOC_CLOCK_SETTIME:
	case PSXTIMER_IOC_CLOCK_GETRES: {
		struct psxtimer_clock *c = buf;

		c->clock_id = pick_clock(rs);
		c->__reserved = pick_reserved(rs);
		fill_timespec(rs, &c->ts);
		break;
	}
	case PSXTIMER_IOC_PORT_CREATE: {
		struct psxtimer_port_create *p = buf;

		/*
		 * Always non-blocking: the port is closed at once, but until then
		 * its number may be one a slot just gave up, and another thread's
		 * read() of a blocking, empty port would never return.
		 */
		p->flags = pick_bits(rs, PSXTIMER_PORT_CLOEXEC | PSXTIMER_PORT_NONBLOCK) |
			   PSXTIMER_PORT_NONBLOCK;
		p->fd = (int)rnd(rs);
		p->__reserved[0] = pick_reserved(rs);
		p->__reserved[1] = pick_reserved(rs);
		break;
	}
	case PSXTIMER_IOC_STAT: {
		struct psxtimer_stat *s = buf;
		static const int pids[] = { 0, 1, -1, INT_MAX, INT_MIN, 2 };
		unsigned int n = below(rs, 4) ? below(rs, 40) : (unsigned int)rnd(rs);

		s->pid = below(rs, 3) ? pids[below(rs, ARRAY_SIZE(pids))] : self;
		s->count = n;
		switch (below(rs, 5)) {
		case 0:
			s->timers = 0;
			break;
		case 1:	/* ends in the PROT_NONE page */
			s->timers = (unsigned long)a->none - 8 * sizeof(struct psxtimer_stat_timer);
			break;
		case 2:
			s->timers = (unsigned long)a->ro;
			break;
		default:
			/* Room for at most 64 entries: the second rw page. */
			s->timers = (unsigned long)a->rw + PAGE;
			if (s->count > PAGE / sizeof(struct psxtimer_stat_timer))
				s->count = PAGE / sizeof(struct psxtimer_stat_timer);
			break;
		}
		s->flags = pick_reserved(rs);
		s->__reserved[0] = pick_reserved(rs);
		s->__reserved[1] = pick_reserved(rs);
		s->__reserved[2] = pick_reserved(rs);
		break;
	}
	case PSXTIMER_IOC_BATCH: {
		struct psxtimer_batch *b = buf;
		struct psxtimer_batch_op *ops = (void *)(a->rw + PAGE);
		unsigned int room = PAGE / sizeof(*ops), i;

		switch (below(rs, 5)) {
		case 0:
			b->ops = 0;
			break;
		case 1:	/* the third op is in the PROT_NONE page */
			b->ops = (unsigned long)a->none - 2 * sizeof(*ops);
			break;
		case 2:	/* readable, but the results cannot be written */
			b->ops = (unsigned long)a->ro;
			break;
		default:
			/* The second rw page, with well-formed ops a few fields mutated. */
			b->ops = (unsigned long)ops;
			for (i = 0; i < room; i++) {
				ops[i].op = below(rs, 4) ? 1 + below(rs, 3) : (unsigned int)rnd(rs);
				ops[i].timer_id = pick_id(rs);
				ops[i].flags = pick_bits(rs, PSXTIMER_TIMER_ABSTIME);
				ops[i].result = (int)rnd(rs);
				fill_timespec(rs, &ops[i].value.it_value);
				fill_timespec(rs, &ops[i].value.it_interval);
			}
			break;
		}
		/* Mostly within the page; sometimes past it, or the limit. */
		switch (below(rs, 8)) {
		case 0:
			b->count = PSXTIMER_BATCH_MAX + below(rs, 2);
			break;
		case 1:
			b->count = (unsigned int)rnd(rs);
			break;
		default:
			b->count = below(rs, room + 1);
			break;
		}
		b->flags = pick_reserved(rs);
		break;
	}
	default: {
		unsigned char *b = buf;
		unsigned int i;

		for (i = 0; i < 128; i++)
			b[i] = (unsigned char)rnd(rs);
		break;
	}
	}
}

/*
 * The one answer a command must give for a well-formed buffer that can be
 * read and written in full, when it is certain: 0 or -errno; UNSURE when
 * it is not.
 */
#define UNSURE 1

static int predict(unsigned int cmd, const void *buf)
{
	switch (cmd) {
	case PSXTIMER_IOC_INFO:
		return 0;
	case PSXTIMER_IOC_TIMER_CREATE: {
		const struct psxtimer_create *c = buf;
		const struct psxtimer_sigevent *s = &c->sigevent;

		if ((c->flags & ~PSXTIMER_CREATE_SIGEVENT) || c->__reserved ||
		    s->__reserved[0] || s->__reserved[1])
			return -EINVAL;
		if (!(c->flags & PSXTIMER_CREATE_SIGEVENT) &&
		    (s->sigev_value || s->sigev_signo || s->sigev_notify || s->sigev_tid ||
		     s->sigev_port))
			return -EINVAL;
		if (c->clock_id < 0 || c->clock_id > 15 ||
		    !(c->clock_id <= 3 || c->clock_id == 7 || c->clock_id == 11))
			return -EINVAL;
		if (!(c->flags & PSXTIMER_CREATE_SIGEVENT))
			return UNSURE;
		/* sigevent_check(), before an id is taken. */
		switch (s->sigev_notify) {
		case PSXTIMER_SIGEV_THREAD_ID:
			if (s->sigev_tid <= 0)
				return -EINVAL;
			fallthrough;
		case PSXTIMER_SIGEV_SIGNAL:
			if (s->sigev_signo < 1 || s->sigev_signo > 64)
				return -EINVAL;
			return UNSURE;
		case PSXTIMER_SIGEV_NONE:
		case PSXTIMER_SIGEV_THREAD:
		case PSXTIMER_SIGEV_PORT:
			return UNSURE;
		default:
			return -EINVAL;
		}
	}
	case PSXTIMER_IOC_TIMER_SETTIME: {
		const struct psxtimer_settime *s = buf;
		const struct psxtimer_timespec *v = &s->new_value.it_value;

		if (s->flags & ~(PSXTIMER_TIMER_ABSTIME | PSXTIMER_SETTIME_NO_OLD))
			return -EINVAL;
		const struct psxtimer_timespec *i = &s->new_value.it_interval;

		if (v->tv_sec < 0 || v->tv_nsec < 0 || v->tv_nsec >= 1000000000)
			return -EINVAL;
		/* The interval is checked only when arming. */
		if ((v->tv_sec || v->tv_nsec) &&
		    (i->tv_sec < 0 || i->tv_nsec < 0 || i->tv_nsec >= 1000000000))
			return -EINVAL;
		if (s->timer_id < 0 || s->timer_id >= (int)timer_max)
			return -EINVAL;
		return UNSURE;
	}
	case PSXTIMER_IOC_TIMER_GETTIME: {
		const struct psxtimer_gettime *g = buf;

		if (g->__reserved || g->timer_id < 0 || g->timer_id >= (int)timer_max)
			return -EINVAL;
		return UNSURE;
	}
	case PSXTIMER_IOC_TIMER_DELETE:
	case PSXTIMER_IOC_TIMER_GETOVERRUN: {
		const struct psxtimer_timer *t = buf;

		if (t->__reserved[0] || t->__reserved[1] || t->timer_id < 0 ||
		    t->timer_id >= (int)timer_max)
			return -EINVAL;
		return UNSURE;
	}
	case PSXTIMER_IOC_CLOCK_GETTIME:
	case PSXTIMER_IOC_CLOCK_GETRES: {
		const struct psxtimer_clock *c = buf;
		int id = c->clock_id;

		if (c->__reserved)
			return -EINVAL;
		return id >= 0 && (id <= 3 || id == 7 || id == 11) ? 0 : -EINVAL;
	}
	case PSXTIMER_IOC_CLOCK_SETTIME: {
		const struct psxtimer_clock *c = buf;
		int id = c->clock_id;

		if (c->__reserved)
			return -EINVAL;
		return id >= 0 && (id <= 3 || id == 7 || id == 11) ? -EPERM : -EINVAL;
	}
	case PSXTIMER_IOC_PORT_CREATE: {
		const struct psxtimer_port_create *p = buf;

		if ((p->flags & ~(PSXTIMER_PORT_CLOEXEC | PSXTIMER_PORT_NONBLOCK)) ||
		    p->__reserved[0] || p->__reserved[1])
			return -EINVAL;
		return UNSURE;
	}
	case PSXTIMER_IOC_STAT: {
		const struct psxtimer_stat *st = buf;

		if (st->flags || st->__reserved[0] || st->__reserved[1] || st->__reserved[2] ||
		    st->pid < 0)
			return -EINVAL;
		return UNSURE;
	}
	case PSXTIMER_IOC_BATCH: {
		const struct psxtimer_batch *b = buf;

		if (b->flags || b->count > PSXTIMER_BATCH_MAX)
			return -EINVAL;
		return b->count ? UNSURE : 0;
	}
	default:
		return UNSURE;
	}
}

static const char *errname(int e)
{
	return e ? strerror(e) : "success";
}

#define violation(fmt, ...) do {						\
	__atomic_add_fetch(&violations, 1, __ATOMIC_RELAXED);			\
	fprintf(stderr, "# VIOLATION: " fmt "\n", ##__VA_ARGS__);		\
} while (0)

/* --- one call -------------------------------------------------------------- */

struct thread {
	pthread_t handle;
	unsigned long long rs;
	struct arena a;
	pid_t tid;
	unsigned long calls, ok, errs[134];
};

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

static unsigned int pick_cmd(unsigned long long *rs, struct cmd **known)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
		_IOC_READ | _IOC_WRITE };
	unsigned int dir = dirs[below(rs, 4)], nr, size, type = PSXTIMER_IOC_MAGIC;
	struct cmd *c;

	switch (below(rs, 20)) {
	case 0 ... 11:	/* a real command */
		c = &cmds[below(rs, ARRAY_SIZE(cmds))];
		*known = c;
		return c->cmd;
	case 12 ... 14:	/* a real number, the wrong direction or size */
		c = &cmds[below(rs, ARRAY_SIZE(cmds))];
		nr = _IOC_NR(c->cmd);
		size = below(rs, 2) ? c->size + below(rs, 17) - 8 : below(rs, 1 << 14);
		break;
	case 15 ... 18:	/* any number */
		nr = below(rs, 256);
		size = below(rs, 2) ? below(rs, 129) : below(rs, 1 << 14);
		break;
	default:	/* a neighbouring magic, which no VFS ioctl uses */
		type = below(rs, 2) ? PSXTIMER_IOC_MAGIC - 1 : PSXTIMER_IOC_MAGIC + 1;
		nr = below(rs, 256);
		size = below(rs, 256);
		break;
	}
	*known = find_cmd(_IOC(dir, type, nr, size & _IOC_SIZEMASK));
	return _IOC(dir, type, nr, size & _IOC_SIZEMASK);
}

/* An argument pointer, and where it points. */
static void *pick_arg(struct thread *t, unsigned int size, enum place *where)
{
	unsigned long long *rs = &t->rs;
	unsigned char *p;
	unsigned int in;

	if (!size)
		size = 1;
	*where = below(rs, 100);
	if (*where < 50)
		*where = P_ALIGNED;
	else if (*where < 60)
		*where = P_MISALIGNED;
	else if (*where < 72)
		*where = P_STRADDLE;
	else if (*where < 80)
		*where = P_READONLY;
	else
		*where = P_NULL + below(rs, P_NPLACES - P_NULL);
	switch (*where) {
	case P_ALIGNED:
		return t->a.rw + 64 * below(rs, 8);
	case P_MISALIGNED:
		return t->a.rw + 1 + below(rs, 7);
	case P_STRADDLE:
		/* The struct runs 1 to size bytes into the PROT_NONE page. */
		if (size > 256)
			size = 256;
		in = 1 + below(rs, size);
		return t->a.none - size + in;
	case P_READONLY:
		return t->a.ro + below(rs, 2) * below(rs, 8);
	case P_NULL:
		return NULL;
	case P_UNMAPPED:
		/* The PROT_NONE page, or below mmap_min_addr, where nothing maps. */
		if (below(rs, 2))
			return t->a.none + below(rs, PAGE);
		return (void *)(PAGE + below(rs, 14 * PAGE));
	case P_KERNEL:
		return (void *)(0xffff888000000000UL + 4096 * below(rs, 1024));
	case P_NONCANONICAL:
		return (void *)(0x8000000000000000UL | rnd(rs));
	default:
		p = (unsigned char *)(unsigned long)rnd(rs);
		return p;
	}
}

/* A fuzzed read or write on a slot's fd. */
static void rw_call(struct thread *t)
{
	unsigned long long *rs = &t->rs;
	struct slot *s = &slots[below(rs, 1 + NPORTS)];
	unsigned int seq = __atomic_load_n(&s->seq, __ATOMIC_SEQ_CST);
	int fd = __atomic_load_n(&s->fd, __ATOMIC_SEQ_CST);
	bool wr = !below(rs, 8);
	size_t len = below(rs, 2) ? below(rs, 4) * sizeof(struct psxtimer_port_event) +
		below(rs, 2) * below(rs, 24) : below(rs, 8192);
	enum place where;
	void *buf = pick_arg(t, len, &where);
	ssize_t n;
	int err;

	if (where == P_ALIGNED || where == P_MISALIGNED) {
		if (len > PAGE)
			len = PAGE;
	}
	n = wr ? write(fd, buf, len) : read(fd, buf, len);
	err = n < 0 ? errno : 0;
	t->calls++;
	if (seq & 1 || seq != __atomic_load_n(&s->seq, __ATOMIC_SEQ_CST))
		return;	/* replaced under us: anything an fd may answer */
	if (s->type == FD_DEV) {
		/* No read or write method: EINVAL. */
		if (err != EINVAL)
			violation("%s(/dev/psxtimer, %zu): %s", wr ? "write" : "read", len,
				  errname(err));
		return;
	}
	if (wr) {
		if (err != EBADF)	/* opened read-only */
			violation("write(port, %zu): %s", len, errname(err));
		return;
	}
	if (len < sizeof(struct psxtimer_port_event)) {
		/* vfs_read checks access_ok() first: a kernel address is EFAULT. */
		if (err == EFAULT && where >= P_KERNEL)
			return;
		if (err != EINVAL)
			violation("read(port, %zu): %s, expected EINVAL", len, errname(err));
		return;
	}
	if (!err) {
		if (!n || n % sizeof(struct psxtimer_port_event) || (size_t)n > len)
			violation("read(port, %zu) returned %zd", len, n);
		return;
	}
	/* Only this process's timers are on its ports: EACCES never. */
	if (err != EAGAIN && err != EFAULT)
		violation("read(port, %zu, %p): %s", len, buf, errname(err));
	else if (err == EFAULT && (where == P_ALIGNED || where == P_MISALIGNED))
		violation("read(port, %zu) into a good buffer: EFAULT", len);
}

static bool is_id_cmd(unsigned int cmd)
{
	return cmd == PSXTIMER_IOC_TIMER_DELETE_ID || cmd == PSXTIMER_IOC_TIMER_GETOVERRUN_ID;
}

/*
 * DELETE_ID and GETOVERRUN_ID: the id is the argument itself, any unsigned
 * long. Outside [0, INT_MAX], or at or above timer_max, no timer has it:
 * EINVAL; else success (GETOVERRUN_ID: a count, its result) or EINVAL.
 */
static void check_id_call(unsigned int cmd, unsigned long arg, long ret, int err)
{
	const char *name = cmd == PSXTIMER_IOC_TIMER_DELETE_ID ? "DELETE_ID" : "GETOVERRUN_ID";

	if (arg > INT_MAX || arg >= timer_max) {
		if (err != EINVAL)
			violation("%s(%#lx): %s, expected EINVAL", name, arg, errname(err));
	} else if (err && err != EINVAL) {
		violation("%s(%lu): %s is not documented", name, arg, errname(err));
	} else if (cmd == PSXTIMER_IOC_TIMER_DELETE_ID && ret > 0) {
		violation("DELETE_ID(%lu) returned %ld", arg, ret);
	}
}

static void id_call(struct thread *t)
{
	unsigned long long *rs = &t->rs;
	unsigned int cmd = below(rs, 4) ? PSXTIMER_IOC_TIMER_GETOVERRUN_ID :
					  PSXTIMER_IOC_TIMER_DELETE_ID;
	unsigned int seq = __atomic_load_n(&slots[0].seq, __ATOMIC_SEQ_CST);
	int fd = __atomic_load_n(&slots[0].fd, __ATOMIC_SEQ_CST);
	unsigned long arg;
	long ret;
	int err;

	switch (below(rs, 4)) {
	case 0:
		arg = (unsigned long)(long)pick_id(rs);	/* negative ids sign-extended */
		break;
	case 1:
		arg = (unsigned int)pick_id(rs);	/* as a 32-bit caller's */
		break;
	case 2:	/* a valid id in the low half, garbage above it */
		arg = ((unsigned long)rnd(rs) << 32) | below(rs, timer_max);
		break;
	default:
		arg = rnd(rs);
		break;
	}
	ret = ioctl(fd, cmd, arg);
	err = ret < 0 ? errno : 0;
	t->calls++;
	if (seq & 1 || seq != __atomic_load_n(&slots[0].seq, __ATOMIC_SEQ_CST))
		return;	/* the door was replaced under us */
	check_id_call(cmd, arg, ret, err);
}

static void ioctl_call(struct thread *t)
{
	unsigned long long *rs = &t->rs;
	unsigned long long local_words[32];
	unsigned char *local = (unsigned char *)local_words;
	struct cmd *known = NULL;
	unsigned int cmd = pick_cmd(rs, &known);
	unsigned int size = known ? known->size : _IOC_SIZE(cmd);
	struct slot *s;
	unsigned int seq;
	enum place where;
	int fd, ret, err, expect = -1;
	void *arg;
	bool full;

	/* Which fd: mostly the door, else a port, a closed or a wild number. */
	switch (below(rs, 20)) {
	case 0 ... 15:
		s = &slots[0];
		break;
	case 16 ... 18:
		s = &slots[1 + below(rs, NPORTS)];
		break;
	default:
		s = NULL;
		break;
	}
	if (s) {
		seq = __atomic_load_n(&s->seq, __ATOMIC_SEQ_CST);
		fd = __atomic_load_n(&s->fd, __ATOMIC_SEQ_CST);
	} else {
		seq = 0;
		fd = below(rs, 2) ? -1 : 100000 + (int)below(rs, 1000);
	}

	arg = pick_arg(t, size, &where);
	full = where == P_ALIGNED || where == P_MISALIGNED;
	if (known || below(rs, 2)) {
		memset(local, 0, sizeof(local_words));
		fill(rs, known ? known->cmd : 0, local, &t->a, t->tid);
		if (known && known->cmd == PSXTIMER_IOC_TIMER_CREATE) {
			struct psxtimer_create *c = (void *)local;
			int sig = c->sigevent.sigev_signo;

			/*
			 * Those would end the fuzzer, not test the module: no
			 * mask holds SIGKILL and SIGSTOP, and glibc keeps 32
			 * and 33 (its SIGCANCEL, SIGSETXID) out of any mask.
			 */
			if (sig == SIGKILL || sig == SIGSTOP || sig == 32 || sig == 33)
				c->sigevent.sigev_signo = SIGUSR1;
		}
		if (full) {
			memcpy(arg, local, size < sizeof(local_words) ? size : sizeof(local_words));
		} else if (where == P_STRADDLE) {
			memcpy(arg, local, t->a.none - (unsigned char *)arg);
		} else if (where == P_READONLY) {
			size_t room = t->a.ro + PAGE - (unsigned char *)arg;

			memcpy(t->a.ro_alias + ((unsigned char *)arg - t->a.ro), local,
			       room < sizeof(local_words) ? room : sizeof(local_words));
		}
	}
	if (known && full) {
		expect = predict(known->cmd, arg);
		expect = expect == UNSURE ? -1 : -expect;
	} else if (known && where == P_READONLY) {
		/*
		 * What it would answer, unless it has to write: then EFAULT.
		 * BATCH writes the ops, never its argument.
		 */
		expect = predict(known->cmd, arg);
		expect = expect == UNSURE ? -1 : expect == 0 && known->cmd != PSXTIMER_IOC_BATCH ?
			EFAULT : -expect;
	} else if (known && where == P_STRADDLE) {
		/* Cannot copy the argument in, or cannot write the answer out. */
		if ((unsigned char *)t->a.none - (unsigned char *)arg < known->in ||
		    known->cmd == PSXTIMER_IOC_INFO)
			expect = EFAULT;
	}
	if (known && known->cmd == PSXTIMER_IOC_STAT && !stat_implemented)
		known = NULL;

	ret = ioctl(fd, cmd, arg);
	err = ret < 0 ? errno : 0;
	t->calls++;
	if (err < (int)ARRAY_SIZE(t->errs))
		t->errs[err]++;
	if (err == ENOMEM)
		__atomic_add_fetch(&enomem, 1, __ATOMIC_RELAXED);

	/* A port made: take its number back, and close it. */
	if (!err && known && known->cmd == PSXTIMER_IOC_PORT_CREATE &&
	    s && s->type == FD_DEV) {
		int pfd;

		memcpy(&pfd, (unsigned char *)arg + offsetof(struct psxtimer_port_create, fd),
		       sizeof(pfd));
		if (pfd < 3 || close(pfd))
			violation("PORT_CREATE succeeded with fd %d", pfd);
	}
	if (s && (seq & 1 || seq != __atomic_load_n(&s->seq, __ATOMIC_SEQ_CST))) {
		/* Replaced under us: the door's, a port's or a closed fd's answers. */
		if (err != ENOTTY && err != EBADF && !(known && allows(known, err)) &&
		    !(known && known->cmd == PSXTIMER_IOC_CLOCK_GETRES && !err))
			violation("%s on a replaced fd: %s", known ? known->name : "?",
				  errname(err));
		return;
	}
	if (!s) {
		if (err != EBADF)
			violation("ioctl %#x on fd %d: %s, expected EBADF", cmd, fd, errname(err));
		return;
	}
	if (s->type == FD_PORT) {
		if (err != ENOTTY)
			violation("ioctl %#x on a port: %s, expected ENOTTY", cmd, errname(err));
		return;
	}
	if (is_id_cmd(cmd)) {	/* picked at random: its pointer is its id */
		check_id_call(cmd, (unsigned long)arg, ret, err);
		return;
	}
	if (!known) {
		if (err != ENOTTY)
			violation("unknown ioctl %#x: %s, expected ENOTTY", cmd, errname(err));
		return;
	}
	if (!allows(known, err)) {
		violation("%s (%#x, arg %p, place %d): %s is not documented", known->name, cmd,
			  arg, where, errname(err));
		return;
	}
	/* Certain answers. */
	if (known->cmd == PSXTIMER_IOC_CLOCK_GETRES && !arg) {
		if (err)
			violation("CLOCK_GETRES(NULL): %s, expected success", errname(err));
		return;
	}
	if (where >= P_NULL && where != P_RANDOM) {
		if (err != EFAULT)
			violation("%s with an unmapped argument %p: %s, expected EFAULT",
				  known->name, arg, errname(err));
		return;
	}
	if (expect >= 0 && err != expect)
		violation("%s (arg %p): %s, expected %s", known->name, arg, errname(err),
			  errname(expect));
	if (!err && known->cmd == PSXTIMER_IOC_BATCH && full) {
		struct psxtimer_batch b;
		const struct psxtimer_batch_op *ops;
		unsigned int i;

		memcpy(&b, arg, sizeof(b));
		ops = (const void *)(uintptr_t)b.ops;
		/* Each op's answer is one its single ioctl documents. */
		for (i = 0; ops == (const void *)(t->a.rw + PAGE) && i < b.count; i++) {
			int r = ops[i].result;

			if ((ops[i].op < 1 || ops[i].op > 3) ? r != -EINVAL :
			    (r < 0 && r != -EINVAL && r != -EOVERFLOW) ||
			    (r > 0 && ops[i].op != PSXTIMER_BATCH_GETOVERRUN))
				violation("BATCH op %u (%u on id %d): result %d", i, ops[i].op,
					  ops[i].timer_id, r);
		}
	}
	if (!err && known->cmd == PSXTIMER_IOC_INFO && full) {
		struct psxtimer_info info;

		memcpy(&info, arg, sizeof(info));
		if (info.abi_version != PSXTIMER_ABI_VERSION || info.timer_max != timer_max)
			violation("INFO: abi %u timer_max %u", info.abi_version, info.timer_max);
	}
}

/*
 * Delete every timer: fuzzed periods, clamped to the 200 us floor, would
 * otherwise pile up to timer_max timers firing 5,000 times a second each
 * and leave the guest (under TCG) little time for anything else.
 */
static void sweep(struct thread *t)
{
	unsigned int seq = __atomic_load_n(&slots[0].seq, __ATOMIC_SEQ_CST);
	int fd = __atomic_load_n(&slots[0].fd, __ATOMIC_SEQ_CST);
	unsigned int id;
	int err;

	for (id = 0; id < timer_max; id++) {
		struct psxtimer_timer arg = { .timer_id = id };

		err = ioctl(fd, PSXTIMER_IOC_TIMER_DELETE, &arg) ? errno : 0;
		t->calls++;
		/* The door may be being replaced (odd seq) or have been. */
		if (err && err != EINVAL &&
		    !((err == EBADF || err == ENOTTY) &&
		      (seq & 1 || seq != __atomic_load_n(&slots[0].seq, __ATOMIC_SEQ_CST))))
			violation("TIMER_DELETE of id %u: %s", id, errname(err));
	}
}

static void *fuzz_thread(void *p)
{
	struct thread *t = p;

	t->tid = gettid_();
	while (__atomic_add_fetch(&calls_done, 1, __ATOMIC_RELAXED) <= calls_max) {
		unsigned int what = below(&t->rs, 10000);

		if (what < 5)
			sweep(t);
		else if (what < 8500)
			ioctl_call(t);
		else if (what < 9000)
			id_call(t);
		else if (what < 9990)
			rw_call(t);
		else if (what < 9993)
			replace_slot(&slots[0]);	/* close the door under the others */
		else
			replace_slot(&slots[1 + below(&t->rs, NPORTS)]);
	}
	return NULL;
}

static int arena_init(struct arena *a)
{
	unsigned char *m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return -1;
	int fd = memfd_create("psxtimer-fuzz", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, PAGE))
		return -1;
	a->rw = m;
	a->none = m + 2 * PAGE;
	memset(m, 0x5a, 2 * PAGE);
	if (mprotect(a->none, PAGE, PROT_NONE))
		return -1;
	a->ro = mmap(m + 3 * PAGE, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	a->ro_alias = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return a->ro == MAP_FAILED || a->ro_alias == MAP_FAILED ? -1 : 0;
}

/*
 * No CAP_SYS_TIME: clock_settime must answer EPERM, and the clock stays. No
 * CAP_SYS_NICE: intervals get the HIGHRES floor, as for any user, so that
 * fuzzed nanosecond periods do not turn the guest into a timer interrupt.
 */
static int drop_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	static const int caps[] = { CAP_SYS_TIME, CAP_SYS_NICE };
	unsigned int i;

	if (syscall(SYS_capget, &h, d))
		return -1;
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		unsigned int bit = 1U << (caps[i] % 32);

		d[caps[i] / 32].effective &= ~bit;
		d[caps[i] / 32].permitted &= ~bit;
		d[caps[i] / 32].inheritable &= ~bit;
	}
	return syscall(SYS_capset, &h, d);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "calls", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	static struct thread threads[MAX_THREADS];
	unsigned long long seed = 0, rs;
	unsigned long total_ok = 0, errs[134] = { 0 };
	int nthreads = 4, c, i, e;
	struct psxtimer_info info;
	struct psxtimer_stat st = { 0 };
	double secs;
	long long t0;
	sigset_t all;

	calls_max = 100000;
	while ((c = getopt_long(argc, argv, "c:t:r:", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			calls_max = strtoull(optarg, NULL, 0);
			break;
		case 't':
			nthreads = atoi(optarg);
			break;
		case 'r':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [--calls N] [--threads N] [--seed N]\n", argv[0]);
			return 2;
		}
	}
	if (nthreads < 1 || nthreads > MAX_THREADS)
		return 2;
	if (!seed)
		seed = (unsigned long long)now_ns() ^ ((unsigned long long)getpid() << 32);
	printf("TAP version 13\n1..2\n");
	printf("# psxtimer_fuzz --calls %llu --threads %d --seed %llu\n", calls_max, nthreads,
	       seed);
	fflush(stdout);

	/* Timer signals stay pending; nothing the module sends may end us. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	if (drop_caps()) {
		printf("Bail out! cannot drop CAP_SYS_TIME and CAP_SYS_NICE: %s\n",
		       strerror(errno));
		return 1;
	}
	slots[0].type = FD_DEV;
	slots[0].fd = open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC);
	if (slots[0].fd < 0 || ioctl(slots[0].fd, PSXTIMER_IOC_INFO, &info)) {
		printf("Bail out! %s: %s\n", PSXTIMER_DEVICE, strerror(errno));
		return 1;
	}
	timer_max = info.timer_max;
	stat_implemented = ioctl(slots[0].fd, PSXTIMER_IOC_STAT, &st) == 0 || errno != ENOTTY;
	if (!stat_implemented)
		printf("# PSXTIMER_IOC_STAT is not implemented: it must answer ENOTTY\n");
	pthread_mutex_init(&slots[0].lock, NULL);
	for (i = 1; i <= NPORTS; i++) {
		slots[i].type = FD_PORT;
		pthread_mutex_init(&slots[i].lock, NULL);
		slots[i].fd = open_slot(&slots[i]);
		if (slots[i].fd < 0) {
			printf("Bail out! port create: %s\n", strerror(errno));
			return 1;
		}
	}
	rs = seed;
	t0 = now_ns();
	for (i = 0; i < nthreads; i++) {
		threads[i].rs = rnd(&rs) | 1;
		if (arena_init(&threads[i].a) ||
		    pthread_create(&threads[i].handle, NULL, fuzz_thread, &threads[i])) {
			printf("Bail out! thread setup: %s\n", strerror(errno));
			return 1;
		}
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(threads[i].handle, NULL);
		for (e = 0; e < (int)ARRAY_SIZE(errs); e++)
			errs[e] += threads[i].errs[e];
		total_ok += threads[i].calls;
	}
	secs = (now_ns() - t0) / 1e9;
	printf("# answers:");
	for (e = 0; e < (int)ARRAY_SIZE(errs); e++)
		if (errs[e])
			printf(" %s %lu,", e ? strerrorname_np(e) : "success", errs[e]);
	printf("\n");
	printf("%sok 1 fuzz: every answer documented\n", violations ? "not " : "");
	/* Still answering, and still sane, after all that. */
	e = ioctl(slots[0].fd, PSXTIMER_IOC_INFO, &info) ? errno : 0;
	printf("%sok 2 fuzz: the module still answers INFO (%s)\n",
	       e || info.timer_max != timer_max ? "not " : "", errname(e));
	printf("# calls %lu, seconds %.1f, calls/s %.0f, threads %d, violations %lu, ENOMEM %lu\n",
	       total_ok, secs, total_ok / secs, nthreads, violations, enomem);
	return violations || e;
}
