// SPDX-License-Identifier: GPL-2.0
/*
 * The module's own fault-injection switch, asked before each of its
 * allocations (debugfs psxtimer/fail_alloc, and /proc/<tid>/fail-nth to
 * aim it at the Nth allocation of one call). Failing here, rather than
 * through failslab, hits psxtimer's allocations and nothing else the kernel
 * does in the call. Without CONFIG_FAULT_INJECTION_DEBUG_FS it never fails.
 */
#include <linux/debugfs.h>
#include <linux/fault-inject.h>

#include "psxtimer.h"

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
static DECLARE_FAULT_ATTR(psx_fail_alloc);
static struct dentry *psx_debugfs;

bool psx_should_fail_alloc(void)
{
	return should_fail(&psx_fail_alloc, 1);
}

void psx_debugfs_init(void)
{
	psx_debugfs = debugfs_create_dir("psxtimer", NULL);
	fault_create_debugfs_attr("fail_alloc", psx_debugfs, &psx_fail_alloc);
}

void psx_debugfs_exit(void)
{
	debugfs_remove_recursive(psx_debugfs);
}
#else
void psx_debugfs_init(void)
{
}

void psx_debugfs_exit(void)
{
}
#endif
