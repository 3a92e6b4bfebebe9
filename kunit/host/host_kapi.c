// SPDX-License-Identifier: GPL-2.0
/*
 * include/psxtimer/kapi.h on libc, for the host build of the core: malloc
 * stands in for kzalloc (ASan sees every byte), a core WARN fails the test
 * that provoked it, a BUG aborts.
 */
#include <stdio.h>
#include <stdlib.h>

#include <psxtimer/kapi.h>

#include "host.h"

void *psx_kzalloc(unsigned long size)
{
	return calloc(1, size);
}

void psx_kfree(const void *p)
{
	free((void *)p);
}

void psx_warn(const char *msg)
{
	fprintf(stderr, "WARNING: %s\n", msg);
	psx_host_warnings++;
}

void psx_bug(const char *msg)
{
	fprintf(stderr, "BUG: %s\n", msg);
	abort();
}
