// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for src/kernel/dev.c: ioctl dispatch through the C++ core,
 * against real user memory (kunit_vm_mmap), as a process would see it, and
 * the misc device's fixed minor.
 */
#include <kunit/test.h>
#include <linux/miscdevice.h>
#include <linux/mman.h>
#include <linux/uaccess.h>

#include <linux/psxtimer.h>
#include <psxtimer/core.h>

#include "../src/kernel/psxtimer.h"

static unsigned long user_page(struct kunit *test)
{
	unsigned long addr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE,
					   PROT_READ | PROT_WRITE,
					   MAP_ANONYMOUS | MAP_PRIVATE, 0);

	KUNIT_ASSERT_NE_MSG(test, addr, 0, "kunit_vm_mmap failed");
	return addr;
}

static void info_ioctl_fills_user_buffer(struct kunit *test)
{
	unsigned long ubuf = user_page(test);
	struct psxtimer_info info;
	struct psx_info ci;
	int i;

	KUNIT_ASSERT_EQ(test, 0, clear_user((void __user *)ubuf, PAGE_SIZE));
	/* Poison, so a field the ioctl forgets shows. */
	memset(&info, 0xa5, sizeof(info));
	KUNIT_ASSERT_EQ(test, 0, copy_to_user((void __user *)ubuf, &info, sizeof(info)));

	KUNIT_EXPECT_EQ(test, 0L, psx_dev_ioctl(NULL, PSXTIMER_IOC_INFO, ubuf));
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(&info, (void __user *)ubuf, sizeof(info)));

	psx_core_info(&ci);
	KUNIT_EXPECT_EQ(test, info.abi_version, PSXTIMER_ABI_VERSION);
	KUNIT_EXPECT_EQ(test, info.version_major, ci.version_major);
	KUNIT_EXPECT_EQ(test, info.version_minor, ci.version_minor);
	KUNIT_EXPECT_EQ(test, info.version_patch, ci.version_patch);
	KUNIT_EXPECT_EQ(test, info.timer_max, ci.timer_max);
	KUNIT_EXPECT_EQ(test, info.features, (__u32)PSXTIMER_FEATURES_ALL);
	for (i = 0; i < ARRAY_SIZE(info.__reserved); i++)
		KUNIT_EXPECT_EQ(test, info.__reserved[i], 0u);
}

static void info_ioctl_bad_pointer_is_efault(struct kunit *test)
{
	unsigned long ubuf = user_page(test);

	KUNIT_EXPECT_EQ(test, -EFAULT, psx_dev_ioctl(NULL, PSXTIMER_IOC_INFO, 0));
	/* Straddles the end of the mapping into nothing. */
	KUNIT_EXPECT_EQ(test, -EFAULT,
			psx_dev_ioctl(NULL, PSXTIMER_IOC_INFO, ubuf + PAGE_SIZE - 8));
	/* A kernel address is never a user buffer. */
	KUNIT_EXPECT_EQ(test, -EFAULT,
			psx_dev_ioctl(NULL, PSXTIMER_IOC_INFO, (unsigned long)test));
}

static void unknown_ioctl_is_enotty(struct kunit *test)
{
	unsigned long ubuf = user_page(test);

	KUNIT_EXPECT_EQ(test, -ENOTTY, psx_dev_ioctl(NULL, 0, ubuf));
	/* The right number with the wrong size or direction is another command. */
	KUNIT_EXPECT_EQ(test, -ENOTTY,
			psx_dev_ioctl(NULL, _IOR(PSXTIMER_IOC_MAGIC, 0x00, __u32), ubuf));
	KUNIT_EXPECT_EQ(test, -ENOTTY,
			psx_dev_ioctl(NULL, _IOW(PSXTIMER_IOC_MAGIC, 0x00,
						 struct psxtimer_info), ubuf));
	KUNIT_EXPECT_EQ(test, -ENOTTY,
			psx_dev_ioctl(NULL, _IOR(PSXTIMER_IOC_MAGIC, 0xff,
						 struct psxtimer_info), ubuf));
}

static const struct file_operations blocker_fops = {
	.owner = THIS_MODULE,
};

/*
 * The fixed minor held by another driver: psx_dev_register() fails with
 * -EBUSY (and says so) instead of falling back to a dynamic minor, then
 * works once the minor is free. /dev/psxtimer is gone in between: nothing
 * else runs while the suites do.
 */
static void taken_minor_is_ebusy(struct kunit *test)
{
	struct miscdevice blocker = {
		.minor = PSX_MISC_MINOR,
		.name = "psxtimer_kunit_blocker",
		.fops = &blocker_fops,
	};

	psx_dev_unregister();
	KUNIT_ASSERT_EQ(test, 0, misc_register(&blocker));
	KUNIT_EXPECT_EQ(test, -EBUSY, psx_dev_register());
	misc_deregister(&blocker);
	KUNIT_ASSERT_EQ(test, 0, psx_dev_register());
}

static struct kunit_case psx_dev_cases[] = {
	KUNIT_CASE(info_ioctl_fills_user_buffer),
	KUNIT_CASE(info_ioctl_bad_pointer_is_efault),
	KUNIT_CASE(unknown_ioctl_is_enotty),
	KUNIT_CASE(taken_minor_is_ebusy),
	{}
};

static struct kunit_suite psx_dev_suite = {
	.name = "psxtimer_dev",
	.test_cases = psx_dev_cases,
};

kunit_test_suites(&psx_dev_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for psxtimer");
MODULE_IMPORT_NS(PSX_KUNIT_NAMESPACE);
