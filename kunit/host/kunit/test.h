/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A userspace stand-in for <kunit/test.h>, enough of it for the suites in
 * kunit/ that test the C++ core, so they run on the host in seconds under
 * ASan/UBSan before any VM boots. Output is KTAP, like KUnit's own.
 */
#ifndef PSXTIMER_HOST_KUNIT_TEST_H
#define PSXTIMER_HOST_KUNIT_TEST_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

struct kunit {
	const char *name;
	void *priv;
	int failed;
	jmp_buf abort;
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
};

struct kunit_suite {
	const char *name;
	int (*suite_init)(struct kunit_suite *suite);
	void (*suite_exit)(struct kunit_suite *suite);
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
};

#define KUNIT_CASE(fn) { .run_case = fn, .name = #fn }

/* Kernel spellings the suites use. */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define GFP_KERNEL 0
void *kunit_kzalloc(struct kunit *test, size_t size, int gfp);

void psx_host_register_suites(struct kunit_suite **suites);
void psx_host_fail(struct kunit *test, int fatal, const char *file, int line,
		   const char *expr, long long left, long long right,
		   const char *msg);

#define PSX_HOST_CAT2(a, b) a##b
#define PSX_HOST_CAT(a, b) PSX_HOST_CAT2(a, b)

#define kunit_test_suites(...)						\
	static struct kunit_suite *PSX_HOST_CAT(psx_suites_, __LINE__)[] = \
		{ __VA_ARGS__, NULL };					\
	__attribute__((constructor)) static void			\
	PSX_HOST_CAT(psx_register_, __LINE__)(void)			\
	{								\
		psx_host_register_suites(PSX_HOST_CAT(psx_suites_, __LINE__)); \
	}

#define PSX_HOST_CHECK(test, fatal, left, op, right, msg)		\
	do {								\
		__typeof__(left) psx_l_ = (left);			\
		__typeof__(right) psx_r_ = (right);			\
		if (!(psx_l_ op psx_r_))				\
			psx_host_fail(test, fatal, __FILE__, __LINE__,	\
				      #left " " #op " " #right,		\
				      (long long)psx_l_, (long long)psx_r_, msg); \
	} while (0)

#define KUNIT_EXPECT_EQ(t, l, r) PSX_HOST_CHECK(t, 0, l, ==, r, NULL)
#define KUNIT_EXPECT_NE(t, l, r) PSX_HOST_CHECK(t, 0, l, !=, r, NULL)
#define KUNIT_EXPECT_LT(t, l, r) PSX_HOST_CHECK(t, 0, l, <, r, NULL)
#define KUNIT_EXPECT_LE(t, l, r) PSX_HOST_CHECK(t, 0, l, <=, r, NULL)
#define KUNIT_EXPECT_GT(t, l, r) PSX_HOST_CHECK(t, 0, l, >, r, NULL)
#define KUNIT_EXPECT_GE(t, l, r) PSX_HOST_CHECK(t, 0, l, >=, r, NULL)
#define KUNIT_EXPECT_TRUE(t, c) PSX_HOST_CHECK(t, 0, !!(c), ==, 1, NULL)
#define KUNIT_EXPECT_FALSE(t, c) PSX_HOST_CHECK(t, 0, !!(c), ==, 0, NULL)
#define KUNIT_EXPECT_EQ_MSG(t, l, r, ...) PSX_HOST_CHECK(t, 0, l, ==, r, #__VA_ARGS__)
#define KUNIT_EXPECT_NE_MSG(t, l, r, m) PSX_HOST_CHECK(t, 0, l, !=, r, m)
#define KUNIT_ASSERT_EQ(t, l, r) PSX_HOST_CHECK(t, 1, l, ==, r, NULL)
#define KUNIT_ASSERT_NE(t, l, r) PSX_HOST_CHECK(t, 1, l, !=, r, NULL)
#define KUNIT_ASSERT_GE(t, l, r) PSX_HOST_CHECK(t, 1, l, >=, r, NULL)
#define KUNIT_ASSERT_TRUE(t, c) PSX_HOST_CHECK(t, 1, !!(c), ==, 1, NULL)
#define KUNIT_ASSERT_FALSE(t, c) PSX_HOST_CHECK(t, 1, !!(c), ==, 0, NULL)
#define KUNIT_ASSERT_EQ_MSG(t, l, r, m) PSX_HOST_CHECK(t, 1, l, ==, r, m)
#define KUNIT_ASSERT_NE_MSG(t, l, r, m) PSX_HOST_CHECK(t, 1, l, !=, r, m)
#define KUNIT_EXPECT_TRUE_MSG(t, c, ...) PSX_HOST_CHECK(t, 0, !!(c), ==, 1, NULL)
#define KUNIT_ASSERT_NOT_NULL(t, p) PSX_HOST_CHECK(t, 1, (const void *)(p), !=, NULL, NULL)
#define KUNIT_FAIL(t, m) psx_host_fail(t, 0, __FILE__, __LINE__, "KUNIT_FAIL", 0, 0, m)

#endif /* PSXTIMER_HOST_KUNIT_TEST_H */
