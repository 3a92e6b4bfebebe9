// SPDX-License-Identifier: GPL-2.0
/*
 * Who the caller is (kapi.h): its privileges and the CPU it is bound to.
 */
#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/time64.h>
#include <linux/user_namespace.h>

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "psxtimer.h"

/*
 * Against the initial user namespace, as capable(): the floor protects the
 * whole machine's interrupt rate, which root in a user namespace does not
 * own. noaudit: an unprivileged caller meeting the floor is the normal case.
 */
int psx_may_exceed_floor(void)
{
	return ns_capable_noaudit(&init_user_ns, CAP_SYS_NICE);
}

/*
 * What the kernel's clock_settime asks (do_sys_settimeofday64): the settime
 * LSM hook, which is commoncap's CAP_SYS_TIME check plus any other LSM's
 * policy. Without CONFIG_SECURITY the hook is an inline that calls
 * cap_settime(), which modules cannot reach: its test, done here.
 */
static int psx_security_settime64(const struct timespec64 *ts)
{
#ifdef CONFIG_SECURITY
	return static_call(psx_security_settime64)(ts, NULL);
#else
	return capable(CAP_SYS_TIME) ? 0 : -EPERM;
#endif
}

int psx_may_settime(const struct psx_timespec *ts)
{
	struct timespec64 t = { .tv_sec = ts->tv_sec, .tv_nsec = ts->tv_nsec };

	return psx_security_settime64(&t);
}

int psx_current_bound_cpu(void)
{
	if (current->nr_cpus_allowed != 1)
		return -1;
	return cpumask_first(current->cpus_ptr);
}
