// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/psxtimer: the misc device and its ioctl dispatch. Each ioctl copies
 * its argument in, calls the C++ core, and copies the result out; the fd is
 * only a door, all state belongs to the calling process.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include <linux/psxtimer.h>
#include <psxtimer/core.h>

#include "psxtimer.h"

/* One layout for 32- and 64-bit callers: compat_ptr_ioctl is enough. */
static_assert(sizeof(struct psxtimer_info) == 64);

static long psx_ioctl_info(void __user *uarg)
{
	struct psxtimer_info info = { .abi_version = PSXTIMER_ABI_VERSION };
	struct psx_info ci;

	psx_core_info(&ci);
	info.version_major = ci.version_major;
	info.version_minor = ci.version_minor;
	info.version_patch = ci.version_patch;
	info.timer_max = ci.timer_max;
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

long psx_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case PSXTIMER_IOC_INFO:
		return psx_ioctl_info(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations psx_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = psx_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice psx_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "psxtimer",
	.fops = &psx_fops,
	.mode = 0666,
};

int psx_dev_register(void)
{
	return misc_register(&psx_miscdev);
}

void psx_dev_unregister(void)
{
	misc_deregister(&psx_miscdev);
}
