// SPDX-License-Identifier: GPL-2.0
/*
 * Linked into the gcov builds of the selftests only (selftests/Makefile,
 * COVERAGE): the harness ends each test's child with _exit(), which skips
 * gcov's dump at exit, so everything a test ran in its child would count
 * for nothing. -Wl,--wrap=_exit sends those calls here first.
 */
void __gcov_dump(void);
void __real__exit(int status) __attribute__((noreturn));
void __wrap__exit(int status) __attribute__((noreturn));

void __wrap__exit(int status)
{
	__gcov_dump();
	__real__exit(status);
}
