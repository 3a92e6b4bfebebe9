// SPDX-License-Identifier: GPL-2.0
/*
 * libpsxtimer refuses a module of another ABI: built with the library
 * compiled in and told (PSXTIMER_LIB_ABI, selftests/Makefile) that it
 * speaks the ABI after the module's, every call fails with ENOSYS, and the
 * module never sees a timer of ours. lib_features_test is this program
 * again, its library asking for an addition to the ABI that no module has
 * (PSXTIMER_LIB_FEATURES): the same. The same calls, by the library as
 * shipped, pass in lib_test. (ENOSYS: the library's errno, see abi.h.
 * checkpatch-ignore: ENOSYS)
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../src/lib/psxtimer.h"
#include "../src/lib/abi.h"
#include "kselftest_harness.h"

/* How many timers the module holds for this process (PSXTIMER_IOC_STAT). */
static int module_timers(void)
{
	struct psxtimer_stat st = { .pid = 0 };
	int fd = open(PSXTIMER_DEVICE, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = ioctl(fd, PSXTIMER_IOC_STAT, &st);
	close(fd);
	return ret < 0 ? (errno == ESRCH ? 0 : -1) : (int)st.count;
}

/* lib_features_test: the ABI is the module's, one feature it lacks is not. */
TEST(the_module_lacks_what_this_build_needs)
{
	struct psxtimer_info info;
	int fd = open(PSXTIMER_DEVICE, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, PSXTIMER_IOC_INFO, &info));
	close(fd);
	EXPECT_EQ(PSXTIMER_ABI_VERSION, info.abi_version);
#ifdef PSX_TEST_FEATURES
	EXPECT_EQ(PSXTIMER_LIB_ABI, info.abi_version);
	EXPECT_NE(PSXTIMER_LIB_FEATURES, info.features & PSXTIMER_LIB_FEATURES);
#else
	EXPECT_NE(PSXTIMER_LIB_ABI, info.abi_version);
#endif
}

TEST(every_call_is_enosys)
{
	struct itimerspec v = { { 0, 0 }, { 1, 0 } };
	struct timespec ts;
	psx_timer_t id = 0;

	errno = 0;
	EXPECT_EQ(-1, psx_timer_create(CLOCK_MONOTONIC, NULL, &id));
	EXPECT_EQ(ENOSYS, errno);
	errno = 0;
	EXPECT_EQ(-1, psx_timer_settime(0, 0, &v, NULL));
	EXPECT_EQ(ENOSYS, errno);
	errno = 0;
	EXPECT_EQ(-1, psx_timer_gettime(0, &v));
	EXPECT_EQ(ENOSYS, errno);
	errno = 0;
	EXPECT_EQ(-1, psx_timer_getoverrun(0));
	EXPECT_EQ(ENOSYS, errno);
	errno = 0;
	EXPECT_EQ(-1, psx_timer_delete(0));
	EXPECT_EQ(ENOSYS, errno);
	errno = 0;
	EXPECT_EQ(-1, psx_clock_gettime(CLOCK_MONOTONIC, &ts));
	EXPECT_EQ(ENOSYS, errno);
	errno = 0;
	EXPECT_EQ(-1, psx_port_create());
	EXPECT_EQ(ENOSYS, errno);
	/* Refused here, not by the module: it holds nothing of ours. */
	EXPECT_EQ(0, module_timers());
}

TEST_HARNESS_MAIN
