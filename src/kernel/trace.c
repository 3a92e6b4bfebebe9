// SPDX-License-Identifier: GPL-2.0
/*
 * The trace events of trace.h, defined once: the tracepoints and their
 * events/psxtimer/ files, which the kernel adds when the module loads.
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
