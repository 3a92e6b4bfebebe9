// SPDX-License-Identifier: GPL-2.0
/*
 * Linked into the gcov builds of the selftests only (selftests/Makefile,
 * COVERAGE): the harness ends each test's child with _exit(), which skips
 * gcov's dump at exit, so everything a test ran in its child would count
 * for nothing. -Wl,--wrap=_exit sends those calls here first.
 *
 * Userspace: libgcov's and the linker's symbols are declared here, and the
 * kernel's __noreturn does not exist.
 * checkpatch-ignore: AVOID_EXTERNS,PREFER_DEFINED_ATTRIBUTE_MACRO
 */
void __gcov_dump(void);
void __real__exit(int status) __attribute__((noreturn));
void __wrap__exit(int status) __attribute__((noreturn));

void __wrap__exit(int status)
{
	__gcov_dump();
	__real__exit(status);
}
