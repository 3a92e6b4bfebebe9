// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel functions psxtimer needs that are not exported to modules (the
 * list, and why each, is in psxtimer.h), resolved once at load and then
 * called like any kernel function.
 *
 * Finding them. kallsyms_lookup_name() is not exported either (since 5.7),
 * so its own address comes from a kprobe on it. A kprobe is placed after
 * the ENDBR that IBT kernels begin functions with, so kp.addr is the start
 * plus 4 there; the start is kp.addr minus the offset kallsyms reports for
 * it. Every address used is checked to be the start of the symbol asked
 * for (sprint_symbol says "name+0x0/..."), and never trusted by name alone:
 * the set of functions, and each one's prototype, is fixed by the kernel
 * version the module is built for (from that kernel's own headers), so a
 * kernel where a name means something else is refused before anything is
 * called.
 *
 * Calling them. On a CPU that enforces IBT, an indirect call must land on
 * an ENDBR, and objtool "seals" (removes the ENDBR of) every function the
 * kernel never takes the address of: task_sched_runtime() on Debian's 6.12,
 * kallsyms_lookup_name() itself since 7.0. So each function gets a static
 * call of the module's own (DEFINE_STATIC_CALL_NULL, retargeted with
 * static_call_update() at load, as kvm.ko retargets its ops): every call
 * site becomes a direct call, patched in place, which IBT does not check.
 * No resolved address is ever stored anywhere else, and scripts/check-ibt
 * verifies in the build tier that the module's code reaches them only
 * through these static calls.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/static_call.h>
#include <linux/string.h>

#include "psxtimer.h"

#if PSX_HAVE_SEND_SIGQUEUE
DEFINE_STATIC_CALL_NULL(psx_sigqueue_alloc, sigqueue_alloc);
DEFINE_STATIC_CALL_NULL(psx_sigqueue_free, sigqueue_free);
DEFINE_STATIC_CALL_NULL(psx_send_sigqueue, send_sigqueue);
#else
DEFINE_STATIC_CALL_NULL(psx_posixtimer_init_sigqueue, posixtimer_init_sigqueue);
DEFINE_STATIC_CALL_NULL(psx_posixtimer_send_sigqueue, posixtimer_send_sigqueue);
DEFINE_STATIC_CALL_NULL(psx_posixtimer_free_timer, posixtimer_free_timer);
#endif
DEFINE_STATIC_CALL_NULL(psx_flush_itimer_signals, flush_itimer_signals);
DEFINE_STATIC_CALL_NULL(psx_task_sched_runtime, task_sched_runtime);
DEFINE_STATIC_CALL_NULL(psx_thread_group_cputime, thread_group_cputime);
#ifdef CONFIG_SECURITY
DEFINE_STATIC_CALL_NULL(psx_security_settime64, security_settime64);
#endif
DEFINE_STATIC_CALL_NULL(psx_kallsyms_lookup_name, kallsyms_lookup_name);

/* The offset of addr into the symbol name, or -1 if it is in another one. */
static long offset_in(unsigned long addr, const char *name)
{
	char buf[KSYM_SYMBOL_LEN];
	size_t len = strlen(name);
	unsigned long off;

	sprint_symbol(buf, addr);
	if (strncmp(buf, name, len) || buf[len] != '+' ||
	    sscanf(buf + len, "+%lx/", &off) != 1)
		return -1;
	return off;
}

static int find_kallsyms_lookup_name(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long addr;
	long off;

	if (register_kprobe(&kp) < 0) {
		pr_err("cannot find kallsyms_lookup_name: no kprobe (needs CONFIG_KPROBES)\n");
		return -ENOENT;
	}
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	off = offset_in(addr, "kallsyms_lookup_name");
	if (off < 0 || off > 16) {
		pr_err("the kprobe on kallsyms_lookup_name is at %pS, not at its start\n",
		       (void *)addr);
		return -ENOEXEC;
	}
	static_call_update(psx_kallsyms_lookup_name,
			   (typeof(&kallsyms_lookup_name))(addr - off));
	return 0;
}

/* The start of name: 0, or the address in *addr. */
static int lookup(const char *name, unsigned long *addr)
{
	unsigned long a = static_call(psx_kallsyms_lookup_name)(name);

	if (!a) {
		pr_err("%s is not in this kernel's kallsyms (psxtimer needs CONFIG_KALLSYMS and CONFIG_POSIX_TIMERS)\n",
		       name);
		return -ENOENT;
	}
	if (offset_in(a, name)) {
		pr_err("kallsyms gives %pS for %s, not the start of that function\n",
		       (void *)a, name);
		return -ENOEXEC;
	}
	*addr = a;
	return 0;
}

/* Point the static call of name at the function of that name. */
static int resolve(const char *name, struct static_call_key *key, void *tramp)
{
	unsigned long addr;
	int err = lookup(name, &addr);

	if (!err)
		__static_call_update(key, tramp, (void *)addr);
	return err;
}

#define RESOLVE(name) \
	resolve(#name, &STATIC_CALL_KEY(psx_##name), STATIC_CALL_TRAMP_ADDR(psx_##name))

int psx_ksyms_resolve(void)
{
	return find_kallsyms_lookup_name() ?:
#if PSX_HAVE_SEND_SIGQUEUE
	       RESOLVE(sigqueue_alloc) ?:
	       RESOLVE(sigqueue_free) ?:
	       RESOLVE(send_sigqueue) ?:
#else
	       RESOLVE(posixtimer_init_sigqueue) ?:
	       RESOLVE(posixtimer_send_sigqueue) ?:
	       RESOLVE(posixtimer_free_timer) ?:
#endif
	       RESOLVE(flush_itimer_signals) ?:
	       RESOLVE(task_sched_runtime) ?:
	       RESOLVE(thread_group_cputime) ?:
#ifdef CONFIG_SECURITY
	       RESOLVE(security_settime64) ?:
#endif
	       0;
}
