// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel services behind include/psxtimer/kapi.h: the only way the C++
 * core reaches the kernel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/slab.h>

#include <psxtimer/kapi.h>

static_assert(PSX_EPERM == EPERM && PSX_ENOMEM == ENOMEM &&
	      PSX_EFAULT == EFAULT && PSX_EINVAL == EINVAL &&
	      PSX_EAGAIN == EAGAIN);

/* Charged to the caller's memcg: timers are per-process kernel memory. */
void *psx_kzalloc(unsigned long size)
{
	return kzalloc(size, GFP_KERNEL_ACCOUNT);
}

void psx_kfree(const void *p)
{
	kfree(p);
}

void psx_warn(const char *msg)
{
	WARN(1, "%s\n", msg);
}

void psx_bug(const char *msg)
{
	pr_emerg("%s\n", msg);
	BUG();
}
