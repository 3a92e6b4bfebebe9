// SPDX-License-Identifier: GPL-2.0
/*
 * What the KUnit suites in kunit/ may call. Exported into the
 * EXPORTED_FOR_KUNIT_TESTING namespace only on kernels built with KUnit;
 * on any other kernel this file exports nothing.
 *
 * The core's functions are C++, where the EXPORT_SYMBOL macros (kernel
 * headers) cannot be used, so all exports live here, not beside their
 * definitions. checkpatch-ignore: EXPORT_SYMBOL
 */
#include <linux/export.h>
#include <kunit/visibility.h>

#include <psxtimer/core.h>

#include "psxtimer.h"

EXPORT_SYMBOL_IF_KUNIT(psx_tunables_resolve);
EXPORT_SYMBOL_IF_KUNIT(psx_core_info);
EXPORT_SYMBOL_IF_KUNIT(psx_dev_ioctl);
