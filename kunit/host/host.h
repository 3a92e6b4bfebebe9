/* SPDX-License-Identifier: GPL-2.0 */
/* The host build's fake kernel (host_kapi.c), as the host-only tests see it. */
#ifndef PSXTIMER_HOST_H
#define PSXTIMER_HOST_H

#include <pthread.h>

struct psx_ktimer {
	pthread_cond_t it_cv;
	int itlk_held;		/* lockdep's view of ITLK_LOCKED */
	/* fake hrtimer */
	int armed, base, pinned;
	long long expires, interval;
	/* fake sigqueue */
	int sig_setup, signo, sig_id, sig_tid;
	unsigned long long sig_value;
	int sig_queued, sig_inflight, si_overrun, overrun_last, sig_sent;
	/* fake port event */
	int port_assoc, port_queued, port_pending, port_overrun_last, port_id;
	unsigned long long port_cookie;
	long long core[];
};

/* Core WARNs seen since the current test case started. */
extern int psx_host_warnings;
/* Knobs of the fake kernel; main.c resets them before each case. */
extern long long host_now_ns[4];
void host_reset(void);
extern long long host_timens_offset_ns[4];	/* the caller's time namespace */
extern int host_cap_sys_nice, host_cap_sys_time, host_bound_cpu;
extern int host_floor_asked, host_settime_asked;	/* privilege checks made */
extern int host_sigqueue_refused, host_signal_ignored, host_valid_tid;
extern int host_sig_target_gone;	/* the signal's thread/process has exited */
extern int host_port_fd;		/* the one fd that is a port */
extern int host_fail_alloc_after;	/* -1: never; n: the (n+1)th fails */
extern int host_ktimers;		/* timer halves alive */
extern struct psx_ktimer *host_last_ktimer;	/* the last one allocated */
extern int host_cv_waits;		/* times a thread slept on an it_cv */

/* Expire a fake hrtimer whose time has come; returns the count fired. */
unsigned long long host_hrtimer_run(struct psx_ktimer *kt);
/* A signal was taken by the process: its si_overrun, and it is unqueued. */
static inline int host_sig_accept(struct psx_ktimer *kt)
{
	kt->sig_queued = 0;
	return kt->si_overrun;
}

#endif
