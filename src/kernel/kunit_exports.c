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
#include <psxtimer/kapi.h>

#include "psxtimer.h"
/* The suites' own view of what they call here, checked against the glue's. */
#include "../../kunit/psxtimer_kunit.h"

EXPORT_SYMBOL_IF_KUNIT(psx_tunables_resolve);
EXPORT_SYMBOL_IF_KUNIT(psx_core_info);
EXPORT_SYMBOL_IF_KUNIT(psx_dev_ioctl);
EXPORT_SYMBOL_IF_KUNIT(psx_dev_register);
EXPORT_SYMBOL_IF_KUNIT(psx_dev_unregister);
EXPORT_SYMBOL_IF_KUNIT(psx_kproc_alloc);
EXPORT_SYMBOL_IF_KUNIT(psx_kproc_free);
EXPORT_SYMBOL_IF_KUNIT(psx_kproc_table);
EXPORT_SYMBOL_IF_KUNIT(timer_exit);
EXPORT_SYMBOL_IF_KUNIT(psx_timer_create);
EXPORT_SYMBOL_IF_KUNIT(psx_timer_create_done);
EXPORT_SYMBOL_IF_KUNIT(psx_timer_settime);
EXPORT_SYMBOL_IF_KUNIT(psx_timer_gettime);
EXPORT_SYMBOL_IF_KUNIT(psx_timer_delete);
EXPORT_SYMBOL_IF_KUNIT(psx_timer_getoverrun);
EXPORT_SYMBOL_IF_KUNIT(psx_timer_stat);
EXPORT_SYMBOL_IF_KUNIT(psx_clock_gettime);
EXPORT_SYMBOL_IF_KUNIT(psx_clock_settime);
EXPORT_SYMBOL_IF_KUNIT(psx_clock_getres);
