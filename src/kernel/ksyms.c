// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel functions psxtimer needs that are not exported to modules: the
 * POSIX-timer signal primitives (sigqueue_alloc/free, send_sigqueue,
 * flush_itimer_signals), the siglock helper behind lock_task_sighand(), the
 * CPU-time readers, and the settime LSM hook that the kernel's own
 * clock_settime runs.
 * Resolved once at load through kallsyms_lookup_name, itself found with a
 * kprobe (it is not exported either since 5.7). If any is missing, the
 * module refuses to load.
 *
 * With IBT enforced, objtool "seals" functions nobody takes the address
 * of: their ENDBR is gone and an indirect call to them faults. Such a
 * kernel is refused at load with a precise message rather than oopsing at
 * the first timer signal.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <asm/cpufeature.h>
#include <asm/ibt.h>

#include "psxtimer.h"

struct psx_ksyms psx_ksyms;

static bool callable(const char *name, void *addr)
{
	if (IS_ENABLED(CONFIG_X86_KERNEL_IBT) && cpu_feature_enabled(X86_FEATURE_IBT) &&
	    !is_endbr(*(u32 *)addr)) {
		pr_err("%s has no ENDBR (sealed by IBT): boot with ibt=off to use psxtimer\n",
		       name);
		return false;
	}
	return true;
}

static unsigned long lookup_kallsyms_lookup_name(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long addr;

	if (register_kprobe(&kp) < 0)
		return 0;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return addr;
}

int psx_ksyms_resolve(void)
{
	unsigned long (*lookup)(const char *name);
	const struct {
		const char *name;
		void **slot;
	} syms[] = {
		{ "sigqueue_alloc", (void **)&psx_ksyms.sigqueue_alloc },
		{ "sigqueue_free", (void **)&psx_ksyms.sigqueue_free },
		{ "send_sigqueue", (void **)&psx_ksyms.send_sigqueue },
		{ "__lock_task_sighand", (void **)&psx_ksyms.lock_task_sighand },
		{ "flush_itimer_signals", (void **)&psx_ksyms.flush_itimer_signals },
		{ "task_sched_runtime", (void **)&psx_ksyms.task_sched_runtime },
		{ "thread_group_cputime", (void **)&psx_ksyms.thread_group_cputime },
#ifdef CONFIG_SECURITY
		{ "security_settime64", (void **)&psx_ksyms.security_settime64 },
#endif
	};
	int i;

	lookup = (void *)lookup_kallsyms_lookup_name();
	if (!lookup) {
		pr_err("cannot find kallsyms_lookup_name (needs CONFIG_KPROBES and CONFIG_KALLSYMS)\n");
		return -ENOENT;
	}
	if (!callable("kallsyms_lookup_name", lookup))
		return -ENOEXEC;
	for (i = 0; i < ARRAY_SIZE(syms); i++) {
		*syms[i].slot = (void *)lookup(syms[i].name);
		if (!*syms[i].slot) {
			pr_err("cannot resolve %s (needs CONFIG_POSIX_TIMERS and CONFIG_KALLSYMS_ALL?)\n",
			       syms[i].name);
			return -ENOENT;
		}
		if (!callable(syms[i].name, *syms[i].slot))
			return -ENOEXEC;
	}
	return 0;
}
