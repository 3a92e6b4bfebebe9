/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PSXTIMER_HOST_H
#define PSXTIMER_HOST_H

/* Core WARNs seen since the current test case started. */
extern int psx_host_warnings;

#endif
