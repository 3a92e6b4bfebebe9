/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared by the C glue files (not by the C++ core). */
#ifndef PSXTIMER_KERNEL_H
#define PSXTIMER_KERNEL_H

#include <linux/fs.h>

int psx_dev_register(void);
void psx_dev_unregister(void);
long psx_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* PSXTIMER_KERNEL_H */
