/* SPDX-License-Identifier: GPL-2.0 */
/* The module's version: one place, read by C, C++ and the build. */
#ifndef PSXTIMER_VERSION_H
#define PSXTIMER_VERSION_H

#define PSXTIMER_VERSION_MAJOR 0
#define PSXTIMER_VERSION_MINOR 1
#define PSXTIMER_VERSION_PATCH 0
#define PSXTIMER_VERSION_STRING "0.1.0"

#endif /* PSXTIMER_VERSION_H */
