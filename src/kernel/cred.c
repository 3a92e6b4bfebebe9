// SPDX-License-Identifier: GPL-2.0
/*
 * Who the caller is (kapi.h): its privileges and the CPU it is bound to.
 */
#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/sched.h>

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "psxtimer.h"

int psx_capable(int cap)
{
	return capable(cap == PSX_CAP_SYS_NICE ? CAP_SYS_NICE : CAP_SYS_TIME);
}

int psx_current_bound_cpu(void)
{
	if (current->nr_cpus_allowed != 1)
		return -1;
	return cpumask_first(current->cpus_ptr);
}
