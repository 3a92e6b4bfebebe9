// SPDX-License-Identifier: GPL-2.0
/*
 * PSXTIMER_IOC_INFO and the device node, driven from userspace. Built twice,
 * 64-bit and -m32, to prove the compat path uses the same layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/psxtimer.h>
#include <psxtimer/version.h>

#include "kselftest_harness.h"

_Static_assert(sizeof(struct psxtimer_info) == 64, "ABI: psxtimer_info size");

static int read_param(const char *name)
{
	char path[128], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/psxtimer/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return atoi(buf);
}

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(PSXTIMER_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", PSXTIMER_DEVICE, strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST(device_node_is_world_rw_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(PSXTIMER_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
}

TEST_F(dev, info_reports_version_and_limits)
{
	struct psxtimer_info info;
	unsigned int i;

	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, ioctl(self->fd, PSXTIMER_IOC_INFO, &info));
	EXPECT_EQ(PSXTIMER_ABI_VERSION, info.abi_version);
	EXPECT_EQ(PSXTIMER_VERSION_MAJOR, info.version_major);
	EXPECT_EQ(PSXTIMER_VERSION_MINOR, info.version_minor);
	EXPECT_EQ(PSXTIMER_VERSION_PATCH, info.version_patch);
	/* The parameter shows the effective value, derived or given. */
	EXPECT_EQ(read_param("timer_max"), (int)info.timer_max);
	EXPECT_LE(32, info.timer_max);
	/* Every addition to ABI 1 this source tree has. */
	EXPECT_EQ(PSXTIMER_FEATURES_ALL, info.features);
	for (i = 0; i < ARRAY_SIZE(info.__reserved); i++)
		EXPECT_EQ(0, info.__reserved[i]);
}

TEST_F(dev, info_works_on_read_only_fd)
{
	struct psxtimer_info info;
	int fd = open(PSXTIMER_DEVICE, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ioctl(fd, PSXTIMER_IOC_INFO, &info));
	close(fd);
}

TEST_F(dev, info_bad_pointers_are_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);

	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);

	/* Straddling into a page that cannot be written. */
	ASSERT_EQ(0, mprotect(p + page, page, PROT_NONE));
	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_INFO, p + page - 8));
	EXPECT_EQ(EFAULT, errno);

	/* Read-only memory. */
	ASSERT_EQ(0, mprotect(p, page, PROT_READ));
	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_INFO, p));
	EXPECT_EQ(EFAULT, errno);

	/* Unmapped memory. */
	ASSERT_EQ(0, munmap(p, 2 * page));
	EXPECT_EQ(-1, ioctl(self->fd, PSXTIMER_IOC_INFO, p));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, unknown_commands_are_enotty)
{
	struct psxtimer_info info;
	unsigned long bad[] = {
		0,
		_IOR(PSXTIMER_IOC_MAGIC, 0x00, __u32),		/* wrong size */
		_IOW(PSXTIMER_IOC_MAGIC, 0x00, struct psxtimer_info),	/* wrong direction */
		_IOR(PSXTIMER_IOC_MAGIC, 0xff, struct psxtimer_info),	/* unused number */
		_IOR('T', 0x00, struct psxtimer_info),		/* someone else's */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, bad[i], &info)) TH_LOG("cmd %#lx", bad[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", bad[i]);
	}
}

TEST(device_is_not_seekable)
{
	int fd = open(PSXTIMER_DEVICE, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	close(fd);
}

TEST_HARNESS_MAIN
