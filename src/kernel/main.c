// SPDX-License-Identifier: GPL-2.0
/*
 * psxtimer: the illumos POSIX timer subsystem as a loadable Linux module.
 * Module load/unload and parameters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/cpumask.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/utsname.h>

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>
#include <psxtimer/version.h>

#include "compat.h"
#include "psxtimer.h"

static_assert(PSX_EPERM == EPERM && PSX_ENOMEM == ENOMEM &&
	      PSX_EFAULT == EFAULT && PSX_EINVAL == EINVAL &&
	      PSX_EAGAIN == EAGAIN && PSX_EOVERFLOW == EOVERFLOW &&
	      PSX_EBADF == EBADF);

/* The core's reports (kapi.h). */
void psx_warn(const char *msg)
{
	WARN(1, "%s\n", msg);
}

void psx_bug(const char *msg)
{
	pr_emerg("%s\n", msg);
	BUG();
}

/* illumos: "cannot be tuned on a running system", hence 0444. */
static int timer_max;
module_param(timer_max, int, 0444);
MODULE_PARM_DESC(timer_max,
		 "Timers per process (0: max(32, 4 * possible CPUs); at most 4194304)");

static unsigned int clock_highres_interval_min = PSX_HIGHRES_INTERVAL_MIN_DEFAULT;
module_param(clock_highres_interval_min, uint, 0444);
MODULE_PARM_DESC(clock_highres_interval_min,
		 "Shortest HIGHRES value or interval without CAP_SYS_NICE, in ns (default 200000)");

static int __init psx_init(void)
{
	struct psx_tunables t = {
		.timer_max = timer_max,
		.ncpus = nr_cpu_ids,
		.highres_interval_min_ns = clock_highres_interval_min,
	};
	struct psx_info info;
	int err;

	if (PSX_KERNEL_TOO_NEW) {
		pr_err("refusing to load on Linux %s: psxtimer is tested up to %s, and its signal delivery uses kernel internals that change between releases\n",
		       init_utsname()->release, PSX_NEWEST_TESTED_NAME);
		return -EOPNOTSUPP;
	}
	err = clock_timer_init(&t);
	if (err) {
		pr_err("invalid parameters (timer_max=%d, clock_highres_interval_min=%u)\n",
		       timer_max, clock_highres_interval_min);
		return err;
	}
	err = psx_ksyms_resolve();
	if (err)
		goto out_fini;
	err = psx_ktimer_cache_init();
	if (err)
		goto out_fini;
	err = psx_lifecycle_init();
	if (err)
		goto out_cache;
	err = psx_dev_register();
	if (err)
		goto out_lifecycle;
	psx_debugfs_init();
	psx_core_info(&info);
	timer_max = info.timer_max;
	pr_info("version %s loaded, timer_max=%u\n", PSXTIMER_VERSION_STRING,
		info.timer_max);
	return 0;

out_lifecycle:
	psx_lifecycle_exit();
out_cache:
	psx_ktimer_cache_exit();
out_fini:
	clock_timer_fini();
	return err;
}

static void __exit psx_exit(void)
{
	psx_dev_unregister();
	psx_debugfs_exit();
	psx_lifecycle_exit();
	psx_ktimer_cache_exit();
	clock_timer_fini();
	pr_info("unloaded\n");
}

module_init(psx_init);
module_exit(psx_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("illumos POSIX timers (timer_create and friends) behind /dev/psxtimer");
MODULE_VERSION(PSXTIMER_VERSION_STRING);
MODULE_AUTHOR("The psxtimer developers");
