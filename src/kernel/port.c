// SPDX-License-Identifier: GPL-2.0
/*
 * Event ports: illumos's SIGEV_PORT (and SIGEV_THREAD, which libc builds on
 * a port) in a Linux shape, a file descriptor that read(), poll(), select()
 * and epoll understand, so many timers can feed one event loop.
 *
 * Each port timer has one event, allocated with the timer (never in the
 * fire path). A fire queues it on the port if it is not queued already;
 * fires while it is queued only count (illumos it_pending). read() takes
 * events off the queue: the count goes to userspace and starts again, and
 * the event is ready for the next fire (timer_port_callback).
 *
 * Locking. port->lock (irq-safe: the fire path is the hrtimer callback,
 * hardirq except on PREEMPT_RT) protects the queue, the list of associated
 * timers, and each associated event's fields. A timer reaches its port
 * through an RCU pointer that is cleared, under port->lock, when the timer
 * is deleted or the port closed; the port is freed after a grace period
 * once its last reference is gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/limits.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include <linux/psxtimer.h>
#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "compat.h"
#include "psxtimer.h"
#include "trace.h"

struct psx_port {
	spinlock_t lock;
	wait_queue_head_t wq;
	struct list_head queue;		/* queued events, oldest first */
	struct list_head timers;	/* associated events */
	struct kref ref;		/* the file, and one per associated timer */
	struct pid *owner;		/* the process that made it: the only one that may use it */
	struct rcu_head rcu;
};

static void port_free(struct kref *ref)
{
	struct psx_port *port = container_of(ref, struct psx_port, ref);

	put_pid(port->owner);
	kfree_rcu(port, rcu);
}

static void port_put(struct psx_port *port)
{
	kref_put(&port->ref, port_free);
}

static const struct file_operations psx_port_fops;

/* The port behind fd, with a reference: -EBADF, or -EINVAL if not a port. */
static struct psx_port *port_get_fd(int fd)
{
	struct psx_port *port = ERR_PTR(-EINVAL);
	struct fd f = fdget(fd);

	if (!fd_file(f))
		return ERR_PTR(-EBADF);
	if (fd_file(f)->f_op == &psx_port_fops) {
		port = fd_file(f)->private_data;
		kref_get(&port->ref);
	}
	fdput(f);
	return port;
}

int psx_port_setup(struct psx_ktimer *kt, int fd, unsigned long long cookie,
		   int timer_id)
{
	struct psx_portev *ev = &kt->portev;
	struct psx_port *port = port_get_fd(fd);

	if (IS_ERR(port))
		return PTR_ERR(port);
	/*
	 * illumos: a port belongs to its creator; another process holding
	 * the fd cannot use it, so it cannot queue events ahead of the owner's.
	 */
	if (port->owner != task_tgid(current)) {
		port_put(port);
		return -EACCES;
	}
	INIT_LIST_HEAD(&ev->qnode);
	ev->cookie = cookie;
	ev->timer_id = timer_id;
	spin_lock_irq(&port->lock);
	list_add_tail(&ev->anode, &port->timers);
	rcu_assign_pointer(ev->port, port);
	spin_unlock_irq(&port->lock);
	return 0;		/* the association keeps the reference */
}

/* port->lock held: unlink the event from its port. */
static void dissociate(struct psx_port *port, struct psx_portev *ev)
{
	list_del_init(&ev->anode);
	if (ev->queued) {
		list_del_init(&ev->qnode);
		ev->queued = false;
	}
	RCU_INIT_POINTER(ev->port, NULL);
}

/* timer_destroy's dissociate path: a queued event goes with it. */
void psx_port_teardown(struct psx_ktimer *kt)
{
	struct psx_portev *ev = &kt->portev;
	struct psx_port *port;
	bool put = false;

	rcu_read_lock();
	port = rcu_dereference(ev->port);
	if (port) {
		spin_lock_irq(&port->lock);
		if (rcu_access_pointer(ev->port) == port) {
			dissociate(port, ev);
			put = true;
		}
		spin_unlock_irq(&port->lock);
	}
	rcu_read_unlock();
	if (put)
		port_put(port);
}

/* port_send_event, from the hrtimer callback. */
int psx_port_fire(struct psx_ktimer *kt, unsigned long long count)
{
	struct psx_portev *ev = &kt->portev;
	struct psx_port *port;
	unsigned long flags;
	int heard = 1;

	rcu_read_lock();
	port = rcu_dereference(ev->port);
	if (!port) {
		heard = 0;	/* the port was closed: a SIGEV_NONE timer now */
		goto out;
	}
	spin_lock_irqsave(&port->lock, flags);
	if (rcu_access_pointer(ev->port) == port) {
		if (ev->queued) {
			ev->pending = psx_count_add(ev->pending, count);
		} else {
			ev->pending = psx_count_add(0, count);
			ev->queued = true;
			list_add_tail(&ev->qnode, &port->queue);
			trace_psxtimer_port_queued(kt, ev->pending);
			wake_up_interruptible_poll(&port->wq, EPOLLIN | EPOLLRDNORM);
		}
	}
	spin_unlock_irqrestore(&port->lock, flags);
out:
	rcu_read_unlock();
	return heard;
}

int psx_port_getoverrun(struct psx_ktimer *kt)
{
	return READ_ONCE(kt->portev.overrun_last);
}

void psx_port_stat(struct psx_ktimer *kt, struct psx_timer_stat *st)
{
	struct psx_portev *ev = &kt->portev;
	struct psx_port *port;

	st->value = ev->cookie;
	st->overrun = READ_ONCE(ev->overrun_last);
	rcu_read_lock();
	port = rcu_dereference(ev->port);
	if (port) {
		spin_lock_irq(&port->lock);
		if (rcu_access_pointer(ev->port) == port && ev->queued)
			st->pending = ev->pending;
		spin_unlock_irq(&port->lock);
	}
	rcu_read_unlock();
}

/*
 * Take up to max events into out[] (timer_port_callback for each): the
 * number taken, 0 if the queue is empty.
 */
static int port_take(struct psx_port *port, struct psxtimer_port_event *out,
		     int max)
{
	int n = 0;

	spin_lock_irq(&port->lock);
	while (n < max && !list_empty(&port->queue)) {
		struct psx_portev *ev = list_first_entry(&port->queue,
							 struct psx_portev, qnode);

		list_del_init(&ev->qnode);
		ev->queued = false;
		out[n] = (struct psxtimer_port_event) {
			.cookie = ev->cookie,
			.timer_id = ev->timer_id,
			.events = ev->pending,
			.source = PSXTIMER_PORT_SOURCE_TIMER,
		};
		WRITE_ONCE(ev->overrun_last, ev->pending - 1);
		trace_psxtimer_port_read(container_of(ev, struct psx_ktimer, portev),
					 ev->pending);
		ev->pending = 0;
		n++;
	}
	spin_unlock_irq(&port->lock);
	return n;
}

static bool port_ready(struct psx_port *port)
{
	return !list_empty_careful(&port->queue);
}

#define PORT_BATCH 16

static ssize_t psx_port_read(struct file *file, char __user *buf, size_t len,
			     loff_t *ppos)
{
	const size_t size = sizeof(struct psxtimer_port_event);
	struct psxtimer_port_event batch[PORT_BATCH];
	struct psx_port *port = file->private_data;
	size_t done = 0;
	int n, err;

	if (len < size)
		return -EINVAL;
	if (port->owner != task_tgid(current))
		return -EACCES;
	for (;;) {
		int room = min_t(size_t, PORT_BATCH, (len - done) / size);

		/*
		 * Taking an event resets its count, so make sure the buffer
		 * takes it first: a bad buffer fails with nothing lost (short
		 * of it being unmapped in the instant between).
		 */
		if (clear_user(buf + done, room * size))
			return done ? done : -EFAULT;
		n = port_take(port, batch, room);
		if (n) {
			if (copy_to_user(buf + done, batch, n * size))
				return done ? done : -EFAULT;
			done += n * size;
			if (n == PORT_BATCH && len - done >= size)
				continue;
			return done;
		}
		if (done)
			return done;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(port->wq, port_ready(port));
		if (err)
			return err;
	}
}

static __poll_t psx_port_poll(struct file *file, poll_table *wait)
{
	struct psx_port *port = file->private_data;

	poll_wait(file, &port->wq, wait);
	return port_ready(port) ? EPOLLIN | EPOLLRDNORM : 0;
}

/*
 * The last close (timer_close_port): every associated timer stays alive and
 * armed but notifies nothing; its id remains valid for its owner, and its
 * hrtimer stops at its next fire. Divergence: illumos walks the closing
 * process's own timers, matching the port by fd number; here the port
 * keeps its timers on a list, whoever closes it last.
 */
static int psx_port_release(struct inode *inode, struct file *file)
{
	struct psx_port *port = file->private_data;
	struct psx_portev *ev, *next;
	int refs = 0;

	spin_lock_irq(&port->lock);
	list_for_each_entry_safe(ev, next, &port->timers, anode) {
		dissociate(port, ev);
		refs++;
	}
	spin_unlock_irq(&port->lock);
	while (refs--)
		port_put(port);
	port_put(port);
	return 0;
}

static const struct file_operations psx_port_fops = {
	.owner = THIS_MODULE,
	.read = psx_port_read,
	.poll = psx_port_poll,
	.release = psx_port_release,
	.llseek = noop_llseek,
};

/* A new port's file (PSXTIMER_IOC_PORT_CREATE), or an ERR_PTR. */
struct file *psx_port_file(unsigned int flags)
{
	struct psx_port *port;
	struct file *file;

	port = psx_should_fail_alloc() ? NULL : kzalloc(sizeof(*port), GFP_KERNEL_ACCOUNT);
	if (!port)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&port->lock);
	init_waitqueue_head(&port->wq);
	INIT_LIST_HEAD(&port->queue);
	INIT_LIST_HEAD(&port->timers);
	kref_init(&port->ref);
	port->owner = get_pid(task_tgid(current));
	file = anon_inode_getfile("[psxtimer-port]", &psx_port_fops, port,
				  O_RDONLY | (flags & PSXTIMER_PORT_NONBLOCK ? O_NONBLOCK : 0));
	if (IS_ERR(file)) {
		put_pid(port->owner);
		kfree(port);
	}
	return file;
}
