// SPDX-License-Identifier: GPL-2.0
/*
 * The module's counters, shown by PSXTIMER_IOC_INFO and `psxtimer info`:
 * timers and timer tables alive in every process. Plain atomics: they are
 * statistics, and nothing else is ordered by them.
 */
#include <linux/atomic.h>

#include "psxtimer.h"

atomic_t psx_ntimers = ATOMIC_INIT(0);	/* psx_count_timer(), psxtimer.h */
static atomic_t psx_nprocs = ATOMIC_INIT(0);

void psx_count_proc(int delta)
{
	atomic_add(delta, &psx_nprocs);
}

unsigned int psx_nr_timers(void)
{
	return atomic_read(&psx_ntimers);
}

unsigned int psx_nr_procs(void)
{
	return atomic_read(&psx_nprocs);
}
