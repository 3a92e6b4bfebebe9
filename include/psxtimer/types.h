/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-width types shared by the C++ core and the C glue.
 *
 * The core is built freestanding with no headers at all (the kernel build
 * passes -nostdinc), so it cannot reach <linux/types.h> or <stdint.h>. These
 * typedefs are spelled to match the kernel's own s32/u64 on every
 * architecture the kernel supports (int is 32 bits, long long is 64 bits).
 */
#ifndef PSXTIMER_TYPES_H
#define PSXTIMER_TYPES_H

typedef signed char psx_s8;
typedef unsigned char psx_u8;
typedef int psx_s32;
typedef unsigned int psx_u32;
typedef long long psx_s64;
typedef unsigned long long psx_u64;
typedef __SIZE_TYPE__ psx_size_t;

#ifdef __cplusplus
#define PSX_EXTERN_C_BEGIN extern "C" {
#define PSX_EXTERN_C_END }
#define PSX_STATIC_ASSERT(e, msg) static_assert(e, msg)
#else
#define PSX_EXTERN_C_BEGIN
#define PSX_EXTERN_C_END
#define PSX_STATIC_ASSERT(e, msg) _Static_assert(e, msg)
#endif

PSX_STATIC_ASSERT(sizeof(psx_s32) == 4 && sizeof(psx_u64) == 8,
		  "psxtimer assumes ILP32 or LP64");

#endif /* PSXTIMER_TYPES_H */
