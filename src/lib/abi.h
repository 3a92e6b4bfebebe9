/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ABI check that libpsxtimer and the interposer make once per process,
 * on the fd they opened: a module whose PSXTIMER_IOC_INFO says another ABI
 * (or has no INFO at all) lays out its structures otherwise, so none of its
 * ioctls may be trusted; one of our ABI that lacks an addition this library
 * calls is too old for it. PSXTIMER_LIB_ABI is the ABI this build speaks; the
 * only reason to set it is a test that fakes a mismatch (src/lib/Makefile's
 * abi-mismatch builds, selftests/lib_abi_test.c).
 *
 * ENOSYS is the library's errno, not a syscall's: POSIX's "function not
 * supported", which is what a module of another ABI amounts to.
 * checkpatch-ignore: ENOSYS
 */
#ifndef PSXTIMER_LIB_ABI_H
#define PSXTIMER_LIB_ABI_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/psxtimer.h>

#ifndef PSXTIMER_LIB_ABI
#define PSXTIMER_LIB_ABI PSXTIMER_ABI_VERSION
#endif

/*
 * The additions to the ABI this build calls (uapi's PSXTIMER_FEATURE_*): a
 * module of our ABI without one of them is older than this library. A test
 * may ask for one no module has (selftests/Makefile's lib_features_test).
 */
#ifndef PSXTIMER_LIB_FEATURES
#define PSXTIMER_LIB_FEATURES PSXTIMER_FEATURES_ALL
#endif

/*
 * 0 when the module behind fd speaks our ABI. Else -1 with errno ENOSYS
 * (the calls are not there, as far as this library can tell) and why, one
 * line without a newline, in buf.
 */
static inline int psx_abi_check(int fd, char *buf, size_t len)
{
	struct psxtimer_info info;

	if (ioctl(fd, PSXTIMER_IOC_INFO, &info) < 0) {
		snprintf(buf, len, "%s: PSXTIMER_IOC_INFO: %s", PSXTIMER_DEVICE, strerror(errno));
		errno = ENOSYS;
		return -1;
	}
	if (info.abi_version != PSXTIMER_LIB_ABI) {
		snprintf(buf, len, "%s: the module speaks ABI %u, this library ABI %u",
			 PSXTIMER_DEVICE, info.abi_version, PSXTIMER_LIB_ABI);
		errno = ENOSYS;
		return -1;
	}
	if ((info.features & PSXTIMER_LIB_FEATURES) != PSXTIMER_LIB_FEATURES) {
		snprintf(buf, len,
			 "%s: the module is older than this library (features 0x%x, it needs 0x%x)",
			 PSXTIMER_DEVICE, info.features, (unsigned int)PSXTIMER_LIB_FEATURES);
		errno = ENOSYS;
		return -1;
	}
	return 0;
}

#endif /* PSXTIMER_LIB_ABI_H */
