// SPDX-License-Identifier: GPL-2.0
/*
 * Event ports: SIGEV_PORT/SIGEV_THREAD timers notifying a port fd that
 * read(), poll() and epoll understand; illumos's association, retrieval,
 * close and access rules. Built 64-bit and -m32.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "psxtimer.h"
#include "kselftest_harness.h"

#define EV_SIZE ((int)sizeof(struct psxtimer_port_event))

FIXTURE(port) {
	int fd, port;
};

FIXTURE_SETUP(port)
{
	self->fd = psx_open();
	ASSERT_LE(0, self->fd);
	self->port = psx_port(self->fd, PSXTIMER_PORT_CLOEXEC);
	ASSERT_LE(0, self->port);
}

FIXTURE_TEARDOWN(port)
{
	close(self->port);
	close(self->fd);
}

/* Non-blocking read of up to n events; the count, or -errno. */
static int take(int port, struct psxtimer_port_event *ev, int n)
{
	int fl = fcntl(port, F_GETFL);
	ssize_t r;

	fcntl(port, F_SETFL, fl | O_NONBLOCK);
	r = read(port, ev, n * EV_SIZE);
	fcntl(port, F_SETFL, fl);
	if (r < 0)
		return -errno;
	return r / EV_SIZE;
}

TEST_F(port, create_flags_and_errors)
{
	struct psxtimer_port_create c = { 0 };
	char link[64] = "";
	char path[64];
	int p;

	EXPECT_TRUE(fcntl(self->port, F_GETFD) & FD_CLOEXEC);
	EXPECT_FALSE(fcntl(self->port, F_GETFL) & O_NONBLOCK);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->port);
	EXPECT_LT(0, readlink(path, link, sizeof(link) - 1));
	EXPECT_STREQ("anon_inode:[psxtimer-port]", link);
	p = psx_port(self->fd, PSXTIMER_PORT_NONBLOCK);
	ASSERT_LE(0, p);
	EXPECT_FALSE(fcntl(p, F_GETFD) & FD_CLOEXEC);
	EXPECT_TRUE(fcntl(p, F_GETFL) & O_NONBLOCK);
	close(p);
	EXPECT_EQ(-EINVAL, psx_port(self->fd, 4));
	c.__reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_PORT_CREATE, &c));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_PORT_CREATE, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* A port is not /dev/psxtimer: no ioctls on it. */
	EXPECT_EQ(-1, ioctl(self->port, PSXTIMER_IOC_INFO, &c));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(port, bad_or_foreign_fds)
{
	int pipefd[2];

	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_EQ(-EBADF, psx_port_timer(self->fd, CLOCK_MONOTONIC, 999, 0));
	EXPECT_EQ(-EBADF, psx_port_timer(self->fd, CLOCK_MONOTONIC, -1, 0));
	EXPECT_EQ(-EINVAL, psx_port_timer(self->fd, CLOCK_MONOTONIC, pipefd[0], 0));
	EXPECT_EQ(-EINVAL, psx_port_timer(self->fd, CLOCK_MONOTONIC, self->fd, 0));
	/* Nothing half-made: the next timer is id 0. */
	EXPECT_EQ(0, psx_port_timer(self->fd, CLOCK_MONOTONIC, self->port, 0));
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_F(port, one_event_counts_fires_until_read)
{
	struct psxtimer_port_event ev[4];
	int id = psx_port_timer(self->fd, CLOCK_MONOTONIC, self->port, 0xc0ffee);
	long long t0, t1, period = 2000000;
	struct psxtimer_timespec res;

	ASSERT_EQ(0, id);
	EXPECT_EQ(0, psx_getoverrun(self->fd, id));
	/* Intervals round up to the clock's resolution (a tick without hres). */
	ASSERT_EQ(0, psx_clock(self->fd, PSXTIMER_IOC_CLOCK_GETRES, PSXTIMER_CLOCK_MONOTONIC, &res));
	if (ts_ns(&res) > period)
		period = ts_ns(&res);
	t0 = now_ns(CLOCK_MONOTONIC);
	/* Nobody reading for 50 periods: one event, ~50 fires. */
	ASSERT_EQ(0, psx_settime(self->fd, id, 0, period, period, NULL));
	usleep(50 * period / 1000);
	ASSERT_EQ(0, psx_settime(self->fd, id, 0, 0, 0, NULL));
	t1 = now_ns(CLOCK_MONOTONIC);
	ASSERT_EQ(1, take(self->port, ev, 4));
	EXPECT_EQ(id, ev[0].timer_id);
	EXPECT_EQ(0xc0ffee, ev[0].cookie);
	EXPECT_EQ(PSXTIMER_PORT_SOURCE_TIMER, ev[0].source);
	EXPECT_LE(49, ev[0].events);
	EXPECT_GE((t1 - t0) / period + 1, ev[0].events);
	/* getoverrun on a port timer: the last retrieved count minus one. */
	EXPECT_EQ((int)ev[0].events - 1, psx_getoverrun(self->fd, id));
	EXPECT_EQ(-EAGAIN, take(self->port, ev, 4));
	/* The event is re-armed: the next fire queues it again, counting from 0. */
	ASSERT_EQ(0, psx_settime(self->fd, id, 0, 1000000, 0, NULL));
	usleep(20000);
	ASSERT_EQ(1, take(self->port, ev, 4));
	EXPECT_EQ(1, ev[0].events);
	EXPECT_EQ(0, psx_getoverrun(self->fd, id));
}

TEST_F(port, read_returns_whole_events_only)
{
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct psxtimer_port_event ev[3];
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(i, psx_port_timer(self->fd, CLOCK_MONOTONIC, self->port, i));
		ASSERT_EQ(0, psx_settime(self->fd, i, 0, 1000000, 0, NULL));
	}
	usleep(30000);
	EXPECT_EQ(-1, read(self->port, ev, EV_SIZE - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(self->port, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Room for two and a half: two. */
	EXPECT_EQ(2 * EV_SIZE, read(self->port, ev, 2 * EV_SIZE + EV_SIZE / 2));
	EXPECT_EQ(0, ev[0].timer_id);
	EXPECT_EQ(1, ev[1].timer_id);
	EXPECT_EQ(EV_SIZE, read(self->port, ev, sizeof(ev)));
	EXPECT_EQ(2, ev[0].timer_id);
	EXPECT_EQ(2, ev[0].cookie);
	/* A buffer that cannot be written (read-only page). */
	ASSERT_EQ(0, psx_settime(self->fd, 0, 0, 1000000, 0, NULL));
	usleep(20000);
	EXPECT_EQ(-1, read(self->port, ro, EV_SIZE));
	EXPECT_EQ(EFAULT, errno);
	/* The event was not lost: it is still there for a good buffer. */
	EXPECT_EQ(EV_SIZE, read(self->port, ev, EV_SIZE));
	munmap(ro, 4096);
}

/*
 * read() takes events in batches of 16 (port.c, PORT_BATCH): more than
 * one batch in one call, and a full batch that empties the queue.
 */
TEST_F(port, read_takes_several_batches)
{
	struct psxtimer_port_event ev[32];
	int i, n;

	for (n = 16; n <= 20; n += 4) {
		for (i = 0; i < n; i++) {
			ASSERT_EQ(i, psx_port_timer(self->fd, CLOCK_MONOTONIC, self->port, i));
			ASSERT_EQ(0, psx_settime(self->fd, i, 0, 1000000, 0, NULL));
		}
		usleep(30000);
		EXPECT_EQ(n * EV_SIZE, read(self->port, ev, sizeof(ev)));
		for (i = 0; i < n; i++) {
			EXPECT_EQ(i, ev[i].timer_id);
			EXPECT_EQ(1, ev[i].events);
		}
		EXPECT_EQ(-EAGAIN, take(self->port, ev, 1));
		for (i = 0; i < n; i++)
			ASSERT_EQ(0, psx_delete(self->fd, i));
	}
}

/* No fd left for the port: create fails as open() would, with nothing made. */
TEST_F(port, create_without_a_free_fd_is_emfile)
{
	struct rlimit old, low;
	int next = dup(self->fd);

	ASSERT_LE(0, next);
	close(next);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	low = old;
	low.rlim_cur = next;	/* every fd below it is open */
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &low));
	EXPECT_EQ(-EMFILE, psx_port(self->fd, 0));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	next = psx_port(self->fd, 0);
	EXPECT_LE(0, next);
	close(next);
}

static void *fire_later(void *arg)
{
	int *fds = arg;

	usleep(50000);
	psx_settime(fds[0], fds[1], 0, 1000000, 0, NULL);
	return NULL;
}

TEST_F(port, blocking_read_woken_by_a_fire)
{
	struct psxtimer_port_event ev;
	int id = psx_port_timer(self->fd, CLOCK_REALTIME, self->port, 5);
	int fds[2] = { self->fd, id };
	pthread_t th;

	ASSERT_EQ(0, id);
	ASSERT_EQ(0, pthread_create(&th, NULL, fire_later, fds));
	EXPECT_EQ(EV_SIZE, read(self->port, &ev, EV_SIZE));
	EXPECT_EQ(5, ev.cookie);
	EXPECT_EQ(1, ev.events);
	pthread_join(th, NULL);
}

static void on_usr1(int sig)
{
}

static void *signal_later(void *arg)
{
	usleep(50000);
	kill(getpid(), SIGUSR1);
	return NULL;
}

TEST_F(port, blocking_read_woken_by_a_signal)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	struct psxtimer_port_event ev;
	pthread_t th;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, psx_port_timer(self->fd, CLOCK_MONOTONIC, self->port, 0));
	ASSERT_EQ(0, pthread_create(&th, NULL, signal_later, NULL));
	EXPECT_EQ(-1, read(self->port, &ev, EV_SIZE));
	EXPECT_EQ(EINTR, errno);
	pthread_join(th, NULL);
}

TEST_F(port, nonblocking_port_and_poll)
{
	struct psxtimer_port_event ev;
	struct pollfd pfd;
	int p = psx_port(self->fd, PSXTIMER_PORT_NONBLOCK | PSXTIMER_PORT_CLOEXEC);
	int id = psx_port_timer(self->fd, CLOCK_BOOTTIME, p, 1);

	ASSERT_LE(0, p);
	ASSERT_EQ(0, id);
	EXPECT_EQ(-1, read(p, &ev, EV_SIZE));
	EXPECT_EQ(EAGAIN, errno);
	pfd = (struct pollfd){ .fd = p, .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 20));
	ASSERT_EQ(0, psx_settime(self->fd, id, 0, 10000000, 0, NULL));
	EXPECT_EQ(1, poll(&pfd, 1, 2000));
	EXPECT_TRUE(pfd.revents & POLLIN);
	EXPECT_EQ(EV_SIZE, read(p, &ev, EV_SIZE));
	/* Drained: no longer readable. */
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	close(p);
}

TEST_F(port, delete_drops_the_queued_event)
{
	struct psxtimer_port_event ev;
	int id = psx_port_timer(self->fd, CLOCK_MONOTONIC, self->port, 0);
	int other = psx_port_timer(self->fd, CLOCK_MONOTONIC, self->port, 1);

	ASSERT_EQ(0, psx_settime(self->fd, id, 0, 1000000, 0, NULL));
	ASSERT_EQ(0, psx_settime(self->fd, other, 0, 5000000, 0, NULL));
	usleep(30000);
	ASSERT_EQ(0, psx_delete(self->fd, id));
	ASSERT_EQ(1, take(self->port, &ev, 1));
	EXPECT_EQ(other, ev.timer_id);
	EXPECT_EQ(-EAGAIN, take(self->port, &ev, 1));
}

TEST_F(port, close_leaves_timers_alive_and_silent)
{
	struct psxtimer_itimerspec v = { 0 };
	int id = psx_port_timer(self->fd, CLOCK_MONOTONIC, self->port, 0);
	struct psxtimer_port_event ev;
	int p2;

	ASSERT_EQ(0, psx_settime(self->fd, id, 0, 1000000, 1000000, NULL));
	usleep(10000);
	close(self->port);
	/* Still armed, still ours: gettime, settime, getoverrun, delete work. */
	ASSERT_EQ(0, psx_gettime(self->fd, id, &v));
	EXPECT_EQ(1000000, ts_ns(&v.it_interval));
	EXPECT_EQ(0, psx_settime(self->fd, id, 0, 500000, 500000, NULL));
	usleep(10000);
	EXPECT_LE(0, psx_getoverrun(self->fd, id));
	/* A new port does not get the old timer's events. */
	p2 = psx_port(self->fd, 0);
	self->port = p2;
	usleep(10000);
	EXPECT_EQ(-EAGAIN, take(p2, &ev, 1));
	EXPECT_EQ(0, psx_delete(self->fd, id));
}

/*
 * Another process that holds the port can neither take our events nor
 * associate its own timers (which would queue ahead of ours), even with
 * the port empty: read does not block.
 */
static void expect_eacces_in_child(struct __test_metadata *_metadata, int dev, int port,
				   int sock)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct psxtimer_port_event ev;
		int p = port;

		if (sock >= 0) {
			char c;
			char cbuf[CMSG_SPACE(sizeof(int))];
			struct iovec iov = { &c, 1 };
			struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
					      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };

			if (recvmsg(sock, &msg, 0) != 1)
				_exit(3);
			memcpy(&p, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
		}
		if (read(p, &ev, EV_SIZE) != -1 || errno != EACCES)
			_exit(1);
		if (psx_port_timer(dev, CLOCK_MONOTONIC, p, 0) != -EACCES)
			_exit(2);
		/* The refused association left no timer behind. */
		if (psx_create(dev, CLOCK_MONOTONIC, NULL) != 0)
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(port, other_processes_get_eacces)
{
	struct psxtimer_port_event ev;
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char c = 'x';
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int sv[2], id;

	id = psx_port_timer(self->fd, CLOCK_MONOTONIC, self->port, 0);
	ASSERT_EQ(0, psx_settime(self->fd, id, 0, 1000000, 0, NULL));
	usleep(20000);
	/* Inherited over fork, with an event queued and without. */
	expect_eacces_in_child(_metadata, self->fd, self->port, -1);
	EXPECT_EQ(1, take(self->port, &ev, 1));
	expect_eacces_in_child(_metadata, self->fd, self->port, -1);
	ASSERT_EQ(0, psx_settime(self->fd, id, 0, 1000000, 0, NULL));
	usleep(20000);
	/* Passed over a unix socket. */
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &self->port, sizeof(int));
	ASSERT_EQ(1, sendmsg(sv[0], &msg, 0));
	expect_eacces_in_child(_metadata, self->fd, -1, sv[1]);
	close(sv[0]);
	close(sv[1]);
	/* The owner still gets it. */
	EXPECT_EQ(1, take(self->port, &ev, 1));
}

TEST_F(port, sigev_thread_is_a_port_underneath)
{
	struct psxtimer_sigevent sev = {
		.sigev_notify = PSXTIMER_SIGEV_THREAD, .sigev_port = self->port,
		.sigev_value = 77,
	};
	struct psxtimer_port_event ev;
	int id = psx_create(self->fd, CLOCK_MONOTONIC, &sev);

	ASSERT_EQ(0, id);
	ASSERT_EQ(0, psx_settime(self->fd, id, 0, 1000000, 0, NULL));
	EXPECT_EQ(EV_SIZE, read(self->port, &ev, EV_SIZE));
	EXPECT_EQ(77, ev.cookie);
}

TEST_F(port, exit_with_open_port_and_armed_timers)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int i, p = psx_port(self->fd, 0);

		for (i = 0; i < 16; i++)
			if (psx_port_timer(self->fd, i % 2 ? CLOCK_REALTIME : CLOCK_MONOTONIC, p, i) != i ||
			    psx_settime(self->fd, i, 0, 100000, 300000, NULL))
				_exit(1);
		usleep(10000);
		_exit(0);	/* port and timers still live */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

struct racer {
	int fd, *port, iterations, bad;
	pthread_mutex_t *lock;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	unsigned int seed = (unsigned long)r;
	struct psxtimer_port_event ev[4];
	int i, ret, p;

	for (i = 0; i < r->iterations; i++) {
		int id = rand_r(&seed) % 16;

		switch (rand_r(&seed) % 4) {
		case 0:
			p = __atomic_load_n(r->port, __ATOMIC_RELAXED);
			ret = psx_port_timer(r->fd, CLOCK_MONOTONIC, p, id);
			if (ret >= 0)
				ret = psx_settime(r->fd, ret, 0, 200000, 300000, NULL);
			/* The port may be closed, or its number reused, under us. */
			r->bad += ret < 0 && ret != -EAGAIN && ret != -EBADF &&
				  ret != -EINVAL;
			break;
		case 1:
			ret = psx_delete(r->fd, id);
			r->bad += ret && ret != -EINVAL;
			break;
		case 2:
			/* Ports here are O_NONBLOCK: take() would race on the flags. */
			ret = read(__atomic_load_n(r->port, __ATOMIC_RELAXED), ev, sizeof(ev));
			r->bad += ret < 0 && errno != EAGAIN && errno != EBADF;
			break;
		default:
			if (rand_r(&seed) % 16)
				break;
			pthread_mutex_lock(r->lock);
			p = __atomic_load_n(r->port, __ATOMIC_RELAXED);
			__atomic_store_n(r->port, psx_port(r->fd, PSXTIMER_PORT_NONBLOCK),
					 __ATOMIC_RELAXED);
			close(p);
			pthread_mutex_unlock(r->lock);
			break;
		}
	}
	return NULL;
}

TEST_F(port, eight_threads_race_delete_close_read)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct racer r[8];
	pthread_t th[8];
	int i;

	close(self->port);
	self->port = psx_port(self->fd, PSXTIMER_PORT_NONBLOCK);
	ASSERT_LE(0, self->port);
	for (i = 0; i < 8; i++) {
		r[i] = (struct racer){ .fd = self->fd, .port = &self->port,
				       .iterations = 2000, .lock = &lock };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, race, &r[i]));
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, r[i].bad);
	}
}

TEST_HARNESS_MAIN
