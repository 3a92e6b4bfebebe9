// SPDX-License-Identifier: GPL-2.0
/*
 * Built into the gcov build of the interposer only (src/lib/Makefile, when
 * CFLAGS has --coverage; scripts/check's build/lib-cov): a program under
 * it that ends with _exit() (the kselftest harness ends each test's child
 * so) would skip gcov's dump at exit and lose what the interposer ran.
 * This _exit, which the preload puts before libc's, dumps first.
 *
 * libgcov's __gcov_dump is declared here: checkpatch-ignore: AVOID_EXTERNS
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <unistd.h>

void __gcov_dump(void);

typedef void exit_fn(int status);

__attribute__((visibility("default"))) void _exit(int status)
{
	exit_fn *real = (exit_fn *)dlsym(RTLD_NEXT, "_exit");

	__gcov_dump();
	real(status);
	__builtin_unreachable();
}
