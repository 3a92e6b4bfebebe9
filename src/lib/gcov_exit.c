// SPDX-License-Identifier: GPL-2.0
/*
 * Built into the gcov build of the interposer only (src/lib/Makefile, when
 * CFLAGS has --coverage; scripts/check's build/lib-cov): a program under
 * it that ends with _exit() (the kselftest harness ends each test's child
 * so) would skip gcov's dump at exit and lose what the interposer ran.
 * This _exit, which the preload puts before libc's, dumps first.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <unistd.h>

void __gcov_dump(void);

__attribute__((visibility("default"), noreturn)) void _exit(int status)
{
	void (*real)(int) __attribute__((noreturn)) = dlsym(RTLD_NEXT, "_exit");

	__gcov_dump();
	real(status);
}
