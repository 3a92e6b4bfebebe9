/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * psxtimer: the illumos POSIX timer subsystem as a Linux module.
 *
 * The ioctl ABI of /dev/psxtimer, the one contract with userspace. Every
 * structure has the same layout for 32- and 64-bit processes (fixed-width
 * fields, explicit padding), so the module's compat_ioctl is compat_ptr_ioctl.
 * Reserved fields are zero on output, and must be zero on input.
 */
#ifndef _UAPI_LINUX_PSXTIMER_H
#define _UAPI_LINUX_PSXTIMER_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PSXTIMER_DEVICE "/dev/psxtimer"

/* Bumped on any incompatible change; additions use reserved fields. */
#define PSXTIMER_ABI_VERSION 1

#define PSXTIMER_IOC_MAGIC 0xE7

/* PSXTIMER_IOC_INFO: the module's version and limits. */
struct psxtimer_info {
	__u32 abi_version;	/* PSXTIMER_ABI_VERSION */
	__u32 version_major;	/* module version */
	__u32 version_minor;
	__u32 version_patch;
	__u32 timer_max;	/* timers per process (module param) */
	__u32 __reserved[11];	/* zero */
};

#define PSXTIMER_IOC_INFO _IOR(PSXTIMER_IOC_MAGIC, 0x00, struct psxtimer_info)

#endif /* _UAPI_LINUX_PSXTIMER_H */
