// SPDX-License-Identifier: GPL-2.0
/*
 * lib_abi_test's cases against a library of the module's own ABI that needs
 * an addition to it which the module lacks, as a library newer than the
 * module would (selftests/Makefile sets PSXTIMER_LIB_FEATURES).
 */
#define PSX_TEST_FEATURES
#include "lib_abi_test.c"
