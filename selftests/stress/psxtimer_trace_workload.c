// SPDX-License-Identifier: GPL-2.0
/*
 * What scripts/trace-test traces: one process that takes each of
 * psxtimer's trace events through its paces, in an order that does not
 * depend on timing. Each step waits for the state it needs (a signal
 * pending, an overrun counted), never for a time.
 *
 *   psxtimer_trace_workload           timers 0 (signal) and 1 (port), exec
 *   psxtimer_trace_workload after     (the exec'd image) timer 0, exit
 *
 * Before it starts, it reads a line on stdin: the tracer is ready.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/psxtimer.h>

#include "../../src/lib/psxtimer.h"

#define MS 1000000L

static int die(const char *what)
{
	fprintf(stderr, "psxtimer_trace_workload: %s: %s\n", what, strerror(errno));
	return 1;
}

/* The expirations that timer id's queued notification stands for (stat). */
static int pending(int id)
{
	struct psxtimer_stat_timer t[4];
	struct psxtimer_stat st = { .count = 4, .timers = (unsigned long)t };
	int fd = open(PSXTIMER_DEVICE, O_RDONLY | O_CLOEXEC);
	unsigned int i;
	int ret = -1;

	if (fd < 0 || ioctl(fd, PSXTIMER_IOC_STAT, &st))
		goto out;
	for (i = 0; i < st.count && i < 4; i++)
		if (t[i].timer_id == id)
			ret = t[i].pending;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGRTMIN,
		.sigev_value.sival_int = 42,
	};
	struct itimerspec hour = { .it_value = { 3600, 0 } };
	struct itimerspec ms = { { 0, MS }, { 0, MS } }, stop = { 0 }, old;
	struct itimerspec once = { .it_value = { 0, MS } };
	psx_port_notify_t pn;
	psx_port_event_t ev;
	psx_timer_t sig, port_timer;
	char line[16];
	sigset_t set;
	siginfo_t si;
	int port, p, n;

	if (argc > 1) {
		/* After exec: the table is new, so this is timer 0 again; exit takes it. */
		if (psx_timer_create(CLOCK_REALTIME, NULL, &sig) ||
		    psx_timer_settime(sig, 0, &hour, NULL))
			return die("timer_create after exec");
		return 0;
	}
	if (!fgets(line, sizeof(line), stdin))
		return die("stdin");

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/*
	 * Timer 0: armed far away (not asking for the old value), then every
	 * 1 ms (asking), signals not taken at once.
	 */
	if (psx_timer_create(CLOCK_MONOTONIC, &sev, &sig) ||
	    psx_timer_settime(sig, 0, &hour, NULL) || psx_timer_settime(sig, 0, &ms, &old))
		return die("timer 0");
	if (sigwaitinfo(&set, &si) < 0)
		return die("sigwaitinfo");
	/*
	 * A new signal queued (pending > 0), then a fire counted as its
	 * overrun while it waits (pending grows): a fire that found no
	 * signal queued may have stood for several missed periods at once.
	 */
	while ((p = pending(sig)) == 0)
		usleep(1000);
	while ((n = pending(sig)) == p)
		usleep(1000);
	if (p < 0 || n < 0)
		return die("stat");
	if (sigwaitinfo(&set, &si) < 0)
		return die("sigwaitinfo");
	/* getoverrun finds that signal taken: the latch. */
	if (psx_timer_getoverrun(sig) < 1)
		return die("getoverrun");
	/* Disarmed through PSXTIMER_IOC_BATCH, which traces its settimes too. */
	if (psx_timer_settime_n(1, &sig, 0, &stop, &old, NULL) || psx_timer_delete(sig))
		return die("timer 0 delete");

	/* Timer 1 (id 0 is free again: 0), on a port, once. */
	port = psx_port_create();
	if (port < 0)
		return die("port_create");
	pn.portnfy_port = port;
	pn.portnfy_user = NULL;
	sev.sigev_notify = PSX_SIGEV_PORT;
	sev.sigev_value.sival_ptr = &pn;
	if (psx_timer_create(CLOCK_BOOTTIME, &sev, &port_timer) ||
	    psx_timer_settime(port_timer, 0, &once, NULL))
		return die("port timer");
	if (psx_port_get(port, &ev, NULL))
		return die("port_get");
	/* exec deletes it. */
	execl("/proc/self/exe", argv[0], "after", (char *)NULL);
	return die("exec");
}
