/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences the KUnit suites see, in one place.
 *
 * Linux 6.13 turned symbol namespaces from bare tokens into string literals
 * (commit "module: Convert symbol namespace to string literal"), so
 * MODULE_IMPORT_NS() takes a different argument before and after.
 */
#ifndef PSXTIMER_KUNIT_COMPAT_H
#define PSXTIMER_KUNIT_COMPAT_H

#include <linux/module.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define PSX_IMPORT_KUNIT_NS() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define PSX_IMPORT_KUNIT_NS() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

#endif /* PSXTIMER_KUNIT_COMPAT_H */
