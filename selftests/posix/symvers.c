// SPDX-License-Identifier: GPL-2.0
/*
 * Which timer_create a program gets, by the symbol version it was linked
 * against: under psxtimer-preload.so the interposer's for the timer_t-is-
 * a-pointer ABI (GLIBC_2.34, and GLIBC_2.3.3 on x86-64 or GLIBC_2.2 on
 * i386, from before glibc 2.34), and glibc's own for x86-64's GLIBC_2.2.5,
 * the older ABI of int timer ids, which the interposer leaves alone. With
 * PSX_EXPECT=native, glibc's for all. Not a POSIX program: the versions
 * are named with .symver, as a program built against an older glibc has
 * them, on functions declared here under names of their own.
 * checkpatch-ignore: AVOID_EXTERNS
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kselftest_harness.h"

#ifdef __x86_64__
#define OLD_PTR_ABI "GLIBC_2.3.3"
#else
#define OLD_PTR_ABI "GLIBC_2.2"
#endif

int old_create(clockid_t clock, struct sigevent *sev, timer_t *t);
int old_gettime(timer_t t, struct itimerspec *v);
int old_delete(timer_t t);
__asm__(".symver old_create, timer_create@" OLD_PTR_ABI);
__asm__(".symver old_gettime, timer_gettime@" OLD_PTR_ABI);
__asm__(".symver old_delete, timer_delete@" OLD_PTR_ABI);

static int interposed(void)
{
	const char *e = getenv("PSX_EXPECT");

	return e && strcmp(e, "native");
}

/* The object a function lives in: 'p' the interposer, 'c' libc, '?' else. */
static char home(void *fn)
{
	Dl_info info;

	if (!dladdr(fn, &info) || !info.dli_fname)
		return '?';
	if (strstr(info.dli_fname, "psxtimer-preload"))
		return 'p';
	if (strstr(info.dli_fname, "libc.so"))
		return 'c';
	return '?';
}

TEST(default_version)
{
	EXPECT_EQ(interposed() ? 'p' : 'c', home((void *)timer_create));
	EXPECT_EQ(interposed() ? 'p' : 'c', home((void *)timer_settime));
	EXPECT_EQ(interposed() ? 'p' : 'c', home((void *)timer_gettime));
	EXPECT_EQ(interposed() ? 'p' : 'c', home((void *)timer_delete));
	EXPECT_EQ(interposed() ? 'p' : 'c', home((void *)timer_getoverrun));
}

/* A program linked before glibc 2.34 (librt's versions) is served too. */
TEST(pre_2_34_version)
{
	struct itimerspec v;
	timer_t t;

	EXPECT_EQ(interposed() ? 'p' : 'c', home((void *)old_create));
	EXPECT_EQ(interposed() ? 'p' : 'c', home((void *)old_delete));
	ASSERT_EQ(0, old_create(CLOCK_MONOTONIC, NULL, &t));
	/* The two versions are one implementation: the same timer_t works in both. */
	ASSERT_EQ(0, timer_gettime(t, &v));
	ASSERT_EQ(0, old_gettime(t, &v));
	ASSERT_EQ(0, old_delete(t));
	errno = 0;
	EXPECT_EQ(-1, timer_delete(t));
	EXPECT_EQ(EINVAL, errno);
}

#ifdef __x86_64__
int int_create(clockid_t clock, struct sigevent *sev, int *t);
int int_gettime(int t, struct itimerspec *v);
int int_delete(int t);
__asm__(".symver int_create, timer_create@GLIBC_2.2.5");
__asm__(".symver int_gettime, timer_gettime@GLIBC_2.2.5");
__asm__(".symver int_delete, timer_delete@GLIBC_2.2.5");

/* x86-64's first ABI: int ids, glibc's own table; never the interposer's. */
TEST(int_id_version_stays_glibcs)
{
	struct itimerspec v;
	int t = -1;

	EXPECT_EQ('c', home((void *)int_create));
	EXPECT_EQ('c', home((void *)int_gettime));
	EXPECT_EQ('c', home((void *)int_delete));
	ASSERT_EQ(0, int_create(CLOCK_MONOTONIC, NULL, &t));
	ASSERT_EQ(0, int_gettime(t, &v));
	ASSERT_EQ(0, int_delete(t));
}
#endif

TEST_HARNESS_MAIN
