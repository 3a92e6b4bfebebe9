/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel services the C++ core may use, and nothing more. Implemented by
 * the C glue in src/kernel/kapi.c; the host test build implements them on
 * libc in kunit/host/host_kapi.c so the core runs under ASan/UBSan.
 */
#ifndef PSXTIMER_KAPI_H
#define PSXTIMER_KAPI_H

#ifdef __cplusplus
extern "C" {
#endif

/* errno values the core returns (negated), as the kernel defines them. */
#define PSX_EPERM 1
#define PSX_ENOMEM 12
#define PSX_EFAULT 14
#define PSX_EINVAL 22
#define PSX_EAGAIN 11

/* Sleeping allocation (GFP_KERNEL); NULL on failure. Memory is zeroed. */
void *psx_kzalloc(unsigned long size);
void psx_kfree(const void *p);

/* A broken invariant the core can survive: WARN, with the message. */
void psx_warn(const char *msg);
/*
 * One it cannot (a pure virtual call): BUG. Not declared noreturn, so that
 * objtool, which does not know it, sees its callers end normally.
 */
void psx_bug(const char *msg);

#ifdef __cplusplus
}
#endif

#endif /* PSXTIMER_KAPI_H */
