// SPDX-License-Identifier: GPL-2.0
/*
 * Memory for the core (kapi.h): sleeping allocations charged to the
 * caller's memory cgroup, since timers are per-process kernel memory, and
 * the slab cache of timers. Each allocation first asks the module's fault
 * switch (fault.c). Divergence: illumos allocates with KM_SLEEP, which
 * waits for memory forever; these can fail, and the call is then ENOMEM.
 */
#include <linux/bug.h>
#include <linux/slab.h>

#include <psxtimer/core.h>
#include <psxtimer/kapi.h>

#include "psxtimer.h"

void *psx_kzalloc(unsigned long size)
{
	if (psx_should_fail_alloc())
		return NULL;
	return kzalloc(size, GFP_KERNEL_ACCOUNT);
}

void psx_kfree(const void *p)
{
	kfree(p);
}

void *psx_kvzalloc(unsigned long size)
{
	if (psx_should_fail_alloc())
		return NULL;
	return kvzalloc(size, GFP_KERNEL_ACCOUNT);
}

void psx_kvfree(const void *p)
{
	kvfree(p);
}

/*
 * Timers come from a cache of their exact size (kmalloc would round them
 * up to the next power of two), charged to the creator's memcg.
 */
static struct kmem_cache *psx_ktimer_cache;
static unsigned long psx_core_size;	/* the core's psx_itimer, asked once */

int psx_ktimer_cache_init(void)
{
	psx_core_size = psx_itimer_size();
	psx_ktimer_cache = kmem_cache_create("psxtimer_timer",
					     sizeof(struct psx_ktimer) + psx_core_size,
					     0, SLAB_ACCOUNT, NULL);
	return psx_ktimer_cache ? 0 : -ENOMEM;
}

void psx_ktimer_cache_exit(void)
{
	kmem_cache_destroy(psx_ktimer_cache);
}

void *psx_ktimer_alloc(unsigned long core_size, struct psx_ktimer **ktp)
{
	struct psx_ktimer *kt;

	if (WARN_ON_ONCE(core_size > psx_core_size))
		return NULL;
	if (psx_should_fail_alloc())
		return NULL;
	kt = kmem_cache_zalloc(psx_ktimer_cache, GFP_KERNEL);
	if (!kt)
		return NULL;
	psx_count_timer(1);
	init_waitqueue_head(&kt->it_cv);
	psx_itlk_init(kt);
	*ktp = kt;
	return kt->core;
}

void psx_ktimer_free(struct psx_ktimer *kt)
{
	kmem_cache_free(psx_ktimer_cache, kt);
	psx_count_timer(-1);
}
